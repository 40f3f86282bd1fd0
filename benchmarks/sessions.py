"""Simulated students for the load benchmarks: each a real Streamlit session over its websocket, speaking
Streamlit's own protobuf messages, as a browser does.

A :class:`Student` opens a page (a full script run, with the link's query string), finds its control by label in
the elements it receives (a slider or a select slider, or a control scrubbed on a figure, and the ``st.fragment``
it sits in), then moves it to random values (a scrubbed control: the value a drag ends on, sent as the figure's
trigger, as ``ui/plot.js`` sends it): every ``period`` seconds with a random phase, or back to back
(``period=0``, a student who spams).
Each move's latency is timed from the message sent to the script-finished message; an exception element, a lost
connection or no answer within :data:`TIMEOUT` counts as an error.
"""

from __future__ import annotations

import asyncio
import json
import random
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.components.v2.bidi_component.main import _make_trigger_id
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from deploy import services
from lr_core.lessons import LESSONS

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 10.0


@dataclass(frozen=True)
class Target:
    """What a student does: the page (its URL path), the link's query string, the label of the control moved."""

    page: str
    label: str
    query: str = ""


@dataclass
class Student:
    url: str
    rng: random.Random
    target: Target
    period: float = 2.0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    page_hash: str = ""
    widget: object = None  # the control's proto (slider or select slider, or the figure it is scrubbed on)
    scrub: list[float] = field(default_factory=list)  # a scrubbed control's options
    sliders: list[str] = field(default_factory=list)  # the label of every slider (or scrub) the runs drew
    fragment_id: str = ""  # the control's st.fragment, if any: a move then reruns only that, as in a browser

    def _rerun(self, move: bool) -> bytes:
        msg = BackMsg()
        state = msg.rerun_script
        state.page_name = self.target.page
        state.page_script_hash = self.page_hash
        state.query_string = self.target.query
        if move and self.widget is not None:
            state.fragment_id = self.fragment_id
            w = WidgetState(id=self.widget.id)
            if self.scrub:  # a drag of a control on a figure ends: the figure's trigger carries the value
                w = WidgetState(id=_make_trigger_id(self.widget.id, "events"))
                w.json_trigger_value = json.dumps([{"event": "scrub", "value": self.rng.choice(self.scrub)}])
            elif self.widget.options:  # a select slider sends the option as shown
                w.string_array_value.data.append(self.rng.choice(list(self.widget.options)))
            else:
                lo, hi, step = self.widget.min, self.widget.max, self.widget.step or 1
                w.double_array_value.data.append(lo + step * self.rng.randint(0, round((hi - lo) / step)))
            state.widget_states.widgets.append(w)
        return msg.SerializeToString()

    async def _until_finished(self, ws) -> bool:
        """Read messages until the run finishes; False if it raised."""
        ok = True
        while True:
            raw = await asyncio.wait_for(ws.recv(), TIMEOUT)
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            if kind == "navigation" and fwd.navigation.page_script_hash:
                self.page_hash = fwd.navigation.page_script_hash
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                which = element.WhichOneof("type")
                if which == "slider":
                    self.sliders.append(element.slider.label)
                if which == "slider" and element.slider.label == self.target.label and self.widget is None:
                    self.widget = element.slider
                    self.fragment_id = fwd.delta.fragment_id
                elif which == "bidi_component" and self.widget is None:  # found: its later runs need no reading
                    control = (json.loads(element.bidi_component.json).get("scrub") or {}).get("control")
                    if control:
                        self.sliders.append(control["label"])
                    if control and control["label"] == self.target.label and self.widget is None:
                        self.widget, self.scrub = element.bidi_component, control["values"]
                        self.fragment_id = fwd.delta.fragment_id
                elif which == "exception":
                    ok = False
            elif kind == "script_finished":
                return ok

    async def open(self, ws) -> bool:
        """Open the page on ``ws`` (a full script run, which finds the control): whether it ran without raising."""
        await ws.send(self._rerun(False))
        return await self._until_finished(ws)

    async def move(self, ws) -> float:
        """Move the control once and wait until the run it starts has finished: the seconds it took, kept in
        ``latencies`` (an exception element or no answer within :data:`TIMEOUT` counts in ``errors``)."""
        t0 = time.perf_counter()
        await ws.send(self._rerun(True))
        try:
            ok = await self._until_finished(ws)
        except TimeoutError:
            ok = False
        took = time.perf_counter() - t0
        self.latencies.append(took)
        self.errors += not ok
        return took

    async def run(self, until: float, arrive: float = 0.0) -> None:
        """Open the page ``arrive`` seconds from now (a class comes in over a minute, not in one instant), then move
        the control until ``until``."""
        await asyncio.sleep(arrive)
        try:
            async with websockets.connect(self.url, subprotocols=["streamlit"], max_size=None,
                                          open_timeout=TIMEOUT) as ws:  # fmt: skip
                if not await self.open(ws) or self.widget is None:
                    self.errors += 1
                    return
                await asyncio.sleep(self.rng.uniform(0, self.period))
                while time.monotonic() < until:
                    await asyncio.sleep(max(0.0, self.period - await self.move(ws)))
        except (OSError, websockets.WebSocketException, TimeoutError):
            self.errors += 1


async def sliders_on_arrival(url: str, page: str) -> list[str]:
    """The labels of every slider a lesson shows on arrival (what a student can move without opening anything)."""
    probe = Student(url, random.Random(0), Target(page, ""))
    async with websockets.connect(url, subprotocols=["streamlit"], max_size=None) as ws:
        await probe.open(ws)
    return probe.sliders


def spread(url: str, n: int, rng: random.Random) -> list[Target]:
    """``n`` students' targets, evenly over the lessons, each a random slider of its lesson."""
    labels = {p.url_path: asyncio.run(sliders_on_arrival(url, p.url_path)) for p in LESSONS}
    pages = [p.url_path for p in LESSONS]
    return [Target(pages[i % len(pages)], rng.choice(labels[pages[i % len(pages)]])) for i in range(n)]


def start_server(*options: str) -> tuple[subprocess.Popen, str]:
    """The app on a free port, healthy (``deploy.services.start_app``); its websocket URL."""
    proc, url = services.start_app(options=options)
    return proc, ws_url(url)


def ws_url(url: str) -> str:
    """The websocket of the server (or of nginx) at ``http://`` ``url``."""
    return url.replace("http://", "ws://", 1).rstrip("/") + "/_stcore/stream"


def rss_mb(pid: int) -> float:
    """A process's resident memory, in MB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


# ------------------------------------------------------------------------------------------------- one tab

TEXT_ELEMENTS = ("markdown", "heading", "alert")
"""The elements whose words a :class:`Tab` keeps (an ``st.info`` or ``st.success`` is an alert)."""


@dataclass
class Tab:
    """One browser tab on a page, over the page's websocket: it remembers the widgets the runs drew (by label),
    sends their values back on every rerun as a browser does, follows the URL the page sets (``st.query_params``),
    reruns a fragment that asks to rerun by itself (``run_every``) when :meth:`poll` is called, and keeps the words
    of the last run (``texts``). ``cookie`` goes with the websocket's handshake (nginx's sticky cookie)."""

    url: str
    page: str
    query: str = ""
    cookie: str = ""
    page_hash: str = ""
    widgets: dict[str, tuple[object, str, str]] = field(default_factory=dict)  # label -> (proto, kind, fragment)
    values: dict[str, WidgetState] = field(default_factory=dict)  # widget id -> its value, sent on every rerun
    auto: dict[str, float] = field(default_factory=dict)  # fragment id -> seconds between its own reruns
    texts: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    timeout: float = TIMEOUT
    ws: object = None

    async def __aenter__(self) -> Tab:
        headers = {"Cookie": self.cookie} if self.cookie else None
        self.ws = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=None,
                                           open_timeout=self.timeout, additional_headers=headers)  # fmt: skip
        await self.rerun()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.ws.close()

    async def rerun(self, fragment_id: str = "", trigger: str = "") -> None:
        """Rerun the page (or one fragment), with every widget's value and ``trigger`` (a button's id) pressed."""
        msg = BackMsg()
        state = msg.rerun_script
        state.page_name, state.page_script_hash, state.query_string = self.page, self.page_hash, self.query
        state.fragment_id = fragment_id
        for wid, value in self.values.items():
            if wid != trigger:
                state.widget_states.widgets.append(value)
        if trigger:
            state.widget_states.widgets.append(WidgetState(id=trigger, trigger_value=True))
        await self.ws.send(msg.SerializeToString())
        await self._until_finished(fresh=not fragment_id)

    async def _until_finished(self, fresh: bool) -> None:
        if fresh:
            self.widgets.clear()
        self.texts = []
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(await asyncio.wait_for(self.ws.recv(), self.timeout))
            kind = fwd.WhichOneof("type")
            if kind == "navigation" and fwd.navigation.page_script_hash:
                self.page_hash = fwd.navigation.page_script_hash
            elif kind == "page_info_changed":
                self.query = fwd.page_info_changed.query_string
            elif kind == "auto_rerun":
                self.auto[fwd.auto_rerun.fragment_id] = fwd.auto_rerun.interval
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                which = element.WhichOneof("type")
                proto = getattr(element, which)
                if which == "exception":
                    self.exceptions.append(f"{proto.type}: {proto.message}")
                elif which in TEXT_ELEMENTS:
                    self.texts.append(proto.body)
                elif hasattr(proto, "label") and hasattr(proto, "id"):
                    self.widgets[proto.label] = (proto, which, fwd.delta.fragment_id)
            elif kind == "script_finished":
                return

    def widget(self, label: str) -> tuple[object, str, str]:
        """The widget labelled ``label`` in the runs so far; ``KeyError`` naming those there are."""
        for shown, found in self.widgets.items():
            if shown == label or shown.startswith(label):
                return found
        raise KeyError(f"no widget {label!r} on {self.page}; there are {sorted(self.widgets)}")

    async def set(self, label: str, value: object) -> None:
        """Give a text input, a radio or a select box ``value`` (an option as shown, or a text), as typing or a
        click does, and rerun."""
        proto, _kind, fragment = self.widget(label)
        self.values[proto.id] = WidgetState(id=proto.id, string_value=str(value))
        await self.rerun(fragment)

    async def click(self, label: str) -> None:
        """Press the button labelled ``label``, and rerun."""
        proto, _kind, fragment = self.widget(label)
        await self.rerun(fragment, trigger=proto.id)

    async def poll(self) -> None:
        """What the browser's timer does: rerun every fragment that asked to rerun by itself."""
        for fragment in list(self.auto):
            await self.rerun(fragment)

    def text(self, containing: str) -> str:
        """The first text of the last run containing ``containing``; ``KeyError`` naming those there are."""
        for t in self.texts:
            if containing in t:
                return t
        raise KeyError(f"no text with {containing!r}; the last run showed {self.texts}")
