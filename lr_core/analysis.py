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
from lr_core.schedules import Schedule, exponential_decay
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


def quadratic_losses(surface: Surface, x0: Any, lr: Any, steps: Any, noise: float = 0.0) -> np.ndarray:
    r"""The closed form of gradient descent's loss on a quadratic after steps ``0..steps`` (or after each of the
    steps in the array ``steps``), shape ``(len(steps), *lr.shape)``, expected over the gradient noise of standard
    deviation :math:`\sigma` (``noise``, as the runner adds it to each coordinate):

    .. math:: \mathbb E\,L(\theta_t) - L^* = \tfrac12 \sum_i \lambda_i \Big(c_i^2 r_i^{2t}
              + \eta^2\sigma^2 \sum_{k<t} r_i^{2k}\Big), \qquad r_i = 1 - \eta\lambda_i,
              \qquad c = Q^\top (\theta_0 - \theta^*)

    with :math:`H = Q \Lambda Q^\top` the (constant) Hessian and :math:`\theta^*` the minimum: each error mode
    shrinks by :math:`r_i` per step and gains the step's noise :math:`\eta\sigma\xi`, so for :math:`|r_i| < 1` the
    loss levels off at the floor :math:`\tfrac12\sum_i \lambda_i\eta^2\sigma^2/(1 - r_i^2) = \sum_i
    \eta\sigma^2/(2(2 - \eta\lambda_i))`: a larger rate is faster at first and settles higher.
    """
    lam, q = np.linalg.eigh(surface.hessian(surface.minima[0]))
    c = q.T @ (as_float_array("x0", x0) - surface.minima[0])
    lr = as_float_array("lr", lr)
    t = (np.arange(steps + 1) if np.ndim(steps) == 0 else np.asarray(steps)).reshape((-1,) + (1,) * (lr.ndim + 1))
    r2 = (1.0 - lr[..., None] * lam) ** 2
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        modes = 0.5 * lam * c**2 * r2**t
        if noise:
            geometric = np.where(r2 == 1.0, t, (1.0 - r2**t) / (1.0 - r2))  # Σ_{k<t} r^{2k}
            modes = modes + 0.5 * lam * (lr[..., None] * float(noise)) ** 2 * geometric
    return modes.sum(axis=-1)


def noise_floor(surface: Surface, lr: Any, noise: float) -> np.ndarray:
    r"""Where gradient descent's expected loss on a quadratic levels off under gradient noise :math:`\sigma`, the
    limit of :func:`quadratic_losses` for :math:`|1 - \eta\lambda_i| < 1`:

    .. math:: \lim_{t\to\infty} \mathbb E\,L(\theta_t) - L^* = \sum_i \frac{\eta\sigma^2}{2(2 - \eta\lambda_i)}

    (infinite where a rate is not below :math:`2/\lambda_i`: the loss grows without bound)."""
    lam = np.linalg.eigvalsh(surface.hessian(surface.minima[0]))
    lr = as_float_array("lr", lr)[..., None]
    with np.errstate(divide="ignore"):
        floors = np.where(lr * lam < 2, lr * float(noise) ** 2 / (2 * (2 - lr * lam)), np.inf)
    return floors.sum(axis=-1)


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

CONVERGED_TOL = 1e-3
"""A run has converged when it ends within this fraction of its starting distance from a minimum."""
PLATEAU = 1e-2
"""A run is on a plateau when, at its final slope, walking straight across the whole plot would lower the loss by
less than this fraction of the gap left to the minimum: :math:`\\|g_T\\| D \\le p\\,(L_T - L^*)`, with
:math:`D` the plot's widest side."""

LABELS = ("converged", "oscillating", "diverged", "unbounded", "stalled", "too slow", "undecided")
"""The labels, one per run, derived from the facts of a :class:`Verdict` in this order of precedence: diverged,
unbounded, stalled, converged, oscillating, too slow, undecided."""

OUTCOMES: dict[str, tuple[str, Any]] = {
    "smooth": ("It converges without overshooting the minimum.", lambda v: v.converged and not v.oscillating),
    "overshooting": (
        "It converges, overshooting the minimum back and forth on the way.",
        lambda v: v.converged and v.oscillating,
    ),
    "slow": (
        "It is still approaching from one side when the steps run out: too slow.",
        lambda v: v.slow and not v.oscillating,
    ),
    "zigzag": (
        "It is still zigzagging towards the minimum when the steps run out.",
        lambda v: v.slow and v.oscillating,
    ),
    "bouncing": (
        "It bounces back and forth without getting any closer.",
        lambda v: v.oscillating and not (v.converged or v.slow or v.diverged or v.unbounded or v.stalled),
    ),
    "diverged": ("It diverges: the error grows.", lambda v: v.diverged),
    "unbounded": ("The loss keeps falling without bound: there is no minimum to reach.", lambda v: v.unbounded),
    "stalled": ("It stalls where the gradient vanishes, short of any minimum.", lambda v: v.stalled),
}
"""Outcomes a student can predict, each a statement about a :class:`Verdict`'s facts. They are mutually exclusive:
no run makes two of them true."""


@dataclass(frozen=True)
class Verdict:
    """What happened to one run, as independent facts, and the label, reason and advice derived from them.

    The *fate* facts exclude one another: ``diverged`` (it left every bound, overflowed, or moves away from the
    minimum, growing), ``unbounded`` (the loss fell below anything on the plot with no minimum to reach),
    ``stalled`` (the gradient vanished away from any minimum: a plateau, saddle point or maximum, named in
    ``where``), ``converged`` (within :data:`CONVERGED_TOL` of a minimum at the end, or at rest at a local
    minimum), ``slow`` (still approaching a minimum when the budget ended). ``oscillating`` (the error changes
    sign along some direction) may hold with any of them. ``label`` is one of :data:`LABELS`.
    """

    converged: bool
    oscillating: bool
    diverged: bool
    unbounded: bool
    stalled: bool
    slow: bool
    label: str
    reason: str
    advice: str = ""
    where: str = ""

    @property
    def outcome(self) -> str:
        """The one :data:`OUTCOMES` key true of this run (``""`` if none is)."""
        true = [k for k, (_, holds) in OUTCOMES.items() if holds(self)]
        return true[0] if true else ""

    @property
    def sentence(self) -> str:
        """The label as the end of "This run ...": "converged", "is too slow", "stalled at a saddle point"."""
        return {
            "too slow": "is too slow",
            "oscillating": "is oscillating",
            "unbounded": "ran off downhill without bound",
            "undecided": "neither converged nor diverged",
            "stalled": f"stalled at a {self.where}" if self.where else "stalled",
        }.get(self.label, self.label)


def classify(traj: Trajectory, *, noise: float = 0.0) -> Verdict | np.ndarray:
    """The :class:`Verdict` of every run of ``traj``: one for a single run, else an object array of them with the
    batch's shape. ``noise`` is the gradient noise the runs had (a noisy run converges to a noise floor).

    With :math:`d_t` the distance to the nearest known minimum and :math:`g_t` the noise-free gradient at
    step :math:`t` of :math:`T`:

    - **diverged**: the run left the divergence box (see :mod:`lr_core.runner`); or its loss ends above where it
      started and rose through the second half; or, for a plain gradient step on a quadratic,
      :math:`|1 - \\eta\\lambda| > 1` along a direction the error still has.
    - **unbounded**: no minimum exists, and the loss fell below the lowest value on the plot.
    - **converged**: :math:`d_T \\le` :data:`CONVERGED_TOL` :math:`d_0` (with noise: the mean of :math:`d_t` over the
      last tenth is :math:`\\le 0.05\\, d_0`), or the run is at rest (:math:`\\|g_T\\| \\le 10^{-6}(1 + \\|g_0\\|)`)
      where the Hessian is positive definite: a local minimum.
    - **stalled**: on a plateau (:data:`PLATEAU`: slope and curvature almost nothing next to the loss left to
      lose), or at rest where the Hessian is not positive definite: a saddle point (mixed signs) or a maximum
      (all negative).
    - **slow**: none of these, and the loss ended below where it started, still falling in the second half.
    - **oscillating**: along an eigenvector of the Hessian at the nearest minimum, the error changes sign in at
      least half of the consecutive steps (with noise: 80%), or consecutive steps reverse direction as often.
    """
    batch = traj.batch_shape
    out = np.empty(batch, dtype=object)
    for idx in np.ndindex(*batch):
        out[idx] = _verdict(traj.run(idx) if batch else traj, noise)
    return out[()] if batch == () else out


def _steps(n: int) -> str:
    return f"{n} step" if n == 1 else f"{n} steps"


def _point(x: np.ndarray) -> str:
    return "(" + ", ".join(f"{v:.3g}" for v in np.atleast_1d(x)) + ")"


def _sign_changes(values: np.ndarray, floor: float) -> tuple[int, int]:
    """Over consecutive pairs of ``values`` (steps on axis 0) both above ``floor`` in size: how many change sign,
    and how many there are, per column."""
    a, b = values[:-1], values[1:]
    valid = (np.abs(a) > floor) & (np.abs(b) > floor)
    return ((a * b < 0) & valid).sum(axis=0), valid.sum(axis=0)


def _verdict(traj: Trajectory, noise: float) -> Verdict:
    surface, last, left = traj.surface, int(traj.last_index), bool(traj.diverged)
    steps = traj.steps
    path = traj.params[: last + 1]
    losses = traj.losses[: last + 1]
    x0, xT = path[0], path[-1]
    g0, gT = float(np.linalg.norm(surface.grad(x0))), float(np.linalg.norm(surface.grad(xT)))
    curv = np.linalg.eigvalsh(surface.hessian(xT))
    at_rest = gT <= 1e-6 * (1.0 + g0)
    positive_definite = bool(curv.min() > 1e-12 * max(1.0, float(np.abs(curv).max())))
    mid = min(last, max(0, last // 2))
    noisy = noise > 0
    share = 0.8 if noisy else 0.5

    # -- distances to the nearest minimum, and the error along the Hessian's eigenvectors there
    has_minima = len(surface.minima) > 0
    osc_share = 0.0
    if has_minima:
        d = distance_to_minimum(surface, path)
        d0, dT = float(d[0]), float(d[-1])
        star = surface.minima[np.argmin(((surface.minima - xT) ** 2).sum(axis=-1))]
        lam, q = np.linalg.eigh(surface.hessian(star))  # the oscillation and the closed form below both use them
        usable = path[:last] if left else path  # a run that left the box ends on a clipped point
        flips, pairs = _sign_changes((usable - star) @ q, 1e-9 * max(d0, 1e-300))
        shares = np.where(pairs > 0, flips / np.maximum(pairs, 1), 0.0)
        osc_share = float(shares.max()) if len(shares) else 0.0
    moves = np.diff(path[:last] if left else path, axis=0)
    if len(moves) >= 2:
        dots = (moves[1:] * moves[:-1]).sum(axis=-1)
        moving = (np.abs(moves[1:]).sum(axis=-1) > 0) & (np.abs(moves[:-1]).sum(axis=-1) > 0)
        osc_share = max(osc_share, float(((dots < 0) & moving).sum() / max(moving.sum(), 1)))
    oscillating = osc_share >= share

    # -- fate: unbounded, diverged, converged, stalled, slow (at most one holds)
    falling = losses[-1] < losses[max(0, last - 1)] or left
    unbounded = not has_minima and not at_rest and falling and losses[-1] < _lowest_on_plot(surface)
    growing = bool(
        losses[-1] > losses[0] and losses[-1] > losses[mid] and np.all(np.diff(traj.losses[steps // 2 :]) >= 0)
    )
    unstable = ""
    plain_quadratic = surface.constant_hessian and "plain_gradient_step" in traj.optimizer.capabilities
    if has_minima and not noisy and plain_quadratic and last >= 1:
        rate = float(traj.lrs[last - 1])
        error = (xT - star) @ q
        grows = (np.abs(1 - rate * lam) > 1 + 1e-12) & (np.abs(error) > 1e-12 * max(d0, 1e-300))
        if grows.any():
            k = int(np.argmax(np.where(grows, np.abs(1 - rate * lam), 0)))
            unstable = (
                f"η = {rate:.3g} is above 2/λ = {2 / lam[k]:.3g}: along that direction every step multiplies "
                f"the error by |1 − ηλ| = {abs(1 - rate * lam[k]):.3g} > 1"
            )
    diverged = not unbounded and (left or growing or bool(unstable))
    if has_minima and not (diverged or unbounded):
        if noisy:
            tail = distance_to_minimum(surface, traj.params[steps - max(1, steps // 10) :])
            near = d0 > 0 and float(tail.mean()) <= 0.05 * d0
            approaching = float(tail.mean()) < d0
        else:
            near = dT <= CONVERGED_TOL * d0
            approaching = losses[-1] < losses[0] and losses[-1] <= losses[mid]
    else:
        near = approaching = False
    converged = not (diverged or unbounded) and (near or (at_rest and positive_definite))
    where = ""
    if not (diverged or unbounded or converged):
        gap, extent = (float(losses[-1]) - surface.min_value if has_minima else 0.0), surface.extent
        if at_rest and np.all(curv < 0):
            where = "maximum"
        elif at_rest and not positive_definite:
            where = "saddle point"
        elif gap > 0 and gT * extent <= PLATEAU * gap:
            where = "plateau"
    stalled = bool(where)
    slow = not (diverged or unbounded or converged or stalled) and approaching

    # -- the label, the reason and the advice, from the facts alone
    point, loss_end = _point(xT), float(losses[-1])
    peak = float(losses.max())
    rose = peak > losses[0] + 1e-9 * abs(losses[0]) + 1e-12  # some step went uphill
    zig = " while overshooting it back and forth" if oscillating else ""
    if diverged:
        label = "diverged"
        if left:
            reason = f"the iterate ran off to {point} and was stopped at step {last}"
        elif unstable:
            reason = unstable
        else:
            reason = f"the loss grows every step (now {loss_end:.3g})"
        advice = "Lower η: each step overshoots by more than it corrects."
    elif unbounded:
        label = "unbounded"
        reason = f"the loss kept falling (now {loss_end:.3g}) on a surface with no minimum"
        advice = "No learning rate fixes this: the loss has no minimum to converge to."
    elif stalled:
        label = "stalled"
        reason = {
            "plateau": f"the gradient is almost zero (‖∇L‖ = {gT:.2g}) on a plateau, far from the minimum",
            "maximum": f"it sits on a maximum at {point}, where the gradient is zero",
            "saddle point": f"the gradient vanished at the saddle point {point}: not a minimum",
        }[where]
        advice = {
            "plateau": "A larger η, momentum or an adaptive method (which divides by the gradient's size) gets across.",
            "maximum": "Any push off it (noise, another start) rolls downhill.",
            "saddle point": "A small push off the ridge (noise, or another start) escapes it.",
        }[where]
    elif converged:
        label = "converged"
        if near:
            reason = f"it reached the minimum{zig}: θ = {point}, loss {loss_end:.3g}"
        else:
            reason = f"it came to rest at a local minimum θ = {point} with loss {loss_end:.3g}"
        advice = "A smaller η would approach without overshooting." if oscillating else ""
    elif oscillating:
        label = "oscillating"
        if slow:
            reason = (
                f"it zigzags towards the minimum, overshooting it every step, and was still "
                f"{dT:.3g} away after {_steps(steps)} (from {d0:.3g})"
            )
            advice = "More steps get it there; a smaller η damps the zigzag."
        else:
            reason = "it bounces back and forth without getting closer"
            advice = "A smaller η ends the bouncing."
    elif slow:
        label = "too slow"
        reason = f"still approaching the minimum after {_steps(steps)}: {dT:.3g} away, from {d0:.3g}"
        if rose:
            advice = (
                f"More steps would bring it closer. The loss rose to {peak:.3g} on the way, so a larger η is no remedy."
            )
        elif plain_quadratic:
            advice = "More steps or a larger η get it there."
        else:
            advice = "More steps would bring it closer; a larger η might too."
    else:
        label = "undecided"
        if has_minima:
            reason = f"it ended {dT:.3g} from the minimum, having started {d0:.3g} away"
        elif falling:
            reason = f"it was still going downhill (loss {loss_end:.3g}) on a surface with no minimum"
        else:
            reason = f"it ended at {point} with loss {loss_end:.3g}"
        advice = f"The loss rose to {peak:.3g} on the way: a smaller η would not overshoot so far." if rose else ""
    return Verdict(converged, oscillating, diverged, unbounded, stalled, slow, label, reason, advice, where)


def _lowest_on_plot(surface: Surface) -> float:
    """The lowest loss on the plotting box (its corners and a coarse grid): below it, a run on a surface with no
    minimum has left everything the figure shows behind."""
    from lr_core.surfaces import curve, grid

    values = curve(surface, 201)[1] if surface.dim == 1 else grid(surface, 41)[2]
    return float(np.min(values))


# ------------------------------------------------------------------------------------------------ range test


RANGE_RULES = {
    "steepest": "steepest descent of the smoothed loss",
    "minimum": "a tenth of the rate at the smoothed loss's minimum",
    "valley": "two thirds down the longest stretch of falling loss",
}
"""The three suggestion rules users meet in fastai's and torch-lr-finder's range tests."""


@dataclass(frozen=True)
class RangeTest:
    """The learning-rate range test: ``lrs[k]`` was the rate of step ``k``, ``losses[k]`` the loss after it,
    ``smoothed`` their debiased moving average; ``suggestions`` one rate per rule of
    :data:`RANGE_RULES`, and ``at_edge`` the rules whose rate lies in the last 5% of the steps tested.
    ``exploded`` says whether the loss blew up (or the run diverged) before the end: if not, the test has not
    found where the useful range ends, and its suggestions are unreliable."""

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    suggestions: dict[str, float]
    at_edge: tuple[str, ...]
    exploded: bool
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
    smoothing: float = 0.8,
    **hyperparams: Any,
) -> RangeTest:
    """Smith's learning-rate range test: one run whose rate grows exponentially from ``lr_min`` to ``lr_max``,
    :math:`\\eta_k = \\eta_{min} (\\eta_{max}/\\eta_{min})^{k/(K-1)}`, recording the loss after every step.

    The loss is smoothed and debiased, :math:`s_k = \\beta s_{k-1} + (1-\\beta) L_k`,
    :math:`\\hat s_k = s_k/(1-\\beta^{k+1})` (a short window, :math:`\\beta = 0.8`: fastai's 0.98 lags some 50 steps
    behind a falling loss in a test of 120); the test stops once :math:`\\hat s_k > 4 \\min_j \\hat s_j` (the loss
    is exploding) or the run diverges. The suggestions (:data:`RANGE_RULES`): the rate where :math:`\\hat s` falls
    fastest against :math:`\\log\\eta`; a tenth of the rate at its minimum; and fastai's valley, two thirds down the
    longest run of falling :math:`\\hat s`.
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
    optimizer_ = make_optimizer(optimizer, ramp(lr_min, lr_max, steps), **hyperparams)
    traj = run(surface, optimizer_, x0, steps, noise=noise, seed=seed)
    losses = traj.losses[1:].copy()
    if traj.diverged_at >= 0:
        losses[traj.diverged_at :] = np.inf  # the run left the box: the test stops there
    return read_range_test(traj.lrs, losses, smoothing=beta)


def ramp(lr_min: float, lr_max: float, steps: int) -> Schedule:
    """The range test's exponential ramp, :math:`\\eta_k = \\eta_{min} (\\eta_{max}/\\eta_{min})^{k/(K-1)}`."""
    return exponential_decay(lr_min, (lr_max / lr_min) ** (1.0 / (steps - 1)))


def read_range_test(lrs: np.ndarray, losses: np.ndarray, *, smoothing: float = 0.8) -> RangeTest:
    """Read a range test: ``losses[k]`` is the loss after the step at rate ``lrs[k]`` (a non-finite loss: the run
    diverged there). Smooths and debiases the losses, stops where the smoothed loss passes four times its best
    or the loss is not finite, and applies the three rules of :data:`RANGE_RULES` (see :func:`range_test`)."""
    steps, beta = len(lrs), float(smoothing)
    smoothed = np.empty(steps)
    avg, best, stop, exploded = 0.0, np.inf, steps, False
    for k in range(steps):
        if not np.isfinite(losses[k]):
            stop, exploded = max(k, 1), True
            break
        avg = beta * avg + (1 - beta) * losses[k]
        smoothed[k] = avg / (1 - beta ** (k + 1))
        best = min(best, smoothed[k])
        if k > 0 and smoothed[k] > 4 * best:
            stop, exploded = k + 1, True
            break
    edge = lrs[int(0.95 * (steps - 1))]
    lrs, losses, smoothed = lrs[:stop], losses[:stop], smoothed[:stop]
    suggestions = {
        "steepest": float(lrs[int(np.argmin(np.gradient(smoothed, np.log(lrs))))]) if stop >= 3 else float(lrs[0]),
        "minimum": float(lrs[int(np.argmin(smoothed))]) / 10,
        "valley": float(lrs[_valley(smoothed)]),
    }
    at_edge = tuple(rule for rule, lr in suggestions.items() if lr >= edge)
    return RangeTest(lrs.copy(), losses.copy(), smoothed, suggestions, at_edge, exploded, stop)


def _valley(values: np.ndarray) -> int:
    """fastai's valley rule: the index two thirds of the way down the longest strictly falling subsequence."""
    n = len(values)
    longest = [1] * n
    start = end = 0
    for i in range(1, n):
        for j in range(i):
            if values[i] < values[j] and longest[i] < longest[j] + 1:
                longest[i] = longest[j] + 1
        if longest[i] > longest[end]:
            end, start = i, i - longest[i] + 1
    third = (end - start) / 3
    return min(n - 1, start + int(third) + int(third / 2))


# ------------------------------------------------------------------------------------------ learning curves


def best_epoch(val_loss: np.ndarray) -> np.ndarray | int:
    """Early stopping's pick: the epoch (index along axis 0) of the lowest validation loss, a NaN (a run that had
    diverged) never chosen; 0 if the loss never improved."""
    return np.argmin(np.where(np.isnan(val_loss), np.inf, val_loss), axis=0)


CURVE_LABELS = ("diverged", "did not learn", "too slow", "overfitting", "unstable", "good fit")
"""The labels of a learning curve (:func:`judge_curve`), in their order of precedence."""


@dataclass(frozen=True)
class CurveVerdict:
    """What one training run's learning curves show, as facts, and the label and reason derived from them.

    ``best_epoch`` is early stopping's pick (lowest validation loss); ``gap`` the validation minus the training
    loss at the end (NaN if the run diverged)."""

    diverged: bool
    learned: bool
    overfitting: bool
    unstable: bool
    slow: bool
    best_epoch: int
    gap: float
    label: str
    reason: str

    @property
    def sentence(self) -> str:
        """The label as the end of "This run ...": "was a good fit", "overfit"."""
        return {"did not learn": "did not learn", "diverged": "diverged", "overfitting": "overfit"}.get(
            self.label, f"was {self.label}"
        )


SLOW = 0.05
"""A run is still falling when, over the last fifth of its epochs, its training loss fell by more than this
fraction of all it fell."""
RISE = 0.05
"""A run overfits when its final validation loss is more than this fraction above its best while the training
loss kept falling."""
JUMP = 0.25
"""A run is unstable when its training loss rose, from one epoch to the next, by more than this fraction of the
loss it had lost so far."""


def judge_curve(train_loss: np.ndarray, val_loss: np.ndarray, diverged_at: int = -1) -> CurveVerdict:
    """The :class:`CurveVerdict` of one run's per-epoch losses (index 0 before training), ``diverged_at`` the epoch
    its loss blew up (-1: never). With :math:`E` epochs, :math:`L_e` the training and :math:`V_e` the
    validation loss:

    - **diverged**: ``diverged_at`` :math:`\\ge 0`.
    - **did not learn**: :math:`L_E > 0.9\\,L_0` and not too slow (it jumped about, or stood still).
    - **overfitting**: :math:`V_E > (1 + r) \\min_e V_e` (:data:`RISE`) at an epoch :math:`e^* < E`, while
      :math:`L_E < L_{e^*}`: the generalization gap grows.
    - **unstable**: for some epoch :math:`L_{e+1} - L_e > j\\,(L_0 - \\min_{k \\le e} L_k)` (:data:`JUMP`): the
      loss jumps back up by a good part of what it had learned.
    - **too slow**: :math:`L_{E-E/5} - L_E > s\\,(L_0 - L_E)` (:data:`SLOW`), falling in every one of those
      epochs, and not unstable: a steady fall, still under way.
    - **good fit** otherwise.
    """
    train_loss, val_loss = np.asarray(train_loss, float), np.asarray(val_loss, float)
    epochs = len(train_loss) - 1
    best = int(best_epoch(val_loss))
    diverged = diverged_at >= 0
    if diverged:
        reason = f"its training loss blew up (over {BLOWUP_NOTE}) in epoch {diverged_at}"
        return CurveVerdict(True, False, False, False, False, best, float("nan"), "diverged", reason)
    learned = bool(train_loss[-1] <= 0.9 * train_loss[0])
    gap = float(val_loss[-1] - train_loss[-1])
    overfitting = bool(
        best < epochs and val_loss[-1] > (1 + RISE) * val_loss[best] and train_loss[-1] < train_loss[best]
    )
    learned_so_far = train_loss[0] - np.minimum.accumulate(train_loss)[:-1]
    rises = np.diff(train_loss)
    jumps = np.flatnonzero((rises > JUMP * learned_so_far) & (learned_so_far > 0))
    unstable = bool(len(jumps))
    tail = max(1, epochs // 5)
    fall = train_loss[-1 - tail] - train_loss[-1]
    steady = bool(np.all(np.diff(train_loss[-1 - tail :]) < 0))
    slow = bool(fall > SLOW * (train_loss[0] - train_loss[-1]) > 0) and steady and not unstable
    if not learned and not slow:
        label = "did not learn"
        reason = f"its training loss ended at {train_loss[-1]:.3g}, no better than {train_loss[0]:.3g} before training"
    elif slow:
        label = "too slow"
        reason = (
            f"its training loss was still falling steadily at the end ({train_loss[-1 - tail]:.3g} → "
            f"{train_loss[-1]:.3g} over the last {tail} epochs): more epochs or a larger rate would help"
        )
    elif overfitting:
        label = "overfitting"
        reason = (
            f"its validation loss was lowest in epoch {best} ({val_loss[best]:.3g}) and has risen to "
            f"{val_loss[-1]:.3g} while the training loss kept falling: the generalization gap grows"
        )
    elif unstable:
        label = "unstable"
        reason = f"its training loss jumped back up in epoch {int(jumps[0]) + 1}, undoing much of what it had learned"
    else:
        label = "good fit"
        share = fall / (train_loss[0] - train_loss[-1])
        reason = (
            f"its training loss has flattened out (the last {tail} epochs brought {max(share, 0):.0%} of its whole "
            f"fall), ending at {train_loss[-1]:.3g}; validation loss {val_loss[-1]:.3g}, lowest in epoch {best}"
        )
    return CurveVerdict(False, learned, overfitting, unstable, slow, best, gap, label, reason)


BLOWUP_NOTE = "ten times its loss before training, or overflowing"


def good_range(lrs: np.ndarray, scores: np.ndarray, factor: float = 1.5) -> tuple[float, float]:
    """The good range of a sweep: the contiguous rates around the best one whose score is at most ``factor`` times
    the best (lower is better). Its width in decades, :math:`\\log_{10}(\\eta_{hi}/\\eta_{lo})`, measures how
    forgiving an optimizer is of the rate."""
    lrs, scores = np.asarray(lrs, dtype=float), np.asarray(scores, dtype=float)
    best = int(np.nanargmin(scores))
    ok = scores <= factor * scores[best]
    lo = hi = best
    while lo > 0 and ok[lo - 1]:
        lo -= 1
    while hi < len(lrs) - 1 and ok[hi + 1]:
        hi += 1
    return float(lrs[lo]), float(lrs[hi])
