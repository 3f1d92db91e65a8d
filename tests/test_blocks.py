"""The slider view of a variant round-trips every preset exactly."""

import pytest

from explorer.analysis import analyse
from explorer.blocks import ConvBlock, Design, default_block, design_from_variant
from explorer.presets import PRESETS
from explorer.spec import BatchNorm, Conv, Flatten, InputSpec, Linear, MaxPool, Variant


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_round_trips(name):
    design = design_from_variant(PRESETS[name])
    assert design is not None
    assert design.to_variant() == PRESETS[name]


def test_paper_design_fields():
    d = design_from_variant(PRESETS["paper-2012"])
    assert len(d.blocks) == 5
    assert [b.conv.groups for b in d.blocks] == [1, 2, 1, 2, 2]
    assert [b.lrn is not None for b in d.blocks] == [True, True, False, False, False]
    assert [b.pool is not None for b in d.blocks] == [True, True, False, False, True]
    # Caffe's bvlc_alexnet order: fc6 → relu6 → drop6; torchvision puts dropout before the linear
    assert d.hidden == (4096, 4096) and d.classes == 1000 and d.dropout == 0.5 and not d.dropout_first
    assert design_from_variant(PRESETS["torchvision"]).dropout_first
    assert design_from_variant(PRESETS["d2l"]).dropout_first is False
    assert design_from_variant(PRESETS["blog-broken-flatten"]).first_in_features == 256
    assert design_from_variant(PRESETS["lenet-5"]).dropout is None


def test_adding_a_default_block_keeps_the_size():
    d = design_from_variant(PRESETS["torchvision"])
    bigger = d.replace(blocks=(*d.blocks, default_block(256))).to_variant()
    assert analyse(bigger).total_params == 61_100_840 + 590_080


def test_unrepresentable_variants_give_none():
    bn_in_classifier = Variant("x", InputSpec(3, 32, 32), (Conv(4, 3), Flatten(), Linear(10), BatchNorm(), Linear(2)))
    assert design_from_variant(bn_in_classifier) is None
    linear_then_conv = Variant("x", InputSpec(3, 32, 32), (Conv(4, 3), Linear(2)))
    assert design_from_variant(linear_then_conv) is None


def test_conv_only_and_mlp_variants_get_sliders():
    conv_only = Variant("x", InputSpec(3, 32, 32), (Conv(4, 3), MaxPool(2)))
    design = design_from_variant(conv_only)
    assert design is not None and design.head is False and design.to_variant() == conv_only
    mlp = Variant("m", InputSpec(1, 28, 28), (Flatten(), Linear(10)))
    design = design_from_variant(mlp)
    assert design is not None and design.blocks == () and design.classes == 10 and design.to_variant() == mlp


def test_block_layers_order():
    block = ConvBlock(Conv(8, 3), batchnorm=True, activation="tanh")
    assert [layer.type for layer in block.layers()] == ["conv", "batchnorm", "tanh"]
    assert Design("x", InputSpec(1, 8, 8), (block,), hidden=(), classes=3, dropout=None).to_variant().layers[
        -1
    ] == Linear(3)


def test_residual_blocks_are_blocks_with_their_own_edits():
    from explorer.blocks import ResBlock

    d = design_from_variant(PRESETS["resnet18"])
    res = [b for b in d.blocks if isinstance(b, ResBlock)]
    assert len(res) == 8 and isinstance(d.blocks[0], ConvBlock)
    assert [(b.out_channels, b.stride, b.projection) for b in res[:4]] == [
        (64, 1, False),
        (64, 1, False),
        (128, 2, True),
        (128, 1, False),
    ]
    # the source's identity-block bug, made by editing: stride 2 and 128 channels with an identity shortcut
    broken = res[0].with_channels(128).with_stride(2)
    blocks = list(d.blocks)
    blocks[1] = broken
    a = analyse(d.replace(blocks=tuple(blocks)).to_variant())
    assert not a.valid and "cannot be added" in str(a.error.message)
    at = len(d.blocks[0].layers())  # the edited block's index among the layers
    assert a.error.layer == at
    blocks[1] = broken.with_projection(True)  # ResNet's dashed shortcut fixes it (the next block then needs 128)
    a = analyse(d.replace(blocks=tuple(blocks)).to_variant())
    assert a.error.layer > at
    assert res[2].with_projection(False).with_projection(True) == res[2]
