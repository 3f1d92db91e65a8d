"""AlexNet vs VGG-16 vs ResNet by stage, and the facts a teacher states about them, computed."""

from explorer.analysis import analyse
from explorer.presets import PRESETS
from explorer.stages import architecture_notes, stages


def summary(name):
    return [(s.name, s.weighted, s.output_text, s.receptive_field) for s in stages(analyse(PRESETS[name]))]


def test_the_three_families_line_up_by_stage():
    assert summary("torchvision") == [
        ("stage 1", 1, "64×27×27", 19),
        ("stage 2", 1, "192×13×13", 67),
        ("stage 3", 3, "256×6×6", 195),
        ("classifier", 3, "1000", None),
    ]
    assert [s[:3] for s in summary("vgg16")] == [
        ("stage 1", 2, "64×112×112"),
        ("stage 2", 2, "128×56×56"),
        ("stage 3", 3, "256×28×28"),
        ("stage 4", 3, "512×14×14"),
        ("stage 5", 3, "512×7×7"),
        ("classifier", 3, "1000"),
    ]
    # ResNet's conv1, conv2_x … conv5_x: a stage starts at the block that downsamples
    assert [s[:3] for s in summary("resnet18")] == [
        ("stage 1", 1, "64×56×56"),
        ("stage 2", 4, "64×56×56"),
        ("stage 3", 4, "128×28×28"),
        ("stage 4", 4, "256×14×14"),
        ("stage 5", 4, "512×7×7"),
        ("classifier", 1, "1000"),
    ]
    for name in ("torchvision", "vgg16", "resnet18", "resnet34"):
        a = analyse(PRESETS[name])
        assert sum(s.params for s in stages(a)) == a.total_params
        assert sum(s.macs for s in stages(a)) == a.total_macs


def test_notes_are_computed():
    vgg = architecture_notes(analyse(PRESETS["vgg16"]))
    assert vgg[0].startswith("vgg16: 16 weighted layers on its main path (conv and linear), 138,357,544 parameters")
    assert vgg[1] == "vgg16's largest layer is fc6: 103M of 138M parameters (74%)."
    assert "2·9·256² = 1,179,648 weights, where one 5×5 conv would need 25·256² = 1,638,400 (28% fewer)" in vgg[2]
    res = architecture_notes(analyse(PRESETS["resnet18"]))
    assert res[0].startswith("resnet18: 18 weighted layers on its main path")
    assert res[-1] == (
        "resnet18 has 8 residual blocks: 5 with an identity shortcut (solid), "
        "3 with a 1×1 conv shortcut where the shape changes (dashed)."
    )
    assert architecture_notes(analyse(PRESETS["resnet34"]))[0].startswith("resnet34: 34 weighted layers")
    assert architecture_notes(analyse(PRESETS["blog-broken-flatten"])) == []


def test_stage_labels_and_notes_in_chinese():
    from explorer.i18n import using

    a = analyse(PRESETS["vgg16"])
    with using("zh"):
        labels = [s.label for s in stages(a)]
        notes = architecture_notes(a)
    assert labels == ["第 1 阶段", "第 2 阶段", "第 3 阶段", "第 4 阶段", "第 5 阶段", "分类器"]
    assert [s.name for s in stages(a)][-1] == "classifier"  # the id does not change with the language
    assert notes[0].startswith("vgg16：主路径上有 16 个带权重的层") and "138,357,544" in notes[0]
    assert notes[1] == "vgg16 最大的一层是 fc6：参数量 103M，占全部 138M 的 74%。"
    assert "2·9·256² = 1,179,648" in notes[2] and "25·256² = 1,638,400" in notes[2] and "28%" in notes[2]
    with using("zh"):
        res = architecture_notes(analyse(PRESETS["resnet18"]))[-1]
    assert res == "resnet18 共有 8 个残差块：5 个用恒等捷径连接（实线），3 个在形状改变处用 1×1 卷积捷径连接（虚线）。"
