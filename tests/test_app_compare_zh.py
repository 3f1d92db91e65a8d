"""The Compare page in 中文 with two, three and four variants: no English words left (technical
tokens aside) in the summary, the folded explanations, the tables, the charts and the exports, and
the same numbers as in English."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.i18n_check import english_words, has_chinese
from tests.test_app_i18n import page_texts

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "2_Compare.py")
CASES = {
    "two-dropout-before-vs-after": "torchvision,paper-2012",
    "two-keras-seed-d2l": "keras-seed,d2l",
    "three-default": "paper-2012,torchvision,keras-seed",
    "four": "paper-2012,torchvision,keras-seed,d2l",
    "three-with-an-invalid-one": "paper-2012,blog-broken-flatten,torchvision",
}
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")  # "1," at the end of a clause is 1


def run(query: str, lang: str) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    for lazy in ("compare_explanations_open", "compare_slides_open", "compare_images_open"):
        at.session_state[lazy] = True  # Compare's lazy expanders: test what they hold
    at.query_params["lang"] = lang
    at.query_params["compare"] = query
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def everything(at: AppTest) -> list[tuple[str, str]]:
    """What a reader sees: page_texts, plus the tables' cells, the charts' words and the exports."""
    out = page_texts(at)
    for frame in at.dataframe:
        out.extend(("table cell", str(v)) for v in frame.value.to_numpy().ravel())
    for chart in at.get("plotly_chart"):
        spec = chart.proto.spec
        out.append(("chart", spec))
    for code in at.code:
        if "compare=" not in code.value:  # the page's link
            out.append(("export", code.value))
    for img in at.get("image"):
        out.extend(("image caption", i.caption) for i in img.proto.imgs)
    return out


def chart_words(spec: str) -> list[str]:
    """The words in a plotly spec that a reader sees: titles, legend names (the JSON's keys aside)."""
    import json

    fig = json.loads(spec)
    words = [t.get("name", "") for t in fig["data"]] + [str(x) for t in fig["data"] for x in t.get("x", [])]
    layout = fig["layout"]
    words.append(layout["title"]["text"])
    words.append(layout["yaxis"]["title"]["text"])
    words.extend(str(t) for t in layout["yaxis"].get("ticktext", []))
    return words


def leftovers(at: AppTest) -> list[tuple[str, str, list[str]]]:
    found = []
    for where, text in everything(at):
        if where == "chart":
            for word in chart_words(text):
                if english_words(word):
                    found.append((where, word, english_words(word)))
            continue
        if where == "export":
            text = "\n".join(line for line in text.splitlines() if not line.startswith("\\"))  # LaTeX commands
            text = re.sub(r"\\textbf|\\times|\\midrule|\\toprule|\\bottomrule", " ", text)
        words = english_words(html.unescape(text))
        if words:
            found.append((where, text[:140], words))
    return found


@pytest.mark.parametrize("query", CASES.values(), ids=CASES.keys())
def test_compare_in_chinese_has_no_english_left(query):
    at = run(query, "zh")
    left = leftovers(at)
    assert not left, "\n".join(f"{w}: {t!r} → {ws}" for w, t, ws in left[:40])
    # the folded explanations are there (AppTest sees an expander's content without opening it)
    (folded,) = [e for e in at.expander if e.label.startswith("逐项差异及其解释")]
    blocks = [html.unescape(m.value) for m in folded.markdown]
    assert blocks and all(has_chinese(b) for b in blocks)
    prose = " ".join(str(m.value) for m in at.markdown)
    assert sum(has_chinese(ch) for ch in prose) >= 200


def numbers(at: AppTest) -> dict[str, list[str]]:
    """Every number per place: summary and explanations, metrics, tables, captions, exports."""
    marks = [html.unescape(m.value) for m in at.markdown]
    variants = next(i for i, m in enumerate(marks) if m.startswith("- **"))  # the presets' own lines aside
    return {
        "markdown": sorted(NUMBER.findall(" ".join(m for i, m in enumerate(marks) if i != variants))),
        "metrics": [m.value for m in at.metric],
        "tables": [NUMBER.findall(" ".join(map(str, d.value.to_numpy().ravel()))) for d in at.dataframe],
        "captions": sorted(NUMBER.findall(" ".join(html.unescape(c.value) for c in at.caption))),
        "exports": [NUMBER.findall(c.value) for c in at.code],
    }


@pytest.mark.parametrize("query", CASES.values(), ids=CASES.keys())
def test_compare_in_chinese_has_the_same_numbers(query):
    en, zh = numbers(run(query, "en")), numbers(run(query, "zh"))
    for place in en:
        assert en[place] == zh[place], place


def test_dropout_before_vs_after_in_chinese():
    at = run("torchvision,paper-2012", "zh")
    text = "\n".join(html.unescape(m.value) for m in at.markdown)
    assert (
        "丢弃层的位置不同 —— 在 torchvision 中放在全连接层之前（dropout → fc，torchvision 的顺序）；"
        "在 paper-2012 中放在 ReLU 之后（fc → ReLU → dropout，Caffe 的顺序）。" in text
    )
    assert "输入：3×224×224 / 3×227×227；但从 conv1 起，各变体的特征图尺寸都一样。" in text


def test_keras_seed_and_d2l_in_chinese():
    at = run("keras-seed,d2l", "zh")
    text = "\n".join(html.unescape(m.value) for m in at.markdown)
    assert "参数量：50,820,776 / 46,764,746（是 keras-seed 的 1.000× / 0.920×）。差别最大的是 fc8：4.1M / 41K。" in text
    assert "fc8：特征数 1,000 vs 10，参数量 4.1M vs 41K —— 输出特征数 1000 vs 10" in text.replace(
        "*keras-seed vs d2l*: ", "fc8："
    )
    table = at.dataframe[0].value.set_index("层")
    assert table.loc["fc8", "d2l"] == "● 10 · ● 40,970 · ● 41K"
    csv = at.get("download_button")[0]
    assert csv.key == "compare_dl_csv"
    codes = [c.value for c in at.code]
    assert codes[1].splitlines()[0] == "| 层 | keras-seed | d2l |"
    assert codes[1].splitlines()[-2] == "| 总参数量 | 50,820,776 (1.000×) | 46,764,746 (0.920×) |"
