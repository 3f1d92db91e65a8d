"""The Inside page through Streamlit's AppTest: samples, uploads good and bad, switches, weights."""

from __future__ import annotations

import hashlib
import html
import io
import os
import struct
import urllib.error
import urllib.request
import zlib
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
import torch
from PIL import Image
from streamlit.testing.v1 import AppTest

import explorer.activations
from explorer.build import build_model
from explorer.presets import PRESETS
from explorer.runtime import device_label, pick_device
from explorer.spec import Linear, variant_from_json

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "1_Inside.py")
FILTERS = "4 · First-layer filters"


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _bomb() -> bytes:
    ihdr = struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 4096)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def _encode(image: Image.Image, fmt: str, **kwargs) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt, **kwargs)
    return buf.getvalue()


def _save(obj) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def _page(variant=None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    if variant is not None:
        at.session_state["variant"] = variant
    return at


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.warning, [w.value for w in at.warning]  # the guarded() fallback would show here


def _subheaders(at: AppTest) -> list[str]:
    return [html.unescape(s.value) for s in at.subheader]


def _captions(at: AppTest) -> list[str]:
    return [html.unescape(c.value) for c in at.caption]


def _image_captions(at: AppTest) -> list[str]:
    return [caption for image in at.image for caption in image.captions]


@pytest.fixture(scope="module")
def torchvision_file(tmp_path_factory):
    """A locally made state dict with torchvision AlexNet's keys and shapes, named torch-hub style."""
    folder = tmp_path_factory.mktemp("tv")
    raw = folder / "raw.pth"
    torch.save(build_model(PRESETS["torchvision"]).state_dict(), raw)
    prefix = hashlib.sha256(raw.read_bytes()).hexdigest()[:8]
    path = folder / f"alexnet-owt-{prefix}.pth"
    raw.rename(path)
    return path


SIZES = {"astronaut": "512×512", "cat": "451×300", "coffee": "512×341", "rocket": "512×342"}
RESIZED = {"astronaut": "259×259", "cat": "389×259", "coffee": "388×259", "rocket": "387×259"}


@pytest.mark.parametrize("sample", ["astronaut", "cat", "coffee", "rocket"])
def test_each_sample(sample):
    at = _page()
    at.run()
    at.selectbox(key="inside_sample").set_value(sample).run()
    _ok(at)
    assert not at.error
    assert _subheaders(at)[:5] == [
        "Weights",
        "1 · Preprocessing, step by step",
        "2 · Feature maps",
        "3 · Every layer at a glance",
        f"{FILTERS} — random initialisation",
    ]
    assert "6 · Local response normalisation made visible" in _subheaders(at)
    forward = next(c for c in _captions(at) if "forward pass on" in c)
    # the device the machine has (CPU here; CUDA or MPS where lent): the assertion holds on all three
    assert html.unescape(forward).startswith(f"sample: {sample} · forward pass on **{device_label(pick_device())}**")
    assert "bilinear; 256·227/224 = 259.43 → 259" in _captions(at)
    assert _image_captions(at)[:3] == [
        f"original · {SIZES[sample]}",
        f"resize shorter side to 259 · {RESIZED[sample]}",
        "centre crop 227×227 · 227×227",
    ]
    assert len(at.image) == 17  # 5 steps, R/G/B before and after, grid, channel, window, strip, filters, LRN
    planes = [c for c in _image_captions(at) if c.startswith(("R ", "G ", "B "))]
    assert [c.split(":")[0] for c in planes] == [
        "R before",
        "R after (− 0.485, ÷ 0.229)",
        "G before",
        "G after (− 0.456, ÷ 0.224)",
        "B before",
        "B after (− 0.406, ÷ 0.225)",
    ]
    assert len(at.latex) == 1


def test_layer_and_channel_switches_reuse_the_forward_pass(monkeypatch):
    st.cache_resource.clear()
    st.cache_data.clear()
    calls = []
    real = explorer.activations.capture

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(explorer.activations, "capture", counting)
    at = _page()
    at.run()
    _ok(at)
    assert len(calls) == 1
    at.selectbox(key="inside_layer").set_value(4).run()  # conv2: 256×27×27
    _ok(at)
    at.slider(key="inside_channel").set_value(200).run()
    at.slider(key="inside_pos_y").set_value(0).run()
    at.slider(key="inside_pos_x").set_value(26).run()
    _ok(at)
    channel_caption = next(c for c in _image_captions(at) if c.startswith("conv2, channel"))
    assert channel_caption.startswith("conv2, channel 200 (27×27); value at (0, 26) = ")
    window = next(c for c in _image_captions(at) if c.startswith("receptive field of"))
    # conv2 unit (0, 26): rows −16…34 and columns 192…242, clipped to the 227-pixel image.
    assert window == "receptive field of (0, 26): 51×51 input pixels, rows 0–34, columns 192–226, clipped at the border"
    at.selectbox(key="inside_layer").set_value(0).run()  # conv1 has 96 channels: 200 is clamped
    _ok(at)
    assert at.slider(key="inside_channel").value == 95
    at.radio(key="inside_grid_mode").set_value("top-k by mean activation").run()
    at.slider(key="inside_topk").set_value(5).run()
    _ok(at)
    at.selectbox(key="inside_layer").set_value(14).run()  # pool5 6×6
    _ok(at)
    assert at.slider(key="inside_pos_y").value == 0 and at.slider(key="inside_pos_x").value == 5
    assert len(calls) == 1  # every switch reused the activations


def test_patterns_on_a_grayscale_variant():
    at = _page(PRESETS["keras-seed"])
    at.run()
    at.radio(key="inside_source").set_value("Pattern").run()
    at.selectbox(key="inside_pattern").set_value("stripes 45°").run()
    _ok(at)
    assert "this variant takes 1 channel: luma 0.299 R + 0.587 G + 0.114 B" in _captions(at)
    assert any(c.startswith("96 filters of 11×11×1 (grayscale)") for c in _captions(at))
    assert not any("Local response" in s for s in _subheaders(at))


def _upload(at: AppTest, name: str, data: bytes, mime: str = "image/png") -> AppTest:
    at.radio(key="inside_source").set_value("Upload").run()
    at.file_uploader(key="inside_upload").upload(name, data, mime).run()
    return at


def test_valid_upload():
    arr = np.zeros((300, 400, 3), np.uint8)
    arr[:, 200:] = (255, 128, 0)
    at = _upload(_page().run(), "mine.png", _encode(Image.fromarray(arr), "PNG"))
    _ok(at)
    assert not at.error
    assert any(html.unescape(c).startswith("upload: mine.png · forward pass on") for c in _captions(at))
    assert _image_captions(at)[:2] == ["original · 400×300", "resize shorter side to 259 · 345×259"]


def test_huge_legit_photo_downscaled():
    arr = np.full((4000, 6000, 3), 90, np.uint8)
    at = _upload(_page().run(), "camera.jpg", _encode(Image.fromarray(arr), "JPEG", quality=80), "image/jpeg")
    _ok(at)
    assert not at.error
    assert "downscaled from 6000×4000 to 1024×683" in _captions(at)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 30, "broken.png could not be read as an image"),
        ("notes.png", b"name,score\nada,3\n", "notes.png is not an image: it contains text"),
        ("empty.png", b"", "empty.png is empty (0 bytes): choose the image file again."),
        ("bomb.png", _bomb(), "bomb.png declares 400 megapixels, over the 40-megapixel limit; refused before decoding"),
    ],
    ids=["corrupt", "text-renamed", "zero-byte", "decompression-bomb"],
)
def test_bad_uploads_one_line_and_page_keeps_working(name, data, message):
    at = _upload(_page().run(), name, data)
    _ok(at)
    assert len(at.error) == 1
    text = at.error[0].value
    assert html.unescape(text).startswith(message) and "\n" not in text
    assert f"{FILTERS} — random initialisation" in _subheaders(at)  # the rest of the page still renders
    # and choosing a sample again recovers
    at.radio(key="inside_source").set_value("Sample photo").run()
    _ok(at)
    assert not at.error and "2 · Feature maps" in _subheaders(at)


def _weights_upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.radio(key="inside_weights_source").set_value("uploaded weights").run()
    at.file_uploader(key="inside_weights_upload").upload(name, data, "application/octet-stream").run()
    return at


def test_weights_upload_torchvision_state_dict(torchvision_file):
    at = _page(PRESETS["torchvision"]).run()
    _weights_upload(at, "tv.pth", torchvision_file.read_bytes())
    _ok(at)
    assert not at.error
    assert html.unescape(at.success[0].value) == "tv.pth: all 16 tensors match this variant."
    assert f"{FILTERS} — uploaded weights" in _subheaders(at)
    assert "5 · Top-5 predictions" in _subheaders(at)
    assert len(at.get("plotly_chart")) == 1


def test_malicious_pickle_as_weights_refused(tmp_path):
    marker = tmp_path / "pwned"

    class RunsCode:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    at = _weights_upload(_page().run(), "evil.pth", _save({"features.0.weight": RunsCode()}))
    _ok(at)
    assert len(at.error) == 1
    assert html.unescape(at.error[0].value).startswith(
        "refused: the file asks to run or build Python objects (posix.system)"
    )
    assert not marker.exists()
    assert f"{FILTERS} — random initialisation" in _subheaders(at)


def test_state_dict_of_another_architecture():
    at = _weights_upload(_page().run(), "lenet.pth", _save(build_model(PRESETS["lenet-5"]).state_dict()))
    _ok(at)
    assert html.unescape(at.error[0].value) == (
        "lenet.pth does not fit paper-2012: 0 of 16 tensors match; 12 missing, 6 unexpected, 4 with the wrong shape."
    )
    table = at.dataframe[0].value
    assert len(table) == 22 and list(table.columns) == ["key", "status", "model", "file"]
    assert at.checkbox(key="inside_partial").disabled  # nothing to load partially
    assert f"{FILTERS} — random initialisation" in _subheaders(at)


def test_partial_load_only_when_asked():
    lenet = PRESETS["lenet-5"]
    twenty = lenet.with_layers((*lenet.layers[:-1], Linear(20))).renamed("lenet-20")
    at = _weights_upload(_page(twenty).run(), "lenet.pth", _save(build_model(lenet).state_dict()))
    _ok(at)
    assert html.unescape(at.error[0].value).startswith("lenet.pth does not fit lenet-20: 8 of 10 tensors match")
    assert f"{FILTERS} — random initialisation" in _subheaders(at)
    at.checkbox(key="inside_partial").check().run()
    _ok(at)
    assert f"{FILTERS} — uploaded weights (partial: 8 of 10 tensors)" in _subheaders(at)


def test_imagenet_download_file_url_with_progress(torchvision_file, tmp_path, monkeypatch):
    monkeypatch.setenv("ALEXNET_WEIGHTS_URL", torchvision_file.as_uri())
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    at = _page(PRESETS["torchvision"]).run()
    at.radio(key="inside_weights_source").set_value("ImageNet-trained (torchvision)").run()
    _ok(at)
    assert f"{FILTERS} — random initialisation" in _subheaders(at)
    at.button(key="inside_load_imagenet").click().run()
    _ok(at)
    assert not at.error
    assert at.get("progress")[0].proto.value == 100
    assert at.get("progress")[0].proto.text == "Downloaded and verified."
    cached = tmp_path / "torch" / "hub" / "checkpoints" / torchvision_file.name
    assert cached.read_bytes() == torchvision_file.read_bytes()
    assert f"{FILTERS} — ImageNet-trained (torchvision)" in _subheaders(at)
    assert "5 · Top-5 predictions" in _subheaders(at)
    assert len(at.get("plotly_chart")) == 1


def test_imagenet_offline_clear_message(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))

    def offline(*args, **kwargs):
        raise urllib.error.URLError(OSError(101, "Network is unreachable"))

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    at = _page(PRESETS["torchvision"]).run()
    at.radio(key="inside_weights_source").set_value("ImageNet-trained (torchvision)").run()
    at.button(key="inside_load_imagenet").click().run()
    _ok(at)
    assert len(at.error) == 1
    assert html.unescape(at.error[0].value).startswith("could not download alexnet-owt-7be5be79.pth: no connection")
    checkpoints = tmp_path / "torch" / "hub" / "checkpoints"
    assert list(checkpoints.iterdir()) == []  # nothing half-written
    assert f"{FILTERS} — random initialisation" in _subheaders(at)


def test_imagenet_for_incompatible_variant_explains():
    at = _page().run()
    at.radio(key="inside_weights_source").set_value("ImageNet-trained (torchvision)").run()
    _ok(at)
    assert html.unescape(at.info[0].value).startswith(
        "ImageNet weights were trained for torchvision's AlexNet and fit only a network with exactly its layer "
        "shapes. This variant differs: `features.0.weight` is 96×3×11×11 here but 64×3×11×11 in torchvision;"
    )
    at.button(key="inside_use_torchvision").click().run()  # one click to a variant the weights fit
    _ok(at)
    assert at.session_state["variant"] == PRESETS["torchvision"]
    assert not [i for i in at.info if "were trained for" in i.value]


def test_invalid_variant_shows_the_engine_error():
    at = _page(PRESETS["blog-broken-flatten"]).run()
    _ok(at)
    assert len(at.error) == 1
    assert html.unescape(at.error[0].value).startswith("**fc6 (linear)")


def test_lenet_small_input_end_to_end():
    at = _page(PRESETS["lenet-5"]).run()
    _ok(at)
    assert not at.error
    assert "resize shorter side to 37 · 37×37" in _image_captions(at)
    assert "bilinear; 256·32/224 = 36.57 → 37" in _captions(at)
    assert any(c.startswith("6 filters of 5×5×1 (grayscale)") for c in _captions(at))


def test_an_oversize_run_is_refused_with_the_reason_before_it_starts():
    """128 channels at 1000×1000 took 38 s and kept 1.9 GB: refused by the engine's arithmetic first."""
    big = variant_from_json(
        '{"name": "big", "input": {"channels": 3, "height": 1000, "width": 1000},'
        ' "layers": [{"type": "conv", "out_channels": 128, "kernel": 3, "padding": 1}, {"type": "relu"}]}'
    )
    at = _page(big).run()
    assert not at.exception
    (error,) = [html.unescape(e.value) for e in at.error]
    assert error.startswith("Not run: every layer's output for this image adds up to")
    assert "over the 256 MiB one run may keep" in error and "smaller input or fewer channels" in error


@pytest.mark.parametrize("name", ["vgg16", "resnet18", "resnet34-conv3-dashed", "resnet-seed-identity-broken"])
def test_later_networks_inside(name):
    at = _page(PRESETS[name]).run()
    assert not at.exception
    assert not [w for w in at.warning if "went wrong" in w.value]
    assert "2 · Feature maps" in _subheaders(at) or at.error  # maps, or the engine's message for the broken one


def test_a_residual_block_shows_its_add():
    at = _page(PRESETS["resnet18"]).run()
    _ok(at)
    at.selectbox(key="inside_layer").set_value(8).run()  # res3a: stride 2, the dashed shortcut
    _ok(at)
    captions = _image_captions(at)
    assert "+ shortcut: 1×1 conv + batchnorm" in captions and "= res3a's output" in captions
    at.selectbox(key="inside_layer").set_value(4).run()  # res2a: identity
    assert "+ shortcut: the input (identity)" in _image_captions(at)


def test_the_link_holds_the_page_state():
    """Variant, picture, layer and channel travel in the URL and come back in a new session."""
    at = AppTest.from_file(PAGE, default_timeout=120)
    for k, v in {"preset": "torchvision", "src": "Pattern", "pattern": "checkerboard", "layer": "3", "ch": "5"}.items():
        at.query_params[k] = v
    at.run()
    _ok(at)
    assert at.selectbox(key="inside_variant").value == "torchvision"
    assert at.radio(key="inside_source").value == "Pattern"
    assert at.selectbox(key="inside_pattern").value == "checkerboard"
    assert at.selectbox(key="inside_layer").value == 3
    assert at.slider(key="inside_channel").value == 5
    link = {
        k: at.query_params[k][0] if isinstance(at.query_params[k], list) else at.query_params[k]
        for k in at.query_params
    }
    assert link == {"preset": "torchvision", "src": "Pattern", "pattern": "checkerboard", "layer": "3", "ch": "5"}
    # a change shows in the link
    at.slider(key="inside_channel").set_value(7).run()
    assert str(at.query_params["ch"][0] if isinstance(at.query_params["ch"], list) else at.query_params["ch"]) == "7"


def test_a_hostile_link_keeps_the_defaults():
    at = AppTest.from_file(PAGE, default_timeout=120)
    for k, v in {
        "preset": "nope",
        "src": "Upload",
        "layer": "-1",
        "ch": "x" * 500,
        "pattern": "[a](javascript:x)",
    }.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception
    assert at.radio(key="inside_source").value == "Sample photo"
    (warning,) = [html.unescape(w.value) for w in at.warning]
    assert warning.startswith("the link names an unknown preset 'nope'")
