"""The Formula page in 中文, driven through its states: each example, invalid settings, ceil mode,
the 2-D view, the sweep and the glossary. No English words are left (technical tokens aside), and
every state shows the same numbers and the same formula strings as in English."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from explorer.glossary import TERMS
from explorer.i18n import using
from explorer.presets import PRESETS
from tests.i18n_check import english_words, has_chinese
from tests.test_app_i18n import PROSE, page_texts

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "3_Formula.py")
NUMBER = re.compile(r"\d[\d,.]*")
FORMULA = re.compile(r"[⌊⌈][^⌋⌉]*[⌋⌉](?: \+ 1)?(?: = [⌊⌈]?[\d.\-…]+[⌋⌉]?(?: \+ 1)?)*")
# TF's padding modes are code, quoted as TF writes them ("VALID", "SAME"); the conventions table
# shows them in the rule column of both languages.
TF_MODES = re.compile(r'"(?:VALID|SAME)"')
# Engine text the Formula page shows but does not own: the analysis' error for an invalid size
# (the sweep table's last column). Its translation belongs to explorer/analysis.py.
NOT_OURS = {"原因"}


def start(lang: str, variant: str | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.query_params["lang"] = lang
    if variant is not None:
        at.session_state["variant"] = PRESETS[variant]
    with using(lang):
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def cells(at: AppTest) -> list[tuple[str, str]]:
    """(where, text) for every table and dataframe cell the reader sees, the glossary aside (it shows
    both languages on purpose; test_glossary_in_both_languages checks it)."""
    out: list[tuple[str, str]] = []
    for i, table in enumerate(at.table):
        frame = table.value
        if "中文" in frame.columns:
            continue
        for column in frame.columns:
            out.extend((f"table {i} {column}", str(v)) for v in frame[column] if isinstance(v, str))
    for frame in (d.value for d in at.dataframe):
        for column in frame.columns:
            if column not in NOT_OURS:
                out.extend((f"dataframe {column}", str(v)) for v in frame[column] if isinstance(v, str))
    return out


def readable(text: str) -> str:
    """What the reader sees: entities decoded (ui.md escapes user text), TF's quoted modes aside."""
    return TF_MODES.sub(" ", html.unescape(text))


def leftovers(at: AppTest) -> list[str]:
    texts = [*page_texts(at), *cells(at), *(("metric value", str(m.value)) for m in at.metric)]
    return [f"{where}: {text[:100]!r} → {words}" for where, text in texts if (words := english_words(readable(text)))]


def prose(at: AppTest) -> str:
    return "\n".join(str(el.value) for kind in PROSE for el in getattr(at, kind))


def numbers(at: AppTest) -> list[str]:
    """Every number in the prose, the metrics and the conventions table (sentence punctuation aside)."""
    texts = [prose(at), *(str(m.value) for m in at.metric)]
    if at.table:
        texts += [str(v) for v in at.table[0].value.iloc[:, 1:4].to_numpy().ravel()]
    return sorted(n.rstrip(",.") for n in NUMBER.findall(html.unescape("\n".join(texts))))


def formulas(at: AppTest) -> list[str]:
    return sorted(f.rstrip(".") for f in FORMULA.findall(prose(at)))  # a sentence's full stop aside


def same_state(step: Callable[[AppTest], object], variant: str | None = None) -> tuple[AppTest, AppTest]:
    """The page in both languages after the same step, each checked for exceptions."""
    pair = []
    for lang in ("zh", "en"):
        at = start(lang, variant)
        # AppTest calls a widget's format_func in this thread too (to find the chosen option):
        # it must translate as the page's script thread does.
        with using(lang):
            step(at)
        assert not at.exception, [e.value for e in at.exception]
        pair.append(at)
    return pair[0], pair[1]


def check(zh: AppTest, en: AppTest) -> None:
    bad = leftovers(zh)
    assert not bad, "\n".join(bad[:30])
    assert sum(has_chinese(ch) for ch in prose(zh)) >= 40
    assert [m.value for m in zh.metric] == [m.value for m in en.metric]  # switching never changes a number
    assert numbers(zh) == numbers(en)
    assert formulas(zh) == formulas(en) and formulas(en)


def click(key: str) -> Callable[[AppTest], object]:
    return lambda at: at.button(key=key).click().run()


@pytest.mark.parametrize("key", ["f_ex_conv1_224", "f_ex_conv1_227", "f_ex_tv_conv1", "f_ex_pool_3_2", "f_ex_pool_2_2"])
def test_each_example_in_chinese(key):
    zh, en = same_state(click(key))
    check(zh, en)
    assert zh.button(key=key).label != en.button(key=key).label


def test_default_224_reads_in_chinese():
    zh, en = same_state(lambda at: None)
    check(zh, en)
    text = prose(zh)
    assert "⌊53.25⌋ = 53, + 1 = 54" in text  # the formula is shared
    assert "213 = 4·53 + 1：余数为 1：输入的最后一行/列（索引 223）不会被任何窗口覆盖。" in text
    assert "**224**：可用但不整除（展平 6,400）：conv1（余 1）、pool1（余 1）、pool2（余 1）、pool5（余 1）。" in text
    assert zh.radio(key="f_kind").options == ["卷积", "最大池化"]
    assert zh.radio(key="f_kind").value == "conv"  # stable ids: the value is the same in both languages
    assert list(zh.table[0].value["尺寸"]) == list(en.table[0].value["size"])


def test_window_too_large_in_chinese():
    zh, en = same_state(lambda at: at.slider(key="f_w").set_value(5).run())
    check(zh, en)
    assert zh.error[0].value.startswith("**窗口放不下。** 11 像素的窗口（K = 11，D = 1）")
    assert zh.info[0].value.startswith('只有 TF `"SAME"` 给出输出（2）')


def test_invalid_pooling_padding_in_chinese():
    def step(at: AppTest) -> None:
        at.button(key="f_ex_pool_2_2").click().run()
        at.slider(key="f_p").set_value(2).run()

    zh, en = same_state(step)
    check(zh, en)
    assert zh.error[0].value.startswith("**池化填充无效。** 池化窗口为 2 时，PyTorch 不接受填充 2")
    assert list(zh.table[0].value["尺寸"]) == ["—", "—", "—", "27", "28", "29", "29"]


def test_ceil_mode_in_chinese():
    def step(at: AppTest) -> None:
        at.button(key="f_ex_pool_2_2").click().run()
        at.checkbox(key="f_ceil").check().run()

    zh, en = same_state(step)
    check(zh, en)
    assert zh.metric[0].value == "28"
    assert "向上取整多出一个窗口，它超出填充后的输入 1 个像素" in prose(zh)


def test_ceil_mode_drop_and_overhang_in_chinese():
    def dropped(at: AppTest) -> None:  # ⌈(5 + 2 − 2)/2⌉ + 1 = 4, the 4th window starts in the padding
        at.button(key="f_ex_pool_2_2").click().run()
        at.checkbox(key="f_ceil").check().run()
        at.slider(key="f_w").set_value(5).run()
        at.slider(key="f_p").set_value(1).run()

    zh, en = same_state(dropped)
    check(zh, en)
    assert "（最后一个窗口会从填充区开始：舍弃）" in prose(zh)

    def overhang(at: AppTest) -> None:  # a 3-pixel window on 2 pixels: ceil_mode still places one
        at.button(key="f_ex_pool_3_2").click().run()
        at.checkbox(key="f_ceil").check().run()
        at.slider(key="f_w").set_value(2).run()

    zh, en = same_state(overhang)
    check(zh, en)
    assert any("ceil_mode 把负的商向上取整成一个窗口" in i.value for i in zh.info)


def test_grid_view_dilation_and_gaps_in_chinese():
    def step(at: AppTest) -> None:
        at.button(key="f_ex_pool_3_2").click().run()
        at.slider(key="f_w").set_value(13).run()
        at.slider(key="f_d").set_value(2).run()
        at.slider(key="f_s").set_value(6).run()

    zh, en = same_state(step)
    check(zh, en)
    assert zh.slider(key="f_pos").label == "窗口位置（按行逐个走遍输出）"
    assert any("平均池化没有膨胀" in c.value for c in zh.caption)
    assert any(i.value.startswith("步幅 6 大于 5 像素的窗口") for i in zh.info)


def test_sweep_of_other_variants_in_chinese():
    def step(at: AppTest) -> None:
        at.selectbox(key="f_variant").set_value("lenet-5").run()
        at.slider(key="f_range").set_value((8, 15)).run()

    zh, en = same_state(step, variant="torchvision")
    check(zh, en)
    assert html.unescape(zh.warning[0].value) == "lenet-5 在 8 到 15 的每个尺寸上都无效：请扩大范围，或换一个变体。"
    assert zh.metric[4].value == en.metric[4].value == "—"
    zh, en = same_state(lambda at: at.toggle(key="f_only_exact").set_value(True).run(), variant="torchvision")
    check(zh, en)
    assert list(zh.dataframe[0].value["输入"]) == list(en.dataframe[0].value["input"]) == [223, 415]
    assert "- 32–62 无效：在 pool5 出错；下表列出每个尺寸的原因。" in prose(zh)
    assert zh.selectbox(key="f_variant").options[0] == "当前变体（来自“构建”页）"


def test_glossary_in_both_languages():
    zh, en = start("zh"), start("en")
    assert zh.expander[0].label == "术语表" and en.expander[0].label == "Glossary"
    zh_table, en_table = zh.table[-1].value, en.table[-1].value
    assert list(zh_table.columns) == ["中文", "英文", "说明"]
    assert list(en_table.columns) == ["English", "中文", "note"]
    assert list(zh_table["中文"]) == list(en_table["中文"]) == [t.zh for t in TERMS]
    assert list(zh_table["英文"]) == list(en_table["English"]) == [t.en for t in TERMS]
    assert "d2l 译作 汇聚层" in list(zh_table["说明"])
