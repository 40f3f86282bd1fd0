"""lr_core/course.py: the course's loop, run from the very text the page shows, is the course's arithmetic."""

import numpy as np

from lr_core.course import COURSE_LOOP, course_loop
from tests.test_runner import seed_loop


def test_the_course_loop_runs_as_shown_and_gives_the_courses_paths():
    paths = course_loop()
    assert sorted(paths) == [0.05, 0.3, 0.8]
    for lr, path in paths.items():
        assert np.array_equal(path, seed_loop(lr)), lr
    assert "theta = theta - lr * grad(theta)" in COURSE_LOOP and "for _ in range(15):" in COURSE_LOOP
