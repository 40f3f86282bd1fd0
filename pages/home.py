"""Home: what LR Lab is and what each lesson shows (every lesson from the registry, lr_core.lessons)."""

import streamlit as st

from lr_core.lessons import LESSONS, QUIZ

st.title("LR Lab 📉")
st.markdown(
    """
**What does the learning rate η do to gradient descent?** Every lesson here runs real optimizers on real loss
surfaces while you move the controls; every link you copy from the address bar reopens the exact scene.

The rule behind it all: $\\theta_{t+1} = \\theta_t - \\eta\\,\\nabla L(\\theta_t)$.
"""
)

for page in (*LESSONS, QUIZ):
    with st.container(border=True):
        st.page_link(page.file, label=f"**{page.title}**", icon=page.icon)
        st.markdown(page.blurb)

st.markdown("Built on a numpy engine (lr_core) whose optimizers and schedules match torch.optim to float64 precision.")
