"""lr_core/lessons/schedules.py: decay beats the noise floor; every catalogue schedule runs in the lesson."""

import numpy as np

from lr_core.controls import defaults
from lr_core.lessons import schedules as lesson
from lr_core.schedules import SCHEDULES


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
