"""A figure taken out of the app, for slides and for a room without network: a self-contained HTML file that
animates offline, a PNG at 1920x1080, the animation as a GIF and an MP4 (its frames rendered once), and the
figure's data as CSV; a whole lecture as one HTML file. Nothing here knows Streamlit.

Images are drawn by Plotly's own renderer, kaleido, in the system Chromium (``LRLAB_CHROMIUM``, else
``chromium`` on the path: kaleido never downloads a browser here); the GIF and the MP4 are written by imageio
(imageio-ffmpeg brings its own ffmpeg).
"""

from __future__ import annotations

import copy
import html as html_text
import os
import shutil
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

Spec = dict[str, Any]
SLIDE = (1920, 1080)
"""A slide's size in pixels: the PNG export."""
MOVIE = (1280, 720)
"""The GIF's and the MP4's frame size: a projector's."""
FPS = 8
"""Frames per second of the GIF and the MP4 (Play shows a frame about every 120 ms)."""


def _chromium() -> None:
    """Point kaleido at the system Chromium, once."""
    if not os.environ.get("BROWSER_PATH"):
        found = os.environ.get("LRLAB_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
        os.environ["BROWSER_PATH"] = found


QUIET = (
    "<script>/* plotly.js rejects an interrupted animation's promise with `undefined`, as a signal "
    "(plotly.js#2438), and its own Play button never catches it */ window.addEventListener('unhandledrejection', "
    "(e) => { if (e.reason === undefined) e.preventDefault(); });</script>"
)


def html(spec: Spec, title: str = "LR Lab figure") -> str:
    """The figure as one HTML file with plotly.js inside: it opens and animates (Play) with no network."""
    import plotly.io as pio

    body = pio.to_html(spec, include_plotlyjs=True, full_html=False, config={"displaylogo": False}, validate=False)
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html_text.escape(title)}</title>"
            f"{QUIET}</head><body>{body}</body></html>")  # fmt: skip


def still(spec: Spec) -> Spec:
    """The figure without its animation (frames, Play and the step slider): what a picture of it shows."""
    layout = {k: v for k, v in spec["layout"].items() if k not in ("updatemenus", "sliders")}
    return {"data": spec["data"], "layout": layout}


def png(spec: Spec, size: tuple[int, int] = SLIDE) -> bytes:
    """The figure as a PNG of ``size`` pixels (1920x1080 by default), as it stands (its last frame)."""
    import plotly.io as pio

    _chromium()
    return pio.to_image(still(spec), format="png", width=size[0], height=size[1], validate=False)


def frames(spec: Spec) -> list[Spec]:
    """One still figure per animation frame: the frame's traces laid over the figure's, in order."""
    out = []
    for frame in spec.get("frames", []):
        fig = copy.deepcopy(still(spec))
        indices = frame.get("traces", range(len(frame.get("data", []))))
        for i, trace in zip(indices, frame.get("data", []), strict=False):
            fig["data"][i] = {**fig["data"][i], **trace}
        if "layout" in frame:
            fig["layout"] = {**fig["layout"], **frame["layout"]}
        out.append(fig)
    return out


def animation(
    spec: Spec, size: tuple[int, int] = MOVIE, progress: Callable[[int, int], None] | None = None
) -> list[bytes]:
    """Every frame of the figure's animation as a PNG, rendered once, in one browser; ``progress(done, total)``
    after each."""
    import kaleido
    import plotly.io as pio

    _chromium()
    stills = frames(spec)
    if not stills:
        raise ValueError("this figure has no animation")
    kaleido.start_sync_server(silence_warnings=True)
    try:
        images = []
        for i, fig in enumerate(stills):
            images.append(pio.to_image(fig, format="png", width=size[0], height=size[1], validate=False))
            if progress:
                progress(i + 1, len(stills))
    finally:
        kaleido.stop_sync_server(silence_warnings=True)
    return images


def gif(images: Sequence[bytes], fps: int = FPS) -> bytes:
    """The frames as an animated GIF that loops."""
    import imageio.v3 as iio

    frames_rgb = [iio.imread(p)[..., :3] for p in images]
    return iio.imwrite("<bytes>", frames_rgb, extension=".gif", duration=1000 / fps, loop=0)


def mp4(images: Sequence[bytes], fps: int = FPS) -> bytes:
    """The frames as an H.264 MP4 (yuv420p, which every player takes)."""
    import imageio.v3 as iio

    frames_rgb = [iio.imread(p)[..., :3] for p in images]
    return iio.imwrite("<bytes>", frames_rgb, extension=".mp4", fps=fps, codec="libx264",
                       output_params=["-pix_fmt", "yuv420p"])  # fmt: skip


def table(spec: Spec) -> pd.DataFrame:
    """The figure's data in long form: one row per point of every trace (its name, the point's index, x, y and z
    where there is one). Arrays sent as base64 are decoded."""
    rows = []
    for trace in spec["data"]:
        name = trace.get("name", "")
        columns = {axis: _values(trace[axis]) for axis in ("x", "y", "z") if axis in trace}
        if not columns:
            continue
        n = max(len(v) for v in columns.values())
        for i in range(n):
            rows.append({"trace": name, "point": i,
                         **{k: (v[i] if i < len(v) else None) for k, v in columns.items()}})  # fmt: skip
    return pd.DataFrame(rows)


def csv(spec: Spec) -> str:
    """:func:`table` as CSV text."""
    return table(spec).to_csv(index=False)


def _values(value: Any) -> list:
    import base64

    import numpy as np

    if isinstance(value, dict) and "bdata" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        return array.reshape(value["shape"]).tolist() if "shape" in value else array.tolist()
    if isinstance(value, str | int | float):
        return [value]
    return list(value)


LECTURE_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 0; font-size: 20px; }}
section {{ display: none; padding: 1rem 2rem; }} section.on {{ display: block; }}
h1 {{ font-size: 1.1rem; font-weight: normal; margin: 0 0 .5rem; }} h2 {{ font-size: 1.8rem; margin: 0; }}
.notes {{ display: none; border-top: 1px solid #999; margin-top: 1rem; }} body.notes .notes {{ display: block; }}
</style>{quiet}</head><body>
{scenes}
<script>
const scenes = [...document.querySelectorAll("section")];
let at = Math.max(0, Math.min(scenes.length - 1, (Number(location.hash.slice(1)) || 1) - 1));
function show(n) {{
  at = Math.max(0, Math.min(scenes.length - 1, n));
  scenes.forEach((s, i) => s.classList.toggle("on", i === at));
  history.replaceState(null, "", "#" + (at + 1));
  window.dispatchEvent(new Event("resize"));  // a figure drawn while hidden takes its width now
}}
document.addEventListener("keydown", (e) => {{
  if (e.target.closest && e.target.closest("input, textarea, select")) return;
  const moves = {{ ArrowRight: 1, PageDown: 1, ArrowLeft: -1, PageUp: -1 }};
  if (e.key in moves) show(at + moves[e.key]);
  else if (e.key === "Home") show(0);
  else if (e.key === "End") show(scenes.length - 1);
  else if (e.key === "n") document.body.classList.toggle("notes");
  else return;
  e.preventDefault();
}});
show(at);
</script></body></html>"""


def lecture_html(title: str, scenes: Sequence[tuple[str, str, str, Spec]]) -> str:
    """A whole lecture as one HTML file for a room without network: per scene (title, text, notes, figure), one
    slide with its figure (plotly.js once, inside the file); arrow keys, PageUp/PageDown, Home and End move, N shows
    the notes."""
    import plotly.io as pio

    parts = []
    for n, (scene_title, text, notes, spec) in enumerate(scenes, start=1):
        figure = pio.to_html(spec, include_plotlyjs=(n == 1), full_html=False, validate=False,
                             config={"displaylogo": False, "responsive": True})  # fmt: skip
        parts.append(
            f"<section aria-label='scene {n} of {len(scenes)}'><h1>{html_text.escape(title)} · scene {n} of "
            f"{len(scenes)}</h1><h2>{html_text.escape(scene_title)}</h2><p>{html_text.escape(text)}</p>{figure}"
            f"<div class='notes'><strong>Notes.</strong> {html_text.escape(notes)}</div></section>"
        )
    return LECTURE_PAGE.format(title=html_text.escape(title), scenes="\n".join(parts), quiet=QUIET)
