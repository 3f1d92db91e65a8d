"""The slider view of a variant: conv blocks and a classifier, to and from the flat layer list.

A `Design` is what the Build page's sidebar edits. Every preset maps to a Design and back to the
identical Variant (tested), so moving a slider never loses a detail the sliders do not show.
Variants outside this grammar (e.g. batchnorm between linear layers) are still valid variants;
`design_from_variant` returns None for them and the page offers the JSON editor instead.

Block grammar: conv [batchnorm] [activation] [lrn] [pool]   |   residual [activation]
Classifier:    [adaptiveavgpool] [ flatten ( [dropout] linear act [dropout] )* linear ]
A design may have no conv block (an MLP) or no classifier (a feature extractor, `head=False`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

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
    Sigmoid,
    Tanh,
    Text,
    Variant,
)

__all__ = ["ACTIVATIONS", "ConvBlock", "Design", "ResBlock", "design_from_variant", "default_block"]

ACTIVATIONS: dict[str, type[Layer] | None] = {"relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid, "none": None}


@dataclass(frozen=True)
class ConvBlock:
    conv: Conv
    batchnorm: bool = False
    activation: str = "relu"  # a key of ACTIVATIONS
    lrn: LRN | None = None
    pool: MaxPool | AvgPool | None = None

    def layers(self) -> list[Layer]:
        out: list[Layer] = [self.conv]
        if self.batchnorm:
            out.append(BatchNorm())
        act = ACTIVATIONS[self.activation]
        if act is not None:
            out.append(act())
        if self.lrn is not None:
            out.append(self.lrn)
        if self.pool is not None:
            out.append(self.pool)
        return out


@dataclass(frozen=True)
class ResBlock:
    """A residual block and the activation after its add (ResNet's ReLU)."""

    residual: Residual
    activation: str = "relu"

    def layers(self) -> list[Layer]:
        act = ACTIVATIONS[self.activation]
        return [self.residual] if act is None else [self.residual, act()]

    @property
    def convs(self) -> list[Conv]:
        return [layer for layer in self.residual.body if isinstance(layer, Conv)]

    @property
    def out_channels(self) -> int:
        return self.convs[-1].out_channels if self.convs else 0

    @property
    def stride(self) -> int:
        return self.convs[0].stride if self.convs else 1

    @property
    def projection(self) -> bool:
        return not self.residual.identity

    def with_channels(self, channels: int) -> ResBlock:
        """Every conv of the body (and the shortcut's) gets `channels` outputs, as in one ResNet stage."""
        body = tuple(
            layer.replace(out_channels=channels) if isinstance(layer, Conv) else layer for layer in self.residual.body
        )
        short = tuple(
            layer.replace(out_channels=channels) if isinstance(layer, Conv) else layer
            for layer in self.residual.shortcut
        )
        return dataclasses.replace(self, residual=Residual(body, short))

    def with_stride(self, stride: int) -> ResBlock:
        """The first conv of the body strides (and the shortcut's 1×1 conv with it)."""
        first = next((j for j, layer in enumerate(self.residual.body) if isinstance(layer, Conv)), None)
        body = tuple(
            layer.replace(stride=stride) if j == first else layer for j, layer in enumerate(self.residual.body)
        )
        short = tuple(
            layer.replace(stride=stride) if isinstance(layer, Conv) else layer for layer in self.residual.shortcut
        )
        return dataclasses.replace(self, residual=Residual(body, short))

    def with_projection(self, on: bool) -> ResBlock:
        """ResNet's dashed shortcut (1×1 conv with the block's stride and channels, then batchnorm), or the identity."""
        short = (Conv(self.out_channels, 1, stride=self.stride, bias=False), BatchNorm()) if on else ()
        return dataclasses.replace(self, residual=Residual(self.residual.body, short))


def default_block(channels: int = 256) -> ConvBlock:
    """The block "Add conv block" appends: 3×3, padding 1 (keeps the size), ReLU."""
    return ConvBlock(Conv(channels, 3, padding=1))


@dataclass(frozen=True)
class Design:
    name: str
    input: InputSpec
    blocks: tuple[ConvBlock | ResBlock, ...]
    adaptive_pool: int | None = None
    hidden: tuple[int, ...] = (4096, 4096)
    classes: int = 1000
    dropout: float | None = 0.5  # None: no dropout layers
    dropout_first: bool = True  # torchvision/paper: dropout → linear; d2l: linear → act → dropout
    classifier_activation: str = "relu"
    first_in_features: int | None = None  # an explicit (possibly wrong) in_features on the first linear
    description: Text = ""  # a preset's is a Message, rendered in the reader's language
    source: Text = ""
    head: bool = True  # flatten and the fully connected layers; False: the variant ends at the features

    def to_variant(self) -> Variant:
        layers: list[Layer] = []
        for block in self.blocks:
            layers += block.layers()
        if self.adaptive_pool is not None:
            layers.append(AdaptiveAvgPool(self.adaptive_pool))
        if not self.head:
            return Variant(self.name, self.input, tuple(layers), self.description, self.source)
        layers.append(Flatten())
        act = ACTIVATIONS[self.classifier_activation]
        for i, width in enumerate((*self.hidden, self.classes)):
            last = i == len(self.hidden)
            drop = [Dropout(self.dropout)] if self.dropout is not None and not last else []
            linear = Linear(width, in_features=self.first_in_features if i == 0 else None)
            if self.dropout_first:
                layers += [*drop, linear]
            else:
                layers.append(linear)
            if not last:
                if act is not None:
                    layers.append(act())
                if not self.dropout_first:
                    layers += drop
        return Variant(self.name, self.input, tuple(layers), self.description, self.source)

    def replace(self, **changes: object) -> Design:
        return dataclasses.replace(self, **changes)


def _activation_name(layer: Layer) -> str | None:
    for name, cls in ACTIVATIONS.items():
        if cls is not None and type(layer) is cls:
            return name
    return None


def design_from_variant(variant: Variant) -> Design | None:
    """The slider view of a variant, or None when it does not fit the block grammar."""
    layers = list(variant.layers)
    i = 0
    blocks: list[ConvBlock | ResBlock] = []
    while i < len(layers) and isinstance(layers[i], (Conv, Residual)):
        if isinstance(layers[i], Residual):
            residual = layers[i]
            i += 1
            act = _activation_name(layers[i]) if i < len(layers) else None
            i += act is not None
            blocks.append(ResBlock(residual, act or "none"))
            continue
        conv = layers[i]
        i += 1
        bn = i < len(layers) and isinstance(layers[i], BatchNorm)
        i += bn
        act = _activation_name(layers[i]) if i < len(layers) else None
        i += act is not None
        lrn = layers[i] if i < len(layers) and isinstance(layers[i], LRN) else None
        i += lrn is not None
        pool = layers[i] if i < len(layers) and isinstance(layers[i], (MaxPool, AvgPool)) else None
        i += pool is not None
        blocks.append(ConvBlock(conv, bn, act or "none", lrn, pool))
    adaptive = None
    if i < len(layers) and isinstance(layers[i], AdaptiveAvgPool):
        adaptive = layers[i].size
        i += 1
    if i == len(layers):  # convolutions only: no classifier
        return Design(
            name=variant.name,
            input=variant.input,
            blocks=tuple(blocks),
            adaptive_pool=adaptive,
            head=False,
            description=variant.description,
            source=variant.source,
        )
    if not isinstance(layers[i], Flatten):
        return None
    head = layers[i + 1 :]
    linears = [layer for layer in head if isinstance(layer, Linear)]
    if not linears or any(not layer.bias for layer in linears):
        return None
    if any(layer.in_features is not None for layer in linears[1:]):
        return None
    dropouts = {layer.p for layer in head if isinstance(layer, Dropout)}
    if len(dropouts) > 1:
        return None
    acts = {_activation_name(layer) for layer in head if not isinstance(layer, (Linear, Dropout))}
    if None in acts or len(acts) > 1:
        return None
    dropout_p = dropouts.pop() if dropouts else None
    act_name = acts.pop() if acts else "relu"
    candidates = [
        Design(
            name=variant.name,
            input=variant.input,
            blocks=tuple(blocks),
            adaptive_pool=adaptive,
            hidden=tuple(layer.out_features for layer in linears[:-1]),
            classes=linears[-1].out_features,
            dropout=dropout_p,
            dropout_first=dropout_first,
            classifier_activation=act_name,
            first_in_features=linears[0].in_features,
            description=variant.description,
            source=variant.source,
        )
        for dropout_first in (True, False)
    ]
    for design in candidates:
        if design.to_variant().layers == variant.layers:
            return design
    return None
