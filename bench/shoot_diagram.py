"""Screenshots of the architecture diagram as a browser draws it, and its slide/phone files.

    python bench/shoot_diagram.py [--out artifacts/screenshots] [--presets paper-2012 torchvision ...]

Plotly's own PNG export needs kaleido (not installed), so each figure is written to HTML and
screenshotted with Playwright and the system chromium: the page layout at 980 px (the Build page's
chart in a 1440-px window with the sidebar open) and 1440 px, and the vertical layout at 390 px.
Also writes the 1920×1080 slide PNG and the phone PNG from `diagram_image`, and prints timings.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from explorer.analysis import analyse  # noqa: E402
from explorer.figures import diagram_image, diagram_plotly  # noqa: E402
from explorer.presets import PRESETS  # noqa: E402

CHROMIUM = "/usr/bin/chromium"


def shoot(figures: list[tuple[object, int, Path]]) -> None:
    """Screenshot each (plotly figure, chart width in px, PNG path) in one browser."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for i, (fig, width, path) in enumerate(figures):
            html_path = Path(tmp) / f"fig{i}.html"
            fig.update_layout(width=width)
            fig.write_html(str(html_path), include_plotlyjs=True, full_html=True, config={"displayModeBar": False})
            page = browser.new_page(viewport={"width": width + 16, "height": 600})
            page.goto(html_path.as_uri())
            page.wait_for_selector(".main-svg")
            page.locator(".plotly-graph-div").screenshot(path=str(path))
            page.close()
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(ROOT / "artifacts" / "screenshots"))
    parser.add_argument("--presets", nargs="*", default=["paper-2012", "torchvision", "lenet-5", "blog-broken-flatten"])
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    figures = []
    for name in args.presets:
        analysis = analyse(PRESETS[name])
        # the page's default layout in the Build page's chart (980 px in a 1440 window with the
        # sidebar open), the same in a 1440-px chart, the layout drawn for 1440, and a phone
        figures.append((diagram_plotly(analysis), 980, out / f"diagram-{name}-980.png"))
        figures.append((diagram_plotly(analysis), 1440, out / f"diagram-{name}-1440.png"))
        figures.append((diagram_plotly(analysis, width=1440), 1440, out / f"diagram-{name}-1440-wide.png"))
        figures.append((diagram_plotly(analysis, layout="vertical"), 390, out / f"diagram-{name}-390.png"))
        (out / f"diagram-{name}-slide.png").write_bytes(diagram_image(analysis, "png"))
        (out / f"diagram-{name}-phone.png").write_bytes(diagram_image(analysis, "png", layout="phone"))
    shoot(figures)
    for path in sorted(out.glob("diagram-*.png")):
        print(path.relative_to(ROOT))

    analysis = analyse(PRESETS["paper-2012"])
    for label, build in (
        ("plotly page", lambda: diagram_plotly(analysis)),
        ("plotly page 1440", lambda: diagram_plotly(analysis, width=1440)),
        ("plotly vertical", lambda: diagram_plotly(analysis, layout="vertical")),
        ("png slide", lambda: diagram_image(analysis, "png")),
        ("svg slide", lambda: diagram_image(analysis, "svg")),
        ("png phone", lambda: diagram_image(analysis, "png", layout="phone")),
    ):
        build()
        times = []
        for _ in range(5 if label.startswith(("png", "svg")) else 50):
            start = time.perf_counter()
            build()
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        print(f"{label}: median {times[len(times) // 2]:.1f} ms")


if __name__ == "__main__":
    main()
