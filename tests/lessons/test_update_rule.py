"""lr_core/lessons/update_rule.py: the scene carries the numbers its page shows, computed by the engine."""

import numpy as np
import pytest

from lr_core.lessons import update_rule as lesson
from tests.test_runner import seed_loop


def test_update_rule_scene_spells_out_the_selected_step():
    scene = lesson.update_rule(lesson.UpdateRuleConfig(selected=2))
    sel = scene.selected
    path = seed_loop(0.3)
    assert (sel.t, sel.theta, sel.theta_next) == (2, path[2], path[3])
    assert sel.grad == 2 * (path[2] - 3) and sel.step == pytest.approx(-0.3 * sel.grad)
    assert scene.critical_lr == 1.0 and scene.label.label == "converged"
    xs, ys = scene.tangent
    assert np.allclose(ys, sel.loss + sel.grad * (xs - sel.theta))  # the tangent line at θ_2
    table = scene.table()
    assert np.allclose(table["θ_t"], path) and np.isnan(table["step −η∇J"].iloc[-1])


def test_update_rule_seed_comparison_has_the_seeds_outcomes():
    scene = lesson.update_rule(lesson.UpdateRuleConfig(compare_course=True))
    assert [lab.label for lab in scene.course_labels] == ["too slow", "converged", "converged"]
    assert [lab.oscillating for lab in scene.course_labels] == [False, False, True]
    with pytest.raises(ValueError, match="selected step"):
        lesson.UpdateRuleConfig(steps=5, selected=9)


def test_the_controls_defaults_are_the_configs_and_the_course_example_reproduces_its_figure():
    from lr_core.controls import build, defaults

    assert build(lesson.UpdateRuleConfig, lesson.CONTROLS, defaults(lesson.CONTROLS)) == lesson.UpdateRuleConfig()
    cfg = build(lesson.UpdateRuleConfig, lesson.CONTROLS, lesson.COURSE_EXAMPLE)
    scene = lesson.update_rule(cfg)
    assert np.array_equal(scene.course.params[:, :, 0].T, np.array([seed_loop(r) for r in lesson.COURSE_RATES]))


def test_the_rate_slider_reaches_one_and_a_half_times_the_critical_rate():
    lr = next(c for c in lesson.CONTROLS if c.key == "lr")
    values = {"a": 2.0}
    assert lr.top(values) == pytest.approx(0.75)  # 1.5 x 2/L with L = 4
    options = lr.options(values)
    assert options[-1] == pytest.approx(0.75) and 0.5 in options and 0.25 in options  # 2/L and 1/L
