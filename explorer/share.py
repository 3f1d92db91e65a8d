"""A variant in a URL: `?preset=NAME` for an unchanged preset, else `?v=` + compressed JSON.

Decoding is strict and bounded (length, decompressed size, the config parser's own limits): a
hostile or stale link gives a notice and no variant, never an exception or a large allocation.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from collections.abc import Mapping

from .presets import PRESETS
from .spec import MAX_JSON_CHARS, SpecError, Variant, VariantError, variant_from_json

__all__ = ["MAX_PARAM_CHARS", "decode_query", "encode_variant", "encode_config", "decode_config"]

MAX_PARAM_CHARS = 6000  # browsers and proxies handle URLs of ~8 KB; a 25-layer variant needs ~400


def encode_config(variant: Variant) -> str:
    """Compact JSON, deflated, base64url without padding."""
    text = json.dumps(variant.to_dict(), separators=(",", ":"))
    return base64.urlsafe_b64encode(zlib.compress(text.encode(), 9)).decode().rstrip("=")


def decode_config(token: str) -> Variant:
    """The inverse of encode_config; raises SpecError with a plain reason."""

    def fail(reason: str) -> SpecError:
        return SpecError(
            VariantError(
                f"the link's variant could not be read: {reason}",
                fix="open the link again from its source, or pick a preset",
            )
        )

    if not isinstance(token, str) or len(token) > MAX_PARAM_CHARS:
        raise fail(f"it is longer than {MAX_PARAM_CHARS} characters")
    try:
        raw = base64.b64decode(token + "=" * (-len(token) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise fail("it is not valid base64") from None
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(raw, MAX_JSON_CHARS)
    except zlib.error:
        raise fail("it is not compressed data") from None
    if inflater.unconsumed_tail:
        raise fail("it expands to more than a variant can be")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise fail("it is not text") from None
    return variant_from_json(text)


def encode_variant(variant: Variant) -> dict[str, str]:
    """Query parameters that reproduce the variant."""
    preset = PRESETS.get(variant.name)
    if preset is not None and preset == variant:
        return {"preset": variant.name}
    return {"v": encode_config(variant)}


def decode_query(params: Mapping[str, object]) -> tuple[Variant | None, str | None]:
    """(variant, None) for a good link, (None, notice) for a bad one, (None, None) for no link."""

    def first(value: object) -> object:
        return value[0] if isinstance(value, list) and value else value

    preset = first(params.get("preset"))
    token = first(params.get("v"))
    if token is not None:
        try:
            return decode_config(str(token)), None
        except SpecError as exc:
            return None, f"{exc.error.message}. {exc.error.fix or ''}".strip()
    if preset is not None:
        name = str(preset)[:100]
        if name in PRESETS:
            return PRESETS[name], None
        return None, f"the link names an unknown preset {name!r}; presets are {', '.join(PRESETS)}"
    return None, None
