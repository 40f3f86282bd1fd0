"""The lessons: one module per lesson page, and the registry every part of the app discovers them from.

Each lesson module (``update_rule.py`` mirrors ``pages/update_rule.py``, and so on) holds, in this order:
``LESSON``, its entry in the registry (title, URL path, icon, blurb, page file, embedded questions);
``CONTROLS``, every setting of the page declared once (:mod:`lr_core.controls`); the config dataclasses the
controls fill; and the functions that turn a config into everything the page shows. Nothing here imports
Streamlit, so every lesson can be tested (and reused in a notebook) without a browser.

:data:`PAGES` feeds the navigation (``app.py``), the home page, the tests and the lecture scenes: adding a
lesson is a module here with a ``LESSON`` and its page in ``pages/``.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    """A page of the app. ``url_path`` is what the address bar shows (``""`` for the home page; always with a
    hyphen otherwise, so it can never equal a file name in ``pages/``); ``file`` is the page script from the
    repository root; ``key`` prefixes its session and widget keys; ``questions`` are the ids of the bank's
    questions the page ends with; lessons are shown in ``order``."""

    title: str
    url_path: str
    icon: str
    blurb: str
    file: str
    key: str
    questions: tuple[str, ...] = ()
    order: int = 0

    def __post_init__(self) -> None:
        if self.url_path and "-" not in self.url_path:
            raise ValueError(f"url_path {self.url_path!r} needs a hyphen (see app.py)")


HOME = Page(
    "Home",
    "",
    "🏠",
    "What LR Lab is, and what each lesson shows.",
    "pages/home.py",
    "home",
)
CLASS = Page(
    "Class",
    "class-mode",
    "🧑‍🏫",
    "The lecture hall answers live: the instructor asks, every phone answers, the projector shows the answers as "
    "they arrive, then the answer and why.",
    "pages/classroom.py",
    "classroom",
    order=100,
)
LECTURES = Page(
    "Lectures",
    "lecture-mode",
    "🎓",
    "Prepared lectures to step through on a projector with a clicker, a scene at a time, with speaker notes in a "
    "presenter view.",
    "pages/lectures.py",
    "lectures",
    order=110,
)
QUIZ = Page(
    "Quiz",
    "quiz-yourself",
    "❓",
    "Questions on every idea of the course, one at a time, with explanations and your score per topic.",
    "pages/quiz.py",
    "quiz",
)


def _discover() -> list:
    found = []
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_"):
            module = importlib.import_module(f"{__name__}.{info.name}")
            if isinstance(getattr(module, "LESSON", None), Page):
                found.append(module)
    return sorted(found, key=lambda m: m.LESSON.order)


_MODULES = _discover()
LESSONS: tuple[Page, ...] = tuple(m.LESSON for m in _MODULES)
"""Every lesson, in order: each module of this package that declares a ``LESSON``."""
CONTROLS: dict[str, tuple] = {m.LESSON.url_path: tuple(m.CONTROLS) for m in _MODULES}
"""Every lesson's settings (its module's ``CONTROLS``), by the lesson's URL path: what a link or a lecture scene
may set on that page."""

PAGES: tuple[Page, ...] = (HOME, *LESSONS, CLASS, LECTURES, QUIZ)
"""Every page of the app, as the navigation lists them."""


def page(key: str) -> Page:
    """The page whose ``key`` is ``key``."""
    for p in PAGES:
        if p.key == key:
            return p
    raise KeyError(key)
