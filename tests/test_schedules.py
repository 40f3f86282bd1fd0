"""lr_core/schedules.py: torch.optim.lr_scheduler values to 1e-12, boundaries, validation."""

import math

import numpy as np
import pytest
import torch
from torch.optim import lr_scheduler as tls

from lr_core import schedules as ls
from lr_core.controls import defaults
from tests.torch_reference import torch_rates

N = 400
BASE = 0.1

CASES = [
    (ls.constant(BASE), lambda o: tls.LambdaLR(o, lambda step: 1.0)),
    (ls.step_decay(BASE, 30, 0.5), lambda o: tls.StepLR(o, step_size=30, gamma=0.5)),
    (ls.multistep(BASE, [30, 80, 200]), lambda o: tls.MultiStepLR(o, milestones=[30, 80, 200])),
    (ls.multistep(BASE, (1, 2, 399), 0.5), lambda o: tls.MultiStepLR(o, milestones=[1, 2, 399], gamma=0.5)),
    (ls.exponential_decay(BASE, 0.99), lambda o: tls.ExponentialLR(o, gamma=0.99)),
    (ls.polynomial_decay(BASE, 150, 2.0), lambda o: tls.PolynomialLR(o, total_iters=150, power=2.0)),
    (ls.polynomial_decay(BASE, 100), lambda o: tls.PolynomialLR(o, total_iters=100)),
    (ls.inverse_sqrt(BASE), lambda o: tls.LambdaLR(o, lambda step: 1 / math.sqrt(step + 1))),
    (ls.cosine_annealing(BASE, 100, 0.001), lambda o: tls.CosineAnnealingLR(o, T_max=100, eta_min=0.001)),
    (ls.cosine_warm_restarts(BASE, 50), lambda o: tls.CosineAnnealingWarmRestarts(o, T_0=50)),
    (
        ls.cosine_warm_restarts(BASE, 10, 2, 0.01),
        lambda o: tls.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=2, eta_min=0.01),
    ),
    (ls.cosine_warm_restarts(BASE, 7, 3), lambda o: tls.CosineAnnealingWarmRestarts(o, T_0=7, T_mult=3)),
    (ls.cyclic(0.01, BASE, 25), lambda o: tls.CyclicLR(o, 0.01, BASE, 25, cycle_momentum=False)),
    (
        ls.cyclic(0.01, BASE, 20, "triangular2", step_size_down=35),
        lambda o: tls.CyclicLR(o, 0.01, BASE, 20, 35, mode="triangular2", cycle_momentum=False),
    ),
    (
        ls.cyclic(0.01, BASE, 25, "exp_range", gamma=0.995),
        lambda o: tls.CyclicLR(o, 0.01, BASE, 25, mode="exp_range", gamma=0.995, cycle_momentum=False),
    ),
    (ls.one_cycle(BASE, N), lambda o: tls.OneCycleLR(o, BASE, total_steps=N, cycle_momentum=False)),
    (
        ls.one_cycle(BASE, N, 0.25, 10.0, 100.0, "linear", True),
        lambda o: tls.OneCycleLR(
            o,
            BASE,
            total_steps=N,
            pct_start=0.25,
            div_factor=10.0,
            final_div_factor=100.0,
            anneal_strategy="linear",
            three_phase=True,
            cycle_momentum=False,
        ),
    ),
    (ls.linear_warmup(BASE, 20, 0.1), lambda o: tls.LinearLR(o, start_factor=0.1, total_iters=20)),
    (
        ls.with_warmup(ls.cosine_annealing(BASE, 200), 30, 0.05),
        lambda o: tls.SequentialLR(
            o,
            [tls.LinearLR(o, start_factor=0.05, total_iters=30), tls.CosineAnnealingLR(o, T_max=200)],
            milestones=[30],
        ),
    ),
    (
        ls.with_warmup(ls.step_decay(BASE, 40, 0.3), 10),
        lambda o: tls.SequentialLR(
            o,
            [tls.LinearLR(o, start_factor=1 / 3, total_iters=10), tls.StepLR(o, step_size=40, gamma=0.3)],
            milestones=[10],
        ),
    ),
]


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize(("schedule", "make"), CASES, ids=[c[0].name + str(i) for i, c in enumerate(CASES)])
def test_matches_torch_lr_scheduler(schedule, make):
    ours = schedule(np.arange(N))
    theirs = torch_rates(make, N, lr=schedule.optimizer_lr)
    assert np.all(np.abs(ours - theirs) <= 1e-12 * np.maximum(1.0, np.abs(theirs))), np.abs(ours - theirs).max()
    assert ours.shape == (N,)


@pytest.mark.parametrize(("schedule", "make"), CASES, ids=[c[0].name + str(i) for i, c in enumerate(CASES)])
def test_torch_expression_builds_the_same_scheduler(schedule, make):
    """The code a page shows for copying is real: evaluated, it gives the same rates."""
    namespace = {"torch": torch}
    make_from_text = lambda optimizer: eval(schedule.torch_expr, namespace, {"optimizer": optimizer})
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rates = torch_rates(make_from_text, 120, lr=schedule.optimizer_lr)
    assert np.allclose(rates, schedule(np.arange(120)), rtol=1e-12, atol=1e-15)
    assert schedule.torch_expr in schedule.torch_snippet()


def test_scalar_step_gives_a_float_and_arrays_keep_their_shape():
    s = ls.step_decay(1.0, 10, 0.1)
    assert s(0) == 1.0 and s(9) == 1.0 and s(10) == pytest.approx(0.1) and s(25) == pytest.approx(0.01)
    assert s(np.arange(6).reshape(2, 3)).shape == (2, 3)


def test_boundaries():
    assert ls.cosine_annealing(1.0, 10)(10) == pytest.approx(0.0, abs=1e-15)
    assert ls.cosine_annealing(1.0, 10, 0.2)(5) == pytest.approx(0.6)
    sgdr = ls.cosine_warm_restarts(1.0, 10, 2)
    assert sgdr(np.array([0, 10, 30, 70])).tolist() == [1.0, 1.0, 1.0, 1.0]  # restarts at 10, 10+20, 30+40
    assert ls.polynomial_decay(1.0, 10)(np.array([10, 50])).tolist() == [0.0, 0.0]
    cyc = ls.cyclic(0.1, 1.0, 5)
    assert cyc(np.array([0, 5, 10, 15])).tolist() == pytest.approx([0.1, 1.0, 0.1, 1.0])
    assert ls.cyclic(0.0, 1.0, 5, "triangular2")(15) == pytest.approx(0.5)
    oc = ls.one_cycle(1.0, 100)
    assert oc(0) == pytest.approx(1 / 25) and oc(29) == pytest.approx(1.0) and oc(99) == pytest.approx(1 / 25 / 1e4)
    assert ls.linear_warmup(1.0, 4, 0.2)(np.array([0, 2, 4, 9])).tolist() == pytest.approx([0.2, 0.6, 1.0, 1.0])
    warm = ls.with_warmup(ls.exponential_decay(1.0, 0.5), 4, 0.5)
    assert warm(np.array([0, 2, 4, 5])).tolist() == pytest.approx([0.5, 0.75, 1.0, 0.5])


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: ls.step_decay(-1.0, 10), "base_lr must be >= 0"),
        (lambda: ls.step_decay(1.0, 0), "step_size must be a whole number"),
        (lambda: ls.step_decay(1.0, 2.5), "step_size must be a whole number"),
        (lambda: ls.exponential_decay(1.0, 0.0), "gamma must be > 0"),
        (lambda: ls.cosine_warm_restarts(1.0, 10, 0), "t_mult"),
        (lambda: ls.cyclic(0.1, 1.0, 10, "sawtooth"), "mode must be one of"),
        (lambda: ls.one_cycle(1.0, 100, pct_start=1.5), "pct_start"),
        (lambda: ls.one_cycle(1.0, 100, anneal_strategy="exp"), "anneal_strategy"),
        (lambda: ls.linear_warmup(1.0, 5, 0.0), "start_factor"),
        (lambda: ls.linear_warmup(1.0, 5, 2.0), "start_factor"),
        (lambda: ls.with_warmup(ls.one_cycle(1.0, 100), 10), "already starts low"),
        (lambda: ls.constant(1.0)(-1), "step must be a whole number"),
        (lambda: ls.constant(1.0)(1.5), "step must be a whole number"),
        (lambda: ls.one_cycle(1.0, 100)(101), "defined for steps 0..100"),
        (lambda: ls.one_cycle(0.15, 20, pct_start=0.05), "at least one step each"),
    ],
)
def test_bad_arguments_raise_value_error(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("name", list(ls.SCHEDULES))
def test_every_catalogue_entry_builds_its_schedule_from_its_controls(name):
    """An entry's controls' defaults build the schedule named as the entry, and every entry has a torch case."""
    entry = ls.SCHEDULES[name]
    values = {"peak": 0.1, "total": 200, "warmup": 0, **defaults(entry.params)}
    schedule = entry.make(values)
    assert schedule.name == name
    assert np.all(np.isfinite(schedule(np.arange(200))))
    for control in entry.params:  # every default is a value its widget can hold and its URL can carry
        assert control.parse(control.encode(control.default)) == control.default
    assert name in {case[0].name for case in CASES}, f"add a torch.optim.lr_scheduler case for {name}"


def test_catalogue_controls_never_share_a_url_key_for_different_things():
    from lr_core.controls import by_key

    by_key(c for entry in ls.SCHEDULES.values() for c in entry.params)  # raises if two differ


def test_multistep_drops_at_each_milestone():
    s = ls.multistep(1.0, [3, 5], 0.5)
    assert s(np.arange(7)).tolist() == [1.0, 1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    for bad in ([], [5, 3], [0, 2], [2.5]):
        with pytest.raises(ValueError, match="milestones"):
            ls.multistep(1.0, bad)


def test_stack_gives_each_schedule_on_its_own_axis():
    parts = [ls.constant(0.1), ls.step_decay(0.1, 5, 0.5), ls.cosine_annealing(0.2, 20)]
    stacked = ls.stack(parts)
    t = np.arange(30)
    assert stacked(t).shape == (30, 3)
    for k, s in enumerate(parts):
        assert np.array_equal(stacked(t)[:, k], s(t))
    with pytest.raises(ValueError, match="at least one"):
        ls.stack([])


def test_a_zero_length_one_cycle_phase_is_refused_as_torch_refuses_it():
    """pct_start x total_steps = 1 makes the rising phase end at step 0: torch divides 0 by 0 (ZeroDivisionError),
    the engine says why instead of returning NaN."""
    import warnings

    with warnings.catch_warnings(), pytest.raises(ZeroDivisionError):
        warnings.simplefilter("ignore")
        torch_rates(lambda o: tls.OneCycleLR(o, 0.15, total_steps=20, pct_start=0.05, cycle_momentum=False), 3)
    with pytest.raises(ValueError, match="at least one step each"):
        ls.one_cycle(0.15, 20, pct_start=0.05)
    assert np.all(np.isfinite(ls.one_cycle(0.15, 20, pct_start=0.1)(np.arange(20))))
