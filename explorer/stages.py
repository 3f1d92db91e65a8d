"""Networks of different families side by side, by stage: AlexNet vs VGG-16 vs ResNet.

A stage ends where the map shrinks (a stride or a pool), so AlexNet's conv1 + pool1, VGG's
conv1_1 + conv1_2 + pool1 and ResNet's stem line up as "stage 1" though their layers differ. The
notes compute the facts a teacher states about these families (depth, where the parameters live,
what two stacked 3×3 convs buy) from the variant itself, never typed in.
"""

from __future__ import annotations

from dataclasses import dataclass

from .analysis import Analysis, format_count, format_shape
from .i18n import _

__all__ = ["Stage", "architecture_notes", "stages"]

WEIGHTED = ("conv", "linear")


@dataclass(frozen=True)
class Stage:
    index: int  # 1-based; the classifier (after flatten) is the last stage, named "classifier"
    name: str  # a stable id ("stage 2", "classifier"); `label` is what a reader sees
    layers: tuple[str, ...]  # top-level layer names
    weighted: int  # conv and linear layers, those inside residual blocks included
    output: tuple[int, ...]
    params: int
    macs: int
    receptive_field: int | None

    @property
    def output_text(self) -> str:
        return format_shape(self.output)

    @property
    def label(self) -> str:
        """The stage's name in the current language ("stage 2", "第 2 阶段"; "classifier", "分类器")."""
        return _("classifier") if self.name == "classifier" else _("stage {n}", n=self.index)


def _main_path(row) -> list:
    """The row itself, or a block's body rows (the path the name's depth counts: ResNet-18's 18)."""
    return list(row.body) if row.is_block else [row]


def _weighted(row) -> int:
    return sum(1 for r in _main_path(row) if r.type in WEIGHTED)


def _shrinks(row) -> bool:
    return len(row.input) == 3 and len(row.output) == 3 and row.output[1] < row.input[1]


def stages(analysis: Analysis) -> list[Stage]:
    """The analysed rows grouped into stages: a new stage starts at a conv or block after a pool has
    shrunk the map, or at a conv or block that shrinks it itself; from the adaptive pool or flatten
    on is the classifier."""
    groups: list[list] = [[]]
    ended = False  # a pool (or another unweighted layer) shrank the map after the stage's convs
    head = False
    for row in analysis.rows:
        weighted = row.type == "conv" or row.is_block
        has_weights = any(_weighted(r) for r in groups[-1])
        if not head and row.type in ("adaptiveavgpool", "flatten"):
            head = True
            groups.append([])
        elif not head and weighted and has_weights and (ended or _shrinks(row)):
            # ResNet's stages start at the block that downsamples; AlexNet's and VGG's after a pool
            groups.append([])
            ended = False
        groups[-1].append(row)
        if _shrinks(row) and not weighted:
            ended = True
    out = []
    for k, rows in enumerate(g for g in groups if g):
        last = rows[-1]
        is_head = any(r.type in ("flatten", "adaptiveavgpool") for r in rows)
        out.append(
            Stage(
                k + 1,
                "classifier" if is_head else f"stage {k + 1}",
                tuple(r.name for r in rows),
                sum(_weighted(r) for r in rows),
                last.output,
                sum(r.params for r in rows),
                sum(r.macs for r in rows),
                last.receptive_field,
            )
        )
    return out


def architecture_notes(analysis: Analysis) -> list[str]:
    """What a teacher says about this network, computed: depth, the largest layer, stacked 3×3 convs, blocks.

    Rendered in the current language (the numbers are the same in both)."""
    if not analysis.valid or not analysis.rows:
        return []
    name = analysis.variant.name
    rows = list(analysis.rows)
    flat = [r for row in rows for r in (list(row.body) + list(row.shortcut) if row.is_block else [row])]
    depth = sum(_weighted(r) for r in rows)
    total = analysis.total_params
    notes = [
        _(
            "{name}: {depth} weighted layers on its main path (conv and linear), {total:,} parameters, "
            "{macs} multiply-accumulates per image.",
            name=name,
            depth=depth,
            total=total,
            macs=format_count(analysis.total_macs),
        )
    ]
    biggest = max(flat, key=lambda r: r.params)
    if total:
        notes.append(
            _(
                "{name}'s largest layer is {layer}: {params} of {total} parameters ({share:.0f}%).",
                name=name,
                layer=biggest.name,
                params=format_count(biggest.params),
                total=format_count(total),
                share=100 * biggest.params / total,
            )
        )
    layers = analysis.variant.layers
    for i in range(len(layers) - 2):
        a, b = layers[i], layers[i + 2]
        if (
            a.type == "conv"
            and b.type == "conv"
            and layers[i + 1].type in ("relu", "batchnorm")
            and a.kernel == b.kernel == 3
            and a.stride == b.stride == 1
            and a.out_channels == b.out_channels
            and rows[i].input[0] == a.out_channels
        ):
            c = a.out_channels
            two, one = 2 * 9 * c * c, 25 * c * c
            notes.append(
                _(
                    "{first} + {second}: two stacked 3×3 convs see a 5×5 window with "
                    "2·9·{c}² = {two:,} weights, where one 5×5 conv would need 25·{c}² = {one:,} "
                    "({saving:.0f}% fewer) and one ReLU less.",
                    first=rows[i].name,
                    second=rows[i + 2].name,
                    c=c,
                    two=two,
                    one=one,
                    saving=100 * (one - two) / one,
                )
            )
            break
    blocks = [r for r in rows if r.is_block]
    if blocks:
        dashed = sum(1 for r in blocks if not r.identity_shortcut)
        notes.append(
            _(
                "{name} has {blocks} residual blocks: {solid} with an identity shortcut "
                "(solid), {dashed} with a 1×1 conv shortcut where the shape changes (dashed).",
                name=name,
                blocks=len(blocks),
                solid=len(blocks) - dashed,
                dashed=dashed,
            )
        )
    return notes
