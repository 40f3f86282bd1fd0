"""lr_core/export.py on a real lesson figure (the update rule's, as the page sends it): the PNG is 1920x1080, the
GIF and the MP4 have the animation's frame count, the CSV holds every point of every trace; rendered by kaleido in
the system Chromium. The HTML file is opened offline in tests/browser/test_export_in_browser.py."""

from __future__ import annotations

import io
import tempfile

import imageio.v3 as iio
import imageio_ffmpeg
import numpy as np
import pytest

from lr_core import export
from tests.apptest_helpers import array, figures, open_page


@pytest.fixture(scope="module")
def spec():
    return figures(open_page("update_rule", lr="0.8", steps="12"))["update_rule_fig"]


def test_the_png_is_a_slide_of_1920_by_1080(spec):
    image = iio.imread(io.BytesIO(export.png(spec)), extension=".png")
    assert image.shape[:2] == (1080, 1920)
    assert image[..., :3].std() > 10, "something is drawn"


def test_the_gif_and_the_mp4_have_the_animations_frames(spec):
    frames = export.frames(spec)
    assert len(frames) == len(spec["frames"]) == 13  # steps 0..12
    last = frames[-1]["data"][spec["frames"][-1]["traces"][0]]
    assert np.allclose(array(last["x"]), array(spec["frames"][-1]["data"][0]["x"]))
    images = export.animation(spec)
    assert len(images) == 13
    gif = iio.improps(io.BytesIO(export.gif(images)), index=None, extension=".gif")
    assert gif.shape == (13, 720, 1280, 3)
    with tempfile.NamedTemporaryFile(suffix=".mp4") as video:
        video.write(export.mp4(images))
        video.flush()
        reader = imageio_ffmpeg.read_frames(video.name)
        meta = next(reader)
        assert sum(1 for _ in reader) == 13 and meta["size"] == (1280, 720)


def test_the_csv_holds_every_point_of_every_trace(spec):
    frame = export.table(spec)
    for trace in spec["data"]:
        if "x" not in trace:
            continue
        rows = frame[frame["trace"] == trace.get("name", "")]
        assert len(rows) >= len(array(trace["x"]))
    run = next(t for t in spec["data"] if t.get("name") == "your η" and len(array(t["x"])) == 13)
    rows = frame[(frame["trace"] == "your η")].head(13)
    assert np.allclose(rows["x"].to_numpy(dtype=float), array(run["x"]))
    assert export.csv(spec).splitlines()[0] == "trace,point,x,y"


@pytest.mark.parametrize("present", [False, True])
def test_every_figures_export_menu_offers_its_files_on_the_page_and_in_present_mode(present):
    query = {"lecture": "learning-rate-50", "scene": "4", "present": "1"} if present else {}
    at = open_page("update_rule", **query)
    assert not at.get("download_button"), "the menu's files are made only while it is open"
    at.session_state["update_rule_fig.export"] = True  # what a click on the expander does
    at.run()
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["HTML (animates offline)", "PNG, 1920×1080", "The data (CSV)", "Python script (torch.optim)"]
    assert any("as GIF and MP4" in b.label for b in at.button), "and the animation, rendered on request"
