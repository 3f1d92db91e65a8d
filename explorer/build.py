"""Config → torch.nn.Module, one loop over the layer specs.

The module is laid out like torchvision's AlexNet — `features` (everything before flatten),
`avgpool` (an adaptive pool right before flatten, else Identity), `flatten`, `classifier` — so
the torchvision preset's state_dict keys are `features.0.weight` … `classifier.6.bias` and its
ImageNet weights load unchanged. Readable role names (conv1, fc6, …) come from
`AlexNetVariant.layer_names`, in the same order as `AlexNetVariant.layer_modules()`.
"""

from __future__ import annotations

import torch
from torch import nn

from .analysis import Analysis, Shape, analyse
from .spec import (
    LRN,
    AdaptiveAvgPool,
    AvgPool,
    BatchNorm,
    Conv,
    Dropout,
    Flatten,
    Layer,
    Linear,
    MaxPool,
    ReLU,
    Sigmoid,
    Tanh,
    Variant,
)

__all__ = ["AlexNetVariant", "BuildError", "build_layer", "build_model", "features_only"]


class BuildError(ValueError):
    """The variant is invalid or over budget; the message is the analysis error."""


def build_layer(layer: Layer, in_shape: Shape, *, device: torch.device | str | None = None) -> nn.Module:
    """One layer spec as a torch module, given the shape that arrives at it."""
    if isinstance(layer, Conv):
        return nn.Conv2d(
            in_shape[0],
            layer.out_channels,
            layer.kernel,
            stride=layer.stride,
            padding=layer.padding,
            dilation=layer.dilation,
            groups=layer.groups,
            bias=layer.bias,
            device=device,
        )
    if isinstance(layer, Linear):
        n_in = layer.in_features if layer.in_features is not None else in_shape[0]
        return nn.Linear(n_in, layer.out_features, bias=layer.bias, device=device)
    if isinstance(layer, MaxPool):
        return nn.MaxPool2d(layer.kernel, layer.effective_stride, layer.padding, ceil_mode=layer.ceil_mode)
    if isinstance(layer, AvgPool):
        return nn.AvgPool2d(layer.kernel, layer.effective_stride, layer.padding, ceil_mode=layer.ceil_mode)
    if isinstance(layer, AdaptiveAvgPool):
        return nn.AdaptiveAvgPool2d(layer.size)
    if isinstance(layer, LRN):
        # The paper's α multiplies the plain sum; PyTorch divides α by size, so pass α·size.
        return nn.LocalResponseNorm(layer.size, alpha=layer.alpha * layer.size, beta=layer.beta, k=layer.k)
    if isinstance(layer, BatchNorm):
        cls = nn.BatchNorm1d if len(in_shape) == 1 else nn.BatchNorm2d
        return cls(in_shape[0], device=device)
    if isinstance(layer, ReLU):
        return nn.ReLU(inplace=False)
    if isinstance(layer, Tanh):
        return nn.Tanh()
    if isinstance(layer, Sigmoid):
        return nn.Sigmoid()
    if isinstance(layer, Dropout):
        return nn.Dropout(layer.p)
    if isinstance(layer, Flatten):
        return nn.Flatten()
    raise BuildError(f"no PyTorch module for layer type {layer.type!r}")


class AlexNetVariant(nn.Module):
    """A built variant; forward is features → avgpool → flatten → classifier."""

    def __init__(self, analysis: Analysis, *, device: torch.device | str | None = None):
        super().__init__()
        variant = analysis.variant
        layers = variant.layers
        split = next((i for i, layer in enumerate(layers) if isinstance(layer, Flatten)), len(layers))
        pooled = split > 0 and split < len(layers) and isinstance(layers[split - 1], AdaptiveAvgPool)
        feature_end = split - 1 if pooled else split
        modules = [build_layer(layer, row.input, device=device) for layer, row in zip(layers, analysis.rows)]
        self.features = nn.Sequential(*modules[:feature_end])
        self.avgpool = modules[feature_end] if pooled else nn.Identity()
        self.flatten = modules[split] if split < len(layers) else nn.Identity()
        self.classifier = nn.Sequential(*modules[split + 1 :])
        self.layer_names: list[str] = list(analysis.names)
        self.variant_name = variant.name
        self._paths = (
            [f"features.{i}" for i in range(feature_end)]
            + (["avgpool"] if pooled else [])
            + (["flatten"] if split < len(layers) else [])
            + [f"classifier.{i}" for i in range(len(layers) - split - 1)]
        )

    def layer_modules(self) -> list[nn.Module]:
        """The modules in variant order (index i ↔ analysis.rows[i])."""
        return [self.get_submodule(path) for path in self._paths]

    def layer_paths(self) -> list[str]:
        return list(self._paths)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x)
        x = self.avgpool(x)
        x = self.flatten(x)
        return self.classifier(x)


def build_model(variant: Variant | Analysis, *, device: torch.device | str | None = None) -> AlexNetVariant:
    """Build a valid variant (refused by arithmetic, before allocation, when invalid or too large)."""
    analysis = variant if isinstance(variant, Analysis) else analyse(variant)
    if not analysis.valid:
        raise BuildError(str(analysis.error))
    model = AlexNetVariant(analysis, device=device)
    model.eval()
    return model


def features_only(variant: Variant) -> Variant:
    """The layers before the first flatten: all a feature-map view needs (layer indices unchanged)."""
    cut = next((i for i, layer in enumerate(variant.layers) if isinstance(layer, Flatten)), len(variant.layers))
    return variant.with_layers(variant.layers[:cut])
