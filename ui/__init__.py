"""Streamlit-only helpers shared by the pages (kept out of explorer/, which never imports streamlit).

Session state:
- "variant": the current `Variant` (set by the Build page, read by every page);
- "saved_variants": {name: Variant} saved on the Build page with "Save to compare".
"""

from __future__ import annotations

import functools
import io
import logging
import urllib.parse
from collections.abc import Callable
from typing import Any

import streamlit as st

from explorer import i18n
from explorer.i18n import N_, _
from explorer.presets import DEFAULT_PRESET, PRESETS
from explorer.spec import Variant, VariantError

__all__ = [
    "CURRENT",
    "callback",
    "choice_label",
    "current_variant",
    "guarded",
    "keep_query",
    "language",
    "md",
    "page_setup",
    "on_phone",
    "presenting",
    "int_in",
    "one_of",
    "restore_from_url",
    "share_panel",
    "sync_widget",
    "show_notices",
    "image_picker",
    "saved_variants",
    "set_current_variant",
    "show_variant_error",
    "sidebar_nav",
    "variant_choices",
]

CURRENT = N_("Current variant (from Build)")  # a stable option id; shown with format_func=_
_log = logging.getLogger("alexnet_explorer")


PAGES = (
    ("app.py", N_("Build"), "🧱"),
    ("pages/1_Inside.py", N_("Inside the network"), "🔬"),
    ("pages/2_Compare.py", N_("Compare variants"), "⚖️"),
    ("pages/3_Formula.py", N_("The formula"), "📐"),
    ("pages/4_Lessons.py", N_("Lessons and class poll"), "🎓"),
)

LANG = "_lang"  # the session's language ("en" or "zh"), kept across pages
LANG_CHOSEN = "_lang_chosen"  # True once chosen by ?lang= or the switch: then the URL carries it too


def language() -> str:
    """The session's language, set for this script run (explorer.i18n reads it).

    `?lang=zh|en` on any page (then kept for the session), else the browser's language
    (`st.context.locale`: zh-* → 中文), else English.
    """
    ss = st.session_state
    asked = i18n.normalize_language(st.query_params.get("lang"))
    if asked is not None:
        ss[LANG], ss[LANG_CHOSEN] = asked, True
    elif i18n.normalize_language(ss.get(LANG)) is None:
        try:
            locale = st.context.locale
        except Exception:  # no browser behind this run (AppTest, bare mode)
            locale = None
        ss[LANG] = i18n.normalize_language(locale) or i18n.DEFAULT_LANGUAGE
    i18n.set_language(ss[LANG])
    return ss[LANG]


def _on_lang() -> None:  # guarded by `callback` at the end of this module
    chosen = i18n.normalize_language(st.session_state.get("lang"))
    if chosen is not None:
        st.session_state[LANG], st.session_state[LANG_CHOSEN] = chosen, True
        st.query_params["lang"] = chosen
        i18n.set_language(chosen)


PRESENT = "_present"  # presenting mode, kept across pages for the session

# Presenting mode: sizes for a 1024×768 projector (headline numbers ≥ 48 px, formulas ≥ 28 px,
# tables ≥ 18 px). Our own static CSS: the only HTML this app ever sends unescaped.
PRESENT_CSS = """<style>
h1 { font-size: 52px !important; }
h2, h3 { font-size: 36px !important; }
[data-testid="stMetricValue"], [data-testid="stMetricValue"] p, [data-testid="stMetricValue"] div {
  font-size: 56px !important; line-height: 1.15 !important; }
[data-testid="stMetricValue"] * { overflow: visible !important; text-overflow: clip !important; white-space: nowrap !important; }
[data-testid="stMetricLabel"] p { font-size: 22px !important; }
[data-testid="stMain"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMain"] [data-testid="stMarkdownContainer"] li { font-size: 24px !important; line-height: 1.45 !important; }
[data-testid="stMain"] [data-testid="stMarkdownContainer"] code { font-size: 28px !important; }
[data-testid="stMain"] [data-testid="stCaptionContainer"] p { font-size: 20px !important; }
[data-testid="stMain"] [data-testid="stTable"] td, [data-testid="stMain"] [data-testid="stTable"] th { font-size: 20px !important; }
[data-testid="stMain"] button p { font-size: 20px !important; }
[data-testid="stMainBlockContainer"] { padding-left: 2rem !important; padding-right: 2rem !important; max-width: 100% !important; }
[data-testid="stMain"] [data-testid="stMetricValue"] [data-testid="stMarkdownContainer"] p { font-size: 56px !important; }
[data-testid="stMain"] [data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"] p { font-size: 22px !important; }
</style>"""


# Phones (≤ 640 px): the four headline numbers two by two instead of one per screen, and room
# between the tabs and a table's toolbar. Static CSS, like PRESENT_CSS.
PHONE_CSS = """<style>
@media (max-width: 640px) {
  [data-testid="stHorizontalBlock"]:has([data-testid="stMetric"]) { flex-flow: row wrap !important; gap: 0.75rem !important; }
  [data-testid="stHorizontalBlock"]:has([data-testid="stMetric"]) > [data-testid="stColumn"] {
    flex: 1 1 calc(50% - 0.75rem) !important; min-width: calc(50% - 0.75rem) !important; width: calc(50% - 0.75rem) !important; }
  [data-testid="stMetricValue"] { font-size: 1.55rem !important; }
  [data-testid="stMetricLabel"] p { font-size: 0.8rem !important; }
  [data-testid="stMain"] [data-testid="stDataFrame"] { margin-top: 2.25rem; }
  h1 { font-size: 2rem !important; }
  [data-testid="stMain"] .katex-display { overflow-x: auto; overflow-y: hidden; }  /* a long formula scrolls */
}
</style>"""


def on_phone() -> bool:
    """A phone's browser (its User-Agent says so): the few controls that matter go in the main area.

    Known from the request's headers, so a desktop pays nothing for the phone's extra widgets.
    """
    try:
        agent = str(st.context.headers.get("User-Agent") or "")
    except Exception:  # no browser behind this run (AppTest)
        return False
    return any(word in agent for word in ("Mobi", "Android", "iPhone", "iPod"))


def presenting() -> bool:
    """Presenting mode: `?present=1` on a session's first page, then the sidebar toggle."""
    ss = st.session_state
    if not isinstance(ss.get(PRESENT), bool):
        ss[PRESENT] = str(st.query_params.get("present", "")).lower() in ("1", "true", "yes", "on")
    return ss[PRESENT]


def _on_present() -> None:  # guarded by `callback` at the end of this module
    value = st.session_state.get("present")
    if isinstance(value, bool):
        st.session_state[PRESENT] = value


def page_setup(title: str, icon: str) -> bool:
    """What every page does first: language, page config, page links, language switch, presenting toggle.

    `title` is the English key (mark it with N_); returns whether presenting mode is on.
    """
    lang = language()
    on = presenting()
    st.set_page_config(
        page_title=f"{_(title)} · AlexNet Explorer",
        page_icon=icon,
        layout="wide",
        initial_sidebar_state="collapsed" if on else "auto",  # controls folded away in front of a class
    )
    sidebar_nav()
    with st.sidebar:
        sync_widget("lang", lang)
        st.segmented_control(
            "Language · 语言",
            list(i18n.LANGUAGES),
            format_func=i18n.LANGUAGES.get,
            key="lang",
            on_change=_on_lang,
            help="English · 中文. Also `?lang=en` or `?lang=zh` in the URL.",
        )
        sync_widget("present", on)
        st.toggle(
            _("Presenting mode"),
            key="present",
            on_change=_on_present,
            help=_("Large type for a projector; the controls fold into this sidebar. Also `?present=1` in the URL."),
        )
    # In the element tree (st.markdown), not st.html's event container: that one is re-mounted after
    # each rerun, so the projector's type flickered back to normal size for a moment.
    st.markdown(PRESENT_CSS if on else PHONE_CSS, unsafe_allow_html=True)
    keep_query()
    return on


def keep_query(params: dict[str, str] | None = None) -> None:
    """Make the URL hold `params` (the page's own state; None keeps what is there) and the session's flags."""
    current = st.query_params.to_dict()
    merged = {k: v for k, v in current.items() if k not in ("present", "lang")} if params is None else dict(params)
    if st.session_state.get(PRESENT):
        merged["present"] = "1"
    if st.session_state.get(LANG_CHOSEN) and st.session_state.get(LANG) in i18n.LANGUAGES:
        merged["lang"] = st.session_state[LANG]
    if current != merged:
        st.query_params.from_dict(merged)


def restore_from_url(fields: dict[str, tuple[str, Callable[[str], Any]]], *, once_key: str) -> None:
    """First run of a page in a session: widget values from `?name=` (each parsed and checked).

    `fields` maps widget key → (query name, parse); parse returns the value or raises
    ValueError/KeyError for anything it does not accept, which is then ignored (the widget keeps its
    default; a hostile link can only fail to set a value).
    """
    if st.session_state.get(once_key):
        return
    st.session_state[once_key] = True
    params = st.query_params
    for key, (name, parse) in fields.items():
        if name in params:
            try:
                st.session_state[key] = parse(str(params[name])[:100])
            except (ValueError, KeyError, TypeError):
                continue


def int_in(lo: int, hi: int) -> Callable[[str], int]:
    """A parser for `restore_from_url`: a whole number in [lo, hi]."""

    def parse(text: str) -> int:
        value = int(text)
        if not lo <= value <= hi:
            raise ValueError(text)
        return value

    return parse


def one_of(options: list[Any]) -> Callable[[str], Any]:
    by_text = {str(o): o for o in options}
    return lambda text: by_text[text]


def share_panel() -> None:
    """The page's link (with its copy button) and a QR code of it, for students' phones."""
    import segno

    base = str(st.context.url or "").split("?")[0]
    query = "&".join(f"{k}={urllib.parse.quote(str(v), safe='')}" for k, v in st.query_params.to_dict().items())
    link = base + ("?" + query if query else "")
    panel = st.sidebar.expander(_("🔗 Link and QR code of this page"), key="share_open", on_change="rerun")
    with panel:
        if not panel.open:  # lazy: a closed panel sends nothing on every rerun
            return
        st.caption(_("The link opens this page as it is now. Copy it with the button at its right."))
        st.code(link, language=None, wrap_lines=True)
        if not st.toggle(_("QR code for phones"), key="share_qr"):
            return
        if len(link) <= 2000:  # a QR code a phone can still read
            buffer = io.BytesIO()
            segno.make(link, error="l").save(buffer, kind="png", scale=4, border=2)
            st.image(buffer.getvalue(), caption=_("Point a phone's camera at it"))
        else:
            st.caption(_("This link is too long for a QR code a phone can read; share it as text."))


def sync_widget(key: str, value: Any) -> None:
    """Write the canonical value into a widget before it is drawn (only when they differ)."""
    ss = st.session_state
    if key not in ss or ss[key] != value or type(ss[key]) is not type(value):
        ss[key] = value


def sidebar_nav() -> None:
    """The page links, named for people (Streamlit's own list would call the Build page "app").

    `client.showSidebarNavigation = false` in .streamlit/config.toml hides the automatic list; every
    page calls this first so the links look the same everywhere, deep links included.
    """
    from streamlit.errors import StreamlitAPIException

    with st.sidebar:
        for path, label, icon in PAGES:
            try:
                st.page_link(path, label=_(label), icon=icon)
            except StreamlitAPIException:
                # A page script run on its own (AppTest) has no page registry to link into.
                return
        st.divider()


def current_variant() -> Variant:
    """The variant the Build page is editing (the default preset before it has run)."""
    variant = st.session_state.get("variant")
    return variant if isinstance(variant, Variant) else PRESETS[DEFAULT_PRESET]


def set_current_variant(variant: Variant) -> None:
    st.session_state["variant"] = variant


def saved_variants() -> dict[str, Variant]:
    return st.session_state.setdefault("saved_variants", {})


def variant_choices() -> dict[str, Variant]:
    """Everything a page may offer: the current variant, saved ones, then the presets."""
    choices: dict[str, Variant] = {CURRENT: current_variant()}
    for name, variant in saved_variants().items():
        choices[f"saved: {name}"] = variant  # a stable id; pages show it with choice_label
    for name, variant in PRESETS.items():
        choices[name] = variant
    return choices


def choice_label(choice: str) -> str:
    """How a `variant_choices` key is shown: translated, user names kept as typed (format_func)."""
    if choice == CURRENT:
        return _(CURRENT)
    if choice.startswith("saved: "):
        return _("saved: {name}", name=choice[len("saved: ") :])
    return choice


def show_variant_error(error: VariantError) -> None:
    """The engine's structured error as one red box: what, where, arithmetic, fix.

    Engine messages quote what the user typed (names, unknown types), so every part is escaped.
    """
    lines = [f"**{md(error.message)}**"]
    if error.arrived:
        lines.append(_("- Arrived: {text}", text=md(error.arrived)))
    if error.arithmetic:
        lines.append(_("- Arithmetic: {text}", text=md(error.arithmetic)))
    if error.fix:
        lines.append(_("- Fix: {text}", text=md(error.fix)))
    st.error("\n".join(lines), icon="🚫")


NOTICES = "_notices"


def notify(kind: str, message: str) -> None:
    """Queue a message (already Markdown-safe) for the next render: kind is info, warning or error."""
    st.session_state.setdefault(NOTICES, []).append((kind, message))


def show_notices() -> None:
    """Show and clear the queued messages (from callbacks, links, uploads)."""
    for kind, message in st.session_state.pop(NOTICES, []):
        getattr(st, kind)(message)


def callback(function: Callable[..., Any]) -> Callable[..., Any]:
    """Guard an `on_change`/`on_click` callback as `guarded` guards a page.

    Streamlit runs callbacks before the script, outside the page's try block: an exception there
    is a red box. Here it is logged for the operator, the session's variant is untouched (callbacks
    commit only at their end), and the student sees one line on the next render.
    """

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            # Callbacks run before the page script sets the language for this run.
            lang = i18n.normalize_language(st.session_state.get(LANG))
            i18n.set_language(lang or i18n.DEFAULT_LANGUAGE)
            return function(*args, **kwargs)
        except Exception as exc:
            _log.exception("callback error in %s", function.__name__)
            notify(
                "warning",
                _(
                    "That change could not be applied ({error}); your variant is kept as it was.",
                    error=exc.__class__.__name__,
                ),
            )
            return None

    return wrapper


# Markdown punctuation, Streamlit's :material/…: and :red[…] directives, KaTeX's $, and what GFM
# auto-links (http://, www., name@host). Each becomes a numeric character reference: CommonMark
# decodes it to the same character as plain text, so it can never start a link, an image, maths,
# a list or a heading, and no backslash is left behind.
_MD_ACTIVE = set("\\`*_[]<>#+-.!|$~:@&")


def md(text: object) -> str:
    """User-supplied text made safe for any Markdown context (st.markdown, caption, info, metric…).

    Renders exactly as typed; newlines become spaces (a name is one line).
    """
    out = []
    for ch in str(text):
        if ch in _MD_ACTIVE:
            out.append(f"&#{ord(ch)};")
        elif ch in "\r\n\t":
            out.append(" ")
        elif 0xD800 <= ord(ch) <= 0xDFFF:
            out.append("\ufffd")  # a lone surrogate cannot be sent to a browser
        else:
            out.append(ch)
    return "".join(out)


def guarded(page: Callable[..., Any]) -> Callable[..., Any]:
    """Last line of defence: an unexpected error becomes a short message, never a traceback.

    Expected bad input is handled where it happens with a specific message; this only catches
    bugs, logs them for the server's operator, and tells the student what to do.
    """

    @functools.wraps(page)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return page(*args, **kwargs)
        except Exception as exc:  # st.rerun()/st.stop() raise BaseException subclasses and pass through
            _log.exception("page error")
            st.warning(
                _(
                    "Something went wrong on this page ({error}). "
                    "Your variant is kept: pick a preset or undo the last change to continue.",
                    error=exc.__class__.__name__,
                )
            )
            return None

    return wrapper


def image_picker(key_prefix: str) -> tuple[Any, str]:
    """Sample photo, synthetic pattern or upload; returns (an RGB PIL image or None, a label).

    Widgets: f"{key_prefix}_source" (radio), f"{key_prefix}_sample", f"{key_prefix}_pattern",
    f"{key_prefix}_upload". An upload is decoded once per file (remembered in session state
    under f"{key_prefix}_upload_memo"); a bad one shows a one-line error and returns (None, "").
    """
    from explorer import images

    sources = [N_("Sample photo"), N_("Pattern"), N_("Upload")]  # stable ids, shown translated
    source = st.radio(_("Image"), sources, format_func=i18n.bind(_), key=f"{key_prefix}_source", horizontal=True)
    if source == "Sample photo":
        name = st.selectbox(
            _("Sample photo"), images.sample_names(), format_func=i18n.bind(_), key=f"{key_prefix}_sample"
        )
        return images.load_sample(name).image, _("sample: {name}", name=_(name))
    if source == "Pattern":
        name = st.selectbox(_("Pattern"), images.PATTERNS, format_func=i18n.bind(_), key=f"{key_prefix}_pattern")
        return images.make_pattern(name), _("pattern: {name}", name=_(name))
    upload = st.file_uploader(
        _("Upload an image (PNG, JPEG, WebP, BMP or GIF, up to 20 MB)"),
        type=["png", "jpg", "jpeg", "webp", "bmp", "gif"],
        key=f"{key_prefix}_upload",
        max_upload_size=20,
    )
    if upload is None:
        st.info(_("Choose an image file, or pick a sample photo or a pattern."))
        return None, ""
    memo_key = f"{key_prefix}_upload_memo"
    ident = (upload.file_id, upload.name, upload.size)
    memo = st.session_state.get(memo_key)
    if memo is None or memo[0] != ident:
        try:
            memo = (ident, images.load_image(upload.getvalue(), upload.name), None)
        except images.ImageError as exc:
            memo = (ident, None, exc)  # rendered when shown: in the reader's language of that moment
        st.session_state[memo_key] = memo
    _ident, loaded, error = memo
    if error is not None:
        st.error(md(str(error)), icon="🚫")
        return None, ""
    if loaded.notes:
        st.caption(md("; ".join(loaded.notes)))
    return loaded.image, _("upload: {name}", name=upload.name)


_on_present = callback(_on_present)
_on_lang = callback(_on_lang)
