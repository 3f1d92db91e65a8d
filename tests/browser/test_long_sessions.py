"""Long real-browser sessions: what a class does to the app over a lesson, not one move.

The Build page takes 100 consecutive scripted edits mixing every control kind (sliders by keyboard
and by mouse, typed numbers, selectboxes, checkboxes, the 224/227 buttons, switching the edited
block, add/remove block, preset change, Apply JSON, reset); after each one the page must be idle,
show no error box, hold the expected variant in its address, and show the engine's figures for it.
Every page then takes a seeded random walk over whatever widgets it has. The server log must stay
free of tracebacks throughout (the `no_server_traceback` fixture).
"""

from __future__ import annotations

import json

import pytest

from explorer.analysis import analyse
from explorer.presets import DEFAULT_PRESET, PRESETS

from . import actions as act
from .conftest import screenshot, wait_idle

pytestmark = pytest.mark.browser


def convs(v):
    return [layer for layer in v.layers if layer.type == "conv"]


def after_conv(v, i):
    """The layer types that follow conv i up to the next conv (its block)."""
    layers = list(v.layers)
    start = [j for j, layer in enumerate(layers) if layer.type == "conv"][i]
    out = []
    for layer in layers[start + 1 :]:
        if layer.type in ("conv", "flatten", "adaptiveavgpool"):
            break
        out.append(layer.type)
    return out


def shows_engine_figures(page, v):
    a = analyse(v)
    value = (
        page.locator('[data-testid="stMetric"]', has_text="Parameters")
        .locator('[data-testid="stMetricValue"]')
        .inner_text()
    )
    assert value == (f"{a.total_params:,}" if a.valid else "—"), (value, v.name)
    first = next((r for r in a.rows if r.type == "conv"), None)
    if first is not None and first.formula_h is not None:
        assert page.get_by_text(first.formula_h.text).count() >= 1, first.formula_h.text


class Session:
    """The Build page plus what the test knows: the block being edited."""

    def __init__(self, page):
        self.page = page
        self.edit = 0
        self.base = DEFAULT_PRESET  # the preset the page measures against and resets to
        self.log: list[str] = []

    def do(self, what, action, expect):
        before = act.page_variant(self.page)
        self.log.append(what)
        try:
            action()
            wait_idle(self.page)
            after = act.page_variant(self.page)
            expect(before, after)
            shows_engine_figures(self.page, after)
        except Exception as exc:
            screenshot(self.page, "build-long-session-failure")
            raise AssertionError(f"edit {len(self.log)} ({what}); the last ones: {self.log[-6:]}: {exc}") from exc

    # --- the edits ---------------------------------------------------------------------------

    def kernel_key(self, press):
        i = self.edit

        def expect(b, a):
            k = convs(b)[i].kernel
            want = min(k + 1, max(15, k)) if press == "ArrowRight" else max(1, k - 1)
            assert convs(a)[i].kernel == want, (convs(a)[i].kernel, want)

        self.do(f"conv{i + 1} kernel {press}", lambda: act.slider_keys(self.page, f"b{i}_k", [press]), expect)

    def stride_mouse(self, fraction, want):
        i = self.edit
        self.do(
            f"conv{i + 1} stride click {fraction}",
            lambda: act.slider_click(self.page, f"b{i}_s", fraction),
            lambda b, a: assert_eq(convs(a)[i].stride, want),
        )

    def padding_key(self, presses):
        i = self.edit

        def expect(b, a):
            p = convs(b)[i].padding
            for key in presses:
                p = min(p + 1, max(10, p)) if key == "ArrowRight" else max(0, p - 1)
            assert_eq(convs(a)[i].padding, p)

        self.do(f"conv{i + 1} padding {presses}", lambda: act.slider_keys(self.page, f"b{i}_p", presses), expect)

    def channels_typed(self, value):
        i = self.edit
        self.do(
            f"conv{i + 1} channels = {value}",
            lambda: act.type_number(self.page, f"b{i}_out", value),
            lambda b, a: assert_eq(convs(a)[i].out_channels, value),
        )

    def groups_typed(self, value):
        i = self.edit
        self.do(
            f"conv{i + 1} groups = {value}",
            lambda: act.type_number(self.page, f"b{i}_g", value),
            lambda b, a: assert_eq(convs(a)[i].groups, value),
        )

    def activation(self, name):
        i = self.edit
        self.do(
            f"conv{i + 1} activation {name}",
            lambda: act.choose(self.page, f"b{i}_act", name),
            lambda b, a: assert_eq(name in after_conv(a, i) or name == "none", True),
        )

    def toggle(self, field, layer_type):
        i = self.edit

        def expect(b, a):
            assert_eq(layer_type in after_conv(a, i), layer_type not in after_conv(b, i))

        self.do(f"conv{i + 1} toggle {field}", lambda: act.click_checkbox(self.page, f"b{i}_{field}"), expect)

    def pool(self, kind):
        i = self.edit

        def expect(b, a):
            types = after_conv(a, i)
            assert_eq(f"{kind}pool" in types if kind != "none" else not any("pool" in t for t in types), True)

        self.do(f"conv{i + 1} pool {kind}", lambda: act.choose(self.page, f"b{i}_pool", kind), expect)

    def input_button(self, size):
        self.do(
            f"{size} button",
            lambda: act.click_button(self.page, f"in_{size}"),
            lambda b, a: assert_eq((a.input.height, a.input.width), (size, size)),
        )

    def switch_block(self, j):
        def action():
            act.choose(self.page, "edit_block", f"conv{j + 1}")

        self.do(f"edit conv{j + 1}", action, lambda b, a: assert_eq(a, b))
        self.edit = j
        # the controls now show block j's values
        out = act.widget(self.page, f"b{j}_out").locator("input").input_value()
        assert_eq(int(out), convs(act.page_variant(self.page))[j].out_channels)

    def add_block(self):
        def expect(b, a):
            assert_eq(len(convs(a)), len(convs(b)) + 1)

        self.do("add block", lambda: act.click_button(self.page, "add_block"), expect)
        self.edit = len(convs(act.page_variant(self.page))) - 1

    def remove_block(self):
        i = self.edit

        def expect(b, a):
            assert_eq(len(convs(a)), len(convs(b)) - 1)

        self.do(f"remove conv{i + 1}", lambda: act.click_button(self.page, f"b{i}_remove"), expect)
        self.edit = max(0, i - 1)

    def preset(self, name):
        self.do(
            f"preset {name}",
            lambda: act.choose(self.page, "preset", f"{name} —"),
            lambda b, a: assert_eq(a, PRESETS[name]),
        )
        self.edit = 0
        self.base = name

    def apply_json(self, variant):
        def action():
            expander = self.page.get_by_text("Edit as JSON")
            box = act.widget(self.page, "json_text").locator("textarea")
            if not box.is_visible():
                expander.click()
            box.fill(json.dumps(variant.to_dict()))
            box.press("Control+Enter")
            wait_idle(self.page)
            act.click_button(self.page, "json_apply")

        self.do(f"apply JSON {variant.name}", action, lambda b, a: assert_eq(a, variant))
        self.edit = 0

    def reset(self):
        base = self.base
        self.do("reset", lambda: act.click_button(self.page, "reset"), lambda b, a: assert_eq(a, PRESETS[base]))
        self.edit = 0


def assert_eq(a, b):
    assert a == b, (a, b)


def test_build_takes_100_consecutive_edits(page, server_url):
    page.goto(server_url + "/")
    page.wait_for_selector("text=Parameters", timeout=90_000)
    wait_idle(page)
    s = Session(page)
    for round_ in range(4):
        # the reported crash: the third edit of the block being edited, by keyboard, mouse and typing
        for _ in range(4):
            s.kernel_key("ArrowRight")
        s.kernel_key("ArrowLeft")
        s.stride_mouse(0.0, 1)
        s.stride_mouse(1.0, 8)
        s.stride_mouse(0.0, 1)
        s.padding_key(["ArrowRight", "ArrowRight"])
        s.channels_typed(64 + 32 * round_)
        s.channels_typed(96)
        s.activation("tanh")
        s.activation("relu")
        s.toggle("bn", "batchnorm")
        s.toggle("lrn", "lrn")
        s.pool("avg")
        s.pool("max")
        s.input_button(224)
        s.input_button(227)
        s.switch_block(1 + round_ % 3)
        s.kernel_key("ArrowLeft")
        s.kernel_key("ArrowRight")
        s.kernel_key("ArrowRight")
        s.groups_typed(1)
        s.add_block()
        s.channels_typed(128)
        s.kernel_key("ArrowRight")
        s.remove_block()
        if round_ % 2 == 0:
            s.preset("torchvision" if round_ == 0 else "paper-2012-224")
        else:
            s.apply_json(PRESETS["d2l"].renamed("[EVIL](http://127.0.0.1:9/login) ![t](http://127.0.0.1:9/t.png) $x$"))
        s.switch_block(0)
        s.reset()
    assert len(s.log) >= 100, len(s.log)
    # the hostile name from the JSON is shown as text, never as a link, an image or maths
    assert page.locator('a[href^="http://127.0.0.1:9"]').count() == 0
    assert page.locator('img[src^="http://127.0.0.1:9"]').count() == 0
    screenshot(page, "build-after-100-edits")


PAGES = [
    ("", "Parameters"),
    ("Inside", "Inside the network"),
    ("Compare", "Compare variants"),
    ("Formula", "The output-size formula"),
]


@pytest.mark.parametrize(
    ("seed", "path", "marker"), [(i, *p) for i, p in enumerate(PAGES)], ids=["build", "inside", "compare", "formula"]
)
def test_random_walk(page, server_url, seed, path, marker):
    page.goto(f"{server_url}/{path}")
    page.get_by_text(marker).first.wait_for(timeout=90_000)
    wait_idle(page)
    done = act.walk(page, seed=seed, steps=60)
    assert len(done) == 60
    screenshot(page, f"walk-{path or 'build'}")


def test_compare_keeps_its_selection_across_pages(page, server_url):
    page.goto(f"{server_url}/Compare")
    page.get_by_text("Compare variants").first.wait_for(timeout=90_000)
    wait_idle(page)
    box = act.widget(page, "compare_select")
    box.locator('[role="combobox"]').first.click()
    page.locator('[role="option"]', has_text="lenet-5").first.click()
    page.keyboard.press("Escape")
    wait_idle(page)
    chosen = box.inner_text()
    assert "lenet-5" in chosen
    page.get_by_role("link", name="Build").click()
    page.wait_for_selector("text=Parameters", timeout=90_000)
    wait_idle(page)
    page.get_by_role("link", name="Compare variants").click()
    page.get_by_text("Variants to compare").first.wait_for(timeout=90_000)
    wait_idle(page)
    assert act.widget(page, "compare_select").inner_text() == chosen
