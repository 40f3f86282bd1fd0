"""Lesson 5, choosing the rate on a real model (``pages/practice.py``): learning curves, sensitivity, the range
test, search, overfitting and transfer learning, on scikit-learn's handwritten digits (:mod:`lr_core.practice`).

Each section has a config (a frozen dataclass, so a page can cache on it) and a pure function that trains what it
shows. The model and mini-batch size are the page's; every section reads them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from lr_core import analysis, search
from lr_core import practice as engine
from lr_core.analysis import CurveVerdict, RangeTest
from lr_core.controls import Choice, MultiChoice, Number, Toggle, build, by_key, defaults
from lr_core.lessons import Page
from lr_core.lessons.adaptive import COURSE_RATES
from lr_core.optimizers import VARIANTS, make_optimizer
from lr_core.schedules import SCHEDULES, stack

LESSON = Page(
    "5 · Practice",
    "rate-in-practice",
    "🎯",
    "A real model on real data (handwritten digits): learning curves, how sensitive each optimizer is to η, the "
    "range test, grid, random and Bayesian search, overfitting, and lower rates for transfer learning.",
    "pages/practice.py",
    "practice",
    questions=("practice-curves-race", "practice-early-stopping", "practice-adam-race", "practice-range-spread",
               "practice-search-budget", "practice-overfit-remedies", "practice-gap", "practice-transfer-rate"),
    order=5,
)  # fmt: skip

MODEL_LABELS = {
    "mlp": f"MLP, {engine.HIDDEN} ReLU units (non-convex)",
    "softmax": "softmax regression (convex)",
}
BATCHES = ("16", "32", "64", "128", "full")
SWEEP = np.geomspace(1e-5, 10.0, 25)
"""The rates of a sensitivity sweep and the search's range: 10⁻⁵ to 10, four per decade."""
GOOD = 1.5
"""A rate is in an optimizer's good range when its score is within this factor of that optimizer's best."""
SEEDS = 5
"""Seeds (batch orders, and the MLP's initial weights) the range test is repeated over."""
PRETRAIN = (0, 1, 2, 3, 4)
FINETUNE = (5, 6, 7, 8, 9)

_OPT_LABELS = {name: v.label for name, v in VARIANTS.items()}


def _rate(key: str, label: str, default: float, **kw: Any) -> Number:
    return Number(key=key, label=label, default=default, lo=1e-5, hi=30.0, scale="log", per_decade=6,
                  marks=lambda _: (1e-3, 1e-2, 0.1, 1.0), **kw)  # fmt: skip


CONTROLS = (
    Choice(key="model", label="model", default="mlp", options=tuple(MODEL_LABELS), labels=MODEL_LABELS),
    Choice(key="batch", label="mini-batch size", default="32", options=BATCHES,
           labels={b: ("full batch (all 1257)" if b == "full" else b) for b in BATCHES}, field=None),
    Number(key="epochs", label="epochs per training run", default=20, lo=2, hi=60, integer=True),
    # 1. learning curves
    Choice(key="opt", label="optimizer", default="sgd", options=tuple(VARIANTS), labels=_OPT_LABELS,
           field="optimizer"),
    _rate("lr1", "rate 1 (try it small)", 0.01, field=None),
    _rate("lr2", "rate 2", 0.3, field=None),
    _rate("lr3", "rate 3 (try it large)", 3.0, field=None),
    # 2. sensitivity
    MultiChoice(key="sens", label="optimizers to sweep", default=("sgd", "momentum", "adam"), options=tuple(VARIANTS),
                labels=_OPT_LABELS, empty=False, field="optimizers"),
    # 3. range test
    Choice(key="rt_opt", label="optimizer for the range test", default="sgd", options=tuple(VARIANTS),
           labels=_OPT_LABELS, field="optimizer"),
    Number(key="rt_epochs", label="epochs of the test (its steps: epochs × batches)", default=2, lo=1, hi=5,
           integer=True, field="epochs"),
    Number(key="rt_seed", label="seed shown", default=0, lo=0, hi=SEEDS - 1, integer=True, field=None),
    # 4. search
    Choice(key="se_opt", label="optimizer to tune", default="sgd", options=tuple(VARIANTS), labels=_OPT_LABELS,
           field="optimizer"),
    Number(key="trials", label="budget: trainings per search", default=12, lo=4, hi=30, integer=True),
    Number(key="se_seed", label="random seed of the searches", default=0, lo=0, hi=99, integer=True, field="seed"),
    # 5. overfitting
    Number(key="of_n", label="training examples", default=100, lo=30, hi=1257, step=1, integer=True,
           field="train_size"),
    Toggle(key="of_wd", label="weight decay (L2, λ = 0.01)", default=False, field="weight_decay"),
    Toggle(key="of_es", label="early stopping", default=False, field=None,
           help="Keep the model of the epoch with the lowest validation loss, not the last one."),
    _rate("of_lr", "rate whose curves are shown", 0.3, field=None),
    # 6. transfer learning
    _rate("tl_lr", "rate η of the new task", 0.3, field="lr"),
    Number(key="tl_f", label="pretrained layer's rate, as a fraction of η", default=0.1, lo=1e-3, hi=1.0,
           scale="log", per_decade=6, marks=lambda _: (0.01, 0.1), field="factor"),
    Number(key="tl_n", label="training examples of the new digits", default=60, lo=20, hi=600, step=10,
           integer=True, field="train_size"),
)  # fmt: skip
"""Every setting of the lesson, declared once."""


_BY_KEY = by_key(CONTROLS)


def _build(cls: type, keys: tuple[str, ...], values: Mapping[str, Any], **extra: Any) -> Any:
    """The config ``cls`` from the controls ``keys`` (several sections' controls fill a field of the same name)."""
    return build(cls, [_BY_KEY[k] for k in keys], values, **extra)


def batch_size(values: Mapping[str, Any]) -> int | None:
    """The page's mini-batch size (``None``: full batch)."""
    return None if values["batch"] == "full" else int(values["batch"])


def _init(model: str) -> str:
    return "random" if model == "mlp" else "zeros"


# ------------------------------------------------------------------------------------------ 1. learning curves


@dataclass(frozen=True)
class CurvesConfig:
    """Three rates of ``optimizer`` on ``model``, trained side by side with the same batches."""

    model: str = "mlp"
    optimizer: str = "sgd"
    lrs: tuple[float, ...] = (0.01, 0.3, 3.0)
    epochs: int = 20
    batch_size: int | None = 32


@dataclass(frozen=True)
class Curves:
    config: CurvesConfig
    history: engine.History
    verdicts: list[CurveVerdict]
    labels: list[str]
    table: pd.DataFrame


def curves_config(values: Mapping[str, Any]) -> CurvesConfig:
    lrs = (values["lr1"], values["lr2"], values["lr3"])
    return _build(CurvesConfig, ("model", "opt", "epochs"), values, lrs=lrs, batch_size=batch_size(values))


def _judge(h: engine.History, i: int) -> CurveVerdict:
    return analysis.judge_curve(h.train_loss[:, i], h.val_loss[:, i], int(h.diverged_at[i]))


def learning_curves(cfg: CurvesConfig) -> Curves:
    """Train the three rates as one batch; judge each run's curves."""
    opt = make_optimizer(cfg.optimizer, np.array(cfg.lrs, dtype=float))
    h = engine.train(cfg.model, opt, epochs=cfg.epochs, batch_size=cfg.batch_size, init=_init(cfg.model))
    verdicts = [_judge(h, i) for i in range(len(cfg.lrs))]
    labels = [f"η = {lr:.3g}" for lr in cfg.lrs]
    best = h.best_epoch
    table = pd.DataFrame(
        {
            "rate": labels,
            "verdict": [v.label for v in verdicts],
            "final training loss": h.train_loss[-1],
            "final validation loss": h.val_loss[-1],
            "gap (validation − training)": [v.gap for v in verdicts],
            "early stopping's epoch": best,
            "validation accuracy there": [h.val_acc[b, i] for i, b in enumerate(best)],
        }
    )
    return Curves(cfg, h, verdicts, labels, table)


# ------------------------------------------------------------------------------------------ 2. sensitivity


@dataclass(frozen=True)
class SweepConfig:
    """A sweep of :data:`SWEEP` rates for each of ``optimizers`` on ``model``."""

    model: str = "mlp"
    optimizers: tuple[str, ...] = ("sgd", "momentum", "adam")
    epochs: int = 20
    batch_size: int | None = 32


@dataclass(frozen=True)
class Sweep:
    """Every optimizer's score (final validation loss; a diverged run scores as untrained) at each rate of
    :data:`SWEEP`, and its good range: the contiguous rates around its best within :data:`GOOD` of it."""

    config: SweepConfig
    lrs: np.ndarray
    scores: dict[str, np.ndarray]
    good: dict[str, tuple[float, float]]
    table: pd.DataFrame

    def width(self, optimizer: str) -> float:
        """The width of ``optimizer``'s good window, in decades: :math:`\\log_{10}(\\eta_{hi}/\\eta_{lo})`."""
        lo, hi = self.good[optimizer]
        return math.log10(hi / lo)


def sweep_config(values: Mapping[str, Any]) -> SweepConfig:
    return _build(SweepConfig, ("model", "sens", "epochs"), values, batch_size=batch_size(values))


def _scores(model: str, opt: Any, epochs: int, batch: int | None) -> np.ndarray:
    """Train ``model`` with ``opt`` (a batch of runs) and return each run's score
    (:attr:`lr_core.practice.History.score`), evaluating only at the end."""
    return engine.train(model, opt, epochs=epochs, batch_size=batch, init=_init(model), every=epochs).score


def score(model: str, optimizer: str, lrs: np.ndarray, epochs: int, batch: int | None) -> np.ndarray:
    """The objective of the sweeps and searches: the scores of ``optimizer`` at each of ``lrs``, as one batch."""
    return _scores(model, make_optimizer(optimizer, np.asarray(lrs, dtype=float)), epochs, batch)


def sweep_scores(model: str, optimizer: str, schedule: str, epochs: int, batch: int | None) -> np.ndarray:
    """The scores of ``optimizer`` with its peak rate at each of :data:`SWEEP`, following ``schedule`` (a kind of
    :data:`lr_core.schedules.SCHEDULES` at its catalogue defaults; ``"constant"``: a plain rate), as one batch.
    A pure function of plain values: a page caches it, so the sections that sweep the same thing share it."""
    if schedule == "constant":
        return score(model, optimizer, SWEEP, epochs, batch)
    return _scores(model, _scheduled(optimizer, schedule, SWEEP, epochs * engine.steps_per_epoch(batch)), epochs, batch)


def _scheduled(optimizer: str, kind: str, peaks: np.ndarray, steps: int) -> Any:
    """``optimizer`` whose rate follows schedule ``kind`` (catalogue defaults) with each of ``peaks`` as its peak."""
    entry = SCHEDULES[kind]
    params = defaults(entry.params)
    schedules = [entry.make({**params, "peak": float(p), "total": steps, "warmup": 0}) for p in peaks]
    return make_optimizer(optimizer, stack(schedules) if len(schedules) > 1 else schedules[0])


def sensitivity(cfg: SweepConfig, sweep: Callable[..., np.ndarray] = sweep_scores) -> Sweep:
    """Sweep each optimizer over :data:`SWEEP` (with ``sweep``: :func:`sweep_scores`, or a cached copy of it) and
    measure its good range."""
    scores = {o: sweep(cfg.model, o, "constant", cfg.epochs, cfg.batch_size) for o in cfg.optimizers}
    good = {o: analysis.good_range(SWEEP, s, GOOD) for o, s in scores.items()}
    table = pd.DataFrame(
        {
            "optimizer": [VARIANTS[o].label for o in cfg.optimizers],
            "best rate": [float(SWEEP[np.argmin(s)]) for s in scores.values()],
            "best validation loss": [float(np.min(s)) for s in scores.values()],
            f"good range (within {GOOD}× of its best)": [f"{lo:.3g} – {hi:.3g}" for lo, hi in good.values()],
            "width (decades)": [math.log10(hi / lo) for lo, hi in good.values()],  # Sweep.width
            "the course's typical rate": [COURSE_RATES.get(o, float("nan")) for o in cfg.optimizers],
            "its validation loss": [
                float(np.interp(math.log(COURSE_RATES[o]), np.log(SWEEP), s)) if o in COURSE_RATES else float("nan")
                for o, s in scores.items()
            ],
        }
    )
    return Sweep(cfg, SWEEP, scores, good, table)


# ------------------------------------------------------------------------------------------ 3. range test


@dataclass(frozen=True)
class RangeConfig:
    model: str = "mlp"
    optimizer: str = "sgd"
    epochs: int = 2
    batch_size: int = 32
    check_epochs: int = 20


@dataclass(frozen=True)
class RangeScene:
    """The range test run once per seed (``tests``), each rule's suggestion per seed, and a training run of
    ``check_epochs`` at each suggestion of every seed (``checks[rule][seed]``, the final validation loss)."""

    config: RangeConfig
    tests: list[RangeTest]
    suggestions: dict[str, np.ndarray]
    checks: dict[str, np.ndarray]
    table: pd.DataFrame


def range_config(values: Mapping[str, Any]) -> RangeConfig:
    batch = batch_size(values) or 32  # a range test needs many steps: full batch would give a handful
    return _build(
        RangeConfig, ("model", "rt_opt", "rt_epochs"), values, batch_size=batch, check_epochs=values["epochs"]
    )


def _ratio(x: float) -> str:
    """A ratio as a reader takes it in: "3.1×", "480×", "2.5 million×"."""
    return f"{x:.2g}×" if x < 100 else f"{x:,.0f}×" if x < 1e6 else f"{x / 1e6:,.1f} million×"


def range_tests(cfg: RangeConfig) -> RangeScene:
    """The range test over :data:`SEEDS` seeds, and a check of every suggestion: all suggestions trained as one
    batch (the check uses seed 0's batches for every suggestion, so they differ in the rate alone)."""
    tests = [
        engine.range_test(cfg.model, cfg.optimizer, lr_min=1e-5, lr_max=30.0, epochs=cfg.epochs,
                          batch_size=cfg.batch_size, seed=seed)
        for seed in range(SEEDS)
    ]  # fmt: skip
    rules = list(analysis.RANGE_RULES)
    suggestions = {r: np.array([t.suggestions[r] for t in tests]) for r in rules}
    everything = np.concatenate([suggestions[r] for r in rules])
    scores = score(cfg.model, cfg.optimizer, everything, cfg.check_epochs, cfg.batch_size).reshape(len(rules), SEEDS)
    checks = dict(zip(rules, scores, strict=True))
    table = pd.DataFrame(
        {
            "rule": [analysis.RANGE_RULES[r] for r in rules],
            "suggestions over the seeds": [f"{s.min():.3g} – {s.max():.3g}" for s in suggestions.values()],
            "spread (largest ÷ smallest)": [_ratio(s.max() / s.min()) for s in suggestions.values()],
            f"validation loss after {cfg.check_epochs} epochs (median)": [float(np.median(c)) for c in scores],
            "worst seed's": [float(np.max(c)) for c in scores],
        }
    )
    return RangeScene(cfg, tests, suggestions, checks, table)


# ------------------------------------------------------------------------------------------ 4. search


@dataclass(frozen=True)
class SearchConfig:
    model: str = "mlp"
    optimizer: str = "sgd"
    trials: int = 12
    seed: int = 0
    epochs: int = 20
    batch_size: int | None = 32


@dataclass(frozen=True)
class SearchScene:
    config: SearchConfig
    searches: dict[str, search.Search]
    table: pd.DataFrame


def search_config(values: Mapping[str, Any]) -> SearchConfig:
    keys = ("model", "se_opt", "trials", "se_seed", "epochs")
    return _build(SearchConfig, keys, values, batch_size=batch_size(values))


def searches(cfg: SearchConfig) -> SearchScene:
    """Grid, random and Bayesian search over :data:`SWEEP`'s range with the same budget and objective."""

    def objective(lrs: np.ndarray) -> np.ndarray:
        return score(cfg.model, cfg.optimizer, lrs, cfg.epochs, cfg.batch_size)

    lo, hi = float(SWEEP[0]), float(SWEEP[-1])
    found = {k: run(objective, lo, hi, cfg.trials, cfg.seed) for k, (_, run) in search.SEARCHES.items()}
    table = pd.DataFrame(
        {
            "method": [search.SEARCHES[k][0] for k in found],
            "best rate found": [s.best_lr for s in found.values()],
            "its validation loss": [float(s.scores.min()) for s in found.values()],
            "trials to get within 5% of that": [int(np.argmax(s.best_so_far <= 1.05 * s.scores.min())) + 1
                                                for s in found.values()],
            "trials that diverged or did not learn": [int(np.sum(s.scores >= 0.9 * s.scores.max()))
                                                      for s in found.values()],
        }
    )  # fmt: skip
    return SearchScene(cfg, found, table)


# ------------------------------------------------------------------------------------------ 5. overfitting


@dataclass(frozen=True)
class OverfitConfig:
    """The MLP on the first ``train_size`` training examples, full batch with SGD + momentum, at each rate of
    :data:`OVERFIT_RATES`, with or without weight decay."""

    train_size: int = 100
    weight_decay: bool = False
    epochs: int = 300


OVERFIT_RATES = np.geomspace(1e-3, 3.0, 15)
WEIGHT_DECAY = 0.01


@dataclass(frozen=True)
class Overfit:
    config: OverfitConfig
    lrs: np.ndarray
    history: engine.History


def overfit_config(values: Mapping[str, Any]) -> OverfitConfig:
    return _build(OverfitConfig, ("of_n", "of_wd"), values)


def overfitting(cfg: OverfitConfig) -> Overfit:
    opt = make_optimizer("momentum", OVERFIT_RATES, weight_decay=WEIGHT_DECAY if cfg.weight_decay else 0.0)
    h = engine.train("mlp", opt, epochs=cfg.epochs, train_size=cfg.train_size, init="random")
    return Overfit(cfg, OVERFIT_RATES, h)


def nearest(lrs: np.ndarray, lr: float) -> int:
    """The index of the rate of ``lrs`` nearest ``lr`` on a log scale: the run a rate control shows."""
    return int(np.argmin(np.abs(np.log(lrs) - np.log(lr))))


def at_stop(h: engine.History, early_stopping: bool) -> dict[str, np.ndarray]:
    """Each run's losses and accuracies where training stops: the last epoch, or with early stopping the epoch of
    lowest validation loss."""
    epoch = h.best_epoch if early_stopping else np.full(h.val_loss.shape[1:], h.val_loss.shape[0] - 1)
    runs = np.arange(h.val_loss.shape[1])
    return {
        "epoch": epoch,
        "train_loss": h.train_loss[epoch, runs],
        "val_loss": h.val_loss[epoch, runs],
        "val_acc": h.val_acc[epoch, runs],
    }


# ------------------------------------------------------------------------------------------ 6. transfer learning


@dataclass(frozen=True)
class TransferConfig:
    """Fine-tune on digits 5-9 (the first ``train_size`` of them) an MLP pretrained on digits 0-4, with SGD +
    momentum: the new output layer at ``lr``, the pretrained layer at ``factor`` × ``lr``."""

    lr: float = 0.3
    factor: float = 0.1
    train_size: int = 60
    epochs: int = 30


@dataclass(frozen=True)
class Transfer:
    config: TransferConfig
    labels: list[str]
    histories: list[engine.History]


def transfer_config(values: Mapping[str, Any]) -> TransferConfig:
    return _build(TransferConfig, ("tl_lr", "tl_f", "tl_n"), values)


@lru_cache(maxsize=1)
def pretrained() -> np.ndarray:
    """An MLP trained on digits 0-4 (SGD + momentum, η = 0.03, mini-batches of 32, 20 epochs), whose output layer
    is then replaced by a fresh one (seeded Glorot, biases zero): the starting point of fine-tuning."""
    opt = make_optimizer("momentum", 0.03)
    h = engine.train("mlp", opt, epochs=20, batch_size=32, classes=PRETRAIN, init="random")
    fresh = engine.initial_params("mlp", seed=1)
    head = engine.layer_scale("mlp", {"0.weight": 0.0, "0.bias": 0.0}).astype(bool)
    return np.where(head, fresh, h.params)


def transfer(cfg: TransferConfig) -> Transfer:
    """Three fine-tunings from the pretrained MLP (one rate for every layer; a lower rate for the pretrained layer;
    that layer frozen) as one batch, and the same MLP trained from scratch at η."""
    hidden = {"0.weight": 1.0, "0.bias": 1.0}
    scales = np.stack(
        [engine.layer_scale("mlp", {k: f * v for k, v in hidden.items()}) for f in (1.0, cfg.factor, 0.0)]
    )
    common = dict(epochs=cfg.epochs, batch_size=16, classes=FINETUNE, train_size=cfg.train_size)
    opt = make_optimizer("momentum", np.full(3, cfg.lr))
    tuned = engine.train("mlp", opt, init=pretrained(), lr_scale=scales, **common)
    scratch = engine.train("mlp", make_optimizer("momentum", cfg.lr), init="random", **common)
    labels = [
        f"pretrained, every layer at η = {cfg.lr:.3g}",
        f"pretrained, its layer at {cfg.factor:.3g} η",
        "pretrained, its layer frozen",
        f"from scratch at η = {cfg.lr:.3g}",
    ]
    return Transfer(cfg, labels, [tuned, scratch])


def transfer_curves(result: Transfer) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The four runs' validation accuracy and loss per epoch, ``(epochs + 1, 4)``, and each one's best epoch."""
    tuned, scratch = result.histories
    acc = np.concatenate([tuned.val_acc, scratch.val_acc[:, None]], axis=1)
    loss = np.concatenate([tuned.val_loss, scratch.val_loss[:, None]], axis=1)
    return acc, loss, analysis.best_epoch(loss)


def transfer_table(result: Transfer) -> pd.DataFrame:
    """Each fine-tuning's validation accuracy and loss at the end and at its best epoch."""
    acc, loss, _ = transfer_curves(result)
    return pd.DataFrame(
        {
            "run": result.labels,
            "validation accuracy after epoch 1": acc[1],
            "at the end": acc[-1],
            "best": np.nanmax(acc, axis=0),
            "final validation loss": loss[-1],
        }
    )


def transfer_summary(result: Transfer) -> str:
    """What this run of the transfer section shows, in words, from its numbers: does the lower rate for the
    pretrained layer beat one rate for all, and does pretraining beat training from scratch."""
    acc, loss = (curve[-1] for curve in transfer_curves(result)[:2])
    if not np.all(np.isfinite(loss[:2])):
        gone = [result.labels[i] for i in (0, 1) if not np.isfinite(loss[i])]
        return f"Here {' and '.join(gone)} diverged: η is too large for fine-tuning."
    better = (
        "about the same" if abs(loss[1] - loss[0]) < 0.01 * loss[0] else "a lower" if loss[1] < loss[0] else "a higher"
    )
    first = (
        f"Here the lower rate for the pretrained layer ends with {better} validation loss as one rate for every layer"
        if better == "about the same"
        else f"Here the lower rate for the pretrained layer ends with {better} validation loss than one rate for every "
        "layer"
    ) + f" ({loss[1]:.3g} against {loss[0]:.3g}; accuracy {acc[1]:.1%} against {acc[0]:.1%})."
    best = int(np.nanargmin(loss[:3]))
    if np.isfinite(loss[3]):
        verdict = "better than" if loss[best] < loss[3] else "no better than"
        second = (
            f" The best fine-tuning ({result.labels[best]}, {loss[best]:.3g}) does {verdict} training from scratch "
            f"({loss[3]:.3g}) on these {result.config.train_size} examples."
        )
    else:
        second = " Training from scratch at this rate diverged."
    return first + second


# ------------------------------------------------------------------------------------------ 7. strategies

COURSE_STRATEGIES = pd.DataFrame(
    {
        "Strategy": ["Fixed Learning Rate", "Decay Schedules", "Adaptive Methods (Adam, RMSProp)",
                     "Cyclical Learning Rates"],
        "Pros": ["Simple, low overhead", "Improved convergence, better final accuracy",
                 "Automatic adjustment, faster training", "Escapes local minima, improves generalization"],
        "Cons": ["Difficult to tune, inflexible", "Requires schedule design and tuning",
                 "May generalize worse, sensitive to hyperparameters", "More complex to implement and tune"],
        "Typical Use": ["Small models, baseline experiments", "Most deep learning tasks",
                        "Complex deep networks, sparse data", "Advanced deep learning research"],
    }
)  # fmt: skip
"""The course's comparison of learning-rate strategies, word for word."""

STRATEGIES = {
    "Fixed Learning Rate": ("sgd", "constant"),
    "Decay Schedules": ("sgd", "cosine_annealing"),
    "Adaptive Methods (Adam, RMSProp)": ("adam", "constant"),
    "Cyclical Learning Rates": ("sgd", "cyclic"),
}
"""Each strategy of the course's table as an optimizer and a schedule of :data:`lr_core.schedules.SCHEDULES` (at its
catalogue defaults), its peak rate swept over :data:`SWEEP`."""
ACCURACY = 0.95
"""The validation accuracy whose first epoch measures a strategy's speed."""


@dataclass(frozen=True)
class StrategiesConfig:
    model: str = "mlp"
    epochs: int = 20
    batch_size: int | None = 32


@dataclass(frozen=True)
class Strategies:
    """Per strategy: the score at each swept peak rate, its good window (``good``), and one training at the best rate
    with its curves (``best_runs``)."""

    config: StrategiesConfig
    scores: dict[str, np.ndarray]
    good: dict[str, tuple[float, float]]
    best_runs: dict[str, engine.History]
    reached: dict[str, int]
    """The first epoch of each best run at :data:`ACCURACY` validation accuracy (-1: never)."""
    table: pd.DataFrame

    def accuracy(self) -> tuple[list[str], np.ndarray, list[int]]:
        """The strategies, their best runs' validation accuracy per epoch ``(epochs + 1, 4)``, and each run's
        early-stopping epoch."""
        names = list(self.best_runs)
        acc = np.stack([self.best_runs[n].val_acc for n in names], axis=1)
        return names, acc, [int(self.best_runs[n].best_epoch) for n in names]


def strategies_config(values: Mapping[str, Any]) -> StrategiesConfig:
    return _build(StrategiesConfig, ("model", "epochs"), values, batch_size=batch_size(values))


def _strategy_optimizer(name: str, peaks: np.ndarray, steps: int) -> Any:
    optimizer, kind = STRATEGIES[name]
    return _scheduled(optimizer, kind, peaks, steps)


def strategy_run(model: str, name: str, peak: float, epochs: int, batch: int | None) -> engine.History:
    """One training of strategy ``name`` at peak rate ``peak``, with its learning curves (a pure function of plain
    values, for a page to cache)."""
    opt = _strategy_optimizer(name, np.array([peak]), epochs * engine.steps_per_epoch(batch))
    return engine.train(model, opt, epochs=epochs, batch_size=batch, init=_init(model))


def strategies(
    cfg: StrategiesConfig,
    sweep: Callable[..., np.ndarray] = sweep_scores,
    run: Callable[..., engine.History] = strategy_run,
) -> Strategies:
    """Each strategy swept over its peak rate on the same model and batches (with ``sweep``, shared with the
    sensitivity section where they coincide), then trained once at its best rate with its learning curves
    (``run``): the course's pros and cons, measured."""
    scores, best_runs = {}, {}
    for name, (optimizer, kind) in STRATEGIES.items():
        scores[name] = sweep(cfg.model, optimizer, kind, cfg.epochs, cfg.batch_size)
        best = float(SWEEP[int(np.argmin(scores[name]))])
        best_runs[name] = run(cfg.model, name, best, cfg.epochs, cfg.batch_size)
    reached = {
        name: int(np.argmax(h.val_acc >= ACCURACY)) if np.any(h.val_acc >= ACCURACY) else -1
        for name, h in best_runs.items()
    }
    good = {name: analysis.good_range(SWEEP, s, GOOD) for name, s in scores.items()}
    table = COURSE_STRATEGIES.assign(
        **{
            "measured: best peak η": [float(SWEEP[np.argmin(s)]) for s in scores.values()],
            "final validation loss there": [float(np.min(s)) for s in scores.values()],
            f"first epoch at {ACCURACY:.0%} validation accuracy": [
                str(e) if e >= 0 else f"not in {cfg.epochs}" for e in reached.values()
            ],
            "good window (decades)": [math.log10(hi / lo) for lo, hi in good.values()],
        }
    )
    return Strategies(cfg, scores, good, best_runs, reached, table)


def strategies_summary(result: Strategies) -> str:
    """What the measured columns say about the course's claims, from their numbers."""
    best = {n: float(np.min(s)) for n, s in result.scores.items()}
    decades = {n: math.log10(hi / lo) for n, (lo, hi) in result.good.items()}
    fixed, decay, adaptive, cyclic = STRATEGIES
    first = min(best, key=best.get)
    widest = max(decades, key=decades.get)

    def reached(name: str) -> str:
        return f"epoch {result.reached[name]}" if result.reached[name] >= 0 else "never"

    return (
        f"Here the lowest validation loss is {first}'s ({best[first]:.3g}); decay "
        f"{'beats' if best[decay] < best[fixed] else 'does not beat'} a fixed rate ({best[decay]:.3g} against "
        f"{best[fixed]:.3g}), and cyclical rates end at {best[cyclic]:.3g}. Adam reaches {ACCURACY:.0%} validation "
        f"accuracy at {reached(adaptive)}, the fixed rate at {reached(fixed)}. The most forgiving of η is {widest} "
        f"({decades[widest]:.2f} decades of good rates); the fixed rate's window is {decades[fixed]:.2f} decades."
    )


TORCH_TRAINING = '''"""{title}

Reproduces LR Lab's learning curves with torch: the same digits, split and scaling, the same initial weights and
mini-batches (drawn by numpy with the same seeds), {model_words}, cross-entropy, and torch.optim.{cls}. A run
whose training loss blows up (not finite, or {blowup:g} times its start) stops there, keeping its last finite
weights, as on the page. Run it with `python {filename}`: it prints each run's final training loss and weights.
"""

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_default_dtype(torch.float64)
data = load_digits()
x_train, x_val, y_train, y_val = train_test_split(
    data.data / 16.0, data.target, test_size=0.3, random_state=0, stratify=data.target
)
X, Y = torch.tensor(x_train), torch.tensor(y_train)
XV, YV = torch.tensor(x_val), torch.tensor(y_val)
EPOCHS, BATCH = {epochs}, {batch}


def make_model():
    model = {model_code}
    with torch.no_grad():  # LR Lab's initial weights, in the order of model.parameters()
        start = {init_code}
        offset = 0
        for p in model.parameters():
            p.copy_(torch.tensor(start[offset:offset + p.numel()]).reshape(p.shape))
            offset += p.numel()
    return model


def batches():
    """Every epoch's mini-batches: a fresh permutation per epoch, cut into BATCH (the last one shorter)."""
    if BATCH is None:
        return [[np.arange(len(X))] for _ in range(EPOCHS)]
    rng = np.random.default_rng([0, 1])
    return [np.array_split(p, range(BATCH, len(X), BATCH)) for p in (rng.permutation(len(X)) for _ in range(EPOCHS))]


def train(lr, **kwargs):
    model = make_model()
    opt = torch.optim.{cls}(model.parameters(), lr=lr, **kwargs)
    loss_fn = torch.nn.functional.cross_entropy
    with torch.no_grad():
        start = loss_fn(model(X), Y).item()
    good = [p.detach().clone() for p in model.parameters()]
    for epoch, rows_of_epoch in enumerate(batches(), start=1):
        for rows in rows_of_epoch:
            opt.zero_grad()
            loss_fn(model(X[rows]), Y[rows]).backward()
            opt.step()
        with torch.no_grad():
            train_loss, val_loss = loss_fn(model(X), Y).item(), loss_fn(model(XV), YV).item()
            finite = all(torch.isfinite(p).all() for p in model.parameters())
            if not (finite and np.isfinite(train_loss) and np.isfinite(val_loss) and train_loss <= {blowup!r} * start):
                for p, g in zip(model.parameters(), good):
                    p.copy_(g)
                print(f"  η = {{lr:g}} blew up in epoch {{epoch}}: it stops with the weights of epoch {{epoch - 1}}")
                break
            good = [p.detach().clone() for p in model.parameters()]
    theta = torch.cat([p.detach().flatten() for p in model.parameters()])
    with torch.no_grad():
        final = loss_fn(model(X), Y).item()
    return final, theta


'''


def torch_script(scene: Curves) -> str:
    """The learning curves as a torch script: the digits, the model as a ``torch.nn`` module with LR Lab's initial
    weights and mini-batches, and ``torch.optim`` for each rate; it prints each run's final training loss and
    weights beside the page's."""
    from lr_core import scripts

    cfg, h = scene.config, scene.history
    start = engine.initial_params(cfg.model, 0, _init(cfg.model))
    if cfg.model == "mlp":
        model_code = (f"torch.nn.Sequential(torch.nn.Linear({engine.FEATURES}, {engine.HIDDEN}), torch.nn.ReLU(), "
                      f"torch.nn.Linear({engine.HIDDEN}, {engine.CLASSES}))")  # fmt: skip
        words = f"a network of one hidden layer of {engine.HIDDEN} ReLUs"
    else:
        model_code = f"torch.nn.Linear({engine.FEATURES}, {engine.CLASSES})"
        words = "softmax regression (one linear layer)"
    optimizers = [scripts.torch_optimizer(make_optimizer(cfg.optimizer, lr)) for lr in cfg.lrs]
    cls = optimizers[0][0]  # one optimizer at several rates
    text = TORCH_TRAINING.format(
        title=f"Learning curves on the digits: {words}, {cls}, rates {', '.join(f'{lr:g}' for lr in cfg.lrs)}",
        model_words=words, cls=cls, blowup=engine.BLOWUP, filename="scene.py", epochs=cfg.epochs,
        batch=cfg.batch_size, model_code=model_code,
        init_code=f"np.zeros({start.size})" if not start.any() else repr(start.tolist()),
    )  # fmt: skip
    for i, (lr, (_, kwargs)) in enumerate(zip(cfg.lrs, optimizers, strict=True)):
        kwargs.pop("lr")
        theta, stopped = h.params[i], int(h.diverged_at[i])
        page_loss = float(h.train_loss[stopped - 1 if stopped >= 0 else -1, i])  # a run that blew up: its last epoch
        text += (f"loss, theta = train({lr!r}, **{kwargs!r})\n"
                 f"print('η = {lr:g}: final training loss', loss, 'the page:', {page_loss!r})\n"
                 f"print('  final θ[:4]', theta[:4].tolist(), 'the page:', {theta[:4].tolist()!r})\n")  # fmt: skip
    return text
