"""Class mode in real browsers: the instructor's page on a 1280x720 projector and a student's on a 360-px phone,
both in the system Chromium against one server. The projector's tally follows the phone's answer by itself (no
reload), the phone's page fits its width, keeps the student's place through a reload, and shows the reveal."""

from __future__ import annotations

import re
import time

from lr_core.lessons import CLASS
from tests.browser.conftest import wait_idle

PHONE = {"width": 360, "height": 740}
PROJECTOR = {"width": 1280, "height": 720}


def no_sideways_scroll(page) -> None:
    wide = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert wide <= 1, f"the page is {wide} px wider than the screen"


def wait_for_text(page, pattern: str, within: float) -> float:
    """Seconds until the page shows text matching ``pattern`` (it is not reloaded meanwhile)."""
    start = time.monotonic()
    page.get_by_text(re.compile(pattern)).first.wait_for(timeout=within * 1000)
    return time.monotonic() - start


def test_the_hall_answers_from_a_phone_and_the_projector_follows_without_a_reload(browser, server, tmp_path):
    projector = browser.new_context(viewport=PROJECTOR).new_page()
    projector.goto(f"{server}/{CLASS.url_path}")
    wait_idle(projector)
    projector.get_by_role("button", name="Open a new class").click()
    heading = projector.get_by_role("heading", name=re.compile(r"^Class [A-Z0-9]{6}$"))
    heading.wait_for()
    code = heading.inner_text().removeprefix("Class ")
    projector.get_by_role("button", name="Ask the class").click()
    wait_for_text(projector, r"0 of 0 joined have answered", within=10)

    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    phone.goto(f"{server}/{CLASS.url_path}?join={code}")
    wait_idle(phone)
    no_sideways_scroll(phone)
    phone.get_by_label("Nickname").fill("Ann")
    phone.get_by_role("button", name="Join").click()
    phone.get_by_text("Your answer").first.wait_for(timeout=10_000)
    assert re.search(r"me=[A-Za-z0-9_-]{22}", phone.url), "the student's place is in the link"
    phone.reload()  # a dropped connection or a reload keeps the place
    wait_idle(phone)
    phone.get_by_role("radiogroup").get_by_role("radio").first.check(force=True)
    phone.get_by_role("button", name="Send my answer").click()
    wait_for_text(phone, r"Your answer A is in", within=10)
    no_sideways_scroll(phone)

    waited = wait_for_text(projector, r"1 of 1 joined have answered", within=5)
    assert waited <= 3, f"the projector showed the answer {waited:.1f} s after it was sent"
    assert projector.url.endswith(CLASS.url_path), "the projector was not reloaded"
    projector.get_by_role("button", name="Reveal the answer").click()
    wait_for_text(projector, r"% right\.", within=10)
    wait_for_text(phone, r"(Right|Not this time): you answered A", within=5)
    no_sideways_scroll(phone)
    phone.screenshot(path=str(tmp_path / "phone.png"), full_page=True)
