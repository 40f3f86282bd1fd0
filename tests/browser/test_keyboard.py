"""Keyboard only: every control a mouse user has (Play and Pause, the animation's step slider, the η control and
the click-to-start's pair of inputs) is reached with Tab and worked with the keys, on a real server in Chromium."""

from __future__ import annotations

import pytest

from tests.browser.conftest import open_lesson, wait_idle

# the moving paths of the first animated figure on the page, as plotly.js has them decoded
PATHS = """() => {
    const gd = [...document.querySelectorAll('.js-plotly-plot')].find(g => g.layout.sliders);
    return gd._fullData.filter(t => t.mode === 'lines+markers' && t.xaxis === 'x').map(t => Array.from(t.x));
}"""
FOCUSED = """() => {
    const e = document.activeElement;
    const implicit = e.type === 'range' ? 'slider' : e.tagName === 'BUTTON' ? 'button' : e.tagName.toLowerCase();
    const named = e.getAttribute('aria-label') || (e.labels && e.labels[0] ? e.labels[0].textContent : '');
    return {role: e.getAttribute('role') || implicit, label: named || '',
            now: e.getAttribute('aria-valuenow'), cls: String(e.className.baseVal ?? e.className)};
}"""


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    pg = context.new_page()
    pg.errors = []
    pg.on("pageerror", lambda err: pg.errors.append(str(err)))
    yield pg
    context.close()


def _open(page, server: str, path: str) -> None:
    open_lesson(page, server, path)
    page.wait_for_selector(".slider-container[role=slider]", timeout=30_000)


def _tab_to(page, role: str, label: str, limit: int = 120) -> dict:
    """Press Tab until the focus is on the element of ``role`` whose accessible name contains ``label``; every
    element passed on the way is returned in ``page.passed``."""
    page.passed = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        page.passed.append(focused)
        if focused["role"] == role and label in focused["label"]:
            return focused
    raise AssertionError(f"no {role} {label!r} in the tab order: {page.passed}")


def test_play_and_pause_from_the_keyboard(page, server):
    _open(page, server, "update-rule")
    _tab_to(page, "button", "Play")
    before = page.evaluate(PATHS)
    page.keyboard.press("Enter")
    page.wait_for_timeout(500)
    playing = page.evaluate(PATHS)
    assert playing != before, "Enter on Play starts the animation from the first step"
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["label"] == "Pause"
    page.keyboard.press("Space")
    page.wait_for_timeout(300)
    paused = page.evaluate(PATHS)
    page.wait_for_timeout(600)
    assert page.evaluate(PATHS) == paused, "Space on Pause stops it"
    assert len(paused[0]) < len(before[0]), "stopped part-way"
    assert page.errors == []


def test_the_animation_step_slider_from_the_keyboard(page, server):
    """Home shows step 0 (one point), each ArrowRight one more step, End the whole run; the slider's value is
    announced (aria-valuenow) and the drawn path follows."""
    _open(page, server, "update-rule")
    full = page.evaluate(PATHS)
    focused = _tab_to(page, "slider", "animation step")
    assert int(focused["now"]) == len(full[0]) - 1, "the slider starts at the last step, as drawn"
    page.keyboard.press("Home")
    page.wait_for_function("() => document.activeElement.getAttribute('aria-valuenow') === '0'")
    assert [len(x) for x in page.evaluate(PATHS)] == [1] * len(full)
    for k in (1, 2, 3):
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"() => document.activeElement.getAttribute('aria-valuenow') === '{k}'")
        assert page.evaluate(PATHS)[0] == full[0][: k + 1]
    page.keyboard.press("End")
    page.wait_for_function(f"() => document.activeElement.getAttribute('aria-valuenow') === '{len(full[0]) - 1}'")
    assert page.evaluate(PATHS) == full
    assert page.errors == []


def test_the_toolbar_keeps_only_its_download_button_in_the_tab_order(page, server):
    _open(page, server, "update-rule")
    _tab_to(page, "button", "Pause")
    for _ in range(3):
        page.keyboard.press("Tab")
        page.passed.append(page.evaluate(FOCUSED))
    tools = [f for f in page.passed if "modebar-btn" in f["cls"]]
    assert tools, "the download button is reachable"
    titles = page.evaluate(
        "() => [...document.querySelectorAll('.modebar-btn')].filter(b => b.tabIndex >= 0)"
        ".map(b => b.getAttribute('data-title'))"
    )
    assert titles and all("Download" in t for t in titles), titles


def test_the_learning_rate_from_the_keyboard(page, server):
    """The η control is reached with Tab; an arrow key moves it a step, and the link and the drawn path follow."""
    _open(page, server, "update-rule")
    before = page.evaluate(PATHS)
    page.keyboard.press("Tab")  # from the page's top: the skip link first
    _tab_to(page, "slider", "learning rate")
    page.keyboard.press("ArrowRight")
    wait_idle(page)
    page.wait_for_function("() => new URLSearchParams(location.search).has('lr')", timeout=10_000)
    page.wait_for_function(f"(before) => JSON.stringify(({PATHS})()) !== JSON.stringify(before)", arg=before)
    assert page.errors == []


# where each run starts: the first point of its full, faint path (a long run's bold path is a moving trail)
STARTS = """() => {
    const gd = [...document.querySelectorAll('.js-plotly-plot')].find(g => g.layout.sliders);
    return gd._fullData.filter(t => t.mode === 'lines' && t.hoverinfo === 'skip').map(t => [t.x[0], t.y[0]]);
}"""


def test_the_start_from_the_keyboard_instead_of_a_click(page, server):
    """Click-to-start has a keyboard pair: the start x and y sliders move the start of every racer's path."""
    _open(page, server, "adaptive-methods")
    (x0, y0), *_ = before = page.evaluate(STARTS)
    assert len(before) >= 2 and all(s == [x0, y0] for s in before)
    _tab_to(page, "slider", "start x")
    page.keyboard.press("ArrowRight")
    wait_idle(page)
    page.wait_for_function(f"(x0) => ({STARTS})().every(s => Math.abs(s[0] - x0) > 1e-9)", arg=x0, timeout=10_000)
    assert all(s == [pytest.approx(x0 + 0.05), pytest.approx(y0)] for s in page.evaluate(STARTS))
    assert "x=" in page.url
    assert page.errors == []
