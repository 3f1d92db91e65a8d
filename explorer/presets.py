"""Named AlexNet variants from the sources, each with where it comes from and its exact total.

Totals were verified by building each variant in PyTorch; tests/test_presets.py pins them.
"""

from __future__ import annotations

from .spec import (
    LRN,
    AdaptiveAvgPool,
    AvgPool,
    Conv,
    Dropout,
    Flatten,
    InputSpec,
    Layer,
    Linear,
    MaxPool,
    ReLU,
    Tanh,
    Variant,
)

__all__ = ["DEFAULT_PRESET", "PRESETS", "get_preset", "preset_names"]


def _classifier(widths: tuple[int, ...], classes: int, *, dropout_first: bool = True) -> list[Layer]:
    """fc layers with ReLU; dropout before each hidden linear (torchvision) or after its ReLU (d2l)."""
    layers: list[Layer] = []
    for width in widths:
        if dropout_first:
            layers += [Dropout(0.5), Linear(width), ReLU()]
        else:
            layers += [Linear(width), ReLU(), Dropout(0.5)]
    layers.append(Linear(classes))
    return layers


def _paper(groups: int, *, lrn: LRN = LRN(), ceil_mode: bool = False) -> list[Layer]:
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
        *_classifier((4096, 4096), 1000),
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


PRESETS: dict[str, Variant] = {
    # 60,965,224 params; 55, 27, 27, 13, 13, 13, 13, 6; flatten 9216
    "paper-2012": Variant(
        "paper-2012",
        InputSpec(3, 227, 227),
        tuple(_paper(groups=2)),
        description="The 2012 paper's two-GPU network: conv2, conv4 and conv5 see only their own GPU's "
        "half of the channels (groups 2), LRN after conv1 and conv2, overlapping 3/2 pooling, dropout in fc6/fc7. "
        "At 227 every division is exact.",
        source="Krizhevsky, Sutskever, Hinton, ImageNet Classification with Deep CNNs (NIPS 2012), Figure 2 and §3",
    ),
    # 49,430,888 params; conv1 gives 54, flatten 6400
    "paper-2012-224": Variant(
        "paper-2012-224",
        InputSpec(3, 224, 224),
        tuple(_paper(groups=2)),
        description="The same network at the 224×224 the paper prints: ⌊(224 − 11)/4⌋ + 1 = 54, not the 55 "
        "in Figure 2, so every later map shrinks and fc6 sees 6400 features instead of 9216.",
        source="The paper's text and Figure 2 (224×224×3 input); the mismatch is a well-known erratum",
    ),
    # 62,378,344 params
    "single-gpu": Variant(
        "single-gpu",
        InputSpec(3, 227, 227),
        tuple(_paper(groups=1)),
        description="paper-2012 on one GPU: groups 1 everywhere, so conv2, conv4 and conv5 see all channels "
        "and have twice the weights (+1.4M parameters).",
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
        description="torchvision.models.alexnet: the 'one weird trick' single-tower version with 64/192/384/256/256 "
        "channels, padding 2 on conv1 (so 224 gives 55), no LRN, adaptive average pooling to 6×6. "
        "Its ImageNet weights load into this variant unchanged.",
        source="torchvision/models/alexnet.py; Krizhevsky, One weird trick for parallelizing CNNs (2014)",
    ),
    # 50,820,776 params; 54, 26, 26, 12, 12, 12, 12, 5; flatten 6400
    "keras-seed": Variant(
        "keras-seed",
        InputSpec(1, 224, 224),
        tuple(_keras_features(conv1_padding=0) + _classifier((4096, 4096), 1000)),
        description="A blog's Keras AlexNet: conv1 'valid' (no padding) at 224, grayscale input, no LRN. "
        "54 instead of 55 after conv1 ripples down to a 5×5 map and a 6400-wide fc6.",
        source="A Keras tutorial blog post (Sequential model with padding='valid' on conv1)",
    ),
    # 46,764,746 params
    "d2l": Variant(
        "d2l",
        InputSpec(1, 224, 224),
        tuple(_keras_features(conv1_padding=1) + _classifier((4096, 4096), 10, dropout_first=False)),
        description="Dive into Deep Learning's AlexNet for Fashion-MNIST upsampled to 224: conv1 padding 1, "
        "one input channel, dropout after the fc ReLUs, 10 classes.",
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
        description="A blog's PyTorch AlexNet with two classic mistakes: no ReLU after conv5, and "
        "nn.Linear(256, 4096) after a 256×6×6 map, so the first forward pass fails. The error shows the fix.",
        source="A PyTorch tutorial blog post (in_features taken from the channel count, not C×H×W)",
    ),
    # 60,965,224 params; pools round up (Caffe), LRN k=1 with α divided by size
    "caffe-bvlc": Variant(
        "caffe-bvlc",
        InputSpec(3, 227, 227),
        tuple(_paper(groups=2, lrn=LRN(size=5, alpha=1e-4 / 5, beta=0.75, k=1.0), ceil_mode=True)),
        description="Caffe's bvlc_alexnet: the paper's two-GPU layout at 227, pooling that rounds up (ceil) "
        "as all Caffe pooling does, LRN with k = 1 and α divided by the window size (α = 1e-4/5 in the paper's terms).",
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
        description="LeCun et al.'s LeNet-5 (1998), AlexNet's ancestor: 32×32 digits, tanh, average pooling, "
        "61,706 parameters — a thousand times smaller.",
        source="LeCun, Bottou, Bengio, Haffner, Gradient-based learning applied to document recognition (1998)",
    ),
}

DEFAULT_PRESET = "paper-2012"


def preset_names() -> list[str]:
    return list(PRESETS)


def get_preset(name: str) -> Variant:
    """A preset by name; raises KeyError naming the choices."""
    try:
        return PRESETS[name]
    except KeyError:
        raise KeyError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}") from None
