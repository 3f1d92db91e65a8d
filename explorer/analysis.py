"""Shapes, parameters, MACs, memory, receptive field and worked formulas, by arithmetic alone.

No torch here and no model is built: analysing a 25-layer variant takes well under a
millisecond, so a page can re-run it on every slider move. Results are data (`Analysis`,
`LayerRow`); the CLI, the pages and the figures render them.

Definitions (batch 1, fp32):
- MACs: conv = output elements × (in_channels/groups) × K²; linear = in × out; every other layer 0
  (biases, pooling, LRN and activations are not multiply-accumulates).
- activation memory: output elements × 4 bytes; the total also counts the input image.
- receptive field: the side of the input window that one output position sees, and the jump
  (cumulative stride) between neighbouring positions, both in input pixels.
An invalid variant is never an exception: `Analysis.error` says which layer, what arrived, the
arithmetic that failed and a fix, and `rows` holds every layer before it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .formula import WorkedFormula, worked_formula
from .spec import (
    LRN,
    AdaptiveAvgPool,
    BatchNorm,
    Conv,
    Dropout,
    Flatten,
    InputSpec,
    Layer,
    Linear,
    ReLU,
    Sigmoid,
    SpecError,
    Tanh,
    Variant,
    VariantError,
    _Pool,
    variant_from_dict,
)

__all__ = [
    "ACTIVATION_BUDGET_BYTES",
    "PARAM_BUDGET_BYTES",
    "Analysis",
    "LayerRow",
    "analyse",
    "analyse_config",
    "format_bytes",
    "format_count",
    "format_shape",
    "layer_names",
]

BYTES_PER_VALUE = 4  # fp32
# Refuse to build anything over these: 2 GiB of weights (~537M parameters, 9× AlexNet) or 2 GiB
# of activations at batch 1. Both are checked by arithmetic before any tensor is allocated.
PARAM_BUDGET_BYTES = 2 * 1024**3
ACTIVATION_BUDGET_BYTES = 2 * 1024**3

Shape = tuple[int, ...]  # (C, H, W) for a feature map, (N,) after flatten

_SHORT = {
    "relu": "relu",
    "tanh": "tanh",
    "sigmoid": "sigmoid",
    "lrn": "norm",
    "maxpool": "pool",
    "avgpool": "pool",
    "adaptiveavgpool": "adaptpool",
    "batchnorm": "bn",
    "dropout": "drop",
    "flatten": "flatten",
}


def format_shape(shape: Shape) -> str:
    return "×".join(str(d) for d in shape)


def format_count(n: int | float) -> str:
    """61100840 -> '61.1M', 1135906176 -> '1.14G'."""
    n = float(n)
    for unit, scale in (("G", 1e9), ("M", 1e6), ("K", 1e3)):
        if abs(n) >= scale:
            return f"{n / scale:.3g}{unit}"
    return f"{n:.0f}"


def format_bytes(n: int | float) -> str:
    n = float(n)
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if abs(n) >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n:.0f} B"


def _describe_arrival(shape: Shape) -> str:
    if len(shape) == 1:
        return f"a flat vector of {shape[0]:,} features"
    c, h, w = shape
    return f"a {c}×{h}×{w} feature map"


@dataclass(frozen=True)
class LayerRow:
    index: int
    type: str
    name: str  # role name: conv1, relu1, norm1, pool1, fc6, drop6 ...
    input: Shape
    output: Shape
    params: int
    macs: int
    activation_bytes: int
    receptive_field: int | None  # None after flatten (every output sees the whole input)
    jump: int | None
    formula_h: WorkedFormula | None = None  # conv/pool only
    formula_w: WorkedFormula | None = None
    bias_terms: int = 0  # bias additions per forward pass (torchinfo counts these as mult-adds)

    @property
    def output_elements(self) -> int:
        return math.prod(self.output)

    @property
    def formulas(self) -> list[tuple[str, WorkedFormula]]:
        """[("H×W", f)] when both axes agree, else [("H", fh), ("W", fw)]."""
        if self.formula_h is None or self.formula_w is None:
            return []
        if self.formula_h == self.formula_w:
            return [("H×W", self.formula_h)]
        return [("H", self.formula_h), ("W", self.formula_w)]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "index": self.index,
            "type": self.type,
            "name": self.name,
            "output": list(self.output),
            "params": self.params,
            "macs": self.macs,
            "activation_bytes": self.activation_bytes,
            "receptive_field": self.receptive_field,
            "jump": self.jump,
        }
        if self.formulas:
            out["formula"] = "; ".join(f.text for _, f in self.formulas)
            out["remainder"] = "; ".join(f.remainder_text for _, f in self.formulas)
        return out


@dataclass(frozen=True)
class Analysis:
    variant: Variant
    rows: tuple[LayerRow, ...]
    error: VariantError | None = None
    names: tuple[str, ...] = field(default=(), repr=False)

    @property
    def valid(self) -> bool:
        return self.error is None

    @property
    def input_shape(self) -> Shape:
        i = self.variant.input
        return (i.channels, i.height, i.width)

    @property
    def output_shape(self) -> Shape | None:
        if not self.valid:
            return None
        return self.rows[-1].output if self.rows else self.input_shape

    @property
    def total_params(self) -> int:
        return sum(r.params for r in self.rows)

    @property
    def total_macs(self) -> int:
        return sum(r.macs for r in self.rows)

    @property
    def param_bytes(self) -> int:
        return self.total_params * BYTES_PER_VALUE

    @property
    def activation_bytes(self) -> int:
        return math.prod(self.input_shape) * BYTES_PER_VALUE + sum(r.activation_bytes for r in self.rows)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.variant.name, "input": list(self.input_shape)}
        if self.error is not None:
            error = {"layer": self.error.layer, **self.error.to_dict()}
            out["error"] = error
            out["layers"] = [r.to_dict() for r in self.rows]
            return out
        out["layers"] = [r.to_dict() for r in self.rows]
        out["output"] = list(self.output_shape or ())
        out["total_params"] = self.total_params
        out["total_macs"] = self.total_macs
        out["param_bytes"] = self.param_bytes
        out["activation_bytes"] = self.activation_bytes
        return out


def layer_names(layers: tuple[Layer, ...] | list[Layer]) -> list[str]:
    """Role names in the paper's style: conv1…conv5, pool1, norm1, fc6…fc8, drop6, relu7.

    Fully connected layers are numbered after the convs (five convs → fc6), as in the paper and
    Caffe. A dropout is named for the linear layer it feeds; other layers for their block.
    """
    n_conv = sum(isinstance(layer, Conv) for layer in layers)
    names: list[str] = []
    used: set[str] = set()
    conv_i, fc_i, block = 0, n_conv, 0
    for i, layer in enumerate(layers):
        if isinstance(layer, Conv):
            conv_i += 1
            block = conv_i
            name = f"conv{conv_i}"
        elif isinstance(layer, Linear):
            fc_i += 1
            block = fc_i
            name = f"fc{fc_i}"
        elif isinstance(layer, Flatten):
            block = max(block, n_conv)
            name = "flatten"
        else:
            number = block
            if isinstance(layer, Dropout):
                upcoming = next((x for x in layers[i + 1 :] if isinstance(x, (Conv, Linear))), None)
                if isinstance(upcoming, Linear):
                    number = fc_i + 1
            name = f"{_SHORT[layer.type]}{number}"
        unique, k = name, 1
        while unique in used:
            k += 1
            unique = f"{name}_{k}"
        used.add(unique)
        names.append(unique)
    return names


def _fail(
    index: int, layer: Layer, arrived: Shape, message: str, *, arithmetic: str | None = None, fix: str
) -> VariantError:
    return VariantError(
        message=f"Layer {index} ({layer.type}): {message}",
        layer=index,
        layer_type=layer.type,
        arrived=_describe_arrival(arrived),
        arithmetic=arithmetic,
        fix=fix,
    )


def _divisors(n: int) -> list[int]:
    small = [d for d in range(1, math.isqrt(n) + 1) if n % d == 0]
    return sorted(set(small + [n // d for d in small]))


def _window_fix(f: WorkedFormula, what: str) -> str:
    padded = f.n + 2 * f.padding
    max_k = (padded - 1) // f.dilation + 1
    need_p = -(-(f.effective_kernel - f.n) // 2)
    return (
        f"use a kernel of at most {max_k}, or padding of at least {need_p}, "
        f"or a larger input; {what} sees only {f.n} pixels here"
    )


def _spatial(
    index: int, layer: Layer, shape: Shape, kernel: int, stride: int, padding: int, dilation: int, ceil_mode: bool
) -> tuple[WorkedFormula, WorkedFormula, VariantError | None]:
    _, h, w = shape
    fh = worked_formula(h, kernel, stride, padding, dilation, ceil_mode)
    fw = worked_formula(w, kernel, stride, padding, dilation, ceil_mode)
    for axis, f in (("height", fh), ("width", fw)):
        if not f.valid:
            return (
                fh,
                fw,
                _fail(
                    index,
                    layer,
                    shape,
                    f"output {axis} would be {f.out if f.span >= 0 else '< 1'}: the {f.effective_kernel}-pixel window "
                    f"does not fit in {f.n} + 2·{f.padding} = {f.n + 2 * f.padding} pixels",
                    arithmetic=f.text,
                    fix=_window_fix(f, "this layer"),
                ),
            )
    return fh, fw, None


def analyse(variant: Variant) -> Analysis:
    """Walk the layers once, by arithmetic; stops at the first invalid layer."""
    names = layer_names(variant.layers)
    i = variant.input
    shape: Shape = (i.channels, i.height, i.width)
    rf, jump = 1, 1
    rows: list[LayerRow] = []
    total_param_bytes = 0
    total_act_bytes = math.prod(shape) * BYTES_PER_VALUE

    def done(error: VariantError | None) -> Analysis:
        return Analysis(variant, tuple(rows), error, tuple(names))

    if total_act_bytes > ACTIVATION_BUDGET_BYTES:
        return done(
            VariantError(
                f"the input {format_shape(shape)} alone takes {format_bytes(total_act_bytes)}, "
                f"over the {format_bytes(ACTIVATION_BUDGET_BYTES)} activation budget",
                fix="use a smaller input size",
            )
        )

    for index, layer in enumerate(variant.layers):
        flat = len(shape) == 1
        params = macs = bias_terms = 0
        fh = fw = None
        new_rf, new_jump = (rf, jump)

        if isinstance(layer, Conv):
            if flat:
                return done(
                    _fail(
                        index,
                        layer,
                        shape,
                        "a convolution needs a C×H×W feature map, but it comes after flatten",
                        fix="move the conv before the flatten layer, or remove it",
                    )
                )
            c_in = shape[0]
            g = layer.groups
            for what, n in (("input", c_in), ("output", layer.out_channels)):
                if n % g:
                    options = [d for d in _divisors(c_in) if layer.out_channels % d == 0]
                    return done(
                        _fail(
                            index,
                            layer,
                            shape,
                            f"groups {g} must divide the {n} {what} channels",
                            arithmetic=f"{n} / {g} = {n / g:.4g}, not a whole number",
                            fix=f"use groups in {options} for {c_in} in and {layer.out_channels} out channels",
                        )
                    )
            fh, fw, err = _spatial(
                index, layer, shape, layer.kernel, layer.stride, layer.padding, layer.dilation, False
            )
            if err:
                return done(err)
            out: Shape = (layer.out_channels, fh.out, fw.out)
            per_out = (c_in // g) * layer.kernel**2
            params = layer.out_channels * per_out + (layer.out_channels if layer.bias else 0)
            macs = math.prod(out) * per_out
            bias_terms = math.prod(out) if layer.bias else 0
            k_eff = layer.dilation * (layer.kernel - 1) + 1
            new_rf, new_jump = rf + (k_eff - 1) * jump, jump * layer.stride

        elif isinstance(layer, _Pool):
            if flat:
                return done(
                    _fail(
                        index,
                        layer,
                        shape,
                        "pooling needs a C×H×W feature map, but it comes after flatten",
                        fix="move the pooling layer before flatten, or remove it",
                    )
                )
            stride = layer.effective_stride
            if layer.padding > layer.kernel // 2:
                return done(
                    _fail(
                        index,
                        layer,
                        shape,
                        f"padding {layer.padding} is more than half the kernel {layer.kernel}",
                        arithmetic=f"padding must be ≤ ⌊{layer.kernel}/2⌋ = {layer.kernel // 2} (PyTorch's rule: "
                        "a window may not lie wholly in the padding)",
                        fix=f"use padding {layer.kernel // 2} or less, or a kernel of at least {2 * layer.padding}",
                    )
                )
            fh, fw, err = _spatial(index, layer, shape, layer.kernel, stride, layer.padding, 1, layer.ceil_mode)
            if err:
                return done(err)
            out = (shape[0], fh.out, fw.out)
            new_rf, new_jump = rf + (layer.kernel - 1) * jump, jump * stride

        elif isinstance(layer, AdaptiveAvgPool):
            if flat:
                return done(
                    _fail(
                        index,
                        layer,
                        shape,
                        "adaptive pooling needs a C×H×W feature map, but it comes after flatten",
                        fix="move it before flatten",
                    )
                )
            s = layer.size
            out = (shape[0], s, s)
            h = shape[1]
            # Bin i covers [⌊i·H/s⌋, ⌈(i+1)·H/s⌉): the widest bin sets the receptive field.
            widest = max(-(-(j + 1) * h // s) - (j * h // s) for j in range(min(s, 4096)))
            new_rf, new_jump = rf + (widest - 1) * jump, jump * max(1, h // s)

        elif isinstance(layer, Linear):
            if not flat:
                c, h, w = shape
                return done(
                    _fail(
                        index,
                        layer,
                        shape,
                        "a linear layer needs a flat vector, but a feature map arrives",
                        arithmetic=f"flatten would give {c}·{h}·{w} = {c * h * w:,} features",
                        fix="add a flatten layer before it",
                    )
                )
            n_in = shape[0]
            if layer.in_features is not None and layer.in_features != n_in:
                prev = rows[-1] if rows else None
                origin = ""
                if prev is not None and len(prev.input) == 3 and prev.type == "flatten":
                    c, h, w = prev.input
                    origin = f" ({c}×{h}×{w} = {n_in:,})"
                return done(
                    _fail(
                        index,
                        layer,
                        shape,
                        f"it expects {layer.in_features:,} input features but {n_in:,} arrive{origin}",
                        arithmetic=f"in_features {layer.in_features:,} ≠ {n_in:,}",
                        fix=f"set in_features to {n_in:,} (or remove it so it is inferred), or change the layers "
                        f"before it so that {layer.in_features:,} features arrive",
                    )
                )
            out = (layer.out_features,)
            params = n_in * layer.out_features + (layer.out_features if layer.bias else 0)
            macs = n_in * layer.out_features
            bias_terms = layer.out_features if layer.bias else 0
            new_rf = new_jump = None

        elif isinstance(layer, LRN):
            if flat:
                return done(
                    _fail(
                        index,
                        layer,
                        shape,
                        "LRN normalises across channels of a feature map, but it comes after flatten",
                        fix="move it before flatten",
                    )
                )
            out = shape

        elif isinstance(layer, BatchNorm):
            out = shape
            params = 2 * shape[0]
            bias_terms = params  # torchinfo counts BatchNorm's weight and bias as mult-adds

        elif isinstance(layer, Flatten):
            out = (math.prod(shape),)
            new_rf = new_jump = None

        elif isinstance(layer, (ReLU, Tanh, Sigmoid, Dropout)):
            out = shape

        else:  # pragma: no cover - spec.py only creates the types above
            return done(_fail(index, layer, shape, "unsupported layer type", fix="remove it"))

        if flat and new_rf is not None:
            new_rf = new_jump = None
        act = math.prod(out) * BYTES_PER_VALUE
        total_param_bytes += params * BYTES_PER_VALUE
        total_act_bytes += act
        row = LayerRow(
            index=index,
            type=layer.type,
            name=names[index],
            input=shape,
            output=out,
            params=params,
            macs=macs,
            activation_bytes=act,
            receptive_field=new_rf,
            jump=new_jump,
            formula_h=fh,
            formula_w=fw,
            bias_terms=bias_terms,
        )
        if total_param_bytes > PARAM_BUDGET_BYTES:
            return done(
                _fail(
                    index,
                    layer,
                    shape,
                    f"the weights reach {format_bytes(total_param_bytes)} here, over the "
                    f"{format_bytes(PARAM_BUDGET_BYTES)} budget this tool builds",
                    arithmetic=f"{total_param_bytes // BYTES_PER_VALUE:,} parameters × 4 bytes",
                    fix="use fewer channels or features, or a smaller input before the first linear layer",
                )
            )
        if total_act_bytes > ACTIVATION_BUDGET_BYTES:
            return done(
                _fail(
                    index,
                    layer,
                    shape,
                    f"activations reach {format_bytes(total_act_bytes)} at batch 1 here, over the "
                    f"{format_bytes(ACTIVATION_BUDGET_BYTES)} budget",
                    arithmetic=f"this layer's output {format_shape(out)} × 4 bytes = {format_bytes(act)}",
                    fix="use a smaller input, more stride early, or fewer channels",
                )
            )
        rows.append(row)
        shape, rf, jump = out, new_rf, new_jump

    return done(None)


def analyse_config(config: Any) -> Analysis:
    """Analyse a Variant or a raw config dict; a config that cannot be read becomes an error."""
    if isinstance(config, Variant):
        return analyse(config)
    try:
        variant = variant_from_dict(config)
    except SpecError as exc:
        name = config.get("name") if isinstance(config, dict) else None
        partial = exc.partial or Variant(name if isinstance(name, str) else "custom", InputSpec(), ())
        analysis = analyse(partial)
        return Analysis(partial, analysis.rows, exc.error, analysis.names)
    return analyse(variant)
