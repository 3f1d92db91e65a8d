"""The config format: JSON round trip and every kind of bad field named clearly."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from explorer.presets import PRESETS
from explorer.spec import (
    LRN,
    Conv,
    MaxPool,
    SpecError,
    Variant,
    variant_from_dict,
    variant_from_json,
    variant_to_json,
)

EXAMPLE = {
    "name": "AlexNet (torchvision)",
    "input": {"channels": 3, "height": 224, "width": 224},
    "layers": [
        {"type": "conv", "out_channels": 64, "kernel": 11, "stride": 4, "padding": 2},
        {"type": "relu"},
        {"type": "maxpool", "kernel": 3, "stride": 2},
        {"type": "flatten"},
        {"type": "dropout", "p": 0.5},
        {"type": "linear", "out_features": 1000},
    ],
}


def test_issue_example_parses_with_defaults():
    v = variant_from_dict(EXAMPLE)
    assert v.name == "AlexNet (torchvision)"
    assert v.layers[0] == Conv(64, 11, stride=4, padding=2, dilation=1, groups=1, bias=True)
    assert v.layers[2] == MaxPool(3, 2)
    assert v.layers[2].effective_stride == 2


def test_lrn_defaults_are_the_papers():
    v = variant_from_dict({"name": "x", "input": {"channels": 3, "height": 8, "width": 8}, "layers": [{"type": "lrn"}]})
    assert v.layers[0] == LRN(size=5, alpha=1e-4, beta=0.75, k=2.0)


@pytest.mark.parametrize("name", list(PRESETS))
def test_presets_round_trip_through_json(name):
    v = PRESETS[name]
    again = variant_from_json(variant_to_json(v))
    assert again == v
    assert hash(again) == hash(v)


def test_compact_json_omits_defaults():
    d = PRESETS["torchvision"].to_dict()
    assert d["layers"][0] == {"type": "conv", "out_channels": 64, "kernel": 11, "stride": 4, "padding": 2}
    assert d["layers"][1] == {"type": "relu"}


def err(raw):
    with pytest.raises(SpecError) as info:
        variant_from_dict(raw)
    return info.value


def with_layer(layer, input=None):
    return {
        "name": "t",
        "input": input or {"channels": 3, "height": 32, "width": 32},
        "layers": [{"type": "relu"}, layer],
    }


def test_unknown_type():
    e = err(with_layer({"type": "conv3d", "kernel": 3}))
    assert str(e.error.message) == 'layer 1: unknown type "conv3d"'
    assert e.error.layer == 1
    assert "use one of conv, relu" in str(e.error.fix)
    assert len(e.partial.layers) == 1  # the layer before it survives


def test_unknown_field():
    e = err(with_layer({"type": "conv", "out_channels": 4, "kernel": 3, "padd": 1}))
    assert str(e.error.message) == 'layer 1 (conv): unknown field "padd"'
    assert "conv takes out_channels, kernel, stride, padding, dilation, groups, bias" in str(e.error.fix)


@pytest.mark.parametrize(
    "value,message",
    [
        (0, "layer 1 (conv) kernel must be at least 1, got 0"),
        (-3, "layer 1 (conv) kernel must be at least 1, got -3"),
        (2.5, "layer 1 (conv) kernel must be a whole number, got 2.5"),
        ("3", 'layer 1 (conv) kernel must be a whole number, got "3"'),
        (True, "layer 1 (conv) kernel must be a whole number, got true"),
        (None, "layer 1 (conv) kernel must be a whole number, got null"),
        (10**12, "layer 1 (conv) kernel is 1,000,000,000,000, over the limit of 1,000,000"),
    ],
)
def test_bad_integer_values(value, message):
    e = err(with_layer({"type": "conv", "out_channels": 4, "kernel": value}))
    assert str(e.error.message) == message


def test_whole_float_accepted():
    v = variant_from_dict(with_layer({"type": "conv", "out_channels": 4.0, "kernel": 3}))
    assert v.layers[1].out_channels == 4 and isinstance(v.layers[1].out_channels, int)


def test_negative_padding_and_bad_dropout():
    assert str(err(with_layer({"type": "conv", "out_channels": 4, "kernel": 3, "padding": -1})).error.message) == (
        "layer 1 (conv) padding must be 0 or more, got -1"
    )
    assert str(err(with_layer({"type": "dropout", "p": 1.5})).error.message) == (
        "layer 1 (dropout) p must be between 0 and 1, got 1.5"
    )


def test_missing_required_field():
    e = err(with_layer({"type": "linear"}))
    assert str(e.error.message) == 'layer 1 (linear) is missing "out_features"'


def test_bad_input():
    assert str(err({"name": "t", "input": {"channels": 0, "height": 8}, "layers": []}).error.message) == (
        "input channels must be at least 1, got 0"
    )
    assert "input: unknown field" in str(err({"name": "t", "input": {"depth": 3}, "layers": []}).error.message)


def test_not_an_object_and_layers_not_a_list():
    assert "must be a JSON object" in str(err([1, 2]).error.message)
    assert str(err({"name": "t", "layers": 5}).error.message) == '"layers" must be a list of layers, got 5'


def test_bad_json_names_line_and_column():
    with pytest.raises(SpecError) as info:
        variant_from_json('{"name": "x",\n "layers": [}')
    assert str(info.value.error.message) == "not valid JSON: Expecting value at line 2, column 13"


def test_deep_nesting_and_huge_text():
    with pytest.raises(SpecError, match="nested too deeply|not valid JSON"):
        variant_from_json("[" * 100_000)
    with pytest.raises(SpecError, match="over the limit"):
        variant_from_json(" " * 300_000)


def test_variant_is_hashable_cache_key():
    a = variant_from_dict(EXAMPLE)
    b = variant_from_dict(json.loads(json.dumps(EXAMPLE)))
    assert {a: 1}[b] == 1
    assert isinstance(a, Variant)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(st.sampled_from(["name", "input", "layers", "x"]), json_values, max_size=4))
def test_arbitrary_json_never_raises_anything_but_spec_error(raw):
    try:
        variant_from_dict(raw)
    except SpecError as exc:
        assert str(exc.error.message)


# --- numbers Python's json would choke on ------------------------------------------------------


def json_err(text):
    with pytest.raises(SpecError) as info:
        variant_from_json(text)
    return info.value.error


def test_integer_of_5000_digits_is_a_clear_error_not_a_value_error():
    # Python refuses to convert more than 4,300 digits with a bare ValueError; it must never escape
    e = json_err('{"layers":[{"type":"conv","out_channels":1' + "0" * 5000 + ',"kernel":3}]}')
    assert (
        str(e.message)
        == "a number in the config has 5,001 digits (10000000000000000...); numbers must be at most 1,000,000"
    )
    assert str(e.fix) == "write a number of at most 1,000,000"
    assert str(json_err('{"layers":[], "x": -' + "9" * 101 + "}").message).startswith(
        "a number in the config has 101 digits (-9999999999999999...)"
    )


def test_long_but_convertible_integer_names_its_field():
    e = json_err('{"layers":[{"type":"conv","out_channels":1' + "0" * 50 + ',"kernel":3}]}')
    assert str(e.message) == "layer 0 (conv) out_channels is a 51-digit number, over the limit of 1,000,000"
    e = json_err('{"layers":[{"type":"conv","out_channels":4,"kernel":-1' + "0" * 20 + "}]}")
    assert str(e.message) == "layer 0 (conv) kernel must be at least 1, got a 21-digit negative number"


def test_huge_python_integers_in_a_dict_never_crash_the_messages():
    big = 10**5000  # str(big) itself raises ValueError
    assert str(err(with_layer({"type": "conv", "out_channels": big, "kernel": 3})).error.message) == (
        "layer 1 (conv) out_channels is a 5,001-digit number, over the limit of 1,000,000"
    )
    assert str(err(with_layer({"type": "dropout", "p": big})).error.message) == (
        "layer 1 (dropout) p is a 5,001-digit number, over the limit of 1,000,000"
    )
    assert (
        str(err({"name": -big, "layers": []}).error.message) == '"name" must be text, got a 5,001-digit negative number'
    )
    assert str(err(with_layer({"type": "lrn", "size": 10**15})).error.message) == (
        "layer 1 (lrn) size is a 16-digit number, over the limit of 1,000,000"
    )
    assert str(err(with_layer({"type": "lrn", "size": 10**15 - 1})).error.message) == (
        "layer 1 (lrn) size is 999,999,999,999,999, over the limit of 1,000,000"
    )


@pytest.mark.parametrize(
    "number,message",
    [
        ("1e999", "the number 1e999 in the config is too large; numbers must be at most 1,000,000"),
        ("-1e999", "the number -1e999 in the config is too large; numbers must be at most 1,000,000"),
        ("NaN", "the config contains NaN, which is not a number JSON allows"),
        ("Infinity", "the config contains Infinity, which is not a number JSON allows"),
        ("-Infinity", "the config contains -Infinity, which is not a number JSON allows"),
    ],
)
def test_non_finite_numbers_are_refused_at_parse_time(number, message):
    assert str(json_err('{"layers":[{"type":"dropout","p":' + number + "}]}").message) == message


def test_negative_zero_is_zero():
    v = variant_from_json(
        '{"layers":[{"type":"conv","out_channels":4,"kernel":3,"padding":-0},{"type":"dropout","p":-0.0}]}'
    )
    assert v.layers[0].padding == 0 and isinstance(v.layers[0].padding, int)
    assert str(v.layers[1].p) == "0.0"  # not -0.0


def test_booleans_and_fractions_are_not_whole_numbers():
    assert str(json_err('{"layers":[{"type":"conv","out_channels":true,"kernel":3}]}').message) == (
        "layer 0 (conv) out_channels must be a whole number, got true"
    )
    assert str(json_err('{"input":{"channels":false},"layers":[]}').message) == (
        "input channels must be a whole number, got false"
    )
    assert (
        str(json_err('{"layers":[{"type":"dropout","p":true}]}').message)
        == "layer 0 (dropout) p must be a number, got true"
    )
    assert str(json_err('{"layers":[{"type":"conv","out_channels":4,"kernel":3.5}]}').message) == (
        "layer 0 (conv) kernel must be a whole number, got 3.5"
    )
    assert variant_from_json('{"layers":[{"type":"conv","out_channels":4e0,"kernel":3}]}').layers[0].out_channels == 4


def test_mixed_key_types_in_a_python_dict():
    assert str(err({1: 2, "name": "x", "layers": []}).error.message) == "unknown top-level field 1"


# --- characters no encoder can print -------------------------------------------------------------


@pytest.mark.parametrize(
    "field,escaped,code,kind",
    [
        ("name", "\\ud800", "U+D800", "a lone surrogate, half of a character pair"),
        ("name", "ok \\udfff", "U+DFFF", "a lone surrogate, half of a character pair"),
        ("name", "a\\u0000b", "U+0000", "a control character"),
        ("name", "red\\u001b[31m", "U+001B", "a control character"),
        ("name", "two\\nlines", "U+000A", "a control character"),
        ("name", "\\u0085", "U+0085", "a control character"),
        ("name", "\\ufffe", "U+FFFE", "a Unicode non-character"),
        ("description", "x\\ud83d", "U+D83D", "a lone surrogate, half of a character pair"),
        ("description", "\\u0007", "U+0007", "a control character"),
        ("source", "\\ufdd0", "U+FDD0", "a Unicode non-character"),
        ("source", "\\udbff\\udfff", "U+10FFFF", "a Unicode non-character"),
    ],
)
def test_unprintable_characters_are_refused(field, escaped, code, kind):
    e = json_err('{"' + field + '":"' + escaped + '","layers":[]}')
    assert str(e.message) == f"{field} contains the character {code} ({kind}), which cannot be shown"
    assert str(e.fix) == f"remove the character {code} from {field}"
    # the message itself is always printable
    str(e.message).encode("utf-8")


def test_printable_text_is_kept():
    v = variant_from_json(
        '{"name":"Ünïcödé \\ud83d\\ude00 👨\\u200d👩","description":"line 1\\n\\tline 2","source":"ok","layers":[]}'
    )
    assert v.name == "Ünïcödé 😀 👨\u200d👩"
    assert v.description == "line 1\n\tline 2"


def test_a_surrogate_in_a_key_or_type_is_shown_escaped():
    assert str(json_err('{"\\ud800":1,"layers":[]}').message) == 'unknown top-level field "\\ud800"'
    assert str(json_err('{"layers":[{"type":"\\ud800"}]}').message) == 'layer 0: unknown type "\\ud800"'


# --- a network without convolutions -------------------------------------------------------------


MLP = (
    '{"input":{"channels":1,"height":28,"width":28},"layers":[{"type":"flatten"},{"type":"linear","out_features":10}]}'
)


def test_an_mlp_parses_and_analyses():
    from explorer.analysis import analyse

    v = variant_from_json(MLP)
    assert v.name == "custom" and len(v.layers) == 2
    a = analyse(v)
    assert a.valid, a.error
    assert [r.output for r in a.rows] == [(784,), (10,)]
    assert a.total_params == 784 * 10 + 10 and a.total_macs == 7840 and a.output_shape == (10,)
    assert [r.receptive_field for r in a.rows] == [None, None]
    a.to_dict()  # serialisable with no spatial layer at all


def test_text_error_is_public_for_widgets():
    from explorer.spec import text_error

    assert text_error("fine name 😀", "name") is None
    assert text_error("a\nb", "description", multiline=True) is None
    e = text_error("a\nb", "the new name")
    assert str(e.message) == "the new name contains the character U+000A (a control character), which cannot be shown"
    assert str(e.fix) == "remove the character U+000A from the new name"


# --- residual blocks: anything inside one is refused as clearly as at the top level ---------------

_inner = st.one_of(
    st.fixed_dictionaries(
        {"type": st.sampled_from(["conv", "relu", "batchnorm", "residual", "linear", "nope"])},
        optional={"out_channels": json_values, "kernel": json_values, "body": json_values, "out_features": json_values},
    ),
    json_values,
)
_blocks = st.fixed_dictionaries(
    {"type": st.sampled_from(["residual", "RESIDUAL"])},
    optional={
        "body": st.one_of(st.lists(_inner, max_size=4), json_values),
        "shortcut": st.one_of(st.lists(_inner, max_size=3), json_values),
        "skip": json_values,
    },
)


@given(st.lists(_blocks, max_size=3))
def test_arbitrary_residual_json_raises_only_spec_error(layers):
    from explorer.analysis import analyse_config

    raw = {"name": "r", "input": {"channels": 3, "height": 16, "width": 16}, "layers": layers}
    try:
        v = variant_from_dict(raw)
    except SpecError as exc:
        assert str(exc.error.message) and exc.error.layer is not None
        if exc.error.branch is not None:
            assert exc.error.layer_type == "residual" and f"(residual) {exc.error.branch} layer" in str(
                exc.error.message
            )
    else:
        assert variant_from_json(variant_to_json(v)) == v
    a = analyse_config(raw)
    assert a.valid or str(a.error.message)
