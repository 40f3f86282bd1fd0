"""Quiz widgets shared by the Quiz page and the lessons: the bank, one question asked and graded, the score."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import streamlit as st

from lr_core import classroom as class_store
from lr_core import figures, quiz
from lr_core.lessons import Page
from lr_core.quiz import Progress
from lr_core.surfaces import curve
from ui import plain, show_figure

QUIZ_EXTRA_ENV = "LRLAB_QUIZ_EXTRA"
"""Environment variable: extra question files or folders (separated by ':') an instructor adds to the bank."""


@st.cache_resource(max_entries=4, show_spinner=False)
def _load_bank(extra: str) -> tuple[list, list[str]]:
    """The usable questions (built in, then the instructor's files) and a message per problem."""
    return quiz.collect(*[p for p in extra.split(os.pathsep) if p])


def quiz_bank() -> list:
    """The question bank: the built-in questions and every usable one of the instructor's files
    (``LRLAB_QUIZ_EXTRA``); what cannot be used is left out (see :func:`bank_problems`)."""
    return _load_bank(os.environ.get(QUIZ_EXTRA_ENV, ""))[0]


def bank_problems() -> None:
    """The instructor's files' problems, each naming the file, the question and what is wrong: on the Quiz page
    only, as text (a file's contents never become markup)."""
    problems = _load_bank(os.environ.get(QUIZ_EXTRA_ENV, ""))[1]
    if problems:
        st.error(
            "Some questions of the extra question files could not be used and are left out; the rest of the bank "
            "works.\n\n" + "\n\n".join(f"- {plain(p)}" for p in problems[:20])
        )


def progress():
    """This student's answers, kept for the whole session, across pages."""
    if "quiz.progress" not in st.session_state:
        st.session_state["quiz.progress"] = Progress()
    return st.session_state["quiz.progress"]


def student_seed() -> int:
    """The seed that draws this student's numbers in parametric questions (fixed for the session)."""
    if "quiz.seed" not in st.session_state:
        st.session_state["quiz.seed"] = secrets.randbelow(2**31)
    return st.session_state["quiz.seed"]


def instance(question):
    """The question as this student sees it: numbers drawn, choices shuffled and answer computed once per session
    and round. A retry is a new round, so its numbers and the order of its choices are drawn afresh."""
    attempts = progress().attempts.get(question.id, 0)
    rounds = attempts if question.id in st.session_state.get("quiz.retrying", set()) else max(attempts - 1, 0)
    cache = st.session_state.setdefault("quiz.instances", {})
    key = (question.id, rounds)
    if key not in cache:
        seed = student_seed() + rounds * 2**31
        cache[key] = question.instantiate(seed) if question.needs_instance else question
    return cache[key]


_store = st.components.v2.component(
    "lrlab_store", js=(Path(__file__).with_name("store.js")).read_text(encoding="utf-8"), isolate_styles=False
)


def snapshot() -> str:
    """This student's quiz as the browser keeps it: the seed that drew their numbers, every answer, and where
    they are in a quiz (serialised again only when one of them changed)."""
    run = st.session_state.get("quiz.run", {"ids": [], "pos": 0})
    record = progress()
    version = (student_seed(), sum(record.attempts.values()), len(record.results), tuple(run["ids"]), run["pos"])
    if st.session_state.get("quiz.snapshot", (None, ""))[0] != version:
        text = json.dumps({"seed": version[0], "progress": record.to_dict(), "run": run})
        st.session_state["quiz.snapshot"] = (version, text)
    return st.session_state["quiz.snapshot"][1]


def restore(raw: str | None) -> None:
    """Take back what the browser kept (``snapshot``'s JSON), checked field by field: it comes from the
    browser. Answers given in this session before the restore arrived are kept too."""
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    kept = Progress.from_dict(data.get("progress"))
    took_back = bool(kept.results)
    if kept.results:
        kept.absorb(progress())
        st.session_state["quiz.progress"] = kept
    seed = data.get("seed")
    if isinstance(seed, int) and not isinstance(seed, bool) and 0 <= seed < 2**31:
        took_back = True
        st.session_state["quiz.seed"] = seed
        st.session_state.pop("quiz.instances", None)  # redraw the numbers with the restored seed
    run = data.get("run")
    if (
        isinstance(run, dict)
        and isinstance(run.get("ids"), list)
        and all(isinstance(i, str) for i in run["ids"])
        and isinstance(run.get("pos"), int)
        and 0 <= run["pos"] <= len(run["ids"]) <= 100
        and not st.session_state.get("quiz.run", {}).get("ids")
    ):
        took_back = True
        st.session_state["quiz.run"] = {"ids": run["ids"], "pos": run["pos"]}
    st.session_state["quiz.took_back"] = took_back


@st.fragment
def keep() -> None:
    """Keep the quiz in the browser (``ui/store.js``): restore it once per page load, save it on every run.

    A fragment: the browser's once-per-load message reruns only this, not the page, unless it brought answers
    back (then the whole page reruns to show them). A whole rerun of the page while a new student already
    clicks left the page's widgets showing their defaults, and a click then sent those (on a cold server the
    Quiz page's "Start" lost the topics of the link)."""

    def restored() -> None:
        if not st.session_state.get("quiz.restored"):
            st.session_state["quiz.restored"] = True
            restore((st.session_state.get("quiz.store") or {}).get("restore"))

    _store(
        data={"save": snapshot() if st.session_state.get("quiz.restored") else None},
        key="quiz.store",
        on_restore_change=restored,
    )
    if st.session_state.pop("quiz.took_back", False):
        st.rerun(scope="app")


def score() -> None:
    """The student's score so far, one line at the top of every page (answers in the lessons count too): first
    answers; what a retry got right is shown apart."""
    p = progress()
    if p.answered:
        retried = f" · {p.right_on_retry} more right on a retry" if p.right_on_retry else ""
        st.markdown(f"Your quiz score: {p.score} / {p.answered}{retried}")


def answered(question) -> bool:
    """Whether this student's answer to ``question`` stands (answered, and not being retried)."""
    return question.id in progress().results and question.id not in st.session_state.get("quiz.retrying", set())


def retry(ids) -> None:
    """Open the questions ``ids`` for one more answer each, which then replaces the first (the Quiz page's retry)."""
    st.session_state.setdefault("quiz.retrying", set()).update(ids)
    ends, inside = tuple(f".{qid}" for qid in ids), tuple(f".{qid}." for qid in ids)
    for k in [k for k in st.session_state if isinstance(k, str) and k.startswith("quiz.")]:
        if k.endswith(ends) or any(part in k for part in inside):  # quiz.<page>.<id> and a multi's quiz.<page>.<id>.<i>
            del st.session_state[k]


def ask(question, key: str) -> None:
    """Show one question, take the answer, grade it with the engine and explain. Only the prompt and the
    choices reach the browser until the student submits; then the answer is locked (it counts once) and shown
    with its explanation wherever the question appears again."""
    q = instance(question)
    record = progress()
    done = answered(q)
    widget = f"quiz.{key}.{q.id}"
    stored = record.responses.get(q.id) if done else None
    with st.container(border=True):
        st.markdown(f"Question · {q.topic}" + (" · predict, then run" if q.kind == "predict" else ""))
        st.markdown(f"**{plain(q.prompt)}**")
        if q.kind in ("single", "predict"):
            if done:
                st.session_state[widget] = stored
            response = st.radio(
                "Your answer",
                range(len(q.choices)),
                format_func=lambda i: plain(q.choices[i]),
                index=None,
                key=widget,
                label_visibility="collapsed",
                disabled=done,
            )
        elif q.kind == "multi":
            for i in range(len(q.choices)):
                if done:
                    st.session_state[f"{widget}.{i}"] = i in stored
            response = [i for i, c in enumerate(q.choices) if st.checkbox(plain(c), key=f"{widget}.{i}", disabled=done)]
        else:
            if done:
                st.session_state[widget] = stored
            response = st.text_input(
                "Your answer (a number)", key=widget, placeholder="e.g. 0.25 or 1/4", disabled=done
            )
        if not done and st.button("Check my answer", key=f"{widget}.submit"):
            if response is None or response == "" or (q.kind == "multi" and not response):
                st.warning("Choose or type an answer first.")
            else:
                try:
                    feedback = q.check(response)
                except ValueError as err:  # a number that cannot be read is not a wrong answer
                    st.warning(f"{plain(str(err)).capitalize()}.")
                else:
                    retrying = st.session_state.setdefault("quiz.retrying", set())
                    record.record(q, feedback.correct, response, retry=q.id in retrying)
                    retrying.discard(q.id)
                    st.rerun()  # so the score in the sidebar includes this answer
        if done:
            feedback = q.check(stored)
            if feedback.correct:
                st.success(f"Right. {plain(feedback.explanation)}")
            else:
                st.error(f"Not quite: the answer is **{plain(feedback.answer_text)}**. {plain(feedback.explanation)}")
            st.markdown("Your answer is locked: each question counts once.")
            if q.kind == "predict":
                show_scene(q, key)


@st.cache_resource(max_entries=64, ttl="1h", show_spinner="Running the scene…")
def _scene_run(scene: str) -> quiz.SceneRun:
    return quiz.run_scene(json.loads(scene))


def scene_run(q) -> quiz.SceneRun:
    """A predict question's scene, run by the engine once per process (a class polls it every second)."""
    return _scene_run(json.dumps(q.scene, sort_keys=True))


@st.cache_resource(max_entries=64, ttl="1h", show_spinner="Drawing the question…")
def _class_question(question_id: str, seed: int, extra: str):
    question = {q.id: q for q in class_store.class_questions(_load_bank(extra)[0])}.get(question_id)
    return None if question is None else class_store.drawn(question, seed)


def class_question(question_id: str, seed: int):
    """A class round's question as every student sees it, drawn once per process (a prediction runs its scene to
    know its answer); ``None`` if the bank no longer has it."""
    return _class_question(question_id, seed, os.environ.get(QUIZ_EXTRA_ENV, ""))


def show_scene(q, key: str, autoplay: str = "") -> None:
    """Run a predict question's scene and show it, with the engine's verdict; ``autoplay`` names the arrival the
    run plays on (see :func:`ui.show_figure`)."""
    result = scene_run(q)
    if result.surface is None:  # a race of training runs on the digits: their learning curves
        train = np.stack([h.train_loss for h in result.trajs], axis=1)
        val = np.stack([h.val_loss for h in result.trajs], axis=1)
        best = [int(h.best_epoch) for h in result.trajs]
        fig = figures.learning_curves(result.names, train, val, best, title="The runs")
    elif result.surface.dim == 1:
        runs = figures.series_list(result.trajs, result.names)
        xs, ys = curve(result.surface)
        top = float(ys.max())
        fig = figures.path_on_curve(
            result.surface,
            xs,
            ys,
            runs,
            x_range=result.surface.bounds[0],
            y_range=(-0.05 * top, 1.05 * top),
            title="The run",
        )
    else:
        runs = figures.series_list(result.trajs, result.names)
        fig = figures.contour_paths(result.surface, runs, log_levels=True, title="The run", height=480)
    show_figure(fig, "the scene of the question, run by the engine after the prediction.", key=f"{key}.{q.id}.scene",
                autoplay=autoplay)  # fmt: skip
    scene_verdicts(q)


def scene_verdicts(q) -> None:
    """What the engine made of each run of a predict question's scene, in words."""
    result = scene_run(q)
    for name, label in zip(result.names, result.labels, strict=True):
        st.markdown(f"**{name}** {label.sentence}: {label.reason}.")


def embedded_questions(page: Page, ids: Sequence[str] | None = None, heading: str = "Check yourself") -> None:
    """The page's questions (``page.questions``, or those of them in ``ids``: a section's own) where the page puts
    them; they count in the same score as the Quiz page. An id the bank does not have is reported, never skipped
    (``tests/test_lessons.py`` keeps the built-in ones whole). Left out in present mode when a lecture scene shows
    one section alone."""
    from ui import lecture

    if lecture.focus() is not None:
        return
    bank = {q.id: q for q in quiz_bank()}
    st.header(heading) if ids is None else st.subheader(heading)
    for qid in page.questions if ids is None else ids:
        if qid not in page.questions:
            raise ValueError(f"{qid!r} is not one of {page.key}'s questions (its LESSON.questions)")
        if qid in bank:
            ask(bank[qid], page.key)
        else:
            st.error(f"This lesson asks for the question {qid!r}, which is not in the question bank.")
