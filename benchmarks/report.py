"""What every benchmark prints and writes: a line about the machine, then its table, to benchmarks/results/."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> str:
    """The machine the figures were measured on."""
    return (
        f"Machine: {platform.machine()}, {len(os.sched_getaffinity(0))} cores, "
        f"Python {platform.python_version()} ({sys.implementation.name})"
    )


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100) as the sample at that rank, no interpolation; NaN for no samples."""
    ranked = sorted(values)
    return ranked[int(q / 100 * (len(ranked) - 1))] if ranked else float("nan")


def publish(name: str, lines: list[str]) -> None:
    """Print the report and write it to ``benchmarks/results/<name>.md``."""
    text = "\n".join(lines)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.md").write_text(text + "\n")
