"""What happens inside: every layer's output for one image, receptive-field windows, top-5 classes.

`capture` runs one forward pass with a forward hook on every layer (in `analysis.rows` order) and
returns each output as a CPU float tensor without the batch dimension. `receptive_window` maps an
output position back to the input pixels it sees, walking the layers backwards: a conv or pool
output index i covers inputs i·s − p … i·s − p + d·(k − 1) (the standard recurrence: the window's
start moves by −p·jump per layer, its size grows by (k_eff − 1)·jump), adaptive pooling covers its
bin ⌊i·H/s⌋ … ⌈(i + 1)·H/s⌉ − 1, element-wise layers (ReLU, LRN, dropout …) change nothing. The
unclipped window's size equals `LayerRow.receptive_field` and neighbours are `LayerRow.jump` apart;
the clipped window (each layer's range clipped to that layer's real input, so padding and pixels a
layer never reaches are left out) is what the page outlines on the image.

Budget: `capture` keeps every layer's output, so before running anything it works out, by
arithmetic, the bytes it would keep and the multiply-adds of the pass (`capture_cost`: from the
engine's `Analysis` rows, or from the built model's layers on PyTorch's meta device, which
allocates nothing) and raises `CaptureTooLarge` over `MAX_CAPTURE_BYTES` or `MAX_CAPTURE_MACS`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from .analysis import Analysis, Shape, format_bytes, format_shape
from .build import AlexNetVariant, build_model
from .runtime import device_label
from .spec import AdaptiveAvgPool, Conv, Flatten, Linear, Variant, _Pool

__all__ = [
    "CLASSES_PATH",
    "MAX_CAPTURE_BYTES",
    "MAX_CAPTURE_MACS",
    "Activations",
    "CaptureCost",
    "CaptureTooLarge",
    "Window",
    "capture",
    "capture_cost",
    "check_capture",
    "class_names",
    "receptive_window",
    "seeded_model",
    "top_channels",
    "top_k_predictions",
]

CLASSES_PATH = Path(__file__).resolve().parents[1] / "assets" / "imagenet_classes.txt"

# What one Inside run may keep and cost. The page caches up to 8 captures for all sessions
# together, so 256 MiB each bounds them at 2 GiB; torchvision's AlexNet keeps 4.8 MiB and the
# paper's 8 MiB, so a student can still double the input side (4×) or the channels several times.
MAX_CAPTURE_BYTES = 256 * 1024**2
# torchvision's AlexNet is 0.71 billion multiply-adds; 20 billion (28×) take about 2.5 s on a
# 2-thread CPU. (The reported 128-channel 1000×1000 run took 38 s and kept 1.9 GB.)
MAX_CAPTURE_MACS = 20 * 10**9
_BYTES_KEPT = 4  # outputs are kept as float32


class CaptureTooLarge(ValueError):
    """A capture refused by arithmetic before running; the message names the figure, the limit and a fix."""

    def __init__(self, message: str, cost: CaptureCost):
        super().__init__(message)
        self.cost = cost


@dataclass(frozen=True)
class CaptureCost:
    """What one `capture` would keep (every layer's output, float32) and compute, for a batch."""

    kept_bytes: int
    macs: int
    largest: str  # the layer with the largest output, e.g. "conv1 · 128×249×249"

    def problem(self) -> str | None:
        """Why this capture is refused (one line with the figure, the limit and a fix), or None."""
        if self.kept_bytes > MAX_CAPTURE_BYTES:
            return (
                f"Not run: every layer's output for this image adds up to {format_bytes(self.kept_bytes)} "
                f"(the largest, {self.largest}), over the {format_bytes(MAX_CAPTURE_BYTES)} one run may keep: "
                "use a smaller input or fewer channels."
            )
        if self.macs > MAX_CAPTURE_MACS:
            return (
                f"Not run: one forward pass is {self.macs / 1e9:,.1f} billion multiply-adds, over the "
                f"{MAX_CAPTURE_MACS / 1e9:,.0f} billion one run may take (torchvision's AlexNet is 0.7): "
                "use a smaller input or fewer channels."
            )
        return None


def _walk(model: AlexNetVariant, input_shape: Shape) -> list[tuple[str, Shape, int]]:
    """(name, output shape, MACs) per layer, on the meta device: shapes only, no memory, no weights touched."""
    x = torch.empty((1, *input_shape), device="meta")
    out = []
    for name, module in zip(model.layer_names, model.layer_modules()):
        macs = 0
        if isinstance(module, nn.Conv2d):
            weight = torch.empty(module.weight.shape, device="meta")
            padding = module.padding if isinstance(module.padding, str) else tuple(module.padding)
            x = F.conv2d(x, weight, None, module.stride, padding, module.dilation, module.groups)
            kh, kw = module.kernel_size
            macs = x.numel() * (module.in_channels // module.groups) * kh * kw
        elif isinstance(module, nn.Linear):
            x = torch.empty((*x.shape[:-1], module.out_features), device="meta")
            macs = module.in_features * module.out_features
        elif not isinstance(module, nn.modules.batchnorm._BatchNorm):  # batch norm keeps the shape
            x = module(x)  # no parameters: pools, LRN, activations, dropout, flatten
        out.append((name, tuple(x.shape[1:]), macs))
    return out


def capture_cost(source: Analysis | AlexNetVariant, input_shape: Shape | None = None, *, batch: int = 1) -> CaptureCost:
    """What `capture` would keep and compute: from the engine's rows, or from a built model's layers."""
    if isinstance(source, Analysis):
        rows = [(r.name, r.output, r.macs) for r in source.rows]
    else:
        if input_shape is None:
            raise ValueError("capture_cost of a model needs the input shape (C, H, W)")
        rows = _walk(source, tuple(input_shape))
    if not rows:
        return CaptureCost(0, 0, "")
    name, shape, _ = max(rows, key=lambda r: math.prod(r[1]))
    kept = batch * sum(math.prod(r[1]) for r in rows) * _BYTES_KEPT
    return CaptureCost(kept, batch * sum(r[2] for r in rows), f"{name} · {format_shape(shape)}")


def check_capture(cost: CaptureCost) -> None:
    """Raise `CaptureTooLarge` when `cost` is over either budget."""
    if (problem := cost.problem()) is not None:
        raise CaptureTooLarge(problem, cost)


@dataclass(frozen=True)
class Activations:
    """Every layer's output for one image (batch dimension removed), on the CPU."""

    names: tuple[str, ...]
    outputs: tuple[torch.Tensor, ...]
    milliseconds: float
    device: str

    @property
    def logits(self) -> torch.Tensor:
        return self.outputs[-1]

    def spatial_indices(self) -> list[int]:
        """Layers whose output is a C×H×W feature map."""
        return [i for i, out in enumerate(self.outputs) if out.dim() == 3]


def seeded_model(
    variant: Variant | Analysis, *, seed: int = 0, device: torch.device | str | None = None
) -> AlexNetVariant:
    """Build with PyTorch's default initialisation from a fixed seed, so 'random weights' are reproducible."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = build_model(variant, device="cpu")
    return model.to(device) if device is not None else model


@torch.inference_mode()
def capture(
    model: AlexNetVariant, x: torch.Tensor, *, device: torch.device | None = None, analysis: Analysis | None = None
) -> Activations:
    """One forward pass with a hook on every layer; outputs come back as float32 CPU tensors.

    Raises `CaptureTooLarge` before running anything when the outputs it would keep or the pass's
    multiply-adds are over budget (from `analysis` when given, else from the model's layers).
    """
    check_capture(capture_cost(analysis if analysis is not None else model, tuple(x.shape[1:]), batch=x.shape[0]))
    device = device or next((p.device for p in model.parameters()), torch.device("cpu"))
    outputs: list[torch.Tensor | None] = [None] * len(model.layer_names)
    handles = []

    def hook_for(index: int):
        def hook(_module: torch.nn.Module, _inputs: tuple, output: torch.Tensor) -> None:
            outputs[index] = output

        return hook

    for index, module in enumerate(model.layer_modules()):
        handles.append(module.register_forward_hook(hook_for(index)))
    try:
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
    cpu = tuple(out[0].detach().to("cpu", torch.float32) for out in outputs if out is not None)
    if len(cpu) != len(outputs):
        raise RuntimeError("a layer produced no output during the forward pass")
    return Activations(tuple(model.layer_names), cpu, ms, device_label(device))


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


def receptive_window(analysis: Analysis, layer_index: int, y: int, x: int) -> Window:
    """The input window one output position of layer `layer_index` sees (whole image after flatten)."""
    _, height, width = analysis.input_shape
    rows = analysis.rows
    layers = analysis.variant.layers
    if any(isinstance(layers[i], (Flatten, Linear)) for i in range(layer_index + 1)):
        return Window(0, 0, height - 1, width - 1, (0, 0, height - 1, width - 1))
    out = rows[layer_index].output
    if not 0 <= y < out[1] or not 0 <= x < out[2]:
        raise ValueError(f"position ({y}, {x}) is outside the {out[1]}×{out[2]} map of {rows[layer_index].name}")
    top, bottom, left, right = y, y, x, x
    c_top, c_bottom, c_left, c_right = y, y, x, x
    for i in range(layer_index, -1, -1):
        row = rows[i]
        (in_h, out_h), (in_w, out_w) = (row.input[1], row.output[1]), (row.input[2], row.output[2])
        top, bottom = _back(layers[i], in_h, out_h, top, bottom)
        left, right = _back(layers[i], in_w, out_w, left, right)
        # What is actually seen: padding and pixels past a layer's edge contribute nothing.
        c_top, c_bottom = _back(layers[i], in_h, out_h, c_top, c_bottom)
        c_left, c_right = _back(layers[i], in_w, out_w, c_left, c_right)
        c_top, c_bottom = max(c_top, 0), min(c_bottom, in_h - 1)
        c_left, c_right = max(c_left, 0), min(c_right, in_w - 1)
    clipped = (c_top, c_left, c_bottom, c_right)
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
        name = names[i] if names is not None and len(names) == probs.numel() else f"class {i}"
        out.append((name, float(p)))
    return out
