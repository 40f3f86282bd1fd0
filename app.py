"""LR Lab: what the learning rate does to gradient descent. Run with `streamlit run app.py`.

The pages come from one registry, :data:`lr_core.lessons.PAGES`. Every url_path there has a hyphen, so it can
never equal a file name in pages/: until the first st.navigation call in a server process, Streamlit resolves
deep links against pages/*.py (its older multipage mode) and would run a matching file directly, bypassing this
script. See ../shared/STREAMLIT_NOTES.md.
"""

import streamlit as st

import ui
from lr_core.lessons import PAGES
from ui import fair, lecture, quiz

st.set_page_config(page_title="LR Lab", page_icon="📉", layout="wide")
ui.style()  # before the navigation: an element added between it and the page made the sliders of a page
# drawn after the quiz keeper's restore show their minimum (Streamlit 1.67)

with fair.metered():  # each session's fair share of the server (a section's own rerun is metered by ui.section)
    page = st.navigation(
        [
            st.Page(p.file, title=p.title, icon=p.icon, default=True)
            if not p.url_path
            else st.Page(p.file, title=p.title, icon=p.icon, url_path=p.url_path)
            for p in PAGES
        ],
        position="top",  # a sidebar would take a quarter of a 1280-pixel projector
    )
    quiz.keep()  # an answer reruns the app (st.rerun), so the run after it saves it
    quiz.score()
    lecture.chrome()  # the present-mode switch, on every page
    page.run()
    lecture.check_focus()
