"""lr_core/lessons/convergence.py: the stability scenes agree with the closed forms."""

import numpy as np
import pytest

from lr_core import analysis
from lr_core.lessons import convergence as lesson
from tests.apptest_helpers import array


def test_stability_scenes_match_the_theory():
    one = lesson.stability_1d(lesson.Stability1DConfig(curvature=2.0, lr=0.8))
    assert one.factor == pytest.approx(0.6) and one.regime == "oscillating"
    assert np.allclose(one.measured, one.predicted, rtol=1e-9)
    two = lesson.stability_2d(lesson.Stability2DConfig(lam_min=10.0, lam_max=1.0, angle=30.0))
    assert two.eigenvalues == pytest.approx([1.0, 10.0]) and two.kappa == pytest.approx(10.0)
    assert two.optimal_factor == pytest.approx(9 / 11)


def test_tolerance_sweep_measured_equals_the_closed_form():
    sweep = lesson.tolerance_sweep(1.0, 10.0, 30.0, (2.5, -1.5))
    both = (sweep.measured >= 0) & (sweep.predicted >= 0)
    assert both.sum() > 200
    assert np.array_equal(sweep.measured[both], sweep.predicted[both].astype(int))
    assert np.all(sweep.measured[sweep.lrs > analysis.critical_lr(10.0)] == -1), "no run converges past 2/L"


def test_each_section_fills_its_own_config_from_its_controls():
    from lr_core.controls import build, defaults

    values = defaults(lesson.CONTROLS)
    assert build(lesson.Stability1DConfig, lesson.ONE_D, values).lr == 0.3
    assert build(lesson.Stability2DConfig, lesson.TWO_D, values).lr == 0.1
    assert build(lesson.LocalCurvatureConfig, lesson.LOCAL, values).lr == 0.1
    assert lesson.bowl_rates(10.0, 1.0) == pytest.approx((0.2, 2 / 11))


def test_the_local_critical_rate_exists_only_where_the_curvature_is_positive():
    """On the hump of the double well (|θ| < 1/√3) L'' < 0: no step-size limit, so no critical rate is drawn."""
    from lr_core import figures

    scene = lesson.local_curvature(lesson.LocalCurvatureConfig(lr=0.05, start=0.2, steps=40))
    theta = scene.traj.params[: len(scene.curvature), 0]
    assert np.array_equal(scene.concave, np.flatnonzero(12 * theta**2 - 4 <= 0)) and len(scene.concave) > 0
    assert np.allclose(scene.local_critical, 2 / (12 * theta[scene.convex] ** 2 - 4))
    fig = figures.local_curvature_plot(scene.convex, scene.local_critical, scene.concave, 0.05, 0.25, "t")
    drawn = {round(float(x)) for t in fig["data"] for x, y in zip(array(t["x"]), t["y"], strict=True) if y is not None}
    assert drawn == set(scene.convex.tolist()), "no point at a concave step: a gap"
    assert sum(s["type"] == "rect" for s in fig["layout"]["shapes"]) == len(scene.concave)
