"""Variants in URLs: round trip, and hostile input refused with a plain notice."""

import base64
import zlib

import pytest

from explorer.presets import PRESETS
from explorer.share import MAX_PARAM_CHARS, decode_query, encode_config, encode_variant


def test_unchanged_preset_is_a_short_link():
    assert encode_variant(PRESETS["torchvision"]) == {"preset": "torchvision"}
    assert decode_query({"preset": "torchvision"}) == (PRESETS["torchvision"], None)


@pytest.mark.parametrize("name", list(PRESETS))
def test_custom_variants_round_trip(name):
    custom = PRESETS[name].with_input(height=200, width=200)
    params = encode_variant(custom)
    assert set(params) == {"v"} and len(params["v"]) < 1000
    variant, notice = decode_query(params)
    assert notice is None and variant == custom


def test_no_link():
    assert decode_query({}) == (None, None)


def _token(data: bytes) -> str:
    return base64.urlsafe_b64encode(zlib.compress(data)).decode().rstrip("=")


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"v": "!!!"}, "the link's variant could not be read: it is not valid base64"),
        ({"v": "aGVsbG8"}, "the link's variant could not be read: it is not compressed data"),
        ({"v": "A" * (MAX_PARAM_CHARS + 1)}, "the link's variant could not be read: it is longer than 6000 characters"),
        (
            {"v": _token(b" " * 1_000_000)},
            "the link's variant could not be read: it expands to more than a variant can be",
        ),
        ({"v": _token(b"\xff\xfe")}, "the link's variant could not be read: it is not text"),
        ({"v": _token(b"[1,2]")}, "a variant must be a JSON object"),
        ({"v": _token(b'{"name": "x", "layers": [{"type": "warp"}]}')}, 'layer 0: unknown type "warp"'),
        ({"preset": "nope"}, "the link names an unknown preset 'nope'"),
    ],
)
def test_hostile_links(params, expected):
    variant, notice = decode_query(params)
    assert variant is None
    assert notice.startswith(expected)


def test_list_values_from_query_parsers():
    token = encode_config(PRESETS["d2l"])
    assert decode_query({"v": [token]})[0] == PRESETS["d2l"]
