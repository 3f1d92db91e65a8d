"""Two languages, gettext style: the English text is the message key, parameters are filled in after
translation, so both languages render from the same data and no number depends on the language.

    from explorer.i18n import _, N_
    _("fc6 sees {n:,} features", n=6400)     # rendered now, in the current language
    LABEL = N_("Output size")                 # marked for translation, rendered later with _(LABEL)
    Message("Fix: {fix}", fix=...)            # data: a key and its parameters, rendered on demand

Rules every caller keeps:
- The key is a literal (the catalog test reads them from the source with `ast`, as xgettext does).
- `str.format` is applied only when parameters are given; a key with parameters and literal braces
  (KaTeX) doubles them (`{{`), a key without parameters is shown as written.
- Parameters hold numbers, formulas, layer names and user text; Message parameters are rendered in
  the same language.

The current language is a `ContextVar`: each Streamlit session runs its script in its own thread,
so one student's choice never leaks into another's page. Catalogs are the modules of
`explorer/locales/<lang>/` (one per area of the app), each with a `MESSAGES` dict.
"""

from __future__ import annotations

import contextlib
import importlib
import pkgutil
import string
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "Message",
    "N_",
    "_",
    "bind",
    "catalog",
    "gettext",
    "language",
    "normalize_language",
    "placeholders",
    "set_language",
    "using",
]

LANGUAGES: dict[str, str] = {"en": "English", "zh": "中文"}
DEFAULT_LANGUAGE = "en"

_current: ContextVar[str] = ContextVar("alexnet_explorer_language", default=DEFAULT_LANGUAGE)
_catalogs: dict[str, dict[str, str]] = {}
# (msgid, first module, second module) for a key translated differently in two catalog modules;
# the first one wins, and tests/test_i18n.py fails on any.
CONFLICTS: list[tuple[str, str, str]] = []


def normalize_language(tag: object) -> str | None:
    """'zh', 'zh-CN', 'zh_Hant_TW' → 'zh'; 'en-GB' → 'en'; anything else → None."""
    if not isinstance(tag, str):
        return None
    head = tag.strip().replace("_", "-").split("-")[0].lower()
    return head if head in LANGUAGES else None


def language() -> str:
    return _current.get()


def set_language(lang: str) -> None:
    """Set this thread's language; an unknown tag raises ValueError naming the known ones."""
    code = normalize_language(lang)
    if code is None:
        raise ValueError(f"unknown language {lang!r}; use one of: {', '.join(LANGUAGES)}")
    _current.set(code)


@contextlib.contextmanager
def using(lang: str) -> Iterator[None]:
    """Render in `lang` inside the block (tests, the CLI, a figure for another language)."""
    code = normalize_language(lang)
    if code is None:
        raise ValueError(f"unknown language {lang!r}; use one of: {', '.join(LANGUAGES)}")
    token = _current.set(code)
    try:
        yield
    finally:
        _current.reset(token)


def catalog(lang: str) -> dict[str, str]:
    """{English key: translation} for `lang` ({} for English), loaded once."""
    if lang == DEFAULT_LANGUAGE:
        return {}
    if lang not in _catalogs:
        merged: dict[str, str] = {}
        origin: dict[str, str] = {}
        package = importlib.import_module(f"explorer.locales.{lang}")
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            for key, text in getattr(module, "MESSAGES", {}).items():
                if key in merged and merged[key] != text:
                    CONFLICTS.append((key, origin[key], info.name))
                    continue
                merged.setdefault(key, text)
                origin.setdefault(key, info.name)
        _catalogs[lang] = merged
    return _catalogs[lang]


def _render_param(value: Any, lang: str) -> Any:
    return value.render(lang) if isinstance(value, Message) else value


def gettext(msgid: str, /, **params: Any) -> str:
    """`msgid` in the current language, with `params` filled in (see the module's rules)."""
    return _translate(msgid, language(), params)


def _translate(msgid: str, lang: str, params: dict[str, Any]) -> str:
    template = catalog(lang).get(msgid, msgid) if lang != DEFAULT_LANGUAGE else msgid
    if not params:
        return template
    values = {k: _render_param(v, lang) for k, v in params.items()}
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):  # a broken translation must not hide the figure
        return msgid.format(**values)


_ = gettext


def bind(render: Callable[..., str]) -> Callable[..., str]:
    """`render` fixed to the language current now.

    For a widget's `format_func` and a download's deferred callable: Streamlit (and AppTest) may call
    them from another thread, where this run's language is not set, and the labels must match the
    options drawn in this run.
    """
    lang = language()

    def bound(*args: Any, **kwargs: Any) -> str:
        with using(lang):
            return render(*args, **kwargs)

    return bound


def N_(msgid: str) -> str:
    """Mark a literal for translation without translating it now (gettext_noop)."""
    return msgid


def placeholders(template: str) -> set[str]:
    """The `{names}` a template fills in (format specs and literal `{{ }}` aside)."""
    return {field.split(".")[0].split("[")[0] for _, field, _, _ in string.Formatter().parse(template) if field}


@dataclass(frozen=True)
class Message:
    """A message as data: its key and parameters, rendered in whichever language asks.

    For what the engine computes once and caches (explanations, errors, notes): the cache then
    holds data, and each page renders it in its reader's language.
    """

    key: str
    params: tuple[tuple[str, Any], ...] = ()

    def __init__(self, key: str, /, **params: Any) -> None:
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "params", tuple(sorted(params.items())))

    def render(self, lang: str | None = None) -> str:
        return _translate(self.key, lang or language(), dict(self.params))

    def __str__(self) -> str:
        return self.render()

    def __format__(self, spec: str) -> str:
        return format(self.render(), spec)
