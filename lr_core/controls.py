"""Controls, declared once: a lesson's sliders, menus and toggles as plain data.

A control holds everything about one setting: its URL key, the label a student reads, its range, step, scale
and default, and the config field it fills. From that one declaration the UI draws the widget (``ui``), mirrors
the value in the URL and validates a link (:meth:`Control.parse`, whose ``ValueError`` says why a value was
refused), and builds the lesson's config (:func:`build`). Nothing here knows Streamlit.

A range may depend on other settings (the learning rate's top end is :math:`1.5 \\times 2/L`, and L is another
slider): ``upper`` then maps the current values to the top of the widget, and ``marks`` adds values worth
landing on (such as :math:`2/L`) to a log-scale control's options.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeVar

import numpy as np

Values = Mapping[str, Any]
C = TypeVar("C")

_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
"""A plain ASCII decimal number: no underscores, no full-width digits, no 'nan' or 'inf'."""


@dataclass(frozen=True, kw_only=True)
class Control:
    """One setting of a page. ``field`` is the config field it fills (``None``: the page uses it itself)."""

    key: str
    label: str
    default: Any
    help: str = ""
    field: str | None = ""

    def __post_init__(self) -> None:
        if self.field == "":
            object.__setattr__(self, "field", self.key)

    def parse(self, raw: Sequence[str]) -> Any:
        """The value of the URL's ``raw`` strings for this key (the last one counts); ``ValueError`` with the
        reason when it cannot be used."""
        raise NotImplementedError

    def encode(self, value: Any) -> list[str]:
        """The URL strings for ``value``."""
        return [str(value)]


@dataclass(frozen=True, kw_only=True)
class Number(Control):
    """A number from ``lo`` to ``hi``: a slider on a ``linear`` or ``log`` scale (``step`` apart on a linear one;
    ``per_decade`` options on a log one), or a number box with ``box=True`` (shown with ``fmt``, printf-style).
    ``integer`` for whole numbers; ``short``, its symbol, stands for the label where room is short (on a
    projector)."""

    lo: float
    hi: float
    step: float | None = None
    scale: str = "linear"
    integer: bool = False
    box: bool = False
    fmt: str | None = None
    per_decade: int = 12
    short: str = ""
    upper: Callable[[Values], float] | None = field(default=None, repr=False, compare=False)
    marks: Callable[[Values], Iterable[float]] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.scale not in ("linear", "log") or (self.scale == "log" and self.lo <= 0):
            raise ValueError(f"control {self.key!r}: scale must be 'linear' or 'log' (with lo > 0)")
        if not self.lo <= self.default <= self.hi:
            raise ValueError(f"control {self.key!r}: default {self.default} outside {self.lo}..{self.hi}")

    @property
    def reason(self) -> str:
        kind = "a whole number" if self.integer else "a number"
        return f"must be {kind} from {self.lo:g} to {self.hi:g}"

    def parse(self, raw: Sequence[str]) -> float | int:
        text = raw[-1].strip() if raw else ""
        if not _NUMBER.fullmatch(text):
            raise ValueError(self.reason)
        value = float(text)
        if self.integer and not value.is_integer():
            raise ValueError(self.reason)
        if not self.lo <= value <= self.hi:
            raise ValueError(self.reason)
        return int(value) if self.integer else value

    def encode(self, value: Any) -> list[str]:
        return [str(int(value))] if self.integer else [f"{value:.6g}"]

    def top(self, values: Values) -> float:
        """The widget's upper end for the current ``values`` of the page."""
        return min(self.hi, self.upper(values)) if self.upper else self.hi

    def options(self, values: Values) -> list[float]:
        """A log-scale control's options: evenly spaced on a log scale to 3 significant digits from ``lo`` to
        :meth:`top`, plus the default and the marks, where they lie in that range."""
        hi = self.top(values)
        points = set(_log_grid(self.lo, hi, self.per_decade))
        extra = [self.default, *(self.marks(values) if self.marks else ())]
        points |= {float(v) for v in extra if self.lo <= v <= hi}
        return sorted(points)

    def nearest(self, value: float, options: Sequence[float]) -> float:
        """The option nearest ``value`` (on a log scale for a log control)."""
        if self.scale == "log" and value > 0:
            return min(options, key=lambda o: abs(math.log(o) - math.log(value)))
        return min(options, key=lambda o: abs(o - value))


@dataclass(frozen=True, kw_only=True)
class Choice(Control):
    """One of ``options`` (URL values), shown with ``labels`` where given."""

    options: tuple[str, ...]
    labels: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.default not in self.options:
            raise ValueError(f"control {self.key!r}: default {self.default!r} is not an option")

    def parse(self, raw: Sequence[str]) -> str:
        if not raw or raw[-1] not in self.options:
            raise ValueError(f"must be one of {', '.join(self.options)}")
        return raw[-1]

    def show(self, option: str) -> str:
        return self.labels.get(option, option)


@dataclass(frozen=True, kw_only=True)
class MultiChoice(Choice):
    """Some of ``options``, in the order chosen (``empty`` allows none)."""

    empty: bool = False

    def __post_init__(self) -> None:
        Control.__post_init__(self)
        object.__setattr__(self, "default", tuple(self.default))
        if any(d not in self.options for d in self.default):
            raise ValueError(f"control {self.key!r}: default {self.default!r} is not among the options")

    def parse(self, raw: Sequence[str]) -> tuple[str, ...]:
        items = [item for chunk in raw for item in chunk.split(",") if item]
        if (not items and not self.empty) or any(item not in self.options for item in items):
            raise ValueError(f"must list some of {', '.join(self.options)}")
        return tuple(dict.fromkeys(items))

    def encode(self, value: Any) -> list[str]:
        return [",".join(value)]


@dataclass(frozen=True, kw_only=True)
class Toggle(Control):
    """On or off (``1``/``0`` in the URL)."""

    def parse(self, raw: Sequence[str]) -> bool:
        value = {"1": True, "true": True, "0": False, "false": False}.get(raw[-1].strip().lower() if raw else "")
        if value is None:
            raise ValueError("must be 1 or 0")
        return value

    def encode(self, value: Any) -> list[str]:
        return ["1" if value else "0"]


@dataclass(frozen=True, kw_only=True)
class IntList(Control):
    """Whole numbers from ``lo`` to ``hi``, strictly increasing, typed as ``60, 120, 160`` (``a,b,c`` in the
    URL); at most ``most`` of them."""

    lo: int
    hi: int
    most: int = 10

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "default", tuple(self.default))

    @property
    def reason(self) -> str:
        return f"must be up to {self.most} increasing whole numbers from {self.lo} to {self.hi}, like 60, 120"

    def parse(self, raw: Sequence[str]) -> tuple[int, ...]:
        parts = [p.strip() for p in (raw[-1] if raw else "").split(",")]
        if not parts or len(parts) > self.most or not all(re.fullmatch(r"\d{1,7}", p) for p in parts):
            raise ValueError(self.reason)
        values = tuple(int(p) for p in parts)
        if any(b <= a for a, b in itertools.pairwise(values)) or not all(self.lo <= v <= self.hi for v in values):
            raise ValueError(self.reason)
        return values

    def encode(self, value: Any) -> list[str]:
        return [",".join(str(v) for v in value)]

    def text(self, value: Sequence[int]) -> str:
        """``value`` as a student types it."""
        return ", ".join(str(v) for v in value)


@dataclass(frozen=True, kw_only=True)
class Token(Control):
    """A short code typed or linked (a class's join code, a student's id): the whole text must match ``pattern``;
    ``what`` says what it is, for a link that does not (``"a class code of 6 letters"``). The default ``""`` is
    none."""

    pattern: str
    what: str
    upper: bool = False
    """Read in capitals (a code typed on a phone in small letters is the same code)."""

    def parse(self, raw: Sequence[str]) -> str:
        text = raw[-1].strip() if raw else ""
        text = text.upper() if self.upper else text
        if not re.fullmatch(self.pattern, text):
            raise ValueError(f"must be {self.what}")
        return text


@lru_cache(maxsize=1024)
def _log_grid(lo: float, hi: float, per_decade: int) -> tuple[float, ...]:
    """``per_decade`` points a decade from ``lo`` to ``hi``, evenly spaced on a log scale, to 3 digits."""
    n = max(2, round(np.log10(hi / lo) * per_decade) + 1)
    return tuple(three_digits(v) for v in np.logspace(np.log10(lo), np.log10(hi), n))


def three_digits(x: float) -> float:
    """``x`` to the 3 significant digits a log-scale slider shows and offers."""
    return float(f"{x:.3g}")


def by_key(controls: Iterable[Control]) -> dict[str, Control]:
    """``controls`` by their URL key; a key declared twice (by different controls) is an error."""
    out: dict[str, Control] = {}
    for c in controls:
        if c.key in out and out[c.key] != c:
            raise ValueError(f"two different controls use the URL key {c.key!r}")
        out[c.key] = c
    return out


def defaults(controls: Iterable[Control]) -> dict[str, Any]:
    return {c.key: c.default for c in controls}


def build(cls: type[C], controls: Iterable[Control], values: Values, **extra: Any) -> C:
    """The config ``cls`` from the controls' ``values`` (each into its ``field``) and ``extra`` fields; a
    control whose field ``cls`` does not have is the page's own. Two controls filling one field is a mistake in
    the page's declarations (one would silently win): ``ValueError``."""
    names = {f.name for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for c in controls:
        if c.field in names:
            if c.field in kwargs:
                raise ValueError(f"two controls fill {cls.__name__}.{c.field}; pass the ones this config reads")
            kwargs[c.field] = values[c.key]
    return cls(**kwargs, **extra)
