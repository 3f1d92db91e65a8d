"""First paint of each page in a fresh Chromium context (issue #15: printed, never asserted: the
machines are noisy). Prints, and writes to artifacts/first-paint.txt, the time from navigation to the
page's title and to the script having finished, per page."""

from __future__ import annotations

import time

import pytest

from .conftest import ARTIFACTS, wait_idle

pytestmark = pytest.mark.browser

PAGES = [("", "Build"), ("Inside", "Inside"), ("Compare", "Compare"), ("Formula", "Formula"), ("Lessons", "Lessons")]


def test_first_paint_of_every_page(browser, server_url):
    lines = []
    for path, name in PAGES:
        for attempt in ("cold", "warm"):  # the first visit may pay the server's caches; the second does not
            ctx = browser.new_context(viewport={"width": 1440, "height": 900})
            page = ctx.new_page()
            try:
                start = time.perf_counter()
                page.goto(f"{server_url}/{path}")
                page.locator('[data-testid="stMain"] h1').first.wait_for(timeout=90_000)
                title = time.perf_counter() - start
                wait_idle(page)
                done = time.perf_counter() - start
            finally:
                ctx.close()
            lines.append(f"{name:8} {attempt}: title {title:5.2f} s, finished {done:5.2f} s")
    report = "\n".join(lines)
    print("\nfirst paint in a fresh Chromium context:\n" + report)
    ARTIFACTS.parent.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS.parent / "first-paint.txt").write_text(report + "\n")
    assert len(lines) == 2 * len(PAGES)
