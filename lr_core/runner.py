r"""Run an optimizer on a surface, a whole batch of runs in one vectorized loop.

.. math:: \theta_{t+1} = \theta_t + \Delta_t, \qquad
          \Delta_t = \mathrm{update}\big(\nabla L(\theta_t) + \sigma\xi_t,\ \text{state},\ \theta_t,\ \eta_t\big),
          \qquad \xi_t \sim \mathcal N(0, I)

The batch shape is the broadcast of ``x0.shape[:-1]`` and the optimizer's array-valued hyperparameters.
:func:`run` records everything a lesson draws (path, losses, gradients, rates, optimizer internals);
:func:`sweep` keeps only the losses and the end point, so ten thousand runs fit the time of a slider move.

A run *diverges* at the first step whose point leaves the divergence box, the plotting box grown
:data:`DIVERGENCE_FACTOR` times about its centre (a point that is not finite leaves it too). The run is then
frozen at that point, clipped to the box, so nothing recorded is NaN or infinite.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lr_core._checks import as_float_array, non_negative, positive_int
from lr_core.optimizers import Optimizer
from lr_core.schedules import Schedule
from lr_core.surfaces import Surface

DIVERGENCE_FACTOR = 1e3
"""How many times the plotting box's half-width a point may stray from its centre before its run diverged."""

MAX_STEPS = 100_000

BLOCK_VALUES = 8192
"""At most this many values (64 KiB of float64) in one block of runs, so a step's temporaries stay in cache
and below glibc's 128 KiB mmap threshold. Measured on 2 cores (``benchmarks/engine.py``): a 10,000 x 500 SGD
sweep in one block took 113 ms, in blocks 86-98 ms; two threads over the blocks were slower (102-131 ms)."""


@dataclass(frozen=True)
class Trajectory:
    """Everything :func:`run` recorded, step by step, for every run of the batch.

    ``params[t]`` is :math:`\\theta_t` (``params[0]`` the start), ``losses[t] = L(\\theta_t)``, ``grads[t]``
    the (noisy) gradient used at step ``t`` to go from :math:`\\theta_t` to :math:`\\theta_{t+1}`, ``lrs[t]``
    its rate, and ``internals[name][t]`` the optimizer's quantity ``name`` after that step. ``diverged_at``
    is, per run, the index of the first point outside the divergence box, or -1.
    """

    surface: Surface = field(repr=False)
    optimizer: Optimizer = field(repr=False)
    params: np.ndarray = field(repr=False)
    losses: np.ndarray = field(repr=False)
    grads: np.ndarray = field(repr=False)
    lrs: np.ndarray = field(repr=False)
    internals: dict[str, np.ndarray] = field(repr=False)
    diverged_at: np.ndarray = field(repr=False)

    @property
    def steps(self) -> int:
        return self.losses.shape[0] - 1

    @property
    def batch_shape(self) -> tuple[int, ...]:
        return self.losses.shape[1:]

    @property
    def diverged(self) -> np.ndarray:
        return self.diverged_at >= 0

    @property
    def last_index(self) -> np.ndarray:
        """Per run, the index of the last point worth drawing: where it diverged, or the final step."""
        return np.where(self.diverged, self.diverged_at, self.steps)

    def copy(self) -> Trajectory:
        """The same runs in arrays of their own: a run cut from a large batch by :meth:`run` is a view that keeps
        the whole batch in memory; its copy keeps only itself (for what a cache holds)."""
        return Trajectory(
            self.surface,
            self.optimizer,
            self.params.copy(),
            self.losses.copy(),
            self.grads.copy(),
            self.lrs.copy(),
            {k: v.copy() for k, v in self.internals.items()},
            np.array(self.diverged_at),
        )

    def run(self, index: int | tuple[int, ...], optimizer: Optimizer | None = None) -> Trajectory:
        """The single run at batch ``index`` (views into this batch's arrays; see :meth:`copy`), with ``optimizer``
        as its own where given (the batch's holds every run's hyperparameters: a sweep's rates, say)."""
        idx = index if isinstance(index, tuple) else (index,)
        at = (slice(None), *idx)
        return Trajectory(
            self.surface,
            optimizer or self.optimizer,
            self.params[at],
            self.losses[at],
            self.grads[at],
            self.lrs[at],
            {k: v[at] for k, v in self.internals.items()},
            self.diverged_at[idx],
        )


@dataclass(frozen=True)
class Sweep:
    """What :func:`sweep` keeps: ``losses`` of shape ``(steps + 1, *batch)``, the ``final`` points and
    ``diverged_at`` (as in :class:`Trajectory`)."""

    surface: Surface = field(repr=False)
    optimizer: Optimizer = field(repr=False)
    losses: np.ndarray = field(repr=False)
    final: np.ndarray = field(repr=False)
    diverged_at: np.ndarray = field(repr=False)

    @property
    def steps(self) -> int:
        return self.losses.shape[0] - 1

    @property
    def diverged(self) -> np.ndarray:
        return self.diverged_at >= 0


def run(
    surface: Surface,
    optimizer: Optimizer,
    x0: Any,
    steps: int,
    *,
    noise: float = 0.0,
    seed: int | None = None,
) -> Trajectory:
    """Run ``optimizer`` on ``surface`` from ``x0`` (shape ``(..., dim)``) for ``steps`` steps, recording all.

    ``noise`` is the standard deviation :math:`\\sigma` of Gaussian noise added to every gradient coordinate,
    drawn from ``numpy.random.default_rng(seed)``: the stochastic-gradient setting.
    """
    job = _Job.make(surface, optimizer, x0, steps, noise, seed)
    n, dim = job.x0.shape
    rec = _Record(
        losses=np.empty((steps + 1, n)),
        final=np.empty((n, dim)),
        diverged_at=np.full(n, -1),
        params=np.empty((steps + 1, n, dim)),
        grads=np.empty((steps, n, dim)),
        internals={},
    )
    job.execute(rec)
    lrs = np.broadcast_to(job.lr_table, (steps, n))
    return Trajectory(
        surface,
        optimizer,
        job.shaped(rec.params),
        job.shaped(rec.losses),
        job.shaped(rec.grads),
        job.shaped(lrs),
        {k: job.shaped(v) for k, v in rec.internals.items()},
        job.shaped(rec.diverged_at, lead=0),
    )


def sweep(
    surface: Surface,
    optimizer: Optimizer,
    x0: Any,
    steps: int,
    *,
    noise: float = 0.0,
    seed: int | None = None,
) -> Sweep:
    """As :func:`run`, keeping only the losses, the end points and where runs diverged: for large batches,
    such as ``sweep(quadratic_2d(), sgd(lr=np.logspace(-3, 0, 10_000)), [2.0, -1.0], 500)``."""
    job = _Job.make(surface, optimizer, x0, steps, noise, seed)
    n, dim = job.x0.shape
    rec = _Record(losses=np.empty((steps + 1, n)), final=np.empty((n, dim)), diverged_at=np.full(n, -1))
    job.execute(rec)
    return Sweep(
        surface,
        optimizer,
        job.shaped(rec.losses),
        job.shaped(rec.final, lead=0),
        job.shaped(rec.diverged_at, lead=0),
    )


def rate_table(optimizer: Optimizer, steps: int, batch: tuple[int, ...]) -> np.ndarray:
    """The rate of every run at every optimizer step, ``(steps, n)`` over the flattened ``batch`` (``(steps, 1)``
    when one schedule serves every run): a number, an array over the batch, a schedule, or a stack of schedules
    (one per index of the batch's last axis)."""
    n = int(np.prod(batch))
    if isinstance(optimizer.lr, Schedule):
        table = np.asarray(optimizer.lr(np.arange(steps)), dtype=float)
        if table.ndim == 1:  # one schedule for every run
            return table[:, None]
        lead = (1,) * (len(batch) - (table.ndim - 1))  # batch axes before the stack's own
        return np.broadcast_to(table.reshape(steps, *lead, *table.shape[1:]), (steps, *batch)).reshape(steps, n)
    table = np.broadcast_to(np.asarray(optimizer.lr, dtype=float), batch).reshape(1, n)
    return np.broadcast_to(table, (steps, n))


def stack_states(states: list[Any], ndim: int) -> Any:
    """An optimizer's states after every step as one state whose arrays have a leading step axis: arrays stacked,
    numbers (a step count, NAdam's product of μ) as ``(steps, 1, ...)`` arrays that broadcast against ``ndim``
    more axes, absent parts ``None``; so ``optimizer.internals`` computes every step's internals in one call."""
    first = states[0]
    return type(first)(
        *(
            None
            if v is None
            else np.stack([st[i] for st in states])
            if isinstance(v, np.ndarray)
            else np.asarray([st[i] for st in states], dtype=float).reshape((-1,) + (1,) * ndim)
            for i, v in enumerate(first)
        )
    )


@dataclass
class _Record:
    """Output buffers over the flattened batch; ``None`` for what is not recorded."""

    losses: np.ndarray
    final: np.ndarray
    diverged_at: np.ndarray
    params: np.ndarray | None = None
    grads: np.ndarray | None = None
    internals: dict[str, np.ndarray] | None = None

    def block(self, rows: slice) -> _Record:
        """Views of the runs ``rows``, with an empty dict of internals of its own."""
        cut = lambda a: None if a is None else a[..., rows, :] if a.ndim == 3 else a[..., rows]
        return _Record(
            cut(self.losses),
            self.final[rows],
            self.diverged_at[rows],
            cut(self.params),
            cut(self.grads),
            None if self.internals is None else {},
        )


@dataclass(frozen=True)
class _Job:
    """A validated run: the flattened batch, the table of rates, the divergence box and the noise."""

    surface: Surface
    optimizer: Optimizer
    x0: np.ndarray  # (n, dim)
    batch: tuple[int, ...]
    lr_table: np.ndarray  # (steps, 1) or (steps, n)
    sigma: float
    seed: int | None
    lo: np.ndarray
    hi: np.ndarray

    @classmethod
    def make(cls, surface: Surface, optimizer: Optimizer, x0: Any, steps: int, noise: float, seed: int | None) -> _Job:
        x0 = as_float_array("x0", x0)
        if x0.ndim == 0 or x0.shape[-1] != surface.dim:
            raise ValueError(f"x0 must have {surface.dim} coordinate(s) for {surface.name}, got shape {x0.shape}")
        steps = positive_int("steps", steps)
        if steps > MAX_STEPS:
            raise ValueError(f"steps must be at most {MAX_STEPS}, got {steps}")
        sigma = float(non_negative("noise", noise))
        batch = np.broadcast_shapes(x0.shape[:-1], optimizer.batch_shape)
        n = int(np.prod(batch))
        lo = np.array([b[0] for b in surface.bounds])
        hi = np.array([b[1] for b in surface.bounds])
        mid, radius = (lo + hi) / 2, DIVERGENCE_FACTOR * (hi - lo) / 2
        flat_x0 = np.broadcast_to(x0, (*batch, surface.dim)).reshape(n, surface.dim)
        if np.any(np.abs(flat_x0 - mid) > radius):
            raise ValueError(f"x0 lies far outside the plotting box of {surface.name}")
        table = rate_table(optimizer, steps, batch)
        return cls(surface, optimizer, flat_x0, batch, table, sigma, seed, mid - radius, mid + radius)

    def shaped(self, a: np.ndarray, lead: int = 1) -> np.ndarray:
        """``a`` with its flattened batch axis (after ``lead`` axes) unflattened."""
        return a.reshape(a.shape[:lead] + self.batch + a.shape[lead + 1 :])

    def execute(self, rec: _Record) -> None:
        n, dim = self.x0.shape
        blocks = max(1, -(-n * dim // BLOCK_VALUES))
        rows = -(-n // blocks)
        cuts = [slice(a, min(a + rows, n)) for a in range(0, n, rows)]
        rng = np.random.default_rng(self.seed)
        if len(cuts) == 1:
            self._run_block(self.optimizer, cuts[0], rec, rng)
            return
        parts = []
        for cut in cuts:
            part = rec.block(cut)
            self._run_block(self.optimizer.take(self.batch, cut), cut, part, rng)
            parts.append(part.internals)
        if rec.internals is not None:  # each block computed its own: join them along the batch axis
            rec.internals.update({name: np.concatenate([p[name] for p in parts], axis=1) for name in parts[0]})

    def _run_block(self, optimizer: Optimizer, rows: slice, rec: _Record, rng: np.random.Generator) -> None:
        """Step the runs ``rows`` of the batch to the end, writing into ``rec`` (already cut to the block)."""
        surface, sigma = self.surface, self.sigma
        lrs = self.lr_table if self.lr_table.shape[1] == 1 else self.lr_table[:, rows]
        steps = lrs.shape[0]
        x = self.x0[rows]
        if rec.params is not None:
            rec.params[0] = x
        active = np.ones(len(x), dtype=bool)
        all_active = True  # the fast path: no run of the block has diverged yet
        lo_all, hi_all = self.lo.max(), self.hi.min()
        state = optimizer.init(x)
        states: list[Any] | None = [] if rec.internals is not None else None
        with np.errstate(all="ignore"):
            for t in range(steps):
                loss, g = surface.value_and_grad(x)
                rec.losses[t] = loss
                if sigma:
                    g = g + sigma * rng.standard_normal(g.shape)
                if rec.grads is not None:
                    rec.grads[t] = g
                lr = lrs[t][:, None]
                # a diverged run gets a zero rate, so its point stays frozen without masking every array
                lr_used = lr if all_active else lr * active[:, None]
                delta, state = optimizer.update(g, state, x, lr_used)
                x_new = x + delta
                if not (x_new.max() <= hi_all and x_new.min() >= lo_all):  # NaN fails this test too
                    x_new = self._freeze_diverged(x, x_new, active, rec.diverged_at, t + 1)
                    all_active = bool(active.all())
                if rec.params is not None:
                    rec.params[t + 1] = x_new
                if states is not None:
                    states.append(state)  # updates return new arrays, so keeping the state costs nothing
                x = x_new
                if not active.any():  # every run diverged: hold the frozen points to the end
                    rec.losses[t + 1 :] = surface.value(x)
                    if rec.params is not None:
                        rec.params[t + 2 :] = x
                        rec.grads[t + 1 :] = 0.0
                    break
            else:
                rec.losses[steps] = surface.value(x)
        rec.final[...] = x
        if states:
            rec.internals.update(self._internals(optimizer, states, lrs, rec.diverged_at))

    @staticmethod
    def _internals(
        optimizer: Optimizer, states: list[Any], lrs: np.ndarray, diverged_at: np.ndarray
    ) -> dict[str, np.ndarray]:
        """The optimizer's internals after every step, computed once from the stacked states.

        A diverged run's internals stay at their last value before the step that left the box (zero if that was
        the first step), so nothing recorded is infinite.
        """
        first = states[0]
        stacked = stack_states(states, 2)
        steps_run = len(states)
        steps = lrs.shape[0]
        values = optimizer.internals(stacked, lrs[:steps_run, :, None])
        if not values:
            return {}
        t = np.arange(steps)[:, None]
        keep = (diverged_at < 0) | (t < diverged_at - 1)  # (steps, n): rows recorded before any divergence
        source = np.where(keep, t, np.maximum(diverged_at - 2, 0))
        out = {}
        dim = next(v for v in first if isinstance(v, np.ndarray)).shape[-1]
        none_diverged = bool(np.all(diverged_at < 0))
        for name, v in values.items():
            v = np.broadcast_to(v, (steps_run, len(diverged_at), dim))
            if none_diverged:  # the common case: nothing to hold back (and no copies of a large batch)
                out[name] = np.ascontiguousarray(v)
                continue
            full = np.zeros((steps, *v.shape[1:]))
            full[:steps_run] = v
            picked = np.take_along_axis(full, source[..., None], axis=0)
            zero = ~keep & (diverged_at - 2 < 0)
            out[name] = np.where(zero[..., None], 0.0, picked)
        return out

    def _freeze_diverged(
        self, x: np.ndarray, x_new: np.ndarray, active: np.ndarray, diverged_at: np.ndarray, step: int
    ) -> np.ndarray:
        """Mark the active runs whose new point left the divergence box; return the points to record.

        A newly diverged run keeps its new point clipped to the box (its old point if the new one is not
        finite); runs that diverged before keep their old point. ``active`` and ``diverged_at`` are updated.
        """
        inside = np.all((x_new >= self.lo) & (x_new <= self.hi), axis=-1)
        newly = active & ~inside
        diverged_at[newly] = step
        out = np.where(inside[:, None], x_new, x)
        jump = x_new[newly]
        out[newly] = np.where(np.isfinite(jump), np.clip(jump, self.lo, self.hi), x[newly])
        active &= inside
        return out
