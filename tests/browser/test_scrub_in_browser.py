"""The learning rate scrubbed on its figure (lr_core/scrub.py, ui/plot.js), in Chromium: while η is dragged with the
mouse or stepped with the arrow keys the figures follow with no message to the server; when the drag ends the
server learns the value once, and everything drawn equals a fresh draw of the page at that value."""

from __future__ import annotations

import time

import pytest

from tests.browser.conftest import open_lesson, wait_idle

DRAWN = """(i) => {
    const gd = [...document.querySelectorAll('.js-plotly-plot')][i];
    const arr = (v) => (v && typeof v.length === 'number' ? Array.from(v) : []);
    return {
        traces: gd._fullData.map(t => [t.name, arr(t.x), arr(t.y)]),
        annotations: (gd.layout.annotations || []).map(a => [a.x, a.y, a.ax, a.ay, a.text]),
        shapes: (gd.layout.shapes || []).map(s => [s.x0, s.x1, s.y0, s.y1]),
        legend: [...gd.querySelectorAll('.legend text.legendtext')].map(t => t.textContent),
    };
}"""


@pytest.fixture
def tab(browser, server):
    """A tab at 1280 x 720 whose websocket frames to the server are counted (``tab.sent``: their times)."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    pg = context.new_page()
    pg.sent, pg.errors = [], []
    pg.on("websocket", lambda ws: ws.on("framesent", lambda _: pg.sent.append(time.monotonic())))
    pg.on("pageerror", lambda err: pg.errors.append(str(err)))
    yield pg
    context.close()


def figure_index(page, key_text: str) -> int:
    """The index among the page's charts of the one whose text alternative contains ``key_text``."""
    return page.evaluate(
        "(t) => [...document.querySelectorAll('.js-plotly-plot')].findIndex(g => "
        "(g.parentElement.querySelector('[role=figure]')?.getAttribute('aria-label') || '').includes(t))",
        key_text,
    )


def fresh_draw(page, indices: list[int]) -> list[dict]:
    """The charts ``indices`` as a new tab draws them from this tab's address."""
    other = page.context.new_page()
    other.goto(page.evaluate("location.href"))
    wait_idle(other)
    other.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
    other.wait_for_timeout(700)
    drawn = [other.evaluate(DRAWN, i) for i in indices]
    other.close()
    return drawn


def test_dragging_eta_with_the_mouse_redraws_in_the_browser_and_tells_the_server_once(tab, server):
    open_lesson(tab, server, "update-rule")
    tab.wait_for_timeout(500)
    control = tab.get_by_role("slider", name="learning rate")
    assert control.count() == 1 and control.evaluate("e => e.type") == "range"
    fig = figure_index(tab, "parabola")
    before = tab.evaluate(DRAWN, fig)
    box = control.bounding_box()
    top = int(control.evaluate("e => e.max"))
    start = int(control.evaluate("e => e.value"))
    y = box["y"] + box["height"] / 2
    x0 = box["x"] + 8 + (box["width"] - 16) * start / top  # the thumb (16 px wide) at the value
    x1 = box["x"] + 8 + (box["width"] - 16) * 0.9
    tab.mouse.move(x0, y)
    tab.mouse.down()
    sent = len(tab.sent)
    seen = set()
    for k in range(1, 13):
        tab.mouse.move(x0 + (x1 - x0) * k / 12, y)
        tab.wait_for_timeout(40)
        path = next(t for t in tab.evaluate(DRAWN, fig)["traces"] if t[0] == "your η")
        seen.add(path[1][1])  # θ₁ = θ₀ − η∇J(θ₀), as drawn while dragging
    end = control.evaluate("e => e.value")
    shown = tab.locator(".lrlab-scrub output").inner_text()
    verdict = tab.locator(".lrlab-scrub-verdict").inner_text()
    dragged = tab.evaluate(DRAWN, fig)
    assert len(tab.sent) == sent, "nothing reaches the server while the thumb is held"
    assert int(end) > start and len(seen) > 3, "the path followed the drag"
    assert dragged["traces"] != before["traces"]

    tab.mouse.up()
    tab.wait_for_function("(v) => new URLSearchParams(location.search).get('lr') === v", arg=shown, timeout=10_000)
    wait_idle(tab)
    tab.wait_for_timeout(500)
    assert len(tab.sent) - sent == 1, "one message when the drag ends: the value"
    page_text = tab.locator("[data-testid='stMain']").inner_text()
    assert verdict.split(" ", 1)[1] in page_text, "the page's verdict is the one the drag showed"
    assert f"η = {shown}" in tab.evaluate(
        "() => [...document.querySelectorAll('[role=figure]')].map(f => f.getAttribute('aria-label')).join(' ')"
    )
    assert tab.evaluate(DRAWN, fig) == dragged, "the server's draw changes nothing the drag drew"
    assert fresh_draw(tab, [fig]) == [dragged], "a fresh draw at the value the drag ended on is the same"
    assert tab.errors == []


def test_arrow_keys_step_eta_and_the_figures_of_its_section_follow(tab, server):
    """On the bowl, a run of arrow-key presses moves the path and the steps-to-tolerance figure's mark of η with no
    message to the server; a pause ends the run, and the server hears of it once."""
    open_lesson(tab, server, "convergence-stability")
    tab.wait_for_timeout(500)
    control = tab.get_by_role("slider", name="learning rate η on the bowl")
    bowl, tolerance = figure_index(tab, "quadratic bowl"), figure_index(tab, "steps for the loss to fall")
    before = [tab.evaluate(DRAWN, i) for i in (bowl, tolerance)]
    control.focus()
    sent = len(tab.sent)
    for _ in range(4):
        control.press("ArrowLeft")
        tab.wait_for_timeout(80)
    during = [tab.evaluate(DRAWN, i) for i in (bowl, tolerance)]
    assert len(tab.sent) == sent, "nothing is sent between key presses"
    assert during[0]["traces"] != before[0]["traces"], "the path moved"
    assert during[1]["shapes"] != before[1]["shapes"], "the tolerance figure's mark of η moved with it"
    assert during[1]["traces"] == before[1]["traces"], "and nothing else of it"
    shown = tab.locator(".lrlab-scrub output").nth(1).inner_text()
    tab.wait_for_function("(v) => new URLSearchParams(location.search).get('lr') === v", arg=shown, timeout=10_000)
    wait_idle(tab)
    tab.wait_for_timeout(500)
    assert len(tab.sent) - sent == 1
    metrics = tab.locator("[data-testid='stMetric']").all_inner_texts()
    assert any("your r(η)" in m for m in metrics)
    assert [tab.evaluate(DRAWN, i) for i in (bowl, tolerance)] == during, "the server's draw is the one the keys drew"
    assert tab.errors == []


def test_a_drag_during_play_interrupts_it_and_the_figure_keeps_following(tab, server):
    """Play, then η stepped at once: the newer draw interrupts the animation (plotly.js rejects the older one), and
    the figure keeps following every later step, with no error."""
    open_lesson(tab, server, "update-rule")
    tab.wait_for_timeout(500)
    control = tab.get_by_role("slider", name="learning rate")
    before = tab.evaluate("() => window.__lrlabPlotStats.scrub")
    tab.get_by_role("button", name="Play").click()
    control.focus()
    for _ in range(3):
        control.press("ArrowLeft")
        tab.wait_for_timeout(60)
    tab.wait_for_timeout(300)
    for _ in range(2):
        control.press("ArrowLeft")
        tab.wait_for_timeout(120)
    assert tab.evaluate("() => window.__lrlabPlotStats.scrub") - before >= 4, "every step after Play was drawn"
    shown = tab.locator(".lrlab-scrub output").inner_text()
    tab.wait_for_function("(v) => new URLSearchParams(location.search).get('lr') === v", arg=shown, timeout=10_000)
    wait_idle(tab)
    assert "could not be drawn" not in tab.locator("[data-testid='stMain']").inner_text()
    assert tab.errors == []


BOLD = """(i) => {
    const gd = [...document.querySelectorAll('.js-plotly-plot')][i];
    return gd._fullData.filter(t => t.name === 'your η' && t.mode === 'lines+markers' && t.xaxis === 'x')
        .map(t => Array.from(t.x))[0];
}"""


def test_play_right_after_a_drag_plays_the_new_rate_not_the_old_frames(tab, server):
    """Play pressed before the drag's value has reached the server (within the key pause) would play the frames of
    the previous rate until the server's redraw stopped it: it is held back, the value sent at once, and the new
    rate's run plays when it arrives. Every path drawn meanwhile is a part of the new rate's run, never of the old
    one, and the run plays through."""
    open_lesson(tab, server, "update-rule")
    tab.wait_for_timeout(500)
    fig = figure_index(tab, "parabola")
    old = tab.evaluate(BOLD, fig)
    control = tab.get_by_role("slider", name="learning rate")
    control.focus()
    for _ in range(6):
        control.press("ArrowLeft")
    shown = tab.locator(".lrlab-scrub output").inner_text()
    new = tab.evaluate(BOLD, fig)
    assert new != old
    tab.get_by_role("button", name="Play").click()  # at once: the value has not been sent yet
    seen = []
    for _ in range(25):
        seen.append(tab.evaluate(BOLD, fig))
        tab.wait_for_timeout(80)
    tab.wait_for_function("(v) => new URLSearchParams(location.search).get('lr') === v", arg=shown, timeout=10_000)
    for path in seen:
        assert path == new[len(new) - len(path) :] or path == new[: len(path)], "a part of the new rate's run"
    assert any(1 < len(p) < len(new) for p in seen), "and the new rate's run played (not stopped by the redraw)"
    assert tab.errors == []
