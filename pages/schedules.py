"""Lesson 3: learning-rate schedules, and why decay helps when gradients are noisy."""

import numpy as np
import streamlit as st

from lr_core import figures, lessons
from lr_core.schedules import WARMS_UP_ITSELF
from pages import cache, ui

KINDS = [k for k in lessons.SCHEDULE_LABELS if k != "constant"]
D = lessons.SchedulesConfig()
scene = ui.Scene(
    "schedules",
    [
        ui.multi_param("show", list(D.kinds), KINDS),
        ui.float_param("lr", D.base_lr, 1e-3, 0.3),
        ui.int_param("steps", D.steps, 20, 1000),
        ui.float_param("noise", D.noise, 0.0, 5.0),
        ui.int_param("warmup", D.warmup, 0, 200),
        ui.int_param("step_size", D.step_size, 1, 500),
        ui.float_param("step_gamma", D.step_gamma, 0.01, 1.0),
        ui.float_param("exp_gamma", D.exp_gamma, 0.8, 1.0),
        ui.float_param("power", D.power, 0.1, 5.0),
        ui.float_param("eta_min", D.eta_min, 0.0, 0.1),
        ui.int_param("t_0", D.t_0, 1, 500),
        ui.int_param("t_mult", D.t_mult, 1, 4),
        ui.choice_param("mode", D.cyclic_mode, ["triangular", "triangular2", "exp_range"]),
        ui.int_param("cycle_up", D.cycle_up, 1, 250),
        ui.float_param("pct_start", D.pct_start, 0.05, 0.95),
    ],
)


ui.lesson_header(
    "3 · Schedules",
    "A schedule changes η as training goes: large early to travel fast, small late to settle. With noisy "
    "(stochastic) gradients a constant rate never settles: it keeps jumping around the minimum by an amount that "
    "grows with η. Decay shrinks the jumps. Cyclical rates and warm restarts raise η again on purpose, to escape "
    "poor regions; warmup starts small to avoid early blow-ups.",
)
scene.show_notes()


@st.fragment
def comparison() -> None:
    """Controls, figures, table and code: a move of any control reruns this section alone."""
    chosen = st.multiselect(
        "Schedules to compare with a constant rate",
        KINDS,
        key=scene.widget_key("show"),
        format_func=lessons.SCHEDULE_LABELS.get,
    )
    c = st.columns(4)
    with c[0]:
        base_lr = ui.rate_slider(scene, "lr", "peak rate η₀", 1e-3, 0.3, extra=(0.05, 0.1, 0.15, 0.19))
    steps = c[1].slider("steps T", 20, 1000, step=10, key=scene.widget_key("steps"))
    noise = c[2].slider(
        "gradient noise σ",
        0.0,
        5.0,
        step=0.1,
        key=scene.widget_key("noise"),
        help="Standard deviation of Gaussian noise added to each gradient: stochastic gradients.",
    )
    warmup = c[3].slider("linear warmup steps (0 = none)", 0, 200, key=scene.widget_key("warmup"))

    params_box = st.expander("Schedule parameters", key="schedules.params-box", on_change="rerun")
    if params_box.open:  # closed, its widgets are not drawn; their values live on in the scene
        p = params_box.columns(4)
        p[0].number_input("step decay: every N steps", 1, 500, key=scene.widget_key("step_size"))
        p[0].number_input("step decay: factor γ", 0.01, 1.0, step=0.05, key=scene.widget_key("step_gamma"))
        p[1].number_input(
            "exponential: γ per step", 0.8, 1.0, step=0.005, format="%.3f", key=scene.widget_key("exp_gamma")
        )
        p[1].number_input("polynomial: power", 0.1, 5.0, step=0.1, key=scene.widget_key("power"))
        p[2].number_input("cosine: η_min", 0.0, 0.1, step=0.001, format="%.3f", key=scene.widget_key("eta_min"))
        p[2].number_input("restarts: first cycle T₀", 1, 500, key=scene.widget_key("t_0"))
        p[2].number_input("restarts: cycle growth T_mult", 1, 4, key=scene.widget_key("t_mult"))
        p[3].selectbox("cyclical: mode", ["triangular", "triangular2", "exp_range"], key=scene.widget_key("mode"))
        p[3].number_input("cyclical: steps up (half cycle)", 1, 250, key=scene.widget_key("cycle_up"))
        p[3].number_input("1cycle: fraction rising", 0.05, 0.95, step=0.05, key=scene.widget_key("pct_start"))
    PARAMS = (
        "step_size",
        "step_gamma",
        "exp_gamma",
        "power",
        "eta_min",
        "t_0",
        "t_mult",
        "mode",
        "cycle_up",
        "pct_start",
    )
    step_size, step_gamma, exp_gamma, power, eta_min, t_0, t_mult, mode, cycle_up, pct_start = (
        scene[k] for k in PARAMS
    )
    scene.sync()

    cfg = ui.engine(
        lambda: lessons.SchedulesConfig(
            tuple(chosen),
            base_lr,
            steps,
            noise,
            warmup,
            int(step_size),
            step_gamma,
            exp_gamma,
            power,
            eta_min,
            int(t_0),
            int(t_mult),
            mode,
            int(cycle_up),
            pct_start,
        )
    )
    result = ui.engine(lambda: cache.schedules_scene(cfg))
    if warmup and any(k in WARMS_UP_ITSELF for k in chosen):
        st.info(
            "Cyclical, 1cycle and linear warmup already start low and climb, so no extra warmup goes in front of them."
        )

    ui.show_figure(
        figures.schedule_plot(np.arange(steps), result.rates),
        "the learning rate of each chosen schedule against the step, with the constant rate for comparison.",
        key="schedule_fig",
    )
    runs = figures.series_list(result.trajs, result.labels)
    means = [
        figures.Series(lab, t.params, m, t.steps)
        for t, m, lab in zip(result.trajs, result.mean_losses, result.labels, strict=True)
    ]
    f1, f2 = st.columns(2)
    with f1:
        ui.show_figure(
            figures.loss_curves(means, floor=0.0, title=f"Mean loss of 64 noisy runs, σ = {noise:g}"),
            "the loss averaged over 64 runs with independent gradient noise, per schedule, on a log axis: a constant "
            "rate levels off at a noise floor, decaying schedules sink below it.",
            key="schedule_loss_fig",
        )
    with f2:
        ui.show_figure(
            figures.contour_paths(result.surface, runs, title="Paths on the bowl (eigenvalues 1 and 10)", height=520),
            "one noisy run of SGD with each schedule on a bowl: the constant rate keeps wandering around the minimum.",
            key="schedule_paths_fig",
        )
    st.dataframe(result.summary, hide_index=True, width="stretch")
    st.latex(
        r"\theta_{t+1} = \theta_t - \eta_t\,\big(\nabla L(\theta_t) + \sigma\xi_t\big),"
        r"\quad \xi_t \sim \mathcal N(0, I),"
        rf"\qquad \eta_0 = {ui.fmt(base_lr)},\ \sigma = {ui.fmt(noise)},\ T = {steps}"
    )

    st.subheader("The same schedules in PyTorch")
    for lab, schedule in zip(result.labels, result.schedules, strict=True):
        box = st.expander(lab, key=f"schedules.code.{schedule.name}", on_change="rerun")
        if box.open:
            box.code(schedule.torch_snippet(), language="python")


comparison()

st.subheader("Schedule types at a glance (from the seed)")
st.table(lessons.SEED_SCHEDULE_TABLE)

ui.takeaway(
    "With noisy gradients a constant rate stalls at a noise floor proportional to η; decaying η (step, "
    "exponential, polynomial, cosine) trades speed early for precision late. Restarts and cycles raise η again "
    "on purpose; warmup protects the first steps."
)

ui.embedded_questions(["schedule-why-decay", "warm-restarts"], "schedules")
