"""lr_core/scrub.py: a figure scrubbed over a control's options holds, for each option, exactly the moving parts of
the figure a fresh draw at that option makes; the sweep behind it runs every option in one batch and gives each
run the numbers (and the verdict) it has alone."""

from __future__ import annotations

import copy
import json
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lr_core import analysis, scrub
from lr_core.controls import defaults
from lr_core.lessons import convergence, update_rule
from lr_core.optimizers import sgd
from lr_core.runner import run
from tests.apptest_helpers import array


def options(controls, key, **values):
    """The options a page offers for log-scale control ``key`` at the default settings changed by ``values``."""
    c = next(c for c in controls if c.key == key)
    return tuple(c.options({**defaults(controls), **values}))


def parts_draw(spec: dict, part: dict) -> dict:
    """``spec`` with ``part`` applied as ui/plot.js applies it: each listed trace's x, y and name, then the layout's
    annotations and shapes where the part carries them."""
    out = copy.deepcopy(spec)
    for t, data in zip(part["traces"], part["data"], strict=True):
        out["data"][t].update(data)
    for key in scrub.LAYOUT_MOVING:
        if key in part:
            out["layout"][key] = part[key]
    return out


def plain(spec: dict) -> dict:
    return json.loads(scrub._text({"data": spec["data"], "layout": spec["layout"]}))


SECTIONS = {
    "update rule": (
        lambda lrs, **kw: update_rule.swept(update_rule.UpdateRuleConfig(**kw), lrs),
        options(update_rule.CONTROLS, "lr"),
        {"steps": 15, "compare_course": True},
    ),
    "convergence 1-D": (
        lambda lrs, **kw: convergence.swept_1d(convergence.Stability1DConfig(**kw), lrs),
        options(convergence.CONTROLS, "lr1"),
        {"curvature": 2.0},
    ),
    "convergence 2-D": (
        lambda lrs, **kw: convergence.swept_2d(
            convergence.Stability2DConfig(**kw), lrs, convergence.tolerance_sweep(1.0, 10.0, 30.0, (2.5, -1.5))
        ),
        options(convergence.CONTROLS, "lr"),
        {"angle": 30.0, "steps": 60},
    ),
}


@pytest.mark.parametrize("section", list(SECTIONS))
def test_every_option_of_a_scrub_draws_what_a_fresh_draw_at_that_option_draws(section):
    """From the figure drawn at the first option, applying option i's parts gives the figure drawn at option i,
    trace for trace and number for number (the typed arrays' bytes are compared through their text)."""
    make, lrs, kw = SECTIONS[section]
    swept = make(lrs, **kw)
    drawn = [swept.at(lr)[1] for lr in lrs]
    for key in swept.scrubs:
        specs = [d[key] for d in drawn]
        parts = swept.scrubs[key].parts
        assert len(parts) == len(lrs)
        for i in range(len(lrs)):
            assert plain(parts_draw(specs[0], parts[i])) == plain(specs[i]), (key, lrs[i])
    assert len(swept.scrubs[next(iter(swept.scrubs))].verdicts) == len(lrs)


@pytest.mark.parametrize("section", list(SECTIONS))
def test_a_run_in_the_sweep_is_the_run_alone(section):
    """Each option's run, cut from the one batched run, equals the run made at that rate alone, to the last bit;
    so does its verdict."""
    make, lrs, kw = SECTIONS[section]
    swept = make(lrs, **kw)
    alone = {
        "update rule": lambda lr: update_rule.update_rule(update_rule.UpdateRuleConfig(**kw, lr=lr)),
        "convergence 1-D": lambda lr: convergence.stability_1d(convergence.Stability1DConfig(**kw, lr=lr)),
        "convergence 2-D": lambda lr: convergence.stability_2d(convergence.Stability2DConfig(**kw, lr=lr)),
    }[section]
    for lr in lrs[:: max(1, len(lrs) // 12)] + lrs[-1:]:
        scene, single = swept.at(lr)[0], alone(lr)
        assert scene.config == single.config
        assert scene.label == single.label
        if section == "convergence 1-D":
            assert np.array_equal(scene.path, single.path) and scene.factor == single.factor
        else:
            start = [kw.get("start", -1.0)] if section == "update rule" else scene.config.start
            engine = run(scene.surface, sgd(lr=lr), start, scene.config.steps)  # a single run, no batch axis
            assert np.array_equal(scene.traj.params, engine.params)
            assert np.array_equal(scene.traj.params, single.traj.params)
            assert float(scene.traj.optimizer.lr) == lr, "each run carries its own rate (for its torch script)"


def test_the_one_dimensional_error_axis_holds_every_option_and_the_closed_form():
    """The error plot's axis is fixed over the sweep (from the floor to the largest error of any option), and every
    option's measured error is |1 − ηL|ᵗ·|θ₀ − θ*| (float64, to rounding)."""
    lrs = options(convergence.CONTROLS, "lr1", L=4.0)
    scenes = convergence.stability_1d_sweep(convergence.Stability1DConfig(curvature=4.0), lrs)
    lo, hi = convergence.error_range(scenes)
    for s in scenes:
        t = s.steps.astype(float)
        closed = 4.0 * np.abs(1 - s.config.lr * 4.0) ** t
        inside = slice(None, -1) if s.factor > 1 else slice(None)  # a run that left the box ends clipped to it
        assert np.allclose(s.measured[inside], closed[inside], rtol=1e-12, atol=1e-300)
        assert hi >= s.predicted.max() and lo <= convergence.ERROR_FLOOR
    swept = convergence.swept_1d(convergence.Stability1DConfig(curvature=4.0), lrs)
    ranges = {tuple(swept.at(lr)[1]["error_fig"]["layout"]["yaxis"]["range"]) for lr in lrs}
    assert len(ranges) == 1


def test_a_figure_whose_axes_follow_the_control_cannot_be_scrubbed():
    specs = [update_rule.figure(s) for s in update_rule.update_rule_sweep(update_rule.UpdateRuleConfig(), (0.1, 0.3))]
    specs[1] = copy.deepcopy(specs[1])
    specs[1]["layout"]["yaxis"]["range"] = [0, 99]
    with pytest.raises(ValueError, match="more of the figure than a drag can move"):
        scrub.moving_parts(specs)


def test_only_what_differs_travels():
    """The parabola, the minimum and (at step 0) the tangent are the same at every rate: they are not in the
    parts; the paths are."""
    swept = SECTIONS["update rule"][0](options(update_rule.CONTROLS, "lr"))
    spec = swept.at(swept.options[0])[1]["update_rule_fig"]
    moving = {spec["data"][t]["name"] for t in swept.scrubs["update_rule_fig"].parts[0]["traces"]}
    assert moving == {"your η"}
    assert "annotations" in swept.scrubs["update_rule_fig"].parts[0], "the step arrow moves"


@pytest.mark.parametrize(
    ("section", "kw"),
    [
        ("update rule", {"steps": 100, "compare_course": True}),
        ("convergence 1-D", {"curvature": 0.2}),
        ("convergence 2-D", {"steps": 300, "lam_min": 0.1, "lam_max": 20.0, "angle": 45.0}),
    ],
)
def test_a_scrubbed_figure_sends_at_most_300_kb(section, kw):
    """The issue's payload budget, at each section's heaviest settings: the parts of every option plus the figure
    itself."""
    make, _, _ = SECTIONS[section]
    controls = update_rule.CONTROLS if section == "update rule" else convergence.CONTROLS
    key = {"update rule": "lr", "convergence 1-D": "lr1", "convergence 2-D": "lr"}[section]
    values = {"convergence 1-D": {"L": kw.get("curvature", 2.0)}, "convergence 2-D": {"lmin": 0.1, "lmax": 20.0}}
    swept = make(options(controls, key, **values.get(section, {})), **kw)
    for name, sc in swept.scrubs.items():
        size = len(sc.json) + len(scrub._text(swept.at(swept.options[0])[1][name]))
        assert size <= 300_000, (name, size)


def test_the_pool_sends_each_array_once_and_gives_every_part_back():
    swept = SECTIONS["convergence 1-D"][0](options(convergence.CONTROLS, "lr1"))
    parts = swept.scrubs["error_fig"].parts
    sent = json.loads(swept.scrubs["error_fig"].json)
    back = [
        {**p, "data": [{**t, "x": sent["pool"][t["x"]], "y": sent["pool"][t["y"]]} for t in p["data"]]}
        for p in sent["parts"]
    ]
    assert back == json.loads(scrub._text(list(parts)))
    arrays = [t[k] for p in parts for t in p["data"] for k in ("x", "y")]
    assert len(sent["pool"]) == len({scrub._text(a) for a in arrays}) < len(arrays)


def test_a_value_from_the_browser_counts_only_if_it_is_an_option():
    sc = scrub.Scrub((0.1, 0.3), ({"traces": [], "data": []},) * 2)
    assert sc.option(0.3) == 0.3 and sc.option(1) is None
    for crafted in ["0.3", None, True, float("nan"), float("inf"), 0.2999999, [0.3], {"x": 0.3}]:
        assert sc.option(crafted) is None


@settings(max_examples=15, deadline=None)
@given(
    a=st.floats(0.1, 5.0),
    start=st.floats(-10.0, 10.0),
    steps=st.integers(1, 100),
    t=st.integers(0, 99),
)
def test_any_parabola_can_be_scrubbed_and_each_option_is_its_own_run(a, start, steps, t):
    """Whatever the other controls, the update-rule figure scrubs over every rate the slider offers there (its axes
    never follow η), and each option's drawn path is that rate's run."""
    cfg = update_rule.UpdateRuleConfig(curvature=a, start=start, steps=steps, selected=min(t, steps - 1))
    lrs = options(update_rule.CONTROLS, "lr", a=a)
    swept = update_rule.swept(cfg, lrs)  # raises if any option changed an axis
    for i in (0, len(lrs) // 2, len(lrs) - 1):
        scene = swept.scenes[i]
        path = next(tr for tr in swept.at(lrs[i])[1]["update_rule_fig"]["data"] if tr["name"] == "your η")
        alone = update_rule.update_rule(replace(cfg, lr=lrs[i]))
        assert np.array_equal(array(path["x"]), alone.traj.params[: int(alone.traj.last_index) + 1, 0].astype("f4"))
        assert scene.label == analysis.classify(alone.traj)
