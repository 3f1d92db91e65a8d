"""The conv/pool output-size formula, worked out with real numbers (pure arithmetic, no torch).

Convention: PyTorch's, out = ⌊(W + 2P − D·(K−1) − 1)/S⌋ + 1 with P the padding on each side;
with ceil_mode the floor becomes a ceiling and a last window that would start in the right
padding is dropped (PyTorch's rule, shared with Caffe's pooling).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

__all__ = ["PYTORCH_FORMULA", "WorkedFormula", "format_quotient", "output_size", "worked_formula"]

PYTORCH_FORMULA = "⌊(W + 2P − D·(K−1) − 1)/S⌋ + 1"


def format_quotient(q: Fraction) -> str:
    """53.25 stays 53.25; 70/3 becomes 23.333…; whole numbers print without a point."""
    if q.denominator == 1:
        return str(q.numerator)
    den = q.denominator
    for prime in (2, 5):
        while den % prime == 0:
            den //= prime
    if den == 1:  # terminating decimal: print it exactly
        text = f"{float(q):.10f}".rstrip("0")
        return text
    return f"{float(q):.3f}…"


def output_size(
    n: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1, ceil_mode: bool = False
) -> int:
    """PyTorch's output length along one axis (may be < 1 for an impossible setting)."""
    span = n + 2 * padding - dilation * (kernel - 1) - 1
    if ceil_mode:
        # PyTorch: ⌊(span + S − 1)/S⌋ + 1, i.e. ⌈span/S⌉ + 1, even for a slightly negative span
        # (one window that runs past the edge); then drop a last window starting in the padding.
        out = -(-span // stride) + 1
        if out >= 1 and (out - 1) * stride >= n + padding:
            out -= 1
        return max(out, 0)
    if span < 0:
        return 0
    return span // stride + 1


@dataclass(frozen=True)
class WorkedFormula:
    """One axis of a conv/pool layer, with every step a student would write down."""

    n: int  # input length (W or H)
    kernel: int
    stride: int
    padding: int
    dilation: int
    ceil_mode: bool
    span: int  # W + 2P − D·(K−1) − 1: how far the window's start can travel
    out: int  # output length; < 1 means impossible
    remainder: int  # span mod S: positions left over after the last full step
    uncovered: int  # real input pixels at the bottom/right that no window ever covers
    dropped_last_window: bool  # ceil_mode only: the extra window would start in the padding
    overhang: int  # ceil_mode only: how far the last window runs past the padded input

    @property
    def valid(self) -> bool:
        return self.out >= 1

    @property
    def exact(self) -> bool:
        return self.valid and self.span >= 0 and self.remainder == 0

    @property
    def effective_kernel(self) -> int:
        return self.dilation * (self.kernel - 1) + 1

    @property
    def quotient(self) -> Fraction:
        return Fraction(self.span, self.stride)

    def numerator_text(self) -> str:
        parts = [str(self.n)]
        if self.padding:
            parts.append(f"+ {2 * self.padding}")
        if self.dilation == 1:
            parts.append(f"− {self.kernel}")
        else:
            parts.append(f"− {self.dilation}·{self.kernel - 1} − 1")
        return " ".join(parts)

    @property
    def text(self) -> str:
        """e.g. ⌊(224 − 11)/4⌋ + 1 = ⌊53.25⌋ + 1 = 54."""
        lo, hi = ("⌈", "⌉") if self.ceil_mode else ("⌊", "⌋")
        head = f"{lo}({self.numerator_text()})/{self.stride}{hi} + 1"
        if not self.valid:
            return f"{head}: the window ({self.effective_kernel}) is larger than the padded input ({self.n + 2 * self.padding})"
        text = f"{head} = {lo}{format_quotient(self.quotient)}{hi} + 1 = "
        if self.ceil_mode and self.dropped_last_window:
            text += f"{self.out + 1} − 1 = {self.out} (last window dropped: it would start in the padding)"
        else:
            text += str(self.out)
        return text

    @property
    def remainder_text(self) -> str:
        """The remainder of the division and what it means for the input's last pixels."""
        if not self.valid:
            need = self.effective_kernel - self.n - 2 * self.padding
            return f"No window fits: the padded input is {need} pixel(s) shorter than the window."
        s, q, r = self.stride, self.span // self.stride, self.remainder
        base = f"{self.span} = {s}·{q} + {r}"
        if self.span < 0:  # only possible in ceil mode
            return (
                f"The window is {-self.span} pixel(s) longer than the padded input allows, but rounding up still "
                f"places one window; it runs {self.overhang} pixel(s) past the padded input."
            )
        if self.ceil_mode:
            if r == 0:
                return f"{base}: exact, so ceil and floor agree."
            if self.dropped_last_window:
                return f"{base}: rounding up would add a window starting in the padding, which PyTorch drops."
            return (
                f"{base}: rounding up adds one more window, which runs {self.overhang} pixel(s) past "
                "the padded input (those cells are ignored by max pooling)."
            )
        if r == 0:
            return f"{base}: exact: the windows fit with nothing left over."
        if self.uncovered == 0:
            return f"{base}: remainder {r}, but it falls in the padding: every input pixel is covered."
        first = self.n - self.uncovered
        where = f"index {first}" if self.uncovered == 1 else f"indices {first}–{self.n - 1}"
        return (
            f"{base}: remainder {r}: the last {self.uncovered} input row(s)/column(s) "
            f"({where}) are never covered by any window."
        )


@lru_cache(maxsize=8192)  # pure and immutable; a sweep or a slider asks for the same ones again and again
def worked_formula(
    n: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1, ceil_mode: bool = False
) -> WorkedFormula:
    span = n + 2 * padding - dilation * (kernel - 1) - 1
    out = output_size(n, kernel, stride, padding, dilation, ceil_mode)
    remainder = span % stride if span >= 0 else 0
    dropped = False
    overhang = 0
    if ceil_mode and -(-span // stride) + 1 >= 1:
        dropped = (-(-span // stride)) * stride >= n + padding
    uncovered = 0
    if out >= 1:
        last_covered = (out - 1) * stride - padding + dilation * (kernel - 1)
        uncovered = max(0, n - 1 - last_covered)
        overhang = max(0, last_covered - (n - 1 + padding))
    return WorkedFormula(
        n=n,
        kernel=kernel,
        stride=stride,
        padding=padding,
        dilation=dilation,
        ceil_mode=ceil_mode,
        span=span,
        out=out,
        remainder=remainder,
        uncovered=uncovered,
        dropped_last_window=dropped,
        overhang=overhang,
    )
