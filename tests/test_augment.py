"""explorer.augment: the paper's 256 rescale, random and ten crops, averaged predictions, PCA colour."""

from __future__ import annotations

import pickle
from fractions import Fraction

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

from explorer import augment as A
from explorer.i18n import using
from explorer.images import ImageError, load_sample, preprocess
from explorer.locales.zh.augment import MESSAGES as ZH_AUGMENT
from explorer.spec import InputSpec
from tests.i18n_check import english_words, has_chinese

BOXES_256_224 = [(0, 0), (32, 0), (0, 32), (32, 32), (16, 16)]


def noise_image(width: int = 256, height: int = 256, seed: int = 0) -> Image.Image:
    """Random pixels: any off-by-one in a box or a flip changes the crop."""
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8), "RGB")


# --- the counts -----------------------------------------------------------------------------------


def test_the_papers_factor_of_2048_is_computed_from_the_sizes():
    assert A.paper_crop_factor() == (256 - 224) ** 2 * 2 == 32**2 * 2 == 2048
    assert A.distinct_crop_count() == 33**2 * 2 == 2178
    assert A.paper_crop_factor(256, 227) == 29**2 * 2 == 1682
    note = A.crop_count_note()
    assert note.render("en") == (
        "Random 224×224 crops of a 256×256 image and their mirror images: the paper counts "
        "(256 − 224)² · 2 = 32² · 2 = 2,048 per image. The offsets run from 0 to 32 on each axis, "
        "33 values, so there are in fact 33² · 2 = 2,178 different crops."
    )
    zh = note.render("zh")
    for figure in ["2,048", "2,178", "32² · 2", "33² · 2", "(256 − 224)²"]:
        assert figure in zh


# --- resize_256 -----------------------------------------------------------------------------------


def test_resize_256_landscape_and_portrait():
    r = A.resize_256(noise_image(451, 300))
    assert r.image.size == (256, 256) and r.image.mode == "RGB"
    assert r.original_size == (451, 300)
    assert r.resized_size == (384, 256)  # int(256 · 451/300) = 384
    assert r.box == (64, 0, 320, 256)
    assert r.label.render("en") == (
        "shorter side scaled to 256 (451×300 → 384×256, bilinear), then the central 256×256 (from (64, 0))"
    )
    assert r.label.render("zh") == "短边缩放到 256（451×300 → 384×256，双线性插值），再取中央的 256×256（起点 (64, 0)）"
    p = A.resize_256(noise_image(300, 451))
    assert p.resized_size == (256, 384) and p.box == (0, 64, 256, 320)


def test_resize_256_pixels_are_the_resize_then_the_central_box():
    img = noise_image(451, 300, seed=3)
    expected = np.asarray(img.resize((384, 256), Image.Resampling.BILINEAR))[0:256, 64:320]
    assert np.array_equal(np.asarray(A.resize_256(img).image), expected)


def test_a_256_image_is_used_as_it_is():
    img = noise_image()
    r = A.resize_256(img)
    assert np.array_equal(np.asarray(r.image), np.asarray(img))
    assert r.box == (0, 0, 256, 256)
    assert r.label.render("en") == "already 256×256: used as it is"
    assert r.label.render("zh") == "已是 256×256：原样使用"


def test_resize_256_converts_modes_and_refuses_a_strip():
    assert A.resize_256(Image.new("L", (300, 300), 7)).image.mode == "RGB"
    with pytest.raises(ImageError) as info:
        A.resize_256(Image.new("RGB", (10_000, 10)))
    assert info.value.kind == "aspect"


def test_centre_crop_is_the_inside_pages_picture_and_tensor_exactly():
    """resize_256 + the centre of ten_crops + imagenet_transform = images.preprocess at 224."""
    img = load_sample("cat").image
    pre = preprocess(img, InputSpec(3, 224, 224))
    centre = A.ten_crops(A.resize_256(img).image)[4]
    assert (centre.x, centre.y, centre.mirrored) == (16, 16, False)
    assert np.array_equal(np.asarray(centre.image), np.asarray(pre.crop))
    assert torch.equal(A.imagenet_transform(centre.image), pre.tensor[0])


# --- random crops ---------------------------------------------------------------------------------


def test_random_crops_are_inside_the_image_the_right_size_and_the_right_pixels():
    img = noise_image(seed=1)
    arr = np.asarray(img)
    crops = A.random_crops(img, A.MAX_RANDOM_CROPS, seed=7)
    assert len(crops) == 64
    for c in crops:
        assert 0 <= c.x <= 32 and 0 <= c.y <= 32
        assert c.box == (c.x, c.y, c.x + 224, c.y + 224)
        assert c.image.size == (224, 224) and c.size == 224 and c.position is None
        window = arr[c.y : c.y + 224, c.x : c.x + 224]
        assert np.array_equal(np.asarray(c.image), np.fliplr(window) if c.mirrored else window)
    assert {c.mirrored for c in crops} == {True, False}


def test_random_crops_same_seed_same_crops_and_pinned_draws():
    img = noise_image(seed=2)
    first, again = A.random_crops(img, 8, seed=1), A.random_crops(img, 8, seed=1)
    assert [(c.x, c.y, c.mirrored) for c in first] == [(c.x, c.y, c.mirrored) for c in again]
    assert all(np.array_equal(np.asarray(a.image), np.asarray(b.image)) for a, b in zip(first, again))
    # torch's CPU generator (mt19937): x, y, flip per crop
    assert [(c.x, c.y, c.mirrored) for c in first[:4]] == [
        (22, 14, True),
        (11, 25, False),
        (5, 23, False),
        (0, 20, False),
    ]
    other = A.random_crops(img, 8, seed=2)
    assert [(c.x, c.y, c.mirrored) for c in other] != [(c.x, c.y, c.mirrored) for c in first]
    # the first crops do not depend on how many are asked for
    assert [(c.x, c.y, c.mirrored) for c in A.random_crops(img, 3, seed=1)] == [
        (c.x, c.y, c.mirrored) for c in first[:3]
    ]


def test_random_crop_labels_in_both_languages():
    crops = A.random_crops(noise_image(), 2, seed=1)
    assert crops[0].label.render("en") == "random crop at (22, 14), mirrored"
    assert crops[0].label.render("zh") == "随机裁剪，起点 (22, 14)，水平翻转"
    assert crops[1].label.render("en") == "random crop at (11, 25)"
    assert crops[1].label.render("zh") == "随机裁剪，起点 (11, 25)"


def test_random_crops_limits():
    assert A.random_crops(noise_image(), 0, seed=0) == []
    with pytest.raises(ValueError, match="0 to 64"):
        A.random_crops(noise_image(), 65, seed=0)
    with pytest.raises(ValueError, match="at least that big"):
        A.random_crops(noise_image(200, 256), 1, seed=0)
    exact = A.random_crops(noise_image(224, 224), 3, seed=0)
    assert all((c.x, c.y) == (0, 0) for c in exact)


# --- ten crops ------------------------------------------------------------------------------------


def test_ten_crop_boxes_order_and_pixels_exactly():
    img = noise_image(seed=4)
    arr = np.asarray(img)
    crops = A.ten_crops(img)
    assert [(c.x, c.y) for c in crops] == BOXES_256_224 * 2
    assert [c.mirrored for c in crops] == [False] * 5 + [True] * 5
    assert [c.position for c in crops] == list(A.POSITIONS) * 2
    assert [(c.position, c.mirrored) for c in crops] == list(A.TEN_CROP_ORDER)
    for c in crops[:5]:
        assert np.array_equal(np.asarray(c.image), arr[c.y : c.y + 224, c.x : c.x + 224])
    for plain, mirror in zip(crops[:5], crops[5:]):
        assert mirror.box == plain.box
        assert np.array_equal(np.asarray(mirror.image), np.fliplr(np.asarray(plain.image)))


def test_ten_crop_boxes_for_another_size():
    # torchvision's CenterCrop: int(round(29 / 2)) = 14 (round half to even)
    crops = A.ten_crops(noise_image(), size=227)
    assert [(c.x, c.y) for c in crops[:5]] == [(0, 0), (29, 0), (0, 29), (29, 29), (14, 14)]
    assert all(c.image.size == (227, 227) for c in crops)


def test_ten_crop_labels_in_both_languages():
    crops = A.ten_crops(noise_image())
    en = [c.label.render("en") for c in crops]
    assert en == [
        "top-left corner (0, 0)",
        "top-right corner (32, 0)",
        "bottom-left corner (0, 32)",
        "bottom-right corner (32, 32)",
        "centre (16, 16)",
        "top-left corner (0, 0), mirrored",
        "top-right corner (32, 0), mirrored",
        "bottom-left corner (0, 32), mirrored",
        "bottom-right corner (32, 32), mirrored",
        "centre (16, 16), mirrored",
    ]
    zh = [c.label.render("zh") for c in crops]
    assert zh[:5] == ["左上角 (0, 0)", "右上角 (32, 0)", "左下角 (0, 32)", "右下角 (32, 32)", "中心 (16, 16)"]
    assert zh[6] == "右上角 (32, 0)，水平翻转"


def _five_crop(arr: np.ndarray, size: int) -> list[np.ndarray]:
    """torchvision's five_crop on an H×W×C array: tl, tr, bl, br, centre (int(round(...)) offsets)."""
    h, w = arr.shape[:2]
    top, left = round((h - size) / 2.0), round((w - size) / 2.0)
    return [
        arr[:size, :size],
        arr[:size, w - size :],
        arr[h - size :, :size],
        arr[h - size :, w - size :],
        arr[top : top + size, left : left + size],
    ]


def test_torchvision_order_mapping_without_torchvision():
    """TenCrop = FiveCrop(img) + FiveCrop(hflip(img)); TORCHVISION_TEN_CROP_ORDER maps it onto ours."""
    img = noise_image(seed=5)
    arr = np.asarray(img)
    theirs = _five_crop(arr, 224) + _five_crop(np.fliplr(arr), 224)
    ours = A.ten_crops(img)
    for k, index in enumerate(A.TORCHVISION_TEN_CROP_ORDER):
        assert np.array_equal(theirs[k], np.asarray(ours[index].image)), k


def test_torchvision_tencrop_oracle():
    transforms = pytest.importorskip("torchvision.transforms")
    img = noise_image(seed=6)
    theirs = transforms.TenCrop(224)(img)
    ours = A.ten_crops(img)
    assert len(theirs) == 10
    for k, index in enumerate(A.TORCHVISION_TEN_CROP_ORDER):
        assert np.array_equal(np.asarray(theirs[k]), np.asarray(ours[index].image)), k
    centre = transforms.CenterCrop(224)(img)
    assert np.array_equal(np.asarray(centre), np.asarray(ours[4].image))


# --- averaged predictions -------------------------------------------------------------------------


class TopLeftPixel(nn.Module):
    """Logits (0, ln t) with t = 3 when the crop's top-left R value is bright, else 1: softmax
    (1/2, 1/2) on a dark corner, (1/4, 3/4) on a bright one."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        bright = (x[:, 0, 0, 0] > 0.5).double()
        t = 1 + 2 * bright
        return torch.stack([torch.zeros_like(t), torch.log(t)], dim=1)


def to_unit_tensor(image: Image.Image) -> torch.Tensor:
    return torch.from_numpy(np.asarray(image, dtype=np.float64) / 255).permute(2, 0, 1)


def test_ten_crop_predict_averages_the_softmax_exactly():
    # Columns 0…31 black, the rest white. Top-left pixel of each crop: tl (x 0) dark, tr (x 32) bright,
    # bl dark, br bright, centre (x 16) dark; a mirror's top-left pixel is its crop's top-right one
    # (column x + 223 ≥ 223): bright for all five.
    arr = np.full((256, 256, 3), 255, dtype=np.uint8)
    arr[:, :32] = 0
    crops = A.ten_crops(Image.fromarray(arr, "RGB"))
    per_crop = A.crop_probabilities(TopLeftPixel().eval(), crops, to_unit_tensor, "cpu")
    assert per_crop.dtype == torch.float64 and per_crop.shape == (10, 2)
    bright = [False, True, False, True, False, True, True, True, True, True]
    expected_rows = [[0.25, 0.75] if b else [0.5, 0.5] for b in bright]
    assert per_crop.tolist() == expected_rows
    mean = A.ten_crop_predict(TopLeftPixel().eval(), crops, to_unit_tensor, "cpu")
    # (3 · 1/2 + 7 · 3/4) / 10 = 27/40 = 0.675
    p = Fraction(3, 10) * Fraction(1, 2) + Fraction(7, 10) * Fraction(3, 4)
    assert p == Fraction(27, 40)
    assert mean.shape == (2,)
    assert mean.tolist() == pytest.approx([float(1 - p), float(p)], abs=1e-15)
    assert A.top_probabilities(mean, ["cat", "dog"], k=1) == [("dog", pytest.approx(0.675, abs=1e-15))]


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_ten_crop_predict_on_cuda_returns_the_same_on_cpu():
    arr = np.full((256, 256, 3), 255, dtype=np.uint8)
    arr[:, :32] = 0
    crops = A.ten_crops(Image.fromarray(arr, "RGB"))
    on_gpu = A.ten_crop_predict(TopLeftPixel().eval(), crops, to_unit_tensor, "cuda")
    assert on_gpu.device.type == "cpu"
    assert torch.equal(on_gpu, A.ten_crop_predict(TopLeftPixel().eval(), crops, to_unit_tensor, "cpu"))


def test_ten_crop_predict_refuses_training_mode_and_no_crops():
    model = nn.Sequential(nn.Flatten(), nn.Dropout(0.5))
    with pytest.raises(ValueError, match="eval"):
        A.ten_crop_predict(model, A.ten_crops(noise_image()), device="cpu")
    with pytest.raises(ValueError, match="no crops"):
        A.ten_crop_predict(model.eval(), [])


def test_ten_crop_predict_on_an_alexnet_is_the_mean_of_its_softmaxes():
    from explorer.activations import seeded_model
    from explorer.presets import PRESETS

    torch.set_num_threads(1)  # the machine is shared
    model = seeded_model(PRESETS["torchvision"], seed=0)
    crops = A.ten_crops(A.resize_256(load_sample("coffee").image).image)
    per_crop = A.crop_probabilities(model, crops)
    mean = A.ten_crop_predict(model, crops)
    assert per_crop.shape == (10, 1000) and mean.shape == (1000,)
    assert torch.equal(mean, per_crop.mean(0))
    with torch.inference_mode():
        logits = model(torch.stack([A.imagenet_transform(c.image) for c in crops]))
    assert torch.allclose(mean, torch.softmax(logits.double(), 1).mean(0), rtol=0, atol=1e-12)
    assert float(mean.sum()) == pytest.approx(1.0, abs=1e-12)
    # the average does not depend on the order of the crops
    shuffled = [crops[i] for i in A.TORCHVISION_TEN_CROP_ORDER]
    assert torch.allclose(A.ten_crop_predict(model, shuffled), mean, rtol=0, atol=1e-12)


def test_top_probabilities_names_or_class_numbers():
    probs = torch.tensor([0.1, 0.6, 0.3], dtype=torch.float64)
    assert A.top_probabilities(probs, ["a", "b", "c"], k=2) == [("b", 0.6), ("c", 0.3)]
    with using("en"):
        assert A.top_probabilities(probs, k=1) == [("class 1", 0.6)]
    with using("zh"):
        assert A.top_probabilities(probs, k=1) == [("类别 1", 0.6)]


# --- PCA colour -----------------------------------------------------------------------------------

EIGVAL = np.array([0.2175, 0.0188, 0.0045])
EIGVEC = np.array([[-0.5675, 0.7192, 0.4009], [-0.5808, -0.0045, -0.8140], [-0.5836, -0.6948, 0.4203]])


def test_the_published_imagenet_numbers():
    assert np.array_equal(np.array(A.IMAGENET_EIGVAL), EIGVAL)
    assert np.array_equal(np.array(A.IMAGENET_EIGVEC), EIGVEC)
    # the eigenvectors are unit length and orthogonal, to the 4 places they are published with
    assert np.allclose(EIGVEC.T @ EIGVEC, np.eye(3), atol=2e-4)


def test_pca_shift_is_eigvec_times_alpha_lambda():
    for j in range(3):  # one α at a time: λ_j times column j, exactly
        alpha = np.zeros(3)
        alpha[j] = 1.0
        assert np.array_equal(A.pca_shift(alpha), EIGVEC[:, j] * EIGVAL[j])
    alphas = A.sample_alphas(0.1, seed=11)
    shift = A.pca_shift(alphas)
    assert np.array_equal(shift, EIGVEC @ (np.array(alphas) * EIGVAL))
    # fb.resnet.torch's Lighting: eigvec:cmul(alpha:view(1,3):expand(3,3)):cmul(eigval...):sum(2)
    vec, val, alpha = torch.tensor(EIGVEC), torch.tensor(EIGVAL), torch.tensor(alphas, dtype=torch.float64)
    lighting = (vec * alpha.view(1, 3).expand(3, 3) * val.view(1, 3).expand(3, 3)).sum(1)
    assert np.allclose(shift, lighting.numpy(), rtol=0, atol=1e-16)
    with pytest.raises(ValueError, match="three finite"):
        A.pca_shift([0.1, 0.2])
    with pytest.raises(ValueError, match="three finite"):
        A.pca_shift([0.1, float("nan"), 0.0])


def test_alpha_zero_leaves_the_image_unchanged():
    img = noise_image(seed=8)
    out = A.pca_colour(img, (0.0, 0.0, 0.0))
    assert np.array_equal(np.asarray(out.image), np.asarray(img))
    assert out.shift == (0.0, 0.0, 0.0) and out.clipped == 0.0
    assert out.label.render("en") == (
        "PCA colour: α = (+0.000, +0.000, +0.000) adds R +0.000, G +0.000, B +0.000 to every pixel "
        "(0…1 scale); nothing needed clipping"
    )


def test_pca_colour_pixels_equal_the_numpy_oracle():
    img = noise_image(seed=9)
    alphas = (0.3, -0.2, 0.5)
    out = A.pca_colour(img, alphas)
    shift = EIGVEC @ (np.array(alphas) * EIGVAL)
    expected = np.rint(np.clip(np.asarray(img) / 255.0 + shift, 0, 1) * 255).astype(np.uint8)
    assert np.array_equal(np.asarray(out.image), expected)
    assert out.shift == tuple(shift.tolist()) and out.alphas == alphas
    assert out.shift_255 == tuple((shift * 255).tolist())
    values = np.asarray(img) / 255.0 + shift
    assert out.clipped == np.count_nonzero((values < 0) | (values > 1)) / values.size


def test_pca_colour_clipping_is_counted_and_said():
    arr = np.zeros((4, 4, 3), dtype=np.uint8)
    arr[:, 2:] = 255
    # α = (1, 0, 0): the shift is 0.2175 · p₁, negative in all three channels, so every value of the
    # black half goes below 0 (clipped) and none of the white half does: exactly half.
    out = A.pca_colour(Image.fromarray(arr, "RGB"), (1.0, 0.0, 0.0))
    assert all(v < 0 for v in out.shift)
    assert out.clipped == 0.5
    assert np.array_equal(np.asarray(out.image)[:, :2], np.zeros((4, 2, 3), dtype=np.uint8))
    assert out.shift_text == "R −0.123, G −0.126, B −0.127"
    assert out.label.render("en") == (
        "PCA colour: α = (+1.000, +0.000, +0.000) adds R −0.123, G −0.126, B −0.127 to every pixel "
        "(0…1 scale); 50.0% of the values fell outside 0…1 and were clipped"
    )
    assert out.label.render("zh") == (
        "PCA 颜色增强：α = (+1.000, +0.000, +0.000)，给每个像素加上 R −0.123、G −0.126、B −0.127（按 0…1 取值）；"
        "50.0% 的值超出 0…1，已截断"
    )


def test_sample_alphas_seeded_and_scaled_by_sigma():
    a = A.sample_alphas(0.1, seed=5)
    assert a == A.sample_alphas(0.1, seed=5) != A.sample_alphas(0.1, seed=6)
    draws = torch.randn(3, generator=torch.Generator().manual_seed(5), dtype=torch.float64)
    assert a == tuple((draws * 0.1).tolist())
    assert A.sample_alphas(0.2, seed=5) == tuple(2 * v for v in a)  # × 2 is exact in binary
    assert A.sample_alphas(0.0, seed=5) == (0.0, 0.0, 0.0)
    for bad in (-0.1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="standard deviation"):
            A.sample_alphas(bad, seed=0)


def test_signed_numbers_use_a_true_minus():
    assert A.signed(0.012) == "+0.012"
    assert A.signed(-0.004) == "−0.004"
    assert A.signed(-0.0001) == "+0.000"  # never "−0.000"
    assert A.signed(-0.0) == "+0.000"
    assert A.signed(2.5, places=1) == "+2.5"


# --- data that caches, and the Chinese -----------------------------------------------------------


def test_results_pickle_for_st_cache_data():
    img = noise_image(300, 260)
    resized = A.resize_256(img)
    things = [resized, *A.random_crops(resized.image, 2, seed=0), A.ten_crops(resized.image)[5]]
    things.append(A.pca_colour(resized.image, (0.1, 0.0, -0.1)))
    for thing in things:
        back = pickle.loads(pickle.dumps(thing))
        assert np.array_equal(np.asarray(back.image), np.asarray(thing.image))
        assert back.label == thing.label and back.label.render("zh") == thing.label.render("zh")


def test_every_label_reads_as_chinese():
    img = noise_image(300, 260)
    resized = A.resize_256(img)
    labels = [
        resized.label,
        A.resize_256(noise_image()).label,
        A.crop_count_note(),
        A.PCA_SOURCE,
        A.pca_colour(resized.image, (0.0, 0.0, 0.0)).label,
        A.pca_colour(resized.image, (3.0, 0.0, 0.0)).label,
        *(c.label for c in A.random_crops(resized.image, 6, seed=1)),
        *(c.label for c in A.ten_crops(resized.image)),
    ]
    # every key of the catalog is used above ("class {i}" is tested with top_probabilities)
    assert {m.key for m in labels} | {"class {i}"} == set(ZH_AUGMENT)
    for message in labels:
        zh = message.render("zh")
        assert has_chinese(zh), zh
        # "PCA" is the method's name (a technical token like LRN); tests/i18n_check.py lacks it.
        assert [w for w in english_words(zh) if w != "PCA"] == [], zh
