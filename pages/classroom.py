"""Class mode: the instructor asks a question, the lecture hall answers from its phones, the projector shows the
answers as they arrive, then the answer and why."""

import io
import time

import segno
import streamlit as st

import ui
from lr_core import classroom as store
from lr_core import figures
from lr_core.lessons import CLASS
from ui import cache, lecture, quiz

FAILED_JOINS = 5  # codes a session may get wrong in a minute before it must wait (a page script shows bare strings)
STUDENT_EVERY = 2.0  # seconds between a phone's checks for the next question or the reveal
TALLY_EVERY = 1.0  # seconds between the projector's reads of the tally: an answer shows within about a second

scene = ui.Scene(CLASS, store.CONTROLS)
ui.lesson_header(
    CLASS,
    "Students: open the link or the QR code your instructor shows, or type the class code. Instructors: open a "
    "class, push a question, watch the answers arrive, then reveal the answer and its explanation.",
)
scene.show_notes()
room = cache.classroom(store.default_url())
bank = {q.id: q for q in store.class_questions(quiz.quiz_bank())}
KINDS = {"single": "one choice", "multi": "several choices", "predict": "predict, then run", "numeric": "a number"}


def _question(rnd: store.Round):
    """The round's question as every student sees it (drawn once per process), or ``None`` if the bank no longer
    has it."""
    return quiz.class_question(rnd.question_id, rnd.seed)


# ----------------------------------------------------------------------------------------------- a student


def join(code: str) -> None:
    """Join ``code`` with the nickname typed (a callback, before the page runs again)."""
    failures = [t for t in st.session_state.get("class.failures", []) if time.monotonic() - t < 60]
    if len(failures) >= FAILED_JOINS:
        st.session_state["class.message"] = "Too many codes that do not exist: wait a minute and try again."
        return
    try:
        student = room.join(code, st.session_state.get("class.nickname", ""))
    except KeyError:
        st.session_state["class.failures"] = [*failures, time.monotonic()]
        st.session_state["class.message"] = f"No class has the code {code}. Check it with your instructor."
        return
    except ValueError as err:
        st.session_state["class.message"] = f"That nickname cannot be used: {err}."
        return
    st.session_state.pop("class.message", None)
    scene.set(join=code, me=student)


def send(code: str, me: str, round_id: int, question, picked) -> None:
    """Send a student's answer (a callback: the view shows it at once); ``False`` is kept to say the first stood,
    and a number that cannot be read is not sent (the student is told how to write it)."""
    try:
        response = store.encode(question, picked)
    except ValueError as err:
        st.session_state[f"class.unread.{round_id}"] = str(err)
        return
    st.session_state.pop(f"class.unread.{round_id}", None)
    st.session_state[f"class.sent.{round_id}"] = room.answer(code, me, round_id, response)


def answer_widget(question, round_id: int):
    """The widget a student answers with: the choices, several of them, or a number typed."""
    key = f"class.pick.{round_id}"
    if question.kind == "numeric":
        return st.text_input("Your answer (a number)", key=key, placeholder="e.g. 0.25 or 1/4",
                             max_chars=store.RESPONSE_MAX)  # fmt: skip
    labels = {"format_func": lambda i: f"{chr(65 + i)}. {question.choices[i]}", "key": key}
    if question.kind == "multi":
        return st.multiselect("Your answer", list(range(len(question.choices))), **labels)
    return st.radio("Your answer", list(range(len(question.choices))), index=None, **labels)


@ui.section(every=STUDENT_EVERY)
def student_view(code: str, me: str) -> None:
    """The current question for a student, checked every 2 s: answer it, then see the reveal."""
    rnd = room.current(code)
    if rnd is None:
        st.info(f"You are in class {code}. The first question comes when your instructor asks it.")
        return
    question = _question(rnd)
    if question is None:
        st.warning("Your instructor asked a question this server does not have. Wait for the next one.")
        return
    st.subheader(f"Question {len(room.rounds(code))}" + (" · predict, then run" if question.kind == "predict" else ""))
    st.markdown(ui.plain(question.prompt))
    mine = room.mine(code, me, rnd.id)
    if mine is None and not rnd.revealed:
        picked = answer_widget(question, rnd.id)
        if unread := st.session_state.get(f"class.unread.{rnd.id}"):
            st.warning(f"{ui.plain(unread).capitalize()}.")
        st.button("Send my answer", key=f"class.send.{rnd.id}", disabled=picked in (None, [], ""), on_click=send,
                  args=(code, me, rnd.id, question, picked))  # fmt: skip
        return
    if mine is None:
        st.info("This question is closed: the answer has been revealed.")
    else:
        said = store.shown(question, mine)
        if st.session_state.get(f"class.sent.{rnd.id}") is False:
            st.info(f"You had answered already: your first answer, {said}, stands.")
        if not rnd.revealed:
            st.success(f"Your answer {said} is in. Wait for the reveal.")
            return
        feedback = question.check(store.decode(question, mine))
        (st.success if feedback.correct else st.error)(
            f"{'Right' if feedback.correct else 'Not this time'}: you answered {said}."
        )
    st.markdown(f"**Answer:** {ui.plain(question.check(question.answer).answer_text)}")
    st.markdown(ui.plain(question.explanation))
    if question.kind == "predict":
        quiz.scene_verdicts(question)


# ------------------------------------------------------------------------------------------- the instructor


def open_class() -> None:
    st.session_state.pop("class.message", None)
    code, key = room.open()
    st.session_state["class.teach"] = {"code": code, "key": key, "fresh": True}


def resume_class() -> None:
    code = st.session_state.get("class.resume-code", "").strip().upper()
    key = st.session_state.get("class.resume-key", "").strip()
    try:
        room.check_key(code, key)
    except KeyError:
        st.session_state["class.message"] = f"No class has the code {code}."
        return
    except PermissionError:
        st.session_state["class.message"] = f"That is not the instructor key of class {code}."
        return
    st.session_state.pop("class.message", None)
    st.session_state["class.teach"] = {"code": code, "key": key, "fresh": False}


def join_link(code: str) -> str:
    """The link students open: this page with the class code, on the host the instructor reached."""
    here = st.context.url  # None outside a browser session (a test)
    base = here.split("?")[0].rstrip("/") if here else f"/{CLASS.url_path}"
    return f"{base}?join={code}"


def reveal(code: str, key: str, round_id: int) -> None:
    try:
        room.reveal(code, key, round_id)
    except PermissionError:
        st.session_state["class.message"] = "That instructor key is not this class's: nothing was revealed."


@ui.section(every=TALLY_EVERY)
def tally(code: str, key: str) -> None:
    """The current round's answers, read again every second, and the instructor's reveal."""
    rnd = room.current(code)
    if rnd is None:
        st.info("No question asked yet: pick one above and ask it.")
        return
    question = _question(rnd)
    if question is None:
        st.warning(f"The bank has no question {rnd.question_id!r} any more.")
        return
    if rnd.revealed and st.session_state.get("class.shown") != rnd.id:
        st.session_state["class.shown"] = rnd.id
        st.rerun()  # the whole page: a prediction's run is drawn below, outside this live section
    result = store.poll(room, code, rnd, question)
    right = result.right if rnd.revealed else ()
    names = [chr(65 + i) if result.lettered else label for i, label in enumerate(result.labels)]
    st.markdown(f"### {ui.plain(question.prompt)}")
    ui.show_figure(
        figures.answer_bars(result.labels, result.counts, result.joined, right, lettered=result.lettered),
        f"{result.answered} of {result.joined} students answered: "
        + ", ".join(f"{name} {n}" for name, n in zip(names, result.counts, strict=True))
        + ("." if not rnd.revealed else f"; right: {', '.join(names[i] for i in right) or 'none of these'}."),
        key="class_answers_fig",
    )
    st.markdown(f"**{result.answered}** of **{result.joined}** joined have answered.")
    if rnd.revealed:
        share = f"{result.share_correct:.0%} right. " if result.share_correct is not None else ""
        st.success(f"{share}Answer: {ui.plain(question.check(question.answer).answer_text)}")
        st.markdown(ui.plain(question.explanation))
    else:
        st.button("Reveal the answer", key=f"class.reveal.{rnd.id}", on_click=reveal, args=(code, key, rnd.id))


def the_run(code: str) -> None:
    """On the reveal of a prediction, the run it asked about, played, with the engine's verdict."""
    rnd = room.current(code)
    question = _question(rnd) if rnd is not None and rnd.revealed else None
    if question is not None and question.kind == "predict":
        st.subheader("The run")
        quiz.show_scene(question, f"class.{rnd.id}", autoplay=f"reveal-{rnd.id}")


def ask(code: str, key: str, question_id: str, seed: int) -> None:
    """Push a question to the class; the key, shown until now, is hidden from then on."""
    try:
        room.ask(code, key, question_id, seed=seed)
    except PermissionError:
        st.session_state["class.message"] = "That instructor key is not this class's: nothing was asked."
        return
    st.session_state["class.teach"] = {**st.session_state["class.teach"], "fresh": False}


def instructor(code: str, key: str, fresh: bool) -> None:
    st.header(f"Class {code}")
    link = join_link(code)
    qr, words = st.columns([1, 2])
    svg = io.BytesIO()
    segno.make(link, error="m").save(svg, kind="svg", scale=6, dark="#000", light="#fff")
    qr.image(svg.getvalue().decode(), caption=f"QR code of {link}", width=240)
    words.markdown(f"Students join at\n\n`{link}`\n\nor type the code **{code}** on this page.")
    if fresh:
        words.warning(
            f"Your instructor key, shown until you ask the first question: `{key}`. Keep it to come back to this "
            "class from another window; without it, open a new class."
        )
    asked = room.rounds(code)
    from_bank, from_lecture = st.tabs(["A question of the bank", "A lecture scene's question"])
    pick = from_bank.selectbox(
        "Question to ask",
        list(bank),
        format_func=lambda qid: f"{qid}: {bank[qid].prompt[:80]} ({KINDS[bank[qid].kind]})",
        key="class.next",
    )
    from_bank.button("Ask the class", type="primary", on_click=ask, args=(code, key, pick, len(asked)))
    scenes = lecture.scene_questions(bank)
    chosen = from_lecture.selectbox(
        "Scene",
        range(len(scenes)),
        format_func=lambda i: (
            f"{scenes[i][0].title}, scene {scenes[i][1]}: {scenes[i][2].title} "
            f"({KINDS[bank[scenes[i][2].question].kind]})"
        ),
        key="class.scene",
    )
    if scenes:
        from_lecture.button("Ask the scene's question", on_click=ask, key="class.ask-scene",
                            args=(code, key, scenes[chosen][2].question, len(asked)))  # fmt: skip
    tally(code, key)
    the_run(code)
    names = room.nicknames(code)
    if names:
        with st.expander(f"Nicknames ({len(names)})"):
            st.markdown(", ".join(ui.plain(n) for n in names))  # as text: a nickname is never markup
    drawn = [(r, _question(r)) for r in asked]
    polls = [store.poll(room, code, r, q) for r, q in drawn if q is not None]
    if polls:
        st.download_button(
            "Download the results (CSV)",
            store.results(polls).to_csv(index=False),
            f"class-{code}.csv",
            "text/csv",
        )


# ---------------------------------------------------------------------------------------------------- page

if message := st.session_state.get("class.message"):
    st.warning(message)
code, me = scene["join"], scene["me"]
teach = st.session_state.get("class.teach")
if code and me and room.member(code, me):
    scene.sync()
    student_view(code, me)
elif teach:
    scene.sync()
    instructor(teach["code"], teach["key"], teach["fresh"])
else:
    student_side, instructor_side = st.columns(2, gap="large")
    with student_side:
        st.subheader("Join a class")
        typed = ui.control(scene, "join", student_side)
        st.text_input("Nickname (optional, shown to no one but your instructor)", key="class.nickname",
                      max_chars=store.NICKNAME_MAX)  # fmt: skip
        st.button("Join", disabled=not typed, on_click=join, args=(typed,), type="primary")
    with instructor_side:
        st.subheader("Run a class")
        st.button("Open a new class", on_click=open_class)
        st.markdown("Or come back to one:")
        st.text_input("Class code", key="class.resume-code")
        st.text_input("Instructor key", key="class.resume-key", type="password")
        st.button("Come back to this class", on_click=resume_class)
    scene.sync()
