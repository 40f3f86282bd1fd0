"""Lectures as data: an ordered list of scenes, each a lesson page with its settings, for an instructor to step
through in a hall. Nothing here knows Streamlit.

A lecture is a TOML file (the built-in ones are in this folder; an instructor adds their own through
``LRLAB_LECTURES_EXTRA``, files or folders separated by ``:``, as the quiz bank does with ``LRLAB_QUIZ_EXTRA``)::

    id = "my-lecture"
    title = "My lecture"

    [[scenes]]
    page = "update-rule"              # the lesson's URL path, as in the address bar
    title = "Too large a step"        # shown big on the projector
    text = "Past 2/L every step overshoots by more than it corrects."   # one or two sentences on screen
    notes = "Ask the room first ..."  # speaker notes, in the presenter view only
    question = "seed-rate-08"         # optional: a question id from the bank, for the class to answer
    autoplay = true                   # optional: play the figure's animation on arrival
    section = "step_by_step"          # optional: the page's section shown alone in present mode
    settings = { lr = 1.2, steps = 15 }   # the page's URL keys and values

Every setting is checked against the page's own controls, as a link's would be (:data:`lr_core.lessons.CONTROLS`):
a setting the page would ignore, an unknown page or question, or a file that is not TOML is reported with the
file, the scene and the problem, and everything else keeps working (:func:`collect`).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from lr_core.lessons import CONTROLS, LESSONS

FOLDER = Path(__file__).resolve().parent
EXTRA_ENV = "LRLAB_LECTURES_EXTRA"
"""Environment variable: an instructor's lecture files or folders (separated by ``:``)."""
MAX_FILE_BYTES = 1_000_000
MAX_TEXT = 4000
MAX_SCENES = 200
URL_KEYS = ("lecture", "scene", "present")
"""The URL keys every page reads besides its own settings: the lecture, the scene (from 1) and present mode."""
PAGES = {p.url_path: p for p in LESSONS}


class LectureError(ValueError):
    """A lecture file, or a scene in it, that cannot be used; the message names the file and the scene."""


@dataclass(frozen=True)
class Scene:
    """One step of a lecture: a lesson page (its URL path) with ``settings`` (URL key -> value, as the page's
    link would carry them), a title and one or two sentences for the screen, speaker notes, optionally a bank
    question for the class, and whether the figure's animation plays on arrival."""

    page: str
    settings: Mapping[str, Any]
    title: str
    text: str
    notes: str = ""
    question: str | None = None
    autoplay: bool = False
    section: str | None = None

    def query(self) -> dict[str, list[str]]:
        """The settings as the page's URL carries them (each control's own encoding)."""
        controls = {c.key: c for c in CONTROLS[self.page]}
        return {key: controls[key].encode(value) for key, value in self.values().items()}

    def values(self) -> dict[str, Any]:
        """The settings read by the page's controls (``ValueError`` for one the page would not accept)."""
        controls = {c.key: c for c in CONTROLS[self.page]}
        out = {}
        for key, value in self.settings.items():
            if key not in controls:
                raise ValueError(f"{key!r} is not a setting of the page {self.page!r}")
            raw = [str(v) for v in value] if isinstance(value, list | tuple) else [_text(value)]
            try:
                out[key] = controls[key].parse(raw)
            except ValueError as err:
                raise ValueError(f"{key} = {value!r}: {key} {err}") from None
        return out


@dataclass(frozen=True)
class Lecture:
    """An ordered list of scenes, with an id (in URLs) and a title."""

    id: str
    title: str
    scenes: tuple[Scene, ...]
    minutes: int | None = None
    source: str = ""
    problems: tuple[str, ...] = field(default=(), compare=False)

    def query(self, n: int, present: bool = True) -> dict[str, list[str]]:
        """Scene ``n``'s (from 1) URL query: its settings, ``lecture``, ``scene`` and ``present=1``."""
        extra = {"lecture": [self.id], "scene": [str(n)], **({"present": ["1"]} if present else {})}
        return {**self.scenes[n - 1].query(), **extra}

    def url(self, n: int, present: bool = True) -> str:
        """Scene ``n`` (from 1) as a link: ``/<page>?<settings>&lecture=<id>&scene=<n>&present=1``."""
        return f"/{self.scenes[n - 1].page}?{urlencode(self.query(n, present), doseq=True)}"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def load_lectures(*extra_paths: str | Path) -> list[Lecture]:
    """The built-in lectures, then those of ``extra_paths`` (files or folders of ``.toml``); what cannot be used is
    left out (:func:`collect` says what and why)."""
    return collect(*extra_paths)[0]


def collect(*extra_paths: str | Path, bank_ids: frozenset[str] | None = None) -> tuple[list[Lecture], list[str]]:
    """Every usable lecture (built-in first) and a message per problem. A scene that cannot be used is left out of
    its lecture, whose other scenes stay; a file that cannot be read is left out whole; a lecture whose id is
    taken already is left out. ``bank_ids``: the question ids scenes may name (default: the built-in bank)."""
    if bank_ids is None:
        from lr_core.quiz import load_bank

        bank_ids = frozenset(q.id for q in load_bank())
    files = sorted(FOLDER.glob("*.toml"))
    for extra in extra_paths:
        path = Path(extra)
        files += sorted(path.glob("*.toml")) if path.is_dir() else [path]
    lectures: list[Lecture] = []
    problems: list[str] = []
    for path in files:
        try:
            lecture, scene_problems = read(path, bank_ids)
        except LectureError as err:
            problems.append(str(err))
            continue
        problems += scene_problems
        if any(known.id == lecture.id for known in lectures):
            problems.append(f"{path.name}: a lecture with the id {lecture.id!r} exists already; this one was left out")
            continue
        lectures.append(lecture)
    return lectures, problems


def extra_paths() -> list[str]:
    """The paths ``LRLAB_LECTURES_EXTRA`` names."""
    return [p for p in os.environ.get(EXTRA_ENV, "").split(os.pathsep) if p]


def read(path: Path, bank_ids: frozenset[str]) -> tuple[Lecture, list[str]]:
    """One lecture file: the lecture (without its unusable scenes) and a message per scene left out;
    :class:`LectureError` if the file itself cannot be used."""
    name = path.name
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise LectureError(f"{name}: larger than {MAX_FILE_BYTES // 1000} KB; not read")
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise LectureError(f"{name}: cannot be read ({err.strerror or err})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise LectureError(f"{name}: not valid TOML ({err})") from None
    lecture_id, title = data.get("id"), data.get("title")
    if not (isinstance(lecture_id, str) and lecture_id.replace("-", "").isalnum() and len(lecture_id) <= 40):
        raise LectureError(f"{name}: `id` must be letters, digits and hyphens (at most 40)")
    if not (isinstance(title, str) and title.strip()):
        raise LectureError(f"{name}: `title` must be a text")
    raw_scenes = data.get("scenes")
    if not (isinstance(raw_scenes, list) and raw_scenes) or len(raw_scenes) > MAX_SCENES:
        raise LectureError(f"{name}: `scenes` must be a list of 1 to {MAX_SCENES} [[scenes]] tables")
    scenes, problems = [], []
    for n, raw in enumerate(raw_scenes, start=1):
        try:
            scenes.append(_scene(raw, bank_ids))
        except ValueError as err:
            label = raw.get("title") if isinstance(raw, dict) else None
            problems.append(f"{name}: scene {n}{f' ({label!r})' if isinstance(label, str) else ''}: {err}; left out")
    if not scenes:
        raise LectureError(f"{name}: no scene can be used: " + "; ".join(p.removeprefix(f"{name}: ") for p in problems))
    minutes = data.get("minutes")
    return Lecture(lecture_id, title.strip(), tuple(scenes), minutes if isinstance(minutes, int) else None, name,
                   tuple(problems)), problems  # fmt: skip


def _scene(raw: Any, bank_ids: frozenset[str]) -> Scene:
    if not isinstance(raw, dict):
        raise ValueError("not a table")
    unknown = set(raw) - {"page", "settings", "title", "text", "notes", "question", "autoplay", "section"}
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(sorted(unknown))}")
    page = raw.get("page")
    if page not in PAGES:
        raise ValueError(f"page {page!r} is not a lesson; the lessons are {', '.join(PAGES)}")
    for key in ("title", "text", "notes"):
        value = raw.get(key, "" if key == "notes" else None)
        if not isinstance(value, str) or len(value) > MAX_TEXT or (key == "title" and not value.strip()):
            raise ValueError(f"`{key}` must be a text of at most {MAX_TEXT} characters")
    settings = raw.get("settings", {})
    if not isinstance(settings, dict):
        raise ValueError("`settings` must be a table of the page's URL keys")
    question = raw.get("question")
    if question is not None and question not in bank_ids:
        raise ValueError(f"question {question!r} is not in the bank")
    autoplay = raw.get("autoplay", False)
    if not isinstance(autoplay, bool):
        raise ValueError("`autoplay` must be true or false")
    section = raw.get("section")
    if section is not None and not (isinstance(section, str) and section.isidentifier()):
        raise ValueError("`section` must name one of the page's sections (a Python name, e.g. two_dimensions)")
    scene = Scene(page, dict(settings), raw["title"].strip(), raw["text"].strip(), raw.get("notes", "").strip(),
                  question, autoplay, section)  # fmt: skip
    scene.values()  # every setting as the page reads it: ValueError for one it would ignore
    return scene


def find(lectures: Sequence[Lecture], lecture_id: str) -> Lecture | None:
    """The lecture with ``lecture_id``, or ``None``."""
    return next((lecture for lecture in lectures if lecture.id == lecture_id), None)
