"""Compare 2–4 variants side by side: aligned by layer role, every difference explained in words.

Layers are aligned by their role name (`conv1` … `conv5`, `pool1`/`pool2`/`pool5`, `flatten`,
`fc6` … `fc8`; with `all_layers=True` also `relu1`, `norm1`, `drop6` …). A role missing from one
variant leaves a gap in its column. Each difference between two variants at a role is explained
from the layers' actual fields, with the worked formula (`WorkedFormula.text`) or the parameter
arithmetic. An invalid variant keeps its column: its cells stop at the failing layer ("error"),
later ones are "unreached", and the other variants still compare.

Every explanation and summary point is data (`explorer.i18n.Message`: a key and its numbers),
rendered in the reader's language when it is read, so a comparison computed once serves both.
`summary` gives the 3–6 points a student reads first.

Elsewhere: the downloads (CSV, Markdown, LaTeX) in `explorer.compare_export`, the `?compare=` link
in `explorer.share` (`encode_selection`, `decode_selection`), and the same image through each
variant in `explorer.activations` (`layer_output`) and `explorer.figures_inside` (`feature_grid`),
the Inside page's path. `spatial_roles` here says which roles have feature maps to show.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from fractions import Fraction
from typing import Any

from . import i18n
from .analysis import Analysis, LayerRow, Shape, analyse, format_count, format_shape
from .i18n import N_, Message, _
from .spec import (
    LRN,
    AdaptiveAvgPool,
    Conv,
    Layer,
    Linear,
    Variant,
    _Pool,
)

__all__ = [
    "DEFAULT_SELECTION",
    "INPUT_ROLE",
    "MAX_VARIANTS",
    "MIN_VARIANTS",
    "ROLE_TYPES",
    "AlignedRow",
    "Cell",
    "Comparison",
    "Explanation",
    "Joined",
    "Total",
    "compare",
    "differs_from_reference",
    "render",
    "role_title",
    "spatial_roles",
    "summary",
]

MIN_VARIANTS = 2
MAX_VARIANTS = 4
DEFAULT_SELECTION = ("paper-2012", "torchvision", "keras-seed")
# Layer types that define a role in the aligned table (the rest appear with all_layers=True).
ROLE_TYPES = frozenset({"conv", "maxpool", "avgpool", "adaptiveavgpool", "flatten", "linear"})
INPUT_ROLE = "input"


# --- text as data -----------------------------------------------------------------------------

# Each language's punctuation for joined phrases: "a, b; c" in English, "a，b；c" in Chinese.
_PUNCTUATION = {
    "en": {", ": ", ", "; ": "; ", "list": ", ", ": ": ": ", " — ": " — "},
    "zh": {", ": "，", "; ": "；", "list": "、", ": ": "：", " — ": " —— "},
}


def render(text: object, lang: str | None = None) -> str:
    """A Message (or plain text: formulas, names) as text in `lang` (default: the current language)."""
    return text.render(lang) if isinstance(text, Message) else str(text)


class Joined(Message):
    """Phrases joined with the reader's punctuation (`sep`: ", ", "; ", ": ", " — ", "list"; any
    other separator, such as " / ", is the same in every language).

    A Message itself, so it nests as a parameter of another Message and renders in the same language.
    """

    def __init__(self, *parts: object, sep: str = ", ") -> None:
        object.__setattr__(self, "key", sep)
        object.__setattr__(self, "params", tuple((str(k), p) for k, p in enumerate(parts)))

    @property
    def parts(self) -> tuple[object, ...]:
        return tuple(part for _key, part in self.params)

    def render(self, lang: str | None = None) -> str:
        lang = lang or i18n.language()
        sep = _PUNCTUATION.get(lang, _PUNCTUATION["en"]).get(self.key, self.key)
        return sep.join(render(p, lang) for p in self.parts)


Text = Message | str  # what a phrase of an explanation is: words as data, or a formula as written


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
        """The output shape, or what stands in its place, in the current language."""
        if self.status == "ok":
            return format_shape(self.output or ())
        if self.status == "absent":
            return "—"
        return _("✗ error") if self.status == "error" else _("not reached")


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


# The explanations' role ids that are words, not layer names: shown translated (role_title).
_ROLE_WORDS = {
    "input": N_("input"),
    "total": N_("total"),
    "dropout": N_("dropout"),
    "tanh": N_("tanh"),
    "sigmoid": N_("sigmoid"),
    "batch norm": N_("batch norm"),
}


def role_title(role: str) -> str:
    """An explanation's role as a heading: layer names (conv1, LRN) as they are, words translated."""
    return _(_ROLE_WORDS[role]) if role in _ROLE_WORDS else role


@dataclass(frozen=True)
class Explanation:
    """One difference, as data: `text` renders like "conv1: 55 vs 54 — padding 2 vs 0 at 224: …".

    `headline` and `reasons` are Messages (or formulas as text), rendered in the reader's language.
    """

    role: str  # a layer's name, or one of the ids "input", "total", "LRN", "dropout" …
    labels: tuple[str, ...]  # the variants it is about, in comparison order
    headline: Text
    reasons: tuple[Text, ...] = ()

    @property
    def body(self) -> str:
        """The headline and its reasons, without the role, in the current language."""
        if not self.reasons:
            return render(self.headline)
        return render(Joined(self.headline, Joined(*self.reasons, sep="; "), sep=" — "))

    @property
    def text(self) -> str:
        return render(Joined(role_title(self.role), self.body, sep=": "))


@dataclass(frozen=True)
class Total:
    label: str
    params: int | None  # None for an invalid variant
    macs: int | None
    params_ratio: float | None  # to the reference (first valid) variant
    macs_ratio: float | None
    error: Text | None = None  # the engine's message for an invalid variant


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
            totals.append(Total(label, None, None, None, None, a.error.message if a.error else ""))
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
# Every phrase is a Message (a key and its numbers), so a comparison computed once renders in each
# reader's language; the arithmetic (23,296 = 64·3·11² + 64) and the formulas are parameters.

_POOL_WORDS = {"maxpool": N_("max pooling"), "avgpool": N_("average pooling")}


def _num(value: Any) -> Any:
    if isinstance(value, bool):
        return Message("yes") if value else Message("no")
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _hw(shape: Shape) -> str:
    return str(shape[1]) if shape[1] == shape[2] else f"{shape[1]}×{shape[2]}"


def _ratio_words(a: int, b: int) -> Message | None:
    if a == 0 or b == 0:
        return None
    r = Fraction(a, b)
    if r == Fraction(1, 2):
        return Message("half the weights")
    if r == 2:
        return Message("twice the weights")
    return None


def _bias_count(layer: Layer) -> int:
    if isinstance(layer, Conv) and layer.bias:
        return layer.out_channels
    if isinstance(layer, Linear) and layer.bias:
        return layer.out_features
    return 0


def _colon(head: Text, detail: Text) -> Joined:
    return Joined(head, detail, sep=": ")


def _describe_layer(layer: Layer, row: LayerRow | None) -> Text:
    what: Text
    if isinstance(layer, Conv):
        what = Message(
            "conv {k}×{k}, stride {stride}, padding {padding}, {filters} filters",
            k=layer.kernel,
            stride=layer.stride,
            padding=layer.padding,
            filters=layer.out_channels,
        )
        if layer.groups > 1:
            what = Joined(what, Message("groups {groups}", groups=layer.groups))
    elif isinstance(layer, _Pool):
        parts: list[Text] = [
            Message(
                "{pooling} {k}×{k}, stride {stride}",
                pooling=Message(_POOL_WORDS[layer.type]),
                k=layer.kernel,
                stride=layer.effective_stride,
            )
        ]
        if layer.padding:
            parts.append(Message("padding {padding}", padding=layer.padding))
        if layer.ceil_mode:
            parts.append(Message("rounding up"))
        what = Joined(*parts)
    elif isinstance(layer, AdaptiveAvgPool):
        what = Message("adaptive average pooling to {size}×{size}", size=layer.size)
    elif isinstance(layer, Linear):
        what = Message("linear") if row is not None else Message("linear to {n:,} features", n=layer.out_features)
    elif isinstance(layer, LRN):
        what = Message(
            "LRN (size {size}, α {alpha:g}, β {beta:g}, k {k:g})",
            size=layer.size,
            alpha=layer.alpha,
            beta=layer.beta,
            k=layer.k,
        )
    else:
        what = layer.type
    if row is None:
        return what
    shapes: Text = _colon(what, f"{format_shape(row.input)} → {format_shape(row.output)}")
    if row.params:
        shapes = Joined(shapes, Message("{n:,} params", n=row.params))
    return shapes


# Layers outside the role rows: the word for each kind (N_: rendered later), and what it does.
_KIND_WORDS = {
    "lrn": N_("LRN"),
    "relu": N_("ReLU"),
    "dropout": N_("dropout"),
    "tanh": N_("tanh"),
    "sigmoid": N_("sigmoid"),
    "batchnorm": N_("batch norm"),
}
_EXTRA_NOTES = {
    "adaptiveavgpool": N_("it forces a fixed map size, so any input size reaches the classifier with the same width"),
    "lrn": N_("no parameters and the shape is unchanged, so it changes no count here, only the values"),
    "relu": N_("no parameters and the shape is unchanged; without it the two layers around it compose linearly"),
    "tanh": N_("no parameters and the shape is unchanged"),
    "sigmoid": N_("no parameters and the shape is unchanged"),
    "dropout": N_("active only in training; no parameters and the shape is unchanged"),
    "batchnorm": N_("2 parameters per channel (scale and shift)"),
    "flatten": N_("turns the C×H×W map into one vector"),
}
# A config field that differs, in words ("alpha 0.0001 vs 2e-05"); other fields keep their names.
_FIELD_DIFFS = {
    "size": N_("size {a} vs {b}"),
    "alpha": N_("alpha {a} vs {b}"),
    "beta": N_("beta {a} vs {b}"),
    "k": N_("k {a} vs {b}"),
    "p": N_("p {a} vs {b}"),
    "bias": N_("bias {a} vs {b}"),
    "kernel": N_("kernel {a} vs {b}"),
    "stride": N_("stride {a} vs {b}"),
    "padding": N_("padding {a} vs {b}"),
    "dilation": N_("dilation {a} vs {b}"),
}


def _field_diff(name: str, a: Any, b: Any) -> Message:
    key = _FIELD_DIFFS.get(name)
    if key is None:
        return Message("{field} {a} vs {b}", field=name, a=_num(a), b=_num(b))
    return Message(key, a=_num(a), b=_num(b))


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


def _formula_pair(a: LayerRow, b: LayerRow) -> Text:
    fa, fb = a.formulas, b.formulas
    if len(fa) == 1 and len(fb) == 1:
        return f"{fa[0][1].text} vs {fb[0][1].text}"
    return Joined(
        *(
            f"{axis}: {x.text} vs {y.text}"
            for axis, x, y in (("H", a.formula_h, b.formula_h), ("W", a.formula_w, b.formula_w))
        ),
        sep="; ",
    )


def _spatial_reason(first: bool, a: LayerRow, b: LayerRow, la: Layer, lb: Layer) -> Text | None:
    """Why a conv/pool gives the sizes it does, when anything in its formula differs."""
    fa, fb = a.formula_h, b.formula_h
    if fa is None or fb is None:
        return None
    if (a.input[1:], la) == (b.input[1:], lb) or (
        (fa, a.formula_w) == (fb, b.formula_w) and a.input[1:] == b.input[1:]
    ):
        return None
    parts: list[Text] = []
    size_differs = a.input[1:] != b.input[1:]
    if size_differs:
        sizes = {"a": _hw(a.input), "b": _hw(b.input)}
        parts.append(Message("input {a} vs {b}", **sizes) if first else Message("arrives {a} vs {b}", **sizes))
    for name in ("kernel", "stride", "padding", "dilation"):
        va, vb = getattr(fa, name), getattr(fb, name)
        if va != vb:
            parts.append(_field_diff(name, va, vb))
    if fa.ceil_mode != fb.ceil_mode:
        parts.append(Message("rounding up vs down") if fa.ceil_mode else Message("rounding down vs up"))
    if not parts:
        return None
    head: Text = Joined(*parts)
    if not size_differs:
        head = Message("{what} at {size}", what=head, size=_hw(a.input))
    return _colon(head, _formula_pair(a, b))


def _pair(role: str, first_spatial: bool, la: str, lb: str, ca: Cell, cb: Cell) -> Explanation | None:
    """Explain one role between two variants whose cells are both ok."""
    ra, rb = ca.row, cb.row
    xa, xb = ca.layer, cb.layer
    assert ra is not None and rb is not None and xa is not None and xb is not None
    if ra.output == rb.output and ra.params == rb.params and ra.macs == rb.macs and xa == xb and ra.input == rb.input:
        return None
    head: list[Text] = []
    reasons: list[Text] = []
    spatial = len(ra.output) == 3 and len(rb.output) == 3
    if spatial and ra.output[1:] != rb.output[1:]:
        head.append(f"{_hw(ra.output)} vs {_hw(rb.output)}")
    if ra.output[0] != rb.output[0]:
        head.append(
            Message("{a:,} vs {b:,} channels", a=ra.output[0], b=rb.output[0])
            if spatial
            else Message("{a:,} vs {b:,} features", a=ra.output[0], b=rb.output[0])
        )
    if ra.params != rb.params:
        short_a, short_b = format_count(ra.params), format_count(rb.params)
        if short_a == short_b:
            short_a, short_b = f"{ra.params:,}", f"{rb.params:,}"
        wa, wb = ra.params - _bias_count(xa), rb.params - _bias_count(xb)  # weights alone, for "half"
        words = _ratio_words(wa, wb)
        head.append(
            Message("{words} ({a} vs {b} params)", words=words, a=short_a, b=short_b)
            if words
            else Message("{a} vs {b} params", a=short_a, b=short_b)
        )

    if xa.type != xb.type:
        reasons.append(
            Message(
                "{a} vs {b}",
                a=Message(_POOL_WORDS[xa.type]) if xa.type in _POOL_WORDS else xa.type,
                b=Message(_POOL_WORDS[xb.type]) if xb.type in _POOL_WORDS else xb.type,
            )
        )

    if isinstance(xa, Conv) and isinstance(xb, Conv):
        if ra.input[0] != rb.input[0]:
            rgb = first_spatial and {ra.input[0], rb.input[0]} == {1, 3}
            reasons.append(
                Message("{a} vs {b} input channels (RGB vs grayscale)", a=ra.input[0], b=rb.input[0])
                if rgb
                else Message("{a} vs {b} input channels", a=ra.input[0], b=rb.input[0])
            )
        spatial_reason = _spatial_reason(first_spatial, ra, rb, xa, xb)
        if spatial_reason:
            reasons.append(spatial_reason)
        if ra.params != rb.params:
            causes: list[Text] = []
            if xa.groups != xb.groups:
                two = max(xa.groups, xb.groups) == 2
                causes.append(
                    Message("groups {a} vs {b} (two GPUs)", a=xa.groups, b=xb.groups)
                    if two
                    else Message("groups {a} vs {b}", a=xa.groups, b=xb.groups)
                )
            if xa.out_channels != xb.out_channels:
                causes.append(Message("{a} vs {b} filters", a=xa.out_channels, b=xb.out_channels))
            if xa.kernel != xb.kernel:
                causes.append(_field_diff("kernel", xa.kernel, xb.kernel))
            if xa.bias != xb.bias:
                causes.append(_field_diff("bias", xa.bias, xb.bias))
            arithmetic = f"{_conv_param_expr(xa, ra)} vs {_conv_param_expr(xb, rb)}"
            reasons.append(_colon(Joined(*causes), arithmetic) if causes else arithmetic)
    elif isinstance(xa, _Pool) and isinstance(xb, _Pool):
        spatial_reason = _spatial_reason(first_spatial, ra, rb, xa, xb)
        if spatial_reason:
            reasons.append(spatial_reason)
        if ra.input[0] != rb.input[0]:
            reasons.append(Message("pooling keeps the {a} vs {b} channels that arrive", a=ra.input[0], b=rb.input[0]))
    elif isinstance(xa, AdaptiveAvgPool) and isinstance(xb, AdaptiveAvgPool):
        if xa.size != xb.size:
            reasons.append(Message("target size {a} vs {b}", a=xa.size, b=xb.size))
        elif ra.input != rb.input:
            reasons.append(
                Message(
                    "arrives {a} vs {b}, pooled to {size}×{size} in both",
                    a=format_shape(ra.input),
                    b=format_shape(rb.input),
                    size=xa.size,
                )
            )
    elif xa.type == "flatten" and xb.type == "flatten" and ra.output != rb.output:
        ia, ib = ra.input, rb.input
        if len(ia) == 3 and len(ib) == 3:
            reasons.append(f"{ia[0]}·{ia[1]}·{ia[2]} = {ra.output[0]:,} vs {ib[0]}·{ib[1]}·{ib[2]} = {rb.output[0]:,}")
    elif isinstance(xa, Linear) and isinstance(xb, Linear):
        causes = []
        if ra.input[0] != rb.input[0]:
            causes.append(Message("{a} vs {b} inputs", a=ra.input[0], b=rb.input[0]))
        if xa.out_features != xb.out_features:
            causes.append(Message("{a} vs {b} outputs", a=xa.out_features, b=xb.out_features))
        if xa.bias != xb.bias:
            causes.append(_field_diff("bias", xa.bias, xb.bias))
        if ra.params != rb.params:
            arithmetic = f"{_linear_param_expr(xa, ra)} vs {_linear_param_expr(xb, rb)}"
            reasons.append(_colon(Joined(*causes), arithmetic) if causes else arithmetic)
    else:  # LRN, dropout, activations, batch norm: compare their fields
        if type(xa) is type(xb):
            for f in fields(xa):
                va, vb = getattr(xa, f.name), getattr(xb, f.name)
                if va != vb:
                    reasons.append(_field_diff(f.name, va, vb))
            if reasons and ra.output == rb.output and ra.params == rb.params:
                head.append(Message("same shape and count, different values"))
        if ra.input != rb.input and not head:
            head.append(f"{format_shape(ra.output)} vs {format_shape(rb.output)}")
            reasons.append(Message("arrives {a} vs {b}", a=format_shape(ra.input), b=format_shape(rb.input)))

    if ra.macs != rb.macs and ra.params == rb.params and ra.macs and rb.macs:
        if spatial:
            reasons.append(
                Message(
                    "same weights at {a} vs {b} positions: {ma:,} vs {mb:,} MACs",
                    a=_hw(ra.output),
                    b=_hw(rb.output),
                    ma=ra.macs,
                    mb=rb.macs,
                )
            )
        else:
            reasons.append(Message("{a:,} vs {b:,} MACs", a=ra.macs, b=rb.macs))
    if not head:
        if spatial and ra.output == rb.output and reasons:
            head.append(Message("both {size}", size=_hw(ra.output)))
        elif not reasons:
            return None
        else:
            head.append(Message("configured differently"))
    return Explanation(role, (la, lb), Joined(*head), tuple(reasons))


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
            fix = Message("fix: {fix}", fix=a.error.fix) if a.error.fix else None
            out.append(
                Explanation(
                    where,
                    (label,),
                    Message("{label} is invalid here, so its column stops", label=label),
                    tuple(x for x in (a.error.message, a.error.arithmetic, fix) if x),
                )
            )

    # the input
    ins = [a.variant.input for a in analyses]
    for i in range(n):
        for j in range(i + 1, n):
            a, b = ins[i], ins[j]
            if a == b:
                continue
            reasons: list[Text] = []
            if (a.height, a.width) != (b.height, b.width):
                reasons.append(Message("{a} vs {b} pixels", a=f"{a.height}×{a.width}", b=f"{b.height}×{b.width}"))
            if a.channels != b.channels:
                reasons.append(
                    Message("{a:,} vs {b:,} channels (RGB vs grayscale)", a=a.channels, b=b.channels)
                    if {a.channels, b.channels} == {1, 3}
                    else Message("{a:,} vs {b:,} channels", a=a.channels, b=b.channels)
                )
            shape_a = format_shape((a.channels, a.height, a.width))
            shape_b = format_shape((b.channels, b.height, b.width))
            out.append(Explanation(INPUT_ROLE, (labels[i], labels[j]), f"{shape_a} vs {shape_b}", tuple(reasons)))

    # role by role
    first_conv = next(
        (r.role for r in rows if r.role != INPUT_ROLE and any(c.layer_type == "conv" for c in r.cells)), None
    )
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
            head = Message(
                "only in {present}, not in {absent}",
                present=Joined(*(labels[k] for k in present), sep="list"),
                absent=Joined(*(labels[k] for k in absent), sep="list"),
            )
            reasons_: tuple[Text, ...] = (reason, Message(note)) if note else (reason,)
            out.append(Explanation(row.role, tuple(labels[k] for k in present), head, reasons_))
        first_spatial = row.role == first_conv
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
            total_head = Message(
                "{pa:,} vs {pb:,} params ({ratio:.3f}×), {ma:,} vs {mb:,} MACs",
                pa=ref.total_params,
                pb=a.total_params,
                ratio=a.total_params / ref.total_params,
                ma=ref.total_macs,
                mb=a.total_macs,
            )
            deltas = []
            for row in rows:
                ca, cb = row.cells[reference], row.cells[k]
                pa = (ca.params or 0) if ca.ok else 0
                pb = (cb.params or 0) if cb.ok else 0
                if pa != pb:
                    ta: Text = f"{pa:,}" if ca.ok else Message("no layer")
                    tb: Text = f"{pb:,}" if cb.ok else Message("no layer")
                    deltas.append((abs(pb - pa), row.role, ta, tb))
            total_reasons: tuple[Text, ...] = ()
            if deltas:
                _gap, role, ta, tb = max(deltas, key=lambda d: (d[0], d[1]))
                total_reasons = (Message("largest difference at {role}: {a} vs {b} params", role=role, a=ta, b=tb),)
            out.append(Explanation("total", (labels[reference], labels[k]), total_head, total_reasons))
    return out


_DROP_NOWHERE = Message("nowhere")
_DROP_AFTER = Message("after the ReLU (fc → relu → drop, Caffe's order)")
_DROP_BEFORE = Message("before the linear layer (drop → fc, torchvision's order)")


def _dropout_place(a: Analysis) -> Message:
    """Where a variant's dropouts sit: Caffe's order (fc → relu → drop) or torchvision's (drop → fc).

    The first dropout tells them apart: after the first linear's activation, or before that linear.
    """
    layers = a.variant.layers
    first = next((j for j, layer in enumerate(layers) if layer.type == "dropout"), None)
    if first is None:
        return _DROP_NOWHERE
    if (
        first > 0
        and layers[first - 1].type in ("relu", "tanh", "sigmoid")
        and any(layer.type == "linear" for layer in layers[:first])
    ):
        return _DROP_AFTER
    return _DROP_BEFORE


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
        word = _KIND_WORDS.get(kind, kind)  # the explanation's role: an id ("dropout"), shown translated
        note = _EXTRA_NOTES.get(kind)
        for i in range(n):
            for j in range(i + 1, n):
                ni = [name for name, layer in per[i].items() if layer.type == kind]
                nj = [name for name, layer in per[j].items() if layer.type == kind]
                for name in (x for x in ni if x in nj and per[i][x] != per[j][x]):
                    xa, xb = per[i][name], per[j][name]
                    diffs = tuple(
                        _field_diff(f.name, getattr(xa, f.name), getattr(xb, f.name))
                        for f in fields(xa)
                        if getattr(xa, f.name) != getattr(xb, f.name)
                    )
                    out.append(
                        Explanation(
                            name, (labels[i], labels[j]), Message("same shape and count, different values"), diffs
                        )
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
                                Message(
                                    "the same dropout ({names}), {where_a} in {a} vs {where_b} in {b}",
                                    names=Joined(*ni),
                                    where_a=where_i,
                                    a=labels[i],
                                    where_b=where_j,
                                    b=labels[j],
                                ),
                                (
                                    Message(
                                        "the same regularisation either way: no parameters, the shape unchanged, "
                                        "active only in training"
                                    ),
                                ),
                            )
                        )
                if not only_i and not only_j:
                    continue
                parts: list[Text] = []
                for only, mine, other, theirs in (
                    (only_i, labels[i], labels[j], nj),
                    (only_j, labels[j], labels[i], ni),
                ):
                    if only:
                        names = Joined(*only)
                        parts.append(
                            Message("{names} only in {mine}", names=names, mine=mine)
                            if theirs
                            else Message(
                                "{names} only in {mine} ({other} has no {word})",
                                names=names,
                                mine=mine,
                                other=other,
                                word=Message(word) if kind in _KIND_WORDS else word,
                            )
                        )
                out.append(
                    Explanation(
                        word, (labels[i], labels[j]), Joined(*parts, sep="; "), (Message(note),) if note else ()
                    )
                )
    return out


# --- the short summary ------------------------------------------------------------------------


def differs_from_reference(c: Comparison, row: AlignedRow, k: int) -> set[str]:
    """Which of "output", "params", "MACs" of variant k at this row differ from the reference
    variant (the first valid one, else the first). Empty for the reference itself and for cells
    that cannot be compared (an error, a layer not reached)."""
    ref = c.reference if c.reference is not None else 0
    a, b = row.cells[ref], row.cells[k]
    if k == ref or a.status not in ("ok", "absent") or b.status not in ("ok", "absent"):
        return set()
    # a missing layer differs in its output; its parameters and MACs count as 0 (a pool's 0 is no difference)
    return {
        what
        for what, x, y in (
            ("output", (a.status, a.output), (b.status, b.output)),
            ("params", a.params or 0, b.params or 0),
            ("MACs", a.macs or 0, b.macs or 0),
        )
        if x != y
    }


def _values(values: list[Text]) -> Joined:
    return Joined(*values, sep=" / ")


def _spatial_point(c: Comparison) -> Message | None:
    """Where the maps' sizes first part, and what reaches the classifier."""
    valid = [k for k, a in enumerate(c.analyses) if a.valid]

    def hw(cell: Cell) -> str:
        return _hw(cell.output) if cell.ok and cell.output is not None and len(cell.output) == 3 else "—"

    first = None
    for row in c.rows:
        sizes = [hw(row.cells[k]) for k in valid]
        if row.role != INPUT_ROLE and len({x for x in sizes if x != "—"}) > 1:
            first = row
            break
    if first is None:
        return None
    firsts = _values([hw(cell) for cell in first.cells])
    flat = next((r for r in c.rows if sum(cell.ok and cell.layer_type == "flatten" for cell in r.cells) >= 2), None)
    if flat is None:
        return Message("Map sizes part at {first}: {sizes}.", first=first.role, sizes=firsts)

    def arriving(cell: Cell) -> str:
        return format_shape(cell.row.input) if cell.ok and cell.row is not None else "—"

    return Message(
        "Map sizes part at {first} ({sizes}) and stay apart: {flatten} gets {maps}, "
        "so the classifier sees {features} features.",
        first=first.role,
        sizes=firsts,
        flatten=flat.role,
        maps=_values([arriving(cell) for cell in flat.cells]),
        features=_values([f"{cell.output[0]:,}" if cell.ok and cell.output else "—" for cell in flat.cells]),
    )


def _largest_gap(c: Comparison, what: str) -> tuple[str, list[Text]] | None:
    """The role where params (or MACs) differ most between the valid variants."""
    best: tuple[int, str, list[Text]] | None = None
    for row in c.rows:
        got = [getattr(cell, what) if cell.ok else None for cell, a in zip(row.cells, c.analyses) if a.valid]
        numbers = [x or 0 for x in got]
        if len(numbers) < 2:
            continue
        gap = max(numbers) - min(numbers)
        if gap and (best is None or gap > best[0]):
            shown: list[Text] = [format_count(_cell_value(cell, what)) if cell.ok else "—" for cell in row.cells]
            best = (gap, row.role, shown)
    return None if best is None else (best[1], best[2])


def _cell_value(cell: Cell, what: str) -> int:
    return int(getattr(cell, what) or 0)


def _totals_point(c: Comparison, what: str) -> Message:
    ref = c.labels[c.reference] if c.reference is not None else None
    totals = [t.params if what == "params" else t.macs for t in c.totals]
    ratios = [t.params_ratio if what == "params" else t.macs_ratio for t in c.totals]
    exact = what == "params"
    shown = _values([("—" if v is None else f"{v:,}" if exact else format_count(v)) for v in totals])
    ratio_text = _values(["—" if r is None else f"{r:.3f}×" for r in ratios])
    gap = _largest_gap(c, what)
    if ref is None:
        return (
            Message("Parameters: {totals}.", totals=shown)
            if exact
            else Message("Compute: {totals} MACs.", totals=shown)
        )
    known = [v for v in totals if v is not None]
    if len(known) >= 2 and len(set(known)) == 1:
        return (
            Message("Parameters: the same {total:,} in every valid variant.", total=totals[c.reference or 0])
            if exact
            else Message("Compute: the same {total:,} MACs in every valid variant.", total=totals[c.reference or 0])
        )
    if exact:
        main = Message("Parameters: {totals} ({ratios} of {ref}).", totals=shown, ratios=ratio_text, ref=ref)
    else:
        main = Message("Compute: {totals} MACs ({ratios} of {ref}).", totals=shown, ratios=ratio_text, ref=ref)
    if gap is None:
        return main
    role, values = gap
    return Message("{point} The largest gap is at {role}: {values}.", point=main, role=role, values=_values(values))


def _presence_point(c: Comparison) -> Message | None:
    """Layers that only some variants have (gaps in the table, and LRN, batch norm, dropout)."""
    groups: dict[tuple[str, ...], list[Text]] = {}
    for row in c.rows:
        present = tuple(c.labels[k] for k, cell in enumerate(row.cells) if cell.status != "absent")
        if row.role != INPUT_ROLE and 0 < len(present) < len(c.labels):
            groups.setdefault(present, []).append(row.role)
    for kind in ("lrn", "batchnorm", "dropout"):
        holders = tuple(
            c.labels[k] for k, a in enumerate(c.analyses) if any(layer.type == kind for layer in a.variant.layers)
        )
        if 0 < len(holders) < len(c.labels):
            groups.setdefault(holders, []).append(Message(_KIND_WORDS[kind]))
    if not groups:
        return None
    items = [
        Message(
            "{layers} in {variants}",
            layers=Joined(*layers[:4], *(["…"] if len(layers) > 4 else []), sep="list"),
            variants=Joined(*holders, sep="list"),
        )
        for holders, layers in list(groups.items())[:4]
    ]
    return Message("Layers only some have: {items}.", items=Joined(*items, sep="; "))


def _width_point(c: Comparison) -> Message | None:
    """Channel and feature counts that differ (conv filters, fc widths, classes)."""
    items: list[Text] = []
    for row in c.rows:
        cells = [cell for cell in row.cells if cell.ok and cell.layer_type in ("conv", "linear")]
        widths = {cell.output[0] for cell in cells if cell.output}
        if len(cells) >= 2 and len(widths) > 1:
            values = _values([f"{cell.output[0]:,}" if cell.ok and cell.output else "—" for cell in row.cells])
            items.append(Joined(row.role, values, sep=" "))
    if not items:
        return None
    more = len(items) > 4
    return Message("Widths differ: {items}{more}.", items=Joined(*items[:4], sep="; "), more=" …" if more else "")


def _dropout_point(c: Comparison) -> Message | None:
    """Where dropout sits (Caffe's fc → relu → drop or torchvision's drop → fc), the variants grouped."""
    groups: dict[Message, list[str]] = {}
    for a, label in zip(c.analyses, c.labels):
        place = _dropout_place(a)
        if place != _DROP_NOWHERE:
            groups.setdefault(place, []).append(label)
    if len(groups) < 2:
        return None
    return Message(
        "Dropout sits in different places — {places}. The same regularisation either way: no parameters, "
        "no change in shape.",
        places=Joined(
            *(
                Message("{where} in {variants}", where=place, variants=Joined(*labels, sep="list"))
                for place, labels in groups.items()
            ),
            sep="; ",
        ),
    )


def summary(c: Comparison) -> tuple[Message, ...]:
    """What a student reads first: 3–6 points on what differs and what it does to shapes,
    parameters and compute, with the numbers (per variant, in the comparison's order)."""
    head: list[Message] = []
    for a, label in zip(c.analyses, c.labels):
        if a.error is not None:
            where = a.names[a.error.layer] if a.error.layer is not None and a.error.layer < len(a.names) else "input"
            head.append(
                Message(
                    "{label} is invalid at {layer}: {message}",
                    label=label,
                    layer=role_title(where),
                    message=a.error.message,
                )
            )
    head = head[:2]
    inputs = [a.variant.input for a in c.analyses]
    shapes = _values([format_shape((i.channels, i.height, i.width)) for i in inputs])
    spatial = _spatial_point(c)
    if len(set(inputs)) > 1 and spatial is None and len(c.rows) > 1:
        # different inputs, the same map sizes: padding or the pooling's rounding absorbs the difference
        head.append(
            Message(
                "Inputs: {shapes}; yet every map from {first} on has the same size in all of them.",
                shapes=shapes,
                first=c.rows[1].role,
            )
        )
    elif len(set(inputs)) > 1:
        head.append(Message("Inputs: {shapes}.", shapes=shapes))
    if spatial is not None:
        head.append(spatial)
    counts = [_totals_point(c, "params"), _totals_point(c, "macs")]
    tail = [p for p in (_presence_point(c), _dropout_point(c), _width_point(c)) if p is not None]
    room = 6 - len(counts)
    points = (head + tail)[:room]
    ordered = [p for p in points if p in head] + counts + [p for p in points if p not in head]
    if len(ordered) < 3:
        configured = sorted({e.role for e in c.explanations if e.role != "total"}, key=str)
        if configured:
            ordered.append(
                Message(
                    "Configured differently, with the same shapes: {layers} (see every difference below).",
                    layers=Joined(*(role_title(r) for r in configured[:6]), sep="list"),
                )
            )
        else:
            ordered.append(Message("Layer for layer the same: every shape, parameter and MAC agrees."))
    return tuple(ordered)


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
