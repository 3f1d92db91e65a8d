"""Variants in URLs: `?preset=NAME` for an unchanged preset, else `?v=` + compressed JSON; and a
comparison's `?compare=` list of tokens (a preset's name, or `cfg.` + the same compressed JSON).

Decoding is strict and bounded (length, decompressed size, the config parser's own limits): a
hostile or stale link raises `LinkError` (the one error type for links, its reason a Message) or,
through `decode_query`, gives a notice and no variant; never another exception or a large allocation.
`is_unchanged_preset` is the one test of "this variant is a preset, unchanged" (a link then names it).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import zlib
from collections.abc import Mapping
from typing import Any

from .compare import MAX_VARIANTS, MIN_VARIANTS
from .i18n import Message, _
from .presets import PRESETS
from .spec import (
    LAYER_TYPES,
    MAX_INT,
    MAX_JSON_CHARS,
    MAX_LAYERS,
    MAX_NAME_CHARS,
    SpecError,
    Text,
    Variant,
    variant_from_json,
)

__all__ = [
    "CONFIG_PREFIX",
    "MAX_CONFIG_JSON_CHARS",
    "MAX_PARAM_CHARS",
    "MAX_QUERY_CHARS",
    "LinkError",
    "decode_config",
    "decode_query",
    "decode_selection",
    "encode_config",
    "encode_selection",
    "encode_variant",
    "is_unchanged_preset",
]

_SEPARATORS = (",", ":")


def _longest_config_json() -> int:
    """An upper bound on len(compact JSON) of any variant the parser accepts.

    It is the length of a document in which every field is present at its widest: the longest
    name (every character an emoji, which `json.dumps` writes as a 12-character surrogate pair),
    every integer at MAX_INT (values are whole numbers from 0 to MAX_INT), every float at the
    longest `repr` a float in [0, MAX_INT] has (23 characters, e.g. 1.2345678901234568e-300),
    every bool as `false`, and MAX_LAYERS copies of the widest layer type.
    """
    widest = {
        "pos": MAX_INT,
        "nonneg": MAX_INT,
        "bool": False,
        "prob": 1.2345678901234568e-300,
        "posfloat": 1.2345678901234568e-300,
        "nonnegfloat": 1.2345678901234568e-300,
    }
    layer = max(
        (
            {"type": cls.type, **{name: widest[kind] for name, (kind, _default) in cls.FIELDS.items()}}
            for cls in LAYER_TYPES.values()
        ),
        key=lambda d: len(json.dumps(d, separators=_SEPARATORS)),
    )
    document = {
        "name": "\U0001f600" * MAX_NAME_CHARS,
        "input": {"channels": MAX_INT, "height": MAX_INT, "width": MAX_INT},
        "layers": [layer] * MAX_LAYERS,
    }
    return len(json.dumps(document, separators=_SEPARATORS))


def _longest_token(json_chars: int) -> int:
    """The longest encode_config output for `json_chars` characters of (ASCII) JSON: zlib's
    compressBound (the most deflate can write, for incompressible input), then base64 without padding."""
    compressed = json_chars + (json_chars >> 12) + (json_chars >> 14) + (json_chars >> 25) + 13
    return math.ceil(compressed * 4 / 3)


# Every link the app makes must open again, so the limit is what the app itself can produce: about
# 37,000 characters of JSON and 49,000 of token for 256 layers at their widest. Real links are far
# shorter (a 25-layer variant needs ~400 characters, 256 realistic layers ~12,000).
MAX_CONFIG_JSON_CHARS = _longest_config_json()
MAX_PARAM_CHARS = _longest_token(MAX_CONFIG_JSON_CHARS)

# A comparison's link: MIN_VARIANTS to MAX_VARIANTS tokens, each a preset's name or this prefix + a config token.
CONFIG_PREFIX = "cfg."
MAX_QUERY_CHARS = MAX_VARIANTS * (MAX_PARAM_CHARS + len(CONFIG_PREFIX) + 1)


class LinkError(ValueError):
    """A link that cannot be read (a variant's token or a comparison's list): stale, cut short or hostile.

    `message` says what was wrong and `fix` (or None) what to do, as data (`explorer.i18n.Message`):
    `str(error)` renders the message in the current language when asked, not when raised."""

    def __init__(self, message: Text, fix: Text | None = None):
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return str(self.message)


def is_unchanged_preset(variant: Variant) -> bool:
    """Whether `variant` is the preset of its name, unchanged (a link then names the preset)."""
    preset = PRESETS.get(variant.name)
    return preset is not None and preset == variant


def encode_config(variant: Variant) -> str:
    """Compact JSON, deflated, base64url without padding (at most MAX_PARAM_CHARS characters for
    any variant the parser accepts)."""
    text = json.dumps(variant.to_dict(), separators=_SEPARATORS)
    return base64.urlsafe_b64encode(zlib.compress(text.encode(), 9)).decode().rstrip("=")


def decode_config(token: str) -> Variant:
    """The inverse of encode_config; raises LinkError with a plain reason (and what to do).

    Bounded: the token is at most MAX_PARAM_CHARS characters and inflates to at most
    MAX_JSON_CHARS bytes, whatever the compressed data claims."""

    def fail(reason: Message) -> LinkError:
        return LinkError(
            Message("the link's variant could not be read: {reason}", reason=reason),
            fix=Message("open the link again from its source, or pick a preset"),
        )

    if not isinstance(token, str) or len(token) > MAX_PARAM_CHARS:
        raise fail(Message("it is longer than {n:,} characters", n=MAX_PARAM_CHARS))
    try:
        raw = base64.b64decode(token + "=" * (-len(token) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise fail(Message("it is not valid base64")) from None
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(raw, MAX_JSON_CHARS + 1)
    except zlib.error:
        raise fail(Message("it is not compressed data")) from None
    if len(data) > MAX_JSON_CHARS or inflater.unconsumed_tail:
        raise fail(Message("it expands to more than a variant can be"))
    if not inflater.eof:
        raise fail(Message("it is cut short; copy the whole link"))
    if inflater.unused_data:
        raise fail(Message("it has extra data after the variant"))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise fail(Message("it is not text")) from None
    try:
        return variant_from_json(text)
    except SpecError as exc:  # the config parser's own reason, e.g. a layer missing a field
        raise LinkError(exc.error.message, fix=exc.error.fix) from None


def encode_variant(variant: Variant) -> dict[str, str]:
    """Query parameters that reproduce the variant."""
    if is_unchanged_preset(variant):
        return {"preset": variant.name}
    return {"v": encode_config(variant)}


def decode_query(params: Mapping[str, object]) -> tuple[Variant | None, str | None]:
    """(variant, None) for a good link, (None, notice) for a bad one, (None, None) for no link.

    The notice is rendered in the current language (the caller's page)."""

    def first(value: object) -> object:
        return value[0] if isinstance(value, list) and value else value

    preset = first(params.get("preset"))
    token = first(params.get("v"))
    if token is not None:
        try:
            return decode_config(str(token)), None
        except LinkError as exc:
            if exc.fix:
                return None, _("{message}. {fix}", message=exc.message, fix=exc.fix)
            return None, str(exc.message)
    if preset is not None:
        name = str(preset)[:100]
        if name in PRESETS:
            return PRESETS[name], None
        return None, _(
            "the link names an unknown preset {name}; presets are {presets}",
            name=repr(name),
            presets=", ".join(PRESETS),
        )
    return None, None


# --- a comparison's link ----------------------------------------------------------------------


def encode_selection(variants: list[Variant] | tuple[Variant, ...]) -> str:
    """Comma-separated tokens: a preset's name when the variant is that preset unchanged, else
    `cfg.` + the Build page's link token (`encode_config`: compact JSON, deflated, base64url)."""
    return ",".join(
        variant.name if is_unchanged_preset(variant) else CONFIG_PREFIX + encode_config(variant) for variant in variants
    )


def _decode_token(position: int, token: str) -> Variant:
    if token in PRESETS:
        return PRESETS[token]
    if not token.startswith(CONFIG_PREFIX):
        shown = token if len(token) <= 40 else token[:37] + "..."
        raise LinkError(
            Message(
                "variant {n} in the link: unknown preset {token!r}; presets are {presets}",
                n=position,
                token=shown,
                presets=", ".join(PRESETS),
            )
        )
    body = token[len(CONFIG_PREFIX) :]
    if not body:
        raise LinkError(
            Message("variant {n} in the link: the config after {prefix!r} is empty", n=position, prefix=CONFIG_PREFIX)
        )
    try:
        return decode_config(body)
    except LinkError as exc:
        raise LinkError(Message("variant {n} in the link: {reason}", n=position, reason=exc.message)) from None


def decode_selection(text: Any) -> list[Variant]:
    """The variants of a link's comparison; raises `LinkError` for anything stale or hostile."""
    if not isinstance(text, str):
        raise LinkError(Message("the link's comparison must be text"))
    if len(text) > MAX_QUERY_CHARS:
        raise LinkError(
            Message(
                "the link's comparison is {n:,} characters, over the limit of {limit:,}",
                n=len(text),
                limit=MAX_QUERY_CHARS,
            )
        )
    tokens = [t.strip() for t in text.split(",")]
    if any(not t for t in tokens):
        raise LinkError(Message("the link's comparison has an empty entry (two commas in a row?)"))
    if not MIN_VARIANTS <= len(tokens) <= MAX_VARIANTS:
        raise LinkError(
            Message(
                "a comparison holds {lo} to {hi} variants; the link names {n}",
                lo=MIN_VARIANTS,
                hi=MAX_VARIANTS,
                n=len(tokens),
            )
        )
    return [_decode_token(k + 1, token) for k, token in enumerate(tokens)]
