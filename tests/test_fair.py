"""ui/fair.py: each session's token bucket of CPU time, in real Streamlit sessions (AppTest), two at once."""

import threading
import time

from streamlit.testing.v1 import AppTest


def script() -> None:
    import time

    import streamlit as st

    from ui import fair

    fair.RATE, fair.BURST, fair.MAX_DEBT, fair.PRESENT = 0.25, 0.2, 0.4, 2.0  # small numbers for a quick test
    work = st.session_state.get("work", 0.0)
    start = time.perf_counter()
    with fair.metered():
        waited = time.perf_counter() - start
        with fair.metered():  # a section inside a metered run: charged once, with the run
            end = time.thread_time() + work
            while time.thread_time() < end:  # CPU work, which is what the bucket charges
                pass
    st.session_state.setdefault("waits", []).append(waited)


def _session(work: float = 0.0) -> AppTest:
    at = AppTest.from_function(script, default_timeout=30)
    at.session_state["work"] = work
    return at


def test_a_session_in_debt_waits_while_others_use_the_server_and_never_alone():
    from ui import fair

    saved = fair.RATE, fair.BURST, fair.MAX_DEBT, fair.PRESENT
    try:
        with fair._lock:
            fair._last_run.clear()  # sessions of earlier tests in this process are not on this server
        student = _session()
        student.run()
        student.session_state["work"] = 0.5  # 0.5 s of CPU against a 0.2 s burst: 0.3 s in debt
        student.run()
        student.session_state["work"] = 0.0
        other = _session(work=1.0)
        busy = threading.Thread(target=other.run)
        busy.start()
        while len(fair._last_run) < 2:  # another session's run is under way (however slow the machine starts it)
            time.sleep(0.005)
        student.run()  # in debt while another runs: waits until paid, at 0.25 s per second (1.2 s, less the gap)
        busy.join()
        student.run()  # paid: no wait
        time.sleep(fair.PRESENT + 0.1)  # the other session has gone quiet
        student.session_state["work"] = 0.5
        student.run()  # in debt again...
        student.session_state["work"] = 0.0
        student.run()  # ...but alone on the server: it goes ahead
        waits = student.session_state["waits"]
        assert waits[0] < 0.02 and waits[1] < 0.02, "a fresh session and one within its burst never wait"
        assert 0.4 < waits[2] <= 1.25, waits  # the gap between the two runs is well under 0.8 s
        assert waits[3] < 0.02 and waits[5] < 0.02, waits
        assert other.session_state["waits"][0] < 0.02
        assert -fair.MAX_DEBT <= student.session_state["fair.bucket"][0] <= fair.BURST
    finally:
        fair.RATE, fair.BURST, fair.MAX_DEBT, fair.PRESENT = saved


def heavy_script() -> None:
    import time

    import streamlit as st

    from ui import fair

    log = st.session_state["log"]
    with fair.heavy():
        log.append(("in", st.session_state["name"], time.perf_counter()))
        with fair.heavy():  # re-entrant: a heavy call inside a heavy call goes straight in
            end = time.thread_time() + 0.3
            while time.thread_time() < end:
                pass
        log.append(("out", st.session_state["name"], time.perf_counter()))


def test_heavy_work_runs_one_session_at_a_time_and_light_work_never_waits_for_it():
    """Two sessions' heavy blocks at once: the second starts when the first ends. A session with no heavy work
    runs meanwhile without waiting for the slot."""
    log: list = []
    sessions = []
    for name in ("a", "b"):
        at = AppTest.from_function(heavy_script, default_timeout=30)
        at.session_state["log"], at.session_state["name"] = log, name
        sessions.append(at)
    threads = [threading.Thread(target=at.run) for at in sessions]
    for t in threads:
        t.start()
    while not log:
        time.sleep(0.005)
    from ui import fair

    saved = fair.RATE, fair.BURST, fair.MAX_DEBT, fair.PRESENT
    try:
        light = _session()
        light.run()  # while a heavy block holds the slot
    finally:
        fair.RATE, fair.BURST, fair.MAX_DEBT, fair.PRESENT = saved
    for t in threads:
        t.join()
    events = [(kind, name) for kind, name, _ in sorted(log, key=lambda e: e[2])]
    first = events[0][1]
    second = "b" if first == "a" else "a"
    assert events == [("in", first), ("out", first), ("in", second), ("out", second)], events
    assert light.session_state["waits"][0] < 0.02
    assert not any(at.exception for at in sessions)
