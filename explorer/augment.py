"""The 2012 paper's data augmentation, made visible: 256 rescale, random 224 crops with mirrors, the
10-crop test and PCA colour augmentation. Deterministic given a seed; PIL + torch, no Streamlit.

From Krizhevsky, Sutskever, Hinton, ImageNet Classification with Deep CNNs (NIPS 2012), §2 and §4.1:

- Every image was rescaled so its shorter side is 256, then the central 256×256 patch was taken
  (`resize_256`: the same arithmetic as `images.preprocess`, so the centre crop of `ten_crops` is,
  pixel for pixel, the picture the Inside page feeds a 224 variant).
- Training used random 224×224 patches and their horizontal reflections (`random_crops`): "a
  factor of 2048" = (256 − 224)² · 2 (`paper_crop_factor`). The offsets run 0…32 on each axis,
  so there are in fact 33² · 2 = 2,178 different crops (`distinct_crop_count`).
- At test time the network averaged its softmax over ten patches, the four corners and the centre
  and their reflections (`ten_crops`, `ten_crop_predict`).
- PCA colour: to every RGB pixel add [p1 p2 p3][α1λ1 α2λ2 α3λ3]ᵀ with αᵢ ~ N(0, 0.1), drawn once
  per image (`sample_alphas`, `pca_shift`, `pca_colour`). The paper computed pᵢ, λᵢ from the
  ImageNet training set but did not print them; the widely used values are fb.resnet.torch's (see
  `IMAGENET_EIGVAL`), on the 0…1 pixel scale, so `pca_colour` works on pixels in 0…1.

Every image comes back with a `label` (an `i18n.Message`) saying what was done to it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image
from torch import nn

from .i18n import Message, _
from .images import IMAGENET_MEAN, IMAGENET_STD, _centre_crop_box, _check_step_budget, _resized_size, to_rgb
from .spec import InputSpec

__all__ = [
    "CROP_SIZE",
    "IMAGENET_EIGVAL",
    "IMAGENET_EIGVEC",
    "MAX_RANDOM_CROPS",
    "PCA_FORMULA",
    "PCA_SOURCE",
    "POSITIONS",
    "RESIZE_SIDE",
    "TEN_CROP_ORDER",
    "TORCHVISION_TEN_CROP_ORDER",
    "Crop",
    "PcaColour",
    "Resized",
    "crop_count_note",
    "crop_probabilities",
    "distinct_crop_count",
    "imagenet_transform",
    "paper_crop_factor",
    "pca_colour",
    "pca_shift",
    "random_crops",
    "resize_256",
    "sample_alphas",
    "signed",
    "ten_crop_predict",
    "ten_crops",
    "top_probabilities",
]

RESIZE_SIDE = 256
CROP_SIZE = 224
MAX_RANDOM_CROPS = 64  # a grid on a page, not a data loader

# fb.resnet.torch, datasets/imagenet.lua ("Computed from random subset of ImageNet training images"),
# used by its `Lighting` transform (datasets/transforms.lua, "AlexNet-style PCA-based noise") on
# images loaded as floats in 0…1, before the mean/std normalisation; many PyTorch ports copy them
# (MXNet and tensorpack use the same numbers × 255 for 0…255 pixels: 55.46, 4.794, 1.148).
IMAGENET_EIGVAL: tuple[float, float, float] = (0.2175, 0.0188, 0.0045)
# Row i is the colour channel (R, G, B), column j the eigenvector p_j (transforms.lua multiplies
# column j by α_j λ_j and sums each row).
IMAGENET_EIGVEC: tuple[tuple[float, float, float], ...] = (
    (-0.5675, 0.7192, 0.4009),
    (-0.5808, -0.0045, -0.8140),
    (-0.5836, -0.6948, 0.4203),
)

PCA_FORMULA = (
    r"I_{xy} \leftarrow I_{xy} + [\mathbf{p}_1\ \mathbf{p}_2\ \mathbf{p}_3]"
    r"\,[\alpha_1\lambda_1\ \ \alpha_2\lambda_2\ \ \alpha_3\lambda_3]^{\mathsf{T}},"
    r"\quad \alpha_i \sim \mathcal{N}(0, \sigma^2),\ \sigma = 0.1"
)
PCA_SOURCE = Message(
    "Eigenvalues λ = (0.2175, 0.0188, 0.0045) and eigenvectors p₁, p₂, p₃ of ImageNet's RGB covariance, "
    "for pixels in 0…1, from fb.resnet.torch (`datasets/imagenet.lua`, used by `Lighting` in "
    "`datasets/transforms.lua`); many PyTorch ports copy them. The 2012 paper computed them from its "
    "training set but did not print them."
)

# The ten crops' order: the five boxes as torchvision's FiveCrop lists them, then the reflection of
# each in the same order, so crops[i + 5] is np.fliplr(crops[i]).
POSITIONS = ("top-left", "top-right", "bottom-left", "bottom-right", "centre")
TEN_CROP_ORDER: tuple[tuple[str, bool], ...] = tuple((p, False) for p in POSITIONS) + tuple(
    (p, True) for p in POSITIONS
)
# torchvision's TenCrop is FiveCrop(img) + FiveCrop(hflip(img)): the top-left of the flipped image
# is the reflection of the top-right crop, and so on. Entry k is the index in `ten_crops` of
# torchvision's k-th crop (exact for 256 → 224, where the centre box is symmetric). fb.resnet.torch's
# TenCrop lists the centre first. The average over the ten does not depend on the order.
TORCHVISION_TEN_CROP_ORDER = (0, 1, 2, 3, 4, 6, 5, 8, 7, 9)


@dataclass(frozen=True)
class Resized:
    """The paper's 256×256 image and how it was made from the original."""

    image: Image.Image  # RGB, RESIZE_SIDE × RESIZE_SIDE
    original_size: tuple[int, int]  # (width, height)
    resized_size: tuple[int, int]  # after scaling the shorter side to 256
    box: tuple[int, int, int, int]  # the central 256×256 in the resized image: left, top, right, bottom
    label: Message


@dataclass(frozen=True)
class Crop:
    """One crop of the 256 image: where its box is, whether it was reflected, and its label."""

    image: Image.Image  # RGB, size × size, already mirrored when `mirrored`
    x: int  # the box's left edge in the source image
    y: int  # its top edge
    size: int
    mirrored: bool
    position: str | None  # one of POSITIONS for ten_crops; None for a random crop
    label: Message

    @property
    def box(self) -> tuple[int, int, int, int]:
        """(left, top, right, bottom), PIL's crop box."""
        return self.x, self.y, self.x + self.size, self.y + self.size


@dataclass(frozen=True)
class PcaColour:
    """An image after PCA colour augmentation; pixel values in 0…1 (shown as 8-bit)."""

    image: Image.Image  # RGB, the original plus `shift`, clipped to 0…1, rounded to 8 bits
    alphas: tuple[float, float, float]
    shift: tuple[float, float, float]  # added to R, G, B on the 0…1 scale
    clipped: float  # fraction of the channel values that were clipped to 0 or 1
    label: Message

    @property
    def shift_255(self) -> tuple[float, float, float]:
        """The shift in 8-bit levels (0…255)."""
        return tuple(v * 255 for v in self.shift)  # type: ignore[return-value]

    @property
    def shift_text(self) -> str:
        """'R +0.012, G −0.004, B +0.020' (numbers and channel letters only: the same in every language)."""
        return ", ".join(f"{c} {signed(v)}" for c, v in zip("RGB", self.shift))


def signed(value: float, places: int = 3) -> str:
    """+0.012 / −0.004 (a true minus sign), 0 printed as +0.000."""
    text = f"{abs(value):.{places}f}"
    negative = value < 0 and float(text) != 0
    return ("−" if negative else "+") + text


# --- 256 and the crops --------------------------------------------------------------------------


def resize_256(image: Image.Image) -> Resized:
    """Shorter side to 256 (bilinear), then the central 256×256, as the paper and `images.preprocess`.

    Raises `images.ImageError` (before resizing) for a strip over `images.MAX_ASPECT`:1 or an image
    whose resized copy would be over `images.MAX_STEP_PIXELS`, like `preprocess`.
    """
    rgb = to_rgb(image)
    width, height = rgb.size
    # resize_side(224 input) is 256: the same limits as the Inside page's preprocessing.
    _check_step_budget(width, height, InputSpec(3, CROP_SIZE, CROP_SIZE))
    new_w, new_h = _resized_size(width, height, RESIZE_SIDE)
    box = _centre_crop_box(new_w, new_h, RESIZE_SIDE, RESIZE_SIDE)
    if (width, height) == (RESIZE_SIDE, RESIZE_SIDE):
        label = Message("already {side}×{side}: used as it is", side=RESIZE_SIDE)
        return Resized(rgb.copy(), (width, height), (width, height), box, label)
    resized = rgb.resize((new_w, new_h), Image.Resampling.BILINEAR)
    out = resized.crop(box)
    label = Message(
        "shorter side scaled to {side} ({w}×{h} → {rw}×{rh}, bilinear), then the central {side}×{side} "
        "(from ({x}, {y}))",
        side=RESIZE_SIDE,
        w=width,
        h=height,
        rw=new_w,
        rh=new_h,
        x=box[0],
        y=box[1],
    )
    return Resized(out, (width, height), (new_w, new_h), box, label)


def paper_crop_factor(side: int = RESIZE_SIDE, size: int = CROP_SIZE) -> int:
    """The paper's "factor of 2048": (side − size)² crop offsets × 2 reflections."""
    return (side - size) ** 2 * 2


def distinct_crop_count(side: int = RESIZE_SIDE, size: int = CROP_SIZE) -> int:
    """The crops there really are: offsets 0…side − size inclusive on each axis, × 2 reflections."""
    return (side - size + 1) ** 2 * 2


def crop_count_note(side: int = RESIZE_SIDE, size: int = CROP_SIZE) -> Message:
    """The paper's count worked out, and the exact count beside it."""
    return Message(
        "Random {size}×{size} crops of a {side}×{side} image and their mirror images: the paper counts "
        "({side} − {size})² · 2 = {d}² · 2 = {factor:,} per image. The offsets run from 0 to {d} on each "
        "axis, {n} values, so there are in fact {n}² · 2 = {distinct:,} different crops.",
        side=side,
        size=size,
        d=side - size,
        n=side - size + 1,
        factor=paper_crop_factor(side, size),
        distinct=distinct_crop_count(side, size),
    )


def _check_fits(image: Image.Image, size: int) -> None:
    if size < 1 or image.width < size or image.height < size:
        raise ValueError(f"a {size}×{size} crop needs an image at least that big, not {image.width}×{image.height}")


def _crop(image: Image.Image, x: int, y: int, size: int, mirrored: bool) -> Image.Image:
    out = image.crop((x, y, x + size, y + size))
    return out.transpose(Image.Transpose.FLIP_LEFT_RIGHT) if mirrored else out


def _random_label(x: int, y: int, mirrored: bool) -> Message:
    if mirrored:
        return Message("random crop at ({x}, {y}), mirrored", x=x, y=y)
    return Message("random crop at ({x}, {y})", x=x, y=y)


def random_crops(image256: Image.Image, n: int, seed: int, size: int = CROP_SIZE) -> list[Crop]:
    """`n` random size×size crops, each mirrored with probability 0.5, the same for the same seed.

    Per crop, from `torch.Generator().manual_seed(seed)`: x, then y (uniform over 0…W − size and
    0…H − size inclusive, as torchvision's RandomCrop), then the flip (`rand() < 0.5`).
    """
    if not 0 <= n <= MAX_RANDOM_CROPS:
        raise ValueError(f"ask for 0 to {MAX_RANDOM_CROPS} random crops, not {n}")
    rgb = to_rgb(image256)
    _check_fits(rgb, size)
    generator = torch.Generator().manual_seed(seed)
    crops = []
    for _draw in range(n):
        x = int(torch.randint(0, rgb.width - size + 1, (1,), generator=generator))
        y = int(torch.randint(0, rgb.height - size + 1, (1,), generator=generator))
        mirrored = bool(torch.rand(1, generator=generator) < 0.5)
        crops.append(Crop(_crop(rgb, x, y, size, mirrored), x, y, size, mirrored, None, _random_label(x, y, mirrored)))
    return crops


def _ten_label(position: str, x: int, y: int, mirrored: bool) -> Message:
    # One key per position and reflection: whole phrases translate better than pieces.
    if position == "top-left":
        if mirrored:
            return Message("top-left corner ({x}, {y}), mirrored", x=x, y=y)
        return Message("top-left corner ({x}, {y})", x=x, y=y)
    if position == "top-right":
        if mirrored:
            return Message("top-right corner ({x}, {y}), mirrored", x=x, y=y)
        return Message("top-right corner ({x}, {y})", x=x, y=y)
    if position == "bottom-left":
        if mirrored:
            return Message("bottom-left corner ({x}, {y}), mirrored", x=x, y=y)
        return Message("bottom-left corner ({x}, {y})", x=x, y=y)
    if position == "bottom-right":
        if mirrored:
            return Message("bottom-right corner ({x}, {y}), mirrored", x=x, y=y)
        return Message("bottom-right corner ({x}, {y})", x=x, y=y)
    if mirrored:
        return Message("centre ({x}, {y}), mirrored", x=x, y=y)
    return Message("centre ({x}, {y})", x=x, y=y)


def ten_crops(image256: Image.Image, size: int = CROP_SIZE) -> list[Crop]:
    """The paper's test-time crops, in `TEN_CROP_ORDER`: top-left, top-right, bottom-left,
    bottom-right, centre, then the reflection of each in the same order (crops[i + 5] is the mirror
    image of crops[i], same box). Corners at 0 and W − size; the centre at round((W − size)/2), as
    torchvision's CenterCrop: for 256 → 224 the boxes start at (0, 0), (32, 0), (0, 32), (32, 32),
    (16, 16).
    """
    rgb = to_rgb(image256)
    _check_fits(rgb, size)
    right, bottom = rgb.width - size, rgb.height - size
    centre = _centre_crop_box(rgb.width, rgb.height, size, size)
    origin = {
        "top-left": (0, 0),
        "top-right": (right, 0),
        "bottom-left": (0, bottom),
        "bottom-right": (right, bottom),
        "centre": (centre[0], centre[1]),
    }
    crops = []
    for position, mirrored in TEN_CROP_ORDER:
        x, y = origin[position]
        label = _ten_label(position, x, y, mirrored)
        crops.append(Crop(_crop(rgb, x, y, size, mirrored), x, y, size, mirrored, position, label))
    return crops


# --- predictions over crops -----------------------------------------------------------------------


def imagenet_transform(image: Image.Image) -> torch.Tensor:
    """An RGB crop → 3×H×W float32, 0…1 then (x − mean)/std with the ImageNet statistics; the same
    arithmetic as `images.preprocess`, so the centre crop gives the Inside page's tensor exactly."""
    arr = np.asarray(to_rgb(image), dtype=np.float32) / 255.0
    tensor = torch.from_numpy(np.ascontiguousarray(np.transpose(arr, (2, 0, 1))))
    mean = torch.tensor(IMAGENET_MEAN, dtype=torch.float32)[:, None, None]
    std = torch.tensor(IMAGENET_STD, dtype=torch.float32)[:, None, None]
    return (tensor - mean) / std


@torch.inference_mode()
def crop_probabilities(
    model: nn.Module,
    crops: Sequence[Crop],
    transform: Callable[[Image.Image], torch.Tensor] = imagenet_transform,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """Softmax of the model's output for each crop, one batch: (len(crops), classes) float64 on CPU.

    The model must be in eval mode (dropout off; `build.build_model` returns it so). The caller
    holds a `runtime.forward_slot`, as the pages do for every forward pass (taking one here too
    could deadlock a page that already holds one).
    """
    if not crops:
        raise ValueError("no crops to predict on")
    if model.training:
        raise ValueError("the model is in training mode (dropout on): call model.eval() first")
    if device is None:
        device = next((p.device for p in model.parameters()), torch.device("cpu"))
    batch = torch.stack([transform(c.image) for c in crops]).to(device)
    logits = model(batch).reshape(len(crops), -1)
    return torch.softmax(logits.double(), dim=1).cpu()


def ten_crop_predict(
    model: nn.Module,
    crops: Sequence[Crop],
    transform: Callable[[Image.Image], torch.Tensor] = imagenet_transform,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """The paper's test-time prediction: the average of the softmax over the crops, (classes,) float64.

    To show each crop's prediction as well, call `crop_probabilities` once and take `.mean(0)`:
    that is all this does.
    """
    return crop_probabilities(model, crops, transform, device).mean(dim=0)


def top_probabilities(probs: torch.Tensor, names: Sequence[str] | None = None, k: int = 5) -> list[tuple[str, float]]:
    """The k largest probabilities with their class names (as `activations.top_k_predictions`, which
    takes logits; these are already probabilities, e.g. a 10-crop average)."""
    flat = probs.reshape(-1)
    values, indices = torch.topk(flat, min(k, flat.numel()))
    named = names is not None and len(names) == flat.numel()
    return [
        (names[i] if named else _("class {i}", i=i), float(p))  # type: ignore[index]
        for p, i in zip(values.tolist(), indices.tolist())
    ]


# --- PCA colour -----------------------------------------------------------------------------------


def sample_alphas(sigma: float = 0.1, seed: int = 0) -> tuple[float, float, float]:
    """α₁, α₂, α₃ ~ N(0, σ²), from `torch.Generator().manual_seed(seed)` (float64); the paper's σ is 0.1."""
    if not (math.isfinite(sigma) and sigma >= 0):
        raise ValueError(f"σ is a standard deviation: a number ≥ 0, not {sigma}")
    generator = torch.Generator().manual_seed(seed)
    draws = torch.randn(3, generator=generator, dtype=torch.float64) * sigma
    a1, a2, a3 = (float(v) for v in draws)
    return a1, a2, a3


def pca_shift(
    alphas: Sequence[float],
    eigval: Sequence[float] = IMAGENET_EIGVAL,
    eigvec: Sequence[Sequence[float]] = IMAGENET_EIGVEC,
) -> np.ndarray:
    """[p1 p2 p3][α1λ1 α2λ2 α3λ3]ᵀ: what is added to every pixel's (R, G, B), shape (3,), float64."""
    alpha = np.asarray(alphas, dtype=np.float64)
    if alpha.shape != (3,) or not np.all(np.isfinite(alpha)):
        raise ValueError(f"three finite α values are needed, not {list(alphas)}")
    return np.asarray(eigvec, dtype=np.float64) @ (alpha * np.asarray(eigval, dtype=np.float64))


def pca_colour(image: Image.Image, alphas: Sequence[float]) -> PcaColour:
    """Add `pca_shift(alphas)` to every pixel on the 0…1 scale (the eigenvalues' scale), clip to 0…1,
    round back to 8 bits. All α = 0 returns the image unchanged."""
    rgb = to_rgb(image)
    shift = pca_shift(alphas)
    values = np.asarray(rgb, dtype=np.float64) / 255.0 + shift
    out_of_range = int(np.count_nonzero((values < 0) | (values > 1)))
    clipped = out_of_range / values.size if values.size else 0.0
    pixels = np.rint(np.clip(values, 0.0, 1.0) * 255).astype(np.uint8)
    a = tuple(float(v) for v in alphas)
    s = tuple(float(v) for v in shift)
    common = {
        "a1": signed(a[0]),
        "a2": signed(a[1]),
        "a3": signed(a[2]),
        "r": signed(s[0]),
        "g": signed(s[1]),
        "b": signed(s[2]),
    }
    if out_of_range:
        label = Message(
            "PCA colour: α = ({a1}, {a2}, {a3}) adds R {r}, G {g}, B {b} to every pixel (0…1 scale); "
            "{pct:.1f}% of the values fell outside 0…1 and were clipped",
            pct=100 * clipped,
            **common,
        )
    else:
        label = Message(
            "PCA colour: α = ({a1}, {a2}, {a3}) adds R {r}, G {g}, B {b} to every pixel (0…1 scale); "
            "nothing needed clipping",
            **common,
        )
    return PcaColour(Image.fromarray(pixels, "RGB"), a, s, clipped, label)  # type: ignore[arg-type]
