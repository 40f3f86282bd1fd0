"""lr_core/runner.py: the seed's loop, batches, divergence handling, noise, sweep."""

import warnings

import numpy as np
import pytest

from lr_core.optimizers import adam, rmsprop, sgd
from lr_core.runner import DIVERGENCE_FACTOR, run, sweep
from lr_core.schedules import cosine_annealing
from lr_core.surfaces import beale, quadratic_1d, quadratic_2d, rosenbrock


def seed_loop(lr, theta=-1.0, steps=15):
    """The seeds' own code, verbatim in its arithmetic."""
    path = [theta]
    for _ in range(steps):
        theta = theta - lr * (2 * (theta - 3))
        path.append(theta)
    return np.array(path)


@pytest.mark.parametrize("lr", [0.05, 0.3, 0.8])
def test_reproduces_the_seed_loop_exactly(lr):
    traj = run(quadratic_1d(), sgd(lr=lr), [-1.0], 15)
    expected = seed_loop(lr)
    assert np.array_equal(traj.params[:, 0], expected)
    assert np.array_equal(traj.losses, (expected - 3) ** 2)
    assert np.array_equal(traj.grads[:, 0], 2 * (expected[:-1] - 3))
    assert np.all(traj.lrs == lr)


def test_the_seed_figure_is_one_batched_call():
    traj = run(quadratic_1d(), sgd(lr=np.array([0.05, 0.3, 0.8])), [-1.0], 15)
    assert traj.params.shape == (16, 3, 1)
    for i, lr in enumerate([0.05, 0.3, 0.8]):
        assert np.array_equal(traj.params[:, i, 0], seed_loop(lr))


def test_batch_is_the_broadcast_of_starts_and_hyperparameters():
    starts = np.array([[[-1.0, 1.0]], [[0.5, 0.5]]])  # (2, 1, 2)
    traj = run(rosenbrock(), sgd(lr=np.array([1e-4, 1e-3, 2e-3])), starts, 10)
    assert traj.batch_shape == (2, 3)
    assert traj.params.shape == (11, 2, 3, 2)
    single = run(rosenbrock(), sgd(lr=1e-3), [0.5, 0.5], 10)
    assert np.array_equal(traj.params[:, 1, 1], single.params)
    assert np.array_equal(traj.run((1, 1)).params, single.params)


def test_divergence_is_stopped_marked_and_finite():
    s = quadratic_1d()  # L = 2: |1 - 2η| > 1 diverges
    lrs = np.array([0.9, 1.5, 5.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warnings either
        traj = run(s, sgd(lr=lrs), [-1.0], 200)
    for arr in (traj.params, traj.losses, traj.grads, traj.lrs):
        assert np.all(np.isfinite(arr))
    # |θ_t - 3| = 4 |1 - 2η|^t leaves the box of half-width 1000 * 4 around 3 at the first t beyond it
    radius = DIVERGENCE_FACTOR * 4.0
    for i, lr in enumerate(lrs):
        r = abs(1 - 2 * lr)
        expected = -1 if r < 1 else int(np.floor(np.log(radius / 4) / np.log(r))) + 1
        assert traj.diverged_at[i] == expected
    k = traj.diverged_at[1]
    assert np.all(traj.params[k:, 1] == traj.params[k, 1]), "a diverged run stays frozen"
    assert abs(traj.params[k, 1, 0] - 3) == pytest.approx(radius), "clipped to the edge of the box"
    assert traj.last_index.tolist() == [200, k, traj.diverged_at[2]]


@pytest.mark.parametrize("make", [lambda lr: adam(lr=lr), lambda lr: rmsprop(lr=lr, momentum=0.9)])
def test_overflowing_adaptive_runs_stay_finite(make):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = run(beale(), make(np.array([1e-3, 50.0, 1e6])), [1.0, 1.5], 300)
    assert traj.diverged[2]
    assert all(np.all(np.isfinite(v)) for v in (traj.params, traj.losses, *traj.internals.values()))


def test_all_runs_diverging_fills_the_rest():
    traj = run(quadratic_1d(), sgd(lr=np.array([3.0, 4.0])), [-1.0], 100)
    assert np.all(traj.diverged) and np.all(np.isfinite(traj.params))
    assert np.array_equal(traj.params[-1], traj.params[traj.diverged_at.max()])


def test_noise_is_seeded_and_unbiased():
    s = quadratic_2d()
    a = run(s, sgd(lr=0.01), [1.0, 1.0], 50, noise=0.3, seed=7)
    b = run(s, sgd(lr=0.01), [1.0, 1.0], 50, noise=0.3, seed=7)
    c = run(s, sgd(lr=0.01), [1.0, 1.0], 50, noise=0.3, seed=8)
    assert np.array_equal(a.params, b.params) and not np.array_equal(a.params, c.params)
    clean = s.grad(a.params[:-1])
    residual = a.grads - clean
    assert abs(residual.mean()) < 0.1 and residual.std() == pytest.approx(0.3, rel=0.15)


def test_schedule_rates_are_recorded():
    traj = run(quadratic_2d(), sgd(lr=cosine_annealing(0.1, 20)), [1.0, 1.0], 20)
    assert np.allclose(traj.lrs, cosine_annealing(0.1, 20)(np.arange(20)))


def test_internals_are_recorded_per_step():
    traj = run(quadratic_2d(), adam(lr=0.1), [1.0, 1.0], 5)
    assert set(traj.internals) == {"m", "v", "m_hat", "v_hat", "effective_lr"}
    assert traj.internals["m"].shape == (5, 2)
    g0 = traj.grads[0]
    assert np.allclose(traj.internals["m"][0], 0.1 * g0) and np.allclose(traj.internals["m_hat"][0], g0)


def test_large_batches_run_in_blocks_with_the_same_result():
    lrs = np.logspace(-3, 0, 10_000)
    big = run(quadratic_2d(), adam(lr=lrs), [2.0, -1.0], 30)
    idx = [0, 4999, 5000, 9999]
    small = run(quadratic_2d(), adam(lr=lrs[idx]), [2.0, -1.0], 30)
    assert np.array_equal(big.params[:, idx], small.params)
    assert np.array_equal(big.internals["v_hat"][:, idx], small.internals["v_hat"])


def test_sweep_keeps_losses_and_end_points_of_run():
    lrs = np.logspace(-3, 0, 9_000)
    full = run(quadratic_2d(), sgd(lr=lrs), [2.0, -1.0], 100)
    lean = sweep(quadratic_2d(), sgd(lr=lrs), [2.0, -1.0], 100)
    assert np.array_equal(lean.losses, full.losses)
    assert np.array_equal(lean.final, full.params[-1])
    assert np.array_equal(lean.diverged_at, full.diverged_at)
    assert lean.diverged.sum() > 0 and not lean.diverged.all()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"x0": [1.0, 2.0, 3.0]}, "x0 must have 2"),
        ({"x0": "here"}, "x0 must be a number"),
        ({"steps": 0}, "steps must be a whole number"),
        ({"steps": 10**6}, "at most"),
        ({"noise": -1.0}, "noise must be >= 0"),
        ({"x0": [1e9, 0.0]}, "far outside"),
    ],
)
def test_bad_run_arguments_raise_value_error(kwargs, match):
    args = {"x0": [1.0, 1.0], "steps": 10} | kwargs
    with pytest.raises(ValueError, match=match):
        run(quadratic_2d(), sgd(lr=0.1), args.pop("x0"), args.pop("steps"), **args)


def test_a_stacked_schedule_runs_each_schedule_as_its_own_run():
    from lr_core.schedules import constant, stack, step_decay

    parts = [constant(0.05), step_decay(0.15, 10, 0.5)]
    starts = np.broadcast_to([2.0, 1.0], (4, 1, 2))
    both = run(quadratic_2d(), sgd(lr=stack(parts)), starts, 40)
    assert both.batch_shape == (4, 2)
    for k, s in enumerate(parts):
        alone = run(quadratic_2d(), sgd(lr=s), [2.0, 1.0], 40)
        assert np.array_equal(both.params[:, 0, k], alone.params)
        assert np.array_equal(both.lrs[:, 3, k], s(np.arange(40)))
