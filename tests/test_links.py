"""Shared links, fuzzed (AppTest + hypothesis): any query string on any page, with every key the page has, hostile
and random values, repeated keys, unicode and 10 KB values. The page draws without an exception, and nothing from
the URL reaches it as markup: rendered as CommonMark, every markdown element's text from the link sits in a code
span, with no link, image, HTML or LaTeX outside one."""

from __future__ import annotations

import importlib
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from lr_core import classroom, quiz
from lr_core.lessons import CLASS, LESSONS, QUIZ
from tests.apptest_helpers import open_page

KEYS = {p.key: [c.key for c in importlib.import_module(f"lr_core.lessons.{p.key}").CONTROLS] for p in LESSONS}
KEYS[QUIZ.key] = [c.key for c in quiz.CONTROLS]
KEYS[CLASS.key] = [c.key for c in classroom.CONTROLS]

HOSTILE = [
    "`[Grades: log in](https://evil.example)`",
    "`![t](http://127.0.0.1:9/t.png)`",
    "`$\\color{red}{\\huge HACKED}$`",
    "``` ` `` $x$",
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "**bold** _em_ # heading",
    "https://evil.example/login",
    "$$\\frac{1}{0}$$",
    ":red[alarm] :material/warning:",
    "\u202e\u200b\ufeff",
    "nan",
    "-inf",
    "1e308",
    "1_0",
    "５",
    "0x10",
    "",
]
VALUES = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=30),
    st.text(alphabet="`$[]()!<>*_\\:#|~", max_size=20),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(HOSTILE).map(lambda v: (v + "x") * (10_000 // (len(v) + 1))),  # ~10 KB
)
CHAR = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")


def queries(page: str):
    """A query string as a dict: the page's own keys and stray ones, each with one value or a repeated key."""
    key = st.sampled_from(KEYS[page]) | st.sampled_from(HOSTILE[:4]) | st.text(CHAR, min_size=1, max_size=12)
    value = VALUES | st.lists(VALUES, min_size=2, max_size=3)
    return st.dictionaries(key.filter(lambda k: k and "\x00" not in k), value, max_size=6)


MD = MarkdownIt("commonmark", {"html": True})
CODE = re.compile(r"<code>.*?</code>", re.DOTALL)
LIVE = re.compile(r"<a |<img|<script|<(?!/?(p|em|strong|code|ul|li|ol|br|h\d)\b)[a-z]|\$|https?:|javascript:", re.I)


def _outside_code(markdown: str) -> str:
    """What a markdown body renders to outside its code spans (CommonMark, as Streamlit's renderer reads it)."""
    return CODE.sub("", MD.render(markdown))


EXAMPLES = {"practice": 6}
"""Links per page; fewer where a link's settings train networks afresh (seconds each)."""
MARKUP = re.compile(r"[`$\[\]()!<>*_\\:#|~&]")


@pytest.mark.parametrize("page", list(KEYS))
def test_any_link_draws_the_page_and_nothing_from_it_becomes_markup(page):
    @settings(max_examples=EXAMPLES.get(page, 25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(data=st.data())
    def check(data):
        query = data.draw(queries(page))
        at = open_page(page, **query)
        assert not at.exception, (query, [e.message for e in at.exception])
        assert at.title and at.title[0].value, "the page is drawn"
        for note in at.warning:
            live = LIVE.search(_outside_code(note.value))
            assert not live, (query, note.value[:300], live)
        for element in at.markdown:
            text = element.value
            for value in (v for vs in query.values() for v in ([vs] if isinstance(vs, str) else vs)):
                # a URL value that could be markup, shown in the page: only ever as code (plain words such as
                # "best v" may be in the page's own text)
                if len(value) >= 6 and MARKUP.search(value) and value in text:
                    assert value not in re.sub(r"<[^>]+>", "", _outside_code(text)), (query, text[:300])

    check()
