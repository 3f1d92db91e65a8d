"""Figures for the Build page: a Figure-2-style diagram and where parameters and compute go.

The diagram is computed once as geometry (polygons and labels, pure data) and rendered twice:
interactively with plotly, and as PNG/SVG files with matplotlib (no browser needed server-side).
"""

from __future__ import annotations

import html
import io
import math
from dataclasses import dataclass, field

import plotly.graph_objects as go

from .analysis import Analysis, LayerRow, format_count
from .presets import PRESETS
from .spec import LRN, Conv

__all__ = [
    "diagram_title",
    "Diagram",
    "compute_split",
    "diagram",
    "diagram_image",
    "diagram_plotly",
    "params_macs_figure",
]

_COLOURS = {
    "input": ("#d9d9d9", "#7f7f7f"),
    "conv": ("#9ecae1", "#3182bd"),
    "maxpool": ("#fdd0a2", "#e6550d"),
    "avgpool": ("#fdd0a2", "#e6550d"),
    "adaptiveavgpool": ("#c7e9c0", "#31a354"),
    "linear": ("#dadaeb", "#756bb1"),
}


@dataclass(frozen=True)
class Polygon:
    points: tuple[tuple[float, float], ...]
    fill: str
    line: str
    hover: str = ""


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    size: int = 11
    colour: str = "#222222"


@dataclass
class Diagram:
    polygons: list[Polygon] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    width: float = 0.0
    height: float = 0.0


def _cuboid(x: float, y_mid: float, thick: float, side: float, colours: tuple[str, str], hover: str) -> list[Polygon]:
    """Front face (channels × H) with a receding top and side (W), as in the paper's Figure 2."""
    fill, line = colours
    d = side * 0.45  # depth offset of the receding W axis
    x0, x1, y0, y1 = x, x + thick, y_mid - side / 2, y_mid + side / 2
    front = ((x0, y0), (x1, y0), (x1, y1), (x0, y1))
    top = ((x0, y1), (x1, y1), (x1 + d, y1 + d * 0.6), (x0 + d, y1 + d * 0.6))
    right = ((x1, y0), (x1 + d, y0 + d * 0.6), (x1 + d, y1 + d * 0.6), (x1, y1))
    return [Polygon(front, fill, line, hover), Polygon(top, fill, line, hover), Polygon(right, fill, line, hover)]


def _towers(analysis: Analysis) -> dict[int, int]:
    """How many GPU towers each row's output is drawn as: >1 where a grouped conv makes or consumes it."""
    rows = analysis.rows
    layers = analysis.variant.layers
    towers: dict[int, int] = {}
    for i, row in enumerate(rows):
        if len(row.output) != 3:
            continue
        g = 1
        layer = layers[row.index]
        if isinstance(layer, Conv):
            g = layer.groups
        elif i > 0 and len(rows[i - 1].output) == 3:
            g = towers.get(i - 1, 1)
        upcoming = next((layers[r.index] for r in rows[i + 1 :] if isinstance(layers[r.index], Conv)), None)
        if isinstance(upcoming, Conv) and upcoming.groups > 1 and g == 1:
            g = upcoming.groups
        towers[i] = g if g in (2, 3, 4) and row.output[0] % g == 0 else 1
    return towers


def _caption(rows: tuple[LayerRow, ...], analysis: Analysis, i: int) -> str:
    layer = analysis.variant.layers[rows[i].index]
    if isinstance(layer, Conv):
        text = f"conv {layer.kernel}×{layer.kernel}/{layer.stride}\n"
        if layer.padding:
            text += f"p{layer.padding} "
        if layer.groups > 1:
            text += f"g{layer.groups} "
        following = analysis.variant.layers[rows[i].index + 1 :]
        for nxt in following:
            if isinstance(nxt, LRN):
                text += "+LRN"
                break
            if nxt.type in ("conv", "maxpool", "avgpool", "adaptiveavgpool", "flatten", "linear"):
                break
        return text.strip()
    if layer.type in ("maxpool", "avgpool"):
        stride = layer.effective_stride
        return f"{'max' if layer.type == 'maxpool' else 'avg'}pool\n{layer.kernel}/{stride}" + (
            " ceil" if layer.ceil_mode else ""
        )
    if layer.type == "adaptiveavgpool":
        return f"adaptive\n→ {layer.size}×{layer.size}"
    return layer.type


def diagram(analysis: Analysis) -> Diagram:
    """Geometry for the whole network: one cuboid per feature map, bars for the classifier."""
    d = Diagram()
    c, h, w = analysis.input_shape
    h_in = max(h, 1)

    def side(hh: int) -> float:
        return 24 + 156 * (hh / h_in) ** 0.6

    def thick(cc: int) -> float:
        return 4 + 5 * math.log2(max(cc, 1) + 1)

    gap = 85.0  # room between maps for the operation's caption
    x = 0.0
    prev_right = 0.0
    towers = _towers(analysis)
    spatial = [(i, r) for i, r in enumerate(analysis.rows) if len(r.output) == 3 and r.type in _COLOURS]
    stages = [(-1, "input", (c, h, w), "input", 1)] + [
        (i, r.name, r.output, r.type, towers.get(i, 1)) for i, r in spatial
    ]
    top = 0.0
    for n, (i, name, shape, kind, g) in enumerate(stages):
        cc, hh, ww = shape
        s = side(hh)
        t = thick(cc // g)
        hover = f"{name}: {cc}×{hh}×{ww}" + (f" ({g} towers of {cc // g})" if g > 1 else "")
        if n > 0:
            d.labels.append(Label(prev_right + gap / 2, 0, _caption(analysis.rows, analysis, i) + "\n→", 10, "#555555"))
        if g == 1:
            d.polygons += _cuboid(x, 0, t, s, _COLOURS[kind], hover)
            top = max(top, s / 2 + s * 0.27)
            bottom = -s / 2
        else:
            tower_gap = 8
            span = g * s * 0.55 + (g - 1) * tower_gap
            for k in range(g):
                y_mid = span / 2 - s * 0.275 - k * (s * 0.55 + tower_gap)
                d.polygons += _cuboid(x, y_mid, t, s * 0.55, _COLOURS[kind], hover + f", tower {k + 1}")
            top = max(top, span / 2 + s * 0.15)
            bottom = -span / 2
        d.labels.append(Label(x + t / 2 + s * 0.2, bottom - 14, f"{cc}×{hh}×{ww}", 10))
        d.labels.append(Label(x + t / 2 + s * 0.2, bottom - 30, name, 11, "#000000"))
        prev_right = x + t + s * 0.45
        x = prev_right + gap
    # classifier as bars
    for r in analysis.rows:
        if r.type not in ("linear", "flatten"):
            continue
        n = r.output[0]
        bar_h = 12 + 14 * math.log2(max(n, 1) + 1)
        kind = "linear" if r.type == "linear" else "input"
        fill, line = _COLOURS[kind]
        d.polygons.append(
            Polygon(
                ((x, -bar_h / 2), (x + 14, -bar_h / 2), (x + 14, bar_h / 2), (x, bar_h / 2)),
                fill,
                line,
                f"{r.name}: {n:,}",
            )
        )
        d.labels.append(Label(x + 7, -bar_h / 2 - 14, f"{n:,}", 10))
        d.labels.append(Label(x + 7, -bar_h / 2 - 30, r.name, 11, "#000000"))
        top = max(top, bar_h / 2)
        x += 70
    d.width = x
    d.height = top
    return d


def diagram_plotly(analysis: Analysis) -> go.Figure:
    geo = diagram(analysis)
    fig = go.Figure()
    # One trace per colour, polygons separated by None: a few traces instead of dozens.
    groups: dict[tuple[str, str], tuple[list, list, list]] = {}
    for poly in geo.polygons:
        xs, ys, texts = groups.setdefault((poly.fill, poly.line), ([], [], []))
        for px, py in (*poly.points, poly.points[0]):
            xs.append(px)
            ys.append(py)
            texts.append(poly.hover)
        xs.append(None)
        ys.append(None)
        texts.append(None)
    for (fill, line), (xs, ys, texts) in groups.items():
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                fill="toself",
                fillcolor=fill,
                line={"color": line, "width": 1},
                mode="lines",
                hoverinfo="text",
                text=texts,
                showlegend=False,
            )
        )
    annotations = [
        {
            "x": label.x,
            "y": label.y,
            "text": label.text.replace("\n", "<br>"),
            "showarrow": False,
            "font": {"size": label.size, "color": label.colour},
        }
        for label in geo.labels
    ]
    fig.update_layout(
        annotations=annotations,
        height=360,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        plot_bgcolor="white",
        xaxis={"visible": False},
        yaxis={"visible": False, "scaleanchor": "x", "scaleratio": 1},
        title={"text": html.escape(diagram_title(analysis)), "font": {"size": 14}},  # plotly reads HTML
    )
    return fig


def diagram_title(analysis: Analysis) -> str:
    """The variant as it is now: its name, "(modified)" when it is no longer that preset, its input."""
    v = analysis.variant
    preset = PRESETS.get(v.name)
    modified = " (modified)" if preset is not None and preset != v else ""
    c, h, w = analysis.input_shape
    return f"{v.name}{modified} · input {c}×{h}×{w}: feature maps (C×H×W) and classifier"


def diagram_image(analysis: Analysis, fmt: str = "png") -> bytes:
    """The same diagram as a PNG or SVG file, drawn by matplotlib."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.patches import Polygon as MplPolygon

    geo = diagram(analysis)
    xs = [p[0] for poly in geo.polygons for p in poly.points] + [lab.x for lab in geo.labels]
    ys = [p[1] for poly in geo.polygons for p in poly.points] + [lab.y for lab in geo.labels]
    x0, x1, y0, y1 = min(xs) - 40, max(xs) + 40, min(ys) - 20, max(ys) + 20
    scale = 1 / 70
    fig = Figure(figsize=(max(6.0, (x1 - x0) * scale), max(2.5, (y1 - y0) * scale)))
    ax = fig.add_axes((0, 0, 1, 0.92))
    for poly in geo.polygons:
        ax.add_patch(MplPolygon(poly.points, closed=True, facecolor=poly.fill, edgecolor=poly.line, linewidth=0.8))
    for label in geo.labels:
        ax.text(label.x, label.y, label.text, ha="center", va="center", fontsize=label.size * 0.8, color=label.colour)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.suptitle(diagram_title(analysis).replace("$", r"\$"), fontsize=10)  # no mathtext from a name
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=150 if fmt == "png" else None)
    return buffer.getvalue()


def compute_split(analysis: Analysis) -> tuple[float, float]:
    """(share of parameters in linear layers, share of MACs in conv layers), as fractions."""
    params = analysis.total_params or 1
    macs = analysis.total_macs or 1
    fc_params = sum(r.params for r in analysis.rows if r.type == "linear")
    conv_macs = sum(r.macs for r in analysis.rows if r.type == "conv")
    return fc_params / params, conv_macs / macs


def params_macs_figure(analysis: Analysis) -> go.Figure:
    """Per weighted layer: its share of parameters and of MACs."""
    rows = [r for r in analysis.rows if r.type in ("conv", "linear")]
    params = analysis.total_params or 1
    macs = analysis.total_macs or 1
    names = [r.name for r in rows]
    fig = go.Figure()
    fig.add_bar(
        name="% of parameters",
        x=names,
        y=[100 * r.params / params for r in rows],
        marker_color="#756bb1",
        text=[format_count(r.params) for r in rows],
        hovertemplate="%{x}: %{y:.1f}% of parameters (%{text})<extra></extra>",
    )
    fig.add_bar(
        name="% of MACs",
        x=names,
        y=[100 * r.macs / macs for r in rows],
        marker_color="#3182bd",
        text=[format_count(r.macs) for r in rows],
        hovertemplate="%{x}: %{y:.1f}% of MACs (%{text})<extra></extra>",
    )
    fc_share, conv_share = compute_split(analysis)
    fig.update_layout(
        barmode="group",
        height=340,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        title={
            "text": f"Fully connected layers hold {100 * fc_share:.1f}% of the parameters; "
            f"conv layers do {100 * conv_share:.1f}% of the MACs",
            "font": {"size": 14},
        },
        yaxis_title="% of total",
        legend={"orientation": "h", "y": 1.02, "x": 1, "xanchor": "right", "yanchor": "bottom"},
    )
    return fig
