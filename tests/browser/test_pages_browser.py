"""Inside, Compare and Formula pages in a real browser: load, interact, upload, download."""

import csv
import io
import struct
import zlib

import pytest

from .conftest import screenshot, wait_idle

pytestmark = pytest.mark.browser


def goto(page, server_url, path, marker):
    page.goto(f"{server_url}/{path}")
    page.get_by_text(marker).first.wait_for(timeout=90_000)
    wait_idle(page)


def download(page, key):
    with page.expect_download(timeout=60_000) as info:
        page.locator(f".st-key-{key} button").click()
    with open(info.value.path(), "rb") as f:
        return f.read()


def png_bytes(width, height, rgb=(200, 30, 30)):
    """A real PNG made by hand (no PIL), so the browser upload sends exactly these bytes."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def bomb_png():
    """A few-KB PNG declaring 20000×20000 pixels: only its header may ever be read."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 4000))
        + chunk(b"IEND", b"")
    )


# --- Inside -------------------------------------------------------------------------------------


def upload_image(page, name, data, tmp_path):
    path = tmp_path / name
    path.write_bytes(data)
    page.locator(".st-key-inside_source").get_by_text("Upload").click()
    wait_idle(page)
    page.locator(".st-key-inside_upload input[type='file']").set_input_files(str(path))
    wait_idle(page)


def test_inside_loads_with_a_sample(page, server_url):
    goto(page, server_url, "Inside", "Feature maps")
    # the LRN picture's caption names norm1's shape; pictures arrive a moment after the script ends
    page.locator('[data-testid="stMain"]').get_by_text("96×55×55").first.wait_for(timeout=60_000)
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "96×55×55" in main and "random initialisation" in main
    assert page.locator('[data-testid="stImage"]').count() >= 5
    screenshot(page, "inside")


def test_inside_upload_shows_feature_maps(page, server_url, tmp_path):
    goto(page, server_url, "Inside", "Feature maps")
    upload_image(page, "red.png", png_bytes(300, 240), tmp_path)
    page.get_by_text("2 · Feature maps").wait_for(timeout=60_000)
    assert page.get_by_text("original · 300×240").count() >= 1
    assert page.locator('[data-testid="stImage"]').count() >= 5
    screenshot(page, "inside-upload")


@pytest.mark.parametrize(
    "name,data",
    [
        ("corrupt.png", b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 50),
        ("notes.png", b"These are my lecture notes, not a picture.\n" * 20),
        ("empty.png", b""),
        ("bomb.png", bomb_png()),
    ],
    ids=["corrupt", "text-renamed", "zero-byte", "decompression-bomb"],
)
def test_inside_bad_uploads_give_one_clear_message(page, server_url, tmp_path, name, data):
    goto(page, server_url, "Inside", "Feature maps")
    upload_image(page, name, data, tmp_path)
    errors = page.locator('[data-testid="stAlertContentError"]')
    errors.first.wait_for(timeout=30_000)
    text = errors.first.inner_text()
    lines = [line for line in text.splitlines() if len(line.strip()) > 2]  # the icon is a line of its own
    assert len(lines) == 1 and len(text) < 400, text
    assert name in lines[0]
    if name == "bomb.png":
        assert "20000×20000" in text or "megapixels" in text
    # the page keeps working: switch back to a sample and the maps come back
    page.locator(".st-key-inside_source").get_by_text("Sample photo").click()
    wait_idle(page)
    page.get_by_text("2 · Feature maps").wait_for(timeout=60_000)


# --- Compare ------------------------------------------------------------------------------------


def test_compare_default_and_downloads(page, server_url):
    goto(page, server_url, "Compare", "Layer by layer")
    body = page.locator('[data-testid="stMain"]').inner_text()
    for total in ("60,965,224", "61,100,840", "50,820,776"):
        assert total in body
    screenshot(page, "compare")
    rows = list(csv.reader(io.StringIO(download(page, "compare_dl_csv").decode())))
    conv1 = next(r for r in rows if r and r[0] == "conv1")
    assert "96x55x55" in conv1 and "64x55x55" in conv1 and "96x54x54" in conv1
    markdown = download(page, "compare_dl_md").decode()
    assert markdown.lstrip().startswith("|") and "conv1" in markdown
    latex = download(page, "compare_dl_tex").decode()
    assert "\\begin{tabular}" in latex and "keras-seed" in latex


def test_compare_link_and_invalid_variant(page, server_url):
    goto(page, server_url, "Compare?compare=paper-2012,blog-broken-flatten,lenet-5", "Layer by layer")
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert "9,216 arrive" in body and "61,706" in body
    screenshot(page, "compare-invalid")


# --- Formula ------------------------------------------------------------------------------------


def test_formula_slider_changes_the_result(page, server_url):
    goto(page, server_url, "Formula", "Worked out")
    main = page.locator('[data-testid="stMain"]')
    assert "⌊53.25⌋" in main.inner_text()
    screenshot(page, "formula")
    thumb = page.locator(".st-key-f_w input[type='range']")
    thumb.focus()
    for _ in range(3):
        thumb.press("ArrowRight")  # 224 → 227
        wait_idle(page)
    text = main.inner_text()
    assert "227" in text and "⌊54⌋" in text
    screenshot(page, "formula-227")
