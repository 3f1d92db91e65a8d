"""The input-size sweep: exact figures for the presets, checked against PyTorch's real layers."""

import time

import pytest
import torch
from torch import nn

from explorer.build import build_layer
from explorer.presets import PRESETS
from explorer.spec import AdaptiveAvgPool, Flatten
from explorer.sweep import sweep, sweep_row


def features(variant, size):
    """The variant's layers before flatten as real PyTorch modules (shapes from the engine at `size`)."""
    from explorer.analysis import analyse

    analysis = analyse(variant.with_input(height=size, width=size))
    assert analysis.valid
    mods = []
    for layer, row in zip(variant.layers, analysis.rows):
        if isinstance(layer, Flatten):
            break
        mods.append(build_layer(layer, row.input))
    return nn.Sequential(*mods).eval()


@pytest.fixture(scope="module")
def paper():
    return sweep(PRESETS["paper-2012"])


def test_paper_227_exact_224_not(paper):
    r227, r224 = paper.row(227), paper.row(224)
    assert r227.valid and r227.exact and r227.inexact == ()
    assert (r227.last_map, r227.final_map, r227.flatten) == (6, (256, 6, 6), 9216)
    assert r224.valid and not r224.exact
    assert r224.inexact == ("conv1 (rem 1)", "pool1 (rem 1)", "pool2 (rem 1)", "pool5 (rem 1)")
    assert (r224.last_map, r224.flatten) == (5, 6400)


def test_paper_summary(paper):
    assert paper.nominal_size == 227 and paper.nominal_flatten == 9216
    assert paper.min_valid == 67
    assert paper.exact_sizes == list(range(67, 513, 32))  # 67, 99, …, 483: every 32 pixels
    assert paper.invalid_ranges() == [(32, 66, ("pool2", "pool5"))]
    assert paper.same_flatten_sizes == list(range(227, 259))
    assert len(paper.rows) == 481 and len(paper.valid_sizes) == 446
    assert paper.row(34).failing_layer == "pool2" and paper.row(35).failing_layer == "pool5"
    assert paper.row(66).error.startswith("pool5 (maxpool): output height would be < 1")


def test_paper_sweep_matches_pytorch_features(paper):
    for size in (67, 224, 227):
        with torch.no_grad():
            out = features(PRESETS["paper-2012"], size)(torch.zeros(1, 3, size, size))
        row = paper.row(size)
        assert tuple(out.shape[1:]) == row.final_map
        assert out.flatten(1).shape[1] == row.flatten


def test_torchvision_minimum_is_63_in_pytorch():
    tv = PRESETS["torchvision"]
    sw = sweep(tv, 32, 512)
    assert sw.min_valid == 63
    assert sw.invalid_ranges() == [(32, 62, ("pool5",))]
    assert sw.row(63).last_map == 1 and sw.row(63).flatten == 9216
    assert sw.row(63).inexact == ("adaptpool5 (1 into 6 bins)",)
    assert sw.row(224).inexact == ("conv1 (rem 1)",)
    assert sw.exact_sizes == [223, 415]
    assert len(sw.same_flatten_sizes) == 450  # adaptive pooling: every valid size fits the classifier
    model = features(tv, 63)  # the same modules at every size (channels do not depend on it)
    assert tuple(model(torch.zeros(1, 3, 63, 63)).shape) == (1, 256, 6, 6)
    convs = nn.Sequential(*[m for layer, m in zip(tv.layers, model) if not isinstance(layer, AdaptiveAvgPool)])
    assert tuple(convs(torch.zeros(1, 3, 63, 63)).shape) == (1, 256, 1, 1)
    with pytest.raises(RuntimeError):
        convs(torch.zeros(1, 3, 62, 62))


def test_caffe_minimum_matches_pytorch():
    # ceil-mode pools still place one window when it is up to S−1 pixels longer than the input
    sw = sweep(PRESETS["caffe-bvlc"], 32, 80)
    assert sw.row(38).failing_layer == "pool5"
    model = features(PRESETS["caffe-bvlc"], 55)
    assert tuple(model(torch.zeros(1, 3, 39, 39)).shape) == (1, 256, 1, 1)
    with pytest.raises(RuntimeError):
        model(torch.zeros(1, 3, 38, 38))
    assert sweep(PRESETS["caffe-bvlc"], 32, 80).min_valid == 39


def test_broken_flatten_only_fits_a_1x1_map():
    sw = sweep(PRESETS["blog-broken-flatten"])
    assert sw.invalid_ranges() == [(32, 62, ("pool5",)), (95, 512, ("fc6",))]
    assert sw.nominal_flatten is None and sw.same_flatten_sizes == []
    assert sw.row(94).flatten == 256


def test_lenet_sizes():
    row = sweep_row(PRESETS["lenet-5"], 32)
    assert row.exact and row.flatten == 400 and row.final_map == (16, 5, 5)
    assert sweep_row(PRESETS["lenet-5"], 33).inexact == ("pool1 (rem 1)",)
    assert sweep_row(PRESETS["lenet-5"], 34).inexact == ("pool2 (rem 1)",)
    assert sweep_row(PRESETS["lenet-5"], 36).exact


def test_to_dict_row():
    assert sweep_row(PRESETS["paper-2012"], 224).to_dict() == {
        "input": 224,
        "valid": True,
        "last conv/pool map": 5,
        "map at flatten": "256×5×5",
        "flatten": 6400,
        "exact": False,
        "remainders": "conv1 (rem 1), pool1 (rem 1), pool2 (rem 1), pool5 (rem 1)",
        "fails at": None,
        "why": None,
    }


def test_bad_ranges():
    with pytest.raises(ValueError, match="1 ≤ lo ≤ hi"):
        sweep(PRESETS["paper-2012"], 300, 200)
    with pytest.raises(ValueError, match="at most 2048"):
        sweep(PRESETS["paper-2012"], 1, 5000)
    with pytest.raises(KeyError, match="outside the sweep 32–512"):
        sweep(PRESETS["paper-2012"]).row(600)


def test_481_analyses_are_fast():
    t0 = time.perf_counter()
    sweep(PRESETS["paper-2012"], 32, 512)
    elapsed = time.perf_counter() - t0
    print(f"sweep of 481 sizes: {elapsed * 1000:.0f} ms")
    assert elapsed < 1.0


def test_vgg16_accepts_224_and_needs_at_least_32():
    sw = sweep(PRESETS["vgg16"], 16, 256)
    assert sw.row(224).valid and sw.row(224).exact  # 224 halves cleanly five times
    assert (sw.row(224).last_map, sw.row(224).final_map, sw.row(224).flatten) == (7, (512, 7, 7), 25_088)
    assert sw.min_valid == 32 and sw.invalid_ranges() == [(16, 31, ("pool5",))]
    assert sw.exact_sizes == [224]  # elsewhere the adaptive pool splits a map unevenly into 7 bins
    assert sw.row(32).inexact == ("adaptpool5 (1 into 7 bins)",)
    assert len(sw.same_flatten_sizes) == len(sw.valid_sizes)  # adaptive pooling to 7×7
    model = features(PRESETS["vgg16"], 32)
    convs = nn.Sequential(*[m for m in model if not isinstance(m, nn.AdaptiveAvgPool2d)])
    assert tuple(convs(torch.zeros(1, 3, 32, 32)).shape) == (1, 512, 1, 1)
    with pytest.raises(RuntimeError):
        convs(torch.zeros(1, 3, 31, 31))


def test_vgg16_seed_bug_only_fits_a_1x1_map():
    sw = sweep(PRESETS["vgg16-seed-broken"], 16, 256)
    assert sw.invalid_ranges() == [(16, 31, ("pool5",)), (64, 256, ("fc6",))]
    assert sw.row(63).flatten == 512 and sw.row(224).error.startswith("fc6 (linear): it expects 512")


def test_resnet18_accepts_every_size_down_to_1():
    sw = sweep(PRESETS["resnet18"], 1, 512)
    assert sw.min_valid == 1 and sw.invalid_ranges() == []
    r224 = sw.row(224)
    assert r224.valid and (r224.last_map, r224.final_map, r224.flatten) == (7, (512, 1, 1), 512)
    assert r224.inexact == (
        "conv1 (rem 1)",
        "pool1 (rem 1)",
        "res3a.conv1 (rem 1)",
        "res3a.shortcut.conv1 (rem 1)",
        "res4a.conv1 (rem 1)",
        "res4a.shortcut.conv1 (rem 1)",
        "res5a.conv1 (rem 1)",
        "res5a.shortcut.conv1 (rem 1)",
    )
    assert sw.exact_sizes[:4] == [1, 33, 65, 97]  # 32k + 1: every stride-2 division exact
    from explorer.build import build_model

    model = build_model(PRESETS["resnet18"].with_input(height=1, width=1))
    with torch.no_grad():
        assert tuple(model(torch.zeros(1, 3, 1, 1)).shape) == (1, 1000)


def test_a_failing_inner_layer_is_named_in_the_sweep():
    from explorer.spec import Conv, InputSpec, Residual, Variant

    variant = Variant("v", InputSpec(3, 16, 16), (Residual((Conv(4, 9),), (Conv(4, 1),)),))
    row = sweep_row(variant, 8)
    assert row.failing_layer == "res2a.conv1" and row.error.startswith(
        "res2a.conv1 (conv, on the residual block's main path)"
    )
    assert sweep_row(variant, 9).failing_layer == "res2a"  # 1×1 from the body, 9×9 from the shortcut


def test_a_sweep_holds_its_words_as_data(paper):
    from explorer.i18n import using

    r224 = paper.row(224)
    with using("zh"):
        assert r224.inexact == ("conv1（余 1）", "pool1（余 1）", "pool2（余 1）", "pool5（余 1）")
        assert r224.remainders_text == "conv1（余 1）、pool1（余 1）、pool2（余 1）、pool5（余 1）"
        assert sweep(PRESETS["torchvision"], 63, 63).rows[0].inexact == ("adaptpool5（1 分成 6 个区间）",)
        assert list(r224.to_dict()) == list(sweep_row(PRESETS["paper-2012"], 224).to_dict())  # keys are ids
    assert r224.remainders_text == "conv1 (rem 1), pool1 (rem 1), pool2 (rem 1), pool5 (rem 1)"
