"""Lectures: the prepared lectures to step through on a projector, and the presenter view of one (its notes, the
next scene, a timer), which the projector follows and which follows the projector."""

import streamlit as st

import ui
from lr_core.lessons import LECTURES
from ui import lecture, quiz

scene = ui.Scene(LECTURES, ())
st.title(LECTURES.title)
scene.show_notes()
at = lecture.current()


def index() -> None:
    """Every lecture: its scenes, a link to start it on the projector, and one to its presenter view."""
    st.markdown(
        "Open a lecture on the projector (present mode: large type, no menus), then its presenter view in a second "
        "window on your own screen: each follows the other. Right arrow or PageDown goes to the next scene (a "
        "clicker sends PageDown), Left arrow or PageUp back, Home and End to the ends, Space plays or pauses the "
        "figure. Your own lectures are TOML files named by `LRLAB_LECTURES_EXTRA` (see the README)."
    )
    for problem in lecture.problems():
        st.warning(ui.plain(problem))
    for lec in lecture.lectures():
        with st.container(border=True):
            minutes = f" · about {lec.minutes} minutes" if lec.minutes else ""
            st.subheader(f"{lec.title}")
            st.markdown(f"{len(lec.scenes)} scenes{minutes}")
            start, notes = st.columns(2)
            start.link_button("Start on the projector", lec.url(1))
            notes.link_button("Open the presenter view", lecture.presenter_url(lec, 1))
            lecture.export_button(lec)
            with st.expander("The scenes"):
                st.markdown(
                    "\n".join(f"{n}. [{ui.plain(s.title)}]({lec.url(n)})" for n, s in enumerate(lec.scenes, start=1))
                )


def presenter(at: lecture.Arrival) -> None:
    """The presenter view: the scene's notes to read, what comes next, a timer, and the buttons that move both
    windows."""
    if (wanted := lecture.requested(at)) is not None:  # the projector moved: follow it
        st.query_params["scene"] = str(max(1, min(len(at.lecture.scenes), wanted)))
        st.rerun()
    total = len(at.lecture.scenes)
    st.markdown(f"**Presenter view** · {ui.plain(at.lecture.title)} · scene **{at.n}** of **{total}**")
    lecture.link(at, "presenter")

    def step(to: int) -> None:
        st.query_params["scene"] = str(to)

    back, forward, projector = st.columns([1, 1, 2])
    back.button("◀ Previous", disabled=at.n == 1, on_click=step, args=(at.n - 1,), use_container_width=True)
    forward.button("Next ▶", disabled=at.n == total, on_click=step, args=(at.n + 1,), use_container_width=True)
    projector.link_button("Open the projector window", at.lecture.url(at.n), use_container_width=True)
    st.header(f"Now: {ui.plain(at.scene.title)}")
    st.markdown(f"*On screen:* {ui.plain(at.scene.text)}")
    st.subheader("Notes")
    st.markdown(f"#### {ui.plain(at.scene.notes) or 'No notes for this scene.'}")
    if at.scene.question:
        question = next((q for q in quiz.quiz_bank() if q.id == at.scene.question), None)
        if question is not None:
            st.markdown(f"**Question for the class** (`{question.id}`): {ui.plain(question.prompt)}")
    following = at.lecture.scenes[at.n] if at.n < total else None
    st.subheader("Next")
    st.markdown(f"#### {ui.plain(following.title)}" if following else "#### The end of the lecture.")


if at is None:
    index()
else:
    presenter(at)
scene.sync()
