"""A whole lecture as one self-contained HTML file, for a room without network: every scene's figure, title, text
and notes, with the arrow keys to move (:func:`lr_core.export.lecture_html`).

    python -m ui.lecture_export learning-rate-50 lecture.html

Each scene's figure is the one its page draws: the page runs headless (Streamlit's ``AppTest``, the app's own
code and caches, no browser) on the scene's link in present mode, where it draws the scene's section alone, and
its first figure is kept, laid out for a projector. Prints ``scene k of N`` as it goes (the Lectures page shows
it as a progress bar).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

APP = Path(__file__).resolve().parents[1] / "app.py"


def scene_figure(url: str) -> dict:
    """The first figure the page at ``url`` (a scene's link) draws, as the page sends it to its renderer."""
    from streamlit.testing.v1 import AppTest

    from lr_core.lessons import PAGES

    parts = urlsplit(url)
    page = next(p for p in PAGES if p.url_path == parts.path.strip("/"))
    at = AppTest.from_file(str(APP), default_timeout=300)
    at.run()
    for key, values in parse_qs(parts.query).items():
        at.query_params[key] = values if len(values) > 1 else values[0]
    at.switch_page(page.file).run()
    if at.exception:
        raise RuntimeError(f"{url}: {at.exception[0].message}")
    charts = [c for c in at.get("bidi_component") if c.proto.component_name == "lrlab_plot"]
    if not charts:
        raise RuntimeError(f"{url} drew no figure")
    return json.loads(json.loads(charts[0].proto.json)["spec"])


def export(lecture_id: str, extra: list[str] | None = None) -> str:
    """The lecture ``lecture_id`` (built-in or from ``LRLAB_LECTURES_EXTRA``) as one HTML file."""
    from lr_core import export as files
    from lr_core import lectures

    lecture = lectures.find(lectures.load_lectures(*(extra or lectures.extra_paths())), lecture_id)
    if lecture is None:
        raise SystemExit(f"no lecture {lecture_id!r}")
    scenes = []
    for n, scene in enumerate(lecture.scenes, start=1):
        print(f"scene {n} of {len(lecture.scenes)}", flush=True)
        scenes.append((scene.title, scene.text, scene.notes, scene_figure(lecture.url(n))))
    return files.lecture_html(lecture.title, scenes)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        raise SystemExit(__doc__.strip().splitlines()[2].strip())
    Path(args[1]).write_text(export(args[0]), encoding="utf-8")
    print(f"wrote {args[1]}", flush=True)


if __name__ == "__main__":
    main()
