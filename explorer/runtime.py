"""Running a built variant: device choice, a timed forward pass with per-layer shape checks.

A process-wide semaphore bounds concurrent forward passes, so a class of 30 pressing "Run" at
once queues instead of exhausting memory.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch

from .analysis import Analysis, Shape
from .build import AlexNetVariant
from .i18n import Message

__all__ = [
    "MAX_CONCURRENT_FORWARDS",
    "ForwardReport",
    "LayerTiming",
    "device_label",
    "device_message",
    "forward_slot",
    "pick_device",
    "timed_forward",
]

MAX_CONCURRENT_FORWARDS = 2
_FORWARD_SLOTS = threading.BoundedSemaphore(MAX_CONCURRENT_FORWARDS)


def pick_device() -> torch.device:
    """CUDA when available, else Apple MPS, else CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def device_message(device: torch.device) -> Message:
    """The device in words, as data (a key and its numbers): each reader's page renders it."""
    if device.type == "cuda":
        return Message("GPU ({gpu_name})", gpu_name=torch.cuda.get_device_name(device))
    if device.type == "mps":
        return Message("Apple GPU (MPS)")
    return Message("CPU ({n} threads)", n=torch.get_num_threads())


def device_label(device: torch.device, lang: str | None = None) -> str:
    """`device_message` rendered in `lang` (default: the current language), e.g. "CPU (2 threads)"."""
    return device_message(device).render(lang)


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


@contextmanager
def forward_slot(timeout: float | None = None) -> Iterator[bool]:
    """Hold one of the bounded forward-pass slots; yields False if none freed up within timeout."""
    acquired = _FORWARD_SLOTS.acquire(timeout=timeout) if timeout is not None else _FORWARD_SLOTS.acquire()
    try:
        yield acquired
    finally:
        if acquired:
            _FORWARD_SLOTS.release()


@dataclass(frozen=True)
class LayerTiming:
    index: int
    name: str
    expected: Shape
    actual: Shape
    milliseconds: float

    @property
    def matches(self) -> bool:
        return self.expected == self.actual


@dataclass(frozen=True)
class ForwardReport:
    device_info: Message  # the device in words, rendered by `device` in the reader's language
    batch: int
    layers: tuple[LayerTiming, ...]
    total_ms: float

    @property
    def device(self) -> str:
        return self.device_info.render()

    @property
    def all_match(self) -> bool:
        return all(t.matches for t in self.layers)


@torch.inference_mode()
def timed_forward(
    model: AlexNetVariant, analysis: Analysis, *, batch: int = 1, device: torch.device | None = None, seed: int = 0
) -> ForwardReport:
    """Run a random batch layer by layer, timing each (GPU synchronised) and checking its shape."""
    device = device or next((p.device for p in model.parameters()), torch.device("cpu"))
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn((batch, *analysis.input_shape), generator=generator).to(device)
    timings = []
    _sync(device)
    start_all = time.perf_counter()
    for row, module in zip(analysis.rows, model.layer_modules()):
        start = time.perf_counter()
        x = module(x)
        _sync(device)
        elapsed = (time.perf_counter() - start) * 1000
        timings.append(LayerTiming(row.index, row.name, row.output, tuple(x.shape[1:]), elapsed))
    total = (time.perf_counter() - start_all) * 1000
    return ForwardReport(device_info=device_message(device), batch=batch, layers=tuple(timings), total_ms=total)
