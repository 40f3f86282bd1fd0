"""Helpers for the AppTest page tests: open a page of the real app, read its Plotly figures."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from lr_core.lessons import HOME
from lr_core.lessons import PAGES as REGISTRY

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGES = {p.key: p.file for p in REGISTRY if p is not HOME}
"""Every page but the home page, by its key, from the registry (lr_core.lessons)."""


def open_page(page: str, **query: str) -> AppTest:
    """The app (app.py, its navigation and sidebar) on ``page``, with ``query`` as the URL's query string.

    The app runs once on its home page first, as AppTest requires before a page switch: without that first
    run the page script would run on its own, without app.py (Streamlit's legacy pages/ mode).
    """
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(PAGES[page]).run()
    return at


def charts(at: AppTest) -> list[tuple[str, str]]:
    """Every chart the page drew with ``pages/ui.show_figure``: its element key and its spec as sent (JSON)."""
    return [
        (chart.proto.id.split("-")[-1], json.loads(chart.proto.json)["spec"])
        for chart in at.get("bidi_component")
        if chart.proto.component_name == "lrlab_plot"
    ]


def scrubs(at: AppTest) -> dict[str, dict]:
    """What the page sent for each control scrubbed on a figure (``ui.Scrubbed.data``), by the figure's element
    key, with its parts read."""
    out = {}
    for chart in at.get("bidi_component"):
        if chart.proto.component_name == "lrlab_plot" and (data := json.loads(chart.proto.json).get("scrub")):
            out[chart.proto.id.split("-")[-1]] = {**data, "parts": json.loads(data["parts"])}
    return out


def scrub_data(at: AppTest, key: str) -> dict:
    """What the page sent for the control scrubbed on figure ``key`` (see :func:`scrubs`)."""
    return scrubs(at)[key]


def scrub_to(at: AppTest, key: str, value: float) -> AppTest:
    """End a drag of the control ``key`` (its widget key, ``page.control``) at ``value``, as the figure's callback
    does when the browser reports it (``ui.Scrubbed.chosen``, tested on its own), and rerun."""
    at.session_state[key] = value
    return at.run()


def figures(at: AppTest) -> dict[str, dict]:
    """Every Plotly figure on the page, by its element key, as plain JSON."""
    return {key: json.loads(spec) for key, spec in charts(at)}


def figure_list(at: AppTest) -> list[dict]:
    return [json.loads(spec) for _, spec in charts(at)]


def array(value) -> np.ndarray:
    """A trace's array, decoded from Plotly's base64 form where it is one."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
    return np.asarray(value, dtype=float)


def trace(fig: dict, name: str) -> dict:
    matches = [t for t in fig["data"] if t.get("name") == name]
    assert matches, f"no trace named {name!r} in {[t.get('name') for t in fig['data']]}"
    return matches[0]


def shown(markdown: str) -> str:
    """A markdown body as the student reads it: backslash escapes removed (``ui.plain`` escapes all markup)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def instance(at: AppTest, qid: str):
    """The question ``qid`` as this session shows it now (its numbers and the order of its choices; a retry is a
    new round, drawn afresh)."""
    rounds = {r: q for (i, r), q in at.session_state["quiz.instances"].items() if i == qid}
    return rounds[max(rounds)]


def score(at: AppTest) -> str:
    """The quiz score the page shows, as "right / answered" ("" before any answer)."""
    lines = [m.value for m in at.markdown if m.value.startswith("Your quiz score: ")]
    return lines[0].removeprefix("Your quiz score: ") if lines else ""


def no_errors(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def all_finite(fig: dict) -> bool:
    """No NaN or infinity in any drawn coordinate (frames included); a ``None`` in a list is a gap drawn on
    purpose, not a number."""
    traces = list(fig["data"]) + [t for f in fig.get("frames", []) for t in f["data"]]
    for t in traces:
        for axis in ("x", "y", "z"):
            if axis in t and t[axis] is not None:
                values = t[axis]
                if isinstance(values, list):
                    values = [v for v in values if v is not None]
                values = (
                    array(values)
                    if not isinstance(values, list) or not values or not isinstance(values[0], list)
                    else np.asarray(values, float)
                )
                if not np.all(np.isfinite(values)):
                    return False
    return True
