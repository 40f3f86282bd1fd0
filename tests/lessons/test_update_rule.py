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

    assert build(lesson.UpdateRuleConfig, lesson.STEP, defaults(lesson.STEP)) == lesson.UpdateRuleConfig()
    assert build(lesson.SpeedConfig, lesson.SPEED, defaults(lesson.SPEED)) == lesson.SpeedConfig()
    cfg = build(lesson.UpdateRuleConfig, lesson.STEP, defaults(lesson.STEP) | lesson.COURSE_EXAMPLE)
    scene = lesson.update_rule(cfg)
    assert np.array_equal(scene.course.params[:, :, 0].T, np.array([seed_loop(r) for r in lesson.COURSE_RATES]))


def test_the_rate_slider_reaches_one_and_a_half_times_the_critical_rate():
    lr = next(c for c in lesson.CONTROLS if c.key == "lr")
    values = {"a": 2.0}
    assert lr.top(values) == pytest.approx(0.75)  # 1.5 x 2/L with L = 4
    options = lr.options(values)
    assert options[-1] == pytest.approx(0.75) and 0.5 in options and 0.25 in options  # 2/L and 1/L


def test_the_general_quadratic_is_the_same_parabola_written_otherwise():
    """aθ² + bθ + c with b = −2aθ*, c = aθ*² is a(θ − θ*)²: the same path, the minimum −b/2a, L = 2a."""
    vertex = lesson.update_rule(lesson.UpdateRuleConfig(curvature=2.0, minimum=1.5, start=-2.0, lr=0.1))
    general = lesson.update_rule(
        lesson.UpdateRuleConfig(curvature=2.0, form="general", b=-6.0, c=4.5, start=-2.0, lr=0.1)
    )
    assert np.allclose(general.traj.params, vertex.traj.params, rtol=1e-12, atol=1e-12)
    assert general.minimum == 1.5 and general.curvature == 4.0 and general.critical_lr == 0.5
    assert general.formula == "J(θ) = 2θ² − 6θ + 4.5" and vertex.formula == "J(θ) = 2(θ − 1.5)²"


def test_a_general_quadratic_whose_bottom_is_below_zero_keeps_it_in_view():
    scene = lesson.update_rule(lesson.UpdateRuleConfig(form="general", b=2.0, c=-5.0))
    floor = scene.surface.min_value
    assert floor == pytest.approx(-6.0) and scene.y_range[0] < floor < scene.y_range[1]
    with pytest.raises(ValueError, match="written as"):
        lesson.UpdateRuleConfig(form="factored")


def test_the_course_check_compares_the_courses_loop_with_the_engine_point_by_point():
    check = lesson.course_check()
    assert check["η"].tolist() == [0.05, 0.3, 0.8] and check["all 16 points equal"].all()
    assert np.allclose(check["θ₁₅, the course's loop"], [seed_loop(r)[-1] for r in (0.05, 0.3, 0.8)], rtol=0, atol=0)


# --------------------------------------------------------------------------------------- speed versus accuracy


def test_a_larger_rate_is_faster_to_its_floor_and_settles_higher():
    """The floor ησ²/(2(2 − ηL)) on the course's parabola (L = 2), the closed form beside the mean of 400 noisy runs
    of the engine (within 30%: the closed form itself is checked against 20,000 runs in test_analysis.py), and the
    best rate for a budget falling as the budget grows."""
    scene = lesson.speed_accuracy(lesson.SpeedConfig(rates=("0.05", "0.3", "0.8"), noise=1.0, budget=30))
    rows = scene.summary.set_index("η")
    assert np.allclose(rows["its floor E[J] − J*"], [0.05 / 3.8, 0.3 / 2.8, 0.8 / 0.8])
    assert rows.loc[0.3, "steps to within 10% of its floor"] < rows.loc[0.05, "steps to within 10% of its floor"]
    engine, closed = rows["mean of 400 noisy runs after 30 steps"], rows["expected loss after 30 steps"]
    assert np.allclose(engine, closed, rtol=0.3)
    assert scene.best[3] > scene.best[30] > scene.best[300]
    text = lesson.speed_takeaway(scene)
    assert "η = 0.3 gets within 10% of its floor fastest" in text and "falls as the budget grows" in text


def test_without_a_choice_of_rate_the_section_says_so():
    with pytest.raises(ValueError, match="at least one rate"):
        lesson.SpeedConfig(rates=())
