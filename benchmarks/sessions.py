"""Simulated students for the load benchmarks: each a real Streamlit session over its websocket, speaking
Streamlit's own protobuf messages, as a browser does.

A :class:`Student` opens a page (a full script run, with the link's query string), finds its control by label in
the elements it receives (a slider or a select slider, and the ``st.fragment`` it sits in), then moves it to
random values: every ``period`` seconds with a random phase, or back to back (``period=0``, a student who spams).
Each move's latency is timed from the message sent to the script-finished message; an exception element, a lost
connection or no answer within :data:`TIMEOUT` counts as an error.
"""

from __future__ import annotations

import asyncio
import random
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

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
    widget: object = None  # the control's proto (slider or select slider)
    sliders: list[str] = field(default_factory=list)  # the label of every slider the runs drew
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
            if self.widget.options:  # a select slider sends the option as shown
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
                elif which == "exception":
                    ok = False
            elif kind == "script_finished":
                return ok

    async def run(self, until: float) -> None:
        try:
            async with websockets.connect(self.url, subprotocols=["streamlit"], max_size=None,
                                          open_timeout=TIMEOUT) as ws:  # fmt: skip
                await ws.send(self._rerun(False))
                if not await self._until_finished(ws) or self.widget is None:
                    self.errors += 1
                    return
                await asyncio.sleep(self.rng.uniform(0, self.period))
                while time.monotonic() < until:
                    t0 = time.perf_counter()
                    await ws.send(self._rerun(True))
                    try:
                        ok = await self._until_finished(ws)
                    except TimeoutError:
                        ok = False
                    self.latencies.append(time.perf_counter() - t0)
                    self.errors += not ok
                    await asyncio.sleep(max(0.0, self.period - (time.perf_counter() - t0)))
        except (OSError, websockets.WebSocketException, TimeoutError):
            self.errors += 1


def start_server(*options: str) -> tuple[subprocess.Popen, str]:
    """``python -m ui.server`` on a free port, healthy; its websocket URL."""
    from tests.browser.conftest import _free_port

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "ui.server", "--server.port", str(port), "--server.headless", "true", *options],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    return server, f"ws://127.0.0.1:{port}/_stcore/stream"


def rss_mb(pid: int) -> float:
    """A process's resident memory, in MB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")
