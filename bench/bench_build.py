"""Median server-side rerun time of the Build page after a slider change, measured with AppTest.

    python bench/bench_build.py [--runs 30]

AppTest runs the page script in-process exactly as the server does (minus the websocket), so
this is the time a student waits on the server per slider move.
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    start = time.perf_counter()
    at.run()
    first = (time.perf_counter() - start) * 1000
    kernels = [11, 9, 7, 5, 3]
    times, script = [], []
    for i in range(args.runs):
        at.slider(key="b0_k").set_value(kernels[i % len(kernels)])
        start = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - start) * 1000)
        script.append(at.session_state["_render_ms"])
        assert not at.exception
    times.sort()
    script.sort()
    print(f"first load:                {first:8.1f} ms")
    print(f"page script, median:       {statistics.median(script):8.1f} ms  (server-side time of the rerun)")
    print(f"page script, p90:          {script[int(0.9 * len(script)) - 1]:8.1f} ms")
    print(f"AppTest rerun, median:     {statistics.median(times):8.1f} ms  ({args.runs} runs, incl. AppTest polling)")
    print(f"AppTest rerun, p90:        {times[int(0.9 * len(times)) - 1]:8.1f} ms")


if __name__ == "__main__":
    main()
