"""explorer.figures_compare: the plotted numbers are the comparison's numbers, gaps stay gaps."""

import math

import pytest

from explorer.compare import DEFAULT_SELECTION, compare
from explorer.figures_compare import (
    decade_ticks,
    funnel_figure,
    funnel_labels,
    funnel_series,
    macs_figure,
    params_figure,
    weighted_roles,
)
from explorer.i18n import using
from explorer.presets import PRESETS
from tests.i18n_check import english_words, has_chinese

WEIGHTED = ["conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7", "fc8"]


def default():
    return compare([PRESETS[n] for n in DEFAULT_SELECTION])


def test_params_bars_grouped_by_variant():
    fig = params_figure(default())
    assert fig.layout.barmode == "group"
    assert fig.layout.yaxis.type == "linear"
    assert [t.name for t in fig.data] == ["paper-2012", "torchvision", "keras-seed"]
    for trace in fig.data:
        assert list(trace.x) == WEIGHTED
    assert list(fig.data[0].y) == [34944, 307456, 885120, 663936, 442624, 37752832, 16781312, 4097000]
    assert list(fig.data[2].y) == [11712, 614656, 885120, 1327488, 884992, 26218496, 16781312, 4097000]
    assert fig.data[2].customdata[5] == "26.2M"


def test_macs_bars_and_log_scale():
    fig = macs_figure(default(), log=True)
    assert fig.layout.yaxis.type == "log"
    assert list(fig.data[1].x) == WEIGHTED
    assert list(fig.data[1].y) == [70276800, 223948800, 112140288, 149520384, 99680256, 37748736, 16777216, 4096000]
    assert sum(fig.data[0].y) == 724_406_816  # the bars add up to the total


def test_invalid_variant_is_plotted_up_to_its_error():
    c = compare([PRESETS["paper-2012"], PRESETS["blog-broken-flatten"]])
    fig = params_figure(c)
    assert [t.name for t in fig.data] == ["paper-2012", "blog-broken-flatten (invalid)"]
    assert list(fig.data[1].y) == [34944, 614656, 885120, 1327488, 884992, None, None, None]


def test_gaps_for_missing_layers():
    c = compare([PRESETS["paper-2012"], PRESETS["lenet-5"]])
    assert weighted_roles(c) == ["conv1", "conv2", "conv3", "conv4", "conv5", "fc3", "fc4", "fc5", "fc6", "fc7", "fc8"]
    fig = params_figure(c)
    assert list(fig.data[1].y) == [156, 2416, None, None, None, 48120, 10164, 850, None, None, None]


def test_funnel_heights():
    roles, series = funnel_series(default())
    assert roles == ["input", "conv1", "pool1", "conv2", "pool2", "conv3", "conv4", "conv5", "pool5", "adaptpool5"]
    assert series == [
        [227, 55, 27, 27, 13, 13, 13, 13, 6, None],
        [224, 55, 27, 27, 13, 13, 13, 13, 6, 6],
        [224, 54, 26, 26, 12, 12, 12, 12, 5, None],
    ]
    fig = funnel_figure(default())
    assert [t.name for t in fig.data] == ["paper-2012", "torchvision", "keras-seed"]
    assert list(fig.data[2].y) == series[2]
    # each distinct height at a layer is labelled once: 224 by torchvision, 27/13/6 by paper-2012
    assert list(fig.data[0].text) == ["227", "55", "27", "27", "13", "13", "13", "13", "6", ""]
    assert list(fig.data[1].text) == ["224", "", "", "", "", "", "", "", "", "6"]
    assert list(fig.data[2].text) == ["", "54", "26", "26", "12", "12", "12", "12", "5", ""]
    assert all(t.connectgaps for t in fig.data)
    assert [t.line.dash for t in fig.data] == ["solid", "dash", "dot"]
    assert fig.layout.yaxis.type == "log"
    assert fig.layout.yaxis.range == pytest.approx((math.log10(5) - 0.15, math.log10(227) + 0.15), abs=1e-12)
    assert fig.layout.title.text == "Spatial funnel: height of the feature map (227 → 6 vs 224 → 6 vs 224 → 5)"


def test_funnel_of_an_invalid_variant_and_lenet():
    c = compare([PRESETS["lenet-5"], PRESETS["blog-broken-flatten"]])
    roles, series = funnel_series(c)
    assert roles == ["input", "conv1", "pool1", "conv2", "pool2", "conv3", "conv4", "conv5", "pool5"]
    assert series[0] == [32, 28, 14, 10, 5, None, None, None, None]
    assert series[1] == [224, 55, 27, 27, 13, 13, 13, 13, 6]
    assert funnel_figure(c).data[1].name == "blog-broken-flatten (invalid)"


def test_funnel_labels_never_overlap():
    """At every layer each distinct height gets one label, at its own place (above, below, beside)."""
    c = compare([PRESETS[n] for n in ("paper-2012", "torchvision", "keras-seed", "d2l")])
    roles, series = funnel_series(c)
    labels = funnel_labels(series)
    for j in range(len(roles)):
        shown = [(labels[k][j][0], labels[k][j][1]) for k in range(len(series)) if labels[k][j][0]]
        heights = {h[j] for h in series if h[j] is not None}
        assert sorted(int(t) for t, _ in shown) == sorted(heights), roles[j]
        assert len({where for _, where in shown}) == len(shown), roles[j]  # no two at the same place
    # four different heights at one layer: above, below and the two sides
    assert funnel_labels([[4], [3], [2], [1]]) == [
        [("4", "top center")],
        [("3", "middle right")],
        [("2", "middle left")],
        [("1", "bottom center")],
    ]


def test_log_axes_read_as_numbers():
    assert decade_ticks([34944, None, 37752832]) == (
        [10_000, 100_000, 1_000_000, 10_000_000, 100_000_000],
        ["10K", "100K", "1M", "10M", "100M"],
    )
    fig = params_figure(default(), log=True)
    assert list(fig.layout.yaxis.ticktext) == ["10K", "100K", "1M", "10M", "100M"]
    assert list(fig.layout.yaxis.tickvals) == [10_000, 100_000, 1_000_000, 10_000_000, 100_000_000]
    macs = macs_figure(default(), log=True)
    assert list(macs.layout.yaxis.ticktext) == ["1M", "10M", "100M", "1G"]
    funnel = funnel_figure(default())
    assert list(funnel.layout.yaxis.ticktext) == ["2", "5", "10", "20", "50", "100", "200", "500"]
    assert params_figure(default()).layout.yaxis.tickformat == "~s"  # linear: 10M, 20M, not 1e7


def test_figures_in_chinese_keep_the_numbers():
    en = [params_figure(default(), log=True), macs_figure(default()), funnel_figure(default())]
    with using("zh"):
        zh = [params_figure(default(), log=True), macs_figure(default()), funnel_figure(default())]
    for a, b in zip(en, zh):
        words = [b.layout.title.text, b.layout.yaxis.title.text]
        assert all(has_chinese(w) for w in words), words
        assert not english_words(" ".join(words)), words
        assert [list(t.y) for t in a.data] == [list(t.y) for t in b.data]
        assert list(a.layout.yaxis.ticktext or []) == list(b.layout.yaxis.ticktext or [])
    assert zh[2].layout.title.text.endswith("（227 → 6 vs 224 → 6 vs 224 → 5）")
    assert list(zh[2].data[0].x)[:2] == ["输入", "conv1"] and list(en[2].data[0].x)[:2] == ["input", "conv1"]
    with using("zh"):
        invalid = params_figure(compare([PRESETS["paper-2012"], PRESETS["blog-broken-flatten"]]))
    assert invalid.data[1].name == "blog-broken-flatten（无效）"
