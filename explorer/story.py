"""The 224-vs-227 story carried through every layer: one chain of sizes, side by side with the other input.

The paper prints 224; ⌊(224 − 11)/4⌋ + 1 = 54, not 55, and the 1-pixel shortfall carries through
every pooling to a 5×5 map before flatten (6,400 features instead of 9,216), so fc6 has
11,534,336 fewer weights. `input_story` computes that chain for any variant against the same
variant at another input size, by arithmetic only (no model).
"""

from __future__ import annotations

from dataclasses import dataclass

from .analysis import Analysis, analyse, format_count
from .i18n import _
from .spec import Variant

__all__ = ["ChainLink", "InputStory", "input_story", "other_input_size"]

SPATIAL = ("conv", "maxpool", "avgpool")


@dataclass(frozen=True)
class ChainLink:
    """One step of the chain: a conv/pool's output side, flatten's features, or the first linear's weights."""

    name: str
    kind: str  # "spatial", "flatten" or "linear"
    value: int  # H (spatial: W is `width`), features, or parameters
    other: int | None  # the same step at the other input size (None: it does not exist there)
    width: int | None = None
    other_width: int | None = None

    @property
    def differs(self) -> bool:
        return self.other is None or (self.value, self.width) != (self.other, self.other_width)

    is_last_spatial: bool = False  # the map that is flattened: shown as H×W

    def text(self, *, other: bool = False) -> str:
        """e.g. "conv1 54", "pool5 5×5", "flatten 6,400", "fc6 26.2M" (in the current language)."""
        value, width = (self.other, self.other_width) if other else (self.value, self.width)
        if value is None:
            return f"{self.name} —"
        if self.kind == "spatial":
            square = width is None or width == value
            return f"{self.name} {value if square and not self.is_last_spatial else f'{value}×{width}'}"
        if self.kind == "flatten":
            return _("flatten {n:,}", n=value)
        return f"{self.name} {format_count(value)}"


@dataclass(frozen=True)
class InputStory:
    size: int
    other_size: int
    links: tuple[ChainLink, ...]
    total_params: int | None
    other_total_params: int | None

    @property
    def params_delta(self) -> int | None:
        """Parameters at this size minus at the other (e.g. −11,534,336 at 224 vs 227)."""
        if self.total_params is None or self.other_total_params is None:
            return None
        return self.total_params - self.other_total_params

    def chain(self, *, other: bool = False, bold_differences: bool = False) -> str:
        """The sizes layer by layer, e.g. "conv1 54 → pool1 26 → … → fc6 26.2M" (Markdown bold on the
        steps that differ from the other input, when asked)."""
        texts = (link.text(other=other) for link in self.links)
        if bold_differences:
            texts = (f"**{t}**" if link.differs else t for t, link in zip(texts, self.links))
        return " → ".join(texts)

    def summary(self) -> list[str]:
        """The story as Markdown lines in the current language: both chains, then what it costs."""
        lines = [
            _("At {size}: {chain}", size=self.size, chain=self.chain(bold_differences=True)),
            _("At {size}: {chain}", size=self.other_size, chain=self.chain(other=True)),
        ]
        delta = self.params_delta
        if delta and delta < 0:
            lines.append(
                _(
                    "So this variant has **{n:,} fewer** parameters at {size} than at {other}.",
                    n=-delta,
                    size=self.size,
                    other=self.other_size,
                )
            )
        elif delta:
            lines.append(
                _(
                    "So this variant has **{n:,} more** parameters at {size} than at {other}.",
                    n=delta,
                    size=self.size,
                    other=self.other_size,
                )
            )
        return lines


def other_input_size(variant: Variant) -> int:
    """227 for a 224 input, else 224 (the comparison the paper's text invites)."""
    return 227 if variant.input.height == 224 else 224


def _links(a: Analysis) -> dict[str, tuple[str, int, int | None]]:
    out: dict[str, tuple[str, int, int | None]] = {}
    for r in a.rows:
        if r.type in SPATIAL and len(r.output) == 3:
            out[r.name] = ("spatial", r.output[1], r.output[2])
        elif r.type == "flatten":
            out[r.name] = ("flatten", r.output[0], None)
        elif r.type == "linear":
            out[r.name] = ("linear", r.params, None)
            break  # the first linear is where the shortfall costs weights
    return out


def input_story(variant: Variant, other_size: int | None = None) -> InputStory | None:
    """The chain of sizes at this input and at `other_size` (square), or None without a conv/pool."""
    other_size = other_size or other_input_size(variant)
    here = analyse(variant)
    there = analyse(variant.with_input(height=other_size, width=other_size))
    mine, theirs = _links(here), _links(there)
    if not any(kind == "spatial" for kind, _h, _w in mine.values()):
        return None
    spatial_names = [n for n, (kind, _h, _w) in mine.items() if kind == "spatial"]
    links = []
    for name, (kind, value, width) in mine.items():
        other = theirs.get(name)
        links.append(
            ChainLink(
                name,
                kind,
                value,
                other[1] if other else None,
                width,
                other[2] if other else None,
                is_last_spatial=bool(spatial_names) and name == spatial_names[-1],
            )
        )
    return InputStory(
        here.input_shape[1],
        other_size,
        tuple(links),
        here.total_params if here.valid else None,
        there.total_params if there.valid else None,
    )
