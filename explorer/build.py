"""Config → torch.nn.Module, one loop over the layer specs.

A sequential variant is laid out like torchvision's AlexNet and VGG — `features` (everything before
flatten), `avgpool` (an adaptive pool right before flatten, else Identity), `flatten`,
`classifier` — so the torchvision and vgg16 presets' state_dict keys are `features.0.weight` …
`classifier.6.bias` and their ImageNet weights load unchanged.

A variant with residual blocks is laid out like torchvision's ResNet: the layers before the first
block by name (`conv1`, `bn1`, `relu`, `maxpool`), the blocks in stages `layer1` … (a block with a
shortcut conv starts a new stage after the first), each block a `ResidualBlock` whose body layers
are `conv1`, `bn1`, `relu`, `conv2`, `bn2` and whose shortcut is `downsample` (`downsample.0`,
`downsample.1`); the layers after the last block by name (`avgpool`, `flatten`, `fc`). The
activation after a block's add is a layer of its own, kept in the stage as `layer1.0_relu`
(parameter-free, so it adds no key). resnet18 and resnet34 thus have torchvision's keys exactly.

Either way `layer_modules()` gives one module per top-level layer, in order (index i ↔
`analysis.rows[i]`; a block's module returns body(x) + shortcut(x)), and `layer_names` the role
names (conv1, fc6, res2a, …).
"""

from __future__ import annotations

import torch
from torch import nn

from .analysis import Analysis, LayerRow, Shape, analyse, analyse_block, module_names
from .i18n import Message, _
from .kinds import kind_info
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
    Residual,
    Sigmoid,
    SpecError,
    Tanh,
    Text,
    Variant,
    VariantError,
)

__all__ = ["AlexNetVariant", "BuildError", "ResidualBlock", "build_layer", "build_model", "features_only"]


class BuildError(ValueError):
    """The variant is invalid or over budget; the message is the analysis error.

    It keeps the engine's `VariantError` (`.error`, None for a layer PyTorch has no module for) and
    renders it in the current language when `str()` asks, not when raised."""

    def __init__(self, reason: VariantError | Text):
        super().__init__(reason)
        self.error = reason if isinstance(reason, VariantError) else None
        self.reason = reason

    def __str__(self) -> str:
        return str(self.reason)


class ResidualBlock(nn.Module):
    """body(x) + shortcut(x), named like torchvision's BasicBlock: the body's layers are attributes
    (conv1, bn1, relu, conv2, bn2), the shortcut is `downsample` (None for the identity). The add
    refuses different shapes instead of broadcasting them, as the engine does."""

    def __init__(self, body: list[tuple[str, nn.Module]], shortcut: list[nn.Module]):
        super().__init__()
        for name, module in body:
            self.add_module(name, module)
        self._body = [name for name, _module in body]
        self.downsample = nn.Sequential(*shortcut) if shortcut else None

    def body_modules(self) -> list[nn.Module]:
        """The main path's modules, in order (index j ↔ row.body[j])."""
        return [self.get_submodule(name) for name in self._body]

    def shortcut_modules(self) -> list[nn.Module]:
        """The shortcut's modules, in order (index j ↔ row.shortcut[j]); empty for the identity."""
        return list(self.downsample) if self.downsample is not None else []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = x
        for name in self._body:
            out = self._modules[name](out)  # type: ignore[misc]
        identity = x if self.downsample is None else self.downsample(x)
        if out.shape != identity.shape:
            raise RuntimeError(
                _(
                    "residual add: the body gives {body}, the shortcut {shortcut}",
                    body=str(tuple(out.shape[1:])),
                    shortcut=str(tuple(identity.shape[1:])),
                )
            )
        return out + identity


def _build_block(
    layer: Residual, in_shape: Shape, row: LayerRow | None, device: torch.device | str | None
) -> ResidualBlock:
    if row is None:
        try:
            row = analyse_block(layer, in_shape)
        except SpecError as exc:
            raise BuildError(exc.error) from None
    body = [
        (name, build_layer(inner, r.input, device=device))
        for name, inner, r in zip(module_names(layer.body), layer.body, row.body)
    ]
    shortcut = [build_layer(inner, r.input, device=device) for inner, r in zip(layer.shortcut, row.shortcut)]
    return ResidualBlock(body, shortcut)


def build_layer(
    layer: Layer, in_shape: Shape, *, device: torch.device | str | None = None, row: LayerRow | None = None
) -> nn.Module:
    """One layer spec as a torch module, given the shape that arrives at it (and, for a residual
    block, optionally its analysed row, which sizes the inner layers)."""
    if isinstance(layer, Residual):
        return _build_block(layer, in_shape, row, device)
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
    raise BuildError(Message("no PyTorch module for layer type {type}", type=repr(layer.type)))


class _Stage(nn.Module):
    """A ResNet stage (torchvision's layer1 …): blocks named 0, 1, … and, after each, the layers
    up to the next block (e.g. the ReLU after the add, as `0_relu`); forward runs them in order."""

    def __init__(self, members: list[tuple[str, nn.Module]]):
        super().__init__()
        for name, module in members:
            self.add_module(name, module)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for module in self._modules.values():
            x = module(x)  # type: ignore[misc]
        return x


class AlexNetVariant(nn.Module):
    """A built variant: features → avgpool → flatten → classifier (sequential variants), or
    torchvision's ResNet layout (variants with residual blocks); see the module docstring."""

    def __init__(self, analysis: Analysis, *, device: torch.device | str | None = None):
        super().__init__()
        variant = analysis.variant
        layers = variant.layers
        modules = [build_layer(layer, row.input, device=device, row=row) for layer, row in zip(layers, analysis.rows)]
        self.layer_names: list[str] = list(analysis.names)
        self.variant_name = variant.name
        self.residual = any(isinstance(layer, Residual) for layer in layers)
        if self.residual:
            self._paths = self._resnet_layout(layers, modules)
            return
        split = next((i for i, layer in enumerate(layers) if isinstance(layer, Flatten)), len(layers))
        pooled = split > 0 and split < len(layers) and isinstance(layers[split - 1], AdaptiveAvgPool)
        feature_end = split - 1 if pooled else split
        self.features = nn.Sequential(*modules[:feature_end])
        self.avgpool = modules[feature_end] if pooled else nn.Identity()
        self.flatten = modules[split] if split < len(layers) else nn.Identity()
        self.classifier = nn.Sequential(*modules[split + 1 :])
        self._paths = (
            [f"features.{i}" for i in range(feature_end)]
            + (["avgpool"] if pooled else [])
            + (["flatten"] if split < len(layers) else [])
            + [f"classifier.{i}" for i in range(len(layers) - split - 1)]
        )

    def _resnet_layout(self, layers: tuple[Layer, ...], modules: list[nn.Module]) -> list[str]:
        blocks = [i for i, layer in enumerate(layers) if isinstance(layer, Residual)]
        first, last = blocks[0], blocks[-1]
        # after the last block: its activation stays in the stage, the rest is the head
        head = last + 1
        while head < len(layers) and kind_info(layers[head]).role == "activation":
            head += 1
        taken: set[str] = set()
        stem_names = module_names(layers[:first], taken)
        head_names = module_names(layers[head:], taken)
        paths: list[str] = [""] * len(layers)
        self._top: list[str] = []
        for i, name in enumerate(stem_names):
            self.add_module(name, modules[i])
            paths[i] = name
            self._top.append(name)
        stages: list[list[int]] = []
        for i in blocks:
            if not stages or (layers[i].shortcut and i != first):  # type: ignore[attr-defined]
                stages.append([])
            stages[-1].append(i)
        for s, members in enumerate(stages, start=1):
            entries: list[tuple[str, nn.Module]] = []
            for position, i in enumerate(members):
                end = next((b for b in blocks if b > i), head)
                entries.append((str(position), modules[i]))
                paths[i] = f"layer{s}.{position}"
                after = list(range(i + 1, end))
                for j, name in zip(after, module_names([layers[j] for j in after])):
                    entries.append((f"{position}_{name}", modules[j]))
                    paths[j] = f"layer{s}.{position}_{name}"
            self.add_module(f"layer{s}", _Stage(entries))
            self._top.append(f"layer{s}")
        for i, name in zip(range(head, len(layers)), head_names):
            self.add_module(name, modules[i])
            paths[i] = name
            self._top.append(name)
        return paths

    def layer_modules(self) -> list[nn.Module]:
        """The modules in variant order (index i ↔ analysis.rows[i])."""
        return [self.get_submodule(path) for path in self._paths]

    def layer_paths(self) -> list[str]:
        return list(self._paths)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.residual:
            for name in self._top:
                x = self._modules[name](x)  # type: ignore[misc]
            return x
        x = self.features(x)
        x = self.avgpool(x)
        x = self.flatten(x)
        return self.classifier(x)


def build_model(variant: Variant | Analysis, *, device: torch.device | str | None = None) -> AlexNetVariant:
    """Build a valid variant (refused by arithmetic, before allocation, when invalid or too large)."""
    analysis = variant if isinstance(variant, Analysis) else analyse(variant)
    if not analysis.valid:
        raise BuildError(analysis.error)
    model = AlexNetVariant(analysis, device=device)
    model.eval()
    return model


def features_only(variant: Variant) -> Variant:
    """The layers before the first flatten: all a feature-map view needs (layer indices unchanged)."""
    cut = next((i for i, layer in enumerate(variant.layers) if isinstance(layer, Flatten)), len(variant.layers))
    return variant.with_layers(variant.layers[:cut])
