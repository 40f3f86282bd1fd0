"""Server rerun benchmark: per page, the server-side time of a rerun after its main control moves, and the
bytes of every Plotly figure the page sends.

    python benchmarks/server_rerun.py [--moves 21]

Each page is opened once through app.py with Streamlit's AppTest, then its main control is moved back and forth
``--moves`` times. The time is that of the script run on the server (app.py and the page, as Streamlit's script
runner executes them), measured by wrapping the runner's ``exec_func_with_error_handling``: AppTest's own
polling (it sleeps while it waits for the run) is left out, and its per-run recompilation of the scripts is
replaced by one shared script cache, as a server has. Results go to ``benchmarks/results/server_rerun.md``.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.runtime.scriptrunner import script_cache, script_runner  # noqa: E402
from streamlit.testing.v1 import app_test  # noqa: E402

from benchmarks import report  # noqa: E402
from tests.apptest_helpers import open_page, scrub_to  # noqa: E402

SCRIPT_RUNS: list[float] = []
_exec = script_runner.exec_func_with_error_handling


def _timed_exec(*args, **kwargs):
    t0 = time.perf_counter()
    try:
        return _exec(*args, **kwargs)
    finally:
        SCRIPT_RUNS.append(time.perf_counter() - t0)


script_runner.exec_func_with_error_handling = _timed_exec

# AppTest makes a new ScriptCache for every run, so it recompiles app.py and the page each time; the server keeps
# one for its whole life. One shared cache here measures what a server does.
_SHARED_CACHE = script_cache.ScriptCache()
app_test.ScriptCache = lambda: _SHARED_CACHE

# page -> (widget kind, key, two values to alternate between)
MAIN_CONTROLS = {
    "update_rule": ("scrub", "update_rule.lr", (0.3, 0.05)),  # the rerun when a drag of η ends
    "convergence": ("scrub", "convergence.lr", (0.1, 0.0543)),
    "schedules": ("slider", "schedules.noise", (1.0, 2.0)),
    "adaptive": ("select_slider", "adaptive.lr_adam", (0.1, 0.01)),
    "quiz": ("slider", "quiz.n", (10, 12)),
}


def measure(page: str, moves: int) -> tuple[list[float], list[int], float]:
    kind, key, values = MAIN_CONTROLS[page]
    t0 = time.perf_counter()
    at = open_page(page)
    first = time.perf_counter() - t0
    sizes = [len(c.proto.json) for c in at.get("bidi_component")]  # a figure, and a scrub's parts
    times = []
    for i in range(moves):
        SCRIPT_RUNS.clear()
        if kind == "scrub":  # a drag of η ends
            scrub_to(at, key, values[(i + 1) % 2])
        else:
            getattr(at, kind)(key=key).set_value(values[(i + 1) % 2]).run()
        assert not at.exception, at.exception
        times.append(sum(SCRIPT_RUNS))  # a move that triggers st.rerun costs both runs
    return times, sizes, first


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--moves", type=int, default=21)
    ap.add_argument("--label", default="", help="a note for the results table, e.g. 'before' or 'after'")
    args = ap.parse_args()
    rows = []
    for page in MAIN_CONTROLS:
        gc.collect()
        times, sizes, first = measure(page, args.moves)
        times_ms = [t * 1e3 for t in times]
        rows.append((page, statistics.median(times_ms), report.percentile(times_ms, 90), first * 1e3, sizes))
    lines = [
        f"{report.machine()}. {args.moves} moves of each page's main control. {args.label}",
        "",
        "| page | main control | rerun median | rerun p90 | first load | figures sent (bytes each) | total |",
        "|---|---|---|---|---|---|---|",
    ]
    for page, med, p90, first, sizes in rows:
        control = MAIN_CONTROLS[page][1]
        lines.append(
            f"| {page} | `{control}` | {med:.1f} ms | {p90:.1f} ms | {first:.0f} ms | "
            f"{', '.join(f'{s / 1024:.0f} KB' for s in sizes) or '-'} | {sum(sizes) / 1024:.0f} KB |"
        )
    lines += ["", "Budget (speed issue): median <= 20 ms on every page; a page's first-load figures <= 200 KB."]
    report.publish("server_rerun", lines)


if __name__ == "__main__":
    main()
