"""Class load: N simulated students, each a real Streamlit session over its websocket, speaking Streamlit's own
protobuf messages, each moving a slider every 2 s on a lesson page for 60 s.

    python benchmarks/class_load.py [--students 10 50 100 200] [--seconds 60]

One `streamlit run app.py` serves them all. A student opens the update-rule page (a full script run), finds the
"steps" slider's widget id in the elements it receives, then every 2 s (with a random phase) sends a rerun with a
new value drawn at random (1-100, so no cache answers for it) and times the reply until the script-finished
message. Where the slider sits in an ``st.fragment``, the rerun names that fragment, as the browser does.
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
from benchmarks.sessions import Student, Target, start_server  # noqa: E402

PAGE = "update-rule"
SLIDER_LABEL = "steps"
PERIOD = 2.0


async def load(url: str, n: int, seconds: float) -> tuple[list[float], int, float]:
    rng = random.Random(n)
    students = [Student(url, random.Random(rng.random()), Target(PAGE, SLIDER_LABEL), PERIOD) for _ in range(n)]
    start = time.monotonic()
    until = start + seconds
    await asyncio.gather(*(s.run(until) for s in students))
    elapsed = time.monotonic() - start
    latencies = [x for s in students for x in s.latencies]
    return latencies, sum(s.errors for s in students), elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, nargs="+", default=[10, 50, 100, 200])
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--label", default="")
    ap.add_argument("--server-option", action="append", default=[], metavar="NAME=VALUE",
                    help="a streamlit config option for the server, e.g. runner.postScriptGC=true")  # fmt: skip
    args = ap.parse_args()
    options = [f"--{o.split('=', 1)[0]}={o.split('=', 1)[1]}" for o in args.server_option]
    server, url = start_server(*options)
    try:
        rows = []
        for n in args.students:
            latencies, errors, elapsed = asyncio.run(load(url, n, args.seconds))
            ms = [x * 1e3 for x in latencies]
            p50, p95 = (statistics.median(ms) if ms else float("nan")), report.percentile(ms, 95)
            rows.append((n, len(latencies) / elapsed, p50, p95, errors))
            print(f"N={n}: {len(latencies) / elapsed:.1f} reruns/s, p50 {p50:.0f} ms, "
                  f"p95 {p95:.0f} ms, errors {errors}", flush=True)  # fmt: skip
    finally:
        server.terminate()
    ok = [n for n, _, _, p95, errors in rows if p95 <= 300 and errors == 0]
    lines = [
        f"{report.machine()}; one `streamlit run "
        f"app.py`; load generator in the same machine. Page `{PAGE}`, slider `{SLIDER_LABEL}` moved every "
        f"{PERIOD:g} s per student for {args.seconds:g} s. {' '.join(options)} {args.label}",
        "",
        "| students | reruns/s | p50 | p95 | errors |",
        "|---|---|---|---|---|",
        *[f"| {n} | {tp:.1f} | {p50:.0f} ms | {p95:.0f} ms | {err} |" for n, tp, p50, p95, err in rows],
        "",
        f"Largest N tested with p95 <= 300 ms and no errors: {max(ok) if ok else 'none'}.",
        "Budget (speed issue): 100 students at p95 <= 300 ms with zero errors.",
    ]
    report.publish("class_load", lines)


if __name__ == "__main__":
    main()
