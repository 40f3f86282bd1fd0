"""The HTML exports open in Chromium with no network at all and animate: a figure's file (Play advances its
frames) and a whole lecture's (every scene's figure drawn, the arrow keys move between scenes)."""

from __future__ import annotations

import time

import pytest

from lr_core import export
from tests.apptest_helpers import figures, open_page
from ui import lecture_export


@pytest.fixture
def offline(browser):
    """A page that may load nothing but local files."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    requests = []

    def only_files(route):
        requests.append(route.request.url)
        route.abort() if not route.request.url.startswith("file:") else route.continue_()

    context.route("**/*", only_files)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda err: page.errors.append(str(err)))
    yield page, requests
    context.close()


def test_a_figures_html_file_animates_offline(offline, tmp_path):
    page, requests = offline
    spec = figures(open_page("update_rule", lr="0.8", steps="12"))["update_rule_fig"]
    path = tmp_path / "figure.html"
    path.write_text(export.html(spec), encoding="utf-8")
    page.goto(path.as_uri())
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
    frames = page.evaluate("() => document.querySelector('.js-plotly-plot')._transitionData._frames.length")
    assert frames == len(spec["frames"]) == 13
    active = "() => document.querySelector('.js-plotly-plot')._fullLayout.sliders[0].active"
    page.get_by_text("▶ Play").click()
    seen = set()
    deadline = time.monotonic() + 10
    while len(seen) < 4 and time.monotonic() < deadline:  # Play steps through the frames
        seen.add(page.evaluate(active))
        time.sleep(0.05)
    assert len(seen) >= 4, seen
    assert not page.errors and all(u.startswith("file:") for u in requests)


def test_a_whole_lecture_in_one_file_moves_with_the_arrow_keys_offline(offline, tmp_path):
    page, requests = offline
    path = tmp_path / "lecture.html"
    path.write_text(lecture_export.export("learning-rate-10"), encoding="utf-8")
    page.goto(path.as_uri())
    page.wait_for_selector("section.on .js-plotly-plot .main-svg", timeout=30_000)
    assert page.locator("section").count() == 5 and page.locator(".js-plotly-plot").count() == 5
    assert "scene 1 of 5" in page.locator("section.on h1").inner_text()
    page.keyboard.press("ArrowRight")
    assert "scene 2 of 5" in page.locator("section.on h1").inner_text()
    page.keyboard.press("PageDown")
    page.keyboard.press("End")
    assert "scene 5 of 5" in page.locator("section.on h1").inner_text()
    page.keyboard.press("PageUp")
    assert "scene 4 of 5" in page.locator("section.on h1").inner_text()
    box = page.locator("section.on .js-plotly-plot").bounding_box()
    assert box["width"] > 1000, "a scene's figure takes the width once shown"
    page.keyboard.press("n")
    shown = page.evaluate("() => getComputedStyle(document.querySelector('section.on .notes')).display")
    assert shown == "block", "N shows the speaker notes"
    assert not page.errors and all(u.startswith("file:") for u in requests)
