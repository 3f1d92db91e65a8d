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
    assert e.error.message == 'layer 1: unknown type "conv3d"'
    assert e.error.layer == 1
    assert "use one of conv, relu" in e.error.fix
    assert len(e.partial.layers) == 1  # the layer before it survives


def test_unknown_field():
    e = err(with_layer({"type": "conv", "out_channels": 4, "kernel": 3, "padd": 1}))
    assert e.error.message == 'layer 1 (conv): unknown field "padd"'
    assert "conv takes out_channels, kernel, stride, padding, dilation, groups, bias" in e.error.fix


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
    assert e.error.message == message


def test_whole_float_accepted():
    v = variant_from_dict(with_layer({"type": "conv", "out_channels": 4.0, "kernel": 3}))
    assert v.layers[1].out_channels == 4 and isinstance(v.layers[1].out_channels, int)


def test_negative_padding_and_bad_dropout():
    assert err(with_layer({"type": "conv", "out_channels": 4, "kernel": 3, "padding": -1})).error.message == (
        "layer 1 (conv) padding must be 0 or more, got -1"
    )
    assert err(with_layer({"type": "dropout", "p": 1.5})).error.message == (
        "layer 1 (dropout) p must be between 0 and 1, got 1.5"
    )


def test_missing_required_field():
    e = err(with_layer({"type": "linear"}))
    assert e.error.message == 'layer 1 (linear) is missing "out_features"'


def test_bad_input():
    assert err({"name": "t", "input": {"channels": 0, "height": 8}, "layers": []}).error.message == (
        "input channels must be at least 1, got 0"
    )
    assert "input: unknown field" in err({"name": "t", "input": {"depth": 3}, "layers": []}).error.message


def test_not_an_object_and_layers_not_a_list():
    assert "must be a JSON object" in err([1, 2]).error.message
    assert err({"name": "t", "layers": 5}).error.message == '"layers" must be a list of layers, got 5'


def test_bad_json_names_line_and_column():
    with pytest.raises(SpecError) as info:
        variant_from_json('{"name": "x",\n "layers": [}')
    assert info.value.error.message == "not valid JSON: Expecting value at line 2, column 13"


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
        assert exc.error.message
