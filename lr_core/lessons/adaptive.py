"""Lesson 4, adaptive methods: a race of optimizers, one optimizer's internals step by step, and the range test
for choosing the rate (``pages/adaptive.py``).

The racers come from :data:`lr_core.optimizers.VARIANTS` and the surfaces from
:data:`lr_core.surfaces.SURFACES` (those with a demo start): a new entry there joins the race.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from lr_core import analysis
from lr_core.analysis import Verdict
from lr_core.controls import Choice, MultiChoice, Number, Toggle, build, by_key
from lr_core.lessons import Page
from lr_core.online import OnlineProblem, OnlineRun, reddi, run_online, sparse_regression
from lr_core.optimizers import OPTIMIZERS, VARIANTS, Optimizer, adagrad, adam, capabilities, make_optimizer, sgd
from lr_core.runner import Trajectory, run
from lr_core.schedules import inverse_sqrt
from lr_core.surfaces import SURFACES, Surface, make_surface

LESSON = Page(
    "4 · Adaptive methods",
    "adaptive-methods",
    "🧭",
    "A race of SGD, momentum, Nesterov, AdaGrad, RMSProp, Adam, AdamW, AMSGrad and NAdam on hard surfaces, "
    "with Adam's m, v, m̂, v̂ and per-coordinate step as live numbers, and the range test for choosing η.",
    "pages/adaptive.py",
    "adaptive",
    questions=("adam-bias-correction", "adam-beta2", "plateau-race", "adagrad-sparse", "amsgrad-counterexample"),
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


RACE = (
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
"""The race's, the inspector's and the range test's settings; one rate control per optimizer of the catalogue."""

SPARSE = (
    Number(key="sp_p", label="how often the rare feature appears, p", default=0.02, lo=0.005, hi=0.5, scale="log",
           per_decade=6, field="rare", marks=lambda _: (0.02, 0.1)),
    Number(key="sp_noise", label="label noise σ", default=0.5, lo=0.0, hi=2.0, step=0.1, field="label_noise"),
    Number(key="sp_steps", label="examples seen (steps)", default=2000, lo=100, hi=5000, step=100, integer=True,
           field="steps"),
    Number(key="sp_sgd", label="η for SGD on the sparse stream", default=0.02, lo=1e-3, hi=3.0, scale="log",
           per_decade=6, field="lr_sgd", marks=lambda _: (0.02, 0.1)),
    Number(key="sp_adagrad", label="η for AdaGrad on the sparse stream", default=0.5, lo=1e-3, hi=3.0, scale="log",
           per_decade=6, field="lr_adagrad", marks=lambda _: (0.5,)),
)  # fmt: skip
"""The sparse-features section's settings."""

REDDI_BETA2 = ("paper", "0.9", "0.99", "0.999")

REDDI = (
    Number(key="rk_c", label="C, the rare large gradient", default=3.0, lo=2.1, hi=10.0, step=0.1, field="c"),
    Number(key="rk_b1", label="β₁ (the paper: 0)", default=0.0, lo=0.0, hi=0.99, step=0.01, field="beta1"),
    Choice(key="rk_b2", label="β₂", default="paper", options=REDDI_BETA2, field="beta2",
           labels={"paper": "1/(1 + C²), the paper's", "0.9": "0.9", "0.99": "0.99", "0.999": "0.999, torch's"}),
    Number(key="rk_lr", label="α, the rate at step 1 (then α/√t)", default=0.1, lo=1e-3, hi=1.0, scale="log",
           per_decade=6, field="lr", marks=lambda _: (0.1, 0.5)),
    Number(key="rk_steps", label="steps of the counterexample", default=3000, lo=30, hi=6000, step=30, integer=True,
           field="steps"),
)  # fmt: skip
"""The AMSGrad section's settings: Reddi, Kale and Kumar's counterexample."""

CONTROLS = (*RACE, *SPARSE, *REDDI)
"""Every setting of the lesson, declared once."""


def race_config(values: Mapping[str, Any]) -> RaceConfig:
    """The race of the page's current ``values``: the chosen racers, each at its own rate."""
    racers = tuple(values["opt"])
    lrs = tuple(values[rate_key(n)] for n in racers)
    return build(RaceConfig, RACE, values, lrs=lrs, start=(values["x"], values["y"]), beta2=float(values["b2"]))


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

    @property
    def loss_range(self) -> tuple[float, float]:
        """The loss-gap axis: ten decades below the starting gap to thirty times above it. It depends on the surface
        and the start, not on the racers' rates, so a rate's move moves its curve in place; a run that diverges
        leaves through the top."""
        gap = float(self.surface.value(np.asarray(self.start))) - self.floor
        return (max(gap * 1e-10, 1e-16), 30 * gap)


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
class LookAhead:
    r"""NAdam's step split into its two parts, per coordinate: the current gradient's and the look-ahead's,

    .. math:: \Delta_t = -\frac{\eta}{\sqrt{\hat v_t} + \epsilon}\left(
              \underbrace{\frac{(1-\mu_t)\, g_t}{1 - \prod_{i \le t}\mu_i}}_{\text{now}} +
              \underbrace{\frac{\mu_{t+1}\, m_t}{1 - \prod_{i \le t+1}\mu_i}}_{\text{look-ahead}}\right)

    (with weight decay λ as L2, :math:`g_t` includes :math:`\lambda\theta_{t-1}`; decoupled, the step adds
    :math:`-\eta\lambda\theta_{t-1}`)."""

    mu: float
    mu_next: float
    now: np.ndarray
    ahead: np.ndarray
    scale: np.ndarray


def look_ahead(ins: Inspection, weight_decay: float = 0.0) -> LookAhead:
    """The two parts of the NAdam step :func:`inspect_step` read, from its internals (``ValueError`` for an
    optimizer without NAdam's look-ahead internals)."""
    i = ins.internals
    if "mu_next" not in i:
        raise ValueError("this optimizer has no NAdam look-ahead to show")
    g = ins.grad + weight_decay * ins.theta
    product = i["mu_product"]
    return LookAhead(
        float(i["mu"][0]),
        float(i["mu_next"][0]),
        (1 - i["mu"]) * g / (1 - product),
        i["mu_next"] * i["m"] / (1 - product * i["mu_next"]),
        i["effective_lr"],
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


# --------------------------------------------------------------------------------- AdaGrad on sparse features


SPARSE_RATES: tuple[float, ...] = tuple(
    sorted({*by_key(SPARSE)["sp_sgd"].options({}), *by_key(SPARSE)["sp_adagrad"].options({})})
)
"""The rates of the sparse sweep: every option of its two η controls (25 from 0.001 to 3), so that moving either
control picks a run the sweep already holds."""


@dataclass(frozen=True)
class SparseConfig:
    """SGD and AdaGrad, each at its own rate, on least squares with a rare feature
    (:func:`lr_core.online.sparse_regression`), and both swept over ``rates`` (and the two chosen ones) on
    ``streams`` streams of examples to find each one's best single rate."""

    rare: float = 0.02
    label_noise: float = 0.5
    steps: int = 2000
    lr_sgd: float = 0.02
    lr_adagrad: float = 0.5
    streams: int = 8
    rates: tuple[float, ...] = SPARSE_RATES

    def swept(self) -> tuple[float, ...]:
        """The rates the sweep runs: ``rates`` and the two chosen rates, in increasing order."""
        return tuple(sorted({*self.rates, self.lr_sgd, self.lr_adagrad}))

    def sweep_key(self) -> SparseConfig:
        """A config whose sweep holds this one's runs, the same for every choice of the two rates among ``rates``:
        what a cache keys the sweep on, so that moving either η control is a lookup."""
        if {self.lr_sgd, self.lr_adagrad} <= set(self.rates):
            return replace(self, lr_sgd=self.rates[0], lr_adagrad=self.rates[0])
        return self


SPARSE_OPTIMIZERS = {"SGD": sgd, "AdaGrad": adagrad}
"""The two optimizers the section compares, by label: one rate for every coordinate, and one rate per coordinate."""


@dataclass(frozen=True)
class SparseScene:
    """Each optimizer (by label) at its ``chosen`` rate: ``errors[label]``, the root-mean-square error of each weight
    (common, rare) over the streams after every step, shape ``(steps + 1, 2)``, and ``effective[label]``, its rate
    per weight on the first stream, shape ``(steps, 2)`` (NaN before a weight's first non-zero gradient, where
    AdaGrad's η/(√s + ε) is η/ε and no step is taken). The sweep: ``rates`` and ``final_error[label]``, the final
    root-mean-square error of each weight at each rate, shape ``(rates, 2)`` (NaN where a run diverged on any
    stream); ``best[label]`` the rate whose larger error is the smallest: the best one setting of that optimizer
    does for both features."""

    config: SparseConfig
    problem: OnlineProblem
    chosen: dict[str, float]
    errors: dict[str, np.ndarray]
    effective: dict[str, np.ndarray]
    rates: np.ndarray
    final_error: dict[str, np.ndarray]
    best: dict[str, float]

    def best_errors(self, label: str) -> np.ndarray:
        """The (common, rare) errors at optimizer ``label``'s best rate."""
        return self.final_error[label][int(np.argmin(np.abs(self.rates - self.best[label])))]

    def summary(self) -> pd.DataFrame:
        """Per optimizer: the chosen rate and its errors at the end, and the best single rate and its errors."""
        rows = []
        for label, errors in self.errors.items():
            best = self.best_errors(label)
            rows.append({"optimizer": label, "η chosen": self.chosen[label], "common weight's error": errors[-1, 0],
                         "rare weight's error": errors[-1, 1], "best single η": self.best[label],
                         "its errors (common, rare)": f"{best[0]:.3g}, {best[1]:.3g}"})  # fmt: skip
        return pd.DataFrame(rows)


def sparse_config(values: Mapping[str, Any]) -> SparseConfig:
    return build(SparseConfig, SPARSE, values)


def _rms(errors: np.ndarray, axis: int) -> np.ndarray:
    """The root mean square over the streams' ``axis`` (NaN if a run diverged on any stream)."""
    return np.sqrt(np.mean(np.square(errors), axis=axis))


@dataclass(frozen=True)
class SparseRuns:
    """Both optimizers at every rate of ``rates`` on the same streams: per optimizer (by label) ``errors``, the
    root-mean-square error of each weight over the streams after every step, shape ``(steps + 1, rates, 2)`` (NaN
    for a rate that diverged on any stream), and ``effective``, its rate per weight on the first stream, shape
    ``(steps, rates, 2)`` (NaN before a weight's first non-zero gradient). :meth:`at` is the scene at two of its
    rates: what the page shows, picked without running anything."""

    config: SparseConfig
    problem: OnlineProblem
    rates: np.ndarray
    errors: dict[str, np.ndarray]
    effective: dict[str, np.ndarray]
    best: dict[str, float]

    def at(self, lr_sgd: float, lr_adagrad: float) -> SparseScene:
        """The scene with SGD at ``lr_sgd`` and AdaGrad at ``lr_adagrad`` (``ValueError`` for a rate not swept)."""
        chosen = {"SGD": lr_sgd, "AdaGrad": lr_adagrad}
        index = {}
        for label, lr in chosen.items():
            hits = np.flatnonzero(self.rates == lr)
            if not hits.size:
                raise ValueError(f"η = {lr:g} for {label} is not among the rates swept")
            index[label] = int(hits[0])
        return SparseScene(
            replace(self.config, lr_sgd=lr_sgd, lr_adagrad=lr_adagrad), self.problem, chosen,
            {label: e[:, index[label]] for label, e in self.errors.items()},
            {label: r[:, index[label]] for label, r in self.effective.items()},
            self.rates, {label: e[-1] for label, e in self.errors.items()}, self.best,
        )  # fmt: skip


def sparse_runs(cfg: SparseConfig) -> SparseRuns:
    """Sweep both optimizers over :meth:`SparseConfig.swept` on the same streams: one
    :func:`lr_core.online.run_online` call per optimizer, its runs one per stream and rate (an online run's cost is
    its steps, so 25 rates cost about what one does)."""
    problem = sparse_regression(cfg.rare, label_noise=cfg.label_noise)
    rates = np.array(cfg.swept())
    errors, effective, best = {}, {}, {}
    for label, make in SPARSE_OPTIMIZERS.items():
        swept = run_online(problem, make(lr=rates), [0.0, 0.0], cfg.steps, streams=cfg.streams)
        error = np.where(swept.diverged[None, :, :, None], np.nan, swept.error)  # (steps + 1, streams, rates, 2)
        errors[label] = _rms(error, axis=1)
        rate = swept.internals.get("effective_lr", np.broadcast_to(swept.lrs[:, None, :, None], swept.grads.shape))
        seen = np.cumsum(swept.grads[:, 0] != 0, axis=0) > 0
        effective[label] = np.where(seen, rate[:, 0], np.nan)
        final = errors[label][-1]
        worse = np.where(np.isnan(final).any(axis=1), np.inf, final.max(axis=1))
        best[label] = float(rates[int(np.argmin(worse))])
    return SparseRuns(cfg, problem, rates, errors, effective, best)


def sparse_scene(cfg: SparseConfig) -> SparseScene:
    """The sweep of ``cfg`` at its two chosen rates."""
    return sparse_runs(cfg).at(cfg.lr_sgd, cfg.lr_adagrad)


SPARSE_ERROR_RANGE = (1e-3, 3.0)
"""The error axes' fixed range: every run starts 1 from its target (w = 0, w* = 1)."""


WEIGHTS = ("common", "rare")
"""The sparse problem's two weights, in the order of their coordinates."""


def _per_weight(by_optimizer: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Arrays whose last axis is the weight, one line per optimizer and weight: "SGD, rare weight"."""
    return {f"{label}, {name} weight": a[:, i] for label, a in by_optimizer.items() for i, name in enumerate(WEIGHTS)}


def sparse_errors(scene: SparseScene) -> dict[str, np.ndarray]:
    """Each weight's error against the step, for each optimizer at its chosen rate, by line label."""
    return _per_weight(scene.errors)


def sparse_rates(scene: SparseScene) -> dict[str, np.ndarray]:
    """Each optimizer's rate of each weight against the step (SGD's is one rate for both)."""
    return _per_weight({"AdaGrad": scene.effective["AdaGrad"]}) | {"SGD, both weights": scene.effective["SGD"][:, 0]}


def sparse_sweep(scene: SparseScene) -> dict[str, np.ndarray]:
    """The sweep's final error of each weight against the rate, by line label (the order of :func:`sparse_errors`)."""
    return _per_weight(scene.final_error)


def sparse_takeaway(scene: SparseScene) -> str:
    """What the sweep measured, in words: every number from the scene."""
    sgd_e, ada_e = scene.best_errors("SGD"), scene.best_errors("AdaGrad")
    sgd_common = scene.rates[int(np.nanargmin(scene.final_error["SGD"][:, 0]))]
    sgd_rare = scene.rates[int(np.nanargmin(scene.final_error["SGD"][:, 1]))]
    p = scene.config.rare
    text = (
        f"The rare feature appears in {p:.0%} of the examples, so SGD's single rate must serve two curvatures, 1 and "
        f"{p:g}: it does best on the common feature near η = {sgd_common:.3g} and on the rare one near "
        f"η = {sgd_rare:.3g}. Its best compromise, η = {scene.best['SGD']:.3g}, ends with errors {sgd_e[0]:.3g} "
        f"(common) and {sgd_e[1]:.3g} (rare); AdaGrad at η = {scene.best['AdaGrad']:.3g} ends with {ada_e[0]:.3g} "
        f"and {ada_e[1]:.3g}."
    )
    if ada_e.max() < sgd_e.max():
        text += " AdaGrad's per-coordinate rate serves both at once: its larger error is the smaller of the two."
    else:
        text += " Here AdaGrad's per-coordinate rate does not beat SGD's best compromise."
    return text


# ----------------------------------------------------------------------------------- AMSGrad's counterexample


@dataclass(frozen=True)
class ReddiConfig:
    r"""Adam, AMSGrad and SGD, all at :math:`\alpha/\sqrt t` (torch's ``LambdaLR``), on Reddi, Kale and Kumar's
    counterexample with gradient ``c``; ``beta2`` is ``"paper"`` for :math:`1/(1 + C^2)` or a number."""

    c: float = 3.0
    beta1: float = 0.0
    beta2: str = "paper"
    lr: float = 0.1
    steps: int = 3000

    @property
    def b2(self) -> float:
        return 1.0 / (1.0 + self.c**2) if self.beta2 == "paper" else float(self.beta2)


@dataclass(frozen=True)
class ReddiScene:
    r"""Each optimizer's run, its average regret :math:`R_t/t = \frac1t\sum_{s \le t} f_s(\theta_{s-1}) -
    f_s(\theta^*)` after every step, and the three steps :math:`\Delta` of the last whole period (a gradient
    :math:`C`, then two of :math:`-1`) as the optimizer took them, before the projection onto [-1, 1]."""

    config: ReddiConfig
    runs: dict[str, OnlineRun]
    regret: dict[str, np.ndarray]
    period: dict[str, np.ndarray]
    period_start: int


def reddi_config(values: Mapping[str, Any]) -> ReddiConfig:
    return build(ReddiConfig, REDDI, values)


def reddi_scene(cfg: ReddiConfig) -> ReddiScene:
    """The counterexample run by each optimizer from θ = 0 (``ValueError`` for C <= 2, from the problem)."""
    problem = reddi(cfg.c)
    betas = (cfg.beta1, cfg.b2)
    rate = inverse_sqrt(cfg.lr)
    optimizers = {
        "Adam": adam(lr=rate, betas=betas),
        "AMSGrad": adam(lr=rate, betas=betas, amsgrad=True),
        "SGD": sgd(lr=rate),
    }
    runs = {label: run_online(problem, opt, [0.0], cfg.steps) for label, opt in optimizers.items()}
    start = 3 * ((cfg.steps - 3) // 3)  # the last whole period: steps start + 1 (gradient C), start + 2, start + 3
    regret, period = {}, {}
    for label, r in runs.items():
        g, theta = r.grads[:, 0, 0, 0], r.params[:-1, 0, 0, 0]  # f_t(θ) = g_t θ: linear, its gradient its slope
        regret[label] = np.cumsum(g * (theta - problem.minimum[0])) / np.arange(1, cfg.steps + 1)
        period[label] = r.deltas[start : start + 3, 0, 0, 0]
    return ReddiScene(cfg, runs, regret, period, start)


def reddi_paths(scene: ReddiScene) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The steps at which each period starts (0, 3, 6, ..., every :func:`reddi_stride` of them) and θ there, for
    each optimizer by label: sampled within a period, the path zigzags with the period's three gradients and a
    figure of thousands of steps would show a band; at the same phase it shows the drift."""
    stride = reddi_stride(scene.config)
    steps = np.arange(0, scene.config.steps + 1, stride)
    return steps, {label: r.params[steps, 0, 0, 0] for label, r in scene.runs.items()}


def reddi_stride(cfg: ReddiConfig) -> int:
    """Steps between two points drawn: whole periods of three, at most about 600 points."""
    return 3 * max(1, -(-cfg.steps // (3 * 600)))


def reddi_regret_range(cfg: ReddiConfig) -> tuple[float, float]:
    r"""The regret axis's range: from a little below 0 to C, the first step's regret from θ₀ = 0
    (:math:`R_1 = C(\theta_0 + 1)`), the largest an average of steps from [-1, 1] reaches here."""
    return (-0.05 * cfg.c, cfg.c)


def reddi_takeaway(scene: ReddiScene) -> str:
    """Where each optimizer ended and what its last period did, in words, from the runs."""
    end = {label: float(r.params[-1, 0, 0, 0]) for label, r in scene.runs.items()}
    net = {label: float(d.sum()) for label, d in scene.period.items()}
    where = lambda x: ", near the best point −1" if x < -0.9 else ", near the worst point +1" if x > 0.9 else ""
    text = [f"{label} ends at θ = {end[label]:.3f}{where(end[label])}" for label in scene.runs]
    drift = lambda label: "up, towards +1" if net[label] > 0 else "down, towards −1"
    return (
        "; ".join(text)
        + f". Over the last period of three steps Adam's own steps add up to {net['Adam']:+.2g}, {drift('Adam')}, "
        f"and AMSGrad's to {net['AMSGrad']:+.2g}, {drift('AMSGrad')}."
    )


def torch_script(scene: RaceScene) -> str:
    """The race as a torch script (:mod:`lr_core.scripts`): every racer from the same start on the surface, as
    ``torch.optim`` names it, with the same noise. ``ValueError`` where torch.optim cannot: Adam's bias correction
    switched off."""
    from lr_core import scripts

    runs = [scripts.run_of(name, traj, scene.start, scene.config.noise)
            for name, traj in zip(scene.names, scene.trajs, strict=True)]  # fmt: skip
    title = f"The race on {scene.surface.title}: {', '.join(scene.names)}"
    return scripts.script(title, scripts.named_loss(scene.config.surface), runs)
