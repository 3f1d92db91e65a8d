"""The conv/pool output-size formula, worked out with real numbers (pure arithmetic, no torch).

A `WorkedFormula` stores numbers only; its `text` and `remainder_text` are rendered on access in
the current language (`message` and `remainder_message` give the same as data), so one cached
result serves every reader. The numbers and symbols are the same in both languages.

Convention: PyTorch's, out = ⌊(W + 2P − D·(K−1) − 1)/S⌋ + 1 with P the padding on each side;
with ceil_mode the floor becomes a ceiling and a last window that would start in the right
padding is dropped (PyTorch's rule, shared with Caffe's pooling).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

from .i18n import N_, Message

__all__ = [
    "PYTORCH_FORMULA",
    "WorkedFormula",
    "format_quotient",
    "output_size",
    "plural_message",
    "worked_formula",
]

PYTORCH_FORMULA = "⌊(W + 2P − D·(K−1) − 1)/S⌋ + 1"


def plural_message(n: int, one: str, many: str, /, **params: Any) -> Message:
    """`one` when n == 1, else `many` (two keys, marked with N_), with `n` among the parameters.

    English needs the two forms ("1 pixel", "3 pixels"); Chinese translates both the same way.
    """
    return Message(one if n == 1 else many, n=n, **params)


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
    def message(self) -> Message:
        """The worked formula as data (numbers shared by both languages, words rendered on `str()`)."""
        lo, hi = ("⌈", "⌉") if self.ceil_mode else ("⌊", "⌋")
        head = f"{lo}({self.numerator_text()})/{self.stride}{hi} + 1"
        if not self.valid:
            return Message(
                "{formula}: the window ({kernel}) is larger than the padded input ({padded})",
                formula=head,
                kernel=self.effective_kernel,
                padded=self.n + 2 * self.padding,
            )
        worked = f"{head} = {lo}{format_quotient(self.quotient)}{hi} + 1"
        if self.ceil_mode and self.dropped_last_window:
            return Message(
                "{formula} = {rounded} − 1 = {out} (last window dropped: it would start in the padding)",
                formula=worked,
                rounded=self.out + 1,
                out=self.out,
            )
        return Message("{f} = {n}", f=worked, n=self.out)

    @property
    def text(self) -> str:
        """e.g. ⌊(224 − 11)/4⌋ + 1 = ⌊53.25⌋ + 1 = 54, in the current language."""
        return str(self.message)

    @property
    def remainder_message(self) -> Message:
        """The remainder of the division and what it means for the input's last pixels, as data."""
        if not self.valid:
            need = self.effective_kernel - self.n - 2 * self.padding
            return plural_message(
                need,
                N_("No window fits: the padded input is {n} pixel shorter than the window."),
                N_("No window fits: the padded input is {n} pixels shorter than the window."),
            )
        s, q, r = self.stride, self.span // self.stride, self.remainder
        base = f"{self.span} = {s}·{q} + {r}"
        if self.span < 0:  # only possible in ceil mode
            return Message(
                "{longer} but rounding up still places one window; {runs}",
                longer=plural_message(
                    -self.span,
                    N_("The window is {n} pixel longer than the padded input allows,"),
                    N_("The window is {n} pixels longer than the padded input allows,"),
                ),
                runs=plural_message(
                    self.overhang,
                    N_("it runs {n} pixel past the padded input."),
                    N_("it runs {n} pixels past the padded input."),
                ),
            )
        if self.ceil_mode:
            if r == 0:
                return Message("{equation}: exact, so ceil and floor agree.", equation=base)
            if self.dropped_last_window:
                return Message(
                    "{equation}: rounding up would add a window starting in the padding, which PyTorch drops.",
                    equation=base,
                )
            return plural_message(
                self.overhang,
                N_(
                    "{equation}: rounding up adds one more window, which runs {n} pixel past "
                    "the padded input (those cells are ignored by max pooling)."
                ),
                N_(
                    "{equation}: rounding up adds one more window, which runs {n} pixels past "
                    "the padded input (those cells are ignored by max pooling)."
                ),
                equation=base,
            )
        if r == 0:
            return Message("{equation}: exact: the windows fit with nothing left over.", equation=base)
        if self.uncovered == 0:
            return Message(
                "{equation}: remainder {r}, but it falls in the padding: every input pixel is covered.",
                equation=base,
                r=r,
            )
        first = self.n - self.uncovered
        if self.uncovered == 1:
            return Message(
                "{equation}: remainder {r}: the last input row/column (index {index}) is never covered by any window.",
                equation=base,
                r=r,
                index=first,
            )
        return Message(
            "{equation}: remainder {r}: the last {n} input rows/columns (indices {first}–{last}) "
            "are never covered by any window.",
            equation=base,
            r=r,
            n=self.uncovered,
            first=first,
            last=self.n - 1,
        )

    @property
    def remainder_text(self) -> str:
        """The remainder of the division and what it means for the input's last pixels (current language)."""
        return str(self.remainder_message)


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
