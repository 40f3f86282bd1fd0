"""Plotly figures for the lessons, as plain Plotly specs: layout only, every number comes from the engine.

Readable from the back of a lecture hall (large fonts, thick lines), colour-blind safe (the Okabe-Ito palette,
and a line style per series as well as a colour), fixed axes, and small: arrays travel as float32 typed arrays
(plotly.js's base64 form), and an animation's frames carry only the growing paths, through at most
:data:`MAX_FRAMES` points each, while a faint full-resolution copy of every path stays still underneath.

Each builder returns a ``dict`` (``data``, ``layout``, ``frames``) that plotly.js draws as it is. Building
``plotly.graph_objects`` instead costs 40-170 ms per figure in validation; the tests validate every spec with
``plotly.graph_objects.Figure(spec)`` once, so the pages need not.
"""

from __future__ import annotations

import base64
import re
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from lr_core.runner import Trajectory
from lr_core.surfaces import Surface, grid, make_surface

PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
"""Okabe & Ito's colour-blind-safe palette (yellow last: weak on white)."""
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "solid", "dash")
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star", "cross", "hexagon")
MAX_FRAMES = 32
TRAIL = 16
"""Steps of full-resolution trail behind the moving head, in runs longer than :data:`MAX_FRAMES` steps."""
FONT_SIZE = 18
MAX_POINTS = 600
"""The most points a line against the step is drawn through: more than a figure 1200 px wide can show apart."""
MARK_GREY = "#8a8a8a"
"""A reference line's grey, readable on the light and the dark theme alike (3.4:1 on white, 5.6:1 on #0e1117)."""
HEIGHT = 520
Spec = dict[str, Any]


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


def series_list(trajs: Sequence[Trajectory], labels: Sequence[str]) -> list[Series]:
    """One :class:`Series` per single-run trajectory, labelled in order."""
    return [series_of(t, [label])[0] for t, label in zip(trajs, labels, strict=True)]


def style(i: int) -> dict[str, str]:
    """Colour, dash and marker of series ``i``."""
    k = i % len(PALETTE)
    return {"color": PALETTE[k], "dash": DASHES[k], "symbol": SYMBOLS[k]}


def typed(values: Any) -> dict[str, str]:
    """An array as plotly.js's float32 typed-array spec (``shape`` added for 2-D arrays)."""
    arr = np.ascontiguousarray(values, dtype=np.float32)
    spec = {"dtype": "f4", "bdata": base64.b64encode(arr.tobytes()).decode("ascii")}
    if arr.ndim > 1:
        spec["shape"] = ", ".join(map(str, arr.shape))
    return spec


def frame_indices(last: int, max_frames: int = MAX_FRAMES) -> np.ndarray:
    """Which steps the animation shows: all of them up to ``max_frames``, else evenly spaced, ending at ``last``."""
    if last + 1 <= max_frames:
        return np.arange(last + 1)
    return np.unique(np.linspace(0, last, max_frames).round().astype(int))


PROJECTED = {"font": 20, "ticks": 18, "axis_titles": 22, "title": 28, "legend": 18, "height": 560}
"""Type sizes (px) and the least height of a figure on a projector: at 1280x720 tick labels of at least 16 px,
axis titles and text of at least 20 px read from the back of a hall."""


def projected(fig: Spec) -> Spec:
    """``fig`` laid out for a projector (present mode): every text at least the sizes of :data:`PROJECTED`, and
    the figure at least its height. Layout only; a new spec, ``fig`` is not changed."""
    layout = dict(fig["layout"])
    size = PROJECTED

    def at_least(font: Spec | None, px: int) -> Spec:
        font = dict(font or {})
        font["size"] = max(font.get("size") or 0, px)
        return font

    layout["font"] = at_least(layout.get("font"), size["font"])
    title = layout.get("title")
    if isinstance(title, dict):
        layout["title"] = {**title, "font": at_least(title.get("font"), size["title"])}
    layout["legend"] = {
        **layout.get("legend", {}),
        "font": at_least(layout.get("legend", {}).get("font"), size["legend"]),
    }
    for name in [k for k in layout if k.startswith(("xaxis", "yaxis"))]:
        axis = dict(layout[name])
        axis["tickfont"] = at_least(axis.get("tickfont"), size["ticks"])
        span = axis.get("range")
        if axis.get("type") == "log" and (span is None or abs(span[1] - span[0]) >= 1):
            # decades only (a log axis's minor labels are drawn smaller than its ticks), at most about eight labels
            axis["dtick"] = 1 if span is None else max(1, int(np.ceil(abs(span[1] - span[0]) / 8)))
        axis_title = axis.get("title")
        axis_title = {"text": axis_title} if isinstance(axis_title, str) else dict(axis_title or {})
        axis["title"] = {**axis_title, "font": at_least(axis_title.get("font"), size["axis_titles"])}
        layout[name] = axis
    layout["annotations"] = [
        {**a, "font": at_least(a.get("font"), size["legend"])} for a in layout.get("annotations", [])
    ]
    for menu in ("sliders", "updatemenus"):
        if menu in layout:
            layout[menu] = [{**m, "font": at_least(m.get("font"), size["legend"])} for m in layout[menu]]
    layout["height"] = max(layout.get("height") or 0, size["height"])
    return {**fig, "layout": layout}


def _figure(data: list[Spec], title: str, height: int = HEIGHT, frames: list[Spec] | None = None) -> Spec:
    layout = {
        "title": {
            "text": title,
            "x": 0.01,
            "y": 0.99,
            "yref": "container",
            "yanchor": "top",
            "font": {"size": FONT_SIZE + 4},
        },
        "font": {"size": FONT_SIZE},
        "height": height,
        "margin": {"l": 70, "r": 20, "t": 100, "b": 60},  # the title, then a row of legend
        # above the plot, not beside it: a legend at the side takes a third of a narrow figure's width
        "legend": {
            "font": {"size": FONT_SIZE - 2},
            "orientation": "h",
            "x": 0.0,
            "xanchor": "left",
            "y": 1.02,
            "yanchor": "bottom",
        },
        "hovermode": "closest",
        "shapes": [],
        "annotations": [],
        "xaxis": {},
        "yaxis": {},
    }
    spec = {"data": data, "layout": layout}
    if frames:
        spec["frames"] = frames
    return spec


LEGEND_WIDTH = 620
"""The width (px) a legend row is assumed to have: a figure is at least 600 px wide on a 1280 x 720 projector."""


_NUMBER = re.compile(r"[-−]?\d+(?:\.\d+)?(?:e[-+]?\d+)?")
WIDEST_NUMBER = "0.0000"
"""The room a number in a legend label is given, whatever its digits (``f"{x:.3g}"`` is at most this wide but
for an exponent)."""


def _legend_room(fig: Spec) -> Spec:
    """Make the top margin hold the title and every row of the horizontal legend above the plot (rows estimated
    from the labels' lengths at :data:`LEGEND_WIDTH`): a legend of many entries wraps, and would otherwise run
    into the title. Every number in a label counts as wide as :data:`WIDEST_NUMBER`: a label such as
    "Adam (η = 0.1)" changes as its slider moves, and a margin that followed it would change the layout, which
    makes ``ui/plot.js`` redraw the figure instead of moving its lines."""
    names = [t.get("name", "") for t in fig["data"] if t.get("showlegend", True) and t.get("name")]
    widths = [40 + 0.55 * (FONT_SIZE - 2) * len(_NUMBER.sub(WIDEST_NUMBER, n)) for n in dict.fromkeys(names)]
    rows, used = 1, 0.0
    for w in widths:
        if used and used + w > LEGEND_WIDTH:
            rows, used = rows + 1, 0.0
        used += w
    top = max(fig["layout"]["margin"]["t"], 64 + 26 * rows)
    fig["layout"]["height"] += top - fig["layout"]["margin"]["t"]  # the plot keeps its size
    fig["layout"]["margin"]["t"] = top
    return fig


def _line(
    x: Any, y: Any, name: str, i: int, *, markers: bool = False, marker_size: int = 9, width: float = 3, **extra: Any
) -> Spec:
    s = style(i)
    trace = {
        "type": "scatter",
        "x": typed(x),
        "y": typed(y),
        "name": name,
        "mode": "lines+markers" if markers else "lines",
        "line": {"color": s["color"], "dash": s["dash"], "width": width},
    }
    if markers:
        trace["marker"] = {"symbol": s["symbol"], "size": marker_size, "color": s["color"]}
    trace.update(extra)
    return trace


def _vline(fig: Spec, x: float, text: str, i: int, at: float = 1.0) -> None:
    """A vertical line at ``x`` in series ``i``'s colour and dash, labelled ``text`` at height ``at`` (paper
    units; labels of lines close together go at different heights)."""
    s = style(i)
    fig["layout"]["shapes"].append(
        {"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1,
         "line": {"color": s["color"], "dash": s["dash"], "width": 2}}
    )  # fmt: skip
    fig["layout"]["annotations"].append(
        {"x": x, "y": at, "xref": "x", "yref": "paper", "text": text, "showarrow": False, "yanchor": "bottom",
         "font": {"size": FONT_SIZE - 4, "color": s["color"]}}
    )  # fmt: skip


def _hline(fig: Spec, y: float, text: str = "", color: str = "#444") -> None:
    fig["layout"]["shapes"].append(
        {"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1, "y0": y, "y1": y,
         "line": {"color": color, "dash": "dash", "width": 2}}
    )  # fmt: skip
    if text:
        fig["layout"]["annotations"].append(
            {"x": 1, "y": y, "xref": "paper", "yref": "y", "text": text, "showarrow": False, "xanchor": "right",
             "yanchor": "bottom", "font": {"size": FONT_SIZE - 4, "color": color}}
        )  # fmt: skip


def _finite(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The points of a series that can be drawn (a diverged run's NaN left out)."""
    ok = np.isfinite(y)
    return x[ok], y[ok]


def _log_range(lo: float, hi: float) -> list[float]:
    return [float(np.log10(lo)), float(np.log10(hi))]


def _animated_paths(
    fig: Spec,
    runs: Sequence[Series],
    coords: Any,
    marker_size: int,
    redraw: bool,
    duration: int = 120,
    companion: Any = None,
    frames: bool = True,
) -> Spec:
    """Add each run twice: a faint, still, full-resolution path, and a bold one that moves with the frames; then
    the frames (which carry only the bold paths), Play/Pause buttons and a scrubbing slider. ``companion(i, run,
    steps)``, where given, is a trace of run ``i`` through ``steps`` on another subplot (its loss against the step,
    say): one per run, growing with the frames too (a frame drawn without redraw leaves a subplot it does not
    name blank). With ``frames=False`` the figure is the same but its frames are left empty: what a scrub's parts
    are cut from (:mod:`lr_core.scrub`), which never carry frames, at a fraction of the cost.

    A run of at most :data:`MAX_FRAMES` steps grows step by step; a longer one is shown by a head that moves
    through the frame steps with a full-resolution trail of its last :data:`TRAIL` steps, so no step is ever
    skipped in what is drawn (a path through every k-th step would turn an oscillation into a false zigzag).
    """
    # every step of the runs, wherever they stopped: the animation's controls then depend on the number of steps
    # alone, so a rate that makes a run leave the plot early changes only the paths (ui/plot.js moves them)
    last = max((len(r.points) - 1 for r in runs), default=0)
    steps = frame_indices(last)

    def bold(run: Series, k: int) -> np.ndarray:
        end = min(int(k), run.last)
        start = 0 if run.last < MAX_FRAMES else max(0, end - TRAIL)
        return np.arange(start, end + 1)

    for i, run in enumerate(runs):
        x, y = coords(run, run.last + 1)
        fig["data"].append(_line(x, y, run.label, i, width=2.5, opacity=0.75, showlegend=False, hoverinfo="skip"))
    first = len(fig["data"])
    for i, run in enumerate(runs):
        x, y = coords(run, None, bold(run, run.last))
        fig["data"].append(_line(x, y, run.label, i, markers=True, marker_size=marker_size))
    animated = list(range(first, first + len(runs)))
    if companion is not None:
        animated += list(range(len(fig["data"]), len(fig["data"]) + len(runs)))
        fig["data"].extend(companion(i, run, np.arange(run.last + 1)) for i, run in enumerate(runs))
    built = []
    for k in steps if frames else ():
        data = []
        for run in runs:
            x, y = coords(run, None, bold(run, k))
            data.append({"x": typed(x), "y": typed(y)})
        if companion is not None:
            data += [
                {"x": t["x"], "y": t["y"]}
                for t in (companion(i, run, np.arange(min(int(k), run.last) + 1)) for i, run in enumerate(runs))
            ]
        built.append({"name": str(k), "data": data, "traces": animated})
    fig["frames"] = built
    names = [str(k) for k in steps]
    # under the axis (its ticks and title, ~60 px): the step slider with its labels (~90 px), then Play and Pause;
    # the figure grows by as much, so the plot keeps its size
    fig["layout"]["margin"]["b"] = 250
    fig["layout"]["height"] += 140
    _legend_room(fig)
    margin = fig["layout"]["margin"]
    plot_height = fig["layout"]["height"] - margin["t"] - margin["b"]
    play = {"frame": {"duration": duration, "redraw": redraw}, "transition": {"duration": 0}, "mode": "immediate"}
    fig["layout"]["updatemenus"] = [
        {
            "type": "buttons",
            "direction": "left",
            "x": 0.0,
            "y": -200 / plot_height,  # paper units: 200 px under the axis, below the step slider
            "showactive": False,
            "xanchor": "left",
            "yanchor": "top",
            "pad": {"r": 10},
            "buttons": [
                {"label": "▶ Play", "method": "animate", "args": [names, play]},
                {"label": "❚❚ Pause", "method": "animate",
                 "args": [[None], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}]},
            ],
        }
    ]  # fmt: skip
    fig["layout"]["sliders"] = [
        {
            "active": len(names) - 1,
            "x": 0.0,
            "y": -62 / plot_height,
            "len": 1.0,
            "currentvalue": {"prefix": "step ", "xanchor": "right", "font": {"size": FONT_SIZE - 2}},
            "steps": [
                {"label": name, "method": "animate",
                 "args": [[name], {"frame": {"duration": 0, "redraw": redraw}, "mode": "immediate"}]}
                for name in names
            ],
        }
    ]  # fmt: skip
    return fig


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
    loss: str = "L",
    loss_by_step: tuple[float, float] | None = None,
    frames: bool = True,
) -> Spec:
    """The loss curve with each run's path animated step by step (``frames=False``: see :func:`_animated_paths`);
    ``loss`` is the loss's letter (the lessons that call the curvature L call the loss J, as the course does).

    ``tangent`` is a line ``(xs, ys)`` drawn at the selected step; ``step_arrow`` an arrow ``(x0, y0, x1, y1)``
    from :math:`(\\theta_t, L_t)` to :math:`(\\theta_{t+1}, L_{t+1})`. With ``loss_by_step = (floor, top)``, a
    second panel on the right draws each run's loss above its minimum, :math:`L(\\theta_t) - L^*`, against the
    step :math:`t` on a log axis from ``floor`` to ``top``: a run that converges falls as a straight line (the
    error shrinks by the same factor every step), one that diverges climbs out of the top.
    """
    data = [
        {"type": "scatter", "x": typed(curve_x), "y": typed(curve_y), "mode": "lines", "name": f"{loss}(θ)",
         "line": {"color": "#777", "width": 2}},
        {"type": "scatter", "x": typed(surface.minima[:, 0]), "y": typed(surface.value(surface.minima)),
         "mode": "markers", "name": "minimum θ*", "marker": {"symbol": "star", "size": 18, "color": "#777"}},
    ]  # fmt: skip
    if tangent is not None:
        data.append({"type": "scatter", "x": typed(tangent[0]), "y": typed(tangent[1]), "mode": "lines",
                     "name": "tangent at θₜ", "line": {"color": "#888", "dash": "dot", "width": 2}})  # fmt: skip
    fig = _figure(data, title)
    if step_arrow is not None:
        x0, y0, x1, y1 = _clip_to(step_arrow, x_range, y_range)
        fig["layout"]["annotations"].append(
            {"x": x1, "y": y1, "ax": x0, "ay": y0, "xref": "x", "yref": "y", "axref": "x", "ayref": "y",
             "showarrow": True, "arrowhead": 3, "arrowsize": 1.5, "arrowwidth": 2.5, "arrowcolor": PALETTE[1],
             "text": f"step {selected}" if selected is not None else ""}
        )  # fmt: skip

    def coords(run: Series, n: int | None, at: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        idx = slice(0, n) if at is None else at
        return run.points[idx, 0], run.losses[idx]

    fig["layout"]["xaxis"] = {"title": {"text": "θ"}, "range": list(x_range)}
    fig["layout"]["yaxis"] = {"title": {"text": f"{loss}(θ)"}, "range": list(y_range)}
    if loss_by_step is None:
        return _animated_paths(fig, runs, coords, marker_size=10, redraw=False, frames=frames)
    floor, top = loss_by_step
    minimum = float(np.min(surface.value(surface.minima)))

    def gap(i: int, run: Series, steps: np.ndarray) -> Spec:
        above = np.maximum(run.losses[steps] - minimum, floor)  # reaching the minimum exactly: the floor
        return _line(steps, above, run.label, i, markers=True, marker_size=6, xaxis="x2", yaxis="y2",
                     showlegend=False, hovertemplate="t = %{x}: %{y:.3g}<extra></extra>")  # fmt: skip

    fig = _animated_paths(fig, runs, coords, marker_size=10, redraw=False, companion=gap, frames=frames)
    fig["layout"]["xaxis"]["domain"] = [0.0, 0.58]
    fig["layout"]["xaxis2"] = {"title": {"text": "step t"}, "range": [0, max(len(r.points) - 1 for r in runs)],
                               "domain": [0.7, 1.0], "anchor": "y2"}  # fmt: skip
    fig["layout"]["yaxis2"] = {"title": {"text": f"{loss}(θₜ) − {loss}* (log scale)"}, "type": "log",
                               "exponentformat": "power", "range": _log_range(floor, top), "anchor": "x2"}  # fmt: skip
    return fig


def _clip_to(
    segment: tuple[float, float, float, float], x_range: tuple[float, float], y_range: tuple[float, float]
) -> tuple[float, float, float, float]:
    """The part of ``segment`` (x0, y0, x1, y1), from its start, that lies inside the plot's box: plotly.js does not
    clip an annotation's arrow, and a step that leaves the plot would be drawn across the title and legend."""
    x0, y0, x1, y1 = segment
    end = 1.0
    for start, delta, (lo, hi) in ((x0, x1 - x0, x_range), (y0, y1 - y0, y_range)):
        if delta > 0 and start + delta > hi:
            end = min(end, (hi - start) / delta)
        elif delta < 0 and start + delta < lo:
            end = min(end, (lo - start) / delta)
    end = max(end, 0.0)
    return x0, y0, x0 + end * (x1 - x0), y0 + end * (y1 - y0)


def contraction_plot(lrs: np.ndarray, factor: np.ndarray, L: float, lr: float, lr_factor: float, title: str) -> Spec:
    """:math:`|1 - \\eta L|` against :math:`\\eta`, with the monotone, oscillating and diverging regions shaded."""
    fig = _figure(
        [
            _line(lrs, factor, "|1 − ηL|", 0),
            {"type": "scatter", "x": [lr], "y": [lr_factor], "mode": "markers", "name": "your η",
             "marker": {"size": 16, "color": PALETTE[1], "symbol": "diamond", "line": {"width": 2, "color": "#000"}}},
        ],
        title,
        430,
    )  # fmt: skip
    regions = [
        (0.0, 1 / L, "monotone", "rgba(0,158,115,0.15)"),
        (1 / L, 2 / L, "oscillating", "rgba(230,159,0,0.18)"),
        (2 / L, float(lrs.max()), "diverging", "rgba(213,94,0,0.15)"),
    ]
    for k, (x0, x1, text, color) in enumerate(regions):
        shade = {"type": "rect", "xref": "x", "yref": "paper", "x0": x0, "x1": x1, "y0": 0, "y1": 1,
                 "fillcolor": color, "line": {"width": 0}, "layer": "below"}  # fmt: skip
        label = {"x": (x0 + x1) / 2, "y": 0.98 - 0.08 * k, "xref": "x", "yref": "paper", "text": text,
                 "showarrow": False, "yanchor": "top", "font": {"size": FONT_SIZE - 4}}  # fmt: skip
        fig["layout"]["shapes"].append(shade)
        fig["layout"]["annotations"].append(label)
    _hline(fig, 1.0)
    fig["layout"]["xaxis"] = {"title": {"text": "learning rate η"}, "range": [0, float(lrs.max())]}
    fig["layout"]["yaxis"] = {
        "title": {"text": "contraction factor |1 − ηL|"},
        "range": [0, float(max(factor.max(), 1.5))],
    }
    return _legend_room(fig)


def error_plot(
    steps: np.ndarray,
    measured: np.ndarray,
    predicted: np.ndarray,
    title: str,
    floor: float = 1e-16,
    x_max: float | None = None,
    y_range: tuple[float, float] | None = None,
) -> Spec:
    """The error :math:`|\\theta_t - \\theta^*|` on a log axis, measured (markers) over predicted (line), drawn no
    lower than ``floor``; ``x_max`` and ``y_range`` fix the axes (else they fit the data)."""
    fig = _figure(
        [
            _line(steps, np.maximum(predicted, floor), "predicted |1−ηL|ᵗ·|θ₀−θ*|", 0),
            {"type": "scatter", "x": typed(steps), "y": typed(np.maximum(measured, floor)), "mode": "markers",
             "name": "measured |θₜ − θ*|",
             "marker": {"color": PALETTE[1], "size": 11, "symbol": "circle-open", "line": {"width": 2}}},
        ],
        title,
        430,
    )  # fmt: skip
    fig["layout"]["xaxis"] = {"title": {"text": "step t"}, "range": [0, float(steps.max() if x_max is None else x_max)]}
    fig["layout"]["yaxis"] = {"title": {"text": "error (log scale)"}, "type": "log", "exponentformat": "power"}
    if y_range is not None:
        fig["layout"]["yaxis"]["range"] = _log_range(*y_range)
    return _legend_room(fig)


# -------------------------------------------------------------------------------------------- 2-D lessons


def contour_paths(
    surface: Surface,
    runs: Sequence[Series],
    *,
    log_levels: bool = False,
    clickable: bool = False,
    title: str = "Paths on the loss surface",
    height: int = 600,
    frames: bool = True,
) -> Spec:
    """The surface's level sets (a banded image, :func:`contour_image`) with each run's path; animation frames
    carry only the paths (``frames=False``: see :func:`_animated_paths`).

    With ``log_levels`` the level sets are of :math:`\\log_{10}(1 + L - L_{min})`, which shows both the steep
    walls and the flat floor of a valley. With ``clickable`` an invisible grid of points lies over the plot so
    that a click returns a point (an image returns none).
    """
    (x0, x1), (y0, y1) = surface.bounds
    data: list[Spec] = []
    if clickable:
        gx, gy = np.meshgrid(np.linspace(x0, x1, 27), np.linspace(y0, y1, 27))
        data.append({"type": "scatter", "x": typed(gx.ravel()), "y": typed(gy.ravel()), "mode": "markers",
                     "marker": {"size": 12, "opacity": 0}, "showlegend": False, "name": "click grid",
                     "hovertemplate": "start here: (%{x:.2f}, %{y:.2f})<extra></extra>"})  # fmt: skip
    if len(surface.minima):
        star = {"symbol": "star", "size": 20, "color": "#F0E442", "line": {"width": 2, "color": "#000"}}
        data.append({"type": "scatter", "x": typed(surface.minima[:, 0]), "y": typed(surface.minima[:, 1]),
                     "mode": "markers", "name": "minimum", "marker": star})  # fmt: skip
    fig = _figure(data, title, height)

    def coords(run: Series, n: int | None, at: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        idx = slice(0, n) if at is None else at
        return run.points[idx, 0], run.points[idx, 1]

    # the landscape is an image under the plot, not a trace: an animation leaves it alone (a contour trace is
    # dropped by frames drawn without redraw and flickers with it), and plotly.js need not recompute it
    fig["layout"]["images"] = [
        {"source": landscape(surface, log_levels), "xref": "x", "yref": "y", "x": x0, "y": y1, "sizex": x1 - x0,
         "sizey": y1 - y0, "sizing": "stretch", "layer": "below"}
    ]  # fmt: skip
    fig["layout"]["xaxis"] = {"title": {"text": "x"}, "range": [x0, x1], "constrain": "domain", "showgrid": False}
    fig["layout"]["yaxis"] = {"title": {"text": "y"}, "range": [y0, y1], "scaleanchor": "x", "scaleratio": 1,
                              "constrain": "domain", "showgrid": False}  # fmt: skip
    # the plot is square (equal axes), so the width beside it holds the legend without squeezing it
    if clickable:
        fig["layout"]["clickmode"] = "event+select"
    return _animated_paths(fig, runs, coords, marker_size=7, redraw=False, frames=frames)


LEVELS = 24
LANDSCAPE_GRID = 160


def landscape(surface: Surface, log_levels: bool) -> str:
    """The level-set image of ``surface`` (see :func:`contour_image`), made once per surface and scale: it does
    not change when a rate or a start does, and encoding it costs milliseconds."""
    return _landscape(surface.name, tuple(sorted(surface.params.items())), log_levels)


@lru_cache(maxsize=128)
def _landscape(name: str, params: tuple, log_levels: bool) -> str:
    _, _, z = grid(make_surface(name, **dict(params)), LANDSCAPE_GRID)
    return contour_image(np.log10(1.0 + z - z.min()) if log_levels else z)


_LIGHT = np.array([247.0, 251.0, 255.0])  # the colours of the "Blues" scale's ends: low loss light, high dark
_DARK = np.array([8.0, 48.0, 107.0])


def contour_image(z: np.ndarray) -> str:
    """A PNG (as a data URI) of ``z`` in :data:`LEVELS` shaded bands with a darker line where the band changes:
    a filled contour plot, drawn once. Row 0 of ``z`` is the lowest ``y``."""
    lo, hi = float(z.min()), float(z.max())
    band = np.floor((z - lo) / (hi - lo + 1e-300) * LEVELS).clip(0, LEVELS - 1)
    rgb = _LIGHT + (_DARK - _LIGHT) * (band / (LEVELS - 1))[..., None] ** 0.8
    edge = np.zeros(z.shape, dtype=bool)
    edge[1:, :] |= band[1:, :] != band[:-1, :]
    edge[:, 1:] |= band[:, 1:] != band[:, :-1]
    rgb[edge] *= 0.82
    return "data:image/png;base64," + base64.b64encode(_png(rgb[::-1].round().astype(np.uint8))).decode("ascii")


def _png(rgb: np.ndarray) -> bytes:
    """The smallest honest PNG encoder: 8-bit RGB, no filtering, zlib-compressed."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    height, width, _ = rgb.shape
    raw = b"".join(b"\x00" + row.tobytes() for row in rgb)  # filter type 0 before every row
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")


def loss_curves(
    runs: Sequence[Series],
    *,
    floor: float = 0.0,
    log: bool = True,
    title: str = "Loss against step",
    y_range: tuple[float, float] | None = None,
) -> Spec:
    """:math:`L(\\theta_t) - L_{min}` against :math:`t`, one line per run, on a log axis; with ``y_range`` (data
    units) the y axis is fixed, so a slider that moves the curves moves them in place."""
    data = []
    for i, run in enumerate(runs):
        gap = run.losses[: run.last + 1] - floor
        data.append(_line(np.arange(run.last + 1), np.maximum(gap, 1e-16) if log else gap, run.label, i))
    fig = _figure(data, title, 420 + 24 * len(runs))
    steps = max((len(r.losses) - 1 for r in runs), default=1)
    fig["layout"]["xaxis"] = {"title": {"text": "step t"}, "range": [0, steps]}
    fig["layout"]["yaxis"] = {"title": {"text": "L(θₜ) − L*" + (" (log scale)" if log else "")},
                              "type": "log" if log else "linear", "exponentformat": "power"}  # fmt: skip
    if y_range is not None:
        fig["layout"]["yaxis"]["range"] = _log_range(*y_range) if log else list(y_range)
    return _legend_room(fig)


def steps_vs_lr(
    lrs: np.ndarray,
    measured: np.ndarray,
    predicted: np.ndarray,
    marks: dict[str, float],
    title: str = "Steps to reach the tolerance",
    y_range: tuple[float, float] | None = None,
) -> Spec:
    """Steps to tolerance against :math:`\\eta`: measured (dots, from a sweep) over predicted (line);
    ``marks`` are vertical lines such as 2/λmax and the optimal rate; ``y_range`` fixes the steps axis (so a mark
    that moves moves alone)."""
    ok = np.isfinite(predicted) & (predicted >= 0)
    hit = measured >= 0
    fig = _figure(
        [
            _line(lrs[ok], predicted[ok], "predicted", 0),
            {"type": "scatter", "x": typed(lrs[hit]), "y": typed(measured[hit]), "mode": "markers",
             "name": "measured (sweep)", "marker": {"color": PALETTE[1], "size": 8, "symbol": "circle-open"}},
        ],
        title,
        430,
    )  # fmt: skip
    for i, (name, x) in enumerate(marks.items()):
        _vline(fig, x, name, i + 2)
    fig["layout"]["xaxis"] = {"title": {"text": "learning rate η (log scale)"}, "type": "log",
                              "range": _log_range(float(lrs.min()), float(lrs.max()))}  # fmt: skip
    fig["layout"]["yaxis"] = {"title": {"text": "steps (log scale)"}, "type": "log"}
    if y_range is not None:
        fig["layout"]["yaxis"]["range"] = _log_range(*y_range)
    return _legend_room(fig)


def local_curvature_plot(
    steps: np.ndarray,
    critical: np.ndarray,
    concave: np.ndarray,
    lr: float,
    reference: float,
    title: str,
    *,
    x_max: int | None = None,
    y_range: tuple[float, float] | None = None,
) -> Spec:
    """The local critical rate :math:`2/L''(\\theta_t)` at the ``steps`` where the curvature is positive, against the
    fixed :math:`\\eta`; the ``concave`` steps (no limit there) shaded, and left as gaps in the line. ``x_max`` (the
    run's steps) and ``y_range`` fix the axes, so a move of :math:`\\eta` moves the lines alone; without
    ``y_range`` the axis spans :math:`\\eta` and ``reference`` (the rate at the minimum) with room around them, so
    a rate near :math:`L'' \\to 0` leaves the top rather than squashing the rest."""
    last = int(max(steps.max(initial=0), concave.max(initial=0)))
    every = np.arange(last + 1)
    line: list[float | None] = [None] * (last + 1)  # a gap at each concave step: one trace, whatever the run
    for t, c in zip(steps, critical, strict=True):
        line[int(t)] = float(c)
    fig = _figure([{**_line(every, every, "2 / J''(θₜ), where J'' > 0", 0, markers=True), "y": line}], title, 380)
    _hline(fig, lr, f"η = {lr:.3g}", PALETTE[1])
    for t in concave:
        fig["layout"]["shapes"].append(
            {"type": "rect", "xref": "x", "yref": "paper", "x0": t - 0.5, "x1": t + 0.5, "y0": 0, "y1": 1,
             "fillcolor": "#999999", "opacity": 0.25, "line": {"width": 0}, "layer": "below"}
        )  # fmt: skip
    if len(concave):
        fig["layout"]["annotations"].append(
            {"x": float(concave[0]), "y": 0.02, "xref": "x", "yref": "paper", "text": "J'' < 0: no limit",
             "showarrow": False, "xanchor": "left", "yanchor": "bottom", "font": {"size": FONT_SIZE - 4}}
        )  # fmt: skip
    low, high = y_range if y_range is not None else (min(lr, reference) / 4, max(lr, reference) * 40)
    fig["layout"]["xaxis"] = {"title": {"text": "step t"}, "range": [-0.5, (last if x_max is None else x_max) + 0.5]}
    fig["layout"]["yaxis"] = {
        "title": {"text": "rate (log scale)"}, "type": "log", "exponentformat": "power",
        "range": _log_range(low, high),
    }  # fmt: skip
    return fig


def decades(values: np.ndarray) -> tuple[float, float]:
    """A log axis's range for ``values`` (their finite, positive ones), out to whole decades: a slider that moves
    the values within their decades leaves the axis as it is, so the figure moves in place."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    if not len(v):
        return (0.1, 10.0)
    return float(10 ** np.floor(np.log10(v.min()))), float(10 ** np.ceil(np.log10(v.max()) + 1e-12))


# ------------------------------------------------------------------------------------------ schedules, tests


def schedule_plot(
    steps: np.ndarray,
    rates: dict[str, np.ndarray],
    title: str = "Learning rate ηₜ",
    log: bool = False,
    y_range: tuple[float, float] | None = None,
) -> Spec:
    """Each schedule's (or coordinate's) rate against the step, from zero or on a log axis (a value that is not
    finite, or not positive on a log axis, is left out); ``y_range`` fixes the axis (see :func:`against_step`)."""
    return against_step(steps, rates, title, "η", log=log, y_range=y_range)


def against_step(
    steps: np.ndarray,
    series: dict[str, np.ndarray],
    title: str,
    y_title: str,
    *,
    y_range: tuple[float, float] | None = None,
    log: bool = False,
    marks: Sequence[tuple[float, str]] = (),
    height: int = 380,
    max_points: int = MAX_POINTS,
) -> Spec:
    """Quantities against the step, one line each (a value that is not finite, or not positive on a log axis, left
    out), the y axis on a log scale with ``log``. With ``y_range`` (in data units) the axes are fixed, so a slider
    that changes the lines moves them in place; without, the y axis fits the data (from zero on a linear one).
    ``marks`` are ``(y, text)`` dashed lines across the plot. A line of more than ``max_points`` points is drawn
    through every k-th of them and the last (a figure of thousands of steps would weigh hundreds of KB)."""
    data = []
    for i, (name, v) in enumerate(series.items()):
        x, y = steps[: len(v)], np.asarray(v, dtype=float)
        every = -(-len(y) // max_points)
        if every > 1:
            kept = np.unique(np.append(np.arange(0, len(y), every), len(y) - 1))
            x, y = x[kept], y[kept]
        keep = np.isfinite(y) & ((y > 0) if log else True)
        data.append(_line(x[keep], y[keep], name, i))
    fig = _figure(data, title, height)
    fig["layout"]["xaxis"] = {"title": {"text": "step t"}, "range": [0, float(steps.max())]}
    y_axis = (
        {"title": {"text": f"{y_title} (log scale)"}, "type": "log", "exponentformat": "power"}
        if log
        else {"title": {"text": y_title}, "rangemode": "tozero"}
    )
    if y_range is not None:
        y_axis["range"] = _log_range(*y_range) if log else list(y_range)
    fig["layout"]["yaxis"] = y_axis
    for y, text in marks:
        _hline(fig, y, text, color=MARK_GREY)
    return _legend_room(fig)


def against_rate(
    rates: np.ndarray,
    series: dict[str, np.ndarray],
    title: str,
    y_title: str,
    *,
    y_range: tuple[float, float],
    marks: Sequence[tuple[float, str, int]] = (),
    markers: bool = True,
) -> Spec:
    """Quantities against the learning rate, log-log, one line each (with a marker per rate unless ``markers`` is
    off, for a dense sweep; NaN, a rate that diverged, left out), on fixed axes; ``marks`` are ``(η, text, i)``
    vertical lines in the colour and dash of series ``i``."""
    data = []
    for i, (name, v) in enumerate(series.items()):
        x, y = _finite(np.asarray(rates, dtype=float), np.asarray(v, dtype=float))
        data.append(_line(x, y, name, i, markers=markers, marker_size=7, width=2.5))
    fig = _figure(data, title, 440)
    fig["layout"]["xaxis"] = {"title": {"text": "η (log scale)"}, "type": "log", "exponentformat": "power",
                              "range": _log_range(float(np.min(rates)), float(np.max(rates)))}  # fmt: skip
    fig["layout"]["yaxis"] = {"title": {"text": f"{y_title} (log scale)"}, "type": "log", "exponentformat": "power",
                              "range": _log_range(*y_range)}  # fmt: skip
    for k, (x, text, i) in enumerate(marks):
        _vline(fig, x, text, i, at=1.0 - 0.08 * k)
    return _legend_room(fig)


def range_test_plot(lrs: np.ndarray, losses: np.ndarray, smoothed: np.ndarray, suggestions: dict[str, float]) -> Spec:
    """Loss against a growing rate, with the rate each rule suggests as a vertical line named in the legend (three
    labels over the plot would overlap wherever two rules agree)."""
    finite = losses[np.isfinite(losses)]
    low, high = (float(finite.min()), float(finite.max())) if len(finite) else (1e-3, 1.0)
    fig = _figure(
        [
            {"type": "scatter", "x": typed(lrs), "y": typed(losses), "mode": "markers", "name": "loss after the step",
             "marker": {"color": PALETTE[5], "size": 6}},
            _line(lrs, smoothed, "smoothed", 0),
            *(_line([lr, lr], [low, high], f"{rule}: {lr:.3g}", i, width=2)
              for i, (rule, lr) in enumerate(suggestions.items(), start=1)),
        ],
        "Learning-rate range test",
        400,
    )  # fmt: skip
    fig["layout"]["xaxis"] = {"title": {"text": "learning rate η (log scale)"}, "type": "log"}
    fig["layout"]["yaxis"] = {"title": {"text": "loss (log scale)"}, "type": "log", "exponentformat": "power"}
    return _legend_room(fig)


# ------------------------------------------------------------------------------------------------- practice

LOSS_RANGE = (0.01, 5.0)
"""The fixed loss axis of the practice lesson's figures (log scale): cross-entropy from near-perfect to worse than
guessing (ln 10 = 2.30)."""


def learning_curves(
    labels: Sequence[str],
    train: np.ndarray,
    val: np.ndarray,
    best: Sequence[int],
    *,
    accuracy: bool = False,
    validation_only: bool = False,
    title: str = "Learning curves",
) -> Spec:
    """Training (solid) and validation (dotted, same colour) curves per epoch, one pair per run (``train`` and
    ``val`` ``(epochs + 1, runs)``), each validation curve's early-stopping epoch ``best`` marked by a star. Loss on
    a fixed log axis, or accuracy from 0 to 1. ``validation_only``: one line per run, in its own style. A run that
    diverged (NaN from then on) is drawn up to its last finite epoch."""
    epochs = np.arange(train.shape[0])
    data = []
    for i, label in enumerate(labels):
        color = style(i)["color"]
        t, v = _finite(epochs, train[:, i]), _finite(epochs, val[:, i])
        if validation_only:
            data.append(_line(*v, label, i, legendgroup=label))
        else:
            data.append(_line(*t, f"{label}: training", i, line={"color": color, "width": 3}, legendgroup=label))
            data.append(_line(*v, f"{label}: validation", i, legendgroup=label,
                              line={"color": color, "width": 3, "dash": "dot"}))  # fmt: skip
        b = int(best[i])
        data.append({"type": "scatter", "x": [b], "y": [float(val[b, i])], "mode": "markers", "legendgroup": label,
                     "name": f"{label}: early stopping (epoch {b})", "showlegend": False,
                     "marker": {"symbol": "star", "size": 18, "color": color,
                                "line": {"width": 1, "color": "#000"}}})  # fmt: skip
    fig = _figure(data, title, 440)
    fig["layout"]["xaxis"] = {"title": {"text": "epoch"}, "range": [0, int(epochs[-1])]}
    if accuracy:
        fig["layout"]["yaxis"] = {"title": {"text": "accuracy"}, "range": [0, 1.02], "tickformat": ".0%"}
    else:
        fig["layout"]["yaxis"] = {"title": {"text": "cross-entropy loss (log scale)"}, "type": "log",
                                  "range": _log_range(*LOSS_RANGE)}  # fmt: skip
    return _legend_room(fig)


def sensitivity_plot(
    lrs: np.ndarray,
    scores: dict[str, np.ndarray],
    good: dict[str, tuple[float, float]],
    marks: dict[str, float],
    trials: dict[str, tuple[np.ndarray, np.ndarray]] | None = None,
    title: str = "Final validation loss against η",
) -> Spec:
    """Each optimizer's score against the rate on a log axis, its good range shaded and its ``marks`` (the
    course's typical rate, by label) as a ringed dot on its curve; ``trials`` (label -> rates, scores) adds a
    search's trials as dots."""
    data = [_line(lrs, s, label, i, markers=True, marker_size=7) for i, (label, s) in enumerate(scores.items())]
    fig = _figure(data, title, 460)
    for i, (lo, hi) in enumerate(good.values()):
        fig["layout"]["shapes"].append(
            {"type": "rect", "xref": "x", "yref": "paper", "x0": lo, "x1": hi, "y0": 0.02 * i, "y1": 0.02 * i + 0.03,
             "fillcolor": style(i)["color"], "line": {"width": 0}}
        )  # fmt: skip
    for i, (label, lr) in enumerate(marks.items()):
        y = float(np.interp(np.log(lr), np.log(lrs), list(scores.values())[i]))
        data.append({"type": "scatter", "x": [lr], "y": [y], "mode": "markers", "name": f"{label}: the course's {lr:g}",
                     "marker": {"symbol": "circle-open", "size": 22, "color": style(i)["color"],
                                "line": {"width": 4}}})  # fmt: skip
    for k, (label, (x, y)) in enumerate((trials or {}).items()):
        data.append({"type": "scatter", "x": typed(x), "y": typed(y), "mode": "markers", "name": label,
                     "marker": {"symbol": SYMBOLS[k + 1], "size": 11, "color": PALETTE[(k + 3) % len(PALETTE)],
                                "line": {"width": 1, "color": "#000"}}})  # fmt: skip
    fig["layout"]["xaxis"] = {
        "title": {"text": "learning rate η (log scale)"},
        "type": "log",
        "range": _log_range(float(lrs.min()), float(lrs.max())),
        "exponentformat": "power",
    }
    fig["layout"]["yaxis"] = {"title": {"text": "validation loss (log scale)"}, "type": "log",
                              "range": _log_range(*LOSS_RANGE)}  # fmt: skip
    return _legend_room(fig)


def suggestion_spread(suggestions: dict[str, np.ndarray], lo: float, hi: float, title: str) -> Spec:
    """Each rule's suggested rate for every seed, one row per rule, on a log axis."""
    data = []
    for i, (rule, rates) in enumerate(suggestions.items()):
        s = style(i)
        data.append({"type": "scatter", "x": typed(rates), "y": typed(np.full(len(rates), i)), "mode": "markers",
                     "name": rule,
                     "marker": {"symbol": s["symbol"], "size": 16, "color": s["color"], "opacity": 0.8,
                                "line": {"width": 1, "color": "#000"}},
                     "text": [f"seed {k}" for k in range(len(rates))]})  # fmt: skip
    fig = _figure(data, title, 300)
    fig["layout"]["showlegend"] = False
    fig["layout"]["margin"]["t"] = 60
    fig["layout"]["xaxis"] = {
        "title": {"text": "suggested η (log scale)"},
        "type": "log",
        "range": _log_range(lo, hi),
        "exponentformat": "power",
    }
    fig["layout"]["yaxis"] = {"automargin": True, "tickvals": list(range(len(suggestions))),
                              "ticktext": list(suggestions), "range": [-0.6, len(suggestions) - 0.4]}  # fmt: skip
    return fig


def search_progress(best_so_far: dict[str, np.ndarray], title: str = "Best validation loss so far") -> Spec:
    """Each search's best score after each trial, against the trials used."""
    data = [
        _line(np.arange(1, len(b) + 1), b, label, i, markers=True, line_shape="hv")
        for i, (label, b) in enumerate(best_so_far.items())
    ]
    trials = max((len(b) for b in best_so_far.values()), default=1)
    fig = _figure(data, title, 420)
    fig["layout"]["xaxis"] = {"title": {"text": "trainings used"}, "range": [0.5, trials + 0.5], "dtick": 2}
    fig["layout"]["yaxis"] = {"title": {"text": "validation loss (log scale)"}, "type": "log",
                              "range": _log_range(*LOSS_RANGE)}  # fmt: skip
    return _legend_room(fig)


def gap_plot(lrs: np.ndarray, train: np.ndarray, val: np.ndarray, lr: float, title: str) -> Spec:
    """Training and validation loss where training stopped, against the rate; the gap between them shaded and
    the rate ``lr`` marked (a run that diverged has no point)."""
    fig = _figure(
        [
            _line(*_finite(lrs, train), "training loss", 0, markers=True),
            _line(
                *_finite(lrs, val), "validation loss", 1, markers=True, fill="tonexty", fillcolor="rgba(213,94,0,0.15)"
            ),
        ],
        title,
        420,
    )
    _vline(fig, lr, f"η = {lr:.3g}", 2)
    fig["layout"]["xaxis"] = {
        "title": {"text": "learning rate η (log scale)"},
        "type": "log",
        "range": _log_range(float(lrs.min()), float(lrs.max())),
        "exponentformat": "power",
    }
    fig["layout"]["yaxis"] = {"title": {"text": "loss (log scale)"}, "type": "log",
                              "range": _log_range(1e-4, LOSS_RANGE[1])}  # fmt: skip
    return _legend_room(fig)


def answer_bars(
    choices: Sequence[str], counts: Sequence[int], joined: int, right: Sequence[int] = (), lettered: bool = True
) -> Spec:
    """How many students gave each answer, one bar each: the choices lettered A, B, C... (the text cut to fit), or
    with ``lettered=False`` the values typed as they are; on an axis fixed from 0 to the number who joined (so new
    answers grow the bars in place). After the reveal the ``right`` bars are drawn in green with a tick, the others
    in blue."""
    cut = [c if len(c) <= 48 else c[:46] + "…" for c in choices]
    letters = [(f"{chr(65 + i)}. {c}" if lettered else c) + (" ✓" if i in right else "") for i, c in enumerate(cut)]
    colours = [PALETTE[2] if i in right else PALETTE[0] for i in range(len(choices))]
    bars = {"type": "bar", "orientation": "h", "x": list(counts), "y": letters, "name": "answers",
            "marker": {"color": colours}, "text": [str(n) for n in counts], "textposition": "outside",
            "hoverinfo": "x+y", "showlegend": False}  # fmt: skip
    fig = _figure([bars], "Answers so far", 140 + 60 * len(choices))
    fig["layout"]["xaxis"] = {"title": {"text": "students"}, "range": [0, max(int(joined), 1) * 1.15], "dtick": None}
    fig["layout"]["yaxis"] = {"autorange": "reversed", "automargin": True}
    fig["layout"]["margin"]["l"] = 20
    return fig
