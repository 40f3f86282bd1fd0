"""Lesson 1: the update rule θ ← θ − η∇J(θ), one step at a time."""

import streamlit as st

import ui
from lr_core import figures
from lr_core.course import COURSE_LOOP
from lr_core.lessons import update_rule as lesson
from ui import cache, quiz

scene = ui.Scene(lesson.LESSON, lesson.CONTROLS)

ui.lesson_header(
    lesson.LESSON,
    "Gradient descent moves the parameter against the slope, by a step proportional to the learning rate η "
    "(many texts write it α): "
    r"$\theta_{t+1} = \theta_t - \eta\,\nabla J(\theta_t)$. Here the loss is $J(\theta) = a(\theta - \theta^*)^2$, "
    r"a parabola whose curvature $J'' = 2a$ is the same everywhere: that curvature is the $L$ of the course's rule "
    r"$\eta < 2/L$ (the loss is called $J$, as in the course, so that $L$ names only the curvature).",
)
scene.show_notes()


@ui.section
def step_by_step() -> None:
    """Controls, figure, equations and table: a move of any control reruns this section alone."""
    left, right = ui.controls_and_figure()
    left.button(
        "The course's figure",
        help="η = 0.05, 0.3 and 0.8 from θ = −1 for 15 steps on (θ − 3)², as in the course.",
        on_click=lambda: scene.set(**lesson.COURSE_EXAMPLE),
    )
    a, form = ui.stack(scene, left, "a", "form")
    ui.stack(scene, left, *(("min",) if form == "vertex" else ("b", "c")))
    start, steps, selected, _ = ui.stack(scene, left, "start", "steps", "t", "course")
    lrs = ui.scrub_options(scene, "lr", left)  # η is dragged on the figure itself
    scene.sync()
    lr = scene["lr"]

    cfg = ui.engine(lambda: lesson.update_rule_config(scene.values))
    swept = ui.engine(lambda: cache.swept(cfg, lrs))
    result, figs = swept.at(lr)
    sel = result.selected
    with right:
        ui.show_figure(
            figs["update_rule_fig"],
            f"the parabola {result.formula} with the path of gradient descent from θ₀ = {start:g} "
            f"at η = {lr:.3g} over {steps} steps, and beside it the loss J(θₜ) against the step t; drag the "
            "learning-rate slider above the figure to change η, press Play to animate the path.",
            key="update_rule_fig",
            script=lambda: lesson.torch_script(result),
            scrub=ui.Scrubbed(scene, "lr", swept.scrubs["update_rule_fig"]),
        )

        ui.verdict(result.label)
        if result.course is not None:
            st.markdown(
                " · ".join(
                    f"η = {r}: **{lab.label}**" + (", overshooting" if lab.oscillating and lab.converged else "")
                    for r, lab in zip(lesson.COURSE_RATES, result.course_labels, strict=True)
                )
            )
            code = st.expander("The course's code for this figure, run", key="update_rule.code", on_change="rerun")
            if code.open:  # built only while open
                with code:
                    st.markdown(
                        "The course draws its figure with this numpy loop (its plotting lines left out). Here it runs "
                        "as shown, beside LR Lab's engine on the same example:"
                    )
                    st.code(COURSE_LOOP, language="python")
                    ui.table(lesson.course_check(), digits=16)  # every digit: they are equal

    st.subheader("The update, with numbers")
    if sel:
        st.latex(
            rf"\theta_{{{sel.t + 1}}} = \theta_{{{sel.t}}} - \eta\,\nabla J(\theta_{{{sel.t}}}) = {ui.fmt(sel.theta)}"
            rf" - {ui.fmt(sel.lr, paren=True)} \times {ui.fmt(sel.grad, paren=True)} = {ui.fmt(sel.theta_next)}"
        )
        if form == "vertex":
            st.latex(
                rf"\nabla J(\theta_{{{sel.t}}}) = 2a(\theta_{{{sel.t}}} - \theta^*) = 2 \times {ui.fmt(a)} \times "
                rf"({ui.fmt(sel.theta)} - {ui.fmt(result.minimum, paren=True)}) = {ui.fmt(sel.grad)}"
            )
        else:
            st.latex(
                rf"\nabla J(\theta_{{{sel.t}}}) = 2a\theta_{{{sel.t}}} + b = 2 \times {ui.fmt(a)} \times "
                rf"{ui.fmt(sel.theta, paren=True)} + {ui.fmt(cfg.b, paren=True)} = {ui.fmt(sel.grad)}, \qquad "
                rf"\theta^* = -\frac{{b}}{{2a}} = {ui.fmt(result.minimum)}"
            )
    else:
        st.info(
            f"The run left the plot at step {int(result.traj.last_index)}, before step {selected}: there is no update "
            f"{selected} to show. Pick an earlier step."
        )
    relation = "<" if lr < result.critical_lr else r"\geq"
    st.latex(
        rf"L = J'' = 2a = {ui.fmt(result.curvature)}, \qquad \frac{{2}}{{L}} = {ui.fmt(result.critical_lr)}, \qquad"
        rf"\eta = {ui.fmt(lr)} \;{relation}\; \frac{{2}}{{L}}"
    )

    table = st.expander("Iteration table", key="update_rule.table", on_change="rerun")
    if table.open:  # built only while open: the table's conversion was the page's largest cost per rerun
        with table:
            iterations = result.table()
            st.dataframe(iterations, hide_index=True, width="stretch")
            st.download_button("Download as CSV", iterations.to_csv(index=False), "iterations.csv", "text/csv")


step_by_step()


@ui.section
def speed_accuracy() -> None:
    """The expected loss of several rates under gradient noise, and the best rate for a budget of steps."""
    st.header("Speed versus accuracy")
    st.markdown(
        'The course speaks of a "trade-off between training speed and final model accuracy". On a clean '
        "parabola there is "
        "none: up to 1/L a larger η is both faster and as accurate. It appears with noisy gradients, as "
        "mini-batches give: "
        "every step then adds η times the noise, so a larger rate gets near the bottom in fewer steps but "
        "keeps bouncing "
        "higher above it. Here is the course's parabola (θ − 3)² from θ₀ = −1, with noise σ added to every gradient."
    )
    ui.control(scene, "sa_rates")
    left, right = ui.controls_and_figure()
    noise, _ = ui.stack(scene, left, "sa_noise", "sa_budget")
    scene.sync()
    cfg = ui.engine(lambda: lesson.speed_config(scene.values))
    result = ui.engine(lambda: lesson.speed_accuracy(cfg))
    with right:
        ui.show_figure(
            figures.against_step(
                result.steps, result.curves, f"Expected loss under gradient noise σ = {noise:g}",
                "E[J(θₜ)] − J*", y_range=result.y_range, log=True, height=460,
            ),
            "the expected loss above the minimum against the step for each rate, on a log axis: the larger rates "
            "drop faster and level off higher.",
            key="speed_curves_fig",
        )  # fmt: skip
    ui.show_figure(
        figures.against_rate(
            result.lrs, result.after, "Expected loss after a budget of steps, against η", "E[J] − J*",
            y_range=result.y_range, markers=False,
            marks=[(result.best[b], f"best for {b}", i) for i, b in enumerate(result.budgets)],
        ),
        "the expected loss after a tenth of the budget, the budget and ten budgets, against the rate, with the best "
        "rate for each marked: the longer the run, the smaller the best rate.",
        key="speed_sweep_fig",
    )  # fmt: skip
    ui.table(result.summary)
    st.latex(
        r"\mathbb E\,J(\theta_t) - J^* = \tfrac{L}{2}\Big((1 - \eta L)^{2t} e_0^2 + \eta^2\sigma^2 "
        r"\sum_{k<t} (1 - \eta L)^{2k}\Big) \;\to\; \frac{\eta\sigma^2}{2(2 - \eta L)}, \qquad "
        rf"L = J'' = 2,\ e_0 = \theta_0 - \theta^* = {ui.fmt(lesson.SPEED_E0)},\ \sigma = {ui.fmt(noise)}"
    )
    ui.takeaway(lesson.speed_takeaway(result))


speed_accuracy()

ui.takeaway(
    "The step is η times the slope: near the minimum the slope shrinks, so the steps shrink too. A small η "
    "crawls, a moderate η converges fast, and past 1/L each step overshoots to the other side; past 2/L "
    "the overshoot grows and the run diverges."
)

quiz.embedded_questions(lesson.LESSON)
