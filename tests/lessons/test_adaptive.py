"""lr_core/lessons/adaptive.py: the race, the inspector and the racers' options follow the catalogues."""

from dataclasses import replace

import numpy as np
import pytest

from lr_core.controls import by_key, defaults
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


# --------------------------------------------------------------------------------------- NAdam's look-ahead


@pytest.mark.parametrize(("wd", "decoupled"), [(0.0, False), (0.3, False)])
def test_nadams_two_parts_add_up_to_the_step_it_took(wd, decoupled):
    """−η/(√v̂ + ε) · (now + look-ahead) is the step of the run, at every step inspected: the equation the inspector
    shows is the update, not a paraphrase of it."""
    race = lesson.race(lesson.RaceConfig(racers=("nadam",), lrs=(0.1,), weight_decay=wd))
    for t in (0, 1, 7, 150):
        ins = lesson.inspect_step(race.trajs[0], t)
        ahead = lesson.look_ahead(ins, wd)
        assert np.allclose(-ahead.scale * (ahead.now + ahead.ahead), ins.step, rtol=1e-12, atol=1e-15)
        assert ahead.mu_next > ahead.mu > 0.45, "the momentum warms up from β₁/2"


def test_only_an_optimizer_with_a_look_ahead_has_one_to_show():
    from lr_core.optimizers import capabilities

    assert {"adaptive", "nesterov"} <= capabilities("nadam") and "nesterov" in capabilities("nesterov")
    assert "nesterov" not in capabilities("adam") and "nesterov" not in capabilities("momentum")
    race = lesson.race(lesson.RaceConfig(racers=("adam",), lrs=(0.1,)))
    with pytest.raises(ValueError, match="no NAdam look-ahead"):
        lesson.look_ahead(lesson.inspect_step(race.trajs[0], 0))


# ------------------------------------------------------------------------------------ AdaGrad, sparse features


def test_adagrad_serves_both_features_where_sgds_one_rate_must_compromise():
    """The course's "benefits sparse data", measured at the lesson's defaults (8 streams, 2,000 examples, a rare
    feature in 2%): SGD's best rate for the common weight is far smaller than its best for the rare one, and at
    AdaGrad's best single rate the larger of the two errors is below SGD's best compromise."""
    scene = lesson.sparse_scene(lesson.SparseConfig())
    sgd_e = scene.final_error["SGD"]
    assert scene.rates[np.nanargmin(sgd_e[:, 0])] < scene.rates[np.nanargmin(sgd_e[:, 1])] / 10
    assert scene.best_errors("AdaGrad").max() < scene.best_errors("SGD").max()
    assert "serves both at once" in lesson.sparse_takeaway(scene)
    rates = lesson.sparse_rates(scene)
    rare, common = rates["AdaGrad, rare weight"], rates["AdaGrad, common weight"]
    assert np.nanmean(rare[-100:]) > 3 * np.nanmean(common[-100:]), "the rare weight keeps a larger rate"


def test_the_sparse_scene_errors_are_root_mean_squares_over_the_streams():
    from lr_core.online import run_online
    from lr_core.optimizers import adagrad

    cfg = lesson.SparseConfig(steps=200, streams=3, rates=(1e-3, 1e-2, 0.1, 1.0))
    scene = lesson.sparse_scene(cfg)
    runs = run_online(scene.problem, adagrad(lr=cfg.lr_adagrad), [0.0, 0.0], 200, streams=3)
    rms = np.sqrt(np.mean(runs.error[:, :, 0] ** 2, axis=1))
    assert np.allclose(scene.errors["AdaGrad"], rms, rtol=1e-12), "the chosen rate's curve: every stream, in order"
    assert scene.rates.tolist() == [1e-3, 1e-2, 0.02, 0.1, 0.5, 1.0], "the sweep's rates and the two chosen ones"
    assert np.array_equal(scene.final_error["AdaGrad"][4], scene.errors["AdaGrad"][-1], equal_nan=True)


def test_moving_either_rate_of_the_sparse_section_picks_a_run_of_one_sweep():
    """The sweep runs every option of both η controls, so a move of either is a lookup (``sweep_key`` drops the
    rates from the cache's key): the scene picked from it is the one a fresh run at those rates gives, to the last
    bit. A rate from a link, outside the options, stays in the key and is swept too."""
    options = lesson.SPARSE_RATES
    assert {*by_key(lesson.SPARSE)["sp_sgd"].options({}), *by_key(lesson.SPARSE)["sp_adagrad"].options({})} == set(
        options
    )
    base = lesson.SparseConfig(steps=150, streams=2)
    moved = replace(base, lr_sgd=options[3], lr_adagrad=options[-2])
    assert moved.sweep_key() == base.sweep_key()
    sweep = lesson.sparse_runs(base.sweep_key())
    picked, fresh = sweep.at(moved.lr_sgd, moved.lr_adagrad), lesson.sparse_scene(moved)
    for label in ("SGD", "AdaGrad"):
        assert np.array_equal(picked.errors[label], fresh.errors[label], equal_nan=True)
        assert np.array_equal(picked.effective[label], fresh.effective[label], equal_nan=True)
    assert picked.chosen == {"SGD": options[3], "AdaGrad": options[-2]} and picked.config == moved
    linked = replace(base, lr_sgd=0.0123)
    assert linked.sweep_key() == linked and 0.0123 in lesson.sparse_runs(linked).rates
    with pytest.raises(ValueError, match="not among the rates swept"):
        sweep.at(0.0123, 0.5)


# ----------------------------------------------------------------------------------- AMSGrad's counterexample


def test_the_counterexample_scene_shows_adam_drifting_up_and_amsgrad_down():
    scene = lesson.reddi_scene(lesson.ReddiConfig())
    g = scene.runs["Adam"].grads[scene.period_start : scene.period_start + 3, 0, 0, 0]
    assert g.tolist() == [3.0, -1.0, -1.0], "the period shown starts with the large gradient"
    assert scene.period["Adam"].sum() > 0 > scene.period["AMSGrad"].sum()
    text = lesson.reddi_takeaway(scene)
    assert "Adam ends at θ = 1.000, near the worst point" in text and "AMSGrad ends at θ = -0.99" in text
    r = scene.runs["SGD"]
    direct = np.cumsum(r.grads[:, 0, 0, 0] * (r.params[:-1, 0, 0, 0] + 1)) / np.arange(1, r.steps + 1)
    assert np.allclose(scene.regret["SGD"], direct, rtol=1e-12)
    lo, hi = lesson.reddi_regret_range(scene.config)
    assert all(lo <= v.min() and v.max() <= hi for v in scene.regret.values())


def test_with_torchs_beta2_adam_finds_the_best_point_and_the_takeaway_says_so():
    scene = lesson.reddi_scene(lesson.ReddiConfig(beta2="0.999"))
    assert scene.runs["Adam"].params[-1, 0, 0, 0] < -0.9
    assert "Adam ends at θ = -0.9" in lesson.reddi_takeaway(scene) and "near the worst" not in lesson.reddi_takeaway(
        scene
    )
