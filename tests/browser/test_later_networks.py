"""VGG-16 and ResNet-18 on every page in a real browser (screenshots looked at for the issue)."""

import pytest

from .conftest import screenshot, wait_idle

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("path", "marker", "name"),
    [
        ("?preset=resnet18", "11,689,512", "build-resnet18"),
        ("?preset=vgg16", "138,357,544", "build-vgg16"),
        ("Formula", "Which input sizes work", "formula"),
    ],
)
def test_later_networks_render(page, server_url, path, marker, name):
    page.goto(f"{server_url}/{path}")
    page.locator('[data-testid="stMain"]').get_by_text(marker).first.wait_for(timeout=90_000)
    wait_idle(page)
    if name.startswith("build"):
        page.get_by_role("tab", name="Diagram").click()
        wait_idle(page)
    screenshot(page, f"later-{name}")


def test_inside_resnet18_shows_the_add(page, server_url):
    page.goto(f"{server_url}/?preset=resnet18")
    page.locator('[data-testid="stMain"]').get_by_text("11,689,512").first.wait_for(timeout=90_000)
    wait_idle(page)
    page.get_by_role("link", name="Inside the network").click()
    page.locator('[data-testid="stMain"]').get_by_text("2 · Feature maps").first.wait_for(timeout=120_000)
    wait_idle(page)
    box = page.locator(".st-key-inside_layer")
    combo = box.locator('[role="combobox"]').first
    combo.click()
    combo.fill("res3a")  # a long list: type to filter, as a person would
    page.locator('[role="listbox"] [role="option"]', has_text="res3a ·").first.click()
    wait_idle(page)
    add = page.get_by_text("The add in res3a: body + shortcut = output").first
    add.wait_for(timeout=60_000)
    add.scroll_into_view_if_needed()
    screenshot(page, "later-inside-resnet18-add")


def test_compare_by_stage(page, server_url):
    page.goto(f"{server_url}/Compare?compare=torchvision,vgg16,resnet18")
    page.locator('[data-testid="stMain"]').get_by_text("Stage by stage").first.wait_for(timeout=90_000)
    wait_idle(page)
    page.get_by_text("Stage by stage").first.scroll_into_view_if_needed()
    screenshot(page, "later-compare-by-stage")
