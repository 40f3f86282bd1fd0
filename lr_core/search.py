r"""Searching for the learning rate: grid search, random search and Bayesian optimization over :math:`\log\eta`,
each given the same budget of trials of one objective.

The objective maps a batch of rates to their scores (lower is better), so grid and random search, which choose
every rate before seeing any score, train all their trials as one vectorized batch; Bayesian optimization chooses
each rate from the scores so far (Optuna's Tree-structured Parzen Estimator, :class:`optuna.samplers.TPESampler`),
one trial at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from lr_core._checks import positive, positive_int

Objective = Callable[[np.ndarray], np.ndarray]
"""Rates ``(n,)`` -> their scores ``(n,)``, lower is better."""


@dataclass(frozen=True)
class Search:
    """The trials of one search, in the order it ran them: ``lrs[k]`` scored ``scores[k]``."""

    method: str
    lrs: np.ndarray
    scores: np.ndarray

    @property
    def best_so_far(self) -> np.ndarray:
        """The best score after each trial: what a search curve plots against the trials used."""
        return np.minimum.accumulate(self.scores)

    @property
    def best_lr(self) -> float:
        return float(self.lrs[int(np.argmin(self.scores))])


def _checked(lo: float, hi: float, trials: int) -> tuple[float, float, int]:
    lo, hi, trials = float(positive("lo", lo)), float(positive("hi", hi)), positive_int("trials", trials)
    if hi <= lo:
        raise ValueError(f"hi must exceed lo, got {lo!r} and {hi!r}")
    return lo, hi, trials


def grid_search(objective: Objective, lo: float, hi: float, trials: int) -> Search:
    r"""``trials`` rates evenly spaced on a log scale from ``lo`` to ``hi``:
    :math:`\eta_k = lo\,(hi/lo)^{k/(n-1)}`, run from the smallest up."""
    lo, hi, trials = _checked(lo, hi, trials)
    lrs = np.geomspace(lo, hi, trials) if trials > 1 else np.array([np.sqrt(lo * hi)])
    return Search("grid", lrs, np.asarray(objective(lrs), dtype=float))


def random_search(objective: Objective, lo: float, hi: float, trials: int, seed: int = 0) -> Search:
    r"""``trials`` rates drawn log-uniformly from ``[lo, hi]``: :math:`\log\eta \sim U(\log lo, \log hi)`."""
    lo, hi, trials = _checked(lo, hi, trials)
    lrs = np.exp(np.random.default_rng([seed, 2]).uniform(np.log(lo), np.log(hi), trials))
    return Search("random", lrs, np.asarray(objective(lrs), dtype=float))


def bayesian_search(objective: Objective, lo: float, hi: float, trials: int, seed: int = 0, startup: int = 4) -> Search:
    r"""Bayesian optimization with Optuna's TPE: the first ``startup`` rates drawn log-uniformly, then each next one
    where the density of good trials over bad ones, :math:`\ell(\eta)/g(\eta)`, is highest."""
    import optuna

    lo, hi, trials = _checked(lo, hi, trials)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.TPESampler(seed=seed, n_startup_trials=min(startup, trials))
    study = optuna.create_study(direction="minimize", sampler=sampler)
    lrs, scores = [], []
    for _ in range(trials):
        trial = study.ask()
        lr = trial.suggest_float("lr", lo, hi, log=True)
        score = float(np.asarray(objective(np.array([lr])), dtype=float)[0])
        study.tell(trial, score)
        lrs.append(lr)
        scores.append(score)
    return Search("bayesian", np.array(lrs), np.array(scores))


SEARCHES: dict[str, tuple[str, Callable[..., Search]]] = {
    "grid": ("Grid search", lambda objective, lo, hi, trials, seed: grid_search(objective, lo, hi, trials)),
    "random": ("Random search", random_search),
    "bayesian": ("Bayesian optimization (Optuna TPE)", bayesian_search),
}
"""Every search method: its label and how to run it with ``(objective, lo, hi, trials, seed)``."""
