"""A figure's export menu, under every figure: an expander whose buttons exist only while it is open, for the
figure as a self-contained HTML file, a PNG at 1920x1080, its animation as a GIF and an MP4 (rendered once, with a
progress bar), its data as CSV, and where the lesson has one a Python script that reproduces the scene with
``torch.optim``. Files are made only when asked for."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import streamlit as st

from lr_core import export


def menu(fig: dict, key: str, name: str, script: Callable[[], str] | None = None) -> None:
    """The export menu of the figure ``fig`` drawn under ``key``; ``name`` names the files."""
    box = st.expander("⬇️ Export this figure: HTML, PNG, GIF, MP4, CSV" + (", torch script" if script else ""),
                      key=f"{key}.export", on_change="rerun")  # fmt: skip
    if not box.open:  # its buttons are made only while it is open: a figure costs one element, not seven
        return
    with box:
        st.download_button("HTML (animates offline)", lambda: export.html(fig, name), f"{name}.html", "text/html",
                           key=f"{key}.export.html", on_click="ignore")  # fmt: skip
        st.download_button("PNG, 1920×1080", lambda: export.png(fig), f"{name}.png", "image/png",
                           key=f"{key}.export.png", on_click="ignore")  # fmt: skip
        st.download_button("The data (CSV)", lambda: export.csv(fig), f"{name}.csv", "text/csv",
                           key=f"{key}.export.csv", on_click="ignore")  # fmt: skip
        if script is not None:
            st.download_button("Python script (torch.optim)", script, f"{name}.py", "text/x-python",
                               key=f"{key}.export.py", on_click="ignore")  # fmt: skip
        if fig.get("frames"):
            _movie(fig, key, name)


def _movie(fig: dict, key: str, name: str) -> None:
    """The animation as a GIF and an MP4: its frames rendered once, on request, with a progress bar."""
    stamp = hashlib.sha256(json.dumps(fig, sort_keys=True, default=str).encode()).hexdigest()
    made: Any = st.session_state.get(f"{key}.movie")
    if made is None or made[0] != stamp:
        if not st.button(f"Render the animation ({len(fig['frames'])} frames) as GIF and MP4", key=f"{key}.render"):
            return
        bar = st.progress(0.0, text="Rendering the frames…")

        def progress(done: int, total: int) -> None:
            bar.progress(done / total, text=f"Frame {done} of {total}")

        images = export.animation(fig, progress=progress)
        bar.progress(1.0, text="Writing the GIF and the MP4…")
        made = (stamp, export.gif(images), export.mp4(images))
        st.session_state[f"{key}.movie"] = made
        bar.empty()
    st.download_button("GIF", made[1], f"{name}.gif", "image/gif", key=f"{key}.export.gif", on_click="ignore")
    st.download_button("MP4", made[2], f"{name}.mp4", "video/mp4", key=f"{key}.export.mp4", on_click="ignore")
