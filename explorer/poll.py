"""The live class poll's store: rooms, questions and answers in one SQLite file (WAL mode).

A teacher opens a room (a short code students type on a phone, and a secret teacher token), opens
a question in it (its id, prompt key and parameters, and option ids, all computed by the lesson
engine), watches the tally, reveals the answer and closes the question. Students answer once per
question with a per-browser voter id.

    store = Store()                                   # <data dir>/poll.sqlite3
    room = store.open_room()                          # room.code "K7QX2M", room.token (secret)
    store.open_question(room.code, room.token, "lesson1.q1", prompt_key=N_("..."), options=["54", "55"],
                        correct="54")
    ack = store.answer(room.code, "lesson1.q1", voter_id, "55")   # Ack(accepted=True, ...)
    store.tally(room.code, "lesson1.q1")              # {"54": 0, "55": 1}
    store.room_state(room.code, token=room.token)     # the teacher's view

Why it is built this way:
- Everything lives in the database, nothing in process memory, so several server processes
  (replicas behind the proxy) and the threads of one process (Streamlit runs each session's script
  in a thread) see the same rooms. Each thread of each process uses its own connection.
- `synchronous=FULL`: in WAL mode NORMAL survives a crash of the server process but may lose the
  last commits on a power loss or an OS crash; FULL syncs the WAL on every commit, so an answer
  acknowledged to a student is on the disk. It costs one fsync per answer (well under a
  millisecond to a few milliseconds), which a class answering at once does not notice.
- A second answer from the same voter is refused, and the first one stands (the Ack names it):
  "one answer per student per question" taken literally, a flood from one browser writes nothing,
  and nobody can change their vote after seeing the room's distribution projected at the front.
- Every write that checks a limit takes SQLite's write lock first (`BEGIN IMMEDIATE`), so the check
  and the insert are one step across all processes: the caps and the one-answer rule are exact.
- Input from a browser (codes from the URL, voter ids, options) is validated for type, length and
  alphabet before any query and always bound as a parameter; a bad one gives a "no such room" (or
  similar) result, never an exception. Results are data with a message key (`explorer.i18n.Message`)
  that a page renders in the reader's language.
- Mistakes of the calling code (a malformed question from the lesson engine) raise ValueError.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import sqlite3
import threading
import time
import unicodedata
import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from explorer.i18n import N_, Message

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "DB_FILENAME",
    "MAX_ANSWERS_PER_QUESTION",
    "MAX_ANSWERS_PER_ROOM",
    "MAX_OPEN_ROOMS",
    "MAX_OPTIONS",
    "MAX_QUESTIONS_PER_ROOM",
    "ROOM_TTL_S",
    "SCHEMA_VERSION",
    "Ack",
    "PollError",
    "Question",
    "Reason",
    "Room",
    "RoomState",
    "Store",
    "default_path",
    "new_voter_id",
    "normalize_code",
    "valid_voter_id",
]

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1  # PRAGMA user_version of the file
DB_FILENAME = "poll.sqlite3"

# Read aloud or typed on a phone: no 0/O, 1/I/L. 31 symbols, 6 of them: 31**6 ≈ 887 million codes,
# so guessing one of a few dozen open rooms takes tens of millions of tries.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
ROOM_TTL_S = 12 * 3600.0

MAX_ANSWERS_PER_QUESTION = 1000  # a lecture hall, with room to spare
MAX_ANSWERS_PER_ROOM = 20000
MAX_QUESTIONS_PER_ROOM = 200
MAX_OPEN_ROOMS = 1000  # anyone can open a room: bound what a script opening rooms can fill
MAX_OPTIONS = 12

BUSY_TIMEOUT_MS = 5000  # wait this long for another process's write before answering "busy"

_MAX_RAW_CODE = 32  # longer input is not a code, whatever it holds
_VOTER_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
_QUESTION_ID = re.compile(r"[A-Za-z0-9_.:-]{1,80}")
_MAX_OPTION = 64
_MAX_TOKEN = 128
_MAX_PROMPT_KEY = 2000
_MAX_PARAMS_JSON = 8000


class PollError(Exception):
    """The store cannot be used (a file from a newer version, no WAL) or is full of rooms.

    `message` is the same as data, for a page to render in the reader's language.
    """

    def __init__(self, message: Message) -> None:
        super().__init__(message.render("en"))
        self.message = message


class Reason(StrEnum):
    """Why an Ack is what it is: stable ids a page or a test can branch on."""

    ACCEPTED = "accepted"
    OPENED = "opened"
    REVEALED = "revealed"
    CLOSED = "closed"
    ROOM_CLOSED = "room_closed"
    NO_SUCH_ROOM = "no_such_room"
    NO_SUCH_QUESTION = "no_such_question"
    QUESTION_CLOSED = "question_closed"
    ALREADY_REVEALED = "already_revealed"
    INVALID_OPTION = "invalid_option"
    INVALID_VOTER = "invalid_voter"
    ALREADY_ANSWERED = "already_answered"
    QUESTION_FULL = "question_full"
    ROOM_FULL = "room_full"
    TOO_MANY_QUESTIONS = "too_many_questions"
    NOT_ALLOWED = "not_allowed"
    BUSY = "busy"
    UNAVAILABLE = "unavailable"


_TEXT: dict[Reason, str] = {
    Reason.ACCEPTED: N_("Answer recorded."),
    Reason.OPENED: N_("Question opened to the class."),
    Reason.REVEALED: N_("Answer revealed to the class."),
    Reason.CLOSED: N_("Question closed."),
    Reason.ROOM_CLOSED: N_("Room closed."),
    Reason.NO_SUCH_ROOM: N_("No such room: check the code (rooms expire after a while)."),
    Reason.NO_SUCH_QUESTION: N_("This question is not open in this room."),
    Reason.QUESTION_CLOSED: N_("This question is closed: it takes no more answers."),
    Reason.ALREADY_REVEALED: N_("The answer has been revealed: this question takes no more answers."),
    Reason.INVALID_OPTION: N_("That is not one of this question's options."),
    Reason.INVALID_VOTER: N_("This browser's id is not valid: reload the page."),
    Reason.ALREADY_ANSWERED: N_("You have already answered this question."),
    Reason.QUESTION_FULL: N_("This question has reached its limit of {n:,} answers."),
    Reason.ROOM_FULL: N_("This room has reached its limit of {n:,} answers."),
    Reason.TOO_MANY_QUESTIONS: N_("This room has reached its limit of {n:,} questions."),
    Reason.NOT_ALLOWED: N_("Only the teacher who opened this room can do that."),
    Reason.BUSY: N_("The poll is busy: try again in a moment."),
    Reason.UNAVAILABLE: N_("The poll cannot save answers right now: tell the teacher."),
}
_ACCEPTED = {Reason.ACCEPTED, Reason.OPENED, Reason.REVEALED, Reason.CLOSED, Reason.ROOM_CLOSED}


@dataclass(frozen=True)
class Ack:
    """The result of an answer or a teacher's action, as data.

    `option` is the option recorded for this voter: the new one when accepted, the first one when
    the voter had already answered; None otherwise.
    """

    accepted: bool
    reason: Reason
    message: Message
    option: str | None = None


def _ack(reason: Reason, option: str | None = None, **params: Any) -> Ack:
    return Ack(reason in _ACCEPTED, reason, Message(_TEXT[reason], **params), option)


@dataclass(frozen=True)
class Room:
    """A room as its teacher holds it. `token` is the teacher's secret: never show it to the class
    (the join link and QR code carry only `code`)."""

    code: str
    token: str = field(repr=False)
    created_at: float
    expires_at: float


@dataclass(frozen=True)
class Question:
    """A question as a room shows it.

    `correct` is None for students until the answer is revealed (always filled in for the
    teacher, when the lesson gave one). `accepting`: answers are taken now.
    """

    question_id: str
    prompt_key: str
    prompt_params: Mapping[str, Any]
    options: tuple[str, ...]
    correct: str | None
    opened_at: float
    revealed: bool
    closed: bool
    answers: int

    @property
    def accepting(self) -> bool:
        return not self.revealed and not self.closed

    @property
    def prompt(self) -> Message:
        """The prompt as a message (the lesson's key, with its parameters)."""
        return Message(self.prompt_key, **dict(self.prompt_params))


@dataclass(frozen=True)
class RoomState:
    """One consistent reading of a room, for the teacher's view or a student's.

    `question` is the one opened last (None before the first). `tally` counts its answers per option
    (every option, in order, zeros included); students get it only once the answer is revealed, so
    nobody answers by following the crowd. `your_answer` is the asking voter's option, if any.
    """

    code: str
    created_at: float
    expires_at: float
    teacher: bool
    question: Question | None
    tally: dict[str, int]
    answers: int  # in the whole room
    questions: tuple[str, ...]  # ids opened so far, in order
    your_answer: str | None = None


# --- validation of what comes from a browser --------------------------------------------------------


def normalize_code(text: object) -> str | None:
    """A room code as typed ("k7q x2m", "K7Q-X2M", full-width letters) → "K7QX2M"; None if it cannot
    be a code. Checks the length first, so a 10 kB string costs nothing."""
    if not isinstance(text, str) or len(text) > _MAX_RAW_CODE:
        return None
    # NFKC turns a Chinese keyboard's full-width ＡＢＣ１２ into ASCII.
    code = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", text)).upper()
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return code


def valid_voter_id(voter_id: object) -> bool:
    return isinstance(voter_id, str) and len(voter_id) <= 64 and _VOTER_ID.fullmatch(voter_id) is not None


def new_voter_id() -> str:
    """A fresh per-browser voter id (22 URL-safe characters)."""
    return secrets.token_urlsafe(16)


def _valid_question_id(question_id: object) -> bool:
    return isinstance(question_id, str) and len(question_id) <= 80 and _QUESTION_ID.fullmatch(question_id) is not None


def _valid_token(token: object) -> bool:
    return isinstance(token, str) and 0 < len(token) <= _MAX_TOKEN


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def default_path() -> Path:
    """<data dir>/poll.sqlite3, the data dir resolved as the deployment does (deploy.config)."""
    return _data_dir() / DB_FILENAME


def _data_dir() -> Path:
    try:
        from deploy.config import default_data_dir
    except ImportError:  # the library used without the repository's deploy package
        if os.environ.get("ALEXNET_DATA_DIR"):
            return Path(os.environ["ALEXNET_DATA_DIR"]).expanduser()
        cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(cache).expanduser() / "alexnet-explorer"
    return default_data_dir()


# --- the store ----------------------------------------------------------------------------------------

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rooms (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    token_sha256 TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    closed_at REAL,
    current_question INTEGER,
    answer_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS rooms_by_expiry ON rooms (expires_at);
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY,
    room INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    question_id TEXT NOT NULL,
    prompt_key TEXT NOT NULL,
    prompt_params TEXT NOT NULL,
    options TEXT NOT NULL,
    correct TEXT,
    opened_at REAL NOT NULL,
    revealed_at REAL,
    closed_at REAL,
    answer_count INTEGER NOT NULL DEFAULT 0,
    UNIQUE (room, question_id)
);
CREATE TABLE IF NOT EXISTS answers (
    question INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    voter_id TEXT NOT NULL,
    option TEXT NOT NULL,
    answered_at REAL NOT NULL,
    PRIMARY KEY (question, voter_id)
) WITHOUT ROWID;
"""


class _Connection(sqlite3.Connection):
    """A subclass only so the store can hold weak references to the connections it opened."""


class Store:
    """The poll's database. Cheap to create, safe to share between threads, picklable.

    One instance per process is enough (e.g. in `st.cache_resource`); each thread gets its own
    connection, opened on first use. Several processes may open the same file.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        room_ttl_s: float = ROOM_TTL_S,
        max_answers_per_question: int = MAX_ANSWERS_PER_QUESTION,
        max_answers_per_room: int = MAX_ANSWERS_PER_ROOM,
        max_questions_per_room: int = MAX_QUESTIONS_PER_ROOM,
        max_open_rooms: int = MAX_OPEN_ROOMS,
    ) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.room_ttl_s = float(room_ttl_s)
        self.max_answers_per_question = int(max_answers_per_question)
        self.max_answers_per_room = int(max_answers_per_room)
        self.max_questions_per_room = int(max_questions_per_room)
        self.max_open_rooms = int(max_open_rooms)
        self._init_state()
        self._create_schema()

    def _init_state(self) -> None:
        self._local = threading.local()
        self._lock = threading.Lock()
        self._generation = 0
        self._connections: weakref.WeakSet[_Connection] = weakref.WeakSet()
        self._inherited: list[sqlite3.Connection] = []

    def __getstate__(self) -> dict[str, Any]:
        keep = ("path", "room_ttl_s", "max_answers_per_question", "max_answers_per_room")
        keep += ("max_questions_per_room", "max_open_rooms")
        return {k: self.__dict__[k] for k in keep}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._init_state()

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    # --- connections ---

    def _connect(self) -> _Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: the store says BEGIN itself. check_same_thread=False only so close()
        # may close every thread's connection; each is still used by one thread.
        conn = sqlite3.connect(
            self.path,
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
            check_same_thread=False,
            factory=_Connection,
        )
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
        conn.execute("PRAGMA synchronous = FULL")  # see the module's docstring
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    def _conn(self) -> sqlite3.Connection:
        local = self._local
        pid = os.getpid()
        cached = getattr(local, "conn", None)
        if cached is not None and local.pid == pid and local.generation == self._generation:
            return cached
        if cached is not None and local.pid != pid:
            # A connection must not be used, nor closed, in a forked child: keep it unused.
            self._inherited.append(cached)
        conn = self._connect()
        with self._lock:
            self._connections.add(conn)
        local.conn, local.pid, local.generation = conn, pid, self._generation
        return conn

    def close(self) -> None:
        """Close every connection this store opened (a later call opens new ones)."""
        with self._lock:
            self._generation += 1
            connections = list(self._connections)
            self._connections.clear()
        for conn in connections:
            try:
                conn.close()
            except sqlite3.Error:  # pragma: no cover - closing twice, a connection in another thread's use
                pass
        self._local = threading.local()

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: one consistent snapshot across several SELECTs."""
        conn = self._conn()
        conn.execute("BEGIN")
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction holding SQLite's write lock from its first statement."""
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:  # an error may have ended the transaction already
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _create_schema(self) -> None:
        conn = self._conn()
        # WAL is a property of the file: the first connection sets it, later ones find it set.
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise PollError(Message("The poll's database cannot use WAL mode (journal mode {mode}).", mode=mode))
        with self._write() as c:
            version = c.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise PollError(
                    Message(
                        "The poll's database was written by a newer version (schema {found}, this one reads {known}).",
                        found=version,
                        known=SCHEMA_VERSION,
                    )
                )
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    c.execute(statement)
            c.execute(f"PRAGMA user_version = {SCHEMA_VERSION:d}")

    def journal_mode(self) -> str:
        """The file's journal mode, as SQLite reports it ("wal")."""
        return str(self._conn().execute("PRAGMA journal_mode").fetchone()[0])

    # --- rooms ---

    def open_room(self, now: float | None = None, *, ttl_s: float | None = None, token: str | None = None) -> Room:
        """A new room with a fresh code, unique among the open rooms. Raises PollError (with a
        `message`) when `max_open_rooms` rooms are open or the database stays locked. Expired rooms
        are deleted first, with their answers (their codes are free again)."""
        now = time.time() if now is None else float(now)
        ttl = self.room_ttl_s if ttl_s is None else float(ttl_s)
        # A caller may bring its own token (e.g. derived from the teacher's browser, so a new session
        # of that browser finds its rooms again with `rooms_of`); else a fresh secret.
        if token is not None and not _valid_token(token):
            raise ValueError("a teacher token is 1–128 characters")
        token = token or secrets.token_urlsafe(24)
        try:
            return self._insert_room(token, now, ttl)
        except sqlite3.OperationalError as exc:  # locked past the busy timeout, disk full, read-only
            log.warning("poll: %s opening a room", exc)
            raise PollError(Message(_TEXT[Reason.BUSY])) from exc

    def _insert_room(self, token: str, now: float, ttl: float) -> Room:
        with self._write() as c:
            c.execute("DELETE FROM rooms WHERE expires_at <= ?", (now,))
            (open_rooms,) = c.execute("SELECT COUNT(*) FROM rooms WHERE closed_at IS NULL").fetchone()
            if open_rooms >= self.max_open_rooms:
                raise PollError(
                    Message("Too many rooms are open at once ({n:,}): try again later.", n=self.max_open_rooms)
                )
            for _attempt in range(50):
                code = _new_code()
                try:
                    c.execute(
                        "INSERT INTO rooms (code, token_sha256, created_at, expires_at) VALUES (?, ?, ?, ?)",
                        (code, _token_hash(token), now, now + ttl),
                    )
                except sqlite3.IntegrityError:  # the code is taken (closed rooms keep theirs until they expire)
                    continue
                return Room(code, token, now, now + ttl)
        raise PollError(Message("No free room code was found: try again."))  # pragma: no cover

    def _room(self, c: sqlite3.Connection, code: str, now: float) -> tuple[Any, ...] | None:
        return c.execute(
            "SELECT id, token_sha256, created_at, expires_at, current_question, answer_count FROM rooms"
            " WHERE code = ? AND closed_at IS NULL AND expires_at > ?",
            (code, now),
        ).fetchone()

    def rooms_of(self, token: object, *, now: float | None = None) -> tuple[str, ...]:
        """The codes of the open rooms whose teacher token is `token`, newest first (() for a bad token)."""
        if not _valid_token(token):
            return ()
        now = time.time() if now is None else float(now)
        try:
            with self._read() as c:
                rows = c.execute(
                    "SELECT code FROM rooms WHERE token_sha256 = ? AND closed_at IS NULL AND expires_at > ?"
                    " ORDER BY created_at DESC",
                    (_token_hash(token), now),  # type: ignore[arg-type]
                ).fetchall()
        except sqlite3.Error as exc:
            log.warning("poll: %s listing rooms", exc)
            return ()
        return tuple(r[0] for r in rows)

    @staticmethod
    def _is_teacher(row: Any, token: object) -> bool:
        return _valid_token(token) and hmac.compare_digest(row[1], _token_hash(token))  # type: ignore[arg-type]

    def is_teacher(self, code: object, token: object, *, now: float | None = None) -> bool:
        """Whether `token` is the teacher token of the open room `code`."""
        code = normalize_code(code)
        if code is None or not _valid_token(token):
            return False
        now = time.time() if now is None else float(now)
        try:
            with self._read() as c:
                row = self._room(c, code, now)
        except sqlite3.Error:
            log.exception("poll: reading room %s", code)
            return False
        return row is not None and self._is_teacher(row, token)

    def close_room(self, code: object, token: object, *, now: float | None = None) -> Ack:
        """End a room: it behaves as not found from now on (its code stays taken until it expires)."""
        return self._teacher_action(code, token, now, self._do_close_room)

    def _do_close_room(self, c: sqlite3.Connection, room: Any, now: float) -> Ack:
        c.execute("UPDATE rooms SET closed_at = ? WHERE id = ?", (now, room[0]))
        return _ack(Reason.ROOM_CLOSED)

    def purge_expired(self, now: float | None = None) -> int:
        """Delete expired rooms with their questions and answers; returns how many rooms went."""
        now = time.time() if now is None else float(now)
        with self._write() as c:
            return c.execute("DELETE FROM rooms WHERE expires_at <= ?", (now,)).rowcount

    # --- questions (the teacher's side) ---

    def _teacher_action(self, code: object, token: object, now: float | None, action: Any, *args: Any) -> Ack:
        code = normalize_code(code)
        if code is None:
            return _ack(Reason.NO_SUCH_ROOM)
        if not _valid_token(token):
            return _ack(Reason.NOT_ALLOWED)
        now = time.time() if now is None else float(now)
        try:
            with self._write() as c:
                room = self._room(c, code, now)
                if room is None:
                    return _ack(Reason.NO_SUCH_ROOM)
                if not self._is_teacher(room, token):
                    return _ack(Reason.NOT_ALLOWED)
                return action(c, room, now, *args)
        except sqlite3.OperationalError as exc:
            log.warning("poll: %s on room %s", exc, code)
            return _ack(Reason.BUSY if "locked" in str(exc) or "busy" in str(exc) else Reason.UNAVAILABLE)
        except sqlite3.Error:
            log.exception("poll: teacher action on room %s", code)
            return _ack(Reason.UNAVAILABLE)

    def open_question(
        self,
        code: object,
        token: object,
        question_id: str,
        *,
        prompt_key: str,
        options: Sequence[str],
        prompt_params: Mapping[str, Any] | None = None,
        correct: str | None = None,
        now: float | None = None,
    ) -> Ack:
        """Open `question_id` to the room and make it the current question (closing the one before).

        Opening a question again keeps its answers when its options are the same (the teacher went
        back a step), and clears them when they changed (the variant changed, so did the question).
        A malformed question (options, ids, parameters that are not JSON) raises ValueError.
        """
        options = self._check_question(question_id, prompt_key, options, correct)
        try:
            params = json.dumps(dict(prompt_params or {}), ensure_ascii=False, sort_keys=True, allow_nan=False)
        except TypeError as exc:  # a value JSON cannot hold (the store keeps data, not objects)
            raise ValueError(f"prompt_params must be JSON data: {exc}") from exc
        if len(params) > _MAX_PARAMS_JSON:
            raise ValueError(f"prompt_params is {len(params):,} characters of JSON; at most {_MAX_PARAMS_JSON:,}")
        spec = (question_id, prompt_key, params, json.dumps(list(options), ensure_ascii=False), correct)
        return self._teacher_action(code, token, now, self._do_open_question, spec)

    @staticmethod
    def _check_question(question_id: object, prompt_key: object, options: object, correct: object) -> tuple[str, ...]:
        if not _valid_question_id(question_id):
            raise ValueError(f"question_id must be 1-80 characters of A-Z a-z 0-9 _ . : -, not {question_id!r:.100}")
        if not isinstance(prompt_key, str) or not 0 < len(prompt_key) <= _MAX_PROMPT_KEY:
            raise ValueError(f"prompt_key must be a non-empty string of at most {_MAX_PROMPT_KEY} characters")
        if isinstance(options, str | bytes) or not isinstance(options, Sequence):
            raise ValueError("options must be a sequence of option ids")
        opts = tuple(options)
        if not 1 <= len(opts) <= MAX_OPTIONS:
            raise ValueError(f"a question has 1 to {MAX_OPTIONS} options, not {len(opts)}")
        for opt in opts:
            if not isinstance(opt, str) or not 0 < len(opt) <= _MAX_OPTION or not opt.isprintable():
                raise ValueError(f"option ids are printable strings of 1-{_MAX_OPTION} characters, not {opt!r:.100}")
        if len(set(opts)) != len(opts):
            raise ValueError(f"option ids must be distinct: {opts}")
        if correct is not None and correct not in opts:
            raise ValueError(f"the correct option {correct!r} is not one of {opts}")
        return opts

    def _do_open_question(self, c: sqlite3.Connection, room: Any, now: float, spec: tuple[Any, ...]) -> Ack:
        question_id, prompt_key, params, options, correct = spec
        room_id = room[0]
        # Only one question takes answers at a time.
        c.execute("UPDATE questions SET closed_at = ? WHERE room = ? AND closed_at IS NULL", (now, room_id))
        existing = c.execute(
            "SELECT id, options, answer_count FROM questions WHERE room = ? AND question_id = ?",
            (room_id, question_id),
        ).fetchone()
        if existing is None:
            (asked,) = c.execute("SELECT COUNT(*) FROM questions WHERE room = ?", (room_id,)).fetchone()
            if asked >= self.max_questions_per_room:
                return _ack(Reason.TOO_MANY_QUESTIONS, n=self.max_questions_per_room)
            rowid = c.execute(
                "INSERT INTO questions (room, question_id, prompt_key, prompt_params, options, correct, opened_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (room_id, question_id, prompt_key, params, options, correct, now),
            ).lastrowid
        else:
            rowid, old_options, count = existing
            if old_options != options and count:
                c.execute("DELETE FROM answers WHERE question = ?", (rowid,))
                c.execute("UPDATE rooms SET answer_count = answer_count - ? WHERE id = ?", (count, room_id))
                count = 0
            c.execute(
                "UPDATE questions SET prompt_key = ?, prompt_params = ?, options = ?, correct = ?, opened_at = ?,"
                " revealed_at = NULL, closed_at = NULL, answer_count = ? WHERE id = ?",
                (prompt_key, params, options, correct, now, count, rowid),
            )
        c.execute("UPDATE rooms SET current_question = ? WHERE id = ?", (rowid, room_id))
        return _ack(Reason.OPENED)

    def reveal(self, code: object, token: object, question_id: str, *, now: float | None = None) -> Ack:
        """Reveal the answer to everyone: the question takes no more answers."""
        return self._teacher_action(code, token, now, self._do_mark, question_id, "revealed_at", Reason.REVEALED)

    def close_question(self, code: object, token: object, question_id: str, *, now: float | None = None) -> Ack:
        """Stop taking answers (without revealing)."""
        return self._teacher_action(code, token, now, self._do_mark, question_id, "closed_at", Reason.CLOSED)

    def _do_mark(
        self, c: sqlite3.Connection, room: Any, now: float, question_id: object, column: str, reason: Reason
    ) -> Ack:
        if not _valid_question_id(question_id):
            return _ack(Reason.NO_SUCH_QUESTION)
        assert column in ("revealed_at", "closed_at")  # a column name cannot be a bound parameter
        updated = c.execute(
            f"UPDATE questions SET {column} = COALESCE({column}, ?) WHERE room = ? AND question_id = ?",
            (now, room[0], question_id),
        ).rowcount
        return _ack(reason if updated else Reason.NO_SUCH_QUESTION)

    # --- answers (the students' side) ---

    def answer(
        self, code: object, question_id: object, voter_id: object, option: object, *, now: float | None = None
    ) -> Ack:
        """Record `voter_id`'s answer `option` to `question_id`, once; never raises.

        Accepted only into an open room's question that takes answers, for one of its options, under
        the caps. The returned Ack is accepted only once the answer is committed to the disk.
        """
        code = normalize_code(code)
        if code is None:
            return _ack(Reason.NO_SUCH_ROOM)
        if not valid_voter_id(voter_id):
            return _ack(Reason.INVALID_VOTER)
        if not _valid_question_id(question_id):
            return _ack(Reason.NO_SUCH_QUESTION)
        if not isinstance(option, str) or not 0 < len(option) <= _MAX_OPTION:
            return _ack(Reason.INVALID_OPTION)
        now = time.time() if now is None else float(now)
        try:
            # A refusal found by reading (a flood from one browser, a closed question) takes no write
            # lock; what passes is checked again under the lock, where it counts.
            with self._read() as c:
                refusal = self._check_answer(c, code, question_id, voter_id, option, now)[0]
            if refusal is not None:
                return refusal
            with self._write() as c:
                refusal, room_id, rowid = self._check_answer(c, code, question_id, voter_id, option, now)
                if refusal is not None:
                    return refusal
                c.execute(
                    "INSERT INTO answers (question, voter_id, option, answered_at) VALUES (?, ?, ?, ?)",
                    (rowid, voter_id, option, now),
                )
                c.execute("UPDATE questions SET answer_count = answer_count + 1 WHERE id = ?", (rowid,))
                c.execute("UPDATE rooms SET answer_count = answer_count + 1 WHERE id = ?", (room_id,))
            return _ack(Reason.ACCEPTED, option)
        except sqlite3.OperationalError as exc:
            log.warning("poll: %s answering in room %s", exc, code)
            return _ack(Reason.BUSY if "locked" in str(exc) or "busy" in str(exc) else Reason.UNAVAILABLE)
        except sqlite3.Error:
            log.exception("poll: answering in room %s", code)
            return _ack(Reason.UNAVAILABLE)

    def _check_answer(
        self, c: sqlite3.Connection, code: str, question_id: str, voter_id: str, option: str, now: float
    ) -> tuple[Ack | None, int, int]:
        row = c.execute(
            "SELECT r.id, r.answer_count, q.id, q.options, q.revealed_at, q.closed_at, q.answer_count"
            " FROM rooms r LEFT JOIN questions q ON q.room = r.id AND q.question_id = ?"
            " WHERE r.code = ? AND r.closed_at IS NULL AND r.expires_at > ?",
            (question_id, code, now),
        ).fetchone()
        if row is None:
            return _ack(Reason.NO_SUCH_ROOM), 0, 0
        room_id, room_count, rowid, options, revealed_at, closed_at, count = row
        if rowid is None:
            return _ack(Reason.NO_SUCH_QUESTION), room_id, 0
        earlier = c.execute(
            "SELECT option FROM answers WHERE question = ? AND voter_id = ?", (rowid, voter_id)
        ).fetchone()
        if earlier is not None:
            return _ack(Reason.ALREADY_ANSWERED, earlier[0]), room_id, rowid
        if revealed_at is not None:
            return _ack(Reason.ALREADY_REVEALED), room_id, rowid
        if closed_at is not None:
            return _ack(Reason.QUESTION_CLOSED), room_id, rowid
        if option not in json.loads(options):
            return _ack(Reason.INVALID_OPTION), room_id, rowid
        if count >= self.max_answers_per_question:
            return _ack(Reason.QUESTION_FULL, n=self.max_answers_per_question), room_id, rowid
        if room_count >= self.max_answers_per_room:
            return _ack(Reason.ROOM_FULL, n=self.max_answers_per_room), room_id, rowid
        return None, room_id, rowid

    # --- reading ---

    def tally(self, code: object, question_id: object, *, now: float | None = None) -> dict[str, int]:
        """{option: answers} for every option of the question, in order; {} when there is no such
        open room or question."""
        code = normalize_code(code)
        if code is None or not _valid_question_id(question_id):
            return {}
        now = time.time() if now is None else float(now)
        try:
            with self._read() as c:
                row = c.execute(
                    "SELECT q.id, q.options FROM rooms r JOIN questions q ON q.room = r.id"
                    " WHERE r.code = ? AND r.closed_at IS NULL AND r.expires_at > ? AND q.question_id = ?",
                    (code, now, question_id),
                ).fetchone()
                if row is None:
                    return {}
                return self._tally(c, row[0], json.loads(row[1]))
        except sqlite3.Error:
            log.exception("poll: tally of room %s", code)
            return {}

    @staticmethod
    def _tally(c: sqlite3.Connection, rowid: int, options: list[str]) -> dict[str, int]:
        counts = dict(
            c.execute("SELECT option, COUNT(*) FROM answers WHERE question = ? GROUP BY option", (rowid,)).fetchall()
        )
        return {opt: counts.get(opt, 0) for opt in options}

    def room_state(
        self, code: object, *, token: object = None, voter_id: object = None, now: float | None = None
    ) -> RoomState | None:
        """The room as its teacher (the right `token`) or a student sees it; None when there is no
        such open room (bad, expired or closed code)."""
        code = normalize_code(code)
        if code is None:
            return None
        now = time.time() if now is None else float(now)
        try:
            with self._read() as c:
                room = self._room(c, code, now)
                if room is None:
                    return None
                room_id, _hash, created_at, expires_at, current, room_count = room
                teacher = self._is_teacher(room, token)
                asked = tuple(
                    r[0] for r in c.execute("SELECT question_id FROM questions WHERE room = ? ORDER BY id", (room_id,))
                )
                q = c.execute(
                    "SELECT id, question_id, prompt_key, prompt_params, options, correct, opened_at, revealed_at,"
                    " closed_at, answer_count FROM questions WHERE id = ? AND room = ?",
                    (current, room_id),
                ).fetchone()
                question, tally, yours = None, {}, None
                if q is not None:
                    rowid, qid, key, params, options, correct, opened_at, revealed_at, closed_at, count = q
                    revealed = revealed_at is not None
                    opts = tuple(json.loads(options))
                    question = Question(
                        qid, key, json.loads(params), opts, correct if teacher or revealed else None,
                        opened_at, revealed, closed_at is not None, count,
                    )  # fmt: skip
                    if teacher or revealed:
                        tally = self._tally(c, rowid, list(opts))
                    if valid_voter_id(voter_id):
                        mine = c.execute(
                            "SELECT option FROM answers WHERE question = ? AND voter_id = ?", (rowid, voter_id)
                        ).fetchone()
                        yours = mine[0] if mine else None
                return RoomState(code, created_at, expires_at, teacher, question, tally, room_count, asked, yours)
        except sqlite3.Error:
            log.exception("poll: reading room %s", code)
            return None
