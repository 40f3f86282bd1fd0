"""Class mode under a lecture hall: N simulated students join a class and all answer one question within a 10 s
window while the instructor's page polls the tally, as their browsers do.

    python benchmarks/class_mode.py [--students 100 300 1000] [--setups one two] [--window 10]

Every student and the instructor is a real Streamlit session over its websocket (``benchmarks.sessions.Tab``),
using the Class page exactly as a browser does: a student opens the join link, presses Join, then reruns the
page's live section as often as it asks (its ``run_every``: the browser's timer) until the question arrives; at a
random moment of the window they pick an answer and press Send. The instructor opens the class, asks the
question, and reruns the live tally as often as the page asks. Measured per N:

- answers sent, answers the page confirmed ("is in"), answers in the store at the end (lost = sent - stored);
- the time from a student's Send to the instructor's page showing a count that includes it, p50 and p95
  (the k-th confirmed answer is shown by the first poll that reports k or more);
- errors: a connection refused or dropped, an exception in a page, a rerun with no answer within 30 s.

Setups: ``one``, one ``streamlit run`` process on the default SQLite file (WAL mode); ``two``, two replicas behind
nginx sharing PostgreSQL (``deploy.services.scaled``), each student with their own sticky cookie. The load
generator runs on the same 2 cores as the servers. Results go to ``benchmarks/results/class_mode.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import report  # noqa: E402
from benchmarks.sessions import Tab, ws_url  # noqa: E402
from deploy import services  # noqa: E402
from lr_core.classroom import Classroom, class_questions  # noqa: E402
from lr_core.lessons import CLASS  # noqa: E402
from lr_core.quiz import load_bank  # noqa: E402

TIMEOUT = 30.0  # a rerun with no answer within this long is an error
JOINING_AT_ONCE = 16  # students whose join is in flight at one time (a hall does not press Join in one ms)


@dataclass
class Hall:
    """What one run saw."""

    sent: list[float] = field(default_factory=list)  # perf_counter at each Send
    confirmed: list[tuple[float, float]] = field(default_factory=list)  # (Send, its reply) of each confirmed answer
    polls: list[tuple[float, int]] = field(default_factory=list)  # (when the instructor's page showed it, answered)
    errors: int = 0
    joined: int = 0


def answered(tab: Tab) -> int | None:
    for t in tab.texts:
        if m := re.fullmatch(r"\*\*(\d+)\*\* of \*\*\d+\*\* joined have answered\.", t):
            return int(m[1])
    return None


async def student(ws: str, code: str, n: int, hall: Hall, asked: asyncio.Event, window: tuple[float, float],
                  until: list[float], gate: asyncio.Semaphore, rng: random.Random) -> None:  # fmt: skip
    try:
        async with gate:
            tab = Tab(ws, CLASS.url_path, query=f"join={code}", cookie=f"lrlab_replica=s{n}-{rng.random()}",
                      timeout=TIMEOUT)  # fmt: skip
            await tab.__aenter__()
            await tab.click("Join")
            hall.joined += 1
        try:
            every = min(tab.auto.values())  # the live section's run_every: the phone's timer
            await asked.wait()
            await asyncio.sleep(rng.uniform(0, every))
            while "Your answer" not in tab.widgets:  # until the question is there
                await tab.poll()
                if "Your answer" not in tab.widgets:
                    await asyncio.sleep(every)
            answer_at = rng.uniform(*window)
            await asyncio.sleep(max(0.0, answer_at - time.perf_counter()))
            choice = tab.widget("Your answer")[0].options[rng.randrange(2)]
            await tab.set("Your answer", choice)
            sent = time.perf_counter()
            hall.sent.append(sent)
            await tab.click("Send my answer")
            if any("is in" in t for t in tab.texts):
                hall.confirmed.append((sent, time.perf_counter()))
            while time.perf_counter() < until[0]:  # waiting for the reveal, the timer goes on
                await asyncio.sleep(every)
                await tab.poll()
            hall.errors += bool(tab.exceptions)
        finally:
            await tab.__aexit__()
    except Exception:  # a refused or dropped connection, a timeout: counted, the hall goes on
        hall.errors += 1


async def lecture(http: str, n: int, window_s: float, rng: random.Random) -> tuple[Hall, str, float]:
    ws, hall, asked = ws_url(http), Hall(), asyncio.Event()
    async with Tab(ws, CLASS.url_path, cookie="lrlab_replica=instructor", timeout=TIMEOUT) as teacher:
        await teacher.click("Open a new class")
        code = next(t for t in teacher.texts if re.fullmatch(r"Class [A-Z0-9]{6}", t))[len("Class ") :]
        single = next(q for q in class_questions(load_bank()) if q.kind == "single")
        options = teacher.widget("Question to ask")[0].options
        await teacher.set("Question to ask", next(o for o in options if o.startswith(f"{single.id}: ")))
        gate, until = asyncio.Semaphore(JOINING_AT_ONCE), [float("inf")]
        window = [0.0, 0.0]
        students = [asyncio.create_task(student(ws, code, i, hall, asked, window, until, gate, rng)) for i in range(n)]
        join_start = time.perf_counter()
        while hall.joined + hall.errors < n:
            await asyncio.sleep(0.2)
        join_s = time.perf_counter() - join_start
        await teacher.click("Ask the class")
        start = time.perf_counter()
        window[:] = [start, start + window_s]
        asked.set()
        every = min(teacher.auto.values())
        deadline = start + window_s + 30
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            await teacher.poll()
            shown = answered(teacher)
            hall.polls.append((time.perf_counter(), -1 if shown is None else shown))
            if (
                time.perf_counter() > window[1]
                and shown is not None
                and shown >= len(hall.confirmed)
                and all(s.done() or len(hall.sent) == len(hall.confirmed) for s in students)
            ):
                break
            await asyncio.sleep(max(0.0, every - (time.perf_counter() - t0)))
        until[0] = time.perf_counter()
        await asyncio.gather(*students)
    return hall, code, join_s


def shown_after(hall: Hall) -> list[float]:
    """Per confirmed answer, seconds from its Send to the first instructor poll showing a count that includes it."""
    out = []
    for rank, (sent, _reply) in enumerate(sorted(hall.confirmed, key=lambda c: c[1]), start=1):
        later = [t for t, k in hall.polls if k >= rank and t >= sent]
        out.append(later[0] - sent if later else float("inf"))
    return out


def measure(setup: str, n: int, window: float) -> dict:
    with ExitStack() as stack:
        if setup == "one":
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="lrlab-class-"))
            database = f"sqlite:///{Path(folder) / 'classes.sqlite'}"
            http = stack.enter_context(services.app(env={"LRLAB_DATABASE_URL": database}))
        else:
            hall = stack.enter_context(services.scaled(2))
            http, database = hall.url, hall.database_url
        t0, cpu0 = time.perf_counter(), time.process_time()
        result, code, join_s = asyncio.run(lecture(http, n, window, random.Random(n)))
        generator = (time.process_time() - cpu0) / (time.perf_counter() - t0)
        room = Classroom(database)
        stored = room.tally(code, room.current(code).id)["answered"]
        seen = shown_after(result)
        finite = [s for s in seen if s != float("inf")]
        return {
            "setup": setup, "students": n, "joined": result.joined, "join_s": join_s, "sent": len(result.sent),
            "confirmed": len(result.confirmed), "stored": stored, "lost": len(result.sent) - stored,
            "never_shown": len(seen) - len(finite),
            "p50": statistics.median(finite) if finite else float("nan"), "p95": report.percentile(seen, 95),
            "errors": result.errors, "total_s": time.perf_counter() - t0, "generator": generator,
        }  # fmt: skip


SETUPS = {"one": "one process, SQLite", "two": "two replicas + nginx, PostgreSQL"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, nargs="+", default=[100, 300, 1000])
    ap.add_argument("--setups", nargs="+", choices=list(SETUPS), default=list(SETUPS))
    ap.add_argument("--window", type=float, default=10.0, help="seconds in which every student answers")
    args = ap.parse_args()
    rows = []
    for setup in args.setups:
        for n in args.students:
            row = measure(setup, n, args.window)
            rows.append(row)
            print(row, flush=True)
    lines = [
        f"{report.machine()}; load generator on the same machine (one asyncio process). Every student a real "
        f"websocket session on the Class page: join, poll as the page asks, answer once at a random moment of a "
        f"{args.window:g} s window; the instructor's page polls the tally as the page asks. "
        f"{os.environ.get('LRLAB_BENCH_LABEL', '')}",
        "",
        "| setup | students | joined (s to join all) | sent | confirmed | stored | lost | tally p50 | tally p95 "
        "| never shown | errors | load generator's CPU |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
        *[
            f"| {SETUPS[r['setup']]} | {r['students']} | {r['joined']} ({r['join_s']:.0f} s) | {r['sent']} | "
            f"{r['confirmed']} | {r['stored']} | {r['lost']} | {r['p50']:.2f} s | {r['p95']:.2f} s | "
            f"{r['never_shown']} | {r['errors']} | {r['generator']:.0%} of a core |"
            for r in rows
        ],
        "",
        "Budget (class-mode issue): 300 students on one process, 0 lost, tally p95 <= 2 s.",
    ]
    report.publish("class_mode", lines)


if __name__ == "__main__":
    main()
