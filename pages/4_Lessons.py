"""Lessons and a live class poll (being built: explorer/lessons.py, explorer/poll.py)."""

from __future__ import annotations

import streamlit as st

from explorer.i18n import N_, _
from ui import guarded, page_setup


@guarded
def main() -> None:
    page_setup(N_("Lessons and class poll"), "🎓")
    st.title(_("Lessons and class poll"))


main()
