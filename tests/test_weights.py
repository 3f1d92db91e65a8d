"""explorer.weights: the download (file:// only, never the network), safe loading, key/shape matching."""

from __future__ import annotations

import hashlib
import io
import math
import os
import pickle
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import torch

from explorer import weights as W
from explorer.build import build_model
from explorer.presets import PRESETS
from explorer.spec import Linear


def _named_by_hash(path: Path, stem: str) -> Path:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    target = path.with_name(f"{stem}-{digest[:8]}.pth")
    path.rename(target)
    return target


@pytest.fixture
def tiny_weights(tmp_path) -> tuple[Path, dict[str, torch.Tensor]]:
    """A 4 MiB state dict saved in a torch-hub style file name, served with file://."""
    state = {"big": torch.arange(1024 * 1024, dtype=torch.float32), "small": torch.ones(3)}
    raw = tmp_path / "src" / "raw.pth"
    raw.parent.mkdir()
    torch.save(state, raw)
    return _named_by_hash(raw, "tiny"), state


def test_hash_prefix():
    assert W.hash_prefix("alexnet-owt-7be5be79.pth") == "7be5be79"
    assert W.hash_prefix(W.TORCHVISION_FILENAME) == "7be5be79"
    assert W.hash_prefix("weights.pth") is None
    assert W.TORCHVISION_URL.endswith("/alexnet-owt-7be5be79.pth")


def test_torchvision_shapes():
    assert sum(math.prod(s) for s in W.TORCHVISION_SHAPES.values()) == 61_100_840
    model = build_model(PRESETS["torchvision"], device="meta")
    assert {k: tuple(v.shape) for k, v in model.state_dict().items()} == W.TORCHVISION_SHAPES
    assert {name: W.compatible(v) for name, v in PRESETS.items()} == {
        "paper-2012": False,
        "paper-2012-224": False,
        "single-gpu": False,
        "torchvision": True,
        "keras-seed": False,
        "d2l": False,
        "blog-broken-flatten": False,
        "caffe-bvlc": False,
        "lenet-5": False,
    } | {name: False for name in PRESETS if name.startswith(("vgg", "resnet"))}
    assert W.shape_differences(PRESETS["paper-2012"], limit=2) == [
        "`features.0.weight` is 96×3×11×11 here but 64×3×11×11 in torchvision",
        "`features.0.bias` is 96 here but 64 in torchvision",
    ]
    assert W.shape_differences(PRESETS["torchvision"]) == []


def test_download_file_url_with_progress(tmp_path, tiny_weights):
    source, state = tiny_weights
    cache = tmp_path / "cache"
    calls: list[tuple[int, int | None]] = []
    path = W.download_weights(source.as_uri(), cache_dir=cache, progress=lambda d, t: calls.append((d, t)))
    size = source.stat().st_size
    assert path == cache / source.name
    assert path.read_bytes() == source.read_bytes()
    chunk = 1024 * 1024
    expected = [(0, size)] + [(min(i * chunk, size), size) for i in range(1, -(-size // chunk) + 1)]
    assert calls == expected
    assert sorted(p.name for p in cache.iterdir()) == [source.name]  # no temporary file left
    loaded = W.load_state_dict_file(path)
    assert loaded.keys() == state.keys() and all(torch.equal(loaded[k], state[k]) for k in state)


def test_existing_valid_copy_reused(tmp_path, tiny_weights):
    source, _ = tiny_weights
    cache = tmp_path / "cache"
    first = W.download_weights(source.as_uri(), cache_dir=cache)
    size = first.stat().st_size
    source.unlink()  # a second download would now fail
    calls = []
    assert W.download_weights(source.as_uri(), cache_dir=cache, progress=lambda d, t: calls.append((d, t))) == first
    assert calls == [(size, size)]
    assert W.find_cached(source.as_uri(), cache_dir=cache) == first


def test_torch_hub_checkpoint_dir_reused(tmp_path, monkeypatch, tiny_weights):
    source, _ = tiny_weights
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    assert W.checkpoint_dir() == tmp_path / "torch" / "hub" / "checkpoints"
    assert W.find_cached(source.as_uri()) is None
    W.checkpoint_dir().mkdir(parents=True)
    (W.checkpoint_dir() / source.name).write_bytes(source.read_bytes())  # as torchvision would have cached it
    assert W.find_cached(source.as_uri()) == W.checkpoint_dir() / source.name


def test_wrong_hash_refused_and_nothing_left(tmp_path, tiny_weights):
    source, _ = tiny_weights
    wrong = source.with_name("tiny-deadbeef.pth")
    source.rename(wrong)
    cache = tmp_path / "cache"
    with pytest.raises(W.WeightsError) as info:
        W.download_weights(wrong.as_uri(), cache_dir=cache)
    actual = hashlib.sha256(wrong.read_bytes()).hexdigest()[:8]
    assert str(info.value) == (
        f"tiny-deadbeef.pth is corrupt: its SHA-256 starts {actual}, not deadbeef. The copy was discarded; try again."
    )
    assert list(cache.iterdir()) == []


def test_stale_copy_replaced(tmp_path, tiny_weights):
    source, _ = tiny_weights
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / source.name).write_bytes(b"half a file")
    path = W.download_weights(source.as_uri(), cache_dir=cache)
    assert path.read_bytes() == source.read_bytes()


def test_offline_clear_message_and_nothing_left(tmp_path, monkeypatch):
    def offline(*args, **kwargs):
        raise urllib.error.URLError(OSError(101, "Network is unreachable"))

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    cache = tmp_path / "cache"
    with pytest.raises(W.WeightsError) as info:
        W.download_weights(W.TORCHVISION_URL, cache_dir=cache)
    message = str(info.value)
    assert message.startswith("could not download alexnet-owt-7be5be79.pth: no connection")
    assert f"copy alexnet-owt-7be5be79.pth into {cache}" in message
    assert list(cache.iterdir()) == []


def test_interrupted_download_leaves_nothing(tmp_path, tiny_weights):
    source, _ = tiny_weights
    cache = tmp_path / "cache"

    def stop(done: int, total: int | None) -> None:
        if done > 0:
            raise KeyboardInterrupt  # the user closed the tab mid-download

    with pytest.raises(KeyboardInterrupt):
        W.download_weights(source.as_uri(), cache_dir=cache, progress=stop)
    assert list(cache.iterdir()) == []


def test_http_error_message(tmp_path, monkeypatch):
    def not_found(url, *args, **kwargs):
        raise urllib.error.HTTPError(url, 404, "Not Found", {}, None)

    monkeypatch.setattr(urllib.request, "urlopen", not_found)
    with pytest.raises(W.WeightsError, match=r"^the server answered 404 Not Found for "):
        W.download_weights(W.TORCHVISION_URL, cache_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_no_hash_prefix_refused(tmp_path):
    with pytest.raises(W.WeightsError, match="has no hash prefix"):
        W.download_weights((tmp_path / "weights.pth").as_uri(), cache_dir=tmp_path)


# --- loading -----------------------------------------------------------------------------------


class _RunsCode:
    """Unpickling this would run `touch <marker>`."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_malicious_torch_save_refused_without_running(tmp_path):
    marker = tmp_path / "pwned"
    buf = io.BytesIO()
    torch.save({"weight": _RunsCode(marker)}, buf)
    with pytest.raises(W.WeightsError) as info:
        W.load_state_dict_file(buf.getvalue())
    assert str(info.value).startswith("refused: the file asks to run or build Python objects (posix.system)")
    assert not marker.exists()


def test_malicious_raw_pickle_refused_without_running(tmp_path):
    marker = tmp_path / "pwned"
    for protocol in (2, 4):
        with pytest.raises(W.WeightsError, match="^refused: "):
            W.load_state_dict_file(pickle.dumps(_RunsCode(marker), protocol=protocol))
    assert not marker.exists()


def test_whole_model_refused():
    buf = io.BytesIO()
    torch.save(torch.nn.Linear(2, 2), buf)
    with pytest.raises(W.WeightsError, match=r"\(torch\.nn\.modules\.linear\.Linear\)"):
        W.load_state_dict_file(buf.getvalue())


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the weights file is empty (0 bytes): choose the .pth file again."),
        (
            b"hello",
            "not a PyTorch weights file (KeyError): upload a .pth/.pt saved with torch.save(model.state_dict(), path).",
        ),
    ],
)
def test_not_weights(data, message):
    with pytest.raises(W.WeightsError) as info:
        W.load_state_dict_file(data)
    assert str(info.value) == message


def test_not_a_dict_of_tensors():
    for obj, text in (([1, 2], "the file holds list"), ({"w": 3}, "1 entries that are not tensors (first: 'w')")):
        buf = io.BytesIO()
        torch.save(obj, buf)
        with pytest.raises(W.WeightsError, match=text.replace("(", r"\(").replace(")", r"\)")):
            W.load_state_dict_file(buf.getvalue())


def test_checkpoint_wrappers_unwrapped():
    state = {"w": torch.ones(2)}
    for wrapped in ({"state_dict": state, "epoch": 3}, {"module.w": torch.ones(2)}):
        buf = io.BytesIO()
        torch.save(wrapped, buf)
        assert list(W.load_state_dict_file(buf.getvalue())) == ["w"]


# --- matching ----------------------------------------------------------------------------------


def test_match_report_other_architecture_agrees_with_torch():
    model = build_model(PRESETS["paper-2012"])
    lenet = build_model(PRESETS["lenet-5"]).state_dict()
    report = W.match_report(model, lenet)
    assert report.summary() == "0 of 16 tensors match; 12 missing, 6 unexpected, 4 with the wrong shape"
    # paper-2012's classifier is Caffe's fc6 → relu6 → drop6, so its linear layers are classifier.0/3/6;
    # LeNet's are classifier.0/2/4: only features.0 and classifier.0 share a key (with other shapes).
    assert {r.key for r in report.rows if r.status == "shape mismatch"} == {
        "features.0.weight",
        "features.0.bias",
        "classifier.0.weight",
        "classifier.0.bias",
    }
    assert report.rows[0].to_dict() == {
        "key": "features.0.weight",
        "status": "shape mismatch",
        "model": "96×3×11×11",
        "file": "6×1×5×5",
    }
    # Oracle: PyTorch's own bookkeeping for the keys that do not clash on shape.
    clash = {r.key for r in report.rows if r.status == "shape mismatch"}
    result = model.load_state_dict({k: v for k, v in lenet.items() if k not in clash}, strict=False)
    assert set(result.missing_keys) == {r.key for r in report.rows if r.status in ("missing", "shape mismatch")}
    assert set(result.unexpected_keys) == {r.key for r in report.rows if r.status == "unexpected"}
    with pytest.raises(W.WeightsError, match="^the weights do not fit this variant"):
        W.apply_state_dict(model, lenet)
    with pytest.raises(W.WeightsError, match="^no tensor in the file matches"):
        W.apply_state_dict(model, lenet, partial=True)


def test_match_report_residual_keys_agree_with_torch():
    """torchvision's ResNet keys: layer1.0.conv1.weight, layer2.0.downsample.0.weight, batch norm's
    running statistics and int64 num_batches_tracked; resnet18 is resnet34 with fewer blocks per stage."""
    r18 = build_model(PRESETS["resnet18"])
    r34 = build_model(PRESETS["resnet34"]).state_dict()
    report = W.match_report(r18, r34)
    assert report.summary() == "122 of 122 tensors match; 0 missing, 96 unexpected, 0 with the wrong shape"
    assert {
        "layer1.0.conv1.weight",
        "layer2.0.downsample.0.weight",
        "layer2.0.downsample.1.num_batches_tracked",
    } <= set(report.matching_keys)
    assert {r.key for r in report.problems} == set(r34) - set(r18.state_dict())
    assert "layer3.5.bn2.running_var" in {r.key for r in report.problems}
    # Oracle: PyTorch's own bookkeeping agrees, and a partial load copies exactly the matching tensors.
    result = build_model(PRESETS["resnet18"]).load_state_dict(r34, strict=False)
    assert result.missing_keys == [] and set(result.unexpected_keys) == {r.key for r in report.problems}
    W.apply_state_dict(r18, r34, partial=True)
    assert all(torch.equal(v, r34[k]) for k, v in r18.state_dict().items())
    with pytest.raises(W.WeightsError, match="^the weights do not fit this variant"):
        W.apply_state_dict(r18, r34)
    # The dashed conv3_x block alone: its layer1.0 is a 64 → 128 block, resnet18's a 64 → 64 one.
    dashed = build_model(PRESETS["resnet34-conv3-dashed"])
    clash = W.match_report(dashed, r18.state_dict())
    assert {r.key for r in clash.rows if r.status == "shape mismatch"} == {
        "layer1.0.conv1.weight",
        "layer1.0.conv2.weight",
        *(f"layer1.0.bn{i}.{t}" for i in (1, 2) for t in ("weight", "bias", "running_mean", "running_var")),
    }
    assert {r.key for r in clash.rows if r.status == "missing"} == {
        k for k in dashed.state_dict() if k.startswith("layer1.0.downsample.")
    }
    assert [r.key for r in clash.rows if r.status == "ok"] == [
        "layer1.0.bn1.num_batches_tracked",
        "layer1.0.bn2.num_batches_tracked",
    ]
    # A float counter is the wrong kind for batch norm's int64 num_batches_tracked.
    bad = dict(r18.state_dict(), **{"bn1.num_batches_tracked": torch.tensor(0.0)})
    row = next(r for r in W.match_report(r18, bad).rows if r.key == "bn1.num_batches_tracked")
    assert (row.status, row.reason) == ("unusable", "float32 dtype, not int64")


def test_residual_state_dict_round_trips_through_the_safe_loader():
    """resnet34's 218 tensors pass the size checks (pickle, entries, storages) and load as saved."""
    state = build_model(PRESETS["resnet34"]).state_dict()
    buf = io.BytesIO()
    torch.save(state, buf)
    loaded = W.load_state_dict_file(buf.getvalue())
    assert list(loaded) == list(state)
    assert all(torch.equal(loaded[k], v) and loaded[k].dtype == v.dtype for k, v in state.items())
    assert W.match_report(build_model(PRESETS["resnet34"], device="meta"), loaded).exact


def test_partial_load_only_when_asked():
    lenet = PRESETS["lenet-5"]
    twenty = lenet.with_layers((*lenet.layers[:-1], Linear(20)))
    source = build_model(lenet).state_dict()
    model = build_model(twenty)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    with pytest.raises(W.WeightsError) as info:
        W.apply_state_dict(model, source)
    assert "8 of 10 tensors match; 0 missing, 0 unexpected, 2 with the wrong shape" in str(info.value)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())  # nothing loaded
    report = W.apply_state_dict(model, source, partial=True)
    after = model.state_dict()
    assert len(report.matching_keys) == 8
    for key in report.matching_keys:
        assert torch.equal(after[key], source[key])
    for key in ("classifier.4.weight", "classifier.4.bias"):
        assert torch.equal(after[key], before[key])


def test_exact_load():
    source = build_model(PRESETS["lenet-5"]).state_dict()
    model = build_model(PRESETS["lenet-5"])
    report = W.apply_state_dict(model, source)
    assert (
        report.exact and report.summary() == "10 of 10 tensors match; 0 missing, 0 unexpected, 0 with the wrong shape"
    )
    assert all(torch.equal(model.state_dict()[k], v) for k, v in source.items())


# --- 中文: messages are data; the match table's headers and statuses in the reader's language --------


def test_messages_and_the_match_table_in_each_language():
    from explorer.i18n import using

    with pytest.raises(W.WeightsError) as info:
        W.load_state_dict_file(b"")
    assert isinstance(info.value.message, W.Message)  # what the page caches: data, not text
    with using("zh"):
        assert str(info.value) == "权重文件是空的（0 字节）：请重新选择 .pth 文件。"
    assert str(info.value) == "the weights file is empty (0 bytes): choose the .pth file again."
    report = W.match_report(build_model(PRESETS["paper-2012"]), build_model(PRESETS["lenet-5"]).state_dict())
    with using("zh"):
        assert report.summary() == "16 个张量中有 0 个相符；12 个缺失，6 个多余，4 个形状不对"
        assert report.rows[0].to_dict() == {
            "键名": "features.0.weight",
            "状态": "形状不符",
            "模型中的形状": "96×3×11×11",
            "文件中的形状": "6×1×5×5",
        }
        with pytest.raises(W.WeightsError, match="^这些权重与这个变体不相符（16 个张量中有 0 个相符"):
            W.apply_state_dict(build_model(PRESETS["paper-2012"]), build_model(PRESETS["lenet-5"]).state_dict())
        assert W.shape_differences(PRESETS["paper-2012"], limit=1) == [
            "`features.0.weight` 在这里是 96×3×11×11，在 torchvision 中是 64×3×11×11"
        ]


def test_unusable_reasons_join_in_each_language():
    from explorer.i18n import using

    source = build_model(PRESETS["lenet-5"]).state_dict()
    source["features.0.bias"] = torch.zeros(6, dtype=torch.int64)
    source["features.3.weight"] = source["features.3.weight"].to_sparse()
    report = W.match_report(build_model(PRESETS["lenet-5"]), source)
    assert report.summary().endswith(", 2 unusable (int64 dtype, not floating point, sparse tensor)")
    with using("zh"):
        assert report.summary().endswith("，2 个无法使用（int64 类型，不是浮点数；稀疏张量）")
        assert report.problems[0].reason == "int64 类型，不是浮点数"
