"""explorer.activations: hooked forward pass, top-k channels, receptive windows (gradient oracle), top-5;
for sequential variants and residual ones (blocks: one output after the add, the add's two inputs);
one layer's output for the Compare page, the same as the Inside page's capture."""

from __future__ import annotations

import functools

import pytest
import torch

from explorer.activations import (
    Activations,
    CaptureTooLarge,
    Window,
    block_names,
    capture,
    capture_cost,
    class_names,
    layer_output,
    receptive_window,
    seeded_model,
    top_channels,
    top_k_predictions,
)
from explorer.analysis import analyse, branch_names
from explorer.build import ResidualBlock, build_model, features_only
from explorer.presets import PRESETS
from explorer.spec import (
    LRN,
    AdaptiveAvgPool,
    AvgPool,
    BatchNorm,
    Conv,
    Flatten,
    InputSpec,
    Linear,
    MaxPool,
    ReLU,
    Residual,
    Tanh,
    Variant,
    variant_from_json,
)

# A small ResNet from JSON (what a student pastes): stem, an identity block, a dashed block, a head.
_CONV = '"type": "conv", "kernel": 3, "padding": 1, "bias": false'
TINY_RESNET = variant_from_json(
    f"""{{
  "name": "tiny-resnet",
  "input": {{"channels": 3, "height": 32, "width": 32}},
  "layers": [
    {{{_CONV}, "out_channels": 8}}, {{"type": "batchnorm"}}, {{"type": "relu"}},
    {{"type": "maxpool", "kernel": 3, "stride": 2, "padding": 1}},
    {{"type": "residual", "body": [
      {{{_CONV}, "out_channels": 8}}, {{"type": "batchnorm"}}, {{"type": "relu"}},
      {{{_CONV}, "out_channels": 8}}, {{"type": "batchnorm"}}]}},
    {{"type": "relu"}},
    {{"type": "residual", "body": [
      {{{_CONV}, "out_channels": 16, "stride": 2}}, {{"type": "batchnorm"}}, {{"type": "relu"}},
      {{{_CONV}, "out_channels": 16}}, {{"type": "batchnorm"}}],
     "shortcut": [{{"type": "conv", "out_channels": 16, "kernel": 1, "stride": 2, "bias": false}}, {{"type": "batchnorm"}}]}},
    {{"type": "relu"}},
    {{"type": "adaptiveavgpool", "size": 1}}, {{"type": "flatten"}}, {{"type": "linear", "out_features": 10}}
  ]
}}"""
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


def _randomise_norms(model: torch.nn.Module, seed: int = 2) -> None:
    """Batch norm with non-trivial statistics, so that a branch that skipped one would show."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
                m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.weight.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.bias.copy_(torch.randn(m.num_features, generator=g) * 0.1)


def _check_residual_capture(variant: Variant, model: torch.nn.Module, x: torch.Tensor) -> Activations:
    """capture(blocks=True) against the oracle of running the torch modules one by one."""
    analysis = analyse(variant)
    acts = capture(model, x, blocks=True)
    assert acts.names == analysis.names
    assert [tuple(o.shape) for o in acts.outputs] == [r.output for r in analysis.rows]
    modules = model.layer_modules()
    block_rows = [r for r in analysis.rows if r.is_block]
    assert [b.index for b in acts.blocks] == [r.index for r in block_rows]
    with torch.inference_mode():
        h = x
        for i, (module, out) in enumerate(zip(modules, acts.outputs)):
            if isinstance(module, ResidualBlock):
                block, row = acts.block(i), analysis.rows[i]
                assert block is not None and block.name == row.name and torch.equal(block.input, h[0])
                names = branch_names(variant.layers[i], row.name)
                assert block.body_names == tuple(names["body"]) == tuple(r.name for r in row.body)
                assert block.shortcut_names == tuple(names["shortcut"]) == tuple(r.name for r in row.shortcut)
                for branch, got, inner_rows in (
                    (module.body_modules(), block.body, row.body),
                    (module.shortcut_modules(), block.shortcut, row.shortcut),
                ):
                    b = h
                    assert len(got) == len(branch) == len(inner_rows)
                    for m, kept, inner in zip(branch, got, inner_rows):
                        b = m(b)
                        assert torch.equal(b[0], kept) and tuple(kept.shape) == inner.output
                assert block.identity == (not row.shortcut)
                if block.identity:
                    assert block.shortcut_output is block.input
                assert torch.equal(block.body_output + block.shortcut_output, block.output)
                assert block.output is out
            else:
                assert acts.block(i) is None
            h = module(h)
            assert torch.equal(h[0], out), analysis.names[i]
        assert torch.equal(model(x)[0], acts.logits)
    assert all(not m._forward_hooks for m in model.modules())  # every hook removed, inner ones too
    # What capture(blocks=True) keeps is exactly the budgeted figure, from the engine and from the model.
    kept = sum(o.numel() for o in acts.outputs) + sum(o.numel() for b in acts.blocks for o in (*b.body, *b.shortcut))
    assert capture_cost(analysis).kept_bytes == 4 * kept == capture_cost(model, analysis.input_shape).kept_bytes
    return acts


def _same_outputs(plain: Activations, with_blocks: Activations) -> bool:
    return plain.blocks == () and all(torch.equal(a, b) for a, b in zip(plain.outputs, with_blocks.outputs))


@pytest.fixture(scope="module")
def resnet18():
    variant = PRESETS["resnet18"]
    model = seeded_model(variant)
    x = torch.randn(1, 3, 224, 224, generator=torch.Generator().manual_seed(1))
    return variant, model, x


def test_capture_resnet18_matches_a_manual_pass(resnet18):
    variant, model, x = resnet18
    _randomise_norms(model)
    acts = capture(model, x)
    assert _same_outputs(acts, _check_residual_capture(variant, model, x))
    assert acts.spatial_indices() == list(range(21))  # conv1 … res5b_relu, then the 1×1 pool
    assert [acts.names[i] for i in (4, 5, 8)] == ["res2a", "res2a_relu", "res3a"]
    assert tuple(acts.outputs[8].shape) == (128, 28, 28)  # the dashed block's sum, at half the side
    preds = top_k_predictions(acts.logits, class_names())
    assert len(preds) == 5 and all(name in class_names() for name, _ in preds)
    assert top_channels(acts.outputs[4], 3) == top_channels(acts.outputs[4], 64)[:3]


@pytest.mark.parametrize(
    "variant",
    [
        TINY_RESNET,
        PRESETS["resnet34-conv3-dashed"],
        features_only(TINY_RESNET),
        # a block first (its input is the image) whose shortcut sees further than its body
        Variant(
            "block-first",
            InputSpec(2, 9, 9),
            (Residual((ReLU(),), (Conv(2, 3, padding=1), BatchNorm())), ReLU(), Residual((Conv(2, 3, padding=1),))),
        ),
    ],
    ids=["tiny-resnet", "resnet34-conv3-dashed", "tiny-resnet-features", "block-first"],
)
def test_capture_residual_variants_match_a_manual_pass(variant):
    model = seeded_model(variant)
    _randomise_norms(model)
    c, h, w = analyse(variant).input_shape
    x = torch.randn(1, c, h, w, generator=torch.Generator().manual_seed(3))
    assert _same_outputs(capture(model, x), _check_residual_capture(variant, model, x))


def test_block_names_equal_the_engines():
    analysis = analyse(PRESETS["resnet34"])
    model = build_model(PRESETS["resnet34"], device="meta")
    for row, module in zip(analysis.rows, model.layer_modules()):
        if row.is_block:
            assert block_names(module, row.name) == (
                tuple(r.name for r in row.body),
                tuple(r.name for r in row.shortcut),
            )
    res3a = next(r for r in analysis.rows if r.name == "res3a")
    assert [r.name for r in res3a.shortcut] == ["res3a.shortcut.conv1", "res3a.shortcut.bn1"]


def test_capture_cost_of_a_built_residual_model_on_the_cpu(resnet18):
    """The budget check walks a real model's blocks on the meta device without touching its weights."""
    variant, model, _ = resnet18
    analysis = analyse(variant)
    cost = capture_cost(model, analysis.input_shape)
    assert cost == capture_cost(analysis)
    assert cost.macs == analysis.total_macs == 1_814_073_344  # torchvision's ResNet-18: 1.81 GMACs
    assert cost.kept_bytes == analysis.activation_bytes - 4 * 3 * 224 * 224
    assert cost.largest == "conv1 · 64×112×112"


def test_seeded_residual_model_reproducible():
    a, b = seeded_model(TINY_RESNET), seeded_model(TINY_RESNET)
    assert all(torch.equal(p, q) for p, q in zip(a.state_dict().values(), b.state_dict().values()))
    c = seeded_model(TINY_RESNET, seed=1)
    assert not torch.equal(a.state_dict()["layer1.0.conv1.weight"], c.state_dict()["layer1.0.conv1.weight"])
    x = torch.rand(1, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    acts = capture(a, x)
    assert tuple(acts.logits.shape) == (10,)
    assert next(n for n, _ in top_k_predictions(acts.logits, class_names())).startswith("class ")  # 10 ≠ 1000


def test_vgg16_seeded_capture_and_predictions():
    """vgg16 at 32×32 (same 138M parameters; pool5 is 1×1 and the adaptive pool repeats it 7×7)."""
    variant = PRESETS["vgg16"].with_input(height=32, width=32)
    model = seeded_model(variant)
    assert sum(p.numel() for p in model.parameters()) == 138_357_544
    x = torch.rand(1, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    acts = capture(model, x)
    analysis = analyse(variant)
    assert [tuple(o.shape) for o in acts.outputs] == [r.output for r in analysis.rows]
    assert acts.names[:3] == ("conv1_1", "relu1_1", "conv1_2")
    with torch.inference_mode():
        assert torch.equal(model(x)[0], acts.logits)
    preds = top_k_predictions(acts.logits, class_names())
    assert len(preds) == 5 and sum(p for _, p in preds) <= 1.0
    assert len(top_channels(acts.outputs[0], 8)) == 8


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


def _thin_layers(layers) -> list:
    out = []
    for layer in layers:
        if isinstance(layer, Conv):
            out.append(layer.replace(out_channels=2 * layer.groups))
        elif isinstance(layer, MaxPool):
            out.append(AvgPool(layer.kernel, layer.stride, layer.padding, layer.ceil_mode))
        elif isinstance(layer, Residual):
            out.append(Residual(tuple(_thin_layers(layer.body)), tuple(_thin_layers(layer.shortcut))))
        elif isinstance(layer, (Flatten, Linear)):
            break
        else:
            out.append(layer)
    return out


def _thin(variant: Variant) -> Variant:
    """Same geometry, few channels (fast), max-pools as avg-pools (gradients reach the whole window);
    inside residual blocks too (every conv gives 2 channels, so the add still matches)."""
    thin = variant.with_layers(_thin_layers(variant.layers))
    if thin.input.channels > 2 and any(isinstance(layer, Residual) for layer in thin.layers[:1]):
        thin = thin.with_input(channels=2)  # a block first: its identity path needs what the convs give
    return thin


@functools.lru_cache(maxsize=4)
def _positive_model(variant: Variant) -> torch.nn.Module:
    model = build_model(variant).double().requires_grad_(False)  # only the image's gradient is wanted
    with torch.no_grad():
        for module in model.modules():  # inside residual blocks too
            if isinstance(module, torch.nn.Conv2d):
                # Positive, and small enough that tanh never saturates to an exactly-zero gradient.
                module.weight.uniform_(0.5, 1.0).div_(module.weight[0].numel())
                if module.bias is not None:
                    module.bias.zero_()
    return model


def _gradient_box(
    variant: Variant, index: int, y: int, x: int, branch: str | None = None, branch_index: int = 0
) -> tuple[int, int, int, int]:
    """Oracle: the bounding box of input pixels with a nonzero gradient for one output unit (of
    layer `index`, or of layer `branch_index` of that block's `branch`)."""
    model = _positive_model(variant)
    c, h, w = analyse(variant).input_shape
    image = torch.rand(1, c, h, w, dtype=torch.float64, generator=torch.Generator().manual_seed(0)) + 0.5
    image.requires_grad_(True)
    out = image
    for i, module in enumerate(model.layer_modules()):
        if i == index and branch is not None:
            inner = module.body_modules() if branch == "body" else module.shortcut_modules()
            for m in inner[: branch_index + 1]:
                out = m(out)
            break
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


# A block whose shortcut (a 5×5 conv) sees further than its body (a ReLU), then blocks with a pool
# in the body and a strided shortcut: the window is the union of what the two branches see.
_WIDE_SHORTCUT = Variant(
    "wide-shortcut",
    InputSpec(2, 23, 23),
    (
        Residual((ReLU(),), (Conv(2, 5, padding=2), BatchNorm())),
        Conv(2, 3, stride=2),
        Residual((Conv(2, 3, stride=2, padding=1), ReLU(), Conv(2, 3, padding=1)), (MaxPool(3, 2, padding=1),)),
        ReLU(),
        Residual((Conv(2, 3, dilation=2, padding=2), AvgPool(3, 1, padding=1))),
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
        PRESETS["resnet18"],
        PRESETS["resnet34-conv3-dashed"],
        TINY_RESNET,
        _WIDE_SHORTCUT,
    ],
    ids=[
        "paper-2012",
        "caffe-bvlc",
        "torchvision-256",
        "lenet-5",
        "keras-seed",
        "dilated",
        "resnet18",
        "resnet34-conv3-dashed",
        "tiny-resnet",
        "wide-shortcut",
    ],
)
def test_receptive_window_equals_gradient_oracle(variant):
    thin = _thin(variant)
    analysis = analyse(thin)
    assert analysis.valid
    spatial = ("conv", "maxpool", "avgpool", "adaptiveavgpool", "lrn", "residual")
    layers = [r for r in analysis.rows if r.type in spatial]
    # First, middle and last conv/pool layers; corner, centre and far-corner positions.
    for row in (layers[0], layers[len(layers) // 2], layers[-1]):
        _, h, w = row.output
        for y, x in ((0, 0), (h // 2, w // 2), (h - 1, w - 1)):
            window = receptive_window(analysis, row.index, y, x)
            assert window.clipped == _gradient_box(thin, row.index, y, x), (row.name, y, x)


@pytest.mark.parametrize(
    "variant",
    [
        PRESETS["resnet18"].with_input(height=64, width=64),  # res5b's map is 2×2: every block, quickly
        PRESETS["resnet34-conv3-dashed"],
        TINY_RESNET,
        _WIDE_SHORTCUT,
    ],
    ids=["resnet18-64", "resnet34-conv3-dashed", "tiny-resnet", "wide-shortcut"],
)
def test_receptive_window_inside_a_block_equals_gradient_oracle(variant):
    """A position inside a block's body or shortcut: back through that branch, then the layers before."""
    thin = _thin(variant)
    analysis = analyse(thin)
    checked = 0
    blocks = [r for r in analysis.rows if r.is_block]
    for row in (r for r in blocks if r is blocks[0] or r.shortcut or r is blocks[-1]):
        for branch in ("body", "shortcut"):
            inner = getattr(row, branch)
            for j in sorted({0, len(inner) - 1}) if inner else ():
                _, h, w = inner[j].output
                for y, x in ((0, 0), (h // 2, w // 2), (h - 1, w - 1)):
                    window = receptive_window(analysis, row.index, y, x, branch=branch, branch_index=j)
                    assert window.clipped == _gradient_box(thin, row.index, y, x, branch, j), (inner[j].name, y, x)
                    checked += 1
    assert checked >= 6


def test_receptive_window_of_residual_blocks_by_hand():
    analysis = analyse(_WIDE_SHORTCUT)
    # The first block: the body (a ReLU) sees one pixel, the shortcut's 5×5 conv 5×5: the union.
    assert receptive_window(analysis, 0, 11, 11) == Window(9, 9, 13, 13, (9, 9, 13, 13))
    assert receptive_window(analysis, 0, 11, 11, branch="body", branch_index=0) == Window(11, 11, 11, 11, (11,) * 4)
    assert receptive_window(analysis, 0, 0, 0, branch="shortcut", branch_index=0).clipped == (0, 0, 2, 2)
    dashed = analyse(PRESETS["resnet34-conv3-dashed"])
    # The dashed block: conv 3×3/2 pad 1 then conv 3×3 pad 1 sees 7 input pixels at jump 2, starting
    # at 2·(i − 1) − 1; the 1×1/2 shortcut sees pixel 2i, inside that window.
    assert receptive_window(dashed, 0, 5, 5) == Window(7, 7, 13, 13, (7, 7, 13, 13))
    assert receptive_window(dashed, 0, 5, 5, branch="shortcut", branch_index=0) == Window(10, 10, 10, 10, (10,) * 4)
    assert receptive_window(dashed, 0, 0, 0) == Window(-3, -3, 3, 3, (0, 0, 3, 3))
    with pytest.raises(ValueError, match="only a residual block has a body and a shortcut"):
        receptive_window(dashed, 1, 0, 0, branch="body", branch_index=0)
    with pytest.raises(ValueError, match="res2a's shortcut has 2 layers; no layer 2"):
        receptive_window(dashed, 0, 0, 0, branch="shortcut", branch_index=2)
    with pytest.raises(ValueError, match=r"outside the 28×28 map of res2a.conv1"):
        receptive_window(dashed, 0, 28, 0, branch="body", branch_index=0)
    # After the 1×1 adaptive pool (and flatten), every unit sees the whole image.
    r18 = analyse(PRESETS["resnet18"])
    assert receptive_window(r18, 20, 0, 0).clipped == (0, 0, 223, 223)
    assert receptive_window(r18, 22, 0, 0).clipped == (0, 0, 223, 223)


@pytest.mark.parametrize(
    "name",
    ["paper-2012", "caffe-bvlc", "lenet-5", "keras-seed", "d2l", "single-gpu", "vgg16", "resnet18", "resnet34"],
)
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


def test_device_and_budget_messages_are_data_rendered_by_each_reader():
    from explorer.activations import CaptureCost, CaptureTooLarge, check_capture
    from explorer.i18n import Message, using

    acts = capture(seeded_model(features_only(PRESETS["lenet-5"])), torch.zeros(1, 1, 32, 32))
    assert isinstance(acts.device_info, Message)  # cached for every reader: no text in it
    with using("zh"):
        assert acts.device == f"CPU（{torch.get_num_threads()} 个线程）"
    with pytest.raises(CaptureTooLarge) as error:
        check_capture(CaptureCost(300 * 1024**2, 10**9, "conv1 · 128×497×497"))
    with using("zh"):
        assert str(error.value) == (
            "未运行：这张图像在各层的输出合计 300 MiB（最大的是 conv1 · 128×497×497），超过了一次运行可保留的 256 MiB："
            "请使用更小的输入或更少的通道数。"
        )
        assert top_k_predictions(torch.tensor([0.0, 1.0]))[0][0] == "类别 1"


def test_device_labels_in_each_language(monkeypatch):
    """The CUDA and MPS labels too (no GPU needed: only the name is asked for)."""
    from explorer.i18n import using
    from explorer.runtime import device_label

    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: "NVIDIA H200")
    assert device_label(torch.device("cuda")) == "GPU (NVIDIA H200)"
    assert device_label(torch.device("cuda"), "zh") == "GPU（NVIDIA H200）"
    with using("zh"):
        assert device_label(torch.device("mps")) == "Apple GPU（MPS）"
    assert device_label(torch.device("mps")) == "Apple GPU (MPS)"


# --- one layer, as the Compare page shows it ------------------------------------------------


@pytest.mark.parametrize(("name", "layer"), [("torchvision", "pool2"), ("keras-seed", "conv5"), ("resnet18", "res3a")])
def test_layer_output_is_the_inside_pages_capture(name, layer):
    """One path: the Compare page's maps equal what the Inside page captures (same seed, same model)."""
    variant = PRESETS[name]
    a = analyse(variant)
    x = torch.randn(1, *a.input_shape, generator=torch.Generator().manual_seed(1))
    maps = layer_output(variant, x, layer, seed=0)
    index = a.names.index(layer)
    inside = capture(seeded_model(features_only(variant)), x)
    assert tuple(maps.shape) == a.rows[index].output and maps.dtype == torch.float32
    assert torch.equal(maps, inside.outputs[index])
    assert not torch.equal(maps, layer_output(variant, x, layer, seed=1))


def test_layer_output_matches_the_full_model_built_with_the_seed():
    """Oracle: the prefix built for one layer equals the whole variant built from the same seed."""
    variant = PRESETS["paper-2012"]
    a = analyse(variant)
    x = torch.randn(1, *a.input_shape, generator=torch.Generator().manual_seed(2))
    torch.manual_seed(0)
    model = build_model(variant)
    seen = {}
    index = a.names.index("norm2")
    model.layer_modules()[index].register_forward_hook(lambda m, i, o: seen.setdefault("out", o))
    with torch.inference_mode():
        model(x)
    torch.testing.assert_close(layer_output(variant, x, "norm2"), seen["out"][0], rtol=0, atol=1e-6)


def test_layer_output_of_an_invalid_variant_before_its_error():
    x = torch.zeros(1, 3, 224, 224)
    assert tuple(layer_output(PRESETS["blog-broken-flatten"], x, "pool5").shape) == (256, 6, 6)


def test_layer_output_refusals():
    x = torch.zeros(1, 3, 224, 224)
    with pytest.raises(ValueError, match="torchvision has no layer 'norm1'"):
        layer_output(PRESETS["torchvision"], x, "norm1")
    with pytest.raises(ValueError, match="blog-broken-flatten is invalid before fc6"):
        layer_output(PRESETS["blog-broken-flatten"], x, "fc6")
    with pytest.raises(ValueError, match="the image is 3×224×224, paper-2012 takes 3×227×227"):
        layer_output(PRESETS["paper-2012"], x, "conv1")
    # within the engine's 2 GiB, but conv1 and relu1 keep 488 MiB: over what one capture may keep
    wide = Variant("wide", InputSpec(3, 1000, 1000), (Conv(64, 3, padding=1), ReLU()))
    with pytest.raises(CaptureTooLarge, match="over the 256 MiB one run may keep"):
        layer_output(wide, torch.zeros(1, 3, 1000, 1000), "relu1")
