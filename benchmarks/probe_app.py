"""The probe for the browser-latency benchmark: one slider and one figure on the fast path, with nothing else to
do. Its figure is the update-rule lesson's, drawn by the app's own renderer (``ui.show_figure``); the slider moves
the step whose update is drawn (the step arrow and the tangent), and nothing else, so every move takes
``ui/plot.js``'s fast path. A lesson
page is measured against it in the same run (``benchmarks/browser_latency.py``), which serves it with
``benchmarks/static/`` holding plotly.js.

    streamlit run benchmarks/probe_app.py
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import streamlit as st

import ui
from lr_core.lessons import update_rule

st.set_page_config(page_title="probe", layout="wide")
left, right = st.columns([1, 2.2], gap="large")
t = left.slider("show the update of step t", 0, 14, 0, key="t")
scene = update_rule.update_rule(update_rule.UpdateRuleConfig(selected=t))
with right:
    ui.show_figure(update_rule.figure(scene), f"the probe's path with the update of step {t}", key="probe_fig")
