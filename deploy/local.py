"""A deployment on this machine for tests and the load test: start, inspect, stop.

`LocalDeployment(replicas=2, data_dir=...)` runs `python -m deploy` (supervisord in the foreground,
as a person would) on free loopback ports, waits until HAProxy and every replica answer, and gives
the pids (from supervisorctl), HAProxy's view of its servers (`show stat` on the stats socket) and
the logs. `stop()` shuts supervisord down and then kills, by pid, anything it left behind.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from deploy.config import ROOT, Settings, find_program, port_free

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def free_port_range(n: int, avoid: set[int] = frozenset()) -> int:
    """A base port with base … base+n−1 all free on 127.0.0.1."""
    rng = random.Random()
    for _ in range(200):
        base = rng.randrange(20000, 60000 - n)
        ports = range(base, base + n)
        if not avoid.intersection(ports) and all(port_free(HOST, p) for p in ports):
            return base
    raise RuntimeError(f"no {n} consecutive free ports found")


def _get(url: str, timeout: float = 2.0) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.read()
    except OSError:
        return None


class LocalDeployment:
    def __init__(
        self,
        *,
        replicas: int,
        data_dir: str | os.PathLike[str],
        app: str = "app.py",
        env: dict[str, str] | None = None,
        extra_args: list[str] | None = None,
        output: str | os.PathLike[str] | None = None,
    ) -> None:
        self.replicas = replicas
        self.data_dir = Path(data_dir).resolve()
        self.port = free_port()
        self.base_port = free_port_range(replicas, avoid={self.port})
        self.app = app
        self.env = {**os.environ, **(env or {})}
        self.extra_args = extra_args or []
        self.output_path = Path(output) if output else self.data_dir / "deploy-stdout.log"
        self.proc: subprocess.Popen | None = None
        self._seen_pids: set[int] = set()
        # The same paths `python -m deploy` derives from these settings.
        self.settings = Settings(
            port=self.port,
            replicas=replicas,
            base_port=self.base_port,
            address=HOST,
            data_dir=self.data_dir,
            app=app,
            haproxy="haproxy",
            supervisord="supervisord",
        )
        self.names = self.settings.names
        self.replica_ports = dict(zip(self.names, self.settings.replica_ports))

    # --- life cycle ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "deploy",
            "--replicas",
            str(self.replicas),
            "--port",
            str(self.port),
            "--base-port",
            str(self.base_port),
            "--address",
            HOST,
            "--data-dir",
            str(self.data_dir),
            "--app",
            self.app,
            *self.extra_args,
        ]

    def start(self, timeout: float = 120.0) -> LocalDeployment:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.output_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.output_path, "w") as out:
            self.proc = subprocess.Popen(
                self.command(), cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 120.0) -> None:
        """Until HAProxy answers and reports every replica UP."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"python -m deploy exited with {self.proc.returncode}:\n{self.output()}")
            states = self.server_states() if self.settings.run_dir.joinpath("haproxy.sock").exists() else {}
            if len(states) == self.replicas and all(s.startswith("UP") for s in states.values()):
                if _get(self.url + "/_stcore/health") == b"ok":
                    self.pids()  # remember them for stop()
                    return
            time.sleep(0.3)
        raise RuntimeError(
            f"the deployment was not ready within {timeout:.0f} s:\n{self.output()}\n{self.states_text()}"
        )

    def stop(self) -> None:
        """Shut supervisord down (it stops the replicas and HAProxy), then kill leftovers by pid."""
        with contextlib.suppress(Exception):
            self.pids()
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(Exception):
                self.ctl("shutdown", timeout=30)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        for pid in self._seen_pids:
            if _alive_child_of_us(pid):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)

    def __enter__(self) -> LocalDeployment:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- inspection ---------------------------------------------------------------------------

    def ctl(self, *args: str, timeout: float = 30) -> str:
        ctl = find_program("supervisorctl", "supervisor")
        done = subprocess.run(
            [ctl, "-c", str(self.settings.supervisord_conf), *args], capture_output=True, text=True, timeout=timeout
        )
        return done.stdout + done.stderr

    def pid(self, program: str) -> int | None:
        """The pid supervisord reports for `r0`, `r1`, … or `haproxy` (None when not running)."""
        name = f"replicas:{program}" if program in self.names else program
        text = self.ctl("pid", name).strip()
        if text.isdigit() and int(text) > 0:
            self._seen_pids.add(int(text))
            return int(text)
        return None

    def pids(self) -> dict[str, int | None]:
        return {name: self.pid(name) for name in [*self.names, "haproxy"]}

    def haproxy_command(self, command: str) -> str:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(5)
            s.connect(str(self.settings.run_dir / "haproxy.sock"))
            s.sendall(command.encode() + b"\n")
            chunks = []
            while chunk := s.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def server_states(self) -> dict[str, str]:
        """HAProxy's status of each replica: "UP", "DOWN", "UP 1/2" (going down), "NOLB", …"""
        try:
            text = self.haproxy_command("show stat")
        except OSError:
            return {}
        rows = csv.DictReader(io.StringIO(text.lstrip("# ")))
        return {r["svname"]: r["status"] for r in rows if r.get("pxname") == "replicas" and r["svname"] in self.names}

    def states_text(self) -> str:
        return ", ".join(f"{k}: {v}" for k, v in self.server_states().items())

    def wait_state(self, name: str, want: str, timeout: float = 60.0) -> float:
        """Seconds until HAProxy reports `name` in state `want` ("UP" or "DOWN")."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if self.server_states().get(name, "").split(" ")[0] == want:
                return time.monotonic() - start
            time.sleep(0.1)
        raise TimeoutError(f"{name} not {want} within {timeout:.0f} s ({self.states_text()})")

    def log(self, program: str) -> str:
        path = self.settings.log_dir / f"{program}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def output(self) -> str:
        return self.output_path.read_text(errors="replace") if self.output_path.exists() else ""


def _alive_child_of_us(pid: int) -> bool:
    """Whether `pid` still runs one of the processes this deployment started (not a recycled pid)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmd = f.read().split(b"\0")
    except OSError:
        return False
    return any(part.endswith((b"haproxy", b"streamlit", b"deploy.replica")) for part in cmd)
