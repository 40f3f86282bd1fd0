"""A real server (`python -m ui.server`, which is `streamlit run app.py`) and Playwright on the system Chromium, for
the browser tests."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from deploy import services

CHROMIUM = os.environ.get("LRLAB_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def start_server() -> tuple[subprocess.Popen, str]:
    """Start the app on a free port and wait until its health endpoint answers."""
    return services.start_app()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    proc, url = start_server()
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install Debian's chromium (make test does) or set LRLAB_CHROMIUM"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


# Streamlit's frontend, opened on /<page>, first probes /<page>/_stcore/{health,host-config} to learn whether the
# app is served under a base path, and logs the 404 it gets before it falls back to "/". Only those two requests
# are expected to fail; anything else in the console fails the test.
BASE_PATH_PROBE = re.compile(r"/[a-z-]+/_stcore/(health|host-config)$")


@pytest.fixture
def page(browser, server):
    """A tab of its own (1400 x 1000) on the home page, collecting in ``page.problems`` every console error, page
    error and failed request but the two expected below."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.problems = []
    probes = set()

    def on_response(response):
        if response.status >= 400:
            if BASE_PATH_PROBE.search(response.url):
                probes.add(response.url)
            else:
                pg.problems.append(f"HTTP {response.status} {response.url}")

    def on_console(msg):
        if msg.type == "error" and not (msg.text.startswith("Failed to load resource") and probes):
            pg.problems.append(f"console: {msg.text}")

    pg.on("response", on_response)
    pg.on("console", on_console)
    pg.on("pageerror", lambda err: pg.problems.append(f"page error: {err}"))
    pg.goto(server)  # the home page first, as a student arriving would
    wait_idle(pg)
    yield pg
    context.close()


def open_lesson(page, server: str, path: str) -> None:
    """Go to the page at ``path`` and wait until its script run has finished and its first figure is drawn."""
    page.goto(f"{server}/{path}")
    wait_idle(page)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)


def wait_idle(page, timeout: float = 60_000) -> None:
    """Wait until the script run has finished and Streamlit shows the page."""
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)
