"""The class poll under a class answering at once: threads (Streamlit sessions), processes (replicas),
a restart and a killed server in the middle. Every count is exact."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from explorer.poll import Reason, Store

T0 = 1_800_000_000.0
QID = "lesson2.q1"
OPTIONS = ["fc6", "fc7", "fc8", "conv1"]
ROOT = Path(__file__).resolve().parents[1]


def open_room(path: Path):
    store = Store(path)
    room = store.open_room(now=T0)
    assert store.open_question(room.code, room.token, QID, prompt_key="k", options=OPTIONS, now=T0).accepted
    store.close()
    return room


def option_for(n: int) -> str:
    return OPTIONS[n % len(OPTIONS)]


def expected_tally(numbers) -> dict[str, int]:
    counts = Counter(option_for(n) for n in numbers)
    return {opt: counts.get(opt, 0) for opt in OPTIONS}


def run_threads(count: int, target) -> None:
    errors: list[BaseException] = []

    def guarded(i: int) -> None:
        try:
            target(i)
        except BaseException as exc:  # reported in the main thread, not swallowed
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    assert not errors, errors


@pytest.mark.parametrize("threads", [2, 30])
def test_concurrent_answerers_in_threads_give_an_exact_tally(tmp_path, threads):
    path = tmp_path / "poll.sqlite3"
    room = open_room(path)
    per_thread = 10
    start = threading.Barrier(threads)
    acks: dict[int, list] = {}

    def student(t: int) -> None:
        store = Store(path)  # each session its own store and connection
        start.wait()
        got = []
        for i in range(per_thread):
            n = t * per_thread + i
            got.append(store.answer(room.code, QID, f"voter-{n:06d}", option_for(n), now=T0 + 1))
        # Everyone also races to answer as one shared browser: exactly one of them gets in.
        got.append(store.answer(room.code, QID, "shared-browser", "conv1", now=T0 + 1))
        acks[t] = got
        store.close()

    run_threads(threads, student)
    own = [a for got in acks.values() for a in got[:-1]]
    shared = [got[-1] for got in acks.values()]
    assert len(own) == threads * per_thread and all(a.accepted for a in own)
    assert [a.accepted for a in shared].count(True) == 1
    assert {a.reason for a in shared if not a.accepted} <= {Reason.ALREADY_ANSWERED}
    assert {a.option for a in shared} == {"conv1"}
    want = expected_tally(range(threads * per_thread))
    want["conv1"] += 1
    store = Store(path)
    assert store.tally(room.code, QID, now=T0 + 2) == want
    assert sum(want.values()) == threads * per_thread + 1
    assert store.room_state(room.code, token=room.token, now=T0 + 2).answers == threads * per_thread + 1
    store.close()


def test_one_store_shared_by_thirty_threads(tmp_path):
    """One Store in st.cache_resource, used by every session's thread: a connection per thread."""
    store = Store(tmp_path / "poll.sqlite3")
    room = open_room(store.path)
    start = threading.Barrier(30)
    results: list = []

    def student(t: int) -> None:
        start.wait()
        for i in range(5):
            n = t * 5 + i
            results.append(store.answer(room.code, QID, f"voter-{n:06d}", option_for(n), now=T0 + 1))
            store.room_state(room.code, token=room.token, now=T0 + 1)  # the teacher's view refreshing

    run_threads(30, student)
    assert len(results) == 150 and all(a.accepted for a in results)
    assert store.tally(room.code, QID, now=T0 + 2) == expected_tally(range(150))
    store.close()


def test_tally_equals_the_accepted_answers_when_the_teacher_reveals_mid_way(tmp_path):
    path = tmp_path / "poll.sqlite3"
    room = open_room(path)
    start = threading.Barrier(11)
    accepted: list[int] = []

    def student(t: int) -> None:
        store = Store(path)
        start.wait()
        if t == 10:  # the teacher, once a quarter of the class has answered
            while sum(store.tally(room.code, QID, now=T0 + 1).values()) < 50:
                time.sleep(0.001)
            assert store.reveal(room.code, room.token, QID, now=T0 + 1).accepted
            return
        for i in range(20):
            n = t * 20 + i
            if store.answer(room.code, QID, f"voter-{n:06d}", option_for(n), now=T0 + 1).accepted:
                accepted.append(n)
        store.close()

    run_threads(11, student)
    assert len(accepted) >= 50
    store = Store(path)
    assert store.tally(room.code, QID, now=T0 + 2) == expected_tally(accepted)
    assert store.answer(room.code, QID, "voter-late-0001", "fc6", now=T0 + 2).reason is Reason.ALREADY_REVEALED
    store.close()


# --- processes, as replicas behind the proxy -----------------------------------------------------------------


def _process_worker(path: str, code: str, p: int, per_process: int, shared: int, barrier, results) -> None:
    store = Store(path)
    barrier.wait()
    out = []
    for i in range(per_process):
        n = p * per_process + i
        ack = store.answer(code, QID, f"voter-{n:06d}", option_for(n), now=T0 + 1)
        out.append((f"voter-{n:06d}", ack.reason.value, ack.option))
    for s in range(shared):  # the same browsers reaching every replica
        ack = store.answer(code, QID, f"shared-{s:06d}", option_for(s + p), now=T0 + 1)
        out.append((f"shared-{s:06d}", ack.reason.value, ack.option))
    store.close()
    results.put((p, out))


def test_concurrent_answerers_in_four_processes_give_an_exact_tally(tmp_path):
    path = tmp_path / "poll.sqlite3"
    room = open_room(path)
    processes, per_process, shared = 4, 50, 10
    ctx = multiprocessing.get_context("spawn")  # nothing inherited: like separate replicas
    barrier, results = ctx.Barrier(processes), ctx.Queue()
    procs = [
        ctx.Process(target=_process_worker, args=(str(path), room.code, p, per_process, shared, barrier, results))
        for p in range(processes)
    ]
    for proc in procs:
        proc.start()
    outs = dict(results.get(timeout=180) for _ in procs)
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    own = [row for out in outs.values() for row in out[:per_process]]
    assert len(own) == processes * per_process and {r[1] for r in own} == {"accepted"}
    # Each shared browser got in exactly once, whichever replica won; the others were told its answer.
    winners: dict[str, str] = {}
    for out in outs.values():
        for voter, reason, option in out[per_process:]:
            if reason == "accepted":
                assert voter not in winners
                winners[voter] = option
    assert len(winners) == shared
    for out in outs.values():
        for voter, reason, option in out[per_process:]:
            assert reason in ("accepted", "already_answered") and option == winners[voter]
    want = expected_tally(range(processes * per_process))
    for option in winners.values():
        want[option] += 1
    store = Store(path)
    assert store.tally(room.code, QID, now=T0 + 2) == want
    assert sum(want.values()) == processes * per_process + shared == 210
    store.close()


# --- restarts ------------------------------------------------------------------------------------------------------


def test_a_restart_in_the_middle_keeps_open_rooms_and_answers(tmp_path):
    path = tmp_path / "poll.sqlite3"
    store = Store(path)
    room = store.open_room(now=T0)
    other = store.open_room(now=T0)
    store.open_question(room.code, room.token, QID, prompt_key="k", options=OPTIONS, correct="fc6", now=T0)
    start = threading.Barrier(10)
    stores = [Store(path) for _ in range(10)]

    def first_half(t: int) -> None:
        start.wait()
        for i in range(6):
            n = t * 12 + i
            assert stores[t].answer(room.code, QID, f"voter-{n:06d}", option_for(n), now=T0 + 1).accepted

    run_threads(10, first_half)
    for s in [store, *stores]:  # the server stops
        s.close()
    stores = [Store(path) for _ in range(10)]  # and starts again
    state = stores[0].room_state(room.code, token=room.token, now=T0 + 2)
    assert state.teacher and state.answers == 60 and state.question.correct == "fc6" and state.question.accepting
    assert stores[0].room_state(other.code, now=T0 + 2) is not None
    start = threading.Barrier(10)

    def second_half(t: int) -> None:
        start.wait()
        for i in range(6, 12):
            n = t * 12 + i
            assert stores[t].answer(room.code, QID, f"voter-{n:06d}", option_for(n), now=T0 + 3).accepted
        # Answers from before the restart still count: a second try is refused.
        assert (
            stores[t].answer(room.code, QID, f"voter-{t * 12:06d}", "fc8", now=T0 + 3).reason is Reason.ALREADY_ANSWERED
        )

    run_threads(10, second_half)
    assert stores[0].tally(room.code, QID, now=T0 + 4) == expected_tally(range(120))
    for s in stores:
        s.close()


def test_an_acknowledged_answer_survives_a_killed_server(tmp_path):
    """A writer killed with SIGKILL mid-stream: every answer it acknowledged is in the file."""
    path = tmp_path / "poll.sqlite3"
    room = open_room(path)
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from explorer.poll import Store
        store = Store({str(path)!r})
        for n in range(100000):
            ack = store.answer({room.code!r}, {QID!r}, f"voter-{{n:06d}}", {OPTIONS!r}[n % 4], now={T0 + 1!r})
            if ack.accepted:
                print(n, flush=True)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    acked = []
    try:
        for line in proc.stdout:
            acked.append(int(line))
            if len(acked) == 200:
                os.kill(proc.pid, signal.SIGKILL)  # no close, no checkpoint, no atexit
                break
        acked += [int(line) for line in proc.stdout.read().split()]  # acknowledged before the kill
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert acked == list(range(len(acked)))
    store = Store(path)
    tally = store.tally(room.code, QID, now=T0 + 2)
    stored = sum(tally.values())
    # Every acknowledged answer is there; at most one more, committed while the kill arrived.
    assert len(acked) <= stored <= len(acked) + 1
    assert tally == expected_tally(range(stored))
    store.close()
