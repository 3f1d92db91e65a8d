"""The Build page driven as a user would, through AppTest."""

import html

import pytest
from streamlit.testing.v1 import AppTest

from explorer.analysis import analyse
from explorer.presets import PRESETS
from explorer.share import decode_query, encode_variant
from explorer.spec import variant_to_json

APP = "../app.py"


def fresh(query=None):
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["json_open"] = True  # the JSON editor and the classifier are lazy expanders: open them
    at.session_state["classifier_open"] = True
    if query:
        for k, v in query.items():
            at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def all_text(at):
    parts = [e.value for e in (*at.markdown, *at.success, *at.warning, *at.error, *at.info, *at.caption)]
    return "\n".join(str(p) for p in parts)


def test_default_load_is_paper_2012():
    at = fresh()
    assert metric(at, "Parameters") == "60,965,224"
    assert metric(at, "MACs per image") == "724M"
    assert metric(at, "Output shape") == "1000"
    assert "⌊(227 − 11)/4⌋ + 1 = ⌊54⌋ + 1 = 55" in at.success[0].value
    assert "exact" in at.success[0].value
    assert decode_query(dict(at.query_params))[0] == PRESETS["paper-2012"]


@pytest.mark.parametrize("name", list(PRESETS))
def test_each_preset(name):
    at = fresh()
    at.selectbox(key="preset").set_value(name).run()
    assert not at.exception
    a = analyse(PRESETS[name])
    if a.valid:
        assert metric(at, "Parameters") == f"{a.total_params:,}"
        assert not at.error
    else:
        assert metric(at, "Output shape") == "—" and metric(at, "Parameters") == "—"
        shown = html.unescape(at.error[0].value)
        assert str(a.error.message) in shown and "Fix:" in shown


def test_224_story_is_plain_on_the_page():
    at = fresh({"preset": "paper-2012-224"})
    story = at.warning[0].value
    assert "⌊(224 − 11)/4⌋ + 1 = ⌊53.25⌋ + 1 = 54" in story
    assert "(index 223)" in story and "never covered by any window" in story
    at.button(key="in_227").click().run()
    assert "⌊(227 − 11)/4⌋ + 1 = ⌊54⌋ + 1 = 55" in at.success[0].value
    assert metric(at, "Parameters") == "60,965,224"  # 227 restores the paper's 9216-wide fc6
    at = fresh({"preset": "torchvision"})
    # a harmless remainder (it falls in the padding) is information, not a warning
    assert not at.warning
    assert "⌊(224 + 4 − 11)/4⌋ + 1 = ⌊54.25⌋ + 1 = 55" in at.info[0].value
    assert "falls in the padding" in at.info[0].value


def test_the_story_carries_through_every_layer_and_toggles():
    at = fresh({"preset": "paper-2012-224"})
    story = at.warning[0].value
    assert (
        "At 224: **conv1 54** → **pool1 26** → **conv2 26** → **pool2 12** → **conv3 12** → **conv4 12** → "
        "**conv5 12** → **pool5 5×5** → **flatten 6,400** → **fc6 26.2M**"
    ) in story
    assert "At 227: conv1 55 → pool1 27 → conv2 27 → pool2 13 → conv3 13" in story
    assert "flatten 9,216 → fc6 37.8M" in story
    assert "**11,534,336 fewer** parameters at 224 than at 227" in story
    assert at.button(key="story_toggle").label == "try 227 →"
    at.button(key="story_toggle").click().run()
    assert at.session_state["variant"].input.height == 227 and at.session_state["variant"].input.width == 227
    assert at.button(key="story_toggle").label == "← back to 224"
    assert "**11,534,336 more** parameters at 227 than at 224" in at.success[0].value
    at.button(key="story_toggle").click().run()
    assert at.session_state["variant"] == PRESETS["paper-2012-224"]


def test_delta_against_preset():
    at = fresh()
    at.selectbox(key="edit_block").set_value(1).run()
    at.number_input(key="b1_g").set_value(1).run()  # conv2 on one GPU: +307,200 weights
    assert metric(at, "Parameters") == "61,272,424"
    assert next(m for m in at.metric if m.label == "Parameters").delta == "+307,200"
    at.number_input(key="b1_g").set_value(4).run()  # 96 in, 24 per group: -153,600 against the preset
    assert next(m for m in at.metric if m.label == "Parameters").delta == "-153,600"
    assert "groups — the paper's two-GPU split" not in [n.label for n in at.number_input if n.key == "b1_g"]


def test_sliders_at_their_extremes_never_raise():
    at = fresh()
    keys = [s.key for s in at.slider if s.key and not s.proto.disabled]
    assert {"b0_k", "b0_s", "b0_p", "b0_pk", "b0_ps", "b0_pp", "dropout_p"} <= set(keys)
    for key in keys:
        for value in (at.slider(key=key).min, at.slider(key=key).max):
            at.slider(key=key).set_value(type(at.slider(key=key).value)(value)).run()
            assert not at.exception, (key, value)
    for key in ["in_size", "in_width", "b0_out", "b0_g", "classes", "hidden_n"]:
        widget = at.number_input(key=key)
        for value in (widget.min, widget.max):
            at.number_input(key=key).set_value(value).run()
            assert not at.exception, (key, value)


def test_invalid_combination_shows_error_and_rows_before_it():
    at = fresh()
    at.number_input(key="in_size").set_value(16).run()
    at.number_input(key="in_width").set_value(16).run()
    assert not at.exception
    assert metric(at, "Output shape") == "—" and metric(at, "Parameters") == "—"
    message = at.error[0].value
    assert "conv1 (conv)" not in message  # 16 px still fits conv1 (11) ...
    assert "window does not fit" in message and "Fix:" in message
    assert at.dataframe  # the table of layers up to the failing one is still shown


def test_groups_error_names_the_fix():
    at = fresh()
    at.number_input(key="b0_g").set_value(2).run()
    shown = html.unescape(at.error[0].value)  # what the browser shows: user-facing text is entity-escaped
    assert "groups 2 must divide the 3 input channels" in shown
    assert "use groups in [1, 3]" in shown


def test_bad_json_keeps_the_variant():
    at = fresh()
    at.text_area(key="json_text").set_value('{"name": "x", "layers": [').run()
    at.button(key="json_apply").click().run()
    assert not at.exception
    assert any("not valid JSON" in e.value for e in at.error)
    assert metric(at, "Parameters") == "60,965,224"
    at.text_area(key="json_text").set_value('{"name": "x", "layers": [{"type": "conv", "kernel": 3}]}').run()
    at.button(key="json_apply").click().run()
    assert any('missing "out_channels"' in html.unescape(e.value) for e in at.error)
    assert metric(at, "Parameters") == "60,965,224"


def test_good_json_applies():
    at = fresh()
    at.text_area(key="json_text").set_value(variant_to_json(PRESETS["lenet-5"].renamed("my lenet"))).run()
    at.button(key="json_apply").click().run()
    assert metric(at, "Parameters") == "61,706"
    assert at.number_input(key="b0_out").value == 6


def test_url_round_trip():
    custom = PRESETS["torchvision"].with_input(height=227, width=227).renamed("tv at 227")
    at = fresh(encode_variant(custom))
    assert metric(at, "Parameters") == f"{analyse(custom).total_params:,}"
    assert at.number_input(key="in_size").value == 227
    at.slider(key="b0_k").set_value(9).run()
    shared, notice = decode_query(dict(at.query_params))
    assert notice is None and shared.layers[0].kernel == 9 and shared.input.height == 227
    again = fresh(dict(at.query_params))
    assert metric(again, "Parameters") == metric(at, "Parameters")


@pytest.mark.parametrize(
    "query",
    [
        {"v": "not-base64!!"},
        {"v": "A" * 10_000},
        {"preset": "../../etc/passwd"},
        {"v": "eJzLSM3JyQcABiwCFQ"},
        {"preset": "<script>alert(1)</script>"},
    ],
)
def test_hostile_query_strings_fall_back_with_a_notice(query):
    at = fresh(query)
    assert metric(at, "Parameters") == "60,965,224"
    assert any("Showing the default variant instead" in w.value for w in at.warning)


def test_add_and_remove_blocks():
    at = fresh()
    at.button(key="add_block").click().run()
    assert not at.exception
    assert at.number_input(key="b5_out").value == 256
    # a 3×3 pad-1 conv after pool5 keeps 6×6: +590,080 parameters
    assert metric(at, "Parameters") == f"{60_965_224 + 256 * 256 * 9 + 256:,}"
    at.button(key="b5_remove").click().run()
    assert metric(at, "Parameters") == "60,965,224"


def test_lrn_and_pool_controls():
    at = fresh()
    at.checkbox(key="b0_lrn").uncheck().run()
    at.selectbox(key="b0_pool").set_value("avg").run()
    assert not at.exception
    v = at.session_state["variant"]
    assert [layer.type for layer in v.layers[:3]] == ["conv", "relu", "avgpool"]


def open_tab(at, label):
    at.session_state["build_tab"] = label
    at.run()
    assert not at.exception


def test_forward_pass_checks_shapes():
    at = fresh({"preset": "lenet-5"})
    open_tab(at, "Forward pass")
    at.button(key="run_forward").click().run()
    assert not at.exception
    text = all_text(at)
    assert "every layer's real shape equals the engine's" in text
    assert "CPU" in text


def test_save_to_compare():
    at = fresh()
    open_tab(at, "Share & export")
    at.text_input(key="save_name").set_value("mine").run()
    at.button(key="save_variant").click().run()
    assert at.session_state["saved_variants"]["mine"].layers == PRESETS["paper-2012"].layers


def test_download_buttons_present():
    at = fresh()
    assert not at.get("download_button")  # lazy tabs: nothing built for a closed tab
    open_tab(at, "Share & export")
    keys = {b.key for b in at.get("download_button")}
    assert {"dl_json", "dl_csv", "dl_code", "dl_torchinfo", "dl_png", "dl_svg"} <= keys


def test_one_block_edited_at_a_time_keeps_the_others():
    at = fresh()
    assert at.number_input(key="b0_out").value == 96
    at.selectbox(key="edit_block").set_value(4).run()
    assert at.number_input(key="b4_out").value == 256 and at.number_input(key="b4_g").value == 2
    at.number_input(key="b4_out").set_value(128).run()
    at.selectbox(key="edit_block").set_value(0).run()
    at.slider(key="b0_k").set_value(9).run()
    layers = [layer for layer in at.session_state["variant"].layers if layer.type == "conv"]
    assert [c.out_channels for c in layers] == [96, 256, 384, 384, 128]
    assert layers[0].kernel == 9


def test_diagram_and_compute_tabs():
    at = fresh()
    open_tab(at, "Diagram")
    assert at.get("plotly_chart")
    open_tab(at, "Parameters & compute")
    assert any("96.2%" in m.value for m in at.markdown)


def test_share_panel_link_and_qr_code():
    at = fresh({"preset": "paper-2012-224"})
    assert not [c for c in at.code if "preset=" in c.value]  # a closed panel sends nothing
    at.session_state["share_open"] = True
    at.run()
    (code,) = [c.value for c in at.code if "preset=" in c.value or "v=" in c.value]
    assert code.endswith("?preset=paper-2012-224")
    assert not at.image
    at.toggle(key="share_qr").set_value(True).run()
    assert not at.exception
    (qr,) = at.image  # a real QR code of the link (segno), decoded as a PNG
    assert qr.proto.imgs[0].caption == "Point a phone's camera at it"


def test_adaptive_pool_upsampling_is_said():
    at = fresh({"preset": "torchvision"})
    at.number_input(key="in_size").set_value(64).run()
    at.number_input(key="in_width").set_value(64).run()
    (notice,) = [i.value for i in at.info if "repeats" in i.value]
    assert "receives 1×1 maps but outputs 6×6" in notice
    assert "sees 9,216 features, but only 256 distinct numbers" in notice


def test_resnet_blocks_edit_as_blocks():
    at = fresh({"preset": "resnet18"})
    assert not at.exception and metric(at, "Parameters") == "11,689,512"
    at.selectbox(key="edit_block").set_value(3).run()  # res3: the first block of stage 2 (128, stride 2, dashed)
    assert at.number_input(key="b3_rout").value == 128 and at.slider(key="b3_rs").value == 2
    assert at.checkbox(key="b3_rproj").value is True
    at.checkbox(key="b3_rproj").uncheck().run()  # the source's bug: an identity shortcut across a stride-2 block
    assert not at.exception
    shown = html.unescape(at.error[0].value)
    assert "the body gives 128×28×28, the shortcut passes 64×56×56 unchanged" in shown
    at.checkbox(key="b3_rproj").check().run()
    assert metric(at, "Parameters") == "11,689,512"


@pytest.mark.parametrize("name", ["vgg16", "resnet34", "resnet34-conv3-dashed", "vgg16-seed-broken"])
def test_later_networks_load(name):
    at = fresh({"preset": name})
    assert not at.exception
    assert not any("sliders do not cover" in i.value for i in at.info)
