"""The Quiz: questions on every concept, one at a time, graded with explanations."""

import pandas as pd
import streamlit as st

import ui
from lr_core.lessons import QUIZ
from lr_core.quiz import CONTROLS, select
from ui import quiz

scene = ui.Scene(QUIZ, CONTROLS)

ui.lesson_header(
    QUIZ,
    "Predict, then find out why. Questions cover every idea of the lessons; some have numbers drawn just for "
    "you, and some run the scene after you predict what it will do. Answers here and in the lessons count in one "
    "score.",
)
scene.show_notes()
quiz.bank_problems()
bank = quiz.quiz_bank()
state = st.session_state.setdefault("quiz.run", {"ids": [], "pos": 0})

if not state["ids"]:
    topics = ui.control(scene, "topics")
    n = ui.control(scene, "n")
    scene.sync()
    available = len([q for q in bank if not topics or q.topic in topics])
    st.markdown(f"{available} questions on {'these topics' if topics else 'all topics'}.")
    if st.button("Start the quiz"):
        answered = list(quiz.progress().results)
        picked = select(bank, topics, n, quiz.student_seed() + len(answered), answered)
        state.update(ids=[q.id for q in picked], pos=0, retry=False)
        st.rerun()
    st.stop()

scene.sync()
by_id = {q.id: q for q in bank}
ids = [i for i in state["ids"] if i in by_id]
pos = state["pos"]
if pos < len(ids):
    st.progress(pos / len(ids), text=f"Question {pos + 1} of {len(ids)}")
    question = by_id[ids[pos]]
    quiz.ask(question, "quiz")
    if st.button("Next question →" if pos + 1 < len(ids) else "See my results →", disabled=not quiz.answered(question)):
        state["pos"] += 1
        st.rerun()
    st.stop()

# ---------------------------------------------------------------------------------------------------- results
record = quiz.progress()
first = {i: record.first_try(i) for i in ids}
now = {i: record.results.get(i, False) for i in ids}
if state.get("retry"):
    st.header(f"On this retry you got {sum(now.values())} of {len(ids)} right")
    st.markdown(
        "A retry counts as a retry: your score keeps each question's first answer, and what you got right since "
        "is shown beside it."
    )
else:
    st.header(f"You got {sum(first.values())} of {len(ids)} right")
rows = {}
for i in ids:
    ok, later, total = rows.get(by_id[i].topic, (0, 0, 0))
    rows[by_id[i].topic] = (ok + first[i], later + (now[i] and not first[i]), total + 1)
st.dataframe(
    pd.DataFrame(
        [
            {"topic": t, "right at first": ok, "right on a retry": later, "asked": n, "share at first": ok / n}
            for t, (ok, later, n) in rows.items()
        ]
    ),
    hide_index=True,
    width="stretch",
    column_config={
        "share at first": st.column_config.ProgressColumn(
            "share at first", min_value=0.0, max_value=1.0, format="percent"
        )
    },
)
missed = [i for i in ids if not now[i]]
c1, c2 = st.columns(2)
if missed and c1.button(f"Retry the {len(missed)} I missed"):
    quiz.retry(missed)
    state.update(ids=missed, pos=0, retry=True)
    st.rerun()
if c2.button("Start over"):
    state.update(ids=[], pos=0, retry=False)
    st.rerun()

overall = quiz.progress().by_topic()
if overall:
    st.subheader("All your answers so far, lessons included")
    st.dataframe(
        pd.DataFrame([{"topic": t, "right at first": ok, "answered": n} for t, (ok, n) in overall.items()]),
        hide_index=True,
        width="stretch",
    )
