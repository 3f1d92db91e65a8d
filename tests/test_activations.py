"""explorer.activations: hooked forward pass, top-k channels, receptive windows (gradient oracle), top-5."""

from __future__ import annotations

import pytest
import torch

from explorer.activations import (
    Window,
    capture,
    class_names,
    receptive_window,
    seeded_model,
    top_channels,
    top_k_predictions,
)
from explorer.analysis import analyse
from explorer.build import build_model
from explorer.presets import PRESETS
from explorer.spec import (
    LRN,
    AdaptiveAvgPool,
    AvgPool,
    Conv,
    Flatten,
    InputSpec,
    Linear,
    MaxPool,
    ReLU,
    Tanh,
    Variant,
)


@pytest.fixture(scope="module")
def paper():
    variant = PRESETS["paper-2012"]
    model = seeded_model(variant)
    x = torch.randn(1, 3, 227, 227, generator=torch.Generator().manual_seed(1))
    return variant, model, x, capture(model, x)


def test_capture_every_layer_matches_a_manual_pass(paper):
    variant, model, x, acts = paper
    analysis = analyse(variant)
    assert acts.names == analysis.names
    assert [tuple(o.shape) for o in acts.outputs] == [r.output for r in analysis.rows]
    assert all(o.device.type == "cpu" and o.dtype == torch.float32 for o in acts.outputs)
    # Oracle: run the modules one by one.
    with torch.inference_mode():
        h = x
        for module, out in zip(model.layer_modules(), acts.outputs):
            h = module(h)
            assert torch.equal(h[0], out)
        assert torch.equal(model(x)[0], acts.logits)
    assert acts.spatial_indices() == list(range(15))
    assert acts.device == f"CPU ({torch.get_num_threads()} threads)"
    assert acts.milliseconds > 0
    assert all(not m._forward_hooks for m in model.layer_modules())  # hooks removed


def test_seeded_model_reproducible_and_leaves_global_rng_alone():
    state = torch.random.get_rng_state()
    a = seeded_model(PRESETS["lenet-5"])
    b = seeded_model(PRESETS["lenet-5"])
    assert torch.equal(torch.random.get_rng_state(), state)
    assert all(torch.equal(p, q) for p, q in zip(a.state_dict().values(), b.state_dict().values()))
    c = seeded_model(PRESETS["lenet-5"], seed=1)
    assert not torch.equal(a.state_dict()["features.0.weight"], c.state_dict()["features.0.weight"])


def test_top_channels():
    fmap = torch.zeros(5, 2, 2)
    fmap[3] = 4.0
    fmap[1] = 2.0
    fmap[4] = 2.0  # tie with channel 1: lower index first
    fmap[0] = -1.0
    assert top_channels(fmap, 3) == [3, 1, 4]
    assert top_channels(fmap, 10) == [3, 1, 4, 2, 0]
    assert top_channels(fmap, 0) == []


def test_top_k_predictions():
    names = class_names()
    assert len(names) == 1000 and names[:3] == ("tench", "goldfish", "great white shark")
    logits = torch.full((1000,), -10.0)
    logits[1], logits[2] = 3.0, 2.0
    preds = top_k_predictions(logits, names)
    probs = torch.softmax(logits.double(), 0)
    assert [n for n, _ in preds[:2]] == ["goldfish", "great white shark"]
    assert preds[0][1] == pytest.approx(float(probs[1]), rel=1e-12)
    assert preds[1][1] == pytest.approx(float(probs[2]), rel=1e-12)
    assert len(preds) == 5
    assert top_k_predictions(torch.tensor([0.0, 1.0]), names) == [
        ("class 1", pytest.approx(0.7310585786300049)),
        ("class 0", pytest.approx(0.2689414213699951)),
    ]


# --- receptive field ----------------------------------------------------------------------------


def _thin(variant: Variant) -> Variant:
    """Same geometry, few channels (fast), max-pools as avg-pools (gradients reach the whole window)."""
    layers = []
    for layer in variant.layers:
        if isinstance(layer, Conv):
            layers.append(layer.replace(out_channels=2 * layer.groups))
        elif isinstance(layer, MaxPool):
            layers.append(AvgPool(layer.kernel, layer.stride, layer.padding, layer.ceil_mode))
        elif isinstance(layer, (Flatten, Linear)):
            break
        else:
            layers.append(layer)
    return variant.with_layers(layers)


def _gradient_box(variant: Variant, index: int, y: int, x: int) -> tuple[int, int, int, int]:
    """Oracle: the bounding box of input pixels with a nonzero gradient for one output unit."""
    model = build_model(variant).double()
    with torch.no_grad():
        for module in model.layer_modules():
            if isinstance(module, torch.nn.Conv2d):
                # Positive, and small enough that tanh never saturates to an exactly-zero gradient.
                module.weight.uniform_(0.5, 1.0).div_(module.weight[0].numel())
                if module.bias is not None:
                    module.bias.zero_()
    c, h, w = analyse(variant).input_shape
    image = torch.rand(1, c, h, w, dtype=torch.float64, generator=torch.Generator().manual_seed(0)) + 0.5
    image.requires_grad_(True)
    out = image
    for i, module in enumerate(model.layer_modules()):
        out = module(out)
        if i == index:
            break
    out[0, 0, y, x].backward()
    nonzero = image.grad[0].abs().sum(0).nonzero()
    return (
        int(nonzero[:, 0].min()),
        int(nonzero[:, 1].min()),
        int(nonzero[:, 0].max()),
        int(nonzero[:, 1].max()),
    )


_DILATED = Variant(
    "dilated",
    InputSpec(3, 45, 45),
    (
        Conv(4, 3, dilation=2, padding=2),
        ReLU(),
        MaxPool(3, 2, padding=1, ceil_mode=True),
        Conv(4, 5, stride=2, padding=1),
        LRN(),
        AvgPool(2),
        Conv(4, 3, padding=1),
    ),
)


@pytest.mark.parametrize(
    "variant",
    [
        PRESETS["paper-2012"],
        PRESETS["caffe-bvlc"],
        PRESETS["torchvision"].with_input(height=256, width=256),  # pool5 7×7 → adaptive 6×6: overlapping bins
        PRESETS["lenet-5"],
        PRESETS["keras-seed"],
        _DILATED,
    ],
    ids=["paper-2012", "caffe-bvlc", "torchvision-256", "lenet-5", "keras-seed", "dilated"],
)
def test_receptive_window_equals_gradient_oracle(variant):
    thin = _thin(variant)
    analysis = analyse(thin)
    assert analysis.valid
    layers = [r for r in analysis.rows if r.type in ("conv", "maxpool", "avgpool", "adaptiveavgpool", "lrn")]
    # First, middle and last conv/pool layers; corner, centre and far-corner positions.
    for row in (layers[0], layers[len(layers) // 2], layers[-1]):
        _, h, w = row.output
        for y, x in ((0, 0), (h // 2, w // 2), (h - 1, w - 1)):
            window = receptive_window(analysis, row.index, y, x)
            assert window.clipped == _gradient_box(thin, row.index, y, x), (row.name, y, x)


@pytest.mark.parametrize("name", ["paper-2012", "caffe-bvlc", "lenet-5", "keras-seed", "d2l", "single-gpu"])
def test_window_size_and_step_match_analysis(name):
    analysis = analyse(PRESETS[name])
    for row in analysis.rows:
        if len(row.output) != 3 or row.output[1] < 2:
            continue
        a = receptive_window(analysis, row.index, 0, 0)
        b = receptive_window(analysis, row.index, 1, 1)
        assert a.size == (row.receptive_field, row.receptive_field), row.name
        assert (b.top - a.top, b.left - a.left) == (row.jump, row.jump), row.name


def test_paper_conv1_and_pool5_windows_by_hand():
    analysis = analyse(PRESETS["paper-2012"])
    # conv1: 11×11 windows, stride 4, no padding → unit (54, 54) sees rows 216…226.
    assert receptive_window(analysis, 0, 54, 54) == Window(216, 216, 226, 226, (216, 216, 226, 226))
    # pool5 (index 14): 195 pixels wide, 32 apart; conv2's padding 2 at jump 8 and conv3–5's padding 1 at
    # jump 16 put the first window's start at −16 − 3·16 = −64, so only 0…130 lies in the image.
    assert receptive_window(analysis, 14, 0, 0) == Window(-64, -64, 130, 130, (0, 0, 130, 130))
    assert receptive_window(analysis, 14, 5, 5) == Window(96, 96, 290, 290, (96, 96, 226, 226))
    # torchvision conv1 has padding 2: the corner unit's window starts 2 pixels outside the image.
    tv = analyse(PRESETS["torchvision"])
    assert receptive_window(tv, 0, 0, 0) == Window(-2, -2, 8, 8, (0, 0, 8, 8))


def test_after_flatten_whole_image_and_bad_position():
    analysis = analyse(PRESETS["paper-2012"])
    fc8 = len(analysis.rows) - 1
    assert receptive_window(analysis, fc8, 0, 0).clipped == (0, 0, 226, 226)
    with pytest.raises(ValueError, match="outside the 55×55 map of conv1"):
        receptive_window(analysis, 0, 55, 0)


def test_adaptive_pool_bins():
    variant = Variant("adapt", InputSpec(1, 7, 7), (AdaptiveAvgPool(3), Tanh()))
    analysis = analyse(variant)
    # Bins of 7 into 3: [0, 3), [2, 5), [4, 7).
    assert [receptive_window(analysis, 0, i, i).clipped for i in range(3)] == [(0, 0, 2, 2), (2, 2, 4, 4), (4, 4, 6, 6)]
