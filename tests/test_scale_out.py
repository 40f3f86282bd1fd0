"""Class mode scaled out as deploy/ runs it: two app replicas behind Debian's nginx (sticky sessions by cookie,
websocket upgrade) sharing a real PostgreSQL server. The instructor and the students use the Class page through
nginx, over Streamlit's websocket as a browser does; students served by each replica answer, and every answer lands
in the one tally the instructor's page shows."""

from __future__ import annotations

import asyncio
import re
import time
import urllib.request
from pathlib import Path

import pytest

from benchmarks.sessions import Tab, ws_url
from deploy import services
from lr_core.classroom import Classroom, class_questions
from lr_core.lessons import CLASS
from lr_core.quiz import load_bank

PER_REPLICA = 3


@pytest.fixture(scope="module")
def hall():
    """Two replicas, nginx and PostgreSQL, as ``python -m deploy.scale --replicas 2`` starts them."""
    with services.scaled(2) as deployment:
        yield deployment


def served_by(front: str, log: Path, cookie: str) -> str:
    """The replica nginx sends a browser with sticky cookie ``cookie`` to (read off its access log)."""
    request = urllib.request.Request(f"{front}/_stcore/health?probe={cookie}", headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    deadline = time.monotonic() + 5  # nginx logs a request just after answering it
    while time.monotonic() < deadline:
        for line in reversed(log.read_text().splitlines()):
            if f"probe={cookie}" in line:
                return line.split()[1]
        time.sleep(0.01)
    raise AssertionError(f"nginx logged no request for {cookie}")


def answered(tab: Tab) -> tuple[int, int]:
    """(answered, joined) as the instructor's page says them."""
    words = re.fullmatch(r"\*\*(\d+)\*\* of \*\*(\d+)\*\* joined have answered\.", tab.text("joined have answered"))
    return int(words[1]), int(words[2])


def test_the_sticky_cookie_keeps_a_browser_on_one_replica_and_spreads_the_hall(hall):
    front, log, replicas = hall.url, hall.access_log, set(hall.replicas)
    first = {c: served_by(front, log, f"lrlab_replica=c{c}") for c in range(12)}
    assert set(first.values()) == replicas  # twelve browsers use both replicas
    assert all(served_by(front, log, f"lrlab_replica=c{c}") == r for c, r in first.items())  # and stay put
    with urllib.request.urlopen(front, timeout=10) as response:  # a new browser is given its cookie
        assert any(h.startswith("lrlab_replica=") for h in response.headers.get_all("Set-Cookie"))


def test_answers_from_students_on_both_replicas_land_in_one_tally(hall):
    front, log, replicas = hall.url, hall.access_log, set(hall.replicas)
    cookies: dict[str, list[str]] = {r: [] for r in replicas}
    n = 0
    while min(len(c) for c in cookies.values()) < PER_REPLICA:
        cookie = f"lrlab_replica=student{n}"
        n += 1
        if len(cookies[replica := served_by(front, log, cookie)]) < PER_REPLICA:
            cookies[replica].append(cookie)

    single = next(q for q in class_questions(load_bank()) if q.kind == "single")

    async def lecture() -> tuple[str, list[str], tuple[int, int]]:
        ws = ws_url(front)
        async with Tab(ws, CLASS.url_path, cookie="lrlab_replica=instructor") as teacher:
            await teacher.click("Open a new class")
            code = next(t for t in teacher.texts if re.fullmatch(r"Class [A-Z0-9]{6}", t))[len("Class ") :]
            options = teacher.widget("Question to ask")[0].options
            await teacher.set("Question to ask", next(o for o in options if o.startswith(f"{single.id}: ")))
            await teacher.click("Ask the class")
            said = []
            for cookie in [c for group in cookies.values() for c in group]:
                async with Tab(ws, CLASS.url_path, query=f"join={code}", cookie=cookie) as student:
                    await student.click("Join")
                    assert "me=" in student.query  # the place in the class is in the URL
                    first_choice = student.widget("Your answer")[0].options[0]
                    await student.set("Your answer", first_choice)
                    await student.click("Send my answer")
                    said.append(student.text("Your answer"))
                    assert not student.exceptions
            await teacher.poll()  # what the instructor's browser does every 2 s
            return code, said, answered(teacher)

    code, said, shown = asyncio.run(lecture())
    students = PER_REPLICA * len(replicas)
    assert said == ["Your answer A is in. Wait for the reveal."] * students
    assert shown == (students, students)
    room = Classroom(hall.database_url)
    tally = room.tally(code, room.current(code).id)
    assert tally["answered"] == students and tally["counts"] == {"0": students}
    deadline = time.monotonic() + 5  # a websocket is logged once nginx has seen it close
    while len(streams := [x.split() for x in log.read_text().splitlines() if "/_stcore/stream" in x]) <= students:
        assert time.monotonic() < deadline, f"nginx logged {len(streams)} websockets, not {students + 1}"
        time.sleep(0.05)
    by_replica = {r: {c for c, s, *_ in streams if s == r} for r in replicas}
    for replica, group in cookies.items():  # each student's websocket went through nginx to its replica
        assert {c.split("=", 1)[1] for c in group} <= by_replica[replica]
