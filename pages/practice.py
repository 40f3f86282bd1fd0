"""Lesson 5: choosing the rate on a real model (handwritten digits)."""

import numpy as np
import streamlit as st

import ui
from lr_core import analysis, figures, search
from lr_core import practice as engine
from lr_core.lessons import practice as lesson
from lr_core.optimizers import VARIANTS
from ui import cache, quiz

scene = ui.Scene(lesson.LESSON, lesson.CONTROLS)

ui.lesson_header(
    lesson.LESSON,
    "The same optimizers, now training a real classifier on scikit-learn's handwritten digits (1257 to train on, "
    "540 held out for validation; numpy, float64, checked against PyTorch). There is no 2/L to compute in advance, "
    "so the rate is chosen as practitioners choose it: start small, watch the curves, sweep, range-test, search. "
    "The model, batch size and epochs below apply to every section.",
)
scene.show_notes()
ui.row(scene, "model", "batch", "epochs")
scene.sync()


# ------------------------------------------------------------------------------------------ 1. learning curves


@ui.section
def curves() -> None:
    st.header("1 · Learning curves")
    left, right = ui.controls_and_figure()
    optimizer, *lrs = ui.stack(scene, left, "opt", "lr1", "lr2", "lr3")
    scene.sync()
    result = ui.engine(lambda: cache.learning_curves(lesson.curves_config(scene.values)))
    h = result.history
    with right:
        ui.show_figure(
            figures.learning_curves(result.labels, h.train_loss, h.val_loss, h.best_epoch,
                                    title=f"Loss per epoch, {VARIANTS[optimizer].label}"),
            "training (solid) and validation (dotted) loss per epoch for the three rates; a star marks each "
            "run's lowest validation loss, where early stopping would keep the model. "
            + " ".join(f"At {lab}: {v.label}." for lab, v in zip(result.labels, result.verdicts, strict=True)),
            key="practice_curves_fig",
            script=lambda: lesson.torch_script(result),
        )  # fmt: skip
    ui.show_figure(
        figures.learning_curves(result.labels, h.train_acc, h.val_acc, h.best_epoch, accuracy=True,
                                title="Accuracy per epoch"),
        "training (solid) and validation (dotted) accuracy per epoch for the three rates.",
        key="practice_acc_fig",
    )  # fmt: skip
    for lab, v in zip(result.labels, result.verdicts, strict=True):
        st.markdown(f"**{lab}: {v.label}.** {ui.capital(v.reason)}.")
    st.dataframe(result.table, hide_index=True, width="stretch")
    batch = result.config.batch_size
    ui.equation(
        r"\theta \leftarrow \theta - \eta\,\nabla_\theta \tfrac{1}{B}\textstyle\sum_{i \in \text{batch}} -\log "
        r"\operatorname{softmax}(f_\theta(x_i))_{y_i}",
        rf"B = {batch or len(engine.digits().x_train)},\ \eta \in \{{{', '.join(ui.fmt(lr) for lr in lrs)}\}}",
    )


curves()
ui.takeaway(
    "Start with a small rate and watch the curves: a rate too small crawls (the loss still falling steadily at the "
    "end); a good one falls fast and flattens; one too large jumps about, stalls near guessing (a loss of "
    "ln 10 ≈ 2.30) or blows up. The validation curve tells you what the training curve cannot: the gap between "
    "them is the generalization gap, and its lowest point is where early stopping keeps the model."
)
quiz.embedded_questions(lesson.LESSON, ("practice-curves-race", "practice-early-stopping"), "Check yourself")


# ------------------------------------------------------------------------------------------ 2. sensitivity


@ui.section
def sensitivity() -> None:
    st.header("2 · How sensitive is each optimizer to η?")
    chosen = ui.control(scene, "sens")
    scene.sync()
    cfg = ui.engine(lambda: lesson.sweep_config(scene.values))
    with ui.Progress(len(cfg.optimizers), "Training 25 networks per optimizer") as progress:
        result = lesson.sensitivity(cfg, progress.tick(cache.sweep_scores))
    labels = {o: VARIANTS[o].label for o in cfg.optimizers}
    scores = {labels[o]: s for o, s in result.scores.items()}
    good = {labels[o]: g for o, g in result.good.items()}
    marks = {labels[o]: lesson.COURSE_RATES[o] for o in cfg.optimizers if o in lesson.COURSE_RATES}
    ui.show_figure(
        figures.sensitivity_plot(result.lrs, scores, good, marks),
        f"final validation loss after {cfg.epochs} epochs against the rate, {len(result.lrs)} rates from "
        f"{result.lrs[0]:g} to {result.lrs[-1]:g}, for {', '.join(scores)}; the bars at the bottom mark each "
        "one's good range and the rings the course's typical starting rate. "
        + " ".join(f"{lab}: good from {lo:.3g} to {hi:.3g}." for lab, (lo, hi) in good.items()),
        key="practice_sensitivity_fig",
    )
    st.dataframe(result.table, hide_index=True, width="stretch")
    widths = ", ".join(rf"\text{{{labels[o]}}}: {result.width(o):.2f}" for o in result.good if o in chosen)
    ui.equation(
        rf"\text{{good range}} = \{{\eta : V(\eta) \le {lesson.GOOD}\,\min V\}},\quad "
        rf"\text{{width}} = \log_{{10}}\frac{{\eta_{{hi}}}}{{\eta_{{lo}}}}\ \text{{decades}}",
        widths,
    )


sensitivity()
ui.takeaway(
    "Each optimizer has a window of good rates, and they sit in different places: the course's typical starting "
    "values (0.01 for SGD, 0.001 for Adam) are starting points in the right decade, not optimal rates. Momentum "
    "shifts SGD's window down (its effective step is about η/(1 − β) = 10η); Adam's window sits lower still. The "
    "width of the window, in decades, is how forgiving an optimizer is of a badly chosen η."
)
quiz.embedded_questions(lesson.LESSON, ("practice-adam-race",), "Check yourself")


# ------------------------------------------------------------------------------------------ 3. range test


@ui.section
def range_test() -> None:
    st.header("3 · The range test on the model")
    left, right = ui.controls_and_figure()
    ui.stack(scene, left, "rt_opt", "rt_epochs")
    seed = ui.control(scene, "rt_seed", left)
    scene.sync()
    cfg = ui.engine(lambda: lesson.range_config(scene.values))
    result = cache.range_tests(cfg)
    test = result.tests[seed]
    with right:
        ui.show_figure(
            figures.range_test_plot(test.lrs, test.losses, test.smoothed, test.suggestions),
            f"the loss of each mini-batch while η grows from 10⁻⁵ over {len(test.lrs)} steps (seed {seed}), its "
            "smoothed curve, and the rate each rule suggests: "
            + ", ".join(f"{analysis.RANGE_RULES[r]} {lr:.3g}" for r, lr in test.suggestions.items()) + ".",
            key="practice_range_fig",
        )  # fmt: skip
    ui.show_figure(
        figures.suggestion_spread(
            {r: s for r, s in result.suggestions.items()},
            1e-5,
            30.0,
            f"Each rule's suggestion over {lesson.SEEDS} seeds",
        ),
        "each rule's suggested rate for each of the five seeds (batch orders and initial weights): "
        + " ".join(f"{r}: {s.min():.3g} to {s.max():.3g}." for r, s in result.suggestions.items()),
        key="practice_spread_fig",
    )
    st.dataframe(result.table, hide_index=True, width="stretch")
    ui.equation(
        rf"\eta_k = 10^{{-5}}\,\big(3\times10^{{6}}\big)^{{k/(K-1)}},\ K = {cfg.epochs} \times "
        rf"\lceil 1257/{cfg.batch_size} \rceil",
        r"\hat s_k = (0.8\,s_{k-1} + 0.2\,L_k)\,/\,(1 - 0.8^{k+1}),"
        r"\ \text{stop once } \hat s_k > 4 \min_j \hat s_j",
    )
    if cfg.batch_size != (lesson.batch_size(scene.values) or cfg.batch_size):
        st.info("The range test always uses mini-batches (32 with full batch chosen above): it needs many steps.")


range_test()
ui.takeaway(
    "A range test costs a few hundred steps, far less than one training, and finds the right decade. But its rules "
    "disagree, and the same rule moves from seed to seed (a noisy curve's steepest point can land anywhere): take "
    "its suggestion as a starting point and confirm it with a short training run, as the table does."
)
quiz.embedded_questions(lesson.LESSON, ("practice-range-spread",), "Check yourself")


# ------------------------------------------------------------------------------------------ 4. search


@ui.section
def searching() -> None:
    st.header("4 · Grid, random and Bayesian search")
    left, right = ui.controls_and_figure()
    ui.stack(scene, left, "se_opt", "trials", "se_seed")
    scene.sync()
    cfg = ui.engine(lambda: lesson.search_config(scene.values))
    result = cache.searches(cfg)
    labels = {k: search.SEARCHES[k][0] for k in result.searches}
    with right:
        ui.show_figure(
            figures.search_progress({labels[k]: s.best_so_far for k, s in result.searches.items()}),
            f"the best validation loss found after each training, for each search with a budget of {cfg.trials}: "
            + " ".join(f"{labels[k]} ends at {s.scores.min():.3g}." for k, s in result.searches.items()),
            key="practice_search_fig",
        )  # fmt: skip
    sweep = lesson.sensitivity(lesson.SweepConfig(cfg.model, (cfg.optimizer,), cfg.epochs, cfg.batch_size),
                               cache.sweep_scores)  # fmt: skip
    label = VARIANTS[cfg.optimizer].label
    ui.show_figure(
        figures.sensitivity_plot(
            sweep.lrs, {label: sweep.scores[cfg.optimizer]}, {label: sweep.good[cfg.optimizer]}, {},
            trials={labels[k]: (s.lrs, s.scores) for k, s in result.searches.items()},
            title="Every trial on the sensitivity curve",
        ),
        "the sensitivity curve of the tuned optimizer with every trial of every search as a dot on it.",
        key="practice_trials_fig",
    )  # fmt: skip
    st.dataframe(result.table, hide_index=True, width="stretch")
    ui.equation(
        rf"\text{{grid: }}\eta_k = 10^{{-5}}\cdot 10^{{6k/({cfg.trials}-1)}};\quad "
        r"\text{random: }\log\eta \sim U(\log 10^{-5}, \log 10)",
        r"\text{TPE: next }\eta = \arg\max\, \ell(\eta)/g(\eta)",
    )


searching()
ui.takeaway(
    "With the same budget, a grid spends trials evenly, so most land where the rate is hopeless; random search "
    "is as blind but does not waste trials repeating a grid's spacing; Bayesian optimization (TPE) uses the scores "
    "so far to put its later trials near the good ones. Search on a log scale: the good window is narrow."
)
quiz.embedded_questions(lesson.LESSON, ("practice-search-budget",), "Check yourself")


# ------------------------------------------------------------------------------------------ 5. overfitting


@ui.section
def overfit() -> None:
    st.header("5 · Overfitting, regularization and early stopping")
    left, right = ui.controls_and_figure()
    _, _, early, lr = ui.stack(scene, left, "of_n", "of_wd", "of_es", "of_lr")
    scene.sync()
    result = cache.overfitting(lesson.overfit_config(scene.values))
    h = result.history
    stop = lesson.at_stop(h, early)
    i = lesson.nearest(result.lrs, lr)
    with right:
        ui.show_figure(
            figures.gap_plot(result.lrs, stop["train_loss"], stop["val_loss"], float(result.lrs[i]),
                             f"Loss where training stops, {result.config.train_size} training examples"),
            "training and validation loss "
            + ("at each run's early-stopping epoch" if early else f"after {result.config.epochs} epochs")
            + " against the rate, the generalization gap shaded between them.",
            key="practice_gap_fig",
        )  # fmt: skip
    ui.show_figure(
        figures.learning_curves([f"η = {result.lrs[i]:.3g}"], h.train_loss[:, [i]], h.val_loss[:, [i]],
                                [int(h.best_epoch[i])], title="Its learning curves"),
        f"training and validation loss per epoch at η = {result.lrs[i]:.3g}; the star marks early stopping's "
        f"epoch {int(h.best_epoch[i])}.",
        key="practice_gap_curves_fig",
    )  # fmt: skip
    v = analysis.judge_curve(h.train_loss[:, i], h.val_loss[:, i], int(h.diverged_at[i]))
    wd = lesson.WEIGHT_DECAY if result.config.weight_decay else 0
    penalty = rf"g \leftarrow \nabla L(\theta) + \lambda\theta,\ \lambda = {ui.fmt(wd)}"
    lead = f"**At η = {result.lrs[i]:.3g}: {v.label}.** {ui.capital(v.reason)}."
    if np.isfinite(stop["val_loss"][i]):
        val, train = stop["val_loss"][i], stop["train_loss"][i]
        st.markdown(
            f"{lead} Where training stops (epoch {int(stop['epoch'][i])}) the gap is {val - train:.3g} and the "
            f"validation accuracy {stop['val_acc'][i]:.1%}."
        )
        st.latex(rf"{penalty};\qquad \text{{gap}} = V - L = {ui.fmt(val)} - {ui.fmt(train)}")
    else:
        st.markdown(f"{lead} There is no model left at the end: turn on early stopping to keep its best epoch.")
        st.latex(penalty)


overfit()
ui.takeaway(
    "With few examples the network can memorize them: the training loss heads to zero while the validation loss "
    "stops falling and rises. In a fixed budget of epochs the gap is widest at the rates that fit fastest; a rate "
    "too low never gets that far (it underfits), and a rate too high fails to fit at all. (The course also warns "
    "that a rate too low can overfit; within these epochs it does not get the chance.) "
    "Weight decay pulls the weights back and narrows the gap at the larger rates; early stopping keeps the epoch "
    "where validation was best."
)
quiz.embedded_questions(lesson.LESSON, ("practice-overfit-remedies", "practice-gap"), "Check yourself")


# ------------------------------------------------------------------------------------------ 6. transfer learning


@ui.section
def transfer() -> None:
    st.header("6 · Transfer learning: a lower rate for pretrained layers")
    left, right = ui.controls_and_figure()
    ui.stack(scene, left, "tl_lr", "tl_f", "tl_n")
    scene.sync()
    cfg = ui.engine(lambda: lesson.transfer_config(scene.values))
    result = cache.transfer(cfg)
    acc, _, best = lesson.transfer_curves(result)
    with right:
        ui.show_figure(
            figures.learning_curves(result.labels, acc, acc, best, accuracy=True, validation_only=True,
                                    title="Validation accuracy on digits 5–9"),
            "validation accuracy on the new digits per epoch: "
            + " ".join(
                f"{lab}: {a:.1%} at the end." if np.isfinite(a) else f"{lab}: diverged."
                for lab, a in zip(result.labels, acc[-1], strict=True)
            ),
            key="practice_transfer_fig",
        )  # fmt: skip
    st.dataframe(lesson.transfer_table(result), hide_index=True, width="stretch")
    st.markdown(lesson.transfer_summary(result))
    st.latex(
        rf"W_1 \leftarrow W_1 - {ui.fmt(cfg.factor)}\,\eta\,\nabla_{{W_1}} L,\quad "
        rf"W_2 \leftarrow W_2 - \eta\,\nabla_{{W_2}} L,\qquad \eta = {ui.fmt(cfg.lr)}"
    )


transfer()
ui.takeaway(
    "A pretrained layer starts somewhere useful and the new output layer starts random. With a large rate, the new "
    "layer's early errors move the pretrained layer as hard as the new one and undo what it learned: a fraction "
    "of the rate for it (or freezing it at first) protects it, as the course advises. With a small rate there is "
    "little to protect against, and the difference fades; how much pretraining helps at all depends on how close "
    "the old task is to the new (slide η and compare the rows)."
)
quiz.embedded_questions(lesson.LESSON, ("practice-transfer-rate",), "Check yourself")


# ------------------------------------------------------------------------------------------ 7. strategies


@ui.section
def strategies() -> None:
    st.header("7 · The course's strategies, measured")
    cfg = ui.engine(lambda: lesson.strategies_config(scene.values))
    with ui.Progress(len(lesson.STRATEGIES), "Sweeping each strategy over 25 peak rates") as progress:
        result = lesson.strategies(cfg, progress.tick(cache.sweep_scores), cache.strategy_run)
    names, acc, best = result.accuracy()
    ui.show_figure(
        figures.learning_curves(names, acc, acc, best, accuracy=True, validation_only=True,
                                title="Validation accuracy per epoch, each strategy at its best peak rate"),
        "validation accuracy per epoch of each strategy of the course's table, each at the peak rate that did best "
        "in its own sweep: "
        + " ".join(
            f"{n}: {a:.1%} at the end." if np.isfinite(a) else f"{n}: diverged."
            for n, a in zip(names, acc[-1], strict=True)
        ),
        key="practice_strategies_fig",
    )  # fmt: skip
    st.dataframe(result.table, hide_index=True, width="stretch")
    st.markdown(lesson.strategies_summary(result))


strategies()
ui.takeaway(
    "The course's table is a summary of experience on large networks; measured on one small problem its pros and "
    "cons become numbers, and some hold here while others need the scale they were written for. Read the last four "
    "columns against the first four, then change the model or the batch size above and read them again."
)
