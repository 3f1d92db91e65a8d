"""Pictures for the "Inside the network" page, each composited into one image (numpy → PIL).

A grid of 384 feature maps is one image with one shared colour scale and a colour bar, not 384
plotly subplots: it takes milliseconds to draw and one PNG to send. No Streamlit here.

Words drawn into a picture are rendered in the current language (`explorer.i18n`) when it is drawn,
so a cache of pictures must be keyed by the language. Text with Chinese characters is drawn with the
CJK font `explorer.fonts` finds (Noto Sans CJK SC first) where one is installed; `missing_cjk_font`
says when none is, and the picture is still drawn (with DejaVu Sans, which shows boxes for 汉字).
"""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib
import numpy as np
import plotly.graph_objects as go
import torch
from matplotlib import font_manager
from PIL import Image, ImageDraw, ImageFont

from . import fonts
from .activations import Window
from .i18n import _
from .spec import LRN, Conv, Layer, Residual, Variant

__all__ = [
    "LrnRatio",
    "lrn_ratio",
    "BACKGROUND",
    "GridFigure",
    "channel_image",
    "colour_bar",
    "conv1_towers",
    "feature_grid",
    "filter_tiles",
    "layer_strip",
    "lrn_formula_latex",
    "lrn_panels",
    "lrn_pytorch_note",
    "missing_cjk_font",
    "to_png",
    "top5_figure",
    "window_on_input",
]

BACKGROUND = (255, 255, 255)
_TEXT = (30, 30, 30)
_GAP = 2


@functools.lru_cache(maxsize=4)
def _lut(cmap: str) -> np.ndarray:
    """A 256×3 uint8 lookup table for a matplotlib colour map."""
    colours = matplotlib.colormaps[cmap](np.linspace(0, 1, 256))[:, :3]
    return np.rint(colours * 255).astype(np.uint8)


@functools.cache
def _cjk_font_path() -> str | None:
    """The file of the CJK font `explorer.fonts` picks (the same one as the matplotlib downloads), or None."""
    name = fonts.cjk_font()
    return next((f.fname for f in font_manager.fontManager.ttflist if f.name == name), None) if name else None


@functools.cache
def _cjk_face_index(path: str) -> int:
    """Which face of a collection (.ttc) is the chosen family: Noto's file holds JP, KR, SC, TC and HK,
    whose glyphs for the same character differ, so the Simplified Chinese one is picked by name."""
    name = fonts.cjk_font()
    for index in range(16):
        try:
            face = ImageFont.truetype(path, 12, index=index)
        except (OSError, ValueError):
            break
        if face.getname()[0] == name:
            return index
    return 0


def missing_cjk_font() -> str | None:
    """The package to install for Chinese text in these pictures ("fonts-noto-cjk"), or None when a font is there."""
    return None if _cjk_font_path() is not None else fonts.INSTALL_HINT


def _has_cjk(text: str) -> bool:
    return any(ord(ch) >= 0x2E80 for ch in text)  # CJK ideographs, punctuation and full-width forms


@functools.lru_cache(maxsize=16)
def _font(size: int, cjk: bool = False) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    """DejaVu Sans from matplotlib (it has ×, –, ÷, α), else PIL's default font; a CJK font for Chinese."""
    cjk_path = _cjk_font_path() if cjk else None
    if cjk_path is not None:
        try:
            return ImageFont.truetype(cjk_path, size, index=_cjk_face_index(cjk_path))
        except (OSError, ValueError):
            pass
    try:
        path = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"), fallback_to_default=True)
        return ImageFont.truetype(path, size)
    except (OSError, ValueError):
        try:
            return ImageFont.load_default(size=size)
        except (OSError, TypeError, ValueError):  # Pillow without FreeType
            return ImageFont.load_default()


def _font_for(text: str, size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    """The font to draw `text` with: the CJK one when it holds Chinese (English output is unchanged)."""
    return _font(size, _has_cjk(text))


def _draw_text(
    draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, fill: tuple[int, int, int], size: int
) -> None:
    draw.text(xy, text, fill=fill, font=_font_for(text, size))


def _as_array(x: torch.Tensor | np.ndarray) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.detach().to("cpu", torch.float32).numpy()
    return np.asarray(x, dtype=np.float32)


def _colourise(values: np.ndarray, vmin: float, vmax: float, cmap: str = "viridis") -> np.ndarray:
    """Values → RGB uint8 through the colour map, on one fixed scale."""
    span = vmax - vmin
    scaled = (values - vmin) / span if span > 0 else np.zeros_like(values)
    index = np.clip(np.rint(scaled * 255), 0, 255).astype(np.uint8)
    return _lut(cmap)[index]


def _text_width(text: str, size: int) -> int:
    box = _font_for(text, size).getbbox(text)
    return int(box[2] - box[0])


def _format_value(v: float, span: float = 0.0) -> str:
    """A tick label with enough digits to tell the ends of a narrow scale apart."""
    if v == 0:
        return "0"
    digits = 3
    if span > 0 and abs(v) > 0:
        digits = max(3, min(8, math.ceil(math.log10(abs(v) / span)) + 2))
    if abs(v) >= 10000 or abs(v) < 0.001:
        return f"{v:.{digits - 1}e}"
    return f"{v:.{digits}g}"


def to_png(image: Image.Image) -> bytes:
    """PNG bytes of an image (what the page caches and sends)."""
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def colour_bar(
    vmin: float, vmax: float, width: int = 360, *, label: str | None = None, cmap: str = "viridis"
) -> Image.Image:
    """A horizontal colour bar with the minimum, middle and maximum values written under it.

    `label` defaults to "activation value" in the current language."""
    label = _("activation value") if label is None else label
    width = max(width, 160)
    bar_h, pad = 14, 4
    image = Image.new("RGB", (width, bar_h + 40), BACKGROUND)
    ramp = np.linspace(vmin, vmax, width - 2 * pad, dtype=np.float64)
    bar = _colourise(np.tile(ramp, (bar_h, 1)), vmin, vmax, cmap)
    image.paste(Image.fromarray(bar, "RGB"), (pad, 2))
    draw = ImageDraw.Draw(image)
    draw.rectangle((pad - 1, 1, width - pad, bar_h + 2), outline=(120, 120, 120))
    y = bar_h + 6
    for frac, value in ((0.0, vmin), (0.5, (vmin + vmax) / 2), (1.0, vmax)):
        text = _format_value(value, vmax - vmin)
        x = pad + frac * (width - 2 * pad) - (0 if frac == 0 else _text_width(text, 12) * (0.5 if frac == 0.5 else 1))
        draw.text((x, y), text, fill=_TEXT, font=_font(12))
    _draw_text(draw, (width // 2 - _text_width(label, 12) // 2, y + 16), label, (90, 90, 90), 12)
    return image


@dataclass(frozen=True)
class GridFigure:
    image: Image.Image
    vmin: float
    vmax: float
    channels: tuple[int, ...]
    columns: int
    tile: int  # displayed tile side in pixels


def _grid_columns(n: int, tile_w: int, tile_h: int) -> int:
    """Roughly a 16:9 block of tiles."""
    return max(1, min(n, math.ceil(math.sqrt(n * 16 / 9 * tile_h / tile_w))))


def feature_grid(
    fmap: torch.Tensor | np.ndarray,
    channels: Sequence[int] | None = None,
    *,
    title: str = "",
    max_width: int = 1100,
    cmap: str = "viridis",
) -> GridFigure:
    """Feature maps of a C×H×W activation as one image: a grid of tiles on one colour scale, with a legend."""
    arr = _as_array(fmap)
    if arr.ndim != 3:
        raise ValueError(f"a feature-map grid needs a C×H×W map, got shape {arr.shape}")
    chosen = tuple(range(arr.shape[0])) if channels is None else tuple(int(c) for c in channels)
    if not chosen:
        raise ValueError("no channels to show")
    maps = arr[list(chosen)]
    _count, h, w = maps.shape
    vmin, vmax = float(maps.min()), float(maps.max())
    cols = _grid_columns(len(chosen), w, h)
    scale = max(1, min((max_width // cols - _GAP) // w, 96 // max(h, w) if max(h, w) < 96 else 1))
    th, tw = h * scale, w * scale
    rows = math.ceil(len(chosen) / cols)
    label_channels = tw >= 36 and len(chosen) <= 128
    title_h = 26 if title else 0
    grid_w = cols * (tw + _GAP) + _GAP
    grid_h = rows * (th + _GAP) + _GAP
    bar = colour_bar(
        vmin, vmax, min(420, max(grid_w, 200)), label=_("activation (one scale for every tile)"), cmap=cmap
    )
    width = max(grid_w, bar.width)
    image = Image.new("RGB", (width, title_h + grid_h + bar.height + 6), BACKGROUND)
    colours = _colourise(maps, vmin, vmax, cmap)  # C×H×W×3
    if scale > 1:
        colours = colours.repeat(scale, axis=1).repeat(scale, axis=2)
    canvas = np.full((grid_h, grid_w, 3), 235, dtype=np.uint8)
    for i in range(len(chosen)):
        r, c = divmod(i, cols)
        y, x = _GAP + r * (th + _GAP), _GAP + c * (tw + _GAP)
        canvas[y : y + th, x : x + tw] = colours[i]
    image.paste(Image.fromarray(canvas, "RGB"), (0, title_h))
    draw = ImageDraw.Draw(image)
    if title:
        _draw_text(draw, (4, 4), title, _TEXT, 16)
    if label_channels:
        for i, ch in enumerate(chosen):
            r, c = divmod(i, cols)
            y, x = title_h + _GAP + r * (th + _GAP), _GAP + c * (tw + _GAP)
            text = str(ch)
            draw.rectangle((x, y, x + _text_width(text, 10) + 3, y + 12), fill=(0, 0, 0))
            draw.text((x + 2, y), text, fill=(255, 255, 255), font=_font(10))
    image.paste(bar, (0, title_h + grid_h + 6))
    return GridFigure(image, vmin, vmax, chosen, cols, tw)


def channel_image(
    channel: torch.Tensor | np.ndarray,
    *,
    position: tuple[int, int] | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    size: int = 340,
    cmap: str = "viridis",
    label: str | None = None,
) -> Image.Image:
    """One H×W map, enlarged (nearest neighbour, so its pixels stay visible) with a chosen position boxed.

    `label` (under the colour bar) defaults to "activation value" in the current language."""
    arr = _as_array(channel)
    h, w = arr.shape
    lo = float(arr.min()) if vmin is None else vmin
    hi = float(arr.max()) if vmax is None else vmax
    scale = max(1, size // max(h, w))
    rgb = _colourise(arr, lo, hi, cmap).repeat(scale, axis=0).repeat(scale, axis=1)
    image = Image.fromarray(np.ascontiguousarray(rgb), "RGB")
    if position is not None:
        y, x = position
        draw = ImageDraw.Draw(image)
        # A white ring around a red box, at least 9 px across, so one position stays visible.
        grow = max(0, (9 - scale) // 2)
        box = (x * scale - grow, y * scale - grow, (x + 1) * scale - 1 + grow, (y + 1) * scale - 1 + grow)
        draw.rectangle((box[0] - 2, box[1] - 2, box[2] + 2, box[3] + 2), outline=(255, 255, 255), width=2)
        draw.rectangle(box, outline=(255, 40, 40), width=2)
    bar = colour_bar(lo, hi, image.width, cmap=cmap, label=label)
    out = Image.new("RGB", (image.width, image.height + bar.height + 4), BACKGROUND)
    out.paste(image, (0, 0))
    out.paste(bar, (0, image.height + 4))
    return out


def window_on_input(crop: Image.Image, window: Window, *, size: int = 340) -> Image.Image:
    """The network's input (the centre crop) enlarged, with a receptive-field window outlined in red."""
    rgb = crop.convert("RGB")
    scale = max(1, size // max(rgb.size))
    image = rgb.resize((rgb.width * scale, rgb.height * scale), Image.Resampling.NEAREST)
    top, left, bottom, right = window.clipped
    draw = ImageDraw.Draw(image)
    box = (left * scale, top * scale, (right + 1) * scale - 1, (bottom + 1) * scale - 1)
    draw.rectangle(box, outline=(255, 255, 255), width=4)
    draw.rectangle(box, outline=(230, 20, 20), width=2)
    return image


def layer_strip(
    outputs: Sequence[torch.Tensor],
    names: Sequence[str],
    indices: Sequence[int],
    crop: Image.Image | None = None,
    *,
    tile: int = 104,
) -> Image.Image:
    """One representative map per layer (its most active channel), same display size, labelled with H×W.

    Nearest-neighbour enlargement keeps each map's own pixels visible, so 55 → 27 → 13 → 6 shows as
    ever coarser blocks.
    """
    tiles: list[tuple[Image.Image, str, str]] = []
    if crop is not None:
        tiles.append(
            (
                crop.convert("RGB").resize((tile, tile), Image.Resampling.BILINEAR),
                _("input"),
                f"{crop.width}×{crop.height}",
            )
        )
    for i in indices:
        arr = _as_array(outputs[i])
        means = arr.reshape(arr.shape[0], -1).mean(axis=1)
        channel = arr[int(np.argmax(means))]
        rgb = _colourise(channel, float(channel.min()), float(channel.max()))
        img = Image.fromarray(rgb, "RGB").resize((tile, tile), Image.Resampling.NEAREST)
        tiles.append((img, names[i], f"{arr.shape[1]}×{arr.shape[2]}"))
    pad, label_h = 6, 34
    per_row = max(1, min(len(tiles), 11))
    rows = math.ceil(len(tiles) / per_row)
    image = Image.new("RGB", (per_row * (tile + pad) + pad, rows * (tile + label_h + pad) + pad), BACKGROUND)
    draw = ImageDraw.Draw(image)
    for k, (img, name, size) in enumerate(tiles):
        r, c = divmod(k, per_row)
        x, y = pad + c * (tile + pad), pad + r * (tile + label_h + pad)
        image.paste(img, (x, y))
        _draw_text(draw, (x + tile // 2 - _text_width(name, 13) // 2, y + tile + 2), name, _TEXT, 13)
        draw.text((x + tile // 2 - _text_width(size, 12) // 2, y + tile + 18), size, fill=(90, 90, 90), font=_font(12))
    return image


def _main_path_convs(layers: Sequence[Layer]) -> list[Conv]:
    """The convs in reading order along the main path (a residual block's body, not its shortcut)."""
    out: list[Conv] = []
    for layer in layers:
        if isinstance(layer, Residual):
            out += _main_path_convs(layer.body)
        elif isinstance(layer, Conv):
            out.append(layer)
    return out


def conv1_towers(variant: Variant) -> int:
    """How many GPU towers conv1's filters split into: the next conv's groups (2 in the paper), else 1.
    The next conv may be the first of a residual block's body (ResNet's conv1 feeds res2a.conv1)."""
    convs = _main_path_convs(variant.layers)
    if len(convs) < 2:
        return 1
    groups = convs[1].groups
    return groups if groups > 1 and convs[0].out_channels % groups == 0 else 1


def filter_tiles(weight: torch.Tensor | np.ndarray, *, towers: int = 1, tile: int = 44) -> Image.Image:
    """conv1's filters as tiles, each normalised to its own min…max (RGB for 3 inputs, grey for 1).

    With towers = 2 the filters are split as on the paper's two GPUs (first half, second half) and
    the towers are drawn side by side, like Figure 3's upper and lower blocks.
    """
    arr = _as_array(weight)
    if arr.ndim != 4:
        raise ValueError(f"conv weights must be out×in×k×k, got shape {arr.shape}")
    n, c_in, kh, kw = arr.shape
    if c_in == 3:
        pics = np.transpose(arr, (0, 2, 3, 1))
    else:
        pics = arr.mean(axis=1)[..., None].repeat(3, axis=3)  # 1 channel: grey; others: mean over inputs
    lo = pics.reshape(n, -1).min(axis=1)[:, None, None, None]
    hi = pics.reshape(n, -1).max(axis=1)[:, None, None, None]
    norm = np.where(hi > lo, (pics - lo) / np.where(hi > lo, hi - lo, 1), 0.5)
    rgb = np.rint(norm * 255).astype(np.uint8)
    scale = max(1, tile // max(kh, kw))
    rgb = rgb.repeat(scale, axis=1).repeat(scale, axis=2)
    th, tw = kh * scale, kw * scale
    towers = towers if towers > 1 and n % towers == 0 else 1
    per_tower = n // towers
    cols = 8 if towers > 1 else min(16, n)
    rows = math.ceil(per_tower / cols)
    gap, tower_gap, label_h = 2, 18, 22
    tower_w = cols * (tw + gap) + gap
    width = towers * tower_w + (towers - 1) * tower_gap
    height = label_h + rows * (th + gap) + gap
    image = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    for t in range(towers):
        x0 = t * (tower_w + tower_gap)
        label = (
            _("GPU {tower}: filters {first}–{last}", tower=t + 1, first=t * per_tower, last=(t + 1) * per_tower - 1)
            if towers > 1
            else _("{count} filters", count=n)
        )
        _draw_text(draw, (x0 + 2, 3), label, _TEXT, 14)
        draw.rectangle((x0, label_h, x0 + tower_w - 1, height - 1), fill=(40, 40, 40))
        for j in range(per_tower):
            r, c = divmod(j, cols)
            x, y = x0 + gap + c * (tw + gap), label_h + gap + r * (th + gap)
            image.paste(Image.fromarray(rgb[t * per_tower + j], "RGB"), (x, y))
    return image


def lrn_panels(before: torch.Tensor | np.ndarray, after: torch.Tensor | np.ndarray, *, size: int = 260) -> Image.Image:
    """One channel before and after LRN on one shared scale, plus after ÷ before (the normaliser's effect)."""
    b, a = _as_array(before), _as_array(after)
    lo, hi = float(min(b.min(), a.min())), float(max(b.max(), a.max()))
    ratio = np.divide(a, b, out=np.ones_like(a), where=np.abs(b) > 1e-12)
    # An honest scale: 0 to 1 (LRN only ever shrinks an activation when k ≥ 1). Stretching the
    # colours over 0.59432–0.59460 made a near-constant ×0.595 look dramatic.
    panels = [
        (_("before LRN"), channel_image(b, vmin=lo, vmax=hi, size=size)),
        (_("after LRN (same scale)"), channel_image(a, vmin=lo, vmax=hi, size=size)),
        (
            _("after ÷ before (scale 0–1)"),
            channel_image(ratio, vmin=0.0, vmax=1.0, size=size, cmap="magma", label=_("after ÷ before")),
        ),
    ]
    pad, label_h = 10, 22
    width = sum(p.width for _label, p in panels) + pad * (len(panels) + 1)
    height = label_h + max(p.height for _label, p in panels) + pad
    image = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    x = pad
    for label, panel in panels:
        _draw_text(draw, (x, 3), label, _TEXT, 15)
        image.paste(panel, (x, label_h))
        x += panel.width + pad
    return image


@dataclass(frozen=True)
class LrnRatio:
    """What LRN did to one channel: after ÷ before, where the input is not zero."""

    low: float
    high: float
    mean: float
    constant: float  # k^−β: the factor for activations too small to matter in the sum

    @property
    def spread_percent(self) -> float:
        return 100 * (self.high - self.low) / self.mean if self.mean else 0.0

    def text(self) -> str:
        """The ratio in words, in the current language (no number is followed by a comma or full stop, so
        the numbers read the same in both languages)."""
        numbers = dict(low=self.low, high=self.high, mean=self.mean, constant=self.constant)
        if self.spread_percent < 5:
            return _(
                "after ÷ before is ×{low:.4f} to ×{high:.4f} (mean ×{mean:.4f}; a spread of {spread:.2f}%): close "
                "to the constant k^−β = {constant:.4f} (the factor for activations too small to matter in the "
                "neighbours' sum).",
                spread=self.spread_percent,
                **numbers,
            )
        return _(
            "after ÷ before runs from ×{low:.4f} to ×{high:.4f} (mean ×{mean:.4f}): strong activations are damped "
            "more than weak ones (weak ones get about k^−β = {constant:.4f}).",
            **numbers,
        )


def lrn_ratio(before: torch.Tensor | np.ndarray, after: torch.Tensor | np.ndarray, layer: LRN) -> LrnRatio:
    b, a = _as_array(before), _as_array(after)
    nonzero = np.abs(b) > 1e-12
    ratio = a[nonzero] / b[nonzero] if nonzero.any() else np.ones(1)
    return LrnRatio(float(ratio.min()), float(ratio.max()), float(ratio.mean()), float(layer.k ** (-layer.beta)))


def lrn_formula_latex(layer: LRN) -> str:
    """The paper's LRN formula, then this layer's k, n, α, β on a second line."""
    half = layer.size // 2
    # The words in the current language around the number, each part in its own \text{…}.
    before, _sep, after = _("each channel sums itself and {half} neighbours either side", half="\0").partition("\0")
    return (
        r"b^{i}_{x,y} = a^{i}_{x,y} \Big/ \Big(k + \alpha \sum_{j=\max(0,\,i-n/2)}^{\min(N-1,\,i+n/2)} "
        r"\big(a^{j}_{x,y}\big)^2\Big)^{\beta} \\[4pt]"
        rf"k = {layer.k:g},\; n = {layer.size},\; \alpha = {layer.alpha:g},\; \beta = {layer.beta:g}"
        rf"\quad(\text{{{before}}}{half}\text{{{after}}})"
    )


def lrn_pytorch_note(layer: LRN) -> str:
    """How the paper's α maps onto PyTorch's nn.LocalResponseNorm, which divides α by n."""
    torch_alpha = layer.alpha * layer.size
    return _(
        "PyTorch's nn.LocalResponseNorm computes k + (alpha / n)·Σa², dividing alpha by the window size n. "
        "To get the paper's α = {alpha:g} with n = {size}, this app passes alpha = α·n = {torch_alpha:g}: "
        "`nn.LocalResponseNorm(size={size}, alpha={torch_alpha:g}, beta={beta:g}, k={k:g})`.",
        alpha=layer.alpha,
        size=layer.size,
        torch_alpha=torch_alpha,
        beta=layer.beta,
        k=layer.k,
    )


def top5_figure(predictions: Sequence[tuple[str, float]], *, title: str | None = None) -> go.Figure:
    """Horizontal bars of class probabilities, most likely on top (title and axis in the current language)."""
    title = _("Top-5 predictions") if title is None else title
    names = [name for name, _p in predictions][::-1]
    probs = [p * 100 for _name, p in predictions][::-1]
    fig = go.Figure(
        go.Bar(
            x=probs,
            y=names,
            orientation="h",
            text=[f"{p:.1f}%" for p in probs],
            textposition="auto",
            marker_color="#4c78a8",
            hovertemplate="%{y}: %{x:.2f}%<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        xaxis=dict(title=_("probability (%)"), range=[0, 100]),
        height=300,
        margin=dict(l=10, r=10, t=40, b=40),
    )
    return fig
