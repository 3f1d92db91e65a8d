"""The catalogs: every key used in the source is translated, with the same placeholders, once."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from explorer import i18n
from explorer.i18n import N_, Message, _, catalog, placeholders, using
from tests.i18n_check import english_words, has_chinese

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted(
    [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py"), *(ROOT / "explorer").glob("*.py")]
)
MARKERS = {"_", "N_", "gettext", "Message"}


def keys_in(path: Path) -> list[tuple[int, str]]:
    """(line, key) for every literal first argument of _(), N_(), gettext() and Message() in `path`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        first = node.args[0]
        if name in MARKERS and isinstance(first, ast.Constant) and isinstance(first.value, str):
            found.append((node.lineno, first.value))
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_key_in_the_source_has_a_chinese_translation(path):
    zh = catalog("zh")
    missing = [f"{path.name}:{line}: {key!r}" for line, key in keys_in(path) if key not in zh]
    assert not missing, "untranslated keys:\n" + "\n".join(missing)


def test_catalog_modules_agree():
    catalog("zh")
    assert not i18n.CONFLICTS, [f"{k!r}: {a} vs {b}" for k, a, b in i18n.CONFLICTS]


@pytest.mark.parametrize("key", sorted(catalog("zh")))
def test_same_placeholders_and_real_chinese(key):
    text = catalog("zh")[key]
    assert placeholders(text) == placeholders(key), (key, text)
    # Chinese prose, unless the key is only technical tokens, numbers and symbols.
    assert has_chinese(text) or not english_words(key), (key, text)


def test_english_is_the_key_and_numbers_do_not_change():
    key = N_("fc6 sees {n:,} features")
    with using("en"):
        assert _(key, n=6400) == "fc6 sees 6,400 features"
    with using("zh"):  # an unknown key falls back to English, numbers formatted the same
        assert "6,400" in _(key, n=6400)


def test_message_renders_in_the_language_that_asks():
    zh = catalog("zh")
    key = next(k for k in zh if not placeholders(k))
    m = Message(key)
    assert m.render("en") == key and m.render("zh") == zh[key]
    with using("zh"):
        assert str(m) == zh[key]


def test_language_tags():
    assert i18n.normalize_language("zh-CN") == "zh"
    assert i18n.normalize_language("zh_Hant_TW") == "zh"
    assert i18n.normalize_language("en-GB") == "en"
    assert i18n.normalize_language("fr") is None
    assert i18n.normalize_language(None) is None
    with pytest.raises(ValueError, match="use one of: en, zh"):
        i18n.set_language("klingon")


def test_glossary_has_the_issues_terms():
    from explorer.glossary import TERMS, term

    zh = {t.zh for t in TERMS}
    for word in ["卷积层", "卷积核", "步幅", "填充", "膨胀", "分组卷积", "池化层", "重叠池化", "特征图", "感受野",
                 "局部响应归一化（LRN）", "全连接层", "参数量", "乘加运算（MACs）", "激活内存", "展平", "批量归一化", "自适应平均池化"]:
        assert word in zh, word
    assert "汇聚层" in next(t.note_zh for t in TERMS if t.key == "pooling")
    assert term("stride", "zh") == "步幅" and term("stride", "en") == "stride"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_nothing_rebinds_the_gettext_underscore(path):
    """`for _ in …` or `_, x = …` in a module that translates with `_` breaks every later `_()` call
    in that function (UnboundLocalError): use another throwaway name there."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imports = any(
        isinstance(n, ast.ImportFrom) and n.module and n.module.endswith("i18n") and any(a.name == "_" for a in n.names)
        for n in ast.walk(tree)
    )
    if not imports:
        return
    bad = [
        n.lineno
        for n in ast.walk(tree)
        if isinstance(n, ast.Name) and n.id == "_" and isinstance(n.ctx, ast.Store)
    ]
    assert not bad, f"{path.name} rebinds _ at lines {bad}"
