"""LR Lab: what the learning rate does to gradient descent. Run with `streamlit run app.py`.

Every url_path has a hyphen, so it can never equal a file name in pages/: until the first st.navigation call in
a server process, Streamlit resolves deep links against pages/*.py (its older multipage mode) and would run a
matching file directly, bypassing this script. See ../shared/STREAMLIT_NOTES.md.
"""

import streamlit as st

from pages import ui

st.set_page_config(page_title="LR Lab", page_icon="📉", layout="wide")

PAGES = [
    st.Page("pages/home.py", title="Home", icon="🏠", default=True),
    st.Page("pages/update_rule.py", title="1 · Update rule", icon="➡️", url_path="update-rule"),
    st.Page("pages/convergence.py", title="2 · Convergence & stability", icon="🎯", url_path="convergence-stability"),
    st.Page("pages/schedules.py", title="3 · Schedules", icon="📆", url_path="lr-schedules"),
    st.Page("pages/adaptive.py", title="4 · Adaptive methods", icon="🧭", url_path="adaptive-methods"),
    st.Page("pages/quiz.py", title="Quiz", icon="❓", url_path="quiz-yourself"),
]

page = st.navigation(PAGES)
ui.sidebar_score()
page.run()
