"""AppTest of pages/2_Compare.py: default comparison, invalid variants, URL round trip, uploads, exports."""

import html
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from explorer.compare import MAX_QUERY_CHARS, compare, comparison_latex, comparison_markdown, encode_selection
from explorer.presets import PRESETS
from ui import CURRENT

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "2_Compare.py")


def run(query: str | None = None, **state) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    if query is not None:
        at.query_params["compare"] = query
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception
    return at


def table(at: AppTest):
    return at.dataframe[0].value.set_index("layer")


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
    assert list(t.loc["conv1", ["paper-2012 · output", "torchvision · output", "keras-seed · output"]]) == [
        "96×55×55",
        "64×55×55",
        "96×54×54",
    ]
    assert t.loc["fc6", "keras-seed · params"] == "26,218,496"
    assert t.loc["adaptpool5", "paper-2012 · output"] == "—"
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
    assert "Layer 13 (linear): it expects 256 input features but 9,216 arrive" in html.unescape(error.value)
    assert "Fix: set in_features to 9,216" in html.unescape(error.value)
    assert [m.value for m in at.metric] == ["60,965,224", "61,100,840"]
    t = table(at)
    assert t.loc["fc6", "blog-broken-flatten · output"] == "✗ error"
    assert t.loc["fc7", "blog-broken-flatten · output"] == "not reached"
    assert t.loc["conv2", "blog-broken-flatten · params"] == "614,656"
    assert "blog-broken-flatten is invalid here, so its column stops" in explanation(at, "fc6")
    totals = at.dataframe[1].value
    assert totals["status"][1].startswith("invalid: Layer 13 (linear)")
    assert totals["params ratio"][2] == "1.002×"


def test_url_round_trip_with_a_custom_variant():
    custom = PRESETS["torchvision"].renamed("my net").with_input(height=256, width=256)
    query = encode_selection([PRESETS["keras-seed"], custom])
    at = run(query)
    assert at.multiselect(key="compare_select").value == ["keras-seed", "link: my net"]
    assert not at.warning
    assert table(at).loc["input", "link: my net · output"] == "3×256×256"
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
    t = table(at)
    assert t.loc["conv1", "current: paper at 224 · output"] == "96×54×54"
    assert t.loc["conv1", "saved: mine · output"] == "96×55×55"
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
    assert table(at).loc["fc8", "uploaded: uploaded d2l · output"] == "10"


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
    assert list(t.loc["norm1", ["paper-2012 · output", "torchvision · output", "keras-seed · output"]]) == [
        "96×55×55",
        "—",
        "—",
    ]
    at.button_group(key="compare_columns").set_value(["output"]).run()
    assert not at.exception
    assert list(table(at).columns) == ["paper-2012 · output", "torchvision · output", "keras-seed · output"]
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
