"""Weights: torchvision's ImageNet AlexNet download, safe state-dict loading, key/shape matching.

- `download_weights` streams a URL (https:// or file://) into a temporary file inside the cache
  directory, checks that the file's SHA-256 starts with the hash prefix in its name (torch hub's
  convention, `alexnet-owt-7be5be79.pth`), then renames it into place atomically. Any failure
  (offline, HTTP error, short read, wrong hash, disk full) raises `WeightsError` and leaves no
  partial file behind. A valid copy already in `torch.hub.get_dir()/checkpoints` (where
  torchvision caches it) is reused without a download.
- `load_state_dict_file` uses `torch.load(..., weights_only=True)` only: a pickle that would run
  code is refused by PyTorch's restricted unpickler before anything executes.
- `compatible(variant)` says whether the variant's parameter shapes equal torchvision's AlexNet;
  `match_report` lists missing / unexpected / shape-mismatched keys; `apply_state_dict` loads
  strictly, or only the matching tensors when asked.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import torch
from torch import nn

from .build import BuildError, build_model
from .spec import Variant

__all__ = [
    "MAX_WEIGHTS_BYTES",
    "TORCHVISION_FILENAME",
    "TORCHVISION_SHAPES",
    "TORCHVISION_URL",
    "MatchReport",
    "MatchRow",
    "WeightsError",
    "apply_state_dict",
    "checkpoint_dir",
    "compatible",
    "download_weights",
    "find_cached",
    "hash_prefix",
    "load_state_dict_file",
    "match_report",
    "shape_differences",
]

TORCHVISION_URL = "https://download.pytorch.org/models/alexnet-owt-7be5be79.pth"
TORCHVISION_FILENAME = "alexnet-owt-7be5be79.pth"
MAX_WEIGHTS_BYTES = 600 * 1024 * 1024

# torchvision.models.alexnet().state_dict(): key -> shape (61,100,840 parameters).
TORCHVISION_SHAPES: dict[str, tuple[int, ...]] = {
    "features.0.weight": (64, 3, 11, 11),
    "features.0.bias": (64,),
    "features.3.weight": (192, 64, 5, 5),
    "features.3.bias": (192,),
    "features.6.weight": (384, 192, 3, 3),
    "features.6.bias": (384,),
    "features.8.weight": (256, 384, 3, 3),
    "features.8.bias": (256,),
    "features.10.weight": (256, 256, 3, 3),
    "features.10.bias": (256,),
    "classifier.1.weight": (4096, 9216),
    "classifier.1.bias": (4096,),
    "classifier.4.weight": (4096, 4096),
    "classifier.4.bias": (4096,),
    "classifier.6.weight": (1000, 4096),
    "classifier.6.bias": (1000,),
}

_HASH_IN_NAME = re.compile(r"-([a-f0-9]{6,64})\.[A-Za-z0-9]+$")
_CHUNK = 1024 * 1024
_VERIFIED: dict[tuple[str, int, int], bool] = {}  # (path, size, mtime_ns) -> hash ok


class WeightsError(ValueError):
    """Weights that cannot be downloaded or loaded; the message is one line with the fix."""


def hash_prefix(filename: str) -> str | None:
    """The SHA-256 prefix in a torch-hub style file name (`alexnet-owt-7be5be79.pth` → `7be5be79`)."""
    match = _HASH_IN_NAME.search(filename)
    return match.group(1) if match else None


def checkpoint_dir(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Where checkpoints are cached: `cache_dir`, else torch hub's `<hub dir>/checkpoints`."""
    return Path(cache_dir) if cache_dir is not None else Path(torch.hub.get_dir()) / "checkpoints"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _valid_copy(path: Path, prefix: str) -> bool:
    """Whether `path` exists and its SHA-256 starts with `prefix` (memoised per size and mtime)."""
    try:
        stat = path.stat()
    except OSError:
        return False
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _VERIFIED:
        _VERIFIED[key] = _sha256(path).startswith(prefix)
    return _VERIFIED[key]


def _filename(url: str) -> str:
    return Path(urllib.parse.unquote(urllib.parse.urlparse(url).path)).name


def find_cached(url: str = TORCHVISION_URL, *, cache_dir: str | os.PathLike[str] | None = None) -> Path | None:
    """A valid cached copy of `url`'s file (hash checked), or None."""
    name = _filename(url)
    prefix = hash_prefix(name)
    if not name or prefix is None:
        return None
    path = checkpoint_dir(cache_dir) / name
    return path if _valid_copy(path, prefix) else None


def download_weights(
    url: str = TORCHVISION_URL,
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    timeout: float = 30.0,
) -> Path:
    """Download `url` into the checkpoint cache (or reuse a valid copy) and return its path.

    `progress(done_bytes, total_bytes)` is called as data arrives (total None when unknown).
    """
    name = _filename(url)
    prefix = hash_prefix(name)
    if prefix is None:
        raise WeightsError(
            f"{name or url!r} has no hash prefix in its name (like alexnet-owt-7be5be79.pth), so it cannot be "
            "verified: use a torch-hub style URL."
        )
    directory = checkpoint_dir(cache_dir)
    dest = directory / name
    if _valid_copy(dest, prefix):
        if progress is not None:
            size = dest.stat().st_size
            progress(size, size)
        return dest
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".partial", dir=directory)
    except OSError as exc:
        raise WeightsError(
            f"cannot write to the weights cache {directory} ({exc.strerror or exc}): set TORCH_HOME to a writable folder."
        ) from None
    tmp = Path(tmp_name)
    done = 0
    try:
        digest = hashlib.sha256()
        try:
            with os.fdopen(handle, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
                length = response.headers.get("Content-Length")
                total = int(length) if length and length.isdigit() else None
                if total is not None and total > MAX_WEIGHTS_BYTES:
                    raise WeightsError(f"{name} is {total / 2**20:.0f} MB, more than AlexNet's weights could be.")
                if progress is not None:
                    progress(0, total)
                while chunk := response.read(_CHUNK):
                    out.write(chunk)
                    digest.update(chunk)
                    done += len(chunk)
                    if done > MAX_WEIGHTS_BYTES:
                        raise WeightsError(f"{name} is over {MAX_WEIGHTS_BYTES / 2**20:.0f} MB; stopped the download.")
                    if progress is not None:
                        progress(done, total)
        except urllib.error.HTTPError as exc:
            raise WeightsError(f"the server answered {exc.code} {exc.reason} for {url}: check the URL.") from None
        except urllib.error.URLError as exc:
            reason = getattr(exc, "reason", exc)
            raise WeightsError(
                f"could not download {name}: no connection ({reason}). If this machine is offline, copy "
                f"{name} into {directory} and try again."
            ) from None
        except TimeoutError:
            raise WeightsError(f"the download of {name} timed out after {done / 2**20:.0f} MB: try again.") from None
        except OSError as exc:
            raise WeightsError(
                f"the download of {name} failed after {done / 2**20:.0f} MB ({exc.strerror or exc}): "
                "check the disk space and the connection, then try again."
            ) from None
        if total is not None and done != total:
            raise WeightsError(f"the download of {name} stopped at {done:,} of {total:,} bytes: try again.")
        actual = digest.hexdigest()
        if not actual.startswith(prefix):
            raise WeightsError(
                f"{name} is corrupt: its SHA-256 starts {actual[:8]}, not {prefix}. The copy was discarded; try again."
            )
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    stat = dest.stat()
    _VERIFIED[(str(dest), stat.st_size, stat.st_mtime_ns)] = True
    return dest


# --- loading ------------------------------------------------------------------------------------


def _unwrap(obj: object) -> object:
    """Accept {"state_dict": ...} / {"model": ...} checkpoints and DataParallel's "module." keys."""
    if isinstance(obj, Mapping):
        for key in ("state_dict", "model_state_dict", "model"):
            inner = obj.get(key)
            if isinstance(inner, Mapping) and inner and all(isinstance(v, torch.Tensor) for v in inner.values()):
                obj = inner
                break
        if obj and all(isinstance(k, str) and k.startswith("module.") for k in obj):
            obj = {k.removeprefix("module."): v for k, v in obj.items()}
    return obj


def load_state_dict_file(source: str | os.PathLike[str] | bytes | BinaryIO) -> dict[str, torch.Tensor]:
    """Read a state dict with `torch.load(weights_only=True)`; refuse anything else with a clear message."""
    if isinstance(source, (bytes, bytearray)):
        if len(source) == 0:
            raise WeightsError("the weights file is empty (0 bytes): choose the .pth file again.")
        stream: object = io.BytesIO(source)
    else:
        stream = source
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. "Detected pickle protocol 4": we report our own message
            obj = torch.load(stream, weights_only=True, map_location="cpu")  # type: ignore[arg-type]
    except Exception as exc:
        text = str(exc)
        found = re.search(r"GLOBAL ([\w.]+)", text)
        if found:
            raise WeightsError(
                f"refused: the file asks to run or build Python objects ({found.group(1)}), not just tensors; only "
                "plain state dicts are loaded, for safety. Save one with torch.save(model.state_dict(), path)."
            ) from None
        if "Weights only load failed" in text:
            raise WeightsError(
                "refused: the file is a pickle that PyTorch's safe loader will not read (not a plain state dict); "
                "save one with torch.save(model.state_dict(), path)."
            ) from None
        raise WeightsError(
            f"not a PyTorch weights file ({exc.__class__.__name__}): upload a .pth/.pt saved with "
            "torch.save(model.state_dict(), path)."
        ) from None
    obj = _unwrap(obj)
    if not isinstance(obj, Mapping) or not obj:
        raise WeightsError(
            f"the file holds {type(obj).__name__ if obj is not None else 'nothing'}, not a state dict of tensors: "
            "save it with torch.save(model.state_dict(), path)."
        )
    bad = [k for k, v in obj.items() if not isinstance(k, str) or not isinstance(v, torch.Tensor)]
    if bad:
        raise WeightsError(
            f"the state dict has {len(bad)} entries that are not tensors (first: {bad[0]!r}): save model.state_dict()."
        )
    return dict(obj)


# --- matching -----------------------------------------------------------------------------------


def _shapes(variant: Variant) -> dict[str, tuple[int, ...]] | None:
    try:
        model = build_model(variant, device="meta")
    except BuildError:
        return None
    return {k: tuple(v.shape) for k, v in model.state_dict().items()}


def compatible(variant: Variant) -> bool:
    """Whether the variant's parameter names and shapes equal torchvision's AlexNet (ImageNet weights load)."""
    return _shapes(variant) == TORCHVISION_SHAPES


def shape_differences(variant: Variant, limit: int = 3) -> list[str]:
    """Up to `limit` plain-words differences from torchvision's shapes (why `compatible` is False)."""
    shapes = _shapes(variant)
    if shapes is None:
        return ["the variant is invalid, so it cannot be built"]
    out = []
    for key in dict.fromkeys([*TORCHVISION_SHAPES, *shapes]):
        mine, theirs = shapes.get(key), TORCHVISION_SHAPES.get(key)
        if mine == theirs:
            continue
        fmt = lambda s: "×".join(map(str, s)) if s else "absent"  # noqa: E731
        out.append(f"{key}: {fmt(mine)} here, {fmt(theirs)} in torchvision")
        if len(out) >= limit:
            break
    return out


@dataclass(frozen=True)
class MatchRow:
    key: str
    status: str  # "ok", "missing", "unexpected", "shape mismatch"
    model_shape: tuple[int, ...] | None
    file_shape: tuple[int, ...] | None

    def to_dict(self) -> dict[str, str]:
        fmt = lambda s: "×".join(map(str, s)) if s is not None else "—"  # noqa: E731
        return {"key": self.key, "status": self.status, "model": fmt(self.model_shape), "file": fmt(self.file_shape)}


@dataclass(frozen=True)
class MatchReport:
    rows: tuple[MatchRow, ...]

    @property
    def exact(self) -> bool:
        return all(r.status == "ok" for r in self.rows)

    @property
    def problems(self) -> tuple[MatchRow, ...]:
        return tuple(r for r in self.rows if r.status != "ok")

    @property
    def matching_keys(self) -> tuple[str, ...]:
        return tuple(r.key for r in self.rows if r.status == "ok")

    @property
    def n_model_keys(self) -> int:
        return sum(r.model_shape is not None for r in self.rows)

    def summary(self) -> str:
        counts = {s: sum(r.status == s for r in self.rows) for s in ("ok", "missing", "unexpected", "shape mismatch")}
        return (
            f"{counts['ok']} of {self.n_model_keys} tensors match; {counts['missing']} missing, "
            f"{counts['unexpected']} unexpected, {counts['shape mismatch']} with the wrong shape"
        )


def match_report(model: nn.Module, state_dict: Mapping[str, torch.Tensor]) -> MatchReport:
    """Compare a model's state dict with a loaded one, key by key."""
    own = model.state_dict()
    rows = []
    for key, tensor in own.items():
        if key not in state_dict:
            rows.append(MatchRow(key, "missing", tuple(tensor.shape), None))
        elif tuple(state_dict[key].shape) != tuple(tensor.shape):
            rows.append(MatchRow(key, "shape mismatch", tuple(tensor.shape), tuple(state_dict[key].shape)))
        else:
            rows.append(MatchRow(key, "ok", tuple(tensor.shape), tuple(tensor.shape)))
    for key, tensor in state_dict.items():
        if key not in own:
            rows.append(MatchRow(key, "unexpected", None, tuple(tensor.shape)))
    return MatchReport(tuple(rows))


def apply_state_dict(model: nn.Module, state_dict: Mapping[str, torch.Tensor], *, partial: bool = False) -> MatchReport:
    """Load `state_dict` into `model`: strictly, or (partial=True) only the tensors whose key and shape match."""
    report = match_report(model, state_dict)
    if report.exact:
        model.load_state_dict(dict(state_dict), strict=True)
    elif partial:
        if not report.matching_keys:
            raise WeightsError(f"no tensor in the file matches this variant ({report.summary()}): nothing to load.")
        model.load_state_dict({k: state_dict[k] for k in report.matching_keys}, strict=False)
    else:
        raise WeightsError(
            f"the weights do not fit this variant ({report.summary()}): pick the matching variant, or load only "
            "the matching tensors."
        )
    return report
