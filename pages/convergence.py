"""Lesson 2: convergence and stability, or why η < 2/L."""

import streamlit as st

import ui
from lr_core import figures
from lr_core.controls import three_digits
from lr_core.lessons import convergence as lesson
from ui import cache, quiz

scene = ui.Scene(lesson.LESSON, lesson.CONTROLS)

ui.lesson_header(
    lesson.LESSON,
    "On a quadratic, each gradient step multiplies the distance to the minimum by $1 - \\eta\\lambda$ along every "
    "eigenvector of the Hessian (eigenvalue $\\lambda$). So gradient descent converges exactly when "
    "$|1 - \\eta\\lambda| < 1$ for all of them: $\\eta < 2/L$, with $L = \\lambda_{max}$ the largest curvature "
    "(the Lipschitz constant of the gradient).",
)
scene.show_notes()


# ------------------------------------------------------------------------------------------------- in 1-D
@ui.section
def one_dimension() -> None:
    """The 1-D section: its controls rerun it alone."""
    st.header("In one dimension: the contraction factor")
    left, right = ui.controls_and_figure()
    (L,) = ui.stack(scene, left, "L")
    lrs = ui.scrub_options(scene, "lr1", left)  # η is dragged on the figure itself
    scene.sync()
    lr1 = scene["lr1"]
    swept = ui.engine(lambda: cache.swept(scene.config(lesson.Stability1DConfig, lesson.ONE_D), lrs))
    one, figs = swept.at(lr1)
    with left:
        st.markdown(f"Regime: **{one.regime}**.")
        ui.verdict(one.label)
    with right:
        ui.show_figure(
            figs["contraction_fig"],
            f"|1 − ηL| against η for L = {L:g}: below 1/L = {1 / L:.3g} the error shrinks monotonically, between 1/L "
            f"and 2/L = {2 / L:.3g} it shrinks while flipping sign, beyond 2/L it grows. Your η = {lr1:.3g} gives "
            f"{one.factor:.3g}; drag the learning-rate slider above the figure to move it.",
            key="contraction_fig",
            script=lambda: lesson.torch_script_1d(one),
            scrub=ui.Scrubbed(scene, "lr1", swept.scrubs["contraction_fig"]),
        )
    relation = "<" if one.factor < 1 else r"\geq"
    st.latex(
        rf"|\theta_t - \theta^*| = |1 - \eta L|^t\,|\theta_0 - \theta^*|, \qquad |1 - \eta L| = |1 - {ui.fmt(lr1)}"
        rf" \times {ui.fmt(L)}| = {ui.fmt(one.factor)} \;{relation}\; 1"
    )
    ui.show_figure(
        figs["error_fig"],
        f"the distance to the minimum per step on a log axis: measured points lie on the predicted line "
        f"{one.factor:.3g}ᵗ × 4.",
        key="error_fig",
        script=lambda: lesson.torch_script_1d(one),
        scrub=ui.Scrubbed(scene, "lr1", swept.scrubs["error_fig"], control=False),
    )


one_dimension()


# ------------------------------------------------------------------------------------------------- in 2-D
@ui.section
def two_dimensions() -> None:
    """The 2-D section: its controls rerun it alone."""
    st.header("In two dimensions: the Hessian's eigenvalues")
    st.markdown(
        "$J(x) = \\tfrac12 x^\\top H x$ with $H$'s eigenvalues $\\lambda_{min} \\le \\lambda_{max}$ and its axes "
        "rotated. The steep direction ($\\lambda_{max}$) caps the rate at $2/\\lambda_{max}$; the shallow one "
        "($\\lambda_{min}$) then sets how slowly the run finishes. Their ratio is the **condition number** $\\kappa$."
    )
    left, right = ui.controls_and_figure()
    lmin, lmax, angle = ui.stack(scene, left, "lmin", "lmax", "angle")
    crit, best = lesson.bowl_rates(lmin, lmax)
    left.button(f"use η* = 2/(λmin+λmax) = {best:.3g}", on_click=lambda: scene.set(lr=three_digits(best)))
    left.button(f"use 0.99 × 2/λmax = {0.99 * crit:.3g}", on_click=lambda: scene.set(lr=three_digits(0.99 * crit)))
    ui.stack(scene, left, "steps")
    lrs = ui.scrub_options(scene, "lr", left)  # η is dragged on the figure itself
    scene.sync()
    lr = scene["lr"]

    swept = ui.engine(lambda: cache.swept(scene.config(lesson.Stability2DConfig, lesson.TWO_D), lrs))
    two, figs = swept.at(lr)
    lo, hi = sorted((lmin, lmax))
    m = st.columns(5)
    m[0].metric("condition number κ", f"{two.kappa:.3g}")
    m[1].metric("critical rate 2/λmax", f"{two.critical_lr:.3g}")
    m[2].metric("optimal rate η*", f"{two.optimal_lr:.3g}")
    m[3].metric("your r(η) = max|1 − ηλ|", f"{two.factor:.3g}")
    m[4].metric("best r = (κ−1)/(κ+1)", f"{two.optimal_factor:.3g}")

    with right:
        ui.show_figure(
            figs["bowl_fig"],
            f"contours of a quadratic bowl with eigenvalues {lo:g} and {hi:g} rotated by {angle:g}°, and the path of "
            f"gradient descent at η = {lr:.3g}: {two.label.label}. Drag the learning-rate slider above the figure "
            "to change η.",
            key="bowl_fig",
            script=lambda: lesson.torch_script_2d(two),
            scrub=ui.Scrubbed(scene, "lr", swept.scrubs["bowl_fig"]),
        )
        ui.verdict(two.label)
    st.latex(
        rf"\lambda(H) = ({ui.fmt(lo)},\ {ui.fmt(hi)}),\quad \kappa = {ui.fmt(two.kappa)},\quad "
        rf"\eta < \frac{{2}}{{\lambda_{{max}}}} = {ui.fmt(crit)}"
    )
    st.latex(
        rf"\eta^* = \frac{{2}}{{\lambda_{{min}} + \lambda_{{max}}}} = {ui.fmt(best)},\quad "
        rf"r(\eta^*) = \frac{{\kappa - 1}}{{\kappa + 1}} = {ui.fmt(two.optimal_factor)}"
    )
    sweep = cache.tolerance_sweep(lmin, lmax, angle)
    ui.show_figure(
        figs["tolerance_fig"],
        f"steps for the loss to fall below 10⁻⁶ for 300 rates, from one vectorized sweep (dots) and from the closed "
        f"form ½Σλᵢcᵢ²(1−ηλᵢ)²ᵗ (line); fastest near η* = {best:.3g}, none converge past 2/λmax = {crit:.3g}. "
        f"Each run has {sweep.budget} steps: a rate too small to get there in that many is left out.",
        key="tolerance_fig",
        scrub=ui.Scrubbed(scene, "lr", swept.scrubs["tolerance_fig"], control=False),
    )


two_dimensions()


# ------------------------------------------------------------------------------------------- non-quadratic
@ui.section
def local() -> None:
    """The double-well section: its controls rerun it alone."""
    st.header("Beyond quadratics: L is the local curvature")
    st.markdown(
        "On the double well $J(\\theta) = (\\theta^2 - 1)^2$ the curvature $J''(\\theta) = 12\\theta^2 - 4$ changes "
        "from place to place, so the safe rate does too: $\\eta < 2/J''(\\theta)$ near where the run is. At the "
        "minima $L = J'' = 8$, so $2/L = 0.25$; far out on the walls it is much steeper, and on the hump between the "
        "wells $J'' < 0$: no limit at all there."
    )
    left, right = ui.controls_and_figure()
    lr_dw, start_dw = ui.stack(scene, left, "lr_dw", "start_dw")
    scene.sync()
    local = ui.engine(lambda: lesson.local_curvature(scene.config(lesson.LocalCurvatureConfig, lesson.LOCAL)))
    with left:
        ui.verdict(local.label)
    top = float(local.curve[1].max())
    with right:
        ui.show_figure(
            figures.path_on_curve(
                local.surface,
                *local.curve,
                figures.series_of(local.traj, [f"η = {lr_dw:.3g}"]),
                x_range=local.surface.bounds[0],
                y_range=(-0.05 * top, 1.05 * top),
                title="Gradient descent on the double well",
                loss="J",
            ),
            f"the double well with the path from θ₀ = {start_dw:g} at η = {lr_dw:.3g}: {local.label.label}.",
            key="double_well_fig",
        )
    ui.show_figure(
        figures.local_curvature_plot(
            local.convex,
            local.local_critical,
            local.concave,
            lr_dw,
            local.critical_at_minimum,
            "Local critical rate along the run",
            x_max=local.config.steps,
            y_range=lesson.LOCAL_RATE_AXIS,
        ),
        "2 divided by the local curvature J'' at each step where J'' is positive, against your fixed η: where "
        "the points dip below η the step overshoots locally. Shaded steps have J'' < 0 (the hump between the "
        "wells), where no step-size limit exists.",
        key="local_fig",
    )


local()

ui.takeaway(
    "The largest curvature sets the speed limit η < 2/L, and the smallest curvature sets how long the trip takes: "
    "at best the error shrinks by (κ−1)/(κ+1) per step. Ill-conditioned problems (large κ) are slow for any single "
    "rate, which is what momentum and adaptive methods address."
)

quiz.embedded_questions(lesson.LESSON)
