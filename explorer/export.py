"""What the Build page offers for download: the per-layer table, PyTorch source, torchinfo text."""

from __future__ import annotations

import csv
import io
from typing import Any

from torch import nn

from .analysis import Analysis, format_shape
from .build import AlexNetVariant, build_model
from .i18n import N_, _, using

__all__ = ["TABLE_COLUMNS", "column_label", "pytorch_source", "table_csv", "table_rows", "torchinfo_text"]

# The per-layer table's columns: stable ids (the rows' keys, what code and tests read) and the
# header a reader sees, rendered in their language by `column_label`.
TABLE_COLUMNS: dict[str, str] = {
    "#": "#",
    "layer": N_("layer"),
    "type": N_("type"),
    "output": N_("output"),
    "params": N_("params"),
    "% params": N_("% params"),
    "MACs": "MACs",
    "% MACs": N_("% MACs"),
    "memory (KiB)": N_("memory (KiB)"),
    "receptive field": N_("receptive field"),
    "jump": N_("jump"),
}


def column_label(column: str) -> str:
    """A table column's header in the current language (unknown ids are shown as they are)."""
    label = TABLE_COLUMNS.get(column)
    return _(label) if label is not None else column


def table_rows(analysis: Analysis) -> list[dict[str, Any]]:
    """One dict per layer: what the page's table and the CSV show."""
    total_params = analysis.total_params or 1
    total_macs = analysis.total_macs or 1
    rows = []
    for r in analysis.rows:
        rows.append(
            {
                "#": r.index,
                "layer": r.name,
                "type": r.type,
                "output": format_shape(r.output),
                "params": r.params,
                "% params": round(100 * r.params / total_params, 2),
                "MACs": r.macs,
                "% MACs": round(100 * r.macs / total_macs, 2),
                "memory (KiB)": round(r.activation_bytes / 1024, 1),
                "receptive field": r.receptive_field,
                "jump": r.jump,
            }
        )
    return rows


def table_csv(analysis: Analysis, lang: str = "en") -> str:
    """The per-layer table as CSV: headers in `lang`, the cells (numbers, shapes, names) the same in every language."""
    buffer = io.StringIO()
    rows = table_rows(analysis)
    fields = list(rows[0]) if rows else ["#", "layer", "type", "output"]
    with using(lang):
        headers = [column_label(f) for f in fields]
    if lang == "zh":
        buffer.write("\ufeff")  # a byte-order mark, or Excel reads the UTF-8 Chinese headers as GBK
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if row[f] is None else row[f] for f in fields])
    return buffer.getvalue()


def _module_code(module: nn.Module) -> str:
    # A torch module's repr is its constructor call, e.g. Conv2d(3, 96, kernel_size=(11, 11), stride=(4, 4)).
    return f"nn.{module!r}"


def _sequential_code(seq: nn.Sequential, comments: list[str], indent: str) -> str:
    if len(seq) == 0:
        return "nn.Sequential()"
    lines = ["nn.Sequential("]
    for module, comment in zip(seq, comments, strict=True):
        lines.append(f"{indent}    {_module_code(module)},  # {comment}")
    lines.append(f"{indent})")
    return "\n".join(lines)


_RESIDUAL_BLOCK = '''class ResidualBlock(nn.Module):
    """body(x) + shortcut(x); the body's layers are attributes (conv1, bn1, relu, conv2, bn2) and the
    shortcut is `downsample` (None: the identity), as in torchvision's BasicBlock."""

    def __init__(self, body: list[tuple[str, nn.Module]], shortcut: list[nn.Module]):
        super().__init__()
        for name, module in body:
            self.add_module(name, module)
        self._body = [name for name, _ in body]
        self.downsample = nn.Sequential(*shortcut) if shortcut else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = x
        for name in self._body:
            out = self._modules[name](out)
        return out + (x if self.downsample is None else self.downsample(x))
'''


def _residual_code(model: AlexNetVariant, by_path: dict[str, str]) -> str:
    """__init__ lines for torchvision's ResNet layout: stem, stages of blocks, head (the same names)."""
    from .build import ResidualBlock

    lines = []
    for name, child in model.named_children():
        comment = f"  # {by_path[name]}" if name in by_path else ""
        if not any(isinstance(m, ResidualBlock) for m in child.children()):
            lines.append(f"        self.{name} = {_module_code(child)}{comment}")
            continue
        lines.append(f"        self.{name} = nn.Sequential(OrderedDict([")
        for entry, module in child.named_children():
            path = f"{name}.{entry}"
            note = f"  # {by_path[path]}" if path in by_path else ""
            if isinstance(module, ResidualBlock):
                body = ", ".join(f'("{n}", {_module_code(m)})' for n, m in zip(module._body, module.body_modules()))
                short = ", ".join(_module_code(m) for m in module.shortcut_modules())
                lines.append(f'            ("{entry}", ResidualBlock([{body}], [{short}])),{note}')
            else:
                lines.append(f'            ("{entry}", {_module_code(module)}),{note}')
        lines.append("        ]))")
    order = ", ".join(f'"{name}"' for name, _child in model.named_children())
    lines.append(f"        self.order = [{order}]")
    return "\n".join(lines)


def _residual_source(analysis: Analysis, model: AlexNetVariant, by_path: dict[str, str], name: str) -> str:
    c, h, w = analysis.input_shape
    return f'''"""{name}: generated by AlexNet Explorer.

{analysis.total_params:,} parameters, {analysis.total_macs:,} multiply-accumulates per image.
Input {c}×{h}×{w}; output {format_shape(analysis.output_shape or ())}.
Module names match torchvision's ResNet layout (conv1 / layerN.M / fc), so its state dicts load.
"""

from collections import OrderedDict

import torch
from torch import nn


{_RESIDUAL_BLOCK}

class Net(nn.Module):
    def __init__(self):
        super().__init__()
{_residual_code(model, by_path)}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for name in self.order:
            x = getattr(self, name)(x)
        return x


INPUT_SHAPE = ({c}, {h}, {w})

if __name__ == "__main__":
    model = Net().eval()
    print(model(torch.randn(1, *INPUT_SHAPE)).shape)
    print(sum(p.numel() for p in model.parameters()), "parameters")
'''


def pytorch_source(analysis: Analysis) -> str:
    """A self-contained Python file defining the variant as an nn.Module (valid variants only)."""
    model: AlexNetVariant = build_model(analysis, device="meta")
    if model.residual:
        paths = model.layer_paths()
        by_path = {
            p: f"{r.name}: {format_shape(r.input)} → {format_shape(r.output)}" for p, r in zip(paths, analysis.rows)
        }
        name = "".join(ch for ch in analysis.variant.name if ch.isprintable()).replace("\\", "/").replace('"', "'")
        return _residual_source(analysis, model, by_path, name)
    comments = [f"{r.name}: {format_shape(r.input)} → {format_shape(r.output)}" for r in analysis.rows]
    paths = model.layer_paths()
    by_path = dict(zip(paths, comments, strict=True))
    features = [by_path[p] for p in paths if p.startswith("features.")]
    classifier = [by_path[p] for p in paths if p.startswith("classifier.")]
    c, h, w = analysis.input_shape
    name = "".join(ch for ch in analysis.variant.name if ch.isprintable()).replace("\\", "/").replace('"', "'")
    avgpool = _module_code(model.avgpool) + (f"  # {by_path['avgpool']}" if "avgpool" in by_path else "")
    flatten = _module_code(model.flatten) + (f"  # {by_path['flatten']}" if "flatten" in by_path else "")
    return f'''"""{name}: generated by AlexNet Explorer.

{analysis.total_params:,} parameters, {analysis.total_macs:,} multiply-accumulates per image.
Input {c}×{h}×{w}; output {format_shape(analysis.output_shape or ())}.
Module names match torchvision's AlexNet layout (features / avgpool / classifier).
"""

import torch
from torch import nn


class AlexNetVariant(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = {_sequential_code(model.features, features, " " * 8)}
        self.avgpool = {avgpool}
        self.flatten = {flatten}
        self.classifier = {_sequential_code(model.classifier, classifier, " " * 8)}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x)
        x = self.avgpool(x)
        x = self.flatten(x)
        return self.classifier(x)


INPUT_SHAPE = ({c}, {h}, {w})

if __name__ == "__main__":
    model = AlexNetVariant().eval()
    print(model(torch.randn(1, *INPUT_SHAPE)).shape)
    print(sum(p.numel() for p in model.parameters()), "parameters")
'''


def torchinfo_text(analysis: Analysis) -> str:
    """torchinfo's summary, computed on the meta device (no weights allocated, nothing printed)."""
    from torchinfo import summary

    model = build_model(analysis, device="meta")
    stats = summary(
        model,
        input_size=(1, *analysis.input_shape),
        device="meta",
        verbose=0,
        col_names=("output_size", "num_params", "mult_adds"),
        row_settings=("var_names",),
    )
    return str(stats)
