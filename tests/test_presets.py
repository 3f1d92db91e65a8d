"""The presets' totals and shapes, pinned to the figures from the sources."""

import pytest

from explorer.analysis import analyse
from explorer.presets import PRESETS, get_preset

TOTALS = {
    "paper-2012": 60_965_224,
    "paper-2012-224": 49_430_888,
    "single-gpu": 62_378_344,
    "torchvision": 61_100_840,
    "keras-seed": 50_820_776,
    "d2l": 46_764_746,
    "caffe-bvlc": 60_965_224,
    "lenet-5": 61_706,
    "vgg16": 138_357_544,
    "resnet18": 11_689_512,
    "resnet34": 21_797_672,
    "resnet34-conv3-dashed": 230_144,
}


def spatial_chain(name):
    """H after conv1, pool1, conv2, pool2, conv3, conv4, conv5, pool5, then the flatten width."""
    a = analyse(get_preset(name))
    hs = [r.output[1] for r in a.rows if r.type in ("conv", "maxpool", "avgpool")]
    flat = next(r.output[0] for r in a.rows if r.type == "flatten")
    return hs, flat


@pytest.mark.parametrize("name,total", TOTALS.items())
def test_preset_totals(name, total):
    a = analyse(PRESETS[name])
    assert a.valid, a.error
    assert a.total_params == total


def test_required_presets_present():
    for name in [
        "paper-2012",
        "paper-2012-224",
        "single-gpu",
        "torchvision",
        "keras-seed",
        "d2l",
        "blog-broken-flatten",
        "vgg16",
        "vgg16-seed-broken",
        "resnet18",
        "resnet34",
        "resnet34-conv3-dashed",
        "resnet-seed-identity-broken",
    ]:
        assert name in PRESETS
        assert PRESETS[name].description and PRESETS[name].source
    assert all(v.description and v.source for v in PRESETS.values())


def test_paper_2012_shapes():
    assert spatial_chain("paper-2012") == ([55, 27, 27, 13, 13, 13, 13, 6], 9216)
    assert analyse(PRESETS["paper-2012"]).input_shape == (3, 227, 227)


def test_paper_2012_224_discrepancy():
    hs, flat = spatial_chain("paper-2012-224")
    assert hs[0] == 54 and flat == 6400


def test_keras_seed_shapes():
    assert spatial_chain("keras-seed") == ([54, 26, 26, 12, 12, 12, 12, 5], 6400)
    assert analyse(PRESETS["keras-seed"]).input_shape == (1, 224, 224)


def test_torchvision_shapes_and_macs():
    a = analyse(PRESETS["torchvision"])
    assert spatial_chain("torchvision") == ([55, 27, 27, 13, 13, 13, 13, 6], 9216)
    assert a.total_macs == 714_188_480
    assert a.output_shape == (1000,)


def test_d2l_classes():
    a = analyse(PRESETS["d2l"])
    assert a.output_shape == (10,)


def test_blog_broken_flatten_error_names_linear():
    a = analyse(PRESETS["blog-broken-flatten"])
    assert not a.valid
    assert a.error.layer == 13 and a.error.layer_type == "linear"
    assert "expects 256 input features but 9,216 arrive (256×6×6 = 9,216)" in str(a.error.message)
    assert str(a.error.fix).startswith("set in_features to 9,216")
    assert len(a.rows) == 13  # every layer up to the failing one


def test_fc_dominates_params_conv_dominates_macs():
    a = analyse(PRESETS["paper-2012"])
    fc = sum(r.params for r in a.rows if r.type == "linear")
    conv = sum(r.macs for r in a.rows if r.type == "conv")
    assert fc / a.total_params == pytest.approx(58_631_144 / 60_965_224)
    assert round(100 * fc / a.total_params, 1) == 96.2
    assert conv == 665_784_864 and round(100 * conv / a.total_macs, 1) == 91.9


def test_get_preset_unknown():
    with pytest.raises(KeyError, match="choose one of"):
        get_preset("nope")


def test_dropout_follows_relu6_and_relu7_in_the_papers_presets():
    caffe_order = ["linear", "relu", "dropout", "linear", "relu", "dropout", "linear"]
    for name in ("paper-2012", "paper-2012-224", "single-gpu", "caffe-bvlc"):
        assert [layer.type for layer in PRESETS[name].layers[-7:]] == caffe_order, name
    assert [layer.type for layer in PRESETS["torchvision"].layers[-7:]] == [
        "dropout",
        "linear",
        "relu",
        "dropout",
        "linear",
        "relu",
        "linear",
    ]


def test_vgg16_shapes_and_where_its_parameters_are():
    a = analyse(PRESETS["vgg16"])
    assert [r.output[1] for r in a.rows if r.type == "maxpool"] == [112, 56, 28, 14, 7]
    assert sum(r.type == "conv" and r.formula_h.kernel == 3 for r in a.rows) == 13
    fc6 = next(r for r in a.rows if r.name == "fc6")
    assert fc6.input == (25_088,) and fc6.params == 102_764_544
    assert round(fc6.params / 1e6, 1) == 102.8 and round(a.total_params / 1e6, 1) == 138.4
    assert a.total_macs == 15_470_264_320


def test_vgg16_seed_bug_names_25088_vs_512():
    a = analyse(PRESETS["vgg16-seed-broken"])
    assert not a.valid and a.failing_name == "fc6"
    assert a.error.layer == 32 and a.error.layer_type == "linear"
    assert str(a.error.message) == (
        "fc6 (linear): it expects 512 input features but 25,088 arrive (512×7×7 = 25,088)"
    )
    assert str(a.error.arithmetic) == "in_features 512 ≠ 25,088"
    assert str(a.error.fix).startswith("set in_features to 25,088")
    assert len(a.rows) == 32 and a.rows[-1].input == (512, 7, 7)


def test_resnets_shapes():
    for name, blocks in (("resnet18", 8), ("resnet34", 16)):
        a = analyse(PRESETS[name])
        stages = [r.output for r in a.rows if r.is_block]
        assert len(stages) == blocks and stages[-1] == (512, 7, 7)
        assert sorted({s[1] for s in stages}, reverse=True) == [56, 28, 14, 7]
        assert sum(not r.identity_shortcut for r in a.rows if r.is_block) == 3  # the dashed ones
        assert a.output_shape == (1000,)
    assert analyse(PRESETS["resnet18"]).total_macs == 1_814_073_344
    assert analyse(PRESETS["resnet34"]).total_macs == 3_663_761_408


def test_dashed_block_alone():
    a = analyse(PRESETS["resnet34-conv3-dashed"])
    assert a.input_shape == (64, 56, 56) and a.output_shape == (128, 28, 28)
    assert a.total_params == 230_144 and a.total_macs == 179_830_784
    # the same figures as the block inside resnet34 (torchvision's layer2.0)
    inside = next(r for r in analyse(PRESETS["resnet34"]).rows if r.name == "res3a")
    assert (inside.params, inside.macs, inside.output) == (230_144, 179_830_784, (128, 28, 28))


def test_identity_seed_bug_fails_at_the_add():
    a = analyse(PRESETS["resnet-seed-identity-broken"])
    assert not a.valid and a.error.layer == 0 and a.error.layer_type == "residual"
    assert "the body gives 128×28×28, the shortcut passes 64×56×56 unchanged" in str(a.error.message)
    assert "a 1×1 conv with stride 2 and 128 outputs, plus batchnorm — ResNet's dashed shortcut" in str(a.error.fix)
