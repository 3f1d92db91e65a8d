"""The Formula page's pictures: window geometry against PyTorch, and what each figure shows."""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from explorer.figures_formula import (
    PAD,
    SEEN,
    UNSEEN,
    WIN_INPUT,
    WIN_PAD,
    coverage,
    grid_figure,
    row_figure,
    sweep_figure,
    window_cells,
    window_starts,
)
from explorer.presets import PRESETS
from explorer.sweep import sweep


def test_paper_224_windows_and_leftover():
    starts = window_starts(224, 11, 4)
    assert len(starts) == 54 and starts[:3] == [0, 4, 8] and starts[-1] == 212
    counts = coverage(224, 11, 4)
    assert counts[223] == 0 and all(c > 0 for c in counts[:223])
    assert counts[:12] == [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 2]


def test_paper_227_covers_everything():
    assert len(window_starts(227, 11, 4)) == 55
    assert min(coverage(227, 11, 4)) == 1


def test_dilated_window_cells():
    assert window_cells(-2, 3, 2) == [-2, 0, 2]
    # stride 3 with a 2-pixel window skips every third pixel
    assert coverage(9, 2, 3) == [1, 1, 0, 1, 1, 0, 1, 1, 0]


@given(st.integers(1, 30), st.integers(1, 6), st.integers(1, 4), st.integers(0, 3), st.integers(1, 3))
def test_coverage_is_pytorchs_gradient(n, k, s, p, d):
    """How many windows read each pixel = the gradient of a ones-kernel conv's summed output."""
    x = torch.ones(1, 1, n, requires_grad=True)
    try:
        y = F.conv1d(x, torch.ones(1, 1, k), stride=s, padding=p, dilation=d)
    except RuntimeError:
        assert window_starts(n, k, s, p, d) == []
        return
    y.sum().backward()
    assert coverage(n, k, s, p, d) == [int(v) for v in x.grad[0, 0].tolist()]


@given(st.integers(1, 30), st.integers(1, 6), st.integers(1, 4), st.integers(0, 3))
def test_ceil_mode_windows_match_avg_pool(n, k, s, p):
    """ceil_mode window count equals PyTorch's, and a pixel is covered iff the avg pool's gradient reaches it."""
    if p > k // 2:
        return
    x = torch.ones(1, 1, n, requires_grad=True)
    try:
        y = F.avg_pool1d(x, k, s, p, ceil_mode=True, count_include_pad=False)
    except RuntimeError:
        assert window_starts(n, k, s, p, 1, True) == []
        return
    assert len(window_starts(n, k, s, p, 1, True)) == y.shape[-1]
    y.sum().backward()
    assert [c > 0 for c in coverage(n, k, s, p, 1, True)] == [g > 0 for g in x.grad[0, 0].tolist()]


def heat(fig):
    return next(t for t in fig.data if t.type == "heatmap")


def test_row_figure_marks_the_leftover_column_at_224():
    fig = row_figure(224, 11, 4)
    cats = heat(fig).z[0]
    assert len(cats) == 224 and cats[223] == UNSEEN and set(cats[:223]) == {SEEN}
    assert [a.text for a in fig.layout.annotations] == ["left over: 1 px (index 223)"]
    bars = next(t for t in fig.data if t.name == "54 window positions (stride 4)")
    assert sum(v is None for v in bars.x) == 54
    assert fig.layout.title.text == "224 input pixels, P = 0 each side, window 11 px, stride 4: 54 positions"


def test_row_figure_227_has_nothing_left_over():
    fig = row_figure(227, 11, 4)
    assert UNSEEN not in heat(fig).z[0]
    assert not fig.layout.annotations


def test_row_figure_padding_cells():
    fig = row_figure(224, 11, 4, 2)
    h = heat(fig)
    assert list(h.x[:3]) == [-2, -1, 0] and list(h.x[-2:]) == [224, 225]
    assert list(h.z[0][:2]) == [PAD, PAD] and list(h.z[0][-2:]) == [PAD, PAD]
    assert UNSEEN not in h.z[0]


def test_row_figure_invalid_and_elided():
    bad = row_figure(5, 11, 4)
    assert any(t.name == "the 11-pixel window does not fit" for t in bad.data)
    many = row_figure(512, 1, 1)
    assert [a.text for a in many.layout.annotations] == ["… 432 more windows not drawn …"]
    assert many.layout.height == 900


def test_row_figure_dilation_taps_and_gaps():
    fig = row_figure(9, 2, 3)
    assert fig.layout.title.text.endswith("; 2 pixels skipped between windows")
    dil = row_figure(13, 3, 1, 2, 2)
    taps = next(t for t in dil.data if t.name == "taps (dilation 2)")
    assert len(taps.x) == 13 * 3


def test_grid_figure_highlights_one_window():
    fig = grid_figure(13, 3, 2, 0, 1, False, position=0)
    z = [list(row) for row in heat(fig).z]
    assert sum(row.count(WIN_INPUT) for row in z) == 9
    assert z[0][:3] == [WIN_INPUT] * 3
    out = [t for t in fig.data if t.type == "heatmap"][1]
    assert len(out.z) == 6 and out.z[0][0] == 1 and sum(map(sum, out.z)) == 1
    last = grid_figure(13, 3, 2, 0, 1, False, position=10_000)  # clamped to the last window
    z = [list(row) for row in heat(last).z]
    assert z[12][10:13] == [WIN_INPUT] * 3


def test_grid_figure_padding_window_and_limits():
    fig = grid_figure(8, 3, 1, 1, 1, False, position=0)
    z = [list(row) for row in heat(fig).z]
    assert z[0][0] == WIN_PAD and z[1][1] == WIN_INPUT
    with pytest.raises(ValueError, match="up to 32"):
        grid_figure(33, 3)
    with pytest.raises(ValueError, match="no window fits"):
        grid_figure(5, 11, 4)


def test_sweep_figure_marks_227_exact_and_224_not():
    fig = sweep_figure(sweep(PRESETS["paper-2012"]))
    exact = next(t for t in fig.data if t.name == "every division exact")
    assert 227 in exact.x and 224 not in exact.x
    assert len(exact.x) == 14
    labels = sorted(t.name for t in fig.data if t.mode == "markers+text")
    assert labels == ["224: inexact", "227: exact"]
    # the invalid range 32–66 shaded in both panels
    assert [(s.x0, s.x1) for s in fig.layout.shapes if s.type == "rect"] == [(31.5, 66.5), (31.5, 66.5)]


def figure_texts(fig) -> list[str]:
    """Every string a reader sees in a plotly figure: titles, axes, legends, annotations, ticks, hovers."""
    import re

    out = [fig.layout.title.text or ""]
    out += [a.text for a in fig.layout.annotations]
    for axis in ("xaxis", "yaxis", "xaxis2", "yaxis2"):
        ax = getattr(fig.layout, axis, None)
        if ax is not None:
            out += [ax.title.text or "", *(ax.ticktext or ())]
    for trace in fig.data:
        out.append(trace.name or "")
        text = trace.text
        if text is not None:
            flat = (
                text
                if isinstance(text, str)
                else [t for row in text for t in (row if isinstance(row, (list, tuple)) else [row])]
            )
            out += [str(t) for t in ([flat] if isinstance(flat, str) else flat)]
        out.append(getattr(trace, "hovertemplate", None) or "")
    out += [s.label.text for s in fig.layout.shapes if getattr(s, "label", None) and s.label.text]
    return [re.sub(r"<[^>]+>|%\{[^}]*\}", " ", t) for t in out if t]


def test_figures_in_chinese_have_no_english_left():
    from explorer.i18n import using
    from tests.i18n_check import english_words, has_chinese

    with using("zh"):
        figs = [
            row_figure(224, 11, 4),
            row_figure(5, 11, 4),
            row_figure(512, 1, 1),
            row_figure(9, 2, 3),
            row_figure(13, 3, 1, 2, 2),
            row_figure(2, 3, 2, 0, 1, True),
            grid_figure(8, 3, 1, 1, 1, False, position=0),
            sweep_figure(sweep(PRESETS["paper-2012"])),
        ]
    for fig in figs:
        texts = figure_texts(fig)
        assert any(has_chinese(t) for t in texts)
        left = [(t, w) for t in texts if (w := english_words(t))]
        assert not left, left[:10]
    with using("zh"):
        fig = row_figure(224, 11, 4)
    assert fig.layout.title.text == "224 个输入像素，每侧 P = 0，窗口 11 px，步幅 4：共 54 个位置"
    assert [a.text for a in fig.layout.annotations] == ["剩余：1 px（索引 223）"]
