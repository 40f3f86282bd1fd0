"""The class store: a lecture hall answering live, in SQL through SQLAlchemy. Nothing here knows Streamlit.

An instructor opens a class and gets a short join code and an instructor key, shown once and stored only as its
SHA-256 hash (a lost key means a new class). Students join by the code, with an optional nickname, and get an id
of their own. The instructor asks a question (a round), students answer it, the tally counts the answers, and the
instructor reveals the round, after which no answer is taken.

Every accepted answer is one committed row, keyed by (round, student): a double click, a second tab or a replayed
request finds the row there and is refused, so the first answer stands and nothing counts twice; an answer is
written only while its round is not revealed, in the same statement that checks it. Several processes (replicas
behind a load balancer) may share one database; SQLite files are opened in WAL mode, so readers do not block the
writer, and wait for each other's writes instead of failing.

The default database is a SQLite file in :data:`DATA_DIR`; ``LRLAB_DATABASE_URL`` names another (PostgreSQL with
psycopg 3: ``postgresql+psycopg://user@host/db``).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from lr_core.controls import Token
from lr_core.quiz import Question, read_number

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
"""The join code's letters: no 0/O, 1/I/L look-alikes, nothing a projector or a phone keyboard confuses."""
CODE_LENGTH = 6
"""31⁶ ≈ 887 million codes: unguessable enough for a lecture, with failed joins rate-limited by the page."""
NICKNAME_MAX = 24
"""The longest nickname, in characters."""
RESPONSE_MAX = 200
"""The longest answer (a choice's index, a list of them, a number) a student may send."""

CONTROLS = (
    Token(key="join", label="class code", default="", pattern=f"|[{ALPHABET}]{{{CODE_LENGTH}}}", upper=True,
          what=f"a class code of {CODE_LENGTH} letters and digits", field=None),
    Token(key="me", label="your place in the class", default="", pattern=r"|[A-Za-z0-9_-]{22}", what="a student's id",
          field=None),
)  # fmt: skip
"""The class page's settings, in its URL: the class a student joins, and the student (so a reload keeps the place)."""

DATA_DIR = Path(os.environ.get("LRLAB_DATA_DIR", Path(__file__).resolve().parents[1] / "data"))
"""Where the default SQLite database lives (``LRLAB_DATA_DIR`` moves it)."""


def default_url() -> str:
    """``LRLAB_DATABASE_URL``, or the SQLite file ``classes.sqlite`` in :data:`DATA_DIR`."""
    url = os.environ.get("LRLAB_DATABASE_URL")
    if url:
        return url
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DATA_DIR / 'classes.sqlite'}"


META = sa.MetaData()
CLASSES = sa.Table(
    "classes",
    META,
    sa.Column("code", sa.String(CODE_LENGTH), primary_key=True),
    sa.Column("key_hash", sa.String(64), nullable=False),
    sa.Column("opened", sa.DateTime(timezone=True), server_default=sa.func.now()),
)
STUDENTS = sa.Table(
    "students",
    META,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("code", sa.String(CODE_LENGTH), sa.ForeignKey("classes.code"), nullable=False, index=True),
    sa.Column("nickname", sa.String(NICKNAME_MAX), nullable=False, default=""),
)
ROUNDS = sa.Table(
    "rounds",
    META,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("code", sa.String(CODE_LENGTH), sa.ForeignKey("classes.code"), nullable=False, index=True),
    sa.Column("question_id", sa.String(100), nullable=False),
    sa.Column("seed", sa.Integer, nullable=False),
    sa.Column("revealed", sa.Boolean, nullable=False, default=False),
)
ANSWERS = sa.Table(
    "answers",
    META,
    sa.Column("round_id", sa.Integer, sa.ForeignKey("rounds.id"), primary_key=True),
    sa.Column("student_id", sa.String(32), sa.ForeignKey("students.id"), primary_key=True),
    sa.Column("response", sa.String(RESPONSE_MAX), nullable=False),
)


@dataclass(frozen=True)
class Round:
    """A question asked: its id in the store, the bank's question id, the seed its numbers and order are drawn
    with (every student sees the same), and whether it has been revealed."""

    id: int
    question_id: str
    seed: int
    revealed: bool


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class Classroom:
    """The store behind class mode, on the database at ``url`` (default :func:`default_url`), or on ``engine`` (the
    pages pass the engine of Streamlit's ``st.connection("sql")``); its tables are created if missing. Unknown
    class codes raise ``KeyError``, a wrong instructor key ``PermissionError``, a bad nickname or response
    ``ValueError``."""

    def __init__(self, url: str | None = None, engine: sa.Engine | None = None) -> None:
        self.url = url or default_url()
        self.engine = engine or sa.create_engine(self.url, **engine_options(self.url))
        if self.engine.dialect.name == "sqlite" and not sa.event.contains(self.engine, "connect", _sqlite_pragmas):
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            self.engine.dispose()  # a connection opened before the pragmas were set goes
        META.create_all(self.engine)

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        """A write transaction. Each holds one statement, whose checks are part of it: a transaction that read
        first and wrote later could fail at once on SQLite when another writer went in between."""
        with self.engine.begin() as conn:
            yield conn

    def open(self) -> tuple[str, str]:
        """A new class: its join code and its instructor key (shown once; only its hash is kept)."""
        key = secrets.token_urlsafe(24)
        while True:
            code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
            try:
                with self._write() as conn:
                    conn.execute(CLASSES.insert().values(code=code, key_hash=_hash(key)))
                return code, key
            except IntegrityError:  # the code is taken: draw another
                continue

    def join(self, code: str, nickname: str = "") -> str:
        """A student joins class ``code``: their id (unguessable: it is their only credential)."""
        nickname = " ".join(str(nickname).split())
        if len(nickname) > NICKNAME_MAX:
            raise ValueError(f"a nickname has at most {NICKNAME_MAX} characters")
        student = secrets.token_urlsafe(16)
        row = sa.select(sa.literal(student), sa.literal(str(code)), sa.literal(nickname)).where(
            sa.select(CLASSES.c.code).where(CLASSES.c.code == str(code)).exists()
        )
        with self._write() as conn:
            added = _one(conn, STUDENTS.insert().from_select(["id", "code", "nickname"], row).returning(STUDENTS.c.id))
        if not added:
            raise KeyError(f"no class has the code {code!r}")
        return student

    def ask(self, code: str, instructor_key: str, question_id: str, seed: int = 0) -> int:
        """The instructor asks ``question_id`` (its numbers drawn with ``seed``): the new round's id."""
        self._instructor(code, instructor_key)
        with self._write() as conn:
            result = conn.execute(ROUNDS.insert().values(code=code, question_id=str(question_id)[:100], seed=int(seed)))
            return int(result.inserted_primary_key[0])

    def answer(self, code: str, student_id: str, round_id: int, response: Any) -> bool:
        """Record a student's answer; ``False`` when it is not taken: the round is not one of this class's, is
        revealed, or the student answered it already (the first answer stands), or is not in this class."""
        text = str(response)
        if len(text) > RESPONSE_MAX:
            raise ValueError(f"an answer has at most {RESPONSE_MAX} characters")
        open_round = sa.select(ROUNDS.c.id).where(
            ROUNDS.c.id == round_id, ROUNDS.c.code == code, ROUNDS.c.revealed.is_(False)
        )
        member = sa.select(STUDENTS.c.id).where(STUDENTS.c.id == student_id, STUDENTS.c.code == code)
        row = sa.select(
            sa.literal(int(round_id)).label("round_id"),
            sa.literal(str(student_id)).label("student_id"),
            sa.literal(text).label("response"),
        ).where(open_round.exists(), member.exists())
        try:
            with self._write() as conn:
                insert = ANSWERS.insert().from_select(["round_id", "student_id", "response"], row)
                return _one(conn, insert.returning(ANSWERS.c.round_id))
        except IntegrityError:  # (round, student) is there: a repeat
            return False

    def tally(self, code: str, round_id: int) -> dict[str, Any]:
        """``joined`` (students in the class), ``answered`` (answers to the round) and ``counts`` (response ->
        number of students); ``KeyError`` for a round that is not this class's."""
        with self.engine.connect() as conn:
            self._class(conn, code)
            self._round(conn, code, round_id)
            joined = conn.execute(sa.select(sa.func.count()).where(STUDENTS.c.code == code)).scalar_one()
            rows = conn.execute(
                sa.select(ANSWERS.c.response, sa.func.count())
                .where(ANSWERS.c.round_id == round_id)
                .group_by(ANSWERS.c.response)
            ).all()
        counts = {response: int(n) for response, n in rows}
        return {"joined": int(joined), "answered": sum(counts.values()), "counts": counts}

    def reveal(self, code: str, instructor_key: str, round_id: int) -> None:
        """Close the round: from now on its answers are refused."""
        self._instructor(code, instructor_key)
        with self._write() as conn:
            update = sa.update(ROUNDS).where(ROUNDS.c.id == int(round_id), ROUNDS.c.code == code).values(revealed=True)
            changed = _one(conn, update.returning(ROUNDS.c.id))
        if not changed:
            raise KeyError(f"class {code!r} has no round {round_id!r}")

    def revealed(self, code: str, round_id: int) -> bool:
        """Whether the round has been revealed."""
        with self.engine.connect() as conn:
            return bool(self._round(conn, code, round_id).revealed)

    def current(self, code: str) -> Round | None:
        """The class's latest round (``None`` before the first question)."""
        with self.engine.connect() as conn:
            self._class(conn, code)
            row = conn.execute(
                sa.select(ROUNDS).where(ROUNDS.c.code == code).order_by(ROUNDS.c.id.desc()).limit(1)
            ).first()
        return None if row is None else Round(row.id, row.question_id, row.seed, bool(row.revealed))

    def mine(self, code: str, student_id: str, round_id: int) -> str | None:
        """The answer a student gave to a round, or ``None``."""
        with self.engine.connect() as conn:
            return conn.execute(
                sa.select(ANSWERS.c.response)
                .join(ROUNDS, ROUNDS.c.id == ANSWERS.c.round_id)
                .where(ROUNDS.c.code == code, ANSWERS.c.round_id == int(round_id), ANSWERS.c.student_id == student_id)
            ).scalar_one_or_none()

    def member(self, code: str, student_id: str) -> bool:
        """Whether ``student_id`` joined class ``code``."""
        with self.engine.connect() as conn:
            found = conn.execute(
                sa.select(STUDENTS.c.id).where(STUDENTS.c.id == str(student_id), STUDENTS.c.code == str(code))
            ).first()
        return found is not None

    def nicknames(self, code: str) -> list[str]:
        """The nicknames the class's students gave, in the order they joined (those who gave one)."""
        with self.engine.connect() as conn:
            self._class(conn, code)
            rows = conn.execute(
                sa.select(STUDENTS.c.nickname).where(STUDENTS.c.code == code, STUDENTS.c.nickname != "")
            ).scalars()
            return list(rows)

    def rounds(self, code: str) -> list[Round]:
        """Every round of the class, in the order asked."""
        with self.engine.connect() as conn:
            self._class(conn, code)
            rows = conn.execute(sa.select(ROUNDS).where(ROUNDS.c.code == code).order_by(ROUNDS.c.id)).all()
        return [Round(r.id, r.question_id, r.seed, bool(r.revealed)) for r in rows]

    # ------------------------------------------------------------------------------------------------ checks

    @staticmethod
    def _class(conn: sa.Connection, code: str) -> sa.Row:
        row = conn.execute(sa.select(CLASSES).where(CLASSES.c.code == str(code))).first()
        if row is None:
            raise KeyError(f"no class has the code {code!r}")
        return row

    def check_key(self, code: str, key: str) -> None:
        """``PermissionError`` unless ``key`` is class ``code``'s instructor key (``KeyError``: no such class)."""
        self._instructor(code, key)

    def _instructor(self, code: str, key: str) -> None:
        with self.engine.connect() as conn:
            stored = self._class(conn, code).key_hash
        if not hmac.compare_digest(stored, _hash(str(key))):
            raise PermissionError("that is not this class's instructor key")

    @staticmethod
    def _round(conn: sa.Connection, code: str, round_id: int) -> sa.Row:
        row = conn.execute(sa.select(ROUNDS).where(ROUNDS.c.id == int(round_id), ROUNDS.c.code == code)).first()
        if row is None:
            raise KeyError(f"class {code!r} has no round {round_id!r}")
        return row


def engine_options(url: str) -> dict[str, Any]:
    """What the store's engine is created with (``sqlalchemy.create_engine``, or Streamlit's ``st.connection``):
    SQLite waits 30 s for a busy writer; a server's connections are checked before use (a restarted PostgreSQL)."""
    return {"connect_args": {"timeout": 30}} if url.startswith("sqlite") else {"pool_pre_ping": True}


def _one(conn: sa.Connection, statement: sa.Executable) -> bool:
    """Run an INSERT or UPDATE ... RETURNING and say whether it touched a row (``rowcount`` is not reliable for an
    INSERT ... SELECT on every driver: psycopg reports -1)."""
    return conn.execute(statement).first() is not None


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL, so readers (the tally) never block the writer; a busy writer is waited for, not an error."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


# ------------------------------------------------------------------------------------------- what a class sees

CLASS_KINDS = ("single", "multi", "predict", "numeric")
"""The kinds of question a class answers live: a choice, several, a prediction of a run (the engine runs the scene
on the reveal), or a number typed."""
NUMBER_BARS = 10
"""The most bars a number question's tally draws: the commonest values (to 3 significant digits), then "other"."""
OTHER = "other values"


def class_questions(bank: Sequence[Question]) -> list[Question]:
    """The bank's questions a class can answer live."""
    return [q for q in bank if q.kind in CLASS_KINDS]


def drawn(question: Question, seed: int) -> Question:
    """The question as every student of a round sees it: numbers, choice order and (for a prediction) the run's
    outcome drawn with the round's ``seed``."""
    return question.instantiate(seed) if question.needs_instance else question


def encode(question: Question, response: Any) -> str:
    """A student's answer as the store keeps it: a choice ``"2"``, several ``"0,3"`` (sorted), or a number as read
    (``"0.25"`` for ``1/4``; ``ValueError`` saying how to write a number that cannot be read)."""
    if question.kind == "multi":
        return ",".join(str(i) for i in sorted({int(i) for i in response}))
    if question.kind == "numeric":
        return f"{read_number(response):.12g}"
    return str(int(response))


def decode(question: Question, text: str) -> int | list[int] | float:
    """The choice(s) or the number a stored response names."""
    if question.kind == "multi":
        return [int(i) for i in text.split(",") if i]
    return float(text) if question.kind == "numeric" else int(text)


def shown(question: Question, text: str) -> str:
    """A stored response as a student reads it back: ``"B"``, ``"A, C"``, or the number."""
    if question.kind == "numeric":
        return f"{float(text):.6g}"
    picked = decode(question, text)
    return ", ".join(chr(65 + i) for i in (picked if isinstance(picked, list) else [picked]))


def right_choices(question: Question) -> tuple[int, ...]:
    """The indices of the right choice or choices of a drawn question, in the order shown."""
    return tuple(sorted(question.answer)) if question.kind == "multi" else (int(question.answer),)


@dataclass(frozen=True)
class Poll:
    """A round as the projector shows it: the question as drawn, how many joined and answered, one bar per choice
    (or per value typed, for a number) with its label and count, which bars are right, and once revealed the share
    of the answers that were right. ``lettered``: the bars are the question's choices, A, B, C..."""

    question: Question
    round: Round
    joined: int
    answered: int
    labels: tuple[str, ...]
    counts: tuple[int, ...]
    right: tuple[int, ...]
    share_correct: float | None

    @property
    def lettered(self) -> bool:
        return self.question.kind != "numeric"


def poll(room: Classroom, code: str, rnd: Round, question: Question) -> Poll:
    """The tally of ``rnd`` read as answers to ``question`` (already :func:`drawn` for the round)."""
    tally = room.tally(code, rnd.id)
    right_answers = sum(n for text, n in tally["counts"].items() if question.check(decode(question, text)).correct)
    share = right_answers / tally["answered"] if rnd.revealed and tally["answered"] else None
    if question.kind == "numeric":
        labels, counts, right = _number_bars(question, tally["counts"])
    else:
        labels, right = question.choices, right_choices(question)
        per_choice = [0] * len(labels)
        for text, n in tally["counts"].items():
            picked = decode(question, text)
            for i in picked if isinstance(picked, list) else [picked]:
                if 0 <= i < len(per_choice):
                    per_choice[i] += n
        counts = tuple(per_choice)
    return Poll(question, rnd, tally["joined"], tally["answered"], tuple(labels), tuple(counts), right, share)


def _number_bars(question: Question, counts: dict[str, int]) -> tuple[list[str], list[int], tuple[int, ...]]:
    """The numbers typed, grouped by their value to 3 significant digits, in increasing order: the
    :data:`NUMBER_BARS` - 1 commonest, then the rest as one bar; a group is right when its value is."""
    groups: dict[float, int] = {}
    for text, n in counts.items():
        value = float(f"{float(text):.3g}")
        groups[value] = groups.get(value, 0) + n
    kept = sorted(groups, key=lambda v: (-groups[v], v))
    kept, rest = (kept[: NUMBER_BARS - 1], kept[NUMBER_BARS - 1 :]) if len(kept) > NUMBER_BARS else (kept, [])
    kept.sort()
    labels, bars = [f"{v:.3g}" for v in kept], [groups[v] for v in kept]
    right = tuple(i for i, v in enumerate(kept) if question.check(v).correct)
    if rest:
        labels.append(OTHER)
        bars.append(sum(groups[v] for v in rest))
    return labels, bars, right


def results(polls: Sequence[Poll]) -> pd.DataFrame:
    """Every round's results, for the instructor's CSV: per round and choice (or value typed), how many gave it,
    whether it is right, and the round's share of right answers (no names)."""
    rows = []
    for p in polls:
        q = p.question
        for i, (label, n) in enumerate(zip(p.labels, p.counts, strict=True)):
            rows.append({"round": p.round.id, "question": q.id, "prompt": q.prompt, "answer given": label,
                         "students": n, "right": i in p.right, "answered": p.answered,
                         "share right": p.share_correct})  # fmt: skip
    return pd.DataFrame(rows)
