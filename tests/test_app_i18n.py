"""Every page in AppTest with ?lang=zh and ?lang=en: no English words left on a Chinese page
(technical tokens aside), real Chinese prose, no exception; the numbers the same in both."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.i18n_check import english_words, has_chinese

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["app.py", "pages/1_Inside.py", "pages/2_Compare.py", "pages/3_Formula.py", "pages/4_Lessons.py"]
WIDGETS = [
    "button",
    "checkbox",
    "color_picker",
    "date_input",
    "multiselect",
    "number_input",
    "radio",
    "selectbox",
    "select_slider",
    "slider",
    "text_area",
    "text_input",
    "time_input",
    "toggle",
]
PROSE = ["title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success", "exception"]


def page_texts(at: AppTest) -> list[tuple[str, str]]:
    """(where, text) for everything a reader sees: prose, labels, options, tabs, expanders, metrics, headers."""
    out: list[tuple[str, str]] = []
    for kind in PROSE:
        for el in getattr(at, kind):
            if kind == "markdown" and str(el.value).startswith("<style>"):
                continue  # the page's own CSS (presenting mode, phones), not words
            out.append((kind, str(el.value)))
    for kind in WIDGETS:
        for w in getattr(at, kind):
            out.append((f"{kind} {w.key}", str(w.label)))
            for option in getattr(w, "options", []) or []:
                out.append((f"{kind} {w.key} option", str(option)))
    for kind in ("tabs", "expander"):
        for el in getattr(at, kind):
            out.append((kind, str(el.label)))
    for el in at.metric:
        out.append(("metric", str(el.label)))
    for el in at.dataframe:
        out.extend(("dataframe column", str(c)) for c in el.value.columns)
    for el in at.table:
        out.extend(("table column", str(c)) for c in el.value.columns)
    return out


def run(page: str, lang: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / page), default_timeout=120)
    for lazy in ("compare_explanations_open", "compare_slides_open", "compare_images_open"):
        at.session_state[lazy] = True  # Compare's lazy expanders: test what they hold
    at.query_params["lang"] = lang
    at.run()
    return at


@pytest.mark.parametrize("page", PAGES)
def test_page_in_chinese_has_no_english_left(page):
    at = run(page, "zh")
    assert not at.exception, [e.value for e in at.exception]
    texts = page_texts(at)
    leftovers = [(where, text, words) for where, text in texts if (words := english_words(text))]
    assert not leftovers, "\n".join(f"{w}: {t[:120]!r} → {ws}" for w, t, ws in leftovers[:40])
    prose = " ".join(t for w, t in texts if w in PROSE)
    assert sum(has_chinese(ch) for ch in prose) >= 40, prose[:400]  # real prose, not one label


@pytest.mark.parametrize("page", PAGES)
def test_page_in_english_is_english_and_numbers_match(page):
    en, zh = run(page, "en"), run(page, "zh")
    assert not en.exception and not zh.exception
    en_texts = " ".join(t for _, t in page_texts(en))
    assert not has_chinese(en_texts.replace("语言", "").replace("中文", "")), "Chinese on the English page"
    number = re.compile(r"\d+(?:[.,]\d+)*")
    assert [m.value for m in en.metric] == [m.value for m in zh.metric]  # switching never changes a number
    # ui.md writes Markdown punctuation as &#NN;: compare what the reader sees
    en_numbers = sorted(number.findall(html.unescape(" ".join(str(m.value) for m in en.markdown))))
    zh_numbers = sorted(number.findall(html.unescape(" ".join(str(m.value) for m in zh.markdown))))
    assert en_numbers == zh_numbers
