"""Smoke test of the classroom load test: 2 sessions against a server it starts itself."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_load_test_two_sessions() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "load_test.py"), "--sessions", "2", "--timeout", "90"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=150,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert re.search(r"^errors: 0$", out, re.M), out
    assert "slider reruns verified: 10/10" in out, out
    lines = {
        line.split()[0] + " " + line.split()[1]: line
        for line in out.splitlines()
        if line.startswith(("first", "slider r"))
    }
    assert lines["first load"].split()[-1] == "2", out
    assert lines["slider rerun"].split()[-1] == "10", out
    if (ROOT / "pages" / "1_Inside.py").exists():
        assert re.search(r"^Inside page open .* 2$", out, re.M), out
