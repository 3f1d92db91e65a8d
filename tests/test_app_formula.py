"""The Formula page in Streamlit's AppTest: the numbers a student sees, the examples, invalid settings."""

import html
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from explorer.presets import PRESETS

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "3_Formula.py")


def metrics(at):
    return {m.label: m.value for m in at.metric}


def text(at):
    return "\n".join(m.value for m in at.markdown)


def run(target):
    """Run the app (or the app of a widget just changed) and insist that nothing raised."""
    at = target.run()
    assert not at.exception
    return at


@pytest.fixture
def at():
    return run(AppTest.from_file(PAGE, default_timeout=60))


def test_default_is_paper_conv1_at_224(at):
    m = metrics(at)
    assert (m["Output size"], m["Remainder"], m["Input pixels never covered"], m["Exact division"]) == (
        "54",
        "1",
        "1",
        "✗",  # metric values are language-neutral: switching language never changes them
    )
    t = text(at)
    assert "**Floor:** ⌊53.25⌋ = 53, + 1 = 54" in t
    assert "the last input row/column (index 223) is never covered by any window." in t
    table = at.table[0].value
    assert list(table["size"]) == ["54", "—", "54", "54", "56", "54", "55"]
    assert "rounding up (cuda-convnet (2012)) gives 55" in at.info[0].value
    assert not at.error and not at.warning
    keys = [w.key for w in (*at.slider, *at.button, *at.radio, *at.checkbox, *at.selectbox, *at.toggle)]
    assert all(keys) and len(keys) == len(set(keys))


def test_examples(at):
    run(at.button(key="f_ex_conv1_227").click())
    m = metrics(at)
    assert (m["Output size"], m["Remainder"], m["Exact division"]) == ("55", "0", "✓")
    assert "**Floor:** ⌊54⌋ = 54, + 1 = 55" in text(at)
    run(at.button(key="f_ex_tv_conv1").click())
    m = metrics(at)
    assert (m["Output size"], m["Remainder"], m["Input pixels never covered"]) == ("55", "1", "0")
    run(at.button(key="f_ex_pool_3_2").click())
    assert at.radio(key="f_kind").value == "pool"
    assert (metrics(at)["Output size"], metrics(at)["Exact division"]) == ("27", "✓")
    run(at.button(key="f_ex_pool_2_2").click())
    assert (metrics(at)["Output size"], metrics(at)["Remainder"]) == ("27", "1")
    run(at.checkbox(key="f_ceil").check())
    assert metrics(at)["Output size"] == "28"
    assert list(at.table[0].value["size"])[:2] == ["27", "28"]


def test_small_input_grid_view(at):
    run(at.button(key="f_ex_pool_3_2").click())
    run(at.slider(key="f_w").set_value(13))
    assert metrics(at)["Output size"] == "6"
    assert at.slider(key="f_pos").max == 35
    run(at.slider(key="f_pos").set_value(35))
    assert len(at.get("plotly_chart")) == 3  # row, grid, sweep
    run(at.slider(key="f_w").set_value(5))  # the chosen position no longer exists: clamped, no crash
    assert at.slider(key="f_pos").value == 3


def test_invalid_settings_are_explained(at):
    run(at.slider(key="f_w").set_value(5))
    assert metrics(at)["Output size"] == "—"
    assert at.error[0].value.startswith("**The window does not fit.** The 11-pixel window (K = 11, D = 1)")
    assert "Fix: use a kernel of at most 5, padding of at least 3, or an input of at least 11." in at.error[0].value
    assert at.info[0].value.startswith('Only TF "SAME" gives an output (2)')
    run(at.button(key="f_ex_pool_2_2").click())
    run(at.slider(key="f_p").set_value(2))
    assert at.error[0].value.startswith("**Invalid pooling padding.** PyTorch refuses pooling padding 2 with kernel 2")
    sizes = list(at.table[0].value["size"])
    assert sizes == ["—", "—", "—", "27", "28", "29", "29"]  # Caffe needs pad < kernel; d2l just computes
    run(at.slider(key="f_k").set_value(3))  # Caffe accepts pad 2 < 3, PyTorch still refuses
    assert list(at.table[0].value["size"])[:3] == ["—", "—", "29"]
    assert at.info[0].value.startswith("PyTorch refuses pooling padding 2 with kernel 3, so it gives no size.")


def test_sweep_for_the_current_variant(at):
    assert metrics(at)["Smallest valid input"] == "67"
    assert metrics(at)["Exact sizes"] == "14"
    t = text(at)
    assert (
        "**224**: works but inexact (flatten 6,400): conv1 (rem 1), pool1 (rem 1), pool2 (rem 1), pool5 (rem 1)." in t
    )
    assert "**227**: exact, every division leaves no remainder (flatten 9,216)." in t
    assert "Invalid for 32–66: fails at pool2 or pool5" in t
    rows = at.dataframe[0].value
    assert len(rows) == 481
    run(at.toggle(key="f_only_exact").set_value(True))
    assert list(at.dataframe[0].value["input"]) == list(range(67, 513, 32))


def test_sweep_reads_the_build_pages_variant():
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["variant"] = PRESETS["torchvision"]
    run(at)
    assert metrics(at)["Smallest valid input"] == "63"
    assert "Invalid for 32–62: fails at pool5" in text(at)
    run(at.selectbox(key="f_variant").set_value("lenet-5"))
    assert metrics(at)["Smallest valid input"] == "32"
    run(at.slider(key="f_range").set_value((8, 15)))  # conv2's 5×5 window needs at least 16 pixels in
    assert metrics(at)["Smallest valid input"] == "—"
    assert (
        html.unescape(at.warning[0].value)
        == "lenet-5 is invalid at every size from 8 to 15: widen the range or pick another variant."
    )


def test_the_link_holds_the_window():
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params.update({"w": "227", "k": "11", "s": "4", "p": "0", "kind": "conv"})
    at.run()
    assert not at.exception
    assert at.slider(key="f_w").value == 227
    assert (metrics(at)["Output size"], metrics(at)["Exact division"]) == ("55", "✓")
    at.slider(key="f_w").set_value(224).run()
    assert at.query_params["w"] == ["224"] or at.query_params["w"] == "224"
    # a hostile or out-of-range link sets nothing and breaks nothing
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params.update({"w": "99999", "k": "[x](http://e)", "kind": "<script>"})
    at.run()
    assert not at.exception
    assert at.slider(key="f_w").value == 224 and at.slider(key="f_k").value == 11


@pytest.mark.parametrize("name", ["vgg16", "resnet18", "resnet34-conv3-dashed", "resnet-seed-identity-broken"])
def test_sweep_of_the_later_networks(name):
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["variant"] = PRESETS[name]
    at.run()
    at.selectbox(key="f_variant").set_value(name).run()
    assert not at.exception
    assert not [w for w in at.warning if "went wrong" in w.value]
