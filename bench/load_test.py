"""Classroom load test: N simultaneous browser-like sessions against a local Streamlit server or deployment.

    python bench/load_test.py --sessions 30                # starts its own server on a free loopback port
    python bench/load_test.py --sessions 30 --port 8501    # an already running server on 127.0.0.1:8501
    python bench/load_test.py --sessions 30 --replicas 2   # starts `python -m deploy`: 2 replicas behind HAProxy
    python bench/load_test.py --sessions 30 --port 8501 --deployment DATA_DIR   # a running deployment
    python bench/load_test.py --sessions 30 --warm-up --phased   # warm servers; server CPU per action kind

Each session is a websocket client speaking Streamlit's own protocol (protobuf BackMsg / ForwardMsg
from `streamlit.proto`) on ws://127.0.0.1:PORT/_stcore/stream, the way the browser does it:

1. GET /_stcore/health, which sets the `_streamlit_xsrf` cookie (XSRF protection is on); open the
   websocket with that cookie, a same-origin Origin header and the subprotocols
   ["streamlit", <xsrf token>] (the frontend's `getSessionTokens`);
2. first load: BackMsg.rerun_script(ClientState(query_string="", page_name="")) runs the default
   page (Build), as a browser opening the app's root URL does;
3. five slider moves: the conv1 kernel slider (the element whose id ends with "-b0_k") gets a new
   value as WidgetState.double_array_value (sliders hold a list of doubles), sent with the Build
   page's page_script_hash and the query string the app last set (PageInfo), like the frontend;
4. one page change: rerun_script with the page_script_hash of the page whose url_pathname is
   "Inside" (from the Navigation message); skipped with a note if the app has no such page.

Latency of an action = time from sending the BackMsg to receiving ForwardMsg.script_finished.
Every slider rerun is verified: the conv1 formula for the new kernel, e.g. "⌊(227 − 9)/4⌋ + 1 = 55"
(expected output computed here from the input size, stride and padding widgets of the first load),
must appear in that rerun's deltas, so the test cannot pass vacuously. Errors: an Exception element,
the app's "Something went wrong" fallback box (ui.guarded), a compile error, page_not_found, a
failed verification, a timeout, or any protocol/connection error.

Behind the deployment's HAProxy a session keeps the cookies a browser keeps (`_streamlit_xsrf` and
the sticky `alexnet_replica`), and every response's X-Replica header is checked: all of a session's
requests must reach one replica (else an error); the report says how many sessions each got.

While it runs, a thread samples the server's process tree (every replica's, behind the proxy)
every 0.2 s from /proc: VmRSS and Threads summed over the processes and their children, and their
CPU seconds (utime + stime from /proc/<pid>/stat), reported per action; `--phased` gives the CPU
per action kind. It also reports how much CPU other processes on the machine used meanwhile. It only
talks to 127.0.0.1 and stops by itself (--timeout, default 300 s). Output: a text summary and
Markdown tables for BENCHMARKS.md, with the commit measured.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import random
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import websocket
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
SLIDER_KEY = "b0_k"
BUILD_URL_PATH = "build"  # url path of the Build page (the default page; its pathname is "")
INSIDE_URL_PATH = "Inside"
INSIDE_FILE = ROOT / "pages" / "1_Inside.py"
KERNELS = (3, 5, 7, 9, 11, 13, 15)
SLIDER_MOVES = 5
GUARDED_TEXT = "Something went wrong"
ACTIONS = ("first load", "slider rerun", "Inside page open")
COOKIE_ATTRIBUTES = {"path", "expires", "max-age", "domain", "samesite", "secure", "httponly", "partitioned"}


@dataclass
class Result:
    """Everything one session measured."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {a: [] for a in ACTIONS})
    errors: list[str] = field(default_factory=list)
    verified_reruns: int = 0
    inside_skipped: str | None = None
    final_kernel: int | None = None
    replicas: list[str] = field(default_factory=list)  # X-Replica headers seen (behind the proxy)


class ProtocolError(Exception):
    pass


@dataclass
class RunOutput:
    """The deltas and other messages of one script run, reduced to what the checks need."""

    seconds: float
    texts: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    sliders: dict[str, object] = field(default_factory=dict)  # user key -> Slider proto
    number_inputs: dict[str, object] = field(default_factory=dict)
    page_not_found: bool = False
    compile_error: bool = False


def _user_key(widget_id: str) -> str:
    # Widget ids look like "$$ID-<hash>-<user key>".
    return widget_id.split("-", 2)[2] if widget_id.startswith("$$ID-") and widget_id.count("-") >= 2 else ""


class Session:
    """One simulated browser tab."""

    def __init__(self, port: int, timeout: float, deadline: float) -> None:
        self.port = port
        self.timeout = timeout
        self.deadline = deadline
        self.ws: websocket.WebSocket | None = None
        self.query_string = ""
        self.pages: dict[str, str] = {}  # url_pathname -> page_script_hash
        self.current_page_hash = ""
        # Cookies as a browser keeps them for this origin: Streamlit's _streamlit_xsrf and, behind
        # the deployment's HAProxy, the sticky replica cookie (deploy.config.COOKIE_NAME).
        self.cookies: dict[str, str] = {}
        self.session_id = ""  # Streamlit's id of this session (NewSession.initialize.session_id)
        self.replicas: list[str] = []  # X-Replica of each response (health check, websocket upgrade)

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def remember(self, headers) -> None:
        """Take the Set-Cookie headers and X-Replica of a response (urllib or websocket-client)."""
        values = headers.get_all("set-cookie") if hasattr(headers, "get_all") else [headers.get("set-cookie")]
        for value in values or []:
            # websocket-client joins several Set-Cookie headers with "; ": skip the attributes.
            for part in (value or "").split(";"):
                name, sep, val = part.strip().partition("=")
                if sep and name and name.lower() not in COOKIE_ATTRIBUTES:
                    self.cookies[name] = val
        replica = headers.get("x-replica")
        if replica:
            self.replicas.append(replica)

    def connect(self, *, reconnect: bool = False) -> None:
        """Like the frontend: GET /_stcore/health (cookies), then the websocket with the XSRF token.

        `reconnect=True` sends the previous session id as the third subprotocol, as the frontend does
        after a lost connection; a replica that does not know it starts a new session.
        """
        request = urllib.request.Request(f"{self.base_url}/_stcore/health", headers={"Cookie": self.cookie_header()})
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            self.remember(response.headers)
        token = self.cookies.get("_streamlit_xsrf")
        protocols = ["streamlit", token or "PLACEHOLDER_AUTH_TOKEN"]
        if reconnect and self.session_id:
            protocols.append(self.session_id)
        self.ws = websocket.create_connection(
            f"ws://{HOST}:{self.port}/_stcore/stream",
            subprotocols=protocols,
            origin=self.base_url,
            cookie=self.cookie_header() or None,
            timeout=self.timeout,
        )
        self.remember({k.lower(): v for k, v in (self.ws.getheaders() or {}).items()})
        if self.ws.getsubprotocol() != "streamlit":
            raise ProtocolError(f"server selected subprotocol {self.ws.getsubprotocol()!r}")

    def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                self.ws.close()

    def rerun(self, *, page_script_hash: str = "", page_name: str = "", widgets: list | None = None) -> RunOutput:
        """Send one rerun_script and read ForwardMsgs until script_finished."""
        assert self.ws is not None
        back = BackMsg()
        state = back.rerun_script
        state.query_string = self.query_string
        state.page_script_hash = page_script_hash
        state.page_name = page_name
        state.context_info.timezone = "UTC"
        state.context_info.locale = "en-GB"
        state.context_info.url = f"http://{HOST}:{self.port}/"
        for widget_id, value in widgets or []:
            widget = state.widget_states.widgets.add()
            widget.id = widget_id
            widget.double_array_value.data.append(float(value))
        started = time.perf_counter()
        self.ws.send_binary(back.SerializeToString())
        out = RunOutput(seconds=0.0)
        while True:
            left = min(self.timeout, self.deadline - time.monotonic())
            if left <= 0:
                raise TimeoutError("no script_finished before the deadline")
            self.ws.settimeout(left)
            opcode, data = self.ws.recv_data()
            if opcode != websocket.ABNF.OPCODE_BINARY:
                raise ProtocolError(f"unexpected websocket frame opcode {opcode}")
            msg = ForwardMsg()
            msg.ParseFromString(data)
            kind = msg.WhichOneof("type")
            if kind == "script_finished":
                status = msg.script_finished
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # interrupted by a newer run; its own script_finished follows
                out.compile_error = status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR
                out.seconds = time.perf_counter() - started
                return out
            if kind == "delta":
                self._read_delta(msg.delta, out)
            elif kind == "new_session":
                self.current_page_hash = msg.new_session.page_script_hash
                if msg.new_session.HasField("initialize"):
                    self.session_id = msg.new_session.initialize.session_id
            elif kind == "navigation":
                self.pages = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
                self.current_page_hash = msg.navigation.page_script_hash or self.current_page_hash
            elif kind == "page_info_changed":
                self.query_string = msg.page_info_changed.query_string
            elif kind == "page_not_found":
                out.page_not_found = True
            elif kind == "ref_hash" or kind is None:
                raise ProtocolError(f"unexpected ForwardMsg {kind!r}")

    @staticmethod
    def _read_delta(delta, out: RunOutput) -> None:
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind == "exception":
            out.exceptions.append(f"{element.exception.type}: {element.exception.message[:200]}")
        elif kind == "alert":
            out.texts.append(element.alert.body)
        elif kind == "markdown":
            out.texts.append(element.markdown.body)
        elif kind == "slider":
            out.sliders[_user_key(element.slider.id)] = element.slider
        elif kind == "number_input":
            out.number_inputs[_user_key(element.number_input.id)] = element.number_input


def _slider_value(slider) -> int:
    return int(slider.value[0] if slider.set_value and slider.value else slider.default[0])


def _expected_formula(k: int, width: int, stride: int, padding: int) -> tuple[str, int]:
    """The part of the conv1 formula text that depends on the kernel, and the output size."""
    out = (width + 2 * padding - k) // stride + 1
    return f"− {k})/{stride}⌋", out


def _check_run(out: RunOutput, result: Result, action: str) -> None:
    for exc in out.exceptions:
        result.errors.append(f"{action}: exception element {exc}")
    for text in out.texts:
        if GUARDED_TEXT in text:
            result.errors.append(f"{action}: app error box: {text[:160]}")
    if out.compile_error:
        result.errors.append(f"{action}: script finished with a compile error")
    if out.page_not_found:
        result.errors.append(f"{action}: page_not_found")


def run_session(
    index: int,
    port: int,
    seed: int,
    timeout: float,
    deadline: float,
    think: float,
    cookies: dict | None = None,
    phase=None,
) -> Result:
    """One session's actions. `phase(name)`, if given, is called once after each action kind
    (all of them, in order, even after an error), so that sessions can wait for each other there."""
    result = Result()
    rng = random.Random(seed * 100_003 + index)
    session = Session(port, timeout, deadline)
    session.cookies.update(cookies or {})
    pending = list(ACTIONS) if phase else []

    def reached(name: str) -> None:
        while pending and pending[0] != name:  # skipped by an error: still take part, in order
            phase(pending.pop(0))
        if pending:
            phase(pending.pop(0))

    try:
        session.connect()
        result.replicas = session.replicas
        if len(set(session.replicas)) > 1:
            result.errors.append(f"the session's requests reached several replicas: {session.replicas}")
        first = session.rerun(page_name="")
        result.latencies["first load"].append(first.seconds)
        _check_run(first, result, "first load")
        reached("first load")
        slider = first.sliders.get(SLIDER_KEY)
        if slider is None:
            raise ProtocolError(f"no slider with key {SLIDER_KEY!r} in the first load")
        build_hash = session.current_page_hash
        width = int(first.number_inputs["in_width"].value)
        stride, padding, current = (_slider_value(first.sliders[key]) for key in ("b0_s", "b0_p", SLIDER_KEY))
        for _ in range(SLIDER_MOVES):
            if think:
                time.sleep(rng.uniform(0, 2 * think))
            k = rng.choice([v for v in KERNELS if v != current])
            out = session.rerun(page_script_hash=build_hash, widgets=[(slider.id, k)])
            result.latencies["slider rerun"].append(out.seconds)
            _check_run(out, result, f"slider {current}→{k}")
            piece, size = _expected_formula(k, width, stride, padding)
            if any("conv1" in t and piece in t and f"= {size}`" in t for t in out.texts):
                result.verified_reruns += 1
            else:
                result.errors.append(f"slider {current}→{k}: formula with {piece!r} … = {size} not in the deltas")
            current = k
        result.final_kernel = current
        reached("slider rerun")
        inside_hash = session.pages.get(INSIDE_URL_PATH)
        if inside_hash is None:
            result.inside_skipped = f"the app has no page with url path {INSIDE_URL_PATH!r}"
        else:
            if think:
                time.sleep(rng.uniform(0, 2 * think))
            out = session.rerun(page_script_hash=inside_hash)
            result.latencies["Inside page open"].append(out.seconds)
            _check_run(out, result, "Inside page")
            if session.current_page_hash != inside_hash:
                result.errors.append("Inside page: the server ran another page")
    except Exception as exc:  # a session's failure is a counted error, never a crash of the test
        result.errors.append(f"{type(exc).__name__}: {str(exc)[:200]}")
    finally:
        session.close()
        if pending:
            reached(pending[-1])
    return result


class Phases:
    """`--phased`: every session waits for all the others after its first load and after its slider
    moves, and the server's CPU seconds are read at each of those points, so each action kind gets
    its own CPU seconds per action (the default run lets the kinds overlap)."""

    def __init__(self, sessions: int, cpu, deadline: float) -> None:
        self.cpu, self.deadline = cpu, deadline
        self.marks: list[tuple[float, float]] = []  # (perf_counter, server CPU s) when all arrived
        self.barrier = threading.Barrier(sessions, action=self._mark)
        self.broken = False

    def _mark(self) -> None:
        self.marks.append((time.perf_counter(), self.cpu()))

    def __call__(self, name: str) -> None:
        try:
            self.barrier.wait(timeout=max(1.0, self.deadline - time.monotonic()))
        except threading.BrokenBarrierError:
            self.broken = True


# --- the server and its resource usage --------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _wait_healthy(port: int, proc: subprocess.Popen | None, limit: float) -> None:
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(f"http://{HOST}:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        time.sleep(0.2)
    raise RuntimeError(f"the server on port {port} did not become healthy within {limit:.0f} s")


def _pid_listening_on(port: int) -> int | None:
    """The pid of the process listening on 127.0.0.1:port (/proc/net/tcp → socket inode → fd)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as f:
            for line in list(f)[1:]:
                parts = line.split()
                if parts[3] == "0A" and int(parts[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(parts[9])
    for pid in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    return int(pid)
    return None


def _process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError, ValueError, IndexError):
            with open(f"/proc/{pid}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(pid))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def _status(pid: int) -> tuple[int, int]:
    """(VmRSS in bytes, Threads) of one process, (0, 0) if it is gone."""
    rss = threads = 0
    with contextlib.suppress(OSError), open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) * 1024
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
    return rss, threads


def _cpu_of(pid: int) -> float | None:
    """utime + stime of one process in seconds (/proc/<pid>/stat), None if it is gone."""
    with contextlib.suppress(OSError, ValueError, IndexError), open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return None


class Sampler(threading.Thread):
    """Polls named groups of processes every 0.2 s: RSS and threads (peak), CPU seconds used.

    `groups()` returns {name: root pid}, e.g. {"server": pid} or {"r0": pid, "r1": pid}; each root
    counts with its child processes. It is called at every sample, so a replica restarted by
    supervisord is followed; CPU is summed per pid (from its value at the start, or 0 for a pid
    first seen later) up to its last sample.
    """

    def __init__(self, groups, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.groups, self.interval = groups, interval
        self.cpu_first: dict[int, float] = {}
        self.cpu_last: dict[int, float] = {}
        self.peak_rss = self.peak_threads = 0
        self.peak_rss_each: dict[str, int] = {}
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        self.started = False
        self.start_rss, self.start_threads = self.sample()
        self.started = True

    def sample(self) -> tuple[int, int]:
        with self.lock:
            return self._sample()

    def cpu_now(self) -> float:
        """Sample now and return the CPU seconds used since the start."""
        self.sample()
        return self.cpu()

    def _sample(self) -> tuple[int, int]:
        rss = threads = 0
        for name, root in (self.groups() or {}).items():
            if not root:
                continue
            group_rss = 0
            for pid in _process_tree(root):
                r, t = _status(pid)
                group_rss, threads = group_rss + r, threads + t
                cpu = _cpu_of(pid)
                if cpu is not None:
                    self.cpu_first.setdefault(pid, cpu if not self.started else 0.0)
                    self.cpu_last[pid] = cpu
            rss += group_rss
            self.peak_rss_each[name] = max(self.peak_rss_each.get(name, 0), group_rss)
        self.peak_rss = max(self.peak_rss, rss)
        self.peak_threads = max(self.peak_threads, threads)
        return rss, threads

    def cpu(self) -> float:
        return sum(self.cpu_last[pid] - self.cpu_first[pid] for pid in self.cpu_last)

    def run(self) -> None:
        while not self.stop_event.wait(self.interval):
            self.sample()

    def stop(self) -> tuple[int, int, float]:
        self.stop_event.set()
        self.join()
        end_rss, end_threads = self.sample()
        return end_rss, end_threads, self.cpu()


def _machine_busy() -> float:
    """CPU seconds all processes on this machine have used so far (/proc/stat, every core)."""
    with contextlib.suppress(OSError, ValueError, IndexError), open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
        return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")  # all but idle, iowait
    return 0.0


def _deployment_pids(data_dir: Path) -> dict[str, int]:
    """{program: pid} of a running `python -m deploy` deployment (supervisorctl status)."""
    conf = Path(data_dir).expanduser().resolve() / "deploy" / "supervisord.conf"
    try:
        out = subprocess.run(["supervisorctl", "-c", str(conf), "status"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return {}
    pids = {}
    for line in out.stdout.splitlines():
        match = re.match(r"(?:replicas:)?(\S+)\s+RUNNING\s+pid (\d+)", line)
        if match:
            pids[match.group(1)] = int(match.group(2))
    return pids


# --- report -----------------------------------------------------------------------------------


def _pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def _row(values: list[float]) -> str:
    if not values:
        return "– | – | – | 0"
    return f"{statistics.median(values):.2f} s | {_pct(values, 0.95):.2f} s | {max(values):.2f} s | {len(values)}"


def _git_state() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown commit"
    state = head.stdout.strip() or "unknown commit"
    return state + (" with uncommitted changes" if dirty.stdout.strip() else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=30, help="simultaneous sessions (1..500)")
    parser.add_argument(
        "--port", type=int, help="use a running server (or proxy) on 127.0.0.1:PORT instead of starting one"
    )
    parser.add_argument(
        "--server-pid",
        default="",
        help="pid(s) of that server, comma-separated (default: found from the port or from --deployment)",
    )
    parser.add_argument(
        "--replicas",
        type=int,
        default=0,
        help="start `python -m deploy` with this many replicas behind HAProxy and go through the proxy",
    )
    parser.add_argument(
        "--deployment", type=Path, help="with --port: the data dir of a running `python -m deploy` (finds its pids)"
    )
    parser.add_argument("--timeout", type=float, default=300.0, help="global time limit in seconds")
    parser.add_argument("--action-timeout", type=float, default=120.0, help="limit for one action in seconds")
    parser.add_argument("--think", type=float, default=0.0, help="mean pause before each action (uniform 0..2×)")
    parser.add_argument("--ramp", type=float, default=0.0, help="spread the session starts over this many seconds")
    parser.add_argument("--seed", type=int, default=0, help="seed of the per-session kernel sequences")
    parser.add_argument(
        "--server-option",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra option for the server it starts, e.g. server.fileWatcherType=none (repeatable)",
    )
    parser.add_argument(
        "--warm-up",
        action="store_true",
        help="before measuring, run one session on every replica (imports, caches): measures a warm server",
    )
    parser.add_argument(
        "--phased",
        action="store_true",
        help="all sessions wait for each other between action kinds: server CPU per first load / rerun / page",
    )
    parser.add_argument("--label", default="", help="label of the Markdown table's row")
    args = parser.parse_args(argv)
    if not 1 <= args.sessions <= 500:
        parser.error("--sessions must be 1..500")
    if args.replicas and args.port:
        parser.error("--replicas starts its own deployment; --port uses a running one")
    if args.replicas and args.server_option:
        parser.error("--server-option applies to the single server it starts, not to --replicas")

    proc = None
    deployment = None
    log = None
    port = args.port or _free_port()
    groups = None  # () -> {name: root pid} of the app processes
    haproxy_pid = None
    try:
        if args.replicas:
            sys.path.insert(0, str(ROOT))
            from deploy.local import LocalDeployment

            data_dir = Path(tempfile.mkdtemp(prefix="load_test_deploy_"))
            print(f"deployment: {args.replicas} replicas behind HAProxy, logs in {data_dir}/deploy/logs")
            deployment = LocalDeployment(replicas=args.replicas, data_dir=data_dir).start(timeout=180)
            port = deployment.port
            pids = deployment.pids()
            haproxy_pid = pids.pop("haproxy")
            # supervisorctl at every 0.2 s sample would cost more than the sampling: ask every 2 s
            cached = {"pids": pids, "at": time.monotonic()}

            def groups():
                if time.monotonic() - cached["at"] > 2.0:
                    fresh = {n: p for n, p in deployment.pids().items() if n != "haproxy"}
                    cached.update(pids=fresh, at=time.monotonic())
                return cached["pids"]

        elif args.port is None:
            log = tempfile.NamedTemporaryFile("w", prefix="load_test_server_", suffix=".log", delete=False)
            print(f"server log: {log.name}")
            cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
            cmd += ["--server.port", str(port), "--server.address", HOST]
            for option in args.server_option:
                name, _, value = option.partition("=")
                cmd += [f"--{name.removeprefix('--')}", value]
            proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            groups = lambda: {"server": proc.pid}  # noqa: E731
        _wait_healthy(port, proc, 60)
        if groups is None:
            if args.deployment:
                found = _deployment_pids(args.deployment)
                haproxy_pid = found.pop("haproxy", None)
                given = found
            elif args.server_pid:
                given = {f"pid {p}": int(p) for p in args.server_pid.split(",") if p.strip()}
            else:
                pid = _pid_listening_on(port)
                given = {"server": pid} if pid else {}
            if given:
                groups = lambda: given  # noqa: E731
        if not INSIDE_FILE.exists():
            print(f"note: {INSIDE_FILE.relative_to(ROOT)} does not exist: the Inside page action is skipped")
        if args.warm_up:
            pins = [{"alexnet_replica": name} for name in deployment.names] if deployment else [{}]
            for i, pin in enumerate(pins):  # one after the other: each replica imports on its own
                warm = run_session(10_000 + i, port, args.seed, args.action_timeout, time.monotonic() + 180, 0, pin)
                if warm.errors:
                    raise RuntimeError(f"warm-up session failed: {warm.errors[:3]}")
            print(f"warmed up: one session on each of {len(pins)} server process(es), not measured")
        log_start = len(deployment.log("haproxy")) if deployment else 0
        sampler = Sampler(groups) if groups else None
        proxy_sampler = Sampler(lambda: {"haproxy": haproxy_pid}) if haproxy_pid else None
        if sampler is None:
            print(f"note: server process on port {port} not found: no RSS/thread/CPU figures")
        for s in (sampler, proxy_sampler):
            if s:
                s.start()
        started = time.perf_counter()
        busy0 = _machine_busy()
        deadline = time.monotonic() + args.timeout
        results: list[Result | None] = [None] * args.sessions
        client_cpu0 = resource.getrusage(resource.RUSAGE_SELF)

        phases = Phases(args.sessions, sampler.cpu_now, deadline) if args.phased and sampler else None

        def worker(i: int) -> None:
            if args.ramp:
                time.sleep(args.ramp * i / args.sessions)
            results[i] = run_session(i, port, args.seed, args.action_timeout, deadline, args.think, phase=phases)

        threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(args.sessions)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()) + 5)
        wall = time.perf_counter() - started
        busy = _machine_busy() - busy0
        client_cpu1 = resource.getrusage(resource.RUSAGE_SELF)
        end_rss, end_threads, server_cpu = sampler.stop() if sampler else (0, 0, 0.0)
        proxy_cpu = proxy_sampler.stop()[2] if proxy_sampler else None
        states = deployment.states_text() if deployment else ""
        down_events = (
            len(re.findall(r"^Server \S+ is DOWN", deployment.log("haproxy")[log_start:], re.M)) if deployment else 0
        )
        replica_count = len(sampler.peak_rss_each) if sampler else 0
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        if log is not None:
            log.close()
        if deployment is not None:
            deployment.stop()

    done = [r for r in results if r is not None]
    errors = [f"session {i}: {e}" for i, r in enumerate(results) if r is not None for e in r.errors]
    errors += [f"session {i}: did not finish before the global timeout" for i, r in enumerate(results) if r is None]
    lat = {a: [x for r in done for x in r.latencies[a]] for a in ACTIONS}
    actions = sum(len(v) for v in lat.values())
    verified = sum(r.verified_reruns for r in done)
    skipped = {r.inside_skipped for r in done if r.inside_skipped}
    client_cpu = (client_cpu1.ru_utime + client_cpu1.ru_stime) - (client_cpu0.ru_utime + client_cpu0.ru_stime)
    finals = {r.final_kernel for r in done if r.final_kernel is not None}
    spread: dict[str, int] = {}
    for r in done:
        if r.replicas:
            spread[r.replicas[-1]] = spread.get(r.replicas[-1], 0) + 1

    print(f"\n{args.sessions} sessions against 127.0.0.1:{port}, {os.cpu_count()} CPUs, think {args.think} s")
    print(f"measured at {_git_state()}")
    if deployment is not None or spread:
        print(f"sessions per replica: {', '.join(f'{k} {v}' for k, v in sorted(spread.items())) or '–'}")
    if deployment is not None:
        print(f"HAProxy at the end: {states}; replicas marked DOWN during the run: {down_events}")
    print(f"{'action':<18} {'p50':>8} {'p95':>8} {'max':>8} {'n':>5}")
    for action in ACTIONS:
        v = lat[action]
        if v:
            print(f"{action:<18} {statistics.median(v):8.2f} {_pct(v, 0.95):8.2f} {max(v):8.2f} {len(v):5d}")
        else:
            print(f"{action:<18} {'–':>8} {'–':>8} {'–':>8} {0:5d}")
    print(f"slider reruns verified: {verified}/{args.sessions * SLIDER_MOVES}; distinct final kernels: {len(finals)}")
    for note in sorted(skipped):
        print(f"note: Inside page skipped: {note}")
    print(f"errors: {len(errors)}")
    for e in errors[:20]:
        print(f"  {e}")
    per_action = server_cpu / actions if actions else float("nan")
    if sampler:
        each = ", ".join(f"{k} {v / 2**20:.0f}" for k, v in sorted(sampler.peak_rss_each.items()))
        print(
            f"server: RSS start {sampler.start_rss / 2**20:.0f} MiB, peak {sampler.peak_rss / 2**20:.0f} MiB "
            f"(peak per process: {each} MiB), end {end_rss / 2**20:.0f} MiB; threads start {sampler.start_threads}, "
            f"peak {sampler.peak_threads}, end {end_threads}; CPU {server_cpu:.1f} s over {actions} actions "
            f"= {per_action:.3f} s per action"
        )
    if proxy_cpu is not None:
        print(f"HAProxy CPU {proxy_cpu:.2f} s")
    print(f"client CPU {client_cpu:.1f} s; wall {wall:.1f} s")
    others = busy - server_cpu - client_cpu - (proxy_cpu or 0.0)
    print(
        f"machine: {busy:.1f} CPU s busy of {wall * (os.cpu_count() or 1):.1f} available during the run; "
        f"other processes used ~{max(0.0, others):.1f} s (a shared machine slows the server down)"
    )
    phase_rows = []
    if phases is not None:
        if phases.broken or len(phases.marks) != len(ACTIONS):
            print("phases: a session did not reach a phase's end in time: no CPU per action kind")
        else:
            previous = (started, 0.0)
            for action, mark in zip(ACTIONS, phases.marks):
                n = len(lat[action])
                cpu, seconds = mark[1] - previous[1], mark[0] - previous[0]
                if n:
                    phase_rows.append((action, cpu, n, seconds))
                previous = mark
            print(
                "server CPU per action kind (phased): "
                + "; ".join(f"{a} {c:.1f} s / {n} = {c / n:.3f} s (phase wall {w:.1f} s)" for a, c, n, w in phase_rows)
            )

    p95 = _pct(lat["slider rerun"], 0.95) if lat["slider rerun"] else float("inf")
    ok = not errors and verified == args.sessions * SLIDER_MOVES
    default_label = f"{args.sessions} sessions" + (f", {args.replicas} replicas" if args.replicas else "")
    default_label += (", warm" if args.warm_up else "") + (", phased" if args.phased else "")
    label = args.label or default_label + (f", think {args.think:g} s" if args.think else "")
    print("\n| run | action | p50 | p95 | max | n |")
    print("|---|---|---|---|---|---|")
    for action in ACTIONS:
        print(f"| {label} | {action} | {_row(lat[action])} |")
    print(
        "\n| run | errors | reruns verified | server RSS peak | server threads peak | server CPU "
        "| CPU per action | wall |"
    )
    print("|---|---|---|---|---|---|---|---|")
    rss = f"{sampler.peak_rss / 2**20:.0f} MiB" if sampler else "–"
    if sampler and replica_count > 1:
        rss += f" ({max(sampler.peak_rss_each.values()) / 2**20:.0f} MiB max per replica)"
    thr = str(sampler.peak_threads) if sampler else "–"
    print(
        f"| {label} | {len(errors)} | {verified}/{args.sessions * SLIDER_MOVES} | {rss} | {thr} "
        f"| {server_cpu:.1f} s | {per_action:.3f} s | {wall:.1f} s |"
    )
    if phase_rows:
        print("\n| run | action | server CPU | actions | server CPU per action | phase wall |")
        print("|---|---|---|---|---|---|")
        for action, cpu, n, seconds in phase_rows:
            print(f"| {label} | {action} | {cpu:.1f} s | {n} | {cpu / n:.3f} s | {seconds:.1f} s |")
    if args.sessions <= 30:
        meets = ok and p95 <= 2.0 and (not sampler or sampler.peak_rss <= 1.5e9 * max(1, replica_count))
        print(f"\ntarget (0 errors, p95 slider ≤ 2 s, RSS ≤ 1.5 GB per process): {'met' if meets else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
