"""Lesson 3, learning-rate schedules, and why decay helps when gradients are noisy (``pages/schedules.py``).

The schedules come from :data:`lr_core.schedules.SCHEDULES`: a new entry there (factory, label, parameter
controls) appears on the page, in its URL and in its PyTorch code without a change here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lr_core import analysis
from lr_core.analysis import Verdict
from lr_core.controls import MultiChoice, Number, build, by_key, defaults
from lr_core.lessons import Page
from lr_core.optimizers import sgd
from lr_core.runner import Trajectory, run
from lr_core.schedules import SCHEDULES, Schedule, constant, stack, with_warmup
from lr_core.surfaces import Surface, barrier, double_well_1d, quadratic_2d

LESSON = Page(
    "3 · Schedules",
    "lr-schedules",
    "📆",
    "Step, multi-step, exponential, polynomial, cosine, warm restarts, cyclical and 1cycle rates, with warmup; how "
    "decay beats a constant rate under gradient noise, and the PyTorch code for each.",
    "pages/schedules.py",
    "schedules",
    questions=("schedule-why-decay", "warm-restarts", "restarts-escape"),
    order=3,
)

BASELINE = "constant"
"""The schedule every other one is compared with."""

PARAMS = tuple(by_key(c for entry in SCHEDULES.values() for c in entry.params).values())
"""Every schedule parameter, once (two schedules may share one, such as cosine's η_min)."""

SCHEDULE_OPTIONS = tuple(k for k in SCHEDULES if k != BASELINE)
SCHEDULE_LABELS = {k: e.label for k, e in SCHEDULES.items()}
"""The schedules a section can compare with a constant rate, and their names, from the catalogue."""

COMPARISON = (
    MultiChoice(
        key="show",
        label="Schedules to compare with a constant rate",
        default=("step_decay", "cosine_annealing"),
        options=SCHEDULE_OPTIONS,
        labels=SCHEDULE_LABELS,
        empty=True,
        field="kinds",
    ),
    Number(key="lr", label="peak rate η₀", default=0.15, lo=1e-3, hi=0.3, scale="log", field="base_lr",
           marks=lambda v: (0.05, 0.1, 0.15, 0.19)),
    Number(key="steps", label="steps T", default=200, lo=20, hi=1000, step=10, integer=True),
    Number(key="noise", label="gradient noise σ", default=1.0, lo=0.0, hi=5.0, step=0.1,
           help="Standard deviation of Gaussian noise added to each gradient: stochastic gradients."),
    Number(key="warmup", label="linear warmup steps (0 = none)", default=0, lo=0, hi=200, integer=True),
    *PARAMS,
)  # fmt: skip
"""The first section's settings: the schedules compared on the noisy bowl, with every catalogue parameter."""

ESCAPE = (
    MultiChoice(
        key="esc_show",
        label="Schedules to compare, each peaking at η₀",
        default=("cosine_warm_restarts", "cyclic"),
        options=SCHEDULE_OPTIONS,
        labels=SCHEDULE_LABELS,
        empty=True,
        field="kinds",
    ),
    Number(
        key="esc_small",
        label="small constant rate η",
        default=0.01,
        lo=1e-3,
        hi=0.3,
        scale="log",
        field="small_lr",
        marks=lambda v: (0.01,),
    ),
    Number(
        key="esc_lr",
        label="peak rate η₀ (also a large constant rate)",
        default=0.1,
        lo=1e-3,
        hi=0.3,
        scale="log",
        field="base_lr",
        marks=lambda v: (0.1,),
    ),
    Number(
        key="esc_noise",
        label="gradient noise σ of the escape runs",
        default=1.5,
        lo=0.0,
        hi=3.0,
        step=0.1,
        field="noise",
    ),
    Number(
        key="esc_tilt",
        label="tilt c: how much deeper the far well is",
        default=0.3,
        lo=0.05,
        hi=0.5,
        step=0.05,
        field="tilt",
    ),
    Number(
        key="esc_steps",
        label="steps T of the escape runs",
        default=400,
        lo=50,
        hi=1000,
        step=50,
        integer=True,
        field="steps",
    ),
    Number(
        key="esc_cycle",
        label="cycle length: restarts' T₀, the cyclical up-and-down",
        default=50,
        lo=10,
        hi=250,
        step=10,
        integer=True,
        field="cycle",
    ),
)
"""The escape section's settings: noisy runs started in the shallow well of a tilted double well."""

CONTROLS = (*COMPARISON, *ESCAPE)
"""Every setting of the lesson, declared once; the schedules' own parameters come from their catalogue."""

COURSE_SCHEDULE_TABLE = pd.DataFrame(
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
"""The course's table of schedule types, word for word."""


@dataclass(frozen=True)
class SchedulesConfig:
    """Which schedules to compare against a constant rate, their parameters (``params``: control key ->
    value, defaults where absent), and the noisy problem they run on (SGD on a bowl with eigenvalues 1 and 10,
    gradient noise of standard deviation ``noise``)."""

    kinds: tuple[str, ...] = ("step_decay", "cosine_annealing")
    base_lr: float = 0.15
    steps: int = 200
    noise: float = 1.0
    warmup: int = 0
    params: tuple[tuple[str, Any], ...] = ()
    seed: int = 0

    def __post_init__(self) -> None:
        unknown = [k for k in self.kinds if k not in SCHEDULES]
        if unknown:
            raise ValueError(f"unknown schedule {unknown[0]!r}; choose from {', '.join(SCHEDULES)}")


def config(values: Mapping[str, Any]) -> SchedulesConfig:
    """The config of the page's current ``values`` (control key -> value)."""
    return build(SchedulesConfig, COMPARISON, values, params=tuple((c.key, values[c.key]) for c in PARAMS))


def build_schedule(kind: str, cfg: SchedulesConfig | EscapeConfig) -> Schedule:
    """The schedule ``kind`` with ``cfg``'s parameters, and a linear warmup in front where ``cfg`` asks for one
    and the schedule does not warm up by itself."""
    entry = SCHEDULES[kind]
    values = defaults(entry.params) | dict(cfg.params)
    made = entry.make({**values, "peak": cfg.base_lr, "total": cfg.steps, "warmup": cfg.warmup})
    if cfg.warmup and not made.warms_up:
        made = with_warmup(made, cfg.warmup, 0.1)
    return made


@dataclass(frozen=True)
class SchedulesScene:
    config: SchedulesConfig
    surface: Surface
    labels: list[str]
    schedules: list  # list[Schedule]
    rates: dict[str, np.ndarray]
    trajs: list[Trajectory]
    verdicts: list[Verdict]
    mean_losses: list[np.ndarray]
    summary: pd.DataFrame
    start: tuple[float, float] = (2.5, 2.0)
    realizations: int = 64

    @property
    def loss_range(self) -> tuple[float, float]:
        """The mean-loss axis, fixed whatever the noise, rate and schedules (so their moves move the curves in
        place): from 10⁻⁴, below the noise floors the controls reach, to twice the starting loss."""
        return (1e-4, 2 * float(self.surface.value(np.asarray(self.start))))


def schedules_scene(cfg: SchedulesConfig) -> SchedulesScene:
    """Run SGD with each schedule (and a constant rate) on the same noisy problem, with the same noise.

    Each schedule runs :attr:`SchedulesScene.realizations` times with independent noise, as one batch; the
    mean loss over them estimates the expected loss, whose floor is what a schedule lowers. ``trajs`` keeps the
    first realization of each, for the paths.
    """
    surface = quadratic_2d((1.0, 10.0), 30.0)
    kinds = [BASELINE, *[k for k in cfg.kinds if k != BASELINE]]
    schedules = [build_schedule(k, cfg) for k in kinds]
    labels = [
        SCHEDULES[k].label + (" + warmup" if s.name.startswith("warmup+") else "")
        for k, s in zip(kinds, schedules, strict=True)
    ]
    steps = np.arange(cfg.steps)
    # every schedule and every noise realization in one vectorized run: batch (realizations, schedules)
    starts = np.broadcast_to(SchedulesScene.start, (SchedulesScene.realizations, 1, 2))
    everything = run(surface, sgd(lr=stack(schedules)), starts, cfg.steps, noise=cfg.noise, seed=cfg.seed)
    batches = [everything.run((slice(None), k)) for k in range(len(schedules))]
    trajs = [everything.run((0, k)).copy() for k in range(len(schedules))]  # a view would keep all 64 alive
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


# ------------------------------------------------------------------------------ escaping a local minimum


@dataclass(frozen=True)
class EscapeConfig:
    r"""Noisy SGD started at the bottom of the shallow well of the tilted double well
    :math:`L(\theta) = (\theta^2 - a)^2 + c\,\theta` (``tilt`` :math:`c`, :math:`a` = ``well``): a small constant
    rate, a large one (``base_lr``), and each schedule of ``kinds`` peaking at ``base_lr``, its cycle ``cycle`` steps
    long (restarts' :math:`T_0`; the cyclical rate's rise and fall, half each), its other parameters at their
    catalogue defaults. ``runs`` runs of each, every run with its own noise."""

    kinds: tuple[str, ...] = ("cosine_warm_restarts", "cyclic")
    small_lr: float = 0.01
    base_lr: float = 0.1
    noise: float = 1.5
    tilt: float = 0.3
    steps: int = 400
    cycle: int = 50
    well: float = 0.5
    runs: int = 400
    seed: int = 0
    warmup: int = 0

    def __post_init__(self) -> None:
        unknown = [k for k in self.kinds if k not in SCHEDULES]
        if unknown:
            raise ValueError(f"unknown schedule {unknown[0]!r}; choose from {', '.join(SCHEDULES)}")
        most = 8 * self.well**1.5 / (3 * np.sqrt(3))  # beyond it L' = 4θ³ − 4aθ + c has one real root
        if not 0 < abs(self.tilt) < most:
            raise ValueError(f"a tilt of {self.tilt:g} leaves no second, shallower well; keep 0 < |c| < {most:.3g}")
        if not self.small_lr < self.base_lr:
            raise ValueError(f"the small rate ({self.small_lr:.3g}) must lie below the peak rate ({self.base_lr:.3g})")

    @property
    def params(self) -> tuple[tuple[str, Any], ...]:
        """The catalogue parameters the cycle length sets."""
        return (("t_0", self.cycle), ("cycle_up", max(1, self.cycle // 2)))


@dataclass(frozen=True)
class EscapeScene:
    """Per schedule (``labels``, the two constant rates first): its rates, the share of runs in the deep well at
    every step, the path θₜ of its first run, and in ``summary`` the share that ever crossed the hump, the share
    that ended in the deep well, the mean loss above the deep well's bottom at the end (of the runs that did not
    diverge) and over the whole run, and the runs that diverged."""

    config: EscapeConfig
    surface: Surface
    start: float
    deep: float
    hump: float
    labels: list[str]
    rates: dict[str, np.ndarray]
    deep_share: dict[str, np.ndarray]
    paths: dict[str, np.ndarray]
    summary: pd.DataFrame

    def row(self, label: str) -> dict[str, Any]:
        """The summary's numbers for one schedule, by column."""
        return self.summary.set_index("schedule").loc[label].to_dict()


ESCAPE_COLUMNS = ("left the first well", "ended in the deep well", "loss above the bottom at the end",
                  "mean loss above the bottom over the run", "runs that diverged")  # fmt: skip
"""The escape summary's measured columns."""


def escape_config(values: Mapping[str, Any]) -> EscapeConfig:
    """The escape section's config of the page's current ``values``."""
    return build(EscapeConfig, ESCAPE, values)


def escape_scene(cfg: EscapeConfig) -> EscapeScene:
    r"""Run every schedule ``cfg.runs`` times from the shallow well's bottom, with independent gradient noise, as one
    batch of shape (runs, schedules), and measure how often each leaves that well and what it costs.

    A run is *in the deep well* while it is on the deep side of the hump between the wells; it *left the first
    well* if it ever crossed the hump. The loss above the bottom is :math:`L(\theta) - L(\theta^*_{deep})`."""
    surface = double_well_1d(cfg.well, cfg.tilt)
    values = surface.value(surface.minima)
    deep, shallow = surface.minima[np.argmin(values), 0], surface.minima[np.argmax(values), 0]
    hump = barrier(surface)
    kinds = [k for k in cfg.kinds if k != BASELINE]
    schedules = [constant(cfg.small_lr), constant(cfg.base_lr), *(build_schedule(k, cfg) for k in kinds)]
    labels = [
        f"Constant η = {cfg.small_lr:.3g}",
        f"Constant η = {cfg.base_lr:.3g}",
        *(SCHEDULES[k].label for k in kinds),
    ]
    starts = np.full((cfg.runs, 1, 1), shallow)
    runs = run(surface, sgd(lr=stack(schedules)), starts, cfg.steps, noise=cfg.noise, seed=cfg.seed)
    theta = runs.params[..., 0]  # (steps + 1, runs, schedules)
    in_deep = (theta - hump) * (deep - hump) > 0
    gap = runs.losses - float(values.min())
    alive = ~runs.diverged
    kept = np.maximum(alive.sum(axis=0), 1)  # a column of diverged runs only reads NaN, below
    per_run = lambda x: np.where(alive.any(axis=0), np.where(alive, x, 0.0).sum(axis=0) / kept, np.nan)
    summary = pd.DataFrame(
        {
            "schedule": labels,
            ESCAPE_COLUMNS[0]: in_deep.any(axis=0).mean(axis=0),
            ESCAPE_COLUMNS[1]: (in_deep[-1] & alive).mean(axis=0),
            ESCAPE_COLUMNS[2]: per_run(gap[-1]),
            ESCAPE_COLUMNS[3]: per_run(gap.mean(axis=0)),
            ESCAPE_COLUMNS[4]: runs.diverged.sum(axis=0),
        }
    )
    steps = np.arange(cfg.steps)
    return EscapeScene(
        cfg,
        surface,
        float(shallow),
        float(deep),
        hump,
        labels,
        {lab: np.asarray(sch(steps), dtype=float) for lab, sch in zip(labels, schedules, strict=True)},
        {lab: in_deep[:, :, k].mean(axis=1) for k, lab in enumerate(labels)},
        {lab: theta[:, 0, k].copy() for k, lab in enumerate(labels)},  # the first run of each, not a view of all
        summary,
    )


MARGIN = 0.05
"""How much larger one share of runs must be than another (5 points of 400 runs: 20 runs) to be said "more"."""


def escape_takeaway(scene: EscapeScene) -> str:
    """What the escape runs measured, in words: every number and every comparison from ``scene.summary``."""
    rows = {lab: scene.row(lab) for lab in scene.labels}
    left, deep, end = ESCAPE_COLUMNS[0], ESCAPE_COLUMNS[1], ESCAPE_COLUMNS[2]
    small, large, *raised = scene.labels
    said = lambda lab: f"{rows[lab][deep]:.0%} ended in the deep well, {rows[lab][end]:.3g} above its bottom on average"
    text = [
        f"Of {scene.config.runs} noisy runs per rate started in the shallow well, with the small constant rate "
        f"{rows[small][left]:.0%} ever left it and {said(small)}."
    ]
    if raised:
        better = [lab for lab in raised if rows[lab][deep] > rows[small][deep] + MARGIN]
        verdict = (
            "none ended in the deep well clearly more often than the small constant rate, here"
            if not better
            else ("each" if len(better) == len(raised) else " and ".join(better))
            + " ended in the deep well far more often than the small constant rate"
        )
        text.append("Peaking at η₀: " + "; ".join(f"with {lab}, {said(lab)}" for lab in raised) + f". So {verdict}.")
    final = {lab: float(r[-1]) for lab, r in scene.rates.items()}
    settled = [lab for lab in raised if rows[lab][end] < rows[large][end] and final[lab] < final[large]]
    bouncing = (
        f": it escapes but keeps bouncing, while {' and '.join(settled)} ended closer to the bottom, their rate lower "
        "at the end"
        if rows[large][deep] >= 0.5 and settled
        else ""
    )
    text.append(f"With a large constant rate, η = {scene.config.base_lr:.3g}, {said(large)}{bouncing}.")
    return " ".join(text)


def torch_script(scene: SchedulesScene) -> str:
    """The comparison's first noisy run of each schedule as a torch script (:mod:`lr_core.scripts`): SGD with the
    schedule's ``torch.optim.lr_scheduler``, fed the same gradient noise the engine drew."""
    from lr_core import scripts

    cfg = scene.config
    runs = [scripts.run_of(label, traj, SchedulesScene.start, cfg.noise, schedule.torch_expr, schedule.optimizer_lr)
            for label, schedule, traj in zip(scene.labels, scene.schedules, scene.trajs, strict=True)]  # fmt: skip
    title = f"SGD with learning-rate schedules on a noisy bowl (σ = {cfg.noise:g}, {cfg.steps} steps)"
    return scripts.script(title, scripts.quadratic_loss(scene.surface), runs)
