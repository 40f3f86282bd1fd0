"""Engine calls cached across reruns and sessions.

The decorators live here, in a module imported once, and not in the page scripts: a page script runs again on
every interaction, and re-decorating a function there makes Streamlit read its source again to key the cache
(``inspect.getsource``, about 8 ms a rerun, measured). ``cache_resource`` returns the very object it stored (no
pickling: trajectories hold functions); callers never modify what they get. The heavy ones (0.1 s and more on a
miss: trainings, long streams) compute in the server's one slot for heavy work (:func:`ui.fair.heavy`), so a
class's light moves are not held up behind many of them at once.

Every cache is bounded by entries and by age, and each entry is kept small (what the page draws), so a class
moving sliders for an hour holds at most about 120 MB here, and up to 96 MB more of sparse sweeps: a tolerance
sweep ~10 KB, a schedules scene at most ~0.6 MB (1000 steps, every schedule; ``tests/lessons/test_schedules.py``
holds it to 2 MB), an escape scene ~0.2 MB, a sparse sweep 3 MB (8 MB at 5000 steps: every step of its 25 rates,
so that a move of η is a lookup), a racer at most ~150 KB (1000 steps of Adam with its internals), a range test
~50 KB.
"""

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import streamlit as st

from lr_core import classroom as class_store
from lr_core.lessons import adaptive, convergence, practice, schedules, update_rule
from lr_core.scrub import Swept
from ui import fair


def swept(cfg: Any, lrs: Sequence[float]) -> Swept:
    """A section whose η is scrubbed on its figures, at every rate of ``lrs`` (``cfg.lr`` is not read: one entry
    holds every rate, so a move of η is a lookup, for every session with the same other settings)."""
    return _swept(replace(cfg, lr=lrs[0]), tuple(lrs))


def _bowl(cfg: convergence.Stability2DConfig, lrs: Sequence[float]) -> Swept:
    return convergence.swept_2d(cfg, lrs, tolerance_sweep(cfg.lam_min, cfg.lam_max, cfg.angle))


SWEPT = {
    update_rule.UpdateRuleConfig: update_rule.swept,
    convergence.Stability1DConfig: convergence.swept_1d,
    convergence.Stability2DConfig: _bowl,
}
"""Each scrubbed section's sweep, by its config."""


@st.cache_resource(max_entries=192, ttl="1h", show_spinner=False)
def _swept(cfg: Any, lrs: tuple[float, ...]) -> Swept:
    return SWEPT[type(cfg)](cfg, lrs)


@st.cache_resource(max_entries=64, ttl="1h", show_spinner="Sweeping 300 rates…")
def tolerance_sweep(lmin: float, lmax: float, angle: float) -> convergence.ToleranceSweep:
    return convergence.tolerance_sweep(lmin, lmax, angle, convergence.Stability2DConfig.start)


@st.cache_resource(max_entries=64, ttl="1h", show_spinner=False)
def schedules_scene(cfg: schedules.SchedulesConfig) -> schedules.SchedulesScene:
    return schedules.schedules_scene(cfg)


@st.cache_resource(max_entries=64, ttl="1h", show_spinner=False)
def escape_scene(cfg: schedules.EscapeConfig) -> schedules.EscapeScene:
    return schedules.escape_scene(cfg)


@st.cache_resource(max_entries=256, ttl="1h", show_spinner=False)
def run_racer(*args):  # each racer on its own: moving one racer's η reruns only that racer
    return adaptive.race_run(*args)


def sparse_scene(cfg: adaptive.SparseConfig) -> adaptive.SparseScene:
    """The sparse scene at ``cfg``'s two rates, picked from a sweep cached on the other settings: a move of either
    η is a lookup, for every session with the same other settings."""
    return _sparse_runs(cfg.sweep_key()).at(cfg.lr_sgd, cfg.lr_adagrad)


@st.cache_resource(max_entries=12, ttl="1h", show_spinner="Streams of examples for SGD and AdaGrad, 25 rates each…")
def _sparse_runs(cfg: adaptive.SparseConfig) -> adaptive.SparseRuns:
    with fair.heavy():
        return adaptive.sparse_runs(cfg)


@st.cache_resource(max_entries=32, ttl="1h", show_spinner=False)
def reddi_scene(cfg: adaptive.ReddiConfig) -> adaptive.ReddiScene:
    with fair.heavy():
        return adaptive.reddi_scene(cfg)


@st.cache_resource(max_entries=64, ttl="1h", show_spinner=False)
def range_test(cfg: adaptive.RangeTestConfig) -> adaptive.RangeTestScene:
    return adaptive.range_test(cfg)


@st.cache_resource(max_entries=32, ttl="1h", show_spinner="Training three networks…")
def learning_curves(cfg: practice.CurvesConfig) -> practice.Curves:
    with fair.heavy():
        return practice.learning_curves(cfg)


@st.cache_resource(max_entries=64, ttl="1h", show_spinner=False)  # the page shows its own progress
def sweep_scores(*args):  # one optimizer (and schedule) swept: shared by the sections that sweep the same thing
    with fair.heavy():
        return practice.sweep_scores(*args)


@st.cache_resource(max_entries=64, ttl="1h", show_spinner=False)
def strategy_run(*args):  # one strategy trained at its best peak rate, with its curves
    with fair.heavy():
        return practice.strategy_run(*args)


@st.cache_resource(max_entries=32, ttl="1h", show_spinner="Five range tests, and a training at each suggestion…")
def range_tests(cfg: practice.RangeConfig) -> practice.RangeScene:
    with fair.heavy():
        return practice.range_tests(cfg)


@st.cache_resource(max_entries=32, ttl="1h", show_spinner="Three searches, each training its budget of networks…")
def searches(cfg: practice.SearchConfig) -> practice.SearchScene:
    with fair.heavy():
        return practice.searches(cfg)


@st.cache_resource(max_entries=32, ttl="1h", show_spinner="Training 15 networks on a small set…")
def overfitting(cfg: practice.OverfitConfig) -> practice.Overfit:
    with fair.heavy():
        return practice.overfitting(cfg)


@st.cache_resource(max_entries=32, ttl="1h", show_spinner="Pretraining on 0–4, fine-tuning on 5–9…")
def transfer(cfg: practice.TransferConfig) -> practice.Transfer:
    return practice.transfer(cfg)


@st.cache_resource(show_spinner=False)
def classroom(url: str) -> class_store.Classroom:
    """The class store on Streamlit's SQL connection to ``url``: one engine, and its pool of connections, per
    process and database."""
    connection = st.connection("sql", type="sql", url=url, **class_store.engine_options(url))
    return class_store.Classroom(url, engine=connection.engine)
