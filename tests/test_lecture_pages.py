"""Lecture scenes in the pages, with AppTest: every built-in scene opens from its URL with every setting taken
(no "ignored" note) and its section drawn; the bar moves between scenes and pages; present mode; the Lectures
page and its presenter view."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from lr_core.lectures import load_lectures
from lr_core.lessons import LECTURES, LESSONS
from tests.apptest_helpers import charts, no_errors, open_page

BY_PATH = {p.url_path: p for p in LESSONS}
SCENES = [(lecture, n) for lecture in load_lectures() for n in range(1, len(lecture.scenes) + 1)]


def open_scene(lecture, n: int, present: bool = True):
    query = parse_qs(urlsplit(lecture.url(n, present=present)).query)
    page = BY_PATH[lecture.scenes[n - 1].page]
    at = open_page(page.key, **{k: v if len(v) > 1 else v[0] for k, v in query.items()})
    no_errors(at)
    return at, page


def words(at) -> str:
    return " ".join(e.value for kind in (at.markdown, at.warning, at.info, at.success) for e in kind)


@pytest.mark.parametrize("lecture, n", SCENES, ids=[f"{lec.id}-{n}" for lec, n in SCENES])
def test_every_built_in_scene_opens_with_its_settings_taken_and_its_section_drawn(lecture, n):
    scene = lecture.scenes[n - 1]
    at, page = open_scene(lecture, n)
    notes = [w.value for w in at.warning]
    assert not [w for w in notes if "ignored" in w or "does not have" in w], notes
    store = at.session_state[f"scene:{page.key}"]
    for key, value in scene.values().items():
        assert store[key] == value, (key, store[key], value)
    text = words(at).replace("\\", "")
    assert f"## {scene.title}" in text and f"Scene {n} of {len(lecture.scenes)}" in text.replace("*", "")
    assert charts(at), "the scene's section drew its figure"


def test_the_bar_steps_through_scenes_across_pages_and_keeps_present_mode():
    lecture = next(lec for lec in load_lectures() if lec.id == "learning-rate-50")
    last_on_first_page = max(n for n, s in enumerate(lecture.scenes, 1) if s.page == lecture.scenes[0].page)
    at, _ = open_scene(lecture, last_on_first_page - 1)
    at.button(key="lecture.next").click().run()
    assert at.query_params["scene"] == str(last_on_first_page) and at.query_params["present"] == "1"
    store = at.session_state["scene:update_rule"]
    assert all(store[k] == v for k, v in lecture.scenes[last_on_first_page - 1].values().items())
    at.button(key="lecture.next").click().run()  # the next scene is on the next lesson
    no_errors(at)
    following = lecture.scenes[last_on_first_page]
    assert at.query_params["scene"] == str(last_on_first_page + 1)
    assert f"## {following.title}" in words(at).replace("\\", "")
    at, _ = open_scene(lecture, last_on_first_page + 1)  # (AppTest reruns the page it opened, not a switched-to one)
    at.button(key="lecture.previous").click().run()
    assert at.query_params["scene"] == str(last_on_first_page)
    assert f"## {lecture.scenes[last_on_first_page - 1].title}" in words(at).replace("\\", "")
    at, _ = open_scene(lecture, last_on_first_page)
    at.button(key="lecture.exit").click().run()
    assert "present" not in at.query_params and at.title[0].value == BY_PATH["update-rule"].title


def test_a_link_to_a_scene_that_does_not_exist_opens_the_page_with_a_note():
    at = open_page("update_rule", lecture="no-such-lecture", scene="3")
    no_errors(at)
    assert any("lecture scene that does not exist" in w.value for w in at.warning)
    assert at.session_state["scene:update_rule"]["lr"] == 0.3


def test_present_mode_is_a_switch_on_every_page():
    at = open_page("convergence")
    at.toggle(key="present.toggle").set_value(True).run()
    assert at.query_params["present"] == "1"
    at.toggle(key="present.toggle").set_value(False).run()
    assert "present" not in at.query_params


def test_the_lectures_page_lists_every_lecture_and_an_instructors_problems(tmp_path, monkeypatch):
    (tmp_path / "mine.toml").write_text('id = "mine"\ntitle = "Mine"\n[[scenes]]\npage = "nowhere"\n')
    monkeypatch.setenv("LRLAB_LECTURES_EXTRA", str(tmp_path))
    at = open_page("lectures")
    shown = [h.value for h in at.subheader]
    assert "The learning rate in 50 minutes" in shown and "The learning rate in 10 minutes" in shown
    assert any("mine.toml: no scene can be used: scene 1: page" in w.value.replace("\\", "") for w in at.warning)


def test_the_presenter_view_shows_the_notes_and_what_comes_next_and_steps():
    lecture = next(lec for lec in load_lectures() if lec.id == "learning-rate-10")
    at = open_page("lectures", lecture=lecture.id, scene="2")
    no_errors(at)
    text = words(at).replace("\\", "")
    assert lecture.scenes[1].notes[:60] in text and lecture.scenes[2].title in text
    assert "scene **2** of **5**" in text.replace("\\", "")
    next(b for b in at.button if b.label == "Next ▶").click().run()
    assert at.query_params["scene"] == "3"
    assert lecture.scenes[2].notes[:60] in words(at).replace("\\", "")
    assert LECTURES.title == at.title[0].value
