"""The Build page in 中文 through its states (invalid variant, the 227 story, every tab, a residual
preset, presenting mode): no English words left outside the technical tokens, and every number the
same as in English. Plus the downloads: a Chinese CSV and the slide files with and without a CJK font."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from explorer import fonts
from explorer.analysis import analyse
from explorer.export import table_csv
from explorer.figures import diagram_image
from explorer.i18n import Message, _, using
from explorer.presets import PRESETS
from tests.i18n_check import english_words, has_chinese
from tests.test_app_i18n import page_texts

APP = "../app.py"
NUMBER = re.compile(r"\d(?:[\d,.]*\d)?")  # "1," at a sentence's comma is 1 (Chinese writes "1，")
TABS = ["Layers", "Diagram", "Parameters & compute", "Forward pass", "Share & export"]


def fresh(lang: str, **query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["classifier_open"] = True  # a lazy expander: check its widgets' words too
    at.query_params["lang"] = lang
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_tab(at: AppTest, tab: str) -> AppTest:
    """Open a tab by its English id (the page turns it into the label of the session's language)."""
    at.session_state["build_tab"] = tab
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def not_ours(at: AppTest) -> set[str]:
    """Texts other modules render and test themselves: the preset's description (explorer/presets.py),
    presenting mode's CSS (ui/__init__.py) and the engine's error box (explorer/spec.py, analysis.py)."""
    from ui import md

    with using("zh"):
        described = {md(_(v.description)) for v in PRESETS.values()}
    return described | {str(e.value) for e in at.error}


def texts(at: AppTest) -> list[tuple[str, str]]:
    """Everything page_texts reads, plus help texts, metric help, download labels and chart text."""
    out = list(page_texts(at))
    for kind in ("button", "checkbox", "number_input", "selectbox", "slider", "toggle", "text_input", "radio"):
        for w in getattr(at, kind):
            if getattr(w, "help", None):
                out.append((f"{kind} {w.key} help", str(w.help)))
    for m in at.metric:
        if m.proto.help:
            out.append(("metric help", m.proto.help))
    for b in at.get("download_button"):
        out.append(("download", b.proto.label))
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        title = spec.get("layout", {}).get("title", {})
        out.append(("chart title", str(title.get("text", "") if isinstance(title, dict) else title)))
        out.append(("chart axis", str(spec.get("layout", {}).get("yaxis", {}).get("title", {}).get("text", ""))))
        for trace in spec.get("data", []):
            if trace.get("name") not in (None, "labels", "hover"):
                out.append(("chart legend", str(trace["name"])))
            if trace.get("mode") == "text":
                out.extend(("diagram label", str(t)) for t in trace.get("text", []))
    return out


def leftovers(at: AppTest) -> list[str]:
    skip = not_ours(at)
    return [
        f"{where}: {text[:120]!r} → {words}"
        for where, text in texts(at)
        if text not in skip and not text.startswith("<style>") and (words := english_words(text))
    ]


def assert_chinese(at: AppTest) -> None:
    left = leftovers(at)
    assert not left, "\n".join(left[:40])
    prose = " ".join(
        str(e.value) for kind in ("markdown", "caption", "info", "warning", "success") for e in getattr(at, kind)
    )
    assert sum(has_chinese(ch) for ch in prose) >= 20, prose[:300]


def numbers(at: AppTest) -> list[str]:
    """The numbers of the main area's prose and metrics, sidebar aside (help texts differ in wording)."""
    prose = [str(e.value) for kind in ("warning", "success", "info") for e in getattr(at, kind)]
    prose += [str(e.value) for e in at.main.markdown if not str(e.value).startswith("<style>")]
    found = sorted(NUMBER.findall(" ".join(prose)))
    return found + [m.value for m in at.metric]


def table_values(at: AppTest) -> list[list[str]]:
    """The numbers of every table, row by row (the words in a cell, "invalid" or "● new", are translated)."""
    frames = [el.value for el in at.dataframe] + [el.value for el in at.table]
    frames = [f.data if hasattr(f, "data") else f for f in frames]  # a Styler's frame
    return [NUMBER.findall(" ".join(map(str, row))) for frame in frames for row in frame.itertuples(index=False)]


# --- the page's states in both languages ---------------------------------------------------------


STATES = {
    "default": ({}, None),
    "invalid (16×16)": ({}, "invalid"),
    "the 224 story": ({"preset": "paper-2012-224"}, None),
    "resnet18": ({"preset": "resnet18"}, None),
    "an invalid preset": ({"preset": "blog-broken-flatten"}, None),
    "presenting": ({"present": "1"}, None),
}


def drive(lang: str, state: str) -> AppTest:
    query, action = STATES[state]
    at = fresh(lang, **query)
    if action == "invalid":
        at.number_input(key="in_size").set_value(16).run()
        at.number_input(key="in_width").set_value(16).run()
        assert not at.exception
    return at


@pytest.mark.parametrize("state", STATES)
def test_every_state_is_chinese_with_the_same_numbers(state):
    zh, en = drive("zh", state), drive("en", state)
    assert_chinese(zh)
    assert numbers(zh) == numbers(en)
    assert table_values(zh) == table_values(en)


@pytest.mark.parametrize("tab", TABS)
@pytest.mark.parametrize("preset", ["paper-2012", "resnet18", "blog-broken-flatten"])
def test_every_tab_in_chinese(tab, preset):
    zh = open_tab(fresh("zh", preset=preset), tab)
    en = open_tab(fresh("en", preset=preset), tab)
    assert zh.session_state["build_tab"] == next(t.label for t in zh.tabs if t.label == zh.session_state["build_tab"])
    assert_chinese(zh)
    assert numbers(zh) == numbers(en)


def test_the_story_in_chinese_and_its_button():
    at = fresh("zh", preset="paper-2012-224")
    story = at.warning[0].value
    assert "⌊(224 − 11)/4⌋ + 1 = ⌊53.25⌋ + 1 = 54" in story
    assert "输入 224 时：**conv1 54** → **pool1 26**" in story and "**展平 6,400** → **fc6 26.2M**" in story
    assert "输入 227 时：conv1 55 → pool1 27" in story and "展平 9,216 → fc6 37.8M" in story
    assert "**少 11,534,336** 个" in story
    assert at.button(key="story_toggle").label == "试试 227 →"
    at.button(key="story_toggle").click().run()
    assert at.session_state["variant"].input.height == 227
    assert at.button(key="story_toggle").label == "← 回到 224"
    assert "**多 11,534,336** 个" in at.success[0].value
    assert_chinese(at)


def test_the_open_tab_stays_open_when_the_language_changes():
    at = open_tab(fresh("en"), "Diagram")
    assert at.toggle(key="diagram_vertical").label == "Vertical layout (phones)"
    at.query_params["lang"] = "zh"
    at.run()
    assert at.session_state["build_tab"] == "结构图"
    assert at.toggle(key="diagram_vertical").label == "竖排布局（手机）"
    at.toggle(key="diagram_vertical").set_value(True).run()
    assert not at.exception and at.get("plotly_chart")


def test_widget_keys_and_option_ids_stay():
    at = fresh("zh")
    assert at.selectbox(key="b0_pool").value == "max"
    assert "最大池化（max）" in at.selectbox(key="b0_pool").options
    at.selectbox(key="b0_pool").set_value("avg").run()
    assert [layer.type for layer in at.session_state["variant"].layers[:4]] == ["conv", "relu", "lrn", "avgpool"]
    at.selectbox(key="preset").set_value("lenet-5").run()
    assert not at.exception
    assert at.metric[0].label == "参数量" and at.metric[0].value == "61,706"


def test_residual_block_controls_in_chinese():
    at = fresh("zh", preset="resnet18")
    at.selectbox(key="edit_block").set_value(3).run()
    assert at.number_input(key="b3_rout").label == "输出通道数（块内每个卷积层）"
    at.checkbox(key="b3_rproj").uncheck().run()
    assert not at.exception and at.error  # the identity shortcut across a stride-2 block
    assert_chinese(at)


def test_forward_pass_in_chinese():
    at = open_tab(fresh("zh", preset="lenet-5"), "Forward pass")
    at.button(key="run_forward").click().run()
    assert not at.exception
    assert any("✅ 每一层的真实形状都与计算结果一致" in m.value for m in at.markdown)
    assert list(at.dataframe[-1].value.columns) == ["层", "预期", "PyTorch", "一致", "ms"]
    assert_chinese(at)


def test_missing_font_is_said_on_the_export_tab(monkeypatch):
    monkeypatch.setattr(fonts, "cjk_font", lambda: None)
    at = open_tab(fresh("zh"), "Share & export")
    (notice,) = [w.value for w in at.warning if "fonts-noto-cjk" in w.value]
    assert "Noto Sans CJK SC" in notice and has_chinese(notice)
    assert_chinese(at)
    en = open_tab(fresh("en"), "Share & export")  # English labels need no CJK font: nothing to say
    assert not [w for w in en.warning if "fonts-noto-cjk" in w.value]


# --- the downloads ----------------------------------------------------------------------------------


def test_chinese_csv_has_chinese_headers_and_the_same_numbers():
    a = analyse(PRESETS["paper-2012"])
    en = list(csv.reader(io.StringIO(table_csv(a))))
    zh_text = table_csv(a, lang="zh")
    assert zh_text.startswith("\ufeff")  # Excel reads UTF-8 only with the mark
    zh = list(csv.reader(io.StringIO(zh_text.lstrip("\ufeff"))))
    macs = Message("MACs").render("zh")  # the engine's catalog says how MACs reads in Chinese
    assert zh[0] == ["#", "层", "类型", "输出", "参数量", "参数占比 %", macs, "MACs 占比 %", "内存（KiB）", "感受野",
                     "跳步（累计步长）"]  # fmt: skip
    assert all(has_chinese(h) or h in ("#", "MACs") for h in zh[0])
    assert zh[1:] == en[1:]  # the same cells, numbers and names, in every language
    assert sum(int(r[4]) for r in zh[1:]) == 60_965_224


def test_slide_files_in_chinese_with_the_font(monkeypatch):
    if fonts.cjk_font() is None:
        pytest.skip("no CJK font installed (Debian: fonts-noto-cjk)")
    a = analyse(PRESETS["paper-2012-224"])
    png = diagram_image(a, "png", lang="zh")
    assert Image.open(io.BytesIO(png)).size == (1920, 1080)
    svg = diagram_image(a, "svg", lang="zh")
    assert b'width="1920px"' in svg
    assert png != diagram_image(a, "png", lang="en")
    assert fonts.missing_font_notice("zh") is None


def test_slide_files_without_a_cjk_font_still_draw(monkeypatch):
    monkeypatch.setattr(fonts, "cjk_font", lambda: None)
    assert fonts.font_family() == ["DejaVu Sans"]
    a = analyse(PRESETS["paper-2012"])
    with _no_glyph_warnings():
        png = diagram_image(a, "png", lang="zh")
        svg = diagram_image(a, "svg", lang="zh")
    assert Image.open(io.BytesIO(png)).size == (1920, 1080) and svg.startswith(b"<?xml")
    notice = fonts.missing_font_notice("zh")
    assert notice is not None
    assert "fonts-noto-cjk" in notice.render("en") and "Noto Sans CJK SC" in notice.render("zh")
    assert has_chinese(notice.render("zh")) and not english_words(notice.render("zh"))
    assert fonts.missing_font_notice("en") is None  # English needs no CJK font


class _no_glyph_warnings:
    """Fail on any "Glyph … missing from font" warning: the page says it once, the log stays clean."""

    def __enter__(self):
        import warnings

        self._catch = warnings.catch_warnings(record=True)
        self._seen = self._catch.__enter__()
        warnings.simplefilter("always")
        return self

    def __exit__(self, *exc):
        self._catch.__exit__(*exc)
        missing = [w for w in self._seen if "missing from font" in str(w.message)]
        assert not missing, missing[:3]
        return False
