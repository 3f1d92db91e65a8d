"""Every page in 中文 and on a phone (390×844) in Chromium: it loads with no exception, the
Chinese page holds Chinese prose, the language switch changes words and never a number, and
nothing is wider than the phone's screen. Screenshots in artifacts/screenshots/ (looked at)."""

from __future__ import annotations

import re

import pytest

from .conftest import screenshot, wait_idle

pytestmark = pytest.mark.browser

PAGES = [("", "build"), ("Inside", "inside"), ("Compare", "compare"), ("Formula", "formula"), ("Lessons", "lessons")]
CJK = re.compile(r"[\u4e00-\u9fff]")
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.0 Mobile/15E148 Safari/604.1"
)


def open_page(browser, server_url, path, query, **context):
    ctx = browser.new_context(**context)
    page = ctx.new_page()
    page.goto(f"{server_url}/{path}{query}")
    page.locator('[data-testid="stMain"] h1').first.wait_for(timeout=90_000)
    wait_idle(page)
    return ctx, page


def metric_values(page) -> list[str]:
    return page.locator('[data-testid="stMetricValue"]').all_inner_texts()


@pytest.mark.parametrize(("path", "name"), PAGES, ids=[p[1] for p in PAGES])
def test_page_in_chinese(browser, server_url, path, name):
    ctx, page = open_page(browser, server_url, path, "?lang=zh", viewport={"width": 1400, "height": 1000})
    try:
        main = page.locator('[data-testid="stMain"]').inner_text()
        assert len(CJK.findall(main)) >= 30, main[:500]
        screenshot(page, f"zh-{name}")
        zh_metrics = metric_values(page)
        # the switch in the sidebar: English, the same numbers
        page.locator(".st-key-lang").get_by_text("English").click()
        wait_idle(page)
        page.wait_for_function(
            "!document.querySelector('[data-testid=\"stMain\"]').innerText.match(/[\\u4e00-\\u9fff]{4}/)",
            timeout=30_000,
        )
        assert metric_values(page) == zh_metrics
        assert "lang=en" in page.url
    finally:
        ctx.close()


@pytest.mark.parametrize(("path", "name"), PAGES, ids=[p[1] for p in PAGES])
def test_page_on_a_phone(browser, server_url, path, name):
    ctx, page = open_page(
        browser,
        server_url,
        path,
        "",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        user_agent=IPHONE,
    )
    try:
        wide = page.evaluate(
            """() => [...document.querySelectorAll('[data-testid="stMain"] *')]
                .filter(e => e.offsetParent !== null && e.getBoundingClientRect().right > window.innerWidth + 2
                        && !e.closest('[data-testid="stDataFrame"], [data-testid="stTable"], .stPlotlyChart, pre, [data-testid="stCode"], [data-testid="stTabs"] [role="tablist"], .katex-display > .katex'))
                .slice(0, 5).map(e => (e.getAttribute('data-testid') || e.tagName) + ': ' + (e.innerText || '').slice(0, 60))"""
        )
        assert not wide, f"wider than the phone: {wide}"
        assert page.evaluate("document.documentElement.scrollWidth") <= 392
        screenshot(page, f"phone-{name}")
    finally:
        ctx.close()


def test_build_on_a_phone_edits_in_the_main_area(browser, server_url):
    """The controls that matter sit under the numbers: a kernel change is seen without the drawer."""
    ctx, page = open_page(
        browser,
        server_url,
        "",
        "",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        user_agent=IPHONE,
    )
    try:
        controls = page.locator(".st-key-phone_controls")
        controls.wait_for(timeout=30_000)
        assert page.locator('[data-testid="stSidebar"]').get_attribute("aria-expanded") != "true"
        params = page.locator('[data-testid="stMetricValue"]').first
        before = params.inner_text()
        # the four metrics two by two: the second sits beside the first
        boxes = page.locator('[data-testid="stMetric"]')
        first, second = boxes.nth(0).bounding_box(), boxes.nth(1).bounding_box()
        assert abs(first["y"] - second["y"]) < 5 and second["x"] > first["x"], (first, second)
        controls.get_by_role("button", name="224 × 224").click()
        wait_idle(page)
        thumb = page.locator(".st-key-m_b0_k input[type='range']")
        thumb.focus()
        for _ in range(2):
            thumb.press("ArrowRight")
            wait_idle(page)
        assert "k=13" in page.url or "13" in page.locator(".st-key-m_b0_k").inner_text()
        assert params.inner_text() != before
        # the sidebar's own widget agrees (one canonical variant)
        assert page.locator(".st-key-b0_k").count() == 1
        screenshot(page, "phone-build-controls")
    finally:
        ctx.close()
