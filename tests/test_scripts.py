"""lr_core/scripts.py and each lesson's torch script: run as `python script.py`, the script's torch.optim run
prints the final θ of the engine's run to 1e-9, for a lecture scene of each lesson that has one; the race's
surfaces written in torch have the engine's values and gradients."""

from __future__ import annotations

import ast
import re
import subprocess
import sys

import numpy as np
import pytest
import torch

from lr_core import scripts
from lr_core.lectures import load_lectures
from lr_core.lessons import adaptive, convergence, practice, schedules, update_rule
from lr_core.surfaces import make_surface

LECTURE = next(lec for lec in load_lectures() if lec.id == "learning-rate-50")


def scene_values(n: int) -> dict:
    """Lecture scene ``n``'s settings over its page's defaults, as the page reads them."""
    from lr_core.controls import defaults
    from lr_core.lessons import CONTROLS

    scene = LECTURE.scenes[n - 1]
    return {**defaults(CONTROLS[scene.page]), **scene.values()}


def printed(source: str, tmp_path) -> list[list[float]]:
    """Run the script as a student would, and read each run's final θ from what it prints."""
    path = tmp_path / "scene.py"
    path.write_text(source, encoding="utf-8")
    out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120, check=True).stdout
    return [ast.literal_eval(m) for m in re.findall(r"final θ: (\[[^\]]*\])", out)]


def engine_finals(trajs) -> list[np.ndarray]:
    out = []
    for t in trajs:
        last = int(t.last_index) - (1 if t.diverged else 0)
        out.append(t.params[last])
    return out


def check(source: str, trajs, tmp_path) -> None:
    torch_finals = printed(source, tmp_path)
    assert len(torch_finals) == len(trajs)
    for got, want in zip(torch_finals, engine_finals(trajs), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


def test_the_update_rules_script_reproduces_its_scene(tmp_path):
    scene = update_rule.update_rule(update_rule.update_rule_config(scene_values(5)))  # η = 1.2: it diverges
    check(update_rule.torch_script(scene), [scene.traj], tmp_path)
    scene = update_rule.update_rule(update_rule.update_rule_config(scene_values(2)))
    check(update_rule.torch_script(scene), [scene.traj], tmp_path)


def test_the_convergence_scripts_reproduce_the_1d_run_and_the_rotated_bowl(tmp_path):
    values = scene_values(10)  # λ = 1 and 20, rotated by 30°
    two = convergence.stability_2d(
        convergence.Stability2DConfig(
            lam_min=values["lmin"],
            lam_max=values["lmax"],
            angle=values["angle"],
            lr=values["lr"],
            steps=values["steps"],
        )
    )
    check(convergence.torch_script_2d(two), [two.traj], tmp_path)
    one = convergence.stability_1d(convergence.Stability1DConfig(curvature=2.0, lr=0.8))
    source = convergence.torch_script_1d(one)
    assert np.allclose(printed(source, tmp_path)[0], [one.path[-1]], rtol=1e-9, atol=1e-15)


def test_the_schedules_script_reproduces_each_noisy_run_with_torchs_schedulers(tmp_path):
    scene = schedules.schedules_scene(schedules.config(scene_values(13)))  # four decay schedules, σ = 1
    source = schedules.torch_script(scene)
    assert "torch.optim.lr_scheduler.StepLR(optimizer" in source and "NOISE_0" in source
    check(source, scene.trajs, tmp_path)


@pytest.mark.parametrize("n", [17, 21])
def test_the_race_script_reproduces_every_racer(tmp_path, n):
    scene = adaptive.race(adaptive.race_config(scene_values(n)))
    check(adaptive.torch_script(scene), scene.trajs, tmp_path)


def test_every_optimizer_of_the_race_is_written_as_torch_names_it(tmp_path):
    names = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "amsgrad", "nadam")
    cfg = adaptive.RaceConfig(surface="beale", racers=names, lrs=(1e-3, 1e-3, 1e-3, 0.1, 0.01, 0.05, 0.05, 0.05, 0.05),
                              steps=100, weight_decay=0.01, noise=0.2)  # fmt: skip
    scene = adaptive.race(cfg)
    check(adaptive.torch_script(scene), scene.trajs, tmp_path)


def test_a_race_without_bias_correction_has_no_torch_script():
    scene = adaptive.race(adaptive.RaceConfig(racers=("adam",), lrs=(0.1,), bias_correction=False))
    with pytest.raises(ValueError, match="no switch"):
        adaptive.torch_script(scene)


@pytest.mark.parametrize("name", sorted(scripts.TORCH_LOSSES))
def test_each_race_surface_in_torch_has_the_engines_value_and_gradient(name):
    surface = make_surface(name)
    namespace: dict = {"torch": torch}
    exec(scripts.named_loss(name), namespace)
    rng = np.random.default_rng(0)
    (lo, hi), (blo, bhi) = surface.bounds
    for point in np.column_stack([rng.uniform(lo, hi, 20), rng.uniform(blo, bhi, 20)]):
        p = torch.tensor(point, dtype=torch.float64, requires_grad=True)
        value = namespace["loss"](p)
        value.backward()
        assert float(value.detach()) == pytest.approx(float(surface.value(point)), rel=1e-12, abs=1e-12)
        np.testing.assert_allclose(p.grad.numpy(), surface.grad(point), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("model, batch", [("mlp", 32), ("softmax", None)])
def test_the_learning_curves_script_trains_the_same_network_with_torch(tmp_path, model, batch):
    values = {**scene_values(22), "model": model, "batch": "full" if batch is None else str(batch), "epochs": 6}
    scene = practice.learning_curves(practice.curves_config(values))
    path = tmp_path / "scene.py"
    path.write_text(practice.torch_script(scene), encoding="utf-8")
    out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=300, check=True).stdout
    losses = [float(v) for v in re.findall(r"final training loss (\S+) the page", out)]
    thetas = [ast.literal_eval(v) for v in re.findall(r"final θ\[:4\] (\[[^\]]*\])", out)]
    h = scene.history
    assert len(losses) == len(thetas) == len(scene.config.lrs)
    for i, (loss, theta) in enumerate(zip(losses, thetas, strict=True)):
        stopped = int(h.diverged_at[i])
        np.testing.assert_allclose(loss, h.train_loss[stopped - 1 if stopped >= 0 else -1, i], rtol=1e-9)
        np.testing.assert_allclose(theta, h.params[i][:4], rtol=1e-9, atol=1e-12)
