"""lr_core/practice.py: the digits split as the issue fixes it, gradients equal torch autograd, training equals the
same loop in torch (float64), batches of runs equal runs one by one, divergence is caught."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from lr_core import optimizers as lo
from lr_core import practice
from lr_core.schedules import cosine_annealing

torch.set_default_dtype(torch.float64)


def _torch_model(name: str) -> torch.nn.Module:
    if name == "softmax":
        return torch.nn.Linear(practice.FEATURES, practice.CLASSES)
    return torch.nn.Sequential(
        torch.nn.Linear(practice.FEATURES, practice.HIDDEN),
        torch.nn.ReLU(),
        torch.nn.Linear(practice.HIDDEN, practice.CLASSES),
    )


def _load(module: torch.nn.Module, flat: np.ndarray) -> None:
    """Copy one run's flat parameters into ``module``, in torch's parameter order."""
    torch.nn.utils.vector_to_parameters(torch.tensor(flat), module.parameters())


def _flat(module: torch.nn.Module) -> np.ndarray:
    return torch.nn.utils.parameters_to_vector(module.parameters()).detach().numpy().copy()


def test_the_split_is_the_stratified_70_30_of_the_digits():
    d = practice.digits()
    assert d.x_train.shape == (1257, 64) and d.x_val.shape == (540, 64)
    assert d.x_train.min() == 0.0 and d.x_train.max() == 1.0
    assert np.all(np.abs(np.bincount(d.y_val) / len(d.y_val) - np.bincount(d.y_train) / len(d.y_train)) < 0.01)


@pytest.mark.parametrize("model", list(practice.MODELS))
def test_loss_and_gradient_equal_torch_autograd(model):
    d = practice.digits()
    rng = np.random.default_rng(3)
    m = practice.MODELS[model]
    params = rng.normal(0, 0.3, (4, m.dim))
    x, y = d.x_train[:50], d.y_train[:50]
    loss, grad = m.loss_and_grad(params, x, y)
    for k in range(4):
        net = _torch_model(model)
        _load(net, params[k])
        ref = torch.nn.functional.cross_entropy(net(torch.tensor(x)), torch.tensor(y))
        ref.backward()
        ref_grad = torch.cat([p.grad.reshape(-1) for p in net.parameters()]).numpy()
        assert loss[k] == pytest.approx(ref.item(), abs=1e-12)
        np.testing.assert_allclose(grad[k], ref_grad, rtol=0, atol=1e-10)


def _torch_train(model, opt_cls, kwargs, epochs, batch_size, init, seed=0, scheduler=None):
    """The same training in torch: the same initial parameters and the same mini-batches, in float64."""
    d = practice.digits()
    net = _torch_model(model)
    _load(net, init)
    opt = opt_cls(net.parameters(), **kwargs)
    sched = scheduler(opt) if scheduler else None
    x, y = torch.tensor(d.x_train), torch.tensor(d.y_train)
    history = []

    def record():
        with torch.no_grad():
            out = []
            for xs, ys in ((x, y), (torch.tensor(d.x_val), torch.tensor(d.y_val))):
                logits = net(xs)
                out.append(torch.nn.functional.cross_entropy(logits, ys).item())
                out.append((logits.argmax(1) == ys).double().mean().item())
            history.append(out)

    record()
    for batches in practice.batch_order(len(x), batch_size, epochs, seed):
        for rows in batches:
            opt.zero_grad()
            torch.nn.functional.cross_entropy(net(x[rows]), y[rows]).backward()
            opt.step()
            if sched:
                sched.step()
        record()
    h = np.array(history)  # train loss, train acc, val loss, val acc
    return h, _flat(net)


@pytest.mark.parametrize(
    ("name", "opt_cls", "kwargs"),
    [("sgd", torch.optim.SGD, {"lr": 0.5}), ("adam", torch.optim.Adam, {"lr": 0.01})],
)
def test_full_batch_softmax_regression_from_zero_equals_torch(name, opt_cls, kwargs):
    """The course's logistic-regression example: convex, from zero, full batch; equal to torch to 1e-9."""
    h = practice.train("softmax", lo.make_optimizer(name, **kwargs), epochs=30)
    ref, ref_params = _torch_train("softmax", opt_cls, kwargs, 30, None, np.zeros(650))
    np.testing.assert_allclose(h.train_loss, ref[:, 0], rtol=0, atol=1e-9)
    np.testing.assert_allclose(h.val_loss, ref[:, 2], rtol=0, atol=1e-9)
    np.testing.assert_array_equal(h.train_acc, ref[:, 1])
    np.testing.assert_array_equal(h.val_acc, ref[:, 3])
    np.testing.assert_allclose(h.params, ref_params, rtol=0, atol=1e-9)
    assert h.train_loss[-1] < h.train_loss[0] and h.val_acc[-1] > 0.85


def test_a_mini_batch_mlp_run_equals_torch_with_the_same_init_and_batches():
    """Mini-batches of 64 in a seeded order, momentum and a cosine schedule stepped per batch, as torch does."""
    init = practice.initial_params("mlp", seed=5)
    steps = 4 * math.ceil(1257 / 64)
    sched = cosine_annealing(0.1, steps)
    h = practice.train("mlp", lo.sgd(lr=sched, momentum=0.9), epochs=4, batch_size=64, seed=5)
    ref, ref_params = _torch_train(
        "mlp",
        torch.optim.SGD,
        {"lr": 0.1, "momentum": 0.9},
        4,
        64,
        init,
        seed=5,
        scheduler=lambda opt: torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps),
    )
    np.testing.assert_allclose(h.train_loss, ref[:, 0], rtol=0, atol=1e-9)
    np.testing.assert_allclose(h.val_loss, ref[:, 2], rtol=0, atol=1e-9)
    np.testing.assert_allclose(h.params, ref_params, rtol=0, atol=1e-9)
    assert h.val_acc[-1] > 0.9


def test_the_mlp_init_is_he_and_glorot_and_seeded():
    m = practice.MODELS["mlp"]
    a, b = practice.initial_params("mlp", seed=1), practice.initial_params("mlp", seed=2)
    assert not np.allclose(a, b) and np.array_equal(a, practice.initial_params("mlp", seed=1))
    p = m.unpack(np.tile(practice.initial_params("mlp", seed=0), (1, 1)))
    assert p["0.weight"].std() == pytest.approx(math.sqrt(2 / 64), rel=0.05)
    assert p["2.weight"].std() == pytest.approx(math.sqrt(2 / (practice.HIDDEN + 10)), rel=0.15)
    assert not p["0.bias"].any() and not p["2.bias"].any()


def test_a_batch_of_rates_is_the_runs_one_by_one_and_has_the_documented_shape():
    rates = np.array([0.01, 0.1, 1.0])
    batch = practice.train("mlp", lo.sgd(lr=rates), epochs=3, batch_size=128, seed=2)
    assert batch.train_loss.shape == (4, 3) and batch.val_acc.shape == (4, 3) and batch.params.shape[0] == 3
    for k, lr in enumerate(rates):
        one = practice.train("mlp", lo.sgd(lr=lr), epochs=3, batch_size=128, seed=2)
        np.testing.assert_allclose(batch.train_loss[:, k], one.train_loss, rtol=0, atol=1e-12)
        np.testing.assert_allclose(batch.val_acc[:, k], one.val_acc, rtol=0, atol=1e-12)
    assert batch.train_loss[-1, 0] > batch.train_loss[-1, 1], "a rate 10x too small fits slower"


def test_a_run_that_diverges_is_stopped_and_marked_the_others_go_on():
    h = practice.train("softmax", lo.sgd(lr=np.array([0.5, 1e4])), epochs=5)
    assert h.diverged_at.tolist()[0] == -1 and h.diverged_at.tolist()[1] >= 1
    k = h.diverged_at[1]
    assert np.all(np.isnan(h.train_loss[k:, 1])) and np.all(np.isfinite(h.train_loss[:k, 1]))
    assert np.all(np.isfinite(h.train_loss[:, 0])) and np.all(np.isfinite(h.params))


def test_bad_arguments_are_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="model must be one of"):
        practice.train("resnet", lo.sgd(lr=0.1), epochs=1)
    with pytest.raises(ValueError, match="epochs"):
        practice.train("softmax", lo.sgd(lr=0.1), epochs=0)
    with pytest.raises(ValueError, match="init must be"):
        practice.initial_params("softmax", init=np.zeros(3))


def test_a_rate_per_layer_equals_torch_parameter_groups():
    """``lr_scale`` is torch's parameter groups: the hidden layer at a tenth of the rate, with Adam."""
    init = practice.initial_params("mlp", seed=4)
    scale = practice.layer_scale("mlp", {"0.weight": 0.1, "0.bias": 0.1})
    h = practice.train("mlp", lo.adam(lr=0.01), epochs=2, batch_size=128, seed=4, lr_scale=scale)
    d = practice.digits()
    net = _torch_model("mlp")
    _load(net, init)
    opt = torch.optim.Adam([{"params": net[0].parameters(), "lr": 0.001}, {"params": net[2].parameters()}], lr=0.01)
    x, y = torch.tensor(d.x_train), torch.tensor(d.y_train)
    for batches in practice.batch_order(len(x), 128, 2, 4):
        for rows in batches:
            opt.zero_grad()
            torch.nn.functional.cross_entropy(net(x[rows]), y[rows]).backward()
            opt.step()
    np.testing.assert_allclose(h.params, _flat(net), rtol=0, atol=1e-9)
    with pytest.raises(ValueError, match="no tensor"):
        practice.layer_scale("mlp", {"1.weight": 0.1})


def test_each_step_loss_is_the_loss_before_that_step_and_every_thins_the_curves():
    """Full batch: the loss the step sees is the training loss after the previous epoch. ``every`` evaluates
    fewer epochs and changes nothing else."""
    h = practice.train("softmax", lo.sgd(lr=np.array([0.1, 1.0])), epochs=6)
    np.testing.assert_allclose(h.step_loss, h.train_loss[:-1], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(h.lrs, np.broadcast_to([0.1, 1.0], (6, 2)))
    thin = practice.train("softmax", lo.sgd(lr=np.array([0.1, 1.0])), epochs=6, every=3)
    for e in (0, 3, 6):
        np.testing.assert_array_equal(thin.val_loss[e], h.val_loss[e])
    assert np.isnan(thin.val_loss[[1, 2, 4, 5]]).all()
    np.testing.assert_array_equal(thin.params, h.params)


def test_classes_and_train_size_restrict_the_data_and_the_score_is_the_untrained_loss_when_diverged():
    h = practice.train("softmax", lo.sgd(lr=np.array([0.5, 1e4])), epochs=3, classes=(5, 6, 7, 8, 9), train_size=40)
    d = practice.digits()
    keep = np.isin(d.y_val, (5, 6, 7, 8, 9))
    loss, acc = practice.MODELS["softmax"].evaluate(h.params[:1], d.x_val[keep], d.y_val[keep])
    assert h.val_loss[-1, 0] == pytest.approx(loss[0], abs=1e-12) and h.val_acc[-1, 0] == acc[0]
    assert h.step_loss.shape == (3, 2)  # 40 examples, full batch: one step per epoch
    assert h.score[0] == h.val_loss[-1, 0] and h.score[1] == pytest.approx(math.log(10))
    with pytest.raises(ValueError, match="classes"):
        practice.train("softmax", lo.sgd(lr=0.1), epochs=1, classes=(11,))


def test_the_model_range_test_ramps_exponentially_and_stops_where_the_loss_explodes():
    rt = practice.range_test("softmax", "sgd", lr_min=1e-3, lr_max=1e4, epochs=2, batch_size=64)
    steps = 2 * math.ceil(1257 / 64)
    ramp = 1e-3 * (1e7) ** (np.arange(steps) / (steps - 1))
    np.testing.assert_allclose(rt.lrs, ramp[: len(rt.lrs)], rtol=1e-12)
    assert rt.exploded and len(rt.lrs) < steps - 1
    assert rt.suggestions["minimum"] == pytest.approx(rt.lrs[np.argmin(rt.smoothed)] / 10, rel=1e-12)
    assert rt.lrs[0] <= rt.suggestions["valley"] <= rt.lrs[-1]
    assert rt.smoothed[-1] > 4 * rt.smoothed.min() or not np.isfinite(rt.losses).all()
