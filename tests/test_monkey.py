"""A seeded monkey on every lesson page (AppTest): hundreds of random widget changes, as a class of curious or
mischievous students would make them, from one session. After each: no exception, nothing but finite numbers in
any figure (axes included), and no "nan" shown in the text."""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass

import pytest

from lr_core.lessons import LESSONS
from tests.apptest_helpers import all_finite, figure_list, open_page, scrubs

CHANGES = 300
"""Random widget changes per lesson page."""
FEWER = {"practice": 20}
"""Pages where a change trains networks (0.2 s for one section, 8 s when a page-wide setting retrains them all):
fewer changes keep the suite within its time."""
TEXTS = ["", "abc", "1,,2", "5, 10", "10, 5", "0", "-3", "1e9", "30, 60, 90", "７", "1_0", "nan", "2" * 400]
"""What a student might type into a text box (the milestones of a schedule, say)."""
SHOWN_NAN = re.compile(r"(?<![\w\\])nan(?!\w)", re.IGNORECASE)


def _widgets(at) -> list:
    """Every widget a student can change on the page now (disabled ones and the quiz's answers aside: the quiz
    has its own tests)."""
    kinds = (at.slider, at.select_slider, at.selectbox, at.multiselect, at.toggle, at.number_input, at.text_input)
    found = [w for kind in kinds for w in kind if not w.disabled and not str(w.key).startswith("quiz.")]
    found += [
        b
        for b in at.button
        if not b.disabled and not str(b.key).startswith("quiz.") and not str(b.key).endswith(".render")
    ]  # rendering a movie: tests/test_export.py
    found += [e for e in at.expander if _expander_key(e)]  # a section drawn only when open: open or close it
    found += _scrubs(at)
    return found


@dataclass
class Scrub:
    """A control scrubbed on a figure (η): a drag ends on one of its options (what ``ui.Scrubbed.chosen`` sets)."""

    root: object
    key: str
    values: list[float]
    label: str


def _scrubs(at) -> list[Scrub]:
    """The controls the page's figures draw (a figure that follows another's control has none)."""
    return [
        Scrub(at, data["group"], data["control"]["values"], data["control"]["label"])
        for data in scrubs(at).values()
        if data["control"]
    ]


def _expander_key(e) -> str | None:
    """The key of an expander that reruns when opened (its id ends with it), else ``None``."""
    key = e.proto.id.split("-", 2)[-1] if e.proto.id.startswith("$$ID-") else ""
    return key or None


def _change(w, rng: random.Random) -> None:
    """One random change a browser could send for ``w``."""
    kind = type(w).__name__
    if kind == "Slider":
        lo, hi = w.min, w.max
        if isinstance(lo, int) and isinstance(hi, int):
            value = rng.choice([lo, hi, rng.randint(lo, hi)])
        else:
            value = rng.choice([lo, hi, rng.uniform(lo, hi)])
            step = w.step or 0
            if step:
                value = min(hi, lo + round((value - lo) / step) * step)
        w.set_value(value)
    elif kind == "SelectSlider":  # the options as shown (3 digits): the page's value of that label
        w.set_value(float(rng.choice(list(w.options))))
    elif kind == "Selectbox":
        w.select_index(rng.randrange(len(w.options)))
    elif kind == "Multiselect":
        options = list(w.options)
        w.set_value(rng.sample(options, rng.randint(0, len(options))))
    elif kind == "Toggle":
        w.set_value(not w.value)
    elif kind == "NumberInput":
        lo = w.min if w.min is not None else -1e6
        hi = w.max if w.max is not None else 1e6
        value = rng.choice([lo, hi, rng.uniform(lo, hi)])
        w.set_value(round(value) if isinstance(w.value, int) else float(value))
    elif kind == "TextInput":
        w.input(rng.choice(TEXTS))
    elif kind == "Button":
        w.click()
    elif kind == "Scrub":
        w.root.session_state[w.key] = rng.choice([w.values[0], w.values[-1], rng.choice(w.values)])
    elif kind == "Expander":  # what a click on its header does
        key = _expander_key(w)
        w.root.session_state[key] = not bool(w.root.session_state[key]) if key in w.root.session_state else True
    else:
        raise AssertionError(f"no monkey move for {kind}")


def _finite_layout(layout: dict) -> bool:
    ranges = [a["range"] for n, a in layout.items() if re.fullmatch(r"[xy]axis\d*", n) and "range" in a]
    return all(isinstance(v, (int, float)) and math.isfinite(v) for r in ranges for v in r)


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.key for p in LESSONS])
def test_random_widget_changes_never_break_a_lesson(lesson):
    rng = random.Random(f"monkey:{lesson.key}")
    at = open_page(lesson.key)
    history = []
    for _ in range(FEWER.get(lesson.key, CHANGES)):
        widgets = _widgets(at)
        w = rng.choice(widgets)
        _change(w, rng)
        history.append((type(w).__name__, getattr(w, "key", None) or w.label))
        at.run()
        assert not at.exception, (history[-5:], [e.message for e in at.exception])
        for fig in figure_list(at):
            assert all_finite(fig) and _finite_layout(fig["layout"]), (history[-5:], fig["layout"].get("title"))
        text = " ".join(m.value for m in (*at.markdown, *at.latex, *at.warning, *at.info))
        found = SHOWN_NAN.search(text)
        assert not found, (history[-5:], text[max(0, found.start() - 150) : found.end() + 30] if found else "")
