"""Argument checks shared by the engine's factories.

Every check raises ``ValueError`` with a message that names the argument, the rule and the value, so a page
can show it to the user as it is.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def as_float_array(name: str, value: Any) -> np.ndarray:
    """``value`` as a float64 array, or ``ValueError`` if it is not numeric and finite."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or an array of numbers, got {value!r}") from None
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return arr


def non_negative(name: str, value: Any) -> np.ndarray | float:
    """Check ``value >= 0`` element-wise; return it as a float or float array."""
    arr = as_float_array(name, value)
    if np.any(arr < 0):
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return _scalar_or_array(arr)


def positive(name: str, value: Any) -> np.ndarray | float:
    """Check ``value > 0`` element-wise; return it as a float or float array."""
    arr = as_float_array(name, value)
    if np.any(arr <= 0):
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return _scalar_or_array(arr)


def in_unit_interval(name: str, value: Any, *, closed_right: bool = False) -> np.ndarray | float:
    """Check ``0 <= value < 1`` (or ``<= 1`` with ``closed_right``) element-wise."""
    arr = as_float_array(name, value)
    upper_ok = arr <= 1 if closed_right else arr < 1
    if np.any(arr < 0) or not np.all(upper_ok):
        interval = "[0, 1]" if closed_right else "[0, 1)"
        raise ValueError(f"{name} must lie in {interval}, got {value!r}")
    return _scalar_or_array(arr)


def positive_int(name: str, value: Any) -> int:
    """Check that ``value`` is a whole number >= 1 and return it as ``int``."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if isinstance(value, bool) or not number.is_integer() or number < 1:
        raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
    return int(number)


def _scalar_or_array(arr: np.ndarray) -> np.ndarray | float:
    return float(arr) if arr.ndim == 0 else arr
