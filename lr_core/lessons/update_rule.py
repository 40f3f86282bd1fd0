r"""Lesson 1, the update rule :math:`\theta_{t+1} = \theta_t - \eta\nabla J(\theta_t)`, one step at a time on a
parabola (``pages/update_rule.py``). The loss is :math:`J`, as in the course, so that :math:`L` names the curvature."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from lr_core import analysis, figures, scrub
from lr_core.analysis import Verdict
from lr_core.controls import Choice, MultiChoice, Number, Toggle, build
from lr_core.course import course_loop
from lr_core.lessons import Page
from lr_core.optimizers import sgd
from lr_core.runner import Trajectory, run, sweep
from lr_core.scrub import Spec, Swept
from lr_core.surfaces import Surface, parabola, quadratic_1d

LESSON = Page(
    "1 · The update rule",
    "update-rule",
    "➡️",
    "One step at a time on a parabola: the tangent, the step η·∇L, and the course's three rates 0.05, 0.3 and "
    "0.8 side by side: too slow, just right, oscillating.",
    "pages/update_rule.py",
    "update_rule",
    questions=("seed-increasing-lr", "update-rule-one-step", "speed-accuracy"),
    order=1,
)

COURSE_RATES = (0.05, 0.3, 0.8)
"""The course's figure: these three rates from θ = -1 for 15 steps on (θ - 3)²."""
COURSE_PARABOLA, COURSE_START, COURSE_STEPS = (1.0, 3.0), -1.0, 15
"""The course's example: a(θ − θ*)² with a = 1 and θ* = 3 (L = 2, 2/L = 1), from θ = −1, for 15 steps."""


def _curvature(values) -> float:
    """L = J'' = 2a, the parabola's curvature."""
    return 2 * values["a"]


FORMS = {"vertex": "a(θ − θ*)²", "general": "aθ² + bθ + c"}
"""The two ways to write the parabola: by its minimum, or as the course's general quadratic."""

STEP = (
    Number(key="a", label="curvature a", default=1.0, lo=0.1, hi=5.0, step=0.1, field="curvature"),
    Choice(key="form", label="written as", default="vertex", options=tuple(FORMS), labels=FORMS),
    Number(key="min", label="minimum θ*", default=3.0, lo=-5.0, hi=5.0, step=0.5, field="minimum"),
    Number(key="b", label="b", default=-6.0, lo=-20.0, hi=20.0, step=0.5),
    Number(key="c", label="c", default=9.0, lo=-20.0, hi=20.0, step=0.5),
    Number(key="start", label="start θ₀", default=-1.0, lo=-10.0, hi=10.0, step=0.5),
    Number(
        key="lr",
        label="learning rate η (log scale)",
        short="η",
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
"""The step-by-step section's settings."""

SPEED_RATES = ("0.01", "0.05", "0.1", "0.3", "0.8")

SPEED = (
    MultiChoice(key="sa_rates", label="rates η to compare", default=("0.05", "0.3", "0.8"), options=SPEED_RATES,
                empty=False, field="rates"),
    Number(key="sa_noise", label="gradient noise σ", default=1.0, lo=0.1, hi=3.0, step=0.1, field="noise"),
    Number(key="sa_budget", label="budget: steps you can afford", default=30, lo=5, hi=1000, step=5, integer=True,
           field="budget"),
)  # fmt: skip
"""The speed-versus-accuracy section's settings."""

CONTROLS = (*STEP, *SPEED)
"""Every setting of the lesson, declared once: widget, URL key and config field."""

COURSE_EXAMPLE = {"a": COURSE_PARABOLA[0], "form": "vertex", "min": COURSE_PARABOLA[1], "start": COURSE_START,
                  "lr": 0.3, "steps": COURSE_STEPS, "t": 0, "course": True}  # fmt: skip
"""The settings that reproduce the course's figure: η = 0.05, 0.3, 0.8 from θ = −1, 15 steps on (θ − 3)²."""


@dataclass(frozen=True)
class UpdateRuleConfig:
    """The parabola :math:`a(\\theta-\\theta^*)^2` (``form="vertex"``) or :math:`a\\theta^2 + b\\theta + c`
    (``"general"``), the start, the rate and the steps; ``selected`` is the step whose update the page spells out;
    ``compare_course`` adds the course's three rates."""

    curvature: float = 1.0
    form: str = "vertex"
    minimum: float = 3.0
    b: float = -6.0
    c: float = 9.0
    start: float = -1.0
    lr: float = 0.3
    steps: int = 15
    selected: int = 0
    compare_course: bool = False

    def __post_init__(self) -> None:
        if not self.curvature > 0:
            raise ValueError(f"the curvature a must be > 0, got {self.curvature}")
        if self.form not in FORMS:
            raise ValueError(f"the parabola is written as {' or '.join(FORMS)}, not {self.form!r}")
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

    @property
    def gap_range(self) -> tuple[float, float]:
        """The loss-by-step panel's axis, :math:`J(\\theta_t) - J^*`: twelve decades below the start's and six above
        (the same for every rate)."""
        gap = max(float(self.surface.value(np.array([self.config.start]))) - float(self.surface.value(
            self.surface.minima).min()), 1e-6)  # fmt: skip
        return gap * 1e-12, gap * 1e6

    @property
    def minimum(self) -> float:
        """:math:`\\theta^*`: the one given, or :math:`-b/2a` for the general form."""
        return float(self.surface.minima[0, 0])

    @property
    def formula(self) -> str:
        """The loss as plain text with its numbers, for the figure's text alternative."""
        cfg = self.config
        if cfg.form == "vertex":
            return f"J(θ) = {cfg.curvature:g}(θ − {cfg.minimum:g})²"
        sign = lambda x: f"− {-x:g}" if x < 0 else f"+ {x:g}"
        return f"J(θ) = {cfg.curvature:g}θ² {sign(cfg.b)}θ {sign(cfg.c)}"

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
    return update_rule_sweep(cfg, (cfg.lr,))[0]


def update_rule_sweep(cfg: UpdateRuleConfig, lrs: Sequence[float]) -> tuple[UpdateRuleScene, ...]:
    """The scene of ``cfg`` at each rate of ``lrs`` (``cfg.lr`` is not read), from one batched run: what a drag of
    the η control draws (:mod:`lr_core.scrub`)."""
    surface = (
        parabola(cfg.curvature, cfg.minimum) if cfg.form == "vertex" else quadratic_1d(cfg.curvature, cfg.b, cfg.c)
    )
    batch = run(surface, sgd(lr=np.asarray(lrs, dtype=float)), [cfg.start], cfg.steps)
    verdicts = analysis.classify(batch)
    lo, hi = surface.bounds[0]
    x_range = (min(lo, cfg.start - 0.5), max(hi, cfg.start + 0.5))
    theta = np.linspace(*x_range, 400)
    losses = surface.value(theta[:, None])
    top, bottom = float(losses.max()), float(losses.min())
    y_range = (bottom - 0.05 * (top - bottom), top + 0.05 * (top - bottom))

    course = None
    course_labels: list[Verdict] = []
    if cfg.compare_course:
        course = run(surface, sgd(lr=np.array(COURSE_RATES)), [cfg.start], cfg.steps)
        course_labels = list(analysis.classify(course))

    def at(i: int, lr: float) -> UpdateRuleScene:
        traj = batch.run(i, sgd(lr=lr))
        selected = tangent = None
        if cfg.selected < int(traj.last_index):
            t = cfg.selected
            th, th1 = float(traj.params[t, 0]), float(traj.params[t + 1, 0])
            g = float(traj.grads[t, 0])
            selected = StepNumbers(t, th, float(traj.losses[t]), g, lr, -lr * g, th1, float(traj.losses[t + 1]))
            half = 0.25 * (x_range[1] - x_range[0])
            xs = np.array([th - half, th + half])
            tangent = (xs, selected.loss + g * (xs - th))
        return UpdateRuleScene(
            replace(cfg, lr=lr), surface, traj, verdicts[i], x_range, y_range, (theta, losses),
            analysis.critical_lr(2 * cfg.curvature), selected, tangent, course, course_labels,
        )  # fmt: skip

    return tuple(at(i, float(lr)) for i, lr in enumerate(lrs))


def figure(scene: UpdateRuleScene, frames: bool = True) -> Spec:
    """The step-by-step figure: the path on the parabola, the step arrow and tangent at the selected step, and the
    loss against the step beside it (the same traces at every rate, so a drag of η only moves them); with
    ``frames=False``, without the animation's frames (a sweep's parts, :func:`lr_core.scrub.swept`)."""
    cfg = scene.config
    runs = figures.series_of(scene.traj, ["your η"])  # its value is on the control above: the legend stays put
    if scene.course is not None:
        runs += figures.series_of(scene.course, [f"course η = {r}" for r in COURSE_RATES])
    sel = scene.selected
    return figures.path_on_curve(
        scene.surface,
        *scene.curve,
        runs,
        selected=cfg.selected,
        tangent=scene.tangent if scene.tangent is not None else (np.empty(0), np.empty(0)),
        step_arrow=(sel.theta, sel.loss, sel.theta_next, sel.loss_next) if sel else None,
        x_range=scene.x_range,
        y_range=scene.y_range,
        loss="J",
        loss_by_step=scene.gap_range,
        frames=frames,
    )


def swept(cfg: UpdateRuleConfig, lrs: Sequence[float]) -> Swept[UpdateRuleScene]:
    """The scene and figure at every rate of ``lrs``, for the page to draw one and the browser to scrub through all."""
    scenes = update_rule_sweep(cfg, lrs)
    return scrub.swept(
        lrs, scenes, lambda s: {"update_rule_fig": figure(s)}, lambda s: s.label,
        still=lambda s: {"update_rule_fig": figure(s, frames=False)},
    )  # fmt: skip


def update_rule_config(values: Mapping[str, Any]) -> UpdateRuleConfig:
    """The step-by-step section's config of the page's current ``values``."""
    return build(UpdateRuleConfig, STEP, values)


def course_check() -> pd.DataFrame:
    """The course's own loop (:data:`lr_core.course.COURSE_LOOP`, run as shown) beside the engine's runs of the
    course's example: θ after 15 steps for each of its rates, and whether every point of the two paths is equal."""
    loop = course_loop()
    engine = run(parabola(*COURSE_PARABOLA), sgd(lr=np.array(COURSE_RATES)), [COURSE_START], COURSE_STEPS)
    engine = engine.params[:, :, 0]
    return pd.DataFrame(
        {
            "η": list(COURSE_RATES),
            "θ₁₅, the course's loop": [float(loop[r][-1]) for r in COURSE_RATES],
            "θ₁₅, LR Lab's engine": [float(x) for x in engine[-1]],
            "all 16 points equal": [bool(np.array_equal(loop[r], engine[:, i])) for i, r in enumerate(COURSE_RATES)],
        }
    )


# --------------------------------------------------------------------------------------- speed versus accuracy


@dataclass(frozen=True)
class SpeedConfig:
    """The course's parabola :math:`(\\theta - 3)^2` from :math:`\\theta_0 = -1`, with gradient noise ``noise``,
    at each of ``rates``; ``budget`` the number of steps the student can afford; ``runs`` noisy runs of the
    engine check the closed form."""

    rates: tuple[str, ...] = ("0.05", "0.3", "0.8")
    noise: float = 1.0
    budget: int = 30
    runs: int = 400
    sweep_rates: int = 300

    def __post_init__(self) -> None:
        if not self.rates:
            raise ValueError("pick at least one rate to compare")


@dataclass(frozen=True)
class SpeedScene:
    """Per rate: its expected loss (closed form, ``curves``) after each of ``steps`` (up to ten budgets, at most
    :data:`CURVE_POINTS` of them), its floor, the first step within 10% above the floor, and the mean of ``runs``
    noisy engine runs after the budget.
    The sweep: expected loss after each of ``budgets`` (a tenth of the budget, the budget, ten budgets) against
    ``lrs``, and the best rate for each."""

    config: SpeedConfig
    steps: np.ndarray
    curves: dict[str, np.ndarray]
    summary: pd.DataFrame
    lrs: np.ndarray
    budgets: tuple[int, ...]
    after: dict[str, np.ndarray]
    best: dict[int, float]
    y_range: tuple[float, float]


CURVE_POINTS = 501
"""At most this many steps of each expected-loss curve are drawn (up to 10,000 steps: 80 KB a curve otherwise)."""

SPEED_E0 = COURSE_START - COURSE_PARABOLA[1]
"""The starting error θ₀ − θ* of the speed section, which runs the course's example with noise."""


def speed_config(values: Mapping[str, Any]) -> SpeedConfig:
    return build(SpeedConfig, SPEED, values)


def speed_accuracy(cfg: SpeedConfig) -> SpeedScene:
    """The trade-off the course names: with noisy gradients a larger rate gets near its floor in fewer steps and
    settles at a higher floor, :math:`\\eta\\sigma^2/(2(2 - \\eta L))` on a parabola of curvature :math:`L`
    (:func:`lr_core.analysis.quadratic_losses`); the engine's noisy runs are shown beside the closed form."""
    surface = parabola(*COURSE_PARABOLA)
    rates = np.array(sorted(float(r) for r in cfg.rates))
    horizon = 10 * cfg.budget
    expected = analysis.quadratic_losses(surface, [COURSE_START], rates, horizon, noise=cfg.noise)
    floor = analysis.noise_floor(surface, rates, cfg.noise)
    near = [int(np.argmax(expected[:, i] <= 1.1 * floor[i])) for i in range(len(rates))]
    shown = np.unique(np.linspace(0, horizon, CURVE_POINTS).round().astype(int))
    starts = np.full((cfg.runs, 1, 1), COURSE_START)
    engine = sweep(surface, sgd(lr=rates), starts, cfg.budget, noise=cfg.noise, seed=0)
    labels = [f"η = {r:g}" for r in rates]
    summary = pd.DataFrame(
        {
            "η": rates,
            "steps to within 10% of its floor": near,
            "its floor E[J] − J*": floor,
            f"expected loss after {cfg.budget} steps": expected[cfg.budget],
            f"mean of {cfg.runs} noisy runs after {cfg.budget} steps": engine.losses[-1].mean(axis=0),
        }
    )
    lrs = np.logspace(-3, np.log10(0.99 * analysis.critical_lr(2 * COURSE_PARABOLA[0])), cfg.sweep_rates)
    budgets = (max(1, cfg.budget // 10), cfg.budget, horizon)
    losses = analysis.quadratic_losses(surface, [COURSE_START], lrs, np.array(budgets), noise=cfg.noise)
    after = {f"after {b} steps": loss for b, loss in zip(budgets, losses, strict=True)}
    best = {b: float(lrs[int(np.argmin(loss))]) for b, loss in zip(budgets, losses, strict=True)}
    top = float(expected[0].max())
    return SpeedScene(
        cfg, shown, dict(zip(labels, expected[shown].T, strict=True)), summary, lrs, budgets, after, best,
        (0.5 * float(floor.min()), 2 * top),
    )  # fmt: skip


def speed_takeaway(scene: SpeedScene) -> str:
    """The trade-off as measured, in words, from the scene's numbers."""
    rows = scene.summary.to_dict("records")
    fast, slow = (
        min(rows, key=lambda r: r["steps to within 10% of its floor"]),
        min(rows, key=lambda r: r["its floor E[J] − J*"]),
    )
    b = scene.budgets
    text = (
        f"With σ = {scene.config.noise:g}, η = {fast['η']:g} gets within 10% of its floor fastest, in "
        f"{fast['steps to within 10% of its floor']} steps, {'and' if slow is fast else 'but'} settles at "
        f"{fast['its floor E[J] − J*']:.3g}"
    )
    if slow is not fast:
        text += (
            f"; η = {slow['η']:g} settles lowest, at {slow['its floor E[J] − J*']:.3g}, and needs "
            f"{slow['steps to within 10% of its floor']} steps to get there"
        )
    order = "falls" if scene.best[b[0]] > scene.best[b[1]] > scene.best[b[2]] else "changes"
    return (
        text + f". The best constant rate {order} as the budget grows: {scene.best[b[0]]:.3g} for {b[0]} steps, "
        f"{scene.best[b[1]]:.3g} for {b[1]}, {scene.best[b[2]]:.3g} for {b[2]}. A rate that decays (lesson 3) gets "
        "the speed of a large η early and the accuracy of a small one late."
    )


def torch_script(scene: UpdateRuleScene) -> str:
    """The step-by-step scene as a torch script (:mod:`lr_core.scripts`): SGD on the parabola from θ₀."""
    from lr_core import scripts

    run = scripts.run_of(f"SGD, η = {scene.config.lr:g}", scene.traj, [scene.config.start])
    return scripts.script(f"Gradient descent on {scene.formula}", scripts.quadratic_loss(scene.surface), [run])
