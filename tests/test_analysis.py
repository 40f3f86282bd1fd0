"""lr_core/analysis.py: the η < 2/L law, contraction rates, steps to tolerance, labels, range test."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lr_core import analysis as an
from lr_core.optimizers import adam, make_optimizer, sgd
from lr_core.runner import run, sweep
from lr_core.surfaces import bumpy, double_well_1d, plateau, quadratic_1d, quadratic_2d, rosenbrock, saddle


@given(
    lam_min=st.floats(0.05, 5.0),
    kappa=st.floats(1.0, 50.0),
    angle=st.floats(0, 180),
    frac=st.floats(0.05, 1.95),
)
def test_gradient_descent_converges_iff_lr_below_two_over_lambda_max(lam_min, kappa, angle, frac):
    lam_max = lam_min * kappa
    lr = frac * 2.0 / lam_max
    assume(abs(frac - 1.0) > 0.05)  # stay clear of the boundary, where convergence is arbitrarily slow
    s = quadratic_2d((lam_min, lam_max), angle)
    rate = an.contraction_factor(lr, [lam_min, lam_max])
    steps = int(min(3000, max(50, 12 / max(abs(np.log(max(rate, 1e-300))), 1e-9))))
    traj = run(s, sgd(lr=lr), [2.0, -1.5], steps)
    err0, err = np.linalg.norm(traj.params[0]), np.linalg.norm(traj.params[-1])
    if lr < 2.0 / lam_max:
        assert err < 1e-3 * err0 or not traj.diverged
        assert not traj.diverged and err < err0
    else:
        assert traj.diverged or err > err0


@pytest.mark.parametrize("lr", [0.05, 0.3, 0.45, 0.6, 0.8, 0.95])
def test_measured_rate_matches_the_contraction_factor_in_1d(lr):
    s = quadratic_1d()  # L = 2
    traj = run(s, sgd(lr=lr), [-1.0], 20)
    err = np.abs(traj.params[:, 0] - 3.0)
    err = err[err > 1e-6]  # before rounding in θ (near 3) dominates the error
    measured = err[1:] / err[:-1]
    assert len(measured) >= 4
    assert np.allclose(measured, an.contraction_factor(lr, [2.0]), rtol=1e-9)
    assert an.regime(lr, 2.0) == ("monotone" if lr <= 0.5 else "oscillating")


def test_measured_rate_matches_the_contraction_factor_in_2d():
    s = quadratic_2d((1.0, 10.0), 25.0)
    for lr in [0.02, 0.1, 2 / 11, 0.19]:
        traj = run(s, sgd(lr=lr), [2.0, -1.0], 400)
        err = np.linalg.norm(traj.params, axis=-1)
        measured = (err[-1] / err[-101]) ** (1 / 100)  # asymptotic: the slowest mode dominates
        assert measured == pytest.approx(an.contraction_factor(lr, [1.0, 10.0]), rel=1e-6)


def test_stability_quantities():
    s = quadratic_2d((2.0, 8.0), 40.0)
    assert an.hessian_eigenvalues(s) == pytest.approx([2.0, 8.0])
    assert an.lipschitz(s) == pytest.approx(8.0)
    assert an.critical_lr(8.0) == 0.25
    assert an.optimal_lr(2.0, 8.0) == 0.2
    assert an.contraction_factor(0.2, [2.0, 8.0]) == pytest.approx(0.6)  # (κ - 1)/(κ + 1), κ = 4
    assert an.condition_number([2.0, 8.0]) == 4.0
    lrs = np.linspace(0.01, 0.3, 300)
    assert lrs[np.argmin(an.contraction_factor(lrs, [2.0, 8.0]))] == pytest.approx(0.2, abs=1e-3)
    assert an.regime(0.3, 8.0) == "diverging"


def test_local_curvature_of_a_non_quadratic():
    s = double_well_1d(1.0)  # L'' = 12θ² - 4
    assert an.lipschitz(s, [1.0]) == pytest.approx(8.0)
    assert an.lipschitz(s, [0.0]) == pytest.approx(4.0)  # |−4| on the hump
    assert an.lipschitz(rosenbrock(), [1.0, 1.0]) == pytest.approx(1001.6, rel=1e-3)
    with pytest.raises(ValueError, match="no minimum"):
        an.hessian_eigenvalues(saddle())


def test_steps_to_tolerance_measured_equals_predicted_in_1d():
    lrs = np.linspace(0.02, 0.98, 40)
    result = sweep(quadratic_1d(), sgd(lr=lrs), [-1.0], 2000)
    # loss gap = 16 r^(2t): reaching gap ≤ tol needs r^t ≤ sqrt(tol / 16)
    tol = 1e-8
    measured = an.steps_to_tolerance(result.losses, tol)
    predicted = an.predicted_steps(lrs, [2.0], np.sqrt(tol / 16.0))
    assert np.array_equal(measured, predicted.astype(int))


def test_steps_to_tolerance_never_reached_is_minus_one():
    errors = np.array([[1.0, 1.0], [0.5, 0.9], [0.1, 0.8]])
    assert an.steps_to_tolerance(errors, 0.2).tolist() == [2, -1]


def test_predicted_steps_are_infinite_when_not_contracting():
    assert np.isinf(an.predicted_steps(1.5, [2.0], 0.1))


def labels(traj, **kw):
    result = an.classify(traj, **kw)
    return [result.label] if isinstance(result, an.Verdict) else [r.label for r in result.ravel()]


def test_labels_of_the_seed_rates():
    traj = run(quadratic_1d(), sgd(lr=np.array([0.05, 0.3, 0.8, 1.0, 1.2, 3.0])), [-1.0], 15)
    assert labels(traj) == ["too slow", "converged", "converged", "oscillating", "diverged", "diverged"]
    verdicts = an.classify(traj)
    assert [v.oscillating for v in verdicts] == [False, False, True, True, True, True]
    assert [v.outcome for v in verdicts] == ["slow", "smooth", "overshooting", "bouncing", "diverged", "diverged"]


def test_labels_of_stalls_and_local_minima():
    assert labels(run(saddle(), sgd(lr=0.1), [1.5, 0.0], 200)) == ["stalled"]
    assert an.classify(run(saddle(), sgd(lr=0.1), [1.5, 0.0], 200)).where == "saddle point"
    assert an.classify(run(plateau(), sgd(lr=0.1), [3.5, 1.5], 200)).where == "plateau"
    top = an.classify(run(double_well_1d(), sgd(lr=0.1), [0.0], 40))
    assert top.stalled and top.where == "maximum", "in 1-D a point where L'' < 0 is a maximum, not a saddle"
    assert labels(run(plateau(), adam(lr=0.1), [3.5, 1.5], 200)) == ["converged"]
    local = an.classify(run(bumpy(), sgd(lr=0.05), [2.5, 2.5], 300))
    assert local.label == "converged" and "local minimum" in local.reason


def test_noisy_runs_converge_to_a_noise_floor():
    traj = run(quadratic_2d(), sgd(lr=0.05), [2.0, -1.0], 500, noise=0.5, seed=1)
    assert labels(traj) == ["too slow"] or labels(traj, noise=0.5) == ["converged"]
    assert labels(traj, noise=0.5) == ["converged"]


def test_range_test_suggests_a_rate_below_the_critical_one():
    s = quadratic_2d((1.0, 10.0))
    result = an.range_test(s, [2.0, -1.0], lr_min=1e-4, lr_max=1.0, steps=100)
    assert result.lrs[0] == pytest.approx(1e-4)
    assert np.all(np.diff(result.lrs) > 0)
    assert 1e-3 < result.suggestions["steepest"] < an.critical_lr(10.0)
    assert set(result.suggestions) == set(an.RANGE_RULES)
    assert result.stopped_at == len(result.losses) == len(result.smoothed)


def test_range_test_stops_when_the_loss_explodes():
    result = an.range_test(quadratic_1d(), [-1.0], lr_min=1e-3, lr_max=100.0, steps=60)
    assert result.stopped_at < 60
    assert result.lrs[-1] > 1.0  # it stopped after passing 2/L = 1


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"lr_min": 1.0, "lr_max": 0.1}, "exceed"), ({"steps": 3}, "at least 5"), ({"lr_min": -1}, "lr_min")],
)
def test_range_test_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        an.range_test(quadratic_1d(), [-1.0], **kwargs)


OPTS = ("adam", "adagrad", "rmsprop")


def suggests_larger(v: an.Verdict) -> bool:
    return "or a larger η" in v.advice or "a larger η might" in v.advice


def test_no_absurd_advice():
    """The issue's cases: a run that overshoots wildly, runs off downhill or barely started is never told that it
    needs a larger η, and a parabola is never a plateau."""
    wild = [an.classify(run(rosenbrock(), make_optimizer(n, 10.0), [-1.5, 2.5], 300)) for n in OPTS]
    assert not any(suggests_larger(v) for v in wild)
    assert all("no remedy" in v.advice or "smaller η" in v.advice for v in wild), [v.advice for v in wild]
    downhill = an.classify(run(saddle(), make_optimizer("adam", 0.1), [1.5, 1e-3], 300))
    assert downhill.unbounded and downhill.label == "unbounded" and not suggests_larger(downhill)
    first = an.classify(run(quadratic_1d(), sgd(lr=1e-4), [-1.0], 1))
    assert first.label == "too slow" and first.slow and not first.stalled
    assert "1 step:" in first.reason


FRACTIONS = st.floats(0.01, 1.6).filter(lambda f: abs(f - 1.0) > 1e-6)


@given(
    dim=st.sampled_from([1, 2]),
    lam=st.tuples(st.floats(0.1, 10.0), st.floats(0.1, 10.0)),
    angle=st.floats(-90, 90),
    frac=FRACTIONS,
    coords=st.tuples(st.floats(0.2, 2.5), st.floats(0.2, 2.5), st.booleans(), st.booleans()),
    steps=st.integers(1, 200),
)
def test_verdict_facts_agree_with_the_closed_form_on_every_quadratic(dim, lam, angle, frac, coords, steps):
    """Gradient descent on a quadratic: the error along eigenvector i is c_i (1 − ηλ_i)^t. So it diverges iff some
    |1 − ηλ_i| > 1, oscillates iff some 1 − ηλ_i < 0, has converged iff |e_T| ≤ 10⁻³ |e_0|, and otherwise is still
    approaching (slow); it never stalls or runs off without bound."""
    if dim == 1:
        surface = quadratic_1d(lam[0] / 2, -lam[0] * 0.7, 0.0)  # L'' = λ, minimum at 0.7
        eig, q = np.array([lam[0]]), np.eye(1)
    else:
        surface = quadratic_2d(lam, angle)
        eig, q = np.linalg.eigh(surface.hessian(surface.minima[0]))
    c = np.array([coords[0] * (-1) ** coords[2], coords[1] * (-1) ** coords[3]])[:dim]
    x0 = surface.minima[0] + q @ c
    eta = frac * 2 / eig.max()
    factor = 1 - eta * eig
    assume(np.all(np.abs(factor) > 1e-3) and np.all(np.abs(np.abs(factor) - 1) > 1e-9))
    traj = run(surface, sgd(lr=eta), x0, steps)
    v = an.classify(traj)

    d0, dT = np.linalg.norm(c), np.linalg.norm(c * factor**steps)
    assert v.diverged == bool(np.abs(factor).max() > 1)
    if not traj.diverged:  # a run stopped at the box's edge may have had no step to flip in
        assert v.oscillating == bool(factor.min() < 0)
    elif v.oscillating:
        assert factor.min() < 0
    assert not v.stalled and not v.unbounded
    if not v.diverged:
        g0, gT = np.linalg.norm(surface.grad(x0)), np.linalg.norm(surface.grad(traj.params[-1]))
        if dT <= 1e-3 * d0 * (1 - 1e-9):
            assert v.converged
        if v.converged:
            assert dT <= 1e-3 * d0 * (1 + 1e-9) or gT <= 1e-6 * (1 + g0)
        assert v.slow == (not v.converged)
    derived = ("diverged" if v.diverged else "converged" if v.converged else "oscillating" if v.oscillating
               else "too slow")  # fmt: skip
    assert v.label == derived
    assert suggests_larger(v) <= (v.slow and not v.oscillating), "a larger η only where it is true"


def test_curved_and_badly_scaled_surfaces_are_not_mistaken_for_stalls():
    """Rosenbrock's Hessian is indefinite just above its valley floor and Beale's slopes span many decades: a slow
    crawl there is 'too slow', and a run near Beale's minimum is no plateau."""
    crawl = an.classify(run(rosenbrock(), sgd(lr=1e-3), [-1.5, 2.5], 300))
    assert crawl.label == "too slow" and not crawl.stalled
    from lr_core.surfaces import beale

    near = an.classify(run(beale(), adam(lr=0.1), [1.0, 1.4], 300))
    assert not near.stalled and near.label in ("converged", "too slow")


def test_range_test_smoothing_is_debiased_and_does_not_lag_far_behind():
    """The smoothed curve starts on the first loss (debiased) and, on a falling loss, stays within a few steps
    of it (fastai's beta = 0.98 lagged some 50 of 120 steps)."""
    result = an.range_test(rosenbrock(), [-1.5, 2.5], lr_min=1e-6, lr_max=1.0, steps=120)
    assert result.smoothed[0] == pytest.approx(result.losses[0])
    k = int(np.argmax(result.losses < 0.6 * result.losses[0]))  # once the raw loss has fallen by 40%
    assert result.smoothed[min(k + 5, result.stopped_at - 1)] < 0.75 * result.losses[0]


def test_range_test_says_when_the_loss_never_blew_up_and_what_lies_at_the_edge():
    flat = an.range_test(plateau(), [3.5, 1.5], lr_min=1e-6, lr_max=1.0, steps=120)
    assert not flat.exploded and "steepest" in flat.at_edge
    steep = an.range_test(quadratic_1d(), [-1.0], lr_min=1e-3, lr_max=100.0, steps=60)
    assert steep.exploded and not steep.at_edge


def test_every_range_test_suggestion_is_checked_by_a_real_run():
    from lr_core.lessons import adaptive as lesson

    scene = lesson.range_test(lesson.RangeTestConfig(surface="rosenbrock", optimizer="sgd"))
    assert set(scene.checks) == set(scene.test.suggestions)
    for rule, lr in scene.test.suggestions.items():
        alone = run(rosenbrock(), sgd(lr=lr), [-1.5, 2.5], 300)
        assert scene.checks[rule][0] == pytest.approx(float(alone.losses[-1]), rel=1e-12)
    assert scene.checks[scene.best][0] == min(gap for gap, _ in scene.checks.values())


# ----------------------------------------------------------------------------------------- learning curves

EPOCHS = np.arange(31)


def _judge(train, val, diverged_at=-1):
    return an.judge_curve(np.asarray(train, float), np.asarray(val, float), diverged_at)


def test_each_learning_curve_label_on_curves_built_to_show_it():
    fast = 0.05 + 2.25 * np.exp(-EPOCHS / 3)  # falls and flattens
    assert _judge(fast, fast + 0.05).label == "good fit"
    slow = 2.3 - 0.02 * EPOCHS  # a steady crawl
    v = _judge(slow, slow + 0.01)
    assert v.label == "too slow" and v.slow and v.learned
    flat = 2.3 + 0.05 * np.sin(EPOCHS)  # jumps about near guessing
    assert _judge(flat, flat).label == "did not learn"
    val = 0.3 + 0.002 * (EPOCHS - 12) ** 2  # lowest at epoch 12, then rising
    v = _judge(fast, val)
    assert v.label == "overfitting" and v.best_epoch == 12 and v.gap == pytest.approx(val[-1] - fast[-1])
    jumpy = fast.copy()
    jumpy[10] = 1.5  # back up by more than a quarter of what it had learned
    v = _judge(jumpy, jumpy + 0.05)
    assert v.label == "unstable" and "epoch 10" in v.reason
    v = _judge(fast, fast, diverged_at=4)
    assert v.label == "diverged" and v.diverged and np.isnan(v.gap)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0.01, 5.0), min_size=6, max_size=40), st.lists(st.floats(0.01, 5.0), min_size=6, max_size=40))
def test_a_curve_label_is_the_first_true_fact_in_precedence(train, val):
    n = min(len(train), len(val))
    v = _judge(train[:n], val[:n])
    assert v.label in an.CURVE_LABELS
    facts = {"did not learn": not v.learned and not v.slow, "too slow": v.slow, "overfitting": v.overfitting,
             "unstable": v.unstable}  # fmt: skip
    first = next(
        (label for label in ("did not learn", "too slow", "overfitting", "unstable") if facts[label]), "good fit"
    )
    assert v.label == first
    if v.slow:  # "still falling steadily" must be true
        tail = max(1, (n - 1) // 5)
        assert np.all(np.diff(np.asarray(train[:n])[-1 - tail :]) < 0)
    if v.overfitting:
        assert val[n - 1] > (1 + an.RISE) * val[v.best_epoch] and v.best_epoch < n - 1


def test_the_good_range_is_the_contiguous_window_within_the_factor_of_the_best():
    lrs = np.geomspace(1e-5, 10, 25)
    scores = 1.0 + (np.log10(lrs) + 2.0) ** 2  # best 1 at 0.01; within 1.5 where |log10 η + 2| <= 0.707
    lo, hi = an.good_range(lrs, scores, 1.5)
    assert lo == pytest.approx(10**-2.5) and hi == pytest.approx(10**-1.5)
    scores[-1] = 1.0  # a second good point, cut off by bad rates in between: not in the window
    assert an.good_range(lrs, scores, 1.5) == (lo, hi)


@pytest.mark.parametrize("lr", [0.05, 0.3, 0.8, 1.05])
def test_the_expected_loss_under_noise_equals_the_engines_noisy_runs_and_levels_off_at_its_floor(lr):
    """E L(θ_t) − L* = ½λ(c² r^{2t} + η²σ² Σ_{k<t} r^{2k}), r = 1 − ηλ, against 20,000 noisy runs of the engine
    (within four standard errors); for |r| < 1 it tends to ησ²/(2(2 − ηλ)), for |r| > 1 it grows without bound."""
    surface, sigma = quadratic_1d(), 0.7  # (θ − 3)², λ = 2
    closed = an.quadratic_losses(surface, [-1.0], lr, 60, noise=sigma)
    runs = sweep(surface, sgd(lr=lr), np.full((20_000, 1), -1.0), 60, noise=sigma, seed=3)
    mean, err = runs.losses.mean(axis=1), runs.losses.std(axis=1) / np.sqrt(20_000)
    assert (np.abs(mean - closed) <= 4 * err + 1e-12).all()
    if lr * 2 < 2:
        far = an.quadratic_losses(surface, [-1.0], lr, 5000, noise=sigma)[-1]
        assert far == pytest.approx(lr * sigma**2 / (2 * (2 - 2 * lr)), rel=1e-9)
        assert an.noise_floor(surface, lr, sigma) == pytest.approx(far, rel=1e-9)
    else:
        assert closed[-1] > closed[30] > closed[0]
        assert an.noise_floor(surface, lr, sigma) == np.inf


def test_without_noise_the_expected_loss_is_the_noiseless_closed_form():
    s = quadratic_2d((1.0, 10.0), 30.0)
    assert np.array_equal(
        an.quadratic_losses(s, [1.0, 2.0], 0.1, 20), an.quadratic_losses(s, [1.0, 2.0], 0.1, 20, noise=0.0)
    )
