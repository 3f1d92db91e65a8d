"""Figures for the Build page: a Figure-2-style diagram and where parameters and compute go.

The diagram is computed once as geometry in screen pixels (polygons, lines and labels: pure data,
y pointing down) for one of four layouts, and rendered twice: interactively with plotly ("page",
drawn for a chart 960 px wide unless told another width, or "vertical", a phone's 390 px column)
and as PNG/SVG files with matplotlib ("slide", exactly 1920×1080, or "phone"), with no browser
needed server-side. Labels keep their px size at any zoom: at least 14 px on screen, 24 px on a
slide. Sizes follow the network (see `DIAGRAM_SCALING`); what does not fit a row wraps to the next.
"""

from __future__ import annotations

import html
import io
import math
import re
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Any

import numpy as np
import plotly.graph_objects as go

from . import fonts
from .analysis import Analysis, LayerRow, format_count, format_shape
from .i18n import N_, _, using
from .presets import PRESETS
from .share import is_unchanged_preset

__all__ = [
    "DIAGRAM_LAYOUTS",
    "DIAGRAM_SCALING",
    "DIAGRAM_SKIPS",
    "Diagram",
    "compute_split",
    "diagram",
    "diagram_caption",
    "diagram_image",
    "diagram_plotly",
    "diagram_title",
    "params_macs_figure",
]

MAX_DEPTH_CHANNELS = 1024  # deeper maps are drawn this deep: 1,000,000 channels must still fit a slide

# Keys (rendered in the reader's language by `diagram_caption`); DIAGRAM_SCALING is the English text.
_SCALING = N_(
    "Box height ∝ √H and width ∝ √W (a 55×55 map is drawn about twice as tall as a 13×13 one), "
    "depth ∝ √C (up to {max_channels:,} channels); a map drawn as two boxes is split by a grouped conv "
    "(the paper's two GPUs); a small square is the next layer's K×K window; bar length ∝ features."
)
DIAGRAM_SCALING = _SCALING.format(max_channels=MAX_DEPTH_CHANNELS)

DIAGRAM_SKIPS = N_("Curved arrows are residual skips, added to the block's output (dashed: the shortcut has a conv).")

DIAGRAM_LAYOUTS = ("page", "vertical", "slide", "phone")
_PAGE_HEIGHT = 640  # the page shrinks its boxes (to 40% at most) to stay within this height

_ALIASES = {"horizontal": "page", "wide": "page", "mobile": "phone"}

_SPATIAL = {"conv", "maxpool", "avgpool", "adaptiveavgpool", "residual"}
_ELEMENTWISE = {
    "relu": "ReLU",
    "tanh": "tanh",
    "sigmoid": "sigmoid",
    "lrn": "LRN",
    "batchnorm": "BN",
    "dropout": "dropout",
}

# kind -> (front face, top face, side face, outline, accent for windows and links)
_PALETTE = {
    "input": ("#d9d9d9", "#ededed", "#bdbdbd", "#636363", "#252525"),
    "conv": ("#9ecae1", "#c6dbef", "#6baed6", "#2171b5", "#08306b"),
    "pool": ("#fdd0a2", "#fee6ce", "#fdae6b", "#d94801", "#7f2704"),
    "adaptive": ("#c7e9c0", "#e5f5e0", "#a1d99b", "#238b45", "#00441b"),
    "residual": ("#c7eae5", "#e0f3f0", "#80cdc1", "#01665e", "#003c30"),
    "other": ("#e0e0e0", "#f0f0f0", "#c8c8c8", "#737373", "#252525"),
}
_BAR_COLOURS = {"flatten": ("#bdbdbd", "#636363"), "linear": ("#bcbddc", "#54278f"), "other": ("#d9d9d9", "#737373")}
_INVALID = "#c62828"
_INK = "#111111"
_NOTE_INK = "#4d4d4d"


# --- geometry: pure data ----------------------------------------------------------------------


@dataclass(frozen=True)
class Polygon:
    points: tuple[tuple[float, float], ...]
    fill: str | None  # None: outline only
    line: str
    hover: str = ""
    alpha: float = 1.0
    dash: bool = False
    width: float = 1.0


@dataclass(frozen=True)
class Line:
    points: tuple[tuple[float, float], ...]
    colour: str
    width: float = 1.0
    dash: bool = False


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    size: int = 14
    colour: str = _INK
    bold: bool = False
    align: str = "center"  # x is the left edge ("left"), middle ("center") or right edge ("right")
    valign: str = "top"  # y is the top ("top") or middle ("middle") of the text line


@dataclass(frozen=True)
class Hover:
    x: float
    y: float
    size: float
    text: str


@dataclass
class Diagram:
    """A drawn network in pixels, y down: `width` × `height`, as one layout lays it out."""

    polygons: list[Polygon] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    hovers: list[Hover] = field(default_factory=list)
    width: float = 0.0
    height: float = 0.0
    layout: str = "page"
    # What was drawn, for tests and readers: per map its name, kind, shape, towers, face (w, h) and
    # depth in px, skip; per bar its name, features and length; per window the map it sits on, the
    # layer that slides it, its size in pixels of the map and on screen; per link the tower pairs.
    maps: list[dict[str, Any]] = field(default_factory=list)
    bars: list[dict[str, Any]] = field(default_factory=list)
    windows: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)
    truncated: int = 0  # stages left off because they did not fit the fixed canvas


@dataclass(frozen=True)
class _Style:
    flow: str  # "row": left to right, wrapping into rows; "column": top to bottom
    width: float
    height: float | None  # fixed canvas (slide) or None (grows with the network)
    name: int
    shape: int
    note: int
    title: int
    text_width: float  # widest a map's caption may be before it wraps
    region: float  # tallest a row's boxes may be (row flow) or a box column's width (column flow)
    depth: float  # depth per √channel, as a share of a face's size per √pixel
    bar_length: float
    bar_thickness: float
    margin: float
    col_gap: float
    font_scale: float  # the renderer's font relative to Arial's widths
    footer: bool  # the scaling sentence under the diagram (files have no page caption)
    u_max: float  # px per √pixel at most (a 1×1 input is not a screen-filling square)


_STYLES = {
    "page": _Style("row", 960, None, 17, 15, 14, 18, 118, 250, 0.26, 190, 14, 16, 20, 1.06, False, 60),
    "vertical": _Style("column", 390, None, 16, 15, 14, 17, 200, 150, 0.26, 150, 12, 10, 12, 1.06, False, 40),
    "slide": _Style("row", 1920, 1080, 30, 26, 24, 34, 196, 430, 0.26, 300, 22, 30, 30, 1.12, True, 90),
    "phone": _Style("column", 390, None, 16, 15, 14, 18, 200, 150, 0.26, 150, 12, 10, 12, 1.12, True, 40),
}


def _style(layout: str, width: float | None = None) -> tuple[str, _Style]:
    name = _ALIASES.get(layout, layout)
    if name not in _STYLES:
        raise ValueError(f"unknown diagram layout {layout!r}; choose one of {', '.join(DIAGRAM_LAYOUTS)}")
    style = _STYLES[name]
    if width is not None:
        if style.height is not None or style.footer:
            raise ValueError(f"the {name} layout has a fixed size; width applies to page and vertical")
        style = replace(style, width=float(min(max(width, 320), 3840)))
    return name, style


# Average advance widths in em for a sans-serif (Arial/Liberation metrics); a style's font_scale
# covers wider fonts (DejaVu Sans in matplotlib). Overestimating only costs a little space.
_NARROW = set("ijlI.,:;'|!()[]{}/ ")
_WIDE = set("mwMW@%")


def _text_width(text: str, size: float, scale: float, bold: bool = False) -> float:
    em = 0.0
    for ch in text:
        if ch in _NARROW:
            em += 0.3
        elif ch in _WIDE:
            em += 0.85
        elif ch.isdigit():
            em += 0.56
        elif ch.isupper():
            em += 0.68
        elif ord(ch) > 0x2E80:  # CJK and other full-width text
            em += 1.0
        else:
            em += 0.55
    return em * size * scale * (1.08 if bold else 1.0)


def _wrap(tokens: list[str], limit: float, size: float, scale: float, sep: str = ", ", bold: bool = False) -> list[str]:
    """Join tokens into lines no wider than `limit` px (a single long token gets its own line)."""
    lines: list[str] = []
    for token in tokens:
        if lines and _text_width(lines[-1] + sep + token, size, scale, bold) <= limit:
            lines[-1] += sep + token
        else:
            lines.append(token)
    return lines


def _wrap_words(
    text: str, limit: float, size: float, scale: float, max_lines: int | None = None, bold: bool = False
) -> list[str]:
    words = []
    for word in text.split():  # a word wider than the line (a long name) is cut into pieces
        while _text_width(word, size, scale, bold) > limit and len(word) > 1:
            cut = max(1, int(len(word) * limit / _text_width(word, size, scale, bold)))
            while cut > 1 and _text_width(word[:cut], size, scale, bold) > limit:
                cut -= 1
            words.append(word[:cut])
            word = word[cut:]
        words.append(word)
    lines = _wrap(words, limit, size, scale, " ", bold) or [""]
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1].rstrip(".,;:")
        while " " in last and _text_width(last + " …", size, scale, bold) > limit:
            last = last.rsplit(" ", 1)[0].rstrip(".,;:")
        lines[-1] = last + " …"
    return lines


# --- what to draw: one item per feature map or classifier bar ---------------------------------


@dataclass
class _Item:
    is_bar: bool
    kind: str  # maps: input conv pool adaptive residual other invalid; bars: flatten linear other invalid
    name: str
    shape: tuple[int, ...]
    lead: str = ""  # the operation, first caption line: "11×11 conv"
    tokens: list[str] = field(default_factory=list)  # stride 4, pad 2, groups 2 ...
    then: list[str] = field(default_factory=list)  # the elementwise layers after it: ReLU, LRN ...
    towers: int = 1
    groups: int = 1
    window: tuple[int, int] | None = None  # the window this item's layer slides over the previous map
    link: str = "own"  # from the previous map: "own" tower to tower, or "cross", every tower to every tower
    skip: str | None = None  # residual: "identity" or "conv"
    reason: str = ""  # invalid: what failed
    details: list[str] = field(default_factory=list)  # hover only


def _layer(analysis: Analysis, index: int) -> Any:
    layers = analysis.variant.layers
    return layers[index] if 0 <= index < len(layers) else None


def _attr(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else default


def _conv_summary(layers: Any) -> list[str]:
    """'3×3 /2' for each conv in a residual branch (any sequence of layers or dicts)."""
    parts = []
    for inner in layers or ():
        if _attr(inner, "type") == "conv":
            k = _int(_attr(inner, "kernel"), 1)
            s = _int(_attr(inner, "stride"), 1)
            parts.append(f"{k}×{k}" + (f" /{s}" if s > 1 else ""))
    return parts


def _describe(item: _Item, row: LayerRow, layer: Any) -> None:
    kind = row.type
    if kind == "conv":
        k = _int(_attr(layer, "kernel"), 1)
        dilation = _int(_attr(layer, "dilation"), 1)
        stride = _int(_attr(layer, "stride"), 1)
        padding = _attr(layer, "padding", 0) or 0
        item.lead = _("{k}×{k} conv", k=k)
        item.tokens += [_("stride {n}", n=stride)] if stride > 1 else []
        item.tokens += [_("pad {n}", n=padding)] if padding else []
        item.tokens += [_("dilation {n}", n=dilation)] if dilation > 1 else []
        item.tokens += [_("groups {n}", n=item.groups)] if item.groups > 1 else []
        span = dilation * (k - 1) + 1
        item.window = (span, span)
    elif kind in ("maxpool", "avgpool"):
        k = _int(_attr(layer, "kernel"), 1)
        stride = _attr(layer, "effective_stride", None) or _int(_attr(layer, "stride"), k)
        padding = _attr(layer, "padding", 0) or 0
        item.lead = _("{k}×{k} max pool", k=k) if kind == "maxpool" else _("{k}×{k} avg pool", k=k)
        item.tokens += [_("stride {n}", n=stride)]
        item.tokens += [_("pad {n}", n=padding)] if padding else []
        item.tokens += [_("ceil mode")] if _attr(layer, "ceil_mode", False) else []
        item.window = (k, k)
    elif kind == "adaptiveavgpool":
        size = _int(_attr(layer, "size"), 1)
        _unused, h, w = row.input if len(row.input) == 3 else (0, 1, 1)
        item.lead = _("adaptive avg")
        item.tokens += [_("to {n}×{n}", n=size)]
        item.window = (-(-h // size), -(-w // size))
    elif kind == "residual":
        body = _conv_summary(_attr(layer, "body", ()))
        shortcut = _conv_summary(_attr(layer, "shortcut", ()))
        item.lead = _("residual")
        item.tokens += [" + ".join(body)] if body else []
        item.tokens += [_("skip: {convs} conv", convs=" + ".join(shortcut)) if shortcut else _("skip: identity")]
        item.skip = "conv" if shortcut else "identity"
        first = _attr((_attr(layer, "body", ()) or (None,))[0], "kernel")
        if isinstance(first, int) and first > 0:
            item.window = (first, first)
    else:  # a layer type this module does not know: a plain box named for its type
        item.lead = kind
    item.details.append(_("{params:,} parameters, {macs} MACs", params=row.params, macs=format_count(row.macs)))


def _items(analysis: Analysis) -> list[_Item]:
    c, h, w = analysis.input_shape
    notes = {1: _("grayscale"), 3: "RGB"}
    items = [_Item(False, "input", _("input"), (c, h, w), lead=notes.get(c) or _("{n} channels", n=c))]
    for row in analysis.rows:
        layer = _layer(analysis, row.index)
        last = items[-1]
        if row.type in _ELEMENTWISE and row.output == row.input:
            word = _ELEMENTWISE[row.type]
            if row.type == "dropout":
                word = f"dropout {_attr(layer, 'p', 0.5):g}"
            (last.then if not last.is_bar else last.details).append(word)
            continue
        if len(row.output) == 3 and row.type not in ("flatten", "linear"):
            kind = {"conv": "conv", "maxpool": "pool", "avgpool": "pool", "adaptiveavgpool": "adaptive"}.get(
                row.type, "residual" if row.type == "residual" else "other"
            )
            item = _Item(False, kind, row.name, row.output)
            if row.type == "conv":
                item.groups = _int(_attr(layer, "groups"), 1)
            _describe(item, row, layer)
            items.append(item)
        elif len(row.output) == 1:
            kind = row.type if row.type in ("flatten", "linear") else "other"
            item = _Item(True, kind, row.name, row.output)
            item.details.append(
                _("{params:,} parameters, {macs} MACs", params=row.params, macs=format_count(row.macs))
                if kind == "linear"
                else row.type
            )
            items.append(item)
    _assign_towers(items)
    if analysis.error is not None:
        items.append(_invalid_item(analysis, items))
    return items


def _assign_towers(items: list[_Item]) -> None:
    """Grouped convs (2–4 groups) split their maps into towers, as the paper's two GPUs.

    A map is drawn in g towers when the conv that makes it is grouped g, when the next conv is
    (the paper's conv1 and conv3 outputs already live on two GPUs), or when it is pooled from
    such a map. More groups than 4 (a depthwise conv) are one box, captioned "groups N".
    """
    for i, item in enumerate(items):
        if item.is_bar:
            continue
        per_channel = item.kind in ("pool", "adaptive")  # pooling keeps each channel on its own GPU
        g = item.groups if item.kind == "conv" else (items[i - 1].towers if i and per_channel else 1)
        if g == 1 and item.kind != "residual":
            upcoming = next((x for x in items[i + 1 :] if x.is_bar or x.kind in ("conv", "residual")), None)
            if upcoming is not None and not upcoming.is_bar and upcoming.kind == "conv":
                g = upcoming.groups
        item.towers = g if 2 <= g <= 4 and item.shape[0] % g == 0 else 1
    for prev, item in pairwise(items):
        if item.is_bar or prev.is_bar:
            continue
        own = prev.towers == item.towers and (item.kind != "conv" or item.groups == item.towers or item.towers == 1)
        if item.kind in ("residual", "other"):
            own = prev.towers == item.towers == 1
        item.link = "own" if own else "cross"


def _invalid_item(analysis: Analysis, items: list[_Item]) -> _Item:
    error = analysis.error
    assert error is not None
    index = error.layer
    layer = _layer(analysis, index) if index is not None else None
    layer_type = error.layer_type or _attr(layer, "type") or ""
    if index is None:
        name = _("input") if not analysis.rows else "✕"
    elif index < len(analysis.names):
        name = analysis.names[index]
    else:
        name = _("layer {index}", index=index)
    is_bar = layer_type in ("linear", "flatten") or (items[-1].is_bar and layer_type not in _SPATIAL)
    reason = error.arithmetic or error.message
    item = _Item(is_bar, "invalid", name, (), lead=f"✕ {layer_type or _('invalid')}", reason=str(reason))
    item.details.append(str(error))
    return item


# --- layout -----------------------------------------------------------------------------------


@dataclass
class _Text:
    text: str
    size: int
    bold: bool = False
    colour: str = _INK


def _map_text(item: _Item, style: _Style, level: int = 0) -> list[_Text]:
    """A map's caption; level 1 drops the layers after it, level 2 keeps only name and shape."""
    invalid = item.kind == "invalid"
    lines = [_Text(item.name, style.name, True, _INVALID if invalid else _INK)]
    if invalid:
        lines.append(_Text(item.lead, style.note, False, _INVALID))
        for text in _wrap_words(item.reason, style.text_width, style.note, style.font_scale, max_lines=3):
            lines.append(_Text(text, style.note, False, _INVALID))
        return lines
    lines.append(_Text(format_shape(item.shape), style.shape))
    scale = style.font_scale
    if level >= 2:
        return lines
    if item.kind == "input":
        lines.append(_Text(item.lead, style.note, False, _NOTE_INK))
        return lines
    if style.flow == "column" or level:  # the operation on as few lines as fit
        texts = _wrap([item.lead, *item.tokens], style.text_width, style.note, scale)
    else:
        texts = [item.lead, *_wrap(item.tokens, style.text_width, style.note, scale)]
    if not level:
        texts += _wrap(item.then, style.text_width, style.note, scale, " → ")
    return lines + [_Text(text, style.note, False, _NOTE_INK) for text in texts]


def _line_height(size: int) -> float:
    return round(size * 1.3)


def _text_height(lines: list[_Text]) -> float:
    return sum(_line_height(t.size) for t in lines)


def _text_widest(lines: list[_Text], style: _Style) -> float:
    return max((_text_width(t.text, t.size, style.font_scale, t.bold) for t in lines), default=0.0)


@dataclass
class _Extent:
    face_w: float
    face_h: float
    dx: float  # receding depth offset (right)
    dy: float  # receding depth offset (up)
    gap: float  # between towers
    bbox_w: float
    bbox_h: float
    capped: bool


def _extent(item: _Item, u: float, style: _Style, template: _Extent | None = None) -> _Extent:
    if item.kind == "invalid":
        w = template.face_w if template else 40.0
        h = template.face_h if template else 40.0
        return _Extent(w, h, 0, 0, 0, w, h, False)
    c, h, w = item.shape
    g = item.towers
    per_tower = max(c // g, 1)
    depth = max(u * style.depth * math.sqrt(min(per_tower, MAX_DEPTH_CHANNELS)), 2.0)
    dx, dy = 0.55 * depth, 0.35 * depth
    face_w, face_h = max(u * math.sqrt(w), 3.0), max(u * math.sqrt(h), 3.0)
    if style.flow == "row":
        gap = max(dy + 6, 8.0)
        bbox_w, bbox_h = face_w + dx, g * face_h + (g - 1) * gap + dy
    else:
        gap = max(dx + 6, 8.0)
        bbox_w, bbox_h = g * face_w + (g - 1) * gap + dx, face_h + dy
    return _Extent(face_w, face_h, dx, dy, gap, bbox_w, bbox_h, per_tower > MAX_DEPTH_CHANNELS)


def _u_cap(items: list[_Item], style: _Style) -> float:
    """The largest px-per-√pixel at which every map fits the style's box region."""
    cap = style.u_max
    for item in items:
        if item.is_bar or item.kind == "invalid":
            continue
        c, h, w = item.shape
        g = item.towers
        depth = style.depth * math.sqrt(min(max(c // g, 1), MAX_DEPTH_CHANNELS))
        cap = min(cap, style.region * 0.45 / depth)  # no map deeper than about half the region
        if style.flow == "row":  # g faces, the gaps between them (each a little over dy) and dy
            cap = min(cap, max(style.region - 6 * (g - 1), 20) / (g * math.sqrt(h) + g * 0.35 * depth))
            cap = min(cap, (style.width - 2 * style.margin) / (math.sqrt(w) + 0.55 * depth))
        else:
            cap = min(cap, max(style.region - 6 * (g - 1), 20) / (g * math.sqrt(w) + g * 0.55 * depth))
            cap = min(cap, 220 / (math.sqrt(h) + 0.35 * depth))
    return max(cap, 0.05)


@dataclass
class _Column:
    items: list[_Item]  # one map, or the consecutive classifier bars
    texts: list[list[_Text]]
    text_w: float = 0.0
    extent: _Extent | None = None
    width: float = 0.0
    region: float = 0.0  # height of its boxes or bars
    text_h: float = 0.0


def _bar_texts(item: _Item, style: _Style, width: float) -> list[_Text]:
    if item.kind == "invalid":
        lines = [_Text(item.lead, style.note, False, _INVALID)]
        for text in _wrap_words(item.reason, width, style.note, style.font_scale, max_lines=3):
            lines.append(_Text(text, style.note, False, _INVALID))
        return lines
    return []


def _bar_entry_h(item: _Item, style: _Style, width: float) -> float:
    extra = _text_height(_bar_texts(item, style, width))
    return _line_height(style.shape) + style.bar_thickness + style.bar_thickness * 0.8 + extra


def _columns(items: list[_Item], style: _Style, level: int = 0) -> list[_Column]:
    columns: list[_Column] = []
    for item in items:
        if item.is_bar:
            if columns and columns[-1].items[0].is_bar:
                columns[-1].items.append(item)
                continue
            columns.append(_Column([item], []))
        else:
            texts = _map_text(item, style, level)
            columns.append(_Column([item], [texts], _text_widest(texts, style), text_h=_text_height(texts)))
    for col in columns:
        if col.items[0].is_bar:
            labels = max(
                _text_width(i.name, style.shape, style.font_scale, True)
                + _text_width(f"{i.shape[0]:,}" if i.shape else "", style.shape, style.font_scale)
                + 16
                for i in col.items
            )
            col.width = max(style.bar_length, labels)
            col.region = sum(_bar_entry_h(i, style, col.width) for i in col.items)
    return columns


def _size_columns(columns: list[_Column], u: float, style: _Style) -> None:
    template = None
    for col in columns:
        item = col.items[0]
        if item.is_bar:
            continue
        col.extent = _extent(item, u, style, template)
        if item.kind != "invalid":
            template = col.extent
        col.width = max(col.extent.bbox_w, col.text_w)
        col.region = col.extent.bbox_h


def _rows_greedy(widths: list[float], limit: float, gap: float) -> list[list[int]]:
    rows: list[list[int]] = [[]]
    used = 0.0
    for i, w in enumerate(widths):
        need = w if not rows[-1] else used + gap + w
        if rows[-1] and need > limit:
            rows.append([i])
            used = w
        else:
            rows[-1].append(i)
            used = need
    return rows


def _rows_balanced(widths: list[float], n: int, limit: float, gap: float) -> list[list[int]]:
    """Split into at most n rows, keeping order, with the widest row as narrow as it can be."""
    low, high = max(widths), max(limit, max(widths))
    best = _rows_greedy(widths, high, gap)
    for _unused in range(16):
        mid = (low + high) / 2
        rows = _rows_greedy(widths, mid, gap)
        if len(rows) <= n:
            best, high = rows, mid
        else:
            low = mid
    return best


_Heights = tuple[float, float, float, float]


def _row_heights(columns: list[_Column], rows: list[list[int]], style: _Style) -> list[_Heights]:
    """(room for skip arcs, box region, text under the boxes, whole row) heights of each row.

    Classifier bars have no caption under them, so they may use the row's whole height.
    """
    out = []
    for row in rows:
        cols = [columns[i] for i in row]
        maps = [c for c in cols if not c.items[0].is_bar]
        arc = style.note * 2.4 if any(c.items[0].skip for c in maps) else 0.0
        region = max((c.region for c in maps), default=0.0)
        text = max((c.text_h for c in maps), default=0.0)
        bars = max((c.region for c in cols if c.items[0].is_bar), default=0.0)
        out.append((arc, region, text, max(arc + region + style.note * 1.0 + text, bars)))
    return out


def _row_total(heights: list[_Heights], style: _Style) -> float:
    return sum(h[3] for h in heights) + style.note * 1.6 * (len(heights) - 1)


def _title_lines(analysis: Analysis, style: _Style) -> list[str]:
    return _wrap_words(
        diagram_title(analysis), style.width - 2 * style.margin, style.title, style.font_scale, 3, bold=True
    )


def diagram_caption(analysis: Analysis) -> str:
    """What the drawing's sizes and marks mean: the scaling, and the skip arrows where there are any."""
    has_skips = any(row.type == "residual" for row in analysis.rows)
    scaling = _(_SCALING, max_channels=MAX_DEPTH_CHANNELS)
    return scaling + (" " + _(DIAGRAM_SKIPS) if has_skips else "")


def _footer_lines(analysis: Analysis, style: _Style) -> list[str]:
    return _wrap_words(diagram_caption(analysis), style.width - 2 * style.margin, style.note, style.font_scale)


class _Canvas:
    """Collects geometry; `box` draws one cuboid as front, top and side faces."""

    def __init__(self, diagram: Diagram):
        self.d = diagram

    def box(self, x: float, y: float, w: float, h: float, dx: float, dy: float, kind: str, hover: str) -> None:
        front, top, side, line, _unused = _PALETTE[kind]
        d = self.d
        d.polygons.append(
            Polygon(((x, y), (x + w, y), (x + w + dx, y - dy), (x + dx, y - dy)), top, line, hover, width=0.8)
        )
        d.polygons.append(
            Polygon(
                ((x + w, y), (x + w + dx, y - dy), (x + w + dx, y + h - dy), (x + w, y + h)),
                side,
                line,
                hover,
                1,
                False,
                0.8,
            )
        )
        d.polygons.append(Polygon(((x, y), (x + w, y), (x + w, y + h), (x, y + h)), front, line, hover, width=0.8))

    def rect(self, x: float, y: float, w: float, h: float, fill: str | None, line: str, **kw: Any) -> None:
        self.d.polygons.append(Polygon(((x, y), (x + w, y), (x + w, y + h), (x, y + h)), fill, line, **kw))

    def text(self, x: float, y: float, t: _Text, align: str = "center", valign: str = "top") -> None:
        self.d.labels.append(Label(x, y, t.text, t.size, t.colour, t.bold, align, valign))

    def arrowhead(self, tip: tuple[float, float], frm: tuple[float, float], colour: str, size: float) -> None:
        (x1, y1), (x0, y0) = tip, frm
        length = math.hypot(x1 - x0, y1 - y0) or 1.0
        ux, uy = (x1 - x0) / length, (y1 - y0) / length
        base = (x1 - ux * size, y1 - uy * size)
        left = (base[0] - uy * size * 0.5, base[1] + ux * size * 0.5)
        right = (base[0] + uy * size * 0.5, base[1] - ux * size * 0.5)
        self.d.polygons.append(Polygon((tip, left, right), colour, colour, width=0.5))


@dataclass
class _Placed:
    item: _Item
    faces: list[tuple[float, float, float, float]]  # per tower: x, y (top-left of the front face), w, h
    bbox: tuple[float, float, float, float]  # x, y, w, h
    row: int
    column_right: float = 0.0  # where its caption ends, for a connector that must pass it


def _bar_hover(item: _Item) -> str:
    features = _("{name}: {n:,} features", name=item.name, n=item.shape[0])
    return " · ".join([features, *item.details])


def _hover_text(item: _Item) -> str:
    if item.kind == "invalid":
        return f"{item.name}: " + " ".join(item.details)
    shape = format_shape(item.shape)
    parts = [f"{item.name}: {shape}"]
    if item.towers > 1:
        parts.append(_("{n} towers of {c}", n=item.towers, c=item.shape[0] // item.towers))
    if item.lead and item.kind != "input":
        parts.append(", ".join([item.lead, *item.tokens]) + (" → " + " → ".join(item.then) if item.then else ""))
    parts += item.details
    return " · ".join(parts)


def _place_map(canvas: _Canvas, item: _Item, e: _Extent, x: float, y: float, style: _Style, row: int) -> _Placed:
    """Draw a map's towers with the bbox's top-left at (x, y)."""
    faces = []
    for t in range(item.towers):
        if style.flow == "row":
            faces.append((x, y + e.dy + t * (e.face_h + e.gap), e.face_w, e.face_h))
        else:
            faces.append((x + t * (e.face_w + e.gap), y + e.dy, e.face_w, e.face_h))
    hover = _hover_text(item)
    if item.kind == "invalid":
        fx, fy, fw, fh = faces[0]
        canvas.rect(fx, fy, fw, fh, None, _INVALID, dash=True, width=2.0, hover=hover)
        canvas.text(fx + fw / 2, fy + fh / 2, _Text("✕", style.name + 6, True, _INVALID), valign="middle")
    else:
        draw = faces if style.flow == "column" else list(reversed(faces))  # nearer towers last
        for fx, fy, fw, fh in draw:
            canvas.box(fx, fy, fw, fh, e.dx, e.dy, item.kind, hover)
    canvas.d.hovers.append(Hover(x + e.bbox_w / 2, y + e.bbox_h / 2, max(min(e.bbox_w, e.bbox_h), 8), hover))
    canvas.d.maps.append(
        {
            "name": item.name,
            "kind": item.kind,
            "shape": item.shape,
            "towers": item.towers,
            "face": (e.face_w, e.face_h),
            "depth": math.hypot(e.dx, e.dy),
            "skip": item.skip,
        }
    )
    return _Placed(item, faces, (x, y, e.bbox_w, e.bbox_h), row)


def _window_rect(face: tuple[float, float, float, float], shape: tuple[int, ...], window: tuple[int, int], flow: str):
    fx, fy, fw, fh = face
    _unused, h, w = shape
    kh, kw = min(window[0], h), min(window[1], w)
    sw, sh = max(fw * kw / w, 4.0), max(fh * kh / h, 4.0)
    sw, sh = min(sw, fw), min(sh, fh)
    if flow == "row":
        cx, cy = fx + fw * 0.66, fy + fh / 2
    else:
        cx, cy = fx + fw / 2, fy + fh * 0.66
    x = min(max(cx - sw / 2, fx), fx + fw - sw)
    y = min(max(cy - sh / 2, fy), fy + fh - sh)
    return x, y, sw, sh


def _link(canvas: _Canvas, src: _Placed, dst: _Placed, style: _Style, rows_y: list[tuple[float, float]]) -> None:
    """Windows on the source map and a cone from each to a point on the target map (Figure 2)."""
    item = dst.item
    accent = _PALETTE.get(item.kind, _PALETTE["other"])[4] if item.kind != "invalid" else _INVALID
    pairs = (
        [(t, t) for t in range(len(src.faces))]
        if item.link == "own" and len(src.faces) == len(dst.faces)
        else [(a, b) for a in range(len(src.faces)) for b in range(len(dst.faces))]
    )
    windows: dict[int, tuple[float, float, float, float]] = {}
    for a in {a for a, _unused in pairs}:
        fx, fy, fw, fh = src.faces[a]
        if item.window and src.item.kind != "invalid":
            windows[a] = _window_rect(src.faces[a], src.item.shape, item.window, style.flow)
            wx, wy, ww, wh = windows[a]
            canvas.rect(wx, wy, ww, wh, accent, accent, alpha=0.35, width=1.5)
            canvas.d.windows.append(
                {"on": src.item.name, "tower": a, "by": item.name, "pixels": item.window, "size": (ww, wh)}
            )
        elif style.flow == "row":
            windows[a] = (fx + fw, fy + fh / 2, 0.0, 0.0)
        else:
            windows[a] = (fx + fw / 2, fy + fh, 0.0, 0.0)
    width = 1.0 if style.width < 1600 else 1.6
    canvas.d.links.append({"from": src.item.name, "to": item.name, "pairs": pairs})
    if src.row != dst.row:  # an elbow down to the next row, from the first window
        wx, wy, ww, wh = windows[pairs[0][0]]
        sx, sy = wx + ww, wy + wh / 2
        tx, ty, tw, th = dst.faces[0]
        ty_mid = ty + th / 2
        gap_y = rows_y[src.row][1] + style.note * 0.8
        right = min(max(src.column_right, sx) + 10, style.width - 4)
        left = max(tx - 14, 4)
        points = ((sx, sy), (right, sy), (right, gap_y), (left, gap_y), (left, ty_mid), (tx, ty_mid))
        canvas.d.lines.append(Line(points, accent, width))
        canvas.arrowhead((tx, ty_mid), (left, ty_mid), accent, 9 if style.width < 1600 else 14)
        return
    for a, b in pairs:
        wx, wy, ww, wh = windows[a]
        tx, ty, tw, th = dst.faces[b]
        if style.flow == "row":
            target = (tx + min(0.2 * tw, 10), ty + th / 2)
            corners = [(wx + ww, wy), (wx + ww, wy + wh)]
        else:
            target = (tx + tw / 2, ty + min(0.2 * th, 10))
            corners = [(wx, wy + wh), (wx + ww, wy + wh)]
        for corner in dict.fromkeys(corners):
            canvas.d.lines.append(Line((corner, target), accent, width))
        dot = 4.0 if style.width < 1600 else 6.0
        canvas.rect(target[0] - dot / 2, target[1] - dot / 2, dot, dot, accent, accent)


def _skip_arc(canvas: _Canvas, src: _Placed, dst: _Placed, style: _Style) -> None:
    dashed = dst.item.skip == "conv"
    colour = _PALETTE["residual"][4]
    sx, sy, sw, sh = src.bbox
    tx, ty, tw, th = dst.bbox
    if style.flow == "row":
        p0, p2 = (sx + sw / 2, sy - 4), (tx + tw / 2, ty - 4)
        p1 = ((p0[0] + p2[0]) / 2, min(p0[1], p2[1]) - style.note * 3.2)
    else:
        p0, p2 = (sx - 4, sy + sh / 2), (tx - 4, ty + th / 2)
        p1 = (min(p0[0], p2[0]) - 40, (p0[1] + p2[1]) / 2)
    points = tuple(
        (
            (1 - t) ** 2 * p0[0] + 2 * (1 - t) * t * p1[0] + t**2 * p2[0],
            (1 - t) ** 2 * p0[1] + 2 * (1 - t) * t * p1[1] + t**2 * p2[1],
        )
        for t in (i / 20 for i in range(21))
    )
    canvas.d.lines.append(Line(points, colour, 2.0 if style.width < 1600 else 3.0, dashed))
    canvas.arrowhead(points[-1], points[-3], colour, 9 if style.width < 1600 else 14)


def _layout_rows(columns: list[_Column], style: _Style, top: float, bottom_limit: float | None):
    """Choose the box scale and the rows for the row flow; returns (u, rows, heights)."""
    items = [c.items[0] for c in columns]
    cap = _u_cap(items, style)
    avail = style.width - 2 * style.margin

    def count(u: float) -> int:
        _size_columns(columns, u, style)
        return len(_rows_greedy([c.width for c in columns], avail, style.col_gap))

    def trial(u: float, n: int | None) -> list[list[int]] | None:
        """Rows balanced in width at scale u (n of them, or as few as fit); None if n cannot fit."""
        _size_columns(columns, u, style)
        widths = [c.width for c in columns]
        fewest = len(_rows_greedy(widths, avail, style.col_gap))
        if n is not None and fewest > n:
            return None
        return _rows_balanced(widths, fewest, avail, style.col_gap)

    if bottom_limit is None:  # the page: the fewest rows boxes down to 40% allow, at the largest scale
        fewest = count(cap * 0.4)
        u = cap
        if count(cap) > fewest:
            low, high = cap * 0.4, cap
            for _unused in range(12):
                mid = (low + high) / 2
                low, high = (mid, high) if count(mid) <= fewest else (low, mid)
            u = low

        def height(u: float) -> float:
            rows = trial(u, None)
            assert rows is not None
            return top + _row_total(_row_heights(columns, rows, style), style) + style.margin * 0.5

        if height(u) > _PAGE_HEIGHT and height(cap * 0.4) <= _PAGE_HEIGHT:  # smaller boxes, no scrolling
            low, high = cap * 0.4, u
            for _unused in range(12):
                mid = (low + high) / 2
                low, high = (mid, high) if height(mid) <= _PAGE_HEIGHT else (low, mid)
            u = low
        rows = trial(u, None)
        assert rows is not None
        return u, rows, _row_heights(columns, rows, style)
    # a fixed canvas: for each row count, the largest scale that fits; keep the best
    room = bottom_limit - top

    def fits(u: float, n: int) -> list[list[int]] | None:
        rows = trial(u, n)
        if rows is None or _row_total(_row_heights(columns, rows, style), style) > room:
            return None
        return rows

    best: tuple[float, list[list[int]]] | None = None
    for n in range(1, 9):
        rows = fits(cap, n)
        if rows is not None:
            found = (cap, rows)
        else:
            low, high = 0.3, cap
            rows = fits(low, n)
            if rows is None:
                continue
            found = (low, rows)
            for _unused in range(16):
                mid = (low + high) / 2
                rows = fits(mid, n)
                if rows is None:
                    high = mid
                else:
                    low, found = mid, (mid, rows)
        if best is None or found[0] > best[0] * 1.08:  # another row only for clearly larger boxes
            best = found
        if best[0] >= cap:
            break
    if best is None:
        return None
    u, rows = best
    trial(u, len(rows))
    return u, rows, _row_heights(columns, rows, style)


def _draw_rows(analysis: Analysis, items: list[_Item], style: _Style, d: Diagram) -> None:
    canvas = _Canvas(d)
    top = style.margin * 0.5
    for line in _title_lines(analysis, style):
        canvas.text(style.margin, top, _Text(line, style.title, True), align="left")
        top += _line_height(style.title)
    top += style.note * 0.6
    footer = _footer_lines(analysis, style) if style.footer else []
    bottom_limit = None
    if style.height is not None:
        bottom_limit = style.height - style.margin * 0.5 - len(footer) * _line_height(style.note) - style.note * 0.6
    # A fixed canvas may need shorter captions: the first level whose boxes are not tiny, else the
    # level with the largest boxes.
    cap = _u_cap(items, style)
    best: tuple[list[_Column], Any] | None = None
    for level in (0, 1, 2) if bottom_limit is not None else (0,):
        columns = _columns(items, style, level)
        layout = _layout_rows(columns, style, top, bottom_limit)
        if layout is not None and (best is None or layout[0] > best[1][0]):
            best = (columns, layout)
        if layout is not None and layout[0] >= 0.2 * cap:
            break
    columns, layout = best if best is not None else (columns, None)
    if layout is None:  # still too many: keep as many stages as fit, and say how many are left off
        assert bottom_limit is not None
        bottom_limit -= _line_height(style.note)
        low, high = 1, len(columns) - 1
        while low < high:
            mid = (low + high + 1) // 2
            low, high = (mid, high) if _layout_rows(columns[:mid], style, top, bottom_limit) else (low, mid - 1)
        d.truncated = sum(len(c.items) for c in columns[low:])
        columns = columns[:low]
        items = [i for c in columns for i in c.items]
        footer = [_("… and {n} more layers, left off to fit the slide (see the page)", n=d.truncated), *footer]
        layout = _layout_rows(columns, style, top, bottom_limit) or _layout_rows(columns, style, top, None)
    assert layout is not None
    _unused, rows, heights = layout
    if bottom_limit is not None:  # centre the rows between title and footer
        top += max(0.0, (bottom_limit - top - _row_total(heights, style)) / 2)
    placed: list[_Placed] = []
    bars: list[tuple[_Item, tuple[float, float, float, float], int]] = []
    rows_y: list[tuple[float, float]] = []
    y = top
    gap = style.note * 1.6
    n_max = max((i.shape[0] for c in columns for i in c.items if i.is_bar and i.shape), default=1)
    avail = style.width - 2 * style.margin
    for r, (row, (arc, region, _text, row_h)) in enumerate(zip(rows, heights)):
        region_top = y + arc
        widths = sum(columns[i].width for i in row)
        # spread a short row's columns over the width (up to 3× the gap), then centre it
        col_gap = min(style.col_gap * 3, max(style.col_gap, (avail - widths) / max(len(row) - 1, 1)))
        x = style.margin + max(0.0, (avail - widths - col_gap * (len(row) - 1)) / 2)
        for i in row:
            col = columns[i]
            if col.items[0].is_bar:
                by = y + max(0.0, min(arc + (region - col.region) / 2, row_h - col.region))
                for item in col.items:
                    by = _draw_bar(canvas, item, x, by, col.width, n_max, style, r, bars)
            else:
                e = col.extent
                assert e is not None
                bx = x + (col.width - e.bbox_w) / 2
                by = region_top + (region - e.bbox_h) / 2
                placed.append(_place_map(canvas, col.items[0], e, bx, by, style, r))
                placed[-1].column_right = x + col.width
                ty = region_top + region + style.note * 1.0
                for t in col.texts[0]:
                    canvas.text(x + col.width / 2, ty, t)
                    ty += _line_height(t.size)
            x += col.width + col_gap
        y += row_h
        rows_y.append((region_top, y))
        y += gap
    _connect(canvas, items, placed, bars, style, rows_y)
    d.width = style.width
    d.height = style.height if style.height is not None else y - gap + style.margin * 0.5
    if footer:
        fy = d.height - style.margin * 0.5 - len(footer) * _line_height(style.note)
        for line in footer:
            canvas.text(style.margin, fy, _Text(line, style.note, False, _NOTE_INK), align="left")
            fy += _line_height(style.note)


def _bar(
    canvas: _Canvas,
    item: _Item,
    x: float,
    y: float,
    length_max: float,
    n_max: int,
    style: _Style,
    row: int,
    out: list[tuple[_Item, tuple[float, float, float, float], int]],
) -> None:
    """The bar itself (its length ∝ features; a dashed stub for an invalid layer), its hover and record."""
    invalid = item.kind == "invalid"
    hover = _hover_text(item) if invalid else _bar_hover(item)
    if invalid:
        length = length_max * 0.4
        canvas.rect(x, y, length, style.bar_thickness, None, _INVALID, dash=True, width=2.0, hover=hover)
    else:
        length = max(length_max * item.shape[0] / max(n_max, 1), 3.0)
        fill, line = _BAR_COLOURS[item.kind]
        canvas.rect(x, y, length, style.bar_thickness, fill, line, hover=hover)
        canvas.d.bars.append({"name": item.name, "features": item.shape[0], "length": length, "kind": item.kind})
    canvas.d.hovers.append(Hover(x + length / 2, y + style.bar_thickness / 2, style.bar_thickness * 1.5, hover))
    out.append((item, (x, y, length, style.bar_thickness), row))


def _draw_bar(
    canvas: _Canvas,
    item: _Item,
    x: float,
    y: float,
    width: float,
    n_max: int,
    style: _Style,
    row: int,
    out: list[tuple[_Item, tuple[float, float, float, float], int]],
) -> float:
    """One classifier bar with its name and width above it; returns the y below it."""
    invalid = item.kind == "invalid"
    ink = _INVALID if invalid else _INK
    canvas.text(x, y, _Text(item.name, style.shape, True, ink), align="left")
    if not invalid:
        canvas.text(x + width, y, _Text(f"{item.shape[0]:,}", style.shape), align="right")
    y += _line_height(style.shape)
    _bar(canvas, item, x, y, width, n_max, style, row, out)
    y += style.bar_thickness
    y += 4
    for t in _bar_texts(item, style, width):
        canvas.text(x, y, t, align="left")
        y += _line_height(t.size)
    return y + style.bar_thickness * 0.8


def _connect(
    canvas: _Canvas,
    items: list[_Item],
    placed: list[_Placed],
    bars: list[tuple[_Item, tuple[float, float, float, float], int]],
    style: _Style,
    rows_y: list[tuple[float, float]],
) -> None:
    maps = {id(p.item): p for p in placed}
    bar_at = {id(b[0]): b for b in bars}
    for prev, item in pairwise(items):
        if id(item) in maps and id(prev) in maps:
            src, dst = maps[id(prev)], maps[id(item)]
            _link(canvas, src, dst, style, rows_y)
            if item.skip and src.row == dst.row:
                _skip_arc(canvas, src, dst, style)
        elif id(item) in bar_at and id(prev) in maps:  # into the classifier
            src = maps[id(prev)]
            _unused, (bx, by, bw, bh), row = bar_at[id(item)]
            accent = _PALETTE["other"][4]
            tip = (bx - 3, by + bh / 2) if style.flow == "row" else (bx + 6, by - 3)
            for fx, fy, fw, fh in src.faces:
                start = (fx + fw + 2, fy + fh / 2) if style.flow == "row" else (fx + fw / 2, fy + fh + 2)
                if row != src.row:
                    continue
                canvas.d.lines.append(Line((start, tip), accent, 1.0))
            if row == src.row:
                frm = (tip[0] - 10, tip[1]) if style.flow == "row" else (tip[0], tip[1] - 10)
                canvas.arrowhead(tip, frm, accent, 9 if style.width < 1600 else 14)
        elif id(item) in maps and id(prev) in bar_at:  # a map after a bar: only unknown layer types
            _unused, (bx, by, bw, bh), _row = bar_at[id(prev)]
            dst = maps[id(item)]
            tx, ty, tw, th = dst.faces[0]
            canvas.d.lines.append(Line(((bx + bw, by + bh / 2), (tx, ty + th / 2)), _PALETTE["other"][4], 1.0))


def _draw_column(analysis: Analysis, items: list[_Item], style: _Style, d: Diagram) -> None:
    """The phone layout: maps top to bottom, boxes on the left, captions on the right."""
    canvas = _Canvas(d)
    y = style.margin * 0.5
    for line in _title_lines(analysis, style):
        canvas.text(style.margin, y, _Text(line, style.title, True), align="left")
        y += _line_height(style.title)
    y += style.note * 0.6
    skip_room = 44.0 if any(i.skip for i in items) else 0.0
    box_x = style.margin + skip_room
    box_col = style.region - skip_room * 0.5
    text_x = box_x + box_col + 12
    text_width = style.width - style.margin - text_x
    style_here = _Style(**{**style.__dict__, "text_width": text_width, "region": box_col})
    u = _u_cap(items, style_here)
    gap = style.note * 2.2
    n_max = max((i.shape[0] for i in items if i.is_bar and i.shape), default=1)
    placed: list[_Placed] = []
    bars: list[tuple[_Item, tuple[float, float, float, float], int]] = []
    template = None
    for n, item in enumerate(items):
        if n:
            y += gap if not (item.is_bar and items[n - 1].is_bar) else style.note * 0.5
        if item.is_bar:
            y = _column_bar(canvas, item, box_x, y, box_col, text_x, n_max, style_here, bars) - style.note * 0.3
            continue
        e = _extent(item, u, style_here, template)
        if item.kind != "invalid":
            template = e
        texts = _map_text(item, style_here)
        bx = box_x + (box_col - e.bbox_w) / 2
        placed.append(_place_map(canvas, item, e, bx, y, style_here, 0))
        ty = y
        for t in texts:
            canvas.text(text_x, ty, t, align="left")
            ty += _line_height(t.size)
        y = max(y + e.bbox_h, ty)
    _connect(canvas, items, placed, bars, style_here, [])
    y += style.margin * 0.5
    if style.footer:
        y += style.note * 0.8
        for line in _footer_lines(analysis, style):
            canvas.text(style.margin, y, _Text(line, style.note, False, _NOTE_INK), align="left")
            y += _line_height(style.note)
        y += style.margin * 0.5
    d.width = style.width
    d.height = y


def _column_bar(
    canvas: _Canvas,
    item: _Item,
    x: float,
    y: float,
    length_max: float,
    text_x: float,
    n_max: int,
    style: _Style,
    out: list[tuple[_Item, tuple[float, float, float, float], int]],
) -> float:
    invalid = item.kind == "invalid"
    line_h = _line_height(style.shape)
    bar_y = y + (line_h - style.bar_thickness) / 2
    _bar(canvas, item, x, bar_y, length_max, n_max, style, 0, out)
    ink = _INVALID if invalid else _INK
    canvas.text(text_x, y, _Text(item.name, style.shape, True, ink), align="left")
    if not invalid:
        canvas.text(style.width - style.margin, y, _Text(f"{item.shape[0]:,}", style.shape), align="right")
    y += line_h
    for t in _bar_texts(item, style, style.width - style.margin - text_x):
        canvas.text(text_x, y, t, align="left")
        y += _line_height(t.size)
    return y


def diagram(analysis: Analysis, *, layout: str = "page", width: float | None = None) -> Diagram:
    """Geometry for the whole network in one layout ("page", "vertical", "slide" or "phone").

    `width`: the px width the page or vertical layout is drawn for (default 960 and 390). The
    labels are in the current language (explorer.i18n).
    """
    name, style = _style(layout, width)
    d = Diagram(layout=name)
    items = _items(analysis)
    if style.flow == "row":
        _draw_rows(analysis, items, style, d)
    else:
        _draw_column(analysis, items, style, d)
    return d


# --- renderers --------------------------------------------------------------------------------


def _rgba(colour: str, alpha: float) -> str:
    r, g, b = int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)
    return f"rgba({r},{g},{b},{alpha:g})"


_POSITION = {
    ("left", "top"): "bottom right",
    ("center", "top"): "bottom center",
    ("right", "top"): "bottom left",
    ("left", "middle"): "middle right",
    ("center", "middle"): "middle center",
    ("right", "middle"): "middle left",
}


def diagram_plotly(
    analysis: Analysis, *, layout: str = "page", width: float | None = None, lang: str | None = None
) -> go.Figure:
    """The diagram as an interactive figure: "page" or "vertical" (a 390 px phone), text in `lang`
    (default: the current language).

    The page layout is drawn for a chart `width` px wide (default 960: the Build page's chart in a
    1440-px window with the sidebar open, or a 1024×768 projector in presenting mode). A wider
    chart shows it at the same size, centred; a much narrower one would crowd its labels (which
    keep their px size), so pass the width you expect, e.g. 1376 for a 1440 window in presenting mode.
    """
    if lang is not None:
        with using(lang):
            return diagram_plotly(analysis, layout=layout, width=width)
    geo = diagram(analysis, layout=layout, width=width)
    data: list[dict[str, Any]] = []
    groups: dict[tuple, tuple[list, list]] = {}
    for poly in geo.polygons:
        key = (poly.fill, poly.alpha, poly.line, poly.dash, poly.width)
        xs, ys = groups.setdefault(key, ([], []))
        for px, py in poly.points:
            xs.append(px)
            ys.append(py)
        xs += [poly.points[0][0], None]
        ys += [poly.points[0][1], None]
    # One trace per style, shapes separated by gaps (NaN): a dozen traces instead of hundreds, as
    # float arrays, which plotly copies in one piece (lists are copied item by item, twice).
    for (fill, alpha, line, dash, width), (xs, ys) in groups.items():
        trace: dict[str, Any] = {
            "type": "scatter",
            "x": np.array(xs, dtype=float),
            "y": np.array(ys, dtype=float),
            "mode": "lines",
            "line": {"color": line, "width": width, **({"dash": "dash"} if dash else {})},
            "hoverinfo": "skip",
            "showlegend": False,
        }
        if fill is not None:
            trace.update(fill="toself", fillcolor=_rgba(fill, alpha))
        data.append(trace)
    lines: dict[tuple, tuple[list, list]] = {}
    for ln in geo.lines:
        xs, ys = lines.setdefault((ln.colour, ln.width, ln.dash), ([], []))
        for px, py in ln.points:
            xs.append(px)
            ys.append(py)
        xs.append(None)
        ys.append(None)
    for (colour, width, dash), (xs, ys) in lines.items():
        data.append(
            {
                "type": "scatter",
                "x": np.array(xs, dtype=float),
                "y": np.array(ys, dtype=float),
                "mode": "lines",
                "line": {"color": colour, "width": width, **({"dash": "dash"} if dash else {})},
                "hoverinfo": "skip",
                "showlegend": False,
            }
        )
    if geo.labels:
        # plotly reads HTML in text: escape every label, then add only our own <b>
        texts = [f"<b>{html.escape(lb.text)}</b>" if lb.bold else html.escape(lb.text) for lb in geo.labels]
        data.append(
            {
                "type": "scatter",
                "x": np.array([lb.x for lb in geo.labels], dtype=float),
                "y": np.array([lb.y for lb in geo.labels], dtype=float),
                "mode": "text",
                "text": texts,
                "textposition": [_POSITION[(lb.align, lb.valign)] for lb in geo.labels],
                "textfont": {
                    "size": np.array([lb.size for lb in geo.labels], dtype=float),
                    "color": [lb.colour for lb in geo.labels],
                },
                "hoverinfo": "skip",
                "showlegend": False,
                "name": "labels",
            }
        )
    if geo.hovers:
        data.append(
            {
                "type": "scatter",
                "x": np.array([h.x for h in geo.hovers], dtype=float),
                "y": np.array([h.y for h in geo.hovers], dtype=float),
                "mode": "markers",
                "marker": {"size": [h.size for h in geo.hovers], "opacity": 0, "color": "#000000"},
                "text": [html.escape(h.text) for h in geo.hovers],
                "hovertemplate": "%{text}<extra></extra>",
                "showlegend": False,
                "name": "hover",
            }
        )
    style = _STYLES[geo.layout]
    layout_dict: dict[str, Any] = {
        "height": math.ceil(geo.height),
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "font": {"family": "Arial, 'Liberation Sans', Helvetica, sans-serif", "size": style.note, "color": _INK},
        "xaxis": {"visible": False, "range": [0, geo.width], "fixedrange": False},
        "yaxis": {"visible": False, "range": [geo.height, 0], "scaleanchor": "x", "scaleratio": 1},
        "hoverlabel": {"font": {"size": 14}},
        "showlegend": False,
    }
    if style.flow == "column":
        layout_dict["width"] = int(geo.width)
    # Built from plain dicts without per-property validation: the data above is ours and well-formed,
    # and validation would cost more than the whole layout (a slider move builds a new figure).
    return go.Figure(data=data, layout=layout_dict, _validate=False)


def diagram_title(analysis: Analysis) -> str:
    """The variant as it is now: its name, "(modified)" when it is no longer that preset, its input."""
    v = analysis.variant
    c, h, w = analysis.input_shape
    shape = f"{c}×{h}×{w}"
    if v.name in PRESETS and not is_unchanged_preset(v):
        return _("{name} (modified) · input {shape}: feature maps (C×H×W) and classifier", name=v.name, shape=shape)
    return _("{name} · input {shape}: feature maps (C×H×W) and classifier", name=v.name, shape=shape)


_PHONE_SCALE = 2  # phone PNGs are drawn at 2×: 780 px for a 390-px-wide screen


def diagram_image(analysis: Analysis, fmt: str = "png", *, layout: str = "slide", lang: str | None = None) -> bytes:
    """The diagram as a PNG or SVG file drawn by matplotlib, its text in `lang` (default: the current language).

    "slide": exactly 1920×1080 px (16:9), all text ≥ 24 px; "phone": 390 px wide (PNG at 2×,
    780 px). "page" and "vertical" give the on-screen layouts as files. Chinese text needs a CJK
    font on the server (explorer.fonts); without one the file is still drawn, with boxes for it.
    """
    if fmt not in ("png", "svg"):
        raise ValueError(f"unknown image format {fmt!r}; choose png or svg")
    if lang is not None:  # a download runs later, in another thread: the page passes its language
        with using(lang):
            return diagram_image(analysis, fmt, layout=layout)
    import warnings

    from matplotlib.collections import LineCollection, PolyCollection
    from matplotlib.figure import Figure

    geo = diagram(analysis, layout=layout)
    style = _STYLES[geo.layout]
    width, height = geo.width, geo.height
    dpi = 100
    fig = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    fig.patch.set_facecolor("white")
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.axis("off")
    pt = 72 / dpi  # a px size in points
    lw = pt  # line widths in px
    groups: dict[tuple, list] = {}
    for poly in geo.polygons:
        groups.setdefault((poly.fill, poly.alpha, poly.line, poly.dash, poly.width), []).append(list(poly.points))
    for (fill, alpha, line, dash, pw), verts in groups.items():
        ax.add_collection(
            PolyCollection(
                verts,
                facecolors="none" if fill is None else _mpl_colour(fill, alpha),
                edgecolors=line,
                linewidths=pw * lw * 1.2,
                linestyles="--" if dash else "-",
                closed=True,
            )
        )
    line_groups: dict[tuple, list] = {}
    for ln in geo.lines:
        line_groups.setdefault((ln.colour, ln.width, ln.dash), []).append(list(ln.points))
    for (colour, lwidth, dash), segments in line_groups.items():
        ax.add_collection(
            LineCollection(segments, colors=colour, linewidths=lwidth * lw * 1.2, linestyles="--" if dash else "-")
        )
    family = fonts.font_family()
    for lb in geo.labels:
        ax.text(
            lb.x,
            lb.y,
            _mpl_text(lb.text),
            fontsize=lb.size * pt,
            color=lb.colour,
            fontweight="bold" if lb.bold else "normal",
            ha=lb.align,
            va="top" if lb.valign == "top" else "center",
            family=family,
        )
    buffer = io.BytesIO()
    scale = _PHONE_SCALE if style.flow == "column" and fmt == "png" else 1
    extra = {"pil_kwargs": {"compress_level": 2}} if fmt == "png" else {}  # 3× faster than the default 6
    with warnings.catch_warnings():
        # Without a CJK font every Chinese glyph warns; the page says once which font is missing.
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font")
        fig.savefig(buffer, format=fmt, dpi=dpi * scale, facecolor="white", metadata=_METADATA[fmt], **extra)
    data = buffer.getvalue()
    if fmt == "svg":
        data = _svg_in_px(data, width, height)
    return data


_METADATA = {"png": {"Software": None}, "svg": {"Date": None}}


def _mpl_colour(colour: str, alpha: float) -> tuple[float, float, float, float]:
    return (int(colour[1:3], 16) / 255, int(colour[3:5], 16) / 255, int(colour[5:7], 16) / 255, alpha)


def _mpl_text(text: str) -> str:
    return text.replace("$", r"\$")  # no mathtext from a name


def _svg_in_px(data: bytes, width: float, height: float) -> bytes:
    """matplotlib sizes an SVG in points; state the pixel size so a 1920×1080 slide is 1920×1080."""
    head, sep, rest = data.partition(b"<svg ")
    tag, close, body = rest.partition(b">")
    tag = re.sub(rb'width="[^"]*"', f'width="{width:g}px"'.encode(), tag, count=1)
    tag = re.sub(rb'height="[^"]*"', f'height="{height:g}px"'.encode(), tag, count=1)
    return head + sep + tag + close + body


# --- parameters and compute -------------------------------------------------------------------


def compute_split(analysis: Analysis) -> tuple[float, float]:
    """(share of parameters in linear layers, share of MACs in conv layers), as fractions."""
    params = analysis.total_params or 1
    macs = analysis.total_macs or 1
    fc_params = sum(r.params for r in analysis.rows if r.type == "linear")
    conv_macs = sum(r.macs for r in analysis.rows if r.type == "conv")
    return fc_params / params, conv_macs / macs


def params_macs_figure(analysis: Analysis, *, lang: str | None = None) -> go.Figure:
    """Per weighted layer: its share of parameters and of MACs (text in `lang`, default the current language)."""
    if lang is not None:
        with using(lang):
            return params_macs_figure(analysis)
    rows = [r for r in analysis.rows if r.type in ("conv", "linear")]
    params = analysis.total_params or 1
    macs = analysis.total_macs or 1
    names = [r.name for r in rows]
    fig = go.Figure()
    # plotly's own %{…} placeholders are literal braces in a key without parameters (shown as written)
    fig.add_bar(
        name=_("% of parameters"),
        x=names,
        y=[100 * r.params / params for r in rows],
        marker_color="#756bb1",
        text=[format_count(r.params) for r in rows],
        hovertemplate=_("%{x}: %{y:.1f}% of parameters (%{text})") + "<extra></extra>",
    )
    fig.add_bar(
        name=_("% of MACs"),
        x=names,
        y=[100 * r.macs / macs for r in rows],
        marker_color="#3182bd",
        text=[format_count(r.macs) for r in rows],
        hovertemplate=_("%{x}: %{y:.1f}% of MACs (%{text})") + "<extra></extra>",
    )
    fc_share, conv_share = compute_split(analysis)
    fig.update_layout(
        barmode="group",
        height=340,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        title={
            "text": _(
                "Fully connected layers hold {fc:.1f}% of the parameters; conv layers do {conv:.1f}% of the MACs",
                fc=100 * fc_share,
                conv=100 * conv_share,
            ),
            "font": {"size": 14},
        },
        yaxis_title=_("% of total"),
        legend={"orientation": "h", "y": 1.02, "x": 1, "xanchor": "right", "yanchor": "bottom"},
    )
    return fig
