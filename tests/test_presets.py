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
    ]:
        assert name in PRESETS
        assert PRESETS[name].description and PRESETS[name].source


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
    assert "expects 256 input features but 9,216 arrive (256×6×6 = 9,216)" in a.error.message
    assert a.error.fix.startswith("set in_features to 9,216")
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
