"""Fonts for the matplotlib downloads (PNG/SVG): a CJK font for Chinese text, found at run time.

Plotly draws in the browser, which has its own fonts; matplotlib draws on the server and shows a
box for every glyph its fonts lack. Debian's `fonts-noto-cjk` gives "Noto Sans CJK SC". Where no
CJK font is installed the files are still drawn (with boxes for the Chinese characters), and
`missing_font_notice` says which font to install.
"""

from __future__ import annotations

import functools

from .i18n import Message

__all__ = ["BASE_FONT", "CJK_FONTS", "cjk_font", "font_family", "missing_font_notice"]

BASE_FONT = "DejaVu Sans"  # matplotlib's own: always there, covers Latin, Greek and the maths symbols
# In order of preference: Simplified Chinese first, the d2l register this app is written in.
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "WenQuanYi Zen Hei", "Droid Sans Fallback")
INSTALL_HINT = "fonts-noto-cjk"  # the Debian package


@functools.cache
def _installed() -> frozenset[str]:
    from matplotlib import font_manager

    manager = font_manager.fontManager
    names = {f.name for f in manager.ttflist}
    if not names.intersection(CJK_FONTS):
        # matplotlib's font cache predates a font installed later (an image built before
        # `apt-get install fonts-noto-cjk`): look at the system's font files once.
        for path in font_manager.findSystemFonts():
            if any(tag in path for tag in ("CJK", "wqy", "DroidSansFallback", "SourceHan")):
                try:
                    manager.addfont(path)
                except (OSError, RuntimeError, ValueError):  # an unreadable file is not a font we can use
                    continue
        names = {f.name for f in manager.ttflist}
    return frozenset(names)


def cjk_font() -> str | None:
    """The first installed CJK font matplotlib can use, or None."""
    installed = _installed()
    return next((name for name in CJK_FONTS if name in installed), None)


def font_family() -> list[str]:
    """matplotlib's fallback list: DejaVu Sans, then the CJK font where one is installed (for Chinese
    labels in either language: a variant may be named in Chinese)."""
    cjk = cjk_font()
    return [BASE_FONT, cjk] if cjk else [BASE_FONT]


def missing_font_notice(lang: str) -> Message | None:
    """What to tell a Chinese reader when the downloads cannot draw Chinese; None when they can."""
    if lang != "zh" or cjk_font() is not None:
        return None
    return Message(
        "No CJK font is installed on the server (`{fonts}`), so the Chinese text in the PNG/SVG "
        "downloads shows as boxes; the files are drawn with `{base}`. Install `{package}` "
        "(Debian: `apt-get install {package}`) for Chinese labels.",
        fonts=CJK_FONTS[0],
        base=BASE_FONT,
        package=INSTALL_HINT,
    )
