"""lr_core/figures.py: every spec is valid Plotly, small, animated within bounds, and draws what it is given."""

import base64
import json

import numpy as np
import plotly.graph_objects as go
import pytest

from lr_core import figures
from lr_core.lessons import adaptive, convergence, practice, schedules, update_rule
from lr_core.optimizers import VARIANTS, sgd
from lr_core.runner import run
from lr_core.surfaces import make_surface


def decode(a):
    return np.frombuffer(base64.b64decode(a["bdata"]), dtype=np.float32) if isinstance(a, dict) else np.asarray(a)


def _all_specs():
    up = update_rule.update_rule(update_rule.UpdateRuleConfig(compare_course=True, selected=2))
    runs = figures.series_of(up.traj, ["η = 0.3"]) + figures.series_of(up.course, ["a", "b", "c"])
    sel = up.selected
    yield "path_on_curve", figures.path_on_curve(
        up.surface, *up.curve, runs, selected=2, tangent=up.tangent,
        step_arrow=(sel.theta, sel.loss, sel.theta_next, sel.loss_next), x_range=up.x_range, y_range=up.y_range,
    )  # fmt: skip
    one = convergence.stability_1d(convergence.Stability1DConfig())
    yield "contraction", figures.contraction_plot(one.lrs, one.factor_curve, 2.0, 0.3, one.factor, "t")
    yield "error", figures.error_plot(one.steps, one.measured, one.predicted, "t")
    sw = convergence.tolerance_sweep(1.0, 10.0, 0.0, (2.5, -1.5))
    yield "steps_vs_lr", figures.steps_vs_lr(sw.lrs, sw.measured.astype(float), sw.predicted, {"2/λ": 0.2, "η*": 0.18})
    race = adaptive.race(adaptive.RaceConfig(racers=tuple(VARIANTS), lrs=(0.01,) * len(VARIANTS), steps=1000))
    rr = figures.series_list(race.trajs, race.names)
    yield "contour_race", figures.contour_paths(race.surface, rr, log_levels=True, clickable=True)
    yield "loss_curves", figures.loss_curves(rr, floor=race.floor)
    sc = schedules.schedules_scene(schedules.SchedulesConfig(kinds=tuple(schedules.SCHEDULES)))
    yield "schedules", figures.schedule_plot(np.arange(200), sc.rates)
    rt = adaptive.range_test(adaptive.RangeTestConfig()).test
    yield "range_test", figures.range_test_plot(rt.lrs, rt.losses, rt.smoothed, rt.suggestions)
    lc = convergence.local_curvature(convergence.LocalCurvatureConfig())
    yield "local", figures.local_curvature_plot(lc.convex, lc.local_critical, lc.concave, 0.1, 0.25, "t")
    cu = practice.learning_curves(practice.CurvesConfig(model="softmax", lrs=(0.1, 1.0, 1e4), epochs=4))
    h = cu.history
    yield "learning_curves", figures.learning_curves(cu.labels, h.train_loss, h.val_loss, h.best_epoch)
    yield "accuracy_curves", figures.learning_curves(cu.labels, h.train_acc, h.val_acc, h.best_epoch, accuracy=True)
    lrs = np.geomspace(1e-5, 10, 25)
    scores = {"SGD": 1 + (np.log10(lrs) + 1) ** 2, "Adam": 1 + (np.log10(lrs) + 3) ** 2}
    yield (
        "sensitivity",
        figures.sensitivity_plot(
            lrs,
            scores,
            {"SGD": (0.03, 0.3), "Adam": (3e-4, 3e-3)},
            {"SGD": 0.01, "Adam": 0.001},
            trials={"grid": (lrs[:5], scores["SGD"][:5])},
        ),
    )
    yield "suggestion_spread", figures.suggestion_spread({"steepest": lrs[:5], "valley": lrs[5:10]}, 1e-5, 30.0, "t")
    yield "search_progress", figures.search_progress({"grid": np.array([3.0, 2.0, 2.0, 1.0])})
    yield "gap", figures.gap_plot(lrs, scores["SGD"] / 2, np.where(lrs > 1, np.nan, scores["SGD"]), 0.1, "t")
    esc = schedules.escape_scene(schedules.EscapeConfig(runs=20, steps=60))
    yield (
        "against_step",
        figures.against_step(np.arange(61), esc.paths, "t", "θ", y_range=(-1.5, 1.5), marks=((esc.hump, "the hump"),)),
    )
    yield (
        "against_step_log",
        figures.against_step(np.arange(61), esc.deep_share, "t", "share", y_range=(1e-3, 1), log=True),
    )
    yield (
        "against_rate",
        figures.against_rate(
            lrs, scores, "t", "loss", y_range=(0.5, 50.0), marks=((0.01, "SGD", 0), (0.001, "Adam", 1)), markers=False
        ),
    )


SPECS = dict(_all_specs())


@pytest.mark.parametrize("name", list(SPECS))
def test_every_spec_is_valid_plotly(name):
    go.Figure(SPECS[name])  # raises on any unknown property or bad value


@pytest.mark.parametrize("name", list(SPECS))
def test_every_spec_is_small(name):
    size = len(json.dumps(SPECS[name]))
    assert size < 200_000, f"{name}: {size / 1024:.0f} KB"


def test_a_nine_racer_thousand_step_race_stays_within_the_frame_budget():
    spec = SPECS["contour_race"]
    assert len(spec["frames"]) == figures.MAX_FRAMES
    for frame in spec["frames"]:
        assert all(len(decode(t["x"])) <= figures.MAX_FRAMES for t in frame["data"])
        assert len(frame["data"]) == 9, "frames carry only the nine paths, not the contour"


def test_animation_ends_on_the_whole_path_and_starts_at_the_start():
    traj = run(make_surface("quadratic_1d"), sgd(lr=0.3), [-1.0], 15)
    spec = figures.path_on_curve(traj.surface, np.array([-1.0, 7.0]), np.array([16.0, 16.0]),
                                 figures.series_of(traj, ["r"]), x_range=(-1, 7), y_range=(0, 17))  # fmt: skip
    first, last = spec["frames"][0]["data"][0], spec["frames"][-1]["data"][0]
    assert decode(first["x"]).tolist() == [-1.0]
    assert np.allclose(decode(last["x"]), traj.params[:, 0], rtol=1e-6)
    faint = next(t for t in spec["data"] if t.get("showlegend") is False and t["name"] == "r")
    assert np.allclose(decode(faint["x"]), traj.params[:, 0], rtol=1e-6)


def test_a_diverged_run_is_drawn_only_up_to_where_it_stopped():
    traj = run(make_surface("quadratic_1d"), sgd(lr=2.0), [-1.0], 50)
    series = figures.series_of(traj, ["fast"])[0]
    assert series.last == int(traj.diverged_at) < 50
    spec = figures.loss_curves([series])
    assert len(decode(spec["data"][0]["x"])) == series.last + 1


def test_typed_arrays_round_trip_and_carry_their_shape():
    z = np.arange(6.0).reshape(2, 3)
    spec = figures.typed(z)
    assert spec["shape"] == "2, 3" and decode(spec).reshape(2, 3).tolist() == z.tolist()


def test_series_have_distinct_colours_and_line_styles():
    styles = [figures.style(i) for i in range(len(figures.PALETTE))]
    assert len({s["color"] for s in styles}) == len(styles)
    assert len({(s["color"], s["dash"]) for s in styles}) == len(styles)


def test_a_long_run_is_animated_without_skipping_steps():
    """An oscillation must look like one: the moving trail is made of consecutive steps, never every k-th."""
    traj = run(make_surface("quadratic_2d"), sgd(lr=0.19), [2.5, -1.5], 200)  # zigzags: 1 - 0.19 * 10 = -0.9
    spec = figures.contour_paths(traj.surface, figures.series_of(traj, ["zigzag"]))  # fmt: skip
    for frame in spec["frames"]:
        k = int(frame["name"])
        xs = decode(frame["data"][0]["x"])
        start = k - len(xs) + 1
        assert len(xs) <= figures.TRAIL + 1
        assert np.allclose(xs, traj.params[start : k + 1, 0], rtol=1e-6), "consecutive steps up to the frame"
    image = spec["layout"]["images"][0]
    assert image["source"].startswith("data:image/png;base64,") and image["layer"] == "below"
    play = spec["layout"]["updatemenus"][0]["buttons"][0]["args"][1]
    assert play["frame"]["redraw"] is False, "frames draw only the paths; the landscape is an image, left alone"


def test_contour_image_is_a_png_with_the_grid_size_and_bands():
    import struct
    import zlib

    z = np.add.outer(np.linspace(0, 1, 30), np.zeros(40))  # rises with y
    png = base64.b64decode(figures.contour_image(z).split(",", 1)[1])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (40, 30)
    idat = png[png.index(b"IDAT") + 4 : png.index(b"IEND") - 8]
    rows = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(30, 1 + 40 * 3)[:, 1:].reshape(30, 40, 3)
    assert rows[0].mean() < rows[-1].mean(), "the top row is the highest y: high loss, dark"
    assert len({tuple(r[0]) for r in rows}) >= figures.LEVELS // 2, "shaded in bands"


def test_the_legend_has_room_above_the_plot_however_many_entries_it_has():
    """A legend above the plot wraps: the top margin grows with its rows, so it never runs into the title."""
    few = SPECS["contraction"]
    many = SPECS["contour_race"]  # every optimizer of the catalogue
    assert few["layout"]["margin"]["t"] <= 100
    assert many["layout"]["margin"]["t"] >= 64 + 26 * 3


def test_a_diverged_training_run_is_drawn_up_to_its_last_finite_epoch_and_its_early_stop_is_starred():
    spec = SPECS["learning_curves"]
    val = next(t for t in spec["data"] if t["name"].endswith("η = 1e+04: validation"))
    assert len(decode(val["y"])) < 5 and np.all(np.isfinite(decode(val["y"])))
    stars = [t for t in spec["data"] if t.get("marker", {}).get("symbol") == "star"]
    assert len(stars) == 3 and all(t["x"][0] <= 4 for t in stars)
    gap = SPECS["gap"]
    assert len(decode(gap["data"][1]["x"])) == int(np.sum(np.geomspace(1e-5, 10, 25) <= 1))


def test_a_long_line_against_the_step_is_drawn_through_at_most_max_points_with_its_last():
    from lr_core.figures import MAX_POINTS, against_step

    steps = np.arange(3001)
    fig = against_step(steps, {"a": np.sin(steps / 100.0)}, "t", "y", y_range=(-1.0, 1.0))
    x, y = decode(fig["data"][0]["x"]), decode(fig["data"][0]["y"])
    assert len(x) <= MAX_POINTS + 1 and x[0] == 0 and x[-1] == 3000
    assert np.allclose(y, np.sin(x / 100.0), atol=1e-6), "the points kept are the line's own"
    short = against_step(steps[:100], {"a": steps[:100] * 1.0}, "t", "y")
    assert len(decode(short["data"][0]["x"])) == 100 and "range" not in short["layout"]["yaxis"]


def test_a_legend_keeps_its_room_when_the_numbers_in_its_labels_change():
    """A slider that changes "η = 0.1" to "η = 0.126" must not change the layout (ui/plot.js would redraw the figure
    instead of moving its lines), yet a longer label without numbers still gets its room."""
    steps = np.arange(10)
    make = lambda *names: figures.against_step(steps, {n: steps * 1.0 for n in names}, "t", "y", y_range=(0, 9))
    short = make("SGD (η = 0.1)", "momentum (η = 0.1)", "Adam (η = 0.1)")  # one row, by their lengths
    long = make("SGD (η = 0.00126)", "momentum (η = 0.00126)", "Adam (η = 0.00126)")  # two, by theirs
    assert short["layout"] == long["layout"]
    wrapped = make("SGD with a very long description indeed", "momentum with a very long description indeed",
                   "Adam with a very long description indeed")  # fmt: skip
    assert wrapped["layout"]["margin"]["t"] > short["layout"]["margin"]["t"]
