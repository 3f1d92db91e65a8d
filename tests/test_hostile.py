"""Hostile input, property-based: arbitrary JSON never raises, hangs or allocates.

The parser and the engine take any JSON value and answer with either a valid analysis or a
structured error naming what was wrong; random query strings and widget values never put an
exception element on the Build page.
"""

import base64
import json
import math
import string
import time
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from explorer.analysis import analyse_config
from explorer.i18n import LANGUAGES, Message, using
from explorer.share import decode_query
from explorer.spec import MAX_JSON_CHARS, SpecError, variant_from_json

LAYER_TYPES = [
    "conv",
    "relu",
    "tanh",
    "sigmoid",
    "lrn",
    "maxpool",
    "avgpool",
    "adaptiveavgpool",
    "batchnorm",
    "flatten",
    "dropout",
    "linear",
    "conv3d",
    "",
    "CONV",
]
FIELDS = [
    "out_channels",
    "kernel",
    "stride",
    "padding",
    "dilation",
    "groups",
    "bias",
    "size",
    "alpha",
    "beta",
    "k",
    "ceil_mode",
    "p",
    "out_features",
    "in_features",
    "weird",
]

numbers = st.one_of(
    st.integers(-5, 20),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, 2, 3, 11, 224, 227, 4096, 10**6, 10**6 + 1, 1e308, -0.0, 2.5]),
)
leaf = st.one_of(st.none(), st.booleans(), numbers, st.text(max_size=6))
anything = st.recursive(
    leaf, lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3), max_leaves=12
)
layer = st.one_of(
    st.fixed_dictionaries(
        {"type": st.sampled_from(LAYER_TYPES)}, optional={f: st.one_of(numbers, leaf) for f in FIELDS}
    ),
    anything,
)
config = st.one_of(
    st.fixed_dictionaries(
        {"layers": st.lists(layer, max_size=12)},
        optional={
            "name": st.one_of(st.text(max_size=30), numbers),
            "input": st.one_of(
                st.fixed_dictionaries({}, optional={"channels": numbers, "height": numbers, "width": numbers}), anything
            ),
            "extra": anything,
        },
    ),
    anything,
)


@given(config)
def test_engine_answers_any_json_quickly(raw):
    start = time.perf_counter()
    analysis = analyse_config(raw)
    assert time.perf_counter() - start < 0.5
    if not analysis.valid:
        assert isinstance(analysis.error.message, (Message, str)) and str(analysis.error.message)
    else:
        assert analysis.total_params >= 0 and analysis.param_bytes <= 2 * 1024**3


@given(config)
def test_json_text_round_trip_never_raises_other_errors(raw):
    try:
        text = json.dumps(raw, allow_nan=True)
    except (ValueError, RecursionError):
        return
    try:
        variant_from_json(text)
    except SpecError as exc:
        assert str(exc.error.message)


class Raw(str):
    """JSON text written as-is into a generated document (what json.dumps would never write)."""


RAW_TOKENS = [
    "1e999",
    "-1e999",
    "1E+400",
    "NaN",
    "Infinity",
    "-Infinity",
    "-0",
    "-0.0",
    "0e0",
    "true",
    "false",
    "null",
    "4.0",
    "2.5",
    "1e6",
    "1000001",
    "4E0",
    "1e-400",
    '"\\ud800"',
    '"\\udfff tail"',
    '"ok \\ud83d"',
    '"\\ud83d\\ude00"',
    '"a\\u0000b"',
    '"\\u001b[31mred"',
    '"\\u0085"',
    '"\\ufffe"',
    '"\\udbff\\udfff"',
    '"tab\\tand\\nnewline"',
]
raw_leaf = st.one_of(
    st.sampled_from(RAW_TOKENS).map(Raw),
    # past Python's 4,300-digit int-string limit, around it, and just under the parser's own cap
    st.integers(1, 6000).map(lambda n: Raw("1" + "0" * n)),
    st.integers(4290, 4310).map(lambda n: Raw("-" + "9" * n)),
    st.integers(1, 6000).map(lambda n: Raw("1" + "0" * n + ".5")),
    st.integers(1, 3000).map(lambda n: Raw("[" * n + "]" * n)),
    st.integers(1, 3000).map(lambda n: Raw('{"a":' * n + "1" + "}" * n)),
)
raw_key = st.one_of(
    st.sampled_from(["name", "description", "source", "input", "layers", "type", *FIELDS]),
    st.sampled_from(['"\\ud800"', '"\\u0000"']).map(Raw),
    st.text(max_size=5),
)
raw_value = st.recursive(
    st.one_of(raw_leaf, leaf),
    lambda c: st.lists(c, max_size=4) | st.dictionaries(raw_key, c, max_size=4),
    max_leaves=10,
)
raw_layer = st.fixed_dictionaries(
    {"type": st.one_of(st.sampled_from(LAYER_TYPES), raw_value)},
    optional={f: raw_value for f in FIELDS},
)
raw_config = st.one_of(
    st.fixed_dictionaries(
        {"layers": st.one_of(st.lists(st.one_of(raw_layer, raw_value), max_size=6), raw_value)},
        optional={
            "name": raw_value,
            "description": raw_value,
            "source": raw_value,
            "input": st.one_of(
                st.fixed_dictionaries({}, optional={"channels": raw_value, "height": raw_value, "width": raw_value}),
                raw_value,
            ),
        },
    ),
    raw_value,
)


def to_text(value) -> str:
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, dict):
        return (
            "{"
            + ",".join(f"{to_text(k) if isinstance(k, Raw) else json.dumps(k)}:{to_text(v)}" for k, v in value.items())
            + "}"
        )
    if isinstance(value, list):
        return "[" + ",".join(to_text(v) for v in value) + "]"
    return json.dumps(value, allow_nan=True)


def check_outcome(text: str) -> None:
    """variant_from_json answers a Variant whose text prints anywhere, or a SpecError: nothing else."""
    start = time.perf_counter()
    try:
        variant = variant_from_json(text)
    except SpecError as exc:
        assert isinstance(exc.error.message, (Message, str)) and str(exc.error.message)
        for lang in LANGUAGES:  # printable in every language
            with using(lang):
                str(exc.error).encode("utf-8")
                json.dumps(exc.error.to_dict(), ensure_ascii=False).encode("utf-8")
    else:
        for s in (variant.name, variant.description, variant.source):
            s.encode("utf-8")
        json.dumps(variant.to_dict(compact=False), ensure_ascii=False, allow_nan=False).encode("utf-8")
        for layer in variant.layers:
            for name, (kind, _default) in layer.FIELDS.items():
                value = getattr(layer, name)
                if kind in ("pos", "nonneg"):
                    assert type(value) is int or (value is None and name in ("stride", "in_features"))
                elif kind == "bool":
                    assert type(value) is bool
                else:
                    assert type(value) is float and math.isfinite(value) and math.copysign(1, value) == 1
    assert time.perf_counter() - start < 1.0


@given(raw_config)
def test_hostile_json_text_raises_only_spec_error(raw):
    check_outcome(to_text(raw))


@given(raw_config)
def test_hostile_json_text_in_a_link_gives_a_notice(raw):
    text = to_text(raw)
    token = base64.urlsafe_b64encode(zlib.compress(text.encode("utf-8", "surrogatepass"), 9)).decode().rstrip("=")
    variant, notice = decode_query({"v": token})
    assert (variant is None) != (notice is None)
    if notice is not None:
        notice.encode("utf-8")


@pytest.mark.parametrize(
    "text",
    [
        '{"layers":[{"type":"conv","out_channels":1' + "0" * 5000 + ',"kernel":3}]}',
        '{"name":"\\ud800","layers":[]}',
        '{"layers":[{"type":"dropout","p":NaN}]}',
        '{"layers":[{"type":"dropout","p":1e999}]}',
        '{"layers":[{"type":"conv","out_channels":true,"kernel":3}]}',
        '{"layers":[{"type":"conv","out_channels":4,"kernel":2.5}]}',
        '{"layers":[{"type":"conv","out_channels":4,"kernel":3,"padding":-0}]}',
        "[" * 100_000 + "]" * 100_000,
        '{"layers":' + "[" * 50_000 + "]" * 50_000 + "}",
    ],
)
def test_reported_hostile_configs(text):
    check_outcome(text[:MAX_JSON_CHARS])
    check_outcome(text)


@given(st.text(alphabet=string.printable, max_size=300))
def test_garbage_text_is_a_clear_error(text):
    try:
        variant_from_json(text)
    except SpecError as exc:
        assert str(exc.error.message)


@given(
    st.dictionaries(
        st.sampled_from(["v", "preset", "x"]),
        st.one_of(st.text(max_size=80), st.lists(st.text(max_size=20), max_size=2)),
        max_size=3,
    )
)
def test_random_query_strings_decode_or_notice(params):
    variant, notice = decode_query(params)
    assert variant is not None or notice is not None or not ({"v", "preset"} & set(params))


@settings(max_examples=8, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["v", "preset", "page", "x"]), st.text(alphabet=string.printable, max_size=60), max_size=3
    )
)
def test_build_page_with_random_query_strings(params):
    at = AppTest.from_file("../app.py", default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception


@settings(max_examples=6, deadline=None)
@given(st.data())
def test_build_page_with_random_widget_values(data):
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.run()
    for _ in range(4):
        sliders = [s for s in at.slider if s.key and not s.proto.disabled]
        numbers_ = [n for n in at.number_input if n.key and not n.proto.disabled]
        widget = data.draw(st.sampled_from(sliders + numbers_))
        if widget.type == "slider":
            kind = type(widget.value)
            value = (
                data.draw(st.integers(int(widget.min), int(widget.max)))
                if kind is int
                else data.draw(st.floats(widget.min, widget.max))
            )
        else:
            kind = type(widget.value)
            if kind is int:
                value = data.draw(st.integers(int(widget.min), int(widget.max)))
            else:
                value = data.draw(st.floats(widget.min, widget.max))
        widget.set_value(value)
        at.run()
        assert not at.exception, (widget.key, value)


PAGES = ["../pages/1_Inside.py", "../pages/2_Compare.py", "../pages/3_Formula.py"]


@settings(max_examples=4, deadline=None)
@given(
    st.sampled_from(PAGES),
    st.dictionaries(
        st.sampled_from(["compare", "v", "preset", "x"]), st.text(alphabet=string.printable, max_size=60), max_size=2
    ),
)
def test_other_pages_with_random_query_strings(page, params):
    at = AppTest.from_file(page, default_timeout=180)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception


@settings(max_examples=4, deadline=None)
@given(st.sampled_from(PAGES), st.data())
def test_other_pages_with_random_widget_values(page, data):
    at = AppTest.from_file(page, default_timeout=180)
    at.run()
    assert not at.exception
    for _ in range(3):
        candidates = [
            w
            for w in (*at.slider, *at.number_input, *at.selectbox, *at.checkbox, *at.toggle, *at.radio)
            if w.key and not getattr(w.proto, "disabled", False)
        ]
        if not candidates:
            return
        widget = data.draw(st.sampled_from(candidates))
        if widget.type == "slider":
            lo, hi = widget.min, widget.max
            if isinstance(widget.value, tuple):
                a = data.draw(st.integers(int(lo), int(hi)))
                value = (a, data.draw(st.integers(a, int(hi))))
            elif isinstance(widget.value, int):
                value = data.draw(st.integers(int(lo), int(hi)))
            else:
                value = data.draw(st.floats(lo, hi))
        elif widget.type == "number_input":
            lo = widget.min if widget.min is not None else -1000
            hi = widget.max if widget.max is not None else 1000
            value = (
                data.draw(st.integers(int(lo), int(hi)))
                if isinstance(widget.value, int)
                else data.draw(st.floats(lo, hi))
            )
        elif widget.type == "selectbox":
            index = data.draw(st.integers(0, len(widget.options) - 1))
            widget.select_index(index)
            at.run()
            assert not at.exception, (page, widget.key, index)
            continue
        elif widget.type == "radio":
            if not isinstance(widget.value, str):
                continue
            value = data.draw(st.sampled_from(list(widget.options)))
        else:
            value = data.draw(st.booleans())
        widget.set_value(value)
        at.run()
        assert not at.exception, (page, widget.key, value)
