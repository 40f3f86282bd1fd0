"""Browser latency: per page, the time from a keyboard move of its main slider to the moment the page stops
changing, against the same measure on a baseline page with the same kind of widget and no work.

    python benchmarks/browser_latency.py [--moves 12] [--quiet 600]

It starts `streamlit run app.py` and `streamlit run benchmarks/baseline_app.py`, drives them with Playwright in
the system Chromium, and for every move records, in the page, the keydown time and the time of the last DOM
mutation before ``--quiet`` ms pass without any. Pages and baseline are measured in the same run, interleaved.
Results go to ``benchmarks/results/browser_latency.md``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from benchmarks import report  # noqa: E402
from deploy.services import free_port, wait_for  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, wait_idle  # noqa: E402

# page path -> (slider's accessible label, which of the sliders with that label)
PAGES = {
    "update-rule": ("learning rate η (log scale)", 0),
    "convergence-stability": ("learning rate η on the bowl", 0),
    "lr-schedules": ("gradient noise σ", 0),
    "adaptive-methods": ("η for Adam", 0),
    "quiz-yourself": ("Number of questions", 0),
}

OBSERVE = """() => {
    window.__last = performance.now();
    window.__down = null;
    new MutationObserver(() => { window.__last = performance.now(); })
        .observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
    document.addEventListener('keydown', () => { window.__down = performance.now(); }, true);
}"""


def serve(script: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port), "--server.headless", "true"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    wait_for(f"{url}/_stcore/health", proc)
    return proc, url


def one_move(page, slider, key: str, quiet_ms: int) -> float:
    page.evaluate("() => { window.__down = null; }")
    slider.press(key)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        time.sleep(quiet_ms / 4000)
        down, last, now = page.evaluate("() => [window.__down, window.__last, performance.now()]")
        if down is not None and last > down and now - last >= quiet_ms:
            return last - down
    raise RuntimeError("the page did not settle within 30 s")


def measure(page, url: str, label: str, nth: int, moves: int, quiet_ms: int) -> list[float]:
    page.goto(url)
    wait_idle(page)
    page.wait_for_timeout(1500)
    page.evaluate(OBSERVE)
    slider = page.locator(f"[data-testid='stSlider'] input[type='range'][aria-label='{label}']").nth(nth)
    slider.focus()
    one_move(page, slider, "ArrowLeft", quiet_ms)  # warm up: first run of each code path
    return [one_move(page, slider, "ArrowRight" if i % 2 == 0 else "ArrowLeft", quiet_ms) for i in range(moves)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--moves", type=int, default=12)
    ap.add_argument("--quiet", type=int, default=600, help="ms without a DOM change that ends a move")
    ap.add_argument("--label", default="")
    ap.add_argument("--pages", nargs="*", default=list(PAGES))
    args = ap.parse_args()
    app, app_url = serve("app.py")
    base, base_url = serve("benchmarks/baseline_app.py")
    rows = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(app_url)  # the home page first: the app's navigation is then registered
            wait_idle(page)
            for path in args.pages:
                label, nth = PAGES[path]
                baseline = measure(page, base_url, "value", 0, args.moves, args.quiet)
                times = measure(page, f"{app_url}/{path}", label, nth, args.moves, args.quiet)
                rows.append((path, times, baseline))
            browser.close()
    finally:
        app.terminate()
        base.terminate()

    lines = [
        f"{report.machine()}; Chromium headless. "
        f"{args.moves} keyboard moves per page, a move ends after {args.quiet} ms without a DOM change. {args.label}",
        "",
        "| page | slider | median | p90 | baseline median (same run) | ratio to baseline |",
        "|---|---|---|---|---|---|",
    ]
    for path, times, baseline in rows:
        median, p90 = statistics.median(times), report.percentile(times, 90)
        ratio = median / statistics.median(baseline)
        lines.append(
            f"| {path} | {PAGES[path][0]} | {median:.0f} ms | {p90:.0f} ms | "
            f"{statistics.median(baseline):.0f} ms | {ratio:.2f}x |"
        )
    lines += ["", "Budget (speed issue): every page's median within 1.5x of the baseline page."]
    report.publish("browser_latency", lines)


if __name__ == "__main__":
    main()
