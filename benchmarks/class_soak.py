"""A class for a lecture's length, and a class with pranksters: memory that levels off, and a fair share.

    python benchmarks/class_soak.py memory [--students 100] [--minutes 10]
    python benchmarks/class_soak.py fair [--normal 20] [--spammers 5] [--seconds 120]

Students are real websocket sessions (:mod:`benchmarks.sessions`) spread evenly over the four lessons, each moving
one of its lesson's sliders (every slider the lesson shows on arrival, η and steps among them) to random values
every 2 s.

``memory``: one server, ``--students`` of them for ``--minutes``; the server's resident memory sampled every 10 s.
Budget: growth over the last 3 minutes under 5%, and under 1 GB throughout.

``fair``: ``--normal`` such students, first alone, then beside ``--spammers`` who open the heaviest settings of
the two heaviest lessons (every schedule at the longest run and the most noise; every optimizer in the race at
its longest) and move a slider back to back, with no pause, for as long as the normal students run. Both phases on
one server, side by side. Budget: the normal students' p95 <= 300 ms beside the spammers.
Results go to ``benchmarks/results/class_soak_memory.md`` and ``class_soak_fair.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import report  # noqa: E402
from benchmarks.sessions import Student, Target, rss_mb, spread, start_server  # noqa: E402
from lr_core.controls import MultiChoice, Number  # noqa: E402

PERIOD = 2.0


def heaviest() -> list[Target]:
    """The heaviest settings of the schedules and the race: every choice on, every number at its top."""
    targets = []
    for page, moved in (("schedules", "peak rate η₀"), ("adaptive", "steps")):
        lesson = importlib.import_module(f"lr_core.lessons.{page}")
        query = {}
        for c in lesson.CONTROLS:
            if isinstance(c, MultiChoice):
                query[c.key] = c.encode(c.options)
            elif isinstance(c, Number) and c.key in ("steps", "noise"):
                query[c.key] = c.encode(c.hi)
        targets.append(Target(lesson.LESSON.url_path, moved, urlencode(query, doseq=True)))
    return targets


def summary(students: list[Student]) -> tuple[int, float, float, int]:
    ms = [x * 1e3 for s in students for x in s.latencies]
    p50 = statistics.median(ms) if ms else float("nan")
    return len(ms), p50, report.percentile(ms, 95), sum(s.errors for s in students)


async def together(groups: list[list[Student]], seconds: float) -> None:
    until = time.monotonic() + seconds
    await asyncio.gather(*(s.run(until) for group in groups for s in group))


def fair(args: argparse.Namespace) -> None:
    server, url = start_server()
    rng = random.Random(1)
    try:
        targets = spread(url, args.normal, rng)
        rows = []
        pranks = heaviest()
        for spammers in (0, args.spammers):
            normal = [Student(url, random.Random(rng.random()), t, PERIOD) for t in targets]
            heavy = [Student(url, random.Random(rng.random()), pranks[i % 2], period=0.0) for i in range(spammers)]
            asyncio.run(together([normal, heavy], args.seconds))
            rows.append((spammers, *summary(normal), *summary(heavy)))
            print(rows[-1], flush=True)
    finally:
        server.terminate()
    lines = [
        f"{report.machine()}; one `python -m ui.server`; load generator on the same machine. "
        f"{args.normal} students spread over the lessons, each moving one of its sliders every {PERIOD:g} s, for "
        f"{args.seconds:g} s: alone, then beside spammers who hold the heaviest settings "
        f"({'; '.join(f'{t.page}?{t.query}' for t in heaviest())}) and move a slider back to back.",
        "",
        "| spammers | normal moves | normal p50 | normal p95 | normal errors | spammer moves | spammer p50 | "
        "spammer p95 | spammer errors |",
        "|---|---|---|---|---|---|---|---|---|",
        *[
            f"| {s} | {n} | {p50:.0f} ms | {p95:.0f} ms | {e} | {hn} | {hp50:.0f} ms | {hp95:.0f} ms | {he} |"
            for s, n, p50, p95, e, hn, hp50, hp95, he in rows
        ],
        "",
        "Budget (hardening issue): the normal students' p95 <= 300 ms beside 5 spammers.",
    ]
    report.publish("class_soak_fair", lines)


def memory(args: argparse.Namespace) -> None:
    server, url = start_server()
    rng = random.Random(2)
    samples: list[tuple[float, float]] = []
    try:
        targets = spread(url, args.students, rng)
        students = [Student(url, random.Random(rng.random()), t, PERIOD) for t in targets]
        seconds = args.minutes * 60

        async def sample(until: float, start: float) -> None:
            while time.monotonic() < until:
                samples.append((time.monotonic() - start, rss_mb(server.pid)))
                print(f"{samples[-1][0]:6.0f} s  {samples[-1][1]:7.1f} MB", flush=True)
                await asyncio.sleep(10)

        async def both() -> None:
            start = time.monotonic()
            until = start + seconds
            await asyncio.gather(sample(until, start), *(s.run(until) for s in students))

        asyncio.run(both())
        samples.append((seconds, rss_mb(server.pid)))
    finally:
        server.terminate()
    moves, p50, p95, errors = summary(students)
    minutes = int(args.minutes)
    mean = lambda m: statistics.mean(mb for t, mb in samples if m * 60 - 30 <= t <= m * 60 + 30)
    last3 = (mean(minutes) - mean(minutes - 3)) / mean(minutes - 3)
    peak = max(mb for _, mb in samples)
    lines = [
        f"{report.machine()}; one `python -m ui.server`; load generator on the same machine. {args.students} "
        f"students spread over the four lessons, each moving one of its sliders to random values every {PERIOD:g} s "
        f"for {args.minutes:g} minutes: {moves} moves, p50 {p50:.0f} ms, p95 {p95:.0f} ms, {errors} errors.",
        "",
        "| minute | server memory (RSS, mean of the samples within 30 s) |",
        "|---|---|",
        *[f"| {m} | {mean(m):.0f} MB |" for m in range(0, minutes + 1)],
        "",
        f"Growth over the last 3 minutes (minute {minutes} against minute {minutes - 3}): {last3 * 100:+.1f}%; "
        f"peak sample {peak:.0f} MB.",
        "Budget (hardening issue): growth over the last 3 minutes under 5%, under 1 GB throughout.",
    ]
    report.publish("class_soak_memory", lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="mode", required=True)
    m = sub.add_parser("memory")
    m.add_argument("--students", type=int, default=100)
    m.add_argument("--minutes", type=float, default=10)
    f = sub.add_parser("fair")
    f.add_argument("--normal", type=int, default=20)
    f.add_argument("--spammers", type=int, default=5)
    f.add_argument("--seconds", type=float, default=120)
    args = ap.parse_args()
    {"memory": memory, "fair": fair}[args.mode](args)


if __name__ == "__main__":
    main()
