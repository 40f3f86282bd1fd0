"""lr_core/surfaces.py: analytic derivatives, broadcasting, minima, the registry."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lr_core.surfaces import (
    SURFACES,
    barrier,
    double_well_1d,
    make_surface,
    quadratic_1d,
    quadratic_2d,
    surfaces_of_dim,
)

NAMES = sorted(SURFACES)


def _fd_grad(s, x, h=1e-6):
    return np.stack([(s.value(x + h * e) - s.value(x - h * e)) / (2 * h) for e in np.eye(s.dim)], -1)


def _fd_hessian(s, x, h=1e-6):
    return np.stack([(s.grad(x + h * e) - s.grad(x - h * e)) / (2 * h) for e in np.eye(s.dim)], -1)


@pytest.mark.parametrize("name", NAMES)
def test_gradient_and_hessian_match_finite_differences(name):
    s = make_surface(name)
    rng = np.random.default_rng(0)
    lo, hi = np.array(s.bounds).T
    x = rng.uniform(lo / 2, hi / 2, size=(20, s.dim))
    g, h = s.grad(x), s.hessian(x)
    assert np.allclose(g, _fd_grad(s, x), rtol=1e-6, atol=1e-6 * (1 + np.abs(g).max()))
    assert np.allclose(h, _fd_hessian(s, x), rtol=1e-6, atol=1e-6 * (1 + np.abs(h).max()))
    assert np.allclose(h, np.swapaxes(h, -1, -2))
    value, grad = s.value_and_grad(x)
    assert np.array_equal(value, s.value(x)) or np.allclose(value, s.value(x), rtol=1e-15)
    assert np.allclose(grad, g, rtol=1e-15, atol=0)


@pytest.mark.parametrize("name", NAMES)
def test_functions_broadcast_over_leading_axes(name):
    s = make_surface(name)
    x = np.zeros((3, 4, s.dim)) + 0.3
    assert s.value(x).shape == (3, 4)
    assert s.grad(x).shape == (3, 4, s.dim)
    assert s.hessian(x).shape == (3, 4, s.dim, s.dim)
    assert np.allclose(s.value(x)[1, 2], s.value(x[1, 2]))


@pytest.mark.parametrize("name", NAMES)
def test_known_minima_are_minima(name):
    s = make_surface(name)
    for m in s.minima:
        assert np.linalg.norm(s.grad(m)) < 1e-9
        assert np.linalg.eigvalsh(s.hessian(m)).min() > 0
        lo, hi = np.array(s.bounds).T
        assert np.all((lo <= m) & (m <= hi)), "a minimum should be inside the plotting box"
    assert s.latex and s.title and s.lesson


def test_seed_parabola_is_theta_minus_three_squared():
    s = quadratic_1d()
    theta = np.linspace(-1, 7, 9)[:, None]
    assert np.allclose(s.value(theta), (theta[:, 0] - 3) ** 2)
    assert np.allclose(s.grad(theta), 2 * (theta - 3))
    assert s.bounds == ((-1.0, 7.0),)
    assert s.minima.tolist() == [[3.0]]


@given(
    lam1=st.floats(0.01, 100),
    lam2=st.floats(0.01, 100),
    angle=st.floats(-180, 180),
    cx=st.floats(-2, 2),
    cy=st.floats(-2, 2),
)
def test_quadratic_2d_has_the_requested_spectrum_and_center(lam1, lam2, angle, cx, cy):
    s = quadratic_2d((lam1, lam2), angle, (cx, cy))
    h = s.hessian(np.array([0.7, -0.2]))
    assert np.allclose(np.linalg.eigvalsh(h), sorted([lam1, lam2]), rtol=1e-10, atol=1e-12)
    assert s.value(np.array([cx, cy])) == pytest.approx(0.0, abs=1e-12)
    phi = np.deg2rad(angle)
    v = np.array([np.cos(phi), np.sin(phi)])  # the first eigenvector, rotated
    assert np.allclose(h @ v, lam1 * v, rtol=1e-9, atol=1e-9 * max(lam1, lam2))


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("nope", {}),
        ("../../etc", {}),
        ("quadratic_1d", {"a": 0}),
        ("quadratic_1d", {"a": -1}),
        ("quadratic_2d", {"eigenvalues": (1, -1)}),
        ("quadratic_2d", {"eigenvalues": (1, float("nan"))}),
        ("rosenbrock", {"b": 0}),
        ("rosenbrock", {"c": 1}),
        ("plateau", {"width": "wide"}),
    ],
)
def test_bad_surface_or_parameters_raise_value_error(name, params):
    with pytest.raises(ValueError, match=r"surface|must|parameters"):
        make_surface(name, **params)


def test_wrong_point_shape_is_a_value_error():
    with pytest.raises(ValueError, match="points of shape"):
        quadratic_2d().value(np.zeros(3))


def test_surfaces_by_dimension():
    assert set(surfaces_of_dim(1)) == {"quadratic_1d", "double_well_1d"}
    assert {"quadratic_2d", "rosenbrock", "beale", "himmelblau", "saddle"} <= set(surfaces_of_dim(2))


def test_ravine_is_a_long_narrow_curved_valley():
    """At the minimum H = [[a + b c², −b c], [−b c, b]]; along the floor y = c sin x the loss is a x²/2 only."""
    from lr_core.surfaces import ravine

    s = ravine(across=40.0, along=0.2, bend=1.0)
    assert np.allclose(s.hessian([0.0, 0.0]), [[40.2, -40.0], [-40.0, 40.0]])
    lam = np.linalg.eigvalsh(s.hessian([0.0, 0.0]))
    assert lam[1] / lam[0] > 500, "narrow: badly conditioned"
    x = np.linspace(-5, 5, 11)
    floor = np.stack([x, np.sin(x)], axis=-1)
    assert np.allclose(s.value(floor), 0.1 * x**2) and np.allclose(s.grad(floor)[:, 1], 0.0)


@pytest.mark.parametrize(("a", "tilt"), [(1.0, 0.0), (0.5, 0.3), (0.5, -0.3), (2.0, 1.5)])
def test_tilted_double_well_minima_and_hump_are_its_critical_points(a, tilt):
    """L' = 4θ³ − 4aθ + c: both minima and the hump between them solve L' = 0, with L'' > 0 at the minima and < 0 at
    the hump; untilted, the minima are ±√a and the hump is 0; tilted by c > 0, the left well is the deeper."""
    s = double_well_1d(a, tilt)
    hump = barrier(s)
    points = np.array([*s.minima[:, 0], hump])[:, None]
    assert np.allclose(4 * points**3 - 4 * a * points + tilt, 0.0, atol=1e-12)
    assert np.allclose(s.grad(points), 0.0, atol=1e-12)
    assert (s.hessian(s.minima)[:, 0, 0] > 0).all() and s.hessian([hump])[0, 0] < 0
    assert s.minima[0, 0] < hump < s.minima[1, 0]
    if tilt == 0:
        assert np.allclose(s.minima[:, 0], [-np.sqrt(a), np.sqrt(a)]) and hump == pytest.approx(0.0, abs=1e-12)
    else:
        deeper = 0 if tilt > 0 else 1
        assert s.value(s.minima)[deeper] < s.value(s.minima)[1 - deeper]


def test_a_tilt_past_the_fold_leaves_one_well():
    """Past |c| = 8a^{3/2}/(3√3) the cubic L' has one real root: one minimum, and no hump to find."""
    edge = 8 * 0.5**1.5 / (3 * np.sqrt(3))
    assert len(double_well_1d(0.5, 0.99 * edge).minima) == 2
    one = double_well_1d(0.5, 1.01 * edge)
    assert len(one.minima) == 1
    with pytest.raises(ValueError, match="two wells"):
        barrier(one)
