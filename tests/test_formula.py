"""Worked formulas: the text a student reads, and the output size against PyTorch's layers."""

import re
from fractions import Fraction

import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from explorer.formula import format_quotient, output_size, worked_formula


def test_paper_224_gives_54_with_one_uncovered_column():
    f = worked_formula(224, 11, 4)
    assert f.text == "⌊(224 − 11)/4⌋ + 1 = ⌊53.25⌋ + 1 = 54"
    assert (f.out, f.remainder, f.uncovered) == (54, 1, 1)
    assert f.remainder_text == (
        "213 = 4·53 + 1: remainder 1: the last input row/column (index 223) is never covered by any window."
    )


def test_paper_227_is_exact():
    f = worked_formula(227, 11, 4)
    assert f.text == "⌊(227 − 11)/4⌋ + 1 = ⌊54⌋ + 1 = 55"
    assert f.exact and f.uncovered == 0
    assert f.remainder_text == "216 = 4·54 + 0: exact: the windows fit with nothing left over."


def test_torchvision_padding_2_reaches_55():
    f = worked_formula(224, 11, 4, 2)
    assert f.text == "⌊(224 + 4 − 11)/4⌋ + 1 = ⌊54.25⌋ + 1 = 55"
    assert f.remainder == 1 and f.uncovered == 0
    assert "falls in the padding" in f.remainder_text


def test_dilation_text():
    f = worked_formula(13, 3, 1, 2, dilation=2)
    assert f.text == "⌊(13 + 4 − 2·2 − 1)/1⌋ + 1 = ⌊12⌋ + 1 = 13"


def test_ceil_mode_overlapping_pool():
    f = worked_formula(54, 3, 2, ceil_mode=True)
    assert f.text == "⌈(54 − 3)/2⌉ + 1 = ⌈25.5⌉ + 1 = 27"
    assert f.overhang == 1
    assert worked_formula(54, 3, 2).out == 26


def test_ceil_mode_drops_window_starting_in_padding():
    # ⌈(5 + 2 − 2)/2⌉ + 1 = 4, but the 4th window would start at 6 − 1 = 5 ≥ W: dropped.
    f = worked_formula(5, 2, 2, padding=1, ceil_mode=True)
    assert f.out == 3 and f.dropped_last_window
    assert f.text.endswith("= 4 − 1 = 3 (last window dropped: it would start in the padding)")
    pool = nn.MaxPool2d(2, 2, 1, ceil_mode=True)
    assert pool(torch.zeros(1, 1, 5, 5)).shape[-1] == 3


def test_window_too_large():
    f = worked_formula(5, 11, 4)
    assert not f.valid and f.out == 0
    assert "larger than the padded input" in f.text
    assert f.remainder_text == "No window fits: the padded input is 6 pixels shorter than the window."


def test_format_quotient():
    assert format_quotient(Fraction(213, 4)) == "53.25"
    assert format_quotient(Fraction(70, 3)) == "23.333…"
    assert format_quotient(Fraction(12, 1)) == "12"


@given(
    n=st.integers(1, 40),
    k=st.integers(1, 9),
    s=st.integers(1, 5),
    p=st.integers(0, 4),
    d=st.integers(1, 3),
)
def test_conv_output_size_matches_pytorch(n, k, s, p, d):
    expected = output_size(n, k, s, p, d)
    conv = nn.Conv2d(1, 1, k, s, p, d, bias=False)
    x = torch.zeros(1, 1, n, n)
    if expected < 1:
        try:
            conv(x)
        except RuntimeError:
            return
        raise AssertionError("PyTorch accepted a setting the formula calls impossible")
    assert conv(x).shape[-1] == expected


@given(n=st.integers(1, 40), k=st.integers(1, 7), s=st.integers(1, 4), p=st.integers(0, 3), ceil=st.booleans())
def test_pool_output_size_matches_pytorch(n, k, s, p, ceil):
    if p > k // 2:
        return
    expected = output_size(n, k, s, p, 1, ceil)
    pool = nn.MaxPool2d(k, s, p, ceil_mode=ceil)
    x = torch.zeros(1, 1, n, n)
    if expected < 1:
        try:
            out = pool(x)
        except RuntimeError:
            return
        raise AssertionError(f"PyTorch gave {tuple(out.shape)} where the formula says impossible")
    assert pool(x).shape[-1] == expected
    f = worked_formula(n, k, s, p, 1, ceil)
    # uncovered pixels really are outside every window
    last = (f.out - 1) * s - p + k - 1
    assert f.uncovered == max(0, n - 1 - last)


def test_ceil_mode_exhaustively_small_sizes_match_pytorch():
    """Every small pooling setting, including windows slightly longer than the input in ceil mode."""
    x_cache = {}
    for n in range(1, 17):
        x = x_cache.setdefault(n, torch.zeros(1, 1, n, n))
        for k in range(1, 7):
            for s in range(1, 5):
                for p in range(0, k // 2 + 1):
                    for ceil in (False, True):
                        expected = output_size(n, k, s, p, 1, ceil)
                        try:
                            got = nn.MaxPool2d(k, s, p, ceil_mode=ceil)(x).shape[-1]
                        except RuntimeError:
                            got = 0
                        assert got == expected, (n, k, s, p, ceil)


def test_ceil_mode_window_longer_than_input():
    f = worked_formula(2, 3, 2, ceil_mode=True)
    assert f.out == 1 and f.valid
    assert f.text == "⌈(2 − 3)/2⌉ + 1 = ⌈-0.5⌉ + 1 = 1"
    assert f.remainder_text.startswith("The window is 1 pixel longer than the padded input allows")


def test_a_cached_formula_renders_in_both_languages():
    from explorer.i18n import using

    f = worked_formula(224, 11, 4)
    assert worked_formula(224, 11, 4) is f  # one cached object serves every reader
    with using("zh"):
        assert f.text == "⌊(224 − 11)/4⌋ + 1 = ⌊53.25⌋ + 1 = 54"  # the formula is shared
        assert f.remainder_text == "213 = 4·53 + 1：余数为 1：输入的最后一行/列（索引 223）不会被任何窗口覆盖。"
        assert worked_formula(5, 11, 4).text == "⌊(5 − 11)/4⌋ + 1：窗口（11）大于填充后的输入（5）"
    assert f.remainder_text.endswith("the last input row/column (index 223) is never covered by any window.")
    assert f.remainder_message.render("zh").startswith("213 = 4·53 + 1：")  # data, rendered by whoever asks
    dropped = worked_formula(5, 2, 2, padding=1, ceil_mode=True)
    with using("zh"):
        assert dropped.text == "⌈(5 + 2 − 2)/2⌉ + 1 = ⌈2.5⌉ + 1 = 4 − 1 = 3（舍弃最后一个窗口：它会从填充区开始）"


def test_plural_wording_in_english():
    """One row or pixel reads as one; many as many (no "row(s)", no "1 pixels")."""
    many = worked_formula(10, 3, 4)  # ⌊7/4⌋ + 1 = 2: the windows reach index 6, so 7–9 are never seen
    assert many.remainder_text == (
        "7 = 4·1 + 3: remainder 3: the last 3 input rows/columns (indices 7–9) are never covered by any window."
    )
    assert worked_formula(10, 11, 4).remainder_text == (
        "No window fits: the padded input is 1 pixel shorter than the window."
    )
    assert worked_formula(2, 3, 2, ceil_mode=True).remainder_text == (
        "The window is 1 pixel longer than the padded input allows, but rounding up still places one window; "
        "it runs 1 pixel past the padded input."
    )
    assert "runs 1 pixel past" in worked_formula(54, 3, 2, ceil_mode=True).remainder_text
    assert "runs 2 pixels past" in worked_formula(11, 5, 4, ceil_mode=True).remainder_text
    texts = [
        worked_formula(n, k, s, p, 1, c).remainder_text
        for n in range(1, 30)
        for k in range(1, 6)
        for s in range(1, 4)
        for p in range(0, 3)
        for c in (False, True)
    ]
    assert not [t for t in texts if "(s)" in t or re.search(r"\b1 pixels\b|\b1 input rows", t)]
