"""The config format: frozen dataclasses for a variant and its layers, JSON in and out.

A variant is `Variant(name, input, layers)`; each layer is one small frozen dataclass, and a
`Residual` block holds two plain layer lists (`body`, `shortcut`; output = body(x) + shortcut(x),
an empty shortcut is the identity; no block inside a block). Everything is hashable, so a variant is a cache key, and comparable, so two variants can be diffed.

Parsing never lets a Python exception reach a user: `variant_from_dict` and `variant_from_json`
raise only `SpecError`, which carries a `VariantError` (what was wrong, where, and how to fix it)
and the layers parsed before the bad one, so a page can still show every layer up to the failing
one. The JSON reader refuses what Python's json would choke on or pass through: integers of more
than MAX_NUMBER_DIGITS digits, numbers too large for a float (1e999), NaN and Infinity. Text
fields refuse control characters, lone surrogates and non-characters (see `text_error`), so a
parsed name always prints.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .i18n import N_, Message, _

__all__ = [
    "LAYER_TYPES",
    "LRN",
    "MAX_INT",
    "MAX_JSON_CHARS",
    "MAX_LAYERS",
    "MAX_NAME_CHARS",
    "MAX_NUMBER_DIGITS",
    "MAX_TEXT_CHARS",
    "AdaptiveAvgPool",
    "AvgPool",
    "BatchNorm",
    "Conv",
    "Dropout",
    "Flatten",
    "InputSpec",
    "Layer",
    "Linear",
    "MaxPool",
    "ReLU",
    "Residual",
    "Sigmoid",
    "SpecError",
    "Tanh",
    "Text",
    "Variant",
    "VariantError",
    "variant_from_dict",
    "variant_from_json",
    "text_error",
    "variant_to_json",
]

# Sanity limits on a single value, so that arbitrary JSON can never ask for absurd arithmetic.
# The real size guard is the memory budget in analysis.py; these only bound the numbers.
MAX_INT = 1_000_000
MAX_LAYERS = 256
MAX_JSON_CHARS = 200_000
MAX_NAME_CHARS = 80  # a longer name is cut to this many characters
MAX_TEXT_CHARS = 2000  # description and source are cut to this many characters
# A JSON integer with more digits than this is refused before Python converts it (Python itself
# refuses more than 4,300 digits with a bare ValueError); shorter ones get the field's own message.
MAX_NUMBER_DIGITS = 100


Text = Message | str  # a message as data, or text that reads the same in every language (numbers, formulas)


@dataclass(frozen=True)
class VariantError:
    """Why a variant is invalid, in words a student can act on.

    `message`, `arrived`, `arithmetic` and `fix` are `Message`s (a key and its numbers; plain text
    where it reads the same in every language, such as a formula), so one error, cached and shared
    by sessions in different languages, renders in each reader's language: `str(error.message)`,
    `f"{error.fix}"`, `str(error)` and `to_dict()` give the current language's words
    (`explorer.i18n.using` picks another).
    """

    message: Text
    layer: int | None = None  # index into variant.layers; None for the input or the whole document
    layer_type: str | None = None
    branch: str | None = None  # "body" or "shortcut" when the layer is inside the residual block `layer`
    branch_index: int | None = None  # index into that branch
    arrived: Text | None = None  # what reached the layer, e.g. "a flat vector of 9,216 features"
    arithmetic: Text | None = None  # the calculation that failed, worked out
    fix: Text | None = None

    def to_dict(self) -> dict[str, Any]:
        """Its fields (those that are set), the words rendered in the current language."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return {k: str(v) if isinstance(v, Message) else v for k, v in out.items() if v is not None}

    def __str__(self) -> str:
        parts = [str(self.message)]
        if self.arithmetic:
            parts.append(_("Arithmetic: {text}", text=self.arithmetic))
        if self.fix:
            parts.append(_("Fix: {text}", text=self.fix))
        return " ".join(parts)


class SpecError(ValueError):
    """A config that cannot be read; `.error` says why, `.partial` holds what came before.

    `str()` renders the error in the current language when asked, not when raised."""

    def __init__(self, error: VariantError, partial: Variant | None = None):
        super().__init__(error)
        self.error = error
        self.partial = partial

    def __str__(self) -> str:
        return str(self.error)


# --- field kinds ------------------------------------------------------------------------------
# (kind, default); kind is one of: "pos" (integer >= 1), "nonneg" (integer >= 0), "bool",
# "prob" (0 <= p <= 1), "posfloat" (> 0), "nonnegfloat" (>= 0). `REQUIRED` marks no default.
REQUIRED = object()


@dataclass(frozen=True)
class Layer:
    """Base of all layer types; `type` is the JSON name."""

    type: ClassVar[str] = ""
    FIELDS: ClassVar[dict[str, tuple[str, Any]]] = {}

    def to_dict(self, *, compact: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type}
        for name, (_kind, default) in self.FIELDS.items():
            value = getattr(self, name)
            if compact and default is not REQUIRED and value == default and name != "stride":
                continue
            if value is None:
                continue
            out[name] = value
        return out

    def replace(self, **changes: Any) -> Layer:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Conv(Layer):
    out_channels: int
    kernel: int
    stride: int = 1
    padding: int = 0
    dilation: int = 1
    groups: int = 1
    bias: bool = True
    type: ClassVar[str] = "conv"
    FIELDS: ClassVar = {
        "out_channels": ("pos", REQUIRED),
        "kernel": ("pos", REQUIRED),
        "stride": ("pos", 1),
        "padding": ("nonneg", 0),
        "dilation": ("pos", 1),
        "groups": ("pos", 1),
        "bias": ("bool", True),
    }


@dataclass(frozen=True)
class ReLU(Layer):
    type: ClassVar[str] = "relu"


@dataclass(frozen=True)
class Tanh(Layer):
    type: ClassVar[str] = "tanh"


@dataclass(frozen=True)
class Sigmoid(Layer):
    type: ClassVar[str] = "sigmoid"


@dataclass(frozen=True)
class LRN(Layer):
    """Local response normalisation, the paper's formula b = a / (k + α·Σa²)^β (sum not divided)."""

    size: int = 5
    alpha: float = 1e-4
    beta: float = 0.75
    k: float = 2.0
    type: ClassVar[str] = "lrn"
    FIELDS: ClassVar = {
        "size": ("pos", 5),
        "alpha": ("nonnegfloat", 1e-4),
        "beta": ("nonnegfloat", 0.75),
        "k": ("posfloat", 2.0),
    }


@dataclass(frozen=True)
class _Pool(Layer):
    kernel: int
    stride: int | None = None  # None means "= kernel", as in PyTorch
    padding: int = 0
    ceil_mode: bool = False
    FIELDS: ClassVar = {
        "kernel": ("pos", REQUIRED),
        "stride": ("pos", None),
        "padding": ("nonneg", 0),
        "ceil_mode": ("bool", False),
    }

    @property
    def effective_stride(self) -> int:
        return self.kernel if self.stride is None else self.stride


@dataclass(frozen=True)
class MaxPool(_Pool):
    type: ClassVar[str] = "maxpool"


@dataclass(frozen=True)
class AvgPool(_Pool):
    type: ClassVar[str] = "avgpool"


@dataclass(frozen=True)
class AdaptiveAvgPool(Layer):
    size: int
    type: ClassVar[str] = "adaptiveavgpool"
    FIELDS: ClassVar = {"size": ("pos", REQUIRED)}


@dataclass(frozen=True)
class BatchNorm(Layer):
    type: ClassVar[str] = "batchnorm"


@dataclass(frozen=True)
class Flatten(Layer):
    type: ClassVar[str] = "flatten"


@dataclass(frozen=True)
class Dropout(Layer):
    p: float = 0.5
    type: ClassVar[str] = "dropout"
    FIELDS: ClassVar = {"p": ("prob", 0.5)}


@dataclass(frozen=True)
class Linear(Layer):
    out_features: int
    bias: bool = True
    in_features: int | None = None  # only to state an expectation; a mismatch makes the variant invalid
    type: ClassVar[str] = "linear"
    FIELDS: ClassVar = {
        "out_features": ("pos", REQUIRED),
        "bias": ("bool", True),
        "in_features": ("pos", None),
    }


@dataclass(frozen=True)
class Residual(Layer):
    """A residual block: output = body(x) + shortcut(x); an empty shortcut is the identity.

    The two branches are plain layer lists (no block inside a block). The ReLU after the add is an
    ordinary layer after the block, as in the config format other tools read.
    """

    body: tuple[Layer, ...]
    shortcut: tuple[Layer, ...] = ()
    type: ClassVar[str] = "residual"
    BRANCHES: ClassVar[tuple[str, ...]] = ("body", "shortcut")

    def __post_init__(self) -> None:
        # lists become tuples, so a block built in Python stays hashable
        object.__setattr__(self, "body", tuple(self.body))
        object.__setattr__(self, "shortcut", tuple(self.shortcut))

    @property
    def identity(self) -> bool:
        return not self.shortcut

    @property
    def layer_count(self) -> int:
        """The block and every layer inside it (what MAX_LAYERS counts)."""
        return 1 + len(self.body) + len(self.shortcut)

    def to_dict(self, *, compact: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "body": [layer.to_dict(compact=compact) for layer in self.body]}
        if self.shortcut or not compact:
            out["shortcut"] = [layer.to_dict(compact=compact) for layer in self.shortcut]
        return out


LAYER_TYPES: dict[str, type[Layer]] = {
    cls.type: cls
    for cls in (
        Conv,
        ReLU,
        Tanh,
        Sigmoid,
        LRN,
        MaxPool,
        AvgPool,
        AdaptiveAvgPool,
        BatchNorm,
        Flatten,
        Dropout,
        Linear,
        Residual,
    )
}


@dataclass(frozen=True)
class InputSpec:
    channels: int = 3
    height: int = 224
    width: int = 224

    def to_dict(self) -> dict[str, int]:
        return {"channels": self.channels, "height": self.height, "width": self.width}


@dataclass(frozen=True)
class Variant:
    """One network: a name, an input shape and a flat list of layers.

    A preset's description is a `Message` (it reads in the reader's language); a config's is the
    text it was written with. `str(variant.description)` gives either.
    """

    name: str
    input: InputSpec
    layers: tuple[Layer, ...]
    description: Text = field(default="", compare=False)
    source: Text = field(default="", compare=False)

    def to_dict(self, *, compact: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "input": self.input.to_dict(),
            "layers": [layer.to_dict(compact=compact) for layer in self.layers],
        }
        if self.description and not compact:
            out["description"] = str(self.description)
        if self.source and not compact:
            out["source"] = str(self.source)
        return out

    def with_layers(self, layers: list[Layer] | tuple[Layer, ...]) -> Variant:
        return dataclasses.replace(self, layers=tuple(layers))

    def with_input(self, **changes: int) -> Variant:
        return dataclasses.replace(self, input=dataclasses.replace(self.input, **changes))

    def renamed(self, name: str) -> Variant:
        return dataclasses.replace(self, name=name)


# --- parsing ----------------------------------------------------------------------------------
# Every message is a `Message`: its key is the English text, its parameters the numbers, field
# names and the user's own text, so the error reads in either language from the same data.


# Numbers at or above this are shown by their digit count, so a message stays short and never
# asks Python to turn a huge integer into text.
_SHOWN_DIGITS = 15


def _digit_count(n: int) -> int:
    n = abs(n)
    if n < 10**_SHOWN_DIGITS:
        return len(str(n))
    digits = int(math.log10(n)) + 1  # float rounding can be off by one either way near a power of ten
    if n < 10 ** (digits - 1):
        digits -= 1
    elif n >= 10**digits:
        digits += 1
    return digits


def _show_int(n: int, *, commas: bool = False) -> Text:
    if abs(n) < 10**_SHOWN_DIGITS:
        return f"{n:,}" if commas else str(n)
    if n < 0:
        return Message("a {digits:,}-digit negative number", digits=_digit_count(n))
    return Message("a {digits:,}-digit number", digits=_digit_count(n))


def _describe(value: Any) -> Text:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**_SHOWN_DIGITS:
        return _show_int(value)
    if isinstance(value, list):
        return Message("a list")
    if isinstance(value, dict):
        return Message("an object")
    if isinstance(value, (int, float, str, bool, type(None))):
        text = json.dumps(value)
    else:
        text = type(value).__name__
    return text if len(text) <= 40 else text[:37] + "..."


def _over_limit(where: Text, shown: Text) -> Message:
    return Message("{where} is {shown}, over the limit of {limit:,}", where=where, shown=shown, limit=MAX_INT)


def _check_value(kind: str, value: Any, where: Text) -> tuple[Any, Message | None]:
    """Return (clean value, None) or (None, message)."""
    if kind in ("pos", "nonneg"):
        whole = Message("{where} must be a whole number, got {value}", where=where, value=_describe(value))
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None, whole
        if isinstance(value, float):
            if not math.isfinite(value) or not value.is_integer():
                return None, whole
            value = int(value)
        if kind == "pos" and value < 1:
            return None, Message("{where} must be at least 1, got {value}", where=where, value=_show_int(value))
        if value < 0:
            return None, Message("{where} must be 0 or more, got {value}", where=where, value=_show_int(value))
        if value > MAX_INT:
            return None, _over_limit(where, _show_int(value, commas=True))
        return value, None
    if kind == "bool":
        if not isinstance(value, bool):
            return None, Message("{where} must be true or false, got {value}", where=where, value=_describe(value))
        return value, None
    # float kinds
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None, Message("{where} must be a number, got {value}", where=where, value=_describe(value))
    try:
        value = float(value) + 0.0  # + 0.0 turns -0.0 into 0.0
    except OverflowError:  # an integer too large for a float
        return None, _over_limit(where, _show_int(value, commas=True))
    if not math.isfinite(value):
        return None, Message("{where} must be a finite number, got {value}", where=where, value=_describe(value))
    shown = f"{value:g}"  # the number as written, in either language
    if kind == "prob" and not 0.0 <= value <= 1.0:
        return None, Message("{where} must be between 0 and 1, got {value}", where=where, value=shown)
    if kind == "posfloat" and value <= 0:
        return None, Message("{where} must be greater than 0, got {value}", where=where, value=shown)
    if kind == "nonnegfloat" and value < 0:
        return None, Message("{where} must be 0 or more, got {value}", where=where, value=shown)
    if abs(value) > MAX_INT:
        return None, _over_limit(where, shown)
    return value, None


# Characters refused in the config's text: control characters (tab and newline are allowed in
# description and source), lone surrogates (half of a UTF-16 pair: no encoding can print one) and
# Unicode non-characters. Each would break a terminal, a page or an encoder downstream.
_NONCHARACTERS = r"\ufdd0-\ufdef" + "".join(rf"\U{plane:04x}fffe\U{plane:04x}ffff" for plane in range(17))
_BAD_IN_LINE = re.compile(rf"[\x00-\x1f\x7f-\x9f\ud800-\udfff{_NONCHARACTERS}]")
_BAD_IN_TEXT = re.compile(rf"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff{_NONCHARACTERS}]")


def _bad_character_kind(char: str) -> Message:
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return Message("a lone surrogate, half of a character pair")
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return Message("a control character")
    return Message("a Unicode non-character")


def text_error(text: str, where: Text, *, multiline: bool = False) -> VariantError | None:
    """Why `text` cannot go into a variant (a control character, lone surrogate or non-character),
    or None. `where` names the field in the message ("name", or a `Message`); `multiline` allows
    tab and newline. The parser applies it to name (multiline=False), description and source
    (multiline=True)."""
    bad = (_BAD_IN_TEXT if multiline else _BAD_IN_LINE).search(text)
    if bad is None:
        return None
    code = f"U+{ord(bad.group()):04X}"
    return VariantError(
        Message(
            "{where} contains the character {code} ({kind}), which cannot be shown",
            where=where,
            code=code,
            kind=_bad_character_kind(bad.group()),
        ),
        fix=Message("remove the character {code} from {where}", code=code, where=where),
    )


def _check_text(text: str, where: str, *, multiline: bool) -> None:
    error = text_error(text, where, multiline=multiline)
    if error is not None:
        raise SpecError(error)


def _sorted_keys(keys: Any) -> list[Any]:
    # keys from JSON are text; a dict built in Python may mix types, which sorted() alone refuses
    return sorted(keys, key=lambda k: (not isinstance(k, str), str(k)))


def _parse_layer(index: int, raw: Any, inside: tuple[str, int] | None = None) -> Layer:
    """One layer; `inside` is (branch, position) for a layer inside the residual block `index`."""
    if inside is None:
        where = Message("layer {index}", index=index)
    else:
        numbers = {"index": index, "position": inside[1]}
        if inside[0] == "body":
            where = Message("layer {index} (residual) body layer {position}", **numbers)
        else:
            where = Message("layer {index} (residual) shortcut layer {position}", **numbers)
    types = ", ".join(LAYER_TYPES if inside is None else [t for t in LAYER_TYPES if t != Residual.type])

    def fail(message: Message, fix: Message, layer_type: str | None = None) -> SpecError:
        if inside is not None:
            return SpecError(
                VariantError(
                    message,
                    layer=index,
                    layer_type=Residual.type,
                    branch=inside[0],
                    branch_index=inside[1],
                    fix=fix,
                )
            )
        return SpecError(VariantError(message, layer=index, layer_type=layer_type, fix=fix))

    if not isinstance(raw, dict):
        raise fail(
            Message(
                '{where} must be an object like {{"type": "relu"}}, got {value}', where=where, value=_describe(raw)
            ),
            Message('write each layer as a JSON object with a "type" field'),
        )
    layer_type = raw.get("type")
    if not isinstance(layer_type, str):
        raise fail(
            Message('{where} has no "type" (got {value})', where=where, value=_describe(layer_type)),
            Message('add "type": one of {types}', types=types),
        )
    cls = LAYER_TYPES.get(layer_type.lower())
    if cls is None:
        raise fail(
            Message("{where}: unknown type {value}", where=where, value=_describe(layer_type)),
            Message("use one of {types}", types=types),
            layer_type,
        )
    if cls is Residual:
        if inside is not None:
            raise fail(
                Message("{where}: a residual block cannot contain another residual block", where=where),
                Message("put the inner block after this one, at the top level of layers"),
            )
        return _parse_residual(index, raw, fail)
    unknown = _sorted_keys(set(raw) - set(cls.FIELDS) - {"type"})
    if unknown:
        raise fail(
            Message("{where} ({type}): unknown field {value}", where=where, type=cls.type, value=_describe(unknown[0])),
            Message("remove it; {type} takes {fields}", type=cls.type, fields=", ".join(cls.FIELDS))
            if cls.FIELDS
            else Message("remove it; {type} takes no fields", type=cls.type),
            cls.type,
        )
    values: dict[str, Any] = {}
    for name, (kind, default) in cls.FIELDS.items():
        if name not in raw or (raw[name] is None and default is None):
            if default is REQUIRED:
                raise fail(
                    Message('{where} ({type}) is missing "{field}"', where=where, type=cls.type, field=name),
                    Message('add "{field}" to the layer', field=name),
                    cls.type,
                )
            values[name] = default
            continue
        field_where = Message("{where} ({type}) {field}", where=where, type=cls.type, field=name)
        value, problem = _check_value(kind, raw[name], field_where)
        if problem:
            raise fail(problem, Message("set {field} to a valid value", field=name), cls.type)
        values[name] = value
    return cls(**values)


def _parse_residual(index: int, raw: dict[str, Any], fail: Any) -> Residual:
    where = Message("layer {index} (residual)", index=index)
    unknown = _sorted_keys(set(raw) - {"type", *Residual.BRANCHES})
    if unknown:
        raise fail(
            Message("{where}: unknown field {value}", where=where, value=_describe(unknown[0])),
            Message("remove it; residual takes body and shortcut (both lists of layers)"),
            Residual.type,
        )
    if "body" not in raw:
        raise fail(
            Message('{where} is missing "body"', where=where),
            Message('add "body": the list of layers on the main path'),
            Residual.type,
        )
    branches: dict[str, tuple[Layer, ...]] = {}
    for branch in Residual.BRANCHES:
        items = raw.get(branch)
        if branch == "shortcut" and items is None:
            items = []  # omitted or null: the identity
        if not isinstance(items, list):
            raise fail(
                Message(
                    "{where} {branch} must be a list of layers, got {value}",
                    where=where,
                    branch=branch,
                    value=_describe(items),
                ),
                Message('write "shortcut": [ ... ] ([] for the identity)')
                if branch == "shortcut"
                else Message('write "{branch}": [ ... ]', branch=branch),
                Residual.type,
            )
        if branch == "body" and not items:
            raise fail(
                Message("{where} body is empty", where=where),
                Message("add the layers of the main path to body, or remove the block"),
                Residual.type,
            )
        branches[branch] = tuple(_parse_layer(index, item, (branch, j)) for j, item in enumerate(items))
    return Residual(branches["body"], branches["shortcut"])


def _layer_count(layers: list[Any]) -> int:
    """Layers, counting those inside residual blocks (a malformed block counts as one)."""
    count = 0
    for raw in layers:
        count += 1
        if isinstance(raw, dict) and isinstance(raw.get("type"), str) and raw["type"].lower() == Residual.type:
            count += sum(len(raw[b]) for b in Residual.BRANCHES if isinstance(raw.get(b), list))
    return count


# the input's fields as a message names them (message keys)
_INPUT_FIELDS = {"channels": N_("input channels"), "height": N_("input height"), "width": N_("input width")}


def _parse_input(raw: Any) -> InputSpec:
    if raw is None:
        return InputSpec()
    if not isinstance(raw, dict):
        raise SpecError(
            VariantError(
                Message(
                    '"input" must be an object like {{"channels": 3, "height": 224, "width": 224}}, got {value}',
                    value=_describe(raw),
                ),
                fix=Message("write the input as an object with channels, height and width"),
            )
        )
    unknown = _sorted_keys(set(raw) - {"channels", "height", "width"})
    if unknown:
        raise SpecError(
            VariantError(
                Message("input: unknown field {value}", value=_describe(unknown[0])),
                fix=Message("input takes channels, height and width"),
            )
        )
    values = {}
    for name, default in (("channels", 3), ("height", 224), ("width", None)):
        if name not in raw:
            values[name] = values["height"] if name == "width" else default
            continue
        where = Message(_INPUT_FIELDS[name])
        value, problem = _check_value("pos", raw[name], where)
        if problem:
            raise SpecError(VariantError(problem, fix=Message("set {where} to a positive whole number", where=where)))
        values[name] = value
    return InputSpec(**values)


def variant_from_dict(raw: Any) -> Variant:
    """Read the config format; raises `SpecError` (with the layers read so far) when invalid."""
    if not isinstance(raw, dict):
        raise SpecError(
            VariantError(
                Message(
                    'a variant must be a JSON object with "name", "input" and "layers", got {value}',
                    value=_describe(raw),
                ),
                fix=Message("start from an exported config"),
            )
        )
    unknown = _sorted_keys(set(raw) - {"name", "input", "layers", "description", "source"})
    if unknown:
        raise SpecError(
            VariantError(
                Message("unknown top-level field {value}", value=_describe(unknown[0])),
                fix=Message("a variant has name, input, layers (and optionally description, source)"),
            )
        )
    name = raw.get("name", "custom")
    if not isinstance(name, str):
        raise SpecError(
            VariantError(
                Message('"name" must be text, got {value}', value=_describe(name)),
                fix=Message("give the variant a name in quotes"),
            )
        )
    _check_text(name, "name", multiline=False)
    name = name.strip()[:MAX_NAME_CHARS] or "custom"
    texts = {}
    for key in ("description", "source"):
        text = raw.get(key, "")
        if isinstance(text, str):
            _check_text(text, key, multiline=True)
            texts[key] = text[:MAX_TEXT_CHARS]
        else:
            texts[key] = ""
    description, source = texts["description"], texts["source"]
    input_spec = _parse_input(raw.get("input"))
    layers_raw = raw.get("layers")
    if not isinstance(layers_raw, list):
        raise SpecError(
            VariantError(
                Message('"layers" must be a list of layers, got {value}', value=_describe(layers_raw)),
                fix=Message('add "layers": [ ... ]'),
            ),
            Variant(name, input_spec, ()),
        )
    count = _layer_count(layers_raw)
    if count > MAX_LAYERS:
        if count == len(layers_raw):
            message = Message(
                "{count} layers is more than the {limit} this tool analyses", count=count, limit=MAX_LAYERS
            )
        else:
            message = Message(
                "{count} layers (counting those inside residual blocks) is more than the {limit} this tool analyses",
                count=count,
                limit=MAX_LAYERS,
            )
        raise SpecError(
            VariantError(message, fix=Message("use at most {limit} layers", limit=MAX_LAYERS)),
            Variant(name, input_spec, ()),
        )
    layers: list[Layer] = []
    for index, layer_raw in enumerate(layers_raw):
        try:
            layers.append(_parse_layer(index, layer_raw))
        except SpecError as exc:
            raise SpecError(exc.error, Variant(name, input_spec, tuple(layers), description, source)) from None
    return Variant(name, input_spec, tuple(layers), description, source)


class _NumberRefused(Exception):
    """Raised from inside json.loads by the number hooks; carries the error to report."""

    def __init__(self, error: VariantError):
        super().__init__(str(error.message))
        self.error = error


_NUMBER_FIX = Message("write a number of at most {limit:,}", limit=MAX_INT)


def _preview(number: str) -> str:
    return number if len(number) <= 20 else number[:17] + "..."


def _json_int(text: str) -> int:
    digits = len(text) - text.startswith("-")
    if digits > MAX_NUMBER_DIGITS:
        raise _NumberRefused(
            VariantError(
                Message(
                    "a number in the config has {digits:,} digits ({number}); numbers must be at most {limit:,}",
                    digits=digits,
                    number=_preview(text),
                    limit=MAX_INT,
                ),
                fix=_NUMBER_FIX,
            )
        )
    return int(text)


def _json_float(text: str) -> float:
    value = float(text)  # never raises for a JSON number; too large a one becomes infinity
    if not math.isfinite(value):
        raise _NumberRefused(
            VariantError(
                Message(
                    "the number {number} in the config is too large; numbers must be at most {limit:,}",
                    number=_preview(text),
                    limit=MAX_INT,
                ),
                fix=_NUMBER_FIX,
            )
        )
    return value


def _json_constant(name: str) -> float:
    # NaN, Infinity and -Infinity: Python's json reads them, but they are not JSON
    raise _NumberRefused(
        VariantError(
            Message("the config contains {name}, which is not a number JSON allows", name=name), fix=_NUMBER_FIX
        )
    )


def variant_from_json(text: str) -> Variant:
    """Parse JSON text; a syntax error names the line and column. Raises only `SpecError`."""
    if not isinstance(text, str):
        raise SpecError(VariantError(Message("the config must be text"), fix=Message("paste JSON text")))
    if len(text) > MAX_JSON_CHARS:
        raise SpecError(
            VariantError(
                Message(
                    "the config is {length:,} characters, over the limit of {limit:,}",
                    length=len(text),
                    limit=MAX_JSON_CHARS,
                ),
                fix=Message("paste a single variant's config"),
            )
        )
    try:
        raw = json.loads(text, parse_int=_json_int, parse_float=_json_float, parse_constant=_json_constant)
    except json.JSONDecodeError as exc:
        raise SpecError(
            VariantError(
                # exc.msg is Python's own wording ("Expecting value"), kept as it is in both languages
                Message(
                    "not valid JSON: {reason} at line {line}, column {column}",
                    reason=exc.msg,
                    line=exc.lineno,
                    column=exc.colno,
                ),
                fix=Message("check the brackets, commas and quotes near that position"),
            )
        ) from None
    except _NumberRefused as exc:
        raise SpecError(exc.error) from None
    except RecursionError:
        raise SpecError(
            VariantError(
                Message("the JSON is nested too deeply"),
                fix=Message("layers nest only one level deep, inside a residual block"),
            )
        ) from None
    return variant_from_dict(raw)


def variant_to_json(variant: Variant, *, indent: int | None = 2) -> str:
    return json.dumps(variant.to_dict(), indent=indent)
