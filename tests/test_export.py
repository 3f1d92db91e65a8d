"""Downloads: the generated PyTorch file runs and matches the engine; CSV and torchinfo text."""

import csv
import io

import pytest
import torch

from explorer.analysis import analyse
from explorer.export import pytorch_source, table_csv, torchinfo_text
from explorer.presets import PRESETS

VALID = [n for n, v in PRESETS.items() if analyse(v).valid]


@pytest.mark.parametrize("name", VALID)
def test_generated_code_runs_and_matches_engine(name):
    a = analyse(PRESETS[name])
    namespace: dict = {}
    exec(compile(pytorch_source(a), f"{name}.py", "exec"), namespace)
    if "Net" in namespace:  # torchvision's ResNet layout
        from explorer.build import build_model

        model = namespace["Net"]().eval()
        ours = build_model(a, device="cpu")
        assert list(model.state_dict()) == list(ours.state_dict())  # the same keys: state dicts load
        model.load_state_dict(ours.state_dict())
        assert sum(p.numel() for p in model.parameters()) == a.total_params
        shapes = []
        hooks = [
            model.get_submodule(path).register_forward_hook(lambda m, i, o: shapes.append(tuple(o.shape[1:])))
            for path in ours.layer_paths()
        ]
        x = torch.randn(1, *a.input_shape, generator=torch.Generator().manual_seed(0))
        with torch.no_grad():
            out = model(x)
            assert torch.equal(out, ours(x))
        for h in hooks:
            h.remove()
        assert shapes == [r.output for r in a.rows]
        return
    model = namespace["AlexNetVariant"]().eval()
    assert namespace["INPUT_SHAPE"] == a.input_shape
    assert sum(p.numel() for p in model.parameters()) == a.total_params
    shapes = []
    hooks = [
        m.register_forward_hook(lambda m, i, o: shapes.append(tuple(o.shape[1:])))
        for m in (*model.features, model.avgpool, model.flatten, *model.classifier)
        if not isinstance(m, torch.nn.Identity)
    ]
    with torch.no_grad():
        out = model(torch.zeros(1, *a.input_shape))
    for h in hooks:
        h.remove()
    assert tuple(out.shape[1:]) == a.output_shape
    assert shapes == [r.output for r in a.rows]


def test_generated_code_loads_torchvision_style_state_dict():
    from explorer.build import build_model

    a = analyse(PRESETS["torchvision"])
    namespace: dict = {}
    exec(pytorch_source(a), namespace)
    model = namespace["AlexNetVariant"]()
    model.load_state_dict(build_model(a).state_dict())  # same keys and shapes


def test_hostile_name_cannot_break_the_file():
    v = PRESETS["lenet-5"].renamed('x"""\\N{oops} import os')
    namespace: dict = {}
    exec(pytorch_source(analyse(v)), namespace)
    assert "AlexNetVariant" in namespace


def test_csv():
    text = table_csv(analyse(PRESETS["paper-2012"]))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [
        "#",
        "layer",
        "type",
        "output",
        "params",
        "% params",
        "MACs",
        "% MACs",
        "memory (KiB)",
        "receptive field",
        "jump",
    ]
    assert rows[0] | {} == rows[0] and rows[0]["layer"] == "conv1" and rows[0]["output"] == "96×55×55"
    assert rows[0]["params"] == "34944" and rows[0]["MACs"] == "105415200" and rows[0]["receptive field"] == "11"
    assert rows[-1]["layer"] == "fc8" and rows[-1]["receptive field"] == ""
    assert sum(int(r["params"]) for r in rows) == 60_965_224


def test_torchinfo_text():
    text = torchinfo_text(analyse(PRESETS["torchvision"]))
    assert "Total params: 61,100,840" in text
    assert "Sequential (features)" in text and "Conv2d (0)" in text


def test_csv_in_chinese_has_chinese_headers_and_the_same_cells():
    a = analyse(PRESETS["paper-2012"])
    en = list(csv.reader(io.StringIO(table_csv(a))))
    zh = list(csv.reader(io.StringIO(table_csv(a, lang="zh").lstrip("\ufeff"))))
    assert zh[0][:6] == ["#", "层", "类型", "输出", "参数量", "参数占比 %"] and zh[0][-2:] == [
        "感受野",
        "跳步（累计步长）",
    ]
    assert zh[1:] == en[1:]
    assert en[0] == list(csv.DictReader(io.StringIO(table_csv(a))).fieldnames)  # English unchanged, no BOM
