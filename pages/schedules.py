"""Lesson 3: learning-rate schedules, and why decay helps when gradients are noisy."""

import numpy as np
import streamlit as st

import ui
from lr_core import figures
from lr_core.lessons import schedules as lesson
from ui import cache, quiz

scene = ui.Scene(lesson.LESSON, lesson.CONTROLS)


ui.lesson_header(
    lesson.LESSON,
    "A schedule changes η as training goes: large early to travel fast, small late to settle. With noisy "
    "(stochastic) gradients a constant rate never settles: it keeps jumping around the minimum by an amount that "
    "grows with η. Decay shrinks the jumps. Cyclical rates and warm restarts raise η again on purpose, to escape "
    "poor regions; warmup starts small to avoid early blow-ups.",
)
scene.show_notes()


@ui.section
def comparison() -> None:
    """Controls, figures, table and code: a move of any control reruns this section alone."""
    ui.control(scene, "show")
    left, right = ui.controls_and_figure()
    base_lr, steps, noise, warmup = ui.stack(scene, left, "lr", "steps", "noise", "warmup")
    params_box = left.expander("Schedule parameters", key="schedules.params-box", on_change="rerun")
    if params_box.open:  # closed, its widgets are not drawn; their values live on in the scene
        for control in lesson.PARAMS:
            ui.control(scene, control.key, params_box)
    scene.sync()

    cfg = ui.engine(lambda: lesson.config(scene.values))
    result = ui.engine(lambda: cache.schedules_scene(cfg))
    if warmup >= steps:
        st.warning(
            f"The warmup ({warmup} steps) is as long as the whole run ({steps} steps): every schedule spends the run "
            "warming up and never reaches its own shape. Shorten the warmup or lengthen the run."
        )
    warming = [lab for lab, s in zip(result.labels, result.schedules, strict=True) if s.warms_up]
    if warmup and warming:
        st.info(f"{', '.join(warming)} already start low and climb, so no extra warmup goes in front of them.")

    with right:
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
            figures.loss_curves(means, floor=0.0, title="Mean loss of 64 noisy runs", y_range=result.loss_range),
            f"the loss averaged over 64 runs with independent gradient noise σ = {noise:g}, per schedule, on a log "
            "axis: a constant "
            "rate levels off at a noise floor, decaying schedules sink below it.",
            key="schedule_loss_fig",
            script=lambda: lesson.torch_script(result),
        )
    with f2:
        ui.show_figure(
            figures.contour_paths(result.surface, runs, title="Paths on the bowl (eigenvalues 1 and 10)", height=520),
            "one noisy run of SGD with each schedule on a bowl: the constant rate keeps wandering around the minimum.",
            key="schedule_paths_fig",
            script=lambda: lesson.torch_script(result),
        )
    ui.table(result.summary)
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

    st.subheader("Schedule types at a glance (from the course)")
    st.table(lesson.COURSE_SCHEDULE_TABLE)


comparison()


@ui.section
def escape() -> None:
    """Noisy runs from the shallow well: how often each rate leaves it, and the loss it ends at."""
    st.header("Escaping a local minimum")
    st.markdown(
        'The course says warm restarts reset the rate to high values "to escape local minima", and that cyclical rates '
        'oscillate "to escape local minima". Here is a loss with two wells, the far one deeper. Every run '
        "starts at the "
        "bottom of the shallow well with noisy gradients, 400 runs per rate, each with its own noise. A small constant "
        "rate takes steps too short to climb the hump; a rate raised again takes longer noisy steps that can "
        "cross it, and "
        "a rate that comes down again lets the run settle in the well it reached."
    )
    ui.control(scene, "esc_show")
    left, right = ui.controls_and_figure()
    ui.stack(scene, left, "esc_small", "esc_lr", "esc_noise", "esc_tilt", "esc_steps", "esc_cycle")
    scene.sync()
    cfg = ui.engine(lambda: lesson.escape_config(scene.values))
    result = ui.engine(lambda: cache.escape_scene(cfg))
    steps = np.arange(cfg.steps + 1)
    with right:
        ui.show_figure(
            figures.against_step(
                steps, result.deep_share, f"Share of {cfg.runs} noisy runs in the deep well", "share of the runs",
                y_range=(0.0, 1.02), height=460,
            ),
            f"the share of {cfg.runs} noisy runs per rate that are in the deep well at each step: "
            + "; ".join(f"{lab} ends at {share[-1]:.0%}" for lab, share in result.deep_share.items()) + ".",
            key="escape_share_fig",
        )  # fmt: skip
    f1, f2 = st.columns(2)
    with f1:
        ui.show_figure(
            figures.schedule_plot(np.arange(cfg.steps), result.rates, title="The rates"),
            "the learning rate of each schedule against the step: the two constant rates, and the schedules that peak "
            "at η₀.",
            key="escape_rates_fig",
        )
    with f2:
        ((lo, hi),) = result.surface.bounds
        ui.show_figure(
            figures.against_step(
                steps, result.paths, "One run of each: θₜ", "θ", y_range=(lo, hi),
                marks=((result.hump, "the hump"), (result.deep, "deep well"),
                       (result.start, "shallow well")),
            ),
            "θ against the step for the first run of each rate, with the bottoms of the two wells and the hump "
            "between them as dashed lines.",
            key="escape_path_fig",
        )  # fmt: skip
    ui.table(result.summary, percent=lesson.ESCAPE_COLUMNS[:2])
    st.latex(
        rf"{result.surface.latex}, \qquad \theta_{{t+1}} = \theta_t - \eta_t\,\big(L'(\theta_t) + \sigma\xi_t\big),"
        rf"\qquad \sigma = {ui.fmt(cfg.noise)},\ \theta_0 = {ui.fmt(result.start)},\ \text{{hump at }} "
        rf"\theta = {ui.fmt(result.hump)}"
    )
    ui.takeaway(lesson.escape_takeaway(result))


escape()

ui.takeaway(
    "With noisy gradients a constant rate stalls at a noise floor proportional to η; decaying η (step, "
    "exponential, polynomial, cosine) trades speed early for precision late. Restarts and cycles raise η again "
    "on purpose; warmup protects the first steps."
)

quiz.embedded_questions(lesson.LESSON)
