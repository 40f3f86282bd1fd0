"""Page tests with Streamlit's AppTest: every lesson loads, its controls change what it shows, bad links are
handled, settings survive moving between pages."""

import re

import numpy as np
import pytest

from lr_core.lessons import LESSONS as REGISTERED_LESSONS
from lr_core.lessons import page as page_of
from tests.apptest_helpers import (
    PAGES,
    all_finite,
    array,
    charts,
    figure_list,
    figures,
    no_errors,
    open_page,
    scrub_data,
    scrub_to,
    trace,
)
from tests.test_runner import seed_loop

LESSONS = [p.key for p in REGISTERED_LESSONS]


@pytest.mark.parametrize("page", LESSONS)
def test_page_loads_cleanly_with_figures_and_a_takeaway(page):
    at = open_page(page)
    no_errors(at)
    assert at.title[0].value
    figs = figure_list(at)
    assert figs, "a lesson shows at least one figure"
    assert all(all_finite(f) for f in figs)
    assert any("Takeaway" in s.value for s in at.success)
    assert at.latex, "the equation with live numbers"
    assert any(h.value == "Check yourself" for h in [*at.header, *at.subheader]), "an embedded question"


@pytest.mark.parametrize("page", list(PAGES))
def test_hostile_query_string_falls_back_with_a_note(page):
    at = open_page(page, lr="abc", steps="-5", surface="../../etc")
    no_errors(at)
    note = " ".join(w.value for w in at.warning)
    assert "was ignored" in note
    assert "../../etc" in note
    assert "surface" not in at.query_params or at.query_params["surface"] != "../../etc"
    assert "lr" not in at.query_params


# ---------------------------------------------------------------------------------------------- update rule


def test_update_rule_equation_follows_the_rate_and_step():
    at = open_page("update_rule")
    assert r"-1 - 0.3 \times \left(-8\right) = 1.4" in at.latex[0].value
    scrub_to(at, "update_rule.lr", 0.05)
    assert r"-1 - 0.05 \times \left(-8\right) = -0.6" in at.latex[0].value
    at.slider(key="update_rule.t").set_value(1).run()
    assert r"\theta_{2} = \theta_{1}" in at.latex[0].value
    assert r"-0.6 - 0.05 \times \left(-7.2\right) = -0.24" in at.latex[0].value
    assert at.query_params["lr"] == "0.05" and at.query_params["t"] == "1"


def test_update_rule_figure_follows_the_controls():
    at = open_page("update_rule")
    path = array(trace(figure_list(at)[0], "your η")["x"])
    assert np.allclose(path, seed_loop(0.3), rtol=1e-6)
    at.slider(key="update_rule.start").set_value(5.0).run()
    moved = array(trace(figure_list(at)[0], "your η")["x"])
    assert moved[0] == 5.0 and np.allclose(moved, seed_loop(0.3, theta=5.0), rtol=1e-6)
    at.slider(key="update_rule.steps").set_value(40).run()
    assert len(array(trace(figure_list(at)[0], "your η")["x"])) == 41


def test_seed_preset_reproduces_the_seed_figure():
    at = open_page("update_rule", a="2.5", lr="0.01", start="4")
    at.button[0].click().run()
    no_errors(at)
    fig = figure_list(at)[0]
    for lr in (0.05, 0.3, 0.8):
        assert np.allclose(array(trace(fig, f"course η = {lr}")["x"]), seed_loop(lr), rtol=1e-6)  # float32 on screen
        assert np.allclose(array(trace(fig, f"course η = {lr}")["y"]), (seed_loop(lr) - 3) ** 2, rtol=1e-6, atol=1e-7)
    verdicts = " ".join(m.value for m in at.markdown)
    assert "η = 0.05: **too slow**" in verdicts and "η = 0.3: **converged**" in verdicts
    assert "η = 0.8: **converged**, overshooting" in verdicts


def test_the_general_quadratic_form_shows_its_own_gradient_and_minimum():
    at = open_page("update_rule", form="general", b="-4", c="1")
    no_errors(at)
    assert at.query_params["form"] == "general" and not any(s.key == "update_rule.min" for s in at.slider)
    shown = " ".join(eq.value for eq in at.latex)
    assert r"2a\theta_{0} + b = 2 \times 1 \times \left(-1\right) + \left(-4\right) = -6" in shown
    assert r"\theta^* = -\frac{b}{2a} = 2" in shown
    path = array(trace(figure_list(at)[0], "your η")["x"])
    assert path[1] == pytest.approx(-1 - 0.3 * -6)


def test_the_courses_code_is_shown_beside_its_figure_and_agrees_with_the_engine():
    at = open_page("update_rule", course="1")
    at.session_state["update_rule.code"] = True
    at.run()
    no_errors(at)
    assert any("theta = theta - lr * grad(theta)" in c.value for c in at.code)
    check = next(t.value for t in at.table if "all 16 points equal" in t.value.columns)
    assert check["all 16 points equal"].all()


def test_the_speed_section_follows_the_noise_and_the_budget():
    at = open_page("update_rule")
    figs = figures(at)
    assert [t["name"] for t in figs["speed_curves_fig"]["data"]] == ["η = 0.05", "η = 0.3", "η = 0.8"]
    at.slider(key="update_rule.sa_budget").set_value(200).run()
    no_errors(at)
    said = " ".join(s.value for s in at.success)
    assert "for 200," in said and at.query_params["sa_budget"] == "200"
    steps = array(figures(at)["speed_curves_fig"]["data"][0]["x"])
    assert steps[0] == 0 and steps[-1] == 2000 and len(steps) <= 501, "ten budgets, drawn at most 501 times"


def test_a_diverging_run_is_labelled_and_drawn_without_nan():
    at = open_page("update_rule", lr="1.45", steps="100")
    no_errors(at)
    assert any("This run diverged" in m.value for m in at.markdown)
    fig = figure_list(at)[0]
    assert all_finite(fig)
    assert fig["layout"]["yaxis"]["range"][1] < 100, "the axes stay fixed on the curve; the path is clipped"


def test_iteration_table_and_csv_are_built_only_when_opened():
    at = open_page("update_rule")
    iterations = lambda: [d.value for d in at.dataframe if "θ_t" in d.value.columns]
    assert not iterations(), "closed, the table costs nothing"
    at.session_state["update_rule.table"] = True  # what a click on the expander does
    at.run()
    assert at.get("download_button")
    (table,) = iterations()
    assert list(table.columns) == ["t", "θ_t", "J(θ_t)", "∇J(θ_t)", "step −η∇J"]
    assert np.allclose(table["θ_t"], seed_loop(0.3))


# ---------------------------------------------------------------------------------------------- convergence


def test_convergence_numbers_follow_the_eigenvalues():
    at = open_page("convergence")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["condition number κ"] == "10" and metrics["critical rate 2/λmax"] == "0.2"
    at.slider(key="convergence.lmax").set_value(4.0).run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["condition number κ"] == "4" and metrics["critical rate 2/λmax"] == "0.5"
    assert metrics["optimal rate η*"] == "0.4"
    assert any(r"\kappa = 4" in lat.value for lat in at.latex)


def test_convergence_optimal_rate_button_sets_the_rate():
    at = open_page("convergence")
    button = next(b for b in at.button if "η* = 2/(λmin+λmax)" in b.label)
    button.click().run()
    assert at.session_state["convergence.lr"] == pytest.approx(0.182)
    assert scrub_data(at, "bowl_fig")["value"] == pytest.approx(0.182)
    assert at.query_params["lr"] == "0.182"


def test_convergence_contraction_plot_marks_the_rate():
    at = open_page("convergence", lr1="0.8")
    fig = figure_list(at)[0]
    marker = trace(fig, "your η")
    assert array(marker["x"])[0] == pytest.approx(0.8)
    assert array(marker["y"])[0] == pytest.approx(0.6)  # |1 - 0.8 * 2|
    assert any("oscillating" in m.value for m in at.markdown)


def test_convergence_sweep_measured_matches_predicted():
    at = open_page("convergence")
    fig = next(f for f in figure_list(at) if f["layout"]["title"]["text"] == "Steps to reach the tolerance")
    measured = trace(fig, "measured (sweep)")
    predicted = trace(fig, "predicted")
    xs, ys = array(measured["x"]), array(measured["y"])
    px, py = array(predicted["x"]), array(predicted["y"])
    lookup = dict(zip(px, py, strict=True))
    assert len(xs) > 100
    assert all(lookup[x] == y for x, y in zip(xs, ys, strict=True))


# ------------------------------------------------------------------------------------------------ schedules


def test_schedules_plot_follows_the_selection():
    at = open_page("schedules")
    names = [t["name"] for t in figure_list(at)[0]["data"]]
    assert names == ["Constant", "Step decay", "Cosine annealing"]
    at.multiselect(key="schedules.show").set_value(["cyclic", "one_cycle", "cosine_warm_restarts"]).run()
    no_errors(at)
    names = [t["name"] for t in figure_list(at)[0]["data"]]
    assert names == ["Constant", "Cyclical (CLR)", "1cycle", "Cosine with warm restarts"]
    assert at.query_params["show"] == "cyclic,one_cycle,cosine_warm_restarts"
    for name in ("cyclic", "one_cycle"):
        at.session_state[f"schedules.code.{name}"] = True  # open their code
    at.run()
    code = " ".join(c.value for c in at.code)
    assert "CyclicLR(optimizer" in code and "OneCycleLR(optimizer" in code


def test_schedules_decay_beats_a_constant_rate_under_noise():
    at = open_page("schedules")
    summary = at.table[0].value.set_index("schedule")
    column = next(c for c in summary.columns if c.startswith("mean loss"))
    shown = summary[column].astype(float)  # as the table shows them, to three digits
    assert shown["Step decay"] < shown["Constant"] / 3
    at.slider(key="schedules.warmup").set_value(20).run()
    assert "Step decay + warmup" in list(at.table[0].value["schedule"])
    at.session_state["schedules.code.warmup+step_decay"] = True
    at.run()
    assert "SequentialLR" in " ".join(c.value for c in at.code)


def test_schedule_parameters_keep_their_values_while_the_box_is_closed():
    at = open_page("schedules", step_size="20")
    rates = charts(at)[0][1]
    at.session_state["schedules.params-box"] = True
    at.run()
    assert at.number_input(key="schedules.step_size").value == 20
    at.number_input(key="schedules.step_size").set_value(30).run()
    at.session_state["schedules.params-box"] = False
    at.run()
    assert at.query_params["step_size"] == "30", "closing the box keeps the value"
    assert charts(at)[0][1] != rates


# ------------------------------------------------------------------------------------------------- adaptive


def test_the_escape_section_shows_every_rate_and_its_measured_takeaway_follows_the_noise():
    at = open_page("schedules")
    share = figures(at)["escape_share_fig"]
    names = [t["name"] for t in share["data"]]
    assert names == ["Constant η = 0.01", "Constant η = 0.1", "Cosine with warm restarts", "Cyclical (CLR)"]
    assert share["layout"]["yaxis"]["range"] == [0.0, 1.02], "fixed axes: a slider moves the lines in place"
    takeaways = " ".join(s.value for s in at.success)
    assert "each ended in the deep well far more often than the small constant rate" in takeaways
    at.slider(key="schedules.esc_noise").set_value(0.0).run()
    no_errors(at)
    assert all((array(t["y"]) == 0).all() for t in figures(at)["escape_share_fig"]["data"])
    assert "none ended in the deep well clearly more often" in " ".join(s.value for s in at.success)
    assert at.query_params["esc_noise"] == "0"


def test_an_escape_setting_that_cannot_run_says_why_and_keeps_the_rest():
    at = open_page("schedules", esc_small="0.2", esc_lr="0.1", esc_tilt="0.2")
    assert not at.exception
    assert any("below the peak rate" in e.value for e in at.error)
    assert at.slider(key="schedules.esc_tilt").value == 0.2 and at.query_params["esc_tilt"] == "0.2"
    assert "schedule_fig" in figures(at), "the first section still draws"


def test_adaptive_race_draws_every_racer_and_the_adam_internals():
    at = open_page("adaptive")
    names = list(dict.fromkeys(t["name"] for t in figure_list(at)[0]["data"] if "η =" in t.get("name", "")))
    assert names == ["SGD (η = 0.001)", "SGD + momentum (η = 0.001)", "Adam (η = 0.1)"]
    at.multiselect(key="adaptive.opt").set_value(["adagrad", "rmsprop", "adam", "amsgrad", "nadam"]).run()
    no_errors(at)
    names = {t["name"] for t in figure_list(at)[0]["data"] if "η =" in t.get("name", "")}
    assert len(names) == 5
    text = " ".join(lat.value for lat in at.latex)
    assert r"\hat m_{1}" in text and r"\hat v_{1}" in text


def test_adaptive_bias_correction_toggle_changes_adams_first_step():
    at = open_page("adaptive")
    at.selectbox(key="adaptive.inspect").set_value("adam").run()
    with_bc = next(lat.value for lat in at.latex if r"\hat m_{1}" in lat.value)
    assert r"\begin{pmatrix} 145 \\ 50 \end{pmatrix}" in with_bc  # m̂_1 = g_1
    at.toggle(key="adaptive.bc").set_value(False).run()
    without = next(lat.value for lat in at.latex if r"\hat m_{1}" in lat.value)
    assert r"\begin{pmatrix} 14.5 \\ 5 \end{pmatrix}" in without  # m_1 = 0.1 g_1, uncorrected


def test_adaptive_surface_change_moves_the_start():
    at = open_page("adaptive", surface="beale")
    no_errors(at)
    assert at.slider(key="adaptive.x").value == 1.0 and at.slider(key="adaptive.y").value == 1.4
    fig = figure_list(at)[0]
    assert fig["layout"]["xaxis"]["range"] == [-4.5, 4.5]


def test_the_sparse_and_counterexample_sections_draw_and_follow_their_controls():
    at = open_page("adaptive")
    figs = figures(at)
    assert [t["name"] for t in figs["sparse_sweep_fig"]["data"]] == [
        "SGD, common weight", "SGD, rare weight", "AdaGrad, common weight", "AdaGrad, rare weight"
    ]  # fmt: skip
    assert figs["reddi_path_fig"]["layout"]["yaxis"]["range"] == [-1.1, 1.1]
    said = " ".join(s.value for s in at.success)
    assert "serves both at once" in said and "Adam ends at θ = 1.000, near the worst point +1" in said
    at.selectbox(key="adaptive.rk_b2").set_value("0.999").run()
    no_errors(at)
    said = " ".join(s.value for s in at.success)
    assert "Adam ends at θ = -0.9" in said and at.query_params["rk_b2"] == "0.999"
    before = array(figures(at)["sparse_error_fig"]["data"][0]["y"])
    at.select_slider(key="adaptive.sp_sgd").set_value(0.1).run()
    assert not np.array_equal(array(figures(at)["sparse_error_fig"]["data"][0]["y"]), before)
    table = next(t.value for t in at.table if "η chosen" in t.value.columns)
    assert table["η chosen"].tolist() == ["0.1", "0.5"]


def test_the_inspector_splits_nadams_step_into_now_and_look_ahead():
    at = open_page("adaptive", opt="nadam", inspect="nadam", t="3")
    no_errors(at)
    shown = " ".join(eq.value for eq in at.latex)
    assert r"\text{now}" in shown and r"\text{look-ahead}" in shown and r"\mu_{5}" in shown
    assert any("Nesterov's look-ahead" in m.value for m in at.markdown)


@pytest.mark.parametrize(
    ("page", "figure", "widget", "key", "value"),
    [
        ("schedules", "schedule_loss_fig", "slider", "schedules.noise", 2.5),
        ("adaptive", "race_loss_fig", "select_slider", "adaptive.lr_adam", 0.01),
        ("convergence", "tolerance_fig", "scrub", "convergence.lr", 0.05),
    ],
)
def test_a_figure_that_follows_a_slider_keeps_its_axes_so_the_renderer_moves_it_in_place(
    page, figure, widget, key, value
):
    """ui/plot.js animates a figure in place only when every axis has a fixed range and nothing but the traces'
    x, y and names, the annotations and the shapes changed: so the axes are computed in lr_core from what the moved
    control does not change."""
    at = open_page(page)

    def skeleton(fig):
        layout = {k: v for k, v in fig["layout"].items() if k not in ("annotations", "shapes")}
        return layout, [{k: v for k, v in t.items() if k not in ("x", "y", "name")} for t in fig["data"]]

    before = figures(at)[figure]
    assert all("range" in before["layout"][a] for a in ("xaxis", "yaxis")), before["layout"]
    if widget == "scrub":
        scrub_to(at, key, value)
    else:
        getattr(at, widget)(key=key).set_value(value).run()
    no_errors(at)
    after = figures(at)[figure]
    assert after != before, "the figure follows the control"
    assert skeleton(after) == skeleton(before), "only what the fast path moves may change"


def test_settings_survive_a_page_switch():
    at = open_page("update_rule")
    at.slider(key="update_rule.steps").set_value(42).run()
    at.switch_page(PAGES["schedules"]).run()
    at.switch_page(PAGES["update_rule"]).run()
    assert at.slider(key="update_rule.steps").value == 42
    assert at.query_params["steps"] == "42"


def test_adaptive_link_with_a_start_keeps_it():
    at = open_page("adaptive", surface="himmelblau", x="-1", y="2.5")
    assert at.slider(key="adaptive.x").value == -1.0 and at.slider(key="adaptive.y").value == 2.5
    at.selectbox(key="adaptive.surface").set_value("beale").run()
    assert at.slider(key="adaptive.x").value == 1.0, "a new surface brings its own start"


@pytest.mark.parametrize("bad", ["nan", "inf", "abc", "99"])
def test_a_refused_start_in_a_link_falls_back_to_the_linked_surfaces_start(bad):
    """``?surface=beale&x=nan``: the note says the default start is used, and it is Beale's, not Rosenbrock's;
    the link's accepted y is kept."""
    at = open_page("adaptive", surface="beale", x=bad, y="2")
    no_errors(at)
    assert at.slider(key="adaptive.x").value == 1.0 and at.slider(key="adaptive.y").value == 2.0
    assert any("x=" in w.value and "default" in w.value for w in at.warning)


def test_just_below_the_critical_rate_the_page_says_it_converges():
    """η = 0.99 × 2/λmax obeys η < 2/L: the verdict must say the run is getting there, zigzagging, not that it
    fails (the old classifier called it plain "oscillating")."""
    at = open_page("convergence")
    next(b for b in at.button if "0.99 × 2/λmax" in b.label).click().run()
    no_errors(at)
    text = " ".join(m.value for m in at.markdown)
    assert "zigzags towards the minimum" in text and "More steps get it there" in text
    assert "diverged" not in text


def test_the_step_to_explain_never_goes_past_the_run():
    at = open_page("update_rule", steps="7")
    assert at.slider(key="update_rule.t").max == 6, "a run of 7 steps has updates 0..6"
    at = open_page("update_rule", steps="1")
    no_errors(at)
    assert not any(s.key == "update_rule.t" for s in at.slider), "one update: nothing to slide"
    assert not any("past the end" in i.value for i in at.info)
    assert r"\theta_{1} = \theta_{0}" in at.latex[0].value


def test_a_rate_beyond_a_narrowed_range_is_noted_and_comes_back():
    """η = 1.2 from a link; a = 5 caps η at 1.5 × 2/L = 0.3, which the page says; a = 1 brings 1.2 back."""
    at = open_page("update_rule", lr="1.2")
    assert scrub_data(at, "update_rule_fig")["value"] == 1.2
    at.slider(key="update_rule.a").set_value(5.0).run()
    assert scrub_data(at, "update_rule_fig")["value"] == 0.3
    assert any("1.2 is beyond this range" in c.value for c in at.markdown)
    at.slider(key="update_rule.a").set_value(1.0).run()
    assert scrub_data(at, "update_rule_fig")["value"] == 1.2
    assert at.query_params["lr"] == "1.2"
    assert not any("beyond this range" in c.value for c in at.markdown)


def test_the_course_typical_rates_are_one_click_away_and_judged_truthfully():
    at = open_page("adaptive")
    next(b for b in at.button if "Course's typical rates" in b.label).click().run()
    no_errors(at)
    assert at.select_slider(key="adaptive.lr_sgd").value == 0.01
    assert at.select_slider(key="adaptive.lr_adam").value == 0.001
    verdicts = " ".join(m.value for m in at.markdown)
    assert "SGD (η = 0.01)** diverged" in verdicts, "on Rosenbrock's walls 0.01 is too large for SGD"
    assert "Adam (η = 0.001)** is too slow" in verdicts


def test_a_warmup_as_long_as_the_run_is_flagged():
    at = open_page("schedules", steps="50", warmup="60")
    no_errors(at)
    assert any("as long as the whole run" in w.value for w in at.warning)
    at = open_page("schedules", steps="200", warmup="20")
    assert not any("as long as the whole run" in w.value for w in at.warning)


@pytest.mark.parametrize(
    ("page", "key", "widget"), [("schedules", "show", "schedules.show"), ("adaptive", "opt", "adaptive.opt")]
)
def test_clearing_a_list_writes_a_link_that_reopens_cleared(page, key, widget):
    at = open_page(page)
    at.multiselect(key=widget).set_value([]).run()
    no_errors(at)
    assert at.query_params[key] == ""
    again = open_page(page, **{key: ""})
    no_errors(again)
    assert not any("was ignored" in w.value for w in again.warning), "the link is a valid setting"
    assert again.multiselect(key=widget).value == []


@pytest.mark.parametrize("page", ["update_rule", "convergence"])
def test_the_letter_L_names_only_the_curvature_where_the_rule_eta_below_2_over_L_is_taught(page):
    """The course's η < 2/L uses L for the curvature; these lessons call the loss J, as the course also does."""
    at = open_page(page)
    text = " ".join([m.value for m in at.markdown] + [lat.value for lat in at.latex])
    assert "L(\\theta" not in text and "L(θ" not in text and "nabla L" not in text
    assert not re.search(r"(?<![/\w])L = -?\d", text), "a loss value written as L = ..."
    for fig in figure_list(at):
        names = [t.get("name", "") for t in fig["data"]] + [
            fig["layout"].get("yaxis", {}).get("title", {}).get("text", "")
        ]
        assert not any(n.startswith("L(θ") or "L''" in n for n in names), names


def test_a_one_cycle_too_short_to_rise_says_why_and_keeps_the_settings():
    at = open_page("schedules", steps="20", show="one_cycle", pct_start="0.05")
    assert not at.exception
    assert any("at least one step each" in e.value for e in at.error)
    assert at.query_params["pct_start"] == "0.05" and at.query_params["steps"] == "20"


def test_every_verdict_label_has_its_icon():
    import ui
    from lr_core.analysis import LABELS

    assert set(ui.VERDICT_ICONS) == set(LABELS)


@pytest.mark.parametrize(
    "value",
    [{"x": "abc", "y": 1}, {"x": None, "y": 1}, {"x": [1, 2], "y": 1}, "junk", {"y": 1}, {"x": float("inf"), "y": 0},
     {"x": True, "y": 1}, None, [1, 2]],
)  # fmt: skip
def test_a_crafted_click_is_ignored(value):
    import ui

    assert ui.click_point(value) is None


def test_a_real_click_is_taken():
    import ui

    assert ui.click_point({"x": 1, "y": -2.5}) == (1.0, -2.5)


def test_the_home_page_closes_with_the_courses_directions_and_its_five_references_as_links():
    from streamlit.testing.v1 import AppTest

    from lr_core.course import DIRECTIONS, REFERENCES
    from tests.apptest_helpers import APP

    at = AppTest.from_file(APP, default_timeout=60).run()  # the app opens on the home page
    no_errors(at)
    assert [h.value for h in at.header][-2:] == ["What comes next", "References"]
    text = " ".join(m.value for m in at.markdown)
    assert len(REFERENCES) == 5 and all(f"]({r.url})" in text for r in REFERENCES)
    assert all(d.title in text for d in DIRECTIONS)
    links = [p.proto.page for p in at.get("page_link")]
    assert all(page_of(d.lesson).url_path in links for d in DIRECTIONS), links


def test_the_adam_inspector_shows_the_betas_and_eps_the_link_sets_and_the_effective_step_follows():
    at = open_page("adaptive", b2="0.9", eps="1e-06")
    no_errors(at)
    assert not at.warning, [w.value for w in at.warning]
    assert any("β₁ = 0.9, β₂ = 0.9, ε = 1e-06" in m.value for m in at.markdown)
    fig = figures(at)["effective_step_fig"]
    assert "β₂ = 0.9" in fig["layout"]["title"]["text"]
    swinging = array(fig["data"][0]["y"])
    smooth = array(figures(open_page("adaptive"))["effective_step_fig"]["data"][0]["y"])
    jumps = lambda e: np.median(np.abs(np.diff(np.log(e))))
    assert jumps(swinging) > 2 * jumps(smooth), "with β₂ = 0.9 the effective step swings with the gradients"


def test_the_practice_sections_rerun_from_the_cache_and_show_no_progress_bar_when_done():
    """A second run of the whole page (a quiz answer reruns the app) trains nothing: every sweep, search and
    strategy comes from the cache (a spy counts the engine's training calls), and no progress bar is left."""
    from lr_core import practice as engine

    at = open_page("practice")
    no_errors(at)
    train, calls = engine.train, []
    try:
        engine.train = lambda *a, **k: calls.append(a) or train(*a, **k)
        at.run()
    finally:
        engine.train = train
    no_errors(at)
    assert calls == [], f"{len(calls)} trainings on a rerun with nothing changed"
    assert not at.get("progress"), "the progress bars are gone once their block ends"


def test_a_result_table_shows_its_numbers_as_text_and_a_dash_where_there_is_none():
    from streamlit.testing.v1 import AppTest

    def script():
        import numpy as np
        import pandas as pd

        import ui

        ui.table(pd.DataFrame({"rate": ["a", "b"], "share": [0.25, 1.0], "loss": [0.0123456, np.nan]}), ["share"])

    at = AppTest.from_function(script).run()
    assert not at.exception
    shown = at.table[0].value
    assert shown["share"].tolist() == ["25%", "100%"] and shown["loss"].tolist() == ["0.0123", "—"]
