"""The Build page in a real browser: load, slider, preset switch, downloads."""

import csv
import io
import json

import pytest

from explorer.analysis import analyse
from explorer.export import pytorch_source  # noqa: F401  (the download must equal what the engine says)
from explorer.presets import PRESETS

from .conftest import screenshot, wait_idle

pytestmark = pytest.mark.browser


def open_build(page, server_url, query=""):
    page.goto(server_url + "/" + query)
    page.wait_for_selector("text=Parameters", timeout=90_000)
    wait_idle(page)


def metric_value(page, label):
    return (
        page.locator('[data-testid="stMetric"]', has_text=label).locator('[data-testid="stMetricValue"]').inner_text()
    )


def download(page, label):
    tab = page.get_by_role("tab", name="Share & export")
    if tab.get_attribute("aria-selected") != "true":
        tab.click()
        wait_idle(page)
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=label, exact=True).click()
    path = info.value.path()
    with open(path, "rb") as f:
        return f.read()


def test_build_loads_without_exception(page, server_url):
    open_build(page, server_url)
    assert metric_value(page, "Parameters") == "60,965,224"
    assert page.get_by_text("⌊(227 − 11)/4⌋ + 1 = ⌊54⌋ + 1 = 55").count() >= 1
    screenshot(page, "build")


def test_slider_changes_the_table(page, server_url):
    open_build(page, server_url)
    before = list(csv.DictReader(io.StringIO(download(page, "Layer table (CSV)").decode())))
    assert before[0]["output"] == "96×55×55"
    thumb = page.locator(".st-key-b0_k input[type='range']")
    thumb.focus()
    thumb.press("ArrowRight")  # kernel 11 → 12: ⌊(227 − 12)/4⌋ + 1 = 54
    wait_idle(page)
    assert page.get_by_text("⌊(227 − 12)/4⌋ + 1 = ⌊53.75⌋ + 1 = 54").count() >= 1
    after = list(csv.DictReader(io.StringIO(download(page, "Layer table (CSV)").decode())))
    assert after[0]["output"] == "96×54×54"
    assert after[0]["params"] == str(96 * 3 * 144 + 96)
    screenshot(page, "build-slider-moved")


def test_preset_switch(page, server_url):
    open_build(page, server_url)
    page.locator(".st-key-preset input").click()
    page.keyboard.type("torchvision")
    page.get_by_role("option", name="torchvision — 61,100,840 params").click()
    wait_idle(page)
    assert metric_value(page, "Parameters") == "61,100,840"
    assert "preset=torchvision" in page.url


def test_downloads_deliver_the_right_content(page, server_url):
    open_build(page, server_url, "?preset=torchvision")
    config = json.loads(download(page, "Config (JSON)"))
    assert config["name"] == "torchvision" and config["layers"][0]["out_channels"] == 64
    code = download(page, "PyTorch code (.py)").decode()
    namespace: dict = {}
    exec(code, namespace)
    model = namespace["AlexNetVariant"]()
    assert sum(p.numel() for p in model.parameters()) == analyse(PRESETS["torchvision"]).total_params
    summary = download(page, "torchinfo summary (.txt)").decode()
    assert "Total params: 61,100,840" in summary
    assert download(page, "Diagram for slides (PNG, 1920×1080)").startswith(b"\x89PNG")
    assert b"<svg" in download(page, "Diagram for slides (SVG)")[:400]


def test_invalid_variant_and_hostile_link(page, server_url):
    open_build(page, server_url, "?preset=blog-broken-flatten")
    assert page.get_by_text("9,216 arrive").count() >= 1
    screenshot(page, "build-invalid")
    open_build(page, server_url, "?v=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert page.get_by_text("Showing the default variant instead").count() == 1
    assert metric_value(page, "Parameters") == "60,965,224"
