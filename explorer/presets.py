"""Named variants from the sources, each with where it comes from and its exact total.

AlexNet's variants first, then the networks the sources explain next: VGG-16 and ResNet-18/34
(whose state-dict keys equal torchvision's, so its ImageNet weights load), ResNet-34's dashed
conv3_x block on its own, and the two seed bugs a student would copy (VGG-16's Linear(512, 4096),
the identity block that adds a 64×56×56 input to a 128×28×28 map). Totals were verified by
building each variant in PyTorch; tests/test_presets.py pins them.
"""

from __future__ import annotations

import functools

from .i18n import Message, _
from .spec import (
    LRN,
    AdaptiveAvgPool,
    AvgPool,
    BatchNorm,
    Conv,
    Dropout,
    Flatten,
    InputSpec,
    Layer,
    Linear,
    MaxPool,
    ReLU,
    Residual,
    Tanh,
    Variant,
)

__all__ = ["DEFAULT_PRESET", "PRESETS", "get_preset", "preset_names"]


def _classifier(widths: tuple[int, ...], classes: int, *, dropout_first: bool = True) -> list[Layer]:
    """fc layers with ReLU; dropout before each hidden linear (torchvision's AlexNet) or after its
    ReLU (Caffe's bvlc_alexnet: fc6 → relu6 → drop6; d2l; torchvision's VGG)."""
    layers: list[Layer] = []
    for width in widths:
        if dropout_first:
            layers += [Dropout(0.5), Linear(width), ReLU()]
        else:
            layers += [Linear(width), ReLU(), Dropout(0.5)]
    layers.append(Linear(classes))
    return layers


def _paper(groups: int, *, lrn: LRN = LRN(), ceil_mode: bool = False) -> list[Layer]:
    # dropout after relu6 and relu7, as in the paper's reference model (Caffe's bvlc_alexnet)
    pool = MaxPool(3, 2, ceil_mode=ceil_mode)
    return [
        Conv(96, 11, stride=4),
        ReLU(),
        lrn,
        pool,
        Conv(256, 5, padding=2, groups=groups),
        ReLU(),
        lrn,
        pool,
        Conv(384, 3, padding=1),
        ReLU(),
        Conv(384, 3, padding=1, groups=groups),
        ReLU(),
        Conv(256, 3, padding=1, groups=groups),
        ReLU(),
        pool,
        Flatten(),
        *_classifier((4096, 4096), 1000, dropout_first=False),
    ]


def _keras_features(conv1_padding: int) -> list[Layer]:
    return [
        Conv(96, 11, stride=4, padding=conv1_padding),
        ReLU(),
        MaxPool(3, 2),
        Conv(256, 5, padding=2),
        ReLU(),
        MaxPool(3, 2),
        Conv(384, 3, padding=1),
        ReLU(),
        Conv(384, 3, padding=1),
        ReLU(),
        Conv(256, 3, padding=1),
        ReLU(),
        MaxPool(3, 2),
        Flatten(),
    ]


# VGG-16, configuration D: numbers are 3×3 convs (padding 1) with that many filters, "M" a 2/2 max pool
_VGG16 = (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M")


def _vgg_features(cfg: tuple[int | str, ...]) -> list[Layer]:
    layers: list[Layer] = []
    for v in cfg:
        layers += [MaxPool(2, 2)] if v == "M" else [Conv(int(v), 3, padding=1), ReLU()]
    return layers


def _basic_block(channels: int, stride: int = 1, *, shortcut_conv: bool | None = None) -> Residual:
    """ResNet's basic block: conv3×3 (stride) → BN → ReLU → conv3×3 → BN, plus the shortcut: the
    identity, or (dashed) a 1×1 conv with the same stride and batch norm."""
    body = (
        Conv(channels, 3, stride=stride, padding=1, bias=False),
        BatchNorm(),
        ReLU(),
        Conv(channels, 3, padding=1, bias=False),
        BatchNorm(),
    )
    dashed = stride != 1 if shortcut_conv is None else shortcut_conv
    shortcut = (Conv(channels, 1, stride=stride, bias=False), BatchNorm()) if dashed else ()
    return Residual(body, shortcut)


def _resnet(blocks: tuple[int, int, int, int], classes: int = 1000) -> list[Layer]:
    """torchvision's ResNet with basic blocks; the ReLU after each add is a layer after the block."""
    layers: list[Layer] = [Conv(64, 7, stride=2, padding=3, bias=False), BatchNorm(), ReLU(), MaxPool(3, 2, padding=1)]
    for stage, (channels, count) in enumerate(zip((64, 128, 256, 512), blocks)):
        for j in range(count):
            layers += [_basic_block(channels, 2 if stage > 0 and j == 0 else 1), ReLU()]
    return [*layers, AdaptiveAvgPool(1), Flatten(), Linear(classes)]


_RESNET_SOURCE = (
    "torchvision/models/resnet.py (BasicBlock, {name}); He, Zhang, Ren, Sun, Deep Residual Learning for "
    "Image Recognition (CVPR 2016), Table 1"
)


def _resnet_text(name: str, blocks: tuple[int, int, int, int], convs: int, depth: int) -> Message:
    return Message(
        "torchvision's {name}: a 7×7 stride-2 conv and a 3/2 max pool with padding 1 take 224 to 56; then four "
        "stages (conv2_x to conv5_x) of {blocks} basic blocks (3×3 conv, batch norm, ReLU, 3×3 conv, batch norm, "
        "the block's input added back, ReLU) at 64, 128, 256 and 512 channels. The first block of conv3_x, conv4_x "
        "and conv5_x halves the map with stride 2 and gives its shortcut a 1×1 stride-2 conv with batch norm (the "
        "paper's dashed shortcut). Global average pooling and one fc to 1000; {convs} convs on the main path and "
        "the fc make the {depth}. Its ImageNet weights load into this variant unchanged.",
        name=name,
        blocks=Message("{a}, {b}, {c} and {d}", a=blocks[0], b=blocks[1], c=blocks[2], d=blocks[3]),
        convs=convs,
        depth=depth,
    )


PRESETS: dict[str, Variant] = {
    # 60,965,224 params; 55, 27, 27, 13, 13, 13, 13, 6; flatten 9216
    "paper-2012": Variant(
        "paper-2012",
        InputSpec(3, 227, 227),
        tuple(_paper(groups=2)),
        description=Message(
            "The 2012 paper's two-GPU network: conv2, conv4 and conv5 see only their own GPU's "
            "half of the channels (groups 2), LRN after conv1 and conv2, overlapping 3/2 pooling, dropout after the ReLUs of fc6 and fc7 (fc6 → relu6 → drop6, "
            "as in Caffe's reference model). "
            "At 227 every division is exact."
        ),
        source="Krizhevsky, Sutskever, Hinton, ImageNet Classification with Deep CNNs (NIPS 2012), Figure 2 and §3",
    ),
    # 49,430,888 params; conv1 gives 54, flatten 6400
    "paper-2012-224": Variant(
        "paper-2012-224",
        InputSpec(3, 224, 224),
        tuple(_paper(groups=2)),
        description=Message(
            "The same network at the 224×224 the paper prints: ⌊(224 − 11)/4⌋ + 1 = 54, not the 55 "
            "in Figure 2, so every later map shrinks and fc6 sees 6400 features instead of 9216."
        ),
        source="The paper's text and Figure 2 (224×224×3 input); the mismatch is a well-known erratum",
    ),
    # 62,378,344 params
    "single-gpu": Variant(
        "single-gpu",
        InputSpec(3, 227, 227),
        tuple(_paper(groups=1)),
        description=Message(
            "paper-2012 on one GPU: groups 1 everywhere, so conv2, conv4 and conv5 see all channels "
            "and have twice the weights (+1.4M parameters)."
        ),
        source="paper-2012 with the two-GPU split removed (as in the 'one-tower' CaffeNet-style ports)",
    ),
    # 61,100,840 params; state_dict keys equal torchvision's
    "torchvision": Variant(
        "torchvision",
        InputSpec(3, 224, 224),
        (
            Conv(64, 11, stride=4, padding=2),
            ReLU(),
            MaxPool(3, 2),
            Conv(192, 5, padding=2),
            ReLU(),
            MaxPool(3, 2),
            Conv(384, 3, padding=1),
            ReLU(),
            Conv(256, 3, padding=1),
            ReLU(),
            Conv(256, 3, padding=1),
            ReLU(),
            MaxPool(3, 2),
            AdaptiveAvgPool(6),
            Flatten(),
            *_classifier((4096, 4096), 1000),
        ),
        description=Message(
            "torchvision.models.alexnet: the 'one weird trick' single-tower version with 64/192/384/256/256 "
            "channels, padding 2 on conv1 (so 224 gives 55), no LRN, adaptive average pooling to 6×6. "
            "Its ImageNet weights load into this variant unchanged."
        ),
        source="torchvision/models/alexnet.py; Krizhevsky, One weird trick for parallelizing CNNs (2014)",
    ),
    # 50,820,776 params; 54, 26, 26, 12, 12, 12, 12, 5; flatten 6400
    "keras-seed": Variant(
        "keras-seed",
        InputSpec(1, 224, 224),
        tuple(_keras_features(conv1_padding=0) + _classifier((4096, 4096), 1000)),
        description=Message(
            "A blog's Keras AlexNet: conv1 'valid' (no padding) at 224, grayscale input, no LRN. "
            "54 instead of 55 after conv1 ripples down to a 5×5 map and a 6400-wide fc6."
        ),
        source="A Keras tutorial blog post (Sequential model with padding='valid' on conv1)",
    ),
    # 46,764,746 params
    "d2l": Variant(
        "d2l",
        InputSpec(1, 224, 224),
        tuple(_keras_features(conv1_padding=1) + _classifier((4096, 4096), 10, dropout_first=False)),
        description=Message(
            "Dive into Deep Learning's AlexNet for Fashion-MNIST upsampled to 224: conv1 padding 1, "
            "one input channel, dropout after the fc ReLUs, 10 classes."
        ),
        source="d2l.ai, chapter 'Deep Convolutional Neural Networks (AlexNet)'",
    ),
    # invalid: Linear(256, 4096) after a 256×6×6 map
    "blog-broken-flatten": Variant(
        "blog-broken-flatten",
        InputSpec(3, 224, 224),
        (
            Conv(96, 11, stride=4, padding=2),
            ReLU(),
            MaxPool(3, 2),
            Conv(256, 5, padding=2),
            ReLU(),
            MaxPool(3, 2),
            Conv(384, 3, padding=1),
            ReLU(),
            Conv(384, 3, padding=1),
            ReLU(),
            Conv(256, 3, padding=1),
            MaxPool(3, 2),
            Flatten(),
            Linear(4096, in_features=256),
            ReLU(),
            Dropout(0.5),
            Linear(4096),
            ReLU(),
            Dropout(0.5),
            Linear(1000),
        ),
        description=Message(
            "A blog's PyTorch AlexNet with two classic mistakes: no ReLU after conv5, and "
            "nn.Linear(256, 4096) after a 256×6×6 map, so the first forward pass fails. The error shows the fix."
        ),
        source="A PyTorch tutorial blog post (in_features taken from the channel count, not C×H×W)",
    ),
    # 60,965,224 params; pools round up (Caffe), LRN k=1 with α divided by size
    "caffe-bvlc": Variant(
        "caffe-bvlc",
        InputSpec(3, 227, 227),
        tuple(_paper(groups=2, lrn=LRN(size=5, alpha=1e-4 / 5, beta=0.75, k=1.0), ceil_mode=True)),
        description=Message(
            "Caffe's bvlc_alexnet: the paper's two-GPU layout at 227, pooling that rounds up (ceil) "
            "as all Caffe pooling does, LRN with k = 1 and α divided by the window size (α = 1e-4/5 in the paper's terms)."
        ),
        source="BVLC Caffe, models/bvlc_alexnet/deploy.prototxt",
    ),
    # 61,706 params
    "lenet-5": Variant(
        "lenet-5",
        InputSpec(1, 32, 32),
        (
            Conv(6, 5),
            Tanh(),
            AvgPool(2),
            Conv(16, 5),
            Tanh(),
            AvgPool(2),
            Flatten(),
            Linear(120),
            Tanh(),
            Linear(84),
            Tanh(),
            Linear(10),
        ),
        description=Message(
            "LeCun et al.'s LeNet-5 (1998), AlexNet's ancestor: 32×32 digits, tanh, average pooling, "
            "61,706 parameters — a thousand times smaller."
        ),
        source="LeCun, Bottou, Bengio, Haffner, Gradient-based learning applied to document recognition (1998)",
    ),
    # 138,357,544 params; 224 → 112 → 56 → 28 → 14 → 7; fc6 25,088 → 4096 (102,764,544 params)
    "vgg16": Variant(
        "vgg16",
        InputSpec(3, 224, 224),
        (
            *_vgg_features(_VGG16),
            AdaptiveAvgPool(7),
            Flatten(),
            *_classifier((4096, 4096), 1000, dropout_first=False),
        ),
        description=Message(
            "torchvision's VGG-16 (configuration D): thirteen 3×3 convs with padding 1 in five stages, "
            "each closed by a 2/2 max pool (224 → 112 → 56 → 28 → 14 → 7), adaptive average pooling to 7×7, then "
            "fc6 25,088 → 4096, fc7 4096 → 4096, fc8 → 1000 with dropout after each hidden ReLU. fc6 alone holds "
            "102.8M of the 138.4M parameters. Its ImageNet weights load into this variant unchanged."
        ),
        source="torchvision/models/vgg.py (cfgs['D'], vgg16); Simonyan, Zisserman, Very Deep Convolutional "
        "Networks for Large-Scale Image Recognition (ICLR 2015), Table 1, column D",
    ),
    # invalid: Linear(512, 4096) after flattening 512×7×7 = 25,088 features
    "vgg16-seed-broken": Variant(
        "vgg16-seed-broken",
        InputSpec(3, 224, 224),
        (
            *_vgg_features(_VGG16),
            Flatten(),
            Linear(4096, in_features=512),
            ReLU(),
            Dropout(0.5),
            Linear(4096),
            ReLU(),
            Dropout(0.5),
            Linear(1000),
        ),
        description=Message(
            "A tutorial's PyTorch Vgg16 as written: the thirteen convs and five pools are right, but "
            "the classifier starts with nn.Linear(512, 4096) right after flattening the 512×7×7 map, so 25,088 "
            "features arrive where 512 are expected and the first forward pass fails. The error shows the fix."
        ),
        source="A PyTorch tutorial's VGG-16 walkthrough (in_features taken from the channel count, not C×H×W)",
    ),
    # 11,689,512 params; state_dict keys equal torchvision's resnet18
    "resnet18": Variant(
        "resnet18",
        InputSpec(3, 224, 224),
        tuple(_resnet((2, 2, 2, 2))),
        description=_resnet_text("ResNet-18", (2, 2, 2, 2), convs=17, depth=18),
        source=_RESNET_SOURCE.format(name="resnet18"),
    ),
    # 21,797,672 params; state_dict keys equal torchvision's resnet34
    "resnet34": Variant(
        "resnet34",
        InputSpec(3, 224, 224),
        tuple(_resnet((3, 4, 6, 3))),
        description=_resnet_text("ResNet-34", (3, 4, 6, 3), convs=33, depth=34),
        source=_RESNET_SOURCE.format(name="resnet34"),
    ),
    # 230,144 params (torchvision's layer2.0); 64×56×56 → 128×28×28
    "resnet34-conv3-dashed": Variant(
        "resnet34-conv3-dashed",
        InputSpec(64, 56, 56),
        (_basic_block(128, 2), ReLU()),
        description=Message(
            "The first block of ResNet-34's conv3_x on its own, on the 64×56×56 map that conv2_x "
            "hands it: the body halves the map (3×3 conv, stride 2, 128 filters) and the shortcut follows with a "
            "1×1 stride-2 conv and batch norm (the dashed shortcut), so two 128×28×28 maps are added."
        ),
        source="A PyTorch tutorial's ResNet-34 walkthrough (the dashed block of the paper's Figure 3); "
        "torchvision's resnet34 layer2.0",
    ),
    # invalid at the add: the body gives 128×28×28, the identity passes 64×56×56
    "resnet-seed-identity-broken": Variant(
        "resnet-seed-identity-broken",
        InputSpec(64, 56, 56),
        (_basic_block(128, 2, shortcut_conv=False), ReLU()),
        description=Message(
            "The same tutorial's identity (solid) block as written: stride 2 and 64 → 128 channels in "
            "its main path, then h = f + x with the untouched input. A 128×28×28 map cannot be added to a "
            "64×56×56 one; the error names both shapes and the shortcut that fixes it."
        ),
        source="A PyTorch tutorial's ResNet-34 walkthrough (its identity block, h = f + x)",
    ),
}

DEFAULT_PRESET = "paper-2012"


@functools.lru_cache(maxsize=1)
def preset_totals() -> dict[str, int | None]:
    """Each preset's parameter count (None: the preset is invalid on purpose), computed once."""
    from .analysis import analyse  # analysis imports this module's neighbours; import late

    return {name: (a.total_params if a.valid else None) for name, a in ((n, analyse(v)) for n, v in PRESETS.items())}


def preset_names() -> list[str]:
    return list(PRESETS)


def get_preset(name: str) -> Variant:
    """A preset by name; raises KeyError naming the choices."""
    try:
        return PRESETS[name]
    except KeyError:
        raise KeyError(
            _("unknown preset {name}; choose one of {presets}", name=repr(name), presets=", ".join(PRESETS))
        ) from None
