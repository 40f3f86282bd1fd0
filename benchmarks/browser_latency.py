"""Browser latency, in Chromium, of the two ways a figure follows a control.

    python benchmarks/browser_latency.py [--moves 12] [--steps 40] [--quiet 600]

- **Server moves** (#14 item 2): per lesson page, the time from a keyboard move of one of its sliders to the moment
  the page stops changing (the last DOM mutation before ``--quiet`` ms pass without any), against the same
  measure on the probe page (``benchmarks/probe_app.py``: one slider and one figure on the fast path, nothing
  else), measured in the same run, interleaved. Budget: every lesson page's median within 1.5x the probe's.
- **Scrubs** (#14 item 1): per control scrubbed on a figure (η), the time from an arrow key on it to the last DOM
  change of its figure's component, in runs of ten presses 120 ms apart, as a student holding the key makes; and
  the websocket messages the tab sent before each run ended (there must be none). Budget: median <= 20 ms, p95
  <= 35 ms.

It starts `streamlit run app.py` and `streamlit run benchmarks/probe_app.py` (with plotly.js copied into
``benchmarks/static/``, which Streamlit serves for a script in ``benchmarks/``). Results go to
``benchmarks/results/browser_latency.md``.
"""

from __future__ import annotations

import argparse
import shutil
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

PAGES = {
    "update-rule": "show the update of step t",
    "convergence-stability": "learning rate η on the double well",
    "lr-schedules": "gradient noise σ",
    "adaptive-methods": "η for Adam",
    "quiz-yourself": "Number of questions",
}
"""Per lesson page, the slider its server moves are measured on (η, where a page scrubs it, moves no server)."""
PROBE = "show the update of step t"

SCRUBS = {
    "update-rule": ["learning rate η (log scale)"],
    "convergence-stability": ["learning rate η in 1-D", "learning rate η on the bowl"],
}
"""Per page, the controls scrubbed on its figures."""

OBSERVE = """() => {
    window.__last = performance.now();
    window.__down = null;
    new MutationObserver(() => { window.__last = performance.now(); })
        .observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
    document.addEventListener('keydown', () => { window.__down = performance.now(); }, true);
}"""

OBSERVE_FIGURE = """(label) => {
    const input = [...document.querySelectorAll('.lrlab-scrub input')].find(
        (i) => i.getAttribute('aria-label') === label);
    const root = input.closest('.lrlab-scrub').parentElement;  // the figure's component: control and chart
    window.__figLast = null;
    window.__figDown = null;
    window.__figObserver?.disconnect();
    window.__figObserver = new MutationObserver(() => { window.__figLast = performance.now(); });
    window.__figObserver.observe(root, {subtree: true, childList: true, attributes: true, characterData: true});
    input.addEventListener('keydown', () => { window.__figDown = performance.now(); window.__figLast = null; },
                           true);
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


def publish_plotly_for_the_probe() -> None:
    """Copy the app's plotly.js (``static/``, published when ``ui`` is imported) to ``benchmarks/static/``."""
    import ui

    name = Path(ui._PLOTLY_SRC).name
    (ROOT / "benchmarks" / "static").mkdir(exist_ok=True)
    shutil.copyfile(ui.STATIC_DIR / name, ROOT / "benchmarks" / "static" / name)


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


def slider(page, label: str):
    return page.locator(f"[data-testid='stSlider'] input[type='range'][aria-label='{label}']").first


def server_moves(page, url: str, label: str, moves: int, quiet_ms: int) -> list[float]:
    page.goto(url)
    wait_idle(page)
    page.wait_for_timeout(1500)
    page.evaluate(OBSERVE)
    thumb = slider(page, label)
    thumb.focus()
    one_move(page, thumb, "ArrowRight", quiet_ms)  # warm up: first run of each code path
    return [one_move(page, thumb, "ArrowLeft" if i % 2 == 0 else "ArrowRight", quiet_ms) for i in range(moves)]


def scrub_steps(page, url: str, label: str, steps: int) -> tuple[list[float], int]:
    """``steps`` arrow-key steps of the control ``label``, in runs of ten; their latencies, and the websocket
    messages sent while a run was under way."""
    page.goto(url)
    wait_idle(page)
    page.wait_for_timeout(1500)
    page.evaluate(OBSERVE_FIGURE, label)
    control = page.get_by_role("slider", name=label, exact=True)
    control.focus()
    times, leaked, done = [], 0, 0
    while done < steps:
        key = "ArrowLeft" if (done // 10) % 2 == 0 else "ArrowRight"
        sent = len(page.sent)
        for _ in range(min(10, steps - done)):
            control.press(key)
            page.wait_for_timeout(120)
            down, last = page.evaluate("() => [window.__figDown, window.__figLast]")
            if last is None:
                raise RuntimeError(f"{label}: a key press changed nothing in its figure")
            times.append(last - down)
            done += 1
        leaked += len(page.sent) - sent
        page.wait_for_timeout(700)  # the run is over: the server hears of it, and redraws
        wait_idle(page)
    return times, leaked


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--moves", type=int, default=12, help="server moves per page")
    ap.add_argument("--steps", type=int, default=40, help="arrow-key steps per scrubbed control")
    ap.add_argument("--quiet", type=int, default=600, help="ms without a DOM change that ends a server move")
    ap.add_argument("--label", default="")
    ap.add_argument("--pages", nargs="*", default=list(PAGES))
    args = ap.parse_args()
    publish_plotly_for_the_probe()
    app, app_url = serve("app.py")
    probe, probe_url = serve("benchmarks/probe_app.py")
    rows, scrubs = [], []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.sent = []
            page.on("websocket", lambda ws: ws.on("framesent", lambda _: page.sent.append(time.monotonic())))
            page.goto(app_url)  # the home page first: the app's navigation is then registered
            wait_idle(page)
            for path in args.pages:
                probed = server_moves(page, probe_url, PROBE, args.moves, args.quiet)
                times = server_moves(page, f"{app_url}/{path}", PAGES[path], args.moves, args.quiet)
                rows.append((path, times, probed))
                for label in SCRUBS.get(path, []):
                    scrubs.append((path, label, *scrub_steps(page, f"{app_url}/{path}", label, args.steps)))
            browser.close()
    finally:
        app.terminate()
        probe.terminate()

    lines = [
        f"{report.machine()}; Chromium headless. {args.label}",
        "",
        f"Server moves: {args.moves} keyboard moves per page, a move ends after {args.quiet} ms without a DOM change;",
        "the probe (one slider, one figure on the fast path) measured before each page.",
        "",
        "| page | slider | median | p90 | probe median (same run) | ratio to probe |",
        "|---|---|---|---|---|---|",
    ]
    for path, times, probed in rows:
        median, p90 = statistics.median(times), report.percentile(times, 90)
        ratio = median / statistics.median(probed)
        lines.append(
            f"| {path} | {PAGES[path]} | {median:.0f} ms | {p90:.0f} ms | {statistics.median(probed):.0f} ms | "
            f"{ratio:.2f}x |"
        )
    lines += [
        "",
        "Budget (#14 item 2): every lesson page's median within 1.5x the probe's.",
        "",
        f"Scrubs: {args.steps} arrow-key steps per control, in runs of ten 120 ms apart; a step ends at the last DOM",
        "change of its figure's component.",
        "",
        "| page | control | median | p95 | max | websocket messages during the runs |",
        "|---|---|---|---|---|---|",
    ]
    for path, label, times, leaked in scrubs:
        lines.append(
            f"| {path} | {label} | {statistics.median(times):.1f} ms | {report.percentile(times, 95):.1f} ms | "
            f"{max(times):.1f} ms | {leaked} |"
        )
    lines += ["", "Budget (#14 item 1): median <= 20 ms, p95 <= 35 ms, and no message until the drag ends."]
    report.publish("browser_latency", lines)


if __name__ == "__main__":
    main()
