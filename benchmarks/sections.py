"""The engine time of every lesson section that computes on a cache miss, cold (no Streamlit cache), at the page's
defaults and at the heaviest settings its controls allow.

    python benchmarks/sections.py [--repeat 5]

What a student waits for the first time a setting is seen (later the page's cache answers): each call is the
lesson function the page calls through ``ui/cache.py``, timed ``--repeat`` times, median and worst reported.
Results go to ``benchmarks/results/sections.md``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import report
from lr_core.lessons import adaptive, schedules, update_rule

CASES: list[tuple[str, str, Callable[[], object]]] = [
    ("update rule", "speed versus accuracy, defaults", lambda: update_rule.speed_accuracy(update_rule.SpeedConfig())),
    ("update rule", "speed versus accuracy, 5 rates, budget 1000",
     lambda: update_rule.speed_accuracy(update_rule.SpeedConfig(rates=update_rule.SPEED_RATES, budget=1000))),
    ("update rule", "the course's loop beside the engine", update_rule.course_check),
    ("schedules", "escaping a local minimum, defaults (4 rates x 400 runs x 400 steps)",
     lambda: schedules.escape_scene(schedules.EscapeConfig())),
    ("schedules", "escaping, every schedule, 1000 steps",
     lambda: schedules.escape_scene(schedules.EscapeConfig(kinds=schedules.SCHEDULE_OPTIONS, steps=1000))),
    ("schedules", "the noisy bowl, defaults", lambda: schedules.schedules_scene(schedules.SchedulesConfig())),
    ("adaptive", "AdaGrad on sparse features, defaults (2 x 26 rates x 8 streams x 2000 steps)",
     lambda: adaptive.sparse_scene(adaptive.SparseConfig())),
    ("adaptive", "sparse features, 5000 steps", lambda: adaptive.sparse_scene(adaptive.SparseConfig(steps=5000))),
    ("adaptive", "AMSGrad's counterexample, defaults (3 x 3000 steps)",
     lambda: adaptive.reddi_scene(adaptive.ReddiConfig())),
    ("adaptive", "the counterexample, 6000 steps", lambda: adaptive.reddi_scene(adaptive.ReddiConfig(steps=6000))),
]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    lines = [report.machine(), "", "| lesson | section, setting | median | worst |", "|---|---|---|---|"]
    for lesson, what, call in CASES:
        call()  # warm the imports and numpy's first-call costs
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            call()
            times.append(time.perf_counter() - start)
        lines.append(f"| {lesson} | {what} | {statistics.median(times) * 1e3:.0f} ms | {max(times) * 1e3:.0f} ms |")
    report.publish("sections", lines)


if __name__ == "__main__":
    main()
