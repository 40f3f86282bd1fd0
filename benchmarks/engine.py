"""Engine benchmark: a 10,000-rate x 500-step sweep on quadratic_2d, vectorized, against the seed's loop.

    python benchmarks/engine.py [--repeat 7] [--loop-runs 200]

The seed's way is one plain Python loop per rate (``theta = theta - lr * grad(theta)``); timing all 10,000 of
them would take minutes, so ``--loop-runs`` of them are timed and scaled linearly to 10,000 (each run costs the
same). Every figure comes from this one process, side by side. Results go to ``benchmarks/results/engine.md``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import report
from lr_core import runner
from lr_core.optimizers import adam, sgd
from lr_core.surfaces import quadratic_2d

N_RATES, STEPS, X0 = 10_000, 500, np.array([2.0, -1.0])


def seed_sgd_loop(grad, lrs):
    """The seeds' loop, one run per rate."""
    finals = []
    for lr in lrs:
        theta = X0.copy()
        for _ in range(STEPS):
            theta = theta - lr * grad(theta)
        finals.append(theta)
    return np.array(finals)


def seed_adam_loop(grad, lrs, b1=0.9, b2=0.999, eps=1e-8):
    """The seed's Adam update, one run per rate."""
    finals = []
    for lr in lrs:
        theta, m, v = X0.copy(), np.zeros(2), np.zeros(2)
        for t in range(1, STEPS + 1):
            g = grad(theta)
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            theta = theta - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        finals.append(theta)
    return np.array(finals)


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--loop-runs", type=int, default=200)
    args = ap.parse_args()
    surface = quadratic_2d()
    lrs = np.logspace(-3, 0, N_RATES)
    sub = lrs[:: N_RATES // args.loop_runs][: args.loop_runs]
    with np.errstate(all="ignore"):
        rows = []
        for name, make, loop in [("SGD", sgd, seed_sgd_loop), ("Adam", adam, seed_adam_loop)]:
            opt = make(lr=lrs)
            sweep_med, sweep_min = timed(lambda: runner.sweep(surface, opt, X0, STEPS), args.repeat)
            run_med, _ = timed(lambda: runner.run(surface, opt, X0, STEPS), max(3, args.repeat // 2))
            one_block = runner.BLOCK_VALUES
            runner.BLOCK_VALUES = 10**9  # the same sweep as a single block on one thread, to show the effect
            single_med, _ = timed(lambda: runner.sweep(surface, opt, X0, STEPS), max(3, args.repeat // 2))
            runner.BLOCK_VALUES = one_block
            loop_med, _ = timed(lambda: loop(surface.grad, sub), 1)
            loop_full = loop_med * N_RATES / len(sub)
            check = runner.sweep(surface, make(lr=sub), X0, STEPS)
            ok = ~check.diverged  # the loop overflows where the engine stops a diverged run
            agree = np.allclose(check.final[ok], loop(surface.grad, sub)[ok], rtol=1e-9, atol=1e-12)
            rows.append((name, sweep_med, sweep_min, run_med, single_med, loop_full, loop_full / sweep_med, agree))

    lines = [
        f"{report.machine()}, numpy {np.__version__}",
        f"Sweep: {N_RATES:,} rates x {STEPS} steps on quadratic_2d, median of {args.repeat}; seed loop timed on "
        f"{len(sub)} rates and scaled to {N_RATES:,}.",
        "",
        "| optimizer | sweep() median | sweep() best | run() (records all) | sweep in one block "
        "| seed loop (10k, scaled) | speed-up vs loop | same end points as loop |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, sm, sb, rm, single, loop_full, ratio, agree in rows:
        lines.append(
            f"| {name} | {sm * 1e3:.0f} ms | {sb * 1e3:.0f} ms | {rm * 1e3:.0f} ms | {single * 1e3:.0f} ms "
            f"| {loop_full:.1f} s | {ratio:,.0f}x | {'yes (1e-9)' if agree else 'NO'} |"
        )
    lines.append("")
    lines.append("Goal (engine issue): SGD sweep <= 100 ms and >= 100x faster than the loop.")
    report.publish("engine", lines)


if __name__ == "__main__":
    main()
