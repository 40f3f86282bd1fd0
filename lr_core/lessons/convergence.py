r"""Lesson 2, convergence and stability: why :math:`\eta < 2/L`, in one dimension, on a rotated bowl and on a
double well whose curvature changes (``pages/convergence.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from lr_core import analysis, figures, scrub
from lr_core.analysis import Verdict
from lr_core.controls import Number, three_digits
from lr_core.lessons import Page
from lr_core.optimizers import sgd
from lr_core.runner import Trajectory, run
from lr_core.scrub import Spec, Swept
from lr_core.surfaces import Surface, double_well_1d, parabola, quadratic_2d

LESSON = Page(
    "2 · Convergence & stability",
    "convergence-stability",
    "🎯",
    "Why η < 2/L: the contraction factor |1 − ηL|, its three regimes, the error shrinking like rᵗ, Hessian "
    "eigenvalues and the condition number in 2-D, the optimal rate 2/(μ+L), and local curvature elsewhere.",
    "pages/convergence.py",
    "convergence",
    questions=("critical-rate-1d", "condition-number"),
    order=2,
)


def bowl_rates(lam1: float, lam2: float) -> tuple[float, float]:
    r"""The bowl's critical rate :math:`2/\lambda_{max}` and optimal rate :math:`2/(\lambda_{min}+\lambda_{max})`
    (eigenvalues in either order)."""
    lo, hi = sorted((lam1, lam2))
    return float(analysis.critical_lr(hi)), float(analysis.optimal_lr(lo, hi))


def _bowl_marks(values) -> tuple[float, ...]:
    """Rates worth landing on for the bowl's slider: η*, 0.99 × 2/λmax and 2/λmax, as the slider shows them."""
    crit, best = bowl_rates(values["lmin"], values["lmax"])
    return three_digits(best), three_digits(0.99 * crit), three_digits(crit)


ONE_D = (
    Number(key="L", label="curvature L = J''(θ)", default=2.0, lo=0.2, hi=10.0, step=0.1, field="curvature"),
    Number(key="lr1", label="learning rate η in 1-D", short="η", default=0.3, lo=1e-3, hi=15.0, scale="log", field="lr",
           upper=lambda v: 3 / v["L"], marks=lambda v: (1 / v["L"], 2 / v["L"])),
)  # fmt: skip
TWO_D = (
    Number(key="lmin", label="eigenvalue λ₁", default=1.0, lo=0.1, hi=20.0, step=0.1, field="lam_min"),
    Number(key="lmax", label="eigenvalue λ₂", default=10.0, lo=0.1, hi=20.0, step=0.1, field="lam_max"),
    Number(key="angle", label="rotation of the axes (°)", default=0.0, lo=-90.0, hi=90.0, step=5.0),
    Number(key="lr", label="learning rate η on the bowl", short="η", default=0.1, lo=1e-4, hi=25.0, scale="log",
           upper=lambda v: 1.25 * bowl_rates(v["lmin"], v["lmax"])[0], marks=_bowl_marks),
    Number(key="steps", label="steps", default=60, lo=5, hi=300, integer=True),
)  # fmt: skip
LOCAL = (
    Number(key="lr_dw", label="learning rate η on the double well", default=0.1, lo=1e-3, hi=1.0, scale="log",
           field="lr", marks=lambda v: (0.25,)),
    Number(key="start_dw", label="start θ₀", default=1.8, lo=-2.0, hi=2.0, step=0.05, field="start"),
)  # fmt: skip
CONTROLS = ONE_D + TWO_D + LOCAL
"""Every setting of the lesson, declared once, by section: each section fills its own config."""
LOCAL_RATE_AXIS = (LOCAL[0].lo / 4, LOCAL[0].hi * 40)
"""The local-critical-rate plot's axis: room below the smallest η the slider offers and far above the largest, the
same for every η, so a move of η moves the lines in place."""


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
    label: Verdict
    path: np.ndarray
    """θ_t of the run (the minimum at 0): ``measured`` is its size."""


def stability_1d(cfg: Stability1DConfig) -> Stability1DScene:
    """The contraction factor :math:`|1-\\eta L|` over :math:`0 \\le \\eta \\le 3/L`, and one run's error
    :math:`|\\theta_t - \\theta^*|` against the prediction :math:`|1-\\eta L|^t |\\theta_0 - \\theta^*|`."""
    return stability_1d_sweep(cfg, (cfg.lr,))[0]


def stability_1d_sweep(cfg: Stability1DConfig, lrs: Sequence[float]) -> tuple[Stability1DScene, ...]:
    """The 1-D scene of ``cfg`` at each rate of ``lrs`` (``cfg.lr`` is not read), from one batched run."""
    L = cfg.curvature
    surface = parabola(L / 2, 0.0)
    batch = run(surface, sgd(lr=np.asarray(lrs, dtype=float)), [-cfg.distance], cfg.steps)
    verdicts = analysis.classify(batch)
    curve = np.linspace(0.0, 3.0 / L, 301)
    factor_curve = analysis.contraction_factor(curve, [L])

    def at(i: int, lr: float) -> Stability1DScene:
        traj = batch.run(i)
        factor = float(analysis.contraction_factor(lr, [L]))
        t = np.arange(int(traj.last_index) + 1)
        return Stability1DScene(
            replace(cfg, lr=lr), curve, factor_curve, factor, analysis.regime(lr, L), analysis.critical_lr(L), t,
            np.abs(traj.params[t, 0]), cfg.distance * factor ** t.astype(float), verdicts[i], traj.params[t, 0],
        )  # fmt: skip

    return tuple(at(i, float(lr)) for i, lr in enumerate(lrs))


ERROR_FLOOR = 1e-16
"""The error plot's floor: an error of 0 (η = 1/L lands on the minimum in one step) is drawn there."""


def error_range(scenes: Sequence[Stability1DScene]) -> tuple[float, float]:
    """The error axis shared by every rate of a sweep (log scale): from the floor to the largest error any of them
    reaches, so a move of η moves the points, not the axis."""
    top = max(max(float(s.predicted.max()), float(s.measured.max())) for s in scenes)
    return ERROR_FLOOR / 3, 3 * max(top, scenes[0].config.distance)


def figures_1d(scene: Stability1DScene, y_range: tuple[float, float]) -> dict[str, Spec]:
    """The 1-D section's figures: the contraction factor with the rate marked, and the error against the step."""
    cfg = scene.config
    return {
        "contraction_fig": figures.contraction_plot(
            scene.lrs, scene.factor_curve, cfg.curvature, cfg.lr, scene.factor, "Contraction factor |1 − ηL|"
        ),
        "error_fig": figures.error_plot(
            scene.steps, scene.measured, scene.predicted, "Error |θₜ − θ*|, measured and predicted",
            floor=ERROR_FLOOR, x_max=cfg.steps, y_range=y_range,
        ),
    }  # fmt: skip


def swept_1d(cfg: Stability1DConfig, lrs: Sequence[float]) -> Swept[Stability1DScene]:
    """The 1-D section at every rate of ``lrs``: the contraction figure carries the η control, the error plot
    follows it."""
    scenes = stability_1d_sweep(cfg, lrs)
    y_range = error_range(scenes)
    return scrub.swept(lrs, scenes, lambda s: figures_1d(s, y_range), lambda s: s.label)


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
    label: Verdict
    eigenvalues: np.ndarray
    kappa: float
    critical_lr: float
    optimal_lr: float
    factor: float
    optimal_factor: float


def bowl(lam_min: float, lam_max: float, angle: float) -> Surface:
    """The rotated bowl of :class:`Stability2DConfig` (eigenvalues in either order)."""
    return quadratic_2d(tuple(sorted((lam_min, lam_max))), angle)


def stability_2d(cfg: Stability2DConfig) -> Stability2DScene:
    """One run on the rotated bowl with its stability numbers: :math:`\\kappa`, :math:`2/\\lambda_{max}`,
    :math:`\\eta^* = 2/(\\lambda_{min}+\\lambda_{max})` and the contraction factors."""
    return stability_2d_sweep(cfg, (cfg.lr,))[0]


def stability_2d_sweep(cfg: Stability2DConfig, lrs: Sequence[float]) -> tuple[Stability2DScene, ...]:
    """The bowl's scene of ``cfg`` at each rate of ``lrs`` (``cfg.lr`` is not read), from one batched run."""
    surface = bowl(cfg.lam_min, cfg.lam_max, cfg.angle)
    lam = analysis.hessian_eigenvalues(surface)
    batch = run(surface, sgd(lr=np.asarray(lrs, dtype=float)), cfg.start, cfg.steps)
    verdicts = analysis.classify(batch)
    crit, best = analysis.critical_lr(lam[-1]), analysis.optimal_lr(lam[0], lam[-1])

    def at(i: int, lr: float) -> Stability2DScene:
        return Stability2DScene(
            replace(cfg, lr=lr), surface, batch.run(i, sgd(lr=lr)), verdicts[i], lam, analysis.condition_number(lam),
            crit, best, float(analysis.contraction_factor(lr, lam)), float(analysis.contraction_factor(best, lam)),
        )  # fmt: skip

    return tuple(at(i, float(lr)) for i, lr in enumerate(lrs))


def figures_2d(scene: Stability2DScene, tolerance: ToleranceSweep, frames: bool = True) -> dict[str, Spec]:
    """The bowl's figures: the path on its contours, and the steps to tolerance with the rate marked; with
    ``frames=False``, the path without the animation's frames (a sweep's parts, :func:`lr_core.scrub.swept`)."""
    cfg = scene.config
    return {
        "bowl_fig": figures.contour_paths(
            scene.surface, figures.series_of(scene.traj, ["GD at your η"]), title="Gradient descent on the bowl",
            frames=frames,
        ),
        "tolerance_fig": figures.steps_vs_lr(
            tolerance.lrs, tolerance.measured.astype(float), tolerance.predicted,
            {"2/λmax": scene.critical_lr, "η*": scene.optimal_lr, "your η": cfg.lr}, y_range=tolerance.steps_range,
        ),
    }  # fmt: skip


def swept_2d(cfg: Stability2DConfig, lrs: Sequence[float], tolerance: ToleranceSweep) -> Swept[Stability2DScene]:
    """The bowl at every rate of ``lrs``: the path's figure carries the η control, the steps-to-tolerance figure
    (``tolerance``, the sweep of the same bowl) follows it."""
    scenes = stability_2d_sweep(cfg, lrs)
    return scrub.swept(
        lrs, scenes, lambda s: figures_2d(s, tolerance), lambda s: s.label,
        still=lambda s: figures_2d(s, tolerance, frames=False),
    )  # fmt: skip


@dataclass(frozen=True)
class ToleranceSweep:
    """Steps for the loss to fall to ``tol`` against the rate: measured (-1 where the budget ran out or the run
    diverged) and predicted."""

    lrs: np.ndarray
    measured: np.ndarray
    predicted: np.ndarray
    budget: int

    @property
    def steps_range(self) -> tuple[float, float]:
        """The steps axis: from one step to past the budget. It depends on the eigenvalues, not on the rate, so a
        move of η moves only its mark."""
        return (0.8, 1.25 * self.budget)


MAX_SWEEP_STEPS = 2000
"""The longest run of the sweep: a rate that needs more steps is shown as not reaching the tolerance. It bounds a
sweep at about 120 ms, paid by whoever moves an eigenvalue first (5000 steps took 300 ms)."""


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
    label: Verdict
    curve: tuple[np.ndarray, np.ndarray]
    curvature: np.ndarray
    critical_at_minimum: float

    @property
    def convex(self) -> np.ndarray:
        """The steps where :math:`L''(\\theta_t) > 0`: only there does a step-size limit exist."""
        return np.flatnonzero(self.curvature > 0)

    @property
    def concave(self) -> np.ndarray:
        """The steps where :math:`L''(\\theta_t) \\le 0`: any η moves downhill there, no limit applies."""
        return np.flatnonzero(self.curvature <= 0)

    @property
    def local_critical(self) -> np.ndarray:
        """:math:`2/L''(\\theta_t)` at the :attr:`convex` steps."""
        return 2.0 / self.curvature[self.convex]


def local_curvature(cfg: LocalCurvatureConfig) -> LocalCurvatureScene:
    """A run on the double well with its curvature :math:`L''(\\theta_t) = 12\\theta_t^2 - 4` along it; where it is
    positive, the local critical rate is :math:`2/L''(\\theta_t)`."""
    from lr_core.surfaces import curve

    surface = double_well_1d(1.0)
    traj = run(surface, sgd(lr=cfg.lr), [cfg.start], cfg.steps)
    last = int(traj.last_index)
    return LocalCurvatureScene(
        cfg,
        surface,
        traj,
        analysis.classify(traj),
        curve(surface),
        analysis.hessian_eigenvalues(surface, traj.params[: last + 1])[..., -1],
        analysis.critical_lr(analysis.lipschitz(surface)),
    )


def torch_script_1d(scene: Stability1DScene) -> str:
    """The 1-D run as a torch script (:mod:`lr_core.scripts`): SGD on the parabola of curvature L from −distance."""
    from lr_core import scripts

    cfg = scene.config
    steps = len(scene.path) - 1
    run = scripts.Run(f"SGD, η = {cfg.lr:g}", "SGD", {"lr": cfg.lr}, [-cfg.distance], steps, [scene.path[-1]])
    surface = parabola(cfg.curvature / 2, 0.0)
    return scripts.script(f"Gradient descent on a parabola of curvature L = {cfg.curvature:g}",
                          scripts.quadratic_loss(surface), [run])  # fmt: skip


def torch_script_2d(scene: Stability2DScene) -> str:
    """The run on the rotated bowl as a torch script (:mod:`lr_core.scripts`): SGD from the start."""
    from lr_core import scripts

    cfg = scene.config
    run = scripts.run_of(f"SGD, η = {cfg.lr:g}", scene.traj, cfg.start)
    title = f"Gradient descent on the bowl with Hessian eigenvalues {cfg.lam_min:g} and {cfg.lam_max:g}"
    return scripts.script(title, scripts.quadratic_loss(scene.surface), [run])
