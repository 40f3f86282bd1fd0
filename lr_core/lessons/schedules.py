"""Lesson 3, learning-rate schedules, and why decay helps when gradients are noisy (``pages/schedules.py``).

The schedules come from :data:`lr_core.schedules.SCHEDULES`: a new entry there (factory, label, parameter
controls) appears on the page, in its URL and in its PyTorch code without a change here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lr_core import analysis
from lr_core.analysis import Verdict
from lr_core.controls import MultiChoice, Number, build, by_key, defaults
from lr_core.lessons import Page
from lr_core.optimizers import sgd
from lr_core.runner import Trajectory, run
from lr_core.schedules import SCHEDULES, Schedule, stack, with_warmup
from lr_core.surfaces import Surface, quadratic_2d

LESSON = Page(
    "3 · Schedules",
    "lr-schedules",
    "📆",
    "Step, multi-step, exponential, polynomial, cosine, warm restarts, cyclical and 1cycle rates, with warmup; how "
    "decay beats a constant rate under gradient noise, and the PyTorch code for each.",
    "pages/schedules.py",
    "schedules",
    questions=("schedule-why-decay", "warm-restarts"),
    order=3,
)

BASELINE = "constant"
"""The schedule every other one is compared with."""

PARAMS = tuple(by_key(c for entry in SCHEDULES.values() for c in entry.params).values())
"""Every schedule parameter, once (two schedules may share one, such as cosine's η_min)."""

CONTROLS = (
    MultiChoice(
        key="show",
        label="Schedules to compare with a constant rate",
        default=("step_decay", "cosine_annealing"),
        options=tuple(k for k in SCHEDULES if k != BASELINE),
        labels={k: e.label for k, e in SCHEDULES.items()},
        empty=True,
        field="kinds",
    ),
    Number(key="lr", label="peak rate η₀", default=0.15, lo=1e-3, hi=0.3, scale="log", field="base_lr",
           marks=lambda v: (0.05, 0.1, 0.15, 0.19)),
    Number(key="steps", label="steps T", default=200, lo=20, hi=1000, step=10, integer=True),
    Number(key="noise", label="gradient noise σ", default=1.0, lo=0.0, hi=5.0, step=0.1,
           help="Standard deviation of Gaussian noise added to each gradient: stochastic gradients."),
    Number(key="warmup", label="linear warmup steps (0 = none)", default=0, lo=0, hi=200, integer=True),
    *PARAMS,
)  # fmt: skip
"""Every setting of the lesson, declared once; the schedules' own parameters come from their catalogue."""

COURSE_SCHEDULE_TABLE = pd.DataFrame(
    {
        "Schedule type": ["Step Decay", "Exponential Decay", "Cyclical LR", "Cosine Annealing"],
        "Description": [
            "Drops rate by fixed factor every N epochs",
            "Continuous exponential reduction",
            "Oscillates between min and max",
            "Smooth cosine decay with restarts",
        ],
        "Typical use case": [
            "Traditional CNN training",
            "Fine-tuning pretrained networks",
            "Avoiding local minima",
            "State-of-the-art deep learning",
        ],
    }
)
"""The course's table of schedule types, word for word."""


@dataclass(frozen=True)
class SchedulesConfig:
    """Which schedules to compare against a constant rate, their parameters (``params``: control key ->
    value, defaults where absent), and the noisy problem they run on (SGD on a bowl with eigenvalues 1 and 10,
    gradient noise of standard deviation ``noise``)."""

    kinds: tuple[str, ...] = ("step_decay", "cosine_annealing")
    base_lr: float = 0.15
    steps: int = 200
    noise: float = 1.0
    warmup: int = 0
    params: tuple[tuple[str, Any], ...] = ()
    seed: int = 0

    def __post_init__(self) -> None:
        unknown = [k for k in self.kinds if k not in SCHEDULES]
        if unknown:
            raise ValueError(f"unknown schedule {unknown[0]!r}; choose from {', '.join(SCHEDULES)}")


def config(values: Mapping[str, Any]) -> SchedulesConfig:
    """The config of the page's current ``values`` (control key -> value)."""
    return build(SchedulesConfig, CONTROLS, values, params=tuple((c.key, values[c.key]) for c in PARAMS))


def build_schedule(kind: str, cfg: SchedulesConfig) -> Schedule:
    """The schedule ``kind`` with ``cfg``'s parameters, and a linear warmup in front where ``cfg`` asks for one
    and the schedule does not warm up by itself."""
    entry = SCHEDULES[kind]
    values = defaults(entry.params) | dict(cfg.params)
    made = entry.make({**values, "peak": cfg.base_lr, "total": cfg.steps, "warmup": cfg.warmup})
    if cfg.warmup and not made.warms_up:
        made = with_warmup(made, cfg.warmup, 0.1)
    return made


@dataclass(frozen=True)
class SchedulesScene:
    config: SchedulesConfig
    surface: Surface
    labels: list[str]
    schedules: list  # list[Schedule]
    rates: dict[str, np.ndarray]
    trajs: list[Trajectory]
    verdicts: list[Verdict]
    mean_losses: list[np.ndarray]
    summary: pd.DataFrame
    start: tuple[float, float] = (2.5, 2.0)
    realizations: int = 64


def schedules_scene(cfg: SchedulesConfig) -> SchedulesScene:
    """Run SGD with each schedule (and a constant rate) on the same noisy problem, with the same noise.

    Each schedule runs :attr:`SchedulesScene.realizations` times with independent noise, as one batch; the
    mean loss over them estimates the expected loss, whose floor is what a schedule lowers. ``trajs`` keeps the
    first realization of each, for the paths.
    """
    surface = quadratic_2d((1.0, 10.0), 30.0)
    kinds = [BASELINE, *[k for k in cfg.kinds if k != BASELINE]]
    schedules = [build_schedule(k, cfg) for k in kinds]
    labels = [
        SCHEDULES[k].label + (" + warmup" if s.name.startswith("warmup+") else "")
        for k, s in zip(kinds, schedules, strict=True)
    ]
    steps = np.arange(cfg.steps)
    # every schedule and every noise realization in one vectorized run: batch (realizations, schedules)
    starts = np.broadcast_to(SchedulesScene.start, (SchedulesScene.realizations, 1, 2))
    everything = run(surface, sgd(lr=stack(schedules)), starts, cfg.steps, noise=cfg.noise, seed=cfg.seed)
    batches = [everything.run((slice(None), k)) for k in range(len(schedules))]
    trajs = [everything.run((0, k)).copy() for k in range(len(schedules))]  # a view would keep all 64 alive
    mean_losses = [b.losses.mean(axis=1) for b in batches]
    verdicts = [analysis.classify(t, noise=cfg.noise) for t in trajs]
    tail = max(1, cfg.steps // 10)
    summary = pd.DataFrame(
        {
            "schedule": labels,
            "final rate": [float(s(cfg.steps - 1)) for s in schedules],
            f"mean loss over the last {tail} steps": [float(m[-tail:].mean()) for m in mean_losses],
            "runs that diverged": [int(b.diverged.sum()) for b in batches],
            "outcome of run 1": [v.label for v in verdicts],
        }
    )
    return SchedulesScene(
        cfg,
        surface,
        labels,
        schedules,
        {lab: s(steps) for lab, s in zip(labels, schedules, strict=True)},
        trajs,
        verdicts,
        mean_losses,
        summary,
    )
