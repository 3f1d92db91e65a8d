"""AppTest of pages/2_Compare.py: default comparison, invalid variants, URL round trip, uploads, exports."""

import html
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from explorer.compare import compare, differs_from_reference
from explorer.compare_export import comparison_latex, comparison_markdown
from explorer.presets import PRESETS
from explorer.share import MAX_QUERY_CHARS, encode_selection
from ui import CURRENT

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "2_Compare.py")
MARK = "●"


def run(query: str | None = None, **state) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for lazy in ("compare_explanations_open", "compare_slides_open", "compare_images_open"):
        at.session_state[lazy] = True  # Compare's lazy expanders: test what they hold
    if query is not None:
        at.query_params["compare"] = query
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception
    return at


def table(at: AppTest):
    """The layer-by-layer table: a row per layer, a column per variant."""
    return at.dataframe[0].value.set_index("layer")


def values(text: str) -> list[str]:
    """A table cell's values (output · params · MACs), without the ● marks."""
    return [part.removeprefix(MARK).strip() for part in text.split(" · ")]


def output(at: AppTest, role: str, label: str) -> str:
    return values(table(at).loc[role, label])[0]


def explanation(at: AppTest, role: str) -> str:
    (block,) = [m.value for m in at.markdown if html.unescape(m.value).startswith(f"**{role}**\n")]
    return html.unescape(block)  # what the browser shows: user text is entity-escaped


def captions(at: AppTest) -> list[str]:
    shown = [img.proto.imgs[0].caption for img in at.get("image")]
    return [c for c in shown if c != "Point a phone's camera at it"]  # the sidebar's QR code


def test_default_comparison():
    at = run()
    assert at.multiselect(key="compare_select").value == ["paper-2012", "torchvision", "keras-seed"]
    t = table(at)
    assert list(t.columns) == ["paper-2012", "torchvision", "keras-seed"]  # four fit 1440 px: one column each
    assert list(t.loc["conv1"]) == [
        "96×55×55 · 34,944 · 105M",
        "● 64×55×55 · ● 23,296 · ● 70.3M",
        "● 96×54×54 · ● 11,712 · ● 33.9M",
    ]
    assert values(t.loc["fc6", "keras-seed"]) == ["4096", "26,218,496", "26.2M"]
    assert t.loc["adaptpool5", "paper-2012"] == "—"
    assert [m.value for m in at.metric] == ["60,965,224", "61,100,840", "50,820,776"]
    totals = at.dataframe[1].value
    assert list(totals["parameters"]) == ["60,965,224", "61,100,840", "50,820,776"]
    assert list(totals["params ratio"]) == ["1.000×", "1.002×", "0.834×"]
    conv1 = explanation(at, "conv1")
    assert "padding 2 vs 0 at 224" in conv1
    assert "input 227 vs 224, padding 0 vs 2" in conv1
    assert at.query_params["compare"] == "paper-2012,torchvision,keras-seed"
    # the same image through each: the crop each variant sees, then conv1's maps
    assert captions(at) == [
        "what it sees: 3×227×227",
        "conv1: 96×55×55, the first 16 of 96 maps",
        "what it sees: 3×224×224",
        "conv1: 64×55×55, the first 16 of 64 maps",
        "what it sees: 1×224×224",
        "conv1: 96×54×54, the first 16 of 96 maps",
    ]


def test_exports_shown_match_the_library():
    at = run()
    c = compare([PRESETS[n] for n in ("paper-2012", "torchvision", "keras-seed")])
    codes = [code.value for code in at.code]
    assert codes[0] == "?compare=paper-2012,torchvision,keras-seed"
    assert codes[1] == comparison_markdown(c).rstrip("\n")
    assert codes[2] == comparison_latex(c).rstrip("\n")
    assert codes[1].splitlines()[3] == "| conv1 | **96×55×55 (34.9K)** | **64×55×55 (23.3K)** | **96×54×54 (11.7K)** |"
    assert [b.key for b in at.get("download_button")] == ["compare_dl_csv", "compare_dl_md", "compare_dl_tex"]


def test_invalid_variant_shows_its_error_while_the_others_compare():
    at = run("paper-2012,blog-broken-flatten,torchvision")
    assert at.multiselect(key="compare_select").value == ["paper-2012", "blog-broken-flatten", "torchvision"]
    (error,) = at.error
    assert "fc6 (linear): it expects 256 input features but 9,216 arrive" in html.unescape(error.value)
    assert "Fix: set in_features to 9,216" in html.unescape(error.value)
    assert [m.value for m in at.metric] == ["60,965,224", "61,100,840"]
    t = table(at)
    assert t.loc["fc6", "blog-broken-flatten"] == "✗ error"
    assert t.loc["fc7", "blog-broken-flatten"] == "not reached"
    assert values(t.loc["conv2", "blog-broken-flatten"])[1] == "614,656"
    assert "blog-broken-flatten is invalid here, so its column stops" in explanation(at, "fc6")
    totals = at.dataframe[1].value
    assert totals["status"][1].startswith("invalid: fc6 (linear)")
    assert totals["params ratio"][2] == "1.002×"


def test_url_round_trip_with_a_custom_variant():
    custom = PRESETS["torchvision"].renamed("my net").with_input(height=256, width=256)
    query = encode_selection([PRESETS["keras-seed"], custom])
    at = run(query)
    assert at.multiselect(key="compare_select").value == ["keras-seed", "link: my net"]
    assert not at.warning
    assert output(at, "input", "link: my net") == "3×256×256"
    assert at.query_params["compare"] == query  # written back unchanged
    # change the selection: the URL follows
    at.multiselect(key="compare_select").set_value(["link: my net", "lenet-5", "d2l"]).run()
    assert not at.exception
    assert at.query_params["compare"] == encode_selection([custom, PRESETS["lenet-5"], PRESETS["d2l"]])


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("paper-2012,<script>alert(1)</script>", "unknown preset"),
        ("paper-2012,cfg.AAAA", "it is not compressed data"),
        ("x" * (MAX_QUERY_CHARS + 1), f"over the limit of {MAX_QUERY_CHARS:,}"),
        ("paper-2012", "the link names 1"),
    ],
    ids=["unknown-preset", "not-zlib", "too-long", "one-variant"],
)
def test_hostile_query_falls_back_with_a_notice(query, reason):
    at = run(query)
    (warning,) = at.warning
    text = html.unescape(warning.value)
    assert "The link's comparison could not be read" in text
    assert reason in text
    assert "Showing the default comparison instead." in text
    assert at.multiselect(key="compare_select").value == ["paper-2012", "torchvision", "keras-seed"]
    assert at.query_params["compare"] == "paper-2012,torchvision,keras-seed"


def test_link_text_cannot_inject_markdown():
    at = run("paper-2012,[click](http://evil.example)")
    (warning,) = at.warning
    assert "unknown preset '[click](http://evil.example)'" in html.unescape(warning.value)  # shown as text
    assert "[click](" not in warning.value and "http://" not in warning.value  # no link, no auto-link


def test_fewer_than_two_variants_asks_for_more():
    at = run()
    at.multiselect(key="compare_select").set_value(["torchvision"]).run()
    assert not at.exception
    assert [i.value for i in at.info] == ["Pick at least 2 variants to compare (up to 4)."]
    assert not at.dataframe


def test_current_and_saved_variants_from_build():
    current = PRESETS["paper-2012"].with_input(height=224, width=224).renamed("paper at 224")
    at = run(variant=current, saved_variants={"mine": PRESETS["single-gpu"]})
    options = at.multiselect(key="compare_select").options
    assert options[:2] == [CURRENT, "saved: mine"]
    at.multiselect(key="compare_select").set_value([CURRENT, "saved: mine"]).run()
    assert not at.exception
    assert output(at, "conv1", "current: paper at 224") == "96×54×54"
    assert output(at, "conv1", "saved: mine") == "96×55×55"
    assert at.query_params["compare"] == encode_selection([current, PRESETS["single-gpu"]])
    assert at.query_params["compare"].endswith(",single-gpu")


def test_upload_config_joins_the_comparison():
    at = run()
    config = PRESETS["d2l"].renamed("uploaded d2l").to_dict()
    at.file_uploader(key="compare_upload").upload("d2l.json", json.dumps(config).encode(), "application/json")
    at.run()
    assert not at.exception
    assert at.multiselect(key="compare_select").value == [
        "paper-2012",
        "torchvision",
        "keras-seed",
        "uploaded: uploaded d2l",
    ]
    assert [html.unescape(s.value) for s in at.success] == ["Added uploaded d2l from d2l.json to the comparison."]
    assert output(at, "fc8", "uploaded: uploaded d2l") == "10"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"name": "x", "layers": [', "not valid JSON"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "is not text"),
        (b'{"name": "x", "layers": [{"type": "conv", "kernel": 3}]}', 'layer 0 (conv) is missing "out_channels"'),
        (b" " * 200_001, "over the 200,000 limit"),
    ],
    ids=["bad-json", "binary", "invalid-layer", "too-large"],
)
def test_bad_uploads_get_a_clear_message(content, message):
    at = run()
    at.file_uploader(key="compare_upload").upload("bad.json", content, "application/json")
    at.run()
    assert not at.exception
    assert any(message in html.unescape(e.value) for e in at.error)
    assert at.multiselect(key="compare_select").value == ["paper-2012", "torchvision", "keras-seed"]


def test_every_layer_toggle_and_feature_map_role():
    at = run()
    at.toggle(key="compare_all_layers").set_value(True).run()
    assert not at.exception
    t = table(at)
    assert list(t.loc["norm1"]) == ["96×55×55 · 0 · 0", "● —", "● —"]
    at.button_group(key="compare_columns").set_value(["output"]).run()
    assert not at.exception
    assert list(table(at).loc["conv1"]) == ["96×55×55", "● 64×55×55", "● 96×54×54"]
    at.button_group(key="compare_columns").set_value(["params", "MACs"]).run()
    assert list(table(at).loc["conv3"]) == ["885,120 · 150M", "● 663,936 · ● 112M", "885,120 · ● 127M"]
    at.selectbox(key="compare_role").set_value("pool5").run()
    assert not at.exception
    assert captions(at)[1::2] == [
        "pool5: 256×6×6, the first 16 of 256 maps",
        "pool5: 256×6×6, the first 16 of 256 maps",
        "pool5: 256×5×5, the first 16 of 256 maps",
    ]
    at.selectbox(key="compare_role").set_value("adaptpool5").run()
    assert not at.exception
    assert [html.unescape(i.value) for i in at.info] == [
        "paper-2012 has no adaptpool5.",
        "keras-seed has no adaptpool5.",
    ]


def test_selection_survives_a_visit_to_another_page():
    """Streamlit drops a widget's state when another page runs; the selection is kept apart from it."""
    at = run()
    at.multiselect(key="compare_select").set_value(["d2l", "lenet-5"]).run()
    kept = at.session_state["_compare_selection"]
    assert kept == ["d2l", "lenet-5"]
    # a session whose widget state is gone (as after another page) but whose selection is kept
    back = run(_compare_selection=kept, compare_loaded=True)
    assert back.multiselect(key="compare_select").value == ["d2l", "lenet-5"]


def test_alexnet_vgg_resnet_by_stage():
    at = run()
    at.multiselect(key="compare_select").set_value(["torchvision", "vgg16", "resnet18"]).run()
    assert not at.exception
    (table,) = [d.value for d in at.dataframe if "stage" in d.value.columns]
    assert list(table["stage"]) == ["stage 1", "stage 2", "stage 3", "stage 4", "stage 5", "classifier"]
    assert list(table["vgg16"])[4] == "512×7×7 · 3 · 7.08M · RF 212"
    assert list(table["torchvision"])[3:5] == ["—", "—"]
    assert list(table["resnet18"])[-1] == "1000 · 1 · 513K"
    notes = html.unescape("\n".join(m.value for m in at.markdown))
    assert "vgg16's largest layer is fc6: 103M of 138M parameters (74%)." in notes
    assert "two stacked 3×3 convs see a 5×5 window with 2·9·256² = 1,179,648 weights" in notes


def test_each_variant_says_what_it_is_and_where_it_comes_from():
    at = run()
    (lines,) = [html.unescape(m.value) for m in at.markdown if html.unescape(m.value).startswith("- **paper-2012** — ")]
    rows = lines.splitlines()
    assert len(rows) == 3
    assert rows[0].startswith("- **paper-2012** — The 2012 paper's two-GPU network: conv2, conv4 and conv5")
    assert "Source: Krizhevsky, Sutskever, Hinton, ImageNet Classification with Deep CNNs (NIPS 2012)" in rows[0]
    assert rows[1].startswith("- **torchvision** — torchvision.models.alexnet: the 'one weird trick' single-tower")
    assert rows[2].startswith("- **keras-seed** — A blog's Keras AlexNet: conv1 'valid' (no padding) at 224")
    assert "Source: A Keras tutorial blog post" in rows[2]
    assert "54 instead of 55" not in rows[2]  # one line: the description's first sentence


def summary_points(at: AppTest) -> list[str]:
    (heading,) = [i for i, h in enumerate(at.subheader) if h.value in ("In short", "要点")]
    del heading
    blocks = [html.unescape(m.value) for m in at.markdown]
    start = next(i for i, b in enumerate(blocks) if b.startswith("- ") and "**" not in b.split("\n")[0])
    return [line[2:] for line in blocks[start].splitlines()]


def test_summary_first_and_the_pairwise_text_folded():
    at = run()
    points = summary_points(at)
    assert 3 <= len(points) <= 6
    assert points[:4] == [
        "Inputs: 3×227×227 / 3×224×224 / 1×224×224.",
        "Map sizes part at conv1 (55 / 55 / 54) and stay apart: flatten gets 256×6×6 / 256×6×6 / 256×5×5, "
        "so the classifier sees 9,216 / 9,216 / 6,400 features.",
        "Parameters: 60,965,224 / 61,100,840 / 50,820,776 (1.000× / 1.002× / 0.834× of paper-2012). "
        "The largest gap is at fc6: 37.8M / 37.8M / 26.2M.",
        "Compute: 724M / 714M / 942M MACs (1.000× / 0.986× / 1.301× of paper-2012). "
        "The largest gap is at conv2: 224M / 224M / 415M.",
    ]
    (folded,) = [e for e in at.expander if e.label.startswith("Every difference, explained")]
    assert folded.label == "Every difference, explained (pair by pair, 37 in all)"
    assert any(html.unescape(m.value).startswith("**conv1**\n") for m in folded.markdown)
    # On a first visit it is folded, and sends nothing until opened: the summary is what most read.
    plain = AppTest.from_file(PAGE, default_timeout=60).run()
    (closed,) = [e for e in plain.expander if e.label.startswith("Every difference, explained")]
    assert not closed.proto.expanded and not closed.markdown


def test_only_cells_that_differ_from_the_first_variant_are_marked():
    variants = [PRESETS[n] for n in ("paper-2012", "torchvision", "keras-seed", "d2l")]
    at = run(encode_selection(variants))
    t = table(at)
    assert list(t.columns) == ["paper-2012", "torchvision", "keras-seed", "d2l"]
    c = compare(variants)
    marked = 0
    for row in c.rows:
        for k, label in enumerate(c.labels):
            text = t.loc[row.role, label]
            parts = text.split(" · ")
            differs = differs_from_reference(c, row, k)
            expected = [m for m in ("output", "params", "MACs") if m in differs]
            shown = ["output", "params", "MACs"][: len(parts)] if row.cells[k].ok else ["output"]
            assert [m for m, part in zip(shown, parts) if part.startswith(MARK)] == expected, (row.role, label, text)
            marked += len(expected)
    assert not any(MARK in x for x in t["paper-2012"])  # the first variant is the reference
    assert list(t.loc["fc7"]) == ["4096 · 16,781,312 · 16.8M"] * 4  # the same everywhere: nothing marked
    assert t.loc["fc8", "d2l"] == "● 10 · ● 40,970 · ● 41K"
    assert t.loc["conv3", "keras-seed"] == "● 384×12×12 · 885,120 · ● 127M"  # same weights, smaller map
    # far fewer marks than the old "every cell of a differing row"
    old = sum(len(c.labels) * 3 for row in c.rows if row.differs)
    assert marked < old * 0.75, (marked, old)


def test_torchvision_against_the_paper_says_dropout_before_vs_after():
    at = run("torchvision,paper-2012")
    points = summary_points(at)
    assert 3 <= len(points) <= 6
    assert points[0] == "Inputs: 3×224×224 / 3×227×227; yet every map from conv1 on has the same size in all of them."
    assert points[4] == (
        "Dropout sits in different places — before the linear layer (drop → fc, torchvision's order) in torchvision; "
        "after the ReLU (fc → relu → drop, Caffe's order) in paper-2012. The same regularisation either way: "
        "no parameters, no change in shape."
    )
    assert points[5] == "Widths differ: conv1 64 / 96; conv2 192 / 256; conv4 256 / 384."


def test_presenting_mode_shows_the_table_as_html():
    at = AppTest.from_file(PAGE, default_timeout=60)
    for lazy in ("compare_explanations_open", "compare_slides_open", "compare_images_open"):
        at.session_state[lazy] = True  # Compare's lazy expanders: test what they hold
    at.query_params["present"] = "1"
    at.run()
    assert not at.exception
    (t,) = at.table  # an HTML table, whose type presenting mode can enlarge
    assert list(t.value.loc["conv1"]) == [
        "96×55×55 · 34,944 · 105M",
        "● 64×55×55 · ● 23,296 · ● 70.3M",
        "● 96×54×54 · ● 11,712 · ● 33.9M",
    ]
