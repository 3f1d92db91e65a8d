"""Forward-pass latency and throughput of a built variant against AlexNet written the plain way.

    python bench/bench_forward.py [--device cpu|cuda|mps] [--repeat 20]

The reference is torchvision's AlexNet layer for layer, written out by hand (torchvision itself is
not a dependency), so the ratio shows what the builder's generic module costs: ≈ 1.0 expected.
Also: channels_last memory format and bf16 autocast, on the same device in the same run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch
from torch import nn

from explorer.build import build_model
from explorer.presets import PRESETS
from explorer.runtime import device_label, pick_device


class PlainAlexNet(nn.Module):
    """torchvision.models.alexnet, written out."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=0.5),
            nn.Linear(256 * 6 * 6, 4096),
            nn.ReLU(inplace=True),
            nn.Dropout(p=0.5),
            nn.Linear(4096, 4096),
            nn.ReLU(inplace=True),
            nn.Linear(4096, 1000),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x)
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        return self.classifier(x)


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()
    elif device.type == "mps":
        torch.mps.synchronize()


def _time(model: nn.Module, x: torch.Tensor, repeat: int, *, autocast: bool = False) -> float:
    """Median milliseconds per forward pass (after warm-up)."""
    device = x.device
    times = []
    ctx = torch.autocast(device.type, dtype=torch.bfloat16) if autocast else torch.autocast(device.type, enabled=False)
    with torch.inference_mode(), ctx:
        for _ in range(3):
            model(x)
        _sync(device)
        for _ in range(repeat):
            start = time.perf_counter()
            model(x)
            _sync(device)
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default=None, help="cpu, cuda or mps (default: the best available)")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--batch", type=int, default=32)
    args = parser.parse_args()
    device = torch.device(args.device) if args.device else pick_device()
    torch.manual_seed(0)
    ours = build_model(PRESETS["torchvision"], device=device).eval()
    plain = PlainAlexNet().to(device).eval()
    plain.load_state_dict(ours.state_dict())  # same weights: the outputs must agree
    x1 = torch.randn(1, 3, 224, 224, device=device)
    with torch.inference_mode():
        assert torch.allclose(ours(x1), plain(x1), atol=1e-4), "built model and reference disagree"
    print(f"device: {device_label(device)}, torch {torch.__version__}")
    print(f"{'what':44s}{'ours':>10s}{'plain':>10s}{'ratio':>8s}")
    rows = []
    for batch in (1, args.batch):
        x = torch.randn(batch, 3, 224, 224, device=device)
        for label, kwargs, fmt in (
            ("fp32", {}, torch.contiguous_format),
            ("fp32 channels_last", {}, torch.channels_last),
            ("bf16 autocast", {"autocast": True}, torch.contiguous_format),
        ):
            ours_f = ours.to(memory_format=fmt)
            plain_f = plain.to(memory_format=fmt)
            xf = x.contiguous(memory_format=fmt)
            a = _time(ours_f, xf, args.repeat, **kwargs)
            b = _time(plain_f, xf, args.repeat, **kwargs)
            rows.append((batch, label, a, b))
            what = f"batch {batch:>3} {label}: ms/batch"
            print(f"{what:44s}{a:10.1f}{b:10.1f}{a / b:8.2f}   ({batch / a * 1000:7.1f} img/s ours)")
    print()
    print("| batch | mode | ours ms | plain ms | ratio | ours img/s |")
    print("|---|---|---|---|---|---|")
    for batch, label, a, b in rows:
        print(f"| {batch} | {label} | {a:.1f} | {b:.1f} | {a / b:.2f} | {batch / a * 1000:.1f} |")


if __name__ == "__main__":
    main()
