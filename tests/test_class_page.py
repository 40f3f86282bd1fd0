"""pages/classroom.py with AppTest on a real SQLite store: an instructor opens a class and asks, students join by
the link and answer, the tally follows, the reveal shows the answer; the key stays on the server side, a
student's browser gets no answer before the reveal, a repeat counts once, wrong codes are rate-limited."""

from __future__ import annotations

import pytest

from lr_core import classroom as store
from lr_core.classroom import Classroom
from lr_core.quiz import load_bank
from tests.apptest_helpers import no_errors, open_page

QUESTION = "seed-increasing-lr"


@pytest.fixture
def url(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'classes.sqlite'}"
    monkeypatch.setenv("LRLAB_DATABASE_URL", url)
    return url


def click(at, label: str) -> None:
    next(b for b in at.button if b.label == label).click().run()
    no_errors(at)


def text(at) -> str:
    return " ".join(e.value for kind in (at.markdown, at.info, at.success, at.error, at.warning) for e in kind)


def teacher(url):
    at = open_page("classroom")
    click(at, "Open a new class")
    code = at.header[-1].value.removeprefix("Class ")
    key = next(w.value for w in at.warning if "instructor key" in w.value).split("`")[1]
    return at, code, key


def student(code: str, nickname: str = ""):
    at = open_page("classroom", join=code)
    at.text_input(key="class.nickname").input(nickname).run()
    click(at, "Join")
    return at


def test_a_class_from_open_to_reveal_as_the_instructor_and_a_student_see_it(url):
    at, code, _ = teacher(url)
    assert f"?join={code}" in text(at) and at.get("image"), "the join link and its QR code"
    at.selectbox(key="class.next").set_value(QUESTION).run()
    click(at, "Ask the class")
    assert not any("instructor key" in w.value for w in at.warning), "the key is shown until the first question"

    ann = student(code, "Ann")
    assert ann.query_params["join"] == code and len(ann.query_params["me"]) == 22, "a reload keeps the place"
    rnd = Classroom(url).current(code)
    drawn = store.drawn(next(q for q in load_bank() if q.id == QUESTION), rnd.seed)
    pick = ann.radio(key=f"class.pick.{rnd.id}")
    assert drawn.explanation[:40] not in text(ann).replace("\\", ""), "no answer key before the reveal"
    assert list(pick.options) == [f"{chr(65 + i)}. {c}" for i, c in enumerate(drawn.choices)]
    pick.set_value(drawn.answer).run()
    click(ann, "Send my answer")
    assert "is in. Wait for the reveal" in text(ann)

    at.run()
    assert "**1** of **1** joined have answered." in text(at)
    click(at, "Reveal the answer")
    assert "100% right" in text(at)
    ann.run()
    assert "Right: you answered" in text(ann) and drawn.explanation[:30] in text(ann).replace("\\", "")


def test_a_second_tab_of_the_same_student_counts_once_and_says_the_first_answer_stands(url):
    at, code, _ = teacher(url)
    at.selectbox(key="class.next").set_value(QUESTION).run()
    click(at, "Ask the class")
    first = student(code)
    rnd = Classroom(url).current(code)
    second = open_page("classroom", join=code, me=first.query_params["me"])  # the same link, another tab
    for tab, choice in ((first, 0), (second, 1)):
        tab.radio(key=f"class.pick.{rnd.id}").set_value(choice).run()
    click(first, "Send my answer")
    click(second, "Send my answer")
    assert "your first answer, A, stands" in text(second)
    assert Classroom(url).tally(code, rnd.id)["counts"] == {"0": 1}


def test_a_late_answer_is_refused_after_the_reveal(url):
    at, code, _ = teacher(url)
    at.selectbox(key="class.next").set_value(QUESTION).run()
    click(at, "Ask the class")
    late = student(code)
    click(at, "Reveal the answer")
    late.run()
    assert "This question is closed" in text(late)
    assert not [b for b in late.button if b.label == "Send my answer"]


def test_wrong_codes_are_refused_and_rate_limited(url):
    _, code, _ = teacher(url)
    at = open_page("classroom")
    for _ in range(5):
        at.text_input(key="classroom.join").input("ABCDEF").run()
        click(at, "Join")
        assert "No class has the code ABCDEF" in text(at)
    at.text_input(key="classroom.join").input(code).run()
    click(at, "Join")
    assert "Too many codes that do not exist" in text(at) and "me" not in at.query_params


def test_an_instructor_comes_back_only_with_the_key(url):
    _, code, key = teacher(url)
    at = open_page("classroom")
    at.text_input(key="class.resume-code").input(code.lower()).run()
    at.text_input(key="class.resume-key").input("not the key").run()
    click(at, "Come back to this class")
    assert f"That is not the instructor key of class {code}" in text(at) and not at.header[1:]
    at.text_input(key="class.resume-key").input(key).run()
    click(at, "Come back to this class")
    assert at.header[-1].value == f"Class {code}"


def test_nicknames_reach_the_instructor_as_text_never_as_markup(url):
    at, code, _ = teacher(url)
    student(code, "**Ann** [a](http://e.x)")
    at.run()
    shown = next(m.value for m in at.markdown if "Ann" in m.value)
    assert shown == "\\*\\*Ann\\*\\* \\[a\\]\\(http\\://e\\.x\\)", shown


def asked(url, question_id: str):
    """An instructor who asked ``question_id`` and a student who joined: (instructor, round, question as drawn,
    student)."""
    at, code, _ = teacher(url)
    at.selectbox(key="class.next").set_value(question_id).run()
    click(at, "Ask the class")
    rnd = Classroom(url).current(code)
    drawn = store.drawn(next(q for q in load_bank() if q.id == question_id), rnd.seed)
    return at, code, rnd, drawn, student(code)


def test_a_number_question_takes_a_typed_number_and_says_how_to_write_one_it_cannot_read(url):
    at, code, rnd, drawn, ann = asked(url, "critical-rate-1d")
    ann.text_input(key=f"class.pick.{rnd.id}").input("two over L").run()
    click(ann, "Send my answer")
    assert "Could not read" in text(ann) and Classroom(url).tally(code, rnd.id)["answered"] == 0
    ann.text_input(key=f"class.pick.{rnd.id}").input(f"{drawn.answer:.6g}").run()
    click(ann, "Send my answer")
    assert f"Your answer {drawn.answer:.6g} is in" in text(ann)
    click(at, "Reveal the answer")
    assert "100% right" in text(at)
    ann.run()
    assert "Right: you answered" in text(ann)


def test_a_prediction_is_revealed_with_the_run_played_and_the_engines_verdict(url):
    at, _, rnd, drawn, ann = asked(url, "diverge-seed-12")
    assert "predict, then run" in text(ann) + " ".join(h.value for h in ann.subheader)
    assert "diverged" not in text(ann).lower() and "The run" not in [h.value for h in at.subheader]
    ann.radio(key=f"class.pick.{rnd.id}").set_value(drawn.answer).run()
    click(ann, "Send my answer")
    click(at, "Reveal the answer")
    at.run()
    assert "The run" in [h.value for h in at.subheader]
    assert "diverged" in text(at).lower() and "100% right" in text(at)
    ann.run()
    assert "Right: you answered" in text(ann) and "diverged" in text(ann).lower()


def test_the_page_keeps_its_classes_through_streamlits_sql_connection(url):
    """The Class page's store is on the engine of ``st.connection("sql")`` (WAL mode on SQLite), not one of its
    own: a class opened in the page is in the database the URL names."""
    import sqlalchemy as sa
    import streamlit as st

    from ui import cache

    _, code, key = teacher(url)
    room = cache.classroom(url)
    assert room.engine is st.connection("sql", type="sql", url=url, **store.engine_options(url)).engine
    with room.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    Classroom(url).check_key(code, key)  # what the page wrote, read by a store of its own
    with sa.create_engine(url).connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM classes").scalar() == 1


def test_a_lecture_scenes_question_is_asked_from_the_class_page_and_from_the_scene(url):
    from lr_core.lectures import load_lectures
    from tests.test_lecture_pages import open_scene

    at, code, _ = teacher(url)
    at.selectbox(key="class.scene").set_value(2).run()  # the third scene with a question the class can answer
    click(at, "Ask the scene's question")
    lecture, n, scene = [
        (lec, n, s)
        for lec in load_lectures()
        for n, s in enumerate(lec.scenes, 1)
        if s.question in {q.id for q in store.class_questions(load_bank())}
    ][2]
    assert Classroom(url).current(code).question_id == scene.question

    projector, _ = open_scene(lecture, n)  # the scene, with the class open in the same window
    projector.session_state["class.teach"] = at.session_state["class.teach"]
    projector.run()
    next(b for b in projector.button if b.key == "lecture.ask").click().run()
    rounds = Classroom(url).rounds(code)
    assert len(rounds) == 2 and rounds[-1].question_id == scene.question
    assert next(b for b in projector.button if b.key == "lecture.ask").disabled
