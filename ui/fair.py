"""A fair share of the server for every session, so that a student who spams the heaviest settings takes less
from the class.

Streamlit runs each session's script in a thread of one process, and the engine's loops hold Python's GIL, so a
session that asks for work back to back takes the server from everyone else in proportion. Each session gets a
token bucket of CPU time instead: it may spend :data:`BURST` seconds at once, refilled at :data:`RATE` seconds per
second, and pays for each run's CPU time (its own thread's: what it took, not how long it waited for the others,
so a busy server does not make everyone pay more). A run that finds its bucket in debt while other sessions use the
server (one ran in the last :data:`PRESENT` seconds) first sleeps until it is paid (sleeping holds no GIL); a
session alone on the server, an instructor preparing a lecture say, is never held back. (Waiting only while
others are running, not merely present, was tried: a spammer then slips in between the class's moves, and the
class's p95 doubled.) A student moving sliders every second or two stays far inside it (a move costs
5-120 ms of CPU); a session that reruns the heaviest settings without pause is slowed to its share. Measured in
``benchmarks/class_soak.py fair`` (``benchmarks/README.md``: beside five of them the class's median stays near its
baseline, its p95 is still over twice its budget; the GIL is the limit).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

import streamlit as st

RATE = 0.1
"""CPU seconds per second a session may use on average: a tenth of a core (a student moving the heaviest slider,
an eigenvalue of the bowl, every 2 s uses about half of it)."""
BURST = 1.0
"""CPU seconds a session may use at once: a student's burst of quick moves on the heaviest lesson fits."""
MAX_DEBT = 0.5
"""The largest debt one run can leave, so the longest wait is ``MAX_DEBT / RATE`` = 5 s."""

PRESENT = 10.0
"""Seconds since its last run for which another session counts as present."""

_local = threading.local()
_lock = threading.Lock()
_last_run: dict[str, float] = {}  # session id -> when it last started a run


def _others_present(me: str, now: float) -> bool:
    """Whether another session ran within :data:`PRESENT` seconds (forgetting the ones that did not)."""
    with _lock:
        for sid in [sid for sid, t in _last_run.items() if now - t > PRESENT]:
            del _last_run[sid]
        _last_run[me] = now
        return len(_last_run) > 1


@contextmanager
def metered() -> Iterator[None]:
    """Run the block within this session's share: if the session is in debt while others use the server, wait
    first (alone on the server, nobody waits); then charge the block's CPU time. Re-entrant: a section inside a
    metered run is charged once, with the run."""
    if getattr(_local, "active", False):
        yield
        return
    me = st.session_state.setdefault("fair.id", secrets.token_hex(8))
    tokens, last = st.session_state.get("fair.bucket", (BURST, time.monotonic()))
    now = time.monotonic()
    tokens = min(BURST, tokens + (now - last) * RATE)
    if tokens < 0 and _others_present(me, now):
        time.sleep(-tokens / RATE)
        tokens = 0.0
    _others_present(me, time.monotonic())
    _local.active = True
    start = time.thread_time()
    try:
        yield
    finally:
        _local.active = False
        spent = time.thread_time() - start
        st.session_state["fair.bucket"] = (max(-MAX_DEBT, tokens - spent), time.monotonic())


_heavy = threading.RLock()


@contextmanager
def heavy() -> Iterator[None]:
    """Run the block in the server's one slot for heavy engine work (a network's training, a stream of thousands of
    steps: 0.1 to 10 s on a miss), waiting for it if another session holds it. Python runs one thread at a time, in
    turns of a few milliseconds: with twenty trainings under way, a light rerun (a lookup, 10-40 ms of work) took
    a turn after each of them and waited for all twenty; with one at a time it waits for one. Heavy work queues
    behind heavy work instead. Measured (``benchmarks/class_load.py``, 100 students over the five lessons, with and
    without the slot in one session): the four lighter lessons' median move 7.1 -> 3.0 s and the server's moves
    10.8 -> 17.7 a second, while the practice lesson's trainings queue (its median 7.5 -> 10 s, replies over 10 s
    9 -> 78). Re-entrant."""
    with _heavy:
        yield


def section(fn: Callable[..., Any] | None = None, *, every: float | None = None) -> Any:
    """A lesson section: an ``st.fragment`` (a move of its controls reruns it alone), metered like a whole run;
    with ``every`` (seconds) it also reruns by itself that often (a live tally), as ``@section(every=2)``."""

    def wrap(f: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(f)
        def run(*args: Any, **kwargs: Any) -> Any:
            from ui import lecture, new_controls

            if lecture.hidden(f.__name__):  # present mode shows the lecture scene's section alone
                return None
            if lecture.focus() is None:  # one section shown alone keeps the page's popover: one row of controls
                new_controls()
            with metered():
                return f(*args, **kwargs)

        return st.fragment(run, run_every=every)

    return wrap(fn) if fn is not None else wrap
