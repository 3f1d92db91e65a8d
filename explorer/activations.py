"""What happens inside: every layer's output for one image, receptive-field windows, top-5 classes.

`capture` runs one forward pass with a forward hook on every top-level layer (in `analysis.rows`
order) and returns each output as a CPU float tensor without the batch dimension; a residual
block's output is the sum, after the add. With `blocks=True` it also keeps, for every block, each
body layer's and each shortcut layer's output (`Activations.blocks`, one `BlockActivations` per
block: `body_output + shortcut_output == output`, the identity shortcut passing the block's input).

`layer_output` is the same pass for one layer (the Compare page's "same image through each
variant"): the variant cut after that layer, built by `seeded_model` and run by `capture`, so its
weights and output are exactly those the Inside page shows for that layer with the same seed.

`receptive_window` maps an output position back to the input pixels it sees, walking the layers
backwards: a conv or pool output index i covers inputs i·s − p … i·s − p + d·(k − 1) (the standard
recurrence: the window's start moves by −p·jump per layer, its size grows by (k_eff − 1)·jump),
adaptive pooling covers its bin ⌊i·H/s⌋ … ⌈(i + 1)·H/s⌉ − 1, element-wise layers (ReLU, LRN,
dropout …) change nothing, and a residual block covers the union of what its body (walked in
reverse through `row.body`) and its shortcut see. The unclipped window's size equals
`LayerRow.receptive_field` and neighbours are `LayerRow.jump` apart (the engine follows a block's
body, which in every preset sees at least as far as the shortcut); the clipped window (each
layer's range clipped to that layer's real input, so padding and pixels a layer never reaches are
left out) is what the page outlines on the image. A position inside a block has a window too
(`branch`, `branch_index`).

Budget: before running anything, `capture_cost` works out by arithmetic the bytes of every output
the pass produces (the layers inside residual blocks included: the engine's activation memory less
the input, exactly what `capture(blocks=True)` keeps and an upper bound on plain `capture`) and its
multiply-adds, from the engine's `Analysis` rows or from the built model's layers on PyTorch's meta
device (which allocates nothing), and `capture` raises `CaptureTooLarge` over `MAX_CAPTURE_BYTES`
or `MAX_CAPTURE_MACS`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from .analysis import Analysis, LayerRow, Shape, analyse, format_bytes, format_shape, module_names
from .build import AlexNetVariant, ResidualBlock, build_model
from .i18n import Message, _
from .runtime import device_message
from .spec import AdaptiveAvgPool, Conv, Layer, Residual, Variant, _Pool

__all__ = [
    "CLASSES_PATH",
    "MAX_CAPTURE_BYTES",
    "MAX_CAPTURE_MACS",
    "Activations",
    "BlockActivations",
    "CaptureCost",
    "CaptureTooLarge",
    "Window",
    "block_names",
    "capture",
    "capture_cost",
    "check_capture",
    "class_names",
    "layer_output",
    "receptive_window",
    "seeded_model",
    "top_channels",
    "top_k_predictions",
]

CLASSES_PATH = Path(__file__).resolve().parents[1] / "assets" / "imagenet_classes.txt"

# What one Inside run may keep and cost. The page caches up to 8 captures for all sessions
# together, so 256 MiB each bounds them at 2 GiB; torchvision's AlexNet keeps 4.2 MiB and the
# paper's 7.4 MiB, so a student can still double the input side (4×) or the channels several times
# (resnet18 produces 31 MiB counting its blocks' inner layers, resnet34 48 MiB, vgg16 109 MiB).
MAX_CAPTURE_BYTES = 256 * 1024**2
# torchvision's AlexNet is 0.71 billion multiply-adds (resnet18 1.8, vgg16 15.5); 20 billion (28×)
# take about 2.5 s on a 2-thread CPU. (The reported 128-channel 1000×1000 run took 38 s and kept 1.9 GB.)
MAX_CAPTURE_MACS = 20 * 10**9
_BYTES_KEPT = 4  # outputs are kept as float32


class CaptureTooLarge(ValueError):
    """A capture refused by arithmetic before running; the message names the figure, the limit and a fix.

    The message is data (`explorer.i18n.Message`): `str(error)` renders it in the current language.
    """

    def __init__(self, message: Message, cost: CaptureCost):
        super().__init__(message)
        self.message = message
        self.cost = cost


@dataclass(frozen=True)
class CaptureCost:
    """What one `capture` would keep (every layer's output, float32) and compute, for a batch."""

    kept_bytes: int
    macs: int
    largest: str  # the layer with the largest output, e.g. "conv1 · 128×249×249"

    def problem(self) -> Message | None:
        """Why this capture is refused (one line with the figure, the limit and a fix), or None."""
        if self.kept_bytes > MAX_CAPTURE_BYTES:
            return Message(
                "Not run: every layer's output for this image adds up to {kept} (the largest, {largest}), "
                "over the {limit} one run may keep: use a smaller input or fewer channels.",
                kept=format_bytes(self.kept_bytes),
                largest=self.largest,
                limit=format_bytes(MAX_CAPTURE_BYTES),
            )
        if self.macs > MAX_CAPTURE_MACS:
            return Message(
                "Not run: one forward pass is {billions:,.1f} billion multiply-adds, over the {limit:,.0f} billion "
                "one run may take (torchvision's AlexNet is 0.7): use a smaller input or fewer channels.",
                billions=self.macs / 1e9,
                limit=MAX_CAPTURE_MACS / 1e9,
            )
        return None


# torch module → the config's layer kind, to name a block's inner layers as the engine does
_KIND_OF_MODULE: tuple[tuple[type[nn.Module], str], ...] = (
    (nn.Conv2d, "conv"),
    (nn.Linear, "linear"),
    (nn.modules.batchnorm._BatchNorm, "batchnorm"),
    (nn.ReLU, "relu"),
    (nn.Tanh, "tanh"),
    (nn.Sigmoid, "sigmoid"),
    (nn.LocalResponseNorm, "lrn"),
    (nn.MaxPool2d, "maxpool"),
    (nn.AvgPool2d, "avgpool"),
    (nn.AdaptiveAvgPool2d, "adaptiveavgpool"),
    (nn.Dropout, "dropout"),
    (nn.Flatten, "flatten"),
)


@dataclass(frozen=True)
class _Kinded:
    type: str


def _kind_of(module: nn.Module) -> str:
    return next((kind for cls, kind in _KIND_OF_MODULE if isinstance(module, cls)), type(module).__name__.lower())


def block_names(block: ResidualBlock, name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The engine's role names of a built block's body and shortcut layers (as `branch_names` gives
    them: res3a.conv1 …, res3a.shortcut.conv1 …)."""
    body = [_Kinded(_kind_of(m)) for m in block.body_modules()]
    shortcut = [_Kinded(_kind_of(m)) for m in block.shortcut_modules()]
    return (
        tuple(f"{name}.{n}" for n in module_names(body)),  # type: ignore[arg-type]
        tuple(f"{name}.shortcut.{n}" for n in module_names(shortcut)),  # type: ignore[arg-type]
    )


def _meta_step(module: nn.Module, x: torch.Tensor) -> tuple[torch.Tensor, int]:
    """One plain layer on the meta device: its output (shape only) and its multiply-adds."""
    if isinstance(module, nn.Conv2d):
        weight = torch.empty(module.weight.shape, device="meta")
        padding = module.padding if isinstance(module.padding, str) else tuple(module.padding)
        out = F.conv2d(x, weight, None, module.stride, padding, module.dilation, module.groups)
        kh, kw = module.kernel_size
        return out, out.numel() * (module.in_channels // module.groups) * kh * kw
    if isinstance(module, nn.Linear):
        return torch.empty(
            (*x.shape[:-1], module.out_features), device="meta"
        ), module.in_features * module.out_features
    if isinstance(module, nn.modules.batchnorm._BatchNorm):
        return x, 0  # keeps the shape (its parameters may live on another device)
    return module(x), 0  # no parameters: pools, LRN, activations, dropout, flatten


def _walk(model: AlexNetVariant, input_shape: Shape) -> tuple[list[tuple[str, Shape]], int]:
    """Every output the pass produces, as (name, shape) in `Analysis.all_rows()` order (a block, then
    its body's and its shortcut's layers), and the pass's multiply-adds: on the meta device, so
    shapes only, no memory, no weights touched."""
    x = torch.empty((1, *input_shape), device="meta")
    outputs: list[tuple[str, Shape]] = []
    total = 0
    for name, module in zip(model.layer_names, model.layer_modules()):
        if isinstance(module, ResidualBlock):
            inner: list[tuple[str, Shape]] = []
            body_names, shortcut_names = block_names(module, name)
            branch_out = []
            for names, modules in ((body_names, module.body_modules()), (shortcut_names, module.shortcut_modules())):
                h = x
                for inner_name, inner_module in zip(names, modules):
                    h, macs = _meta_step(inner_module, h)
                    total += macs
                    inner.append((inner_name, tuple(h.shape[1:])))
                branch_out.append(h)
            x = torch.empty(branch_out[0].shape, device="meta")  # the sum: the body's shape
            outputs.append((name, tuple(x.shape[1:])))
            outputs.extend(inner)
        else:
            x, macs = _meta_step(module, x)
            total += macs
            outputs.append((name, tuple(x.shape[1:])))
    return outputs, total


def capture_cost(source: Analysis | AlexNetVariant, input_shape: Shape | None = None, *, batch: int = 1) -> CaptureCost:
    """What `capture` would keep and compute: from the engine's rows, or from a built model's layers.

    The bytes count every output the pass produces, a residual block's inner layers included (the
    engine's activation memory less the input): what `capture(blocks=True)` keeps.
    """
    if isinstance(source, Analysis):
        outputs = [(r.name, r.output) for r in source.all_rows()]
        macs = source.total_macs
    else:
        if input_shape is None:
            raise ValueError("capture_cost of a model needs the input shape (C, H, W)")
        outputs, macs = _walk(source, tuple(input_shape))
    if not outputs:
        return CaptureCost(0, 0, "")
    name, shape = max(outputs, key=lambda r: math.prod(r[1]))
    kept = batch * sum(math.prod(r[1]) for r in outputs) * _BYTES_KEPT
    return CaptureCost(kept, batch * macs, f"{name} · {format_shape(shape)}")


def check_capture(cost: CaptureCost) -> None:
    """Raise `CaptureTooLarge` when `cost` is over either budget."""
    if (problem := cost.problem()) is not None:
        raise CaptureTooLarge(problem, cost)


@dataclass(frozen=True)
class BlockActivations:
    """Inside one residual block, for one image: what reaches the add from each side, and the sum.

    `body` / `shortcut` hold each branch layer's output in order (names as the engine's
    `row.body` / `row.shortcut`); the identity shortcut has none and passes `input`.
    `body_output + shortcut_output` equals `output` exactly (the add, in float32).
    """

    index: int  # the block's top-level index (↔ analysis.rows[index], Activations.outputs[index])
    name: str  # res2a
    input: torch.Tensor  # what arrives at the block
    body_names: tuple[str, ...]  # res2a.conv1, res2a.bn1, …
    body: tuple[torch.Tensor, ...]
    shortcut_names: tuple[str, ...]  # res3a.shortcut.conv1, … (empty for the identity)
    shortcut: tuple[torch.Tensor, ...]
    output: torch.Tensor  # after the add, before any activation that follows the block

    @property
    def identity(self) -> bool:
        return not self.shortcut

    @property
    def body_output(self) -> torch.Tensor:
        """The main path's result: the add's first input."""
        return self.body[-1]

    @property
    def shortcut_output(self) -> torch.Tensor:
        """The shortcut's result (the block's input itself for the identity): the add's second input."""
        return self.shortcut[-1] if self.shortcut else self.input


@dataclass(frozen=True)
class Activations:
    """Every layer's output for one image (batch dimension removed), on the CPU."""

    names: tuple[str, ...]
    outputs: tuple[torch.Tensor, ...]
    milliseconds: float
    device_info: Message  # the device in words, as data (cached for every reader); `device` renders it
    blocks: tuple[BlockActivations, ...] = ()  # with capture(..., blocks=True): one per residual block

    @property
    def device(self) -> str:
        """The device that ran the pass, in the current language, e.g. "CPU (2 threads)"."""
        return self.device_info.render()

    @property
    def logits(self) -> torch.Tensor:
        return self.outputs[-1]

    def spatial_indices(self) -> list[int]:
        """Layers whose output is a C×H×W feature map."""
        return [i for i, out in enumerate(self.outputs) if out.dim() == 3]

    def block(self, index: int) -> BlockActivations | None:
        """The inside of the residual block at top-level `index` (None when it is not a block or the
        capture did not keep blocks)."""
        return next((b for b in self.blocks if b.index == index), None)


def seeded_model(
    variant: Variant | Analysis, *, seed: int = 0, device: torch.device | str | None = None
) -> AlexNetVariant:
    """Build with PyTorch's default initialisation from a fixed seed, so 'random weights' are reproducible."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = build_model(variant, device="cpu")
    return model.to(device) if device is not None else model


def _to_cpu(out: torch.Tensor) -> torch.Tensor:
    return out[0].detach().to("cpu", torch.float32)


@torch.inference_mode()
def capture(
    model: AlexNetVariant,
    x: torch.Tensor,
    *,
    device: torch.device | None = None,
    analysis: Analysis | None = None,
    blocks: bool = False,
) -> Activations:
    """One forward pass with a hook on every top-level layer; outputs come back as float32 CPU tensors.

    A residual block's output is the sum (after the add). With `blocks=True` every body and shortcut
    layer is hooked too, and `Activations.blocks` holds each block's inside (`BlockActivations`).
    Raises `CaptureTooLarge` before running anything when the outputs the pass produces or its
    multiply-adds are over budget (from `analysis` when given, else from the model's layers).
    """
    check_capture(capture_cost(analysis if analysis is not None else model, tuple(x.shape[1:]), batch=x.shape[0]))
    device = device or next((p.device for p in model.parameters()), torch.device("cpu"))
    modules = model.layer_modules()
    outputs: list[torch.Tensor | None] = [None] * len(modules)
    # per block: (index, body modules' outputs, shortcut modules' outputs)
    inner: list[tuple[int, list[torch.Tensor | None], list[torch.Tensor | None]]] = []
    handles = []

    def hook_for(store: list[torch.Tensor | None], index: int):
        def hook(_module: torch.nn.Module, _inputs: tuple, output: torch.Tensor) -> None:
            store[index] = output

        return hook

    try:
        for index, module in enumerate(modules):
            handles.append(module.register_forward_hook(hook_for(outputs, index)))
            if blocks and isinstance(module, ResidualBlock):
                body, shortcut = module.body_modules(), module.shortcut_modules()
                record = (index, [None] * len(body), [None] * len(shortcut))
                inner.append(record)
                for store, branch in ((record[1], body), (record[2], shortcut)):
                    for j, m in enumerate(branch):
                        handles.append(m.register_forward_hook(hook_for(store, j)))
        x = x.to(device)
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        start = time.perf_counter()
        model(x)
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        elif device.type == "mps":
            torch.mps.synchronize()
        ms = (time.perf_counter() - start) * 1000
    finally:
        for handle in handles:
            handle.remove()
    if any(out is None for out in outputs) or any(o is None for _index, b, s in inner for o in (*b, *s)):
        raise RuntimeError("a layer produced no output during the forward pass")
    cpu = tuple(_to_cpu(out) for out in outputs)  # type: ignore[arg-type]
    kept: list[BlockActivations] = []
    for index, body, shortcut in inner:
        block = modules[index]
        assert isinstance(block, ResidualBlock)
        body_names, shortcut_names = block_names(block, model.layer_names[index])
        kept.append(
            BlockActivations(
                index=index,
                name=model.layer_names[index],
                input=cpu[index - 1] if index > 0 else _to_cpu(x),
                body_names=body_names,
                body=tuple(_to_cpu(o) for o in body),  # type: ignore[arg-type]
                shortcut_names=shortcut_names,
                shortcut=tuple(_to_cpu(o) for o in shortcut),  # type: ignore[arg-type]
                output=cpu[index],
            )
        )
    return Activations(tuple(model.layer_names), cpu, ms, device_message(device), tuple(kept))


def layer_output(
    variant: Variant, x: torch.Tensor, layer: str, *, seed: int = 0, device: torch.device | str | None = None
) -> torch.Tensor:
    """The output (C×H×W, float32, on the CPU) of the top-level layer named `layer` for input `x`
    (1, C, H, W), with the seeded random weights of `seeded_model`.

    Builds only the layers up to that one (the classifier's big linear layers are never made; layers
    are built in order, so they get the weights the whole variant would) and runs them with
    `capture`, under its budget (`CaptureTooLarge`). Raises ValueError when the variant has no such
    layer, is invalid before it, or the image is not the variant's input size."""
    a = analyse(variant)
    if layer not in a.names:
        raise ValueError(f"{variant.name} has no layer {layer!r}")
    index = a.names.index(layer)
    if index >= len(a.rows):
        raise ValueError(f"{variant.name} is invalid before {layer} ({a.error.message if a.error else ''})")
    if tuple(x.shape[1:]) != a.input_shape:
        raise ValueError(
            f"the image is {format_shape(tuple(x.shape[1:]))}, {variant.name} takes {format_shape(a.input_shape)}"
        )
    prefix = analyse(variant.with_layers(variant.layers[: index + 1]))
    model = seeded_model(prefix, seed=seed, device=device)
    return capture(model, x, analysis=prefix).outputs[index]


def top_channels(fmap: torch.Tensor, k: int) -> list[int]:
    """The k channels of a C×H×W map with the highest mean activation (ties: lower index first)."""
    means = fmap.reshape(fmap.shape[0], -1).double().mean(dim=1)
    order = torch.sort(-means, stable=True).indices
    return order[: max(0, min(k, len(order)))].tolist()


@dataclass(frozen=True)
class Window:
    """Input pixels seen by one output position: rows top…bottom, columns left…right (inclusive)."""

    top: int
    left: int
    bottom: int
    right: int
    clipped: tuple[int, int, int, int]  # (top, left, bottom, right): the pixels actually seen

    @property
    def size(self) -> tuple[int, int]:
        return self.bottom - self.top + 1, self.right - self.left + 1


def _back(layer: object, in_size: int, out_size: int, lo: int, hi: int) -> tuple[int, int]:
    """Input index range feeding output indices lo…hi of one layer along one axis."""
    if isinstance(layer, Conv):
        k_eff = layer.dilation * (layer.kernel - 1) + 1
        return lo * layer.stride - layer.padding, hi * layer.stride - layer.padding + k_eff - 1
    if isinstance(layer, _Pool):
        s = layer.effective_stride
        return lo * s - layer.padding, hi * s - layer.padding + layer.kernel - 1
    if isinstance(layer, AdaptiveAvgPool):
        return (lo * in_size) // out_size, -(-(hi + 1) * in_size // out_size) - 1
    return lo, hi


# One axis of a window while walking back: (lo, hi) unclipped, and (lo, hi) clipped or None (nothing seen).
_Span = tuple[tuple[int, int], tuple[int, int] | None]


def _back_span(layer: Layer, row: LayerRow, axis: int, span: _Span) -> _Span:
    """The input span feeding `span` of one layer's output along one axis (1: rows, 2: columns)."""
    (lo, hi), clipped = span
    if isinstance(layer, Residual):
        # body(x) + shortcut(x): the union of what the two branches see
        spans = [_back_branch(layer.body, row.body, axis, span)]
        spans.append(_back_branch(layer.shortcut, row.shortcut, axis, span) if layer.shortcut else span)
        seen = [c for _unclipped, c in spans if c is not None]
        return (
            (min(u[0] for u, _seen in spans), max(u[1] for u, _seen in spans)),
            (min(c[0] for c in seen), max(c[1] for c in seen)) if seen else None,
        )
    in_size, out_size = row.input[axis], row.output[axis]
    unclipped = _back(layer, in_size, out_size, lo, hi)
    if clipped is None:
        return unclipped, None
    # What is actually seen: padding and pixels past a layer's edge contribute nothing.
    c_lo, c_hi = _back(layer, in_size, out_size, *clipped)
    c_lo, c_hi = max(c_lo, 0), min(c_hi, in_size - 1)
    return unclipped, ((c_lo, c_hi) if c_lo <= c_hi else None)


def _back_branch(layers: tuple[Layer, ...], rows: tuple[LayerRow, ...], axis: int, span: _Span) -> _Span:
    for layer, row in zip(reversed(layers), reversed(rows)):
        span = _back_span(layer, row, axis, span)
    return span


def receptive_window(
    analysis: Analysis,
    layer_index: int,
    y: int,
    x: int,
    *,
    branch: str | None = None,
    branch_index: int | None = None,
) -> Window:
    """The input window one output position of layer `layer_index` sees (whole image after flatten).

    For a layer inside a residual block, give the block's index, `branch` ("body" or "shortcut")
    and the layer's `branch_index` in it (`row.body[branch_index]`).
    """
    _channels, height, width = analysis.input_shape
    whole = Window(0, 0, height - 1, width - 1, (0, 0, height - 1, width - 1))
    rows = analysis.rows
    layers = analysis.variant.layers
    row = rows[layer_index]
    chain: list[tuple[tuple[Layer, ...], tuple[LayerRow, ...]]] = []  # walked back, last first
    if branch is not None:
        block = layers[layer_index]
        if not isinstance(block, Residual) or branch not in Residual.BRANCHES:
            raise ValueError(f"{row.name} has no {branch!r} branch: only a residual block has a body and a shortcut")
        inner_layers, inner_rows = getattr(block, branch), getattr(row, branch)
        if branch_index is None or not 0 <= branch_index < len(inner_rows):
            raise ValueError(f"{row.name}'s {branch} has {len(inner_rows)} layers; no layer {branch_index}")
        chain.append((inner_layers[: branch_index + 1], inner_rows[: branch_index + 1]))
        target = inner_rows[branch_index]
        before = layer_index
    else:
        target = row
        before = layer_index + 1
    chain.insert(0, (layers[:before], rows[:before]))
    seen = [r for _layers, part in chain for top in part for r in top.walk()]
    if any(len(r.output) != 3 for r in seen):  # flattened on the way: every unit sees the whole image
        return whole
    out = target.output
    if not 0 <= y < out[1] or not 0 <= x < out[2]:
        raise ValueError(f"position ({y}, {x}) is outside the {out[1]}×{out[2]} map of {target.name}")
    spans = {1: ((y, y), (y, y)), 2: ((x, x), (x, x))}
    for part_layers, part_rows in reversed(chain):
        for axis in spans:
            spans[axis] = _back_branch(part_layers, part_rows, axis, spans[axis])  # type: ignore[arg-type]
    (top, bottom), c_rows = spans[1]
    (left, right), c_cols = spans[2]
    if c_rows is None or c_cols is None:  # only padding reaches this unit
        return Window(top, left, bottom, right, (0, 0, -1, -1))
    clipped = (c_rows[0], c_cols[0], c_rows[1], c_cols[1])
    return Window(top, left, bottom, right, clipped)


def class_names(path: Path = CLASSES_PATH) -> tuple[str, ...]:
    """ImageNet's 1000 class names, in torchvision's output order."""
    return tuple(line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def top_k_predictions(
    logits: torch.Tensor, names: tuple[str, ...] | None = None, k: int = 5
) -> list[tuple[str, float]]:
    """Softmax probabilities of the k most likely classes, named when the class count matches."""
    probs = torch.softmax(logits.reshape(-1).double(), dim=0)
    values, indices = torch.topk(probs, min(k, probs.numel()))
    out = []
    for p, i in zip(values.tolist(), indices.tolist()):
        name = names[i] if names is not None and len(names) == probs.numel() else _("class {i}", i=i)
        out.append((name, float(p)))
    return out
