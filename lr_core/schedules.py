r"""Learning-rate schedules: pure functions ``step -> lr``.

Each factory returns a :class:`Schedule`, a callable that maps an optimizer step :math:`t = 0, 1, 2, \dots`
(a number or a numpy array of them) to the learning rate :math:`\eta_t` used at that step. The values are
those that the matching ``torch.optim.lr_scheduler`` class gives at optimizer step ``t`` when
``scheduler.step()`` is called once after every ``optimizer.step()``; each schedule also carries that torch
expression, so a page can show the code a student would write.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lr_core._checks import in_unit_interval, non_negative, positive, positive_int
from lr_core.controls import Choice, Control, IntList, Number

StepFn = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Schedule:
    """A learning-rate schedule :math:`t \\mapsto \\eta_t`.

    ``fn`` takes a float array of whole, non-negative steps and returns the rates, element-wise.
    ``optimizer_lr`` is the ``lr`` to give the torch optimizer so that ``torch_expr`` reproduces it.
    ``warms_up`` says the schedule starts low and climbs by itself (no warmup goes in front of it);
    ``batch`` is ``(k,)`` for :func:`stack` of ``k`` schedules, whose rates have a last axis of length ``k``.
    """

    name: str
    params: Mapping[str, Any]
    fn: StepFn = field(repr=False)
    torch_expr: str
    optimizer_lr: float
    warms_up: bool = False
    batch: tuple[int, ...] = ()

    def __call__(self, step: Any) -> np.ndarray | float:
        t = _steps(step)
        out = self.fn(t)
        return float(out) if np.ndim(out) == 0 else out

    def torch_snippet(self) -> str:
        """A runnable PyTorch training-loop fragment with the equivalent scheduler."""
        return (
            "import torch\n\n"
            f"optimizer = torch.optim.SGD(model.parameters(), lr={_fmt(self.optimizer_lr)})\n"
            f"scheduler = {self.torch_expr}\n\n"
            "for step in range(num_steps):\n"
            "    optimizer.zero_grad()\n"
            "    loss_fn(model).backward()\n"
            "    optimizer.step()    # uses the rate of this step\n"
            "    scheduler.step()    # moves to the rate of the next step\n"
        )


def _steps(step: Any) -> np.ndarray:
    try:
        t = np.asarray(step, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"step must be a whole number >= 0, got {step!r}") from None
    if not np.all(np.isfinite(t)) or np.any(t < 0) or np.any(t != np.floor(t)):
        raise ValueError(f"step must be a whole number >= 0, got {step!r}")
    return t


def _fmt(x: float) -> str:
    """``x`` for generated code: short where that is exact, else every digit (code must round-trip)."""
    short = f"{x:.10g}"
    return short if float(short) == x else repr(float(x))


_LRS = "torch.optim.lr_scheduler"


def constant(lr: float) -> Schedule:
    r"""Constant rate: :math:`\eta_t = \eta`."""
    lr = float(non_negative("lr", lr))
    return Schedule(
        "constant",
        {"lr": lr},
        lambda t: np.full_like(t, lr),
        f"{_LRS}.LambdaLR(optimizer, lambda step: 1.0)",
        lr,
    )


def step_decay(base_lr: float, step_size: int, gamma: float = 0.1) -> Schedule:
    r"""Step decay (``StepLR``): :math:`\eta_t = \eta_0\,\gamma^{\lfloor t / s \rfloor}`."""
    base_lr = float(non_negative("base_lr", base_lr))
    step_size = positive_int("step_size", step_size)
    gamma = float(positive("gamma", gamma))
    return Schedule(
        "step_decay",
        {"base_lr": base_lr, "step_size": step_size, "gamma": gamma},
        lambda t: base_lr * gamma ** np.floor(t / step_size),
        f"{_LRS}.StepLR(optimizer, step_size={step_size}, gamma={_fmt(gamma)})",
        base_lr,
    )


def multistep(base_lr: float, milestones: Any, gamma: float = 0.1) -> Schedule:
    r"""Multi-step decay (``MultiStepLR``): the rate is multiplied by :math:`\gamma` at each milestone,
    :math:`\eta_t = \eta_0\,\gamma^{|\{m \in M : m \le t\}|}`."""
    base_lr = float(non_negative("base_lr", base_lr))
    try:
        marks = tuple(positive_int("milestones", m) for m in milestones)
    except TypeError:
        raise ValueError(f"milestones must be a list of whole numbers >= 1, got {milestones!r}") from None
    if not marks or list(marks) != sorted(set(marks)):
        raise ValueError(f"milestones must be increasing whole numbers >= 1, got {milestones!r}")
    gamma = float(positive("gamma", gamma))
    edges = np.array(marks, dtype=float)
    return Schedule(
        "multistep",
        {"base_lr": base_lr, "milestones": marks, "gamma": gamma},
        lambda t: base_lr * gamma ** np.searchsorted(edges, t, side="right"),
        f"{_LRS}.MultiStepLR(optimizer, milestones={list(marks)}, gamma={_fmt(gamma)})",
        base_lr,
    )


def exponential_decay(base_lr: float, gamma: float) -> Schedule:
    r"""Exponential decay (``ExponentialLR``): :math:`\eta_t = \eta_0\,\gamma^{t}`."""
    base_lr = float(non_negative("base_lr", base_lr))
    gamma = float(positive("gamma", gamma))
    return Schedule(
        "exponential_decay",
        {"base_lr": base_lr, "gamma": gamma},
        lambda t: base_lr * gamma**t,
        f"{_LRS}.ExponentialLR(optimizer, gamma={_fmt(gamma)})",
        base_lr,
    )


def polynomial_decay(base_lr: float, total_steps: int, power: float = 1.0) -> Schedule:
    r"""Polynomial decay (``PolynomialLR``): :math:`\eta_t = \eta_0\,(1 - \min(t, T)/T)^{p}`."""
    base_lr = float(non_negative("base_lr", base_lr))
    total_steps = positive_int("total_steps", total_steps)
    power = float(positive("power", power))
    return Schedule(
        "polynomial_decay",
        {"base_lr": base_lr, "total_steps": total_steps, "power": power},
        lambda t: base_lr * (1.0 - np.minimum(t, total_steps) / total_steps) ** power,
        f"{_LRS}.PolynomialLR(optimizer, total_iters={total_steps}, power={_fmt(power)})",
        base_lr,
    )


def inverse_sqrt(base_lr: float) -> Schedule:
    r"""Inverse square-root decay: :math:`\eta_t = \eta_0 / \sqrt{t + 1}`, the rate of the convergence proofs of
    AdaGrad and AMSGrad (their :math:`\alpha_t = \alpha/\sqrt t` with steps counted from 1); torch has no class
    of its own for it, so it is a ``LambdaLR``."""
    base_lr = float(non_negative("base_lr", base_lr))
    return Schedule(
        "inverse_sqrt",
        {"base_lr": base_lr},
        lambda t: base_lr / np.sqrt(t + 1.0),
        f"{_LRS}.LambdaLR(optimizer, lambda step: (step + 1) ** -0.5)",
        base_lr,
    )


def cosine_annealing(base_lr: float, t_max: int, eta_min: float = 0.0) -> Schedule:
    r"""Cosine annealing (``CosineAnnealingLR``).

    .. math:: \eta_t = \eta_{min} + \tfrac12(\eta_0 - \eta_{min})\left(1 + \cos\frac{\pi t}{T_{max}}\right)

    Past :math:`T_{max}` the cosine goes on, so the rate climbs back up as it does in torch; use
    :func:`cosine_warm_restarts` for a rate that jumps back to :math:`\eta_0`.
    """
    base_lr = float(non_negative("base_lr", base_lr))
    t_max = positive_int("t_max", t_max)
    eta_min = float(non_negative("eta_min", eta_min))
    return Schedule(
        "cosine_annealing",
        {"base_lr": base_lr, "t_max": t_max, "eta_min": eta_min},
        lambda t: eta_min + (base_lr - eta_min) * (1.0 + np.cos(np.pi * t / t_max)) / 2.0,
        f"{_LRS}.CosineAnnealingLR(optimizer, T_max={t_max}, eta_min={_fmt(eta_min)})",
        base_lr,
    )


def cosine_warm_restarts(base_lr: float, t_0: int, t_mult: int = 1, eta_min: float = 0.0) -> Schedule:
    r"""Cosine annealing with warm restarts, SGDR (``CosineAnnealingWarmRestarts``).

    Cycle :math:`i` lasts :math:`T_i = T_0\,m^{i}` steps; with :math:`T_{cur}` the steps since the last restart,

    .. math:: \eta_t = \eta_{min} + \tfrac12(\eta_0 - \eta_{min})\left(1 + \cos\frac{\pi T_{cur}}{T_i}\right)
    """
    base_lr = float(non_negative("base_lr", base_lr))
    t_0 = positive_int("t_0", t_0)
    t_mult = positive_int("t_mult", t_mult)
    eta_min = float(non_negative("eta_min", eta_min))

    def fn(t: np.ndarray) -> np.ndarray:
        if t_mult == 1:
            t_cur, t_i = np.mod(t, t_0), np.full_like(t, t_0)
        else:
            start = lambda n: t_0 * (t_mult**n - 1) / (t_mult - 1)
            n = np.floor(np.log(t / t_0 * (t_mult - 1) + 1) / math.log(t_mult))
            n = n + (t >= start(n + 1)) - (t < start(n))  # exact at cycle boundaries despite rounding
            t_cur, t_i = t - start(n), t_0 * float(t_mult) ** n
        return eta_min + (base_lr - eta_min) * (1.0 + np.cos(np.pi * t_cur / t_i)) / 2.0

    return Schedule(
        "cosine_warm_restarts",
        {"base_lr": base_lr, "t_0": t_0, "t_mult": t_mult, "eta_min": eta_min},
        fn,
        f"{_LRS}.CosineAnnealingWarmRestarts(optimizer, T_0={t_0}, T_mult={t_mult}, eta_min={_fmt(eta_min)})",
        base_lr,
    )


CYCLIC_MODES = ("triangular", "triangular2", "exp_range")


def cyclic(
    base_lr: float,
    max_lr: float,
    step_size_up: int,
    mode: str = "triangular",
    gamma: float = 1.0,
    step_size_down: int | None = None,
) -> Schedule:
    r"""Cyclical learning rate, Smith (2017) (``CyclicLR``).

    With cycle length :math:`C = s_{up} + s_{down}`, cycle number :math:`c = \lfloor 1 + t/C \rfloor`,
    position :math:`x = 1 + t/C - c` and :math:`r = s_{up}/C`:

    .. math::
        \eta_t = \eta_{base} + (\eta_{max} - \eta_{base})\,h(x)\,f, \qquad
        h(x) = \begin{cases} x/r & x \le r \\ (x-1)/(r-1) & x > r \end{cases}

    where :math:`f = 1` (``triangular``), :math:`f = 2^{1-c}` (``triangular2``) or
    :math:`f = \gamma^{t}` (``exp_range``).
    """
    base_lr = float(non_negative("base_lr", base_lr))
    max_lr = float(non_negative("max_lr", max_lr))
    up = positive_int("step_size_up", step_size_up)
    down = up if step_size_down is None else positive_int("step_size_down", step_size_down)
    gamma = float(positive("gamma", gamma))
    if mode not in CYCLIC_MODES:
        raise ValueError(f"mode must be one of {CYCLIC_MODES}, got {mode!r}")
    total = float(up + down)
    ratio = up / total

    def fn(t: np.ndarray) -> np.ndarray:
        cycle = np.floor(1.0 + t / total)
        x = 1.0 + t / total - cycle
        height = (max_lr - base_lr) * np.where(x <= ratio, x / ratio, (x - 1.0) / (ratio - 1.0))
        if mode == "triangular":
            scale = 1.0
        elif mode == "triangular2":
            scale = 1.0 / 2.0 ** (cycle - 1.0)
        else:
            scale = gamma**t
        return base_lr + height * scale

    down_arg = "" if step_size_down is None else f", step_size_down={down}"
    gamma_arg = f", gamma={_fmt(gamma)}" if mode == "exp_range" else ""
    return Schedule(
        "cyclic",
        {
            "base_lr": base_lr,
            "max_lr": max_lr,
            "step_size_up": up,
            "step_size_down": down,
            "mode": mode,
            "gamma": gamma,
        },
        fn,
        f"{_LRS}.CyclicLR(optimizer, base_lr={_fmt(base_lr)}, max_lr={_fmt(max_lr)}, "
        f"step_size_up={up}{down_arg}, mode={mode!r}{gamma_arg}, cycle_momentum=False)",
        base_lr,
        warms_up=True,
    )


def one_cycle(
    max_lr: float,
    total_steps: int,
    pct_start: float = 0.3,
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
    anneal_strategy: str = "cos",
    three_phase: bool = False,
) -> Schedule:
    r"""The 1cycle policy, Smith & Topin (2018) (``OneCycleLR``).

    The rate rises from :math:`\eta_{max}/d` to :math:`\eta_{max}` over the first ``pct_start`` of
    ``total_steps``, then anneals to :math:`\eta_{max}/(d\,d_f)`; between two phase ends
    :math:`(t_a, \eta_a) \to (t_b, \eta_b)` with :math:`p = (t - t_a)/(t_b - t_a)`:

    .. math:: \eta_t = \eta_b + \tfrac12(\eta_a - \eta_b)(1 + \cos \pi p) \quad\text{(cos)}, \qquad
              \eta_t = \eta_a + (\eta_b - \eta_a)\,p \quad\text{(linear)}

    Defined for :math:`0 \le t \le` ``total_steps``, as in torch.
    """
    max_lr = float(non_negative("max_lr", max_lr))
    total_steps = positive_int("total_steps", total_steps)
    pct_start = float(in_unit_interval("pct_start", pct_start, closed_right=True))
    div_factor = float(positive("div_factor", div_factor))
    final_div_factor = float(positive("final_div_factor", final_div_factor))
    if anneal_strategy not in ("cos", "linear"):
        raise ValueError(f"anneal_strategy must be 'cos' or 'linear', got {anneal_strategy!r}")
    initial_lr = max_lr / div_factor
    min_lr = initial_lr / final_div_factor
    if three_phase:
        phases = [
            (float(pct_start * total_steps) - 1, initial_lr, max_lr),
            (float(2 * pct_start * total_steps) - 2, max_lr, initial_lr),
            (total_steps - 1.0, initial_lr, min_lr),
        ]
    else:
        phases = [(float(pct_start * total_steps) - 1, initial_lr, max_lr), (total_steps - 1.0, max_lr, min_lr)]
    ends = [0.0, *(end for end, _, _ in phases)]
    if any(b <= a for a, b in itertools.pairwise(ends)):  # torch divides by the phase's length: 0/0
        raise ValueError(
            f"one_cycle's phases need at least one step each: pct_start = {pct_start:g} of {total_steps} steps "
            f"leaves {max(0.0, ends[1]):g}; raise pct_start or the steps (torch's OneCycleLR fails here too)"
        )

    def anneal(start: float, end: float, pct: np.ndarray) -> np.ndarray:
        if anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (np.cos(np.pi * pct) + 1)
        return (end - start) * pct + start

    def fn(t: np.ndarray) -> np.ndarray:
        if np.any(t > total_steps):
            raise ValueError(f"one_cycle is defined for steps 0..{total_steps}, got a step of {t.max():g}")
        out = np.empty_like(t)
        done = np.zeros(t.shape, dtype=bool)
        start_step = 0.0
        for i, (end_step, lr_a, lr_b) in enumerate(phases):
            here = ~done & ((t <= end_step) | (i == len(phases) - 1))
            with np.errstate(divide="ignore", invalid="ignore"):
                pct = (t - start_step) / (end_step - start_step)
            out = np.where(here, anneal(lr_a, lr_b, pct), out)
            done |= here
            start_step = end_step
        return out

    return Schedule(
        "one_cycle",
        {
            "max_lr": max_lr,
            "total_steps": total_steps,
            "pct_start": pct_start,
            "div_factor": div_factor,
            "final_div_factor": final_div_factor,
            "anneal_strategy": anneal_strategy,
            "three_phase": three_phase,
        },
        fn,
        f"{_LRS}.OneCycleLR(optimizer, max_lr={_fmt(max_lr)}, total_steps={total_steps}, "
        f"pct_start={_fmt(pct_start)}, div_factor={_fmt(div_factor)}, final_div_factor={_fmt(final_div_factor)}, "
        f"anneal_strategy={anneal_strategy!r}, three_phase={three_phase}, cycle_momentum=False)",
        max_lr,
        warms_up=True,
    )


def linear_warmup(base_lr: float, warmup_steps: int, start_factor: float = 1.0 / 3.0) -> Schedule:
    r"""Linear warmup (``LinearLR`` with ``end_factor=1``).

    .. math:: \eta_t = \eta_0\left(f_0 + (1 - f_0)\,\frac{\min(t, W)}{W}\right)
    """
    base_lr = float(non_negative("base_lr", base_lr))
    warmup_steps = positive_int("warmup_steps", warmup_steps)
    start_factor = _start_factor(start_factor)
    return Schedule(
        "linear_warmup",
        {"base_lr": base_lr, "warmup_steps": warmup_steps, "start_factor": start_factor},
        lambda t: base_lr * (start_factor + (1.0 - start_factor) * np.minimum(t, warmup_steps) / warmup_steps),
        f"{_LRS}.LinearLR(optimizer, start_factor={_fmt(start_factor)}, total_iters={warmup_steps})",
        base_lr,
        warms_up=True,
    )


def with_warmup(schedule: Schedule, warmup_steps: int, start_factor: float = 1.0 / 3.0) -> Schedule:
    r"""Put a linear warmup of ``warmup_steps`` in front of ``schedule``.

    .. math:: \eta_t = \begin{cases}
        \eta^{s}_0 \left(f_0 + (1-f_0)\,t/W\right) & t < W \\
        \eta^{s}_{t-W} & t \ge W \end{cases}

    where :math:`\eta^{s}` is the wrapped schedule, as ``SequentialLR([LinearLR, S], milestones=[W])`` does.
    Refused for a schedule that warms up by itself (:attr:`Schedule.warms_up`).
    """
    if schedule.warms_up:
        raise ValueError(
            f"{schedule.name} already starts low and ramps up (that is its warmup); "
            "a linear warmup goes in front of a schedule that starts at its peak"
        )
    warmup_steps = positive_int("warmup_steps", warmup_steps)
    start_factor = _start_factor(start_factor)
    target = float(schedule.fn(np.zeros(())))

    def fn(t: np.ndarray) -> np.ndarray:
        warm = target * (start_factor + (1.0 - start_factor) * t / warmup_steps)
        return np.where(t < warmup_steps, warm, schedule.fn(np.maximum(t - warmup_steps, 0.0)))

    torch_expr = (
        f"{_LRS}.SequentialLR(optimizer, schedulers=[\n"
        f"    {_LRS}.LinearLR(optimizer, start_factor={_fmt(start_factor)}, total_iters={warmup_steps}),\n"
        f"    {schedule.torch_expr},\n"
        f"], milestones=[{warmup_steps}])"
    )
    return Schedule(
        f"warmup+{schedule.name}",
        {**schedule.params, "warmup_steps": warmup_steps, "start_factor": start_factor},
        fn,
        torch_expr,
        schedule.optimizer_lr,
    )


def _start_factor(value: Any) -> float:
    f = float(positive("start_factor", value))
    if f > 1:
        raise ValueError(f"start_factor must lie in (0, 1], got {value!r}")
    return f


def stack(schedules: list[Schedule]) -> Schedule:
    r"""Several schedules as one, for a batch: ``stack([s_1, ..., s_k])(t)`` has a last axis of length ``k``,
    :math:`(\eta^{(1)}_t, \dots, \eta^{(k)}_t)`, so an optimizer given it runs all ``k`` in one call (its batch
    gets that axis)."""
    if not schedules:
        raise ValueError("stack needs at least one schedule")
    parts = list(schedules)

    def fn(t: np.ndarray) -> np.ndarray:
        return np.stack([np.broadcast_to(s.fn(t), np.shape(t)) for s in parts], axis=-1)

    return Schedule(
        "stack",
        {"schedules": tuple(s.name for s in parts)},
        fn,
        "  # one scheduler per run: " + "; ".join(s.torch_expr for s in parts),
        parts[0].optimizer_lr,
        batch=(len(parts),),
    )


# -------------------------------------------------------------------------------------------------- catalogue


@dataclass(frozen=True)
class ScheduleEntry:
    """A schedule as the lessons offer it: a label, its parameters as controls (URL key, label, range,
    default), and ``make(p)``, which builds it from ``p``: the values of those controls plus ``peak`` (the
    peak rate), ``total`` (the steps of the run) and ``warmup`` (the lesson's warmup steps, 0 for none)."""

    label: str
    make: Callable[[Mapping[str, Any]], Schedule] = field(repr=False)
    params: tuple[Control, ...] = ()


ETA_MIN = Number(key="eta_min", label="cosine: η_min", default=0.0, lo=0.0, hi=0.1, step=0.001, box=True, fmt="%.3f")

SCHEDULES: dict[str, ScheduleEntry] = {
    "constant": ScheduleEntry("Constant", lambda p: constant(p["peak"])),
    "step_decay": ScheduleEntry(
        "Step decay",
        lambda p: step_decay(p["peak"], p["step_size"], p["step_gamma"]),
        (
            Number(key="step_size", label="step decay: every N steps", default=50, lo=1, hi=500, integer=True,
                   box=True),
            Number(key="step_gamma", label="step decay: factor γ", default=0.5, lo=0.01, hi=1.0, step=0.05, box=True),
        ),
    ),
    "multistep": ScheduleEntry(
        "Multi-step decay",
        lambda p: multistep(p["peak"], p["milestones"], p["ms_gamma"]),
        (
            IntList(key="milestones", label="multi-step: milestones (steps)", default=(100, 150), lo=1, hi=1000),
            Number(key="ms_gamma", label="multi-step: factor γ", default=0.1, lo=0.01, hi=1.0, step=0.05, box=True),
        ),
    ),
    "exponential_decay": ScheduleEntry(
        "Exponential decay",
        lambda p: exponential_decay(p["peak"], p["exp_gamma"]),
        (
            Number(key="exp_gamma", label="exponential: γ per step", default=0.98, lo=0.8, hi=1.0, step=0.005,
                   box=True, fmt="%.3f"),
        ),
    ),
    "polynomial_decay": ScheduleEntry(
        "Polynomial decay",
        lambda p: polynomial_decay(p["peak"], p["total"], p["power"]),
        (Number(key="power", label="polynomial: power", default=1.0, lo=0.1, hi=5.0, step=0.1, box=True),),
    ),
    "inverse_sqrt": ScheduleEntry("Inverse square root", lambda p: inverse_sqrt(p["peak"])),
    "cosine_annealing": ScheduleEntry(
        "Cosine annealing", lambda p: cosine_annealing(p["peak"], p["total"], p["eta_min"]), (ETA_MIN,)
    ),
    "cosine_warm_restarts": ScheduleEntry(
        "Cosine with warm restarts",
        lambda p: cosine_warm_restarts(p["peak"], p["t_0"], p["t_mult"], p["eta_min"]),
        (
            ETA_MIN,
            Number(key="t_0", label="restarts: first cycle T₀", default=50, lo=1, hi=500, integer=True, box=True),
            Number(key="t_mult", label="restarts: cycle growth T_mult", default=1, lo=1, hi=4, integer=True,
                   box=True),
        ),
    ),
    "cyclic": ScheduleEntry(
        "Cyclical (CLR)",
        lambda p: cyclic(p["peak"] / 10, p["peak"], p["cycle_up"], p["mode"], gamma=0.99),
        (
            Choice(key="mode", label="cyclical: mode", default="triangular", options=CYCLIC_MODES),
            Number(key="cycle_up", label="cyclical: steps up (half cycle)", default=25, lo=1, hi=250, integer=True,
                   box=True),
        ),
    ),
    "one_cycle": ScheduleEntry(
        "1cycle",
        lambda p: one_cycle(p["peak"], p["total"], p["pct_start"]),
        (Number(key="pct_start", label="1cycle: fraction rising", default=0.3, lo=0.05, hi=0.95, step=0.05, box=True),),
    ),
    "linear_warmup": ScheduleEntry(
        "Linear warmup", lambda p: linear_warmup(p["peak"], max(1, p["warmup"] or p["total"] // 5), 0.1)
    ),
}  # fmt: skip
"""The schedules a lesson offers, by the name their factory gives them; pages and tests discover them here."""
