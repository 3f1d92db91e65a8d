"""What a person does to Streamlit widgets in a real browser, by widget key (`.st-key-<key>`).

Each action sends what the browser sends (key presses, mouse clicks, typed text), never a value set
from outside; `random_action` picks one of whatever widgets a page shows, so a long seeded walk
covers new widgets without new test code.
"""

from __future__ import annotations

import random
from urllib.parse import parse_qs, urlparse

from explorer.presets import DEFAULT_PRESET, PRESETS
from explorer.share import decode_query
from explorer.spec import Variant

from .conftest import wait_idle

# Streamlit's own test ids of the element kinds a walk may touch.
KINDS = {
    "stSlider": "slider",
    "stNumberInput": "number",
    "stSelectbox": "selectbox",
    "stCheckbox": "checkbox",
    "stButton": "button",
    "stRadio": "radio",
    "stTextArea": "textarea",
    "stTextInput": "text",
    "stMultiSelect": "multiselect",
    "stToggle": "checkbox",
    "stSegmentedControl": "segmented",
    "stButtonGroup": "segmented",
}


def open_sidebar(page):
    """Unfold the sidebar if it is folded away (presenting mode starts that way)."""
    if page.locator('[data-testid="stSidebar"]').get_attribute("data-collapsed") == "true":
        page.locator(
            '[data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapsedControl"] button'
        ).first.click()
        page.wait_for_timeout(500)


def widget(page, key):
    return page.locator(f".st-key-{key}")


def slider_keys(page, key, presses, thumb_index=0):
    thumb = widget(page, key).locator("input[type='range']").nth(thumb_index)
    thumb.focus()
    for key_name in presses:
        thumb.press(key_name)


def slider_click(page, key, fraction):
    """Click the slider's track at `fraction` of its width, as a mouse would."""
    track = widget(page, key).locator('[data-testid="stSlider"] [role="group"]').first
    box = track.bounding_box()
    page.mouse.click(box["x"] + 8 + (box["width"] - 16) * fraction, box["y"] + box["height"] / 2)


def type_number(page, key, value):
    box = widget(page, key).locator("input")
    box.click()
    box.fill(str(value))
    box.press("Enter")


def choose(page, key, option_text):
    """Open a selectbox and click an option whose text starts with `option_text`."""
    open_select(page, key)
    page.locator('[role="listbox"] [role="option"]', has_text=option_text).first.click()


def open_select(page, key):
    """Open a selectbox's list as a person would: its arrow button, else the keyboard."""
    options = page.locator('[role="listbox"] [role="option"]')
    for attempt in range(3):
        if attempt == 0:
            widget(page, key).locator('button[aria-haspopup="listbox"]').first.click()
        else:
            box = widget(page, key).locator('[role="combobox"]').first
            box.focus()
            box.press("ArrowDown")
        try:
            options.first.wait_for(timeout=4_000)
            return
        except Exception:
            page.keyboard.press("Escape")
    options.first.wait_for(timeout=4_000)


def click_checkbox(page, key):
    widget(page, key).locator("label").first.click()


def click_button(page, key):
    widget(page, key).locator("button").first.click()


def page_variant(page) -> Variant:
    """The variant the page's address holds (the Build page writes it on every run)."""
    params = {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}
    variant, notice = decode_query(params)
    assert notice is None, notice
    return variant or PRESETS[DEFAULT_PRESET]


def visible_keys(page) -> list[tuple[str, str]]:
    """(key, kind) of every enabled widget with a key on the page, sidebar included."""
    found = page.evaluate(
        """(kinds) => {
            const out = [];
            for (const el of document.querySelectorAll('[class*="st-key-"]')) {
                const cls = [...el.classList].find(c => c.startsWith('st-key-'));
                const inner = el.querySelector('[data-testid]');
                if (!cls || !inner) continue;
                const kind = kinds[inner.getAttribute('data-testid')];
                if (!kind) continue;
                const control = el.querySelector('input, button, textarea');
                const shown = (node) => node.checkVisibility({visibilityProperty: true, opacityProperty: true});
                if (!shown(el)) continue;  // hidden (closed expander, other tab)
                if (control && control.type !== 'range' && control.type !== 'checkbox' && control.type !== 'radio'
                    && !shown(control)) continue;
                if (control && (control.disabled || control.getAttribute('aria-disabled') === 'true')) continue;
                out.push([cls.slice(7), kind]);
            }
            return out;
        }""",
        KINDS,
    )
    return [(k, kind) for k, kind in found]


# Keys a walk leaves alone: downloads and uploads need files, not clicks; forward passes are slow.
# Presenting mode folds the sidebar away: it has its own tests (test_presenting.py).
SKIP = ("dl_", "upload", "run_forward", "save_variant", "load_imagenet", "present")


def random_action(page, rng: random.Random) -> str:
    """Do one random thing to one random widget; returns what was done (for the failure message)."""
    for _ in range(40):  # widgets appear a moment after the script finishes
        keys = [(k, kind) for k, kind in visible_keys(page) if not any(s in k for s in SKIP)]
        if keys:
            break
        page.wait_for_timeout(250)
    assert keys, "no widget to act on"
    key, kind = rng.choice(keys)
    if kind == "slider":
        if rng.random() < 0.5:
            presses = [rng.choice(["ArrowRight", "ArrowLeft", "ArrowUp", "ArrowDown"])] * rng.randint(1, 3)
            thumbs = widget(page, key).locator("input[type='range']").count()
            thumb = rng.randrange(max(1, thumbs))
            slider_keys(page, key, presses, thumb)
            return f"slider {key} thumb {thumb} {presses}"
        fraction = rng.random()
        slider_click(page, key, fraction)
        return f"slider {key} click at {fraction:.2f}"
    if kind == "number":
        box = widget(page, key).locator("input")
        current = box.input_value()
        try:
            number = float(current)
        except ValueError:
            number = 1
        which = rng.choice(["stNumberInputStepUp", "stNumberInputStepDown"])
        step = widget(page, key).locator(f'[data-testid="{which}"]')
        # narrow number inputs have no step buttons: type instead
        if rng.random() < 0.5 and step.count() and step.is_visible() and step.is_enabled():
            step.click()
            return f"number {key} {which}"
        value = max(1, int(number * rng.choice([0.5, 1, 2]) + rng.randint(-2, 2)))
        if "." in current:
            value = round(max(0.0, number * rng.choice([0.5, 1.5])), 4)
        type_number(page, key, value)
        return f"number {key} = {value}"
    if kind == "selectbox":
        open_select(page, key)
        options = page.locator('[role="listbox"] [role="option"]')
        n = options.count()
        if n == 0:
            page.keyboard.press("Escape")
            return f"selectbox {key} (no options)"
        choice = rng.randrange(n)
        text = options.nth(choice).inner_text()
        options.nth(choice).click()
        return f"selectbox {key} → {text!r}"
    if kind == "multiselect":
        widget(page, key).locator('[role="combobox"]').first.click()
        page.wait_for_timeout(200)
        options = page.locator('[role="option"]')
        if options.count():
            options.nth(rng.randrange(options.count())).click()
        page.keyboard.press("Escape")
        return f"multiselect {key}"
    if kind == "checkbox":
        click_checkbox(page, key)
        return f"checkbox {key}"
    if kind == "radio":
        labels = widget(page, key).locator("label")
        i = rng.randrange(labels.count())
        labels.nth(i).click()
        return f"radio {key} #{i}"
    if kind == "segmented":
        buttons = widget(page, key).locator("button")
        buttons.nth(rng.randrange(buttons.count())).click()
        return f"segmented {key}"
    if kind == "button":
        click_button(page, key)
        return f"button {key}"
    if kind in ("textarea", "text"):
        box = widget(page, key).locator("textarea, input").first
        text = rng.choice(["", "x", '{"name": "walk", "layers": [', "[EVIL](http://127.0.0.1:9/) $x$", "1" * 400])
        box.fill(text)
        box.press("Control+Enter" if kind == "textarea" else "Enter")
        return f"{kind} {key} = {text[:20]!r}"
    raise AssertionError(kind)


def walk(page, seed: int, steps: int, check=None) -> list[str]:
    """A seeded random walk; after every step the page must be idle with no error box."""
    rng = random.Random(seed)
    done: list[str] = []
    for _ in range(steps):
        try:
            done.append(random_action(page, rng))
            wait_idle(page)
            assert page.get_by_text("Something went wrong").count() == 0, "the page's guard caught an error"
            if check is not None:
                check(page)
        except Exception as exc:
            from .conftest import screenshot

            screenshot(page, "walk-failure")
            raise AssertionError(f"after {len(done)} actions ({done[-5:]}): {exc}") from exc
    return done
