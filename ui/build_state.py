"""The Build page's state: one canonical variant, and every widget generated from one table of fields.

The single source of truth is `st.session_state["variant"]` (the `Variant` every page reads).
Everything else is either a UI choice that is not part of the variant (`_base`: the preset that
changes are measured against; `_edit`: the conv block whose controls are shown; `_json_draft`:
JSON typed but not applied) or is computed from the variant on each run (the `Design`, the URL,
the widgets' values).

Rules, each one a bug that was hit in class:
- The variant changes only in `on_change`/`on_click` callbacks, each guarded (`ui.callback`), and
  each commits a whole new variant at its end, so a failing callback changes nothing.
- Before a widget is drawn its value is written from the variant (`_sync`); a widget never holds a
  value the variant does not have, so there is nothing to reconcile after a page change.
- A value that comes back from the browser is checked before use (`Field.clean`): a selectbox can
  send back display text that is no longer an option; that is ignored, never indexed with.
- Choices are identified by stable ids (block indexes, preset names, option names) and rendered
  with `format_func`; no label embeds a value that changes.
- Widget ranges are the engine's own limits (`explorer.spec.MAX_INT`), so a value from JSON or a
  link is shown as it is, never clamped by a widget.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from explorer.blocks import ACTIVATIONS, ConvBlock, Design, ResBlock, default_block, design_from_variant
from explorer.i18n import N_, _, language, using
from explorer.presets import DEFAULT_PRESET, PRESETS
from explorer.share import decode_query
from explorer.spec import (
    LRN,
    MAX_INT,
    AvgPool,
    MaxPool,
    SpecError,
    Variant,
    variant_from_json,
    variant_to_json,
)

from . import callback, md, notify, sync_widget

__all__ = [
    "BASE",
    "BLOCK_FIELDS",
    "DESIGN_FIELDS",
    "EDIT",
    "MAX_BLOCKS",
    "POOL_KINDS",
    "RES_FIELDS",
    "Field",
    "block_widget",
    "sync_widget",
    "design_of",
    "design_widget",
    "edit_index",
    "init_state",
    "in_language",
    "option_label",
    "variant",
]

VARIANT = "variant"
BASE = "_base"
EDIT = "_edit"
DRAFT = "_json_draft"
JSON_ERROR = "_json_error"
MAX_BLOCKS = 12
POOL_KINDS: dict[str, type[MaxPool] | type[AvgPool] | None] = {"none": None, "max": MaxPool, "avg": AvgPool}
# How the choice ids (pool kinds, activations) are shown; ids not here are shown as they are.
OPTION_LABELS = {"none": N_("none"), "max": N_("max"), "avg": N_("avg")}


def option_label(option: Any) -> str:
    """A selectbox option id as a reader sees it, in the current language (format_func)."""
    label = OPTION_LABELS.get(option) if isinstance(option, str) else None
    return _(label) if label is not None else str(option)


def in_language(format_func: Callable[[Any], str]) -> Callable[[Any], str]:
    """`format_func` bound to this run's language: Streamlit (and AppTest) may call it outside the
    script's thread, where the language is not set, and the labels must match the options drawn."""
    lang = language()

    def formatted(option: Any) -> str:
        with using(lang):
            return format_func(option)

    return formatted


# --- the canonical variant ----------------------------------------------------------------------


def variant() -> Variant:
    return st.session_state[VARIANT]


@functools.lru_cache(maxsize=512)
def design_of(v: Variant) -> Design | None:
    """The slider view of a variant (computed, never stored; cached because Variant is hashable)."""
    return design_from_variant(v)


def _commit(v: Variant) -> None:
    st.session_state[VARIANT] = v


def _commit_design(design: Design) -> None:
    _commit(design.to_variant())


def init_state() -> None:
    """The first run of a session takes the variant from the link, else the default preset."""
    ss = st.session_state
    if isinstance(ss.get(VARIANT), Variant) and isinstance(ss.get(BASE), str) and ss[BASE] in PRESETS:
        return
    v, notice = decode_query(st.query_params.to_dict())
    if notice:
        notify("warning", _("🔗 {notice} Showing the default variant instead.", notice=md(notice)))
    if not isinstance(v, Variant):
        v = ss.get(VARIANT) if isinstance(ss.get(VARIANT), Variant) else PRESETS[DEFAULT_PRESET]
    _commit(v)
    ss[BASE] = v.name if v.name in PRESETS else DEFAULT_PRESET
    ss[EDIT] = 0


def edit_index(design: Design) -> int:
    """The shown block, always a valid index (or 0 when there is no block)."""
    i = st.session_state.get(EDIT, 0)
    return min(max(i, 0), len(design.blocks) - 1) if isinstance(i, int) and design.blocks else 0


# --- one table of fields --------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One widget: its key, kind, limits and how it reads and writes the design."""

    name: str
    label: str
    kind: str  # "int", "float", "bool" or "choice"
    widget: str  # "number", "slider", "checkbox", "selectbox" or "radio"
    get: Callable[..., Any]
    set: Callable[..., Any]
    lo: float = 0
    hi: float = MAX_INT
    usual_hi: float | None = None  # a slider's usual top; widened to the value when a config goes past it
    step: float | None = None
    options: Callable[..., list[Any]] | None = None
    format: str | None = None
    help: str | None = None  # an English key, like `label`: both are shown translated

    def clean(self, value: Any, options: list[Any] | None = None) -> Any:
        """The value if it is one this field can take, else None (stale or foreign browser values)."""
        if self.kind == "bool":
            return value if isinstance(value, bool) else None
        if self.kind == "choice":
            # the type too: True == 1, and a stale label is a str where the options are ints
            return value if any(value == o and type(value) is type(o) for o in options or ()) else None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        if self.kind == "int":
            if isinstance(value, float) and not value.is_integer():
                return None
            value = int(value)
        else:
            value = float(value)
            if value != value:  # NaN
                return None
        return value if self.lo <= value <= self.hi else None


def _conv(block: ConvBlock, **changes: Any) -> ConvBlock:
    return dataclasses.replace(block, conv=block.conv.replace(**changes))


def _lrn(block: ConvBlock, **changes: Any) -> ConvBlock:
    return dataclasses.replace(block, lrn=block.lrn.replace(**changes)) if block.lrn is not None else block


def _pool_kind(block: ConvBlock, kind: str) -> ConvBlock:
    cls = POOL_KINDS[kind]
    old = block.pool
    if cls is None:
        return dataclasses.replace(block, pool=None)
    if old is None:
        return dataclasses.replace(block, pool=cls(3, 2))
    return dataclasses.replace(block, pool=cls(old.kernel, old.stride, old.padding, old.ceil_mode))


def _pool(block: ConvBlock, **changes: Any) -> ConvBlock:
    return dataclasses.replace(block, pool=block.pool.replace(**changes)) if block.pool is not None else block


_DEFAULT_LRN = LRN()

GROUPS_HELP = N_(
    "2 = the 2012 paper's split across two GPUs: each half of the filters sees only its own GPU's "
    "half of the input channels, halving the weights."
)

# Per conv block; widget keys are f"b{i}_{name}".
BLOCK_FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("out", N_("out channels"), "int", "number", lambda b: b.conv.out_channels,
              lambda b, v: _conv(b, out_channels=v), lo=1, step=16),
        Field("k", N_("kernel"), "int", "slider", lambda b: b.conv.kernel, lambda b, v: _conv(b, kernel=v),
              lo=1, usual_hi=15),
        Field("s", N_("stride"), "int", "slider", lambda b: b.conv.stride, lambda b, v: _conv(b, stride=v),
              lo=1, usual_hi=8),
        Field("p", N_("padding"), "int", "slider", lambda b: b.conv.padding, lambda b, v: _conv(b, padding=v),
              lo=0, usual_hi=10),
        Field("g", N_("groups"), "int", "number", lambda b: b.conv.groups, lambda b, v: _conv(b, groups=v),
              lo=1, help=GROUPS_HELP),
        Field("act", N_("activation"), "choice", "selectbox", lambda b: b.activation,
              lambda b, v: dataclasses.replace(b, activation=v), options=lambda: list(ACTIVATIONS)),
        Field("bn", N_("batchnorm"), "bool", "checkbox", lambda b: b.batchnorm,
              lambda b, v: dataclasses.replace(b, batchnorm=v)),
        Field("lrn", N_("LRN after it"), "bool", "checkbox", lambda b: b.lrn is not None,
              lambda b, v: dataclasses.replace(b, lrn=(b.lrn or LRN()) if v else None),
              help=N_("Local response normalisation, as in the 2012 paper")),
        Field("lrn_n", N_("n (window size)"), "int", "number", lambda b: (b.lrn or _DEFAULT_LRN).size,
              lambda b, v: _lrn(b, size=v), lo=1),
        Field("lrn_a", N_("α (paper's, not divided by n)"), "float", "number", lambda b: (b.lrn or _DEFAULT_LRN).alpha,
              lambda b, v: _lrn(b, alpha=v), lo=0.0, step=1e-5, format="%g"),
        Field("lrn_b", "β", "float", "number", lambda b: (b.lrn or _DEFAULT_LRN).beta,
              lambda b, v: _lrn(b, beta=v), lo=0.0, step=0.05, format="%g"),
        Field("lrn_k", "k", "float", "number", lambda b: (b.lrn or _DEFAULT_LRN).k,
              lambda b, v: _lrn(b, k=v), lo=1e-9, step=0.5, format="%g"),
        Field("pool", N_("pooling after it"), "choice", "selectbox",
              lambda b: "none" if b.pool is None else b.pool.type.replace("pool", ""), _pool_kind,
              options=lambda: list(POOL_KINDS)),
        Field("pk", N_("pool kernel"), "int", "slider", lambda b: b.pool.kernel if b.pool else 3,
              lambda b, v: _pool(b, kernel=v), lo=1, usual_hi=7),
        Field("ps", N_("pool stride"), "int", "slider", lambda b: b.pool.effective_stride if b.pool else 2,
              lambda b, v: _pool(b, stride=v), lo=1, usual_hi=7, help=N_("3/2 overlaps (the paper); 2/2 does not")),
        Field("pp", N_("pool padding"), "int", "slider", lambda b: b.pool.padding if b.pool else 0,
              lambda b, v: _pool(b, padding=v), lo=0, usual_hi=3),
        Field("pceil", N_("ceil mode"), "bool", "checkbox", lambda b: b.pool.ceil_mode if b.pool else False,
              lambda b, v: _pool(b, ceil_mode=v), help=N_("round up, as Caffe's pooling does")),
    )
}  # fmt: skip


# Per residual block (keys f"b{i}_{name}" too): what a ResNet stage changes.
RES_FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("rout", N_("out channels (every conv of the block)"), "int", "number", lambda b: b.out_channels,
              lambda b, v: b.with_channels(v), lo=1, step=16),
        Field("rs", N_("stride (first conv, and the shortcut)"), "int", "slider", lambda b: b.stride,
              lambda b, v: b.with_stride(v), lo=1, usual_hi=4),
        Field("rproj", N_("projection shortcut (1×1 conv + batchnorm; ResNet's dashed line)"), "bool", "checkbox",
              lambda b: b.projection, lambda b, v: b.with_projection(v),
              help=N_("Off: the identity (solid line), which needs the body to keep the shape")),
        Field("ract", N_("activation after the add"), "choice", "selectbox", lambda b: b.activation,
              lambda b, v: dataclasses.replace(b, activation=v), options=lambda: list(ACTIVATIONS)),
    )
}  # fmt: skip


def _hidden(d: Design, n: int) -> Design:
    hidden = d.hidden[:n] + (4096,) * (n - len(d.hidden))
    return d.replace(hidden=hidden)


def _channels_options(d: Design) -> list[int]:
    return sorted({1, 3, d.input.channels})


# Whole-design fields; widget keys are the names (fc widths: f"fc{j}_width", from `fc_field`).
DESIGN_FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("in_size", N_("height"), "int", "number", lambda d: d.input.height,
              lambda d, v: d.replace(input=dataclasses.replace(d.input, height=v)), lo=1),
        Field("in_width", N_("width"), "int", "number", lambda d: d.input.width,
              lambda d, v: d.replace(input=dataclasses.replace(d.input, width=v)), lo=1),
        Field("in_channels", N_("channels"), "choice", "radio", lambda d: d.input.channels,
              lambda d, v: d.replace(input=dataclasses.replace(d.input, channels=v)), options=_channels_options),
        Field("head", N_("classifier (flatten + fully connected layers)"), "bool", "checkbox", lambda d: d.head,
              lambda d, v: d.replace(head=v)),
        Field("adaptive_on", N_("adaptive average pool before flatten"), "bool", "checkbox",
              lambda d: d.adaptive_pool is not None, lambda d, v: d.replace(adaptive_pool=6 if v else None)),
        Field("adaptive_size", N_("adaptive pool output size"), "int", "slider", lambda d: d.adaptive_pool or 6,
              lambda d, v: d.replace(adaptive_pool=v) if d.adaptive_pool is not None else d, lo=1, usual_hi=13),
        Field("hidden_n", N_("hidden fully connected layers"), "int", "number", lambda d: len(d.hidden), _hidden,
              lo=0, hi=16),
        Field("dropout_on", N_("dropout"), "bool", "checkbox", lambda d: d.dropout is not None,
              lambda d, v: d.replace(dropout=0.5 if v else None)),
        Field("dropout_p", N_("dropout p"), "float", "slider", lambda d: d.dropout if d.dropout is not None else 0.5,
              lambda d, v: d.replace(dropout=v) if d.dropout is not None else d, lo=0.0, hi=1.0, step=0.05),
        Field("classes", N_("classes"), "int", "number", lambda d: d.classes, lambda d, v: d.replace(classes=v), lo=1),
    )
}  # fmt: skip


def fc_field(j: int, label: str) -> Field:
    """The width of hidden fully connected layer j."""
    return Field(
        f"fc{j}_width",
        label,
        "int",
        "number",
        lambda d: d.hidden[j],
        lambda d, v: d.replace(hidden=(*d.hidden[:j], v, *d.hidden[j + 1 :])),
        lo=1,
        step=256,
    )


# --- drawing a field --------------------------------------------------------------------------------


def _draw(field: Field, key: str, value: Any, options: list[Any] | None, on_change, args, **kwargs: Any) -> Any:
    sync_widget(key, value)
    # The label and help are English keys, shown in the session's language; the widget key stays.
    label = _(field.label)
    help_text = _(field.help) if field.help else None
    format_func = in_language(kwargs.pop("format_func", option_label))
    common = dict(key=key, on_change=on_change, args=args, help=help_text, **kwargs)
    if field.widget == "number":
        step = field.step if field.step is not None else (1 if field.kind == "int" else 0.1)
        lo, hi = (int(field.lo), int(field.hi)) if field.kind == "int" else (float(field.lo), float(field.hi))
        return st.number_input(label, min_value=lo, max_value=hi, step=step, format=field.format, **common)
    if field.widget == "slider":
        if field.kind == "int":
            top = max(int(field.usual_hi or field.hi), value)
            return st.slider(label, min_value=min(int(field.lo), value), max_value=top, **common)
        return st.slider(label, min_value=float(field.lo), max_value=float(field.hi), step=field.step, **common)
    if field.widget == "checkbox":
        return st.checkbox(label, **common)
    if field.widget == "selectbox":
        return st.selectbox(label, options, format_func=format_func, **common)
    if field.widget == "radio":
        return st.radio(label, options, horizontal=True, format_func=format_func, **common)
    raise ValueError(f"unknown widget {field.widget}")


def _field_for(block: ConvBlock | ResBlock, name: str) -> Field | None:
    table = RES_FIELDS if isinstance(block, ResBlock) else BLOCK_FIELDS
    return table.get(name)


@callback
def _on_block_field(name: str, i: int, prefix: str = "") -> None:
    design = design_of(variant())
    if design is None or not 0 <= i < len(design.blocks):
        return  # a stale event for a block that no longer exists
    field = _field_for(design.blocks[i], name)
    if field is None:
        return  # a stale event from a block of the other kind
    options = field.options() if field.options else None
    value = field.clean(st.session_state.get(f"{prefix}b{i}_{name}"), options)
    if value is None:
        return  # not a value this field takes: the next render writes the variant's value back
    block = field.set(design.blocks[i], value)
    _commit_design(design.replace(blocks=(*design.blocks[:i], block, *design.blocks[i + 1 :])))


def block_widget(name: str, i: int, *, prefix: str = "", **kwargs: Any) -> Any:
    """Draw block i's widget for field `name`, its value written from the variant.

    `prefix` gives a second widget for the same field (the phone's controls in the main area): both
    are written from the variant before they are drawn, so they always agree.
    """
    design = design_of(variant())
    field = _field_for(design.blocks[i], name)
    value = field.get(design.blocks[i])
    options = field.options() if field.options else None
    return _draw(field, f"{prefix}b{i}_{name}", value, options, _on_block_field, (name, i, prefix), **kwargs)


@callback
def _on_design_field(key: str, label: str) -> None:
    field = fc_field(int(key[2:].split("_")[0]), label) if key.startswith("fc") else DESIGN_FIELDS[key]
    design = design_of(variant())
    if design is None:
        if key in ("in_size", "in_width", "in_channels"):  # the only controls outside the grammar
            v = variant()
            value = field.clean(st.session_state.get(key), _channels_options_of(v) if key == "in_channels" else None)
            if value is not None:
                changes = {"in_size": "height", "in_width": "width", "in_channels": "channels"}
                _commit(v.with_input(**{changes[key]: value}))
        return
    options = field.options(design) if field.options else None
    value = field.clean(st.session_state.get(key), options)
    if value is None:
        return
    if key.startswith("fc") and int(key[2:].split("_")[0]) >= len(design.hidden):
        return
    _commit_design(field.set(design, value))


def _channels_options_of(v: Variant) -> list[int]:
    return sorted({1, 3, v.input.channels})


class _InputView:
    """The input fields of a variant outside the slider grammar (they read `d.input` only)."""

    def __init__(self, v: Variant):
        self.input = v.input


def design_widget(key: str, *, label: str | None = None, **kwargs: Any) -> Any:
    """Draw a whole-design widget (input, classifier, or `fc{j}_width`) from the variant."""
    v = variant()
    design = design_of(v)
    if key.startswith("fc"):
        field = fc_field(int(key[2:].split("_")[0]), label or key)
    else:
        field = DESIGN_FIELDS[key]
        if label is not None:
            field = dataclasses.replace(field, label=label)
    source = design if design is not None else _InputView(v)
    value = field.get(source)
    options = field.options(source) if field.options else None
    return _draw(field, key, value, options, _on_design_field, (key, field.label), **kwargs)


# --- actions ------------------------------------------------------------------------------------------


@callback
def on_preset(key: str = "preset") -> None:
    name = st.session_state.get(key)
    if name not in PRESETS:
        return
    _load(PRESETS[name], base=name)


@callback
def on_reset() -> None:
    _load(PRESETS[st.session_state[BASE]], base=st.session_state[BASE])


def _load(v: Variant, *, base: str | None = None) -> None:
    ss = st.session_state
    _commit(v)
    if base is not None:
        ss[BASE] = base
    ss[EDIT] = 0
    ss[DRAFT] = None
    ss[JSON_ERROR] = None


@callback
def on_input_size(size: int) -> None:
    _commit(variant().with_input(height=size, width=size))


@callback
def on_edit_block(key: str = "edit_block") -> None:
    design = design_of(variant())
    i = st.session_state.get(key)
    if design is not None and isinstance(i, int) and not isinstance(i, bool) and 0 <= i < len(design.blocks):
        st.session_state[EDIT] = i


@callback
def on_add_block() -> None:
    design = design_of(variant())
    if design is None or len(design.blocks) >= MAX_BLOCKS:
        return
    last = design.blocks[-1] if design.blocks else None
    channels = last.out_channels if isinstance(last, ResBlock) else last.conv.out_channels if last else 64
    st.session_state[EDIT] = len(design.blocks)
    _commit_design(design.replace(blocks=(*design.blocks, default_block(channels))))


@callback
def on_remove_block(i: int) -> None:
    design = design_of(variant())
    if design is None or not 0 <= i < len(design.blocks) or len(design.blocks) <= 1:
        return
    st.session_state[EDIT] = max(0, i - 1)
    _commit_design(design.replace(blocks=design.blocks[:i] + design.blocks[i + 1 :]))


def json_text() -> str:
    """What the JSON editor shows: the unapplied draft, else the current variant."""
    draft = st.session_state.get(DRAFT)
    return draft if isinstance(draft, str) else variant_to_json(variant())


def sync_json_widget() -> None:
    sync_widget("json_text", json_text())


@callback
def on_json_edit() -> None:
    text = st.session_state.get("json_text")
    st.session_state[DRAFT] = text if isinstance(text, str) and text != variant_to_json(variant()) else None


@callback
def on_apply_json() -> None:
    text = st.session_state.get("json_text", "")
    try:
        v = variant_from_json(text if isinstance(text, str) else "")
    except SpecError as exc:
        st.session_state[JSON_ERROR] = exc.error
        st.session_state[DRAFT] = text if isinstance(text, str) else None
        return
    _load(v, base=v.name if v.name in PRESETS else None)


@callback
def on_json_reload() -> None:
    st.session_state[DRAFT] = None
    st.session_state[JSON_ERROR] = None


def json_error():
    return st.session_state.get(JSON_ERROR)
