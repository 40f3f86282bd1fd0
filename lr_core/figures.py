"""Plotly figures for the lessons: layout only, every number comes from the engine.

Readable from the back of a lecture hall (large fonts, thick lines), colour-blind safe (the Okabe-Ito palette,
and a line style per series as well as a colour), fixed axes, and animations whose frames carry only the
moving paths (at most :data:`MAX_FRAMES` of them, however long the run).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from lr_core.runner import Trajectory
from lr_core.surfaces import Surface

PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
"""Okabe & Ito's colour-blind-safe palette (yellow last: weak on white)."""
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "solid", "dash")
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star", "cross", "hexagon")
MAX_FRAMES = 60
FONT_SIZE = 18
HEIGHT = 520


@dataclass(frozen=True)
class Series:
    """One run to draw: its label and its points ``(steps + 1, dim)``, drawn up to index ``last``."""

    label: str
    points: np.ndarray
    losses: np.ndarray
    last: int


def series_of(traj: Trajectory, labels: Sequence[str]) -> list[Series]:
    """One :class:`Series` per run of a 1-D batch (or of a single run) of ``traj``."""
    if traj.batch_shape == ():
        return [Series(labels[0], traj.params, traj.losses, int(traj.last_index))]
    return [
        Series(label, traj.params[:, i], traj.losses[:, i], int(traj.last_index[i])) for i, label in enumerate(labels)
    ]


def style(i: int) -> dict:
    """Colour, dash and marker of series ``i``."""
    k = i % len(PALETTE)
    return {"color": PALETTE[k], "dash": DASHES[k], "symbol": SYMBOLS[k]}


def _layout(fig: go.Figure, title: str, height: int = HEIGHT) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.01, "font": {"size": FONT_SIZE + 4}},
        font={"size": FONT_SIZE},
        height=height,
        margin={"l": 70, "r": 20, "t": 60, "b": 60},
        legend={"font": {"size": FONT_SIZE - 2}, "bgcolor": "rgba(255,255,255,0.6)"},
        hovermode="closest",
        template="plotly_white",
    )
    return fig


def frame_indices(last: int, max_frames: int = MAX_FRAMES) -> np.ndarray:
    """Which steps the animation shows: all of them up to ``max_frames``, else evenly spaced, ending at ``last``."""
    if last + 1 <= max_frames:
        return np.arange(last + 1)
    return np.unique(np.linspace(0, last, max_frames).round().astype(int))


def _animate(fig: go.Figure, frames: list[go.Frame], redraw: bool, duration: int = 120) -> go.Figure:
    """Play/Pause buttons and a scrubbing slider over ``frames``."""
    fig.frames = frames
    names = [f.name for f in frames]
    play = {"frame": {"duration": duration, "redraw": redraw}, "transition": {"duration": 0}, "mode": "immediate"}
    fig.update_layout(
        updatemenus=[
            {
                "type": "buttons",
                "direction": "left",
                "x": 0.0,
                "y": -0.12,
                "xanchor": "left",
                "yanchor": "top",
                "pad": {"r": 10, "t": 10},
                "buttons": [
                    {"label": "▶ Play", "method": "animate", "args": [names, play]},
                    {
                        "label": "❚❚ Pause",
                        "method": "animate",
                        "args": [[None], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}],
                    },
                ],
            }
        ],
        sliders=[
            {
                "active": len(frames) - 1,
                "x": 0.22,
                "y": -0.08,
                "len": 0.78,
                "currentvalue": {"prefix": "step ", "xanchor": "right", "font": {"size": FONT_SIZE - 2}},
                "steps": [
                    {
                        "label": name,
                        "method": "animate",
                        "args": [[name], {"frame": {"duration": 0, "redraw": redraw}, "mode": "immediate"}],
                    }
                    for name in names
                ],
            }
        ],
    )
    fig.update_layout(margin={"b": 130})
    return fig


def _clip_range(lo: float, hi: float, pad: float = 0.0) -> list[float]:
    return [lo - pad, hi + pad]


# -------------------------------------------------------------------------------------------- 1-D lessons


def path_on_curve(
    surface: Surface,
    curve_x: np.ndarray,
    curve_y: np.ndarray,
    runs: Sequence[Series],
    *,
    selected: int | None = None,
    tangent: tuple[np.ndarray, np.ndarray] | None = None,
    step_arrow: tuple[float, float, float, float] | None = None,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    title: str = "Gradient descent on the loss curve",
) -> go.Figure:
    """The loss curve with each run's path animated step by step.

    ``tangent`` is a line ``(xs, ys)`` drawn at the selected step; ``step_arrow`` an arrow ``(x0, y0, x1, y1)``
    from :math:`(\\theta_t, L_t)` to :math:`(\\theta_{t+1}, L_{t+1})`.
    """
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=curve_x, y=curve_y, mode="lines", name="L(θ)", line={"color": "#777", "width": 2}))
    fig.add_trace(
        go.Scatter(
            x=surface.minima[:, 0],
            y=surface.value(surface.minima),
            mode="markers",
            name="minimum θ*",
            marker={"symbol": "star", "size": 18, "color": "#000"},
        )
    )
    first_path = len(fig.data)
    for i, run in enumerate(runs):
        s = style(i)
        fig.add_trace(
            go.Scatter(
                x=run.points[: run.last + 1, 0],
                y=run.losses[: run.last + 1],
                mode="lines+markers",
                name=run.label,
                line={"color": s["color"], "dash": s["dash"], "width": 3},
                marker={"symbol": s["symbol"], "size": 10, "color": s["color"]},
            )
        )
    if tangent is not None:
        fig.add_trace(
            go.Scatter(
                x=tangent[0], y=tangent[1], mode="lines", name="tangent at θₜ", line={"color": "#444", "dash": "dot"}
            )
        )
    if step_arrow is not None:
        x0, y0, x1, y1 = step_arrow
        fig.add_annotation(
            x=x1,
            y=y1,
            ax=x0,
            ay=y0,
            xref="x",
            yref="y",
            axref="x",
            ayref="y",
            showarrow=True,
            arrowhead=3,
            arrowsize=1.5,
            arrowwidth=2.5,
            arrowcolor=PALETTE[1],
            text=f"step {selected}" if selected is not None else "",
        )
    last = max(r.last for r in runs)
    frames = [
        go.Frame(
            data=[go.Scatter(x=r.points[: min(k, r.last) + 1, 0], y=r.losses[: min(k, r.last) + 1]) for r in runs],
            traces=list(range(first_path, first_path + len(runs))),
            name=str(k),
        )
        for k in frame_indices(last)
    ]
    fig.update_xaxes(title="θ", range=list(x_range))
    fig.update_yaxes(title="L(θ)", range=list(y_range))
    return _animate(_layout(fig, title), frames, redraw=False)


def contraction_plot(
    lrs: np.ndarray, factor: np.ndarray, L: float, lr: float, lr_factor: float, title: str
) -> go.Figure:
    """:math:`|1 - \\eta L|` against :math:`\\eta`, with the monotone, oscillating and diverging regions shaded."""
    fig = go.Figure()
    top = float(max(factor.max(), 1.5))
    regions = [
        (0.0, 1 / L, "monotone", "rgba(0,158,115,0.15)"),
        (1 / L, 2 / L, "oscillating", "rgba(230,159,0,0.18)"),
        (2 / L, float(lrs.max()), "diverging", "rgba(213,94,0,0.15)"),
    ]
    for x0, x1, text, color in regions:
        fig.add_vrect(
            x0=x0,
            x1=x1,
            fillcolor=color,
            line_width=0,
            annotation_text=text,
            annotation_position="top left",
            annotation_font_size=FONT_SIZE - 4,
        )
    fig.add_trace(go.Scatter(x=lrs, y=factor, mode="lines", name="|1 − ηL|", line={"color": PALETTE[0], "width": 3}))
    fig.add_hline(y=1.0, line_dash="dash", line_color="#444")
    fig.add_trace(
        go.Scatter(
            x=[lr],
            y=[lr_factor],
            mode="markers",
            name=f"your η = {lr:.3g}",
            marker={"size": 16, "color": PALETTE[1], "symbol": "diamond", "line": {"width": 2, "color": "#000"}},
        )
    )
    fig.update_xaxes(title="learning rate η", range=[0, float(lrs.max())])
    fig.update_yaxes(title="contraction factor |1 − ηL|", range=[0, top])
    return _layout(fig, title, height=430)


def error_plot(
    steps: np.ndarray, measured: np.ndarray, predicted: np.ndarray, title: str, floor: float = 1e-16
) -> go.Figure:
    """The error :math:`|\\theta_t - \\theta^*|` on a log axis, measured (markers) over predicted (line)."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=steps,
            y=np.maximum(predicted, floor),
            mode="lines",
            name="predicted |1−ηL|ᵗ·|θ₀−θ*|",
            line={"color": PALETTE[0], "width": 3, "dash": "dash"},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=steps,
            y=np.maximum(measured, floor),
            mode="markers",
            name="measured |θₜ − θ*|",
            marker={"color": PALETTE[1], "size": 11, "symbol": "circle-open", "line": {"width": 2}},
        )
    )
    fig.update_xaxes(title="step t", range=[0, float(steps.max())])
    fig.update_yaxes(title="error (log scale)", type="log", exponentformat="power")
    return _layout(fig, title, height=430)


# -------------------------------------------------------------------------------------------- 2-D lessons


def contour_paths(
    surface: Surface,
    grid: tuple[np.ndarray, np.ndarray, np.ndarray],
    runs: Sequence[Series],
    *,
    log_levels: bool = False,
    clickable: bool = False,
    title: str = "Paths on the loss surface",
    height: int = 600,
) -> go.Figure:
    """Contours of the surface with each run's path; animation frames carry only the paths.

    ``grid`` is ``(xs, ys, Z)``; with ``log_levels`` the contours are of :math:`\\log_{10}(1 + L - L_{min})`,
    which shows both the steep walls and the flat floor of a valley. With ``clickable`` an invisible grid of
    points lies over the contours so that a click returns a point (contours return none).
    """
    xs, ys, z = grid
    shown = np.log10(1.0 + z - z.min()) if log_levels else z
    fig = go.Figure()
    fig.add_trace(
        go.Contour(
            x=xs,
            y=ys,
            z=shown,
            ncontours=25,
            colorscale="Blues",
            reversescale=True,
            showscale=False,
            contours={"coloring": "heatmap", "showlines": True},
            line={"width": 0.5, "color": "rgba(0,0,0,0.3)"},
            hoverinfo="skip",
            name="L(x, y)",
        )
    )
    if clickable:
        gx, gy = np.meshgrid(xs[::3], ys[::3])
        fig.add_trace(
            go.Scatter(
                x=gx.ravel(),
                y=gy.ravel(),
                mode="markers",
                marker={"size": 12, "opacity": 0},
                hovertemplate="start here: (%{x:.2f}, %{y:.2f})<extra></extra>",
                showlegend=False,
                name="click grid",
            )
        )
    if len(surface.minima):
        fig.add_trace(
            go.Scatter(
                x=surface.minima[:, 0],
                y=surface.minima[:, 1],
                mode="markers",
                name="minimum",
                marker={"symbol": "star", "size": 20, "color": "#F0E442", "line": {"width": 2, "color": "#000"}},
            )
        )
    first_path = len(fig.data)
    for i, run in enumerate(runs):
        s = style(i)
        fig.add_trace(
            go.Scatter(
                x=run.points[: run.last + 1, 0],
                y=run.points[: run.last + 1, 1],
                mode="lines+markers",
                name=run.label,
                line={"color": s["color"], "dash": s["dash"], "width": 3},
                marker={"symbol": s["symbol"], "size": 7, "color": s["color"]},
            )
        )
    last = max((r.last for r in runs), default=0)
    frames = [
        go.Frame(
            data=[go.Scatter(x=r.points[: min(k, r.last) + 1, 0], y=r.points[: min(k, r.last) + 1, 1]) for r in runs],
            traces=list(range(first_path, first_path + len(runs))),
            name=str(k),
        )
        for k in frame_indices(last)
    ]
    (x0, x1), (y0, y1) = surface.bounds
    fig.update_xaxes(title="x", range=[x0, x1], constrain="domain")
    fig.update_yaxes(title="y", range=[y0, y1], scaleanchor="x", scaleratio=1)
    if clickable:
        fig.update_layout(clickmode="event+select")
    fig = _layout(fig, title, height)
    fig.update_layout(legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0.0}, margin={"t": 110})
    return _animate(fig, frames, redraw=True)


def loss_curves(
    runs: Sequence[Series], *, floor: float = 0.0, log: bool = True, title: str = "Loss against step"
) -> go.Figure:
    """:math:`L(\\theta_t) - L_{min}` against :math:`t`, one line per run, on a log axis."""
    fig = go.Figure()
    for i, run in enumerate(runs):
        s = style(i)
        gap = run.losses[: run.last + 1] - floor
        fig.add_trace(
            go.Scatter(
                x=np.arange(run.last + 1),
                y=np.maximum(gap, 1e-16) if log else gap,
                mode="lines",
                name=run.label,
                line={"color": s["color"], "dash": s["dash"], "width": 3},
            )
        )
    steps = max((len(r.losses) - 1 for r in runs), default=1)
    fig.update_xaxes(title="step t", range=[0, steps])
    fig.update_yaxes(
        title="L(θₜ) − L*" + (" (log scale)" if log else ""), type="log" if log else "linear", exponentformat="power"
    )
    return _layout(fig, title, height=420)


def steps_vs_lr(
    lrs: np.ndarray,
    measured: np.ndarray,
    predicted: np.ndarray,
    marks: dict[str, float],
    title: str = "Steps to reach the tolerance",
) -> go.Figure:
    """Steps to tolerance against :math:`\\eta`: measured (dots, from a sweep) over predicted (line);
    ``marks`` are vertical lines such as 2/λmax and the optimal rate."""
    fig = go.Figure()
    ok = np.isfinite(predicted)
    fig.add_trace(
        go.Scatter(x=lrs[ok], y=predicted[ok], mode="lines", name="predicted", line={"color": PALETTE[0], "width": 3})
    )
    hit = measured >= 0
    fig.add_trace(
        go.Scatter(
            x=lrs[hit],
            y=measured[hit],
            mode="markers",
            name="measured (sweep)",
            marker={"color": PALETTE[1], "size": 8, "symbol": "circle-open"},
        )
    )
    for i, (name, x) in enumerate(marks.items()):
        fig.add_vline(
            x=x,
            line_dash=DASHES[i + 1],
            line_color=PALETTE[i + 2],
            annotation_text=name,
            annotation_font_size=FONT_SIZE - 4,
        )
    fig.update_xaxes(title="learning rate η (log scale)", type="log", range=[np.log10(lrs.min()), np.log10(lrs.max())])
    fig.update_yaxes(title="steps (log scale)", type="log")
    return _layout(fig, title, height=430)


def local_curvature_plot(steps: np.ndarray, critical: np.ndarray, lr: float, title: str) -> go.Figure:
    """The local critical rate :math:`2/L(\\theta_t)` along a run against the fixed :math:`\\eta`."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=steps, y=critical, mode="lines+markers", name="2 / L(θₜ), local", line={"color": PALETTE[0], "width": 3}
        )
    )
    fig.add_hline(y=lr, line_dash="dash", line_color=PALETTE[1], annotation_text=f"η = {lr:.3g}")
    fig.update_xaxes(title="step t")
    fig.update_yaxes(title="rate (log scale)", type="log", exponentformat="power")
    return _layout(fig, title, height=380)


# ------------------------------------------------------------------------------------------ schedules, tests


def schedule_plot(steps: np.ndarray, rates: dict[str, np.ndarray], title: str = "Learning rate ηₜ") -> go.Figure:
    """Each schedule's rate against the step."""
    fig = go.Figure()
    for i, (name, values) in enumerate(rates.items()):
        s = style(i)
        fig.add_trace(
            go.Scatter(
                x=steps, y=values, mode="lines", name=name, line={"color": s["color"], "dash": s["dash"], "width": 3}
            )
        )
    fig.update_xaxes(title="step t", range=[0, float(steps.max())])
    fig.update_yaxes(title="η", rangemode="tozero")
    return _layout(fig, title, height=380)


def range_test_plot(lrs: np.ndarray, losses: np.ndarray, smoothed: np.ndarray, suggestion: float) -> go.Figure:
    """Loss against a growing rate, with the suggested rate marked."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(x=lrs, y=losses, mode="markers", name="loss after the step", marker={"color": PALETTE[5], "size": 6})
    )
    fig.add_trace(go.Scatter(x=lrs, y=smoothed, mode="lines", name="smoothed", line={"color": PALETTE[0], "width": 3}))
    fig.add_vline(
        x=suggestion, line_dash="dash", line_color=PALETTE[1], annotation_text=f"suggested η ≈ {suggestion:.3g}"
    )
    fig.update_xaxes(title="learning rate η (log scale)", type="log")
    fig.update_yaxes(title="loss (log scale)", type="log", exponentformat="power")
    return _layout(fig, "Learning-rate range test", height=400)
