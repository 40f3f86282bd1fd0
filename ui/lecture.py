"""Lectures in the hall: a scene's bar on its lesson page, present mode, the keys a clicker sends, and the link
between the projector and the presenter view. The lectures themselves are data (:mod:`lr_core.lectures`).

A scene is a URL: ``/<page>?<its settings>&lecture=<id>&scene=<n>&present=1``, so reload, back, forward and
sharing work. Arriving at a scene (a link, a key, a button) applies its settings to the page (``ui.Scene``),
shows its title and text, and plays its figure if the scene says so. Right arrow and PageDown go to the next
scene, Left arrow and PageUp to the previous one (clickers send PageDown and PageUp), Home and End to the first
and last, Space plays or pauses the figure; never while the focus is in a text field or on a control.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from lr_core import lectures as store
from lr_core.lectures import Lecture
from lr_core.lessons import LECTURES, PAGES, Page

PRESENT_CSS = """<style>
/* Present mode: no chrome, large type for the back of the hall, the figure as wide as the screen. */
header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] { display: none !important; }
html { font-size: 20px !important; }
[data-testid="stMainBlockContainer"] { padding: 0.5rem 2rem 2rem !important; max-width: 100% !important; }
[data-testid="stMain"] h1 { font-size: 1.8rem !important; padding: 0.2rem 0 !important; }
[data-testid="stMain"] h2 { font-size: 1.8rem !important; padding: 0 !important; }
[data-testid="stMain"] [data-testid="stVerticalBlock"] { gap: 0.4rem; }
.st-key-lecture-scene p { margin-bottom: 0; }
</style>"""


FOCUS_CSS = """<style>
[data-testid="stMain"] h2:not(.st-key-lecture-scene h2) { display: none; }
</style>"""


@st.cache_resource(ttl="1h", show_spinner=False)
def _collect(extra: str) -> tuple[list[Lecture], list[str]]:
    return store.collect(*[p for p in extra.split(os.pathsep) if p])


def lectures() -> list[Lecture]:
    """The built-in lectures and the instructor's (``LRLAB_LECTURES_EXTRA``) that can be used."""
    return _collect(os.environ.get(store.EXTRA_ENV, ""))[0]


def problems() -> list[str]:
    """What could not be used in the lecture files, each naming the file, the scene and the problem."""
    return _collect(os.environ.get(store.EXTRA_ENV, ""))[1]


def present() -> bool:
    """Whether the URL asks for present mode (``present=1``)."""
    return st.query_params.get("present") == "1"


@dataclass(frozen=True)
class Arrival:
    """The lecture scene the URL names: the lecture, the scene's number (from 1), and a name for this arrival."""

    lecture: Lecture
    n: int

    @property
    def scene(self) -> store.Scene:
        return self.lecture.scenes[self.n - 1]

    @property
    def name(self) -> str:
        return f"{self.lecture.id}:{self.n}"

    @property
    def settings(self) -> dict[str, Any]:
        return self.scene.values()


def scene_questions(bank: Mapping[str, Any]) -> list[tuple[Lecture, int, store.Scene]]:
    """Every lecture scene whose question is one of ``bank``'s (those a class can answer): (lecture, n, scene)."""
    return [(lec, n, s) for lec in lectures() for n, s in enumerate(lec.scenes, start=1) if s.question in bank]


def current() -> Arrival | None:
    """The lecture and scene the URL names, or ``None`` (none named, or one that does not exist)."""
    named = st.query_params.get("lecture")
    if not named:  # most runs: no lecture, and no need to look the lectures up
        return None
    lecture = store.find(lectures(), named)
    n = st.query_params.get("scene", "")
    if lecture is None or not n.isdigit() or not 1 <= int(n) <= len(lecture.scenes):
        return None
    return Arrival(lecture, int(n))


def arrival(page: Page) -> Arrival | None:
    """The lecture scene the URL names, if it is one of ``page``'s."""
    at = current()
    return at if at is not None and at.scene.page == page.url_path else None


def go(lecture: Lecture, n: int) -> None:
    """Switch to scene ``n`` of ``lecture`` (clamped to its scenes), in present mode if this page is in it."""
    n = max(1, min(len(lecture.scenes), n))
    page = next(p for p in PAGES if p.url_path == lecture.scenes[n - 1].page)
    st.switch_page(page.file, query_params=lecture.query(n, present()))


def _keys_js() -> str:
    return (Path(__file__).with_name("lecture.js")).read_text(encoding="utf-8")


_keys = st.components.v2.component("lrlab_lecture", js=_keys_js(), isolate_styles=False)


def _went(key: str) -> None:
    st.session_state["lecture.go"] = st.session_state[key].get("go")


def link(at: Arrival, role: str) -> None:
    """The keys and the link to the other window (projector or presenter view): where either goes, the other
    follows. A request to move arrives as ``lecture.go`` before the next run."""
    key = f"lecture.keys.{role}"
    _keys(data={"lecture": at.lecture.id, "scene": at.n, "total": len(at.lecture.scenes), "role": role}, key=key,
          on_go_change=lambda: _went(key))  # fmt: skip


def requested(at: Arrival) -> int | None:
    """The scene a key, a clicker or the other window asked for since the last run, if it is another one."""
    wanted = st.session_state.pop("lecture.go", None)
    if isinstance(wanted, int) and not isinstance(wanted, bool) and wanted != at.n:
        return wanted
    return None


def bar(page: Page) -> bool:
    """On a lesson page that a lecture scene names: the lecture's bar (scene n of N, previous and next, the
    presenter view), the scene's title and text. ``False`` (nothing drawn) on any other page."""
    at = arrival(page)
    if at is None:
        if st.query_params.get("lecture"):
            st.warning("This link names a lecture scene that does not exist here; the page opened as it is.")
        return False
    if (wanted := requested(at)) is not None:
        go(at.lecture, wanted)
    st.session_state["lecture.autoplay"] = at.name if at.scene.autoplay else ""
    total = len(at.lecture.scenes)
    box = st.container(key="lecture-scene")
    where, back, forward, presenter, leave = box.columns([5, 1.1, 1, 1.5, 1.3], vertical_alignment="center")
    where.markdown(f"Scene **{at.n}** of **{total}** · {_plain(at.lecture.title)}")
    if back.button("◀ Previous", disabled=at.n == 1, key="lecture.previous", use_container_width=True):
        go(at.lecture, at.n - 1)
    if forward.button("Next ▶", disabled=at.n == total, key="lecture.next", use_container_width=True):
        go(at.lecture, at.n + 1)
    presenter.link_button("Presenter view", presenter_url(at.lecture, at.n), use_container_width=True)
    if present():
        leave.button("Exit present", key="lecture.exit", on_click=_leave, use_container_width=True,
                     help="Back to the page with its menus and controls (the scene stays)")  # fmt: skip
    else:
        leave.button("Present", key="lecture.enter", on_click=_enter, use_container_width=True, type="primary")
    if message := st.session_state.pop("lecture.message", None):
        box.warning(message + " The whole page is shown.")
    ask_the_class(at, box)
    box.markdown(f"## {_plain(at.scene.title)}")
    box.markdown(f"**{_plain(at.scene.text)}**")
    if focus() is not None:  # the scene's title heads its section: the section's own heading goes
        st.html(FOCUS_CSS)
    with box:
        link(at, "projector")
    return True


def _leave() -> None:
    if "present" in st.query_params:
        del st.query_params["present"]


def _enter() -> None:
    st.query_params["present"] = "1"


def ask_the_class(at: Arrival, where: Any) -> None:
    """With a class open in this window (the Class page), a button that asks it this scene's question."""
    teach = st.session_state.get("class.teach")
    if not teach or not at.scene.question:
        return
    from lr_core.classroom import class_questions
    from ui import cache, quiz

    if at.scene.question not in {q.id for q in class_questions(quiz.quiz_bank())}:
        return

    def ask() -> None:
        from lr_core.classroom import default_url

        room = cache.classroom(default_url())
        room.ask(teach["code"], teach["key"], at.scene.question, seed=len(room.rounds(teach["code"])))
        st.session_state["class.teach"] = {**teach, "fresh": False}
        st.session_state["lecture.asked"] = at.name

    done = st.session_state.get("lecture.asked") == at.name
    where.button(f"Asked class {teach['code']} ✓" if done else f"Ask class {teach['code']} this scene's question",
                 on_click=ask, disabled=done, key="lecture.ask")  # fmt: skip


def presenter_url(lecture: Lecture, n: int) -> str:
    """The presenter view of scene ``n`` of ``lecture`` (it opens in a new window)."""
    return f"/{LECTURES.url_path}?lecture={lecture.id}&scene={n}"


def _plain(text: str) -> str:
    from ui import plain

    return plain(text)


def focus() -> str | None:
    """In present mode, the section of the page the lecture scene shows alone (``None``: the whole page)."""
    if not present():
        return None
    at = current()
    if at is None or not at.scene.section:
        return None
    return None if st.session_state.get(f"lecture.unfocused.{at.name}") else at.scene.section


def hidden(section: str) -> bool:
    """Whether a section of the page is left out: in present mode, every section but the scene's (and what
    follows a section, its takeaway and questions). Notes that the scene's own section ran."""
    shown = focus()
    if shown is None:
        return False
    if section == shown:
        st.session_state["lecture.focused"] = True
    return section != shown


def check_focus() -> None:
    """After a full run in present mode: if the scene named a section the page does not have, show the whole
    page instead, with a note (an instructor's file may name one that is not there)."""
    shown = focus()
    if shown is not None and not st.session_state.pop("lecture.focused", False):
        st.session_state[f"lecture.unfocused.{current().name}"] = True
        st.session_state["lecture.message"] = f"This scene names a section {shown!r} the page does not have."
        st.rerun()


def chrome() -> None:
    """On every page: the present-mode switch, and in present mode the rules that hide Streamlit's chrome and set
    type large enough for the back of a hall (from ``app.py``)."""
    if present():
        st.html(PRESENT_CSS)

    def switched() -> None:
        (_enter if st.session_state["present.toggle"] else _leave)()

    if present() and current() is not None:
        return  # a lecture's bar has the switch
    st.session_state["present.toggle"] = present()
    st.toggle("Present mode", key="present.toggle", on_change=switched,
              help="Large type, no menus, the figure as wide as the screen; present=1 in the link.")  # fmt: skip


def export_button(lec: Lecture) -> None:
    """Export ``lec`` as one HTML file (``python -m ui.lecture_export``, in a process of its own, with a progress
    bar), then offer it for download."""
    import subprocess
    import sys
    import tempfile

    key = f"lecture.export.{lec.id}"
    if key not in st.session_state:
        if not st.button("Export as one HTML file (for a room without network)", key=f"{key}.make"):
            return
        bar = st.progress(0.0, text="Drawing every scene…")
        with tempfile.TemporaryDirectory() as folder:
            target = Path(folder) / "lecture.html"
            proc = subprocess.Popen([sys.executable, "-m", "ui.lecture_export", lec.id, str(target)],
                                    cwd=Path(__file__).resolve().parents[1], stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True)  # fmt: skip
            for line in proc.stdout:
                if line.startswith("scene "):
                    n, total = (int(w) for w in line.split()[1::2])
                    bar.progress(n / total, text=f"Scene {n} of {total}")
            if proc.wait() != 0 or not target.exists():
                bar.empty()
                st.error("The lecture could not be exported.")
                return
            st.session_state[key] = target.read_bytes()
        bar.empty()
    st.download_button("Download the lecture (HTML)", st.session_state[key], f"{lec.id}.html", "text/html",
                       key=f"{key}.download", on_click="ignore")  # fmt: skip
