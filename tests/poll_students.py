"""A process of students: `python -m tests.poll_students CODE OPTION...` joins the room CODE with one
AppTest session per OPTION (each its own voter) and answers; prints how many were saved.

The poll's AppTest tests start several of these at once, so answers arrive from several processes
concurrently, as from several replicas of the server (AppTest itself runs one session at a time).
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "4_Lessons.py")


def answer(code: str, question_id: str, option: str) -> bool:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.query_params["room"] = code
    at.run()
    at.radio(key=f"poll_choice_{question_id}").set_value(option)
    at.button(key=f"poll_send_{question_id}").click().run()
    shown = html.unescape(" ".join(str(s.value) for s in at.success))
    return not at.exception and "Your answer is saved" in shown


def main(argv: list[str]) -> int:
    code, question_id, *options = argv
    saved = sum(answer(code, question_id, option) for option in options)
    print(saved)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
