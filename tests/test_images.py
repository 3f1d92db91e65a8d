"""explorer.images: safe loading of untrusted uploads, samples, patterns, preprocessing steps."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
import torch
from PIL import Image, ImageFile

from explorer import images as I
from explorer.spec import InputSpec


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def bomb_png(width: int, height: int) -> bytes:
    """A valid PNG header declaring width×height RGB pixels, with a tiny IDAT (a few hundred bytes)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", zlib.compress(b"\0" * 4096))
        + _png_chunk(b"IEND", b"")
    )


def encode(image: Image.Image, fmt: str, **kwargs) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt, **kwargs)
    return buf.getvalue()


@pytest.fixture
def no_decoding(monkeypatch):
    """Fail the test if any pixel data is decoded."""

    def refuse(self, *args, **kwargs):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)
    monkeypatch.setattr(Image.Image, "load", refuse)


# --- bad input ---------------------------------------------------------------------------------


def test_empty_file():
    with pytest.raises(I.ImageError) as info:
        I.load_image(b"", "empty.png")
    assert info.value.kind == "empty"
    assert str(info.value) == "empty.png is empty (0 bytes): choose the image file again."


def test_text_renamed_png():
    with pytest.raises(I.ImageError) as info:
        I.load_image(b"name,score\nada,3\n", "notes.png")
    assert info.value.kind == "not_image"
    assert "notes.png is not an image: it contains text" in str(info.value)
    assert "\n" not in str(info.value)


def test_corrupt_bytes():
    with pytest.raises(I.ImageError) as info:
        I.load_image(b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 30, "broken.png")
    assert info.value.kind == "damaged"
    assert str(info.value).startswith("broken.png could not be read as an image")


def test_truncated_png():
    data = encode(Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)), "PNG")
    with pytest.raises(I.ImageError) as info:
        I.load_image(data[: len(data) // 2], "half.png")
    assert info.value.kind == "damaged"
    assert "damaged or truncated" in str(info.value)


def test_over_size_cap():
    with pytest.raises(I.ImageError) as info:
        I.load_image(b"\0" * (I.MAX_UPLOAD_BYTES + 1), "huge.png")
    assert info.value.kind == "too_big"
    assert "20.0 MB, over the 20.0 MB limit" in str(info.value)


def test_bomb_20000_refused_before_decoding(no_decoding):
    data = bomb_png(20000, 20000)
    assert len(data) < 4096
    with pytest.raises(I.ImageError) as info:
        I.load_image(data, "bomb.png")
    assert info.value.kind == "bomb"
    assert "bomb.png declares 400 megapixels, over the 40-megapixel limit; refused before decoding" in str(info.value)


def test_bomb_under_pil_threshold_refused_by_header_check(no_decoding):
    # 49 MP is below PIL's own error threshold: our header check must catch it.
    with pytest.raises(I.ImageError) as info:
        I.load_image(bomb_png(7000, 7000), "big.png")
    assert info.value.kind == "bomb"
    assert "declares 7,000×7,000 = 49 megapixels" in str(info.value)


def test_other_format_refused():
    with pytest.raises(I.ImageError) as info:
        I.load_image(encode(Image.new("RGB", (8, 8)), "TIFF"), "scan.tif")
    assert info.value.kind == "format"
    assert "scan.tif is a TIFF file" in str(info.value)


# --- good input --------------------------------------------------------------------------------


def test_huge_legit_photo_downscaled():
    arr = np.zeros((4000, 6000, 3), np.uint8)
    arr[:, :3000] = (200, 30, 30)
    loaded = I.load_image(encode(Image.fromarray(arr), "JPEG", quality=85), "camera.jpg")
    assert loaded.original_size == (6000, 4000)
    assert loaded.image.size == (1024, 683)
    assert loaded.downscaled
    assert loaded.notes == ("downscaled from 6000×4000 to 1024×683",)
    left = np.asarray(loaded.image)[340, 100].astype(int)
    assert np.abs(left - (200, 30, 30)).max() <= 6


@pytest.mark.parametrize(
    ("fmt", "kwargs"), [("PNG", {}), ("BMP", {}), ("WEBP", {"lossless": True}), ("GIF", {}), ("JPEG", {"quality": 100})]
)
def test_formats_round_trip(fmt, kwargs):
    arr = np.zeros((30, 40, 3), np.uint8)
    arr[:, 20:] = (255, 0, 0) if fmt != "JPEG" else (250, 250, 250)
    loaded = I.load_image(encode(Image.fromarray(arr), fmt, **kwargs), f"x.{fmt.lower()}")
    assert loaded.format == fmt
    assert loaded.image.mode == "RGB"
    assert loaded.image.size == (40, 30)
    out = np.asarray(loaded.image).astype(int)
    tolerance = 3 if fmt == "JPEG" else 0
    assert np.abs(out - arr).max() <= tolerance


def test_gif_first_frame():
    red, blue = Image.new("RGB", (16, 16), (255, 0, 0)), Image.new("RGB", (16, 16), (0, 0, 255))
    data = encode(red, "GIF", save_all=True, append_images=[blue], duration=100)
    loaded = I.load_image(data, "anim.gif")
    assert tuple(np.asarray(loaded.image)[8, 8]) == (255, 0, 0)
    assert "animated GIF: using the first of 2 frames" in loaded.notes


def _pixel(image: Image.Image, fmt: str = "PNG") -> tuple[int, ...]:
    return tuple(int(v) for v in np.asarray(I.load_image(encode(image, fmt), "m").image)[0, 0])


def test_modes_converted():
    assert _pixel(Image.new("L", (4, 4), 100)) == (100, 100, 100)
    assert _pixel(Image.new("1", (4, 4), 1)) == (255, 255, 255)
    assert _pixel(Image.new("LA", (4, 4), (0, 0))) == (255, 255, 255)  # transparent → white
    assert _pixel(Image.new("LA", (4, 4), (0, 255))) == (0, 0, 0)
    assert _pixel(Image.new("RGBA", (4, 4), (255, 0, 0, 0))) == (255, 255, 255)
    assert _pixel(Image.new("RGBA", (4, 4), (255, 0, 0, 255))) == (255, 0, 0)
    half = _pixel(Image.new("RGBA", (4, 4), (0, 0, 0, 128)))
    assert half == (127, 127, 127)  # 255·(1 − 128/255) composited on white
    palette = Image.new("P", (4, 4), 0)
    palette.putpalette([10, 20, 30] + [0, 0, 0] * 255)
    assert _pixel(palette) == (10, 20, 30)
    palette.info["transparency"] = 0
    assert _pixel(palette) == (255, 255, 255)
    assert _pixel(Image.new("CMYK", (4, 4), (0, 0, 0, 0)), "JPEG") == (255, 255, 255)
    cyan = _pixel(Image.new("CMYK", (4, 4), (255, 0, 0, 0)), "JPEG")
    assert abs(cyan[0] - 0) <= 2 and cyan[1] >= 253 and cyan[2] >= 253


def test_sixteen_bit_scaled_not_clipped():
    arr = np.array([[0, 257 * 128, 65535]], dtype=np.uint16)
    loaded = I.load_image(encode(Image.fromarray(arr), "PNG"), "depth.png")
    assert loaded.original_mode.startswith("I")
    assert np.asarray(loaded.image)[0, :, 0].tolist() == [0, 128, 255]


def test_exif_orientation_applied():
    arr = np.zeros((20, 40, 3), np.uint8)
    arr[:, :20] = (255, 0, 0)  # left half red
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    loaded = I.load_image(encode(Image.fromarray(arr), "JPEG", exif=exif.tobytes(), quality=95), "phone.jpg")
    assert loaded.image.size == (20, 40)
    out = np.asarray(loaded.image).astype(int)
    assert out[5, 10, 0] > 200 and out[5, 10, 2] < 60  # the left edge is now the top
    assert out[35, 10, 0] < 60
    assert "rotated upright from its EXIF orientation" in loaded.notes


# --- samples and patterns ----------------------------------------------------------------------


def test_samples():
    assert I.sample_names() == ["astronaut", "cat", "coffee", "rocket"]
    sizes = {name: I.load_sample(name).image.size for name in I.sample_names()}
    assert sizes == {"astronaut": (512, 512), "cat": (451, 300), "coffee": (512, 341), "rocket": (512, 342)}
    assert (I.SAMPLES_DIR / "LICENSES.txt").is_file()
    with pytest.raises(I.ImageError):
        I.load_sample("../../etc/passwd")


def test_patterns():
    assert I.PATTERNS == (
        "stripes 0°",
        "stripes 45°",
        "stripes 90°",
        "stripes 135°",
        "checkerboard",
        "colour bars",
        "single edge",
    )
    arrays = {name: np.asarray(I.make_pattern(name)).astype(int) for name in I.PATTERNS}
    for arr in arrays.values():
        assert arr.shape == (256, 256, 3)
    horizontal, vertical = arrays["stripes 0°"][..., 0], arrays["stripes 90°"][..., 0]
    assert (horizontal == horizontal[:, :1]).all() and len(np.unique(horizontal[:, 0])) == 2
    assert (vertical == vertical[:1, :]).all() and len(np.unique(vertical[0])) == 2
    diag = arrays["stripes 45°"][..., 0]
    assert (diag[1:, 1:] == diag[:-1, :-1]).all()
    anti = arrays["stripes 135°"][..., 0]
    assert (anti[1:, :-1] == anti[:-1, 1:]).all()
    check = arrays["checkerboard"][..., 0]
    assert (check[0, 0], check[0, 16], check[16, 16], check[15, 15]) == (0, 255, 0, 0)
    bars = arrays["colour bars"]
    assert [tuple(bars[0, 32 * i + 5]) for i in range(8)] == [
        (255, 255, 255),
        (255, 255, 0),
        (0, 255, 255),
        (0, 255, 0),
        (255, 0, 255),
        (255, 0, 0),
        (0, 0, 255),
        (0, 0, 0),
    ]
    edge = arrays["single edge"][..., 0]
    assert (edge[:, :128] == 0).all() and (edge[:, 128:] == 255).all()
    with pytest.raises(I.ImageError):
        I.make_pattern("spirals")


def test_image_digest():
    a, b = I.make_pattern("checkerboard"), I.make_pattern("single edge")
    assert I.image_digest(a) == I.image_digest(a.copy())
    assert I.image_digest(a) != I.image_digest(b)
    assert len(I.image_digest(a)) == 20


# --- preprocessing -----------------------------------------------------------------------------


def test_resize_side():
    assert I.resize_side(InputSpec(3, 224, 224)) == 256
    assert I.resize_side(InputSpec(3, 227, 227)) == 259
    assert I.resize_side(InputSpec(1, 32, 32)) == 37
    assert I.resize_side(InputSpec(3, 224, 300)) == 343


def test_preprocess_steps_and_sizes_cat_227():
    pre = I.preprocess(I.load_sample("cat").image, InputSpec(3, 227, 227))
    assert [(s.title, s.size) for s in pre.steps] == [
        ("original", "451×300"),
        ("resize shorter side to 259", "389×259"),
        ("centre crop 227×227", "227×227"),
        ("to tensor", "3×227×227"),
        ("normalise", "3×227×227"),
    ]
    assert pre.steps[2].note == "box left 81, top 16"
    assert pre.tensor.shape == (1, 3, 227, 227) and pre.tensor.dtype == torch.float32
    # Oracle: the same pipeline written out with PIL and numpy.
    resized = I.load_sample("cat").image.resize((389, 259), Image.Resampling.BILINEAR)
    crop = np.asarray(resized.crop((81, 16, 308, 243)), dtype=np.float32) / 255
    expected = (crop - np.array(I.IMAGENET_MEAN, np.float32)) / np.array(I.IMAGENET_STD, np.float32)
    assert torch.allclose(pre.tensor[0], torch.from_numpy(expected.transpose(2, 0, 1)), atol=1e-6)


def test_preprocess_constant_colour_exact_values():
    pre = I.preprocess(Image.new("RGB", (300, 200), (200, 100, 50)), InputSpec(3, 224, 224))
    expected = [(v / 255 - m) / s for v, m, s in zip((200, 100, 50), I.IMAGENET_MEAN, I.IMAGENET_STD)]
    for c in range(3):
        assert torch.allclose(pre.tensor[0, c], torch.full((224, 224), expected[c]), atol=1e-6)
    assert pre.steps[1].size == "384×256"


def test_preprocess_grayscale_for_one_channel():
    assert (I.LUMA_MEAN, I.LUMA_STD) == (0.459, 0.2256)
    pre = I.preprocess(Image.new("RGB", (256, 256), (200, 100, 50)), InputSpec(1, 224, 224))
    assert [s.title for s in pre.steps] == [
        "original",
        "resize shorter side to 256",
        "centre crop 224×224",
        "grayscale",
        "to tensor",
        "normalise",
    ]
    assert pre.tensor.shape == (1, 1, 224, 224)
    luma = (200 * 19595 + 100 * 38470 + 50 * 7471 + 0x8000) >> 16  # PIL's integer ITU-R 601 conversion
    assert luma == 124
    assert torch.allclose(pre.tensor, torch.full((1, 1, 224, 224), (luma / 255 - 0.459) / 0.2256), atol=1e-6)


def test_preprocess_non_square_input():
    pre = I.preprocess(Image.new("RGB", (640, 480), (0, 0, 0)), InputSpec(3, 224, 300))
    assert pre.steps[1].size == "457×343"
    assert pre.tensor.shape == (1, 3, 224, 300)
    assert "per-pixel" not in pre.steps[-1].note
    assert "subtracted the mean activity over the training set from each pixel" in I.PAPER_MEAN_NOTE


def test_colour_planes_before_and_after_normalising():
    from explorer.images import colour_planes, make_pattern, preprocess
    from explorer.spec import InputSpec

    pre = preprocess(make_pattern(images_patterns()[0]), InputSpec(3, 64, 64))
    planes = colour_planes(pre)
    assert [p.name for p in planes] == ["R", "G", "B"]
    for plane, mean, std in zip(planes, (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)):
        assert (plane.mean, plane.std) == (mean, std)
        assert 0.0 <= plane.before.min() and plane.before.max() <= 1.0 + 1e-6
        np.testing.assert_allclose(plane.after, (plane.before - mean) / std, rtol=1e-5, atol=1e-5)


def images_patterns():
    from explorer.images import PATTERNS

    return list(PATTERNS)


# --- 中文: the same errors, steps and notes as data, rendered in the reader's language -----------------


def test_errors_steps_and_notes_render_in_each_language():
    from explorer.i18n import using

    with pytest.raises(I.ImageError) as info:
        I.load_image(b"name,score\nada,3\n", "notes.png")
    with using("zh"):
        assert str(info.value) == (
            "notes.png 不是图像：其中是文本而不是图像数据（是不是把别的文件改成了图像扩展名？）。"
            "请使用 PNG、JPEG、WebP、BMP 或 GIF 文件。"
        )
    assert str(info.value).startswith("notes.png is not an image: it contains text")  # the same data, in English
    pre = I.preprocess(I.load_sample("cat").image, InputSpec(3, 227, 227))
    with using("zh"):
        assert [s.title for s in pre.steps] == ["原图", "短边缩放到 259", "中心裁剪 227×227", "转为张量", "标准化"]
        assert pre.steps[1].note == "双线性插值；256·227/224 = 259.43 → 259"
        assert I.colour_planes(I.preprocess(I.make_pattern("checkerboard"), InputSpec(1, 32, 32)))[0].label == "灰度"
    big = I.load_image(encode(Image.new("RGB", (3000, 2000)), "PNG"), "big.png")
    with using("zh"):
        assert big.notes == ("已从 3000×2000 缩小到 1024×683",)
    assert big.notes == ("downscaled from 3000×2000 to 1024×683",)


def test_the_paper_note_keeps_its_numbers_in_chinese():
    """The page compares both languages' numbers; no number ends a sentence ("256×256." vs "256×256。")."""
    import re

    from explorer.i18n import _, using

    number = re.compile(r"\d[\d,.]*")
    with using("zh"):
        chinese = _(I.PAPER_MEAN_NOTE)
    assert chinese != I.PAPER_MEAN_NOTE
    assert (
        sorted(number.findall(chinese))
        == sorted(number.findall(I.PAPER_MEAN_NOTE))
        == sorted(["2012", "256", "256", "3", "256", "256"])
    )
