"""The baseline for the browser-latency benchmark: one slider, no work. Run by benchmarks/browser_latency.py."""

import streamlit as st

st.set_page_config(page_title="baseline", layout="wide")
value = st.slider("value", 0, 100, 50, key="value")
st.write(f"value = {value}")
