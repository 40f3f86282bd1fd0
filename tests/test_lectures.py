"""lr_core/lectures: the built-in lectures load whole and cover the course; an instructor's file that cannot be
used is reported with the file, the scene and the problem, and everything else keeps working."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from lr_core import lectures
from lr_core.lessons import CONTROLS, LESSONS
from lr_core.quiz import load_bank

BANK = frozenset(q.id for q in load_bank())


@pytest.fixture(scope="module")
def built_in():
    found, problems = lectures.collect()
    assert problems == []
    return {lecture.id: lecture for lecture in found}


def test_the_50_minute_lecture_visits_every_lesson_in_the_courses_order_with_notes_to_read(built_in):
    long = built_in["learning-rate-50"]
    assert long.title == "The learning rate in 50 minutes" and len(long.scenes) >= 20
    pages = [s.page for s in long.scenes]
    order = [p.url_path for p in LESSONS]
    assert sorted(set(pages), key=order.index) == order, "every lesson page"
    assert [order.index(p) for p in pages] == sorted(order.index(p) for p in pages), "in the course's order"
    assert all(len(s.notes.split()) >= 30 for s in long.scenes), "notes an instructor can read aloud"
    assert all(s.question in BANK for s in long.scenes if s.question)
    assert len({s.question for s in long.scenes if s.question}) >= 20


def test_the_10_minute_lecture_is_a_short_version(built_in):
    short = built_in["learning-rate-10"]
    assert 3 <= len(short.scenes) <= 8 and short.minutes == 10


def test_every_built_in_setting_is_one_its_page_accepts(built_in):
    for lecture in built_in.values():
        for n, scene in enumerate(lecture.scenes, start=1):
            controls = {c.key: c for c in CONTROLS[scene.page]}
            values = scene.values()
            assert set(values) == set(scene.settings) <= set(controls), (lecture.id, n)
            query = parse_qs(urlsplit(lecture.url(n)).query)
            assert query["lecture"] == [lecture.id] and query["scene"] == [str(n)] and query["present"] == ["1"]
            for key, value in values.items():  # the link carries what the page will read back
                assert controls[key].parse(query.get(key, controls[key].encode(controls[key].default))) == value


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


GOOD_SCENE = """
[[scenes]]
page = "update-rule"
title = "A good scene"
text = "It works."
settings = { lr = 0.5 }
"""


def test_a_bad_scene_is_reported_with_its_file_and_number_and_the_rest_of_the_lecture_stays(tmp_path):
    path = write(
        tmp_path,
        "mine.toml",
        'id = "mine"\ntitle = "Mine"\n'
        + GOOD_SCENE
        + """
[[scenes]]
page = "update-rule"
title = "Too fast"
text = "A rate past the slider."
settings = { lr = "fast" }

[[scenes]]
page = "update-rule"
title = "Wrong key"
text = "A key of another page."
settings = { lmax = 3 }

[[scenes]]
page = "nowhere"
title = "No page"
text = "."

[[scenes]]
page = "update-rule"
title = "No question"
text = "."
question = "not-in-the-bank"
"""
        + GOOD_SCENE,
    )
    found, problems = lectures.collect(path, bank_ids=BANK)
    mine = lectures.find(found, "mine")
    assert [s.title for s in mine.scenes] == ["A good scene", "A good scene"]
    assert len(problems) == 4 and all(p.startswith("mine.toml: scene ") for p in problems)
    assert "scene 2 ('Too fast'): lr = 'fast'" in problems[0]
    assert "scene 3 ('Wrong key'): 'lmax' is not a setting of the page 'update-rule'" in problems[1]
    assert "scene 4 ('No page'): page 'nowhere' is not a lesson" in problems[2]
    assert "not-in-the-bank" in problems[3]
    assert {"learning-rate-50", "learning-rate-10"} <= {lecture.id for lecture in found}, "the built-in ones stay"


@pytest.mark.parametrize(
    "text, problem",
    [
        ("id = [", "not valid TOML"),
        ('id = "has space"\ntitle = "x"' + GOOD_SCENE, "`id` must be"),
        ('id = "ok"\ntitle = "x"\n', "`scenes` must be"),
        ('id = "ok"\ntitle = "x"\n[[scenes]]\npage = "update-rule"\ntitle = "t"\ntext = 3\n', "no scene can be used"),
        ('id = "learning-rate-50"\ntitle = "x"' + GOOD_SCENE, "exists already"),
    ],
)
def test_a_file_that_cannot_be_used_is_left_out_whole_and_named(tmp_path, text, problem):
    path = write(tmp_path, "bad.toml", text)
    found, problems = lectures.collect(path, bank_ids=BANK)
    assert len(problems) == 1 and problems[0].startswith("bad.toml: ") and problem in problems[0]
    assert len(found) == 2, "the built-in lectures still load"


def test_an_instructors_folder_of_lectures_is_read_after_the_built_in_ones(tmp_path):
    write(tmp_path, "a.toml", 'id = "a"\ntitle = "A"' + GOOD_SCENE)
    write(tmp_path, "b.toml", 'id = "b"\ntitle = "B"\nminutes = 5' + GOOD_SCENE.replace("0.5", "2"))
    found = lectures.load_lectures(tmp_path)
    assert [lecture.id for lecture in found][-2:] == ["a", "b"]
    assert found[-1].scenes[0].values() == {"lr": 2.0} and found[-1].minutes == 5
    assert found[-1].url(1, present=False) == "/update-rule?lr=2&lecture=b&scene=1"
