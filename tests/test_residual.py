"""Residual blocks: the config format, the engine's figures and errors, and the builder's
torchvision-compatible layout (checked against torchvision's ResNet and VGG re-typed here by hand:
torchvision is not installed, and nothing downloads)."""

import json
import timeit

import pytest
import torch
from torch import nn

from explorer.analysis import analyse, analyse_block, branch_names, layer_names, module_names
from explorer.build import BuildError, ResidualBlock, build_layer, build_model
from explorer.kinds import KINDS, Kind, kind_info, kinds_where
from explorer.presets import PRESETS
from explorer.spec import (
    LAYER_TYPES,
    MAX_LAYERS,
    BatchNorm,
    Conv,
    Flatten,
    InputSpec,
    Linear,
    ReLU,
    Residual,
    SpecError,
    Variant,
    variant_from_dict,
    variant_from_json,
    variant_to_json,
)

# The issue's example, verbatim: ResNet-34's dashed conv3_x block
DASHED = {
    "type": "residual",
    "body": [
        {"type": "conv", "out_channels": 128, "kernel": 3, "stride": 2, "padding": 1, "bias": False},
        {"type": "batchnorm"},
        {"type": "relu"},
        {"type": "conv", "out_channels": 128, "kernel": 3, "padding": 1, "bias": False},
        {"type": "batchnorm"},
    ],
    "shortcut": [{"type": "conv", "out_channels": 128, "kernel": 1, "stride": 2, "bias": False}, {"type": "batchnorm"}],
}


def doc(*layers, c=64, h=56):
    return {"name": "t", "input": {"channels": c, "height": h, "width": h}, "layers": list(layers)}


def v(*layers, c=64, h=56, w=None):
    return Variant("t", InputSpec(c, h, w or h), tuple(layers))


def spec_error(raw):
    with pytest.raises(SpecError) as info:
        variant_from_dict(raw)
    return info.value.error


# --- the config format ------------------------------------------------------------------------


def test_the_issues_block_parses_and_round_trips():
    variant = variant_from_dict(doc(DASHED, {"type": "relu"}))
    block = variant.layers[0]
    assert block == PRESETS["resnet34-conv3-dashed"].layers[0]
    assert block.body[0] == Conv(128, 3, stride=2, padding=1, bias=False)
    assert block.shortcut == (Conv(128, 1, stride=2, bias=False), BatchNorm())
    assert not block.identity and block.layer_count == 8
    again = variant_from_json(variant_to_json(variant))
    assert again == variant and hash(again) == hash(variant)
    d = block.to_dict()
    assert list(d) == ["type", "body", "shortcut"]
    assert d["body"][3] == {"type": "conv", "out_channels": 128, "kernel": 3, "stride": 1, "padding": 1, "bias": False}


@pytest.mark.parametrize("shortcut", ["omitted", [], None])
def test_an_omitted_or_empty_shortcut_is_the_identity(shortcut):
    raw = {"type": "residual", "body": [{"type": "relu"}]}
    if shortcut != "omitted":
        raw["shortcut"] = shortcut
    block = variant_from_dict(doc(raw)).layers[0]
    assert block == Residual((ReLU(),)) and block.identity
    assert block.to_dict() == {"type": "residual", "body": [{"type": "relu"}]}  # compact: no shortcut
    assert block.to_dict(compact=False) == {"type": "residual", "body": [{"type": "relu"}], "shortcut": []}


def test_lists_become_tuples_so_a_block_stays_hashable():
    block = Residual([ReLU()], [BatchNorm()])
    assert block.body == (ReLU(),) and hash(block) == hash(Residual((ReLU(),), (BatchNorm(),)))


@pytest.mark.parametrize(
    "raw,message,fix",
    [
        (
            {"type": "residual", "body": [DASHED]},
            "layer 1 (residual) body layer 0: a residual block cannot contain another residual block",
            "put the inner block after this one, at the top level of layers",
        ),
        (
            {"type": "residual"},
            'layer 1 (residual) is missing "body"',
            'add "body": the list of layers on the main path',
        ),
        (
            {"type": "residual", "body": []},
            "layer 1 (residual) body is empty",
            "add the layers of the main path to body, or remove the block",
        ),
        (
            {"type": "residual", "body": {"type": "relu"}},
            "layer 1 (residual) body must be a list of layers, got an object",
            'write "body": [ ... ]',
        ),
        (
            {"type": "residual", "body": [{"type": "relu"}], "shortcut": 3},
            "layer 1 (residual) shortcut must be a list of layers, got 3",
            'write "shortcut": [ ... ] ([] for the identity)',
        ),
        (
            {"type": "residual", "body": [{"type": "relu"}], "skip": []},
            'layer 1 (residual): unknown field "skip"',
            "remove it; residual takes body and shortcut (both lists of layers)",
        ),
    ],
)
def test_bad_blocks_are_named_with_a_fix(raw, message, fix):
    e = spec_error(doc({"type": "relu"}, raw))
    assert (str(e.message), str(e.fix), e.layer, e.layer_type) == (message, fix, 1, "residual")


def test_a_bad_inner_layer_names_the_block_branch_and_field():
    raw = {
        "type": "residual",
        "body": [{"type": "relu"}],
        "shortcut": [{"type": "conv", "out_channels": 4, "kernel": 0}],
    }
    with pytest.raises(SpecError) as info:
        variant_from_dict(doc({"type": "relu"}, raw))
    e = info.value.error
    assert str(e.message) == "layer 1 (residual) shortcut layer 0 (conv) kernel must be at least 1, got 0"
    assert (e.layer, e.layer_type, e.branch, e.branch_index) == (1, "residual", "shortcut", 0)
    assert e.to_dict()["branch"] == "shortcut"
    assert info.value.partial.layers == (ReLU(),)  # the layers before the block survive
    unknown = spec_error(doc({"type": "residual", "body": [{"type": "residual2"}]}))
    assert str(unknown.message) == 'layer 0 (residual) body layer 0: unknown type "residual2"'
    assert "residual" not in str(unknown.fix) and str(unknown.fix).startswith("use one of conv, relu")


def test_the_layer_limit_counts_layers_inside_blocks():
    block = {"type": "residual", "body": [{"type": "relu"}] * 9}  # 10 layers each
    e = spec_error(doc(*[block] * 26))
    assert (
        str(e.message)
        == f"260 layers (counting those inside residual blocks) is more than the {MAX_LAYERS} this tool analyses"
    )
    assert len(variant_from_dict(doc(*[block] * 25, *[{"type": "relu"}] * 6)).layers) == 31  # 256 exactly


def test_bias_false_and_batchnorm_already_work():
    a = analyse(v(Conv(8, 3, padding=1, bias=False), BatchNorm(), c=3, h=8))
    assert [r.params for r in a.rows] == [8 * 3 * 9, 16] and a.rows[0].bias_terms == 0


# --- the engine -------------------------------------------------------------------------------


def test_the_dashed_block_worked_out():
    a = analyse(PRESETS["resnet34-conv3-dashed"])
    assert a.valid and a.names == ("res2a", "res2a_relu")
    block = a.rows[0]
    assert block.is_block and not block.identity_shortcut and block.type == "residual"
    assert (block.input, block.output) == ((64, 56, 56), (128, 28, 28))
    assert [r.name for r in block.body] == ["res2a.conv1", "res2a.bn1", "res2a.relu", "res2a.conv2", "res2a.bn2"]
    assert [r.name for r in block.shortcut] == ["res2a.shortcut.conv1", "res2a.shortcut.bn1"]
    assert [r.params for r in block.body] == [73_728, 256, 0, 147_456, 256]
    assert [r.params for r in block.shortcut] == [8_192, 256]
    assert block.params == a.total_params == 230_144
    assert [r.macs for r in block.body] == [57_802_752, 0, 0, 115_605_504, 0]
    assert block.macs == 57_802_752 + 115_605_504 + 6_422_528 == a.total_macs
    # memory: the seven inner outputs and the sum, each 128×28×28 floats
    assert block.activation_bytes == 8 * 128 * 28 * 28 * 4
    assert a.activation_bytes == 64 * 56 * 56 * 4 + block.activation_bytes + 128 * 28 * 28 * 4
    # receptive field through the body: 3×3/2 then 3×3/1
    assert [(r.receptive_field, r.jump) for r in block.body] == [(3, 2), (3, 2), (3, 2), (7, 2), (7, 2)]
    assert (block.receptive_field, block.jump) == (7, 2)
    assert (block.shortcut[0].receptive_field, block.shortcut[0].jump) == (1, 2)
    # each inner conv has its worked formula and remainder
    conv1 = block.body[0]
    assert conv1.branch == "body" and conv1.index == 0
    assert conv1.formula_h.text == "⌊(56 + 2 − 3)/2⌋ + 1 = ⌊27.5⌋ + 1 = 28"
    short = block.shortcut[0].formula_h
    assert short.text == "⌊(56 − 1)/2⌋ + 1 = ⌊27.5⌋ + 1 = 28" and short.uncovered == 1
    assert [r.name for r in a.all_rows()][:3] == ["res2a", "res2a.conv1", "res2a.bn1"]


def test_the_identity_seed_bug_fails_at_the_add():
    a = analyse(PRESETS["resnet-seed-identity-broken"])
    e = a.error
    assert not a.valid and a.rows == () and a.failing_name == "res2a"
    assert (e.layer, e.layer_type, e.branch) == (0, "residual", None)
    assert str(e.message) == (
        "res2a (residual): the body gives 128×28×28, the shortcut passes 64×56×56 unchanged, so the two cannot be added"
    )
    assert str(e.arrived) == "a 64×56×56 feature map"
    assert str(e.arithmetic) == "128×28×28 ≠ 64×56×56: a residual add needs equal shapes"
    assert str(e.fix) == (
        "give the shortcut a 1×1 conv with stride 2 and 128 outputs, plus batchnorm — ResNet's dashed shortcut; "
        "or make the body keep 64×56×56"
    )


def test_the_suggested_shortcut_fixes_the_seed_bug():
    broken = PRESETS["resnet-seed-identity-broken"]
    block = broken.layers[0]
    fixed = broken.with_layers((Residual(block.body, (Conv(128, 1, stride=2, bias=False), BatchNorm())), ReLU()))
    assert fixed.layers == PRESETS["resnet34-conv3-dashed"].layers and analyse(fixed).valid


def test_add_errors_for_other_mismatches():
    same_size = analyse(v(Residual((Conv(128, 3, padding=1),)), c=64, h=8))
    assert str(same_size.error.fix).startswith("give the shortcut a 1×1 conv with 128 outputs, plus batchnorm")
    wrong_shortcut = analyse(v(Residual((Conv(8, 3, stride=2, padding=1),), (Conv(8, 1),)), c=4, h=8))
    assert str(wrong_shortcut.error.message) == (
        "res2a (residual): the body gives 8×4×4, the shortcut gives 8×8×8, so the two cannot be added"
    )
    assert str(wrong_shortcut.error.fix) == (
        "make the shortcut give 8×4×4: a 1×1 conv with stride 2 and 8 outputs, plus batchnorm on the block's 4×8×8 input"
    )
    flat = analyse(v(Flatten(), Residual((Linear(10),)), c=1, h=4))
    assert str(flat.error.message) == (
        "res2a (residual): the body gives 10, the shortcut passes 16 unchanged, so the two cannot be added"
    )
    assert str(flat.error.fix).startswith("give the shortcut a linear layer with 10 outputs;")
    unreachable = analyse(v(Residual((Conv(4, 3),)), c=4, h=8))  # 6×6 from 8: no 1×1 stride gives it
    assert (
        str(unreachable.error.fix) == "make the body keep 4×8×8, or give the shortcut layers that turn 4×8×8 into 4×6×6"
    )


def test_an_inner_layer_error_names_the_block_and_branch():
    a = analyse(v(ReLU(), Residual((Conv(8, 3, padding=1), Conv(8, 11)), (Conv(8, 1),)), c=3, h=8))
    e = a.error
    assert str(e.message) == (
        "res2a.conv2 (conv, on the residual block's main path): output height would be < 1: the 11-pixel window "
        "does not fit in 8 + 2·0 = 8 pixels"
    )
    assert (e.layer, e.layer_type, e.branch, e.branch_index) == (1, "residual", "body", 1)
    assert str(e.arrived) == "a 8×8×8 feature map"
    assert a.failing_name == "res2a.conv2" and [r.name for r in a.rows] == ["relu0"]
    short = analyse(v(Residual((ReLU(),), (Conv(4, 3, groups=2),)), c=3, h=8))
    assert (
        str(short.error.message)
        == "res2a.shortcut.conv1 (conv, on the residual block's shortcut): groups 2 must divide the 3 input channels"
    )
    assert short.failing_name == "res2a.shortcut.conv1"


def test_blocks_built_in_python_are_checked_like_parsed_ones():
    nested = analyse(v(Residual((Residual((ReLU(),)),)), c=3, h=8))
    assert str(nested.error.message) == (
        "res2a.layer (residual, on the residual block's main path): a residual block cannot contain another residual block"
    )
    empty = analyse(v(Residual(()), c=3, h=8))
    assert str(empty.error.message) == "res2a (residual): the body is empty"


def test_budgets_count_the_layers_inside_blocks():
    a = analyse(v(Flatten(), Residual((Linear(200_000), ReLU(), Linear(3072))), c=3, h=32))
    assert a.error.branch == "body" and a.error.branch_index == 0 and "over the 2 GiB budget" in str(a.error.message)


def test_names_of_resnet_vgg_and_blocks():
    assert analyse(PRESETS["resnet18"]).names == (
        "conv1", "bn1", "relu1", "pool1",
        "res2a", "res2a_relu", "res2b", "res2b_relu", "res3a", "res3a_relu", "res3b", "res3b_relu",
        "res4a", "res4a_relu", "res4b", "res4b_relu", "res5a", "res5a_relu", "res5b", "res5b_relu",
        "adaptpool17", "flatten", "fc18",
    )  # fmt: skip
    r34 = analyse(PRESETS["resnet34"]).names
    assert [n for n in r34 if n.startswith("res") and "_" not in n][-4:] == ["res4f", "res5a", "res5b", "res5c"]
    assert r34[-1] == "fc34"
    vgg = analyse(PRESETS["vgg16"]).names
    assert vgg[:5] == ("conv1_1", "relu1_1", "conv1_2", "relu1_2", "pool1")
    assert vgg[-10:] == ("pool5", "adaptpool5", "flatten", "fc6", "relu6", "drop6", "fc7", "relu7", "drop7", "fc8")
    block = PRESETS["resnet18"].layers[8]
    assert branch_names(block, "res3a") == {
        "body": ["res3a.conv1", "res3a.bn1", "res3a.relu", "res3a.conv2", "res3a.bn2"],
        "shortcut": ["res3a.shortcut.conv1", "res3a.shortcut.bn1"],
    }
    assert module_names([Conv(4, 3), BatchNorm(), ReLU(), ReLU(), Linear(3)]) == [
        "conv1",
        "bn1",
        "relu",
        "relu_2",
        "fc",
    ]
    assert layer_names([Residual((ReLU(),)), Residual((ReLU(),), (ReLU(),)), Residual((ReLU(),))]) == [
        "res2a",
        "res3a",
        "res3b",
    ]


def test_analysis_stays_fast():
    variant = PRESETS["resnet34"]
    per_call = min(timeit.repeat(lambda: analyse(variant), number=20, repeat=5)) / 20
    rows = sum(1 for _ in analyse(variant).all_rows())
    print(f"analyse(resnet34), {rows} rows: {per_call * 1e6:.0f} µs")
    assert rows == 125 and per_call < 0.01  # about 0.9 ms on one core; generous for busy CI machines


# --- layer kinds ------------------------------------------------------------------------------


def test_every_layer_type_has_its_kind():
    assert set(LAYER_TYPES) == {k.value for k in Kind} == set(KINDS)
    assert kind_info("maxpool").spatial and kind_info(Conv(4, 3)).weighted and kind_info(Kind.LINEAR).weighted
    assert kinds_where(defines_role=True) == {
        "conv",
        "maxpool",
        "avgpool",
        "adaptiveavgpool",
        "flatten",
        "linear",
        "residual",
    }
    assert kinds_where(windowed=True) == {"conv", "maxpool", "avgpool"}
    assert kinds_where(weighted=True) == {"conv", "linear"}
    assert kinds_where(learned=True) == {"conv", "linear", "batchnorm", "residual"}
    assert kinds_where(role="activation") == {"relu", "tanh", "sigmoid"}
    assert kinds_where(elementwise=True) == {"relu", "tanh", "sigmoid", "dropout", "lrn"}
    assert kinds_where(needs_map=True) == {"conv", "maxpool", "avgpool", "adaptiveavgpool", "lrn"}
    from explorer.analysis import _AFTER_FLATTEN

    assert set(_AFTER_FLATTEN) == kinds_where(needs_map=True)  # each has its "after flatten" message
    assert kind_info("batchnorm").short == "bn" and kind_info("lrn").word == "LRN"
    with pytest.raises(KeyError, match="unknown layer kind 'conv3d'"):
        kind_info("conv3d")
    with pytest.raises(TypeError, match="unknown kind fact"):
        kinds_where(colour="red")


# --- the builder: torchvision's layouts, re-typed from torchvision/models/{resnet,vgg}.py ---------


class TorchvisionBasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        return self.relu(out + identity)


class TorchvisionResNet(nn.Module):
    def __init__(self, layers, num_classes=1000):
        super().__init__()
        self.inplanes = 64
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = self._make_layer(64, layers[0])
        self.layer2 = self._make_layer(128, layers[1], stride=2)
        self.layer3 = self._make_layer(256, layers[2], stride=2)
        self.layer4 = self._make_layer(512, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512, num_classes)

    def _make_layer(self, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.inplanes != planes:
            downsample = nn.Sequential(nn.Conv2d(self.inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))
        layers = [TorchvisionBasicBlock(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes
        layers += [TorchvisionBasicBlock(planes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def torchvision_vgg16():
    cfg = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]
    layers, c = [], 3
    for x in cfg:
        if x == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        else:
            layers += [nn.Conv2d(c, x, kernel_size=3, padding=1), nn.ReLU(inplace=True)]
            c = x
    model = nn.Module()
    model.features = nn.Sequential(*layers)
    model.avgpool = nn.AdaptiveAvgPool2d((7, 7))
    model.classifier = nn.Sequential(
        nn.Linear(512 * 7 * 7, 4096),
        nn.ReLU(True),
        nn.Dropout(p=0.5),
        nn.Linear(4096, 4096),
        nn.ReLU(True),
        nn.Dropout(p=0.5),
        nn.Linear(4096, 1000),
    )
    return model


def shapes(model):
    return {k: tuple(t.shape) for k, t in model.state_dict().items()}


def bn_keys(prefix, channels):
    return {
        f"{prefix}.weight": (channels,),
        f"{prefix}.bias": (channels,),
        f"{prefix}.running_mean": (channels,),
        f"{prefix}.running_var": (channels,),
        f"{prefix}.num_batches_tracked": (),
    }


@pytest.mark.parametrize("name,blocks", [("resnet18", (2, 2, 2, 2)), ("resnet34", (3, 4, 6, 3))])
def test_resnet_state_dict_equals_torchvisions(name, blocks):
    with torch.device("meta"):
        reference = TorchvisionResNet(blocks)
    ours = build_model(PRESETS[name], device="meta")
    assert shapes(ours) == shapes(reference)
    assert list(ours.state_dict()) == list(reference.state_dict())  # the same order, too
    # spot checks written out by hand
    got = shapes(ours)
    assert len(got) == {"resnet18": 122, "resnet34": 218}[name]
    assert got["conv1.weight"] == (64, 3, 7, 7)
    assert {k: got[k] for k in bn_keys("bn1", 64)} == bn_keys("bn1", 64)
    assert got["layer1.0.conv1.weight"] == (64, 64, 3, 3) and "layer1.0.downsample.0.weight" not in got
    assert got["layer2.0.conv1.weight"] == (128, 64, 3, 3)
    assert got["layer2.0.downsample.0.weight"] == (128, 64, 1, 1)
    assert {k: got[k] for k in bn_keys("layer2.0.downsample.1", 128)} == bn_keys("layer2.0.downsample.1", 128)
    assert got[f"layer4.{blocks[3] - 1}.bn2.running_var"] == (512,)
    assert (got["fc.weight"], got["fc.bias"]) == ((1000, 512), (1000,))
    ours.load_state_dict(reference.state_dict(), strict=True)


def test_resnet18_loads_torchvision_weights_and_computes_the_same():
    torch.manual_seed(0)
    reference = TorchvisionResNet((2, 2, 2, 2)).eval()
    state = reference.state_dict()
    for key, value in state.items():  # non-trivial running statistics, so batch norm matters
        if key.endswith("running_mean"):
            value.copy_(torch.randn_like(value) * 0.1)
        elif key.endswith("running_var"):
            value.copy_(torch.rand_like(value) + 0.5)
    ours = build_model(PRESETS["resnet18"])
    ours.load_state_dict(state, strict=True)
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        assert torch.allclose(ours(x), reference(x), atol=1e-5)
        h = x
        rows = analyse(PRESETS["resnet18"].with_input(height=64, width=64)).rows
        for module, row in zip(ours.layer_modules(), rows, strict=True):
            h = module(h[:1])
            assert tuple(h.shape[1:]) == row.output


def test_vgg16_state_dict_equals_torchvisions():
    with torch.device("meta"):
        reference = torchvision_vgg16()
    ours = build_model(PRESETS["vgg16"], device="meta")
    assert shapes(ours) == shapes(reference)
    convs = [0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28]
    assert list(ours.state_dict()) == [
        *(f"features.{i}.{p}" for i in convs for p in ("weight", "bias")),
        *(f"classifier.{i}.{p}" for i in (0, 3, 6) for p in ("weight", "bias")),
    ]
    assert shapes(ours)["classifier.0.weight"] == (4096, 25_088)
    assert isinstance(ours.avgpool, nn.AdaptiveAvgPool2d)
    ours.load_state_dict(reference.state_dict(), strict=True)


def test_alexnet_layout_is_kept_for_sequential_variants():
    paper = build_model(PRESETS["paper-2012"], device="meta")
    assert not paper.residual
    assert list(paper.state_dict()) == [
        *(f"features.{i}.{p}" for i in (0, 4, 8, 10, 12) for p in ("weight", "bias")),
        *(f"classifier.{i}.{p}" for i in (0, 3, 6) for p in ("weight", "bias")),  # dropout after relu6/relu7
    ]
    tv = build_model(PRESETS["torchvision"], device="meta")
    assert next(k for k in tv.state_dict() if k.startswith("classifier")) == "classifier.1.weight"


def test_resnet_layout_paths_and_blocks():
    model = build_model(PRESETS["resnet34-conv3-dashed"], device="meta")
    assert model.residual and model.layer_paths() == ["layer1.0", "layer1.0_relu"]
    block = model.layer_modules()[0]
    assert isinstance(block, ResidualBlock)
    assert [type(m).__name__ for m in block.body_modules()] == [
        "Conv2d",
        "BatchNorm2d",
        "ReLU",
        "Conv2d",
        "BatchNorm2d",
    ]
    assert [type(m).__name__ for m in block.shortcut_modules()] == ["Conv2d", "BatchNorm2d"]
    r18 = build_model(PRESETS["resnet18"], device="meta")
    paths = r18.layer_paths()
    assert paths[:6] == ["conv1", "bn1", "relu", "maxpool", "layer1.0", "layer1.0_relu"]
    assert paths[-3:] == ["avgpool", "flatten", "fc"]
    assert paths[paths.index("layer2.0")] == "layer2.0" and r18.layer_names[paths.index("layer2.0")] == "res3a"
    identity = build_model(PRESETS["resnet18"], device="meta").get_submodule("layer1.0")
    assert identity.downsample is None and identity.shortcut_modules() == []


def test_the_block_refuses_to_broadcast():
    block = ResidualBlock([("conv1", nn.Conv2d(4, 1, 1))], [])  # 1×8×8 + 4×8×8 would broadcast
    with pytest.raises(RuntimeError, match=r"residual add: the body gives \(1, 8, 8\), the shortcut \(4, 8, 8\)"):
        block(torch.zeros(1, 4, 8, 8))


def test_build_layer_sizes_a_block_on_its_own_and_refuses_a_bad_one():
    block = PRESETS["resnet34-conv3-dashed"].layers[0]
    module = build_layer(block, (64, 56, 56))
    assert tuple(module(torch.zeros(1, 64, 56, 56)).shape) == (1, 128, 28, 28)
    assert analyse_block(block, (64, 56, 56)).params == 230_144
    with pytest.raises(BuildError, match="the body gives 128×28×28, the shortcut passes 64×56×56 unchanged"):
        build_layer(PRESETS["resnet-seed-identity-broken"].layers[0], (64, 56, 56))
    with pytest.raises(BuildError, match="the shortcut passes 64×56×56 unchanged"):
        build_model(PRESETS["resnet-seed-identity-broken"])


def test_cli_json_nests_inner_layers(tmp_path):
    docs = analyse(PRESETS["resnet34-conv3-dashed"]).to_dict()
    block = docs["layers"][0]
    assert (block["type"], block["name"], block["output"], block["params"], block["macs"]) == (
        "residual",
        "res2a",
        [128, 28, 28],
        230_144,
        179_830_784,
    )
    assert [r["name"] for r in block["body"]] == ["res2a.conv1", "res2a.bn1", "res2a.relu", "res2a.conv2", "res2a.bn2"]
    assert block["shortcut"][0]["formula"] == "⌊(56 − 1)/2⌋ + 1 = ⌊27.5⌋ + 1 = 28"
    json.dumps(docs)  # plain JSON all the way down


def test_share_links_hold_the_widest_residual_config():
    from explorer.share import MAX_CONFIG_JSON_CHARS, decode_query, encode_config
    from explorer.spec import MAX_INT

    widest = Conv(*(MAX_INT,) * 6, bias=False)
    for body, shortcut in ((255, 0), (254, 1), (127, 128)):  # the limit counts the block and its layers
        block = Residual((widest,) * body, (widest,) * shortcut)
        v = Variant("\U0001f600" * 80, InputSpec(MAX_INT, MAX_INT, MAX_INT), (block,))
        assert variant_from_json(variant_to_json(v)) == v
        assert len(json.dumps(v.to_dict(), separators=(",", ":"))) <= MAX_CONFIG_JSON_CHARS
        assert decode_query({"v": encode_config(v)}) == (v, None)
    for name in ("resnet18", "resnet34", "resnet34-conv3-dashed"):
        assert decode_query({"v": encode_config(PRESETS[name])}) == (PRESETS[name], None)
