"""lr_core/lessons/practice.py: each section's config reads its own controls, and what the page's takeaways say is
what its default settings show."""

import numpy as np
import pytest

from lr_core import practice
from lr_core.controls import defaults
from lr_core.lessons import practice as lesson
from lr_core.optimizers import sgd

DEFAULTS = defaults(lesson.CONTROLS)


def test_each_section_reads_its_own_controls():
    """Three sections have an optimizer and two an epoch count: each config takes its own, never another's."""
    values = {**DEFAULTS, "opt": "adam", "rt_opt": "rmsprop", "se_opt": "nesterov", "rt_epochs": 4, "epochs": 9}
    assert lesson.curves_config(values).optimizer == "adam"
    assert lesson.range_config(values).optimizer == "rmsprop" and lesson.range_config(values).epochs == 4
    assert lesson.range_config(values).check_epochs == 9
    assert lesson.search_config(values).optimizer == "nesterov" and lesson.search_config(values).epochs == 9
    assert lesson.sweep_config(values).epochs == 9 and lesson.curves_config(values).epochs == 9
    assert lesson.curves_config({**values, "batch": "full"}).batch_size is None
    assert lesson.range_config({**values, "batch": "full"}).batch_size == 32, "a range test needs many steps"


def test_the_default_curves_show_too_slow_a_good_fit_and_failure():
    result = lesson.learning_curves(lesson.curves_config(DEFAULTS))
    assert [v.label for v in result.verdicts] == ["too slow", "good fit", "did not learn"]
    h = result.history
    assert h.val_acc[-1, 1] > 0.95 and h.val_loss[-1, 2] > 2.0


def test_momentum_and_adam_have_their_good_windows_at_lower_rates_than_sgd():
    """The sensitivity takeaway: momentum shifts SGD's window down, Adam's sits lower still; the course's typical
    rates are in the right decade, not optimal."""
    sweep = lesson.sensitivity(lesson.sweep_config(DEFAULTS))
    best = {o: sweep.lrs[np.argmin(s)] for o, s in sweep.scores.items()}
    assert best["adam"] < best["momentum"] < best["sgd"]
    for o, (lo, hi) in sweep.good.items():
        assert lo <= best[o] <= hi and np.all(
            sweep.scores[o][(sweep.lrs >= lo) & (sweep.lrs <= hi)] <= 1.5 * sweep.scores[o].min()
        )


def test_the_steepest_rule_moves_more_between_seeds_than_the_minimum_rule():
    scene = lesson.range_tests(lesson.range_config(DEFAULTS))
    spread = {r: s.max() / s.min() for r, s in scene.suggestions.items()}
    assert spread["steepest"] > 10 * spread["minimum"]
    assert all(c.shape == (lesson.SEEDS,) for c in scene.checks.values())


def test_overfitting_weight_decay_and_early_stopping_do_what_the_takeaway_says():
    i = int(np.argmin(np.abs(np.log(lesson.OVERFIT_RATES) - np.log(DEFAULTS["of_lr"]))))
    plain = lesson.overfitting(lesson.overfit_config(DEFAULTS))
    h = plain.history
    assert h.best_epoch[i] < h.val_loss.shape[0] - 1 and h.val_loss[-1, i] > 1.1 * h.val_loss[h.best_epoch[i], i]
    gap = lambda stop: stop["val_loss"] - stop["train_loss"]
    decayed = lesson.overfitting(lesson.overfit_config({**DEFAULTS, "of_wd": True}))
    assert gap(lesson.at_stop(decayed.history, False))[i] < 0.8 * gap(lesson.at_stop(h, False))[i]
    assert lesson.at_stop(h, True)["val_loss"][i] < lesson.at_stop(h, False)["val_loss"][i]
    low = gap(lesson.at_stop(h, False))[0]
    assert low < gap(lesson.at_stop(h, False))[i] and h.train_loss[-1, 0] > 1.0, "a rate too low underfits"


def test_at_the_default_rate_the_lower_rate_for_the_pretrained_layer_wins():
    result = lesson.transfer(lesson.transfer_config(DEFAULTS))
    tuned, _ = result.histories
    assert tuned.val_loss[-1, 1] < tuned.val_loss[-1, 0]
    assert "ends with a lower validation loss than one rate" in lesson.transfer_summary(result)


def test_the_pretrained_layer_comes_from_digits_0_to_4_and_the_head_is_fresh():
    params = lesson.pretrained()
    fresh = practice.initial_params("mlp", seed=1)
    hidden = practice.layer_scale("mlp", {"2.weight": 0.0, "2.bias": 0.0}).astype(bool)
    assert np.array_equal(params[~hidden], fresh[~hidden]) and not np.allclose(params[hidden], fresh[hidden])
    with pytest.raises(ValueError):
        practice.train("mlp", sgd(lr=0.1), epochs=1, init=params[:-1])


def test_the_strategies_table_is_the_courses_word_for_word_with_measured_columns_that_match_their_runs():
    cfg = lesson.StrategiesConfig(model="softmax", epochs=4, batch_size=256)
    result = lesson.strategies(cfg)
    table = result.table
    assert table.iloc[:, :4].equals(lesson.COURSE_STRATEGIES)
    for k, name in enumerate(lesson.STRATEGIES):
        best = lesson.SWEEP[np.argmin(result.scores[name])]
        assert table["measured: best peak η"][k] == best
        run = result.best_runs[name]
        assert run.val_loss[-1] == pytest.approx(result.scores[name].min(), rel=1e-9), "the best run is that rate's run"
    summary = lesson.strategies_summary(result)
    fixed, decay = result.scores["Fixed Learning Rate"].min(), result.scores["Decay Schedules"].min()
    assert ("decay beats a fixed rate" in summary) == (decay < fixed)


def test_each_strategy_is_its_optimizer_and_schedule_swept_over_the_peak_rate():
    steps = 100
    peaks = np.array([0.01, 0.1])
    decay = lesson._strategy_optimizer("Decay Schedules", peaks, steps)
    t = np.arange(steps)
    rates = decay.lr(t)
    expected = 0.5 * peaks[None, :] * (1 + np.cos(np.pi * t[:, None] / steps))
    np.testing.assert_allclose(rates, expected, rtol=1e-12, atol=1e-15)
    cyclic = lesson._strategy_optimizer("Cyclical Learning Rates", peaks, steps).lr(t)
    assert np.allclose(cyclic.min(axis=0), peaks / 10) and np.allclose(cyclic.max(axis=0), peaks, rtol=0.05)
    assert "adaptive" in lesson._strategy_optimizer("Adaptive Methods (Adam, RMSProp)", peaks, steps).capabilities
