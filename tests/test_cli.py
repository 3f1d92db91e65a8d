"""The CLI, run as a subprocess the way a user runs it."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cli(*args, cwd=ROOT):
    return subprocess.run(
        [sys.executable, "-m", "explorer", *args], cwd=cwd, capture_output=True, text=True, timeout=120
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
