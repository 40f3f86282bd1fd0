"""The Quiz page and the embedded questions, with AppTest: scoring, persistence, a malformed extra file."""

import pytest

from lr_core import quiz
from tests.apptest_helpers import PAGES, charts, instance, no_errors, open_page, score, shown


def _current(at):
    """The instance of the question on screen (as this session drew it) and its widget key."""
    ids = at.session_state["quiz.run"]["ids"]
    q = instance(at, ids[at.session_state["quiz.run"]["pos"]])
    return q, f"quiz.quiz.{q.id}"


def _answer(at, right: bool):
    q, key = _current(at)
    if q.kind in ("single", "predict"):
        value = q.answer if right else (q.answer + 1) % len(q.choices)
        at.radio(key=key).set_value(value)
    elif q.kind == "multi":
        chosen = set(q.answer) if right else set(q.answer) ^ {0}
        for i in range(len(q.choices)):
            at.checkbox(key=f"{key}.{i}").set_value(i in chosen)
    else:
        at.text_input(key=key).input(f"{q.answer:.6g}" if right else f"{q.answer * 2 + 1:.6g}")
    next(b for b in at.button if b.label == "Check my answer").click().run()
    return q


def _next(at):
    next(b for b in at.button if b.label.startswith(("Next question", "See my results"))).click().run()


def test_a_full_quiz_scores_and_breaks_down_by_topic():
    at = open_page("quiz", topics="divergence,practice", n="4")
    no_errors(at)
    next(b for b in at.button if b.label == "Start the quiz").click().run()
    pattern = [True, False, True, True]
    asked = []
    for right in pattern:
        q = _answer(at, right)
        assert not at.exception
        feedback = at.success if right else at.error
        assert any(q.explanation[:30] in shown(f.value) for f in feedback), "the explanation follows the answer"
        asked.append(q)
        _next(at)
    assert at.header[0].value == "You got 3 of 4 right"
    table = at.dataframe[0].value.set_index("topic")
    for topic in ("divergence", "practice"):
        expected = [ok for q, ok in zip(asked, pattern, strict=True) if q.topic == topic]
        assert table.loc[topic, "right at first"] == sum(expected) and table.loc[topic, "asked"] == len(expected)
    assert score(at) == "3 / 4"


def test_a_retry_counts_as_a_retry_with_its_choices_drawn_afresh():
    """Reading every answer and retrying the misses does not give full marks: the score keeps first answers, and
    a retried question comes back with its numbers and choices drawn again (the key just read is no help)."""
    at = open_page("quiz", topics="divergence,step size", n="4")
    next(b for b in at.button if b.label == "Start the quiz").click().run()
    missed = []
    for right in (False, False, True, True):
        q = _answer(at, right)
        if not right:
            missed.append(q)
        _next(at)
    assert at.header[0].value == "You got 2 of 4 right"
    next(b for b in at.button if b.label.startswith("Retry the 2")).click().run()
    for first in missed:
        again = _answer(at, True)
        assert again.id == first.id and (first.id, 1) in at.session_state["quiz.instances"], "a retry is a new draw"
        _next(at)
    assert at.header[0].value == "On this retry you got 2 of 2 right"
    assert score(at) == "2 / 4 · 2 more right on a retry", "a retry counts as a retry; nothing counted twice"
    table = at.dataframe[0].value
    assert table["right at first"].sum() == 0 and table["right on a retry"].sum() == 2


def test_the_answer_key_is_not_on_the_page_before_answering():
    at = open_page("quiz", topics="convergence & stability", n="3")
    next(b for b in at.button if b.label == "Start the quiz").click().run()
    q, _ = _current(at)
    page_text = " ".join(
        shown(e.value) for e in (*at.markdown, *at.caption) if isinstance(getattr(e, "value", None), str)
    )
    assert q.explanation[:40] not in page_text
    assert not at.success and not at.error


def test_progress_survives_a_page_switch_and_embedded_answers_count():
    at = open_page("update_rule")
    q = instance(at, "seed-increasing-lr")
    at.radio(key="quiz.update_rule.seed-increasing-lr").set_value(q.answer)
    next(b for b in at.button if b.label == "Check my answer").click().run()
    assert any("Right." in s.value for s in at.success)
    at.switch_page(PAGES["quiz"]).run()
    assert score(at) == "1 / 1"
    at.switch_page(PAGES["update_rule"]).run()
    assert any("Right." in s.value for s in at.success), "the feedback is still there when coming back"


def test_a_predict_question_runs_its_scene_after_the_answer():
    at = open_page("adaptive")
    q = instance(at, "plateau-race")
    n_figs = len(charts(at))
    at.radio(key="quiz.adaptive.plateau-race").set_value(q.answer)
    next(b for b in at.button if b.label == "Check my answer" and "plateau-race" in b.key).click().run()
    no_errors(at)
    assert len(charts(at)) == n_figs + 1
    assert any("Adam (η = 0.1)" in m.value and "converged" in m.value for m in at.markdown)


def test_a_malformed_extra_question_file_gives_a_clear_error(tmp_path, monkeypatch):
    bad = tmp_path / "my_questions.toml"
    bad.write_text(
        '[[question]]\nid = "mine-1"\ntopic = "step size"\nkind = "single"\nprompt = "?"\n'
        'choices = ["a", "b"]\nanswer = 7\nexplanation = "e"\n'
    )
    monkeypatch.setenv("LRLAB_QUIZ_EXTRA", str(bad))
    at = open_page("quiz")
    assert not at.exception
    message = " ".join(shown(e.value) for e in at.error)
    assert "my_questions.toml" in message and "mine-1" in message and "answer 7 is not an index" in message
    assert any(b.label == "Start the quiz" for b in at.button), "the built-in bank still works"


def test_a_good_extra_file_adds_its_questions(tmp_path, monkeypatch):
    (tmp_path / "extra.toml").write_text(
        '[[question]]\nid = "mine-2"\ntopic = "practice"\nkind = "single"\n'
        'prompt = "?"\nchoices = ["a", "b"]\nanswer = 1\nexplanation = "e"\n'
    )
    monkeypatch.setenv("LRLAB_QUIZ_EXTRA", str(tmp_path))
    at = open_page("quiz", topics="practice", n="40")
    no_errors(at)
    practice = sum(q.topic == "practice" for q in quiz.load_bank())
    assert any(f"{practice + 1} questions" in m.value for m in at.markdown)


@pytest.mark.parametrize("query", [{"topics": "astrology"}, {"n": "1000"}])
def test_bad_quiz_links_fall_back(query):
    at = open_page("quiz", **query)
    no_errors(at)
    assert any("was ignored" in w.value for w in at.warning)


def test_an_answered_question_is_locked_and_a_second_check_changes_nothing():
    """After a wrong answer shows the key, choosing the right one cannot turn 0/1 into 1/1."""
    at = open_page("update_rule")
    q = instance(at, "seed-increasing-lr")
    key = "quiz.update_rule.seed-increasing-lr"
    at.radio(key=key).set_value((q.answer + 1) % len(q.choices))
    next(b for b in at.button if b.label == "Check my answer").click().run()
    assert score(at) == "0 / 1"
    assert at.radio(key=key).disabled
    assert not any(b.key == f"{key}.submit" for b in at.button), "no second check"
    at.session_state[key] = q.answer  # what a crafted message to the disabled widget would do
    at.run()
    assert score(at) == "0 / 1" and at.radio(key=key).value == (q.answer + 1) % len(q.choices)
    assert any("locked" in c.value for c in at.markdown)


def test_a_number_that_cannot_be_read_is_said_so_and_not_graded():
    at = open_page("update_rule")
    q = instance(at, "update-rule-one-step")
    key = "quiz.update_rule.update-rule-one-step"
    at.text_input(key=key).input("one half")
    next(b for b in at.button if b.key == f"{key}.submit").click().run()
    no_errors(at)
    assert any("could not read" in shown(w.value).lower() for w in at.warning)
    assert "quiz.progress" not in at.session_state or q.id not in at.session_state["quiz.progress"].results
    at.text_input(key=key).input(f"{q.answer:.6g}".replace(".", ","))  # a decimal comma is read
    next(b for b in at.button if b.key == f"{key}.submit").click().run()
    assert score(at) == "1 / 1"


def test_a_prompt_reaches_the_page_as_text():
    """θ* and θ_{t+1} in a prompt must not turn into emphasis or subscripts: the markdown is escaped."""
    at = open_page("quiz", topics="update rule", n="3")
    next(b for b in at.button if b.label == "Start the quiz").click().run()
    import ui

    q = instance(at, at.session_state["quiz.run"]["ids"][0])
    body = next(m.value for m in at.markdown if shown(m.value) == f"**{q.prompt}**".replace("**", "", 0))
    assert body == f"**{ui.plain(q.prompt)}**" and shown(body[2:-2]) == q.prompt


QUESTION = '[[question]]\nid = "mine"\ntopic = "step size"\nkind = "{kind}"\nprompt = "?"\nexplanation = "e"\n{extra}\n'

HOSTILE_FILES = {
    "nested.toml": "a = " + "[" * 50000 + "]" * 50000,
    "list.toml": 'question = ["a", "b"]\n',
    "choices.toml": QUESTION.format(kind="single", extra="choices = [1, 2]\nanswer = 0"),
    "twice.toml": QUESTION.format(kind="multi", extra='choices = ["a", "b"]\nanswer = [0, 0]'),
    "nan.toml": QUESTION.format(kind="numeric", extra="answer = nan"),
    "bool.toml": QUESTION.format(kind="single", extra='choices = ["a", "b"]\nanswer = true'),
    "text.toml": QUESTION.format(kind="single", extra='choices = "ab"\nanswer = 0'),
    "markup.toml": QUESTION.format(kind="single", extra='choices = ["[x](https://evil.example)", "b"]\nanswer = 9'),
}


@pytest.mark.parametrize("name", list(HOSTILE_FILES))
def test_an_instructor_file_cannot_take_the_app_down(tmp_path, monkeypatch, name):
    """Each of these crashed every page, or loaded a question no one could answer right. Now the file and the
    question are named on the Quiz page only, the lessons run, and the rest of the bank works."""
    (tmp_path / name).write_text(HOSTILE_FILES[name])
    monkeypatch.setenv("LRLAB_QUIZ_EXTRA", str(tmp_path / name))
    quiz_page = open_page("quiz")
    assert not quiz_page.exception
    assert name in " ".join(shown(e.value) for e in quiz_page.error)
    assert str(tmp_path) not in " ".join(shown(e.value) for e in quiz_page.error), "no directory shown to students"
    lesson = open_page("update_rule")
    no_errors(lesson)  # a lesson shows neither a crash nor the instructor's problem
    assert len(quiz.collect(tmp_path / name)[0]) == len(quiz.load_bank())


def test_a_missing_or_special_file_is_named_without_its_directory(tmp_path):
    questions, problems = quiz.collect(tmp_path / "secret" / "mine.toml", "/dev/zero")
    assert problems == ["mine.toml: no such question file", "zero: not a file"]
    assert len(questions) == len(quiz.load_bank())
