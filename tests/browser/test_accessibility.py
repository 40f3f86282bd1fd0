"""Accessibility, measured by axe-core (WCAG 2.1 A and AA) in the system Chromium: every page, in the light and
the dark theme, at a projector's 1280x720 and at 1920x1080. Any serious or critical violation fails."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from lr_core.lessons import LESSONS, PAGES
from tests.browser.conftest import wait_idle

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)], ids=["1280x720", "1920x1080"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("where", PAGES, ids=[p.key for p in PAGES])
def test_no_serious_accessibility_violation(browser, server, axe, where, scheme, size):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, color_scheme=scheme)
    page = context.new_page()
    page.goto(f"{server}/{where.url_path}")
    wait_idle(page)
    if where in LESSONS:  # its figures drawn, toolbar and all
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
    page.wait_for_timeout(500)
    violations = axe.run(page, options=WCAG).response["violations"]
    serious = [
        (v["id"], v["impact"], [n["html"][:120] for n in v["nodes"]][:3])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    context.close()
    assert serious == []


@pytest.mark.parametrize("scheme, n", [("light", 5), ("dark", 17)])
def test_present_mode_has_no_serious_violation(browser, server, axe, n, scheme):
    """A lecture scene on the projector (present mode), in both themes at 1280x720."""
    from lr_core.lectures import load_lectures

    lecture = next(lec for lec in load_lectures() if lec.id == "learning-rate-50")
    context = browser.new_context(viewport={"width": 1280, "height": 720}, color_scheme=scheme)
    page = context.new_page()
    page.goto(server + lecture.url(n))
    wait_idle(page)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
    page.wait_for_timeout(500)
    violations = axe.run(page, options=WCAG).response["violations"]
    serious = [(v["id"], [n["html"][:120] for n in v["nodes"]][:3]) for v in violations
               if v["impact"] in ("serious", "critical")]  # fmt: skip
    context.close()
    assert serious == []
