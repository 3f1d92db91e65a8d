"""Classroom load test: N simultaneous browser-like sessions against one local Streamlit server.

    python bench/load_test.py --sessions 30                # starts its own server on a free loopback port
    python bench/load_test.py --sessions 30 --port 8501    # an already running server on 127.0.0.1:8501

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

While it runs, a thread samples the server's process tree every 0.2 s from /proc (VmRSS and Threads
summed over the server and its children). It only talks to 127.0.0.1 and stops by itself
(--timeout, default 300 s). Output: a text summary and a Markdown table for BENCHMARKS.md.
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


@dataclass
class Result:
    """Everything one session measured."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {a: [] for a in ACTIONS})
    errors: list[str] = field(default_factory=list)
    verified_reruns: int = 0
    inside_skipped: str | None = None
    final_kernel: int | None = None


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

    def connect(self) -> None:
        base = f"http://{HOST}:{self.port}"
        with urllib.request.urlopen(f"{base}/_stcore/health", timeout=self.timeout) as response:
            cookie_header = response.headers.get("set-cookie") or ""
        match = re.search(r"_streamlit_xsrf=([^;]+)", cookie_header)
        token = match.group(1) if match else None
        self.ws = websocket.create_connection(
            f"ws://{HOST}:{self.port}/_stcore/stream",
            subprotocols=["streamlit", token or "PLACEHOLDER_AUTH_TOKEN"],
            origin=base,
            cookie=f"_streamlit_xsrf={token}" if token else None,
            timeout=self.timeout,
        )
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


def run_session(index: int, port: int, seed: int, timeout: float, deadline: float, think: float) -> Result:
    result = Result()
    rng = random.Random(seed * 100_003 + index)
    session = Session(port, timeout, deadline)
    try:
        session.connect()
        first = session.rerun(page_name="")
        result.latencies["first load"].append(first.seconds)
        _check_run(first, result, "first load")
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
    return result


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


def _cpu_seconds(pids: list[int]) -> float:
    total = 0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError), open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


class Sampler(threading.Thread):
    """Polls the server's process tree: peak RSS, peak threads."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_rss = self.peak_threads = 0
        self.start_rss, self.start_threads = self.sample()
        self.cpu_start = _cpu_seconds(_process_tree(pid))
        self.stop_event = threading.Event()

    def sample(self) -> tuple[int, int]:
        rss = threads = 0
        for pid in _process_tree(self.pid):
            r, t = _status(pid)
            rss, threads = rss + r, threads + t
        self.peak_rss = max(self.peak_rss, rss)
        self.peak_threads = max(self.peak_threads, threads)
        return rss, threads

    def run(self) -> None:
        while not self.stop_event.wait(self.interval):
            self.sample()

    def stop(self) -> tuple[int, int, float]:
        self.stop_event.set()
        self.join()
        end_rss, end_threads = self.sample()
        return end_rss, end_threads, _cpu_seconds(_process_tree(self.pid)) - self.cpu_start


# --- report -----------------------------------------------------------------------------------


def _pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def _row(values: list[float]) -> str:
    if not values:
        return "– | – | – | 0"
    return f"{statistics.median(values):.2f} s | {_pct(values, 0.95):.2f} s | {max(values):.2f} s | {len(values)}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=30, help="simultaneous sessions (1..500)")
    parser.add_argument("--port", type=int, help="use a running server on 127.0.0.1:PORT instead of starting one")
    parser.add_argument("--server-pid", type=int, help="pid of that server (default: found from the port)")
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
    parser.add_argument("--label", default="", help="label of the Markdown table's row")
    args = parser.parse_args(argv)
    if not 1 <= args.sessions <= 500:
        parser.error("--sessions must be 1..500")

    proc = None
    port = args.port or _free_port()
    log = None
    if args.port is None:
        log = tempfile.NamedTemporaryFile("w", prefix="load_test_server_", suffix=".log", delete=False)
        print(f"server log: {log.name}")
        cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
        cmd += ["--server.port", str(port), "--server.address", HOST]
        for option in args.server_option:
            name, _, value = option.partition("=")
            cmd += [f"--{name.removeprefix('--')}", value]
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_healthy(port, proc, 60)
        server_pid = proc.pid if proc is not None else (args.server_pid or _pid_listening_on(port))
        if not INSIDE_FILE.exists():
            print(f"note: {INSIDE_FILE.relative_to(ROOT)} does not exist: the Inside page action is skipped")
        sampler = Sampler(server_pid) if server_pid else None
        if sampler is None:
            print(f"note: server process on port {port} not found: no RSS/thread figures")
        else:
            sampler.start()
        started = time.perf_counter()
        deadline = time.monotonic() + args.timeout
        results: list[Result | None] = [None] * args.sessions
        client_cpu0 = resource.getrusage(resource.RUSAGE_SELF)

        def worker(i: int) -> None:
            if args.ramp:
                time.sleep(args.ramp * i / args.sessions)
            results[i] = run_session(i, port, args.seed, args.action_timeout, deadline, args.think)

        threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(args.sessions)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()) + 5)
        wall = time.perf_counter() - started
        client_cpu1 = resource.getrusage(resource.RUSAGE_SELF)
        end_rss, end_threads, server_cpu = sampler.stop() if sampler else (0, 0, 0.0)
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        if log is not None:
            log.close()

    done = [r for r in results if r is not None]
    errors = [f"session {i}: {e}" for i, r in enumerate(results) if r is not None for e in r.errors]
    errors += [f"session {i}: did not finish before the global timeout" for i, r in enumerate(results) if r is None]
    lat = {a: [x for r in done for x in r.latencies[a]] for a in ACTIONS}
    verified = sum(r.verified_reruns for r in done)
    skipped = {r.inside_skipped for r in done if r.inside_skipped}
    client_cpu = (client_cpu1.ru_utime + client_cpu1.ru_stime) - (client_cpu0.ru_utime + client_cpu0.ru_stime)
    finals = {r.final_kernel for r in done if r.final_kernel is not None}

    print(f"\n{args.sessions} sessions against 127.0.0.1:{port}, {os.cpu_count()} CPUs, think {args.think} s")
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
    if sampler:
        print(
            f"server: RSS start {sampler.start_rss / 2**20:.0f} MiB, peak {sampler.peak_rss / 2**20:.0f} MiB, "
            f"end {end_rss / 2**20:.0f} MiB; threads start {sampler.start_threads}, peak {sampler.peak_threads}, "
            f"end {end_threads}; CPU {server_cpu:.1f} s"
        )
    print(f"client CPU {client_cpu:.1f} s; wall {wall:.1f} s")

    p95 = _pct(lat["slider rerun"], 0.95) if lat["slider rerun"] else float("inf")
    ok = not errors and verified == args.sessions * SLIDER_MOVES
    label = args.label or f"{args.sessions} sessions" + (f", think {args.think:g} s" if args.think else "")
    print("\n| run | action | p50 | p95 | max | n |")
    print("|---|---|---|---|---|---|")
    for action in ACTIONS:
        print(f"| {label} | {action} | {_row(lat[action])} |")
    print("\n| run | errors | reruns verified | server RSS peak | server threads peak | server CPU | wall |")
    print("|---|---|---|---|---|---|---|")
    rss = f"{sampler.peak_rss / 2**20:.0f} MiB" if sampler else "–"
    thr = str(sampler.peak_threads) if sampler else "–"
    print(
        f"| {label} | {len(errors)} | {verified}/{args.sessions * SLIDER_MOVES} | {rss} | {thr} "
        f"| {server_cpu:.0f} s | {wall:.1f} s |"
    )
    target = args.sessions <= 30
    if target:
        meets = ok and p95 <= 2.0 and (not sampler or sampler.peak_rss <= 1.5e9)
        print(f"\ntarget (0 errors, p95 slider ≤ 2 s, RSS ≤ 1.5 GB): {'met' if meets else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
