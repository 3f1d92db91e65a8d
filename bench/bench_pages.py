"""Rerun latency of every page after one typical interaction, measured with AppTest.

    python bench/bench_pages.py [--runs 15]

AppTest runs each page script in-process as the server would; its wall time also includes
AppTest's own polling and element-tree parsing, so these are upper bounds on the server's work.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402


def _measure(path: str, interact, runs: int) -> tuple[float, float]:
    at = AppTest.from_file(str(ROOT / path), default_timeout=180)
    start = time.perf_counter()
    at.run()
    first = (time.perf_counter() - start) * 1000
    assert not at.exception, at.exception
    times = []
    for i in range(runs):
        interact(at, i)
        start = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - start) * 1000)
        assert not at.exception, at.exception
    return first, statistics.median(times)


PAGES = {
    "Build (conv1 kernel slider)": ("app.py", lambda at, i: at.slider(key="b0_k").set_value([11, 9, 7, 5][i % 4])),
    "Inside (switch shown layer)": (
        "pages/1_Inside.py",
        lambda at, i: at.selectbox(key="inside_layer").set_value([0, 3, 4, 7, 8][i % 5]),  # conv1 … conv3 rows
    ),
    "Compare (every-layer toggle)": (
        "pages/2_Compare.py",
        lambda at, i: at.toggle(key="compare_all_layers").set_value(i % 2 == 0),
    ),
    "Formula (kernel slider)": (
        "pages/3_Formula.py",
        lambda at, i: at.slider(key="f_k").set_value([11, 9, 7, 5][i % 4]),
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    print("| page (interaction) | first run ms | median rerun ms |")
    print("|---|---|---|")
    for label, (path, interact) in PAGES.items():
        first, rerun = _measure(path, interact, args.runs)
        print(f"| {label} | {first:.0f} | {rerun:.0f} |")


if __name__ == "__main__":
    main()
