"""lr_core/lessons/schedules.py: decay beats the noise floor; every catalogue schedule runs in the lesson."""

import numpy as np
import pytest

from lr_core.controls import defaults
from lr_core.lessons import schedules as lesson
from lr_core.optimizers import sgd
from lr_core.runner import run
from lr_core.schedules import SCHEDULES, constant, stack


def test_schedules_scene_decay_beats_the_noise_floor():
    scene = lesson.schedules_scene(lesson.SchedulesConfig(kinds=("step_decay", "exponential_decay"), noise=1.0))
    floor = {lab: m[-20:].mean() for lab, m in zip(scene.labels, scene.mean_losses, strict=True)}
    assert floor["Step decay"] < floor["Constant"] / 3 and floor["Exponential decay"] < floor["Constant"] / 3
    assert scene.trajs[0].batch_shape == () and scene.rates["Constant"].shape == (200,)


def test_every_catalogue_schedule_is_offered_and_runs_with_its_controls():
    values = defaults(lesson.CONTROLS) | {"show": tuple(k for k in SCHEDULES if k != lesson.BASELINE)}
    cfg = lesson.config(values)
    scene = lesson.schedules_scene(cfg)
    assert scene.labels == [SCHEDULES[k].label for k in SCHEDULES]
    for schedule, key in zip(scene.schedules, SCHEDULES, strict=True):
        assert schedule.name == key
        assert np.array_equal(scene.rates[SCHEDULES[key].label], schedule(np.arange(cfg.steps)))


def test_multistep_parameters_reach_the_schedule():
    values = defaults(lesson.CONTROLS) | {"show": ("multistep",), "milestones": (20, 40), "ms_gamma": 0.5}
    scene = lesson.schedules_scene(lesson.config(values))
    rates = scene.rates["Multi-step decay"]
    assert rates[19] == 0.15 and rates[20] == 0.075 and rates[40] == 0.0375


def test_warmup_goes_in_front_of_a_schedule_only_where_it_does_not_warm_up_itself():
    cfg = lesson.config(defaults(lesson.CONTROLS) | {"show": ("step_decay", "one_cycle"), "warmup": 10})
    scene = lesson.schedules_scene(cfg)
    assert scene.labels == ["Constant + warmup", "Step decay + warmup", "1cycle"]


def test_a_schedules_scene_keeps_only_what_the_page_draws():
    """The scene is cached per setting: it must not keep the 64 noisy realizations of every schedule alive
    (about 30 MB at 1000 steps) through views of one run."""

    def base(a):
        while isinstance(a.base, np.ndarray):
            a = a.base
        return a

    values = defaults(lesson.CONTROLS) | {"show": tuple(k for k in SCHEDULES if k != lesson.BASELINE), "steps": 1000}
    scene = lesson.schedules_scene(lesson.config(values))
    held = {id(base(a)): base(a).nbytes for t in scene.trajs for a in (t.params, t.losses, t.grads, t.lrs)}
    held |= {id(base(m)): base(m).nbytes for m in scene.mean_losses}
    assert sum(held.values()) < 2e6, sum(held.values())


# ------------------------------------------------------------------------------ escaping a local minimum


def test_without_noise_no_rate_leaves_the_shallow_well():
    """Deterministic descent from a minimum's bottom never moves (its gradient is zero): every share is 0, and each
    run ends exactly the wells' difference in depth above the deep bottom."""
    scene = lesson.escape_scene(lesson.EscapeConfig(noise=0.0, runs=8))
    depth = float(np.ptp(scene.surface.value(scene.surface.minima)))
    for lab in scene.labels:
        row = scene.row(lab)
        assert row["left the first well"] == 0 and row["ended in the deep well"] == 0
        assert row["loss above the bottom at the end"] == pytest.approx(depth, rel=1e-9)
        assert (scene.deep_share[lab] == 0).all()


def test_warm_restarts_and_cycles_escape_where_a_small_constant_rate_stays():
    """The course's claim, measured at the lesson's defaults over 400 noisy runs each: the small constant rate
    (0.01) stays in the shallow well, warm restarts and the cyclical rate (peaking at 0.1) end in the deep one in
    most runs, and end nearer its bottom than a constant 0.1, which escapes but keeps bouncing."""
    scene = lesson.escape_scene(lesson.EscapeConfig())
    small, large, restarts, cyclic = (scene.row(lab) for lab in scene.labels)
    assert scene.labels[2:] == ["Cosine with warm restarts", "Cyclical (CLR)"]
    assert small["left the first well"] <= 0.02
    assert restarts["ended in the deep well"] >= 0.8 and cyclic["ended in the deep well"] >= 0.8
    for row in (restarts, cyclic):
        assert row["loss above the bottom at the end"] < large["loss above the bottom at the end"]
    text = lesson.escape_takeaway(scene)
    assert "each ended in the deep well far more often" in text and "keeps bouncing" in text


def test_the_shares_count_the_runs_on_the_deep_side_of_the_hump():
    """The same batch run again through the public runner: each share is the fraction of its runs left of the hump
    (a positive tilt deepens the left well), and each path is the first run."""
    cfg = lesson.EscapeConfig(runs=50, steps=100)
    scene = lesson.escape_scene(cfg)
    rates = [constant(cfg.small_lr), constant(cfg.base_lr), *(lesson.build_schedule(k, cfg) for k in cfg.kinds)]
    starts = np.full((50, 1, 1), scene.start)
    theta = run(scene.surface, sgd(lr=stack(rates)), starts, 100, noise=cfg.noise, seed=cfg.seed).params[..., 0]
    assert scene.deep < scene.hump < scene.start
    for k, lab in enumerate(scene.labels):
        assert np.array_equal(scene.deep_share[lab], (theta[:, :, k] < scene.hump).mean(axis=1))
        assert np.array_equal(scene.paths[lab], theta[:, 0, k])


def test_the_takeaway_says_more_often_only_beyond_the_margin():
    """With little noise nothing escapes: the takeaway must not claim that a schedule escaped more often."""
    scene = lesson.escape_scene(lesson.EscapeConfig(noise=0.5))
    text = lesson.escape_takeaway(scene)
    assert "none ended in the deep well clearly more often" in text
    assert "keeps bouncing" not in text, "the large rate did not escape either"


@pytest.mark.parametrize(
    ("change", "message"), [({"small_lr": 0.2, "base_lr": 0.1}, "below the peak"), ({"tilt": 0.6}, "no second")]
)
def test_an_escape_setting_that_cannot_run_says_why(change, message):
    with pytest.raises(ValueError, match=message):
        lesson.EscapeConfig(**change)
