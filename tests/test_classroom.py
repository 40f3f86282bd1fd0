"""lr_core/classroom.py on a real SQLite file and a real PostgreSQL server (deploy/services.py): the API's contract,
the instructor's key, nothing lost or counted twice under many concurrent writers (threads of one process, and
several processes as replicas would be), and a restart that keeps every answer."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from deploy import services
from lr_core.classroom import ALPHABET, CODE_LENGTH, META, NICKNAME_MAX, STUDENTS, Classroom


@pytest.fixture(scope="module")
def postgres_url():
    with services.postgres() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'classes.sqlite'}"
    return request.getfixturevalue("postgres_url")


def test_a_class_round_from_open_to_reveal(url):
    room = Classroom(url)
    code, key = room.open()
    assert len(code) == CODE_LENGTH and set(code) <= set(ALPHABET)
    ann, bob = room.join(code, "Ann"), room.join(code)
    assert ann != bob
    first = room.ask(code, key, "seed-increasing-lr", seed=3)
    assert room.tally(code, first) == {"joined": 2, "answered": 0, "counts": {}}
    assert room.answer(code, ann, first, 1) and room.answer(code, bob, first, 2)
    assert room.tally(code, first) == {"joined": 2, "answered": 2, "counts": {"1": 1, "2": 1}}
    room.reveal(code, key, first)
    assert room.revealed(code, first)
    second = room.ask(code, key, "critical-rate-1d")
    assert second != first and room.tally(code, second)["answered"] == 0


def test_the_first_answer_stands_and_answers_after_the_reveal_are_refused(url):
    room = Classroom(url)
    code, key = room.open()
    ann = room.join(code)
    r = room.ask(code, key, "q")
    assert room.answer(code, ann, r, "0") is True
    assert room.answer(code, ann, r, "3") is False, "a double click, a second tab, a replay"
    assert room.tally(code, r)["counts"] == {"0": 1}
    late = room.join(code)
    room.reveal(code, key, r)
    assert room.answer(code, late, r, "0") is False
    assert room.tally(code, r)["answered"] == 1


def test_an_answer_to_another_class_or_an_unknown_round_is_refused(url):
    room = Classroom(url)
    one, _ = room.open()
    two, key_two = room.open()
    ann = room.join(one)
    r_two = room.ask(two, key_two, "q")
    assert room.answer(two, ann, r_two, "1") is False, "ann is not in class two"
    assert room.answer(one, ann, r_two, "1") is False, "round of another class"
    assert room.answer(one, ann, 999, "1") is False
    with pytest.raises(KeyError):
        room.tally(one, r_two)


def test_the_instructor_key_is_checked_on_the_server_and_stored_only_as_a_hash(url, tmp_path):
    room = Classroom(url)
    code, key = room.open()
    with pytest.raises(PermissionError):
        room.ask(code, key + "x", "q")
    r = room.ask(code, key, "q")
    with pytest.raises(PermissionError):
        room.reveal(code, "guess", r)
    assert not room.revealed(code, r)
    with room.engine.connect() as conn:
        cells = [str(v) for table in META.sorted_tables for row in conn.execute(sa.select(table)) for v in row]
    assert cells and not any(key in c for c in cells), "the key itself is nowhere in the database"
    if url.startswith("sqlite"):
        assert key.encode() not in (tmp_path / "classes.sqlite").read_bytes()


def test_unknown_codes_and_bad_nicknames(url):
    room = Classroom(url)
    code, key = room.open()
    for call in (lambda: room.join("ZZZZZZ"), lambda: room.ask("ZZZZZZ", key, "q"), lambda: room.tally("ZZZZZZ", 1)):
        with pytest.raises(KeyError):
            call()
    with pytest.raises(ValueError, match="at most"):
        room.join(code, "x" * (NICKNAME_MAX + 1))
    sid = room.join(code, "  <b>Ann</b>\n  **bold** ")
    with room.engine.connect() as conn:
        stored = conn.execute(sa.select(STUDENTS.c.nickname).where(STUDENTS.c.id == sid)).scalar_one()
    assert stored == "<b>Ann</b> **bold**", "kept as text (the page shows it as text), whitespace folded"


def test_a_restart_loses_nothing(url):
    room = Classroom(url)
    code, key = room.open()
    students = [room.join(code) for _ in range(5)]
    r = room.ask(code, key, "q")
    for i, s in enumerate(students):
        room.answer(code, s, r, i % 2)
    room.engine.dispose()
    again = Classroom(url)
    assert again.tally(code, r) == {"joined": 5, "answered": 5, "counts": {"0": 3, "1": 2}}
    assert again.answer(code, students[0], r, 1) is False


def test_many_threads_answering_at_once_lose_nothing_and_count_nothing_twice(url):
    """200 students answer from 16 threads, each student three times (a double click and a replay): every
    student's first answer is counted once, and the tally read meanwhile never exceeds the truth."""
    room = Classroom(url)
    code, key = room.open()
    students = [room.join(code) for _ in range(200)]
    r = room.ask(code, key, "q")

    def send(i: int) -> list[bool]:
        return [room.answer(code, students[i], r, i % 4) for _ in range(3)]

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(send, range(200)))
    assert all(res.count(True) == 1 and res[0] for res in results), "the first try is taken, the repeats refused"
    tally = room.tally(code, r)
    assert tally["answered"] == 200 and tally["counts"] == {str(k): 50 for k in range(4)}


def _replica(url: str, code: str, students: list[str], round_id: int, queue) -> None:
    room = Classroom(url)  # a process of its own, as a second server would be
    queue.put([room.answer(code, s, round_id, "7") for s in students for _ in range(2)])


def test_several_processes_sharing_the_database_land_in_one_tally(url):
    room = Classroom(url)
    code, key = room.open()
    students = [room.join(code) for _ in range(120)]
    r = room.ask(code, key, "q")
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    parts = [students[i::3] for i in range(3)]
    workers = [ctx.Process(target=_replica, args=(url, code, part, r, queue)) for part in parts]
    for w in workers:
        w.start()
    accepted = [queue.get(timeout=120) for _ in workers]
    for w in workers:
        w.join(timeout=60)
    assert all(w.exitcode == 0 for w in workers)
    assert sum(a.count(True) for a in accepted) == 120
    assert room.tally(code, r) == {"joined": 120, "answered": 120, "counts": {"7": 120}}


# ------------------------------------------------------------------------------------- what a class sees


def _round(url, question_id: str, answers: list):
    """A class asked ``question_id`` (drawn with seed 3), with one student per answer; (room, code, round, drawn)."""
    from lr_core import classroom as store
    from lr_core.quiz import load_bank

    room = Classroom(url)
    code, key = room.open()
    rid = room.ask(code, key, question_id, seed=3)
    question = store.drawn(next(q for q in load_bank() if q.id == question_id), 3)
    for response in answers:
        assert room.answer(code, room.join(code), rid, store.encode(question, response))
    return room, code, key, rid, question


def test_a_number_round_groups_the_values_typed_and_marks_the_right_ones_only_by_value(tmp_path):
    from lr_core import classroom as store

    url = f"sqlite:///{tmp_path / 'c.sqlite'}"
    from lr_core.quiz import load_bank

    bank = {q.id: q for q in load_bank()}
    right = store.drawn(bank["critical-rate-1d"], 3).answer  # 2/L, from the drawn numbers
    typed = [right, f"{right:.4f}", 0.5 * right, 3 * right, 5 * right, 7 * right]
    room, code, key, rid, question = _round(url, "critical-rate-1d", typed)
    with pytest.raises(ValueError, match="as a number"):
        store.encode(question, "two over L")
    room.reveal(code, key, rid)
    p = store.poll(room, code, room.current(code), question)
    assert not p.lettered and p.answered == 6 and sum(p.counts) == 6
    values = [float(v) for v in p.labels]
    assert values == sorted(values) and p.counts[p.labels.index(f"{right:.3g}")] == 2  # 2/L typed two ways
    assert [p.labels[i] for i in p.right] == [f"{right:.3g}"]
    assert p.share_correct == pytest.approx(2 / 6)
    table = store.results([p])
    assert table["students"].sum() == 6 and table.loc[table["right"], "students"].tolist() == [2]


def test_a_number_round_keeps_its_commonest_values_and_sums_the_rest(tmp_path):
    from lr_core import classroom as store

    typed = [1.0] * 5 + [2.0] * 4 + [float(10 + i) for i in range(store.NUMBER_BARS + 3)]
    room, code, _key, _rid, question = _round(f"sqlite:///{tmp_path / 'c.sqlite'}", "critical-rate-1d", typed)
    p = store.poll(room, code, room.current(code), question)
    assert len(p.labels) == store.NUMBER_BARS and p.labels[-1] == store.OTHER
    assert p.counts[0] == 5 and p.counts[1] == 4 and sum(p.counts) == len(typed)


def test_a_prediction_round_is_graded_by_the_engines_run(tmp_path):
    from lr_core import classroom as store
    from lr_core.quiz import run_scene

    room, code, key, rid, question = _round(f"sqlite:///{tmp_path / 'c.sqlite'}", "diverge-seed-12", [])
    verdict = run_scene(question.scene).labels[0]
    assert verdict.label == "diverged"  # η = 1.2 > 2/L = 1 on (θ − 3)²
    picks = [question.answer, question.answer, (question.answer + 1) % len(question.choices)]
    for pick in picks:
        assert room.answer(code, room.join(code), rid, store.encode(question, pick))
    room.reveal(code, key, rid)
    p = store.poll(room, code, room.current(code), question)
    assert p.lettered and p.right == (question.answer,) and p.counts[question.answer] == 2
    assert p.share_correct == pytest.approx(2 / 3)
