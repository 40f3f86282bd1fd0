"""Lesson 1: the update rule θ ← θ − η∇L(θ), one step at a time."""

import streamlit as st

from lr_core import figures, lessons
from pages import ui

scene = ui.Scene(
    "update_rule",
    [
        ui.float_param("a", 1.0, 0.1, 5.0),
        ui.float_param("min", 3.0, -5.0, 5.0),
        ui.float_param("start", -1.0, -10.0, 10.0),
        ui.float_param("lr", 0.3, 1e-4, 15.0),
        ui.int_param("steps", 15, 1, 100),
        ui.int_param("t", 0, 0, 100),
        ui.bool_param("seed", False),
    ],
)

ui.lesson_header(
    "1 · The update rule",
    "Gradient descent moves the parameter against the slope, by a step proportional to the learning rate: "
    r"$\theta_{t+1} = \theta_t - \eta\,\nabla L(\theta_t)$. Here $L(\theta) = a(\theta - \theta^*)^2$, a parabola "
    r"whose curvature $L'' = 2a$ is the same everywhere.",
)
scene.show_notes()


@st.fragment
def lesson() -> None:
    """Controls, figure, equations and table: a move of any control reruns this section alone."""
    if st.button("Reproduce the seed's figure: η = 0.05, 0.3, 0.8 from θ = −1, 15 steps on (θ − 3)²", type="primary"):
        scene.set(a=1.0, min=3.0, start=-1.0, lr=0.3, steps=15, t=0, seed=True)

    a_col, m_col, s_col = st.columns(3)
    a = a_col.slider("curvature a", 0.1, 5.0, step=0.1, key=scene.widget_key("a"))
    theta_star = m_col.slider("minimum θ*", -5.0, 5.0, step=0.5, key=scene.widget_key("min"))
    start = s_col.slider("start θ₀", -10.0, 10.0, step=0.5, key=scene.widget_key("start"))
    L = 2 * a
    lr_col, n_col, t_col = st.columns(3)
    with lr_col:
        lr = ui.rate_slider(
            scene,
            "lr",
            "learning rate η (log scale)",
            1e-4,
            3 / L,
            extra=(*lessons.SEED_RATES, 1 / L, 2 / L),
            help=f"Up to 1.5 × 2/L = {3 / L:.3g}, so you can see it diverge.",
        )
    steps = n_col.slider("steps", 1, 100, key=scene.widget_key("steps"))
    if scene["t"] > steps:
        scene.set(t=steps)
    selected = t_col.slider("show the update of step t", 0, steps, key=scene.widget_key("t"))
    compare = st.toggle("Compare with the seed's rates 0.05, 0.3 and 0.8", key=scene.widget_key("seed"))
    scene.sync()

    cfg = ui.engine(lambda: lessons.UpdateRuleConfig(a, theta_star, start, lr, steps, selected, compare))
    result = ui.engine(lambda: lessons.update_rule(cfg))

    runs = figures.series_of(result.traj, [f"η = {lr:.3g}"])
    if result.seed is not None:
        runs += figures.series_of(result.seed, [f"seed η = {r}" for r in lessons.SEED_RATES])
    sel = result.selected
    fig = figures.path_on_curve(
        result.surface,
        *result.curve,
        runs,
        selected=selected,
        tangent=result.tangent,
        step_arrow=(sel.theta, sel.loss, sel.theta_next, sel.loss_next) if sel else None,
        x_range=result.x_range,
        y_range=result.y_range,
    )
    ui.show_figure(
        fig,
        f"the parabola L(θ) = {a:g}(θ − {theta_star:g})² with the path of gradient descent from θ₀ = {start:g} "
        f"at η = {lr:.3g} over {steps} steps; press Play to animate it or drag the slider to scrub.",
        key="update_rule_fig",
    )

    label = result.label
    verdict = {"converged": "✅", "oscillating": "〰️", "diverged": "💥", "too slow": "🐢", "stalled": "⏸️"}[label.label]
    st.markdown(f"### {verdict} This run **{label.label}**: {label.reason}.")
    if result.seed is not None:
        st.markdown(
            " · ".join(
                f"η = {r}: **{lab.label}**" for r, lab in zip(lessons.SEED_RATES, result.seed_labels, strict=True)
            )
        )

    st.subheader("The update, with numbers")
    if sel:
        st.latex(
            rf"\theta_{{{sel.t + 1}}} = \theta_{{{sel.t}}} - \eta\,\nabla L(\theta_{{{sel.t}}}) = {ui.fmt(sel.theta)}"
            rf" - {ui.fmt(sel.lr, paren=True)} \times {ui.fmt(sel.grad, paren=True)} = {ui.fmt(sel.theta_next)}"
        )
        st.latex(
            rf"\nabla L(\theta_{{{sel.t}}}) = 2a(\theta_{{{sel.t}}} - \theta^*) = 2 \times {ui.fmt(a)} \times "
            rf"({ui.fmt(sel.theta)} - {ui.fmt(theta_star, paren=True)}) = {ui.fmt(sel.grad)}"
        )
    else:
        st.info(f"Step {selected} is past the end of this run (it stopped at step {int(result.traj.last_index)}).")
    relation = "<" if lr < result.critical_lr else r"\geq"
    st.latex(
        rf"L = L'' = 2a = {ui.fmt(L)}, \qquad \frac{{2}}{{L}} = {ui.fmt(result.critical_lr)}, \qquad"
        rf"\eta = {ui.fmt(lr)} \;{relation}\; \frac{{2}}{{L}}"
    )

    table = st.expander("Iteration table", key="update_rule.table", on_change="rerun")
    if table.open:  # built only while open: the table's conversion was the page's largest cost per rerun
        with table:
            iterations = result.table()
            st.dataframe(iterations, hide_index=True, width="stretch")
            st.download_button("Download as CSV", iterations.to_csv(index=False), "iterations.csv", "text/csv")


lesson()

ui.takeaway(
    "The step is η times the slope: near the minimum the slope shrinks, so the steps shrink too. A small η "
    "crawls, a moderate η converges fast, and past 1/L each step overshoots to the other side; past 2/L "
    "the overshoot grows and the run diverges."
)

ui.embedded_questions(["seed-increasing-lr", "update-rule-one-step"], "update_rule")
