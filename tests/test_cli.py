"""The CLI, run as a subprocess the way a user runs it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from explorer.__main__ import MAX_FILE_BYTES

ROOT = Path(__file__).resolve().parents[1]


# The CLI speaks Chinese by default under a zh locale; these tests read its English.
ENGLISH_ENV = {
    k: v for k, v in os.environ.items() if not (k in ("LC_ALL", "LC_MESSAGES", "LANG") and v.lower().startswith("zh"))
}


def cli(*args, cwd=ROOT, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "explorer", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=ENGLISH_ENV,
    )


def test_table_for_a_preset():
    r = cli("paper-2012-224")
    assert r.returncode == 0, r.stderr
    assert "⌊(224 − 11)/4⌋ + 1 = ⌊53.25⌋ + 1 = 54" in r.stdout
    assert "total: 49,430,888 params" in r.stdout
    assert r.stderr == ""


def test_json_for_several_specs_in_order(tmp_path):
    cfg = tmp_path / "tiny.json"
    cfg.write_text(
        json.dumps(
            {
                "name": "tiny",
                "input": {"channels": 1, "height": 8, "width": 8},
                "layers": [{"type": "conv", "out_channels": 2, "kernel": 3}, {"type": "flatten"}],
            }
        )
    )
    r = cli("torchvision", str(cfg), "--json")
    assert r.returncode == 0, r.stderr
    docs = json.loads(r.stdout)
    assert [d["name"] for d in docs] == ["torchvision", "tiny"]
    assert docs[0]["total_params"] == 61_100_840 and docs[0]["input"] == [3, 224, 224]
    assert docs[0]["layers"][0]["output"] == [64, 55, 55]
    assert docs[1]["layers"][1] | {} == docs[1]["layers"][1] and docs[1]["layers"][1]["output"] == [72]
    assert docs[1]["total_params"] == 20


def test_invalid_and_missing_specs_exit_2_without_traceback(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    r = cli("paper-2012", "blog-broken-flatten", "no-such-thing", str(bad), "--json")
    assert r.returncode == 2
    assert "Traceback" not in r.stderr + r.stdout
    docs = json.loads(r.stdout)
    assert docs[0]["total_params"] == 60_965_224
    assert docs[1]["name"] == "blog-broken-flatten"
    assert docs[1]["error"]["layer"] == 13
    assert "9,216 arrive" in docs[1]["error"]["message"]
    assert docs[2]["error"]["message"] == "'no-such-thing' is neither a preset nor a file"
    assert docs[3]["error"]["message"].startswith("not valid JSON: Expecting property name")


def test_list_shows_presets_with_totals():
    r = cli("--list")
    assert r.returncode == 0
    assert "paper-2012" in r.stdout and "60,965,224 params" in r.stdout
    assert "blog-broken-flatten" in r.stdout and "invalid" in r.stdout


def test_no_args_is_a_usage_error():
    r = cli()
    assert r.returncode == 2 and "give at least one SPEC" in r.stderr


def test_binary_file_is_refused(tmp_path):
    f = tmp_path / "weights.bin"
    f.write_bytes(b"\xff\xfe\x00\x01" * 10)
    r = cli(str(f))
    assert r.returncode == 2 and "Traceback" not in r.stderr and "cannot read" in r.stdout


NOT_REGULAR_FIX = "       fix: pass a config JSON file; directories, devices and pipes are not read"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_without_opening_it(tmp_path):
    fifo = tmp_path / "config.json"
    os.mkfifo(fifo)
    r = cli(str(fifo), timeout=20)  # opening a FIFO with no writer would block forever
    assert r.returncode == 2 and r.stderr == ""
    assert r.stdout == f"{fifo}\nERROR  {fifo} is not a regular file\n{NOT_REGULAR_FIX}\n"


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_a_device_is_refused(device):
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    r = cli(device, "--json", timeout=20)  # /dev/zero used to be read until MemoryError
    assert r.returncode == 2 and r.stderr == ""
    assert json.loads(r.stdout) == [
        {
            "name": device,
            "error": {
                "layer": None,
                "message": f"{device} is not a regular file",
                "fix": "pass a config JSON file; directories, devices and pipes are not read",
            },
        }
    ]


def test_a_directory_is_refused(tmp_path):
    r = cli(str(tmp_path), timeout=20)
    assert r.returncode == 2 and f"ERROR  {tmp_path} is not a regular file" in r.stdout


def test_an_oversize_file_is_refused(tmp_path):
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (MAX_FILE_BYTES + 1))
    sparse = tmp_path / "sparse.json"
    with open(sparse, "wb") as f:
        f.truncate(10**10)  # claims 10 GB without using the disk
    r = cli(str(big), str(sparse), timeout=20)
    assert r.returncode == 2 and r.stderr == ""
    for path in (big, sparse):
        assert f"{path}\nERROR  {path} is over 800,000 bytes, too large for a config\n" in r.stdout


def test_a_file_at_the_byte_limit_is_read_and_judged_by_characters(tmp_path):
    f = tmp_path / "spaces.json"
    f.write_bytes(b" " * MAX_FILE_BYTES)
    r = cli(str(f), timeout=20)
    assert r.returncode == 2
    assert "ERROR  the config is 800,000 characters, over the limit of 200,000" in r.stdout


def test_a_byte_order_mark_is_skipped(tmp_path):
    f = tmp_path / "bom.json"
    f.write_bytes(b"\xef\xbb\xbf" + json.dumps({"name": "bom", "layers": []}).encode())
    r = cli(str(f))
    assert r.returncode == 0 and r.stdout.startswith("bom  input 3×224×224")


def test_an_mlp_without_convolutions(tmp_path):
    f = tmp_path / "mlp.json"
    f.write_text(
        '{"input":{"channels":1,"height":28,"width":28},"layers":[{"type":"flatten"},{"type":"linear","out_features":10}]}'
    )
    r = cli(str(f))
    assert r.returncode == 0 and r.stderr == ""
    assert "  1  fc1         linear          10                     7,850          7,840" in r.stdout
    assert "total: 7,850 params" in r.stdout
    docs = json.loads(cli(str(f), "--json").stdout)
    assert docs[0]["total_params"] == 7850 and docs[0]["layers"][1]["output"] == [10]


SURROGATE_MESSAGE = (
    "name contains the character U+D800 (a lone surrogate, half of a character pair), which cannot be shown"
)


def test_a_lone_surrogate_in_the_name_is_an_error_in_both_modes(tmp_path):
    f = tmp_path / "s.json"
    f.write_text('{"name":"\\ud800","layers":[]}')  # the 6 characters \ud800 in the file
    r = cli(str(f))
    assert r.returncode == 2 and r.stderr == ""
    assert r.stdout == f"{f}\nERROR  {SURROGATE_MESSAGE}\n       fix: remove the character U+D800 from name\n"
    r = cli(str(f), "--json")
    assert r.returncode == 2 and r.stderr == ""
    assert json.loads(r.stdout)[0]["error"] == {
        "layer": None,
        "message": SURROGATE_MESSAGE,
        "fix": "remove the character U+D800 from name",
    }


def test_a_huge_integer_is_an_error_not_a_traceback(tmp_path):
    f = tmp_path / "big.json"
    f.write_text('{"layers":[{"type":"conv","out_channels":1' + "0" * 5000 + ',"kernel":3}]}')
    r = cli(str(f))
    assert r.returncode == 2 and r.stderr == ""
    assert (
        "ERROR  a number in the config has 5,001 digits (10000000000000000...); numbers must be at most 1,000,000"
        in (r.stdout)
    )


def test_residual_blocks_in_json_and_table():
    r = cli("resnet34-conv3-dashed", "resnet-seed-identity-broken", "--json")
    assert r.returncode == 2 and r.stderr == ""
    ok, broken = json.loads(r.stdout)
    block = ok["layers"][0]
    assert (block["type"], block["output"], block["params"], block["macs"]) == (
        "residual",
        [128, 28, 28],
        230_144,
        179_830_784,
    )
    assert [x["type"] for x in block["body"]] == ["conv", "batchnorm", "relu", "conv", "batchnorm"]
    assert [x["name"] for x in block["shortcut"]] == ["res2a.shortcut.conv1", "res2a.shortcut.bn1"]
    assert block["body"][0]["formula"] == "⌊(56 + 2 − 3)/2⌋ + 1 = ⌊27.5⌋ + 1 = 28"
    assert ok["total_params"] == 230_144 and ok["layers"][1]["name"] == "res2a_relu"
    assert broken["error"]["layer"] == 0 and broken["error"]["layer_type"] == "residual"
    assert "the shortcut passes 64×56×56 unchanged" in broken["error"]["message"]
    table = cli("resnet18").stdout
    assert "  4  res2a             residual        64×56×56              73,984    231,211,008" in table
    assert (
        "       conv1           conv            64×56×56              36,864    115,605,504  ⌊(56 + 2 − 3)/1⌋" in table
    )
    assert "       shortcut        identity" in table
    assert "       shortcut.conv1  conv            128×28×28              8,192      6,422,528" in table
    assert "total: 11,689,512 params" in table
