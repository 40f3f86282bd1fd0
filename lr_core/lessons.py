"""Each lesson page's scene: a small validated config in, everything the page shows out.

A page reads its widgets into one of the ``*Config`` dataclasses and calls the matching function here; the
result holds the runs, the numbers for the equations and the data for the figures. Nothing here imports
Streamlit, so every lesson can be tested (and reused in a notebook) without a browser.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lr_core import analysis
from lr_core.analysis import RunLabel
from lr_core.optimizers import sgd
from lr_core.runner import Trajectory, run
from lr_core.surfaces import Surface, quadratic_1d

SEED_RATES = (0.05, 0.3, 0.8)
"""The seeds' figure: these three rates from θ = -1 for 15 steps on (θ - 3)²."""


def parabola(curvature: float, minimum: float) -> Surface:
    """:math:`L(\\theta) = a(\\theta - \\theta^*)^2` as :func:`quadratic_1d`, whose second derivative is 2a."""
    return quadratic_1d(curvature, -2 * curvature * minimum, curvature * minimum**2)


# -------------------------------------------------------------------------------------------- 1 update rule


@dataclass(frozen=True)
class UpdateRuleConfig:
    """The parabola :math:`a(\\theta-\\theta^*)^2`, the start, the rate and the steps; ``selected`` is the step
    whose update the page spells out; ``compare_seed`` adds the seeds' three rates."""

    curvature: float = 1.0
    minimum: float = 3.0
    start: float = -1.0
    lr: float = 0.3
    steps: int = 15
    selected: int = 0
    compare_seed: bool = False

    def __post_init__(self) -> None:
        if not self.curvature > 0:
            raise ValueError(f"the curvature a must be > 0, got {self.curvature}")
        if not 0 <= self.selected <= self.steps:
            raise ValueError(f"the selected step must lie in 0..{self.steps}, got {self.selected}")


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
    label: RunLabel
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    curve: tuple[np.ndarray, np.ndarray]
    critical_lr: float
    selected: StepNumbers | None
    tangent: tuple[np.ndarray, np.ndarray] | None
    seed: Trajectory | None = None
    seed_labels: list[RunLabel] = field(default_factory=list)

    def table(self) -> pd.DataFrame:
        """The iterations (t, θ_t, L(θ_t), ∇L(θ_t), the step −η∇L), built when asked for."""
        traj, last = self.traj, int(self.traj.last_index)
        grads = np.append(traj.grads[:last, 0], np.nan)
        return pd.DataFrame(
            {
                "t": np.arange(last + 1),
                "θ_t": traj.params[: last + 1, 0],
                "L(θ_t)": traj.losses[: last + 1],
                "∇L(θ_t)": self.surface.grad(traj.params[: last + 1])[:, 0],
                "step −η∇L": np.where(np.isnan(grads), np.nan, -self.config.lr * grads),
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

    seed = None
    seed_labels: list[RunLabel] = []
    if cfg.compare_seed:
        seed = run(surface, sgd(lr=np.array(SEED_RATES)), [cfg.start], cfg.steps)
        seed_labels = list(analysis.classify(seed))
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
        seed,
        seed_labels,
    )


# ------------------------------------------------------------------------------------ 2 convergence, stability


@dataclass(frozen=True)
class Stability1DConfig:
    """A parabola of curvature ``L`` (so :math:`L'' = L`), started ``distance`` from its minimum."""

    curvature: float = 2.0
    lr: float = 0.3
    steps: int = 30
    distance: float = 4.0


@dataclass(frozen=True)
class Stability1DScene:
    config: Stability1DConfig
    lrs: np.ndarray
    factor_curve: np.ndarray
    factor: float
    regime: str
    critical_lr: float
    steps: np.ndarray
    measured: np.ndarray
    predicted: np.ndarray
    label: RunLabel


def stability_1d(cfg: Stability1DConfig) -> Stability1DScene:
    """The contraction factor :math:`|1-\\eta L|` over :math:`0 \\le \\eta \\le 3/L`, and one run's error
    :math:`|\\theta_t - \\theta^*|` against the prediction :math:`|1-\\eta L|^t |\\theta_0 - \\theta^*|`."""
    L = cfg.curvature
    surface = parabola(L / 2, 0.0)
    traj = run(surface, sgd(lr=cfg.lr), [-cfg.distance], cfg.steps)
    lrs = np.linspace(0.0, 3.0 / L, 301)
    factor = float(analysis.contraction_factor(cfg.lr, [L]))
    t = np.arange(int(traj.last_index) + 1)
    return Stability1DScene(
        cfg,
        lrs,
        analysis.contraction_factor(lrs, [L]),
        factor,
        analysis.regime(cfg.lr, L),
        analysis.critical_lr(L),
        t,
        np.abs(traj.params[t, 0]),
        cfg.distance * factor ** t.astype(float),
        analysis.classify(traj),
    )


@dataclass(frozen=True)
class Stability2DConfig:
    """The bowl :math:`\\tfrac12 x^\\top H x` with Hessian eigenvalues ``lam_min``, ``lam_max`` rotated by
    ``angle`` degrees; ``tol`` is the loss the sweep counts steps to."""

    lam_min: float = 1.0
    lam_max: float = 10.0
    angle: float = 0.0
    lr: float = 0.1
    steps: int = 100
    start: tuple[float, float] = (2.5, -1.5)


@dataclass(frozen=True)
class Stability2DScene:
    config: Stability2DConfig
    surface: Surface
    traj: Trajectory
    label: RunLabel
    eigenvalues: np.ndarray
    kappa: float
    critical_lr: float
    optimal_lr: float
    factor: float
    optimal_factor: float


def bowl(lam_min: float, lam_max: float, angle: float) -> Surface:
    """The rotated bowl of :class:`Stability2DConfig` (eigenvalues in either order)."""
    from lr_core.surfaces import quadratic_2d

    return quadratic_2d(tuple(sorted((lam_min, lam_max))), angle)


def stability_2d(cfg: Stability2DConfig) -> Stability2DScene:
    """One run on the rotated bowl with its stability numbers: :math:`\\kappa`, :math:`2/\\lambda_{max}`,
    :math:`\\eta^* = 2/(\\lambda_{min}+\\lambda_{max})` and the contraction factors."""
    surface = bowl(cfg.lam_min, cfg.lam_max, cfg.angle)
    lam = analysis.hessian_eigenvalues(surface)
    traj = run(surface, sgd(lr=cfg.lr), cfg.start, cfg.steps)
    crit, best = analysis.critical_lr(lam[-1]), analysis.optimal_lr(lam[0], lam[-1])
    return Stability2DScene(
        cfg,
        surface,
        traj,
        analysis.classify(traj),
        lam,
        analysis.condition_number(lam),
        crit,
        best,
        float(analysis.contraction_factor(cfg.lr, lam)),
        float(analysis.contraction_factor(best, lam)),
    )


@dataclass(frozen=True)
class ToleranceSweep:
    """Steps for the loss to fall to ``tol`` against the rate: measured (-1 where the budget ran out or the run
    diverged) and predicted."""

    lrs: np.ndarray
    measured: np.ndarray
    predicted: np.ndarray
    budget: int


MAX_SWEEP_STEPS = 5000


def tolerance_sweep(
    lam_min: float, lam_max: float, angle: float, start: tuple[float, float], tol: float = 1e-6, n: int = 300
) -> ToleranceSweep:
    """One vectorized sweep of ``n`` rates from :math:`\\eta_{crit}/100` to :math:`1.05\\,\\eta_{crit}`.

    Predicted: the first step at which the closed-form loss (:func:`lr_core.analysis.quadratic_losses`) is
    below ``tol``. The step budget comes from the slowest mode's bound
    :math:`\\lceil\\log\\sqrt{tol/L_0} / \\log r(\\eta)\\rceil`, capped at :data:`MAX_SWEEP_STEPS`.
    """
    from lr_core.runner import sweep

    surface = bowl(lam_min, lam_max, angle)
    lam = analysis.hessian_eigenvalues(surface)
    crit = analysis.critical_lr(lam[-1])
    lrs = np.logspace(np.log10(crit) - 2, np.log10(crit * 1.05), n)
    ratio = np.sqrt(tol / float(surface.value(np.asarray(start))))
    bound = analysis.predicted_steps(lrs, lam, ratio)
    budget = int(min(MAX_SWEEP_STEPS, max(100, np.max(np.where(np.isfinite(bound), bound, 0)) + 1)))
    result = sweep(surface, sgd(lr=lrs), start, budget)
    measured = analysis.steps_to_tolerance(result.losses, tol)
    predicted = analysis.steps_to_tolerance(analysis.quadratic_losses(surface, start, lrs, budget), tol)
    return ToleranceSweep(lrs, np.where(result.diverged, -1, measured), predicted.astype(float), budget)


@dataclass(frozen=True)
class LocalCurvatureConfig:
    """The double well :math:`(\\theta^2 - 1)^2`, whose curvature :math:`12\\theta^2 - 4` changes along a run."""

    lr: float = 0.1
    start: float = 1.8
    steps: int = 40


@dataclass(frozen=True)
class LocalCurvatureScene:
    config: LocalCurvatureConfig
    surface: Surface
    traj: Trajectory
    label: RunLabel
    curve: tuple[np.ndarray, np.ndarray]
    local_critical: np.ndarray
    critical_at_minimum: float


def local_curvature(cfg: LocalCurvatureConfig) -> LocalCurvatureScene:
    """A run on the double well with the local critical rate :math:`2/|L''(\\theta_t)|` along it."""
    from lr_core.surfaces import curve, double_well_1d

    surface = double_well_1d(1.0)
    traj = run(surface, sgd(lr=cfg.lr), [cfg.start], cfg.steps)
    last = int(traj.last_index)
    curv = np.abs(analysis.hessian_eigenvalues(surface, traj.params[: last + 1])[..., -1])
    return LocalCurvatureScene(
        cfg,
        surface,
        traj,
        analysis.classify(traj),
        curve(surface),
        2.0 / np.maximum(curv, 1e-12),
        analysis.critical_lr(analysis.lipschitz(surface)),
    )


# ------------------------------------------------------------------------------------------------ 3 schedules

SCHEDULE_LABELS = {
    "constant": "Constant",
    "step_decay": "Step decay",
    "exponential_decay": "Exponential decay",
    "polynomial_decay": "Polynomial decay",
    "cosine_annealing": "Cosine annealing",
    "cosine_warm_restarts": "Cosine with warm restarts",
    "cyclic": "Cyclical (CLR)",
    "one_cycle": "1cycle",
    "linear_warmup": "Linear warmup",
}

SEED_SCHEDULE_TABLE = pd.DataFrame(
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
"""The seeds' table of schedule types, word for word."""


@dataclass(frozen=True)
class SchedulesConfig:
    """Which schedules to compare against a constant rate, their parameters, and the noisy problem they run on
    (SGD on a bowl with eigenvalues 1 and 10, gradient noise of standard deviation ``noise``)."""

    kinds: tuple[str, ...] = ("step_decay", "cosine_annealing")
    base_lr: float = 0.15
    steps: int = 200
    noise: float = 1.0
    warmup: int = 0
    step_size: int = 50
    step_gamma: float = 0.5
    exp_gamma: float = 0.98
    power: float = 1.0
    eta_min: float = 0.0
    t_0: int = 50
    t_mult: int = 1
    cyclic_mode: str = "triangular"
    cycle_up: int = 25
    pct_start: float = 0.3
    seed: int = 0

    def __post_init__(self) -> None:
        unknown = [k for k in self.kinds if k not in SCHEDULE_LABELS]
        if unknown:
            raise ValueError(f"unknown schedule {unknown[0]!r}; choose from {', '.join(SCHEDULE_LABELS)}")


def build_schedule(kind: str, cfg: SchedulesConfig):  # -> Schedule
    """The schedule ``kind`` with ``cfg``'s parameters (and its warmup, where one applies)."""
    from lr_core import schedules as ls

    lr, n = cfg.base_lr, cfg.steps
    made = {
        "constant": lambda: ls.constant(lr),
        "step_decay": lambda: ls.step_decay(lr, cfg.step_size, cfg.step_gamma),
        "exponential_decay": lambda: ls.exponential_decay(lr, cfg.exp_gamma),
        "polynomial_decay": lambda: ls.polynomial_decay(lr, n, cfg.power),
        "cosine_annealing": lambda: ls.cosine_annealing(lr, n, cfg.eta_min),
        "cosine_warm_restarts": lambda: ls.cosine_warm_restarts(lr, cfg.t_0, cfg.t_mult, cfg.eta_min),
        "cyclic": lambda: ls.cyclic(lr / 10, lr, cfg.cycle_up, cfg.cyclic_mode, gamma=0.99),
        "one_cycle": lambda: ls.one_cycle(lr, n, cfg.pct_start),
        "linear_warmup": lambda: ls.linear_warmup(lr, max(1, cfg.warmup or n // 5), 0.1),
    }[kind]()
    if cfg.warmup and kind not in ls.WARMS_UP_ITSELF:
        made = ls.with_warmup(made, cfg.warmup, 0.1)
    return made


@dataclass(frozen=True)
class SchedulesScene:
    config: SchedulesConfig
    surface: Surface
    labels: list[str]
    schedules: list  # list[Schedule]
    rates: dict[str, np.ndarray]
    trajs: list[Trajectory]
    verdicts: list[RunLabel]
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
    from lr_core.schedules import stack
    from lr_core.surfaces import quadratic_2d

    surface = quadratic_2d((1.0, 10.0), 30.0)
    kinds = ["constant", *[k for k in cfg.kinds if k != "constant"]]
    schedules = [build_schedule(k, cfg) for k in kinds]
    labels = [
        SCHEDULE_LABELS[k] + (" + warmup" if s.name.startswith("warmup+") else "")
        for k, s in zip(kinds, schedules, strict=True)
    ]
    steps = np.arange(cfg.steps)
    # every schedule and every noise realization in one vectorized run: batch (realizations, schedules)
    starts = np.broadcast_to(SchedulesScene.start, (SchedulesScene.realizations, 1, 2))
    everything = run(surface, sgd(lr=stack(schedules)), starts, cfg.steps, noise=cfg.noise, seed=cfg.seed)
    batches = [everything.run((slice(None), k)) for k in range(len(schedules))]
    trajs = [everything.run((0, k)) for k in range(len(schedules))]
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


# --------------------------------------------------------------------------------------------- 4 adaptive race

RACE_SURFACES = ("rosenbrock", "beale", "quadratic_2d", "plateau", "saddle", "himmelblau", "bumpy")
RACE_STARTS = {
    "rosenbrock": (-1.5, 2.5),
    "beale": (1.0, 1.4),
    "quadratic_2d": (2.5, 2.0),
    "plateau": (3.0, 1.5),
    "saddle": (1.5, 1e-3),
    "himmelblau": (0.0, 0.0),
    "bumpy": (2.4, 2.2),
}


@dataclass(frozen=True)
class RaceConfig:
    """The racers (names from :data:`lr_core.optimizers.VARIANTS`) with a rate each, the surface, the start,
    the steps, Adam's bias correction, and the weight decay used by Adam (L2) and AdamW."""

    surface: str = "rosenbrock"
    racers: tuple[str, ...] = ("sgd", "momentum", "adam")
    lrs: tuple[float, ...] = (1e-3, 1e-3, 0.1)
    start: tuple[float, float] | None = None
    steps: int = 300
    bias_correction: bool = True
    weight_decay: float = 0.0
    noise: float = 0.0

    def __post_init__(self) -> None:
        from lr_core.optimizers import VARIANTS

        if self.surface not in RACE_SURFACES:
            raise ValueError(f"unknown surface {self.surface!r}; choose one of {', '.join(RACE_SURFACES)}")
        if len(self.racers) != len(self.lrs):
            raise ValueError("give one rate per optimizer")
        bad = [r for r in self.racers if r not in VARIANTS]
        if bad:
            raise ValueError(f"unknown optimizer {bad[0]!r}; choose from {', '.join(VARIANTS)}")


@dataclass(frozen=True)
class RaceScene:
    config: RaceConfig
    surface: Surface
    start: tuple[float, float]
    names: list[str]
    trajs: list[Trajectory]
    verdicts: list[RunLabel]
    floor: float


def optimizer_for(name: str, lr: float, bias_correction: bool = True, weight_decay: float = 0.0):  # -> Optimizer
    """The racer ``name`` at rate ``lr`` with the race's Adam options applied where they mean something
    (``ValueError`` for an unknown name, from :func:`lr_core.optimizers.make_optimizer`)."""
    from lr_core.optimizers import VARIANTS, make_optimizer

    extra: dict = {}
    if name in VARIANTS and VARIANTS[name].factory in ("adam", "adamw"):
        extra["bias_correction"] = bias_correction
        if weight_decay:
            extra["weight_decay"] = weight_decay
    return make_optimizer(name, lr, **extra)


def race_run(
    surface: str,
    start: tuple[float, float],
    steps: int,
    racer: str,
    lr: float,
    bias_correction: bool = True,
    weight_decay: float = 0.0,
    noise: float = 0.0,
) -> Trajectory:
    """One racer's run: a pure function of plain values, so a page can cache each racer on its own."""
    from lr_core.surfaces import make_surface

    optimizer = optimizer_for(racer, lr, bias_correction, weight_decay)
    return run(make_surface(surface), optimizer, start, steps, noise=noise, seed=0)


def race(cfg: RaceConfig, run_racer: Callable[..., Trajectory] = race_run) -> RaceScene:
    """Every racer from the same start on the same surface (and, with noise, the same noise)."""
    from lr_core.optimizers import VARIANTS
    from lr_core.surfaces import make_surface

    surface = make_surface(cfg.surface)
    start = tuple(cfg.start) if cfg.start is not None else RACE_STARTS[cfg.surface]
    trajs = [
        run_racer(cfg.surface, start, cfg.steps, n, lr, cfg.bias_correction, cfg.weight_decay, cfg.noise)
        for n, lr in zip(cfg.racers, cfg.lrs, strict=True)
    ]
    names = [f"{VARIANTS[n].label} (η = {lr:.3g})" for n, lr in zip(cfg.racers, cfg.lrs, strict=True)]
    floor = surface.min_value
    if floor is None:  # no minimum (the saddle): measure from the lowest loss seen
        floor = min(float(t.losses.min()) for t in trajs) - 1e-12
    verdicts = [analysis.classify(t, noise=cfg.noise) for t in trajs]
    return RaceScene(cfg, surface, start, names, trajs, verdicts, floor)


@dataclass(frozen=True)
class Inspection:
    """One optimizer's state after step ``t``: its gradient, internals and the step it took, per coordinate."""

    t: int
    grad: np.ndarray
    internals: dict[str, np.ndarray]
    step: np.ndarray
    theta: np.ndarray
    theta_next: np.ndarray


def inspect_step(traj: Trajectory, t: int) -> Inspection:
    """The numbers of step ``t`` (0-based) of a single run, for the page's equations."""
    if not 0 <= t < traj.steps:
        raise ValueError(f"the step to inspect must lie in 0..{traj.steps - 1}, got {t}")
    return Inspection(
        t,
        traj.grads[t],
        {k: v[t] for k, v in traj.internals.items()},
        traj.params[t + 1] - traj.params[t],
        traj.params[t],
        traj.params[t + 1],
    )


@dataclass(frozen=True)
class RangeTestConfig:
    surface: str = "rosenbrock"
    optimizer: str = "sgd"
    lr_min: float = 1e-6
    lr_max: float = 1.0
    steps: int = 120
    noise: float = 0.0


def range_test(cfg: RangeTestConfig):  # -> analysis.RangeTest
    """The LR range test of ``cfg.optimizer`` from the race's start on ``cfg.surface``."""
    from lr_core.surfaces import make_surface

    surface = make_surface(cfg.surface)
    return analysis.range_test(
        surface,
        RACE_STARTS[cfg.surface],
        optimizer=cfg.optimizer,
        lr_min=cfg.lr_min,
        lr_max=cfg.lr_max,
        steps=cfg.steps,
        noise=cfg.noise,
    )
