"""The engine's figures and every kind of invalid variant, with the messages a user reads."""

from explorer.analysis import (
    ACTIVATION_BUDGET_BYTES,
    PARAM_BUDGET_BYTES,
    analyse,
    analyse_config,
    format_bytes,
    format_count,
)
from explorer.presets import PRESETS
from explorer.spec import (
    LRN,
    AdaptiveAvgPool,
    BatchNorm,
    Conv,
    Flatten,
    InputSpec,
    Linear,
    MaxPool,
    ReLU,
    Variant,
)


def v(*layers, c=3, h=32, w=None):
    return Variant("t", InputSpec(c, h, w or h), tuple(layers))


def test_receptive_field_of_paper_2012():
    a = analyse(PRESETS["paper-2012"])
    rf = {r.name: (r.receptive_field, r.jump) for r in a.rows}
    assert rf["conv1"] == (11, 4)
    assert rf["pool1"] == (19, 8)
    assert rf["conv2"] == (51, 8)
    assert rf["pool5"] == (195, 32)
    assert rf["fc6"] == (None, None)


def test_row_figures_conv1_paper():
    row = analyse(PRESETS["paper-2012"]).rows[0]
    assert row.output == (96, 55, 55)
    assert row.params == 34_944
    assert row.macs == 96 * 55 * 55 * 3 * 121 == 105_415_200
    assert row.activation_bytes == 96 * 55 * 55 * 4


def test_totals_and_memory():
    a = analyse(PRESETS["torchvision"])
    assert a.param_bytes == 61_100_840 * 4
    assert a.activation_bytes == 3 * 224 * 224 * 4 + sum(r.activation_bytes for r in a.rows)
    assert a.activation_bytes == 5_031_840  # 602,112 input + 4,429,728 outputs
    assert format_bytes(a.param_bytes) == "233 MiB"
    assert format_count(a.total_macs) == "714M"


def test_names_in_paper_style():
    names = analyse(PRESETS["paper-2012"]).names
    assert names[:4] == ("conv1", "relu1", "norm1", "pool1")
    # Caffe's bvlc_alexnet order and names: fc6 → relu6 → drop6
    assert names[-8:] == ("flatten", "fc6", "relu6", "drop6", "fc7", "relu7", "drop7", "fc8")
    assert analyse(PRESETS["caffe-bvlc"]).names[-8:] == names[-8:]
    # torchvision's order: the dropout before a linear layer is named for it
    tv = analyse(PRESETS["torchvision"]).names
    assert tv[-8:] == ("flatten", "drop6", "fc6", "relu6", "drop7", "fc7", "relu7", "fc8")
    d2l = analyse(PRESETS["d2l"]).names
    assert d2l[-7:] == ("fc6", "relu6", "drop6", "fc7", "relu7", "drop7", "fc8")


def test_output_too_small():
    a = analyse(v(Conv(8, 5), ReLU(), MaxPool(3, 2), Conv(8, 11), c=3, h=12))
    assert not a.valid and a.error.layer == 3 and a.error.layer_type == "conv"
    assert str(a.error.message) == (
        "conv2 (conv): output height would be < 1: the 11-pixel window does not fit in 3 + 2·0 = 3 pixels"
    )
    assert str(a.error.arrived) == "a 8×3×3 feature map"
    assert str(a.error.arithmetic) == "⌊(3 − 11)/1⌋ + 1: the window (11) is larger than the padded input (3)"
    assert (
        str(a.error.fix)
        == "use a kernel of at most 3, or padding of at least 4, or a larger input; this layer sees only 3 pixels here"
    )
    assert [r.name for r in a.rows] == ["conv1", "relu1", "pool1"] and a.failing_name == "conv2"


def test_groups_not_dividing():
    a = analyse(v(Conv(96, 11, stride=4, groups=2)))
    assert str(a.error.message) == "conv1 (conv): groups 2 must divide the 3 input channels"
    assert str(a.error.arithmetic) == "3 / 2 = 1.5, not a whole number"
    assert str(a.error.fix) == "use groups in [1, 3] for 3 in and 96 out channels"
    b = analyse(v(Conv(5, 3, groups=3)))
    assert str(b.error.message) == "conv1 (conv): groups 3 must divide the 5 output channels"


def test_pool_padding_over_half_kernel():
    a = analyse(v(MaxPool(3, 2, padding=2)))
    assert str(a.error.message) == "pool0 (maxpool): padding 2 is more than half the kernel 3"
    assert str(a.error.arithmetic).startswith("padding must be ≤ ⌊3/2⌋ = 1")
    assert str(a.error.fix) == "use padding 1 or less, or a kernel of at least 4"


def test_linear_before_flatten():
    a = analyse(v(Conv(4, 3), Linear(10), h=8))
    assert str(a.error.message) == "fc2 (linear): a linear layer needs a flat vector, but a feature map arrives"
    assert str(a.error.arithmetic) == "flatten would give 4·6·6 = 144 features"
    assert str(a.error.fix) == "add a flatten layer before it"


def test_in_features_mismatch():
    a = analyse(v(Conv(4, 3), Flatten(), Linear(10, in_features=4), h=8))
    assert str(a.error.message) == "fc2 (linear): it expects 4 input features but 144 arrive (4×6×6 = 144)"
    assert str(a.error.arithmetic) == "in_features 4 ≠ 144"


def test_layers_needing_a_map_after_flatten():
    for layer, word in [
        (Conv(4, 3), "convolution"),
        (MaxPool(2), "pooling"),
        (LRN(), "LRN"),
        (AdaptiveAvgPool(2), "adaptive"),
    ]:
        a = analyse(v(Flatten(), layer))
        assert a.error.layer == 1
        assert word in str(a.error.message) and "after flatten" in str(a.error.message)
        assert str(a.error.fix).startswith("move")


def test_batchnorm_on_both_shapes():
    a = analyse(v(Conv(4, 3), BatchNorm(), Flatten(), BatchNorm(), h=8))
    assert [r.params for r in a.rows] == [4 * 27 + 4, 8, 0, 2 * 144]


def test_parameter_budget():
    a = analyse(v(Flatten(), Linear(200_000), Linear(10_000), c=3, h=32))
    assert not a.valid and a.error.layer == 1
    assert (
        str(a.error.message) == "fc1 (linear): the weights reach 2.29 GiB here, over the 2 GiB budget this tool builds"
    )
    assert str(a.error.arithmetic) == "614,600,000 parameters × 4 bytes"  # 3072·200000 + 200000
    assert PARAM_BUDGET_BYTES == 2 * 1024**3


def test_activation_budget_on_input_and_layers():
    a = analyse(v(ReLU(), c=3, h=20_000))
    assert not a.valid and a.error.layer is None
    assert "alone takes 4.47 GiB" in str(a.error.message)
    b = analyse(v(Conv(4096, 1), c=3, h=512))
    assert b.error.layer == 0 and "activations reach" in str(b.error.message)
    assert ACTIVATION_BUDGET_BYTES == 2 * 1024**3


def test_analyse_config_keeps_rows_before_a_bad_layer():
    raw = {
        "name": "half",
        "input": {"channels": 3, "height": 227, "width": 227},
        "layers": [{"type": "conv", "out_channels": 96, "kernel": 11, "stride": 4}, {"type": "relu"}, {"type": "pool"}],
    }
    a = analyse_config(raw)
    assert not a.valid and a.error.layer == 2
    assert [r.output for r in a.rows] == [(96, 55, 55), (96, 55, 55)]
    assert str(analyse_config("garbage").error.message).startswith("a variant must be a JSON object")


def test_non_square_input_shows_both_axes():
    a = analyse(v(Conv(8, 3, stride=2), h=9, w=10))
    assert [axis for axis, _ in a.rows[0].formulas] == ["H", "W"]
    assert a.rows[0].output == (8, 4, 4)


def test_adaptive_pool_identity_and_shrink():
    tv = analyse(PRESETS["torchvision"])
    adapt = next(r for r in tv.rows if r.type == "adaptiveavgpool")
    assert adapt.input == adapt.output == (256, 6, 6)
    assert adapt.receptive_field == 195
    a = analyse(v(AdaptiveAvgPool(3), h=10))
    assert a.rows[0].output == (3, 3, 3) and a.rows[0].receptive_field == 4  # widest bin: ⌈10/3⌉ + 1


def test_to_dict_shape():
    d = analyse(PRESETS["torchvision"]).to_dict()
    assert d["total_params"] == 61_100_840 and d["input"] == [3, 224, 224]
    assert d["layers"][0]["formula"] == "⌊(224 + 4 − 11)/4⌋ + 1 = ⌊54.25⌋ + 1 = 55"
    assert d["layers"][-1]["output"] == [1000]
