"""Layer kinds in one place: each kind's JSON name and the facts the engine, builder and pages use.

`Kind` is a `StrEnum` whose values are the config's `"type"` strings, so `Kind.CONV == "conv"` and a
`LayerRow.type` or `Layer.type` can be looked up directly: `KINDS["maxpool"].spatial`. Adding a kind
is one entry here, one dataclass in spec.py and its branch in analysis.py and build.py (a test
checks that spec.py's `LAYER_TYPES` and this table name the same kinds).

Facts:
- spatial: can change the map's height and width (conv, pooling, adaptive pooling, a residual block)
- windowed: has a kernel, stride and padding, so its output size is the worked formula (conv, pools)
- weighted: has a weight kernel or matrix, the layers a network's depth counts (conv, linear: the
  18 of ResNet-18 counts 17 convs on the main path and one linear layer)
- learned: has any learned parameters (also batch norm; a residual block through its branches)
- needs_map: must receive a C×H×W feature map, never a flat vector
- elementwise: keeps the shape and has no parameters (activations, dropout, LRN)
- defines_role: a row of the Compare page's aligned table (the rest show with all layers)
- role: conv, pool, norm, activation, dropout, reshape, fc or block
- short: the prefix of its role name (conv1, pool1, norm1, bn1, relu1, drop6, fc6, res2a)
- module: its attribute name in a torchvision-style module (conv1, bn1, relu, maxpool, avgpool, fc)
- word: what a sentence calls it ("max pooling", "batch norm"), the English message key; `label`
  is the word in the current language (最大池化, 批量归一化)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .i18n import N_, _

__all__ = ["KINDS", "Kind", "KindInfo", "kind_info", "kinds_where"]


class Kind(StrEnum):
    CONV = "conv"
    RELU = "relu"
    TANH = "tanh"
    SIGMOID = "sigmoid"
    LRN = "lrn"
    MAXPOOL = "maxpool"
    AVGPOOL = "avgpool"
    ADAPTIVEAVGPOOL = "adaptiveavgpool"
    BATCHNORM = "batchnorm"
    FLATTEN = "flatten"
    DROPOUT = "dropout"
    LINEAR = "linear"
    RESIDUAL = "residual"


@dataclass(frozen=True)
class KindInfo:
    kind: Kind
    role: str
    short: str
    module: str
    word: str
    spatial: bool = False
    windowed: bool = False
    weighted: bool = False
    learned: bool = False
    needs_map: bool = False
    elementwise: bool = False
    defines_role: bool = False

    @property
    def label(self) -> str:
        """The kind's name in the current language."""
        return _(self.word)


def _info(kind: Kind, role: str, short: str, module: str, word: str, **facts: bool) -> KindInfo:
    return KindInfo(kind, role, short, module, word, **facts)


KINDS: dict[Kind, KindInfo] = {
    info.kind: info
    for info in (
        _info(
            Kind.CONV,
            "conv",
            "conv",
            "conv",
            N_("convolution"),
            spatial=True,
            windowed=True,
            weighted=True,
            learned=True,
            needs_map=True,
            defines_role=True,
        ),
        _info(Kind.RELU, "activation", "relu", "relu", N_("ReLU"), elementwise=True),
        _info(Kind.TANH, "activation", "tanh", "tanh", N_("tanh"), elementwise=True),
        _info(Kind.SIGMOID, "activation", "sigmoid", "sigmoid", N_("sigmoid"), elementwise=True),
        _info(Kind.LRN, "norm", "norm", "lrn", N_("LRN"), needs_map=True, elementwise=True),
        _info(
            Kind.MAXPOOL,
            "pool",
            "pool",
            "maxpool",
            N_("max pooling"),
            spatial=True,
            windowed=True,
            needs_map=True,
            defines_role=True,
        ),
        _info(
            Kind.AVGPOOL,
            "pool",
            "pool",
            "avgpool",
            N_("average pooling"),
            spatial=True,
            windowed=True,
            needs_map=True,
            defines_role=True,
        ),
        _info(
            Kind.ADAPTIVEAVGPOOL,
            "pool",
            "adaptpool",
            "avgpool",
            N_("adaptive average pooling"),
            spatial=True,
            needs_map=True,
            defines_role=True,
        ),
        _info(Kind.BATCHNORM, "norm", "bn", "bn", N_("batch norm"), learned=True),
        _info(Kind.FLATTEN, "reshape", "flatten", "flatten", N_("flatten"), defines_role=True),
        _info(Kind.DROPOUT, "dropout", "drop", "dropout", N_("dropout"), elementwise=True),
        _info(Kind.LINEAR, "fc", "fc", "fc", N_("linear"), weighted=True, learned=True, defines_role=True),
        _info(
            Kind.RESIDUAL, "block", "res", "layer", N_("residual block"), spatial=True, learned=True, defines_role=True
        ),
    )
}


def kind_info(kind: str | object) -> KindInfo:
    """The facts of a kind, given its name ("conv"), a `Kind`, or anything with a `.type` (a layer, a row)."""
    name = kind if isinstance(kind, str) else getattr(kind, "type", None)
    try:
        return KINDS[name]  # type: ignore[index]  # a Kind hashes and compares as its name
    except (KeyError, TypeError):
        raise KeyError(f"unknown layer kind {name!r}") from None


def kinds_where(**facts: bool | str) -> frozenset[str]:
    """The kind names whose facts match, e.g. kinds_where(defines_role=True), kinds_where(role="pool")."""
    for name in facts:
        if name not in KindInfo.__dataclass_fields__ or name == "kind":
            raise TypeError(f"unknown kind fact {name!r}")
    return frozenset(info.kind.value for info in KINDS.values() if all(getattr(info, k) == v for k, v in facts.items()))
