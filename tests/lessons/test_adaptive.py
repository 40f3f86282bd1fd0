"""lr_core/lessons/adaptive.py: the race, the inspector and the racers' options follow the catalogues."""

import numpy as np
import pytest

from lr_core.controls import defaults
from lr_core.lessons import adaptive as lesson
from lr_core.optimizers import VARIANTS
from lr_core.surfaces import SURFACES


def test_race_and_inspection():
    race = lesson.race(lesson.RaceConfig(surface="plateau", racers=("sgd", "adam"), lrs=(0.1, 0.1)))
    assert [v.label for v in race.verdicts] == ["stalled", "converged"]
    ins = lesson.inspect_step(race.trajs[1], 0)
    assert np.allclose(ins.internals["m_hat"], ins.grad) and np.allclose(ins.theta_next - ins.theta, ins.step)
    with pytest.raises(ValueError, match="unknown optimizer"):
        lesson.RaceConfig(racers=("lion",), lrs=(0.1,))
    with pytest.raises(ValueError, match="one rate per optimizer"):
        lesson.RaceConfig(racers=("sgd", "adam"), lrs=(0.1,))


def test_every_catalogue_surface_with_a_start_and_every_optimizer_can_race():
    assert set(lesson.RACE_SURFACES) == {n for n, e in SURFACES.items() if e.start is not None}
    assert "ravine" in lesson.RACE_SURFACES
    values = defaults(lesson.CONTROLS) | {"surface": "ravine", "opt": tuple(VARIANTS), "x": -5.0, "y": -1.0}
    race = lesson.race(lesson.race_config(values))
    assert len(race.trajs) == len(VARIANTS) and race.start == (-5.0, -1.0)
    assert all(np.all(np.isfinite(t.params)) for t in race.trajs)


def test_the_weight_decay_slider_is_the_decay_every_racer_gets():
    """With λ = 0 on the slider no racer decays (AdamW is then Adam); with λ > 0 AdamW's step holds −ηλθ."""
    cfg = lesson.RaceConfig(surface="quadratic_2d", racers=("adam", "adamw"), lrs=(0.1, 0.1), steps=5)
    adam, adamw = lesson.race(cfg).trajs
    assert np.array_equal(adam.params, adamw.params)
    ins = lesson.inspect_step(lesson.race(cfg).trajs[1], 0)
    assert np.allclose(ins.step, -0.1 * ins.internals["m_hat"] / (np.sqrt(ins.internals["v_hat"]) + 1e-8))
    decayed = lesson.race(lesson.RaceConfig(**{**cfg.__dict__, "weight_decay": 0.5}))
    ins = lesson.inspect_step(decayed.trajs[1], 0)
    plain = -0.1 * ins.internals["m_hat"] / (np.sqrt(ins.internals["v_hat"]) + 1e-8)
    assert np.allclose(ins.step, plain - 0.1 * 0.5 * ins.theta)


def test_betas_and_eps_reach_every_optimizer_that_has_them_and_no_other():
    from lr_core.optimizers import make_optimizer
    from lr_core.runner import run
    from lr_core.surfaces import make_surface

    surface = make_surface("rosenbrock")
    for name, expected in [("adam", {"betas": (0.5, 0.9), "eps": 1e-3}), ("nadam", {"betas": (0.5, 0.9), "eps": 1e-3}),
                           ("rmsprop", {"eps": 1e-3}), ("adagrad", {"eps": 1e-3}), ("sgd", {})]:  # fmt: skip
        ours = lesson.race_run("rosenbrock", (-1.5, 2.5), 50, name, 0.01, betas=(0.5, 0.9), eps=1e-3)
        ref = run(surface, make_optimizer(name, 0.01, **expected), (-1.5, 2.5), 50)
        np.testing.assert_array_equal(ours.params, ref.params)
    default = lesson.race_run("rosenbrock", (-1.5, 2.5), 50, "adam", 0.01)
    short = lesson.race_run("rosenbrock", (-1.5, 2.5), 50, "adam", 0.01, betas=(0.9, 0.9))
    assert not np.allclose(default.params, short.params)


def test_the_race_config_reads_beta2_as_a_number():
    cfg = lesson.race_config({**defaults(lesson.CONTROLS), "b2": "0.9", "b1": 0.5, "eps": 1e-6})
    assert (cfg.beta1, cfg.beta2, cfg.eps) == (0.5, 0.9, 1e-6)
