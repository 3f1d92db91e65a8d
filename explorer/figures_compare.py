"""Figures for the Compare page (plotly, no Streamlit): per-layer parameters and MACs grouped by
variant, and the spatial funnel (the feature map's height per layer, one line per variant).

Every figure takes a `Comparison` and plots its aligned roles, so a role missing from one variant
is a gap in that variant's bars or line. An invalid variant is plotted up to its failing layer and
marked "(invalid)" in the legend. Titles, axes, legends and hover texts are in the current language;
log axes are labelled as numbers (1K, 10K, 1M, 10M …); the funnel labels each distinct height at a
layer once, so equal heights never print on top of each other.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go

from .analysis import format_count
from .compare import INPUT_ROLE, Cell, Comparison, role_title
from .i18n import _

__all__ = [
    "VARIANT_COLOURS",
    "decade_ticks",
    "funnel_figure",
    "funnel_labels",
    "funnel_series",
    "macs_figure",
    "params_figure",
    "weighted_roles",
]

VARIANT_COLOURS = ("#3182bd", "#e6550d", "#31a354", "#756bb1")
_SPATIAL_TYPES = ("conv", "maxpool", "avgpool", "adaptiveavgpool")
_DASHES = ("solid", "dash", "dot", "dashdot")
_SYMBOLS = ("circle", "square", "diamond", "triangle-up")
# below the plot: with four long variant names a legend beside the title would cover it
_LEGEND = {"orientation": "h", "y": -0.12, "x": 0, "xanchor": "left", "yanchor": "top"}


def _legend_name(c: Comparison, k: int) -> str:
    return c.labels[k] if c.analyses[k].valid else _("{label} (invalid)", label=c.labels[k])


def decade_ticks(values: list[int | None]) -> tuple[list[int], list[str]]:
    """Ticks for a log axis over `values`: one per power of ten, labelled as numbers (1K, 10M)."""
    known = [v for v in values if v]
    if not known:
        return [], []
    lo, hi = math.floor(math.log10(min(known))), math.ceil(math.log10(max(known)))
    ticks = [10**e for e in range(lo, hi + 1)]
    return ticks, [format_count(t) for t in ticks]


def weighted_roles(c: Comparison) -> list[str]:
    """Roles of conv and linear layers in any column, in aligned order."""
    return [row.role for row in c.rows if any(cell.ok and cell.layer_type in ("conv", "linear") for cell in row.cells)]


def _value(cell: Cell, what: str) -> int | None:
    if not cell.ok or cell.layer_type not in ("conv", "linear"):
        return None
    return cell.params if what == "params" else cell.macs


def _bars(c: Comparison, what: str, title: str, log: bool) -> go.Figure:
    roles = weighted_roles(c)
    unit = _("parameters") if what == "params" else _("multiply-accumulates (MACs)")
    fig = go.Figure()
    everything: list[int | None] = []
    for k in range(len(c.labels)):
        values = [_value(c.row(role).cells[k], what) for role in roles]
        everything += values
        fig.add_bar(
            name=_legend_name(c, k),
            x=roles,
            y=values,
            marker_color=VARIANT_COLOURS[k % len(VARIANT_COLOURS)],
            customdata=[format_count(v) if v is not None else "—" for v in values],
            # the label is user text: kept out of the template, where a "%{" in it would be read
            hovertemplate="%{fullData.name} · %{x}: %{y:,} "
            + unit.replace("%", "%%")
            + " (%{customdata})<extra></extra>",
        )
    axis: dict = {"title": unit}
    if log:
        ticks, texts = decade_ticks(everything)
        axis |= {"type": "log", "tickvals": ticks, "ticktext": texts}
    else:
        axis |= {"type": "linear", "tickformat": "~s"}
    fig.update_layout(
        barmode="group",
        height=400,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        title={"text": title, "font": {"size": 14}},
        yaxis=axis,
        legend=_LEGEND,
    )
    return fig


def params_figure(c: Comparison, *, log: bool = False) -> go.Figure:
    """Parameters of each conv and linear layer, one bar per variant."""
    return _bars(c, "params", _("Parameters per layer"), log)


def macs_figure(c: Comparison, *, log: bool = False) -> go.Figure:
    """Multiply-accumulates of each conv and linear layer, one bar per variant."""
    return _bars(c, "macs", _("Multiply-accumulates (MACs) per layer"), log)


def funnel_series(c: Comparison) -> tuple[list[str], list[list[int | None]]]:
    """The funnel's x (input, then every conv/pool role) and, per variant, the height there
    (None where the variant has no such layer or stopped before it)."""
    roles = [
        row.role
        for row in c.rows
        if row.role == INPUT_ROLE or any(cell.ok and cell.layer_type in _SPATIAL_TYPES for cell in row.cells)
    ]
    series = []
    for k in range(len(c.labels)):
        heights: list[int | None] = []
        for role in roles:
            cell = c.row(role).cells[k]
            ok = cell.ok and cell.output is not None and len(cell.output) == 3
            heights.append(cell.output[1] if ok and cell.output is not None else None)
        series.append(heights)
    return roles, series


def funnel_labels(series: list[list[int | None]]) -> list[list[tuple[str, str]]]:
    """Per variant and point, (text, position): each distinct height at a layer is labelled once,
    by the first variant that has it; the highest goes above, the lowest below, any others beside,
    so no two labels at a layer overlap."""
    out = [[("", "top center") for _h in heights] for heights in series]
    for j in range(len(series[0]) if series else 0):
        owners: dict[int, int] = {}
        for k, heights in enumerate(series):
            if heights[j] is not None:
                owners.setdefault(heights[j], k)
        distinct = sorted(owners, reverse=True)
        for rank, h in enumerate(distinct):
            if rank == 0:
                where = "top center"
            elif rank == len(distinct) - 1:
                where = "bottom center"
            else:
                where = ("middle right", "middle left")[(rank - 1) % 2]
            out[owners[h]][j] = (str(h), where)
    return out


def funnel_figure(c: Comparison) -> go.Figure:
    """The spatial funnel: the feature map's height after each conv/pool layer, a line per variant."""
    roles, series = funnel_series(c)
    labels = funnel_labels(series)
    fig = go.Figure()
    for k, heights in enumerate(series):
        fig.add_scatter(
            name=_legend_name(c, k),
            x=[role_title(role) for role in roles],  # "input" in the reader's language; layer names as they are
            y=heights,
            mode="lines+markers+text",
            text=[label[0] for label in labels[k]],
            textposition=[label[1] for label in labels[k]],
            textfont={"color": VARIANT_COLOURS[k % len(VARIANT_COLOURS)], "size": 12},
            connectgaps=True,
            line={"color": VARIANT_COLOURS[k % len(VARIANT_COLOURS)], "width": 2, "dash": _DASHES[k % len(_DASHES)]},
            marker={"symbol": _SYMBOLS[k % len(_SYMBOLS)], "size": 8},
            hovertemplate="%{fullData.name} · %{x}: " + _("{h} pixels high", h="%{y}") + "<extra></extra>",
        )
    known = [h for heights in series for h in heights if h is not None]
    lo, hi = (min(known), max(known)) if known else (1, 10)
    ends = " vs ".join(
        f"{next((h for h in heights if h is not None), '?')} → {next((h for h in reversed(heights) if h is not None), '?')}"
        for heights in series
    )
    ticks = [t for t in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000) if lo / 2.5 <= t <= hi * 2.5]
    fig.update_layout(
        height=420,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        title={"text": _("Spatial funnel: height of the feature map ({ends})", ends=ends), "font": {"size": 14}},
        # log scale: 227 → 6 fits, and 6 vs 5 or 13 vs 12 stay visibly apart
        yaxis={
            "title": _("height (pixels, log scale)"),
            "type": "log",
            "tickvals": ticks,
            "ticktext": [str(t) for t in ticks],
            "range": [math.log10(lo) - 0.15, math.log10(hi) + 0.15],
        },
        legend=_LEGEND,
    )
    return fig
