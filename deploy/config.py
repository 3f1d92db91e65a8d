"""The deployment's settings and the files written from them: haproxy.cfg and supervisord.conf.

Everything here is pure (paths and text) except `ensure_cookie_secret` and `write_configs`, which
write into the data directory; nothing starts a process (see `deploy.__main__`).
"""

from __future__ import annotations

import os
import re
import resource
import secrets
import shlex
import shutil
import socket
import string
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = Path(__file__).resolve().parent / "templates"
DATA_DIR_ENV = "ALEXNET_DATA_DIR"
SECRET_ENV = "STREAMLIT_SERVER_COOKIE_SECRET"
COOKIE_NAME = "alexnet_replica"
SECRET_FILE = "cookie_secret"
# An AF_UNIX socket path must fit in sun_path (108 bytes on Linux, with its NUL).
MAX_SOCKET_PATH = 100


class DeployError(Exception):
    """A setting or a missing program that stops the deployment before anything starts."""


def cpu_count() -> int:
    """Cores this process may run on (affinity and cgroup cpusets included)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def default_data_dir() -> Path:
    """$ALEXNET_DATA_DIR, else $XDG_CACHE_HOME/alexnet-explorer, else ~/.cache/alexnet-explorer.

    The app must resolve the same default for its SQLite database (see README, "Running it for a
    lecture hall"); the deployment always passes ALEXNET_DATA_DIR explicitly to every replica.
    """
    if os.environ.get(DATA_DIR_ENV):
        return Path(os.environ[DATA_DIR_ENV]).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache).expanduser() / "alexnet-explorer"


def fd_limit() -> int:
    """File descriptors supervisord (and so HAProxy and the replicas) may ask for: its `minfds`."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    hard = 65536 if hard == resource.RLIM_INFINITY else hard
    return max(soft, min(65536, hard))


@dataclass(frozen=True)
class Settings:
    port: int = 8501
    replicas: int = field(default_factory=cpu_count)
    base_port: int | None = None  # replica i listens on 127.0.0.1:(base_port + i); default port + 1
    address: str = "0.0.0.0"
    data_dir: Path = field(default_factory=default_data_dir)
    app: str = "app.py"
    python: str = sys.executable
    cookie_secret_file: Path | None = None  # default <data_dir>/cookie_secret
    check_inter_ms: int = 1000
    check_fall: int = 2
    haproxy: str = "haproxy"
    supervisord: str = "supervisord"
    extra_env: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if not 1 <= self.replicas <= 256:
            raise DeployError(f"--replicas must be 1..256, not {self.replicas}")
        for p in (self.port, self.first_replica_port, self.first_replica_port + self.replicas - 1):
            if not 1 <= p <= 65535:
                raise DeployError(f"port {p} is outside 1..65535")
        if self.port in self.replica_ports:
            raise DeployError(f"the proxy port {self.port} is one of the replicas' ports {self.replica_ports}")
        if self.check_inter_ms < 100 or self.check_fall < 1:
            raise DeployError("health checks need an interval of at least 100 ms and fall ≥ 1")
        if len(str(self.run_dir / "supervisor.sock")) > MAX_SOCKET_PATH:
            raise DeployError(f"the data directory's path is too long for a unix socket: {self.run_dir}")

    @property
    def first_replica_port(self) -> int:
        return self.base_port if self.base_port is not None else self.port + 1

    @property
    def replica_ports(self) -> list[int]:
        return [self.first_replica_port + i for i in range(self.replicas)]

    @property
    def names(self) -> list[str]:
        return [f"r{i}" for i in range(self.replicas)]

    @property
    def run_dir(self) -> Path:
        return Path(self.data_dir).resolve() / "deploy"

    @property
    def log_dir(self) -> Path:
        return self.run_dir / "logs"

    @property
    def haproxy_cfg(self) -> Path:
        return self.run_dir / "haproxy.cfg"

    @property
    def supervisord_conf(self) -> Path:
        return self.run_dir / "supervisord.conf"

    @property
    def secret_file(self) -> Path:
        return Path(self.cookie_secret_file or Path(self.data_dir).resolve() / SECRET_FILE)

    @property
    def url(self) -> str:
        host = "localhost" if self.address in ("0.0.0.0", "::", "") else self.address
        return f"http://{host}:{self.port}"

    def replica_env(self, name: str) -> dict[str, str]:
        """What every replica gets besides supervisord's own environment."""
        env = {
            DATA_DIR_ENV: str(Path(self.data_dir).resolve()),
            "ALEXNET_REPLICA": name,
            "PYTHONUNBUFFERED": "1",
            # XSRF stays on whatever a local config says; the secret comes from deploy.replica.
            "STREAMLIT_SERVER_ENABLE_XSRF_PROTECTION": "true",
            "STREAMLIT_SERVER_HEADLESS": "true",
            "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
            # A Streamlit installed with `pip --target` refuses --server.port in development mode.
            "STREAMLIT_GLOBAL_DEVELOPMENT_MODE": "false",
        }
        if "OMP_NUM_THREADS" not in os.environ:
            # N replicas share the cores: one torch forward pass should not take all of them.
            env["OMP_NUM_THREADS"] = str(max(1, cpu_count() // self.replicas))
        env.update(dict(self.extra_env))
        return env


# --- the cookie secret ----------------------------------------------------------------------------


def ensure_cookie_secret(settings: Settings) -> str:
    """Where the replicas' shared server.cookieSecret comes from, creating the file if needed.

    $STREAMLIT_SERVER_COOKIE_SECRET wins when set (every replica inherits it); otherwise the secret
    file (default <data dir>/cookie_secret), generated once with 64 hex digits, mode 0600, and kept:
    a restart keeps every signed cookie valid.
    """
    if os.environ.get(SECRET_ENV):
        return f"${SECRET_ENV}"
    path = settings.secret_file
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32) + "\n")
    read_secret(path)  # refuse an unusable one now, not in every replica
    return str(path)


def read_secret(path: Path) -> str:
    try:
        text = Path(path).read_text().strip()
    except OSError as exc:
        raise DeployError(f"cannot read the cookie secret file {path}: {exc.strerror or exc}") from exc
    if len(text) < 32 or not text.isprintable() or any(c.isspace() for c in text):
        raise DeployError(f"the cookie secret in {path} must be one word of at least 32 printable characters")
    return text


# --- the files ------------------------------------------------------------------------------------


def _sv(value: str) -> str:
    """A value for supervisord's config: it %-interpolates every value (a program's
    stdout_logfile twice: escape that one twice)."""
    return value.replace("%", "%%")


def _sv_command(args: list[str]) -> str:
    return _sv(shlex.join(args))


def _sv_env(env: dict[str, str]) -> str:
    for key in env:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise DeployError(f"not an environment variable name: {key!r}")
    parts = []
    for key, value in env.items():
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        parts.append(f'{key}="{_sv(escaped)}"')
    return ",".join(parts)


def _render(name: str, **values: object) -> str:
    template = string.Template((TEMPLATES / name).read_text())
    return template.substitute({k: str(v) for k, v in values.items()})


def haproxy_config(settings: Settings) -> str:
    if any(c.isspace() for c in str(settings.run_dir)):
        raise DeployError(f"HAProxy's config cannot hold a path with spaces: {settings.run_dir}")
    servers = "\n".join(
        f"    server {name} 127.0.0.1:{port} cookie {name}"
        for name, port in zip(settings.names, settings.replica_ports)
    )
    # Each proxied connection holds two descriptors (client and replica side).
    maxconn = max(256, min(20000, (fd_limit() - 256) // 2))
    address = f"[{settings.address}]" if ":" in settings.address else settings.address
    return _render(
        "haproxy.cfg.tmpl",
        replicas=settings.replicas,
        maxconn=maxconn,
        run_dir=settings.run_dir,
        address=address,
        port=settings.port,
        cookie_name=COOKIE_NAME,
        check_inter_ms=settings.check_inter_ms,
        check_fall=settings.check_fall,
        servers=servers,
    )


def replica_command(settings: Settings, port: int) -> list[str]:
    secret = [] if os.environ.get(SECRET_ENV) else ["--secret-file", str(settings.secret_file)]
    return [
        settings.python,
        "-m",
        "deploy.replica",
        *secret,
        "--",
        settings.app,
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
    ]


def supervisord_config(settings: Settings, *, foreground: bool = True) -> str:
    programs = []
    for name, port in zip(settings.names, settings.replica_ports):
        programs.append(
            f"""
[program:{name}]
command={_sv_command(replica_command(settings, port))}
directory={_sv(str(ROOT))}
environment={_sv_env(settings.replica_env(name))}
priority=100
autostart=true
autorestart=true
; a replica must stay up this long to count as started (torch and the app import first)
startsecs=3
startretries=10
stopsignal=TERM
stopwaitsecs=15
stopasgroup=true
killasgroup=true
redirect_stderr=true
stdout_logfile={_sv(_sv(str(settings.log_dir / f"{name}.log")))}
stdout_logfile_maxbytes=20MB
stdout_logfile_backups=3
"""
        )
    return _render(
        "supervisord.conf.tmpl",
        replicas=settings.replicas,
        conf=_sv(str(settings.supervisord_conf)),
        run_dir=_sv(str(settings.run_dir)),
        log_dir=_sv(str(settings.log_dir)),
        program_log_dir=_sv(_sv(str(settings.log_dir))),
        root=_sv(str(ROOT)),
        nodaemon="true" if foreground else "false",
        minfds=fd_limit(),
        program_names=",".join(settings.names),
        programs="".join(programs),
        haproxy=_sv(shlex.quote(settings.haproxy)),
    )


def write_configs(settings: Settings, *, foreground: bool = True) -> tuple[Path, Path]:
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(settings.run_dir, 0o700)
    for path, text in (
        (settings.haproxy_cfg, haproxy_config(settings)),
        (settings.supervisord_conf, supervisord_config(settings, foreground=foreground)),
    ):
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(text)
        os.replace(tmp, path)
    return settings.haproxy_cfg, settings.supervisord_conf


# --- checks before starting -----------------------------------------------------------------------


def find_program(name: str, package: str) -> str:
    found = shutil.which(name) or next(
        (str(p) for d in ("/usr/sbin", "/usr/bin", "/sbin") if (p := Path(d) / name).is_file()), None
    )
    if found is None:
        raise DeployError(f"{name} not found: install it, e.g. `sudo apt-get install {package}`")
    return found


def port_free(address: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        try:
            s.bind((address, port))
        except OSError:
            return False
    return True


def busy_ports(settings: Settings) -> list[str]:
    busy = [] if port_free(settings.address, settings.port) else [f"{settings.address}:{settings.port}"]
    busy += [f"127.0.0.1:{p}" for p in settings.replica_ports if not port_free("127.0.0.1", p)]
    return busy
