"""Build page figures: the diagram's geometry in each layout, its files, and the parameter/compute split."""

import io
import math
import re
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from explorer import figures, spec
from explorer.analysis import Analysis, analyse
from explorer.figures import (
    DIAGRAM_LAYOUTS,
    DIAGRAM_SCALING,
    compute_split,
    diagram,
    diagram_image,
    diagram_plotly,
    params_macs_figure,
)
from explorer.presets import PRESETS
from explorer.spec import AvgPool, Conv, Dropout, Flatten, InputSpec, Linear, MaxPool, ReLU, Variant

Residual = getattr(spec, "Residual", None)
needs_residual = pytest.mark.skipif(Residual is None, reason="the engine has no residual blocks yet")


def variant(*layers, c=3, h=32, w=None, name="t"):
    return Variant(name, InputSpec(c, h, w or h), tuple(layers))


def label_texts(d):
    return [label.text for label in d.labels]


def plotly_font_sizes(fig):
    sizes = [a.font.size for a in fig.layout.annotations or ()]
    for trace in fig.data:
        if trace.mode == "text":
            sizes += list(trace.textfont.size)
    return sizes


# --- scale ------------------------------------------------------------------------------------


def test_scaling_sentence_names_the_scales():
    assert "√H" in DIAGRAM_SCALING and "√W" in DIAGRAM_SCALING and "√C" in DIAGRAM_SCALING
    assert "1,024" in DIAGRAM_SCALING and "bar length ∝ features" in DIAGRAM_SCALING


@pytest.mark.parametrize("layout", DIAGRAM_LAYOUTS)
def test_box_sizes_follow_the_scaling(layout):
    d = diagram(analyse(PRESETS["paper-2012"]), layout=layout)
    maps = {m["name"]: m for m in d.maps}
    assert list(maps) == ["input", "conv1", "pool1", "conv2", "pool2", "conv3", "conv4", "conv5", "pool5"]
    # face side ∝ √H (and √W): one px-per-√pixel for every map
    per_root = {name: m["face"][1] / math.sqrt(m["shape"][1]) for name, m in maps.items()}
    assert max(per_root.values()) == pytest.approx(min(per_root.values()))
    assert all(m["face"][0] == m["face"][1] for m in maps.values())  # square maps, square faces
    # 96×55×55 against 256×13×13: √(55/13) = 2.06 times as tall
    assert maps["conv1"]["face"][1] / maps["pool2"]["face"][1] == pytest.approx(math.sqrt(55 / 13))
    # depth ∝ √(channels per tower): 3, 48, 128, 192 (the two GPUs' halves of 96, 256, 384)
    per_channel = {name: m["depth"] / math.sqrt(m["shape"][0] / m["towers"]) for name, m in maps.items()}
    assert max(per_channel.values()) == pytest.approx(min(per_channel.values()))
    assert maps["input"]["depth"] < maps["conv1"]["depth"] < maps["conv5"]["depth"] < maps["conv3"]["depth"]
    heights = [maps[n]["face"][1] for n in ("input", "conv1", "pool1", "pool2", "pool5")]
    assert heights == sorted(heights, reverse=True)


def test_depth_is_capped_for_a_million_channels():
    analysis = analyse(variant(Conv(512, 1), Conv(2000, 1), Conv(1_000_000, 1, groups=2000), c=1, h=1))
    assert analysis.valid
    for layout in DIAGRAM_LAYOUTS:
        d = diagram(analysis, layout=layout)
        maps = {m["name"]: m for m in d.maps}
        assert maps["conv2"]["depth"] == pytest.approx(maps["conv3"]["depth"])  # both drawn 1,024 deep
        assert maps["conv1"]["depth"] == pytest.approx(maps["conv2"]["depth"] * math.sqrt(512 / 1024))
    assert "1000000×1×1" in label_texts(d)


# --- towers, windows, links -------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,towers",
    [("paper-2012", [1, 2, 2, 2, 2, 2, 2, 2, 2]), ("caffe-bvlc", [1, 2, 2, 2, 2, 2, 2, 2, 2])],
)
def test_two_towers_where_groups_is_2(name, towers):
    d = diagram(analyse(PRESETS[name]))
    assert [m["towers"] for m in d.maps] == towers
    links = {link["to"]: link["pairs"] for link in d.links}
    assert links["conv1"] == [(0, 0), (0, 1)]  # one input image feeds both GPUs
    assert links["conv2"] == links["conv4"] == links["conv5"] == [(0, 0), (1, 1)]  # grouped: own GPU only
    assert links["conv3"] == [(0, 0), (0, 1), (1, 0), (1, 1)]  # conv3 connects across
    assert links["pool1"] == [(0, 0), (1, 1)]


@pytest.mark.parametrize("name", ["torchvision", "single-gpu", "lenet-5", "keras-seed"])
def test_one_tower_without_groups(name):
    d = diagram(analyse(PRESETS[name]))
    assert {m["towers"] for m in d.maps} == {1}
    assert all(link["pairs"] == [(0, 0)] for link in d.links)


def test_kernel_windows_drawn_on_each_input():
    d = diagram(analyse(PRESETS["paper-2012"]))
    maps = {m["name"]: m for m in d.maps}
    windows = {(w["by"], w["tower"]): w for w in d.windows}
    assert [(w["by"], w["on"], w["pixels"]) for w in d.windows if w["tower"] == 0] == [
        ("conv1", "input", (11, 11)),
        ("pool1", "conv1", (3, 3)),
        ("conv2", "pool1", (5, 5)),
        ("pool2", "conv2", (3, 3)),
        ("conv3", "pool2", (3, 3)),
        ("conv4", "conv3", (3, 3)),
        ("conv5", "conv4", (3, 3)),
        ("pool5", "conv5", (3, 3)),
    ]
    assert len(d.windows) == 1 + 7 * 2  # on the input once, then on each tower
    # the window covers K/H of the map's side
    assert windows[("conv1", 0)]["size"][0] == pytest.approx(maps["input"]["face"][0] * 11 / 227)
    assert windows[("conv2", 1)]["size"][1] == pytest.approx(maps["pool1"]["face"][1] * 5 / 27)


def test_adaptive_pool_window_is_one_bin():
    d = diagram(analyse(PRESETS["torchvision"]))
    (window,) = [w for w in d.windows if w["by"] == "adaptpool5"]
    assert window["on"] == "pool5" and window["pixels"] == (1, 1)  # 6×6 to 6×6: bins of one pixel


# --- classifier -------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", DIAGRAM_LAYOUTS)
def test_classifier_bars_with_their_widths(layout):
    d = diagram(analyse(PRESETS["paper-2012"]), layout=layout)
    assert [(b["name"], b["features"]) for b in d.bars] == [
        ("flatten", 9216),
        ("fc6", 4096),
        ("fc7", 4096),
        ("fc8", 1000),
    ]
    lengths = [b["length"] for b in d.bars]
    assert lengths[1] / lengths[0] == pytest.approx(4096 / 9216)
    assert lengths[3] / lengths[0] == pytest.approx(1000 / 9216)
    texts = label_texts(d)
    assert {"9,216", "4,096", "1,000", "fc6", "fc7", "fc8"} <= set(texts)


# --- text sizes and layouts -------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PRESETS))
@pytest.mark.parametrize("layout", ["page", "vertical"])
def test_plotly_text_at_least_14px(name, layout):
    fig = diagram_plotly(analyse(PRESETS[name]), layout=layout)
    sizes = plotly_font_sizes(fig)
    assert sizes and min(sizes) >= 14
    assert fig.layout.hoverlabel.font.size >= 14
    assert len(fig.data) <= 40  # one trace per style (kind × face, lines, labels), not one per shape


def name_rows(d, names=("conv1", "conv3", "conv5", "pool5")):
    return len({round(label.y) for label in d.labels if label.text in names})


def test_page_layout_for_the_build_page_chart():
    analysis = analyse(PRESETS["paper-2012"])
    fig = diagram_plotly(analysis)  # 960 px: the chart in a 1440 window with the sidebar open is 980
    assert tuple(fig.layout.xaxis.range) == (0, 960)  # one unit = one px
    assert fig.layout.yaxis.scaleanchor == "x"
    assert 500 <= fig.layout.height <= 640
    assert name_rows(diagram(analysis)) == 2  # conv1 and conv3 start the two rows
    wide = diagram_plotly(analysis, width=1440)
    assert tuple(wide.layout.xaxis.range) == (0, 1440)
    assert 300 <= wide.layout.height <= 420
    assert name_rows(diagram(analysis, width=1440)) == 1  # the whole network in one row


def test_fixed_size_layouts_refuse_a_width():
    with pytest.raises(ValueError, match="fixed size"):
        diagram(analyse(PRESETS["paper-2012"]), layout="slide", width=1440)


def label_boxes(d, scale):
    for label in d.labels:
        w = figures._text_width(label.text, label.size, scale, label.bold)
        h = label.size * 1.15
        x = label.x - {"left": 0, "center": w / 2, "right": w}[label.align]
        y = label.y if label.valign == "top" else label.y - h / 2
        yield label.text, (x, y, x + w, y + h)


def overlaps(d, scale):
    boxes = list(label_boxes(d, scale))
    return [
        (a, b)
        for i, (a, (ax0, ay0, ax1, ay1)) in enumerate(boxes)
        for b, (bx0, by0, bx1, by1) in boxes[i + 1 :]
        if min(ax1, bx1) - max(ax0, bx0) > 1 and min(ay1, by1) - max(ay0, by0) > 1
    ]


@pytest.mark.parametrize("name", sorted(PRESETS))
@pytest.mark.parametrize(
    "layout,width", [("page", None), ("page", 1440), ("vertical", None), ("slide", None), ("phone", None)]
)
def test_no_two_labels_overlap(name, layout, width):
    d = diagram(analyse(PRESETS[name]), layout=layout, width=width)
    scale = 1.12 if layout in ("slide", "phone") else 1.06
    assert overlaps(d, scale) == []
    assert all(0 <= x0 and x1 <= d.width for _, (x0, _, x1, _) in label_boxes(d, scale))


def test_phone_layout_is_390_px_wide():
    analysis = analyse(PRESETS["paper-2012"])
    fig = diagram_plotly(analysis, layout="vertical")
    assert fig.layout.width == 390
    assert diagram_plotly(analysis, layout="vertical", width=360).layout.width == 360
    assert tuple(fig.layout.xaxis.range) == (0, 390)
    d = diagram(analysis, layout="vertical")
    assert all(0 <= p[0] <= 390 for poly in d.polygons for p in poly.points)
    # top to bottom: each map's caption starts below the previous one
    tops = [next(label.y for label in d.labels if label.text == m["name"]) for m in d.maps]
    assert tops == sorted(tops)
    png = Image.open(io.BytesIO(diagram_image(analysis, "png", layout="phone")))
    assert png.width == 780  # 390 px at 2×
    assert min(label.size for label in diagram(analysis, layout="phone").labels) >= 14


@pytest.mark.parametrize("name", ["paper-2012", "torchvision", "lenet-5", "blog-broken-flatten"])
def test_slide_png_is_exactly_1920_by_1080(name):
    data = diagram_image(analyse(PRESETS[name]), "png")
    image = Image.open(io.BytesIO(data))
    assert image.size == (1920, 1080)
    assert image.format == "PNG"


def test_slide_svg_is_1920_by_1080_px():
    data = diagram_image(analyse(PRESETS["paper-2012"]), "svg")
    assert data.startswith(b"<?xml")
    tag = re.search(rb"<svg [^>]*>", data).group()
    assert b'width="1920px"' in tag and b'height="1080px"' in tag


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_slide_text_at_least_24px_and_inside_the_slide(name):
    d = diagram(analyse(PRESETS[name]), layout="slide")
    assert (d.width, d.height) == (1920, 1080)
    assert min(label.size for label in d.labels) >= 24
    assert all(0 <= label.y <= 1080 and 0 <= label.x <= 1920 for label in d.labels)
    assert all(0 <= x <= 1920 and -1 <= y <= 1081 for poly in d.polygons for x, y in poly.points)
    assert DIAGRAM_SCALING.split()[0] in " ".join(label_texts(d))  # the scaling sentence is on the slide


def test_unknown_layout_is_refused():
    with pytest.raises(ValueError, match="unknown diagram layout"):
        diagram(analyse(PRESETS["paper-2012"]), layout="poster")


# --- variants that are not AlexNet ------------------------------------------------------------


def test_invalid_variant_draws_layers_up_to_the_error():
    analysis = analyse(PRESETS["blog-broken-flatten"])
    d = diagram(analysis)
    assert [m["name"] for m in d.maps][-1] == "pool5"
    assert [b["name"] for b in d.bars] == ["flatten"]  # fc6 is the marked failure, fc7 and fc8 not reached
    texts = label_texts(d)
    assert "fc6" in texts and "✕ linear" in texts and "in_features 256 ≠ 9,216" in texts
    assert "fc7" not in texts
    assert any(poly.dash and poly.fill is None for poly in d.polygons)  # the dashed outline
    assert diagram_plotly(analysis).data
    assert Image.open(io.BytesIO(diagram_image(analysis, "png"))).size == (1920, 1080)


def test_invalid_conv_is_marked_in_place():
    d = diagram(analyse(variant(Conv(8, 3), Conv(8, 64))))
    assert [m["kind"] for m in d.maps] == ["input", "conv", "invalid"]
    assert d.maps[-1]["name"] == "conv2"


CASES = {
    "mlp": variant(Flatten(), Linear(512), ReLU(), Linear(10)),
    "conv only": variant(Conv(16, 3), ReLU(), MaxPool(2), Conv(32, 3)),
    "one channel, 1×1": variant(Conv(8, 1), Flatten(), Linear(10), c=1, h=1),
    "a million channels": variant(Conv(1_000_000, 1), h=1),
    "wide strip": variant(Conv(8, 3), h=8, w=900),
    "twelve conv blocks": variant(
        *[layer for i in range(12) for layer in (Conv(64 * (1 + i // 4), 3, padding=1), ReLU())],
        MaxPool(2),
        Flatten(),
        Linear(10),
        h=64,
    ),
    "groups 3 and 4": variant(Conv(96, 3, groups=3), MaxPool(2), Conv(12, 1, groups=4)),
    "depthwise": variant(Conv(32, 3), Conv(32, 3, groups=32)),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("layout", DIAGRAM_LAYOUTS)
def test_unusual_variants_draw(case, layout):
    analysis = analyse(CASES[case])
    assert analysis.valid
    d = diagram(analysis, layout=layout)
    assert d.maps[0]["name"] == "input"
    assert len(d.maps) + len(d.bars) == 1 + sum(
        r.type in ("conv", "maxpool", "flatten", "linear") for r in analysis.rows
    )
    assert all(math.isfinite(v) for poly in d.polygons for p in poly.points for v in p)
    if layout in ("page", "vertical"):
        assert min(plotly_font_sizes(diagram_plotly(analysis, layout=layout))) >= 14


def test_mlp_and_conv_only_shapes():
    mlp = diagram(analyse(CASES["mlp"]))
    assert [m["name"] for m in mlp.maps] == ["input"]
    assert [b["features"] for b in mlp.bars] == [3072, 512, 10]
    conv_only = diagram(analyse(CASES["conv only"]))
    assert conv_only.bars == [] and [m["name"] for m in conv_only.maps] == ["input", "conv1", "pool1", "conv2"]


def test_groups_3_and_4_draw_as_towers_depthwise_as_one():
    d = diagram(analyse(CASES["groups 3 and 4"]))
    assert [m["towers"] for m in d.maps] == [3, 3, 3, 4]  # the pool keeps conv1's three groups
    assert len(d.links[-1]["pairs"]) == 3 * 4  # regrouped 3 → 4: every tower feeds every tower
    assert [m["towers"] for m in diagram(analyse(CASES["depthwise"])).maps] == [1, 1, 1]
    assert "groups 32" in label_texts(diagram(analyse(CASES["depthwise"])))


def test_twelve_blocks_wrap_into_rows_on_the_page_and_fit_the_slide():
    analysis = analyse(CASES["twelve conv blocks"])
    page = diagram(analysis, width=1440)
    tops = sorted({round(label.y) for label in page.labels if label.bold and label.text.startswith(("conv", "pool"))})
    assert len(tops) == 2
    slide = diagram(analysis, layout="slide")
    assert slide.truncated == 0 and len(slide.maps) == 14


def test_unknown_row_types_draw_a_generic_box():
    analysis = analyse(variant(Conv(8, 3), Flatten(), Linear(4)))
    rows = list(analysis.rows)
    rows.insert(1, replace(rows[0], type="mystery", name="mystery1", input=rows[0].output, output=(8, 20, 20)))
    rows.insert(2, replace(rows[0], type="mystery", name="mystery2", input=(8, 20, 20), output=(8, 20, 20)))
    odd = Analysis(analysis.variant, tuple(rows), None, analysis.names)
    d = diagram(odd)
    assert [(m["name"], m["kind"]) for m in d.maps][1:] == [
        ("conv1", "conv"),
        ("mystery1", "other"),
        ("mystery2", "other"),
    ]
    assert diagram_plotly(odd).data and diagram_image(odd, "png")


@needs_residual
def test_residual_blocks_have_skip_arcs_dashed_for_conv_shortcuts():
    block = Residual(
        body=(Conv(128, 3, stride=2, padding=1, bias=False), spec.BatchNorm(), ReLU(), Conv(128, 3, padding=1)),
        shortcut=(Conv(128, 1, stride=2, bias=False), spec.BatchNorm()),
    )
    identity = Residual(body=(Conv(128, 3, padding=1), ReLU(), Conv(128, 3, padding=1)))
    analysis = analyse(variant(block, ReLU(), identity, ReLU(), c=64, h=56))
    assert analysis.valid, analysis.error
    for layout in DIAGRAM_LAYOUTS:
        d = diagram(analysis, layout=layout)
        assert [(m["name"], m["kind"], m["skip"]) for m in d.maps][1:] == [
            (analysis.rows[0].name, "residual", "conv"),
            (analysis.rows[2].name, "residual", "identity"),
        ]
        arcs = [line for line in d.lines if len(line.points) > 10]
        assert [arc.dash for arc in arcs] == [True, False]
    texts = label_texts(diagram(analysis))
    assert "skip: 1×1 /2 conv" in texts and "skip: identity" in texts


@needs_residual
@pytest.mark.parametrize("name", [n for n in PRESETS if n.startswith("resnet")])
def test_resnet_presets_draw(name):
    analysis = analyse(PRESETS[name])
    d = diagram(analysis)
    assert len(d.maps) >= 2
    assert Image.open(io.BytesIO(diagram_image(analysis, "png"))).size == (1920, 1080)


# --- user text --------------------------------------------------------------------------------

HOSTILE = "<a href='https://example.com'>x</a> $\\frac{$ & <b>"


def test_user_text_is_escaped_for_plotly():
    fig = diagram_plotly(analyse(PRESETS["paper-2012"].renamed(HOSTILE)))
    texts = [t for trace in fig.data if trace.text is not None for t in trace.text]
    joined = " ".join(texts)
    assert "&lt;a href=" in joined and "<a " not in joined and "&lt;b&gt;" in joined
    assert re.findall(r"<(\w+)", joined) and set(re.findall(r"<(\w+)", joined)) == {"b"}  # only our bold


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_dollar_signs_do_not_become_mathtext(fmt):
    # unescaped, "$\frac{$" is a mathtext parse error when matplotlib draws the title
    data = diagram_image(analyse(PRESETS["paper-2012"].renamed(HOSTILE)), fmt)
    assert data[:4] in (b"\x89PNG", b"<?xm")


# --- random variants --------------------------------------------------------------------------


@st.composite
def random_variants(draw):
    layers = []
    for _ in range(draw(st.integers(0, 8))):
        kinds = ["conv", "conv", "maxpool", "avgpool", "relu", "dropout"] + (["residual"] if Residual else [])
        kind = draw(st.sampled_from(kinds))
        if kind == "residual":
            out, stride = draw(st.sampled_from([3, 64, 128])), draw(st.integers(1, 2))
            body = (Conv(out, 3, stride, 1), ReLU(), Conv(out, 3, 1, 1))
            shortcut = (Conv(out, 1, stride),) if draw(st.booleans()) else ()
            layers.append(Residual(body=body, shortcut=shortcut))
        elif kind == "conv":
            out = draw(st.sampled_from([1, 2, 3, 16, 96, 256, 4096, 1_000_000]))
            groups = draw(st.sampled_from([1, 1, 2, 4]))
            layers.append(
                Conv(out, draw(st.integers(1, 11)), draw(st.integers(1, 4)), draw(st.integers(0, 3)), groups=groups)
            )
        elif kind in ("maxpool", "avgpool"):
            cls = MaxPool if kind == "maxpool" else AvgPool
            layers.append(cls(draw(st.integers(1, 4)), draw(st.integers(1, 3))))
        else:
            layers.append(ReLU() if kind == "relu" else Dropout(0.5))
    if draw(st.booleans()):
        layers.append(Flatten())
        layers += [Linear(draw(st.sampled_from([1, 10, 1000, 4096]))) for _ in range(draw(st.integers(0, 4)))]
    c = draw(st.sampled_from([1, 3, 64]))
    h = draw(st.integers(1, 300))
    w = draw(st.one_of(st.just(h), st.integers(1, 300)))
    return variant(*layers, c=c, h=h, w=w)


@given(random_variants(), st.sampled_from(["t", "W" * 80, "a long name " * 6, "层" * 40]))
def test_any_variant_draws_in_every_layout(v, name):
    analysis = analyse(v.renamed(name))
    for layout in DIAGRAM_LAYOUTS:
        d = diagram(analysis, layout=layout)
        scale = 1.12 if layout in ("slide", "phone") else 1.06
        assert overlaps(d, scale) == []
        assert all(-1 <= x0 and x1 <= d.width + 1 for _, (x0, _, x1, _) in label_boxes(d, scale))
        assert all(math.isfinite(x) and math.isfinite(y) for poly in d.polygons for x, y in poly.points)
        assert min(label.size for label in d.labels) >= (24 if layout == "slide" else 14)
        if layout == "slide":
            assert (d.width, d.height) == (1920, 1080)
            assert all(0 <= x <= 1920 and -1 <= y <= 1081 for poly in d.polygons for x, y in poly.points)
        if layout in ("vertical", "phone"):
            assert all(0 <= x <= 390 for poly in d.polygons for x, _ in poly.points)
    assert min(plotly_font_sizes(diagram_plotly(analysis))) >= 14


# --- parameters and compute -------------------------------------------------------------------


def test_classic_lesson_figures():
    fc, conv = compute_split(analyse(PRESETS["paper-2012"]))
    assert round(100 * fc, 1) == 96.2 and round(100 * conv, 1) == 91.9
    fc, conv = compute_split(analyse(PRESETS["torchvision"]))
    assert round(100 * fc, 1) == 96.0 and round(100 * conv, 1) == 91.8
    fig = params_macs_figure(analyse(PRESETS["torchvision"]))
    assert [b.name for b in fig.data] == ["% of parameters", "% of MACs"]
    assert list(fig.data[0].x) == ["conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7", "fc8"]
    assert "96.0% of the parameters" in fig.layout.title.text


# --- languages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["paper-2012", "resnet18", "blog-broken-flatten", "lenet-5"])
@pytest.mark.parametrize("layout", DIAGRAM_LAYOUTS)
def test_the_diagram_in_chinese(name, layout):
    from explorer.i18n import using

    analysis = analyse(PRESETS[name])
    with using("zh"):
        d = diagram(analysis, layout=layout)
    en = diagram(analysis, layout=layout)
    texts = " ".join(label_texts(d))
    assert "卷积" in texts or "池化" in texts
    number = re.compile(r"\d+")
    # the same maps, bars and windows; every map name and shape as in English
    assert [m["name"] for m in d.maps[1:]] == [m["name"] for m in en.maps[1:]]
    assert [m["shape"] for m in d.maps] == [m["shape"] for m in en.maps]
    assert [b["features"] for b in d.bars] == [b["features"] for b in en.bars]
    shapes = [t for t in label_texts(en) if re.fullmatch(r"[\d×,]+", t)]
    assert shapes == [t for t in label_texts(d) if re.fullmatch(r"[\d×,]+", t)]
    assert number.findall(" ".join(t for t in label_texts(d) if "×" in t and "·" not in t))
    scale = 1.12 if layout in ("slide", "phone") else 1.06
    assert overlaps(d, scale) == []
    assert all(0 <= x0 and x1 <= d.width for _, (x0, _, x1, _) in label_boxes(d, scale))


def test_caption_and_chart_in_chinese():
    from explorer.figures import diagram_caption
    from explorer.i18n import using

    analysis = analyse(PRESETS["resnet18"])

    with using("zh"):
        zh = diagram_caption(analysis)
    assert "1,024" in zh and "√H" in zh and "弧形箭头" in zh
    assert diagram_caption(analysis).startswith(DIAGRAM_SCALING)
    fig = params_macs_figure(analyse(PRESETS["torchvision"]), lang="zh")
    assert [b.name for b in fig.data] == ["参数量占比 %", "MACs 占比 %"]
    assert fig.layout.title.text == "全连接层占参数量的 96.0%；卷积层占乘加运算的 91.8%"
    assert fig.layout.yaxis.title.text == "占总量 %"
    assert list(fig.data[0].y) == list(params_macs_figure(analyse(PRESETS["torchvision"])).data[0].y)
    plot = diagram_plotly(analysis, lang="zh")
    assert any("残差块" in t for trace in plot.data if trace.text is not None for t in trace.text)


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_slide_in_chinese_with_and_without_a_cjk_font(fmt, monkeypatch):
    from explorer import fonts

    analysis = analyse(PRESETS["paper-2012-224"])
    data = diagram_image(analysis, fmt, lang="zh")
    if fmt == "png":
        assert Image.open(io.BytesIO(data)).size == (1920, 1080)
    monkeypatch.setattr(fonts, "cjk_font", lambda: None)  # a server without fonts-noto-cjk
    bare = diagram_image(analysis, fmt, lang="zh")
    assert bare[:4] in (b"\x89PNG", b"<?xm")
    assert fonts.missing_font_notice("zh") is not None and fonts.missing_font_notice("en") is None
