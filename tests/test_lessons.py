"""lr_core/lessons.py: each lesson's scene carries the numbers its page shows, computed by the engine."""

import numpy as np
import pytest

from lr_core import analysis, lessons
from tests.test_runner import seed_loop


def test_update_rule_scene_spells_out_the_selected_step():
    scene = lessons.update_rule(lessons.UpdateRuleConfig(selected=2))
    sel = scene.selected
    path = seed_loop(0.3)
    assert (sel.t, sel.theta, sel.theta_next) == (2, path[2], path[3])
    assert sel.grad == 2 * (path[2] - 3) and sel.step == pytest.approx(-0.3 * sel.grad)
    assert scene.critical_lr == 1.0 and scene.label.label == "converged"
    xs, ys = scene.tangent
    assert np.allclose(ys, sel.loss + sel.grad * (xs - sel.theta))  # the tangent line at θ_2
    table = scene.table()
    assert np.allclose(table["θ_t"], path) and np.isnan(table["step −η∇L"].iloc[-1])


def test_update_rule_seed_comparison_has_the_seeds_outcomes():
    scene = lessons.update_rule(lessons.UpdateRuleConfig(compare_seed=True))
    assert [lab.label for lab in scene.seed_labels] == ["too slow", "converged", "oscillating"]
    with pytest.raises(ValueError, match="selected step"):
        lessons.UpdateRuleConfig(steps=5, selected=9)


def test_stability_scenes_match_the_theory():
    one = lessons.stability_1d(lessons.Stability1DConfig(curvature=2.0, lr=0.8))
    assert one.factor == pytest.approx(0.6) and one.regime == "oscillating"
    assert np.allclose(one.measured, one.predicted, rtol=1e-9)
    two = lessons.stability_2d(lessons.Stability2DConfig(lam_min=10.0, lam_max=1.0, angle=30.0))
    assert two.eigenvalues == pytest.approx([1.0, 10.0]) and two.kappa == pytest.approx(10.0)
    assert two.optimal_factor == pytest.approx(9 / 11)


def test_tolerance_sweep_measured_equals_the_closed_form():
    sweep = lessons.tolerance_sweep(1.0, 10.0, 30.0, (2.5, -1.5))
    both = (sweep.measured >= 0) & (sweep.predicted >= 0)
    assert both.sum() > 200
    assert np.array_equal(sweep.measured[both], sweep.predicted[both].astype(int))
    assert np.all(sweep.measured[sweep.lrs > analysis.critical_lr(10.0)] == -1), "no run converges past 2/L"


def test_schedules_scene_decay_beats_the_noise_floor():
    scene = lessons.schedules_scene(lessons.SchedulesConfig(kinds=("step_decay", "exponential_decay"), noise=1.0))
    floor = {lab: m[-20:].mean() for lab, m in zip(scene.labels, scene.mean_losses, strict=True)}
    assert floor["Step decay"] < floor["Constant"] / 3 and floor["Exponential decay"] < floor["Constant"] / 3
    assert scene.trajs[0].batch_shape == () and scene.rates["Constant"].shape == (200,)


def test_race_and_inspection():
    race = lessons.race(lessons.RaceConfig(surface="plateau", racers=("sgd", "adam"), lrs=(0.1, 0.1)))
    assert [v.label for v in race.verdicts] == ["stalled", "converged"]
    ins = lessons.inspect_step(race.trajs[1], 0)
    assert np.allclose(ins.internals["m_hat"], ins.grad) and np.allclose(ins.theta_next - ins.theta, ins.step)
    with pytest.raises(ValueError, match="unknown optimizer"):
        lessons.RaceConfig(racers=("lion",), lrs=(0.1,))
    with pytest.raises(ValueError, match="one rate per optimizer"):
        lessons.RaceConfig(racers=("sgd", "adam"), lrs=(0.1,))
