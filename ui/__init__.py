"""Streamlit-only helpers shared by the pages (kept out of explorer/, which never imports streamlit).

Session state:
- "variant": the current `Variant` (set by the Build page, read by every page);
- "saved_variants": {name: Variant} saved on the Build page with "Save to compare".
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

import streamlit as st

from explorer.presets import DEFAULT_PRESET, PRESETS
from explorer.spec import Variant, VariantError

__all__ = [
    "CURRENT",
    "callback",
    "current_variant",
    "guarded",
    "md",
    "show_notices",
    "image_picker",
    "saved_variants",
    "set_current_variant",
    "show_variant_error",
    "sidebar_nav",
    "variant_choices",
]

CURRENT = "Current variant (from Build)"
_log = logging.getLogger("alexnet_explorer")


PAGES = (
    ("app.py", "Build", "🧱"),
    ("pages/1_Inside.py", "Inside the network", "🔬"),
    ("pages/2_Compare.py", "Compare variants", "⚖️"),
    ("pages/3_Formula.py", "The formula", "📐"),
)


def sidebar_nav() -> None:
    """The page links, named for people (Streamlit's own list would call the Build page "app").

    `client.showSidebarNavigation = false` in .streamlit/config.toml hides the automatic list; every
    page calls this first so the links look the same everywhere, deep links included.
    """
    from streamlit.errors import StreamlitAPIException

    with st.sidebar:
        for path, label, icon in PAGES:
            try:
                st.page_link(path, label=label, icon=icon)
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
        choices[f"saved: {name}"] = variant
    for name, variant in PRESETS.items():
        choices[name] = variant
    return choices


def show_variant_error(error: VariantError) -> None:
    """The engine's structured error as one red box: what, where, arithmetic, fix.

    Engine messages quote what the user typed (names, unknown types), so every part is escaped.
    """
    lines = [f"**{md(error.message)}**"]
    if error.arrived:
        lines.append(f"- Arrived: {md(error.arrived)}")
    if error.arithmetic:
        lines.append(f"- Arithmetic: {md(error.arithmetic)}")
    if error.fix:
        lines.append(f"- Fix: {md(error.fix)}")
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
            return function(*args, **kwargs)
        except Exception as exc:
            _log.exception("callback error in %s", function.__name__)
            notify(
                "warning",
                f"That change could not be applied ({exc.__class__.__name__}); your variant is kept as it was.",
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
                f"Something went wrong on this page ({exc.__class__.__name__}). "
                "Your variant is kept: pick a preset or undo the last change to continue."
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

    source = st.radio("Image", ["Sample photo", "Pattern", "Upload"], key=f"{key_prefix}_source", horizontal=True)
    if source == "Sample photo":
        name = st.selectbox("Sample photo", images.sample_names(), key=f"{key_prefix}_sample")
        return images.load_sample(name).image, f"sample: {name}"
    if source == "Pattern":
        name = st.selectbox("Pattern", images.PATTERNS, key=f"{key_prefix}_pattern")
        return images.make_pattern(name), f"pattern: {name}"
    upload = st.file_uploader(
        "Upload an image (PNG, JPEG, WebP, BMP or GIF, up to 20 MB)",
        type=["png", "jpg", "jpeg", "webp", "bmp", "gif"],
        key=f"{key_prefix}_upload",
        max_upload_size=20,
    )
    if upload is None:
        st.info("Choose an image file, or pick a sample photo or a pattern.")
        return None, ""
    memo_key = f"{key_prefix}_upload_memo"
    ident = (upload.file_id, upload.name, upload.size)
    memo = st.session_state.get(memo_key)
    if memo is None or memo[0] != ident:
        try:
            memo = (ident, images.load_image(upload.getvalue(), upload.name), None)
        except images.ImageError as exc:
            memo = (ident, None, str(exc))
        st.session_state[memo_key] = memo
    _, loaded, error = memo
    if error:
        st.error(md(error), icon="🚫")
        return None, ""
    if loaded.notes:
        st.caption(md("; ".join(loaded.notes)))
    return loaded.image, f"upload: {upload.name}"
