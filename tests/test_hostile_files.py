"""Hostile files and servers: strip images, .pth zip bombs, sparse tensors, bad URLs, FIFOs, trickling
servers, leftover partial downloads, over-budget captures. Nothing here downloads: file:// URLs,
locally made files and tiny HTTP servers on 127.0.0.1 only. No assertion depends on timing; the
joins with a timeout only stop a regression from hanging the whole run.
"""

from __future__ import annotations

import collections
import dataclasses
import hashlib
import html
import http.server
import io
import math
import os
import pickle
import struct
import subprocess
import sys
import textwrap
import threading
import time
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest
import torch
from PIL import Image, ImageFile

from explorer import images as I
from explorer import weights as W
from explorer.activations import (
    MAX_CAPTURE_BYTES,
    MAX_CAPTURE_MACS,
    CaptureTooLarge,
    capture,
    capture_cost,
    seeded_model,
)
from explorer.analysis import analyse, format_bytes
from explorer.build import build_model, features_only
from explorer.presets import PRESETS
from explorer.spec import BatchNorm, InputSpec

ROOT = Path(__file__).resolve().parents[1]
HANG_GUARD_S = 60  # only so that a regression fails instead of hanging the test run


def _encode(image: Image.Image, fmt: str) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt)
    return buf.getvalue()


STRIP_PNG = _encode(Image.new("RGB", (10000, 10)), "PNG")  # like the reported 402-byte 10000×10 PNG
TALL_PNG = _encode(Image.new("RGB", (10, 10000)), "PNG")


@pytest.fixture
def no_decoding(monkeypatch):
    def refuse(self, *args, **kwargs):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)
    monkeypatch.setattr(Image.Image, "load", refuse)


@pytest.fixture
def no_resizing(monkeypatch):
    def refuse(self, *args, **kwargs):
        raise AssertionError("an image was resized")

    monkeypatch.setattr(Image.Image, "resize", refuse)


# --- 6. strip images and the pixel budget -------------------------------------------------------


def test_strip_png_refused_before_decoding(no_decoding):
    assert len(STRIP_PNG) < 1000  # a few hundred bytes (402 in the report; it depends on zlib)
    with pytest.raises(I.ImageError) as info:
        I.load_image(STRIP_PNG, "strip.png")
    assert info.value.kind == "aspect"
    assert str(info.value) == (
        "strip.png is 10,000×10 pixels, a 1,000:1 strip; images up to 20:1 can be used: "
        "crop it closer to square and try again."
    )
    with pytest.raises(I.ImageError) as info:
        I.load_image(TALL_PNG, "tall.png")
    assert str(info.value).startswith("tall.png is 10×10,000 pixels, a 1,000:1 strip;")


def test_preprocess_refuses_a_strip_before_resizing(no_resizing):
    """preprocess takes any PIL image, not only load_image's: the 1,048,576×1024 resize never starts."""
    for spec in (InputSpec(3, 896, 896), InputSpec(3, 227, 227)):
        with pytest.raises(I.ImageError) as info:
            I.preprocess(Image.new("RGB", (1024, 1)), spec)
        assert info.value.kind == "aspect"
        assert str(info.value) == (
            "the image is 1,024×1 pixels, a 1,024:1 strip; images up to 20:1 can be used: "
            "crop it closer to square and try again."
        )


def test_preprocess_refuses_a_resize_over_the_pixel_budget(no_resizing):
    # 20:1 is allowed, but for a 1000×1000 input the shorter side goes to 1143: 22,860×1,143.
    with pytest.raises(I.ImageError) as info:
        I.preprocess(Image.new("RGB", (2000, 100)), InputSpec(3, 1000, 1000))
    assert info.value.kind == "too_big"
    assert str(info.value) == (
        "resizing the 2,000×100 image so its shorter side is 1,143 would make 22,860×1,143 = 26 megapixels, "
        "over the 16-megapixel limit: use a squarer image or a smaller input size."
    )
    assert 22_860 * 1_143 > I.MAX_STEP_PIXELS


@pytest.mark.parametrize(
    ("size", "spec"),
    [
        ((400, 20), InputSpec(3, 227, 227)),  # the longest strip allowed
        ((20, 400), InputSpec(1, 224, 300)),
        ((1024, 683), InputSpec(3, 1000, 1000)),  # a photo for a big input
        ((1, 1), InputSpec(3, 32, 32)),
    ],
)
def test_every_intermediate_within_budget_and_every_picture_small(monkeypatch, size, spec):
    made: list[tuple[int, int]] = []
    real_resize = Image.Image.resize

    def resize(self, new_size, *args, **kwargs):
        made.append(tuple(new_size))
        return real_resize(self, new_size, *args, **kwargs)

    monkeypatch.setattr(Image.Image, "resize", resize)
    loaded = I.load_image(_encode(Image.new("RGB", size, (10, 200, 30)), "PNG"), "ok.png")
    pre = I.preprocess(loaded.image, spec)
    assert made and all(w * h <= I.MAX_STEP_PIXELS for w, h in made)
    assert all(max(step.image.size) <= I.MAX_WORKING_SIDE for step in pre.steps)
    assert pre.tensor.shape == (1, spec.channels, spec.height, spec.width)
    assert pre.crop.size == (spec.width, spec.height)


def test_long_strip_step_shown_small_with_its_real_size():
    pre = I.preprocess(Image.new("RGB", (400, 20)), InputSpec(3, 227, 227))
    resized = pre.steps[1]
    assert (resized.title, resized.size) == ("resize shorter side to 259", "5180×259")
    assert resized.image.size == (1024, 51)
    assert resized.note == "bilinear; 256·227/224 = 259.43 → 259; shown at 1024×51"


def test_pattern_size_bounded():
    assert I.make_pattern("checkerboard", 1024).size == (1024, 1024)
    with pytest.raises(I.ImageError) as info:
        I.make_pattern("checkerboard", 100_000)
    assert str(info.value) == "a pattern is 1 to 1024 pixels wide, not 100000: pick a size in that range."


# --- 7. .pth zip bombs ------------------------------------------------------------------------------


class _Storage:
    pass


class _Tensor:
    def __init__(self, storage: _Storage, numel: int):
        self.storage, self.numel = storage, numel

    def __reduce__(self):
        args = (self.storage, 0, (self.numel,), (1,), False, collections.OrderedDict())
        return (torch._utils._rebuild_tensor_v2, args)


def _torch_pickle(declared: dict[str, int], *, location: str = "cpu") -> bytes:
    """torch.save's data.pkl for {key: numel} float32 tensors, storage i named "i" (what a crafted file says)."""
    storages = {key: _Storage() for key in declared}

    class Pickler(pickle.Pickler):
        def persistent_id(self, obj):
            for i, (key, storage) in enumerate(storages.items()):
                if obj is storage:
                    return ("storage", torch.FloatStorage, str(i), location, declared[key])
            return None

    buf = io.BytesIO()
    Pickler(buf, protocol=2).dump({key: _Tensor(storages[key], n) for key, n in declared.items()})
    return buf.getvalue()


def _zip(entries: list[tuple[str, int, bytes, int, int]]) -> bytes:
    """A zip written by hand from (name, method, stored bytes, declared size, crc): sizes can say anything."""
    out, central = io.BytesIO(), io.BytesIO()
    for name, method, data, size, crc in entries:
        offset = out.tell()
        header = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, len(data), size, len(name), 0)
        out.write(header + name.encode() + data)
        central.write(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                method,
                0,
                0x21,
                crc,
                len(data),
                size,
                len(name),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + name.encode()
        )
    start, directory = out.tell(), central.getvalue()
    out.write(
        directory + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(directory), start, 0)
    )
    return out.getvalue()


def _stored(name: str, data: bytes) -> tuple[str, int, bytes, int, int]:
    return (name, zipfile.ZIP_STORED, data, len(data), zlib.crc32(data))


def _deflated_zeros(n_bytes: int) -> bytes:
    """A raw DEFLATE stream of n_bytes zeros, made without ever holding them: full-flushed 1 MiB blocks."""
    mib = 1 << 20

    def block(n: int) -> bytes:
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        return c.compress(bytes(n)) + c.flush(zlib.Z_FULL_FLUSH)

    whole, rest = divmod(n_bytes, mib)
    return block(mib) * whole + (block(rest) if rest else b"") + b"\x03\x00"  # + an empty final block


GIB_ZEROS_CRC = 0x63F45742  # zlib.crc32 of 1,000,000,000 zero bytes (computed once, 1 MiB at a time)
BOMB_FLOATS = 250_000_000  # 1,000,000,000 bytes: 954 MiB


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """A 1 MB .pth whose DEFLATE-compressed record really unpacks to 250M float zeros, as its pickle declares."""
    data = _deflated_zeros(4 * BOMB_FLOATS)
    return _zip(
        [
            _stored("archive/data.pkl", _torch_pickle({"features.0.weight": BOMB_FLOATS})),
            _stored("archive/byteorder", b"little"),
            ("archive/data/0", zipfile.ZIP_DEFLATED, data, 4 * BOMB_FLOATS, GIB_ZEROS_CRC),
            _stored("archive/version", b"3\n"),
        ]
    )


@pytest.fixture
def nothing_read(monkeypatch):
    """Fail if torch.load runs; record which zip members are opened."""
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def tracked_open(self, name, *args, **kwargs):
        opened.append(name.filename if isinstance(name, zipfile.ZipInfo) else name)
        return real_open(self, name, *args, **kwargs)

    def no_load(*args, **kwargs):
        raise AssertionError("torch.load ran")

    monkeypatch.setattr(zipfile.ZipFile, "open", tracked_open)
    monkeypatch.setattr(torch, "load", no_load)
    return opened


def test_the_crafted_format_is_what_torch_reads():
    """Oracle for the helpers: a small file made the same way loads with torch.load itself."""
    data = _zip(
        [
            _stored("archive/data.pkl", _torch_pickle({"w": 4})),
            _stored("archive/byteorder", b"little"),
            ("archive/data/0", zipfile.ZIP_DEFLATED, _deflated_zeros(16), 16, zlib.crc32(bytes(16))),
            _stored("archive/version", b"3\n"),
        ]
    )
    assert torch.equal(W.load_state_dict_file(data)["w"], torch.zeros(4))


def test_zip_bomb_refused_from_the_directory_alone(zip_bomb, nothing_read):
    assert len(zip_bomb) < 1_100_000
    info = zipfile.ZipFile(io.BytesIO(zip_bomb)).getinfo("archive/data/0")
    assert (info.file_size, info.compress_type) == (1_000_000_000, zipfile.ZIP_DEFLATED)
    # it is a real bomb: the stream does inflate to zeros
    assert zlib.decompressobj(-15).decompress(zip_bomb[info.header_offset + 30 + 14 :][:8192], 1 << 20) == bytes(
        1 << 20
    )
    tracemalloc.start()
    try:
        with pytest.raises(W.WeightsError) as error:
            W.load_state_dict_file(zip_bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(error.value) == (
        f"refused: archive/data/0 in the file is compressed and unpacks to 954 MiB from {format_bytes(info.compress_size)}, "
        "more than the 554 MiB allowed (a zip bomb?): save the weights again with torch.save(model.state_dict(), path)."
    )
    assert nothing_read == []  # not even the pickle was read
    assert peak < 8 * 2**20  # far from the 954 MiB it declares (the file itself is 1 MiB)


def test_zip_bomb_from_a_path_refused_too(zip_bomb, tmp_path, nothing_read):
    path = tmp_path / "bomb.pth"
    path.write_bytes(zip_bomb)
    with pytest.raises(
        W.WeightsError, match=r"^refused: archive/data/0 in the file is compressed and unpacks to 954 MiB"
    ):
        W.load_state_dict_file(path)
    with pytest.raises(W.WeightsError, match=r"^refused: archive/data/0 in the file is compressed"):
        W.load_state_dict_file(io.BytesIO(zip_bomb))


def test_pickle_declaring_more_than_alexnet_refused_before_reading_data(nothing_read):
    """The record is small but the pickle declares 250M floats: refused from the pickle, no data read."""
    data = _zip(
        [
            _stored("archive/data.pkl", _torch_pickle({"features.0.weight": BOMB_FLOATS})),
            _stored("archive/data/0", bytes(16)),
        ]
    )
    with pytest.raises(W.WeightsError) as error:
        W.load_state_dict_file(data)
    assert str(error.value) == (
        "refused: the file declares 954 MiB of tensor data, more than the 554 MiB this page loads "
        "(the largest preset, vgg16, needs 528 MiB): upload the weights of a variant no bigger than vgg16."
    )
    assert nothing_read == ["archive/data.pkl"]


def test_record_size_disagreeing_with_its_declaration_refused_unread(nothing_read):
    # The directory says 64 MiB of zeros (deflated to 64 KiB); the pickle says 4 floats.
    data = _zip(
        [
            _stored("archive/data.pkl", _torch_pickle({"w": 4})),
            ("archive/data/0", zipfile.ZIP_DEFLATED, _deflated_zeros(64 << 20), 64 << 20, 0),
        ]
    )
    with pytest.raises(W.WeightsError) as error:
        W.load_state_dict_file(data)
    assert str(error.value) == (
        "refused: the tensor data '0' should hold 16 bytes but the file declares 67,108,864 (damaged or crafted): "
        "save the weights again with torch.save(model.state_dict(), path)."
    )
    assert nothing_read == ["archive/data.pkl"]
    missing = _zip([_stored("archive/data.pkl", _torch_pickle({"w": 4}))])
    with pytest.raises(W.WeightsError, match=r"^refused: the tensor data '0' is missing from the file"):
        W.load_state_dict_file(missing)


def test_stored_record_declaring_too_much_and_compressed_pickle_refused(nothing_read):
    lying = _zip([_stored("archive/data.pkl", _torch_pickle({"w": 4})), ("archive/data/0", 0, bytes(16), 10**9, 0)])
    with pytest.raises(W.WeightsError, match=r"^refused: the file declares 954 MiB of tensor data"):
        W.load_state_dict_file(lying)
    pickle_bomb = _zip([("archive/data.pkl", zipfile.ZIP_DEFLATED, _deflated_zeros(64 << 20), 64 << 20, 0)])
    with pytest.raises(W.WeightsError) as error:
        W.load_state_dict_file(pickle_bomb)
    compressed = format_bytes(len(_deflated_zeros(64 << 20)))
    assert str(error.value).startswith(
        f"refused: archive/data.pkl in the file is compressed and unpacks to 64 MiB from {compressed}, more than the 1 MiB"
    )
    assert nothing_read == []


def test_legacy_format_declaring_more_than_it_holds_refused(monkeypatch):
    def legacy(numel: int, payload: bytes) -> bytes:
        buf = io.BytesIO()
        for obj in (0x1950A86A20F9469CFC6C, 1001, {"protocol_version": 1001, "little_endian": True}):
            pickle.dump(obj, buf, protocol=2)

        class Pickler(pickle.Pickler):
            def persistent_id(self, obj):
                return ("storage", torch.FloatStorage, "0", "cpu", numel, None) if isinstance(obj, _Storage) else None

        Pickler(buf, protocol=2).dump({"w": _Tensor(_Storage(), numel)})
        pickle.dump(["0"], buf, protocol=2)
        return buf.getvalue() + struct.pack("<q", numel) + payload

    good = legacy(4, bytes(16))
    assert torch.equal(W.load_state_dict_file(good)["w"], torch.zeros(4))  # the helper makes real legacy files
    monkeypatch.setattr(torch, "load", lambda *a, **k: pytest.fail("torch.load ran"))
    with pytest.raises(W.WeightsError, match=r"^refused: the file declares 954 MiB of tensor data, more than"):
        W.load_state_dict_file(legacy(BOMB_FLOATS, bytes(16)))
    with pytest.raises(W.WeightsError, match=r"^refused: the file declares 4,000 bytes of tensor data but holds only"):
        W.load_state_dict_file(legacy(1000, bytes(16)))


def test_state_dict_budget_fits_every_preset_and_is_a_parameter():
    assert W.TORCHVISION_BYTES == 4 * sum(math.prod(s) for s in W.TORCHVISION_SHAPES.values())
    # Derived from the presets: the largest preset's state dict plus 5%, no constant to forget.
    sizes = {name: W.state_dict_bytes(v) for name, v in PRESETS.items() if analyse(v).valid}
    assert (
        (W.LARGEST_PRESET, W.LARGEST_PRESET_BYTES) == ("vgg16", 553_430_176) == max(sizes.items(), key=lambda i: i[1])
    )
    assert W.MAX_STATE_BYTES == W.LARGEST_PRESET_BYTES * 105 // 100
    assert all(analyse(v).param_bytes <= W.MAX_STATE_BYTES for v in PRESETS.values())
    # Oracle: the arithmetic equals the bytes of a built model's state dict (batch norm's running
    # statistics and int64 counter included), built on the meta device so nothing is allocated.
    for name, size in sizes.items():
        state = build_model(PRESETS[name], device="meta").state_dict()
        assert size == sum(t.numel() * t.element_size() for t in state.values()), name
    assert sizes["resnet18"] - analyse(PRESETS["resnet18"]).param_bytes == 38_560  # 20 batch norms, 4,800 channels
    # Still a real limit: what no preset needs (the zip bomb's 954 MiB) is refused.
    assert W.MAX_STATE_BYTES < BOMB_FLOATS * 4
    buf = io.BytesIO()
    torch.save({"w": torch.ones(1000)}, buf)
    assert list(W.load_state_dict_file(buf.getvalue(), max_bytes=4000)) == ["w"]
    with pytest.raises(
        W.WeightsError, match=r"^refused: the file declares 3.91 KiB of tensor data, more than the 1.95 KiB"
    ):
        W.load_state_dict_file(buf.getvalue(), max_bytes=2000)


def test_fifo_path_refused_without_blocking(tmp_path):
    fifo = tmp_path / "weights.pth"
    os.mkfifo(fifo)
    result: list[BaseException] = []
    worker = threading.Thread(target=lambda: _catch(result, W.load_state_dict_file, fifo), daemon=True)
    worker.start()
    worker.join(HANG_GUARD_S)
    assert not worker.is_alive(), "load_state_dict_file blocked on a FIFO"
    assert str(result[0]) == f"{fifo} is not a regular file: choose the .pth file itself."


# --- 8. tensors that are not plain dense floating-point ---------------------------------------------


def _saved(state: dict[str, torch.Tensor]) -> bytes:
    buf = io.BytesIO()
    torch.save(state, buf)
    return buf.getvalue()


def test_sparse_tensor_reported_not_matched():
    source = build_model(PRESETS["lenet-5"]).state_dict()
    source["features.0.weight"] = source["features.0.weight"].to_sparse()
    state = W.load_state_dict_file(_saved(source))
    model = build_model(PRESETS["lenet-5"])
    with pytest.raises(RuntimeError):  # the reported bug: what PyTorch does with it
        model.load_state_dict(state)
    report = W.match_report(build_model(PRESETS["lenet-5"], device="meta"), state)
    assert not report.exact
    assert report.summary() == (
        "9 of 10 tensors match; 0 missing, 0 unexpected, 0 with the wrong shape, 1 unusable (sparse tensor)"
    )
    assert [r.to_dict() for r in report.problems] == [
        {"key": "features.0.weight", "status": "unusable: sparse tensor", "model": "6×1×5×5", "file": "6×1×5×5"}
    ]
    with pytest.raises(W.WeightsError, match=r"^the weights do not fit this variant \(9 of 10 tensors match;"):
        W.apply_state_dict(model, state)
    before = model.state_dict()["features.0.weight"].clone()
    W.apply_state_dict(model, state, partial=True)
    assert torch.equal(model.state_dict()["features.0.weight"], before)
    assert torch.equal(model.state_dict()["features.0.bias"], source["features.0.bias"])


def test_integer_and_other_kinds_reported_with_reasons():
    source = build_model(PRESETS["lenet-5"]).state_dict()
    source["features.0.bias"] = torch.zeros(6, dtype=torch.int64)
    source["features.3.bias"] = torch.zeros(16, dtype=torch.bool)
    source["classifier.0.bias"] = torch.zeros(120, dtype=torch.complex64)
    source["features.3.weight"] = source["features.3.weight"].double()  # floating point: fine
    source["classifier.0.weight"] = source["classifier.0.weight"].half()  # fine
    report = W.match_report(build_model(PRESETS["lenet-5"]), W.load_state_dict_file(_saved(source)))
    assert {r.key: r.to_dict()["status"] for r in report.problems} == {
        "features.0.bias": "unusable: int64 dtype, not floating point",
        "features.3.bias": "unusable: bool dtype, not floating point",
        "classifier.0.bias": "unusable: complex64 dtype, not floating point",
    }
    assert report.summary().endswith(
        ", 3 unusable (int64 dtype, not floating point, bool dtype, not floating point, complex64 dtype, not floating point)"
    )
    model = build_model(PRESETS["lenet-5"])
    W.apply_state_dict(model, W.load_state_dict_file(_saved(source)), partial=True)
    assert torch.equal(model.state_dict()["features.3.weight"], source["features.3.weight"].float())


def test_batchnorm_int64_counter_still_matches():
    lenet = PRESETS["lenet-5"]
    variant = lenet.with_layers((lenet.layers[0], BatchNorm(), *lenet.layers[1:]))
    source = build_model(variant).state_dict()
    assert source["features.1.num_batches_tracked"].dtype == torch.int64
    assert W.apply_state_dict(build_model(variant), W.load_state_dict_file(_saved(source))).exact
    source["features.1.num_batches_tracked"] = torch.tensor(0.0)
    report = W.match_report(build_model(variant), source)
    assert [r.to_dict()["status"] for r in report.problems] == ["unusable: float32 dtype, not int64"]


# --- 9. the weights URL ----------------------------------------------------------------------------

URL_HELP = (
    "set ALEXNET_WEIGHTS_URL to https://host/alexnet-owt-7be5be79.pth, http://…, "
    "file:///absolute/path/alexnet-owt-7be5be79.pth, or an absolute path (read as file://)."
)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://[::1/alexnet-owt-7be5be79.pth", "it is malformed: Invalid IPv6 URL"),
        ("alexnet-owt-7be5be79.pth", "it is a relative path, not a URL"),
        ("ftp://mirror/alexnet-owt-7be5be79.pth", "ftp:// is not supported"),
        ("https:///alexnet-owt-7be5be79.pth", "it has no host name"),
        (
            "http://host:port/alexnet-owt-7be5be79.pth",
            "it is malformed: Port could not be cast to integer value as 'port'",
        ),
        (
            "file://server/share/alexnet-owt-7be5be79.pth",
            "a file:// URL must name a file on this machine: file:///absolute/path",
        ),
        ("https://host/a b-7be5be79.pth", "it contains spaces: write them as %20"),
        ("https://host/x\n-7be5be79.pth", "it contains control characters"),
        ("", "it is empty"),
    ],
)
def test_bad_weights_url_clear_message(tmp_path, url, why):
    with pytest.raises(W.WeightsError) as error:
        W.download_weights(url, cache_dir=tmp_path)
    assert str(error.value) == f"the weights URL {url.strip()!r} cannot be used ({why}): {URL_HELP}"
    assert W.find_cached(url, cache_dir=tmp_path) is None  # the page calls it without a try
    assert list(tmp_path.iterdir()) == []


def test_good_urls_pass_unchanged():
    for url in (
        W.TORCHVISION_URL,
        "http://127.0.0.1:8000/alexnet-owt-7be5be79.pth",
        "http://[::1]:8000/alexnet-owt-7be5be79.pth",
        "file:///srv/weights/alexnet-owt-7be5be79.pth",
        "file://localhost/srv/weights/alexnet-owt-7be5be79.pth",
    ):
        assert W.check_url(url) == url
    assert (
        W.check_url("/srv/my weights/alexnet-owt-7be5be79.pth") == "file:///srv/my%20weights/alexnet-owt-7be5be79.pth"
    )


def test_plain_absolute_path_read_as_file_url(tmp_path):
    state = {"w": torch.arange(10.0)}
    raw = tmp_path / "raw.pth"
    torch.save(state, raw)
    source = raw.with_name(f"tiny-{hashlib.sha256(raw.read_bytes()).hexdigest()[:8]}.pth")
    raw.rename(source)
    assert W.check_url(str(source)) == source.as_uri()
    path = W.download_weights(str(source), cache_dir=tmp_path / "cache")
    assert path.read_bytes() == source.read_bytes()
    assert W.find_cached(str(source), cache_dir=tmp_path / "cache") == path


def _inside_page(variant=None):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / "1_Inside.py"), default_timeout=120)
    if variant is not None:
        at.session_state["variant"] = variant
    return at.run()


def _errors(at) -> list[str]:
    assert not at.exception and not at.warning  # no "Something went wrong"
    return [html.unescape(e.value) for e in at.error]  # the page may escape Markdown characters


def test_inside_page_shows_the_url_message(tmp_path, monkeypatch):
    monkeypatch.setenv("ALEXNET_WEIGHTS_URL", "http://[::1/alexnet-owt-7be5be79.pth")
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    at = _inside_page(PRESETS["torchvision"])
    at.radio(key="inside_weights_source").set_value("ImageNet-trained (torchvision)").run()
    at.button(key="inside_load_imagenet").click().run()
    assert _errors(at) == [
        f"the weights URL 'http://[::1/alexnet-owt-7be5be79.pth' cannot be used (it is malformed: Invalid IPv6 URL): {URL_HELP}"
    ]


def test_inside_page_shows_the_strip_and_sparse_messages():
    at = _inside_page()
    at.radio(key="inside_source").set_value("Upload").run()
    at.file_uploader(key="inside_upload").upload("strip.png", STRIP_PNG, "image/png").run()
    assert _errors(at) == [
        "strip.png is 10,000×10 pixels, a 1,000:1 strip; images up to 20:1 can be used: crop it closer to square "
        "and try again."
    ]
    source = build_model(PRESETS["paper-2012"], device="meta").state_dict()
    state = {k: torch.zeros(v.shape) for k, v in source.items()}
    state["features.0.bias"] = state["features.0.bias"].to_sparse()
    at.radio(key="inside_weights_source").set_value("uploaded weights").run()
    at.file_uploader(key="inside_weights_upload").upload("sparse.pth", _saved(state), "application/octet-stream").run()
    assert _errors(at)[-1] == (
        "sparse.pth does not fit paper-2012: 15 of 16 tensors match; 0 missing, 0 unexpected, 0 with the wrong "
        "shape, 1 unusable (sparse tensor)."
    )
    assert not at.success  # not "all 16 tensors match ✅"


# --- 10. downloads that hang, and leftovers --------------------------------------------------------


def _catch(into: list, fn, *args, **kwargs) -> None:
    try:
        into.append(fn(*args, **kwargs))
    except BaseException as exc:
        into.append(exc)


def _in_thread(fn, *args, **kwargs):
    result: list = []
    worker = threading.Thread(target=_catch, args=(result, fn, *args), kwargs=kwargs, daemon=True)
    worker.start()
    worker.join(HANG_GUARD_S)
    assert not worker.is_alive(), f"{fn.__name__} hung"
    return result[0]


def test_fifo_file_url_refused_without_blocking(tmp_path):
    fifo = tmp_path / "alexnet-owt-7be5be79.pth"
    os.mkfifo(fifo)  # opening it for reading would wait forever for a writer
    cache = tmp_path / "cache"
    error = _in_thread(W.download_weights, fifo.as_uri(), cache_dir=cache)
    assert isinstance(error, W.WeightsError)
    assert str(error) == f"{fifo} is a pipe, not a weights file: point ALEXNET_WEIGHTS_URL at the .pth file itself."
    assert not cache.exists()
    folder = tmp_path / "sub" / "alexnet-owt-7be5be79.pth"
    folder.mkdir(parents=True)
    error = _in_thread(W.download_weights, folder.as_uri(), cache_dir=cache)
    assert str(error) == f"{folder} is a folder, not a weights file: point ALEXNET_WEIGHTS_URL at the .pth file itself."


class _Trickle(http.server.BaseHTTPRequestHandler):
    """Promises 100 bytes and sends one every 0.2 s (or, for /headers/, trickles the headers themselves)."""

    stop = threading.Event()

    def do_GET(self):
        if self.path.startswith("/headers/"):
            self.wfile.write(b"HTTP/1.0 200 OK\r\nX-Slow: ")
        else:
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
        for _ in range(100):
            if self.stop.wait(0.2):
                return
            try:
                self.wfile.write(b"x")
                self.wfile.flush()
            except OSError:
                return

    def log_message(self, *args):
        pass


@pytest.fixture
def trickle_server():
    _Trickle.stop.clear()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Trickle)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    _Trickle.stop.set()
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("where", ["body", "headers"])
def test_trickling_server_trips_the_deadline_and_leaves_nothing(tmp_path, trickle_server, where):
    cache = tmp_path / "cache"
    url = f"{trickle_server}/{'headers/' if where == 'headers' else ''}alexnet-owt-7be5be79.pth"
    calls: list = []
    error = _in_thread(
        W.download_weights, url, cache_dir=cache, deadline=2.0, timeout=10.0, progress=lambda d, t: calls.append((d, t))
    )
    assert isinstance(error, W.WeightsError)
    assert str(error) == (
        "the download of alexnet-owt-7be5be79.pth took longer than 2 s (0 MB arrived): the server is too slow or "
        f"stalled. Try again later, or copy alexnet-owt-7be5be79.pth into {cache}."
    )
    assert calls == ([(0, 100)] if where == "body" else [])
    assert list(cache.iterdir()) == []  # no .partial left


def _partial(cache: Path, host: str, pid: int, age_s: float = 0.0) -> Path:
    path = cache / f".alexnet-owt-7be5be79.pth.{host}.{pid}.k3y_x9zq.partial"
    path.write_bytes(b"half")
    if age_s:
        then = time.time() - age_s
        os.utime(path, (then, then))
    return path


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_stale_partials_removed_when_a_download_starts(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    dead = _partial(cache, W._HOST, _dead_pid())
    old = cache / ".alexnet-owt-7be5be79.pth.ab12cd.partial"  # the old naming, 2 hours old
    old.write_bytes(b"half")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    live = _partial(cache, W._HOST, os.getppid())  # a live process: kept
    mine = _partial(cache, W._HOST, os.getpid())  # this process (another session's download): kept
    elsewhere = _partial(cache, "other-host", _dead_pid())  # another machine sharing the folder: kept
    young = cache / ".alexnet-owt-7be5be79.pth.zz99.partial"
    young.write_bytes(b"half")
    link = cache / ".link.partial"
    link.symlink_to(young)
    other = cache / "notes.txt"
    other.write_text("keep")

    raw = tmp_path / "raw.pth"
    torch.save({"w": torch.ones(3)}, raw)
    source = raw.with_name(f"tiny-{hashlib.sha256(raw.read_bytes()).hexdigest()[:8]}.pth")
    raw.rename(source)
    W.download_weights(source.as_uri(), cache_dir=cache)
    left = sorted(p.name for p in cache.iterdir())
    assert left == sorted([live.name, mine.name, elsewhere.name, young.name, link.name, other.name, source.name])
    assert not dead.exists() and not old.exists()


def test_partial_left_by_a_killed_download_is_removed_by_the_next(tmp_path, trickle_server):
    cache = tmp_path / "cache"
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from explorer import weights
        weights.download_weights({trickle_server + "/alexnet-owt-7be5be79.pth"!r}, cache_dir={str(cache)!r}, deadline=600)
        """
    )
    child = subprocess.Popen([sys.executable, "-c", script])
    try:
        give_up = time.monotonic() + HANG_GUARD_S
        while not (cache.exists() and any(p.name.endswith(".partial") for p in cache.iterdir())):
            assert time.monotonic() < give_up and child.poll() is None, "the child never started its download"
            time.sleep(0.05)
    finally:
        child.kill()
        child.wait()
    (leftover,) = [p for p in cache.iterdir() if p.name.endswith(".partial")]
    assert leftover.name.startswith(f".alexnet-owt-7be5be79.pth.{W._HOST}.{child.pid}.")
    assert W.remove_stale_partials(cache) == [leftover.name]
    assert list(cache.iterdir()) == []


# --- the Inside page's capture budget ---------------------------------------------------------------


def _wide(variant, *, side: int, channels: int, stride: int):
    layers = list(variant.layers)
    layers[0] = dataclasses.replace(layers[0], out_channels=channels, stride=stride)
    return variant.with_input(height=side, width=side).with_layers(layers)


@pytest.mark.parametrize("name", [n for n, v in PRESETS.items() if analyse(v).valid])
def test_capture_cost_from_the_model_equals_the_engine(name):
    variant = PRESETS[name]
    for v in (variant, features_only(variant)):
        analysis = analyse(v)
        from_model = capture_cost(build_model(v, device="meta"), analysis.input_shape)
        assert from_model == capture_cost(analysis)
        assert from_model.kept_bytes == analysis.activation_bytes - 4 * math.prod(analysis.input_shape)
        assert from_model.macs == analysis.total_macs
        assert from_model.kept_bytes <= MAX_CAPTURE_BYTES and from_model.macs <= MAX_CAPTURE_MACS


def test_capture_over_the_memory_budget_refused_before_running(monkeypatch):
    variant = features_only(_wide(PRESETS["torchvision"], side=1000, channels=128, stride=2))
    model = build_model(variant, device="meta")  # nothing allocated, nothing to run
    monkeypatch.setattr(model, "forward", lambda *a: pytest.fail("the forward pass ran"))
    with pytest.raises(CaptureTooLarge) as error:
        capture(model, torch.empty((1, 3, 1000, 1000), device="meta"))
    assert isinstance(error.value, ValueError)
    assert str(error.value) == (
        "Not run: every layer's output for this image adds up to 480 MiB (the largest, conv1 · 128×497×497), "
        "over the 256 MiB one run may keep: use a smaller input or fewer channels."
    )
    assert error.value.cost.kept_bytes == capture_cost(analyse(variant)).kept_bytes


def test_capture_over_the_compute_budget_refused():
    variant = features_only(_wide(PRESETS["torchvision"], side=1000, channels=128, stride=4))
    cost = capture_cost(analyse(variant))
    assert cost.kept_bytes <= MAX_CAPTURE_BYTES  # memory alone would pass
    with pytest.raises(CaptureTooLarge) as error:
        capture(build_model(variant, device="meta"), torch.empty((1, 3, 1000, 1000), device="meta"))
    assert str(error.value) == (
        "Not run: one forward pass is 20.3 billion multiply-adds, over the 20 billion one run may take "
        "(torchvision's AlexNet is 0.7): use a smaller input or fewer channels."
    )


def test_capture_within_budget_still_runs():
    model = seeded_model(features_only(PRESETS["torchvision"]))
    acts = capture(model, torch.zeros(1, 3, 224, 224))
    assert [tuple(o.shape) for o in acts.outputs] == [
        r.output for r in analyse(features_only(PRESETS["torchvision"])).rows
    ]
