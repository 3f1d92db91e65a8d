"""Weights: torchvision's ImageNet AlexNet download, safe state-dict loading, key/shape matching.

- `download_weights` streams a URL into a temporary file inside the cache directory, checks that
  the file's SHA-256 starts with the hash prefix in its name (torch hub's convention,
  `alexnet-owt-7be5be79.pth`), then renames it into place atomically. `check_url` accepts
  https://, http://, file:// and an absolute path (read as file://), and refuses anything else
  with a message saying what a valid value looks like. A file:// URL is read only from a regular
  file (a FIFO or a folder is refused at once, never opened blocking). The whole download has a
  deadline (`deadline`, default `DOWNLOAD_DEADLINE_S`) besides the per-read `timeout`, so a
  server trickling a byte a second cannot hold it open. Any failure (offline, HTTP error, short
  read, wrong hash, disk full, deadline) raises `WeightsError` and leaves no partial file behind;
  `.partial` files of killed downloads are removed when the next download starts. A valid copy
  already in `torch.hub.get_dir()/checkpoints` (where torchvision caches it) is reused.
- `load_state_dict_file` uses `torch.load(..., weights_only=True)` only: a pickle that would run
  code is refused by PyTorch's restricted unpickler before anything executes. Before that, the
  sizes the file declares (its zip directory, and each storage in its pickle, read by an inert
  unpickler) are checked against `MAX_STATE_BYTES` and against each other, so a zip bomb is
  refused having read only the directory and the pickle. The budget is derived from the presets:
  the largest preset's state dict (vgg16's 528 MiB; `state_dict_bytes` works it out by arithmetic)
  plus 5%, so every preset's weights load, a smaller variant's can be taken partly from a bigger
  file (resnet18 from resnet34's), and anything larger than any preset needs is refused unread.
- `compatible(variant)` says whether the variant's parameter shapes equal torchvision's AlexNet;
  `match_report` (any layout: AlexNet's features.0.weight, ResNet's layer2.0.downsample.0.weight
  and batch norm's int64 num_batches_tracked) lists missing / unexpected / shape-mismatched / unusable keys (only dense,
  floating-point tensors are usable: a sparse or int64 tensor is reported with its reason);
  `apply_state_dict` loads strictly, or only the matching tensors when asked.

Every message is data (`explorer.i18n.Message`: a key and its parameters): `str(error)` renders it in
the current language, and what a page caches (`error.message`, a `MatchReport`) holds no text.
"""

from __future__ import annotations

import hashlib
import http.client
import io
import os
import pickle
import queue
import re
import socket
import stat
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import torch
from torch import nn

from .analysis import Analysis, analyse, format_bytes
from .build import BuildError, build_model
from .i18n import N_, Message, _
from .presets import PRESETS
from .spec import BatchNorm, Variant

__all__ = [
    "LARGEST_PRESET",
    "LARGEST_PRESET_BYTES",
    "MAX_PICKLE_BYTES",
    "MAX_STATE_BYTES",
    "MAX_WEIGHTS_BYTES",
    "TORCHVISION_BYTES",
    "TORCHVISION_FILENAME",
    "TORCHVISION_SHAPES",
    "TORCHVISION_URL",
    "MatchReport",
    "MatchRow",
    "WeightsError",
    "apply_state_dict",
    "check_url",
    "checkpoint_dir",
    "compatible",
    "download_weights",
    "find_cached",
    "hash_prefix",
    "load_state_dict_file",
    "match_report",
    "remove_stale_partials",
    "shape_difference_messages",
    "shape_differences",
    "state_dict_bytes",
    "unusable_message",
    "unusable_reason",
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
    """Weights that cannot be downloaded or loaded; the message is one line with the fix.

    The message is data (`explorer.i18n.Message`): `str(error)` renders it in the current language,
    and a cache can keep `error.message` for readers of either language.
    """

    def __init__(self, message: Message):
        super().__init__(message)
        self.message = message


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
    return Path(urllib.parse.unquote(urllib.parse.urlsplit(url).path)).name


def check_url(url: str) -> str:
    """The URL to download from, checked: https://, http:// or file:// (an absolute path becomes file://).

    Raises `WeightsError` saying what a valid value looks like, before anything is opened.
    """
    text = str(url).strip()
    why: Message | None = None
    if not text:
        why = Message("it is empty")
    elif any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        why = Message("it contains control characters")
    elif "://" not in text and os.path.isabs(text):
        return Path(text).as_uri()  # a plain absolute path: read it as a file:// URL
    elif any(ch.isspace() for ch in text):
        why = Message("it contains spaces: write them as %20")
    else:
        try:
            parts = urllib.parse.urlsplit(text)
            parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        except ValueError as exc:
            parts, why = None, Message("it is malformed: {error}", error=str(exc))
        if parts is not None:
            scheme = parts.scheme.lower()
            if scheme in ("http", "https"):
                if not parts.hostname:
                    why = Message("it has no host name")
            elif scheme == "file":
                if parts.netloc not in ("", "localhost"):
                    why = Message("a file:// URL must name a file on this machine: file:///absolute/path")
                elif not parts.path.startswith("/"):
                    why = Message("a file:// URL needs an absolute path")
            elif scheme:
                why = Message("{scheme}:// is not supported", scheme=scheme)
            else:
                why = Message("it is a relative path, not a URL")
    if why is not None:
        raise WeightsError(
            Message(
                "the weights URL {url!r} cannot be used ({why}): set ALEXNET_WEIGHTS_URL to "
                "https://host/alexnet-owt-7be5be79.pth, http://…, file:///absolute/path/alexnet-owt-7be5be79.pth, "
                "or an absolute path (read as file://).",
                url=text,
                why=why,
            )
        )
    return text


def find_cached(url: str = TORCHVISION_URL, *, cache_dir: str | os.PathLike[str] | None = None) -> Path | None:
    """A valid cached copy of `url`'s file (hash checked), or None (also for a URL that `check_url` refuses)."""
    try:
        url = check_url(url)
    except WeightsError:
        return None
    name = _filename(url)
    prefix = hash_prefix(name)
    if not name or prefix is None:
        return None
    path = checkpoint_dir(cache_dir) / name
    return path if _valid_copy(path, prefix) else None


# --- download -----------------------------------------------------------------------------------

# Temporary files are `.<name>.<host>.<pid>.<random>.partial`: a download that was killed leaves one
# behind, and the next download removes it when its process is gone (same host) or it is older
# than STALE_PARTIAL_S (a live download writes at least every `timeout` s and gives up after
# `deadline` s, both far less than an hour).
STALE_PARTIAL_S = 3600.0
DOWNLOAD_DEADLINE_S = 20 * 60.0  # 233 MB in 20 minutes is 0.2 MB/s: anything slower is stalled
_HOST = re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:64] or "host"
_PARTIAL = re.compile(r"^\..+\.(?P<host>[A-Za-z0-9-]+)\.(?P<pid>\d+)\.[A-Za-z0-9_]+\.partial$")


def _alive(pid: int) -> bool:
    if pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # e.g. PermissionError: it exists, owned by someone else
    return True


def remove_stale_partials(directory: str | os.PathLike[str], *, max_age_s: float = STALE_PARTIAL_S) -> list[str]:
    """Delete leftover `.partial` files: from a dead process on this host, or older than `max_age_s`."""
    removed = []
    now = time.time()
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for entry in entries:
        if not (entry.name.startswith(".") and entry.name.endswith(".partial")):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):
            continue
        found = _PARTIAL.match(entry.name)
        dead = (
            found is not None
            and found["host"] == _HOST
            and int(found["pid"]) != os.getpid()
            and not _alive(int(found["pid"]))
        )
        if dead or now - info.st_mtime > max_age_s:
            try:
                os.unlink(entry.path)
            except OSError:
                continue
            removed.append(entry.name)
    return removed


def _open_local(url: str, name: str, directory: Path) -> BinaryIO:
    """Open a file:// URL's file for reading, refusing (without blocking) anything but a regular file."""
    path = urllib.request.url2pathname(urllib.parse.urlsplit(url).path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO opens at once instead of waiting
    except OSError as exc:
        raise WeightsError(
            Message(
                "cannot read {path} ({error}): check ALEXNET_WEIGHTS_URL, or copy {name} into {directory}.",
                path=path,
                error=exc.strerror or str(exc),
                name=name,
                directory=str(directory),
            )
        ) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = (
            Message("a folder")
            if stat.S_ISDIR(mode)
            else Message("a pipe")
            if stat.S_ISFIFO(mode)
            else Message("not a regular file")
        )
        raise WeightsError(
            Message(
                "{path} is {kind}, not a weights file: point ALEXNET_WEIGHTS_URL at the .pth file itself.",
                path=path,
                kind=kind,
            )
        )
    return os.fdopen(fd, "rb")


def _shutdown(response: object) -> None:
    """Unblock a worker stuck reading `response` (an HTTP response): shut its socket down."""
    sock = getattr(getattr(getattr(response, "fp", None), "raw", None), "_sock", None)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except (OSError, ValueError):
            pass


def _fetch(
    url: str,
    name: str,
    source: BinaryIO | None,
    out: BinaryIO,
    timeout: float,
    events: queue.Queue,
    cancel: threading.Event,
    opened: list,
) -> None:
    """The download worker: stream into `out`, reporting ("progress", done, total), then ("done", …) or ("error", exc)."""
    digest = hashlib.sha256()
    done = reported = 0
    total = None
    try:
        try:
            if source is None:
                source = urllib.request.urlopen(url, timeout=timeout)
                opened.append(source)
                length = source.headers.get("Content-Length")
                total = int(length) if length and length.isdigit() else None
            else:
                total = os.fstat(source.fileno()).st_size
            with source:
                if total is not None and total > MAX_WEIGHTS_BYTES:
                    raise WeightsError(
                        Message(
                            "{name} is {megabytes:.0f} MB, more than AlexNet's weights could be.",
                            name=name,
                            megabytes=total / 2**20,
                        )
                    )
                events.put(("progress", 0, total))
                # read1: whatever has arrived (at most one socket read), so a trickle cannot hold a 1 MB read.
                read = getattr(source, "read1", source.read)
                while not cancel.is_set() and (chunk := read(_CHUNK)):
                    out.write(chunk)
                    digest.update(chunk)
                    done += len(chunk)
                    if done > MAX_WEIGHTS_BYTES:
                        raise WeightsError(
                            Message(
                                "{name} is over {megabytes:.0f} MB; stopped the download.",
                                name=name,
                                megabytes=MAX_WEIGHTS_BYTES / 2**20,
                            )
                        )
                    if done - reported >= _CHUNK:
                        events.put(("progress", done, total))
                        reported = done
                if done != reported:
                    events.put(("progress", done, total))
        finally:
            out.close()
    except BaseException as exc:  # handed to the caller's thread, which turns it into a WeightsError
        events.put(("error", exc, done))
        return
    events.put(("done", done, total, digest.hexdigest()))


def _download_error(exc: BaseException, url: str, name: str, directory: Path, done: int) -> BaseException:
    """The one-line WeightsError for an exception raised while downloading (others pass through)."""
    if isinstance(exc, WeightsError):
        return exc
    if isinstance(exc, urllib.error.HTTPError):
        return WeightsError(
            Message(
                "the server answered {code} {reason} for {url}: check the URL.",
                code=exc.code,
                reason=str(exc.reason),
                url=url,
            )
        )
    if isinstance(exc, urllib.error.URLError):
        reason = getattr(exc, "reason", exc)
        return WeightsError(
            Message(
                "could not download {name}: no connection ({reason}). If this machine is offline, copy "
                "{name} into {directory} and try again.",
                name=name,
                reason=str(reason),
                directory=str(directory),
            )
        )
    if isinstance(exc, TimeoutError):
        return WeightsError(
            Message(
                "the download of {name} timed out after {megabytes:.0f} MB: try again.",
                name=name,
                megabytes=done / 2**20,
            )
        )
    if isinstance(exc, (OSError, http.client.HTTPException, ValueError)):
        detail = getattr(exc, "strerror", None) or str(exc) or exc.__class__.__name__
        return WeightsError(
            Message(
                "the download of {name} failed after {megabytes:.0f} MB ({detail}): "
                "check the disk space and the connection, then try again.",
                name=name,
                megabytes=done / 2**20,
                detail=detail,
            )
        )
    return exc


def download_weights(
    url: str = TORCHVISION_URL,
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    timeout: float = 30.0,
    deadline: float = DOWNLOAD_DEADLINE_S,
) -> Path:
    """Download `url` into the checkpoint cache (or reuse a valid copy) and return its path.

    `url` is checked first (`check_url`). `progress(done_bytes, total_bytes)` is called as data
    arrives (total None when unknown), on the caller's thread. `timeout` bounds each network
    operation; `deadline` bounds the whole download, however the server trickles. Leftover
    `.partial` files of earlier, killed downloads are removed first (`remove_stale_partials`).
    """
    url = check_url(url)
    name = _filename(url)
    prefix = hash_prefix(name)
    if prefix is None:
        raise WeightsError(
            Message(
                "{name!r} has no hash prefix in its name (like alexnet-owt-7be5be79.pth), so it cannot be "
                "verified: use a torch-hub style URL.",
                name=name or url,
            )
        )
    directory = checkpoint_dir(cache_dir)
    dest = directory / name
    if _valid_copy(dest, prefix):
        if progress is not None:
            size = dest.stat().st_size
            progress(size, size)
        return dest
    source = _open_local(url, name, directory) if urllib.parse.urlsplit(url).scheme.lower() == "file" else None
    try:
        directory.mkdir(parents=True, exist_ok=True)
        remove_stale_partials(directory)
        handle, tmp_name = tempfile.mkstemp(prefix=f".{name}.{_HOST}.{os.getpid()}.", suffix=".partial", dir=directory)
    except OSError as exc:
        if source is not None:
            source.close()
        raise WeightsError(
            Message(
                "cannot write to the weights cache {directory} ({error}): set TORCH_HOME to a writable folder.",
                directory=str(directory),
                error=exc.strerror or str(exc),
            )
        ) from None
    tmp = Path(tmp_name)
    events: queue.Queue = queue.Queue()
    cancel = threading.Event()
    opened: list = []
    done = 0
    try:
        out = os.fdopen(handle, "wb")
        worker = threading.Thread(
            target=_fetch,
            args=(url, name, source, out, timeout, events, cancel, opened),
            name="weights-download",
            daemon=True,
        )
        worker.start()
        give_up_at = time.monotonic() + deadline
        while True:
            try:
                event = events.get(timeout=max(0.0, give_up_at - time.monotonic()))
            except queue.Empty:
                raise WeightsError(
                    Message(
                        "the download of {name} took longer than {deadline:.0f} s ({megabytes:.0f} MB arrived): "
                        "the server is too slow or stalled. Try again later, or copy {name} into {directory}.",
                        name=name,
                        deadline=deadline,
                        megabytes=done / 2**20,
                        directory=str(directory),
                    )
                ) from None
            if event[0] == "progress":
                done = event[1]
                if progress is not None:
                    progress(event[1], event[2])
            elif event[0] == "error":
                raise _download_error(event[1], url, name, directory, event[2]) from None
            else:
                _kind, done, total, actual = event
                break
        if total is not None and done != total:
            raise WeightsError(
                Message(
                    "the download of {name} stopped at {done:,} of {total:,} bytes: try again.",
                    name=name,
                    done=done,
                    total=total,
                )
            )
        if not actual.startswith(prefix):
            raise WeightsError(
                Message(
                    "{name} is corrupt: its SHA-256 starts {actual}, not {expected}. The copy was discarded; try again.",
                    name=name,
                    actual=actual[:8],
                    expected=prefix,
                )
            )
        os.replace(tmp, dest)
    finally:
        cancel.set()
        for response in opened:
            _shutdown(response)
        tmp.unlink(missing_ok=True)
    stat_ = dest.stat()
    _VERIFIED[(str(dest), stat_.st_size, stat_.st_mtime_ns)] = True
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


def state_dict_bytes(variant: Variant | Analysis) -> int:
    """The bytes of a built variant's `state_dict()`, by arithmetic: its float32 parameters, and each
    batch norm's running mean and variance (float32, one per channel) and num_batches_tracked (int64)."""
    analysis = variant if isinstance(variant, Analysis) else analyse(variant)
    norms = [r for r in analysis.all_rows() if r.type == BatchNorm.type]
    return analysis.param_bytes + sum(2 * 4 * r.input[0] + 8 for r in norms)


def _largest_preset() -> tuple[str, int]:
    sizes = {name: state_dict_bytes(v) for name, v in PRESETS.items() if analyse(v).valid}
    name = max(sizes, key=lambda n: sizes[n])
    return name, sizes[name]


# Declared sizes are checked against these before torch.load reads anything large (a 1.9 MB .pth
# whose DEFLATE-compressed record declares 2 GB would otherwise be unpacked in full):
TORCHVISION_BYTES = 61_100_840 * 4  # torchvision AlexNet's float32 tensors: 233 MiB
# The largest preset's state dict (vgg16: 528 MiB, 138M parameters) plus 5%: every preset's weights
# load; a file declaring more than any preset needs (a zip bomb's 954 MiB) is refused unread.
LARGEST_PRESET, LARGEST_PRESET_BYTES = _largest_preset()
MAX_STATE_BYTES = LARGEST_PRESET_BYTES * 105 // 100
MAX_PICKLE_BYTES = 1024 * 1024  # data.pkl of AlexNet's state dict is under 2 KB, resnet34's 218 keys' ~20 KB
_SMALL_ENTRY = 64 * 1024  # version, byteorder, serialization_id ... are a few bytes each
_MAX_ENTRIES = 4096
_MAX_GLOBALS = 64
_ARCHIVE_SLACK = MAX_PICKLE_BYTES + 4 * 1024 * 1024  # file size beyond the tensor data: pickle, zip headers
_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C  # torch.save(..., _use_new_zipfile_serialization=False)
_SAVE_AGAIN = Message("save the weights again with torch.save(model.state_dict(), path).")


def _damaged_zip(exc: BaseException) -> Message:
    return Message(
        "not a PyTorch weights file ({error}: a damaged zip archive): {fix}",
        error=exc.__class__.__name__,
        fix=_SAVE_AGAIN,
    )


def _too_much_message(declared: int, limit: int) -> Message:
    return Message(
        "refused: the file declares {declared} of tensor data, more than the {limit} this page loads "
        "(the largest preset, {preset}, needs {preset_size}): upload the weights of a variant no bigger than {preset}.",
        declared=format_bytes(declared),
        limit=format_bytes(limit),
        preset=LARGEST_PRESET,
        preset_size=format_bytes(LARGEST_PRESET_BYTES),
    )


class _Stub:
    """What the size-inspecting unpickler builds instead of any real object: inert, accepts everything."""

    def __new__(cls, *args: object, **kwargs: object) -> _Stub:
        return object.__new__(cls)

    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def __setstate__(self, state: object) -> None:
        pass

    def __setitem__(self, key: object, value: object) -> None:
        pass

    def append(self, item: object) -> None:
        pass

    def extend(self, items: object) -> None:
        pass


class _Unreadable(Exception):
    """The pickle could not be inspected; torch.load (weights_only) will give its own refusal."""


# The storage classes torch.save names in its pickles, and their element sizes.
_STORAGE_ITEMSIZE = {
    f"torch.{name}": size
    for name, size in {
        "DoubleStorage": 8,
        "FloatStorage": 4,
        "HalfStorage": 2,
        "BFloat16Storage": 2,
        "LongStorage": 8,
        "IntStorage": 4,
        "ShortStorage": 2,
        "CharStorage": 1,
        "ByteStorage": 1,
        "BoolStorage": 1,
        "ComplexDoubleStorage": 16,
        "ComplexFloatStorage": 8,
        "QInt8Storage": 1,
        "QInt32Storage": 4,
        "QUInt8Storage": 1,
        "QUInt4x2Storage": 1,
        "QUInt2x4Storage": 1,
        "UntypedStorage": 1,
    }.items()
}


class _SizeUnpickler(pickle.Unpickler):
    """Collects the storages a torch pickle declares (key → bytes) without importing or running anything."""

    def __init__(self, file: BinaryIO):
        super().__init__(file)
        self.storages: dict[str, int] = {}
        self._globals: dict[tuple[str, str], type] = {}

    def find_class(self, module: str, name: str) -> type:
        key = (module, name)
        if key not in self._globals:
            if len(self._globals) >= _MAX_GLOBALS:
                raise _Unreadable("too many globals")
            self._globals[key] = type(name, (_Stub,), {"torch_name": f"{module}.{name}"})
        return self._globals[key]

    def persistent_load(self, pid: object) -> object:
        if isinstance(pid, tuple) and len(pid) >= 5 and pid[0] in ("storage", b"storage"):
            storage_type, key, numel = pid[1], pid[2], pid[4]
            name = getattr(storage_type, "torch_name", "")
            itemsize = _STORAGE_ITEMSIZE.get(name)
            if itemsize is None or not isinstance(numel, int) or numel < 0:
                raise _Unreadable(f"storage {name!r}")
            key = key.decode() if isinstance(key, bytes) else str(key)
            self.storages[key] = max(self.storages.get(key, 0), numel * itemsize)
        return _Stub()


def _declared_storages(data: BinaryIO) -> dict[str, int] | None:
    """Storage key → declared bytes from a torch pickle, or None where it cannot be read that way."""
    unpickler = _SizeUnpickler(data)
    try:
        unpickler.load()
    except Exception:  # malformed, hostile or unusual: the directory checks still bound what torch.load reads,
        return None  # and its restricted unpickler gives the message
    return unpickler.storages


def _check_zip(stream: BinaryIO, max_bytes: int) -> None:
    """Check a zip-format .pth from its directory and pickle, reading no tensor data."""
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise WeightsError(_damaged_zip(exc)) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > _MAX_ENTRIES:
            raise WeightsError(
                Message(
                    "refused: the file holds {count:,} entries, not a state dict; {fix}",
                    count=len(infos),
                    fix=_SAVE_AGAIN,
                )
            )
        pickles = [i for i in infos if i.filename.count("/") == 1 and i.filename.endswith("/data.pkl")]
        if len(pickles) != 1:
            raise WeightsError(
                Message(
                    "not a PyTorch weights file (no data.pkl in the archive): upload a .pth/.pt saved with "
                    "torch.save(model.state_dict(), path)."
                )
            )
        prefix = pickles[0].filename.removesuffix("data.pkl")
        records: dict[str, zipfile.ZipInfo] = {}
        data_total = 0
        for info in infos:
            if info.filename.startswith(f"{prefix}data/"):
                records[info.filename.removeprefix(f"{prefix}data/")] = info
                data_total += info.file_size
                limit = max_bytes
            else:
                limit = MAX_PICKLE_BYTES if info is pickles[0] else _SMALL_ENTRY
            if info.file_size > limit:
                if info.compress_type != zipfile.ZIP_STORED:
                    raise WeightsError(
                        Message(
                            "refused: {entry} in the file is compressed and unpacks to {size} from {compressed}, "
                            "more than the {limit} allowed (a zip bomb?): {fix}",
                            entry=info.filename,
                            size=format_bytes(info.file_size),
                            compressed=format_bytes(info.compress_size),
                            limit=format_bytes(limit),
                            fix=_SAVE_AGAIN,
                        )
                    )
                raise WeightsError(_too_much_message(info.file_size, limit))
        if data_total > max_bytes:
            raise WeightsError(_too_much_message(data_total, max_bytes))
        try:
            with archive.open(pickles[0]) as handle:
                pickled = handle.read(MAX_PICKLE_BYTES + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as exc:
            raise WeightsError(_damaged_zip(exc)) from None
    storages = _declared_storages(io.BytesIO(pickled))
    if storages is None:
        return
    declared = sum(storages.values())
    if declared > max_bytes:
        raise WeightsError(_too_much_message(declared, max_bytes))
    for key, nbytes in storages.items():
        info = records.get(key)
        if info is None:
            raise WeightsError(
                Message(
                    "refused: the tensor data {key!r} is missing from the file (damaged?): {fix}",
                    key=key,
                    fix=_SAVE_AGAIN,
                )
            )
        if info.file_size != nbytes:
            raise WeightsError(
                Message(
                    "refused: the tensor data {key!r} should hold {expected:,} bytes but the file declares "
                    "{declared:,} (damaged or crafted): {fix}",
                    key=key,
                    expected=nbytes,
                    declared=info.file_size,
                    fix=_SAVE_AGAIN,
                )
            )


def _check_legacy(stream: BinaryIO, size: int, max_bytes: int) -> None:
    """Old (non-zip) torch.save files: the storages declared must fit in the bytes that follow."""
    try:
        magic = _SizeUnpickler(stream).load()
        if magic != _LEGACY_MAGIC:
            return  # not torch's legacy format: torch.load gives the message
        _SizeUnpickler(stream).load()  # protocol version
        _SizeUnpickler(stream).load()  # sys_info
    except Exception:
        return
    storages = _declared_storages(stream)
    if storages is None:
        return
    declared = sum(storages.values())
    if declared > max_bytes:
        raise WeightsError(_too_much_message(declared, max_bytes))
    if declared > size - stream.tell():
        raise WeightsError(
            Message(
                "refused: the file declares {declared:,} bytes of tensor data but holds only {held:,} "
                "more (damaged or crafted): {fix}",
                declared=declared,
                held=size - stream.tell(),
                fix=_SAVE_AGAIN,
            )
        )


def _check_before_loading(stream: BinaryIO, size: int, max_bytes: int) -> None:
    """Everything torch.load would allocate, bounded from the file's own declarations; leaves `stream` at 0."""
    if size > max_bytes + _ARCHIVE_SLACK:
        raise WeightsError(
            Message(
                "refused: the file is {size}, more than the {limit} this page loads (the largest preset, {preset}, "
                "is {preset_size}): upload the weights of a variant no bigger than {preset}.",
                size=format_bytes(size),
                limit=format_bytes(max_bytes),
                preset=LARGEST_PRESET,
                preset_size=format_bytes(LARGEST_PRESET_BYTES),
            )
        )
    head = stream.read(4)
    stream.seek(0)
    try:
        if head == b"PK\x03\x04":  # torch.load's own test for the zip format
            _check_zip(stream, max_bytes)
        else:
            _check_legacy(stream, size, max_bytes)
    finally:
        stream.seek(0)


def _open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise WeightsError(
            Message(
                "cannot read {path} ({error}): choose the .pth file again.",
                path=os.fspath(path),
                error=exc.strerror or str(exc),
            )
        ) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise WeightsError(Message("{path} is not a regular file: choose the .pth file itself.", path=os.fspath(path)))
    return os.fdopen(fd, "rb")


_EMPTY = Message("the weights file is empty (0 bytes): choose the .pth file again.")


def load_state_dict_file(
    source: str | os.PathLike[str] | bytes | BinaryIO, *, max_bytes: int = MAX_STATE_BYTES
) -> dict[str, torch.Tensor]:
    """Read a state dict with `torch.load(weights_only=True)`; refuse anything else with a clear message.

    Before torch.load, the sizes the file declares (the zip directory's entries, each storage in its
    pickle) are checked against `max_bytes` and against each other, so a zip bomb or a record whose
    size disagrees with its declaration is refused having read only the directory and the pickle.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        if len(source) == 0:
            raise WeightsError(_EMPTY)
        stream: BinaryIO = io.BytesIO(source)
        size = len(source)
    elif isinstance(source, (str, os.PathLike)):
        stream = _open_regular(source)
        size = os.fstat(stream.fileno()).st_size
        if size == 0:
            stream.close()
            raise WeightsError(_EMPTY)
    else:  # any other readable stream: at most the size limit is read into memory
        data = source.read(max_bytes + _ARCHIVE_SLACK + 1)
        return load_state_dict_file(data, max_bytes=max_bytes)
    with stream:
        _check_before_loading(stream, size, max_bytes)
        return _validated(_torch_load(stream))


def _torch_load(stream: BinaryIO) -> object:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. "Detected pickle protocol 4": we report our own message
            obj = torch.load(stream, weights_only=True, map_location="cpu")
    except Exception as exc:
        text = str(exc)
        found = re.search(r"GLOBAL ([\w.]+)", text)
        if found:
            raise WeightsError(
                Message(
                    "refused: the file asks to run or build Python objects ({names}), not just tensors; only "
                    "plain state dicts are loaded, for safety. Save one with torch.save(model.state_dict(), path).",
                    names=found.group(1),
                )
            ) from None
        if "Weights only load failed" in text:
            raise WeightsError(
                Message(
                    "refused: the file is a pickle that PyTorch's safe loader will not read (not a plain state "
                    "dict); save one with torch.save(model.state_dict(), path)."
                )
            ) from None
        raise WeightsError(
            Message(
                "not a PyTorch weights file ({error}): upload a .pth/.pt saved with torch.save(model.state_dict(), path).",
                error=exc.__class__.__name__,
            )
        ) from None
    return obj


def _validated(obj: object) -> dict[str, torch.Tensor]:
    obj = _unwrap(obj)
    if not isinstance(obj, Mapping) or not obj:
        held: str | Message = type(obj).__name__ if obj is not None else Message("nothing")
        raise WeightsError(
            Message(
                "the file holds {held}, not a state dict of tensors: save it with torch.save(model.state_dict(), path).",
                held=held,
            )
        )
    bad = [k for k, v in obj.items() if not isinstance(k, str) or not isinstance(v, torch.Tensor)]
    if bad:
        raise WeightsError(
            Message(
                "the state dict has {count} entries that are not tensors (first: {first!r}): save model.state_dict().",
                count=len(bad),
                first=bad[0],
            )
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


def shape_difference_messages(variant: Variant, limit: int = 3) -> list[Message]:
    """Up to `limit` plain-words differences from torchvision's shapes (why `compatible` is False), as data.

    Markdown: each tensor's key is a code span (the builder's names, never user text)."""
    shapes = _shapes(variant)
    if shapes is None:
        return [Message("the variant is invalid, so it cannot be built")]
    out = []
    for key in dict.fromkeys([*TORCHVISION_SHAPES, *shapes]):
        mine, theirs = shapes.get(key), TORCHVISION_SHAPES.get(key)
        if mine == theirs:
            continue
        fmt = lambda s: "×".join(map(str, s)) if s else Message("no such tensor")  # noqa: E731
        out.append(
            Message("`{key}` is {mine} here but {theirs} in torchvision", key=key, mine=fmt(mine), theirs=fmt(theirs))
        )
        if len(out) >= limit:
            break
    return out


def shape_differences(variant: Variant, limit: int = 3) -> list[str]:
    """`shape_difference_messages` rendered in the current language."""
    return [m.render() for m in shape_difference_messages(variant, limit)]


def unusable_message(tensor: object, like: torch.Tensor | None = None) -> Message | None:
    """Why a loaded value cannot be copied into a parameter, in a few words (as data); None when it can.

    Accepted: a dense (strided) tensor with data, floating point where the model's tensor is floating
    point (float16/32/64 and bfloat16 are all converted by load_state_dict), else the model's dtype
    (e.g. BatchNorm's int64 num_batches_tracked).
    """
    if not isinstance(tensor, torch.Tensor):
        return Message("{kind}, not a tensor", kind=type(tensor).__name__)
    if tensor.is_sparse or tensor.layout in (torch.sparse_csr, torch.sparse_csc, torch.sparse_bsr, torch.sparse_bsc):
        return Message("sparse tensor")
    if tensor.layout != torch.strided or tensor.is_nested:
        return Message("{layout} layout, not dense", layout=str(tensor.layout).removeprefix("torch."))
    if tensor.is_quantized:
        return Message("quantized tensor")
    if tensor.device.type == "meta":
        return Message("no data (meta tensor)")
    dtype = str(tensor.dtype).removeprefix("torch.")
    if like is None or like.is_floating_point():
        if not tensor.is_floating_point():
            return Message("{dtype} dtype, not floating point", dtype=dtype)
    elif tensor.dtype != like.dtype:
        return Message("{dtype} dtype, not {wanted}", dtype=dtype, wanted=str(like.dtype).removeprefix("torch."))
    return None


def unusable_reason(tensor: object, like: torch.Tensor | None = None) -> str | None:
    """`unusable_message` rendered in the current language, e.g. "sparse tensor"; None when usable."""
    message = unusable_message(tensor, like)
    return None if message is None else message.render()


# The match table's column headers and statuses: stable ids, rendered with `_` when shown.
_COLUMNS = (N_("key"), N_("status"), N_("model"), N_("file"))
_STATUSES = (N_("ok"), N_("missing"), N_("unexpected"), N_("shape mismatch"), N_("unusable"))


@dataclass(frozen=True)
class MatchRow:
    key: str
    status: str  # a stable id: "ok", "missing", "unexpected", "shape mismatch", "unusable"
    model_shape: tuple[int, ...] | None
    file_shape: tuple[int, ...] | None
    why: Message | None = None  # for "unusable", as data; `reason` renders it

    @property
    def reason(self) -> str:
        """For "unusable": e.g. "sparse tensor", "int64 dtype, not floating point" (current language)."""
        return self.why.render() if self.why is not None else ""

    def to_dict(self) -> dict[str, str]:
        """The row as the page's table shows it, headers and status in the current language."""
        fmt = lambda s: "×".join(map(str, s)) if s is not None else "—"  # noqa: E731
        status = _("{status}: {reason}", status=_(self.status), reason=self.why) if self.why else _(self.status)
        values = (self.key, status, fmt(self.model_shape), fmt(self.file_shape))
        return {_(column): value for column, value in zip(_COLUMNS, values)}


def _joined(messages: list[Message]) -> Message | str:
    """Messages as one comma-separated list that still renders in each reader's language."""
    if not messages:
        return ""
    out = messages[-1]
    for head in reversed(messages[:-1]):
        out = Message("{list_head}, {list_tail}", list_head=head, list_tail=out)
    return out


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

    def summary_message(self) -> Message:
        """How many tensors match and what is wrong with the rest, as data (rendered by each reader)."""
        counts = {s: sum(r.status == s for r in self.rows) for s in _STATUSES}
        base = Message(
            "{ok} of {total} tensors match; {missing} missing, {unexpected} unexpected, {wrong} with the wrong shape",
            ok=counts["ok"],
            total=self.n_model_keys,
            missing=counts["missing"],
            unexpected=counts["unexpected"],
            wrong=counts["shape mismatch"],
        )
        if not counts["unusable"]:
            return base
        reasons = list(dict.fromkeys(r.why for r in self.rows if r.status == "unusable" and r.why is not None))
        return Message(
            "{summary}, {count} unusable ({reasons})", summary=base, count=counts["unusable"], reasons=_joined(reasons)
        )

    def summary(self) -> str:
        """`summary_message` in the current language, e.g. "0 of 16 tensors match; 12 missing, …"."""
        return self.summary_message().render()


def _file_shape(value: object) -> tuple[int, ...] | None:
    return tuple(value.shape) if isinstance(value, torch.Tensor) else None


def match_report(model: nn.Module, state_dict: Mapping[str, torch.Tensor]) -> MatchReport:
    """Compare a model's state dict with a loaded one, key by key (kind first: dense, the right dtype; then shape)."""
    own = model.state_dict()
    rows = []
    for key, tensor in own.items():
        shape = tuple(tensor.shape)
        if key not in state_dict:
            rows.append(MatchRow(key, "missing", shape, None))
        elif (reason := unusable_message(state_dict[key], tensor)) is not None:
            rows.append(MatchRow(key, "unusable", shape, _file_shape(state_dict[key]), reason))
        elif tuple(state_dict[key].shape) != shape:
            rows.append(MatchRow(key, "shape mismatch", shape, tuple(state_dict[key].shape)))
        else:
            rows.append(MatchRow(key, "ok", shape, shape))
    for key, tensor in state_dict.items():
        if key not in own:
            rows.append(MatchRow(key, "unexpected", None, _file_shape(tensor)))
    return MatchReport(tuple(rows))


def apply_state_dict(model: nn.Module, state_dict: Mapping[str, torch.Tensor], *, partial: bool = False) -> MatchReport:
    """Load `state_dict` into `model`: strictly, or (partial=True) only the tensors whose key and shape match."""
    report = match_report(model, state_dict)
    if report.exact:
        model.load_state_dict(dict(state_dict), strict=True)
    elif partial:
        if not report.matching_keys:
            raise WeightsError(
                Message(
                    "no tensor in the file matches this variant ({summary}): nothing to load.",
                    summary=report.summary_message(),
                )
            )
        model.load_state_dict({k: state_dict[k] for k in report.matching_keys}, strict=False)
    else:
        raise WeightsError(
            Message(
                "the weights do not fit this variant ({summary}): pick the matching variant, or load only "
                "the matching tensors.",
                summary=report.summary_message(),
            )
        )
    return report
