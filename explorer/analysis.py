"""Shapes, parameters, MACs, memory, receptive field and worked formulas, by arithmetic alone.

No torch here and no model is built: analysing a 25-layer variant takes well under a
millisecond, so a page can re-run it on every slider move. Results are data (`Analysis`,
`LayerRow`); the CLI, the pages and the figures render them.

Definitions (batch 1, fp32):
- MACs: conv = output elements × (in_channels/groups) × K²; linear = in × out; every other layer 0
  (biases, pooling, LRN, activations and a residual block's add are not multiply-accumulates).
- activation memory: output elements × 4 bytes; the total also counts the input image. A residual
  block's memory is its inner layers' outputs plus the sum.
- receptive field: the side of the input window that one output position sees, and the jump
  (cumulative stride) between neighbouring positions, both in input pixels. Through a residual
  block it follows the body (the main path, which sees at least as far as the shortcut).
An invalid variant is never an exception: `Analysis.error` says which layer, what arrived, the
arithmetic that failed and a fix, and `rows` holds every layer before it.

Residual blocks: `rows` keeps one row per top-level layer; a block's row (type "residual") has
the whole block's output, params, MACs and memory, and its inner rows in `row.body` and
`row.shortcut`, each worked out like any other layer (formula, remainder, receptive field). The
two branches must give the same shape (no broadcasting, as in ResNet): otherwise the error names
the block, both shapes and the shortcut that would fix it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .formula import WorkedFormula, worked_formula
from .i18n import N_, Message
from .kinds import kind_info, kinds_where
from .spec import (
    LRN,
    AdaptiveAvgPool,
    BatchNorm,
    Conv,
    Dropout,
    Flatten,
    InputSpec,
    Layer,
    Linear,
    ReLU,
    Residual,
    Sigmoid,
    SpecError,
    Tanh,
    Text,
    Variant,
    VariantError,
    _Pool,
    variant_from_dict,
)

__all__ = [
    "ACTIVATION_BUDGET_BYTES",
    "PARAM_BUDGET_BYTES",
    "Analysis",
    "LayerRow",
    "analyse",
    "analyse_block",
    "analyse_config",
    "branch_names",
    "format_bytes",
    "format_count",
    "format_shape",
    "layer_names",
    "module_names",
]

BYTES_PER_VALUE = 4  # fp32
# Refuse to build anything over these: 2 GiB of weights (~537M parameters, 9× AlexNet) or 2 GiB
# of activations at batch 1. Both are checked by arithmetic before any tensor is allocated.
PARAM_BUDGET_BYTES = 2 * 1024**3
ACTIVATION_BUDGET_BYTES = 2 * 1024**3

Shape = tuple[int, ...]  # (C, H, W) for a feature map, (N,) after flatten

_NEEDS_MAP = kinds_where(needs_map=True)
_POOL_AFTER_FLATTEN = (
    N_("pooling needs a C×H×W feature map"),
    N_("move the pooling layer before flatten, or remove it"),
)
# what a layer that needs a feature map says when it comes after flatten: (message, fix), message keys
_AFTER_FLATTEN = {
    "conv": (N_("a convolution needs a C×H×W feature map"), N_("move the conv before the flatten layer, or remove it")),
    "maxpool": _POOL_AFTER_FLATTEN,
    "avgpool": _POOL_AFTER_FLATTEN,
    "adaptiveavgpool": (N_("adaptive pooling needs a C×H×W feature map"), N_("move it before flatten")),
    "lrn": (N_("LRN normalises across channels of a feature map"), N_("move it before flatten")),
}


def format_shape(shape: Shape) -> str:
    return "×".join(str(d) for d in shape)


def format_count(n: int | float) -> str:
    """61100840 -> '61.1M', 1135906176 -> '1.14G'."""
    n = float(n)
    for unit, scale in (("G", 1e9), ("M", 1e6), ("K", 1e3)):
        if abs(n) >= scale:
            return f"{n / scale:.3g}{unit}"
    return f"{n:.0f}"


def format_bytes(n: int | float) -> str:
    n = float(n)
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if abs(n) >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n:.0f} B"


def _describe_arrival(shape: Shape) -> Message:
    if len(shape) == 1:
        return Message("a flat vector of {n:,} features", n=shape[0])
    return Message("a {shape} feature map", shape=format_shape(shape))


@dataclass(frozen=True)
class LayerRow:
    index: int  # position in variant.layers; for a row inside a block, its position in that branch
    type: str
    name: str  # role name: conv1, relu1, norm1, pool1, fc6, drop6, res2a, res2a.conv1 ...
    input: Shape
    output: Shape
    params: int
    macs: int
    activation_bytes: int
    receptive_field: int | None  # None after flatten (every output sees the whole input)
    jump: int | None
    formula_h: WorkedFormula | None = None  # conv/pool only
    formula_w: WorkedFormula | None = None
    bias_terms: int = 0  # bias additions per forward pass (torchinfo counts these as mult-adds)
    body: tuple[LayerRow, ...] = ()  # a residual block's main path
    shortcut: tuple[LayerRow, ...] = ()  # a residual block's shortcut; empty for the identity
    branch: str | None = None  # "body" or "shortcut" for a row inside a block

    @property
    def output_elements(self) -> int:
        return math.prod(self.output)

    @property
    def is_block(self) -> bool:
        return self.type == Residual.type

    @property
    def identity_shortcut(self) -> bool:
        """A residual block whose shortcut passes its input unchanged."""
        return self.is_block and not self.shortcut

    def walk(self) -> Iterator[LayerRow]:
        """This row, then (for a block) its body's rows and its shortcut's rows."""
        yield self
        yield from self.body
        yield from self.shortcut

    @property
    def formulas(self) -> list[tuple[str, WorkedFormula]]:
        """[("H×W", f)] when both axes agree, else [("H", fh), ("W", fw)]."""
        if self.formula_h is None or self.formula_w is None:
            return []
        if self.formula_h == self.formula_w:
            return [("H×W", self.formula_h)]
        return [("H", self.formula_h), ("W", self.formula_w)]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "index": self.index,
            "type": self.type,
            "name": self.name,
            "output": list(self.output),
            "params": self.params,
            "macs": self.macs,
            "activation_bytes": self.activation_bytes,
            "receptive_field": self.receptive_field,
            "jump": self.jump,
        }
        if self.formulas:
            out["formula"] = "; ".join(f.text for _, f in self.formulas)
            out["remainder"] = "; ".join(f.remainder_text for _, f in self.formulas)
        if self.is_block:
            out["body"] = [r.to_dict() for r in self.body]
            out["shortcut"] = [r.to_dict() for r in self.shortcut]
        return out


@dataclass(frozen=True)
class Analysis:
    variant: Variant
    rows: tuple[LayerRow, ...]
    error: VariantError | None = None
    names: tuple[str, ...] = field(default=(), repr=False)

    @property
    def valid(self) -> bool:
        return self.error is None

    @property
    def input_shape(self) -> Shape:
        i = self.variant.input
        return (i.channels, i.height, i.width)

    @property
    def output_shape(self) -> Shape | None:
        if not self.valid:
            return None
        return self.rows[-1].output if self.rows else self.input_shape

    @property
    def total_params(self) -> int:
        return sum(r.params for r in self.rows)

    @property
    def total_macs(self) -> int:
        return sum(r.macs for r in self.rows)

    @property
    def param_bytes(self) -> int:
        return self.total_params * BYTES_PER_VALUE

    @property
    def activation_bytes(self) -> int:
        return math.prod(self.input_shape) * BYTES_PER_VALUE + sum(r.activation_bytes for r in self.rows)

    def all_rows(self) -> Iterator[LayerRow]:
        """Every row in reading order: each top-level row, a block followed by its inner rows."""
        for row in self.rows:
            yield from row.walk()

    @property
    def failing_name(self) -> str | None:
        """The role name of the failing layer ("conv3", "res3a.conv1", "res3a" for the add), None when
        valid, "input" when the input itself is refused."""
        e = self.error
        if e is None:
            return None
        if e.layer is None or e.layer >= len(self.names):
            return "input"
        block = self.variant.layers[e.layer] if e.layer < len(self.variant.layers) else None
        if e.branch is not None and isinstance(block, Residual):
            inner = branch_names(block, self.names[e.layer]).get(e.branch, [])
            if e.branch_index is not None and e.branch_index < len(inner):
                return inner[e.branch_index]
        return self.names[e.layer]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.variant.name, "input": list(self.input_shape)}
        if self.error is not None:
            error = {"layer": self.error.layer, **self.error.to_dict()}
            out["error"] = error
            out["layers"] = [r.to_dict() for r in self.rows]
            return out
        out["layers"] = [r.to_dict() for r in self.rows]
        out["output"] = list(self.output_shape or ())
        out["total_params"] = self.total_params
        out["total_macs"] = self.total_macs
        out["param_bytes"] = self.param_bytes
        out["activation_bytes"] = self.activation_bytes
        return out


# --- names ------------------------------------------------------------------------------------


def _block_letter(position: int) -> str:
    # MSRA's released ResNets name blocks res2a, res2b, ...; past z, by number
    return chr(ord("a") + position) if position < 26 else f"_{position + 1}"


def _main_path_convs(layer: Layer) -> int:
    if isinstance(layer, Residual):
        return sum(isinstance(x, Conv) for x in layer.body)
    return int(isinstance(layer, Conv))


def _vgg_stages(layers: tuple[Layer, ...] | list[Layer]) -> list[int] | None:
    """Convs per stage (a stage ends at a pooling layer) when every one of two or more stages has
    at least two convs, as in VGG; else None (AlexNet's 1, 1, 3 and LeNet's 1, 1 are not staged)."""
    groups, count = [], 0
    for layer in layers:
        if isinstance(layer, Residual):
            return None
        if isinstance(layer, (Flatten, Linear)):
            break
        if isinstance(layer, Conv):
            count += 1
        elif isinstance(layer, _Pool) and count:
            groups.append(count)
            count = 0
    if count:
        groups.append(count)
    return groups if len(groups) >= 2 and min(groups) >= 2 else None


def layer_names(layers: tuple[Layer, ...] | list[Layer]) -> list[str]:
    """Role names in the paper's style: conv1…conv5, pool1, norm1, fc6…fc8, drop6, relu7.

    Fully connected layers are numbered after the convs on the main path (five convs → fc6, as in
    the paper and Caffe; ResNet-18's 17 → fc18). A dropout is named for the linear layer it feeds
    (torchvision's order: drop6 → fc6) or, where every dropout follows a linear layer, for that one
    (Caffe's order: fc6 → relu6 → drop6). Other layers take their block's number.

    A network built of stages of several convs, each closed by a pool (VGG), is named per stage as
    in the VGG team's Caffe release: conv1_1, relu1_1, conv1_2, pool1 … conv5_3, pool5, fc6.

    Residual blocks are named as in MSRA's released ResNets: res2a, res2b, res3a … (stage 2 is the
    first; a block with a shortcut conv starts the next stage), and the activation right after a
    block for it (res2a_relu). `branch_names` gives the layers inside a block.
    """
    is_fc_dropout = [False] * len(layers)
    for i, layer in enumerate(layers):
        if isinstance(layer, Dropout):
            upcoming = next((x for x in layers[i + 1 :] if isinstance(x, (Conv, Linear, Residual))), None)
            is_fc_dropout[i] = isinstance(upcoming, Linear)
    after_style = any(is_fc_dropout) and all(
        any(isinstance(x, Linear) for x in layers[:i]) for i, fc in enumerate(is_fc_dropout) if fc
    )
    stages = _vgg_stages(layers)
    n_conv = len(stages) if stages else sum(_main_path_convs(layer) for layer in layers)
    names: list[str] = []
    used: set[str] = set()
    conv_i, fc_i, label = 0, n_conv, "0"
    stage, position = 1, -1  # VGG stage and conv in it; or ResNet stage and block in it
    follows_block: str | None = None  # the block the previous layer was, for res2a_relu
    for i, layer in enumerate(layers):
        after = follows_block
        follows_block = None
        if isinstance(layer, Conv):
            conv_i += 1
            if stages:
                position = max(position, 0) + 1
                label = f"{stage}_{position}"
            else:
                label = str(conv_i)
            name = f"conv{label}"
        elif stages and isinstance(layer, _Pool):
            if position > 0:
                label, stage, position = str(stage), stage + 1, 0
            name = f"pool{label}"
        elif isinstance(layer, Residual):
            if position < 0:
                stage, position = 2, 0
            elif layer.shortcut:
                stage, position = stage + 1, 0
            else:
                position += 1
            conv_i += _main_path_convs(layer)
            label = str(conv_i)
            name = f"res{stage}{_block_letter(position)}"
            follows_block = name
        elif isinstance(layer, Linear):
            fc_i += 1
            label = str(fc_i)
            name = f"fc{fc_i}"
        elif isinstance(layer, Flatten):
            label = str(max(int(label.split("_")[0]), n_conv))
            name = "flatten"
        else:
            short = kind_info(layer).short
            if after is not None and kind_info(layer).role == "activation":
                name = f"{after}_{short}"
            elif is_fc_dropout[i]:
                name = f"{short}{fc_i if after_style else fc_i + 1}"
            else:
                name = f"{short}{label}"
        unique, k = name, 1
        while unique in used:
            k += 1
            unique = f"{name}_{k}"
        used.add(unique)
        names.append(unique)
    return names


def module_names(layers: tuple[Layer, ...] | list[Layer], taken: set[str] | None = None) -> list[str]:
    """torchvision-style attribute names for a run of layers: conv1, bn1, relu, conv2, bn2 (a
    BasicBlock's), maxpool, avgpool, fc; repeats get _2, _3. Names in `taken` are avoided (and
    the new ones added to it)."""
    types = tuple(layer.type for layer in layers)
    if taken is None:
        return list(_module_names(types))
    return _module_names_avoiding(types, taken)


@lru_cache(maxsize=1024)  # a ResNet repeats the same few blocks; names depend on the kinds alone
def _module_names(types: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_module_names_avoiding(types, set()))


def _module_names_avoiding(types: tuple[str, ...], used: set[str]) -> list[str]:
    n_linear = types.count(Linear.type)
    conv_k = fc_k = 0
    out = []
    for kind in types:
        if kind == Conv.type:
            conv_k += 1
            base = f"conv{conv_k}"
        elif kind == BatchNorm.type:
            base = f"bn{conv_k}" if conv_k else "bn"
        elif kind == Linear.type:
            fc_k += 1
            base = "fc" if n_linear == 1 else f"fc{fc_k}"
        else:
            base = kind_info(kind).module
        unique, k = base, 1
        while unique in used:
            k += 1
            unique = f"{base}_{k}"
        used.add(unique)
        out.append(unique)
    return out


def branch_names(block: Residual, block_name: str) -> dict[str, list[str]]:
    """The role names inside a block: {"body": ["res3a.conv1", "res3a.bn1", "res3a.relu", …],
    "shortcut": ["res3a.shortcut.conv1", "res3a.shortcut.bn1"]}."""
    return {
        "body": [f"{block_name}.{n}" for n in module_names(block.body)],
        "shortcut": [f"{block_name}.shortcut.{n}" for n in module_names(block.shortcut)],
    }


# --- the walk ---------------------------------------------------------------------------------


class _Where:
    """Where a layer sits: its top-level index, and its branch and position inside a block."""

    __slots__ = ("branch", "branch_index", "index", "layer", "name")

    def __init__(
        self, index: int, layer: Layer, branch: str | None = None, branch_index: int | None = None, name: str = ""
    ):
        self.index, self.layer, self.branch, self.branch_index = index, layer, branch, branch_index
        self.name = name  # the role name the table shows: conv3, fc6, res3a.conv1

    def fail(self, arrived: Shape, message: Message, *, arithmetic: Text | None = None, fix: Message) -> VariantError:
        # Named as the per-layer table names it (conv1, fc6), never by a zero-based index.
        if self.branch is None:
            prefix = Message("{name} ({type})", name=self.name, type=self.layer.type)
            layer_type = self.layer.type
        else:
            numbers = {"name": self.name, "type": self.layer.type}
            if self.branch == "body":
                prefix = Message("{name} ({type}, on the residual block's main path)", **numbers)
            else:
                prefix = Message("{name} ({type}, on the residual block's shortcut)", **numbers)
            layer_type = Residual.type
        return VariantError(
            message=Message("{where}: {message}", where=prefix, message=message),
            layer=self.index,
            layer_type=layer_type,
            branch=self.branch,
            branch_index=self.branch_index,
            arrived=_describe_arrival(arrived),
            arithmetic=arithmetic,
            fix=fix,
        )


def _divisors(n: int) -> list[int]:
    small = [d for d in range(1, math.isqrt(n) + 1) if n % d == 0]
    return sorted(set(small + [n // d for d in small]))


def _window_fix(f: WorkedFormula) -> Message:
    padded = f.n + 2 * f.padding
    max_k = (padded - 1) // f.dilation + 1
    need_p = -(-(f.effective_kernel - f.n) // 2)
    return Message(
        "use a kernel of at most {kernel}, or padding of at least {padding}, "
        "or a larger input; this layer sees only {n} pixels here",
        kernel=max_k,
        padding=need_p,
        n=f.n,
    )


def _window_arithmetic(f: WorkedFormula) -> Message:
    """An impossible formula worked out: the numbers, and why no window fits (in words)."""
    lo, hi = ("⌈", "⌉") if f.ceil_mode else ("⌊", "⌋")
    return Message(
        "{formula}: the window ({window}) is larger than the padded input ({padded})",
        formula=f"{lo}({f.numerator_text()})/{f.stride}{hi} + 1",
        window=f.effective_kernel,
        padded=f.n + 2 * f.padding,
    )


def _spatial(
    where: _Where, shape: Shape, kernel: int, stride: int, padding: int, dilation: int, ceil_mode: bool
) -> tuple[WorkedFormula, WorkedFormula, VariantError | None]:
    _c, h, w = shape
    fh = worked_formula(h, kernel, stride, padding, dilation, ceil_mode)
    fw = fh if w == h else worked_formula(w, kernel, stride, padding, dilation, ceil_mode)
    for axis, f in (("height", fh), ("width", fw)):
        if not f.valid:
            numbers = {
                "out": str(f.out) if f.span >= 0 else "< 1",
                "window": f.effective_kernel,
                "n": f.n,
                "padding": f.padding,
                "padded": f.n + 2 * f.padding,
            }
            if axis == "height":
                message = Message(
                    "output height would be {out}: the {window}-pixel window "
                    "does not fit in {n} + 2·{padding} = {padded} pixels",
                    **numbers,
                )
            else:
                message = Message(
                    "output width would be {out}: the {window}-pixel window "
                    "does not fit in {n} + 2·{padding} = {padded} pixels",
                    **numbers,
                )
            return fh, fw, where.fail(shape, message, arithmetic=_window_arithmetic(f), fix=_window_fix(f))
    return fh, fw, None


def _projection(source: Shape, target: Shape) -> tuple[Message, bool] | None:
    """The shortcut layer that turns `source` into `target`, and whether it is a conv: a 1×1 conv
    (with the stride that gives the target's size) plus batch norm, or a linear layer for flat
    vectors; None when none does."""
    if len(source) == 1 and len(target) == 1:
        return Message("a linear layer with {n:,} outputs", n=target[0]), False
    if len(source) != 3 or len(target) != 3:
        return None
    (_c, h, w), (c_out, h_out, w_out) = source, target
    for stride in range(1, max(h, w) + 1):
        if (h - 1) // stride + 1 == h_out and (w - 1) // stride + 1 == w_out:
            if stride > 1:
                return (
                    Message(
                        "a 1×1 conv with stride {stride} and {channels} outputs, plus batchnorm",
                        stride=stride,
                        channels=c_out,
                    ),
                    True,
                )
            return Message("a 1×1 conv with {channels} outputs, plus batchnorm", channels=c_out), True
    return None


def _add_error(where: _Where, block: Residual, shape: Shape, body: Shape, shortcut: Shape) -> VariantError:
    b, s, i = format_shape(body), format_shape(shortcut), format_shape(shape)
    found = _projection(shape, body)
    if block.identity:
        message = Message(
            "the body gives {body}, the shortcut passes {shortcut} unchanged, so the two cannot be added",
            body=b,
            shortcut=s,
        )
        if found is not None and found[1]:
            fix = Message(
                "give the shortcut {projection} — ResNet's dashed shortcut; or make the body keep {shortcut}",
                projection=found[0],
                shortcut=s,
            )
        elif found is not None:
            fix = Message(
                "give the shortcut {projection}; or make the body keep {shortcut}", projection=found[0], shortcut=s
            )
        else:
            fix = Message(
                "make the body keep {shortcut}, or give the shortcut layers that turn {shortcut} into {body}",
                shortcut=s,
                body=b,
            )
    else:
        message = Message(
            "the body gives {body}, the shortcut gives {shortcut}, so the two cannot be added", body=b, shortcut=s
        )
        if found is not None:
            fix = Message(
                "make the shortcut give {body}: {projection} on the block's {input} input",
                body=b,
                projection=found[0],
                input=i,
            )
        else:
            fix = Message(
                "change the body or the shortcut so that both give the same shape (the input is {input})", input=i
            )
    return where.fail(
        shape,
        message,
        arithmetic=Message("{body} ≠ {shortcut}: a residual add needs equal shapes", body=b, shortcut=s),
        fix=fix,
    )


class _Totals:
    """Running totals of the walk, checked against the budgets after every layer."""

    def __init__(self, input_bytes: int):
        self.param_bytes = 0
        self.act_bytes = input_bytes


def _walk(
    layers: tuple[Layer, ...],
    names: list[str],
    shape: Shape,
    rf: int | None,
    jump: int | None,
    totals: _Totals,
    block_index: int | None = None,
    branch: str | None = None,
) -> tuple[list[LayerRow], Shape, int | None, int | None, VariantError | None]:
    """Walk a run of layers (the variant's, or one branch of the block at `block_index`)."""
    rows: list[LayerRow] = []
    for position, layer in enumerate(layers):
        if branch is None:
            where = _Where(position, layer, name=names[position])
        else:
            where = _Where(block_index, layer, branch, position, names[position])  # type: ignore[arg-type]
        result = _step(where, layer, position, names[position], shape, rf, jump, rows, totals)
        if isinstance(result, VariantError):
            return rows, shape, rf, jump, result
        rows.append(result)
        shape, rf, jump = result.output, result.receptive_field, result.jump
    return rows, shape, rf, jump, None


def _step(
    where: _Where,
    layer: Layer,
    position: int,
    name: str,
    shape: Shape,
    rf: int | None,
    jump: int | None,
    rows: list[LayerRow],
    totals: _Totals,
) -> LayerRow | VariantError:
    """One layer by arithmetic: its row, or why it cannot follow what arrives."""
    flat = len(shape) == 1
    params = macs = bias_terms = 0
    inner_act = 0  # a block's inner outputs, already in the totals
    fh = fw = None
    new_rf, new_jump = (rf, jump)
    body_rows: tuple[LayerRow, ...] = ()
    shortcut_rows: tuple[LayerRow, ...] = ()
    if flat and layer.type in _NEEDS_MAP:
        message, fix = _AFTER_FLATTEN[layer.type]
        return where.fail(shape, Message("{what}, but it comes after flatten", what=Message(message)), fix=Message(fix))

    if isinstance(layer, Conv):
        c_in = shape[0]
        g = layer.groups
        for what, n in (("input", c_in), ("output", layer.out_channels)):
            if n % g:
                options = [d for d in _divisors(c_in) if layer.out_channels % d == 0]
                if what == "input":
                    message = Message("groups {groups} must divide the {n} input channels", groups=g, n=n)
                else:
                    message = Message("groups {groups} must divide the {n} output channels", groups=g, n=n)
                return where.fail(
                    shape,
                    message,
                    arithmetic=Message(
                        "{n} / {groups} = {quotient}, not a whole number", n=n, groups=g, quotient=f"{n / g:.4g}"
                    ),
                    fix=Message(
                        "use groups in {options} for {c_in} in and {c_out} out channels",
                        options=str(options),
                        c_in=c_in,
                        c_out=layer.out_channels,
                    ),
                )
        fh, fw, err = _spatial(where, shape, layer.kernel, layer.stride, layer.padding, layer.dilation, False)
        if err:
            return err
        out: Shape = (layer.out_channels, fh.out, fw.out)
        per_out = (c_in // g) * layer.kernel**2
        params = layer.out_channels * per_out + (layer.out_channels if layer.bias else 0)
        macs = math.prod(out) * per_out
        bias_terms = math.prod(out) if layer.bias else 0
        k_eff = layer.dilation * (layer.kernel - 1) + 1
        new_rf, new_jump = rf + (k_eff - 1) * jump, jump * layer.stride  # type: ignore[operator]

    elif isinstance(layer, _Pool):
        stride = layer.effective_stride
        if layer.padding > layer.kernel // 2:
            numbers = {"padding": layer.padding, "kernel": layer.kernel, "half": layer.kernel // 2}
            return where.fail(
                shape,
                Message("padding {padding} is more than half the kernel {kernel}", **numbers),
                arithmetic=Message(
                    "padding must be ≤ ⌊{kernel}/2⌋ = {half} (PyTorch's rule: a window may not lie wholly in the padding)",
                    **numbers,
                ),
                fix=Message(
                    "use padding {half} or less, or a kernel of at least {least}", least=2 * layer.padding, **numbers
                ),
            )
        fh, fw, err = _spatial(where, shape, layer.kernel, stride, layer.padding, 1, layer.ceil_mode)
        if err:
            return err
        out = (shape[0], fh.out, fw.out)
        new_rf, new_jump = rf + (layer.kernel - 1) * jump, jump * stride  # type: ignore[operator]

    elif isinstance(layer, AdaptiveAvgPool):
        s = layer.size
        out = (shape[0], s, s)
        h = shape[1]
        # Bin i covers [⌊i·H/s⌋, ⌈(i+1)·H/s⌉): the widest bin sets the receptive field.
        widest = max(-(-(j + 1) * h // s) - (j * h // s) for j in range(min(s, 4096)))
        new_rf, new_jump = rf + (widest - 1) * jump, jump * max(1, h // s)  # type: ignore[operator]

    elif isinstance(layer, Linear):
        if not flat:
            c, h, w = shape
            return where.fail(
                shape,
                Message("a linear layer needs a flat vector, but a feature map arrives"),
                arithmetic=Message("flatten would give {c}·{h}·{w} = {n:,} features", c=c, h=h, w=w, n=c * h * w),
                fix=Message("add a flatten layer before it"),
            )
        n_in = shape[0]
        if layer.in_features is not None and layer.in_features != n_in:
            prev = rows[-1] if rows else None
            numbers = {"expected": layer.in_features, "n": n_in}
            if prev is not None and len(prev.input) == 3 and prev.type == "flatten":
                message = Message(
                    "it expects {expected:,} input features but {n:,} arrive ({shape} = {n:,})",
                    shape=format_shape(prev.input),
                    **numbers,
                )
            else:
                message = Message("it expects {expected:,} input features but {n:,} arrive", **numbers)
            return where.fail(
                shape,
                message,
                arithmetic=Message("in_features {expected:,} ≠ {n:,}", **numbers),
                fix=Message(
                    "set in_features to {n:,} (or remove it so it is inferred), or change the layers "
                    "before it so that {expected:,} features arrive",
                    **numbers,
                ),
            )
        out = (layer.out_features,)
        params = n_in * layer.out_features + (layer.out_features if layer.bias else 0)
        macs = n_in * layer.out_features
        bias_terms = layer.out_features if layer.bias else 0
        new_rf = new_jump = None

    elif isinstance(layer, LRN):
        out = shape

    elif isinstance(layer, BatchNorm):
        out = shape
        params = 2 * shape[0]
        bias_terms = params  # torchinfo counts BatchNorm's weight and bias as mult-adds

    elif isinstance(layer, Flatten):
        out = (math.prod(shape),)
        new_rf = new_jump = None

    elif isinstance(layer, (ReLU, Tanh, Sigmoid, Dropout)):
        out = shape

    elif isinstance(layer, Residual):
        if where.branch is not None:
            return where.fail(
                shape,
                Message("a residual block cannot contain another residual block"),
                fix=Message("put the inner block after this one, at the top level of layers"),
            )
        if not layer.body:
            return where.fail(
                shape,
                Message("the body is empty"),
                fix=Message("add the layers of the main path, or remove the block"),
            )
        inner = branch_names(layer, name)
        branch_out: dict[str, tuple[list[LayerRow], Shape, int | None, int | None]] = {}
        for branch in Residual.BRANCHES:
            got, b_shape, b_rf, b_jump, err = _walk(
                getattr(layer, branch), inner[branch], shape, rf, jump, totals, where.index, branch
            )
            if err:
                return err
            branch_out[branch] = (got, b_shape, b_rf, b_jump)
        body_list, out, new_rf, new_jump = branch_out["body"]
        shortcut_list, shortcut_shape, _rf, _jump = branch_out["shortcut"]
        if out != shortcut_shape:
            return _add_error(where, layer, shape, out, shortcut_shape)
        body_rows, shortcut_rows = tuple(body_list), tuple(shortcut_list)
        inner_rows = body_rows + shortcut_rows
        params = sum(r.params for r in inner_rows)
        macs = sum(r.macs for r in inner_rows)
        bias_terms = sum(r.bias_terms for r in inner_rows)
        inner_act = sum(r.activation_bytes for r in inner_rows)

    else:  # pragma: no cover - spec.py only creates the types above
        return where.fail(shape, Message("unsupported layer type"), fix=Message("remove it"))

    if flat and new_rf is not None:
        new_rf = new_jump = None
    act = math.prod(out) * BYTES_PER_VALUE
    if not isinstance(layer, Residual):  # a block's inner layers were added as they were walked
        totals.param_bytes += params * BYTES_PER_VALUE
    totals.act_bytes += act
    if totals.param_bytes > PARAM_BUDGET_BYTES:
        return where.fail(
            shape,
            Message(
                "the weights reach {size} here, over the {budget} budget this tool builds",
                size=format_bytes(totals.param_bytes),
                budget=format_bytes(PARAM_BUDGET_BYTES),
            ),
            arithmetic=Message("{n:,} parameters × 4 bytes", n=totals.param_bytes // BYTES_PER_VALUE),
            fix=Message("use fewer channels or features, or a smaller input before the first linear layer"),
        )
    if totals.act_bytes > ACTIVATION_BUDGET_BYTES:
        return where.fail(
            shape,
            Message(
                "activations reach {size} at batch 1 here, over the {budget} budget",
                size=format_bytes(totals.act_bytes),
                budget=format_bytes(ACTIVATION_BUDGET_BYTES),
            ),
            arithmetic=Message(
                "this layer's output {shape} × 4 bytes = {size}", shape=format_shape(out), size=format_bytes(act)
            ),
            fix=Message("use a smaller input, more stride early, or fewer channels"),
        )
    return LayerRow(
        index=position,
        type=layer.type,
        name=name,
        input=shape,
        output=out,
        params=params,
        macs=macs,
        activation_bytes=act + inner_act,
        receptive_field=new_rf,
        jump=new_jump,
        formula_h=fh,
        formula_w=fw,
        bias_terms=bias_terms,
        body=body_rows,
        shortcut=shortcut_rows,
        branch=where.branch,
    )


@lru_cache(maxsize=512)  # pure, and its result frozen: a page asks for the same few variants on every rerun
def analyse(variant: Variant) -> Analysis:
    """Walk the layers once, by arithmetic; stops at the first invalid layer."""
    names = layer_names(variant.layers)
    i = variant.input
    shape: Shape = (i.channels, i.height, i.width)
    input_bytes = math.prod(shape) * BYTES_PER_VALUE
    if input_bytes > ACTIVATION_BUDGET_BYTES:
        error = VariantError(
            Message(
                "the input {shape} alone takes {size}, over the {budget} activation budget",
                shape=format_shape(shape),
                size=format_bytes(input_bytes),
                budget=format_bytes(ACTIVATION_BUDGET_BYTES),
            ),
            fix=Message("use a smaller input size"),
        )
        return Analysis(variant, (), error, tuple(names))
    rows, _shape, _rf, _jump, error = _walk(variant.layers, names, shape, 1, 1, _Totals(input_bytes))
    return Analysis(variant, tuple(rows), error, tuple(names))


def analyse_block(block: Residual, in_shape: Shape, name: str = "res") -> LayerRow:
    """One residual block on its own, given the shape that arrives (what the builder needs to size
    its inner layers); raises `SpecError` (a ValueError whose `.error` is the engine's
    `VariantError`) when the block is invalid there."""
    result = _step(
        _Where(0, block, name=name), block, 0, name, tuple(in_shape), 1, 1, [], _Totals(math.prod(in_shape) * BYTES_PER_VALUE)
    )
    if isinstance(result, VariantError):
        raise SpecError(result)
    return result


def analyse_config(config: Any) -> Analysis:
    """Analyse a Variant or a raw config dict; a config that cannot be read becomes an error."""
    if isinstance(config, Variant):
        return analyse(config)
    try:
        variant = variant_from_dict(config)
    except SpecError as exc:
        name = config.get("name") if isinstance(config, dict) else None
        partial = exc.partial or Variant(name if isinstance(name, str) else "custom", InputSpec(), ())
        analysis = analyse(partial)
        return Analysis(partial, analysis.rows, exc.error, analysis.names)
    return analyse(variant)
