"""Variants in URLs: round trip, and hostile input refused with a plain notice; a comparison's
`?compare=` link; the one "unchanged preset" check."""

import base64
import json
import random
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from explorer.analysis import analyse
from explorer.compare import DEFAULT_SELECTION
from explorer.presets import PRESETS
from explorer.share import (
    MAX_CONFIG_JSON_CHARS,
    MAX_PARAM_CHARS,
    MAX_QUERY_CHARS,
    LinkError,
    decode_config,
    decode_query,
    decode_selection,
    encode_config,
    encode_selection,
    encode_variant,
    is_unchanged_preset,
)
from explorer.spec import (
    LRN,
    MAX_INT,
    MAX_LAYERS,
    MAX_NAME_CHARS,
    AdaptiveAvgPool,
    AvgPool,
    BatchNorm,
    Conv,
    Dropout,
    Flatten,
    InputSpec,
    Linear,
    MaxPool,
    ReLU,
    Sigmoid,
    Tanh,
    Variant,
    variant_from_json,
    variant_to_json,
)


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


def test_one_unchanged_preset_check():
    assert all(is_unchanged_preset(v) for v in PRESETS.values())
    assert not is_unchanged_preset(PRESETS["torchvision"].with_input(height=200, width=200))
    assert not is_unchanged_preset(PRESETS["torchvision"].renamed("mine"))
    assert not is_unchanged_preset(PRESETS["d2l"].renamed("torchvision"))  # a preset's name on another variant
    assert encode_variant(PRESETS["d2l"].renamed("torchvision")) != {"preset": "torchvision"}


def test_decode_config_raises_the_one_link_error():
    with pytest.raises(LinkError, match="it is not valid base64") as info:
        decode_config("!!!")
    assert str(info.value.fix) == "open the link again from its source, or pick a preset"
    with pytest.raises(LinkError, match='layer 0: unknown type "warp"'):  # the parser's own reason, same type
        decode_config(_token(b'{"name": "x", "layers": [{"type": "warp"}]}'))


def test_no_link():
    assert decode_query({}) == (None, None)


def _token(data: bytes) -> str:
    return base64.urlsafe_b64encode(zlib.compress(data)).decode().rstrip("=")


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"v": "!!!"}, "the link's variant could not be read: it is not valid base64"),
        ({"v": "aGVsbG8"}, "the link's variant could not be read: it is not compressed data"),
        (
            {"v": "A" * (MAX_PARAM_CHARS + 1)},
            f"the link's variant could not be read: it is longer than {MAX_PARAM_CHARS:,} characters",
        ),
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


def tok(text: str) -> str:
    return base64.urlsafe_b64encode(zlib.compress(text.encode(), 9)).decode().rstrip("=")


@pytest.mark.parametrize(
    "config,expected",
    [
        (
            '{"layers":[{"type":"conv","out_channels":1' + "0" * 5000 + ',"kernel":3}]}',
            "a number in the config has 5,001 digits (10000000000000000...); numbers must be at most 1,000,000. "
            "write a number of at most 1,000,000",
        ),
        (
            '{"name":"\\ud800","layers":[]}',
            "name contains the character U+D800 (a lone surrogate, half of a character pair), which cannot be shown. "
            "remove the character U+D800 from name",
        ),
        (
            '{"layers":[{"type":"dropout","p":NaN}]}',
            "the config contains NaN, which is not a number JSON allows. write a number of at most 1,000,000",
        ),
    ],
)
def test_links_python_json_would_choke_on_give_a_notice(config, expected):
    assert decode_query({"v": tok(config)}) == (None, expected)


def test_cut_short_and_trailing_data_links():
    token = encode_config(PRESETS["d2l"].with_input(height=200, width=200))
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    cut = base64.urlsafe_b64encode(raw[: len(raw) // 2]).decode().rstrip("=")
    assert decode_query({"v": cut})[1].startswith("the link's variant could not be read: it is cut short")
    extra = base64.urlsafe_b64encode(raw + b"junk").decode().rstrip("=")
    assert decode_query({"v": extra})[1].startswith("the link's variant could not be read: it has extra data")


# --- every link the app makes opens again -------------------------------------------------------


def widest_variant(rng: random.Random) -> Variant:
    """256 convolutions with every field present at six or seven digits, and an 80-emoji name:
    nearly the most the parser accepts, and hard to compress."""
    layers = []
    for k in range(MAX_LAYERS):
        if k % 8 == 0:
            layers.append(Conv(MAX_INT, MAX_INT, MAX_INT, MAX_INT, MAX_INT, MAX_INT, bias=False))
        else:
            layers.append(Conv(*(rng.randint(100_000, MAX_INT - 1) for _ in range(6)), bias=False))
    name = "".join(chr(rng.randint(0x1F300, 0x1F6FF)) for _ in range(MAX_NAME_CHARS))
    return Variant(name, InputSpec(MAX_INT, MAX_INT, MAX_INT), tuple(layers))


def test_the_bound_is_the_widest_config_exactly():
    fields = (MAX_INT,) * 6
    v = Variant("\U0001f600" * MAX_NAME_CHARS, InputSpec(MAX_INT, MAX_INT, MAX_INT), (Conv(*fields, bias=False),) * 256)
    assert variant_from_json(variant_to_json(v)) == v  # the parser accepts it
    assert len(json.dumps(v.to_dict(), separators=(",", ":"))) == MAX_CONFIG_JSON_CHARS
    assert decode_query({"v": encode_config(v)}) == (v, None)


def test_the_widest_hard_to_compress_variant_round_trips():
    v = widest_variant(random.Random(1234))
    assert variant_from_json(variant_to_json(v)) == v
    token = encode_config(v)
    assert 6000 < len(token) <= MAX_PARAM_CHARS
    assert decode_config(token) == v
    assert decode_query({"v": token}) == (v, None)


def test_token_limit_holds_even_for_incompressible_json():
    # compact JSON is ASCII; zlib's worst case is input that does not compress at all
    rng = random.Random(99)
    for alphabet in (range(33, 127), range(256)):
        noise = bytes(rng.choice(alphabet) for _ in range(MAX_CONFIG_JSON_CHARS))
        assert len(base64.urlsafe_b64encode(zlib.compress(noise, 9)).rstrip(b"=")) <= MAX_PARAM_CHARS


def test_a_256_layer_realistic_variant_round_trips():
    # the reported case: a valid 256-layer variant made a link longer than the old 6,000-character limit
    rng = random.Random(7)
    layers = []
    for _ in range(MAX_LAYERS // 2 - 1):
        kernel, dilation = rng.choice([1, 3, 5, 7, 9, 11]), rng.randint(1, 3)
        padding = dilation * (kernel - 1) // 2
        layers.append(Conv(rng.randint(16, 128), kernel, 1, padding, dilation, bias=rng.random() < 0.5))
        layers.append(LRN(rng.randint(1, 9), rng.random() * 1e-3, rng.random(), rng.random() * 3 + 0.5))
    layers += [Flatten(), Linear(rng.randint(10, 1000), in_features=None)]
    name = "My very deep AlexNet-ish variant — 256 layers, ünïcödé and 😀, class of 2025"
    v = Variant(name, InputSpec(3, 8, 8), tuple(layers))
    assert len(v.layers) == MAX_LAYERS and len(name) <= MAX_NAME_CHARS
    assert analyse(v).valid
    token = encode_config(v)
    assert len(token) > 6000  # longer than the old limit
    assert decode_config(token) == v
    assert decode_query({"v": token}) == (v, None)
    assert decode_query(encode_variant(v)) == (v, None)


# hypothesis: any variant the parser accepts survives encode -> decode
_printable = st.characters(blacklist_categories=("Cs", "Cc"))
_names = (
    st.text(_printable, min_size=1, max_size=MAX_NAME_CHARS)
    .map(str.strip)
    .filter(lambda s: s and not any(0xFDD0 <= ord(c) <= 0xFDEF or ord(c) & 0xFFFE == 0xFFFE for c in s))
)
_count = st.integers(1, MAX_INT)
_small = st.integers(0, MAX_INT)
_unit = st.floats(0, 1, allow_nan=False)
_positive = st.floats(min_value=0, max_value=MAX_INT, exclude_min=True, allow_nan=False)
_layers = st.one_of(
    st.builds(Conv, _count, _count, stride=_count, padding=_small, dilation=_count, groups=_count, bias=st.booleans()),
    st.sampled_from([ReLU(), Tanh(), Sigmoid(), BatchNorm(), Flatten()]),
    st.builds(LRN, size=_count, alpha=_positive | st.just(0.0), beta=_positive | st.just(0.0), k=_positive),
    st.builds(MaxPool, _count, stride=st.none() | _count, padding=_small, ceil_mode=st.booleans()),
    st.builds(AvgPool, _count, stride=st.none() | _count, padding=_small, ceil_mode=st.booleans()),
    st.builds(AdaptiveAvgPool, _count),
    st.builds(Dropout, _unit),
    st.builds(Linear, _count, bias=st.booleans(), in_features=st.none() | _count),
)
_variants = st.builds(
    Variant,
    _names,
    st.builds(InputSpec, _count, _count, _count),
    st.lists(_layers, max_size=MAX_LAYERS).map(tuple),
)


@given(_variants)
def test_generated_variants_round_trip_through_a_link(v):
    token = encode_config(v)
    assert len(token) <= MAX_PARAM_CHARS
    assert decode_config(token) == v
    assert decode_query({"v": token}) == (v, None)


# --- a comparison's link ----------------------------------------------------------------------------------


def test_presets_encode_by_name_and_round_trip():
    variants = [PRESETS[n] for n in DEFAULT_SELECTION]
    assert encode_selection(variants) == "paper-2012,torchvision,keras-seed"
    assert decode_selection("paper-2012,torchvision,keras-seed") == variants


def test_custom_variant_round_trips():
    custom = PRESETS["torchvision"].renamed("my tv").with_input(height=256, width=200)
    tiny = Variant("tiny", InputSpec(1, 28, 28), (Conv(4, 3), ReLU(), MaxPool(2), Flatten(), Linear(10)))
    text = encode_selection([PRESETS["paper-2012"], custom, tiny])
    first, second, third = text.split(",")
    assert first == "paper-2012" and second.startswith("cfg.") and third.startswith("cfg.")
    assert decode_selection(text) == [PRESETS["paper-2012"], custom, tiny]
    assert len(text) < 800


@given(st.lists(st.sampled_from(sorted(PRESETS)), min_size=2, max_size=4))
def test_preset_lists_round_trip(names):
    variants = [PRESETS[n] for n in names]
    assert decode_selection(encode_selection(variants)) == variants


def _cfg_token(raw: bytes) -> str:
    return "cfg." + base64.urlsafe_b64encode(zlib.compress(raw)).decode().rstrip("=")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("paper-2012", "a comparison holds 2 to 4 variants; the link names 1"),
        ("a,b,c,d,e", "the link names 5"),
        ("paper-2012,,torchvision", "an empty entry"),
        ("paper-2012,<script>alert(1)</script>", "variant 2 in the link: unknown preset '<script>alert(1)</script>'"),
        ("paper-2012,cfg.", "variant 2 in the link: the config after 'cfg.' is empty"),
        ("paper-2012,cfg.A", "variant 2 in the link: the link's variant could not be read: it is not valid base64"),
        ("paper-2012,cfg.a$b", "it is not valid base64"),
        (
            "paper-2012,cfg.aGVsbG8",
            "variant 2 in the link: the link's variant could not be read: it is not compressed data",
        ),
        ("x" * (MAX_QUERY_CHARS + 1), f"over the limit of {MAX_QUERY_CHARS:,}"),
        ("paper-2012,cfg." + "A" * (MAX_PARAM_CHARS + 1), f"it is longer than {MAX_PARAM_CHARS:,} characters"),
    ],
    ids=[
        "one",
        "five",
        "empty-entry",
        "unknown",
        "empty-cfg",
        "bad-b64",
        "bad-char",
        "not-zlib",
        "too-long",
        "long-token",
    ],
)
def test_hostile_links_are_refused_with_a_reason(text, message):
    with pytest.raises(LinkError) as info:
        decode_selection(text)
    assert message in str(info.value)


def test_hostile_configs_inside_a_link():
    bomb = _cfg_token(b" " * 1_000_000)
    assert len(bomb) < 6000
    with pytest.raises(LinkError, match="it expands to more than a variant can be"):
        decode_selection("paper-2012," + bomb)
    cut = _cfg_token(json.dumps(PRESETS["lenet-5"].to_dict()).encode())[:-12]
    with pytest.raises(LinkError, match="variant 2 in the link: (not valid JSON|.*cut short)"):
        decode_selection("paper-2012," + cut)
    with pytest.raises(LinkError, match="it is not text"):
        decode_selection("paper-2012," + _cfg_token(b"\xff\xfe\x00"))
    with pytest.raises(LinkError, match="variant 2 in the link: (not valid JSON|.*cut short)"):
        decode_selection("paper-2012," + _cfg_token(b"{nope"))
    bad_layer = {"name": "x", "input": {"channels": 3, "height": 32}, "layers": [{"type": "conv", "kernel": 3}]}
    with pytest.raises(LinkError, match='layer 0 \\(conv\\) is missing "out_channels"'):
        decode_selection("paper-2012," + _cfg_token(json.dumps(bad_layer).encode()))
    with pytest.raises(LinkError, match="must be text"):
        decode_selection(["paper-2012", "torchvision"])


def test_link_tokens_are_the_build_pages():
    custom = PRESETS["d2l"].renamed("x")
    assert encode_selection([custom, PRESETS["d2l"]]) == "cfg." + encode_config(custom) + ",d2l"


@given(st.text(max_size=300))
def test_decoder_never_crashes(text):
    try:
        variants = decode_selection(text)
    except LinkError as exc:
        assert str(exc)
    else:
        assert 2 <= len(variants) <= 4
