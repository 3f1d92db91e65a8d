"""Images for the network: safe upload loading, samples, synthetic patterns and preprocessing steps.

Uploads are untrusted. `load_image` refuses, with a one-line `ImageError`, anything that is empty,
over `MAX_UPLOAD_BYTES`, not one of PNG / JPEG / WebP / BMP / GIF, damaged, or a decompression
bomb: the pixel count is read from the header and checked against `MAX_PIXELS` *before* any
pixel is decoded, and so is the shape: a strip longer than `MAX_ASPECT`:1 (a 10000×10 PNG is 402
bytes) is refused, because scaling its short side up for the network would make a gigantic image.
Large legitimate photos are decoded at reduced size (JPEG draft mode) and downscaled to at most
`MAX_WORKING_SIDE` pixels.

Pixel budget: nothing here makes an image over `MAX_PIXELS` (decoding an upload) or, in
`preprocess`, over `MAX_STEP_PIXELS` (the resized image and the crop); both are checked by
arithmetic before the resize runs. Step pictures are shown at most `MAX_WORKING_SIDE` pixels wide
or tall, so the page never encodes or sends a huge PNG. Every mode ends up as 8-bit RGB: alpha is
composited on white, palette / CMYK / 16-bit / 1-bit images are converted properly, and the EXIF
orientation is applied.

Preprocessing follows torchvision's ImageNet recipe, scaled for other input sizes: resize so the
shorter side is round(256·S/224) where S is the larger input side (256 for 224, 259 for 227),
centre-crop to the variant's H×W, to a tensor in [0, 1], normalise with the ImageNet mean/std.
1-channel variants get the ITU-R 601 luma (PIL's "L") and the same luma weights applied to the
ImageNet statistics: mean 0.459, std 0.2256 (0.299·R + 0.587·G + 0.114·B of the RGB values, to 4 places).

Words are data (`explorer.i18n.Message`): errors, loading notes and each step's title and note render
in the current language when read, so a cached `Preprocessed` serves readers of either language.
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageOps, UnidentifiedImageError

from .i18n import N_, Message, _
from .spec import InputSpec

__all__ = [
    "PlaneStats",
    "colour_planes",
    "ALLOWED_FORMATS",
    "IMAGENET_MEAN",
    "IMAGENET_STD",
    "LUMA_MEAN",
    "LUMA_STD",
    "MAX_ASPECT",
    "MAX_PIXELS",
    "MAX_STEP_PIXELS",
    "MAX_UPLOAD_BYTES",
    "MAX_WORKING_SIDE",
    "PAPER_MEAN_NOTE",
    "PATTERNS",
    "SAMPLES_DIR",
    "SAMPLE_LABELS",
    "ImageError",
    "LoadedImage",
    "PreprocessStep",
    "Preprocessed",
    "image_digest",
    "load_image",
    "load_sample",
    "make_pattern",
    "preprocess",
    "resize_side",
    "sample_names",
    "to_rgb",
]

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_WORKING_SIDE = 1024
# Longest side : shortest side. Panoramas are ~4:1, banners ~10:1; past 20:1 an image is a strip.
MAX_ASPECT = 20
# The largest image `preprocess` makes (the resized step, hence the crop too): 16 MP, 48 MB as RGB.
# A 20:1 strip resized for a 227 input is 5180×259 = 1.3 MP; a 4:3 photo for a 1000×1000 input 1.7 MP.
MAX_STEP_PIXELS = 16_000_000
ALLOWED_FORMATS = ("PNG", "JPEG", "WEBP", "BMP", "GIF")
SAMPLES_DIR = Path(__file__).resolve().parents[1] / "assets" / "samples"

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
_LUMA = (0.299, 0.587, 0.114)  # ITU-R 601, what PIL's convert("L") uses
LUMA_MEAN = round(sum(w * m for w, m in zip(_LUMA, IMAGENET_MEAN)), 4)  # 0.459
LUMA_STD = round(sum(w * s for w, s in zip(_LUMA, IMAGENET_STD)), 4)  # 0.2256

# A translation key (render it with `_`). No number ends a sentence: the pages compare the numbers of
# both languages, and "256×256." would not read as the same number as "256×256。".
PAPER_MEAN_NOTE = N_(
    "The 2012 paper did not divide by a standard deviation: it subtracted the mean activity over the "
    "training set from each pixel (a 256×256×3 mean image, per pixel and per colour), after resizing "
    "each image to 256×256 pixels. torchvision's ImageNet weights were trained with the per-channel "
    "mean/std used here."
)


class ImageError(ValueError):
    """An image that cannot be used; `str(error)` is one line saying what was wrong and what to do.

    The message is data (`explorer.i18n.Message`): `str(error)` renders it in the current language.
    """

    def __init__(self, message: Message, kind: str):
        super().__init__(message)
        self.message = message
        self.kind = kind  # empty, too_big, not_image, format, bomb, damaged, aspect


@dataclass(frozen=True)
class LoadedImage:
    """A decoded image, always 8-bit RGB, with where it came from."""

    image: Image.Image
    format: str
    original_size: tuple[int, int]  # (width, height) as stored in the file, before any downscale
    original_mode: str
    note_messages: tuple[Message, ...] = ()  # what loading changed, as data; `notes` renders them

    @property
    def notes(self) -> tuple[str, ...]:
        """What loading changed (downscaled, rotated, converted …), in the current language."""
        return tuple(m.render() for m in self.note_messages)

    @property
    def downscaled(self) -> bool:
        return self.image.size != self.original_size and max(self.original_size) > MAX_WORKING_SIDE


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


def _aspect_message(name: str | Message, width: int, height: int) -> Message:
    ratio = max(width, height) / max(1, min(width, height))
    return Message(
        "{name} is {width:,}×{height:,} pixels, a {ratio:,.0f}:1 strip; images up to {limit}:1 can be used: "
        "crop it closer to square and try again.",
        name=name,
        width=width,
        height=height,
        ratio=ratio,
        limit=MAX_ASPECT,
    )


def _too_long(width: int, height: int) -> bool:
    return max(width, height) > MAX_ASPECT * min(width, height)


def _sniff(data: bytes) -> Message:
    """A guess at what non-image bytes are, for the error message."""
    head = data[:512]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\x80\x02") or head.startswith(b"\x80\x04"):
        return Message("it looks like a PyTorch / pickle file")
    if head.startswith(b"%PDF"):
        return Message("it is a PDF")
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return Message("its contents are not a known image format")
    if text and all(ch.isprintable() or ch in "\r\n\t" for ch in text):
        return Message("it contains text, not image data (was a file renamed to an image extension?)")
    return Message("its contents are not a known image format")


def _sixteen_bit_to_l(image: Image.Image) -> Image.Image:
    """16/32-bit integer or float grayscale → 8-bit L, scaled (PIL's convert would clip)."""
    arr = np.asarray(image, dtype=np.float64)
    if image.mode == "F" or arr.max(initial=0) > 65535 or arr.min(initial=0) < 0:
        low, high = float(arr.min(initial=0)), float(arr.max(initial=0))
        scaled = (arr - low) / (high - low) * 255 if high > low else np.zeros_like(arr)
    elif image.mode.startswith("I;16") or arr.max(initial=0) > 255:
        scaled = arr / 257.0
    else:
        scaled = arr
    return Image.fromarray(np.clip(np.rint(scaled), 0, 255).astype(np.uint8), "L")


def to_rgb(image: Image.Image) -> Image.Image:
    """Any PIL mode → 8-bit RGB: alpha composited on white, 16-bit scaled, palette/CMYK converted."""
    mode = image.mode
    if mode == "RGB":
        return image
    if mode in ("I", "F") or mode.startswith("I;16"):
        return _sixteen_bit_to_l(image).convert("RGB")
    has_alpha = mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        mode in ("P", "L", "RGB") and "transparency" in image.info
    )
    if has_alpha:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return image.convert("RGB")


def load_image(data: bytes, name: str = "upload") -> LoadedImage:
    """Decode untrusted bytes into an RGB image, or raise `ImageError` with a one-line reason."""
    size = len(data)
    if size == 0:
        raise ImageError(Message("{name} is empty (0 bytes): choose the image file again.", name=name), "empty")
    if size > MAX_UPLOAD_BYTES:
        raise ImageError(
            Message(
                "{name} is {size}, over the {limit} limit for images: save it smaller or as JPEG.",
                name=name,
                size=_mb(size),
                limit=_mb(MAX_UPLOAD_BYTES),
            ),
            "too_big",
        )
    try:
        with warnings.catch_warnings():
            # Our own MAX_PIXELS check below is stricter than PIL's warning threshold.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=None)
    except Image.DecompressionBombError as exc:
        found = re.search(r"\((\d+) pixels\)", str(exc))
        declared = (
            Message("{megapixels:,.0f} megapixels", megapixels=int(found.group(1)) / 1e6)
            if found
            else Message("too many pixels")
        )
        raise ImageError(
            Message(
                "{name} declares {declared}, over the {limit:.0f}-megapixel limit; refused before decoding "
                "(a decompression bomb?): use a smaller image.",
                name=name,
                declared=declared,
                limit=MAX_PIXELS / 1e6,
            ),
            "bomb",
        ) from None
    except UnidentifiedImageError:
        raise ImageError(
            Message(
                "{name} is not an image: {why}. Use a PNG, JPEG, WebP, BMP or GIF file.", name=name, why=_sniff(data)
            ),
            "not_image",
        ) from None
    except (OSError, ValueError, SyntaxError) as exc:
        raise ImageError(
            Message(
                "{name} could not be read as an image ({detail}): try another file.", name=name, detail=_short(exc)
            ),
            "damaged",
        ) from None

    if image.format not in ALLOWED_FORMATS:
        raise ImageError(
            Message(
                "{name} is a {file_format} file; this page reads PNG, JPEG, WebP, BMP and GIF: convert it first.",
                name=name,
                file_format=image.format,
            ),
            "format",
        )
    width, height = image.size
    if width < 1 or height < 1 or width * height > MAX_PIXELS:
        raise ImageError(
            Message(
                "{name} declares {width:,}×{height:,} = {megapixels:,.0f} megapixels, over the {limit:.0f}-megapixel "
                "limit; refused before decoding (a decompression bomb?): use a smaller image.",
                name=name,
                width=width,
                height=height,
                megapixels=width * height / 1e6,
                limit=MAX_PIXELS / 1e6,
            ),
            "bomb",
        )
    if _too_long(width, height):
        raise ImageError(_aspect_message(name, width, height), "aspect")
    original_mode, file_format = image.mode, image.format
    notes: list[Message] = []
    try:
        if image.format == "GIF" and getattr(image, "n_frames", 1) > 1:
            notes.append(Message("animated GIF: using the first of {frames} frames", frames=image.n_frames))
        image.seek(0)
        if image.format == "JPEG" and max(width, height) > MAX_WORKING_SIDE:
            # Decode at 1/2, 1/4 or 1/8 scale straight from the DCT: fast and memory-light.
            image.draft("RGB", (MAX_WORKING_SIDE, MAX_WORKING_SIDE))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image.load()
        image = ImageOps.exif_transpose(image) or image
        image = to_rgb(image)
    except Image.DecompressionBombError:
        raise ImageError(
            Message("{name} expands to too many pixels; refused: use a smaller image.", name=name), "bomb"
        ) from None
    except (OSError, ValueError, SyntaxError, EOFError, MemoryError) as exc:
        raise ImageError(
            Message(
                "{name} is damaged or truncated ({detail}): re-export it or choose another file.",
                name=name,
                detail=_short(exc),
            ),
            "damaged",
        ) from None
    if (width, height) != image.size and sorted((width, height)) == sorted(image.size):
        notes.append(Message("rotated upright from its EXIF orientation"))
    if max(image.size) > MAX_WORKING_SIDE:
        image.thumbnail((MAX_WORKING_SIDE, MAX_WORKING_SIDE), Image.Resampling.LANCZOS)
    if max(width, height) > MAX_WORKING_SIDE:
        notes.append(
            Message(
                "downscaled from {width}×{height} to {new_width}×{new_height}",
                width=width,
                height=height,
                new_width=image.size[0],
                new_height=image.size[1],
            )
        )
    if original_mode not in ("RGB", "L"):
        notes.append(Message("converted from mode {mode} to RGB", mode=original_mode))
    return LoadedImage(image, file_format, (width, height), original_mode, tuple(notes))


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    return text if len(text) <= 80 else text[:77] + "..."


# --- samples and patterns -----------------------------------------------------------------------


# The shipped photos' names, marked for translation: pages show `sample_names()` with format_func=_.
SAMPLE_LABELS = (N_("astronaut"), N_("cat"), N_("coffee"), N_("rocket"))


def sample_names() -> list[str]:
    """The sample photos shipped in assets/samples (file stems, sorted)."""
    return sorted(p.stem for p in SAMPLES_DIR.glob("*.jpg"))


@functools.lru_cache(maxsize=8)
def load_sample(name: str) -> LoadedImage:
    """One of the shipped photos, through the same checks as an upload."""
    if name not in sample_names():
        raise ImageError(
            Message("no sample called {name!r}; choose one of {choices}", name=name, choices=", ".join(sample_names())),
            "not_image",
        )
    path = SAMPLES_DIR / f"{name}.jpg"
    return load_image(path.read_bytes(), name=path.name)


def _stripes(size: int, angle: float, period: float = 12.0) -> np.ndarray:
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    theta = math.radians(angle)
    # Stripes run along `angle`: intensity varies across them, along the normal direction.
    phase = (-xx * math.sin(theta) + yy * math.cos(theta)) * 2 * math.pi / period
    return 0.5 + 0.5 * np.sign(np.sin(phase) + 1e-12)


def _pattern_array(name: str, size: int) -> np.ndarray:
    if name.startswith("stripes "):
        angle = float(name.removeprefix("stripes ").removesuffix("°"))
        gray = _stripes(size, angle)
        return np.repeat(gray[..., None], 3, axis=2)
    if name == "checkerboard":
        cell = max(1, size // 16)
        yy, xx = np.mgrid[0:size, 0:size]
        gray = ((yy // cell + xx // cell) % 2).astype(np.float64)
        return np.repeat(gray[..., None], 3, axis=2)
    if name == "colour bars":
        bars = np.array(
            [[1, 1, 1], [1, 1, 0], [0, 1, 1], [0, 1, 0], [1, 0, 1], [1, 0, 0], [0, 0, 1], [0, 0, 0]], dtype=np.float64
        )
        index = np.minimum(np.arange(size) * len(bars) // size, len(bars) - 1)
        return np.broadcast_to(bars[index][None, :, :], (size, size, 3)).copy()
    if name == "single edge":
        gray = np.zeros((size, size))
        gray[:, size // 2 :] = 1.0
        return np.repeat(gray[..., None], 3, axis=2)
    raise ImageError(
        Message("no pattern called {name!r}; choose one of {choices}", name=name, choices=", ".join(PATTERNS)),
        "not_image",
    )


# Stable ids (what the widget stores and `make_pattern` reads), shown translated with format_func=_.
PATTERNS = (
    N_("stripes 0°"),
    N_("stripes 45°"),
    N_("stripes 90°"),
    N_("stripes 135°"),
    N_("checkerboard"),
    N_("colour bars"),
    N_("single edge"),
)


@functools.lru_cache(maxsize=16)
def make_pattern(name: str, size: int = 256) -> Image.Image:
    """A synthetic test image (RGB, size×size) that makes edge and colour filters easy to read."""
    if not 1 <= size <= MAX_WORKING_SIDE:
        raise ImageError(
            Message(
                "a pattern is 1 to {limit} pixels wide, not {size}: pick a size in that range.",
                limit=MAX_WORKING_SIDE,
                size=size,
            ),
            "too_big",
        )
    arr = _pattern_array(name, size)
    return Image.fromarray(np.rint(arr * 255).astype(np.uint8), "RGB")


def image_digest(image: Image.Image) -> str:
    """A short content hash of the pixels, for cache keys."""
    h = hashlib.sha256()
    h.update(f"{image.mode}{image.size}".encode())
    h.update(image.tobytes())
    return h.hexdigest()[:20]


# --- preprocessing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreprocessStep:
    """One step of `preprocess`; its words are data (cached for every reader), rendered on access."""

    heading: Message
    image: Image.Image  # what to show for this step
    size: str  # e.g. "640×427" or "3×227×227"
    explanation: Message

    @property
    def title(self) -> str:
        """The step's name in the current language, e.g. "resize shorter side to 259"."""
        return self.heading.render()

    @property
    def note(self) -> str:
        """What the step did, with its numbers, in the current language."""
        return self.explanation.render()


@dataclass(frozen=True)
class Preprocessed:
    steps: tuple[PreprocessStep, ...]
    tensor: torch.Tensor  # (1, C, H, W) float32, normalised
    crop: Image.Image  # the centre crop the network sees, RGB or L, H×W
    mean: tuple[float, ...]
    std: tuple[float, ...]


@dataclass(frozen=True)
class PlaneStats:
    """One colour plane of the crop, before (0…1) and after normalising."""

    name: str  # "R", "G", "B" (or "gray", or "channel 4"): a stable id; `label` is what a reader sees
    before: np.ndarray  # H×W in 0…1
    after: np.ndarray  # H×W, (x − mean)/std
    mean: float  # the normalisation's mean for this plane
    std: float

    @property
    def label(self) -> str:
        """The plane's name in the current language (R, G and B stay as they are)."""
        if self.name == "gray":
            return _("gray")
        if self.name.startswith("channel "):
            return _("channel {index}", index=int(self.name.removeprefix("channel ")))
        return self.name

    def summary(self, which: str) -> tuple[float, float, float]:
        values = self.before if which == "before" else self.after
        return float(values.mean()), float(values.min()), float(values.max())


def colour_planes(pre: Preprocessed) -> list[PlaneStats]:
    """The planes the network receives, each before and after normalising (what the step changes)."""
    after = pre.tensor[0].numpy()
    channels = after.shape[0]
    names = (
        ["R", "G", "B"] if channels == 3 else ["gray"] if channels == 1 else [f"channel {i}" for i in range(channels)]
    )
    out = []
    for i in range(channels):
        before = after[i] * pre.std[i] + pre.mean[i]
        out.append(PlaneStats(names[i], before, after[i], pre.mean[i], pre.std[i]))
    return out


def resize_side(spec: InputSpec) -> int:
    """The shorter side to resize to: 256 for a 224 input, scaled for other sizes (259 for 227)."""
    return max(1, round(256 * max(spec.height, spec.width) / 224))


def _resized_size(width: int, height: int, target: int) -> tuple[int, int]:
    """torchvision's Resize(int): shorter side → target, longer side truncated in proportion."""
    if width <= height:
        return target, int(target * height / width)
    return int(target * width / height), target


def _centre_crop_box(width: int, height: int, crop_w: int, crop_h: int) -> tuple[int, int, int, int]:
    """torchvision's CenterCrop offsets: int(round((size - crop) / 2))."""
    left = round((width - crop_w) / 2.0)
    top = round((height - crop_h) / 2.0)
    return left, top, left + crop_w, top + crop_h


def _tensor_image(t: torch.Tensor) -> Image.Image:
    """A C×H×W tensor min-max scaled to an 8-bit image, for display."""
    arr = t.detach().cpu().numpy()
    low, high = float(arr.min()), float(arr.max())
    arr = (arr - low) / (high - low) if high > low else np.zeros_like(arr)
    arr = np.rint(arr * 255).astype(np.uint8)
    if arr.shape[0] != 3:  # 1 channel, or a variant that reads many (its first is shown)
        return Image.fromarray(np.ascontiguousarray(arr[0]), "L")
    return Image.fromarray(np.transpose(arr, (1, 2, 0)), "RGB")


def _shown(image: Image.Image, note: Message) -> tuple[Image.Image, Message]:
    """A step's picture at most MAX_WORKING_SIDE on its longer side (the size text keeps the real size)."""
    if max(image.size) <= MAX_WORKING_SIDE:
        return image, note
    small = image.copy()
    small.thumbnail((MAX_WORKING_SIDE, MAX_WORKING_SIDE), Image.Resampling.BILINEAR, reducing_gap=2.0)
    return small, Message("{note}; shown at {width}×{height}", note=note, width=small.width, height=small.height)


def _check_step_budget(width: int, height: int, spec: InputSpec) -> None:
    """Refuse, by arithmetic and before any resize, what would make an image over the pixel budget."""
    if width < 1 or height < 1 or width * height > MAX_PIXELS:
        raise ImageError(
            Message(
                "the image is {width:,}×{height:,} pixels, over the {limit:.0f}-megapixel limit: use a smaller image.",
                width=width,
                height=height,
                limit=MAX_PIXELS / 1e6,
            ),
            "too_big",
        )
    if _too_long(width, height):
        raise ImageError(_aspect_message(Message("the image"), width, height), "aspect")
    target = resize_side(spec)
    new_w, new_h = _resized_size(width, height, target)
    if new_w * new_h > MAX_STEP_PIXELS:
        raise ImageError(
            Message(
                "resizing the {width:,}×{height:,} image so its shorter side is {target:,} would make "
                "{new_width:,}×{new_height:,} = {megapixels:,.0f} megapixels, over the {limit:.0f}-megapixel "
                "limit: use a squarer image or a smaller input size.",
                width=width,
                height=height,
                target=target,
                new_width=new_w,
                new_height=new_h,
                megapixels=new_w * new_h / 1e6,
                limit=MAX_STEP_PIXELS / 1e6,
            ),
            "too_big",
        )


def preprocess(image: Image.Image, spec: InputSpec) -> Preprocessed:
    """Resize, centre-crop, to tensor, normalise; each step as an image with its size.

    Raises `ImageError` (kind "aspect" or "too_big") before resizing when the image is over
    `MAX_ASPECT`:1 or the resized image would be over `MAX_STEP_PIXELS`.
    """
    _check_step_budget(image.width, image.height, spec)
    steps: list[PreprocessStep] = []

    def add(title: Message, picture: Image.Image, size: str, note: Message) -> None:
        shown, note = _shown(picture, note)
        steps.append(PreprocessStep(title, shown, size, note))

    rgb = to_rgb(image)
    add(Message("original"), rgb, f"{rgb.width}×{rgb.height}", Message("the image as loaded (RGB)"))
    target = resize_side(spec)
    new_w, new_h = _resized_size(rgb.width, rgb.height, target)
    resized = rgb.resize((new_w, new_h), Image.Resampling.BILINEAR)
    side = max(spec.height, spec.width)
    add(
        Message("resize shorter side to {target}", target=target),
        resized,
        f"{new_w}×{new_h}",
        Message("bilinear; 256·{side}/224 = {exact:.2f} → {target}", side=side, exact=256 * side / 224, target=target),
    )
    box = _centre_crop_box(new_w, new_h, spec.width, spec.height)
    crop = resized.crop(box)
    del resized
    add(
        Message("centre crop {width}×{height}", width=spec.width, height=spec.height),
        crop,
        f"{spec.width}×{spec.height}",
        Message("box left {left}, top {top}", left=box[0], top=box[1]),
    )
    if spec.channels == 1:
        crop = crop.convert("L")
        mean, std = (LUMA_MEAN,), (LUMA_STD,)
        add(
            Message("grayscale"),
            crop,
            f"{spec.width}×{spec.height}",
            Message("this variant takes 1 channel: luma 0.299 R + 0.587 G + 0.114 B"),
        )
    else:
        mean, std = IMAGENET_MEAN, IMAGENET_STD
    arr = np.asarray(crop, dtype=np.float32) / 255.0
    arr = arr[None] if arr.ndim == 2 else np.transpose(arr, (2, 0, 1))
    if arr.shape[0] != spec.channels:
        # Variants with other channel counts (rare): repeat or cut the RGB planes.
        reps = -(-spec.channels // arr.shape[0])
        arr = np.concatenate([arr] * reps, axis=0)[: spec.channels]
        mean = tuple((list(mean) * reps)[: spec.channels])
        std = tuple((list(std) * reps)[: spec.channels])
    tensor = torch.from_numpy(np.ascontiguousarray(arr))
    shape = "×".join(str(d) for d in tensor.shape)
    add(
        Message("to tensor"),
        _tensor_image(tensor),
        shape,
        Message("0…255 → 0…1, height×width×colour → colour×height×width"),
    )
    m = torch.tensor(mean, dtype=torch.float32)[:, None, None]
    s = torch.tensor(std, dtype=torch.float32)[:, None, None]
    normalised = (tensor - m) / s
    mean_text = ", ".join(f"{v:g}" for v in mean)
    std_text = ", ".join(f"{v:g}" for v in std)
    add(
        Message("normalise"),
        _tensor_image(normalised),
        shape,
        Message(
            "(x − mean) / std, mean ({mean_values}), std ({std_values}); shown rescaled to 0…255",
            mean_values=mean_text,
            std_values=std_text,
        ),
    )
    return Preprocessed(tuple(steps), normalised[None].contiguous(), crop, tuple(mean), tuple(std))
