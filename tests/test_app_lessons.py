"""The Lessons page in AppTest: predict then reveal, a teacher's room, and many students answering.

The poll's store is SQLite in ALEXNET_DATA_DIR (a fresh directory per test); "a restart" drops the
page's cached Store so the next run opens the file again, as a restarted server would.
"""

from __future__ import annotations

import html
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from explorer import poll
from explorer.lessons import find_question, lessons

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "4_Lessons.py")
FIRST = "mystery.conv1-224"


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ALEXNET_DATA_DIR", str(tmp_path))
    st.cache_resource.clear()
    yield tmp_path
    st.cache_resource.clear()


def app(**query) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [e.value for e in at.error] + [s.value for s in at.success]
    parts += [i.value for i in at.info] + [w.value for w in at.warning] + [c.value for c in at.caption]
    return html.unescape("\n".join(str(p) for p in parts))  # ui.md writes Markdown's punctuation as &#NN;


def teacher() -> tuple[AppTest, str]:
    at = app()
    at.button(key="poll_open").click().run()
    assert not at.exception
    code = next(m.value for m in at.markdown if "Room code" in m.value).split("**")[1].replace(" ", "")
    assert poll.normalize_code(code) == code
    at.button(key="poll_ask").click().run()
    assert not at.exception
    return at, code


def student(code: str, option: str | None = "54") -> AppTest:
    at = app(room=code)
    assert not at.exception, [e.value for e in at.exception]
    if option is not None:
        at.radio(key=f"poll_choice_{FIRST}").set_value(option)
        at.button(key=f"poll_send_{FIRST}").click().run()
        assert not at.exception
    return at


def db_answers(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / poll.DB_FILENAME) as c:
        return c.execute("SELECT COUNT(*) FROM answers").fetchone()[0]


def test_predict_then_reveal():
    at = app()
    assert not at.exception
    reveal = at.button(key=f"reveal_{FIRST}")
    assert reveal.disabled  # predict first
    at.radio(key=f"predict_{FIRST}").set_value("55").run()
    at.button(key=f"reveal_{FIRST}").click().run()
    shown = texts(at)
    assert "You said 55; the answer is 54." in shown
    assert "⌊(224 − 11)/4⌋ + 1 = ⌊53.25⌋ + 1 = 54" in shown


def test_every_lesson_and_step_renders():
    at = app()
    for item in lessons():
        at.selectbox(key="lesson").set_value(item.id).run()
        for i, step in enumerate(item.steps):
            assert not at.exception, (item.id, step.id, [e.value for e in at.exception])
            assert step.question.prompt.render("en") in texts(at)
            if i < len(item.steps) - 1:
                at.button(key="lesson_next").click().run()


def test_open_step_goes_to_its_page_with_its_variant():
    at = app()
    at.selectbox(key="lesson").set_value("flatten").run()
    at.button(key="lesson_open").click().run()
    assert not at.exception
    assert at.session_state["variant"].name == "blog-broken-flatten"


def test_a_room_two_students_and_the_reveal(data_dir):
    at, code = teacher()
    a, b = student(code, "54"), student(code, "55")
    assert "Your answer is saved: 54." in texts(a)
    assert "Your answer is saved: 55." in texts(b)
    at.run()
    assert "**2** answers so far" in texts(at)
    at.button(key="poll_reveal").click().run()
    a.run()
    shown = texts(a)
    assert "The answer: **54**" in shown and "⌊(224 − 11)/4⌋" in shown


def students_in_processes(code: str, picks: list[str], processes: int) -> int:
    """Answer `picks` from `processes` processes at once (each runs its share of AppTest sessions)."""
    root = Path(__file__).resolve().parents[1]
    shares = [picks[i::processes] for i in range(processes)]
    running = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.poll_students", code, FIRST, *share],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "PYTHONPATH": str(root)},
        )
        for share in shares
    ]
    return sum(int(p.communicate(timeout=600)[0].strip().splitlines()[-1]) for p in running)


@pytest.mark.parametrize("count, processes", [(2, 2), (30, 3)])
def test_students_answering_at_once_counts_exact(count, processes, data_dir):
    at, code = teacher()
    options = find_question(FIRST).option_ids
    picks = [options[i % len(options)] for i in range(count)]
    assert students_in_processes(code, picks, processes) == count  # every one acknowledged
    tally = poll.Store(data_dir / poll.DB_FILENAME).tally(code, FIRST)
    assert tally == {o: picks.count(o) for o in options}
    assert sum(tally.values()) == count == db_answers(data_dir)
    at.run()
    assert f"**{count}** answers so far" in texts(at)


def test_one_browser_flooding_counts_once(data_dir):
    """Ten tabs of one browser (one voter id) sending different answers: the first one stands."""
    at, code = teacher()
    options = find_question(FIRST).option_ids
    for i in range(10):
        tab = AppTest.from_file(PAGE, default_timeout=120)
        tab.query_params["room"] = code
        tab.session_state["_poll_voter"] = "one-browser-0123456789"
        tab.run()
        if i == 0:
            tab.radio(key=f"poll_choice_{FIRST}").set_value(options[1])
            tab.button(key=f"poll_send_{FIRST}").click().run()
        else:  # every later tab already shows the saved answer and offers no buttons
            assert not tab.button or all(b.key != f"poll_send_{FIRST}" for b in tab.button)
        assert f"Your answer is saved: {options[1]}." in texts(tab)
    # and straight at the store, as a script would: refused, the first answer kept
    store = poll.Store(data_dir / poll.DB_FILENAME)
    for option in options * 25:
        ack = store.answer(code, FIRST, "one-browser-0123456789", option)
        assert not ack.accepted and ack.option == options[1]
    assert store.tally(code, FIRST) == {o: int(o == options[1]) for o in options}
    assert db_answers(data_dir) == 1


def test_a_restart_keeps_the_room_and_its_answers(data_dir):
    at, code = teacher()
    student(code, "54")
    st.cache_resource.clear()  # the server restarts: the next run opens the file again
    student(code, "56")
    st.cache_resource.clear()
    at.run()
    assert "**2** answers so far" in texts(at)


def test_an_expired_room_says_so(data_dir):
    store = poll.Store(data_dir / poll.DB_FILENAME)
    old = store.open_room(now=time.time() - poll.ROOM_TTL_S - 60)
    at = app(room=old.code)
    assert not at.exception
    assert "That is not a room code" in texts(at) or "closed or expired" in texts(at)


@pytest.mark.parametrize(
    "code",
    [
        "'; DROP TABLE answers; --",
        "x" * 10_000,
        "[a](javascript:alert(1))",
        "![i](http://evil/x.png)",
        "😀😀😀😀😀😀",
        "",
    ],
)
def test_hostile_codes_in_the_url(code, data_dir):
    at = app(room=code)
    assert not at.exception
    shown = texts(at)
    assert "That is not a room code" in shown
    assert "javascript" not in shown and "evil" not in shown


def test_lessons_page_in_chinese():
    at = app(lang="zh")
    assert not at.exception
    assert "224 之谜" in at.selectbox(key="lesson").options[0]


def test_a_link_opens_a_lesson_step_and_the_url_follows():
    at = app(lesson="gpus", step="2")
    assert not at.exception
    assert at.selectbox(key="lesson").value == "gpus"
    assert "Which of these convolutions sees the channels of both GPUs?" in texts(at)
    at.button(key="lesson_prev").click().run()
    assert at.query_params["step"] in ("1", ["1"])
    hostile = app(lesson="[x](javascript:1)", step="99999")
    assert not hostile.exception and hostile.selectbox(key="lesson").value == "mystery"
