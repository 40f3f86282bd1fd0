"""lr_core/lessons/convergence.py: the stability scenes agree with the closed forms."""

import numpy as np
import pytest

from lr_core import analysis
from lr_core.lessons import convergence as lesson


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
