"""The CLI and the engine's messages in Chinese: the same numbers and formulas as in English, the
JSON keys unchanged, and one cached error that reads in either language."""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from explorer.__main__ import environment_language, main
from explorer.analysis import Analysis, analyse
from explorer.i18n import catalog, using
from explorer.presets import PRESETS
from explorer.spec import SpecError, Variant, variant_from_json
from tests.i18n_check import has_chinese

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ("LC_ALL", "LC_MESSAGES", "LANG")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
FORMULA = re.compile(r"[⌊⌈]\([^)]*\)/\d+[⌋⌉] \+ 1 = [⌊⌈][\d.…]+[⌋⌉] \+ 1 = \d+")


def cli(*args: str, timeout: int = 120, **locale: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI with no locale set but the one given (LANG="zh_CN.UTF-8", …)."""
    env = {k: v for k, v in os.environ.items() if k not in LOCALE} | locale
    return subprocess.run(
        [sys.executable, "-m", "explorer", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env
    )


def numbers(text: str) -> Counter[str]:
    return Counter(NUMBER.findall(text))


def both(*args: str) -> tuple[str, str]:
    en, zh = cli(*args, "--lang", "en"), cli(*args, "--lang", "zh")
    assert en.returncode == zh.returncode and en.stderr == zh.stderr == ""
    return en.stdout, zh.stdout


# --- the table --------------------------------------------------------------------------------


def test_the_table_in_chinese_has_the_same_numbers_and_formulas():
    en, zh = both("paper-2012-224")
    header = zh.splitlines()[1]
    for word in ("层", "类型", "输出", "参数量", "乘加运算", "公式"):
        assert word in header, header
    assert "输入 3×224×224" in zh.splitlines()[0]
    assert "合计：参数量 49,430,888" in zh
    assert numbers(en) == numbers(zh)
    assert FORMULA.findall(en) == FORMULA.findall(zh) and "⌊(224 − 11)/4⌋ + 1 = ⌊53.25⌋ + 1 = 54" in zh
    # the remainders: what conv1's division leaves over, in words
    remainder_en = next(line for line in en.splitlines() if line.strip().startswith("213 = 4·53 + 1"))
    remainder_zh = next(line for line in zh.splitlines() if line.strip().startswith("213 = 4·53 + 1"))
    assert has_chinese(remainder_zh) and not has_chinese(remainder_en)
    assert numbers(remainder_en) == numbers(remainder_zh)


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def test_chinese_headings_stay_over_their_columns():
    _en, zh = both("torchvision")
    lines = zh.splitlines()
    header, row = lines[1], lines[3]  # row 0: conv1
    # the params and MACs columns are right-aligned: headings end where the numbers end
    for heading, value in (("参数量", "23,296"), ("乘加运算", "70,276,800")):
        assert display_width(header[: header.index(heading) + len(heading)]) == display_width(
            row[: row.index(value) + len(value)]
        )


@pytest.mark.parametrize("name", ["resnet18", "resnet34-conv3-dashed", "caffe-bvlc", "vgg16", "lenet-5"])
def test_every_kind_of_table_keeps_its_numbers(name):
    en, zh = both(name)
    assert numbers(en) == numbers(zh) and FORMULA.findall(en) == FORMULA.findall(zh)
    assert has_chinese(zh)


def test_an_identity_shortcut_is_named_in_chinese():
    _en, zh = both("resnet18")
    assert "  shortcut" in zh and "恒等映射" in zh


# --- errors -----------------------------------------------------------------------------------


def test_an_invalid_preset_prints_its_error_and_fix_in_chinese():
    en, zh = both("blog-broken-flatten")
    error = next(line for line in zh.splitlines() if line.startswith("错误"))
    fix = next(line for line in zh.splitlines() if "修改方法：" in line)
    assert error == "错误  fc6（linear）：它期望 256 个输入特征，但到达的是 9,216 个（256×6×6 = 9,216）"
    assert fix.strip().startswith("修改方法：把 in_features 设为 9,216")
    assert "到达的输入：一个含 9,216 个特征的展平向量" in zh
    assert "ERROR  fc6 (linear): it expects 256 input features but 9,216 arrive" in en
    assert numbers(en) == numbers(zh)


def test_a_missing_file_and_a_bad_json_file_in_chinese(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "x", "layers": [{"type": "conv", "out_channels": 4, "kernel": 0}]}')
    en, zh = (cli("no-such-thing", str(bad), "--lang", lang) for lang in ("en", "zh"))
    assert en.returncode == zh.returncode == 2
    assert "'no-such-thing' 既不是预设，也不是文件" in zh.stdout
    assert "错误  第 0 层（conv）的 kernel 至少为 1，实际为 0" in zh.stdout
    assert "修改方法：把 kernel 设为有效的值" in zh.stdout
    assert numbers(en.stdout) == numbers(zh.stdout)


def test_usage_and_write_errors_in_chinese():
    r = cli("--lang", "zh")
    assert r.returncode == 2 and "错误：请至少给出一个 SPEC" in r.stderr and r.stderr.startswith("用法：")
    if os.path.exists("/dev/full"):
        with open("/dev/full", "w") as full:
            r = subprocess.run(
                [sys.executable, "-m", "explorer", "--list", "--lang", "zh"],
                cwd=ROOT,
                stdout=full,
                stderr=subprocess.PIPE,
                text=True,
                timeout=60,
            )
        assert r.returncode == 1 and r.stderr.startswith("无法写出输出：")


def test_an_unknown_language_is_a_usage_error():
    r = cli("paper-2012", "--lang", "fr")
    assert r.returncode == 2 and r.stdout == ""
    assert "--lang" in r.stderr and "invalid choice: 'fr'" in r.stderr and "'zh'" in r.stderr
    assert "Traceback" not in r.stderr


# --- --json and --list ------------------------------------------------------------------------


def keys(value: object) -> object:
    """The document's shape: every key, every list's length, no text."""
    if isinstance(value, dict):
        return {k: keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [keys(v) for v in value]
    return type(value).__name__


def values(value: object) -> list[object]:
    """Every number (and None, bool) in the document, in order."""
    if isinstance(value, dict):
        return [x for v in value.values() for x in values(v)]
    if isinstance(value, list):
        return [x for v in value for x in values(v)]
    return [] if isinstance(value, str) else [value]


def test_json_keeps_its_keys_and_numbers_with_messages_in_chinese():
    en, zh = both("paper-2012-224", "blog-broken-flatten", "resnet-seed-identity-broken", "--json")
    docs_en, docs_zh = json.loads(en), json.loads(zh)
    assert keys(docs_en) == keys(docs_zh) and values(docs_en) == values(docs_zh)
    assert docs_zh[0]["layers"][0]["formula"] == docs_en[0]["layers"][0]["formula"]
    assert has_chinese(docs_zh[0]["layers"][0]["remainder"]) and not has_chinese(docs_en[0]["layers"][0]["remainder"])
    for doc in docs_zh[1:]:
        error = doc["error"]
        assert has_chinese(error["message"]) and has_chinese(error["fix"]) and has_chinese(error["arrived"])
        assert error["layer_type"] in ("linear", "residual")  # data, not words: never translated
    assert docs_zh[2]["error"]["arithmetic"] == "128×28×28 ≠ 64×56×56：残差相加要求两者形状相同"


def test_list_in_chinese():
    en, zh = both("--list")
    assert "paper-2012            3×227×227   参数量 60,965,224" in zh
    assert "blog-broken-flatten" in zh and "无效" in zh
    assert "2012 年论文中的双 GPU 网络" in zh
    assert numbers(en) == numbers(zh)


def test_help_in_chinese_says_where_the_default_comes_from():
    r = cli("--help", "--lang", "zh")
    assert r.returncode == 0 and r.stdout.startswith("用法：python -m explorer")
    assert "用算术分析 AlexNet 的各种变体。" in r.stdout and "LANG" in r.stdout and "--lang {en,zh}" in r.stdout
    en = cli("--help")
    assert "default: zh when LC_ALL, LC_MESSAGES or LANG starts with zh" in " ".join(en.stdout.split())


# --- the default language ---------------------------------------------------------------------


def test_the_locale_chooses_the_default_and_lang_overrides_it():
    assert "参数量" in cli("lenet-5", LANG="zh_CN.UTF-8").stdout
    assert "参数量" in cli("lenet-5", LC_ALL="zh_TW.UTF-8", LANG="en_US.UTF-8").stdout
    assert "params" in cli("lenet-5", LC_ALL="en_US.UTF-8", LANG="zh_CN.UTF-8").stdout  # LC_ALL wins
    assert "params" in cli("lenet-5", "--lang", "en", LANG="zh_CN.UTF-8").stdout
    assert "参数量" in cli("lenet-5", "--lang=zh").stdout
    assert "params" in cli("lenet-5").stdout
    assert environment_language({"LANG": "zh_CN.UTF-8"}) == "zh"
    assert environment_language({"LC_MESSAGES": "en_GB", "LANG": "zh_CN"}) == "en"
    assert environment_language({}) == "en"


def test_main_in_process_leaves_the_language_as_it_was(capsys):
    assert main(["lenet-5", "--lang", "zh"]) == 0
    assert "合计：参数量 61,706" in capsys.readouterr().out
    assert str(analyse(PRESETS["blog-broken-flatten"]).error.message).startswith("fc6 (linear)")


# --- one cached error, two languages ------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def cached_analysis(variant: Variant) -> Analysis:
    return analyse(variant)


def test_an_invalid_variant_renders_in_both_languages_from_the_same_cached_object():
    with using("zh"):  # computed first under Chinese: the cache holds data, not Chinese text
        a = cached_analysis(PRESETS["resnet-seed-identity-broken"])
        zh = a.error.to_dict()
        zh_text = str(a.error)
    with using("en"):
        assert cached_analysis(PRESETS["resnet-seed-identity-broken"]) is a
        en = a.error.to_dict()
        assert str(a.error.message) == (
            "res2a (residual): the body gives 128×28×28, the shortcut passes 64×56×56 unchanged, "
            "so the two cannot be added"
        )
        assert f"{a.error.fix}".startswith("give the shortcut a 1×1 conv with stride 2 and 128 outputs")
        assert str(a.error).startswith("res2a (residual)") and " Fix: " in str(a.error)
    assert zh["message"] == "res2a（residual）：主路径输出 128×28×28，捷径连接原样传递 64×56×56，两者无法相加"
    assert has_chinese(zh["fix"]) and has_chinese(zh["arrived"]) and "修改方法：" in zh_text
    assert zh.keys() == en.keys() and zh["layer"] == en["layer"] == 0
    for field in ("message", "arrived", "arithmetic", "fix"):
        assert numbers(zh[field]) == numbers(en[field]), field
    assert all(not has_chinese(v) for v in en.values() if isinstance(v, str))


def test_a_config_error_and_a_link_notice_render_in_both_languages():
    with pytest.raises(SpecError) as info:
        variant_from_json('{"layers": [{"type": "conv", "out_channels": 4, "kernel": 3, "groups": 0}]}')
    error = info.value.error
    with using("zh"):
        assert str(error.message) == "第 0 层（conv）的 groups 至少为 1，实际为 0"
        assert str(info.value).startswith("第 0 层")
    assert str(error.message) == "layer 0 (conv) groups must be at least 1, got 0"
    assert error.message.render("zh").startswith("第 0 层")  # a Message: data, rendered on demand
    from explorer.share import decode_query

    with using("zh"):
        _variant, notice = decode_query({"v": "!!!"})
    assert notice == "无法读取链接中的变体：它不是有效的 base64 编码。从原处重新打开链接，或选择一个预设"


def test_preset_descriptions_and_kind_labels_follow_the_language():
    from explorer.kinds import KINDS, kind_info

    description = PRESETS["paper-2012-224"].description
    with using("zh"):
        assert str(description).startswith("同一个网络") and kind_info("maxpool").label == "最大池化"
        assert PRESETS["paper-2012-224"].to_dict(compact=False)["description"].startswith("同一个网络")
    assert str(description).startswith("The same network") and kind_info("maxpool").label == "max pooling"
    assert kind_info("maxpool").word == "max pooling"  # the key, the same in every language
    assert all(info.word in catalog("zh") for info in KINDS.values())
