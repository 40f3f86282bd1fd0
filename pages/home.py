"""Home: what LR Lab is and what each lesson shows (every lesson from the registry, lr_core.lessons)."""

import streamlit as st

import ui
from lr_core.course import DIRECTIONS, REFERENCES
from lr_core.lessons import CLASS, LECTURES, LESSONS, QUIZ
from lr_core.lessons import page as page_of

st.title("LR Lab 📉")
st.markdown(
    """
**What does the learning rate η do to gradient descent?** Every lesson here runs real optimizers on real loss
surfaces while you move the controls; every link you copy from the address bar reopens the exact scene.

The rule behind it all: $\\theta_{t+1} = \\theta_t - \\eta\\,\\nabla L(\\theta_t)$.
"""
)

for page in (*LESSONS, QUIZ, CLASS, LECTURES):
    with st.container(border=True):
        st.page_link(page.file, label=f"**{page.title}**", icon=page.icon)
        st.markdown(page.blurb)

st.header("What comes next")
st.markdown("The course ends with four directions of research; each already has a piece you can move here.")
for d in DIRECTIONS:
    lesson = page_of(d.lesson)
    with st.container(border=True):
        st.markdown(f"**{d.title}.** {d.sentence} See {d.look}:")
        st.page_link(lesson.file, label=lesson.title, icon=lesson.icon)

st.header("References")
st.markdown("\n".join(f"- [{ui.plain(r.citation)}]({r.url}) (see *{page_of(r.lesson).title}*)" for r in REFERENCES))

st.markdown("Built on a numpy engine (lr_core) whose optimizers and schedules match torch.optim to float64 precision.")
