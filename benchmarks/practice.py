"""Practice-lesson benchmark: the sensitivity sweep's engine time, and the server's answer to a control that only
re-selects runs already trained.

    python benchmarks/practice.py [--repeat 3] [--seconds 15]

1. The sweep of section 2: 3 optimizers (SGD, momentum, Adam) x 25 rates x 20 epochs of the MLP, each optimizer
   one vectorized batch, timed at the page's mini-batch of 32 and at full batch; beside it the same sweep with
   the learning curves evaluated after every epoch (``every=1``), to show what evaluating only the end saves.
2. A real server and one student over its websocket (``benchmarks/sessions.py``), moving a control that picks
   among precomputed runs (the range test's seed, the overfitting section's rate) every 0.3 s: the time from the
   message sent to the fragment's run finished. A control that trains (the transfer section's layer rate: a value
   not chosen before trains four networks, a value seen before is cached) is measured beside them for contrast.

Results go to ``benchmarks/results/practice.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import report
from benchmarks.sessions import Student, Target, start_server
from lr_core import practice
from lr_core.lessons import practice as lesson
from lr_core.optimizers import make_optimizer

PAGE = lesson.LESSON.url_path
OPTIMIZERS = ("sgd", "momentum", "adam")
RESELECT = {
    "seed shown": "range test: which seed's test is drawn",
    "rate whose curves are shown": "overfitting: which rate's curves",
}
TRAINS = {
    "pretrained layer's rate, as a fraction of η": "transfer: a new value trains 4 networks, a seen one is cached"
}


def sweep(batch_size: int | None, every: int) -> float:
    t0 = time.perf_counter()
    for name in OPTIMIZERS:
        practice.train("mlp", make_optimizer(name, lesson.SWEEP), epochs=20, batch_size=batch_size, init="random",
                       every=every)  # fmt: skip
    return time.perf_counter() - t0


async def move(url: str, label: str, seconds: float) -> Student:
    student = Student(url, random.Random(label), Target(PAGE, label), period=0.3)
    await student.run(time.monotonic() + seconds)
    return student


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=15.0)
    args = ap.parse_args()
    practice.digits()
    rows = []
    for batch in (32, None):
        for every, how in ((20, "end only (the page)"), (1, "every epoch")):
            times = [sweep(batch, every) for _ in range(args.repeat)]
            rows.append((batch or "full", how, statistics.median(times), min(times)))

    server, url = start_server()
    try:
        warm = asyncio.run(move(url, "seed shown", 1.0))  # the first load trains every section: not timed
        assert warm.widget is not None, "the page did not draw its controls"
        results = {label: asyncio.run(move(url, label, args.seconds)) for label in (*RESELECT, *TRAINS)}
    finally:
        server.kill()

    lines = [
        f"{report.machine()}.",
        "",
        f"Sensitivity sweep: {len(OPTIMIZERS)} optimizers x {len(lesson.SWEEP)} rates x 20 epochs of the MLP "
        f"({practice.HIDDEN} hidden units), median of {args.repeat}:",
        "",
        "| mini-batch | curves evaluated | median | best |",
        "|---|---|---|---|",
        *(f"| {b} | {how} | {med:.2f} s | {best:.2f} s |" for b, how, med, best in rows),
        "",
        f"A student moving one control every 0.3 s for {args.seconds:.0f} s, over a real websocket (message sent to "
        "run finished):",
        "",
        "| control | what a move does | moves | median | p95 | errors |",
        "|---|---|---|---|---|---|",
    ]
    for label, s in results.items():
        ms = np.array(s.latencies) * 1e3
        what = RESELECT.get(label) or TRAINS[label]
        lines.append(
            f"| {label} | {what} | {len(ms)} | {np.median(ms):.1f} ms | {report.percentile(list(ms), 95):.1f} ms | "
            f"{s.errors} |"
        )
    lines += [
        "",
        "Budgets (issue #11): the sweep <= 2 s; a move that only re-selects precomputed runs reruns its section in "
        "<= 20 ms on the server.",
    ]
    report.publish("practice", lines)


if __name__ == "__main__":
    main()
