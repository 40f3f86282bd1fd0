"""Lesson 4, adaptive methods: a race of optimizers, one optimizer's internals step by step, and the range test
for choosing the rate (``pages/adaptive.py``).

The racers come from :data:`lr_core.optimizers.VARIANTS` and the surfaces from
:data:`lr_core.surfaces.SURFACES` (those with a demo start): a new entry there joins the race.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from lr_core import analysis
from lr_core.analysis import Verdict
from lr_core.controls import Choice, MultiChoice, Number, Toggle, build
from lr_core.lessons import Page
from lr_core.optimizers import OPTIMIZERS, VARIANTS, Optimizer, capabilities, make_optimizer
from lr_core.runner import Trajectory, run
from lr_core.surfaces import SURFACES, Surface, make_surface

LESSON = Page(
    "4 · Adaptive methods",
    "adaptive-methods",
    "🧭",
    "A race of SGD, momentum, Nesterov, AdaGrad, RMSProp, Adam, AdamW, AMSGrad and NAdam on hard surfaces, "
    "with Adam's m, v, m̂, v̂ and per-coordinate step as live numbers, and the range test for choosing η.",
    "pages/adaptive.py",
    "adaptive",
    questions=("adam-bias-correction", "adam-beta2", "plateau-race"),
    order=4,
)

RACE_SURFACES = tuple(name for name, entry in SURFACES.items() if entry.start is not None)
"""The surfaces a race can run on: those with a demo start."""

RACERS = ("sgd", "momentum", "adam")
RACE_RATES = {"sgd": 1e-3, "momentum": 1e-3, "adam": 0.1}
"""The race's first racers and their rates (others start at their variant's default rate)."""

COURSE_RATES = {"sgd": 0.01, "momentum": 0.01, "nesterov": 0.01, "adam": 1e-3, "adamw": 1e-3, "amsgrad": 1e-3,
                "nadam": 1e-3}  # fmt: skip
"""The course's typical initial rates, "0.001 for Adam, 0.01 for SGD" (for neural networks), for each racer that
is SGD or Adam."""

_OPTIMIZER_LABELS = {name: v.label for name, v in VARIANTS.items()}
BETAS = (0.9, 0.999)
EPS = 1e-8
"""torch.optim.Adam's defaults, which the race starts from."""
BETA2_OPTIONS = ("0.9", "0.99", "0.999", "0.9999")


def rate_key(name: str) -> str:
    """The URL key of racer ``name``'s learning rate."""
    return f"lr_{name}"


CONTROLS = (
    Choice(key="surface", label="surface", default="rosenbrock", options=RACE_SURFACES,
           labels={n: SURFACES[n].title for n in RACE_SURFACES}),
    MultiChoice(key="opt", label="optimizers in the race", default=RACERS, options=tuple(VARIANTS),
                labels=_OPTIMIZER_LABELS, empty=True, field="racers"),
    *(
        Number(key=rate_key(n), label=f"η for {v.label}", default=RACE_RATES.get(n, v.default_lr), lo=1e-5,
               hi=10.0, scale="log", marks=lambda _: (1e-3, 1e-2, 0.1), field=None)
        for n, v in VARIANTS.items()
    ),
    Number(key="x", label="start x", default=SURFACES["rosenbrock"].start[0], lo=-5.0, hi=5.0, step=0.05,
           field=None),
    Number(key="y", label="start y (or click the plot)", default=SURFACES["rosenbrock"].start[1], lo=-5.0, hi=5.0,
           step=0.05, field=None),
    Number(key="steps", label="steps", default=300, lo=10, hi=1000, step=10, integer=True),
    Number(key="noise", label="gradient noise σ", default=0.0, lo=0.0, hi=5.0, step=0.1),
    Toggle(key="bc", label="Adam bias correction (divide by 1 − βᵗ)", default=True, field="bias_correction"),
    Number(key="b1", label="β₁, Adam's first-moment decay (its momentum)", default=BETAS[0], lo=0.0, hi=0.99,
           step=0.01, field="beta1"),
    Choice(key="b2", label="β₂, Adam's second-moment decay", default=str(BETAS[1]), options=BETA2_OPTIONS,
           field=None, help="How many recent squared gradients v averages: about 1/(1 − β₂) of them."),
    Number(key="eps", label="ε, added to √v̂ (AdaGrad, RMSProp, Adam)", default=EPS, lo=1e-10, hi=1.0,
           scale="log", per_decade=1, field="eps"),
    Number(key="wd", label="weight decay λ (L2 in the gradient; decoupled for AdamW)", default=0.0, lo=0.0,
           hi=1.0, step=0.01, field="weight_decay"),
    Choice(key="inspect", label="optimizer", default="adam", options=tuple(VARIANTS), labels=_OPTIMIZER_LABELS,
           field=None),
    Number(key="t", label="step t (0 is the first)", default=0, lo=0, hi=999, integer=True, field=None,
           upper=lambda v: v["steps"] - 1),
    Choice(key="rt_opt", label="optimizer for the range test", default="sgd", options=tuple(VARIANTS),
           labels=_OPTIMIZER_LABELS, field="optimizer"),
)  # fmt: skip
"""Every setting of the lesson, declared once; one rate control per optimizer of the catalogue."""


def race_config(values: Mapping[str, Any]) -> RaceConfig:
    """The race of the page's current ``values``: the chosen racers, each at its own rate."""
    racers = tuple(values["opt"])
    lrs = tuple(values[rate_key(n)] for n in racers)
    return build(RaceConfig, CONTROLS, values, lrs=lrs, start=(values["x"], values["y"]), beta2=float(values["b2"]))


@dataclass(frozen=True)
class RaceConfig:
    """The racers (names from :data:`lr_core.optimizers.VARIANTS`) with a rate each, the surface, the start,
    the steps, Adam's bias correction, and the weight decay used by Adam (L2) and AdamW."""

    surface: str = "rosenbrock"
    racers: tuple[str, ...] = RACERS
    lrs: tuple[float, ...] = tuple(RACE_RATES[n] for n in RACERS)
    start: tuple[float, float] | None = None
    steps: int = 300
    bias_correction: bool = True
    weight_decay: float = 0.0
    noise: float = 0.0
    beta1: float = BETAS[0]
    beta2: float = BETAS[1]
    eps: float = EPS

    def __post_init__(self) -> None:
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
    verdicts: list[Verdict]
    floor: float


def optimizer_for(
    name: str,
    lr: float,
    bias_correction: bool = True,
    weight_decay: float = 0.0,
    betas: tuple[float, float] = BETAS,
    eps: float = EPS,
) -> Optimizer:
    """The racer ``name`` at rate ``lr`` with the race's weight decay (L2, or decoupled where the optimizer
    decouples it), bias correction where it has bias-corrected moments, the race's β₁ and β₂ where it keeps two
    moving averages (its factory takes ``betas``) and its ε where it divides by a running measure of the
    gradients (``ValueError`` for an unknown name, from :func:`lr_core.optimizers.make_optimizer`)."""
    extra: dict = {"weight_decay": weight_decay}
    caps = capabilities(name)
    if "moments" in caps:
        extra["bias_correction"] = bias_correction
    if "adaptive" in caps:
        extra["eps"] = eps
    if "betas" in inspect.signature(OPTIMIZERS[VARIANTS[name].factory]).parameters:
        extra["betas"] = betas
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
    betas: tuple[float, float] = BETAS,
    eps: float = EPS,
) -> Trajectory:
    """One racer's run: a pure function of plain values, so a page can cache each racer on its own."""
    optimizer = optimizer_for(racer, lr, bias_correction, weight_decay, betas, eps)
    return run(make_surface(surface), optimizer, start, steps, noise=noise, seed=0)


def race(cfg: RaceConfig, run_racer: Callable[..., Trajectory] = race_run) -> RaceScene:
    """Every racer from the same start on the same surface (and, with noise, the same noise)."""
    surface = make_surface(cfg.surface)
    start = tuple(cfg.start) if cfg.start is not None else SURFACES[cfg.surface].start
    trajs = [
        run_racer(
            cfg.surface,
            start,
            cfg.steps,
            n,
            lr,
            cfg.bias_correction,
            cfg.weight_decay,
            cfg.noise,
            (cfg.beta1, cfg.beta2),
            cfg.eps,
        )
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
    """A range test of ``optimizer`` on ``surface`` from its demo start, from ``lr_min`` to ``lr_max`` in ``steps``
    steps; each suggestion is then checked by a run of ``check_steps`` at that fixed rate."""

    surface: str = "rosenbrock"
    optimizer: str = "sgd"
    lr_min: float = 1e-6
    lr_max: float = 1.0
    steps: int = 120
    noise: float = 0.0
    check_steps: int = 300


@dataclass(frozen=True)
class RangeTestScene:
    """The range test and, per rule, what a run at its suggested rate did (``checks``: rule -> (final loss above
    the minimum, verdict)), and the rule whose rate did best."""

    test: analysis.RangeTest
    checks: dict[str, tuple[float, Verdict]]
    best: str


def range_test_config(values: Mapping[str, Any]) -> RangeTestConfig:
    """The range test of the page's current ``values``: its optimizer on the race's surface, with its noise."""
    return RangeTestConfig(surface=values["surface"], optimizer=values["rt_opt"], noise=values["noise"])


def range_test(cfg: RangeTestConfig) -> RangeTestScene:
    """The LR range test of ``cfg.optimizer`` from the race's start on ``cfg.surface``, and a check of every
    suggestion: one vectorized run at each suggested rate, fixed, for ``cfg.check_steps`` steps."""
    surface = make_surface(cfg.surface)
    start = SURFACES[cfg.surface].start
    test = analysis.range_test(
        surface,
        start,
        optimizer=cfg.optimizer,
        lr_min=cfg.lr_min,
        lr_max=cfg.lr_max,
        steps=cfg.steps,
        noise=cfg.noise,
    )
    rules = list(test.suggestions)
    runs = run(
        surface,
        make_optimizer(cfg.optimizer, np.array([test.suggestions[r] for r in rules])),
        start,
        cfg.check_steps,
        noise=cfg.noise,
        seed=0,
    )
    floor = surface.min_value if surface.min_value is not None else 0.0
    verdicts = analysis.classify(runs, noise=cfg.noise)
    checks = {
        rule: (np.inf if runs.diverged[i] else float(runs.losses[-1, i]) - floor, verdicts[i])
        for i, rule in enumerate(rules)
    }
    return RangeTestScene(test, checks, min(rules, key=lambda r: checks[r][0]))
