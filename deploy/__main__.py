"""Start N replicas of the app behind HAProxy, all run by supervisord: `python -m deploy`.

    python -m deploy                          # N = number of cores, proxy on 0.0.0.0:8501, foreground
    python -m deploy --replicas 4 --port 80 --data-dir /srv/alexnet
    python -m deploy --detach                 # supervisord in the background; then:
    python -m deploy ctl status               # supervisorctl for this deployment (same --data-dir)
    python -m deploy ctl shutdown             # stop the replicas and HAProxy
    python -m deploy --write-only             # write haproxy.cfg and supervisord.conf, start nothing

It writes <data dir>/deploy/haproxy.cfg and supervisord.conf from deploy/templates/, makes sure the
shared cookie secret exists (<data dir>/cookie_secret, generated once), checks the config with
`haproxy -c` and the ports, then hands over to supervisord, which runs the replicas
(`streamlit run app.py` on 127.0.0.1:PORT+1 … PORT+N) and HAProxy on ADDRESS:PORT, and restarts
any of them that exits. Ctrl-C (or SIGTERM) stops everything.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from deploy.config import (
    DATA_DIR_ENV,
    DeployError,
    Settings,
    busy_ports,
    cpu_count,
    default_data_dir,
    ensure_cookie_secret,
    find_program,
    write_configs,
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m deploy",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 1)[1],
    )
    parser.add_argument("--port", type=int, default=8501, help="the port students open (default 8501)")
    parser.add_argument("--address", default="0.0.0.0", help="address HAProxy listens on (default 0.0.0.0)")
    parser.add_argument(
        "--replicas", "-n", type=int, default=None, help=f"number of app processes (default: cores, {cpu_count()})"
    )
    parser.add_argument(
        "--base-port", type=int, help="replica i listens on 127.0.0.1:BASE+i (default: PORT+1, PORT+2, …)"
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help=f"shared state, the cookie secret, configs and logs (default ${DATA_DIR_ENV} or {default_data_dir()})",
    )
    parser.add_argument("--app", default="app.py", help="the Streamlit script, relative to the repository")
    parser.add_argument(
        "--cookie-secret-file", type=Path, help="file holding server.cookieSecret (default DATA_DIR/cookie_secret)"
    )
    parser.add_argument("--check-interval-ms", type=int, default=1000, help="health check interval (default 1000)")
    parser.add_argument("--check-fall", type=int, default=2, help="failed checks that take a replica out (default 2)")
    parser.add_argument("--detach", action="store_true", help="run supervisord in the background and return")
    parser.add_argument("--wait", type=float, default=120.0, help="with --detach: seconds to wait for the proxy")
    parser.add_argument("--write-only", action="store_true", help="write the configs and print their paths")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE", help="extra replica env var")
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    extra = []
    for item in args.env:
        name, sep, value = item.partition("=")
        if not sep:
            raise DeployError(f"--env wants NAME=VALUE, not {item!r}")
        extra.append((name, value))
    return Settings(
        port=args.port,
        replicas=args.replicas if args.replicas is not None else cpu_count(),
        base_port=args.base_port,
        address=args.address,
        data_dir=(args.data_dir or default_data_dir()).expanduser().resolve(),
        app=args.app,
        cookie_secret_file=args.cookie_secret_file,
        check_inter_ms=args.check_interval_ms,
        check_fall=args.check_fall,
        haproxy=find_program("haproxy", "haproxy"),
        supervisord=find_program("supervisord", "supervisor"),
        extra_env=tuple(extra),
    )


def _wait_for_proxy(settings: Settings, limit: float) -> bool:
    url = f"http://{'127.0.0.1' if settings.address in ('0.0.0.0', '') else settings.address}:{settings.port}"
    end = time.monotonic() + limit
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.read() == b"ok":
                    return True
        except OSError:
            time.sleep(0.5)
    return False


def _ctl(argv: list[str]) -> int:
    """`python -m deploy ctl [--data-dir D] ARGS…` → supervisorctl -c D/deploy/supervisord.conf ARGS…"""
    data_dir = default_data_dir()
    if argv[:1] == ["--data-dir"] and len(argv) >= 2:
        data_dir, argv = Path(argv[1]), argv[2:]
    elif argv[:1] and argv[0].startswith("--data-dir="):
        data_dir, argv = Path(argv[0].split("=", 1)[1]), argv[1:]
    conf = data_dir.expanduser().resolve() / "deploy" / "supervisord.conf"
    if not conf.exists():
        print(f"no deployment in {data_dir} (no {conf})", file=sys.stderr)
        return 2
    ctl = find_program("supervisorctl", "supervisor")
    return subprocess.call([ctl, "-c", str(conf), *(argv or ["status"])])


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        if argv[:1] == ["ctl"]:
            return _ctl(argv[1:])
        if argv[:1] == ["start"]:
            argv = argv[1:]
        args = _parser().parse_args(argv)
        settings = settings_from(args)
        secret_source = ensure_cookie_secret(settings)
        haproxy_cfg, supervisord_conf = write_configs(settings, foreground=not args.detach)
        check = subprocess.run([settings.haproxy, "-c", "-q", "-f", str(haproxy_cfg)], capture_output=True, text=True)
        if check.returncode != 0:
            raise DeployError(f"haproxy -c refused {haproxy_cfg}:\n{check.stdout}{check.stderr}")
        if args.write_only:
            print(haproxy_cfg)
            print(supervisord_conf)
            return 0
        busy = busy_ports(settings)
        if busy:
            raise DeployError(
                f"already in use: {', '.join(busy)} (choose --port / --base-port, or stop what uses them)"
            )
        if importlib.util.find_spec("streamlit") is None:
            raise DeployError(f"{settings.python} has no streamlit: pip install -r requirements.txt")
    except DeployError as exc:
        print(f"deploy: {exc}", file=sys.stderr)
        return 2
    print(
        f"deploy: {settings.replicas} replicas on 127.0.0.1:{settings.replica_ports[0]}–{settings.replica_ports[-1]}, "
        f"HAProxy on {settings.address}:{settings.port}; data dir {settings.data_dir} (${DATA_DIR_ENV}); "
        f"cookie secret from {secret_source}; logs in {settings.log_dir}",
        flush=True,
    )
    command = [settings.supervisord, "-c", str(supervisord_conf)]
    if not args.detach:
        print(f"deploy: open {settings.url} — Ctrl-C stops everything", flush=True)
        os.execv(settings.supervisord, command)
    code = subprocess.call(command)
    if code != 0:
        print(f"deploy: supervisord exited with {code}; see {settings.log_dir}/supervisord.log", file=sys.stderr)
        return code
    if not _wait_for_proxy(settings, args.wait):
        print(f"deploy: the proxy did not answer within {args.wait:.0f} s; see {settings.log_dir}", file=sys.stderr)
        return 1
    print(f"deploy: open {settings.url}; stop with `python -m deploy ctl --data-dir {settings.data_dir} shutdown`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
