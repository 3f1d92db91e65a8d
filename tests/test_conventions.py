"""Every framework's output size: PyTorch against its real layers, the others against their
published formulas (re-derived here in the frameworks' own form) and known cases."""

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given
from hypothesis import strategies as st
from torch import nn

from explorer.conventions import (
    CONVENTION_KEYS,
    caffe,
    compare,
    cuda_convnet,
    d2l,
    pool_padding_problem,
    pytorch_ceil,
    pytorch_floor,
    pytorch_steps,
    tf_same,
    tf_valid,
    why_they_differ,
)


def sizes(*args):
    return {r.key: r.size for r in compare(*args)}


# --- the paper's numbers ---------------------------------------------------------------------


def test_paper_conv1_at_224():
    assert sizes(224, 11, 4, 0, 1, "conv") == {
        "pytorch": 54,
        "pytorch-ceil": None,  # nn.Conv2d has no ceil_mode
        "caffe": 54,
        "tf-valid": 54,
        "tf-same": 56,
        "d2l": 54,
        "cuda-convnet": 55,
    }
    cc = cuda_convnet(224, 11, 4, 0, 1, "conv")
    assert cc.worked == "1 + ⌈(224 + 0 − 11)/4⌉ = 1 + ⌈53.25⌉ = 55"
    assert cc.pad_after == 3  # the last filter column hangs 3 px past the image
    assert "hangs 3 pixels past the image edge" in cc.note
    same = tf_same(224, 11, 4, 0, 1, "conv")
    assert (same.pad_before, same.pad_after, same.pad_total) == (3, 4, 7)
    assert pytorch_floor(224, 11, 4, 0, 1, "conv").worked == "⌊(224 − 11)/4⌋ + 1 = ⌊53.25⌋ + 1 = 54"


def test_paper_conv1_at_227_all_agree_but_same():
    assert sizes(227, 11, 4, 0, 1, "conv") == {
        "pytorch": 55,
        "pytorch-ceil": None,
        "caffe": 55,
        "tf-valid": 55,
        "tf-same": 57,
        "d2l": 55,
        "cuda-convnet": 55,
    }
    assert why_they_differ(227, 11, 4, 0, 1, "conv") == (
        'All conventions except TF "SAME" give 55: W + 2P − D·(K−1) − 1 = 216 is a multiple of S = 4, so '
        'rounding never matters. TF "SAME" ignores the kernel: ⌈227/4⌉ = 57, padding 8 (4 + 4) to make it fit.'
    )


def test_why_224_names_floor_and_ceil_camps():
    text = why_they_differ(224, 11, 4, 0, 1, "conv")
    assert text.startswith("W + 2P − D·(K−1) − 1 = 213 is not a multiple of S = 4 (213/4 = 53.25)")
    assert "rounding down (PyTorch, Caffe and d2l.ai) gives 54" in text
    assert "rounding up (cuda-convnet (2012)) gives 55" in text


def test_torchvision_padding_valid_ignores_it():
    r = sizes(224, 11, 4, 2, 1, "conv")
    assert (r["pytorch"], r["tf-valid"], r["cuda-convnet"]) == (55, 54, 56)
    assert 'TF "VALID" ignores the padding P = 2, so it gives 54, not 55.' in why_they_differ(224, 11, 4, 2, 1, "conv")


def test_overlapping_pool_after_224_conv1():
    r = sizes(54, 3, 2, 0, 1, "pool")
    assert r == {
        "pytorch": 26,
        "pytorch-ceil": 27,
        "caffe": 27,
        "tf-valid": 26,
        "tf-same": 27,
        "d2l": 26,
        "cuda-convnet": 27,
    }
    assert "rounding up (PyTorch ceil_mode, Caffe and cuda-convnet (2012)) gives 27" in why_they_differ(
        54, 3, 2, 0, 1, "pool"
    )


def test_all_agree_sentence():
    assert why_they_differ(54, 2, 2, 0, 1, "pool") == (
        "Every convention gives 27: W + 2P − D·(K−1) − 1 = 52 is a multiple of S = 2, so rounding never "
        'matters (and TF "SAME" gives ⌈54/2⌉ = 27 too).'
    )


def test_keys_in_order():
    assert tuple(r.key for r in compare(10, 3)) == CONVENTION_KEYS


# --- published formulas and known cases --------------------------------------------------------


def test_caffe_googlenet_pool_rounds_up():
    # GoogLeNet's pool1/3x3_s2 in Caffe turns 112 into 56 (floor would give 55).
    assert caffe(112, 3, 2, 0, 1, "pool").size == 56
    assert pytorch_floor(112, 3, 2, 0, 1, "pool").size == 55


def test_caffe_keeps_window_starting_outside_image_without_padding():
    # ceil((5 − 1)/3) + 1 = 3: the 3rd window starts at 6 ≥ 5. Caffe drops it only when pad > 0.
    assert caffe(5, 1, 3, 0, 1, "pool").size == 3
    assert pytorch_ceil(5, 1, 3, 0, 1, "pool").size == 2
    assert nn.MaxPool2d(1, 3, ceil_mode=True)(torch.zeros(1, 1, 5, 5)).shape[-1] == 2


def test_caffe_pool_drop_rule_with_padding():
    r = caffe(5, 2, 2, 1, 1, "pool")
    assert r.size == 3 and r.worked == "⌈(5 + 2 − 2)/2⌉ + 1 = ⌈2.5⌉ + 1 = 4 − 1 = 3"


def test_caffe_refusals():
    assert caffe(10, 3, 1, 3, 1, "pool").size is None  # CHECK_LT(pad, kernel)
    assert caffe(10, 3, 1, 1, 2, "pool").note == "Caffe's pooling layer has no dilation."
    assert caffe(13, 3, 2, 2, 1, "pool").size == 8  # Caffe allows pad 2 < 3 where PyTorch refuses


def test_d2l_book_example():
    # d2l §7.3: an 8×8 input, kernel (3, 5), padding (0, 1), stride (3, 4) gives 2×2.
    assert d2l(8, 3, 3, 0, 1, "conv").size == 2
    r = d2l(8, 5, 4, 1, 1, "conv")
    assert r.size == 2 and r.worked == "⌊(8 − 5 + 2 + 4)/4⌋ = ⌊2.25⌋ = 2"
    assert d2l(8, 3, 2, 1, 1, "conv").size == 4


def test_cuda_convnet_pool_and_refusals():
    assert cuda_convnet(55, 3, 2, 0, 1, "pool").size == 27
    assert cuda_convnet(10, 3, 4, 0, 1, "pool").size is None  # stride must be ≤ sizeX
    assert cuda_convnet(10, 3, 1, 0, 2, "conv").note == "cuda-convnet has no dilation."
    assert cuda_convnet(5, 11, 4, 0, 1, "conv").size is None


def test_tf_refuses_dilation_with_stride():
    assert tf_same(32, 3, 2, 0, 2, "conv").size is None
    assert tf_valid(32, 3, 2, 0, 2, "conv").size is None
    assert tf_valid(32, 3, 1, 0, 2, "conv").size == 28


def test_window_too_large_everyone_refuses_but_same():
    r = sizes(5, 11, 4, 0, 1, "conv")
    assert {k: v for k, v in r.items() if v is not None} == {"tf-same": 2}
    assert why_they_differ(5, 11, 4, 0, 1, "conv").startswith('Only TF "SAME" gives an output (2)')


def test_pool_padding_problem():
    assert pool_padding_problem(3, 1) is None
    assert pool_padding_problem(3, 2) == (
        "PyTorch refuses pooling padding 2 with kernel 3: padding must be at most ⌊3/2⌋ = 1, so that no "
        "window lies wholly in the padding. Use padding ≤ 1 or a kernel of at least 4."
    )
    assert pytorch_floor(13, 3, 2, 2, 1, "pool").size is None
    with pytest.raises(RuntimeError, match="pad should be"):
        nn.MaxPool2d(3, 2, 2)(torch.zeros(1, 1, 13, 13))


def test_steps_at_224():
    steps = [(s.label, s.text) for s in pytorch_steps(224, 11, 4)]
    assert steps == [
        ("Formula", "⌊(W + 2P − D·(K−1) − 1)/S⌋ + 1"),
        ("Substitute", "⌊(224 + 2·0 − 1·(11−1) − 1)/4⌋ + 1"),
        ("Numerator", "224 + 0 − 10 − 1 = 213"),
        ("Exact quotient", "213/4 = 53.25"),
        ("Floor", "⌊53.25⌋ = 53, + 1 = 54"),
        (
            "Remainder",
            "213 = 4·53 + 1: remainder 1: the last input row/column (index 223) is never covered by any window.",
        ),
    ]


def test_ceil_window_longer_than_input():
    r = pytorch_ceil(2, 3, 2, 0, 1, "pool")
    assert r.size == 1 and r.worked == "⌈(2 − 3)/2⌉ + 1 = ⌈-0.5⌉ + 1 = 1"
    assert nn.MaxPool2d(3, 2, ceil_mode=True)(torch.zeros(1, 1, 2, 2)).shape[-1] == 1
    assert caffe(2, 3, 2, 0, 1, "pool").size == 1
    assert pytorch_floor(2, 3, 2, 0, 1, "pool").size is None
    steps = pytorch_steps(2, 3, 2, 0, 1, True)
    assert [s.label for s in steps][-3:] == ["Exact quotient", "Ceiling", "Overhang"]
    assert steps[-2].text == "⌈-0.5⌉ = 0, + 1 = 1"


def test_steps_ceil_and_invalid():
    steps = pytorch_steps(5, 2, 2, 1, 1, True)
    assert steps[4].text == "⌈2.5⌉ = 3, + 1 = 4, − 1 = 3 (the last window would start in the padding: dropped)"
    bad = pytorch_steps(5, 11, 4)
    assert bad[-1].label == "No window fits"
    assert bad[2].text == "5 + 0 − 10 − 1 = -6"
    assert bad[3].text == "the numerator is negative: the 11-pixel window is longer than the padded input 5 + 0 = 5"


# --- oracles: PyTorch's real layers and the frameworks' own arithmetic -------------------------

dims = st.tuples(st.integers(1, 40), st.integers(1, 9), st.integers(1, 5), st.integers(0, 4), st.integers(1, 3))


@given(dims)
def test_pytorch_floor_conv_matches_conv2d(d):
    n, k, s, p, dil = d
    r = pytorch_floor(n, k, s, p, dil, "conv")
    conv = nn.Conv2d(1, 1, k, s, p, dil, bias=False)
    x = torch.zeros(1, 1, n, n)
    if r.size is None:
        with pytest.raises(RuntimeError):
            conv(x)
    else:
        assert conv(x).shape[-2:] == (r.size, r.size)


@given(dims, st.booleans())
@example((2, 3, 2, 0, 1), True)  # ceil_mode: a window longer than the input still gives 1 output
@example((1, 3, 2, 0, 1), True)
@example((5, 2, 2, 1, 1), True)  # the last window would start in the padding: dropped
def test_pytorch_pool_matches_maxpool2d(d, ceil):
    n, k, s, p, dil = d
    fn = pytorch_ceil if ceil else pytorch_floor
    r = fn(n, k, s, p, dil, "pool")
    pool = nn.MaxPool2d(k, s, p, dilation=dil, ceil_mode=ceil)
    x = torch.zeros(1, 1, n, n)
    if r.size is None:
        with pytest.raises(RuntimeError):
            pool(x)
    else:
        assert pool(x).shape[-2:] == (r.size, r.size)


@given(st.integers(1, 40), st.integers(1, 9), st.integers(1, 5), st.integers(1, 3))
def test_tf_same_is_conv_on_tf_padded_input(n, k, s, dil):
    """SAME = a real conv on the input padded exactly as TF documents (odd pixel bottom/right)."""
    r = tf_same(n, k, s, 0, dil, "conv")
    if dil > 1 and s > 1:
        assert r.size is None
        return
    k_eff = dil * (k - 1) + 1
    # TF's documented padding formula, in its own form
    total = max(k_eff - s, 0) if n % s == 0 else max(k_eff - n % s, 0)
    assert (r.pad_before, r.pad_after) == (total // 2, total - total // 2)
    assert r.size == math.ceil(n / s)
    x = F.pad(torch.zeros(1, 1, n, n), (r.pad_before, r.pad_after, r.pad_before, r.pad_after))
    out = F.conv2d(x, torch.zeros(1, 1, k, k), stride=s, dilation=dil)
    assert out.shape[-2:] == (r.size, r.size)


@given(st.integers(1, 40), st.integers(1, 9), st.integers(1, 5), st.integers(0, 4), st.integers(1, 3))
def test_tf_valid_formula_and_unpadded_conv(n, k, s, p, dil):
    r = tf_valid(n, k, s, p, dil, "conv")
    if dil > 1 and s > 1:
        assert r.size is None
        return
    k_eff = dil * (k - 1) + 1
    published = math.ceil((n - k_eff + 1) / s)  # tf.nn.convolution docs
    if published <= 0:
        assert r.size is None
        return
    assert r.size == published
    assert nn.Conv2d(1, 1, k, s, 0, dil)(torch.zeros(1, 1, n, n)).shape[-1] == r.size


@given(dims)
def test_caffe_conv_and_d2l_match_conv2d(d):
    n, k, s, p, dil = d
    conv = nn.Conv2d(1, 1, k, s, p, dil, bias=False)
    c, dd = caffe(n, k, s, p, dil, "conv"), d2l(n, k, s, p, dil, "conv")
    k_eff = dil * (k - 1) + 1
    if n + 2 * p < k_eff:
        assert c.size is None and dd.size is None
        return
    caffe_published = int((n + 2 * p - k_eff) / s) + 1  # conv_layer.cpp, C++ integer division
    d2l_published = (n - k_eff + 2 * p + s) // s
    out = conv(torch.zeros(1, 1, n, n)).shape[-1]
    assert c.size == caffe_published == out
    assert dd.size == d2l_published == out


@given(st.integers(1, 40), st.integers(1, 7), st.integers(1, 4), st.integers(0, 3))
def test_caffe_pool_published_and_pytorch_ceil_when_padded(n, k, s, p):
    r = caffe(n, k, s, p, 1, "pool")
    if p >= k:  # CHECK_LT(pad, kernel)
        assert r.size is None
        return
    # pooling_layer.cpp, verbatim arithmetic (a window longer than the input still counts once)
    out = math.ceil(float(n + 2 * p - k) / s) + 1
    if p and (out - 1) * s >= n + p:
        out -= 1
    if out < 1:
        assert r.size is None
        return
    assert r.size == out
    if p and p <= k // 2:  # with padding Caffe's rule is PyTorch's ceil_mode
        assert nn.MaxPool2d(k, s, p, ceil_mode=True)(torch.zeros(1, 1, n, n)).shape[-1] == r.size


@given(st.integers(1, 60), st.integers(1, 11), st.integers(1, 5), st.integers(0, 3), st.sampled_from(["conv", "pool"]))
def test_cuda_convnet_matches_layer_py(n, k, s, p, kind):
    r = cuda_convnet(n, k, s, p, 1, kind)
    if kind == "conv":
        if k > 2 * p + n:
            assert r.size is None
            return
        expected = 1 + math.ceil((2 * p + n - k) / float(s))  # layer.py, modulesX
    else:
        if s > k or n + p < k:
            assert r.size is None
            return
        expected = math.ceil((n - (-p) - k) / float(s)) + 1  # layer.py, outputsX with start = −P
    assert r.size == expected


# --- both languages: the same numbers and formulas, the words in the reader's language ---------


def test_conventions_in_chinese_keep_every_number():
    import re

    from explorer.i18n import using
    from tests.i18n_check import english_words, has_chinese

    number = re.compile(r"\d[\d,.]*")
    for args in [
        (224, 11, 4, 0, 1, "conv"),
        (224, 11, 4, 2, 1, "conv"),
        (55, 2, 2, 0, 1, "pool"),
        (5, 11, 4, 0, 1, "conv"),
        (13, 3, 2, 2, 1, "pool"),
        (10, 3, 1, 1, 2, "pool"),
        (54, 2, 2, 0, 1, "pool"),
    ]:
        en_rows, en_why = compare(*args), why_they_differ(*args)
        with using("zh"):
            zh_rows, zh_why = compare(*args), why_they_differ(*args)
        assert [r.size for r in zh_rows] == [r.size for r in en_rows]
        assert [r.worked.split("：")[0] for r in zh_rows] == [r.worked.split(":")[0] for r in en_rows]
        for zh, en in [(zh_why, en_why), *((z.note, e.note) for z, e in zip(zh_rows, en_rows))]:
            assert has_chinese(zh) and not english_words(zh.replace('"SAME"', "").replace('"VALID"', "")), zh
            strip = [n.rstrip(",.") for n in number.findall(en)]
            assert sorted(n.rstrip(",.") for n in number.findall(zh)) == sorted(strip), (zh, en)


def test_why_they_differ_in_chinese_at_224():
    from explorer.i18n import using

    with using("zh"):
        text = why_they_differ(224, 11, 4, 0, 1, "conv")
        steps = pytorch_steps(224, 11, 4)
    assert text.startswith("W + 2P − D·(K−1) − 1 = 213 不是 S = 4 的倍数（213/4 = 53.25）：")
    assert "向下取整（PyTorch、Caffe 和 d2l.ai）得 54" in text
    assert [s.label for s in steps] == ["公式", "代入", "分子", "精确商", "向下取整", "余数"]
    assert steps[4].text == "⌊53.25⌋ = 53, + 1 = 54"  # the arithmetic is shared
