"""Lesson 4: adaptive methods, a race of optimizers, and choosing the rate."""

import numpy as np
import pandas as pd
import streamlit as st

import ui
from lr_core import analysis, figures
from lr_core.lessons import adaptive as lesson
from lr_core.optimizers import VARIANTS, capabilities
from lr_core.surfaces import SURFACES
from ui import cache, quiz

scene = ui.Scene(lesson.LESSON, lesson.CONTROLS)


ui.lesson_header(
    lesson.LESSON,
    "One global η is a compromise when curvature differs between directions or the gradient's size swings by "
    "orders of magnitude. **Momentum** averages past gradients; **AdaGrad** divides each coordinate's step by the "
    "root of its summed squared gradients; **RMSProp** uses a moving average instead, so the rate does not die "
    "out; **Adam** combines both with bias correction; **AdamW** decouples weight decay; **AMSGrad** keeps the "
    "largest v seen; **NAdam** adds Nesterov's look-ahead.",
)
scene.show_notes()


@ui.section
def race() -> None:
    """The race and the inspector: their controls rerun this section alone."""
    surface_name = ui.control(scene, "surface")
    last = st.session_state.get("adaptive.last_surface")
    if last != surface_name:  # each surface has a start that shows its trap; a link's own start is kept
        start = dict(zip(("x", "y"), SURFACES[surface_name].start, strict=True))
        scene.set(**{k: v for k, v in start.items() if not (last is None and scene.linked(k))})
    st.session_state["adaptive.last_surface"] = surface_name
    racers = ui.control(scene, "opt")  # full width: every optimizer in view
    if not racers:
        st.info("Pick at least one optimizer to race.")
        scene.sync()
        st.stop()
    left, right = ui.controls_and_figure()

    with left.expander("Learning rate of each optimizer", expanded=True):
        lrs = [ui.control(scene, lesson.rate_key(name)) for name in racers]
    left.markdown(
        "The race starts SGD at 0.001 and Adam at 0.1, rates that suit Rosenbrock's valley, its first surface. The "
        "course's typical starting "
        "values, 0.01 for SGD and 0.001 for Adam, come from training neural networks: try them here to see the "
        "curvature decide (on Rosenbrock, SGD at 0.01 diverges and Adam at 0.001 barely moves)."
    )
    left.button(
        "Course's typical rates",
        help="SGD (and momentum) at 0.01, Adam and its variants at 0.001: the course's typical starting values.",
        on_click=lambda: scene.set(**{lesson.rate_key(n): lr for n, lr in lesson.COURSE_RATES.items()}),
    )
    x0, y0, _, _, bias_correction, _ = ui.stack(scene, left, "x", "y", "steps", "noise", "bc", "wd")
    moments_box = left.expander("β₁, β₂ and ε", key="adaptive.moments-box", on_change="rerun")
    if moments_box.open:  # closed, its widgets are not drawn; their values live on in the scene
        ui.stack(scene, moments_box, "b1", "b2", "eps")

    cfg = ui.engine(lambda: lesson.race_config(scene.values))
    result = ui.engine(lambda: lesson.race(cfg, cache.run_racer))
    runs = figures.series_list(result.trajs, result.names)
    script = (lambda: lesson.torch_script(result)) if cfg.bias_correction else None  # torch always corrects it

    with right:
        ui.show_figure(
            figures.contour_paths(
                result.surface,
                runs,
                log_levels=SURFACES[surface_name].log_levels,
                clickable=True,
                title=f"The race on {result.surface.title}",
                height=680,
            ),
            f"contours of {result.surface.title} with the path of each optimizer from ({x0:g}, {y0:g}); press Play to "
            "watch them race, click anywhere to start from there.",
            key="race_fig",
            script=script,
            on_click=lambda x, y: scene.set(x=float(np.clip(x, -5, 5)), y=float(np.clip(y, -5, 5))),
        )
        ui.show_figure(
            figures.loss_curves(runs, floor=result.floor, title="Loss gap against step", y_range=result.loss_range),
            "each optimizer's loss above the minimum, per step, on a log axis.",
            key="race_loss_fig",
            script=script,
        )

    st.markdown(
        "  \n".join(
            f"**{n}** {v.sentence}: {v.reason}." + (f" {v.advice}" if v.advice else "")
            for n, v in zip(result.names, result.verdicts, strict=True)
        )
    )

    # ------------------------------------------------------------------------------------------------ inspector
    st.header("Inside one optimizer, step by step")
    i1, i2 = st.columns(2)
    inspected = ui.control(scene, "inspect", i1, options=racers)
    t = ui.control(scene, "t", i2)
    scene.sync()

    k = racers.index(inspected)
    traj = result.trajs[k]
    if traj.diverged and t >= int(traj.diverged_at):
        st.warning(f"This run diverged at step {int(traj.diverged_at)}; pick an earlier step.")
    else:
        ins = ui.engine(lambda: lesson.inspect_step(traj, t))
        caps = capabilities(inspected)
        n = t + 1
        vec = lambda v: rf"\begin{{pmatrix}} {ui.fmt(float(v[0]))} \\ {ui.fmt(float(v[1]))} \end{{pmatrix}}"
        st.latex(rf"g_{{{n}}} = \nabla L(\theta_{{{t}}}) = {vec(ins.grad)},\qquad \eta = {ui.fmt(lrs[k])}")
        if "moments" in caps:
            st.markdown(
                f"The course's Adam update, with this step's numbers (β₁ = {cfg.beta1:g}, β₂ = {cfg.beta2:g}, "
                f"ε = {cfg.eps:.0e}):"
            )
            i = ins.internals
            st.latex(
                rf"m_{{{n}}} = \beta_1 m_{{{t}}} + (1-\beta_1) g_{{{n}}} = {vec(i['m'])}, \qquad "
                rf"v_{{{n}}} = \beta_2 v_{{{t}}} + (1-\beta_2) g_{{{n}}}^2 = {vec(i['v'])}"
            )
            corr = rf"1-\beta_1^{{{n}}}" if bias_correction else "1"
            corr2 = rf"1-\beta_2^{{{n}}}" if bias_correction else "1"
            v_name = "v^{max}" if "v_max" in i else "v"
            st.latex(
                rf"\hat m_{{{n}}} = \frac{{m_{{{n}}}}}{{{corr}}} = {vec(i['m_hat'])}, \qquad "
                rf"\hat v_{{{n}}} = \frac{{{v_name}_{{{n}}}}}{{{corr2}}} = {vec(i['v_hat'])}"
            )
            decay = rf" - \eta\lambda\theta_{{{t}}}" if "decoupled_weight_decay" in caps and cfg.weight_decay else ""
            st.latex(
                rf"\frac{{\eta}}{{\sqrt{{\hat v_{{{n}}}}} + \epsilon}} = {vec(i['effective_lr'])}, \qquad "
                rf"\theta_{{{n}}} = \theta_{{{t}}} - "
                rf"\frac{{\eta\, \hat m_{{{n}}}}}{{\sqrt{{\hat v_{{{n}}}}} + \epsilon}}"
                rf"{decay} = {vec(ins.theta)} + {vec(ins.step)} = {vec(ins.theta_next)}"
            )
        elif {"adaptive", "nesterov"} <= caps:
            ahead = ui.engine(
                lambda: lesson.look_ahead(ins, 0.0 if "decoupled_weight_decay" in caps else cfg.weight_decay)
            )
            st.markdown(
                f"NAdam's step has two parts: the gradient of now, and the momentum it *will* have, m_{n} weighted "
                f"by μ_{n + 1} = {ahead.mu_next:.4g}: Nesterov's look-ahead (μ_{n} = {ahead.mu:.4g}: its momentum "
                "warms up from β₁/2 towards β₁ over thousands of steps)."
            )
            ui.equation(
                rf"\underbrace{{\frac{{(1-\mu_{{{n}}})\,g_{{{n}}}}}{{1 - \prod_{{i \le {n}}}\mu_i}}}}_{{\text{{now}}}}"
                rf" = {vec(ahead.now)},",
                rf"\underbrace{{\frac{{\mu_{{{n + 1}}}\, m_{{{n}}}}}{{1 - \prod_{{i \le {n + 1}}}\mu_i}}}}"
                rf"_{{\text{{look-ahead}}}} = {vec(ahead.ahead)},",
            )
            ui.equation(
                rf"\theta_{{{n}}} = \theta_{{{t}}} - \frac{{\eta}}{{\sqrt{{\hat v_{{{n}}}}} + \epsilon}}"
                rf"\,(\text{{now}} + \text{{look-ahead}}) = {vec(ins.theta)} + {vec(ins.step)} = {vec(ins.theta_next)}"
            )
        else:
            st.latex(
                rf"\theta_{{{n}}} = \theta_{{{t}}} + \Delta_{{{n}}} = {vec(ins.theta)} + {vec(ins.step)} = "
                rf"{vec(ins.theta_next)}"
            )
        numbers = st.expander("All the internals as a table", key="adaptive.internals-box", on_change="rerun")
        if ins.internals and numbers.open:  # built only while open: a table costs an Arrow conversion per rerun
            table = pd.DataFrame(dict(ins.internals.items()), index=["x", "y"]).T
            table["ratio x/y"] = table["x"] / table["y"].where(table["y"] != 0)
            numbers.dataframe(table, width="stretch")
        if "effective_lr" in ins.internals:
            e = ins.internals["effective_lr"]
            st.markdown(
                f"The per-coordinate step size differs by a factor **{max(e) / max(min(e), 1e-300):.3g}** "
                "between x and y: each coordinate gets its own rate."
            )
            every = traj.internals["effective_lr"][: max(int(traj.last_index), 1)]
            ui.show_figure(
                figures.schedule_plot(
                    np.arange(1, len(every) + 1), {"x": every[:, 0], "y": every[:, 1]},
                    title=f"{VARIANTS[inspected].label}'s effective step η/(√v̂ + ε) per coordinate, β₂ = {cfg.beta2:g}",
                    log=True, y_range=figures.decades(every),
                ),
                "the effective step size of each coordinate at every step of the run, on a log axis: with β₂ near 1 "
                "v̂ averages many squared gradients and the step changes slowly; with β₂ = 0.9 it follows the "
                "last few gradients and swings with them.",
                key="effective_step_fig",
            )  # fmt: skip


race()


# ----------------------------------------------------------------------------------- AdaGrad on sparse features
@ui.section
def sparse() -> None:
    """SGD and AdaGrad on a stream with a rare feature: the errors, the per-coordinate rates and the sweep."""
    st.header("AdaGrad on sparse features")
    st.markdown(
        'The course says AdaGrad "benefits sparse data". Here is why, on a stream of examples for least squares with '
        "two features: a common one, in every example, and a rare one, in a fraction p of them. The loss is as curved "
        "along the common weight as 1 and along the rare weight as p, so one global η must serve two very different "
        "curvatures. AdaGrad divides each coordinate's step by the root of its own summed squared gradients: the rare "
        "weight's sum grows only when its feature appears, so its rate stays large."
    )
    left, right = ui.controls_and_figure()
    ui.stack(scene, left, "sp_p", "sp_noise", "sp_steps", "sp_sgd", "sp_adagrad")
    scene.sync()
    cfg = ui.engine(lambda: lesson.sparse_config(scene.values))
    result = ui.engine(lambda: cache.sparse_scene(cfg))
    steps = np.arange(cfg.steps + 1)
    with right:
        ui.show_figure(
            figures.against_step(
                steps, lesson.sparse_errors(result), "Distance of each weight from its target", "|wᵢ − wᵢ*|",
                y_range=lesson.SPARSE_ERROR_RANGE, log=True, height=460,
            ),
            f"the error of the common and the rare weight, root-mean-square over {cfg.streams} streams of examples, "
            f"against the number of examples seen, for SGD at η = {cfg.lr_sgd:.3g} and AdaGrad at "
            f"η = {cfg.lr_adagrad:.3g}, on a log axis.",
            key="sparse_error_fig",
        )  # fmt: skip
    f1, f2 = st.columns(2)
    with f1:
        ui.show_figure(
            figures.schedule_plot(np.arange(1, cfg.steps + 1), lesson.sparse_rates(result),
                                  title="The rate each weight gets", log=True),
            "AdaGrad's effective rate η/(√sᵢ + ε) of each weight against the step, beside SGD's one rate for both: "
            "the rare weight keeps a larger rate.",
            key="sparse_rate_fig",
        )  # fmt: skip
    with f2:
        ui.show_figure(
            figures.against_rate(
                result.rates, lesson.sparse_sweep(result), f"Error after {cfg.steps} examples, against η",
                "final |wᵢ − wᵢ*|", y_range=lesson.SPARSE_ERROR_RANGE,
                marks=((result.best["SGD"], "SGD", 0), (result.best["AdaGrad"], "AdaGrad", 2)),
            ),
            f"the final error of each weight, root-mean-square over {cfg.streams} streams of examples, against the "
            "rate, for SGD and AdaGrad, with each one's best single rate marked.",
            key="sparse_sweep_fig",
        )  # fmt: skip
    ui.table(result.summary())
    ui.equation(
        result.problem.latex,
        r"s_{t,i} = s_{t-1,i} + g_{t,i}^2,",
        r"w_{t,i} = w_{t-1,i} - \frac{\eta}{\sqrt{s_{t,i}} + \epsilon}\, g_{t,i}",
    )
    ui.takeaway(lesson.sparse_takeaway(result))


sparse()


# ----------------------------------------------------------------------------------- AMSGrad's counterexample
@ui.section
def counterexample() -> None:
    """Adam, AMSGrad and SGD on Reddi, Kale and Kumar's sequence."""
    st.header("AMSGrad's guarantee: where Adam goes wrong")
    st.markdown(
        "Reddi, Kale and Kumar (2018) built a loss sequence on θ ∈ [−1, 1] where Adam, run as its convergence proof "
        "assumes (rate α/√t), ends at the *worst* point. Every third step brings a large gradient C, the two "
        "between bring "
        "−1; summed, the slope is C − 2 > 0, so the best point is θ = −1. With β₂ small, v forgets the large gradient "
        "within a step: the two small steps up are nearly as long as the big step down, and Adam drifts up. AMSGrad "
        'divides by the largest v seen instead, so the large gradient keeps its weight: the fix behind its "improved '
        'convergence guarantees".'
    )
    left, right = ui.controls_and_figure()
    ui.stack(scene, left, "rk_c", "rk_b1", "rk_b2", "rk_lr", "rk_steps")
    scene.sync()
    cfg = ui.engine(lambda: lesson.reddi_config(scene.values))
    result = ui.engine(lambda: cache.reddi_scene(cfg))
    steps = np.arange(cfg.steps + 1)
    period_starts, paths = lesson.reddi_paths(result)
    with right:
        ui.show_figure(
            figures.against_step(
                period_starts, paths, "θ of each optimizer at the start of a period", "θ", y_range=(-1.1, 1.1),
                marks=((-1.0, "best: θ* = −1"), (1.0, "worst")), height=460,
            ),
            "θ against the step, at the start of every period of three steps, for Adam, AMSGrad and SGD on the "
            "counterexample: " + lesson.reddi_takeaway(result),
            key="reddi_path_fig",
        )  # fmt: skip
    ui.show_figure(
        figures.against_step(
            steps[1:], result.regret, "Average regret Rₜ/t: the loss above the best point, per step", "Rₜ/t",
            y_range=lesson.reddi_regret_range(cfg),
        ),
        "each optimizer's average regret against the step: it falls towards 0 for an optimizer that finds θ = −1, "
        "and stays away from 0 for one that does not.",
        key="reddi_regret_fig",
    )  # fmt: skip
    t0 = result.period_start + 1
    for label in ("Adam", "AMSGrad"):
        d = result.period[label]
        st.markdown(f"{label}'s own steps over steps {t0} to {t0 + 2}, whose gradients are {cfg.c:g}, −1 and −1:")
        ui.equation(
            rf"\Delta_{{{t0}}} + \Delta_{{{t0 + 1}}} + \Delta_{{{t0 + 2}}} = {ui.fmt(d[0])} + "
            rf"{ui.fmt(d[1], paren=True)} + {ui.fmt(d[2], paren=True)} = {ui.fmt(float(d.sum()))}"
        )
    ui.equation(
        result.runs["Adam"].problem.latex,
        rf"\beta_1 = {ui.fmt(cfg.beta1)},\quad \beta_2 = {ui.fmt(cfg.b2)},\quad \alpha_t = {ui.fmt(cfg.lr)}/\sqrt t",
    )
    ui.takeaway(
        lesson.reddi_takeaway(result) + " Adam's step size αₜ/√v̂ₜ can grow when a large gradient drops out of v; "
        "AMSGrad's, with αₜ = α/√t, never grows: the condition its convergence proof needs."
    )


counterexample()


# ----------------------------------------------------------------------------------------- choosing the rate
@ui.section
def range_test() -> None:
    """The range test: its control reruns it alone."""
    st.header("Choosing η: the range test")
    st.markdown(
        "Smith's **learning-rate range test** runs once while η grows exponentially each step, and watches the loss: "
        "it falls, then explodes. A good rate lies where it falls fastest. Heuristics from practice: start moderate "
        "(0.01 for SGD, 0.001 for Adam), typical rates span 10⁻⁵ to 1, raise η if training crawls, lower it if the "
        "loss spikes or oscillates; grid or random search over a log scale when you can afford many runs."
    )
    rt_opt = ui.control(scene, "rt_opt")
    scene.sync()
    surface_name = scene["surface"]  # set in the race section above
    scene_rt = ui.engine(lambda: cache.range_test(lesson.range_test_config(scene.values)))
    rt, label = scene_rt.test, VARIANTS[rt_opt].label
    ui.show_figure(
        figures.range_test_plot(rt.lrs, rt.losses, rt.smoothed, rt.suggestions),
        f"loss against a rate growing from 10⁻⁶ on the {surface_name} surface, with the smoothed loss and the rate "
        "each rule suggests: " + ", ".join(f"{r} {lr:.3g}" for r, lr in rt.suggestions.items()) + ".",
        key="range_fig",
    )
    if not rt.exploded:
        st.warning(
            "The loss never blew up in the tested range (up to η = 1): the test has not found where the useful "
            "range ends, so its suggestions are guesses. Extend the range, or trust the check below more."
        )
    steps = lesson.RangeTestConfig.check_steps
    rows = [f"| rule | suggested η | after {steps} steps at that η | the run |", "|---|---|---|---|"]
    for rule, lr in rt.suggestions.items():
        gap, verdict = scene_rt.checks[rule]
        edge = " (at the edge of the range)" if rule in rt.at_edge else ""
        after = "diverged" if gap == float("inf") else f"{gap:.3g} above the minimum"
        rows.append(f"| {analysis.RANGE_RULES[rule]}{edge} | {lr:.3g} | {after} | {verdict.label} |")
    st.markdown(
        f"Three rules read the curve for {label}; they disagree, which is why practitioners check them. The check: "
        f"a {steps}-step run at each suggested rate, fixed."
    )
    st.markdown("\n".join(rows))
    best = scene_rt.best
    st.markdown(
        f"Here **{analysis.RANGE_RULES[best]}** did best (η ≈ {rt.suggestions[best]:.3g}); the test itself stopped "
        f"after {rt.stopped_at} of {lesson.RangeTestConfig.steps} steps."
    )


range_test()

ui.takeaway(
    "Adaptive methods give every coordinate its own step size, η/(√v̂ + ε): flat directions get bigger steps, steep "
    "ones smaller. They forgive a poorly chosen η and cross plateaus, but they still have a rate to choose, and on "
    "some problems they generalize worse than well-tuned SGD with momentum."
)

quiz.embedded_questions(lesson.LESSON)
