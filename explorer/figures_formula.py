"""Pictures for the Formula page (pure plotly, no streamlit).

- `row_figure`: one input row with its padding; every window position drawn as a bar beneath it,
  stacked one per output position; input pixels that no window covers marked in red.
- `grid_figure`: the 2-D view for small inputs (≤ `GRID_MAX`): the padded input with one window
  position highlighted, and the output grid with the matching cell.
- `sweep_figure`: the input-size sweep, final map size and flatten size per size, exact sizes
  green, inexact orange, invalid ranges shaded.
The geometry helpers (`window_starts`, `coverage`) are exact integer arithmetic shared with tests.
Titles, axes, legends and hovers are rendered in the current language (explorer.i18n) when a figure
is made; nothing here is cached.
"""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .conventions import pytorch_output_size
from .formula import plural_message
from .i18n import N_, _
from .sweep import Sweep

__all__ = [
    "CELL_COLOURS",
    "GRID_MAX",
    "coverage",
    "grid_figure",
    "row_figure",
    "sweep_figure",
    "window_cells",
    "window_starts",
]

GRID_MAX = 32  # the 2-D view is drawn for inputs up to this size
_MAX_ROWS = 80  # windows drawn in the row picture; beyond this the middle ones are elided

# cell categories: padding, input seen by a window, input never seen, past the padded input
PAD, SEEN, UNSEEN, BEYOND, WIN_INPUT, WIN_PAD = range(6)
CELL_COLOURS = {
    PAD: "#d9d9d9",
    SEEN: "#9ecae1",
    UNSEEN: "#e6550d",
    BEYOND: "#f7f7f7",
    WIN_INPUT: "#08519c",
    WIN_PAD: "#6a51a3",
}
_LABELS = {  # English keys, shown with _()
    PAD: N_("padding (zeros)"),
    SEEN: N_("input pixel, covered"),
    UNSEEN: N_("input pixel no window covers"),
    BEYOND: N_("past the padded input (ceil overhang)"),
    WIN_INPUT: N_("current window on input"),
    WIN_PAD: N_("current window on padding"),
}
_WINDOW = "#3182bd"
_WINDOW_BAD = "#cb181d"


def window_starts(
    n: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1, ceil_mode: bool = False
) -> list[int]:
    """Where each window starts, in input coordinates (the first one at −P); PyTorch's count exactly."""
    out = pytorch_output_size(n, kernel, stride, padding, dilation, ceil_mode)
    return [i * stride - padding for i in range(max(out, 0))]


def window_cells(start: int, kernel: int, dilation: int = 1) -> list[int]:
    """The input coordinates one window reads (its taps)."""
    return [start + j * dilation for j in range(kernel)]


def coverage(
    n: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1, ceil_mode: bool = False
) -> list[int]:
    """For each input pixel 0..n−1, how many windows read it (0 = never seen)."""
    counts = [0] * n
    for start in window_starts(n, kernel, stride, padding, dilation, ceil_mode):
        for x in window_cells(start, kernel, dilation):
            if 0 <= x < n:
                counts[x] += 1
    return counts


def _discrete_scale(categories: list[int]) -> tuple[list[list[object]], int, int]:
    """A plotly colourscale that maps each integer category to its flat colour."""
    lo, hi = min(categories), max(categories)
    if lo == hi:
        return [[0.0, CELL_COLOURS[lo]], [1.0, CELL_COLOURS[lo]]], lo, hi
    scale: list[list[object]] = []
    span = hi - lo + 1
    for i, cat in enumerate(range(lo, hi + 1)):
        colour = CELL_COLOURS[cat]
        scale.append([i / span, colour])
        scale.append([(i + 1) / span, colour])
    return scale, lo - 0.5, hi + 0.5


def _legend_swatches(fig: go.Figure, categories: set[int], **subplot: int) -> None:
    for cat in sorted(categories):
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                marker={"symbol": "square", "size": 12, "color": CELL_COLOURS[cat], "line": {"width": 1}},
                name=_(_LABELS[cat]),
                showlegend=True,
            ),
            **subplot,
        )


def _index_text(cells: list[int]) -> str:
    if not cells:
        return ""
    if len(cells) == 1:
        return _("index {index}", index=cells[0])
    if cells == list(range(cells[0], cells[-1] + 1)):
        return _("indices {first}–{last}", first=cells[0], last=cells[-1])
    shown = ", ".join(str(c) for c in cells[:6])
    return _("indices {shown}", shown=shown + (", …" if len(cells) > 6 else ""))


def row_figure(
    n: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1, ceil_mode: bool = False
) -> go.Figure:
    """The input row (with padding) and every window position stacked beneath it."""
    k_eff = dilation * (kernel - 1) + 1
    starts = window_starts(n, kernel, stride, padding, dilation, ceil_mode)
    counts = coverage(n, kernel, stride, padding, dilation, ceil_mode)
    valid = bool(starts)
    last_end = (starts[-1] + k_eff - 1) if starts else (-padding + k_eff - 1)
    x_lo, x_hi = -padding, max(n - 1 + padding, last_end)
    xs = list(range(x_lo, x_hi + 1))
    cats: list[int] = []
    hover: list[str] = []
    for x in xs:
        if 0 <= x < n:
            cat = SEEN if counts[x] else UNSEEN
            hover.append(
                str(
                    plural_message(
                        counts[x],
                        N_("input pixel {x}: read by {n} window"),
                        N_("input pixel {x}: read by {n} windows"),
                        x=x,
                    )
                )
            )
        elif -padding <= x < n + padding:
            cat = PAD
            hover.append(_("padding cell {x}", x=x))
        else:
            cat = BEYOND
            hover.append(
                _("{x}: past the padded input", x=x) if valid else _("{x}: the window overruns the input", x=x)
            )
        cats.append(cat)
    scale, zmin, zmax = _discrete_scale(cats)
    fig = go.Figure()
    fig.add_trace(
        go.Heatmap(
            x=xs,
            y=[-1],
            z=[cats],
            text=[hover],
            hoverinfo="text",
            colorscale=scale,
            zmin=zmin,
            zmax=zmax,
            showscale=False,
            xgap=1 if len(xs) <= 120 else 0,
            name=_("input row"),
        )
    )
    # windows: one horizontal bar per output position, elided in the middle when there are many
    if valid:
        drawn = list(range(len(starts)))
        if len(drawn) > _MAX_ROWS:
            half = _MAX_ROWS // 2
            drawn = drawn[:half] + drawn[-half:]
        seg_x: list[float | None] = []
        seg_y: list[float | None] = []
        tap_x: list[int] = []
        tap_y: list[int] = []
        for row, i in enumerate(drawn, start=1):
            start = starts[i]
            seg_x += [start - 0.4, start + k_eff - 1 + 0.4, None]
            seg_y += [row, row, None]
            if dilation > 1:
                taps = window_cells(start, kernel, dilation)
                tap_x += taps
                tap_y += [row] * len(taps)
        fig.add_trace(
            go.Scatter(
                x=seg_x,
                y=seg_y,
                mode="lines",
                line={"color": _WINDOW, "width": 5 if len(drawn) <= 60 else 3},
                name=str(
                    plural_message(
                        len(starts),
                        N_("{n} window position (stride {stride})"),
                        N_("{n} window positions (stride {stride})"),
                        stride=stride,
                    )
                ),
                hoverinfo="skip",
            )
        )
        if tap_x:
            fig.add_trace(
                go.Scatter(
                    x=tap_x,
                    y=tap_y,
                    mode="markers",
                    marker={"color": "#08306b", "size": 5},
                    name=_("taps (dilation {dilation})", dilation=dilation),
                    hoverinfo="skip",
                )
            )
        labels = [_("out {i}", i=i) for i in drawn]
        rows = len(drawn)
        if len(starts) > len(drawn):
            half = _MAX_ROWS // 2
            fig.add_annotation(
                x=(x_lo + x_hi) / 2,
                y=half + 0.5,
                text=_("… {n} more windows not drawn …", n=len(starts) - len(drawn)),
                showarrow=False,
                bgcolor="white",
            )
    else:
        rows = 1
        labels = [_("window")]
        fig.add_trace(
            go.Scatter(
                x=[-padding - 0.4, -padding + k_eff - 1 + 0.4],
                y=[1, 1],
                mode="lines",
                line={"color": _WINDOW_BAD, "width": 6},
                name=_("the {k}-pixel window does not fit", k=k_eff),
            )
        )
    unseen = [x for x in range(n) if counts[x] == 0]
    tail = [x for x in unseen if x > (starts[-1] + k_eff - 1 if starts else -1)]
    if valid and tail:
        fig.add_vrect(
            x0=tail[0] - 0.5,
            x1=tail[-1] + 0.5,
            fillcolor=CELL_COLOURS[UNSEEN],
            opacity=0.18,
            line_width=0,
        )
        fig.add_annotation(
            x=tail[-1],
            y=-1,
            yshift=14,
            text=_("left over: {n} px ({where})", n=len(tail), where=_index_text(tail)),
            showarrow=False,
            xanchor="right",
            font={"color": CELL_COLOURS[UNSEEN]},
        )
    _legend_swatches(fig, set(cats))
    every = max(1, rows // 12)
    fig.update_yaxes(
        autorange="reversed",
        tickvals=[-1, *list(range(1, rows + 1, every))],
        ticktext=[_("input"), *labels[::every]],
        showgrid=False,
        zeroline=False,
    )
    fig.update_xaxes(title_text=_("position along the row (input index; negative = left padding)"), zeroline=False)
    gaps = [x for x in unseen if x not in tail]
    title = str(
        plural_message(
            len(starts),
            N_("{w} input pixels, P = {p} each side, window {k} px, stride {s}: {n} position"),
            N_("{w} input pixels, P = {p} each side, window {k} px, stride {s}: {n} positions"),
            w=n,
            p=padding,
            k=k_eff,
            s=stride,
        )
    )
    if gaps:
        title = str(
            plural_message(
                len(gaps),
                N_("{title}; {n} pixel skipped between windows"),
                N_("{title}; {n} pixels skipped between windows"),
                title=title,
            )
        )
    fig.update_layout(
        title={"text": title, "font": {"size": 14}},
        height=int(min(900, 230 + 9 * rows)),
        margin={"l": 60, "r": 20, "t": 90, "b": 50},
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0},
        plot_bgcolor="white",
    )
    return fig


def grid_figure(
    n: int,
    kernel: int,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    ceil_mode: bool = False,
    position: int = 0,
) -> go.Figure:
    """The padded n×n input with window number `position` (row-major) highlighted, and the output grid."""
    if n > GRID_MAX:
        raise ValueError(f"the 2-D view is for inputs up to {GRID_MAX}, got {n}")
    out = pytorch_output_size(n, kernel, stride, padding, dilation, ceil_mode)
    if out < 1:
        raise ValueError("no window fits, so there is no grid to draw")  # a caller's bug, not for readers
    position = max(0, min(position, out * out - 1))
    r, c = divmod(position, out)
    starts = window_starts(n, kernel, stride, padding, dilation, ceil_mode)
    counts = coverage(n, kernel, stride, padding, dilation, ceil_mode)
    k_eff = dilation * (kernel - 1) + 1
    hi = max(n - 1 + padding, starts[-1] + k_eff - 1)
    coords = list(range(-padding, hi + 1))
    rows_hit = set(window_cells(starts[r], kernel, dilation))
    cols_hit = set(window_cells(starts[c], kernel, dilation))
    z: list[list[int]] = []
    hover: list[list[str]] = []
    for y in coords:
        z_row, h_row = [], []
        for x in coords:
            inside = 0 <= x < n and 0 <= y < n
            in_pad = -padding <= x < n + padding and -padding <= y < n + padding
            if y in rows_hit and x in cols_hit:
                cat = WIN_INPUT if inside else WIN_PAD
            elif inside:
                cat = SEEN if counts[x] and counts[y] else UNSEEN
            else:
                cat = PAD if in_pad else BEYOND
            z_row.append(cat)
            h_row.append(_("row {y}, col {x}: {what}", y=y, x=x, what=_(_LABELS[cat])))
        z.append(z_row)
        hover.append(h_row)
    flat = [v for row in z for v in row]
    scale, zmin, zmax = _discrete_scale(flat)
    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.62, 0.38],
        horizontal_spacing=0.08,
        subplot_titles=(
            _("input {n}×{n} with padding {p}: window ({r}, {c})", n=n, p=padding, r=r, c=c),
            _("output {out}×{out}: cell ({r}, {c})", out=out, r=r, c=c),
        ),
    )
    fig.add_trace(
        go.Heatmap(
            x=coords,
            y=coords,
            z=z,
            text=hover,
            hoverinfo="text",
            colorscale=scale,
            zmin=zmin,
            zmax=zmax,
            showscale=False,
            xgap=1,
            ygap=1,
        ),
        row=1,
        col=1,
    )
    out_z = [[1 if (i, j) == (r, c) else 0 for j in range(out)] for i in range(out)]
    fig.add_trace(
        go.Heatmap(
            z=out_z,
            x=list(range(out)),
            y=list(range(out)),
            colorscale=[[0, CELL_COLOURS[SEEN]], [1, CELL_COLOURS[WIN_INPUT]]],
            zmin=0,
            zmax=1,
            showscale=False,
            xgap=1,
            ygap=1,
            hovertemplate=_("output") + " (%{y}, %{x})<extra></extra>",
        ),
        row=1,
        col=2,
    )
    _legend_swatches(fig, set(flat), row=1, col=1)
    edge = (coords[0] - 0.5, coords[-1] + 0.5)
    fig.update_xaxes(range=list(edge), showgrid=False, zeroline=False, row=1, col=1)
    fig.update_yaxes(range=[edge[1], edge[0]], scaleanchor="x", showgrid=False, zeroline=False, row=1, col=1)
    fig.update_xaxes(range=[-0.5, out - 0.5], showgrid=False, zeroline=False, row=1, col=2)
    fig.update_yaxes(range=[out - 0.5, -0.5], scaleanchor="x2", showgrid=False, zeroline=False, row=1, col=2)
    fig.update_layout(
        height=520,
        margin={"l": 40, "r": 20, "t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.08, "x": 0},
        plot_bgcolor="white",
    )
    return fig


def sweep_figure(sw: Sweep, *, marks: tuple[int, ...] = (224, 227)) -> go.Figure:
    """Last conv/pool map side and flatten size per input size; exact sizes green, invalid shaded."""
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.08,
        subplot_titles=(
            _("last conv/pool map side (H = W)"),
            _("flatten size (features into the first linear layer)"),
        ),
    )
    groups = (  # (exact?, legend, colour, rows)
        (True, _("every division exact"), "#31a354", [r for r in sw.rows if r.exact]),
        (False, _("valid, some remainder"), "#fd8d3c", [r for r in sw.rows if r.valid and not r.exact]),
    )
    for is_exact, name, colour, rows in groups:
        if not rows:
            continue
        hover = [
            _(
                "input {size}: map {map}, flatten {flatten}",
                size=r.size,
                map=r.last_map,
                flatten=r.flatten if r.flatten is not None else "—",
            )
            + "<br>"
            + (_("remainders: {items}", items=", ".join(r.inexact)) if r.inexact else _("exact"))
            for r in rows
        ]
        fig.add_trace(
            go.Scatter(
                x=[r.size for r in rows],
                y=[r.last_map for r in rows],
                mode="markers",
                marker={"color": colour, "size": 8 if is_exact else 5},
                name=name,
                text=hover,
                hoverinfo="text",
            ),
            row=1,
            col=1,
        )
        with_flat = [r for r in rows if r.flatten is not None]
        fig.add_trace(
            go.Scatter(
                x=[r.size for r in with_flat],
                y=[r.flatten for r in with_flat],
                mode="markers",
                marker={"color": colour, "size": 8 if is_exact else 5},
                name=name,
                showlegend=False,
                text=[_("input {size}: flatten {flatten:,}", size=r.size, flatten=r.flatten) for r in with_flat],
                hoverinfo="text",
            ),
            row=2,
            col=1,
        )
    for first, last, layers in sw.invalid_ranges():
        fig.add_vrect(
            x0=first - 0.5,
            x1=last + 0.5,
            fillcolor="#cb181d",
            opacity=0.12,
            line_width=0,
            annotation_text=_("invalid {first}–{last}", first=first, last=last)
            + (f" ({', '.join(layers)})" if layers else ""),
            annotation_position="top left",
        )
    lo, hi = sw.rows[0].size, sw.rows[-1].size
    marked = [sw.row(size) for size in sorted({*marks, sw.nominal_size}) if lo <= size <= hi]
    for i, row in enumerate(marked):
        verdict = _("exact") if row.exact else (_("inexact") if row.valid else _("invalid"))
        y = row.last_map if row.valid else 0
        fig.add_trace(
            go.Scatter(
                x=[row.size],
                y=[y],
                mode="markers+text",
                marker={"symbol": "circle-open", "size": 16, "color": "#252525", "line": {"width": 2}},
                text=[f"{row.size}: {verdict}"],
                textposition="bottom left" if i % 2 == 0 else "top right",
                name=f"{row.size}: {verdict}",
                showlegend=False,
                hoverinfo="text",
            ),
            row=1,
            col=1,
        )
    if sw.nominal_flatten is not None:
        fig.add_hline(
            y=sw.nominal_flatten,
            line_dash="dash",
            line_color="#756bb1",
            line_width=1,
            row=2,
            col=1,
            annotation_text=_("{name}'s own: {flatten:,}", name=sw.variant_name, flatten=sw.nominal_flatten),
            annotation_position="bottom right",
        )
    fig.update_xaxes(title_text=_("input size (square, pixels)"), row=2, col=1)
    fig.update_layout(
        height=560,
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
        legend={"orientation": "h", "y": 1.06, "yanchor": "bottom", "x": 0},
        plot_bgcolor="white",
    )
    return fig
