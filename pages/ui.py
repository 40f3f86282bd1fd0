"""Shared widgets and layout for the lesson pages: the one place that knows Streamlit's details.

Every control of a page is declared as a :class:`Param`; a :class:`Scene` reads them from the URL once per
session (a bad value falls back to its default, with a note on the page), keeps them in the session so a
page keeps its settings when the student comes back to it, and writes every non-default value back to the
URL, so the address bar always holds a link to the exact view.
"""

from __future__ import annotations

import math
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import plotly
import streamlit as st
from plotly.io.json import to_json_plotly

T = TypeVar("T")

STREAMLIT_KEYS = frozenset({"embed", "embed_options"})
"""URL keys Streamlit itself reads; a page leaves them alone."""


@dataclass(frozen=True)
class Param:
    """A control's URL key, default and parser (which raises ``ValueError`` with the reason)."""

    key: str
    default: Any
    parse: Callable[[list[str]], Any]
    encode: Callable[[Any], list[str]] = lambda v: [str(v)]


def float_param(key: str, default: float, lo: float, hi: float) -> Param:
    def parse(raw: list[str]) -> float:
        value = float(raw[-1])
        if not math.isfinite(value) or not lo <= value <= hi:
            raise ValueError(f"must be a number from {lo:g} to {hi:g}")
        return value

    return Param(key, default, _reasoned(parse, f"must be a number from {lo:g} to {hi:g}"), lambda v: [f"{v:.6g}"])


def int_param(key: str, default: int, lo: int, hi: int) -> Param:
    def parse(raw: list[str]) -> int:
        value = int(raw[-1])
        if not lo <= value <= hi:
            raise ValueError
        return value

    return Param(key, default, _reasoned(parse, f"must be a whole number from {lo} to {hi}"))


def choice_param(key: str, default: str, options: Sequence[str]) -> Param:
    def parse(raw: list[str]) -> str:
        if raw[-1] not in options:
            raise ValueError
        return raw[-1]

    return Param(key, default, _reasoned(parse, f"must be one of {', '.join(options)}"))


def bool_param(key: str, default: bool) -> Param:
    def parse(raw: list[str]) -> bool:
        return {"1": True, "true": True, "0": False, "false": False}[raw[-1].lower()]

    return Param(key, default, _reasoned(parse, "must be 1 or 0"), lambda v: ["1" if v else "0"])


def multi_param(key: str, default: Sequence[str], options: Sequence[str]) -> Param:
    def parse(raw: list[str]) -> list[str]:
        items = [item for chunk in raw for item in chunk.split(",") if item]
        if not items or any(item not in options for item in items):
            raise ValueError
        return list(dict.fromkeys(items))

    return Param(
        key, list(default), _reasoned(parse, f"must list some of {', '.join(options)}"), lambda v: [",".join(v)]
    )


def _reasoned(parse: Callable[[list[str]], T], reason: str) -> Callable[[list[str]], T]:
    def wrapped(raw: list[str]) -> T:
        try:
            return parse(raw)
        except (ValueError, KeyError, TypeError, OverflowError):
            raise ValueError(reason) from None

    return wrapped


class Scene:
    """The controls of one page, kept in the session and mirrored in the URL."""

    def __init__(self, page: str, params: Sequence[Param]) -> None:
        self.page = page
        self.params = {p.key: p for p in params}
        store_key = f"scene:{page}"
        if store_key not in st.session_state:
            st.session_state[store_key], st.session_state[f"notes:{page}"] = self._from_url()
        self.store: dict[str, Any] = st.session_state[store_key]
        for key, value in self.store.items():
            widget = self.widget_key(key)
            if widget not in st.session_state:
                st.session_state[widget] = value

    def _from_url(self) -> tuple[dict[str, Any], list[str]]:
        values, notes = {}, []
        for key in list(st.query_params):
            if key not in self.params and key.lower() not in STREAMLIT_KEYS:
                shown = ", ".join(st.query_params.get_all(key))[:40]
                notes.append(f"The link's `{key[:20]}={shown}` is not a setting of this page; it was ignored.")
                del st.query_params[key]
        for key, param in self.params.items():
            raw = st.query_params.get_all(key)
            values[key] = param.default
            if not raw:
                continue
            try:
                values[key] = param.parse(raw)
            except ValueError as err:
                shown = ", ".join(raw)[:40]
                notes.append(f"The link's `{key}={shown}` was ignored ({key} {err}); using the default instead.")
        return values, notes

    def widget_key(self, key: str) -> str:
        return f"{self.page}.{key}"

    def __getitem__(self, key: str) -> Any:
        return st.session_state.get(self.widget_key(key), self.store[key])

    def set(self, **values: Any) -> None:
        """Set controls from code (a preset button), before their widgets are drawn on the next run."""
        for key, value in values.items():
            self.store[key] = value
            st.session_state[self.widget_key(key)] = value

    def show_notes(self) -> None:
        """The notes about ignored URL values, with a button to dismiss them."""
        notes = st.session_state.get(f"notes:{self.page}", [])
        if notes:
            st.warning("\n\n".join(notes), icon="🔗")
            if st.button("Dismiss", key=f"{self.page}.dismiss-notes"):
                st.session_state[f"notes:{self.page}"] = []
                st.rerun()

    def sync(self) -> None:
        """After the widgets: remember their values and write the non-default ones to the URL."""
        for key, param in self.params.items():
            value = self[key]
            self.store[key] = value
            encoded = param.encode(value)
            if value == param.default:
                if key in st.query_params:
                    del st.query_params[key]
            elif st.query_params.get_all(key) != encoded:
                st.query_params[key] = encoded if len(encoded) > 1 else encoded[0]


# ------------------------------------------------------------------------------------------------- widgets


def log_options(lo: float, hi: float, per_decade: int = 12, extra: Sequence[float] = ()) -> list[float]:
    """Rates from ``lo`` to ``hi``, evenly spaced on a log scale, to 3 significant digits, plus ``extra``."""
    n = max(2, round(np.log10(hi / lo) * per_decade) + 1)
    values = {float(f"{v:.3g}") for v in np.logspace(np.log10(lo), np.log10(hi), n)}
    values |= {float(v) for v in extra if lo <= v <= hi}
    return sorted(values)


def snap(scene: Scene, key: str, options: Sequence[float]) -> None:
    """Move a control onto the nearest of ``options`` (its range can change with other controls)."""
    value = scene[key]
    if value not in options:
        nearest = min(options, key=lambda o: abs(math.log(o) - math.log(value)) if value > 0 else o)
        scene.set(**{key: nearest})


def rate_slider(
    scene: Scene, key: str, label: str, lo: float, hi: float, extra: Sequence[float] = (), help: str | None = None
) -> float:
    """A learning-rate slider on a log scale from ``lo`` to ``hi``; it always offers the control's default and
    its current value (from a link, say) where they lie in range, and ``extra`` rates worth landing on."""
    options = log_options(lo, hi, extra=(*extra, scene.params[key].default, scene[key]))
    snap(scene, key, options)
    return st.select_slider(
        label, options=options, key=scene.widget_key(key), format_func=lambda v: f"{v:.3g}", help=help
    )


# -------------------------------------------------------------------------------------------------- layout


def lesson_header(title: str, intro: str) -> None:
    st.title(title)
    st.markdown(intro)


def _publish_plotly() -> str:
    """Copy the installed plotly.js into ``static/`` (served by Streamlit at ``app/static/``) and return its URL.

    The file carries plotly's version in its name, so a browser may cache it for good; Streamlit serves only real
    files inside ``static/``, not links out of it.
    """
    source = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    name = f"plotly-{plotly.__version__}.min.js"
    target = STATIC_DIR / name
    if not target.exists():
        STATIC_DIR.mkdir(exist_ok=True)
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        shutil.copyfile(source, partial)
        partial.replace(target)  # atomic: a browser never reads half a file
    return f"app/static/{name}"


STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
_PLOTLY_SRC = _publish_plotly()
_plot = st.components.v2.component(
    "lrlab_plot", js=(Path(__file__).with_name("plot.js")).read_text(encoding="utf-8"), isolate_styles=False
)


def show_figure(fig: dict, alt: str, key: str, on_click: Callable[[float, float], None] | None = None) -> None:
    """A figure spec at full width, with its text alternative (for screen readers, and as a caption).

    Drawn by ``pages/plot.js``, which moves only the paths when a slider moves them (st.plotly_chart redraws the
    whole chart). With ``on_click``, a click on a point of the chart calls ``on_click(x, y)`` as a widget callback,
    before the next run: it may set controls that are drawn above the chart (which the run itself may not).
    """

    def clicked() -> None:
        point = st.session_state[key].get("click")
        if point:
            on_click(float(point["x"]), float(point["y"]))

    _plot(
        data={"spec": to_json_plotly(fig), "src": _PLOTLY_SRC, "alt": alt, "clickable": on_click is not None},
        key=key,
        on_click_change=clicked if on_click else None,
    )
    st.caption(f"Figure: {alt}")


def takeaway(text: str) -> None:
    st.success(f"**Takeaway.** {text}", icon="💡")


def engine(call: Callable[[], T]) -> T:
    """Run an engine call; a ``ValueError`` (bad input) becomes a message on the page and stops this run only,
    keeping every setting and the quiz progress."""
    try:
        return call()
    except ValueError as err:
        st.error(f"That combination cannot run: {err}. Change a control above to go on.", icon="⚠️")
        st.stop()
        raise  # unreachable: st.stop() raises


def fmt(x: float, digits: int = 4, paren: bool = False) -> str:
    """A number for an equation: short, with a LaTeX exponent where needed; ``paren`` wraps a negative number
    (or one with an exponent) in parentheses, for use as a factor."""
    text = f"{x:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = rf"{mantissa}\times 10^{{{int(exponent)}}}"
    return rf"\left({text}\right)" if paren and (x < 0 or "times" in text) else text


# ---------------------------------------------------------------------------------------------------- quiz

QUIZ_EXTRA_ENV = "LRLAB_QUIZ_EXTRA"
"""Environment variable: extra question files or folders (separated by ':') an instructor adds to the bank."""


@st.cache_resource(show_spinner=False)
def _load_bank(extra: str) -> tuple[list, str | None]:
    import os

    from lr_core import quiz

    paths = [p for p in extra.split(os.pathsep) if p]
    try:
        return quiz.load_bank(*paths), None
    except quiz.QuizBankError as err:  # the built-in bank still works; the page says what is wrong
        return quiz.load_bank(), str(err)


def quiz_bank() -> list:
    """The question bank (built in, plus the instructor's files); a bad extra file is reported on the page."""
    import os

    bank, problem = _load_bank(os.environ.get(QUIZ_EXTRA_ENV, ""))
    if problem:
        st.error(f"An extra question file could not be loaded, so only the built-in questions are used. {problem}")
    return bank


def progress():
    """This student's answers, kept for the whole session, across pages."""
    from lr_core.quiz import Progress

    if "quiz.progress" not in st.session_state:
        st.session_state["quiz.progress"] = Progress()
    return st.session_state["quiz.progress"]


def student_seed() -> int:
    """The seed that draws this student's numbers in parametric questions (fixed for the session)."""
    import secrets

    if "quiz.seed" not in st.session_state:
        st.session_state["quiz.seed"] = secrets.randbelow(2**31)
    return st.session_state["quiz.seed"]


def instance(question):
    """The question as this student sees it: numbers drawn and answer computed once per session."""
    cache = st.session_state.setdefault("quiz.instances", {})
    if question.id not in cache:
        cache[question.id] = question.instantiate(student_seed()) if question.needs_instance else question
    return cache[question.id]


def sidebar_score() -> None:
    p = progress()
    if p.answered:
        st.sidebar.metric("Your quiz score", f"{p.score} / {p.answered}")


def ask(question, key: str) -> None:
    """Show one question, take the answer, grade it with the engine and explain. Only the prompt and the
    choices reach the browser until the student submits."""
    from lr_core import quiz

    q = instance(question)
    feedback_key = f"quiz.feedback.{key}.{q.id}"
    with st.container(border=True):
        st.caption(f"Question · {q.topic}" + (" · predict, then run" if q.kind == "predict" else ""))
        st.markdown(f"**{q.prompt}**")
        widget = f"quiz.{key}.{q.id}"
        if q.kind in ("single", "predict"):
            response = st.radio(
                "Your answer",
                range(len(q.choices)),
                format_func=q.choices.__getitem__,
                index=None,
                key=widget,
                label_visibility="collapsed",
            )
        elif q.kind == "multi":
            response = [i for i, c in enumerate(q.choices) if st.checkbox(c, key=f"{widget}.{i}")]
        else:
            response = st.text_input("Your answer (a number)", key=widget, placeholder="e.g. 0.25")
        if st.button("Check my answer", key=f"{widget}.submit", type="primary"):
            missing = response is None or response == "" or (q.kind == "multi" and not response)
            if missing:
                st.warning("Choose or type an answer first.")
            else:
                feedback = q.check(response)
                progress().record(q, feedback.correct)
                st.session_state[feedback_key] = feedback
                st.rerun()  # so the score in the sidebar includes this answer
        feedback: quiz.Feedback | None = st.session_state.get(feedback_key)
        if feedback:
            if feedback.correct:
                st.success(f"Right. {feedback.explanation}")
            else:
                st.error(f"Not quite: the answer is **{feedback.answer_text}**. {feedback.explanation}")
            if q.kind == "predict":
                _show_scene(q, key)


def _show_scene(q, key: str) -> None:
    """Run a predict question's scene and show it, with the engine's verdict."""
    from lr_core import figures, quiz
    from lr_core.surfaces import curve

    result = quiz.run_scene(q.scene)
    runs = figures.series_list(result.trajs, result.names)
    if result.surface.dim == 1:
        xs, ys = curve(result.surface)
        top = float(ys.max())
        fig = figures.path_on_curve(
            result.surface,
            xs,
            ys,
            runs,
            x_range=result.surface.bounds[0],
            y_range=(-0.05 * top, 1.05 * top),
            title="The run",
        )
    else:
        fig = figures.contour_paths(result.surface, runs, log_levels=True, title="The run", height=480)
    show_figure(fig, "the scene of the question, run by the engine after your prediction.", key=f"{key}.{q.id}.scene")
    for name, label in zip(result.names, result.labels, strict=True):
        st.markdown(f"**{name}**: {label.label}: {label.reason}.")


def embedded_questions(ids: Sequence[str], key: str) -> None:
    """One or two questions of the bank at the end of a lesson; they count in the same score as the Quiz page."""
    bank = {q.id: q for q in quiz_bank()}
    st.header("Check yourself")
    for qid in ids:
        if qid in bank:
            ask(bank[qid], key)
