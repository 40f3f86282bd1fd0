r"""Online problems: a loss that changes with every step, the setting in which AdaGrad (Duchi, Hazan and Singer,
2011) and AMSGrad (Reddi, Kale and Kumar, 2018) were analysed.

At step :math:`t = 1, 2, \dots` the optimizer sees the gradient of that step's loss :math:`f_t` (one example of a
data stream, or one loss of an adversary's sequence) and its point is projected back onto the feasible set
:math:`\mathcal F` (a box, or all of :math:`\mathbb R^d`):

.. math:: g_t = \nabla f_t(\theta_{t-1}), \qquad
          \theta_t = \Pi_{\mathcal F}\big(\theta_{t-1} + \Delta_t\big), \qquad
          \Delta_t = \mathrm{update}(g_t,\ \text{state},\ \theta_{t-1},\ \eta_t)

with the same optimizers (:mod:`lr_core.optimizers`) and schedules as the surfaces' runner. What a figure
shows is the *average* loss :math:`\bar f(\theta) = \mathbb E_t f_t(\theta)` and the distance to its minimum
:math:`\theta^*`. A run may follow several independent streams at once (a leading axis of every record); the
runs of one stream (rates, say) all see its examples, so they are compared on the same data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from lr_core._checks import as_float_array, in_unit_interval, non_negative, positive_int
from lr_core.optimizers import Optimizer
from lr_core.runner import MAX_STEPS, rate_table, stack_states

GradFn = Callable[[int, np.ndarray, np.random.Generator], np.ndarray]

DIVERGENCE = 1e6
"""How far a coordinate may stray from 0 before its run diverged (and stops where it was)."""


@dataclass(frozen=True)
class OnlineProblem:
    """A stream of losses: ``grad(t, θ, rng)`` is :math:`\\nabla f_t(\\theta)` at step ``t`` (from 1) for points
    ``θ`` of shape ``(streams, n, dim)``, drawing one example per stream from ``rng``; ``average`` is
    :math:`\\bar f`; ``minimum`` its minimizer :math:`\\theta^*` on the feasible ``box`` (``None``: unconstrained);
    ``latex`` states :math:`f_t`."""

    name: str
    title: str
    dim: int
    latex: str
    grad: GradFn = field(repr=False)
    average: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    minimum: np.ndarray = field(repr=False)
    box: tuple[tuple[float, float], ...] | None = None

    def project(self, theta: np.ndarray) -> np.ndarray:
        """:math:`\\Pi_{\\mathcal F}(\\theta)`: the nearest point of the box (each coordinate clipped)."""
        if self.box is None:
            return theta
        lo, hi = self._corners
        return np.minimum(np.maximum(theta, lo), hi)  # np.clip's checks cost more than the clip, every step

    @cached_property
    def _corners(self) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = np.array(self.box, dtype=float).T
        return lo, hi


def reddi(c: float = 3.0) -> OnlineProblem:
    r"""The counterexample of Reddi, Kale and Kumar (2018, Theorem 1) on :math:`\mathcal F = [-1, 1]`:

    .. math:: f_t(\theta) = \begin{cases} C\theta & t \bmod 3 = 1 \\ -\theta & \text{otherwise,} \end{cases}
              \qquad C > 2

    Over each three steps the losses add up to :math:`(C - 2)\theta`, so :math:`\bar f(\theta) = (C-2)\theta/3`
    and the best point is :math:`\theta^* = -1`. With :math:`\beta_1 = 0` and :math:`\beta_2 = 1/(1 + C^2)`, Adam's
    :math:`v` forgets the rare large gradient :math:`C` within a step, so each of the two steps of gradient
    :math:`-1` that follow is about as long as the step of gradient :math:`C`: Adam drifts to :math:`+1`, the worst
    point. AMSGrad divides by the largest :math:`v` seen, so the rare large gradient keeps its weight."""
    c = float(as_float_array("C", c))
    if not c > 2:
        raise ValueError(f"C must be > 2 (else θ = −1 is not the best point), got {c:g}")

    def grad(t: int, theta: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return np.full(theta.shape, c if t % 3 == 1 else -1.0)

    return OnlineProblem(
        name="reddi",
        title="Reddi, Kale and Kumar's counterexample",
        dim=1,
        latex=rf"f_t(\theta) = {c:g}\,\theta \text{{ if }} t \bmod 3 = 1, \text{{ else }} -\theta,"
        r"\quad \theta \in [-1, 1]",
        grad=grad,
        average=lambda theta: (c - 2) * theta[..., 0] / 3,
        minimum=np.array([-1.0]),
        box=((-1.0, 1.0),),
    )


def sparse_regression(
    rare: float = 0.05, target: tuple[float, float] = (1.0, 1.0), label_noise: float = 0.0
) -> OnlineProblem:
    r"""Least squares on a stream of examples with one common and one rare feature: at each step one example
    :math:`x_t = (u_t,\ b_t v_t)` with :math:`u_t, v_t \sim \mathcal N(0, 1)` and :math:`b_t = 1` with probability
    :math:`p` (``rare``), else 0, its label :math:`y_t = w^{*\top} x_t + \sigma\epsilon_t` (``label_noise``
    :math:`\sigma`, :math:`\epsilon_t \sim \mathcal N(0, 1)`), and

    .. math:: f_t(w) = \tfrac12 (w^\top x_t - y_t)^2, \qquad \nabla f_t(w) = (w^\top x_t - y_t)\, x_t,
              \qquad \bar f(w) = \tfrac12\big((w_1 - w^*_1)^2 + p\,(w_2 - w^*_2)^2 + \sigma^2\big)

    The rare feature's gradient is zero in all but a fraction :math:`p` of the steps, so its expected curvature is
    :math:`p` against the common feature's 1: a single rate small enough for the common feature barely moves the
    rare one. The course's "benefits sparse data": AdaGrad divides each coordinate by the root of *its own* summed
    squared gradients, which stay small for the rare one, so its rate stays large."""
    p = float(in_unit_interval("rare", rare))
    if p == 0:
        raise ValueError("the rare feature must appear sometimes: give it a probability > 0")
    sigma = float(non_negative("label_noise", label_noise))
    w_star = as_float_array("target", target)
    if w_star.shape != (2,):
        raise ValueError(f"target must be a pair (w₁*, w₂*), got {target!r}")

    def grad(t: int, w: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        k = w.shape[0]  # one example per stream, the same for every run of it
        u, v, e = rng.standard_normal((3, k, 1))
        x = np.stack([u, np.where(rng.random((k, 1)) < p, v, 0.0)], axis=-1)  # (streams, 1, 2)
        return (((w - w_star) * x).sum(axis=-1, keepdims=True) - sigma * e[..., None]) * x

    return OnlineProblem(
        name="sparse_regression",
        title="Least squares with a rare feature",
        dim=2,
        latex=rf"f_t(w) = \tfrac12(w^\top x_t - y_t)^2,\quad x_t = (u_t,\ b_t v_t),\quad P(b_t = 1) = {p:g}",
        grad=grad,
        average=lambda w: 0.5 * ((w[..., 0] - w_star[0]) ** 2 + p * (w[..., 1] - w_star[1]) ** 2 + sigma**2),
        minimum=w_star,
    )


@dataclass(frozen=True)
class OnlineRun:
    """What :func:`run_online` recorded: ``params[t]`` is :math:`\\theta_t` (``params[0]`` the start), shape
    ``(steps + 1, streams, n, dim)``; ``losses[t]`` the average loss :math:`\\bar f(\\theta_t)`; ``grads[t]``
    the gradient :math:`g_{t+1}` of step ``t + 1``; ``deltas[t]`` the optimizer's step :math:`\\Delta_{t+1}`
    before the projection; ``lrs[t]`` its rate, ``(steps, n)``; ``internals[name][t]`` the optimizer's quantity
    after that step; ``diverged_at`` (``(streams, n)``) is, per run, the step at which it left the box
    :math:`|\\theta_i| \\le` :data:`DIVERGENCE`, where it then stays (-1: never)."""

    problem: OnlineProblem = field(repr=False)
    optimizer: Optimizer = field(repr=False)
    params: np.ndarray = field(repr=False)
    losses: np.ndarray = field(repr=False)
    grads: np.ndarray = field(repr=False)
    deltas: np.ndarray = field(repr=False)
    lrs: np.ndarray = field(repr=False)
    internals: dict[str, np.ndarray] = field(repr=False)
    diverged_at: np.ndarray = field(repr=False)

    @property
    def steps(self) -> int:
        return self.losses.shape[0] - 1

    @property
    def diverged(self) -> np.ndarray:
        return self.diverged_at >= 0

    @property
    def error(self) -> np.ndarray:
        """:math:`|\\theta_t - \\theta^*|` per coordinate, shape ``(steps + 1, streams, n, dim)``."""
        return np.abs(self.params - self.problem.minimum)


def run_online(
    problem: OnlineProblem, optimizer: Optimizer, x0: Any, steps: int, *, seed: int = 0, streams: int = 1
) -> OnlineRun:
    """Run ``optimizer`` on ``streams`` independent streams of ``problem`` from ``x0`` (shape ``(dim,)`` or
    ``(n, dim)``; the batch is its broadcast with the optimizer's array hyperparameters) for ``steps`` steps; the
    streams are drawn from ``numpy.random.default_rng(seed)``, one example per stream and step."""
    x0 = as_float_array("x0", x0)
    if x0.ndim == 0 or x0.shape[-1] != problem.dim:
        raise ValueError(f"x0 must have {problem.dim} coordinate(s) for {problem.name}, got shape {x0.shape}")
    steps, streams = positive_int("steps", steps), positive_int("streams", streams)
    if steps > MAX_STEPS:
        raise ValueError(f"steps must be at most {MAX_STEPS}, got {steps}")
    batch = np.broadcast_shapes(x0.shape[:-1], optimizer.batch_shape)
    if len(batch) > 1:
        raise ValueError(f"an online run takes one batch axis, got the batch shape {batch}")
    n, dim = int(np.prod(batch)), problem.dim
    x = problem.project(np.broadcast_to(x0, (streams, n, dim)).astype(float))
    lrs = rate_table(optimizer, steps, batch)
    params = np.empty((steps + 1, streams, n, dim))
    grads, deltas = np.empty((steps, streams, n, dim)), np.zeros((steps, streams, n, dim))
    params[0] = x
    rng = np.random.default_rng(seed)
    state, states, used = optimizer.init(x), [], []
    diverged_at = np.full((streams, n), -1)
    with np.errstate(all="ignore"):
        for t in range(steps):
            g = problem.grad(t + 1, x, rng)
            alive = (diverged_at < 0)[..., None]
            lr = np.broadcast_to(lrs[t], (n,))[:, None] * alive  # a diverged run stays put
            delta, state = optimizer.update(g, state, x, lr)
            x_new = problem.project(x + delta)
            away = ~(np.abs(x_new) <= DIVERGENCE).all(axis=-1) & alive[..., 0]  # NaN is away too
            if away.any():
                diverged_at[away] = t + 1
                x_new[away] = x[away]
            x = x_new
            params[t + 1], grads[t], deltas[t] = x, g, np.where((diverged_at < 0)[..., None], delta, 0.0)
            states.append(state)  # updates return new arrays: keeping a state costs nothing
            used.append(lr)
    lr_all = np.broadcast_to(lrs, (steps, n))
    internals = optimizer.internals(stack_states(states, 3), np.stack(used))  # each step's state, with its rate
    return OnlineRun(
        problem,
        optimizer,
        params,
        problem.average(params),
        grads,
        deltas,
        lr_all,
        {k: np.ascontiguousarray(np.broadcast_to(v, (steps, streams, n, dim))) for k, v in internals.items()},
        diverged_at,
    )
