"""Presenting mode on a 1024×768 projector: large type, controls folded away, nothing cut off."""

from __future__ import annotations

import pytest

from . import actions as act
from .conftest import screenshot, wait_idle

pytestmark = pytest.mark.browser

PAGES = [
    ("", "Parameters", "build"),
    ("Inside", "Inside the network", "inside"),
    ("Compare", "Compare variants", "compare"),
    ("Formula", "The output-size formula", "formula"),
]


def font_px(page, selector):
    """The font size of the text itself: every visible element under `selector` that holds text directly."""
    return page.evaluate(
        """(sel) => {
            const out = [];
            for (const root of document.querySelectorAll(sel)) {
                if (root.offsetParent === null) continue;
                for (const el of [root, ...root.querySelectorAll('*')]) {
                    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
                    if (own) out.push(parseFloat(getComputedStyle(el).fontSize));
                }
            }
            return out;
        }""",
        selector,
    )


@pytest.mark.parametrize(("path", "marker", "name"), PAGES, ids=[p[2] for p in PAGES])
def test_presenting_mode_at_1024x768(browser, server_url, path, marker, name):
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    try:
        page.goto(f"{server_url}/{path}?present=1")
        page.locator('[data-testid="stMain"]').get_by_text(marker).first.wait_for(timeout=90_000)
        wait_idle(page)
        # controls folded away: the sidebar starts collapsed
        sidebar = page.locator('[data-testid="stSidebar"]')
        assert sidebar.get_attribute("data-collapsed") == "true"
        assert min(font_px(page, "h1")) >= 48
        code = font_px(page, '[data-testid="stMain"] [data-testid="stMarkdownContainer"] code')
        assert not code or min(code) >= 28, code
        metrics = font_px(page, '[data-testid="stMetricValue"]')
        assert not metrics or min(metrics) >= 48, metrics
        cells = font_px(page, '[data-testid="stMain"] [data-testid="stTable"] td')
        assert not cells or min(cells) >= 18, cells
        # nothing cut off: no metric value is wider than its box
        cut = page.evaluate(
            """() => [...document.querySelectorAll('[data-testid="stMetricValue"]')]
                  .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)"""
        )
        assert cut == [], cut
        assert "present=1" in page.url  # the mode stays in the link
        screenshot(page, f"present-{name}-1024x768")
    finally:
        context.close()


def test_presenting_toggle_holds_across_pages(page, server_url):
    page.goto(server_url + "/")
    page.wait_for_selector("text=Parameters", timeout=90_000)
    wait_idle(page)
    page.locator(".st-key-present label").first.click()
    wait_idle(page)
    assert "present=1" in page.url
    assert min(font_px(page, '[data-testid="stMetricValue"]')) >= 48
    act.open_sidebar(page)  # presenting folds the controls away; the teacher unfolds them
    page.get_by_role("link", name="The formula").click()
    page.locator('[data-testid="stMain"]').get_by_text("The output-size formula").first.wait_for(timeout=90_000)
    wait_idle(page)
    assert min(font_px(page, "h1")) >= 48
    act.open_sidebar(page)
    page.locator(".st-key-present label").first.click()  # and off again
    wait_idle(page)
    assert "present=1" not in page.url
    assert min(font_px(page, "h1")) < 48
