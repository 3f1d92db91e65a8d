"""The CLI's output as a Unix tool's: closed pipes, full disks and narrow encodings, never a traceback."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from explorer.__main__ import EXIT_BROKEN_PIPE, EXIT_WRITE_FAILED

ROOT = Path(__file__).resolve().parents[1]
COMMAND = [sys.executable, "-m", "explorer"]

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX pipes and devices")


def env(*, unbuffered=False, **extra):
    """The environment without encoding or buffering settings, nor a Chinese locale (these tests
    read the English messages)."""
    e = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONIOENCODING", "PYTHONUNBUFFERED")
        and not (k in ("LC_ALL", "LC_MESSAGES", "LANG") and v.lower().startswith("zh"))
    }
    return {**e, **({"PYTHONUNBUFFERED": "1"} if unbuffered else {}), **extra}


ARGS = [["torchvision", "--json"], ["--list"], ["paper-2012", "d2l"], ["--help"], ["-h"]]
# a buffered stdout fails at the final flush, an unbuffered one (python -u) at the first write
BUFFERING = pytest.mark.parametrize("unbuffered", [False, True], ids=["buffered", "unbuffered"])


@BUFFERING
@pytest.mark.parametrize("args", ARGS)
def test_a_reader_that_is_already_gone_is_a_quiet_exit_141(args, unbuffered):
    p = subprocess.Popen(
        [*COMMAND, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env(unbuffered=unbuffered)
    )
    p.stdout.close()  # nobody will ever read: every write is EPIPE
    try:
        _, err = p.communicate(timeout=60)
    finally:
        p.kill()
    assert err == b""
    assert p.returncode == EXIT_BROKEN_PIPE == 141


def test_head_closing_early_never_shows_a_traceback():
    # the reported case: `python -m explorer torchvision --json | head -c 600`. That output can fit
    # in the pipe's buffer (then it is all written before head exits: exit 0); 40 copies (~300 KB)
    # cannot, so the writer always meets the closed pipe.
    for specs, expected in ((["torchvision"], {0, EXIT_BROKEN_PIPE}), (["torchvision"] * 40, {EXIT_BROKEN_PIPE})):
        script = f"{' '.join(COMMAND)} {' '.join(specs)} --json | head -c 600 >/dev/null; echo ${{PIPESTATUS[0]}} >&2"
        for attempt in range(10):
            r = subprocess.run(
                ["bash", "-c", script],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=60,
                env=env(unbuffered=attempt % 2 == 1),
            )
            *messages, code = r.stderr.splitlines()
            assert messages == [], messages
            assert int(code) in expected


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@BUFFERING
@pytest.mark.parametrize("args", ARGS)
def test_a_full_disk_is_a_message_and_exit_1(args, unbuffered):
    with open("/dev/full", "w") as full:
        r = subprocess.run(
            [*COMMAND, *args],
            cwd=ROOT,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            env=env(unbuffered=unbuffered),
        )
    assert r.stderr == "cannot write output: No space left on device\n"
    assert r.returncode == EXIT_WRITE_FAILED == 1


def test_a_closed_stdout_is_a_message_and_exit_1():
    r = subprocess.run(
        ["bash", "-c", f"{' '.join(COMMAND)} --list >&-"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=env(),
    )
    assert r.stderr == "cannot write output: standard output is closed\n"
    assert r.returncode == 1


def test_an_ascii_terminal_gets_backslash_escapes():
    r = subprocess.run(
        [*COMMAND, "paper-2012-224"],
        cwd=ROOT,
        capture_output=True,
        timeout=60,
        env=env(PYTHONIOENCODING="ascii"),
    )
    assert r.returncode == 0 and r.stderr == b""
    out = r.stdout.decode("ascii")  # pure ASCII
    assert "\\u230a(224 \\u2212 11)/4\\u230b + 1 = \\u230a53.25\\u230b + 1 = 54" in out
    assert "paper-2012-224  input 3\\xd7224\\xd7224" in out


@pytest.mark.parametrize("encoding", ["ascii", "latin-1", "utf-8"])
def test_json_output_is_valid_json_in_any_encoding(encoding):
    r = subprocess.run(
        [*COMMAND, "paper-2012-224", "--json"],
        cwd=ROOT,
        capture_output=True,
        timeout=60,
        env=env(PYTHONIOENCODING=encoding),
    )
    assert r.returncode == 0 and r.stderr == b""
    docs = json.loads(r.stdout.decode(encoding))
    assert docs[0]["layers"][0]["formula"] == "⌊(224 − 11)/4⌋ + 1 = ⌊53.25⌋ + 1 = 54"


def test_an_undecodable_file_name_is_printed_escaped(tmp_path):
    name = os.fsencode(tmp_path) + b"/\xff.json"
    r = subprocess.run([*COMMAND, name], cwd=ROOT, capture_output=True, timeout=60, env=env(PYTHONIOENCODING="utf-8"))
    assert r.returncode == 2 and r.stderr == b""
    assert b"\\udcff.json" in r.stdout and b"Traceback" not in r.stdout
    with open(name, "w") as f:
        f.write("[1]")
    r = subprocess.run([*COMMAND, name], cwd=ROOT, capture_output=True, timeout=60, env=env(PYTHONIOENCODING="utf-8"))
    assert r.returncode == 2 and r.stderr == b""
    assert r.stdout.startswith(os.fsencode(tmp_path) + b"/\\udcff.json\nERROR  a variant must be a JSON object")


def test_main_in_process_with_a_strict_ascii_stream(monkeypatch):
    # a stream that is not a TextIOWrapper cannot be reconfigured; the output still gets through
    from explorer.__main__ import main

    class Strict(io.StringIO):
        encoding = "ascii"

        def write(self, s):
            s.encode("ascii")
            return super().write(s)

    out = Strict()
    monkeypatch.setattr(sys, "stdout", out)
    assert main(["paper-2012-224"]) == 0
    assert "\\u230a(224 \\u2212 11)/4\\u230b + 1" in out.getvalue()
