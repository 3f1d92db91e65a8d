"""One replica: `python -m deploy.replica [--secret-file F] [--preload M,…] -- APP [streamlit options]`.

supervisord runs this for each replica. It

1. puts the shared cookie secret into its environment (STREAMLIT_SERVER_COOKIE_SECRET, read from
   the secret file unless already set, then starts itself again with it), so the secret is in
   neither a config file nor a command line that `ps` shows;
2. imports the heavy modules the app needs (torch, pandas, plotly, … — `--preload`) before the
   server listens: HAProxy's health check passes only once they are in memory, so no student's
   first page pays ~3 s of imports, and a replica restarted after a crash comes back warm. A module
   that fails to import is reported and skipped (the app will report it properly);
3. runs Streamlit's own command line in this process (`streamlit run APP …`, as `python -m
   streamlit` does), so supervisord stops and restarts Streamlit itself.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
import warnings
from pathlib import Path

from deploy.config import SECRET_ENV, DeployError, read_secret

# Third-party modules and the app's own torch-only library (explorer/ has no Streamlit calls).
DEFAULT_PRELOAD = (
    "numpy,torch,torchinfo,pandas,pyarrow,plotly.graph_objects,matplotlib.figure,PIL.Image,segno,"
    "explorer.analysis,explorer.build,explorer.figures,explorer.export"
)


def preload(names: list[str]) -> list[str]:
    """Import each module; return the messages of those that failed."""
    failed = []
    for name in names:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                importlib.import_module(name)
        except Exception as exc:  # any import error: report it, let the app fail properly
            failed.append(f"{name}: {type(exc).__name__}: {exc}")
    return failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.replica", description=__doc__.split("\n\n")[0])
    parser.add_argument("--secret-file", type=Path, help="file holding server.cookieSecret")
    parser.add_argument(
        "--preload", default=DEFAULT_PRELOAD, help="modules to import before the server starts (comma-separated)"
    )
    parser.add_argument("streamlit_args", nargs=argparse.REMAINDER, help="-- APP [streamlit run options]")
    args = parser.parse_args(argv)
    rest = args.streamlit_args[1:] if args.streamlit_args[:1] == ["--"] else args.streamlit_args
    if not rest:
        parser.error("give the app and Streamlit's options after --")
    if not os.environ.get(SECRET_ENV):
        if args.secret_file is None:
            parser.error(f"no --secret-file and no ${SECRET_ENV}: replicas would not share a cookie secret")
        try:
            os.environ[SECRET_ENV] = read_secret(args.secret_file)
        except DeployError as exc:
            print(f"deploy.replica: {exc}", file=sys.stderr)
            return 2
        # Start again with the secret in the process's own environment (what /proc/PID/environ,
        # readable by its owner only, shows and what a child process would inherit): same pid.
        own = sys.argv[1:] if argv is None else argv
        os.execv(sys.executable, [sys.executable, "-m", "deploy.replica", *own])
    names = [n.strip() for n in args.preload.split(",") if n.strip()]
    started = time.perf_counter()
    for message in preload(names):
        print(f"deploy.replica: preload skipped {message}", file=sys.stderr)
    print(f"deploy.replica: preloaded {len(names)} modules in {time.perf_counter() - started:.1f} s", flush=True)

    from streamlit.web.cli import main as streamlit_main

    sys.argv = ["streamlit", "run", *rest]
    streamlit_main(prog_name="streamlit")
    return 0


if __name__ == "__main__":
    sys.exit(main())
