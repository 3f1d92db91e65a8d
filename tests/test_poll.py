"""The class poll's store (explorer/poll.py): rooms, questions, answers, limits, hostile input.

Concurrency (threads, processes, a killed writer) is in tests/test_poll_concurrency.py.
"""

from __future__ import annotations

import itertools
import pickle
import sqlite3

import pytest

from explorer import poll
from explorer.i18n import catalog, placeholders
from explorer.poll import (
    CODE_ALPHABET,
    CODE_LENGTH,
    SCHEMA_VERSION,
    Ack,
    PollError,
    Reason,
    Store,
    new_voter_id,
    normalize_code,
)
from tests.i18n_check import has_chinese

T0 = 1_800_000_000.0  # a fixed clock: every test injects `now`
QID = "lesson1.q1"
OPTIONS = ["54", "55", "56"]


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "poll.sqlite3")
    yield s
    s.close()


def open_with_question(store: Store, *, options=OPTIONS, correct="54", now=T0):
    room = store.open_room(now=now)
    ack = store.open_question(
        room.code,
        room.token,
        QID,
        prompt_key="conv1 gives {n}×{n}: which n?",
        prompt_params={"n": "?"},
        options=options,
        correct=correct,
        now=now,
    )
    assert ack.accepted and ack.reason is Reason.OPENED
    return room


def voter(i: int) -> str:
    return f"voter-{i:06d}"


# --- the file -------------------------------------------------------------------------------------------


def test_wal_mode_and_schema_version(store):
    assert store.journal_mode() == "wal"
    raw = sqlite3.connect(store.path)
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 1
        tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert tables == {"rooms", "questions", "answers"}
    finally:
        raw.close()
    # Every connection syncs each commit (an acknowledged answer is on the disk) and waits for locks.
    conn = store._conn()
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == poll.BUSY_TIMEOUT_MS == 5000
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_schema_is_created_idempotently_and_keeps_data(tmp_path):
    path = tmp_path / "poll.sqlite3"
    first = Store(path)
    room = open_with_question(first)
    assert first.answer(room.code, QID, voter(1), "55", now=T0).accepted
    for _ in range(3):
        again = Store(path)
        assert again.tally(room.code, QID, now=T0) == {"54": 0, "55": 1, "56": 0}
        again.close()
    first.close()


def test_a_file_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "poll.sqlite3"
    Store(path).close()
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(PollError, match="newer version") as info:
        Store(path)
    assert has_chinese(info.value.message.render("zh"))


def test_default_path_follows_the_deployment(tmp_path, monkeypatch):
    monkeypatch.setenv("ALEXNET_DATA_DIR", str(tmp_path / "data"))
    assert poll.default_path() == tmp_path / "data" / "poll.sqlite3"
    assert Store().path == tmp_path / "data" / "poll.sqlite3"
    monkeypatch.delenv("ALEXNET_DATA_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert poll.default_path() == tmp_path / "cache" / "alexnet-explorer" / "poll.sqlite3"


def test_store_pickles_without_its_connections(store):
    room = open_with_question(store)
    clone = pickle.loads(pickle.dumps(store))
    assert clone.path == store.path and clone.max_answers_per_question == store.max_answers_per_question
    assert clone.answer(room.code, QID, voter(1), "54", now=T0).accepted
    assert store.tally(room.code, QID, now=T0) == {"54": 1, "55": 0, "56": 0}
    clone.close()


# --- rooms ------------------------------------------------------------------------------------------------


def test_room_codes_are_short_typeable_random_and_unique(store):
    rooms = [store.open_room(now=T0) for _ in range(300)]
    codes = [r.code for r in rooms]
    assert len(set(codes)) == 300
    for room in rooms:
        assert len(room.code) == CODE_LENGTH == 6
        assert set(room.code) <= set(CODE_ALPHABET)
        assert not set(room.code) & set("0O1IL")
        assert len(room.token) >= 32 and room.code not in room.token
        assert room.expires_at == T0 + 12 * 3600
        assert room.token not in repr(room)  # never printed into a log by accident
    assert len(CODE_ALPHABET) == 31
    # Not sequential: codes opened one after the other share few positions.
    same = sum(a == b for x, y in itertools.pairwise(codes) for a, b in zip(x, y))
    assert same < 299 * 6 / 4
    assert len({r.token for r in rooms}) == 300


def test_code_as_typed_on_a_phone():
    assert normalize_code("k7qx2m") == "K7QX2M"
    assert normalize_code(" K7Q-X2M ") == "K7QX2M"
    assert normalize_code("k7q x2m") == "K7QX2M"
    assert normalize_code("Ｋ７ＱＸ２Ｍ") == "K7QX2M"  # a Chinese keyboard's full-width letters
    for bad in ["K7QX2", "K7QX2MM", "K0QX2M", "KOQX2M", "K1QX2M", "KIQX2M", "KLQX2M", "", None, 7, b"K7QX2M"]:
        assert normalize_code(bad) is None, bad


def test_expired_room_behaves_as_not_found(store):
    room = open_with_question(store)
    v = voter(1)
    assert store.answer(room.code, QID, v, "54", now=T0 + 100).accepted
    late = T0 + 12 * 3600
    assert store.answer(room.code, QID, voter(2), "54", now=late).reason is Reason.NO_SUCH_ROOM
    assert store.room_state(room.code, token=room.token, now=late) is None
    assert store.tally(room.code, QID, now=late) == {}
    assert store.reveal(room.code, room.token, QID, now=late).reason is Reason.NO_SUCH_ROOM
    assert not store.is_teacher(room.code, room.token, now=late)
    # Just before, it was still there with its answer.
    assert store.tally(room.code, QID, now=late - 1) == {"54": 1, "55": 0, "56": 0}
    # Opening a room later deletes expired ones with their questions and answers.
    store.open_room(now=late)
    raw = sqlite3.connect(store.path)
    assert raw.execute("SELECT COUNT(*) FROM rooms WHERE code = ?", (room.code,)).fetchone()[0] == 0
    assert raw.execute("SELECT COUNT(*) FROM answers").fetchone()[0] == 0
    assert raw.execute("SELECT COUNT(*) FROM questions").fetchone()[0] == 0
    raw.close()


def test_room_lifetime_is_configurable(tmp_path):
    s = Store(tmp_path / "p.sqlite3", room_ttl_s=60)
    room = s.open_room(now=T0)
    assert room.expires_at == T0 + 60
    assert s.room_state(room.code, now=T0 + 59.9) is not None
    assert s.room_state(room.code, now=T0 + 60) is None
    short = s.open_room(now=T0, ttl_s=5)
    assert s.room_state(short.code, now=T0 + 5) is None
    assert s.purge_expired(now=T0 + 61) == 2


def test_closed_room_behaves_as_not_found(store):
    room = open_with_question(store)
    assert store.close_room(room.code, "not the token", now=T0).reason is Reason.NOT_ALLOWED
    ack = store.close_room(room.code, room.token, now=T0)
    assert ack.accepted and ack.reason is Reason.ROOM_CLOSED
    assert store.room_state(room.code, now=T0) is None
    assert store.answer(room.code, QID, voter(1), "54", now=T0).reason is Reason.NO_SUCH_ROOM
    assert store.close_room(room.code, room.token, now=T0).reason is Reason.NO_SUCH_ROOM


def test_open_rooms_are_capped(tmp_path):
    s = Store(tmp_path / "p.sqlite3", max_open_rooms=3)
    rooms = [s.open_room(now=T0) for _ in range(3)]
    with pytest.raises(PollError, match="Too many rooms are open at once") as info:
        s.open_room(now=T0)
    assert "3" in info.value.message.render("zh") and has_chinese(info.value.message.render("zh"))
    s.close_room(rooms[0].code, rooms[0].token, now=T0)  # a closed room frees its place
    s.open_room(now=T0)
    assert s.open_room(now=T0 + 13 * 3600).code  # expired ones too


# --- the teacher --------------------------------------------------------------------------------------------


def test_teacher_token_is_needed_to_open_reveal_and_close(store):
    room = store.open_room(now=T0)
    for token in ["", "x" * 10_000, None, 42, room.code, room.token[:-1] + ("A" if room.token[-1] != "A" else "B")]:
        ack = store.open_question(room.code, token, QID, prompt_key="k", options=OPTIONS, now=T0)
        assert ack == Ack(False, Reason.NOT_ALLOWED, ack.message) and not ack.accepted
        assert store.reveal(room.code, token, QID, now=T0).reason is Reason.NOT_ALLOWED
        assert store.close_question(room.code, token, QID, now=T0).reason is Reason.NOT_ALLOWED
        assert not store.is_teacher(room.code, token, now=T0)
    assert store.room_state(room.code, now=T0).question is None
    assert store.is_teacher(room.code, room.token, now=T0)
    assert not store.is_teacher(store.open_room(now=T0).code, room.token, now=T0)  # another room's token


def test_teacher_and_student_views(store):
    room = open_with_question(store)
    for i, opt in enumerate(["55", "55", "54", "56", "55"]):
        assert store.answer(room.code, QID, voter(i), opt, now=T0 + i).accepted
    teacher = store.room_state(room.code, token=room.token, now=T0 + 10)
    assert teacher.teacher and teacher.code == room.code and teacher.expires_at == room.expires_at
    assert teacher.tally == {"54": 1, "55": 3, "56": 1} and teacher.answers == 5
    q = teacher.question
    assert (q.question_id, q.options, q.correct, q.answers, q.accepting) == (QID, ("54", "55", "56"), "54", 5, True)
    assert q.prompt.render("en") == "conv1 gives ?×?: which n?"
    assert teacher.questions == (QID,)
    # A student sees neither the answer nor the room's distribution before the reveal.
    student = store.room_state(room.code, voter_id=voter(3), now=T0 + 10)
    assert not student.teacher and student.question.correct is None and student.tally == {}
    assert student.your_answer == "56"
    assert store.room_state(room.code, voter_id=voter(99), now=T0 + 10).your_answer is None
    ack = store.reveal(room.code, room.token, QID, now=T0 + 11)
    assert ack.accepted and ack.reason is Reason.REVEALED
    student = store.room_state(room.code, voter_id=voter(3), now=T0 + 12)
    assert student.question.revealed and not student.question.accepting
    assert student.question.correct == "54" and student.tally == {"54": 1, "55": 3, "56": 1}
    # No answers after the reveal; a voter who answered still hears what they chose.
    assert store.answer(room.code, QID, voter(50), "54", now=T0 + 13).reason is Reason.ALREADY_REVEALED
    ack = store.answer(room.code, QID, voter(3), "54", now=T0 + 13)
    assert (ack.accepted, ack.reason, ack.option) == (False, Reason.ALREADY_ANSWERED, "56")
    assert store.tally(room.code, QID, now=T0 + 14) == {"54": 1, "55": 3, "56": 1}


def test_one_question_takes_answers_at_a_time(store):
    room = open_with_question(store)
    assert store.answer(room.code, QID, voter(1), "55", now=T0).accepted
    ack = store.open_question(room.code, room.token, "lesson1.q2", prompt_key="k", options=["a", "b"], now=T0 + 1)
    assert ack.accepted
    assert store.answer(room.code, QID, voter(2), "55", now=T0 + 2).reason is Reason.QUESTION_CLOSED
    assert store.answer(room.code, "lesson1.q2", voter(2), "b", now=T0 + 2).accepted
    state = store.room_state(room.code, token=room.token, now=T0 + 3)
    assert state.question.question_id == "lesson1.q2" and state.questions == (QID, "lesson1.q2")
    assert state.tally == {"a": 0, "b": 1} and state.answers == 2
    # Going back a step: the same question with the same options keeps its answers.
    store.open_question(room.code, room.token, QID, prompt_key="k", options=OPTIONS, now=T0 + 4)
    assert store.tally(room.code, QID, now=T0 + 4) == {"54": 0, "55": 1, "56": 0}
    assert store.answer(room.code, QID, voter(1), "54", now=T0 + 5).reason is Reason.ALREADY_ANSWERED
    assert store.answer(room.code, QID, voter(3), "54", now=T0 + 5).accepted
    # The variant changed, so did the options: the old answers no longer mean anything.
    store.open_question(room.code, room.token, QID, prompt_key="k", options=["26", "27"], now=T0 + 6)
    assert store.tally(room.code, QID, now=T0 + 6) == {"26": 0, "27": 0}
    state = store.room_state(room.code, token=room.token, now=T0 + 6)
    assert state.answers == 1 and state.question.answers == 0 and state.questions == (QID, "lesson1.q2")
    assert store.answer(room.code, QID, voter(1), "27", now=T0 + 7).accepted


def test_close_question_stops_answers_without_revealing(store):
    room = open_with_question(store)
    assert store.close_question(room.code, room.token, QID, now=T0).reason is Reason.CLOSED
    assert store.answer(room.code, QID, voter(1), "54", now=T0).reason is Reason.QUESTION_CLOSED
    student = store.room_state(room.code, now=T0)
    assert student.question.closed and not student.question.revealed and student.question.correct is None
    assert store.reveal(room.code, room.token, "no.such.question", now=T0).reason is Reason.NO_SUCH_QUESTION
    assert store.reveal(room.code, room.token, "'; DROP TABLE questions; --", now=T0).reason is Reason.NO_SUCH_QUESTION


def test_questions_per_room_are_capped(tmp_path):
    s = Store(tmp_path / "p.sqlite3", max_questions_per_room=2)
    room = s.open_room(now=T0)
    for qid in ["q1", "q2", "q1"]:  # reopening one does not count twice
        assert s.open_question(room.code, room.token, qid, prompt_key="k", options=["a"], now=T0).accepted
    ack = s.open_question(room.code, room.token, "q3", prompt_key="k", options=["a"], now=T0)
    assert ack.reason is Reason.TOO_MANY_QUESTIONS and ack.message.render("en").endswith("limit of 2 questions.")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"question_id": ""},
        {"question_id": "has space"},
        {"question_id": "x" * 81},
        {"options": []},
        {"options": "54"},
        {"options": ["a"] * 2},
        {"options": [str(i) for i in range(13)]},
        {"options": ["ok", 5]},
        {"options": ["ok", "x" * 65]},
        {"options": ["ok", "new\nline"]},
        {"correct": "57"},
        {"prompt_key": ""},
        {"prompt_params": {"x": float("nan")}},
        {"prompt_params": {"x": object()}},
        {"prompt_params": {"x": "y" * 9000}},
    ],
)
def test_a_malformed_question_is_the_callers_bug(store, kwargs):
    room = store.open_room(now=T0)
    args = {"question_id": QID, "prompt_key": "k", "options": OPTIONS, "correct": "54", "prompt_params": {}} | kwargs
    qid = args.pop("question_id")
    with pytest.raises(ValueError):
        store.open_question(room.code, room.token, qid, now=T0, **args)


# --- answers ------------------------------------------------------------------------------------------------


def test_answer_must_be_one_of_the_options(store):
    room = open_with_question(store)
    for bad in ["57", "", "5", "54 ", None, 54, "x" * 10_000, "五十四", ["54"]]:
        ack = store.answer(room.code, QID, voter(1), bad, now=T0)
        assert (ack.accepted, ack.reason, ack.option) == (False, Reason.INVALID_OPTION, None), bad
    assert store.answer(room.code, "lesson9.q9", voter(1), "54", now=T0).reason is Reason.NO_SUCH_QUESTION
    assert store.tally(room.code, QID, now=T0) == {"54": 0, "55": 0, "56": 0}


def test_voter_ids_are_validated(store):
    room = open_with_question(store)
    for bad in [
        "",
        "short",
        "x" * 65,
        "x" * 10_000,
        None,
        12345678,
        "voter id!",
        "选民编号选民编号选民",
        "abcdefgh\x00",
    ]:
        assert store.answer(room.code, QID, bad, "54", now=T0).reason is Reason.INVALID_VOTER, bad
    fresh = new_voter_id()
    assert poll.valid_voter_id(fresh) and len(fresh) == 22
    assert store.answer(room.code, QID, fresh, "54", now=T0).accepted


def test_a_flood_from_one_voter_is_counted_once(store):
    room = open_with_question(store)
    acks = [store.answer(room.code, QID, voter(7), OPTIONS[i % 3], now=T0 + i / 100) for i in range(500)]
    assert [a.accepted for a in acks].count(True) == 1 and acks[0].accepted and acks[0].option == "54"
    assert {a.reason for a in acks[1:]} == {Reason.ALREADY_ANSWERED}
    assert {a.option for a in acks[1:]} == {"54"}  # the first answer stands
    assert store.tally(room.code, QID, now=T0 + 10) == {"54": 1, "55": 0, "56": 0}
    assert store.room_state(room.code, token=room.token, now=T0 + 10).answers == 1


def test_answers_per_question_are_capped(tmp_path):
    s = Store(tmp_path / "p.sqlite3", max_answers_per_question=5)
    room = open_with_question(s)
    acks = [s.answer(room.code, QID, voter(i), OPTIONS[i % 3], now=T0) for i in range(8)]
    assert [a.reason for a in acks] == [Reason.ACCEPTED] * 5 + [Reason.QUESTION_FULL] * 3
    assert acks[-1].message.render("en") == "This question has reached its limit of 5 answers."
    assert acks[-1].message.render("zh") == "这道题的作答数已达上限（5 份）。"
    assert s.tally(room.code, QID, now=T0) == {"54": 2, "55": 2, "56": 1}
    # A voter who got in still hears their answer, not "full".
    assert s.answer(room.code, QID, voter(0), "55", now=T0).reason is Reason.ALREADY_ANSWERED


def test_answers_per_room_are_capped(tmp_path):
    s = Store(tmp_path / "p.sqlite3", max_answers_per_question=5, max_answers_per_room=7)
    room = open_with_question(s)
    assert all(s.answer(room.code, QID, voter(i), "54", now=T0).accepted for i in range(5))
    s.open_question(room.code, room.token, "lesson1.q2", prompt_key="k", options=["a", "b"], now=T0)
    acks = [s.answer(room.code, "lesson1.q2", voter(i), "a", now=T0) for i in range(4)]
    assert [a.reason for a in acks] == [Reason.ACCEPTED] * 2 + [Reason.ROOM_FULL] * 2
    assert acks[-1].message.render("en") == "This room has reached its limit of 7 answers."
    assert s.room_state(room.code, token=room.token, now=T0).answers == 7
    assert poll.MAX_ANSWERS_PER_QUESTION == 1000 and poll.MAX_ANSWERS_PER_ROOM == 20000


# --- hostile input ----------------------------------------------------------------------------------------

HOSTILE = [
    "'; DROP TABLE rooms; --",
    "' OR '1'='1",
    "ABC' OR 1=1 --",
    "x" * 10_000,
    "A" * 10_000,
    "",
    " ",
    "房间码",
    "Ｋ７ＱＸ２Ｍ" * 2,
    "🙂🙂🙂🙂🙂🙂",
    "ABC\x00EF",
    "ABCDEF\n",
    "%",
    "_",
    "*",
    "<script>alert(1)</script>",
    "ABCDEF",  # a well-formed code no room has
    None,
    123456,
    b"ABCDEF",
    ["ABCDEF"],
    {"code": "ABCDEF"},
]


@pytest.mark.parametrize("code", HOSTILE, ids=lambda c: repr(c)[:30])
def test_hostile_codes_give_no_such_room(store, code):
    room = open_with_question(store)
    assert store.answer(code, QID, voter(1), "54", now=T0).reason is Reason.NO_SUCH_ROOM
    assert store.room_state(code, now=T0) is None
    assert store.room_state(code, token=room.token, voter_id=voter(1), now=T0) is None
    assert store.tally(code, QID, now=T0) == {}
    assert not store.is_teacher(code, room.token, now=T0)
    for ack in (
        store.open_question(code, room.token, "q2", prompt_key="k", options=["a"], now=T0),
        store.reveal(code, room.token, QID, now=T0),
        store.close_question(code, room.token, QID, now=T0),
        store.close_room(code, room.token, now=T0),
    ):
        assert (ack.accepted, ack.reason) == (False, Reason.NO_SUCH_ROOM)
        assert ack.message.render("en") == "No such room: check the code (rooms expire after a while)."
        assert has_chinese(ack.message.render("zh"))
    # The real room is untouched.
    assert store.answer(room.code, QID, voter(1), "54", now=T0).accepted
    assert store.tally(room.code, QID, now=T0) == {"54": 1, "55": 0, "56": 0}


@pytest.mark.parametrize("qid", ["'; DROP TABLE answers; --", "x" * 10_000, "", None, 5, "题目", "q1%"])
def test_hostile_question_ids(store, qid):
    room = open_with_question(store)
    assert store.answer(room.code, qid, voter(1), "54", now=T0).reason is Reason.NO_SUCH_QUESTION
    assert store.tally(room.code, qid, now=T0) == {}
    assert store.reveal(room.code, room.token, qid, now=T0).reason is Reason.NO_SUCH_QUESTION
    assert store.answer(room.code, QID, voter(1), "54", now=T0).accepted


def test_busy_database_answers_busy_not_an_exception(tmp_path, monkeypatch):
    monkeypatch.setattr(poll, "BUSY_TIMEOUT_MS", 50)
    s = Store(tmp_path / "p.sqlite3")
    room = open_with_question(s)
    blocker = sqlite3.connect(s.path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another process holding the write lock
    try:
        ack = s.answer(room.code, QID, voter(1), "54", now=T0)
        assert (ack.accepted, ack.reason) == (False, Reason.BUSY)
        assert has_chinese(ack.message.render("zh"))
        assert s.reveal(room.code, room.token, QID, now=T0).reason is Reason.BUSY
        with pytest.raises(PollError, match="busy"):
            s.open_room(now=T0)
        # Reading still works while someone writes (WAL).
        assert s.tally(room.code, QID, now=T0) == {"54": 0, "55": 0, "56": 0}
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert s.answer(room.code, QID, voter(1), "54", now=T0).accepted  # not recorded before, so not refused now
    s.close()


# --- messages ------------------------------------------------------------------------------------------------


def test_every_reason_has_a_message_in_both_languages():
    zh = catalog("zh")
    assert set(poll._TEXT) == set(Reason)
    for reason, key in poll._TEXT.items():
        assert key in zh and placeholders(zh[key]) == placeholders(key), reason
        ack = poll._ack(reason, n=1234)
        assert ack.accepted == (
            reason in {Reason.ACCEPTED, Reason.OPENED, Reason.REVEALED, Reason.CLOSED, Reason.ROOM_CLOSED}
        )
        if placeholders(key):
            assert "1,234" in ack.message.render("en") and "1,234" in ack.message.render("zh")
        assert has_chinese(ack.message.render("zh"))


def test_a_teacher_token_finds_its_rooms_again(tmp_path):
    """A new session of the teacher's browser (same derived token) finds the rooms it opened."""
    store = Store(tmp_path / "p.sqlite3")
    first = store.open_room(now=1000.0, token="teacher-browser-1")
    second = store.open_room(now=2000.0, token="teacher-browser-1")
    other = store.open_room(now=3000.0)
    assert store.rooms_of("teacher-browser-1", now=3000.0) == (second.code, first.code)
    assert other.code not in store.rooms_of("teacher-browser-1", now=3000.0)
    assert store.is_teacher(first.code, "teacher-browser-1", now=3000.0)
    store.close_room(second.code, "teacher-browser-1", now=3000.0)
    assert store.rooms_of("teacher-browser-1", now=3000.0) == (first.code,)
    assert store.rooms_of("teacher-browser-1", now=1000.0 + 13 * 3600) == ()  # expired
    assert store.rooms_of("") == () and store.rooms_of("x" * 500) == () and store.rooms_of(None) == ()
    with pytest.raises(ValueError):
        store.open_room(token="x" * 500)
