"""The Inside page's speed: the first forward pass, and a rerun when only the shown layer changes.

    python bench/bench_inside.py [--repeat 3]

Prints, for paper-2012 on this machine's device: building the model (random init), the first and a
warm hooked forward pass of a sample photo; then, through Streamlit's AppTest, the page's first
run and the median rerun when switching the displayed layer (first visit to each layer, and
revisits once its grid is cached). Target: median layer-switch rerun ≤ 150 ms on CPU.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from explorer.activations import capture, seeded_model  # noqa: E402
from explorer.analysis import analyse  # noqa: E402
from explorer.images import load_sample, preprocess  # noqa: E402
from explorer.presets import PRESETS  # noqa: E402
from explorer.runtime import device_label, pick_device  # noqa: E402


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def forward_figures(name: str) -> dict[str, float]:
    variant = PRESETS[name]
    device = pick_device()
    start = time.perf_counter()
    model = seeded_model(variant, device=device)
    build = _ms(start)
    pre = preprocess(load_sample("cat").image, variant.input)
    first = capture(model, pre.tensor, device=device).milliseconds
    warm = statistics.median(capture(model, pre.tensor, device=device).milliseconds for _ in range(5))
    return {"build": build, "first": first, "warm": warm}


def layer_switch_figures(repeat: int) -> dict[str, float]:
    at = AppTest.from_file(str(ROOT / "pages" / "1_Inside.py"), default_timeout=300)
    start = time.perf_counter()
    at.run()
    first_run = _ms(start)
    assert not at.exception
    layers = [r.index for r in analyse(PRESETS["paper-2012"]).rows if len(r.output) == 3]
    first_visits, revisits = [], []
    for round_ in range(repeat + 1):
        for layer in layers[1:] + layers[:1]:
            start = time.perf_counter()
            at.selectbox(key="inside_layer").set_value(layer).run()
            (first_visits if round_ == 0 else revisits).append(_ms(start))
            assert not at.exception
    return {
        "first_run": first_run,
        "first_visit_median": statistics.median(first_visits),
        "revisit_median": statistics.median(revisits),
        "revisit_max": max(revisits),
        "n": len(revisits),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="rounds of revisiting every layer")
    args = parser.parse_args()
    device = pick_device()
    print(f"torch {torch.__version__}, {platform.processor() or platform.machine()}, device {device_label(device)}")
    for name in ("paper-2012", "torchvision"):
        f = forward_figures(name)
        print(
            f"{name}: build (random init) {f['build']:.0f} ms, first hooked forward pass {f['first']:.0f} ms, "
            f"warm {f['warm']:.0f} ms"
        )
    s = layer_switch_figures(args.repeat)
    print(f"page first run (build + forward + all figures): {s['first_run']:.0f} ms")
    print(f"layer switch, first visit to a layer: median {s['first_visit_median']:.0f} ms")
    print(
        f"layer switch, revisit: median {s['revisit_median']:.0f} ms, max {s['revisit_max']:.0f} ms "
        f"over {s['n']} switches (target ≤ 150 ms)"
    )


if __name__ == "__main__":
    main()
