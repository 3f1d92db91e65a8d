"""The engine's arithmetic against building the model and running torchinfo, on one variant.

    python bench/bench_engine.py

Prints medians in milliseconds and the ratio. Figures go in BENCHMARKS.md / README.
"""

from __future__ import annotations

import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch
from torchinfo import summary

from explorer.analysis import analyse
from explorer.build import build_model
from explorer.presets import PRESETS
from explorer.spec import BatchNorm


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    base = PRESETS["paper-2012"]
    variant = base.with_layers((base.layers[0], BatchNorm(), *base.layers[1:5], BatchNorm(), *base.layers[5:]))
    variant = variant.renamed("paper-2012 + 2 batchnorm")
    assert len(variant.layers) == 25
    engine = median_ms(lambda: analyse(variant), 2000)

    def build_and_summarise():
        model = build_model(variant)
        summary(model, input_size=(1, *analyse(variant).input_shape), verbose=0, device="cpu")

    torch_ms = median_ms(build_and_summarise, 5)
    build_only = median_ms(lambda: build_model(variant), 5)
    meta_ms = median_ms(lambda: build_model(variant, device="meta"), 20)
    print(
        f"machine: {platform.processor() or platform.machine()}, {torch.get_num_threads()} torch threads, torch {torch.__version__}"
    )
    print(f"variant: {variant.name}, {len(variant.layers)} layers, {analyse(variant).total_params:,} params")
    print(f"engine analyse():            {engine:10.4f} ms (median of 2000)")
    print(f"build_model() on cpu:        {build_only:10.1f} ms (median of 5)")
    print(f"build_model() on meta:       {meta_ms:10.2f} ms (median of 20)")
    print(f"build + torchinfo.summary(): {torch_ms:10.1f} ms (median of 5)")
    print(f"ratio (build+torchinfo / engine): {torch_ms / engine:,.0f}×")


if __name__ == "__main__":
    main()
