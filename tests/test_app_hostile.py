"""Every bad input reported against the Build page (and the pages that show a variant), through AppTest.

Each case: a clear message naming what was wrong, no exception, nothing lost (the variant kept or
the default shown), and the session still works on the next run.
"""

from __future__ import annotations

import base64
import html
import json
import zlib

import pytest
from streamlit.testing.v1 import AppTest

from explorer.analysis import analyse
from explorer.presets import DEFAULT_PRESET, PRESETS
from explorer.share import decode_query, encode_variant
from explorer.spec import MAX_LAYERS, variant_from_json

APP = "../app.py"
PAGES = ["../app.py", "../pages/1_Inside.py", "../pages/2_Compare.py", "../pages/3_Formula.py"]


def tok(text: str) -> str:
    return base64.urlsafe_b64encode(zlib.compress(text.encode(), 9)).rstrip(b"=").decode()


def run(path=APP, query=None, session=None):
    at = AppTest.from_file(path, default_timeout=120)
    for lazy in ("compare_explanations_open", "compare_slides_open", "compare_images_open"):
        at.session_state[lazy] = True  # Compare's lazy expanders: test what they hold
    at.session_state["classifier_open"] = True  # a lazy expander on the Build page: its widgets are tested too
    for k, v in (query or {}).items():
        at.query_params[k] = v
    for k, v in (session or {}).items():
        at.session_state[k] = v
    return at.run()


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def texts(at):
    """Everything the page rendered as Markdown (the source text Streamlit receives)."""
    out = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "title", "subheader", "header"):
        out += [e.value for e in getattr(at, kind)]
    return out


def shown(at, kind="error"):
    return [html.unescape(e.value) for e in getattr(at, kind)]


def url_variant(at):
    variant, notice = decode_query({k: v[0] if isinstance(v, list) else v for k, v in at.query_params.items()})
    assert notice is None
    return variant


def apply_json(at, text):
    if not at.session_state["json_open"] if "json_open" in at.session_state else True:
        at.session_state["json_open"] = True  # the JSON editor is a lazy expander
        at.run()
    at.text_area(key="json_text").set_value(text).run()
    return at.button(key="json_apply").click().run()


HUGE_INT = '{"layers":[{"type":"conv","out_channels":1' + "0" * 5000 + ',"kernel":3}]}'
SURROGATE = '{"name":"\\ud800","layers":[]}'
NO_CONV = (
    '{"input":{"channels":1,"height":28,"width":28},"layers":[{"type":"flatten"},{"type":"linear","out_features":10}]}'
)


# --- 1. integers of more than 4,300 digits ------------------------------------------------------


def test_huge_integer_from_apply_json_is_a_message_and_keeps_the_variant():
    at = apply_json(run(), HUGE_INT)
    assert not at.exception
    assert any("5,001 digits" in e for e in shown(at)), shown(at)
    assert metric(at, "Parameters") == f"{analyse(PRESETS[DEFAULT_PRESET]).total_params:,}"


def test_huge_integer_link_gives_a_notice_and_the_session_recovers():
    at = run(query={"v": tok(HUGE_INT)})
    assert not at.exception
    assert any("digits" in w and "default variant" in w for w in shown(at, "warning")), shown(at, "warning")
    at.slider(key="b0_k").set_value(9).run()  # the next run works (it used to be KeyError 'variant')
    assert not at.exception
    assert next(layer for layer in at.session_state["variant"].layers if layer.type == "conv").kernel == 9


# --- 2. a lone surrogate in the name -------------------------------------------------------------


def test_surrogate_name_from_apply_json():
    at = apply_json(run(), SURROGATE)
    assert not at.exception
    assert any("U+D800" in e for e in shown(at)), shown(at)


@pytest.mark.parametrize("path", PAGES)
def test_surrogate_link_on_every_page(path):
    at = run(path, query={"v": tok(SURROGATE)}) if path == APP else run(path, session={"variant": PRESETS["d2l"]})
    assert not at.exception
    if path == APP:
        assert any("U+D800" in w for w in shown(at, "warning"))
    assert not any("Something went wrong" in w for w in shown(at, "warning"))
    at.run()  # and again: Compare used to stay broken for the session
    assert not at.exception and not any("Something went wrong" in w for w in shown(at, "warning"))


# --- 3. a network with no conv layer ------------------------------------------------------------


def test_network_without_conv_via_link_and_json():
    want = variant_from_json(NO_CONV)
    at = run(query={"v": tok(NO_CONV)})
    assert not at.exception
    assert metric(at, "Parameters") == "7,850"  # 784·10 + 10
    assert at.number_input(key="classes").value == 10
    at = apply_json(run(), NO_CONV)
    assert not at.exception and metric(at, "Parameters") == "7,850"
    assert url_variant(at) == want
    at.button(key="add_block").click().run()  # sliders work from there: add a conv block
    assert not at.exception
    assert [layer.type for layer in at.session_state["variant"].layers][:2] == ["conv", "relu"]


def test_conv_only_variant_gets_sliders_not_the_json_box():
    conv_only = json.dumps({"name": "features", "layers": [{"type": "conv", "out_channels": 8, "kernel": 3}]})
    at = apply_json(run(), conv_only)
    assert not at.exception
    assert not any("sliders do not cover" in i.value for i in at.info)
    assert at.checkbox(key="head").value is False
    at.slider(key="b0_k").set_value(5).run()
    assert at.session_state["variant"].layers[0].kernel == 5


# --- 4. no silent clamping ------------------------------------------------------------------------


def test_large_values_are_shown_as_they_are_never_clamped():
    v = PRESETS["torchvision"].to_dict()
    v["name"] = "big"
    v["input"] = {"channels": 3, "height": 5000, "width": 5000}
    linears = [layer for layer in v["layers"] if layer["type"] == "linear"]
    linears[0]["out_features"] = 20000
    linears[-1]["out_features"] = 200000
    at = apply_json(run(), json.dumps(v))
    assert not at.exception
    assert at.number_input(key="in_size").value == 5000
    assert at.number_input(key="fc0_width").value == 20000
    assert at.number_input(key="classes").value == 200000
    assert url_variant(at) == variant_from_json(json.dumps(v))
    at.run()  # another rerun changes nothing
    assert url_variant(at) == variant_from_json(json.dumps(v))


def test_widgets_accept_what_the_engine_accepts():
    at = run()
    at.number_input(key="b0_out").set_value(1_000_000).run()
    assert not at.exception
    assert at.session_state["variant"].layers[0].out_channels == 1_000_000
    assert metric(at, "Parameters") == "—"  # over the 2 GiB budget: a message, not a crash
    assert any("budget" in e for e in shown(at))


# --- 5. Markdown and LaTeX injection --------------------------------------------------------------

EVIL_PRESET = "[PHISH](http://127.0.0.1:9/login) ![t](http://127.0.0.1:8631/t2.png) $\\Huge BIG$"
EVIL_NAME = "[EVIL](http://127.0.0.1:9/) ![t](http://127.0.0.1:9/t.png) $\\Huge x$ http://a.io"
assert len(EVIL_NAME) <= 80  # the config format's longest name


def assert_no_live_markdown(at):
    for text in texts(at):
        assert "](http" not in text and "![" not in text, text
        assert "$\\Huge" not in text, text
        assert "http://" not in text, text  # bare URLs auto-link: the ":" is escaped


def test_hostile_preset_link_is_shown_as_text():
    at = run(query={"preset": EVIL_PRESET})
    assert not at.exception
    assert any("[PHISH](http://127.0.0.1:9/login)" in w for w in shown(at, "warning"))  # shown, as text
    assert_no_live_markdown(at)


@pytest.mark.parametrize("path", PAGES)
def test_hostile_name_on_every_page(path):
    evil = PRESETS["torchvision"].renamed(EVIL_NAME)
    at = run(query={"v": encode_variant(evil)["v"]}) if path == APP else run(path, session={"variant": evil})
    assert not at.exception
    assert_no_live_markdown(at)
    if path == APP:
        assert any(EVIL_NAME in html.unescape(c.value) for c in at.caption)


# --- 13. the app's own links always open -----------------------------------------------------------


def test_a_256_layer_link_opens():
    layers = [{"type": "conv", "out_channels": 4, "kernel": 1}] * (MAX_LAYERS - 2) + [
        {"type": "flatten"},
        {"type": "linear", "out_features": 10},
    ]
    v = variant_from_json(
        json.dumps({"name": "deep", "input": {"channels": 3, "height": 8, "width": 8}, "layers": layers})
    )
    at = run(query=encode_variant(v))
    assert not at.exception
    assert not at.warning, [w.value for w in at.warning]
    assert at.session_state["variant"] == v


# --- stale browser values and failing callbacks ------------------------------------------------------


def test_a_stale_selectbox_label_is_ignored():
    """The browser sends back display text that is no longer an option: never used as an index."""

    def script():
        import streamlit as st

        from ui import build_state as bs

        bs.init_state()
        st.session_state["edit_block"] = 2
        bs.on_edit_block()
        st.session_state["edit_block"] = "conv3 · 384 @ 3×3/1 p1"  # what the browser sent in class
        bs.on_edit_block()
        st.session_state["b2_k"] = "11"  # a string where a number belongs
        bs._on_block_field("k", 2)
        st.session_state["b7_k"] = 5  # a block that does not exist
        bs._on_block_field("k", 7)
        st.session_state["in_channels"] = True  # True == 1, but it is not the option 1
        bs._on_design_field("in_channels", "channels")
        st.write(f"edit={st.session_state[bs.EDIT]}")
        bs.show_notices() if hasattr(bs, "show_notices") else None

    at = AppTest.from_function(script, default_timeout=60).run()
    assert not at.exception
    assert at.markdown[0].value == "edit=2"
    assert at.session_state["variant"] == PRESETS[DEFAULT_PRESET]


def test_a_failing_callback_is_a_message_not_a_red_box():
    def script():
        import streamlit as st

        import ui

        st.session_state.setdefault("n", 0)

        def boom():
            st.session_state["n"] = 1
            raise RuntimeError("bug in a callback")

        st.button("go", key="go", on_click=ui.callback(boom))
        ui.show_notices()
        st.write(f"n={st.session_state['n']}")

    at = AppTest.from_function(script, default_timeout=60).run()
    at.button(key="go").click().run()
    assert not at.exception
    assert any("could not be applied (RuntimeError)" in w.value for w in at.warning)
