"""Real-browser fixtures: a headless Streamlit server on a free loopback port, and Debian's chromium.

Never `playwright install`: Playwright drives /usr/bin/chromium. Without chromium the tests skip
on a developer's machine and FAIL under CI (CI=true), so CI can never pass by skipping them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _need_browser() -> None:
    missing = []
    if not Path(CHROMIUM).exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        missing.append("the playwright package (pip install -r requirements-dev.txt)")
    if missing:
        message = "browser tests need " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message + " — CI must run them, not skip them")
        pytest.skip(message)


SERVER_LOG = ROOT / "artifacts" / "streamlit-browser-tests.log"
TRACEBACK = "Traceback (most recent call last)"


@pytest.fixture(scope="session")
def server():
    """The Streamlit server: its URL and the path of its log (stdout and stderr)."""
    _need_browser()
    _mkdir()
    port = _free_port()
    # The class poll's SQLite file: a fresh data directory, not the developer's cache.
    data = tempfile.mkdtemp(prefix="alexnet-browser-data-")
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "ALEXNET_DATA_DIR": data}
    with open(SERVER_LOG, "w") as log:
        yield from _serve(port, env, log)


@pytest.fixture(scope="session")
def server_url(server):
    return server


@pytest.fixture(autouse=True)
def no_server_traceback(request):
    """Fail any browser test during which the server logged a traceback (caught or not)."""
    if "server_url" not in request.fixturenames:
        yield
        return
    start = SERVER_LOG.stat().st_size if SERVER_LOG.exists() else 0
    yield
    with open(SERVER_LOG, errors="replace") as f:
        f.seek(start)
        new = f.read()
    if TRACEBACK in new:
        at = new.index(TRACEBACK)
        excerpt = new[max(0, at - 600) : at + 3000]
        pytest.fail(f"the server logged a traceback during this test:\n{excerpt}", pytrace=False)


def _serve(port, env, log):
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    break
        except OSError:
            time.sleep(0.3)
        if proc.poll() is not None:
            pytest.fail("streamlit exited early; see artifacts/streamlit-browser-tests.log")
    else:
        proc.kill()
        pytest.fail("streamlit did not answer /_stcore/health within 90 s")
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def _mkdir() -> bool:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return True


@pytest.fixture(scope="session")
def browser():
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, tmp_path):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    yield pg
    context.close()


def wait_idle(pg, timeout: float = 90_000) -> None:
    """Wait until Streamlit has finished running the script and the page holds no exception."""
    pg.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)
    pg.wait_for_timeout(300)
    pg.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)
    assert pg.locator('[data-testid="stException"]').count() == 0, "Streamlit shows an exception box"


def screenshot(pg, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # widgets render a moment after the script finishes: wait for the placeholders to go
    pg.wait_for_function("document.querySelectorAll('[data-testid=\"stSkeleton\"]').length === 0", timeout=30_000)
    pg.wait_for_timeout(1500)
    path = ARTIFACTS / f"{name}.png"
    pg.screenshot(path=str(path), full_page=True)
    return path
