"""Compare 2–4 variants side by side: aligned by layer role, every difference explained in words.

Layers are aligned by their role name (`conv1` … `conv5`, `pool1`/`pool2`/`pool5`, `flatten`,
`fc6` … `fc8`; with `all_layers=True` also `relu1`, `norm1`, `drop6` …). A role missing from one
variant leaves a gap in its column. Each difference between two variants at a role is explained
from the layers' actual fields, with the worked formula (`WorkedFormula.text`) or the parameter
arithmetic. An invalid variant keeps its column: its cells stop at the failing layer ("error"),
later ones are "unreached", and the other variants still compare.

Also here: exports (CSV, Markdown, LaTeX), a compact URL encoding of a comparison with a strict
decoder, and the "same image through each variant" step: given an image tensor already at the
variant's input size (`explorer.images.preprocess`), the feature maps of one layer role with
seeded random weights, and a grid picture of them.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, fields
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from .analysis import Analysis, LayerRow, Shape, analyse, format_count, format_shape
from .presets import PRESETS
from .share import MAX_PARAM_CHARS, decode_config, encode_config
from .spec import (
    LRN,
    AdaptiveAvgPool,
    Conv,
    Layer,
    Linear,
    SpecError,
    Variant,
    _Pool,
)

if TYPE_CHECKING:  # torch/numpy are imported lazily: the comparison itself is pure arithmetic
    import numpy as np
    import torch

__all__ = [
    "DEFAULT_SELECTION",
    "INPUT_ROLE",
    "MAX_QUERY_CHARS",
    "MAX_VARIANTS",
    "MIN_VARIANTS",
    "ROLE_TYPES",
    "AlignedRow",
    "Cell",
    "Comparison",
    "Explanation",
    "ShareError",
    "Total",
    "compare",
    "comparison_csv",
    "comparison_latex",
    "comparison_markdown",
    "decode_selection",
    "encode_selection",
    "feature_grid",
    "latex_escape",
    "markdown_escape",
    "role_feature_maps",
    "spatial_roles",
]

MIN_VARIANTS = 2
MAX_VARIANTS = 4
DEFAULT_SELECTION = ("paper-2012", "torchvision", "keras-seed")
# Layer types that define a role in the aligned table (the rest appear with all_layers=True).
ROLE_TYPES = frozenset({"conv", "maxpool", "avgpool", "adaptiveavgpool", "flatten", "linear"})
INPUT_ROLE = "input"

# URL limits: a shared link is hostile input until decoded.
_CONFIG_PREFIX = "cfg."
MAX_QUERY_CHARS = MAX_VARIANTS * (MAX_PARAM_CHARS + len(_CONFIG_PREFIX) + 1)


class ShareError(ValueError):
    """A comparison link that cannot be read; the message says what was wrong."""


# --- the aligned table ------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One variant at one role. status: ok, absent (gap), error (the failing layer), unreached."""

    status: str
    layer_type: str | None = None
    output: Shape | None = None
    params: int | None = None
    macs: int | None = None
    row: LayerRow | None = None
    layer: Layer | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def output_text(self) -> str:
        if self.status == "ok":
            return format_shape(self.output or ())
        return {"absent": "—", "error": "✗ error", "unreached": "not reached"}[self.status]


@dataclass(frozen=True)
class AlignedRow:
    role: str
    cells: tuple[Cell, ...]
    differs_output: bool
    differs_params: bool
    differs_macs: bool

    @property
    def differs(self) -> bool:
        return self.differs_output or self.differs_params or self.differs_macs


@dataclass(frozen=True)
class Explanation:
    """One difference in words: `text` reads like "conv1: 55 vs 54 — padding 2 vs 0 at 224: …"."""

    role: str
    labels: tuple[str, ...]  # the variants it is about, in comparison order
    headline: str
    reasons: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        body = f"{self.role}: {self.headline}"
        return f"{body} — {'; '.join(self.reasons)}" if self.reasons else body


@dataclass(frozen=True)
class Total:
    label: str
    params: int | None  # None for an invalid variant
    macs: int | None
    params_ratio: float | None  # to the reference (first valid) variant
    macs_ratio: float | None
    error: str | None = None


@dataclass(frozen=True)
class Comparison:
    labels: tuple[str, ...]
    analyses: tuple[Analysis, ...]
    rows: tuple[AlignedRow, ...]
    explanations: tuple[Explanation, ...]
    totals: tuple[Total, ...]
    reference: int | None  # index of the variant the ratios are relative to (first valid one)

    def row(self, role: str) -> AlignedRow:
        for row in self.rows:
            if row.role == role:
                return row
        raise KeyError(f"no role {role!r}; roles are {', '.join(r.role for r in self.rows)}")

    def explanations_for(self, role: str) -> list[Explanation]:
        return [e for e in self.explanations if e.role == role]


def _unique_labels(labels: list[str]) -> tuple[str, ...]:
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        label = label.strip() or "variant"
        count = seen.get(label, 0) + 1
        seen[label] = count
        out.append(label if count == 1 else f"{label} ({count})")
    return tuple(out)


def _role_names(analysis: Analysis, all_layers: bool) -> list[str]:
    layers = analysis.variant.layers
    return [name for name, layer in zip(analysis.names, layers) if all_layers or layer.type in ROLE_TYPES]


def _merge_orders(orders: list[list[str]]) -> list[str]:
    """Merge role sequences, keeping each variant's order; a role new to the merge goes right after
    the last role of the same variant already placed."""
    merged: list[str] = []
    for order in orders:
        pos = 0
        for name in order:
            if name in merged[pos:]:
                pos = merged.index(name, pos) + 1
            elif name not in merged:
                merged.insert(pos, name)
                pos += 1
    return merged


def _cell(analysis: Analysis, role: str) -> Cell:
    if role == INPUT_ROLE:
        return Cell("ok", "input", analysis.input_shape, 0, 0)
    if role not in analysis.names:
        return Cell("absent")
    index = analysis.names.index(role)
    layer = analysis.variant.layers[index]
    if index < len(analysis.rows):
        row = analysis.rows[index]
        return Cell("ok", row.type, row.output, row.params, row.macs, row, layer)
    err = analysis.error
    status = "error" if err is not None and err.layer == index else "unreached"
    return Cell(status, layer.type, layer=layer)


def _differs(values: list[Any]) -> bool:
    return len(set(values)) > 1


def compare(
    variants: list[Variant | Analysis] | tuple[Variant | Analysis, ...],
    labels: list[str] | tuple[str, ...] | None = None,
    *,
    all_layers: bool = False,
) -> Comparison:
    """Align 2–4 variants by role, flag differing cells, explain each difference, total them up."""
    if not MIN_VARIANTS <= len(variants) <= MAX_VARIANTS:
        raise ValueError(f"compare {MIN_VARIANTS} to {MAX_VARIANTS} variants, got {len(variants)}")
    analyses = tuple(v if isinstance(v, Analysis) else analyse(v) for v in variants)
    labels = _unique_labels(list(labels) if labels is not None else [a.variant.name for a in analyses])
    if len(labels) != len(analyses):
        raise ValueError(f"{len(labels)} labels for {len(analyses)} variants")

    roles = [INPUT_ROLE, *_merge_orders([_role_names(a, all_layers) for a in analyses])]
    rows = []
    for role in roles:
        cells = tuple(_cell(a, role) for a in analyses)
        counted = [c for c in cells if c.status in ("ok", "absent")]
        rows.append(
            AlignedRow(
                role,
                cells,
                differs_output=_differs([c.output for c in counted]),
                differs_params=_differs([c.params for c in counted]),
                differs_macs=_differs([c.macs for c in counted]),
            )
        )

    reference = next((i for i, a in enumerate(analyses) if a.valid), None)
    totals = []
    for a, label in zip(analyses, labels):
        if not a.valid:
            totals.append(Total(label, None, None, None, None, str(a.error.message if a.error else "")))
            continue
        ref = analyses[reference] if reference is not None else a
        totals.append(
            Total(
                label,
                a.total_params,
                a.total_macs,
                a.total_params / ref.total_params if ref.total_params else None,
                a.total_macs / ref.total_macs if ref.total_macs else None,
            )
        )

    explanations = _explain(analyses, labels, rows, all_layers, reference)
    return Comparison(labels, analyses, tuple(rows), tuple(explanations), tuple(totals), reference)


# --- explanations -----------------------------------------------------------------------------

_POOL_WORDS = {"maxpool": "max pooling", "avgpool": "average pooling"}
_FIELD_WORDS = {"out_channels": "filters", "ceil_mode": "rounding", "in_features": "declared in_features"}


def _num(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _hw(shape: Shape) -> str:
    return str(shape[1]) if shape[1] == shape[2] else f"{shape[1]}×{shape[2]}"


def _ratio_words(a: int, b: int) -> str | None:
    if a == 0 or b == 0:
        return None
    r = Fraction(a, b)
    return {Fraction(1, 2): "half the weights", Fraction(2): "twice the weights"}.get(r)


def _bias_count(layer: Layer) -> int:
    if isinstance(layer, Conv) and layer.bias:
        return layer.out_channels
    if isinstance(layer, Linear) and layer.bias:
        return layer.out_features
    return 0


def _describe_layer(layer: Layer, row: LayerRow | None) -> str:
    if isinstance(layer, Conv):
        text = f"conv {layer.kernel}×{layer.kernel}, stride {layer.stride}, padding {layer.padding}, {layer.out_channels} filters"
        if layer.groups > 1:
            text += f", groups {layer.groups}"
    elif isinstance(layer, _Pool):
        text = f"{_POOL_WORDS[layer.type]} {layer.kernel}×{layer.kernel}, stride {layer.effective_stride}"
        if layer.padding:
            text += f", padding {layer.padding}"
        if layer.ceil_mode:
            text += ", rounding up"
    elif isinstance(layer, AdaptiveAvgPool):
        text = f"adaptive average pooling to {layer.size}×{layer.size}"
    elif isinstance(layer, Linear):
        text = "linear" if row is not None else f"linear to {layer.out_features:,} features"
    elif isinstance(layer, LRN):
        text = f"LRN (size {layer.size}, α {layer.alpha:g}, β {layer.beta:g}, k {layer.k:g})"
    else:
        text = layer.type
    if row is not None:
        text += f": {format_shape(row.input)} → {format_shape(row.output)}"
        if row.params:
            text += f", {row.params:,} params"
    return text


_KIND_WORDS = {
    "lrn": "LRN",
    "relu": "ReLU",
    "dropout": "dropout",
    "tanh": "tanh",
    "sigmoid": "sigmoid",
    "batchnorm": "batch norm",
}
_EXTRA_NOTES = {
    "adaptiveavgpool": "it forces a fixed map size, so any input size reaches the classifier with the same width",
    "lrn": "no parameters and the shape is unchanged, so it changes no count here, only the values",
    "relu": "no parameters and the shape is unchanged; without it the two layers around it compose linearly",
    "tanh": "no parameters and the shape is unchanged",
    "sigmoid": "no parameters and the shape is unchanged",
    "dropout": "active only in training; no parameters and the shape is unchanged",
    "batchnorm": "2 parameters per channel (scale and shift)",
    "flatten": "turns the C×H×W map into one vector",
}


def _conv_param_expr(layer: Conv, row: LayerRow) -> str:
    c_in = row.input[0]
    per = f"({c_in}/{layer.groups})" if layer.groups > 1 else f"{c_in}"
    expr = f"{layer.out_channels}·{per}·{layer.kernel}²"
    if layer.bias:
        expr += f" + {layer.out_channels}"
    return f"{expr} = {row.params:,}"


def _linear_param_expr(layer: Linear, row: LayerRow) -> str:
    expr = f"{row.input[0]}·{layer.out_features}"
    if layer.bias:
        expr += f" + {layer.out_features}"
    return f"{expr} = {row.params:,}"


def _formula_pair(a: LayerRow, b: LayerRow) -> str:
    fa, fb = a.formulas, b.formulas
    if len(fa) == 1 and len(fb) == 1:
        return f"{fa[0][1].text} vs {fb[0][1].text}"
    return "; ".join(
        f"{axis}: {x.text} vs {y.text}"
        for axis, x, y in (("H", a.formula_h, b.formula_h), ("W", a.formula_w, b.formula_w))
    )


def _spatial_reason(first: bool, a: LayerRow, b: LayerRow, la: Layer, lb: Layer) -> str | None:
    """Why a conv/pool gives the sizes it does, when anything in its formula differs."""
    fa, fb = a.formula_h, b.formula_h
    if fa is None or fb is None:
        return None
    if (a.input[1:], la) == (b.input[1:], lb) or (
        (fa, a.formula_w) == (fb, b.formula_w) and a.input[1:] == b.input[1:]
    ):
        return None
    parts = []
    arrive_word = "input" if first else "arrives"
    size_differs = a.input[1:] != b.input[1:]
    if size_differs:
        parts.append(f"{arrive_word} {_hw(a.input)} vs {_hw(b.input)}")
    for name, label in (
        ("kernel", "kernel"),
        ("stride", "stride"),
        ("padding", "padding"),
        ("dilation", "dilation"),
    ):
        va, vb = getattr(fa, name), getattr(fb, name)
        if va != vb:
            parts.append(f"{label} {va} vs {vb}")
    if fa.ceil_mode != fb.ceil_mode:
        parts.append(f"rounding {'up' if fa.ceil_mode else 'down'} vs {'up' if fb.ceil_mode else 'down'}")
    if not parts:
        return None
    head = ", ".join(parts)
    if not size_differs:
        head += f" at {_hw(a.input)}"
    return f"{head}: {_formula_pair(a, b)}"


def _pair(role: str, first_spatial: bool, la: str, lb: str, ca: Cell, cb: Cell) -> Explanation | None:
    """Explain one role between two variants whose cells are both ok."""
    ra, rb = ca.row, cb.row
    xa, xb = ca.layer, cb.layer
    assert ra is not None and rb is not None and xa is not None and xb is not None
    if ra.output == rb.output and ra.params == rb.params and ra.macs == rb.macs and xa == xb and ra.input == rb.input:
        return None
    head: list[str] = []
    reasons: list[str] = []
    spatial = len(ra.output) == 3 and len(rb.output) == 3
    if spatial and ra.output[1:] != rb.output[1:]:
        head.append(f"{_hw(ra.output)} vs {_hw(rb.output)}")
    if ra.output[0] != rb.output[0]:
        unit = "channels" if spatial else "features"
        head.append(f"{ra.output[0]:,} vs {rb.output[0]:,} {unit}")
    if ra.params != rb.params:
        short_a, short_b = format_count(ra.params), format_count(rb.params)
        if short_a == short_b:
            short_a, short_b = f"{ra.params:,}", f"{rb.params:,}"
        wa, wb = ra.params - _bias_count(xa), rb.params - _bias_count(xb)  # weights alone, for "half"
        words = _ratio_words(wa, wb)
        head.append(f"{words} ({short_a} vs {short_b} params)" if words else f"{short_a} vs {short_b} params")

    if xa.type != xb.type:
        reasons.append(f"{_POOL_WORDS.get(xa.type, xa.type)} vs {_POOL_WORDS.get(xb.type, xb.type)}")

    if isinstance(xa, Conv) and isinstance(xb, Conv):
        if ra.input[0] != rb.input[0]:
            words = " (RGB vs grayscale)" if first_spatial and {ra.input[0], rb.input[0]} == {1, 3} else ""
            reasons.append(f"{ra.input[0]} vs {rb.input[0]} input channels{words}")
        spatial_reason = _spatial_reason(first_spatial, ra, rb, xa, xb)
        if spatial_reason:
            reasons.append(spatial_reason)
        if ra.params != rb.params:
            causes = []
            if xa.groups != xb.groups:
                gpus = " (two GPUs)" if max(xa.groups, xb.groups) == 2 else ""
                causes.append(f"groups {xa.groups} vs {xb.groups}{gpus}")
            if xa.out_channels != xb.out_channels:
                causes.append(f"{xa.out_channels} vs {xb.out_channels} filters")
            if xa.kernel != xb.kernel:
                causes.append(f"kernel {xa.kernel} vs {xb.kernel}")
            if xa.bias != xb.bias:
                causes.append(f"bias {_num(xa.bias)} vs {_num(xb.bias)}")
            arithmetic = f"{_conv_param_expr(xa, ra)} vs {_conv_param_expr(xb, rb)}"
            reasons.append(f"{', '.join(causes)}: {arithmetic}" if causes else arithmetic)
    elif isinstance(xa, _Pool) and isinstance(xb, _Pool):
        spatial_reason = _spatial_reason(first_spatial, ra, rb, xa, xb)
        if spatial_reason:
            reasons.append(spatial_reason)
        if ra.input[0] != rb.input[0]:
            reasons.append(f"pooling keeps the {ra.input[0]} vs {rb.input[0]} channels that arrive")
    elif isinstance(xa, AdaptiveAvgPool) and isinstance(xb, AdaptiveAvgPool):
        if xa.size != xb.size:
            reasons.append(f"target size {xa.size} vs {xb.size}")
        elif ra.input != rb.input:
            reasons.append(
                f"arrives {format_shape(ra.input)} vs {format_shape(rb.input)}, pooled to {xa.size}×{xa.size} in both"
            )
    elif xa.type == "flatten" and xb.type == "flatten" and ra.output != rb.output:
        ia, ib = ra.input, rb.input
        if len(ia) == 3 and len(ib) == 3:
            reasons.append(f"{ia[0]}·{ia[1]}·{ia[2]} = {ra.output[0]:,} vs {ib[0]}·{ib[1]}·{ib[2]} = {rb.output[0]:,}")
    elif isinstance(xa, Linear) and isinstance(xb, Linear):
        causes = []
        if ra.input[0] != rb.input[0]:
            causes.append(f"{ra.input[0]} vs {rb.input[0]} inputs")
        if xa.out_features != xb.out_features:
            causes.append(f"{xa.out_features} vs {xb.out_features} outputs")
        if xa.bias != xb.bias:
            causes.append(f"bias {_num(xa.bias)} vs {_num(xb.bias)}")
        if ra.params != rb.params:
            arithmetic = f"{_linear_param_expr(xa, ra)} vs {_linear_param_expr(xb, rb)}"
            reasons.append(f"{', '.join(causes)}: {arithmetic}" if causes else arithmetic)
    else:  # LRN, dropout, activations, batch norm: compare their fields
        if type(xa) is type(xb):
            for f in fields(xa):
                va, vb = getattr(xa, f.name), getattr(xb, f.name)
                if va != vb:
                    reasons.append(f"{f.name} {_num(va)} vs {_num(vb)}")
            if reasons and ra.output == rb.output and ra.params == rb.params:
                head.append("same shape and count, different values")
        if ra.input != rb.input and not head:
            head.append(f"{format_shape(ra.output)} vs {format_shape(rb.output)}")
            reasons.append(f"arrives {format_shape(ra.input)} vs {format_shape(rb.input)}")

    if ra.macs != rb.macs and ra.params == rb.params and ra.macs and rb.macs:
        if spatial:
            reasons.append(
                f"same weights at {_hw(ra.output)} vs {_hw(rb.output)} positions: {ra.macs:,} vs {rb.macs:,} MACs"
            )
        else:
            reasons.append(f"{ra.macs:,} vs {rb.macs:,} MACs")
    if not head:
        if spatial and ra.output == rb.output and reasons:
            head.append(f"both {_hw(ra.output)}")
        elif not reasons:
            return None
        else:
            head.append("configured differently")
    return Explanation(role, (la, lb), ", ".join(head), tuple(reasons))


def _explain(
    analyses: tuple[Analysis, ...],
    labels: tuple[str, ...],
    rows: list[AlignedRow],
    all_layers: bool,
    reference: int | None,
) -> list[Explanation]:
    out: list[Explanation] = []
    n = len(analyses)

    # invalid variants first: the reader needs to know why a column stops
    for a, label in zip(analyses, labels):
        if a.error is not None:
            where = a.names[a.error.layer] if a.error.layer is not None and a.error.layer < len(a.names) else "input"
            out.append(
                Explanation(
                    where,
                    (label,),
                    f"{label} is invalid here, so its column stops",
                    tuple(x for x in (a.error.message, a.error.arithmetic, a.error.fix and f"fix: {a.error.fix}") if x),
                )
            )

    # the input
    ins = [a.variant.input for a in analyses]
    for i in range(n):
        for j in range(i + 1, n):
            a, b = ins[i], ins[j]
            if a == b:
                continue
            reasons = []
            if (a.height, a.width) != (b.height, b.width):
                reasons.append(f"{a.height}×{a.width} vs {b.height}×{b.width} pixels")
            if a.channels != b.channels:
                words = " (RGB vs grayscale)" if {a.channels, b.channels} == {1, 3} else ""
                reasons.append(f"{a.channels} vs {b.channels} channels{words}")
            shape_a = format_shape((a.channels, a.height, a.width))
            shape_b = format_shape((b.channels, b.height, b.width))
            out.append(Explanation(INPUT_ROLE, (labels[i], labels[j]), f"{shape_a} vs {shape_b}", tuple(reasons)))

    # role by role
    for row in rows:
        if row.role == INPUT_ROLE:
            continue
        cells = row.cells
        present = [k for k, c in enumerate(cells) if c.status != "absent"]
        absent = [k for k, c in enumerate(cells) if c.status == "absent"]
        if absent and present:
            holders = [k for k in present if cells[k].layer is not None]
            k0 = holders[0]
            layer = cells[k0].layer
            assert layer is not None
            note = _EXTRA_NOTES.get(layer.type)
            reason = _describe_layer(layer, cells[k0].row)
            in_ = ", ".join(labels[k] for k in present)
            not_in = ", ".join(labels[k] for k in absent)
            reasons = (reason, note) if note else (reason,)
            out.append(
                Explanation(row.role, tuple(labels[k] for k in present), f"only in {in_}, not in {not_in}", reasons)
            )
        first_spatial = row.role == next(
            (r.role for r in rows if r.role != INPUT_ROLE and any(c.layer_type == "conv" for c in r.cells)), None
        )
        for i in range(n):
            for j in range(i + 1, n):
                if cells[i].ok and cells[j].ok:
                    e = _pair(row.role, first_spatial, labels[i], labels[j], cells[i], cells[j])
                    if e is not None:
                        out.append(e)

    # layers outside the role rows (LRN, activations, dropout) when the table hides them
    if not all_layers:
        out.extend(_extra_layer_explanations(analyses, labels))

    # totals, each variant against the reference
    if reference is not None:
        ref = analyses[reference]
        for k, a in enumerate(analyses):
            if k == reference or not a.valid or ref.total_params == 0:
                continue
            ratio = a.total_params / ref.total_params
            head = (
                f"{ref.total_params:,} vs {a.total_params:,} params ({ratio:.3f}×), "
                f"{ref.total_macs:,} vs {a.total_macs:,} MACs"
            )
            reasons = []
            deltas = []
            for row in rows:
                ca, cb = row.cells[reference], row.cells[k]
                pa = (ca.params or 0) if ca.ok else 0
                pb = (cb.params or 0) if cb.ok else 0
                if pa != pb:
                    ta = f"{pa:,}" if ca.ok else "no layer"
                    tb = f"{pb:,}" if cb.ok else "no layer"
                    deltas.append((abs(pb - pa), row.role, ta, tb))
            if deltas:
                _, role, ta, tb = max(deltas)
                reasons.append(f"largest difference at {role}: {ta} vs {tb} params")
            out.append(Explanation("total", (labels[reference], labels[k]), head, tuple(reasons)))
    return out


def _dropout_place(a: Analysis) -> str:
    """Where a variant's dropouts sit: Caffe's order (fc → relu → drop) or torchvision's (drop → fc).

    The first dropout tells them apart: after the first linear's activation, or before that linear.
    """
    layers = a.variant.layers
    first = next((j for j, layer in enumerate(layers) if layer.type == "dropout"), None)
    if first is None:
        return "nowhere"
    if (
        first > 0
        and layers[first - 1].type in ("relu", "tanh", "sigmoid")
        and any(layer.type == "linear" for layer in layers[:first])
    ):
        return "after the ReLU (fc → relu → drop, Caffe's order)"
    return "before the linear layer (drop → fc, torchvision's order)"


def _extra_layer_explanations(analyses: tuple[Analysis, ...], labels: tuple[str, ...]) -> list[Explanation]:
    """Non-role layers (LRN, ReLU, dropout, batch norm) that some variants have and others lack, or
    configure differently, one explanation per layer type and pair. Uses each config in full, also
    past an invalid variant's failing layer: this is about what the configs say."""
    out: list[Explanation] = []
    n = len(analyses)
    per = [
        {name: layer for name, layer in zip(a.names, a.variant.layers) if layer.type not in ROLE_TYPES}
        for a in analyses
    ]
    kinds = sorted({layer.type for layers in per for layer in layers.values()})
    for kind in kinds:
        word = _KIND_WORDS.get(kind, kind)
        note = _EXTRA_NOTES.get(kind)
        for i in range(n):
            for j in range(i + 1, n):
                ni = [name for name, layer in per[i].items() if layer.type == kind]
                nj = [name for name, layer in per[j].items() if layer.type == kind]
                for name in (x for x in ni if x in nj and per[i][x] != per[j][x]):
                    xa, xb = per[i][name], per[j][name]
                    diffs = tuple(
                        f"{f.name} {_num(getattr(xa, f.name))} vs {_num(getattr(xb, f.name))}"
                        for f in fields(xa)
                        if getattr(xa, f.name) != getattr(xb, f.name)
                    )
                    out.append(
                        Explanation(name, (labels[i], labels[j]), "same shape and count, different values", diffs)
                    )
                only_i = [x for x in ni if x not in nj]
                only_j = [x for x in nj if x not in ni]
                if kind == "dropout" and ni and sorted(ni) == sorted(nj):
                    where_i, where_j = _dropout_place(analyses[i]), _dropout_place(analyses[j])
                    if where_i != where_j:
                        out.append(
                            Explanation(
                                word,
                                (labels[i], labels[j]),
                                f"the same dropout ({', '.join(ni)}), {where_i} in {labels[i]} vs {where_j} in {labels[j]}",
                                (
                                    "the same regularisation either way: no parameters, the shape unchanged, "
                                    "active only in training",
                                ),
                            )
                        )
                if not only_i and not only_j:
                    continue
                parts = []
                for only, mine, other, theirs in (
                    (only_i, labels[i], labels[j], nj),
                    (only_j, labels[j], labels[i], ni),
                ):
                    if only:
                        part = f"{', '.join(only)} only in {mine}"
                        if not theirs:
                            part += f" ({other} has no {word})"
                        parts.append(part)
                out.append(Explanation(word, (labels[i], labels[j]), "; ".join(parts), (note,) if note else ()))
    return out


# --- exports ----------------------------------------------------------------------------------


def _csv_cell(cell: Cell, what: str) -> str:
    if cell.status == "ok":
        if what == "output":
            return "x".join(str(d) for d in cell.output or ())
        return str(cell.params if what == "params" else cell.macs)
    return {"absent": "", "error": "error", "unreached": "not reached"}[cell.status]


def comparison_csv(c: Comparison) -> str:
    """One row per role; per variant its output shape (CxHxW), params and MACs; then a totals row."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    header = ["layer"]
    for label in c.labels:
        header += [f"{label} output", f"{label} params", f"{label} MACs"]
    writer.writerow(header)
    for row in c.rows:
        line = [row.role]
        for cell in row.cells:
            line += [_csv_cell(cell, "output"), _csv_cell(cell, "params"), _csv_cell(cell, "macs")]
        writer.writerow(line)
    line = ["total"]
    for t in c.totals:
        line += [
            "invalid" if t.error else "",
            "" if t.params is None else str(t.params),
            "" if t.macs is None else str(t.macs),
        ]
    writer.writerow(line)
    return buf.getvalue()


def _short_cell(cell: Cell) -> str:
    if cell.status != "ok":
        return cell.output_text()
    text = format_shape(cell.output or ())
    return f"{text} ({format_count(cell.params or 0)})" if cell.params else text


def _total_texts(t: Total) -> tuple[str, str]:
    if t.params is None:
        return "invalid", "invalid"
    pr = f" ({t.params_ratio:.3f}×)" if t.params_ratio is not None else ""
    mr = f" ({t.macs_ratio:.3f}×)" if t.macs_ratio is not None else ""
    return f"{t.params:,}{pr}", f"{format_count(t.macs or 0)}{mr}"


def _md_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|")


_MD_SPECIAL = set("\\`*_{}[]<>()#+|$~!")


def markdown_escape(text: str) -> str:
    """Escape Markdown (and Streamlit's $…$ maths) so a variant name renders as typed."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in text)


def comparison_markdown(c: Comparison) -> str:
    """A slide-ready table: per role each variant's output (params), differing rows in bold."""
    lines = [
        "| layer | " + " | ".join(_md_escape(label) for label in c.labels) + " |",
        "|---|" + "---|" * len(c.labels),
    ]
    for row in c.rows:
        cells = [_md_escape(_short_cell(cell)) for cell in row.cells]
        if row.differs:
            cells = [f"**{x}**" if cell.ok else x for x, cell in zip(cells, row.cells)]
        lines.append(f"| {row.role} | " + " | ".join(cells) + " |")
    params, macs = zip(*(_total_texts(t) for t in c.totals))
    lines.append("| total params | " + " | ".join(params) + " |")
    lines.append("| total MACs | " + " | ".join(macs) + " |")
    return "\n".join(lines) + "\n"


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "×": r"$\times$",
    "—": "---",
    "✗": "",
}


def latex_escape(text: str) -> str:
    """Escape LaTeX's special characters (and typeset × and —) so any variant name is safe."""
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text).strip()


def comparison_latex(c: Comparison) -> str:
    """A booktabs tabular (needs \\usepackage{booktabs}); differing cells in bold."""
    cols = "l" + "r" * len(c.labels)
    lines = [
        f"\\begin{{tabular}}{{{cols}}}",
        "\\toprule",
        "Layer & " + " & ".join(latex_escape(label) for label in c.labels) + " \\\\",
        "\\midrule",
    ]
    for row in c.rows:
        cells = []
        for cell in row.cells:
            text = latex_escape(_short_cell(cell))
            cells.append(f"\\textbf{{{text}}}" if row.differs and cell.ok else text)
        lines.append(f"{latex_escape(row.role)} & " + " & ".join(cells) + " \\\\")
    lines.append("\\midrule")
    params, macs = zip(*(_total_texts(t) for t in c.totals))
    lines.append("Total params & " + " & ".join(latex_escape(p) for p in params) + " \\\\")
    lines.append("Total MACs & " + " & ".join(latex_escape(m) for m in macs) + " \\\\")
    lines += ["\\bottomrule", "\\end{tabular}"]
    return "\n".join(lines) + "\n"


# --- the URL ----------------------------------------------------------------------------------


def encode_selection(variants: list[Variant] | tuple[Variant, ...]) -> str:
    """Comma-separated tokens: a preset's name when the variant equals that preset, else
    `cfg.` + the Build page's link token (`explorer.share.encode_config`: compact JSON, deflated,
    base64url)."""
    tokens = []
    for variant in variants:
        preset = PRESETS.get(variant.name)
        if preset is not None and preset == variant:
            tokens.append(variant.name)
        else:
            tokens.append(_CONFIG_PREFIX + encode_config(variant))
    return ",".join(tokens)


def _decode_token(position: int, token: str) -> Variant:
    where = f"variant {position} in the link"
    if token in PRESETS:
        return PRESETS[token]
    if not token.startswith(_CONFIG_PREFIX):
        shown = token if len(token) <= 40 else token[:37] + "..."
        raise ShareError(f"{where}: unknown preset {shown!r}; presets are {', '.join(PRESETS)}")
    body = token[len(_CONFIG_PREFIX) :]
    if not body:
        raise ShareError(f"{where}: the config after {_CONFIG_PREFIX!r} is empty")
    try:
        return decode_config(body)
    except SpecError as exc:
        raise ShareError(f"{where}: {exc.error.message}") from None


def decode_selection(text: Any) -> list[Variant]:
    """The variants of a link's comparison; raises `ShareError` for anything stale or hostile."""
    if not isinstance(text, str):
        raise ShareError("the link's comparison must be text")
    if len(text) > MAX_QUERY_CHARS:
        raise ShareError(f"the link's comparison is {len(text):,} characters, over the limit of {MAX_QUERY_CHARS:,}")
    tokens = [t.strip() for t in text.split(",")]
    if any(not t for t in tokens):
        raise ShareError("the link's comparison has an empty entry (two commas in a row?)")
    if not MIN_VARIANTS <= len(tokens) <= MAX_VARIANTS:
        raise ShareError(f"a comparison holds {MIN_VARIANTS} to {MAX_VARIANTS} variants; the link names {len(tokens)}")
    return [_decode_token(k + 1, token) for k, token in enumerate(tokens)]


# --- the same image through each variant ------------------------------------------------------


def spatial_roles(c: Comparison) -> list[str]:
    """Roles whose output is a feature map in at least one valid column (conv and pooling layers)."""
    out = []
    for row in c.rows:
        if row.role == INPUT_ROLE:
            continue
        if any(cell.ok and cell.output is not None and len(cell.output) == 3 for cell in row.cells):
            if any(cell.layer_type in ("conv", "maxpool", "avgpool", "adaptiveavgpool") for cell in row.cells):
                out.append(row.role)
    return out


def role_feature_maps(variant: Variant, x: torch.Tensor, role: str, *, seed: int = 0) -> np.ndarray:
    """The output of layer `role` for input `x` (1, C, H, W), with seeded random weights.

    Builds only the layers up to that role (the classifier's big linear layers are never made).
    Raises ValueError when the variant has no such role or is invalid before it."""
    import torch

    from .build import build_layer

    a = analyse(variant)
    if role not in a.names:
        raise ValueError(f"{variant.name} has no layer {role!r}")
    index = a.names.index(role)
    if index >= len(a.rows):
        raise ValueError(f"{variant.name} is invalid before {role} ({a.error.message if a.error else ''})")
    if tuple(x.shape[1:]) != a.input_shape:
        raise ValueError(
            f"the image is {format_shape(tuple(x.shape[1:]))}, {variant.name} takes {format_shape(a.input_shape)}"
        )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        modules = [build_layer(layer, row.input) for layer, row in zip(variant.layers[: index + 1], a.rows)]
    model = torch.nn.Sequential(*modules).eval()
    with torch.inference_mode():
        out = model(x)
    return out[0].numpy().copy()


def feature_grid(maps: np.ndarray, *, count: int = 16, columns: int = 4, cell: int = 64) -> np.ndarray:
    """The first `count` channels of a (C, H, W) array as one uint8 image: each map scaled to its
    own min–max, enlarged (nearest neighbour) to about `cell` pixels, with 2-pixel white gaps."""
    import numpy as np

    if maps.ndim != 3:
        raise ValueError(f"expected a C×H×W feature map, got shape {maps.shape}")
    chosen = maps[: max(1, count)]
    c, h, w = chosen.shape
    zoom = max(1, cell // max(h, w))
    rows = math.ceil(c / columns)
    cols = min(columns, c)
    gap = 2
    tile_h, tile_w = h * zoom, w * zoom
    grid = np.full((rows * (tile_h + gap) - gap, cols * (tile_w + gap) - gap), 255, dtype=np.uint8)
    for k in range(c):
        m = chosen[k].astype(np.float64)
        lo, hi = float(m.min()), float(m.max())
        scaled = np.zeros_like(m) if hi == lo else (m - lo) / (hi - lo)
        tile = np.repeat(np.repeat((scaled * 255).round().astype(np.uint8), zoom, 0), zoom, 1)
        r, q = divmod(k, cols)
        grid[r * (tile_h + gap) : r * (tile_h + gap) + tile_h, q * (tile_w + gap) : q * (tile_w + gap) + tile_w] = tile
    return grid
