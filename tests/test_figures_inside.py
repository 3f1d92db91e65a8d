"""explorer.figures_inside: composited grids, strip, filters, LRN panels and formula, top-5 chart."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from PIL import Image

from explorer.activations import Window, capture, seeded_model
from explorer.analysis import format_shape
from explorer.figures_inside import (
    _format_value,
    _lut,
    channel_image,
    colour_bar,
    conv1_towers,
    feature_grid,
    filter_tiles,
    layer_strip,
    lrn_formula_latex,
    lrn_panels,
    lrn_pytorch_note,
    to_png,
    top5_figure,
    window_on_input,
)
from explorer.presets import PRESETS
from explorer.spec import LRN, Conv, InputSpec, ReLU, Residual, Variant


def _ramp(c: int, h: int, w: int) -> torch.Tensor:
    return torch.arange(c * h * w, dtype=torch.float32).reshape(c, h, w)


def test_feature_grid_layout_and_shared_scale():
    fmap = _ramp(96, 55, 55)
    grid = feature_grid(fmap, title="conv1 · 96×55×55")
    assert (grid.vmin, grid.vmax) == (0.0, float(96 * 55 * 55 - 1))
    assert grid.channels == tuple(range(96))
    assert (grid.columns, grid.tile) == (14, 55)
    # 14 columns of 55 px + 2 px gaps; 7 rows under a 26 px title, then the colour bar.
    assert grid.image.width == 14 * 57 + 2
    arr = np.asarray(grid.image)
    lut = _lut("viridis")
    top = 26 + 2  # tiles start under the title, after a 2 px gap; tile pitch 57 px

    def expected(channel: int, row: int, col: int) -> tuple[int, ...]:
        value = (channel * 55 * 55 + row * 55 + col) / (96 * 55 * 55 - 1)
        return tuple(lut[round(value * 255)])

    def pixel(channel: int, row: int, col: int) -> tuple[int, ...]:
        r, c = divmod(channel, 14)
        return tuple(arr[top + r * 57 + row, 2 + c * 57 + col])

    # Below the channel-number label; one scale across all tiles, from the global minimum to the maximum.
    for channel, row, col in ((0, 54, 0), (0, 30, 30), (48, 40, 10), (95, 54, 54)):
        assert pixel(channel, row, col) == expected(channel, row, col)
    assert pixel(95, 54, 54) == tuple(lut[255])
    assert tuple(arr[top, 2]) == (0, 0, 0)  # channel 0's label box


def test_feature_grid_subset_and_small_maps_enlarged():
    fmap = _ramp(256, 6, 6)
    grid = feature_grid(fmap, [5, 3, 200])
    assert grid.channels == (5, 3, 200)
    assert (grid.vmin, grid.vmax) == (float(3 * 36), float(200 * 36 + 35))
    assert grid.tile == 96  # 6×6 maps drawn 16× larger
    with pytest.raises(ValueError, match="C×H×W"):
        feature_grid(torch.zeros(4, 4))
    constant = feature_grid(torch.ones(3, 5, 5))  # zero range must not divide by zero
    assert (constant.vmin, constant.vmax) == (1.0, 1.0)


def test_channel_image_marks_position():
    image = channel_image(_ramp(1, 13, 13)[0], position=(2, 3), size=260)
    arr = np.asarray(image)
    assert image.width == 260  # 13 × 20
    assert tuple(arr[2 * 20, 3 * 20]) == (255, 40, 40)  # the marker's corner
    assert tuple(arr[0, 0]) == tuple(_lut("viridis")[0])


def test_window_on_input_outline():
    crop = Image.new("RGB", (227, 227), (0, 0, 0))
    image = window_on_input(crop, Window(-2, -2, 8, 8, (0, 0, 8, 8)), size=454)
    arr = np.asarray(image)
    assert image.size == (454, 454)
    assert tuple(arr[0, 0]) == (230, 20, 20)
    assert tuple(arr[2 * 9 - 1, 2 * 9 - 1]) == (230, 20, 20)  # bottom-right of pixel 8, doubled
    assert tuple(arr[40, 40]) == (0, 0, 0)


def test_layer_strip_one_tile_per_layer():
    outputs = [_ramp(4, 55, 55), _ramp(4, 27, 27), _ramp(4, 13, 13), _ramp(4, 6, 6)]
    names = ["conv1", "pool1", "conv3", "pool5"]
    crop = Image.new("RGB", (227, 227), (10, 200, 10))
    strip = layer_strip(outputs, names, [0, 1, 2, 3], crop)
    assert strip.size == (5 * 110 + 6, 104 + 34 + 12)
    arr = np.asarray(strip)
    assert tuple(arr[50, 50]) == (10, 200, 10)  # the input tile
    # pool5's 6×6 map is shown in blocks of 104/6 ≈ 17 px: the top-left block is uniform.
    x0 = 6 + 4 * 110
    assert (arr[6 : 6 + 16, x0 : x0 + 16] == arr[6, x0]).all()


def test_filter_tiles_towers_and_normalisation():
    weight = torch.randn(96, 3, 11, 11, generator=torch.Generator().manual_seed(0))
    image = filter_tiles(weight, towers=2)
    assert image.size == (2 * (8 * 46 + 2) + 18, 22 + 6 * 46 + 2)
    arr = np.asarray(image).astype(int)
    tile = arr[24 : 24 + 44, 2 : 2 + 44]  # filter 0, enlarged 4×
    assert tile.min() == 0 and tile.max() == 255  # each filter stretched to its own range
    w0 = weight[0].permute(1, 2, 0).numpy()
    expected = np.rint((w0 - w0.min()) / (w0.max() - w0.min()) * 255)
    assert (tile[::4, ::4] == expected).all()
    single = filter_tiles(torch.randn(64, 3, 11, 11), towers=1)
    assert single.size == (16 * 46 + 2, 22 + 4 * 46 + 2)
    gray = np.asarray(filter_tiles(torch.randn(6, 1, 5, 5)))
    tile = gray[24:64, 2:42]
    assert (tile[..., 0] == tile[..., 1]).all() and (tile[..., 1] == tile[..., 2]).all()
    with pytest.raises(ValueError, match="out×in×k×k"):
        filter_tiles(torch.zeros(3, 3))


def test_filter_tiles_of_resnet18_conv1():
    """ResNet-18's conv1 is 64×3×7×7 (bias-free), at the top level like AlexNet's: one tower of 64."""
    model = seeded_model(PRESETS["resnet18"])
    conv1 = model.layer_modules()[0]
    assert tuple(conv1.weight.shape) == (64, 3, 7, 7) and conv1.bias is None
    towers = conv1_towers(PRESETS["resnet18"])
    assert towers == 1
    image = filter_tiles(conv1.weight, towers=towers)
    # 7×7 kernels enlarged 6× (42 px) in 16 columns × 4 rows with 2 px gaps, under a 22 px label.
    assert image.size == (16 * 44 + 2, 22 + 4 * 44 + 2)
    arr = np.asarray(image).astype(int)
    for f in (0, 17, 63):
        r, c = divmod(f, 16)
        y, x = 22 + 2 + r * 44, 2 + c * 44
        tile = arr[y : y + 42, x : x + 42]
        w = conv1.weight[f].detach().permute(1, 2, 0).numpy()
        expected = np.rint((w - w.min()) / (w.max() - w.min()) * 255)
        assert (tile[::6, ::6] == expected).all(), f
        assert (tile == np.repeat(np.repeat(expected, 6, axis=0), 6, axis=1)).all(), f


def test_conv1_towers_read_through_residual_blocks():
    stem = (Conv(64, 7, stride=2, padding=3), ReLU())

    def block(body_groups: int, shortcut_groups: int) -> Variant:
        body = (Conv(64, 3, padding=1, groups=body_groups), ReLU(), Conv(64, 3, padding=1))
        return Variant("b", InputSpec(), (*stem, Residual(body, (Conv(64, 1, groups=shortcut_groups),))))

    assert conv1_towers(block(2, 1)) == 2  # conv1 feeds the block's body: its first conv's groups
    assert conv1_towers(block(1, 2)) == 1  # the shortcut is not the main path
    assert conv1_towers(block(4, 1)) == 4


def test_figures_of_a_residual_capture():
    """The grid, the strip and one channel for a block's output and the add's two inputs."""
    variant = PRESETS["resnet34-conv3-dashed"]
    acts = capture(
        seeded_model(variant), torch.rand(1, 64, 56, 56, generator=torch.Generator().manual_seed(0)), blocks=True
    )
    block = acts.block(0)
    assert block is not None and not block.identity
    for fmap in (block.body_output, block.shortcut_output, block.output):
        grid = feature_grid(fmap, (0, 1, 2), title=f"res2a · {format_shape(tuple(fmap.shape))}")
        assert grid.channels == (0, 1, 2) and grid.vmin == float(fmap[:3].min())
        assert channel_image(fmap[0], position=(27, 27)).width >= 28
    strip = layer_strip(acts.outputs, acts.names, (0, 1))
    assert strip.size == (2 * 110 + 6, 104 + 34 + 12)  # res2a and res2a_relu


def test_conv1_towers():
    assert {name: conv1_towers(v) for name, v in PRESETS.items()} == {
        "paper-2012": 2,
        "paper-2012-224": 2,
        "single-gpu": 1,
        "torchvision": 1,
        "keras-seed": 1,
        "d2l": 1,
        "blog-broken-flatten": 1,
        "caffe-bvlc": 2,
        "lenet-5": 1,
    } | {name: 1 for name in PRESETS if name.startswith(("vgg", "resnet"))}  # one tower: no grouped conv1


def test_lrn_formula_and_pytorch_note_agree_with_pytorch():
    layer = LRN()
    latex = lrn_formula_latex(layer)
    assert r"k = 2,\; n = 5,\; \alpha = 0.0001,\; \beta = 0.75" in latex
    assert "2\\text{ neighbours either side}" in latex
    note = lrn_pytorch_note(layer)
    assert "alpha = α·n = 0.0005: `nn.LocalResponseNorm(size=5, alpha=0.0005, beta=0.75, k=2)`" in note
    caffe = PRESETS["caffe-bvlc"].layers[2]
    assert r"k = 1,\; n = 5,\; \alpha = 2e-05" in lrn_formula_latex(caffe)
    assert "alpha = α·n = 0.0001" in lrn_pytorch_note(caffe)
    # Oracle: the paper's formula by hand equals nn.LocalResponseNorm with the note's alpha.
    a = torch.rand(1, 8, 3, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(0)) * 20
    half = layer.size // 2
    expected = torch.empty_like(a)
    for i in range(8):
        lo, hi = max(0, i - half), min(7, i + half)
        expected[0, i] = a[0, i] / (layer.k + layer.alpha * (a[0, lo : hi + 1] ** 2).sum(0)) ** layer.beta
    module = torch.nn.LocalResponseNorm(5, alpha=layer.alpha * 5, beta=0.75, k=2.0)
    assert torch.allclose(module(a), expected, rtol=1e-12)


def test_lrn_panels():
    before = torch.linspace(0, 4, 27 * 27).reshape(27, 27)
    after = before / 2
    image = lrn_panels(before, after, size=270)
    assert image.size == (3 * 270 + 4 * 10, 22 + 270 + 4 + 54 + 10)


def test_colour_bar_and_labels():
    assert _format_value(0.5951, 0.0003) == "0.5951"
    assert _format_value(0.5954, 0.0003) == "0.5954"
    assert _format_value(2.83, 5.6) == "2.83"
    assert _format_value(1e-5) == "1.00e-05"
    assert colour_bar(0, 1, 300).size == (300, 54)


def test_png_round_trip():
    image = Image.new("RGB", (7, 5), (1, 2, 3))
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(to_png(image)))), np.asarray(image))


def test_top5_figure():
    fig = top5_figure([("tabby", 0.6), ("tiger cat", 0.25), ("Egyptian cat", 0.1), ("lynx", 0.03), ("fox", 0.01)])
    bar = fig.data[0]
    assert list(bar.y) == ["fox", "lynx", "Egyptian cat", "tiger cat", "tabby"]
    assert list(bar.x) == pytest.approx([1, 3, 10, 25, 60])
    assert list(bar.text) == ["1.0%", "3.0%", "10.0%", "25.0%", "60.0%"]


def test_lrn_ratio_is_said_as_a_number_on_an_honest_scale():
    from explorer.figures_inside import lrn_ratio
    from explorer.spec import LRN

    layer = LRN(5, 1e-4, 0.75, 2.0)
    before = torch.rand(8, 6, 6, generator=torch.Generator().manual_seed(0))
    after = torch.nn.LocalResponseNorm(5, alpha=5 * 1e-4, beta=0.75, k=2.0)(before[None])[0]  # PyTorch divides α by n
    r = lrn_ratio(before[3], after[3], layer)
    assert r.constant == 2.0**-0.75
    assert r.low <= r.mean <= r.high <= r.constant  # LRN only shrinks, at most by k^−β for tiny activations
    assert r.spread_percent < 0.1
    assert r.text().startswith(f"after ÷ before is ×{r.low:.4f} to ×{r.high:.4f}")
    assert "k^−β = 0.5946" in r.text()


# --- 中文: the words drawn into the pictures, with a CJK font where there is one ----------------------


def test_pictures_draw_their_words_in_the_current_language():
    from explorer import figures_inside as F
    from explorer.i18n import using

    weight = torch.rand(96, 3, 11, 11, generator=torch.Generator().manual_seed(0))
    english = np.asarray(filter_tiles(weight, towers=2))
    with using("zh"):
        chinese = np.asarray(filter_tiles(weight, towers=2))  # "GPU 1：卷积核 0–47"
        assert top5_figure([("tabby", 1.0)]).layout.title.text == "top-5 预测结果"
        assert top5_figure([("tabby", 1.0)]).layout.xaxis.title.text == "概率（%）"
        note = lrn_pytorch_note(LRN())
        assert note.startswith("PyTorch 的 nn.LocalResponseNorm 计算的是")
        assert r"\text{每个通道对自身及两侧各 }2\text{ 个相邻通道求和}" in lrn_formula_latex(LRN())
    assert english.shape == chinese.shape  # the same layout, other words in the label row only
    assert (english[22:] == chinese[22:]).all() and not (english[:22] == chinese[:22]).all()
    if F.missing_cjk_font() is None:  # the Chinese label is drawn with the CJK font, not DejaVu's boxes
        assert F._font_for("卷积核", 14).getname()[0] == F.fonts.cjk_font()
    assert F._font_for("GPU 1: filters 0–47", 14).getname()[0] == "DejaVu Sans"  # English unchanged


def test_without_a_cjk_font_the_pictures_are_still_drawn(monkeypatch):
    from explorer import figures_inside as F
    from explorer.i18n import using

    monkeypatch.setattr(F, "_cjk_font_path", lambda: None)
    F._font.cache_clear()
    try:
        assert F.missing_cjk_font() == "fonts-noto-cjk"
        with using("zh"):
            image = lrn_panels(torch.rand(6, 6), torch.rand(6, 6) / 2)
        assert image.size == lrn_panels(torch.rand(6, 6), torch.rand(6, 6)).size
    finally:
        F._font.cache_clear()
