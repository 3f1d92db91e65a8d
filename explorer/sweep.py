"""Which input sizes work for a variant: a sweep of square input sizes, by arithmetic alone.

For each size S in the range the variant is analysed at S×S (`analysis.analyse` on
`variant.with_input(height=S, width=S)`, no torch) and the sweep records: whether it is valid,
the last conv/pool map's side, the map that reaches flatten, the flatten size, whether every
division on the way was exact, and the first failing layer when it is not valid. The layers
inside residual blocks count like any other (named e.g. res3a.conv1, res3a.shortcut.conv1).

"Exact" means every conv and pooling layer's W + 2P − D·(K−1) − 1 is a multiple of its stride
(so no input row/column is dropped and no ceil_mode window hangs over the edge), and every
adaptive pooling layer's input divides evenly into its bins. 481 analyses of an AlexNet take
about 0.1 s on one CPU core (see `bench` in the tests).

A row stores its remainders and the engine's error as data (`explorer.i18n.Message`); `inexact`,
`error` and `to_dict` render them in the current language, so a cached sweep serves both.
"""

from __future__ import annotations

from dataclasses import dataclass

from .analysis import Analysis, analyse
from .i18n import N_, Message, _
from .spec import Variant

__all__ = ["COLUMNS", "DEFAULT_RANGE", "Sweep", "SweepRow", "sweep", "sweep_row"]

DEFAULT_RANGE = (32, 512)
_MAX_SIZES = 2048  # one sweep analyses at most this many sizes


@dataclass(frozen=True)
class SweepRow:
    """One input size's verdict."""

    size: int
    valid: bool
    last_map: int | None  # output H of the last conv/pool layer (before any adaptive pool)
    final_map: tuple[int, int, int] | None  # the C×H×W map that reaches flatten (or the last map)
    flatten: int | None  # features after flatten; None when the variant has no flatten or is invalid
    exact: bool  # valid and every division exact
    remainders: tuple[Message, ...]  # layers whose division leaves a remainder, as data
    failing_layer: str | None  # name of the first invalid layer, e.g. "pool5"
    error_message: object = None  # the engine's message for the first invalid layer (str or Message)

    @property
    def inexact(self) -> tuple[str, ...]:
        """The remainders in the current language, e.g. ("conv1 (rem 1)",)."""
        return tuple(str(m) for m in self.remainders)

    @property
    def remainders_text(self) -> str:
        """The remainders as one list in the current language ("conv1 (rem 1), pool1 (rem 1)")."""
        return _list(self.inexact)

    @property
    def error(self) -> str | None:
        return None if self.error_message is None else str(self.error_message)

    def to_dict(self) -> dict[str, object]:
        """One table row; the keys are COLUMNS (English ids: a page shows them with `_()`)."""
        return dict(
            zip(
                COLUMNS,
                (
                    self.size,
                    self.valid,
                    self.last_map,
                    "×".join(map(str, self.final_map)) if self.final_map else None,
                    self.flatten,
                    self.exact,
                    self.remainders_text,
                    self.failing_layer,
                    self.error,
                ),
            )
        )


COLUMNS = (
    N_("input"),
    N_("valid"),
    N_("last conv/pool map"),
    N_("map at flatten"),
    N_("flatten"),
    N_("exact"),
    N_("remainders"),
    N_("fails at"),
    N_("why"),
)


def _list(items: tuple[str, ...]) -> str:
    """Items joined the current language's way ("a, b" in English, "a、b" in Chinese)."""
    if not items:
        return ""
    text = items[0]
    for item in items[1:]:
        text = _("{a}, {b}", a=text, b=item)
    return text


@dataclass(frozen=True)
class Sweep:
    """A variant swept over a range of square input sizes."""

    variant_name: str
    nominal_size: int  # the variant's own input height
    nominal_flatten: int | None  # flatten size at the variant's own input size
    rows: tuple[SweepRow, ...]

    def row(self, size: int) -> SweepRow:
        """The row for one input size (KeyError naming the range when outside it)."""
        lo, hi = self.rows[0].size, self.rows[-1].size
        if not lo <= size <= hi:
            raise KeyError(f"input size {size} is outside the sweep {lo}–{hi}")
        return self.rows[size - lo]

    @property
    def min_valid(self) -> int | None:
        """The smallest valid input size in the range (None if none is valid)."""
        return next((r.size for r in self.rows if r.valid), None)

    @property
    def valid_sizes(self) -> list[int]:
        return [r.size for r in self.rows if r.valid]

    @property
    def exact_sizes(self) -> list[int]:
        return [r.size for r in self.rows if r.exact]

    @property
    def same_flatten_sizes(self) -> list[int]:
        """Sizes whose flatten size equals the variant's own (the trained classifier would fit)."""
        if self.nominal_flatten is None:
            return []
        return [r.size for r in self.rows if r.valid and r.flatten == self.nominal_flatten]

    def invalid_ranges(self) -> list[tuple[int, int, tuple[str, ...]]]:
        """Runs of consecutive invalid sizes as (first, last, failing layers in order of appearance)."""
        runs: list[tuple[int, int, tuple[str, ...]]] = []
        for r in self.rows:
            if r.valid:
                continue
            layer = (r.failing_layer,) if r.failing_layer else ()
            if runs and runs[-1][1] == r.size - 1:
                first, _last, layers = runs[-1]
                runs[-1] = (first, r.size, tuple(dict.fromkeys(layers + layer)))
            else:
                runs.append((r.size, r.size, layer))
        return runs


def _row_from(size: int, analysis: Analysis) -> SweepRow:
    inexact: list[Message] = []
    last_map: int | None = None
    final_map: tuple[int, int, int] | None = None
    flatten: int | None = None
    for row in analysis.all_rows():  # a residual block's inner layers count like any other
        if row.formula_h is not None and row.formula_w is not None:
            last_map = row.output[1]
            rems = {f.remainder for _axis, f in row.formulas}
            if any(rems):
                rem = "/".join(str(r) for r in sorted(rems))
                inexact.append(Message("{layer} (rem {remainder})", layer=row.name, remainder=rem))
        elif row.type == "adaptiveavgpool":
            _channels, h, w = row.input
            bins = row.output[1]
            if h % bins or w % bins:
                inexact.append(Message("{layer} ({size} into {bins} bins)", layer=row.name, size=h, bins=bins))
    for row in analysis.rows:
        if row.type == "flatten":
            flatten = row.output[0]
            final_map = row.input  # type: ignore[assignment]
        elif len(row.output) == 3 and flatten is None:
            final_map = row.output  # type: ignore[assignment]
    failing = error = None
    if analysis.error is not None:
        failing = analysis.failing_name
        error = analysis.error.message
        final_map = flatten = None
    return SweepRow(
        size=size,
        valid=analysis.valid,
        last_map=last_map if analysis.valid else None,
        final_map=final_map,
        flatten=flatten,
        exact=analysis.valid and not inexact,
        remainders=tuple(inexact),
        failing_layer=failing,
        error_message=error,
    )


def sweep_row(variant: Variant, size: int) -> SweepRow:
    """One size: the variant analysed at size×size."""
    return _row_from(size, analyse(variant.with_input(height=size, width=size)))


def sweep(variant: Variant, lo: int = DEFAULT_RANGE[0], hi: int = DEFAULT_RANGE[1]) -> Sweep:
    """Analyse the variant at every square input size from lo to hi inclusive."""
    if lo < 1 or hi < lo:
        raise ValueError(f"the sweep needs 1 ≤ lo ≤ hi, got {lo}–{hi}")
    if hi - lo + 1 > _MAX_SIZES:
        raise ValueError(f"the sweep covers at most {_MAX_SIZES} sizes, got {hi - lo + 1}")
    rows = tuple(sweep_row(variant, size) for size in range(lo, hi + 1))
    nominal = _row_from(variant.input.height, analyse(variant))
    return Sweep(
        variant_name=variant.name,
        nominal_size=variant.input.height,
        nominal_flatten=nominal.flatten if nominal.valid else None,
        rows=rows,
    )
