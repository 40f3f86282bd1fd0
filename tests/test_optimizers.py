"""lr_core/optimizers.py: torch.optim semantics to float64 precision, hand-checked steps, validation."""

import numpy as np
import pytest
import torch

from lr_core import optimizers as lo
from lr_core.runner import run
from lr_core.schedules import step_decay
from lr_core.surfaces import Surface, make_surface, quadratic_2d, rosenbrock
from tests.torch_reference import torch_path

X0 = [-1.2, 1.0]
STEPS = 60

# (lr_core factory, torch class, keyword arguments shared by both)
CASES = [
    ("sgd", torch.optim.SGD, {"lr": 1e-3}),
    ("sgd", torch.optim.SGD, {"lr": 1e-3, "momentum": 0.9}),
    ("sgd", torch.optim.SGD, {"lr": 1e-3, "momentum": 0.9, "dampening": 0.3}),
    ("sgd", torch.optim.SGD, {"lr": 1e-3, "momentum": 0.9, "nesterov": True}),
    ("sgd", torch.optim.SGD, {"lr": 1e-3, "momentum": 0.5, "weight_decay": 0.1}),
    ("adagrad", torch.optim.Adagrad, {}),
    (
        "adagrad",
        torch.optim.Adagrad,
        {"lr": 0.1, "lr_decay": 0.05, "weight_decay": 0.1, "initial_accumulator_value": 0.5, "eps": 1e-6},
    ),
    ("rmsprop", torch.optim.RMSprop, {}),
    ("rmsprop", torch.optim.RMSprop, {"lr": 1e-3, "alpha": 0.9, "momentum": 0.8, "weight_decay": 0.05}),
    ("rmsprop", torch.optim.RMSprop, {"lr": 1e-3, "centered": True, "momentum": 0.5}),
    ("adam", torch.optim.Adam, {}),
    ("adam", torch.optim.Adam, {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1}),
    ("adam", torch.optim.Adam, {"lr": 0.05, "amsgrad": True}),
    ("adamw", torch.optim.AdamW, {}),
    ("adamw", torch.optim.AdamW, {"lr": 0.05, "weight_decay": 0.5, "amsgrad": True}),
    ("nadam", torch.optim.NAdam, {}),
    ("nadam", torch.optim.NAdam, {"lr": 0.02, "weight_decay": 0.1, "momentum_decay": 0.01}),
    ("nadam", torch.optim.NAdam, {"lr": 0.02, "weight_decay": 0.1, "decoupled_weight_decay": True}),
]


@pytest.mark.parametrize(("name", "torch_cls", "kwargs"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_trajectory_matches_torch_optim(name, torch_cls, kwargs):
    surface = rosenbrock()
    ours = run(surface, lo.OPTIMIZERS[name](**kwargs), X0, STEPS).params
    theirs = torch_path(surface, torch_cls, kwargs, X0, STEPS)
    assert np.all(np.abs(ours - theirs) <= 1e-9 * np.maximum(np.abs(theirs), 1e-3)), np.abs(ours - theirs).max()
    assert not np.allclose(ours[-1], ours[0]), "the run should move"


def test_scheduled_rate_matches_torch_scheduler():
    surface = quadratic_2d((1.0, 4.0), 30.0)
    ours = run(surface, lo.adam(lr=step_decay(0.1, 10, 0.5)), X0, 40).params
    theirs = torch_path(
        surface,
        torch.optim.Adam,
        {"lr": 0.1},
        X0,
        40,
        scheduler=lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=10, gamma=0.5),
    )
    assert np.allclose(ours, theirs, rtol=1e-9, atol=1e-12)


def test_defaults_are_torchs():
    import inspect

    for name, torch_cls in [
        ("sgd", torch.optim.SGD),
        ("adagrad", torch.optim.Adagrad),
        ("rmsprop", torch.optim.RMSprop),
        ("adam", torch.optim.Adam),
        ("adamw", torch.optim.AdamW),
        ("nadam", torch.optim.NAdam),
    ]:
        ours = inspect.signature(lo.OPTIMIZERS[name]).parameters
        theirs = inspect.signature(torch_cls).parameters
        for key, param in ours.items():
            if key in theirs and param.kind is not inspect.Parameter.KEYWORD_ONLY:
                assert param.default == theirs[key].default, (name, key)


# ------------------------------------------------------------------------------------------ hand-checked steps


def _one_step(opt, x, g):
    state = opt.init(x)
    delta, state = opt.update(g, state, x, np.asarray(opt.lr_at(0)))
    return delta, state


def test_sgd_step_is_minus_lr_times_gradient():
    delta, _ = _one_step(lo.sgd(lr=0.1), np.array([1.0, 2.0]), np.array([3.0, -4.0]))
    assert delta.tolist() == [-0.30000000000000004, 0.4]


def test_momentum_buffer_accumulates():
    opt = lo.sgd(lr=1.0, momentum=0.5)
    x, g = np.zeros(1), np.ones(1)
    state = opt.init(x)
    steps = []
    for _ in range(3):
        delta, state = opt.update(g, state, x, np.asarray(1.0))
        steps.append(delta[0])
    assert steps == [-1.0, -1.5, -1.75]  # b1 = g, b2 = 0.5 + 1, b3 = 0.75 + 1


def test_adam_first_step_has_size_lr_whatever_the_gradient():
    x = np.zeros(3)
    g = np.array([1e-6, 1.0, -1e4])
    delta, state = _one_step(lo.adam(lr=0.01), x, g)
    assert np.allclose(delta, -0.01 * g / (np.abs(g) + 1e-8), rtol=1e-12)  # m_hat = g, v_hat = g^2
    assert np.allclose(delta[1:], -0.01 * np.sign(g[1:]), rtol=1e-7)
    internals = lo.adam(lr=0.01).internals(state, np.asarray(0.01))
    assert np.allclose(internals["m_hat"], g) and np.allclose(internals["v_hat"], g**2)
    assert np.allclose(internals["m"], 0.1 * g) and np.allclose(internals["v"], 0.001 * g**2)


def test_adam_without_bias_correction_takes_a_smaller_first_step():
    g = np.array([1.0])
    with_bc, _ = _one_step(lo.adam(lr=0.01), np.zeros(1), g)
    without, _ = _one_step(lo.adam(lr=0.01, bias_correction=False), np.zeros(1), g)
    # m = 0.1 g, v = 0.001 g^2: step = lr * 0.1 / sqrt(0.001) = lr * 3.162...
    assert without[0] == pytest.approx(-0.01 * 0.1 / (np.sqrt(0.001) + 1e-8))
    assert abs(without[0]) > abs(with_bc[0])


def test_adagrad_rate_shrinks_with_accumulated_squares():
    opt = lo.adagrad(lr=1.0, eps=0.0 + 1e-300)
    x, g = np.zeros(1), np.array([2.0])
    state = opt.init(x)
    deltas = []
    for _ in range(4):
        d, state = opt.update(g, state, x, np.asarray(1.0))
        deltas.append(d[0])
    assert np.allclose(deltas, [-1 / np.sqrt(k) for k in range(1, 5)])


def test_adamw_decay_is_decoupled_from_the_moments():
    x, g = np.array([2.0]), np.array([0.0 + 1e-300])
    delta, state = _one_step(lo.adamw(lr=0.1, weight_decay=0.5), x, g)
    assert delta[0] == pytest.approx(-0.1 * 0.5 * 2.0, rel=1e-6)  # only the decay moves it
    assert state.exp_avg[0] == pytest.approx(1e-301)
    _, state_l2 = _one_step(lo.adam(lr=0.1, weight_decay=0.5), x, g)
    assert state_l2.exp_avg[0] == pytest.approx(0.1 * 1.0)  # Adam's L2 enters m


# ------------------------------------------------------------------------------------------------- batches


def test_array_hyperparameters_form_a_batch_equal_to_single_runs():
    surface = rosenbrock()
    lrs = np.array([1e-4, 5e-4, 1e-3])
    moms = np.array([0.0, 0.5, 0.9])
    batch = run(surface, lo.sgd(lr=lrs, momentum=moms), X0, 30).params
    for i in range(3):
        single = run(surface, lo.sgd(lr=lrs[i], momentum=moms[i]), X0, 30).params
        assert np.array_equal(batch[:, i], single)


def test_make_optimizer_variants():
    assert lo.make_optimizer("nesterov", 0.1).hyperparams["nesterov"] is True
    assert lo.make_optimizer("amsgrad", 0.1).hyperparams["amsgrad"] is True
    # torch.optim.AdamW's own default: the race passes its slider's λ, so nothing hidden is added to it
    assert lo.make_optimizer("adamw", 0.1).hyperparams["weight_decay"] == 0.01
    for name in lo.VARIANTS:
        assert lo.make_optimizer(name, lo.VARIANTS[name].default_lr).name == lo.VARIANTS[name].factory


def test_capabilities_follow_the_algorithm_not_the_name():
    assert {n for n in lo.VARIANTS if "moments" in lo.capabilities(n)} == {"adam", "adamw", "amsgrad"}
    assert {n for n in lo.VARIANTS if "decoupled_weight_decay" in lo.capabilities(n)} == {"adamw"}
    assert "decoupled_weight_decay" in lo.nadam(decoupled_weight_decay=True).capabilities
    assert "momentum" not in lo.sgd().capabilities and "momentum" in lo.sgd(momentum=0.9).capabilities
    assert set().union(*(lo.capabilities(n) for n in lo.VARIANTS)) <= set(lo.CAPABILITIES)


@pytest.mark.parametrize("name", sorted(lo.OPTIMIZERS))
def test_weight_decay_zero_changes_nothing_and_l2_equals_a_gradient_term(name):
    """Weight decay is one mechanism for every optimizer: λ = 0 is the plain optimizer, and L2 decay equals
    running the plain optimizer on L(θ) + λ‖θ‖²/2 (torch's definition of weight_decay)."""
    surface = make_surface("rosenbrock")
    if "decoupled_weight_decay" in lo.OPTIMIZERS[name]().capabilities:  # AdamW: with λ = 0 it is Adam
        assert np.array_equal(
            run(surface, lo.OPTIMIZERS[name](lr=0.01, weight_decay=0.0), X0, 40).params,
            run(surface, lo.adam(lr=0.01), X0, 40).params,
        )
        return  # its decoupled decay is checked against torch.optim.AdamW above
    plain = run(surface, lo.OPTIMIZERS[name](lr=0.01), X0, 40).params
    assert np.array_equal(run(surface, lo.OPTIMIZERS[name](lr=0.01, weight_decay=0.0), X0, 40).params, plain)
    lam = 0.3
    ridge = Surface(
        "ridge", "ridge", 2, "",
        lambda x: surface.value(x) + lam * (x**2).sum(-1) / 2,
        lambda x: surface.grad(x) + lam * x,
        lambda x: surface.hessian(x) + lam * np.eye(2),
        surface.bounds, surface.minima,
    )  # fmt: skip
    decayed = run(surface, lo.OPTIMIZERS[name](lr=0.01, weight_decay=lam), X0, 40).params
    assert np.allclose(decayed, run(ridge, lo.OPTIMIZERS[name](lr=0.01), X0, 40).params, rtol=1e-12, atol=1e-14)


# ---------------------------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("factory", "kwargs", "match"),
    [
        (lo.sgd, {"lr": -0.1}, "lr must be >= 0"),
        (lo.sgd, {"lr": float("nan")}, "lr must be finite"),
        (lo.sgd, {"lr": "fast"}, "lr must be a number"),
        (lo.sgd, {"lr": 0.1, "momentum": -1}, "momentum"),
        (lo.sgd, {"lr": 0.1, "nesterov": True}, "Nesterov"),
        (lo.sgd, {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "nesterov": True}, "Nesterov"),
        (lo.adam, {"betas": (1.0, 0.999)}, r"betas\[0\] must lie in \[0, 1\)"),
        (lo.adam, {"betas": (0.9, -0.1)}, r"betas\[1\]"),
        (lo.adam, {"betas": 0.9}, "pair"),
        (lo.adam, {"eps": 0.0}, "eps must be > 0"),
        (lo.adamw, {"eps": -1e-8}, "eps must be > 0"),
        (lo.nadam, {"momentum_decay": -1}, "momentum_decay"),
        (lo.rmsprop, {"alpha": 1.5}, "alpha"),
        (lo.adagrad, {"lr_decay": -0.1}, "lr_decay"),
        (lo.adagrad, {"eps": 0}, "eps must be > 0"),
    ],
)
def test_bad_hyperparameters_raise_value_error(factory, kwargs, match):
    with pytest.raises(ValueError, match=match):
        factory(**kwargs)


def test_unknown_optimizer_is_a_value_error():
    with pytest.raises(ValueError, match="unknown optimizer"):
        lo.make_optimizer("lion", 0.1)
    with pytest.raises(ValueError, match="bad hyperparameters"):
        lo.make_optimizer("sgd", 0.1, betas=(0.9, 0.99))
