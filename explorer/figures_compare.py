"""Figures for the Compare page (plotly, no Streamlit): per-layer parameters and MACs grouped by
variant, and the spatial funnel (the feature map's height per layer, one line per variant).

Every figure takes a `Comparison` and plots its aligned roles, so a role missing from one variant
is a gap in that variant's bars or line. An invalid variant is plotted up to its failing layer and
marked "(invalid)" in the legend.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go

from .analysis import format_count
from .compare import INPUT_ROLE, Cell, Comparison

__all__ = ["VARIANT_COLOURS", "funnel_figure", "funnel_series", "macs_figure", "params_figure", "weighted_roles"]

VARIANT_COLOURS = ("#3182bd", "#e6550d", "#31a354", "#756bb1")
_SPATIAL_TYPES = ("conv", "maxpool", "avgpool", "adaptiveavgpool")
_TEXT_POSITIONS = ("top center", "bottom center", "middle right", "middle left")
_DASHES = ("solid", "dash", "dot", "dashdot")
_SYMBOLS = ("circle", "square", "diamond", "triangle-up")
# below the plot: with four long variant names a legend beside the title would cover it
_LEGEND = {"orientation": "h", "y": -0.12, "x": 0, "xanchor": "left", "yanchor": "top"}


def _legend_name(c: Comparison, k: int) -> str:
    return c.labels[k] if c.analyses[k].valid else f"{c.labels[k]} (invalid)"


def weighted_roles(c: Comparison) -> list[str]:
    """Roles of conv and linear layers in any column, in aligned order."""
    return [row.role for row in c.rows if any(cell.ok and cell.layer_type in ("conv", "linear") for cell in row.cells)]


def _value(cell: Cell, what: str) -> int | None:
    if not cell.ok or cell.layer_type not in ("conv", "linear"):
        return None
    return cell.params if what == "params" else cell.macs


def _bars(c: Comparison, what: str, title: str, log: bool) -> go.Figure:
    roles = weighted_roles(c)
    fig = go.Figure()
    for k in range(len(c.labels)):
        values = [_value(c.row(role).cells[k], what) for role in roles]
        fig.add_bar(
            name=_legend_name(c, k),
            x=roles,
            y=values,
            marker_color=VARIANT_COLOURS[k % len(VARIANT_COLOURS)],
            customdata=[format_count(v) if v is not None else "—" for v in values],
            hovertemplate=f"{c.labels[k]} · %{{x}}: %{{y:,}} {what} (%{{customdata}})<extra></extra>",
        )
    fig.update_layout(
        barmode="group",
        height=400,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        title={"text": title, "font": {"size": 14}},
        yaxis={"title": what if what == "params" else "MACs", "type": "log" if log else "linear"},
        legend=_LEGEND,
    )
    return fig


def params_figure(c: Comparison, *, log: bool = False) -> go.Figure:
    """Parameters of each conv and linear layer, one bar per variant."""
    return _bars(c, "params", "Parameters per layer", log)


def macs_figure(c: Comparison, *, log: bool = False) -> go.Figure:
    """Multiply-accumulates of each conv and linear layer, one bar per variant."""
    return _bars(c, "macs", "Multiply-accumulates per layer", log)


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


def funnel_figure(c: Comparison) -> go.Figure:
    """The spatial funnel: the feature map's height after each conv/pool layer, a line per variant."""
    roles, series = funnel_series(c)
    fig = go.Figure()
    for k, heights in enumerate(series):
        fig.add_scatter(
            name=_legend_name(c, k),
            x=roles,
            y=heights,
            mode="lines+markers+text",
            text=[str(h) if h is not None else "" for h in heights],
            textposition=_TEXT_POSITIONS[k % len(_TEXT_POSITIONS)],
            textfont={"color": VARIANT_COLOURS[k % len(VARIANT_COLOURS)], "size": 11},
            connectgaps=True,
            line={"color": VARIANT_COLOURS[k % len(VARIANT_COLOURS)], "width": 2, "dash": _DASHES[k % len(_DASHES)]},
            marker={"symbol": _SYMBOLS[k % len(_SYMBOLS)], "size": 8},
            hovertemplate=f"{c.labels[k]} · %{{x}}: %{{y}} pixels high<extra></extra>",
        )
    known = [h for heights in series for h in heights if h is not None]
    lo, hi = (min(known), max(known)) if known else (1, 10)
    ends = " vs ".join(
        f"{next((h for h in heights if h is not None), '?')} → {next((h for h in reversed(heights) if h is not None), '?')}"
        for heights in series
    )
    fig.update_layout(
        height=400,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        title={"text": f"Spatial funnel: height of the feature map ({ends})", "font": {"size": 14}},
        # log scale: 227 → 6 fits, and 6 vs 5 or 13 vs 12 stay visibly apart
        yaxis={
            "title": "height (pixels, log scale)",
            "type": "log",
            "tickvals": [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
            "range": [math.log10(lo) - 0.15, math.log10(hi) + 0.15],
        },
        legend=_LEGEND,
    )
    return fig
