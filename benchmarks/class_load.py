"""Class load: N simulated students, each a real Streamlit session over its websocket, speaking Streamlit's own
protobuf messages, each moving a slider every 2 s on a lesson page for 60 s.

    python benchmarks/class_load.py [--students 10 50 100 200] [--seconds 60] [--one-slider]

One `streamlit run app.py` serves them all. The students are spread evenly over the lessons, each moving one of
its lesson's sliders (any slider the lesson shows on arrival, η among them: ``benchmarks.sessions.spread``); with
``--one-slider``, as before, every student moves the update rule's "steps". A student opens its page (a full
script run), finds its slider's widget id in the elements it receives, then every 2 s (with a random phase) sends
a rerun with a value drawn at random over the slider's range and times the reply until the script-finished
message. Where the slider sits in an ``st.fragment``, the rerun names that fragment, as the browser does. The
class comes in at 10 students a second (all at once, 200 first page runs queue for longer than the 10 s a reply
may take).
Reported per N: reruns per second, p50/p95 latency and errors (a failed connection, an exception element, or
no answer within 10 s). Results go to ``benchmarks/results/class_load.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import report  # noqa: E402
from benchmarks.sessions import Student, Target, spread, start_server  # noqa: E402

PAGE = "update-rule"
SLIDER_LABEL = "steps"
PERIOD = 2.0
ARRIVALS = 10.0  # students opening their page per second while the class comes in


async def load(url: str, targets: list[Target], seconds: float, seed: int) -> tuple[list[Student], float]:
    rng = random.Random(seed)
    students = [Student(url, random.Random(rng.random()), target, PERIOD) for target in targets]
    start = time.monotonic()
    until = start + seconds
    ramp = len(students) / ARRIVALS  # students come in at ARRIVALS a second, in random order
    await asyncio.gather(*(s.run(until, rng.uniform(0, ramp)) for s in students))
    return students, time.monotonic() - start


def summary(students: list[Student]) -> tuple[int, float, float, int]:
    """The moves, their p50 and p95 (ms) and the errors of ``students``."""
    ms = [x * 1e3 for s in students for x in s.latencies]
    p50 = statistics.median(ms) if ms else float("nan")
    return len(ms), p50, report.percentile(ms, 95), sum(s.errors for s in students)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, nargs="+", default=[10, 50, 100, 200])
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--label", default="")
    ap.add_argument("--one-slider", action="store_true", help="every student on the update rule's steps slider")
    ap.add_argument("--server-option", action="append", default=[], metavar="NAME=VALUE",
                    help="a streamlit config option for the server, e.g. runner.postScriptGC=true")  # fmt: skip
    args = ap.parse_args()
    options = [f"--{o.split('=', 1)[0]}={o.split('=', 1)[1]}" for o in args.server_option]
    server, url = start_server(*options)
    try:
        rows, lessons = [], []
        for n in args.students:
            targets = [Target(PAGE, SLIDER_LABEL)] * n if args.one_slider else spread(url, n, random.Random(n))
            students, elapsed = asyncio.run(load(url, targets, args.seconds, n))
            moves, p50, p95, errors = summary(students)
            rows.append((n, moves / elapsed, p50, p95, errors))
            print(f"N={n}: {moves / elapsed:.1f} reruns/s, p50 {p50:.0f} ms, p95 {p95:.0f} ms, errors {errors}",
                  flush=True)  # fmt: skip
            for page in dict.fromkeys(t.page for t in targets):
                lessons.append((n, page, *summary([s for s in students if s.target.page == page])))
    finally:
        server.terminate()
    ok = [n for n, _, _, p95, errors in rows if p95 <= 300 and errors == 0]
    lines = [
        f"{report.machine()}; one `streamlit run "
        f"app.py`; load generator in the same machine. "
        + (
            f"Page `{PAGE}`, slider `{SLIDER_LABEL}`"
            if args.one_slider
            else "Students spread evenly over the lessons, each on a random slider its lesson shows on arrival,"
        )
        + f" moved every {PERIOD:g} s per student for {args.seconds:g} s. {' '.join(options)} {args.label}",
        "",
        "| students | reruns/s | p50 | p95 | errors |",
        "|---|---|---|---|---|",
        *[f"| {n} | {tp:.1f} | {p50:.0f} ms | {p95:.0f} ms | {err} |" for n, tp, p50, p95, err in rows],
        "",
        "Per lesson (its students' moves; an error is a first page load or a move that failed or took over 10 s):",
        "",
        "| students | lesson | moves | p50 | p95 | errors |",
        "|---|---|---|---|---|---|",
        *[
            f"| {n} | {page} | {moves} | {p50:.0f} ms | {p95:.0f} ms | {err} |"
            for n, page, moves, p50, p95, err in lessons
        ],
        "",
        f"Largest N tested with p95 <= 300 ms and no errors: {max(ok) if ok else 'none'}.",
        "Budget (speed issue #14): spread over the lessons, 100 students p95 <= 300 ms and 200 students p95 <= 600 ms,"
        " no errors, on one process.",
    ]
    report.publish("class_load", lines)


if __name__ == "__main__":
    main()
