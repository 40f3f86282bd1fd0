"""What one move of each control costs the server, alone: every control a lesson shows on arrival (the ones
``class_load.py``'s students move), moved to random values over its range by one websocket session on a quiet
server, with a pause between moves.

    python benchmarks/controls.py [--moves 8] [--pause 0.2]

Each move is timed from the message sent to the script-finished message, as in ``class_load.py``; its values are
new to the server (a cache miss) unless the control has few of them. What the class asks of the server is the sum
of these over its moves: at 100 students a move every 2 s each is 50 moves a second, so the mean cost of a move
must stay well under 20 ms for one process (whose Python holds one core at a time) to keep up.
The pause matters: a rerun sent the instant the previous one finished waited about 40 ms more in Streamlit 1.67
(measured on a page with one slider: 44 ms back to back, 2.8 ms 50 ms apart), which no student's hand does.
Results go to ``benchmarks/results/controls.md``, sorted by cost.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import websockets

from benchmarks import report
from benchmarks.sessions import Student, Target, sliders_on_arrival, start_server
from lr_core.lessons import LESSONS


async def moves(url: str, target: Target, n: int, pause: float, seed: int) -> tuple[list[float], int]:
    """``n`` moves of ``target``'s control by one session, ``pause`` seconds apart: their latencies (ms), errors."""
    student = Student(url, random.Random(seed), target, 0)
    async with websockets.connect(url, subprotocols=["streamlit"], max_size=None) as ws:
        await student.open(ws)
        for _ in range(n):
            await asyncio.sleep(pause)
            await student.move(ws)
    return [t * 1e3 for t in student.latencies], student.errors


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--moves", type=int, default=8)
    ap.add_argument("--pause", type=float, default=0.2, help="seconds between one session's moves")
    ap.add_argument("--label", default="")
    args = ap.parse_args()
    server, url = start_server()
    rows = []
    try:
        for page in LESSONS:
            for label in dict.fromkeys(asyncio.run(sliders_on_arrival(url, page.url_path))):
                times, errors = asyncio.run(moves(url, Target(page.url_path, label), args.moves, args.pause, 1))
                median, mean = statistics.median(times), statistics.mean(times)
                rows.append((page.url_path, label, median, max(times), mean, errors))
                print(f"{page.url_path} · {label}: median {rows[-1][2]:.0f} ms, max {rows[-1][3]:.0f} ms", flush=True)
    finally:
        server.terminate()
    by_lesson = {}
    for path, _, _, _, mean, _ in rows:
        by_lesson.setdefault(path, []).append(mean)
    class_mean = statistics.mean(statistics.mean(v) for v in by_lesson.values())
    lines = [
        f"{report.machine()}; one `streamlit run app.py`, nothing else running. {args.label}",
        "",
        f"{args.moves} moves of each control to random values, {args.pause:g} s apart, one session at a time.",
        "",
        "| lesson | control | median | max | mean | errors |",
        "|---|---|---|---|---|---|",
        *[
            f"| {path} | {label} | {median:.0f} ms | {worst:.0f} ms | {mean:.0f} ms | {errors} |"
            for path, label, median, worst, mean, errors in sorted(rows, key=lambda r: -r[4])
        ],
        "",
        "Mean cost of a move per lesson (each control equally likely, as in `class_load.py`): "
        + ", ".join(f"{path} {statistics.mean(v):.0f} ms" for path, v in by_lesson.items())
        + f"; over the class (each lesson equally likely): {class_mean:.0f} ms.",
        f"At 50 moves a second (100 students, one move every 2 s each) that is {class_mean * 50 / 1000:.1f} "
        f"seconds of work a second; at 100 moves a second (200 students), {class_mean * 100 / 1000:.1f}.",
    ]
    report.publish("controls", lines)


if __name__ == "__main__":
    main()
