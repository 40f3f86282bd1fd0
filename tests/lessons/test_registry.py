"""lr_core/lessons/__init__.py: one registry of pages feeds the navigation, the home page and the tests."""

from pathlib import Path

from lr_core import lessons
from lr_core.controls import Control, by_key
from lr_core.quiz import load_bank

ROOT = Path(__file__).resolve().parents[2]


def test_every_lesson_module_is_registered_with_a_page_file_and_unique_paths():
    assert [p.key for p in lessons.LESSONS] == ["update_rule", "convergence", "schedules", "adaptive", "practice"]
    assert lessons.PAGES[0] is lessons.HOME and lessons.PAGES[-1] is lessons.QUIZ
    for page in lessons.PAGES:
        assert (ROOT / page.file).is_file(), page.file
    paths = [p.url_path for p in lessons.PAGES]
    assert len(set(paths)) == len(paths)
    keys = [p.key for p in lessons.PAGES]
    assert len(set(keys)) == len(keys)


def test_no_helper_lives_among_the_pages():
    """Streamlit runs any pages/*.py by URL on a fresh server: everything there must be a registered page."""
    registered = {p.file for p in lessons.PAGES}
    assert {f"pages/{f.name}" for f in (ROOT / "pages").iterdir() if f.name != "__pycache__"} == registered


def test_every_embedded_question_exists_in_the_bank():
    bank = {q.id for q in load_bank()}
    for page in lessons.PAGES:
        missing = [q for q in page.questions if q not in bank]
        assert not missing, f"{page.title} embeds questions the bank lacks: {missing}"


def test_each_lesson_declares_its_controls_once_with_unique_keys():
    import importlib

    for page in lessons.LESSONS:
        module = importlib.import_module(f"lr_core.lessons.{page.key}")
        controls = module.CONTROLS
        assert all(isinstance(c, Control) for c in controls)
        assert len(by_key(controls)) == len({c.key for c in controls})
        for c in controls:
            assert c.parse(c.encode(c.default)) == c.default, (page.key, c.key)


def test_no_two_controls_of_a_page_share_a_label():
    """A label is a control's accessible name: a screen reader's list of a page's controls, a voice command and a
    test's get_by_role must tell any two apart (the race's and the sparse section's "η for SGD" could not)."""
    for page, controls in lessons.CONTROLS.items():
        labels = [c.label for c in controls]
        assert len(set(labels)) == len(labels), (page, sorted({x for x in labels if labels.count(x) > 1}))


def test_every_section_of_a_page_is_metered():
    """A page's sections are ``@ui.section`` (an st.fragment with the session's fair share), never a bare
    ``@st.fragment``, whose reruns would escape the meter (ui/fair.py)."""
    for page in lessons.PAGES:
        source = (ROOT / page.file).read_text(encoding="utf-8")
        assert "st.fragment" not in source, page.file
