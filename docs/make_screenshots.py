"""Screenshots of every page for the README, taken from the running app in the system Chromium.

python docs/make_screenshots.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, start_server, wait_idle  # noqa: E402

SHOTS = {
    "home": "",
    "update-rule": "update-rule?course=1&t=2",
    "convergence-stability": "convergence-stability?lr1=0.8",
    "lr-schedules": "lr-schedules?show=step_decay,cosine_annealing,cyclic",
    "adaptive-methods": "adaptive-methods?opt=sgd,momentum,rmsprop,adam&lr_rmsprop=0.01",
    "rate-in-practice": "rate-in-practice",
    "quiz": "quiz-yourself?topics=step%20size,convergence%20%26%20stability&n=5",
}


def main() -> None:
    out = ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    proc, url = start_server()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 1300}, device_scale_factor=1)
            page.goto(url)
            wait_idle(page)
            for name, path in SHOTS.items():
                page.goto(f"{url}/{path}")
                wait_idle(page)
                if name == "quiz":
                    page.get_by_role("button", name="Start the quiz").click()
                    page.get_by_text("Question 1 of 5").wait_for()
                page.wait_for_timeout(2000)
                page.screenshot(path=str(out / f"{name}.png"))
                print("wrote", out / f"{name}.png")
            teaching(browser, url, out)
            browser.close()
    finally:
        proc.terminate()


def teaching(browser, url: str, out: Path) -> None:
    """Present mode on a projector (1280x720) and the presenter view beside it, for "Teaching with LR Lab"."""
    from lr_core.lectures import load_lectures

    lecture = next(lec for lec in load_lectures() if lec.id == "learning-rate-50")
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    projector = context.new_page()
    projector.goto(url + lecture.url(8))
    wait_idle(projector)
    projector.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    projector.wait_for_timeout(4000)  # the scene's animation plays on arrival
    projector.screenshot(path=str(out / "present-mode.png"))
    presenter = context.new_page()
    presenter.set_viewport_size({"width": 1280, "height": 800})
    presenter.goto(f"{url}/lecture-mode?lecture={lecture.id}&scene=8")
    wait_idle(presenter)
    presenter.get_by_role("timer").wait_for()
    presenter.wait_for_timeout(1500)
    presenter.screenshot(path=str(out / "presenter-view.png"))
    context.close()
    print("wrote", out / "present-mode.png", out / "presenter-view.png")


if __name__ == "__main__":
    main()
