"""Lecture mode in the system Chromium: present mode fills a projector with the figure and hides Streamlit's
chrome; the keys a clicker sends step through the scenes (URL and figure change), Space plays and pauses; a key
in a text field stays there; the presenter view and the projector, two windows, stay in step both ways."""

from __future__ import annotations

import re
import time

import pytest

from lr_core.lectures import load_lectures
from tests.browser.conftest import wait_idle

LECTURE = next(lec for lec in load_lectures() if lec.id == "learning-rate-50")


def scene_number(page) -> int:
    """The scene in the address bar (``location``: Playwright's ``page.url`` misses a history.pushState)."""
    return int(re.search(r"[?&]scene=(\d+)", page.evaluate("() => location.href"))[1])


def wait_for_scene(page, n: int, within: float = 20) -> float:
    """Seconds until ``page``'s URL is scene ``n`` and its run has finished."""
    start = time.monotonic()
    while scene_number(page) != n:
        assert time.monotonic() - start < within, f"still on scene {scene_number(page)}, not {n}"
        time.sleep(0.05)
    waited = time.monotonic() - start
    wait_idle(page)
    return waited


def figure_state(page) -> str:
    """What the first figure shows: its text alternative (the run it draws, in words) and its traces' names."""
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    return page.evaluate(
        "() => { const gd = document.querySelector('.js-plotly-plot');"
        " return gd.getAttribute('aria-label') + JSON.stringify(gd.data.map(t => t.name)); }"
    )


def open_scene(page, server: str, n: int, present: bool = True) -> None:
    page.goto(server + LECTURE.url(n, present=present))
    wait_idle(page)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)


@pytest.mark.parametrize("size, scenes", [((1280, 720), (5, 17, 22)), ((1920, 1080), (5, 17))],
                         ids=["1280x720", "1920x1080"])  # fmt: skip
def test_present_mode_hides_the_chrome_and_the_figure_fills_the_screen(browser, server, size, scenes):
    width, height = size
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    for n in scenes:
        open_scene(page, server, n)
        assert not page.locator("[data-testid='stHeader']").is_visible()
        assert (
            page.locator("[data-testid='stSidebar']").count() == 0
            or not page.locator("[data-testid='stSidebar']").is_visible()
        )
        page.wait_for_timeout(600)  # the figure measures the room left under it again once the page settles
        box = page.locator(".js-plotly-plot").first.bounding_box()
        seen = max(0, min(box["y"] + box["height"], height) - max(box["y"], 0)) * min(box["width"], width)
        assert seen >= 0.6 * width * height, f"scene {n}: the figure fills {seen / (width * height):.0%}"
        sizes = page.evaluate(
            "() => ({tick: Math.min(...[...document.querySelectorAll('.js-plotly-plot .xtick text, "
            ".js-plotly-plot .ytick text')].map(t => parseFloat(getComputedStyle(t).fontSize))),"
            " axis: Math.min(...[...document.querySelectorAll('.js-plotly-plot .xtitle, .js-plotly-plot .ytitle')]"
            ".map(t => parseFloat(getComputedStyle(t).fontSize))),"
            " title: parseFloat(getComputedStyle(document.querySelector('.st-key-lecture-scene h2')).fontSize),"
            " body: parseFloat(getComputedStyle(document.querySelector('.st-key-lecture-scene p')).fontSize)})"
        )
        assert sizes["tick"] >= 16 and sizes["axis"] >= 20 and sizes["body"] >= 20 and sizes["title"] >= 32, sizes
    page.context.close()


def test_the_clickers_keys_step_through_the_scenes_and_space_plays(browser, server):
    page = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    open_scene(page, server, 3)
    before = figure_state(page)
    page.keyboard.press("ArrowRight")
    wait_for_scene(page, 4)
    deadline = time.monotonic() + 10
    while figure_state(page) == before:
        assert time.monotonic() < deadline, "the figure follows the scene"
        time.sleep(0.1)
    page.keyboard.press("PageDown")  # what a clicker's forward button sends
    wait_for_scene(page, 5)
    page.keyboard.press("PageUp")
    wait_for_scene(page, 4)
    page.keyboard.press("ArrowLeft")
    wait_for_scene(page, 3)
    deadline = time.monotonic() + 10
    while figure_state(page) != before:
        assert time.monotonic() < deadline, "back on scene 3, the figure is scene 3's again"
        time.sleep(0.1)
    page.keyboard.press("End")
    wait_for_scene(page, len(LECTURE.scenes), within=60)
    page.keyboard.press("Home")
    wait_for_scene(page, 1, within=60)

    open_scene(page, server, 5)  # plays on arrival; Space pauses, Space plays again
    slider = "() => document.querySelector('.js-plotly-plot').layout.sliders[0].active"
    playing = "() => Boolean(document.querySelector('.js-plotly-plot').__lrlabPlaying)"
    page.keyboard.press("Space")
    time.sleep(0.3)
    assert not page.evaluate(playing)
    stopped = page.evaluate(slider)
    time.sleep(0.5)
    assert page.evaluate(slider) == stopped, "paused"
    page.keyboard.press("Space")
    time.sleep(0.6)
    assert page.evaluate(playing) or page.evaluate(slider) != stopped, "playing again"
    page.keyboard.press("b")  # a blank screen, as a clicker's button asks, until the next key
    assert page.locator(".lrlab-blackout").is_visible()
    page.keyboard.press("ArrowRight")
    assert page.locator(".lrlab-blackout").count() == 0 and scene_number(page) == 5, "that key only lifts it"
    page.context.close()


def test_keys_in_a_text_field_stay_there(browser, server):
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    open_scene(page, server, 3, present=False)  # the whole page, with its questions: a number is typed in one
    field = page.locator("[data-testid='stTextInput'] input").first
    field.scroll_into_view_if_needed()
    field.click()
    page.keyboard.type("0.25")
    for key in ("ArrowLeft", "ArrowRight", "Home", "End", "PageDown"):
        page.keyboard.press(key)
    time.sleep(1.0)
    assert scene_number(page) == 3 and field.input_value() == "0.25"
    page.context.close()


def test_the_presenter_view_and_the_projector_stay_in_step(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    projector = context.new_page()
    open_scene(projector, server, 2)
    presenter = context.new_page()
    presenter.goto(f"{server}/lecture-mode?lecture={LECTURE.id}&scene=2")
    wait_idle(presenter)
    presenter.get_by_text(LECTURE.scenes[2].title).first.wait_for()  # "Next: ..." names scene 3
    presenter.get_by_role("timer").wait_for(timeout=10_000)

    projector.bring_to_front()
    projector.keyboard.press("ArrowRight")
    wait_for_scene(projector, 3)
    waited = wait_for_scene(presenter, 3, within=5)
    assert waited <= 1.0, f"the presenter view followed after {waited:.1f} s"
    presenter.get_by_text(LECTURE.scenes[2].notes[:50]).first.wait_for()

    presenter.bring_to_front()
    presenter.get_by_role("button", name="Next ▶").click()
    wait_for_scene(presenter, 4)
    waited = wait_for_scene(projector, 4, within=5)
    assert waited <= 1.0, f"the projector followed after {waited:.1f} s"
    projector.get_by_role("heading", name=LECTURE.scenes[3].title).wait_for(timeout=10_000)
    context.close()
