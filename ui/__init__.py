"""The lesson kit: the one place that knows Streamlit's details, shared by every page in ``pages/``.

A page declares nothing itself: its controls are declared once in its lesson module (``lr_core.lessons.*``,
see :mod:`lr_core.controls`). A :class:`Scene` reads them from the URL once per session (a bad value falls back
to its default, with a note on the page), keeps them in the session so a page keeps its settings when the
student comes back to it, draws each widget from its declaration (:func:`control`, :func:`row`), and writes
every non-default value back to the URL, so the address bar always holds a link to the exact view.

This package lives outside ``pages/`` on purpose: Streamlit runs any ``pages/*.py`` file it is asked for by URL
on a fresh server, so nothing but pages may live there.
"""

from __future__ import annotations

import math
import os
import re
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import plotly
import streamlit as st
from pandas.api.types import is_float_dtype
from plotly.io.json import to_json_plotly

from lr_core import figures
from lr_core.analysis import Verdict
from lr_core.controls import Choice, Control, IntList, MultiChoice, Number, Toggle, Token, build, by_key
from lr_core.lectures import URL_KEYS
from lr_core.lessons import Page
from lr_core.scrub import Scrub
from ui.fair import section as section  # the pages' sections: ui.section

T = TypeVar("T")

STREAMLIT_KEYS = frozenset({"embed", "embed_options"})
"""URL keys Streamlit itself reads; a page leaves them alone."""
APP_KEYS = STREAMLIT_KEYS | frozenset(URL_KEYS)
"""URL keys every page accepts besides its own settings: Streamlit's, and a lecture's scene and present mode."""


def _code(text: str) -> str:
    """``text`` as a markdown code span, so nothing in it is read as markup (CommonMark: a fence longer than
    any run of backticks inside)."""
    longest = max((len(r) for r in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    return f"{fence} {text} {fence}"


_MARKUP = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$=:])")


def plain(text: str) -> str:
    """``text`` as plain text in Streamlit markdown: every character that could start markup (emphasis, links,
    images, LaTeX, HTML) is escaped, so ``θ*`` stays ``θ*`` and nothing from a question file or a link becomes a
    live element."""
    return _MARKUP.sub(r"\\\1", text)


class _Values(Mapping[str, Any]):
    """A scene's controls' current values, read on access (:attr:`Scene.values`)."""

    def __init__(self, scene: Scene) -> None:
        self._scene = scene

    def __getitem__(self, key: str) -> Any:
        if key not in self._scene.controls:
            raise KeyError(key)
        return self._scene[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._scene.controls)

    def __len__(self) -> int:
        return len(self._scene.controls)


def _to_widget(c: Control, value: Any) -> Any:
    """A control's value as its widget holds it."""
    if isinstance(c, IntList):
        return c.text(value)
    if isinstance(c, MultiChoice):
        return list(value)
    return value


def _from_widget(c: Control, raw: Any) -> Any:
    """A widget's value as the control's (``ValueError`` for text that cannot be read)."""
    if isinstance(c, (IntList, Token)):
        return c.parse([raw])
    if isinstance(c, MultiChoice):
        return tuple(raw)
    return raw


class Scene:
    """The controls of one page, kept in the session and mirrored in the URL."""

    def __init__(self, page: Page, controls: Sequence[Control]) -> None:
        from ui import lecture  # the lecture kit draws on this one

        self.page = page.key
        self.controls = by_key(controls)
        store_key = f"scene:{self.page}"
        arrival = lecture.arrival(page)  # a lecture scene of this page, named by the URL: its settings apply
        fresh = store_key not in st.session_state or (
            arrival is not None and st.session_state.get(f"arrived:{self.page}") != arrival.name
        )
        if fresh:
            (
                st.session_state[store_key],
                st.session_state[f"notes:{self.page}"],
                st.session_state[f"linked:{self.page}"],
            ) = self._from_url(arrival.settings if arrival else {})
            st.session_state[f"arrived:{self.page}"] = arrival.name if arrival else None
        self.store: dict[str, Any] = st.session_state[store_key]
        for key, value in self.store.items():
            widget = self.widget_key(key)
            if fresh or widget not in st.session_state:
                st.session_state[widget] = _to_widget(self.controls[key], value)

    def _from_url(self, scene: Mapping[str, Any]) -> tuple[dict[str, Any], list[str], frozenset[str]]:
        """The values the URL gives (else those of the lecture ``scene`` it names, else the defaults), a note per
        value ignored, and the keys it set."""
        values, notes, linked = {}, [], set()
        for key in list(st.query_params):
            if key not in self.controls and key.lower() not in APP_KEYS:
                shown = ", ".join(st.query_params.get_all(key))[:40]
                notes.append(
                    f"The link's {_code(f'{key[:20]}={shown}')} is not a setting of this page; it was ignored."
                )
                del st.query_params[key]
        for key, c in self.controls.items():
            raw = st.query_params.get_all(key)
            values[key] = scene.get(key, c.default)
            if not raw:
                continue
            try:
                values[key] = c.parse(raw)
                linked.add(key)
            except ValueError as err:
                shown = ", ".join(raw)[:40]
                notes.append(
                    f"The link's {_code(f'{key}={shown}')} was ignored ({key} {err}); using the default instead."
                )
        return values, notes, frozenset(linked)

    def linked(self, key: str) -> bool:
        """Whether the link this session opened the page with set ``key`` (to a value the page accepted)."""
        return key in st.session_state.get(f"linked:{self.page}", frozenset())

    def widget_key(self, key: str) -> str:
        return f"{self.page}.{key}"

    def __getitem__(self, key: str) -> Any:
        raw = st.session_state.get(self.widget_key(key))
        if raw is None:
            return self.store[key]
        try:
            return _from_widget(self.controls[key], raw)
        except ValueError:
            return self.store[key]  # text that cannot be read: the last good value stands

    @property
    def values(self) -> Mapping[str, Any]:
        """Every control's current value, by URL key, each read when it is asked for: a config reads only its own
        controls, and a range that depends on one other control reads that one (reading all of them for every
        widget grew with the square of a page's controls)."""
        return _Values(self)

    def config(self, cls: type[T], controls: Sequence[Control] | None = None, **extra: Any) -> T:
        """The config ``cls`` built from the current values of ``controls`` (default: all of the page's; see
        :func:`lr_core.controls.build`) and ``extra`` fields."""
        return build(cls, self.controls.values() if controls is None else controls, self.values, **extra)

    def set(self, **values: Any) -> None:
        """Set controls from code (a preset button), before their widgets are drawn on the next run."""
        for key, value in values.items():
            self.store[key] = value
            st.session_state[self.widget_key(key)] = _to_widget(self.controls[key], value)

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
        for key, c in self.controls.items():
            value = self[key]
            self.store[key] = value
            encoded = c.encode(value)
            if value == c.default:
                if key in st.query_params:
                    del st.query_params[key]
            elif st.query_params.get_all(key) != encoded:
                st.query_params[key] = encoded if len(encoded) > 1 else encoded[0]


# ------------------------------------------------------------------------------------------------- widgets


def control(scene: Scene, key: str, where: Any = None, options: Sequence[str] | None = None) -> Any:
    """Draw the widget of control ``key`` (in ``where``, a column say) as its declaration says, and return its
    value. A range that depends on other controls is taken from their values now; a value outside it moves
    to the nearest end. ``options`` narrows a choice to some of its options."""
    c, host, wkey = scene.controls[key], where or _present_controls() or st, scene.widget_key(key)
    if isinstance(c, Number):
        return _number(scene, c, host, wkey)
    if isinstance(c, MultiChoice):
        value = host.multiselect(c.label, c.options, key=wkey, format_func=c.show, help=c.help or None)
        return tuple(value)
    if isinstance(c, Choice):
        shown = list(options) if options is not None else list(c.options)
        if scene[key] not in shown:
            scene.set(**{key: shown[0]})
        return host.selectbox(c.label, shown, key=wkey, format_func=c.show, help=c.help or None)
    if isinstance(c, Toggle):
        return host.toggle(c.label, key=wkey, help=c.help or None)
    if isinstance(c, Token):
        host.text_input(c.label, key=wkey, help=c.help or None)
        try:
            return c.parse([st.session_state[wkey]])
        except ValueError as err:
            host.warning(f"The {c.label} {err}.")
            return scene.store[key]
    if isinstance(c, IntList):
        host.text_input(c.label, key=wkey, help=c.help or f"Comma-separated: {c.text(c.default)}.")
        try:
            return c.parse([st.session_state[wkey]])
        except ValueError as err:
            host.warning(f"{c.label} {err}; keeping {c.text(scene.store[key])}.")
            return scene.store[key]
    raise TypeError(f"no widget for {type(c).__name__}")


def _fit(scene: Scene, c: Number, host: Any, wkey: str, top: float, options: Sequence[float] | None) -> None:
    """Keep the control's value within ``top``, the end its range has now. A value above it moves down to it, with
    a note, and the value the student chose comes back once the range allows it again (unless they moved the
    control in between)."""
    value, wanted, placed = scene[c.key], f"{wkey}:wanted", f"{wkey}:placed"
    if value > top:
        fitted = c.nearest(top, options) if options else top
        st.session_state[wanted], st.session_state[placed] = value, fitted
        scene.set(**{c.key: fitted})
    elif wanted in st.session_state:
        if value != st.session_state[placed]:  # the student moved it: their new choice stands
            del st.session_state[wanted], st.session_state[placed]
        elif st.session_state[wanted] <= top:
            scene.set(**{c.key: st.session_state.pop(wanted)})
            del st.session_state[placed]
    if wanted in st.session_state:
        host.markdown(
            f"{c.label}: {st.session_state[wanted]:.3g} is beyond this range for the current settings, so "
            f"{st.session_state[placed]:.3g} is used; it comes back when the range allows."
        )


def _log_options(scene: Scene, c: Number, host: Any) -> list[float]:
    """A log-scale control's options for the current settings, its value fitted to them (:func:`_fit`) and among
    them (a value from a link)."""
    options = c.options(scene.values if (c.upper or c.marks) else {})  # only a range that depends on others reads
    _fit(scene, c, host, scene.widget_key(c.key), options[-1], options)
    return sorted({*options, scene[c.key]})


def _number(scene: Scene, c: Number, host: Any, wkey: str) -> float | int:
    if c.scale == "log":
        options = _log_options(scene, c, host)
        return host.select_slider(
            c.label, options=options, key=wkey, format_func=lambda v: f"{v:.3g}", help=c.help or None
        )
    cast = int if c.integer else float
    values = scene.values if c.upper else {}  # only a range that depends on others reads them
    lo, top = cast(c.lo), cast(c.top(values))
    _fit(scene, c, host, wkey, top, None)
    if top <= lo:  # a range of one value (the step to show, in a run of one step): nothing to slide
        host.markdown(f"{c.label}: **{lo}**")
        scene.set(**{c.key: lo})
        return lo
    step = cast(c.step) if c.step else (1 if c.integer else None)
    if c.box:
        return host.number_input(c.label, lo, top, step=step, format=c.fmt, key=wkey, help=c.help or None)
    return host.slider(c.label, lo, top, step=step, key=wkey, help=c.help or None)


def scrub_options(scene: Scene, key: str, where: Any = None) -> tuple[float, ...]:
    """The options of the log-scale control ``key`` for a figure to scrub it on (its widget is drawn in the figure,
    by :func:`show_figure` with a :class:`Scrubbed`): as its slider would offer them, its value among them."""
    return tuple(_log_options(scene, scene.controls[key], where or _present_controls() or st))


@dataclass(frozen=True)
class Scrubbed:
    """A control of ``scene`` scrubbed on a figure (:mod:`lr_core.scrub`): ``scrub`` holds the figure's moving parts
    at each option. With ``control`` the figure draws the control itself; without, it follows the figure that does
    (they share the control's key)."""

    scene: Scene
    key: str
    scrub: Scrub
    control: bool = True

    @property
    def group(self) -> str:
        return self.scene.widget_key(self.key)

    def data(self) -> dict[str, Any]:
        """What ``ui/plot.js`` reads: the value and its option, the parts, and the control (label, options,
        verdicts)."""
        value = self.scene[self.key]
        out = {"group": self.group, "value": value, "index": self.scrub.options.index(value),
               "parts": self.scrub.json, "control": None}  # fmt: skip
        if self.control:
            c = self.scene.controls[self.key]
            out["control"] = {
                "label": c.label,
                "short": c.short,
                "values": list(self.scrub.options),
                "texts": [f"{v:.3g}" for v in self.scrub.options],
                "verdicts": [f"{VERDICT_ICONS[v.label]} This run {v.sentence}" for v in self.scrub.verdicts],
            }
        return out

    def chosen(self, raw: Any) -> None:
        """The value the browser reports when a drag ends: an option of the control's, or else nothing changes (the
        value comes from the browser, and a crafted one must change nothing)."""
        value = self.scrub.option(raw)
        if value is not None:
            self.scene.set(**{self.key: value})


def row(scene: Scene, *keys: str) -> list[Any]:
    """The widgets of ``keys`` side by side, in equal columns (in present mode, in the controls' popover); their
    values in order."""
    if (popover := _present_controls()) is not None:
        return stack(scene, popover, *keys)
    return [control(scene, key, col) for key, col in zip(keys, st.columns(len(keys)), strict=True)]


def stack(scene: Scene, where: Any, *keys: str) -> list[Any]:
    """The widgets of ``keys`` one under another in ``where`` (a column); their values in order."""
    return [control(scene, key, where) for key in keys]


def controls_and_figure() -> tuple[Any, Any]:
    """A lesson section's two columns: its controls on the left, its figure on the right, wide enough to read
    from the back of a hall (over 600 px at 1280 x 720) and beside the controls, not below them. In present mode
    the controls fold into one button (a popover) and the figure takes the whole width."""
    if (popover := _present_controls()) is not None:
        return popover, st.container()
    return st.columns([1, 2.2], gap="large")


_POPOVER: ContextVar[Any] = ContextVar("lrlab_controls_popover", default=None)


def _present_controls() -> Any:
    """In present mode, the one popover that holds a section's controls (made where the first of them would be
    drawn); ``None`` otherwise. Each section, and each page, starts a new one (:func:`new_controls`)."""
    from ui import lecture

    if not lecture.present():
        return None
    if _POPOVER.get() is None:
        _POPOVER.set(st.popover("⚙️ Controls"))
    return _POPOVER.get()


def new_controls() -> None:
    """The next controls drawn in present mode go in a popover of their own (a new section has begun)."""
    _POPOVER.set(None)


# -------------------------------------------------------------------------------------------------- layout


STYLE = """<style>
/* A multiselect's tags carry white text on the theme's primary colour: on the dark theme's sky blue that is
   2.3:1 (axe: color-contrast). The Okabe-Ito blue of the light theme gives 5.2:1 in both. */
[data-testid="stMultiSelectTagsContainer"] [data-tag] { background-color: #0072B2 !important; }
/* Play, Pause and the animation's step slider take keyboard focus (ui/plot.js): show where it is. */
.js-plotly-plot [tabindex="0"]:focus-visible { outline: 3px solid #0072B2; outline-offset: 2px; }
/* A control scrubbed on a figure (ui/plot.js): Streamlit's slider in one row, in the figure's component; on a
   projector the symbol stands for the label (the input keeps the full name) and the verdict joins the row. */
.lrlab-scrub { display: grid; grid-template-columns: auto auto minmax(8rem, 1fr) auto auto; align-items: center;
               column-gap: 0.6rem; margin: 0 0 0.25rem; font-size: 1rem; }
.lrlab-scrub output { font-weight: 600; font-variant-numeric: tabular-nums; min-width: 3.5em; }
.lrlab-scrub input[type="range"] { width: 100%; height: 1.75rem; margin: 0; cursor: pointer; }
.lrlab-scrub input[type="range"]:focus-visible { outline: 3px solid #0072B2; outline-offset: 2px; }
.lrlab-scrub-end { font-size: 0.875rem; font-variant-numeric: tabular-nums; }
.lrlab-scrub-verdict { grid-column: 1 / -1; margin: 0.1rem 0 0; font-weight: 600; }
.lrlab-scrub-short { display: none; }
.lrlab-scrub-big { font-size: 1.375rem; grid-template-columns: auto auto minmax(8rem, 1fr) auto auto auto; }
.lrlab-scrub-big .lrlab-scrub-long { display: none; }
.lrlab-scrub-big .lrlab-scrub-short { display: inline; }
.lrlab-scrub-big .lrlab-scrub-verdict { grid-column: auto; margin: 0; }
.lrlab-scrub-big input[type="range"] { height: 2.5rem; }
</style>"""


def style() -> None:
    """The app's few style rules (accessibility: see :data:`STYLE`); once per run, from ``app.py``."""
    st.html(STYLE)


def lesson_header(page: Page, intro: str) -> None:
    """The page's title, as the registry names it, and its introduction; in a lecture, the scene's bar, title and
    text (``ui.lecture``), and in present mode those alone (the lesson's title in the bar, no introduction)."""
    from ui import lecture

    new_controls()
    if lecture.present() and lecture.arrival(page) is not None:  # the projector: the scene, large, and its figure
        lecture.bar(page)
        return
    st.title(page.title)
    lecture.bar(page)
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


def lecture_autoplay() -> str:
    """The name of the lecture scene's arrival when it plays on arrival, else ``""`` (set by ``ui.lecture``)."""
    return st.session_state.get("lecture.autoplay", "")


def click_point(value: Any) -> tuple[float, float] | None:
    """A clicked point as the browser reported it, ``{"x": number, "y": number}``, or ``None`` for anything else:
    the value comes from the browser, and a crafted one must change nothing."""
    if not isinstance(value, dict):
        return None
    x, y = value.get("x"), value.get("y")
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in (x, y)):
        return None
    return float(x), float(y)


def show_figure(
    fig: dict,
    alt: str,
    key: str,
    on_click: Callable[[float, float], None] | None = None,
    autoplay: str = "",
    script: Callable[[], str] | None = None,
    scrub: Scrubbed | None = None,
) -> None:
    """A figure spec at full width, with its text alternative (for screen readers, and as a caption).

    Drawn by ``ui/plot.js``, which moves only the paths when a slider moves them (st.plotly_chart redraws the
    whole chart). With ``on_click``, a click on a point of the chart calls ``on_click(x, y)`` as a widget callback,
    before the next run: it may set controls that are drawn above the chart (which the run itself may not).
    ``autoplay`` names an arrival (a lecture scene, a reveal): an animated figure plays once for each name, as if
    its Play button were pressed. A lecture scene that plays on arrival names its own (:func:`lecture_autoplay`).
    Under the figure, its export menu (``ui.exports``); ``script`` makes the torch script that reproduces it.
    With ``scrub``, a control is scrubbed on the figure (:class:`Scrubbed`): dragging it redraws in the browser, and
    its value reaches the server (and the page) once the drag ends.
    """

    def clicked() -> None:
        point = click_point(st.session_state[key].get("click"))
        if point is not None:
            on_click(*point)

    def scrubbed() -> None:
        scrub.chosen(st.session_state[key].get("scrub"))

    from ui import lecture

    present = lecture.present()
    if present:
        fig = figures.projected(fig)
    _plot(
        data={
            "spec": to_json_plotly(fig),
            "src": _PLOTLY_SRC,
            "alt": alt,
            "clickable": on_click is not None,
            "autoplay": (autoplay or lecture_autoplay()) if fig.get("frames") else "",
            "fill": present,
            "scrub": scrub.data() if scrub else None,
        },
        key=key,
        on_click_change=clicked if on_click else None,
        on_scrub_change=scrubbed if scrub else None,
    )
    st.markdown(f"Figure: {plain(alt)}")  # body text, not a caption: the caption grey is 3.9:1 on white
    from ui import exports

    exports.menu(fig, key, key.removesuffix("_fig").replace("_", "-"), script)


VERDICT_ICONS = {
    "converged": "✅",
    "oscillating": "〰️",
    "diverged": "💥",
    "unbounded": "📉",
    "stalled": "⏸️",
    "too slow": "🐢",
    "undecided": "❔",
}


def capital(text: str) -> str:
    """``text`` with a capital first letter, if it starts with a Latin one: "η = 1.2 is ..." stays as it is (its
    capital, Η, reads as an H)."""
    return text[:1].upper() + text[1:] if text[:1].isascii() else text


def verdict(v: Verdict) -> None:
    """A run's verdict as the page states it: the label, the reason, the advice."""
    st.markdown(
        f"### {VERDICT_ICONS[v.label]} This run {v.sentence}\n\n{capital(v.reason)}."
        + (f" {v.advice}" if v.advice else "")
    )  # one element, not two: every element costs a little on every rerun


def equation(*lines: str) -> None:
    """A display equation too long for one line of a narrow column, as several: a line wider than its column
    scrolls sideways, and a scrolling region the keyboard cannot reach fails axe (so does KaTeX's ``gathered``,
    whose box overflows by two pixels). Each line ends in a thin space: a subscript at the very end of a KaTeX
    display overflows its box by two pixels too."""
    for line in lines:
        st.latex(line + r"\;")


class Progress:
    """A progress bar over ``total`` engine calls that each may take a second or more (a sweep per optimizer):
    ``progress.tick(fn)`` wraps ``fn`` so each call moves the bar on; the bar goes once the block ends. Calls
    answered from the cache pass in an instant, so a cached section only flickers it."""

    def __init__(self, total: int, text: str) -> None:
        self.total, self.text, self.done = max(total, 1), text, 0
        self.bar = st.progress(0.0, text=f"{text} (0 of {total})")

    def tick(self, fn: Callable[..., T]) -> Callable[..., T]:
        def call(*args: Any, **kwargs: Any) -> T:
            out = fn(*args, **kwargs)
            self.done += 1
            self.bar.progress(min(self.done / self.total, 1.0), text=f"{self.text} ({self.done} of {self.total})")
            return out

        return call

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.empty()


def table(frame: pd.DataFrame, percent: Sequence[str] = (), digits: int = 3) -> None:
    """A small table of results, static: numbers to ``digits`` significant digits, the ``percent`` columns as
    percentages, a number that is not one (a run that diverged) as a dash. ``st.dataframe``'s interactive grid
    cost the browser about 170 ms to draw again after every move of a control in its section (the schedules
    lesson: 270 -> 98 ms a move; ``benchmarks/README.md``)."""

    def text(column: str) -> pd.Series:
        fmt = "{:.0%}" if column in percent else f"{{:.{digits}g}}"
        return frame[column].map(lambda x: fmt.format(x) if math.isfinite(x) else "—")

    shown = {c: text(c) for c in frame.columns if is_float_dtype(frame[c])}
    st.table(frame.assign(**shown), hide_index=True)  # text, not a Styler: a Styler costs ~4 ms a rerun


def takeaway(text: str) -> None:
    """The lesson's takeaway (left out in present mode when a lecture scene shows one section alone)."""
    from ui import lecture

    if lecture.focus() is None:
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
