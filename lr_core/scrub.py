"""Scrubbing: one control (the learning rate) dragged in the browser, the figure following with no server round trip.

A figure that a control is scrubbed on is drawn at every option of that control, from one vectorized sweep of
the engine; the browser holds, for each option, only what changes between them (:func:`moving_parts`), and a
drag just picks which one is drawn. The parts are those ``ui/plot.js`` moves without a redraw: the traces'
``x``, ``y`` and ``name``, and the layout's ``annotations`` and ``shapes``. Everything else (axes, titles,
the animation's controls) must be the same at every option: a figure whose axes followed the rate could not be
scrubbed, and :func:`moving_parts` refuses it.

The parts are cut from the very specs the figure builders make for each option, so what a drag draws is what a
fresh draw of the page at that option draws, number for number.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Generic, TypeVar

import numpy as np

from lr_core.analysis import Verdict

Spec = dict[str, Any]
S = TypeVar("S")

MOVING = ("x", "y", "name")
"""The attributes of a trace that may change from option to option."""
LAYOUT_MOVING = ("annotations", "shapes")
"""The layout's entries that may change from option to option."""


def _plain(obj: Any) -> Any:
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"{type(obj).__name__} in a figure spec")


def _text(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, default=_plain)


def skeleton(spec: Spec) -> str:
    """What must not change for a figure to be scrubbed (as ``ui/plot.js``'s fast path requires): the spec without
    the moving parts and without its animation frames, as text."""
    data = [{k: v for k, v in trace.items() if k not in MOVING} for trace in spec["data"]]
    layout = {k: v for k, v in spec["layout"].items() if k not in LAYOUT_MOVING}
    return _text([data, layout])


def moving_parts(specs: Sequence[Spec]) -> list[Spec]:
    """For each of ``specs`` (one figure drawn at each option of a control), the parts that differ between them:
    ``{"traces": [i, ...], "data": [{"x", "y", "name"}, ...]}``, plus ``"annotations"`` and ``"shapes"`` where
    those differ. ``ValueError`` if anything else differs (an axis that follows the control)."""
    if not specs:
        return []
    first = skeleton(specs[0])
    for i, spec in enumerate(specs[1:], 1):
        if skeleton(spec) != first:
            raise ValueError(f"option {i} changes more of the figure than a drag can move (axes, titles, traces)")
    varying = [
        t
        for t in range(len(specs[0]["data"]))
        if len({_text([s["data"][t].get(k) for k in MOVING]) for s in specs}) > 1
    ]
    layout = [k for k in LAYOUT_MOVING if len({_text(s["layout"].get(k, [])) for s in specs}) > 1]
    parts = []
    for spec in specs:
        part: Spec = {
            "traces": varying,
            "data": [{k: spec["data"][t][k] for k in MOVING if k in spec["data"][t]} for t in varying],
        }
        part.update({k: spec["layout"].get(k, []) for k in layout})
        parts.append(part)
    return parts


def pooled(parts: Sequence[Spec]) -> Spec:
    """``parts`` with every trace's ``x`` and ``y`` replaced by its index in a pool of the distinct arrays:
    ``{"pool": [...], "parts": [...]}``. Options share most arrays (the steps of a loss curve, the runs that leave
    the plot at once), so each travels once. ``ui/plot.js`` looks them up."""
    pool: list[Any] = []
    index: dict[str, int] = {}

    def ref(value: Any) -> int:
        key = _text(value)
        if key not in index:
            index[key] = len(pool)
            pool.append(value)
        return index[key]

    out = []
    for part in parts:
        data = [{k: (ref(v) if k in ("x", "y") else v) for k, v in trace.items()} for trace in part["data"]]
        out.append({**part, "data": data})
    return {"pool": pool, "parts": out}


@dataclass(frozen=True)
class Scrub:
    """A control scrubbed on a figure: its ``options``, and for each the figure's moving parts (``parts``, see
    :func:`moving_parts`) and the verdict of the run drawn at it (``verdicts``, empty when the figure shows no one
    run)."""

    options: tuple[float, ...]
    parts: tuple[Spec, ...]
    verdicts: tuple[Verdict, ...] = ()

    def __post_init__(self) -> None:
        if len(self.parts) != len(self.options) or (self.verdicts and len(self.verdicts) != len(self.options)):
            raise ValueError("a scrub needs the figure's parts (and verdicts) at every option")

    def option(self, raw: Any) -> float | None:
        """``raw``, a value reported by the browser, if it is one of the options; else ``None`` (a crafted value
        must change nothing)."""
        if isinstance(raw, (int, float)) and not isinstance(raw, bool) and float(raw) in self.options:
            return float(raw)
        return None

    @cached_property
    def json(self) -> str:
        """The parts as JSON, their arrays pooled (:func:`pooled`), made once (a page sends them on every run of its
        section)."""
        return _text(pooled(self.parts))


def scrub(options: Sequence[float], specs: Sequence[Spec], verdicts: Sequence[Verdict] = ()) -> Scrub:
    """The :class:`Scrub` of a figure drawn as ``specs[i]`` at ``options[i]``."""
    return Scrub(tuple(float(o) for o in options), tuple(moving_parts(specs)), tuple(verdicts))


@dataclass(frozen=True)
class Swept(Generic[S]):
    """A section computed at every option of one control: its ``scenes`` (``scenes[i]`` at ``options[i]``), the
    figures' :class:`Scrub` by key, and ``draw``, which draws a scene's figures by key (a fraction of a
    millisecond: the page draws the option chosen afresh, rather than holding every option's spec)."""

    options: tuple[float, ...]
    scenes: tuple[S, ...]
    scrubs: Mapping[str, Scrub]
    draw: Callable[[S], Mapping[str, Spec]] = field(repr=False)

    def index(self, value: float) -> int:
        """The index of option ``value`` (``ValueError`` if it is not one: the page draws only options)."""
        return self.options.index(float(value))

    def at(self, value: float) -> tuple[S, Mapping[str, Spec]]:
        """The scene and the figures at option ``value``."""
        scene = self.scenes[self.index(value)]
        return scene, self.draw(scene)


def swept(
    options: Sequence[float],
    scenes: Sequence[S],
    figures: Callable[[S], Mapping[str, Spec]],
    verdict: Callable[[S], Verdict] | None = None,
    still: Callable[[S], Mapping[str, Spec]] | None = None,
) -> Swept[S]:
    """The :class:`Swept` of ``scenes`` (``scenes[i]`` computed at ``options[i]``): ``figures(scene)`` draws a scene's
    figures by key; ``verdict(scene)`` is the verdict of the run the first of them shows. ``still(scene)``, where
    given, draws the same figures without their animation frames: the parts are cut from those (frames are never
    among them, and building them was most of a sweep's cost), while the page draws its option with ``figures``."""
    drawn = [(still or figures)(s) for s in scenes]
    keys = list(drawn[0])
    verdicts = tuple(verdict(s) for s in scenes) if verdict else ()
    scrubs = {k: scrub(options, [d[k] for d in drawn], verdicts if n == 0 else ()) for n, k in enumerate(keys)}
    return Swept(tuple(float(o) for o in options), tuple(scenes), scrubs, figures)
