r"""What a run says about the learning rate: stability, speed, a label for each run, and the range test.

For a quadratic :math:`L(\theta) = \tfrac12 (\theta - \theta^*)^\top H (\theta - \theta^*)` gradient descent
gives :math:`\theta_{t} - \theta^* = (I - \eta H)^{t} (\theta_0 - \theta^*)`: along the eigenvector of
eigenvalue :math:`\lambda` the error is multiplied by :math:`1 - \eta\lambda` every step. Hence

- it converges iff :math:`|1 - \eta\lambda| < 1` for every :math:`\lambda`, i.e. :math:`\eta < 2/L` with
  :math:`L = \lambda_{max}` (the Lipschitz constant of the gradient);
- the error shrinks at least by the contraction factor :math:`r(\eta) = \max_i |1 - \eta\lambda_i|` per step,
  smallest at :math:`\eta^* = 2/(\mu + L)` (:math:`\mu = \lambda_{min}`), where
  :math:`r = (\kappa - 1)/(\kappa + 1)` with :math:`\kappa = L/\mu`;
- it decreases monotonically for :math:`\eta \le 1/L` and flips sign (oscillates) for :math:`1/L < \eta < 2/L`.

On other surfaces the same holds near a point with :math:`H = \nabla^2 L(\theta)`, the local curvature.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lr_core._checks import as_float_array, positive, positive_int
from lr_core.optimizers import make_optimizer
from lr_core.runner import Trajectory, run
from lr_core.schedules import exponential_decay
from lr_core.surfaces import Surface

# ------------------------------------------------------------------------------------------------ stability


def hessian_eigenvalues(surface: Surface, x: Any = None) -> np.ndarray:
    """Eigenvalues of :math:`\\nabla^2 L(x)`, ascending, shape ``(..., dim)``.

    With ``x=None``: at the surface's first known minimum (for a quadratic, the Hessian everywhere).
    """
    if x is None:
        if len(surface.minima) == 0:
            raise ValueError(f"{surface.name} has no minimum: give the point x where to take the curvature")
        x = surface.minima[0]
    return np.linalg.eigvalsh(surface.hessian(x))


def lipschitz(surface: Surface, x: Any = None) -> float | np.ndarray:
    """:math:`L = \\max_i |\\lambda_i(\\nabla^2 L(x))|`, the (local) Lipschitz constant of the gradient."""
    lam = np.abs(hessian_eigenvalues(surface, x)).max(axis=-1)
    return float(lam) if np.ndim(lam) == 0 else lam


def critical_lr(L: Any) -> float | np.ndarray:
    """:math:`\\eta_{crit} = 2/L`: gradient descent on a quadratic converges iff :math:`\\eta < 2/L`."""
    return 2.0 / positive("L", L)


def optimal_lr(mu: Any, L: Any) -> float | np.ndarray:
    """:math:`\\eta^* = 2/(\\mu + L)`, the constant rate with the smallest contraction factor."""
    return 2.0 / (positive("mu", mu) + positive("L", L))


def contraction_factor(lr: Any, eigenvalues: Any) -> float | np.ndarray:
    """:math:`r(\\eta) = \\max_i |1 - \\eta\\lambda_i|`, vectorized over ``lr``."""
    lr = as_float_array("lr", lr)
    lam = as_float_array("eigenvalues", eigenvalues).reshape(-1)
    r = np.abs(1.0 - lr[..., None] * lam).max(axis=-1)
    return float(r) if r.ndim == 0 else r


REGIMES = ("monotone", "oscillating", "diverging")


def regime(lr: float, L: float) -> str:
    """``monotone`` for :math:`\\eta \\le 1/L`, ``oscillating`` for :math:`1/L < \\eta < 2/L`, else ``diverging``
    (at exactly :math:`2/L` the error neither grows nor shrinks: it flips sign forever)."""
    if lr <= 1.0 / L:
        return "monotone"
    return "oscillating" if lr < 2.0 / L else "diverging"


def condition_number(eigenvalues: Any) -> float:
    """:math:`\\kappa = \\lambda_{max} / \\lambda_{min}` of a positive definite Hessian."""
    lam = as_float_array("eigenvalues", eigenvalues)
    if np.any(lam <= 0):
        raise ValueError("the condition number needs positive eigenvalues")
    return float(lam.max() / lam.min())


# ----------------------------------------------------------------------------------------- speed to converge


def predicted_steps(lr: Any, eigenvalues: Any, ratio: Any) -> np.ndarray:
    """Steps for the error to shrink by ``ratio`` (< 1) at rate :math:`r(\\eta)`:
    :math:`\\lceil \\log(\\text{ratio}) / \\log r(\\eta) \\rceil`, ``inf`` where :math:`r \\ge 1`.

    For the loss of a quadratic, which shrinks by :math:`r^2` per step, pass ``ratio = sqrt(gap / gap0)``.
    """
    r = np.asarray(contraction_factor(lr, eigenvalues), dtype=float)
    ratio = np.asarray(ratio, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        steps = np.ceil(np.log(ratio) / np.log(r) - 1e-9)
    return np.where(r < 1, np.maximum(steps, 0), np.inf)


def quadratic_losses(surface: Surface, x0: Any, lr: Any, steps: int) -> np.ndarray:
    r"""The closed form of gradient descent's loss on a quadratic, shape ``(steps + 1, *lr.shape)``:

    .. math:: L(\theta_t) - L^* = \tfrac12 \sum_i \lambda_i c_i^2 (1 - \eta\lambda_i)^{2t},
              \qquad c = Q^\top (\theta_0 - \theta^*)

    with :math:`H = Q \Lambda Q^\top` the (constant) Hessian and :math:`\theta^*` the minimum.
    """
    lam, q = np.linalg.eigh(surface.hessian(surface.minima[0]))
    c = q.T @ (as_float_array("x0", x0) - surface.minima[0])
    lr = as_float_array("lr", lr)
    t = np.arange(steps + 1).reshape((-1,) + (1,) * (lr.ndim + 1))
    with np.errstate(over="ignore"):
        modes = 0.5 * lam * c**2 * (1.0 - lr[..., None] * lam) ** (2 * t)
    return modes.sum(axis=-1)


def steps_to_tolerance(errors: np.ndarray, tol: float) -> np.ndarray:
    """Per run, the first step ``t`` with ``errors[t] <= tol`` (``errors`` of shape ``(steps+1, *batch)``);
    -1 for a run that never gets there."""
    hit = np.asarray(errors) <= tol
    return np.where(hit.any(axis=0), hit.argmax(axis=0), -1)


def distance_to_minimum(surface: Surface, points: Any) -> np.ndarray:
    """Distance from each point (shape ``(..., dim)``) to the nearest known minimum."""
    if len(surface.minima) == 0:
        raise ValueError(f"{surface.name} has no minimum")
    p = np.asarray(points, dtype=float)[..., None, :]
    return np.sqrt(((p - surface.minima) ** 2).sum(axis=-1)).min(axis=-1)


# ------------------------------------------------------------------------------------------- run classifier

LABELS = ("converged", "oscillating", "diverged", "too slow", "stalled")


@dataclass(frozen=True)
class RunLabel:
    """What happened to one run, in a word from :data:`LABELS` and a sentence saying why."""

    label: str
    reason: str


def classify(traj: Trajectory, *, noise: float = 0.0) -> RunLabel | np.ndarray:
    """Label every run of ``traj``: a :class:`RunLabel` for a single run, else an object array of them with
    the batch's shape.

    The rules, first match wins (:math:`d_t` the distance to the nearest known minimum, :math:`g_t` the
    noise-free gradient, both at step :math:`t` of :math:`T`):

    1. **diverged**: the run left the divergence box (see :mod:`lr_core.runner`), or its loss ends above where it
       started and kept rising through the second half (it would leave the box given more steps).
    2. **converged**: :math:`d_T \\le 10^{-4} d_0` (with gradient noise: the mean of :math:`d_t` over the last
       tenth of the run is :math:`\\le 0.05\\, d_0`); or the run came to rest (:math:`\\|g_T\\| \\le
       10^{-6}(1 + \\|g_0\\|)`) where the Hessian has no negative eigenvalue: a (possibly local) minimum.
    3. **stalled**: it came to rest where the Hessian has a negative eigenvalue (a saddle point), or the loss
       moved by less than 0.1% of the gap left to the minimum over the second half of the run (a plateau).
    4. **oscillating**: in the second half, consecutive steps reverse direction at least half of the time.
    5. **too slow**: still going down, but not there yet.
    """
    surface = traj.surface
    batch = traj.batch_shape
    last = traj.last_index
    x0, xT = traj.params[0], traj.params[-1]  # a diverged run is frozen at its last point
    g0 = np.linalg.norm(surface.grad(x0), axis=-1)
    gT = np.linalg.norm(surface.grad(xT), axis=-1)
    at_rest = gT <= 1e-6 * (1.0 + g0)
    negative_curvature = hessian_eigenvalues(surface, xT)[..., 0] < -1e-9

    steps = traj.steps
    half = steps // 2
    if len(surface.minima):
        d0 = distance_to_minimum(surface, x0)
        if noise > 0:
            tail = traj.params[steps - max(1, steps // 10) :]
            near = distance_to_minimum(surface, tail).mean(axis=0) <= 0.05 * d0
        else:
            near = distance_to_minimum(surface, xT) <= 1e-4 * d0
        near |= d0 == 0
        floor = surface.min_value
    else:
        near = np.zeros(batch, dtype=bool)
        floor = None

    moves = np.diff(traj.params[half:], axis=0)
    turns = (moves[1:] * moves[:-1]).sum(axis=-1) < 0
    moving = (np.abs(moves[1:]).sum(axis=-1) > 0) & (np.abs(moves[:-1]).sum(axis=-1) > 0)
    reversal = turns.sum(axis=0) / np.maximum(moving.sum(axis=0), 1)
    l_half, l_end = traj.losses[half], traj.losses[-1]
    gap = np.abs(l_half - floor) if floor is not None else np.abs(l_half) + 1e-12
    progress = np.abs(l_half - l_end)
    growing = (l_end > traj.losses[0]) & (l_end > l_half) & (np.diff(traj.losses[half:], axis=0) >= 0).all(axis=0)

    out = np.empty(batch, dtype=object)
    for idx in np.ndindex(*batch):
        out[idx] = _label_one(
            bool(traj.diverged[idx]),
            bool(growing[idx]),
            int(last[idx]),
            bool(near[idx]),
            bool(at_rest[idx]),
            bool(negative_curvature[idx]),
            float(reversal[idx]),
            float(progress[idx]),
            float(gap[idx]),
            xT[idx],
            float(traj.losses[-1][idx]),
            surface,
        )
    return out[()] if batch == () else out


def _label_one(
    diverged: bool,
    growing: bool,
    last: int,
    near: bool,
    at_rest: bool,
    negative_curvature: bool,
    reversal: float,
    progress: float,
    gap: float,
    x_end: np.ndarray,
    loss_end: float,
    surface: Surface,
) -> RunLabel:
    point = "(" + ", ".join(f"{v:.3g}" for v in np.atleast_1d(x_end)) + ")"
    if diverged:
        return RunLabel("diverged", f"the iterate ran off to {point} and was stopped at step {last}")
    if growing:
        return RunLabel("diverged", f"the loss grows every step (now L = {loss_end:.3g}): each step overshoots more")
    if near:
        return RunLabel("converged", f"it reached the minimum: θ = {point}, L = {loss_end:.3g}")
    if at_rest and not negative_curvature:
        return RunLabel("converged", f"it came to rest at a local minimum θ = {point} with L = {loss_end:.3g}")
    if at_rest:
        return RunLabel("stalled", f"the gradient vanished at the saddle point {point}: it is not a minimum")
    if reversal >= 0.5:
        return RunLabel("oscillating", f"it overshoots: {reversal:.0%} of its late steps reversed direction")
    if progress <= 1e-3 * gap:
        return RunLabel("stalled", "the loss has almost stopped changing far from the minimum (a plateau)")
    return RunLabel(
        "too slow", f"still descending at the last step (L = {loss_end:.3g}): it needs more steps or a larger η"
    )


# ------------------------------------------------------------------------------------------------ range test


@dataclass(frozen=True)
class RangeTest:
    """The learning-rate range test: ``lrs[k]`` was the rate of step ``k``, ``losses[k]`` the loss after it,
    ``smoothed`` their bias-corrected moving average; ``suggestion`` the proposed rate and ``rule`` how."""

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    suggestion: float
    rule: str
    stopped_at: int


def range_test(
    surface: Surface,
    x0: Any,
    *,
    optimizer: str = "sgd",
    lr_min: float = 1e-5,
    lr_max: float = 10.0,
    steps: int = 100,
    noise: float = 0.0,
    seed: int | None = 0,
    smoothing: float = 0.98,
    **hyperparams: Any,
) -> RangeTest:
    """Smith's learning-rate range test: one run whose rate grows exponentially from ``lr_min`` to ``lr_max``,
    :math:`\\eta_k = \\eta_{min} (\\eta_{max}/\\eta_{min})^{k/(K-1)}`, recording the loss after every step.

    The loss is smoothed, :math:`s_k = \\beta s_{k-1} + (1-\\beta) L_k`, :math:`\\hat s_k = s_k/(1-\\beta^{k+1})`;
    the test stops once :math:`\\hat s_k > 4 \\min_j \\hat s_j` (the loss is exploding) or the run diverges. The
    suggestion is the rate where :math:`\\hat s` falls fastest against :math:`\\log\\eta` (steepest descent), or,
    if it never falls, a tenth of the rate of the lowest loss.
    """
    lr_min = float(positive("lr_min", lr_min))
    lr_max = float(positive("lr_max", lr_max))
    if lr_max <= lr_min:
        raise ValueError(f"lr_max must exceed lr_min, got {lr_min!r} and {lr_max!r}")
    steps = positive_int("steps", steps)
    if steps < 5:
        raise ValueError(f"the range test needs at least 5 steps, got {steps}")
    beta = float(smoothing)
    if not 0 <= beta < 1:
        raise ValueError(f"smoothing must lie in [0, 1), got {smoothing!r}")
    schedule = exponential_decay(lr_min, (lr_max / lr_min) ** (1.0 / (steps - 1)))
    traj = run(surface, make_optimizer(optimizer, schedule, **hyperparams), x0, steps, noise=noise, seed=seed)
    lrs, losses = traj.lrs, traj.losses[1:]
    smoothed = np.empty(steps)
    avg = 0.0
    best = np.inf
    stop = steps
    for k in range(steps):
        avg = beta * avg + (1 - beta) * losses[k]
        smoothed[k] = avg / (1 - beta ** (k + 1))
        best = min(best, smoothed[k])
        diverged = traj.diverged_at >= 0 and k + 1 >= traj.diverged_at
        if k > 0 and (smoothed[k] > 4 * best or diverged):
            stop = k + 1
            break
    lrs, losses, smoothed = lrs[:stop], losses[:stop], smoothed[:stop]
    slopes = np.gradient(smoothed, np.log(lrs)) if stop >= 3 else np.zeros(stop)
    if stop >= 3 and slopes.min() < 0:
        k = int(slopes.argmin())
        rule = f"steepest descent of the smoothed loss, at step {k}"
        suggestion = float(lrs[k])
    else:
        k = int(smoothed.argmin())
        rule = "the loss never fell: a tenth of the rate at the lowest loss"
        suggestion = float(lrs[k]) / 10
    return RangeTest(lrs.copy(), losses.copy(), smoothed, suggestion, rule, stop)
