r"""Lesson 1, the update rule :math:`\theta_{t+1} = \theta_t - \eta\nabla J(\theta_t)`, one step at a time on a
parabola (``pages/update_rule.py``). The loss is :math:`J`, as in the course, so that :math:`L` names the curvature."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lr_core import analysis
from lr_core.analysis import Verdict
from lr_core.controls import Number, Toggle
from lr_core.lessons import Page
from lr_core.optimizers import sgd
from lr_core.runner import Trajectory, run
from lr_core.surfaces import Surface, parabola

LESSON = Page(
    "1 · The update rule",
    "update-rule",
    "➡️",
    "One step at a time on a parabola: the tangent, the step η·∇L, and the course's three rates 0.05, 0.3 and "
    "0.8 side by side: too slow, just right, oscillating.",
    "pages/update_rule.py",
    "update_rule",
    questions=("seed-increasing-lr", "update-rule-one-step"),
    order=1,
)

COURSE_RATES = (0.05, 0.3, 0.8)
"""The course's figure: these three rates from θ = -1 for 15 steps on (θ - 3)²."""


def _curvature(values) -> float:
    """L = J'' = 2a, the parabola's curvature."""
    return 2 * values["a"]


CONTROLS = (
    Number(key="a", label="curvature a", default=1.0, lo=0.1, hi=5.0, step=0.1, field="curvature"),
    Number(key="min", label="minimum θ*", default=3.0, lo=-5.0, hi=5.0, step=0.5, field="minimum"),
    Number(key="start", label="start θ₀", default=-1.0, lo=-10.0, hi=10.0, step=0.5),
    Number(
        key="lr",
        label="learning rate η (log scale)",
        default=0.3,
        lo=1e-4,
        hi=15.0,
        scale="log",
        upper=lambda v: 3 / _curvature(v),
        marks=lambda v: (*COURSE_RATES, 1 / _curvature(v), 2 / _curvature(v)),
        help="Up to 1.5 × 2/L, so you can see it diverge.",
    ),
    Number(key="steps", label="steps", default=15, lo=1, hi=100, integer=True),
    Number(
        key="t", label="show the update of step t", default=0, lo=0, hi=99, integer=True, field="selected",
        upper=lambda v: v["steps"] - 1,
    ),
    Toggle(key="course", label="Add the course's 3 rates", default=False,
           help="η = 0.05, 0.3 and 0.8, the course's small, moderate and large rates, drawn beside yours.",
           field="compare_course"),
)  # fmt: skip
"""Every setting of the lesson, declared once: widget, URL key and config field."""

COURSE_EXAMPLE = {"a": 1.0, "min": 3.0, "start": -1.0, "lr": 0.3, "steps": 15, "t": 0, "course": True}
"""The settings that reproduce the course's figure: η = 0.05, 0.3, 0.8 from θ = −1, 15 steps on (θ − 3)²."""


@dataclass(frozen=True)
class UpdateRuleConfig:
    """The parabola :math:`a(\\theta-\\theta^*)^2`, the start, the rate and the steps; ``selected`` is the step
    whose update the page spells out; ``compare_course`` adds the course's three rates."""

    curvature: float = 1.0
    minimum: float = 3.0
    start: float = -1.0
    lr: float = 0.3
    steps: int = 15
    selected: int = 0
    compare_course: bool = False

    def __post_init__(self) -> None:
        if not self.curvature > 0:
            raise ValueError(f"the curvature a must be > 0, got {self.curvature}")
        if not 0 <= self.selected < self.steps:
            raise ValueError(f"the selected step must lie in 0..{self.steps - 1}, got {self.selected}")


@dataclass(frozen=True)
class StepNumbers:
    """One update :math:`\\theta_{t+1} = \\theta_t - \\eta \\nabla L(\\theta_t)` with its numbers."""

    t: int
    theta: float
    loss: float
    grad: float
    lr: float
    step: float
    theta_next: float
    loss_next: float


@dataclass(frozen=True)
class UpdateRuleScene:
    config: UpdateRuleConfig
    surface: Surface
    traj: Trajectory
    label: Verdict
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    curve: tuple[np.ndarray, np.ndarray]
    critical_lr: float
    selected: StepNumbers | None
    tangent: tuple[np.ndarray, np.ndarray] | None
    course: Trajectory | None = None
    course_labels: list[Verdict] = field(default_factory=list)

    @property
    def curvature(self) -> float:
        """:math:`L = J'' = 2a`, the parabola's curvature."""
        return 2 * self.config.curvature

    def table(self) -> pd.DataFrame:
        """The iterations (t, θ_t, J(θ_t), ∇J(θ_t), the step −η∇J), built when asked for."""
        traj, last = self.traj, int(self.traj.last_index)
        grads = np.append(traj.grads[:last, 0], np.nan)
        return pd.DataFrame(
            {
                "t": np.arange(last + 1),
                "θ_t": traj.params[: last + 1, 0],
                "J(θ_t)": traj.losses[: last + 1],
                "∇J(θ_t)": self.surface.grad(traj.params[: last + 1])[:, 0],
                "step −η∇J": np.where(np.isnan(grads), np.nan, -self.config.lr * grads),
            }
        )


def update_rule(cfg: UpdateRuleConfig) -> UpdateRuleScene:
    """Run gradient descent on the parabola and gather every number the page shows."""
    surface = parabola(cfg.curvature, cfg.minimum)
    traj = run(surface, sgd(lr=cfg.lr), [cfg.start], cfg.steps)
    lo, hi = surface.bounds[0]
    x_range = (min(lo, cfg.start - 0.5), max(hi, cfg.start + 0.5))
    theta = np.linspace(*x_range, 400)
    losses = surface.value(theta[:, None])
    top = float(losses.max())
    last = int(traj.last_index)

    selected = tangent = None
    if cfg.selected < last:
        t = cfg.selected
        th, th1 = float(traj.params[t, 0]), float(traj.params[t + 1, 0])
        g = float(traj.grads[t, 0])
        selected = StepNumbers(t, th, float(traj.losses[t]), g, cfg.lr, -cfg.lr * g, th1, float(traj.losses[t + 1]))
        half = 0.25 * (x_range[1] - x_range[0])
        xs = np.array([th - half, th + half])
        tangent = (xs, selected.loss + g * (xs - th))

    course = None
    course_labels: list[Verdict] = []
    if cfg.compare_course:
        course = run(surface, sgd(lr=np.array(COURSE_RATES)), [cfg.start], cfg.steps)
        course_labels = list(analysis.classify(course))
    return UpdateRuleScene(
        cfg,
        surface,
        traj,
        analysis.classify(traj),
        x_range,
        (-0.05 * top, 1.05 * top),
        (theta, losses),
        analysis.critical_lr(2 * cfg.curvature),
        selected,
        tangent,
        course,
        course_labels,
    )
