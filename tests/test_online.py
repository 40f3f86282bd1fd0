"""lr_core/online.py: online runs equal torch.optim fed the same stream (with autograd's gradients and torch's
clamp as the projection), the problems' closed forms, Reddi, Kale and Kumar's Theorem 1, divergence."""

import math

import numpy as np
import pytest
import torch

from lr_core.online import DIVERGENCE, reddi, run_online, sparse_regression
from lr_core.optimizers import adagrad, adam, sgd
from lr_core.schedules import inverse_sqrt


def close(ours: np.ndarray, theirs: np.ndarray) -> bool:
    return bool(np.all(np.abs(ours - theirs) <= 1e-9 * np.maximum(np.abs(theirs), 1e-3)))


def torch_reddi(c: float, torch_cls, kwargs: dict, lr: float, steps: int) -> np.ndarray:
    """θ_0..θ_steps of torch's optimizer at lr/√t on f_t(θ) = Cθ (t mod 3 = 1) or −θ, clamped to [−1, 1]."""
    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch_cls([p], lr=lr, **kwargs)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda step: 1 / math.sqrt(step + 1))
    out = [0.0]
    for t in range(1, steps + 1):
        opt.zero_grad()
        loss = (c if t % 3 == 1 else -1.0) * p.sum()
        loss.backward()
        opt.step()
        sched.step()
        with torch.no_grad():
            p.clamp_(-1.0, 1.0)
        out.append(float(p.detach()))
    return np.array(out)


@pytest.mark.parametrize(
    ("ours", "torch_cls", "kwargs"),
    [
        (lambda lr: adam(lr=lr, betas=(0.0, 0.1)), torch.optim.Adam, {"betas": (0.0, 0.1)}),
        (
            lambda lr: adam(lr=lr, betas=(0.0, 0.1), amsgrad=True),
            torch.optim.Adam,
            {"betas": (0.0, 0.1), "amsgrad": True},
        ),
        (lambda lr: adam(lr=lr), torch.optim.Adam, {}),
        (lambda lr: sgd(lr=lr), torch.optim.SGD, {}),
    ],
    ids=["adam", "amsgrad", "adam-defaults", "sgd"],
)
def test_the_counterexample_run_equals_torch_with_its_projection(ours, torch_cls, kwargs):
    run = run_online(reddi(3.0), ours(inverse_sqrt(0.1)), [0.0], 400)
    theirs = torch_reddi(3.0, torch_cls, kwargs, 0.1, 400)
    assert close(run.params[:, 0, 0, 0], theirs), np.abs(run.params[:, 0, 0, 0] - theirs).max()
    assert (np.abs(run.params) <= 1).all()


def test_reddi_theorem_1_adam_ends_at_the_worst_point_and_amsgrad_at_the_best():
    """With β₁ = 0 and β₂ = 1/(1 + C²), Adam converges to +1 where the average loss (C − 2)θ/3 is largest; AMSGrad
    to θ* = −1. With torch's default β₂ = 0.999 Adam finds −1 too: the failure needs v to forget fast."""
    for c in (3.0, 5.0):
        betas = (0.0, 1 / (1 + c * c))
        bad = run_online(reddi(c), adam(lr=inverse_sqrt(0.1), betas=betas), [0.0], 3000)
        good = run_online(reddi(c), adam(lr=inverse_sqrt(0.1), betas=betas, amsgrad=True), [0.0], 3000)
        assert bad.params[-1, 0, 0, 0] > 0.99 and good.params[-1, 0, 0, 0] < -0.99
        assert bad.losses[-1, 0, 0] == pytest.approx((c - 2) / 3, rel=1e-2)
    fine = run_online(reddi(3.0), adam(lr=inverse_sqrt(0.1)), [0.0], 3000)
    assert fine.params[-1, 0, 0, 0] < -0.99


def test_the_counterexample_needs_c_above_two():
    with pytest.raises(ValueError, match="C must be > 2"):
        reddi(2.0)


def test_sparse_regression_equals_torch_adagrad_and_sgd_with_autograd_on_the_same_stream():
    """torch's Adagrad and SGD on the loss ½(wᵀx − y)², differentiated by autograd, fed the examples the problem
    draws (the same generator calls in the same order)."""
    p_rare, sigma, steps, target = 0.1, 0.3, 300, np.array([1.0, -2.0])
    problem = sparse_regression(p_rare, tuple(target), sigma)
    for ours, torch_cls, kwargs in [(adagrad(lr=0.4), torch.optim.Adagrad, {"lr": 0.4}),
                                    (sgd(lr=0.05), torch.optim.SGD, {"lr": 0.05})]:  # fmt: skip
        run = run_online(problem, ours, [0.0, 0.0], steps, seed=7)
        rng = np.random.default_rng(7)
        w = torch.zeros(2, dtype=torch.float64, requires_grad=True)
        opt = torch_cls([w], **kwargs)
        path = [w.detach().numpy().copy()]
        for _ in range(steps):
            u, v, e = rng.standard_normal(3)
            x = torch.tensor([u, v if rng.random() < p_rare else 0.0], dtype=torch.float64)
            y = float(torch.tensor(target) @ x) + sigma * e
            opt.zero_grad()
            (0.5 * (w @ x - y) ** 2).backward()
            opt.step()
            path.append(w.detach().numpy().copy())
        assert close(run.params[:, 0, 0], np.array(path)), np.abs(run.params[:, 0, 0] - np.array(path)).max()


def test_the_sparse_average_loss_is_the_mean_of_the_stream():
    """f̄(w) = ½((w₁ − w₁*)² + p (w₂ − w₂*)² + σ²), checked against the mean of f_t(w) over 400,000 examples drawn as
    the problem draws them (within five standard errors)."""
    p_rare, sigma, w = 0.05, 0.5, np.array([0.3, -0.4])
    problem = sparse_regression(p_rare, (1.0, 1.0), sigma)
    rng = np.random.default_rng(0)
    n = 400_000
    x = np.stack([rng.standard_normal(n), rng.standard_normal(n) * (rng.random(n) < p_rare)], axis=1)
    losses = 0.5 * ((w - 1.0) @ x.T - sigma * rng.standard_normal(n)) ** 2
    assert abs(losses.mean() - problem.average(w[None])[0]) < 5 * losses.std() / np.sqrt(n)


def test_a_run_that_blows_up_is_frozen_where_it_was_and_flagged():
    run = run_online(sparse_regression(0.5), sgd(lr=np.array([0.01, 50.0])), [0.0, 0.0], 200)
    assert run.diverged.tolist() == [[False, True]]
    assert np.isfinite(run.params).all() and (np.abs(run.params) <= DIVERGENCE).all()
    k = run.diverged_at[0, 1]
    assert (run.params[k:, 0, 1] == run.params[k - 1, 0, 1]).all(), "it stays where it was before it left"
    assert (run.deltas[k:, 0, 1] == 0).all()


def test_each_stream_draws_its_own_examples_and_its_runs_share_them():
    """Each stream's examples differ; the runs of one stream (two rates) see the same examples, so adding a rate to
    the batch changes nothing for the others."""
    problem = sparse_regression(0.3, label_noise=0.5)
    run = run_online(problem, sgd(lr=np.array([0.01, 0.02])), [0.0, 0.0], 50, streams=3, seed=4)
    assert run.params.shape == (51, 3, 2, 2) and run.lrs.shape == (50, 2)
    assert not np.allclose(run.grads[:, 0], run.grads[:, 1]), "streams differ"
    x_rare_zero = run.grads[:, :, 0, 1] == 0
    assert np.array_equal(x_rare_zero, run.grads[:, :, 1, 1] == 0), "both rates of a stream see the same examples"
    one = run_online(problem, sgd(lr=0.01), [0.0, 0.0], 50, streams=3, seed=4)
    assert np.array_equal(one.params[:, :, 0], run.params[:, :, 0])


def test_a_wrong_start_or_two_batch_axes_is_refused():
    with pytest.raises(ValueError, match="coordinate"):
        run_online(reddi(), sgd(lr=0.1), [0.0, 0.0], 10)
    with pytest.raises(ValueError, match="one batch axis"):
        run_online(sparse_regression(), sgd(lr=np.ones((2, 3))), [0.0, 0.0], 10)


def test_the_internals_are_the_optimizers_after_every_step():
    """AdaGrad's effective rate after step t is η/(√s_t + ε) with s_t the running sum of the squared gradients it
    was fed: recomputed from the recorded gradients, for every stream and rate."""
    run = run_online(sparse_regression(0.2), adagrad(lr=np.array([0.1, 0.5])), [0.0, 0.0], 300, streams=2)
    s = np.cumsum(run.grads**2, axis=0)
    expected = run.lrs[:, None, :, None] / (np.sqrt(s) + 1e-10)
    assert np.allclose(run.internals["effective_lr"], expected, rtol=1e-12)
    assert np.array_equal(run.internals["sum_sq"], s)
