"""lr_core/quiz: the bank covers every topic, every key is right, computed answers agree with the engine."""

import functools
import itertools
import json
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from lr_core import analysis, practice, quiz
from lr_core.optimizers import make_optimizer
from lr_core.runner import run
from lr_core.surfaces import make_surface

BANK = quiz.load_bank()
SEEDS = range(25)


def test_bank_size_and_coverage():
    assert len(BANK) >= 40
    per_topic = Counter(q.topic for q in BANK)
    assert set(per_topic) == set(quiz.TOPICS)
    assert min(per_topic.values()) >= 2, per_topic
    assert {q.kind for q in BANK} == set(quiz.KINDS)
    assert len({q.id for q in BANK}) == len(BANK)
    seed_question = (
        "Which of the following statements best describes the effect of increasing the learning rate in "
        "gradient descent?"
    )
    assert any(q.prompt == seed_question for q in BANK)
    assert all(q.explanation for q in BANK)


def _instances(q):
    return [q.instantiate(s) for s in SEEDS] if q.needs_instance else [q]


def _wrong_responses(q):
    if q.kind in ("single", "predict"):
        return [i for i in range(len(q.choices)) if i != q.answer]
    if q.kind == "multi":
        right = set(q.answer)
        subsets = itertools.chain.from_iterable(
            itertools.combinations(range(len(q.choices)), k) for k in range(1, len(q.choices) + 1)
        )
        return [list(s) for s in subsets if set(s) != right]
    scale = max(abs(q.answer), 1e-6)
    return [q.answer + 3 * q.tolerance * scale, q.answer - 3 * q.tolerance * scale]


UNREADABLE = ["", "abc", None, "1_0", "５", "1,000.5", "nan"]


@pytest.mark.parametrize("question", BANK, ids=[q.id for q in BANK])
def test_the_key_is_accepted_and_every_wrong_answer_rejected(question):
    for q in _instances(question):
        right = q.answer if q.kind != "multi" else list(q.answer)
        feedback = q.check(right)
        assert feedback.correct and feedback.explanation and feedback.answer_text
        if q.kind == "numeric":
            assert q.check(f"{q.answer:.6g}").correct, "a typed answer to 6 digits is accepted"
        for wrong in _wrong_responses(q):
            assert not q.check(wrong).correct, (q.id, wrong)
        if q.kind == "numeric":  # text that is no number is not graded: the student is told to write it again
            for text in UNREADABLE:
                with pytest.raises(ValueError, match="could not read"):
                    q.check(text)
            fraction = f"{q.answer * 8:.6g}/8"
            assert q.check(fraction).correct and q.check(f"{q.answer:.6g}".replace(".", ",")).correct
        assert not any("{" + name + "}" in q.prompt + q.explanation for name in q.params), "every number is filled in"


# -------------------------------------------------------------------------- parametric answers, independently


@pytest.mark.parametrize("seed", SEEDS)
def test_parametric_answers_agree_with_the_engine(seed):
    by_id = {q.id: q.instantiate(seed) for q in BANK if q.params}
    crit = by_id["critical-rate-1d"]
    a, b = crit.values["a"], crit.values["b"]
    surface = make_surface("quadratic_1d", a=a, b=-b, c=0.0)
    start = [b / (2 * a) + 1.0]  # one unit from the minimum
    below = run(surface, make_optimizer("sgd", 0.98 * crit.answer), start, 3000)
    above = run(surface, make_optimizer("sgd", 1.02 * crit.answer), start, 3000)
    assert analysis.classify(below).label in ("converged", "oscillating") and not below.diverged
    assert above.diverged

    q2 = by_id["critical-rate-2d"]
    lam = (q2.values["lam1"], q2.values["lam2"])
    assert q2.answer == pytest.approx(analysis.critical_lr(max(lam)))
    bowl = make_surface("quadratic_2d", eigenvalues=lam)
    assert run(bowl, make_optimizer("sgd", 1.03 * q2.answer), [1.0, 1.0], 3000).diverged
    assert not run(bowl, make_optimizer("sgd", 0.97 * q2.answer), [1.0, 1.0], 3000).diverged

    q3 = by_id["optimal-rate-2d"]
    lam3 = (q3.values["lam1"], q3.values["lam2"])
    grid = np.linspace(0.01, 2 / max(lam3), 2001)
    best = grid[np.argmin(analysis.contraction_factor(grid, lam3))]
    assert q3.answer == pytest.approx(best, abs=2 / max(lam3) / 1000)

    q4 = by_id["update-rule-one-step"]
    v = q4.values
    s = make_surface("quadratic_1d", a=v["a"], b=-2 * v["a"] * v["target"], c=v["a"] * v["target"] ** 2)
    assert q4.answer == pytest.approx(run(s, make_optimizer("sgd", v["lr"]), [v["theta"]], 1).params[1, 0])

    q5 = by_id["shrink-steps"]
    v = q5.values
    traj = run(
        make_surface("quadratic_1d", a=v["curvature"] / 2, b=0.0, c=0.0), make_optimizer("sgd", v["lr"]), [1.0], 500
    )
    assert analysis.steps_to_tolerance(np.abs(traj.params[:, 0])[:, None], 1 / v["factor"])[0] == q5.answer

    q6 = by_id["adam-first-step"]
    step = run(make_surface("rosenbrock"), make_optimizer("adam", q6.values["lr"]), [-1.2, 1.0], 1)
    assert np.allclose(np.abs(step.params[1] - step.params[0]), q6.answer, rtol=1e-6)

    q7 = by_id["contraction-factor"]
    t = run(
        make_surface("quadratic_1d", a=q7.values["curvature"] / 2, b=0.0, c=0.0),
        make_optimizer("sgd", q7.values["lr"]),
        [1.0],
        1,
    )
    assert abs(t.params[1, 0]) == pytest.approx(q7.answer)


# ----------------------------------------------------------------------- predict answers from a fresh engine run


@pytest.mark.parametrize("question", [q for q in BANK if q.kind == "predict"], ids=lambda q: q.id)
def test_predict_answers_agree_with_a_fresh_run(question):
    """Over every draw, the choice marked right is the only one true of a fresh run of the scene."""
    for q in _instances(question):
        scene = q.scene
        if "model" in scene:  # a race of trainings on the digits: the lowest final validation loss wins
            finals = []
            for r in scene["racers"]:
                h = practice.train(
                    scene["model"], make_optimizer(r["optimizer"], r["lr"]), epochs=scene["epochs"],
                    batch_size=scene.get("batch_size"), init="random" if scene["model"] == "mlp" else "zeros",
                )  # fmt: skip
                finals.append(math.inf if h.diverged_at >= 0 else float(h.val_loss[-1]))
            assert q.answer == int(np.argmin(finals))
            continue
        surface = make_surface(scene["surface"], **scene.get("surface_params", {}))
        if "racers" in scene:
            floor = surface.min_value
            finals = []
            for r in scene["racers"]:
                traj = run(surface, make_optimizer(r["optimizer"], r["lr"]), scene["x0"], scene["steps"])
                finals.append(math.inf if traj.diverged else float(traj.losses[-1] - floor))
            assert q.answer == int(np.argmin(finals))
        else:
            traj = run(surface, make_optimizer(scene["optimizer"], scene["lr"]), scene["x0"], scene["steps"])
            verdict = analysis.classify(traj)
            true = [k for k in q.outcomes if analysis.OUTCOMES[k][1](verdict)]
            assert true == [q.outcomes[q.answer]], (q.id, q.values, verdict)


def test_seed_scenes_have_the_seeds_outcomes():
    """The course's three rates: 0.05 too slow, 0.8 converging while overshooting (error 4 × 0.6¹⁵ ≈ 0.002)."""
    by_id = {q.id: q.instantiate(0) for q in BANK}
    right = lambda qid: by_id[qid].outcomes[by_id[qid].answer]
    assert right("seed-rate-015") == "slow"
    assert right("seed-rate-08") == "overshooting"
    assert right("diverge-seed-12") == "diverged"
    assert right("saddle-stall") == "stalled"
    assert right("plateau-stall") == "stalled"


def test_predict_outcomes_never_overlap():
    """No combination of facts makes two outcomes true: the choices of a predict question exclude each other."""
    import itertools

    fates = ["converged", "diverged", "unbounded", "stalled", "slow", None]
    for fate, oscillating in itertools.product(fates, (False, True)):
        facts = {f: f == fate for f in fates if f}
        v = analysis.Verdict(**facts, oscillating=oscillating, label="", reason="")
        assert sum(holds(v) for _, holds in analysis.OUTCOMES.values()) <= 1, (fate, oscillating)


def test_different_students_get_different_numbers():
    q = next(q for q in BANK if q.id == "critical-rate-1d")
    assert len({(i.values["a"], i.values["b"]) for i in _instances(q)}) > 5
    assert q.instantiate(3) == q.instantiate(3)


def test_choices_are_shuffled_per_student_and_the_key_follows():
    """Every choice question shows its choices in an order drawn from the student's seed (the same after a
    reload), the key moves with them, and over students the right answer lands in every position about
    equally often."""
    positions = Counter()
    for question in (q for q in BANK if q.kind in ("single", "multi")):
        assert question.shuffle
        for seed in range(40):
            q = question.instantiate(seed)
            assert sorted(q.order) == list(range(len(question.choices)))
            assert q.choices == tuple(question.choices[i] for i in q.order)
            original = question.answer if q.kind == "multi" else [question.answer]
            shown = q.answer if q.kind == "multi" else [q.answer]
            assert sorted(q.order[i] for i in shown) == sorted(original)
            assert q.check(q.answer if q.kind == "single" else list(q.answer)).correct
            if q.kind == "single" and len(q.choices) == 4:
                positions[q.answer] += 1
        assert question.instantiate(7) == question.instantiate(7)
        assert len({question.instantiate(s).order for s in range(40)}) > 5
    total = sum(positions.values())
    assert all(abs(positions[i] / total - 0.25) < 0.05 for i in range(4)), positions


def test_a_file_may_keep_its_order():
    q = quiz._parse("f.toml", 1, {**_good_table(), "shuffle": False}).instantiate(3)
    assert q.choices == ("a", "b", "c") and q.order == ()
    with pytest.raises(quiz.QuizBankError, match="shuffle"):
        quiz._parse("f.toml", 1, {**_good_table(), "shuffle": "no"})


def _good_table():
    return {"id": "q", "topic": "step size", "kind": "single", "prompt": "P", "explanation": "E",
            "choices": ["a", "b", "c"], "answer": 2}  # fmt: skip


def test_the_longest_or_shortest_choice_is_right_no_more_often_than_chance():
    """Test-wise students pick the longest choice: over the bank's single-choice questions it is the right one no
    more often than picking at random would be, and neither is the shortest."""
    single = [q for q in BANK if q.kind == "single"]
    chance = sum(1 / len(q.choices) for q in single)

    def extreme_is_right(q, pick):
        lengths = [len(c) for c in q.choices]
        return lengths[q.answer] == pick(lengths) and lengths.count(pick(lengths)) == 1

    longest = [q.id for q in single if extreme_is_right(q, max)]
    shortest = [q.id for q in single if extreme_is_right(q, min)]
    assert len(longest) <= chance, longest
    assert len(shortest) <= chance, shortest


def test_an_uninstantiated_question_cannot_be_checked():
    q = next(q for q in BANK if q.id == "critical-rate-1d")
    with pytest.raises(ValueError, match="instantiated"):
        q.check(0.5)


# ---------------------------------------------------------------------------------------------- bad files

GOOD = """
[[question]]
id = "{id}"
topic = "step size"
kind = "single"
prompt = "Pick one"
choices = ["a", "b"]
answer = 0
explanation = "Because."
"""


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("this is = = not toml", "not valid TOML"),
        ("[other]\nx = 1", "no [[question]] tables"),
        (GOOD.format(id="q1").replace('topic = "step size"', 'topic = "astrology"'), "topic 'astrology' is not one of"),
        (GOOD.format(id="q1").replace('kind = "single"', 'kind = "essay"'), "kind 'essay' is not one of"),
        (GOOD.format(id="q1").replace("answer = 0", "answer = 5"), "answer 5 is not an index of its 2 choices"),
        (GOOD.format(id="q1").replace('explanation = "Because."', ""), "needs a non-empty text 'explanation'"),
        (GOOD.format(id="q1").replace('choices = ["a", "b"]', 'choices = ["a"]'), "at least two choices"),
        (GOOD.format(id="q1") + 'colour = "red"', "unknown field(s) colour"),
        (
            GOOD.format(id="q1")
            .replace('kind = "single"', 'kind = "numeric"')
            .replace("answer = 0", 'compute = "magic"'),
            "compute 'magic' is not one of",
        ),
        (GOOD.format(id="q1") + GOOD.format(id="q1"), "already used"),
        (
            '[[question]]\nid = "p1"\ntopic = "divergence"\nkind = "predict"\nprompt = "p"\nexplanation = "e"\n'
            'scene = { surface = "nowhere", optimizer = "sgd", lr = 0.1, x0 = [0.0], steps = 5 }',
            "unknown surface",
        ),
        (
            '[[question]]\nid = "p2"\ntopic = "divergence"\nkind = "predict"\nprompt = "p"\nexplanation = "e"\n'
            'scene = { surface = "quadratic_1d", optimizer = "sgd", lr = 0.1, x0 = [0.0] }',
            "needs a scene",
        ),
    ],
)
def test_a_malformed_file_names_the_file_the_question_and_the_problem(tmp_path, text, problem):
    path = tmp_path / "mine.toml"
    path.write_text(text)
    with pytest.raises(quiz.QuizBankError) as err:
        quiz.load_bank(path)
    message = str(err.value)
    assert message.startswith("mine.toml")
    assert problem in message
    if "[[question]]" in text:
        assert "question '" in message


def test_an_instructor_file_extends_the_bank(tmp_path):
    (tmp_path / "extra.toml").write_text(GOOD.format(id="instructor-1"))
    bank = quiz.load_bank(tmp_path)
    assert len(bank) == len(BANK) + 1 and bank[-1].id == "instructor-1"
    assert bank[-1].check(0).correct and not bank[-1].check(1).correct


# -------------------------------------------------------------------------------------------------- progress


def test_an_answer_is_final_and_a_retry_counts_as_a_retry():
    """After a wrong answer shows the key, answering again is refused: 0/1 stays 0/1. An explicit retry replaces
    the answer, but the score keeps the first one: reading every answer, then retrying, does not give 5/5."""
    p = quiz.Progress()
    q = BANK[0]
    assert p.record(q, False, 1)
    assert not p.record(q, True, 0)
    assert (p.score, p.answered, p.attempts[q.id], p.responses[q.id]) == (0, 1, 1, 1)
    assert p.record(q, True, 0, retry=True)
    assert (p.score, p.right_on_retry, p.answered, p.attempts[q.id]) == (0, 1, 1, 2)
    assert p.by_topic() == {q.topic: (0, 1)} and p.missed() == []
    p.record(BANK[1], False)
    p.record(BANK[2], True)
    assert p.missed() == [BANK[1].id] and (p.score, p.right_on_retry, p.answered) == (1, 1, 3)


def test_progress_without_first_tries_reads_its_results_as_first_tries():
    """A record saved before first tries were kept (or edited in the browser) cannot claim more than it shows."""
    old = {"results": {BANK[0].id: True, BANK[1].id: False}, "topics": {}, "attempts": {}, "responses": {}}
    p = quiz.Progress.from_dict(old)
    assert (p.score, p.right_on_retry) == (1, 0)
    forged = {**old, "first": {BANK[1].id: True}}
    assert quiz.Progress.from_dict(forged).score == 1


def test_progress_round_trips_and_drops_what_a_browser_could_forge():
    p = quiz.Progress()
    p.record(BANK[0], True, 1)
    p.record(BANK[1], False, "0.5")
    assert quiz.Progress.from_dict(json.loads(json.dumps(p.to_dict()))) == p
    forged = {"results": {"x": "yes", BANK[2].id: True}, "topics": {BANK[2].id: "astrology"}, "attempts": 3}
    clean = quiz.Progress.from_dict(forged)
    assert clean.results == {BANK[2].id: True} and clean.topics == {} and clean.attempts == {}
    assert quiz.Progress.from_dict("junk") == quiz.Progress()


def test_a_restored_record_takes_in_this_sessions_answers_first_tries_included():
    """The browser's record comes back after the student already answered here: nothing is lost, and a question
    answered in both keeps the browser's (earlier) first try."""
    kept, mine = quiz.Progress(), quiz.Progress()
    kept.record(BANK[0], False, 1)
    mine.record(BANK[0], True, 0)
    mine.record(BANK[1], False, 2)
    kept.absorb(mine)
    assert kept.results == {BANK[0].id: True, BANK[1].id: False}
    assert kept.first == {BANK[0].id: False, BANK[1].id: False}
    assert (kept.score, kept.right_on_retry, kept.answered) == (0, 1, 2)


def test_select_mixes_topics_and_respects_the_length():
    picked = quiz.select(BANK, [], 9, seed=1)
    assert len(picked) == 9 and len({q.topic for q in picked}) == 9
    only = quiz.select(BANK, ["divergence", "practice"], 40, seed=2)
    assert {q.topic for q in only} == {"divergence", "practice"}
    assert len(only) == sum(q.topic in ("divergence", "practice") for q in BANK)


# ------------------------------------------------------------------------------------- fuzzed question files

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=True) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)
FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "id": st.text(max_size=8) | VALUES,
        "topic": st.sampled_from(quiz.TOPICS) | VALUES,
        "kind": st.sampled_from(quiz.KINDS) | VALUES,
        "prompt": st.text(max_size=20) | VALUES,
        "explanation": st.text(max_size=20) | VALUES,
        "choices": st.lists(st.text(max_size=8), max_size=5) | VALUES,
        "answer": st.integers(-2, 6) | st.lists(st.integers(-1, 5), max_size=4) | VALUES,
        "tolerance": st.floats(allow_nan=True) | VALUES,
        "params": VALUES,
        "compute": st.sampled_from(list(quiz.COMPUTE)) | VALUES,
        "scene": VALUES,
        "outcomes": st.lists(st.sampled_from(list(analysis.OUTCOMES)), max_size=4) | VALUES,
    },
)


@functools.cache
def _builtin_ids() -> frozenset[str]:
    """The built-in bank's question ids, loaded once for all the fuzzed examples (a load is about 0.2 s)."""
    return frozenset(q.id for q in quiz.load_bank())


@settings(max_examples=300, deadline=None)
@given(st.lists(FIELDS | VALUES, min_size=1, max_size=3))
def test_a_fuzzed_question_file_is_loaded_or_reported_never_crashes(tables):
    """Whatever the tables hold, collecting them raises nothing, and every question that loads can be answered
    right with its own key."""
    import tomllib

    def toml(value):
        return json.dumps(value) if not isinstance(value, dict) else "{" + ", ".join(
            f"{json.dumps(k)} = {toml(v)}" for k, v in value.items()) + "}"  # fmt: skip

    try:
        text = "question = [" + ", ".join(toml(t) for t in tables) + "]\n"
        tomllib.loads(text)
    except (ValueError, TypeError):
        return  # not expressible in TOML (NaN as JSON, None): nothing to load
    path = Path(__import__("tempfile").mkdtemp()) / "fuzz.toml"
    path.write_text(text, encoding="utf-8")
    questions, problems = quiz.collect(path)
    for q in questions:
        if q.id in _builtin_ids():
            continue
        q = q.instantiate(0) if q.needs_instance else q
        right = list(q.answer) if q.kind == "multi" else q.answer
        assert q.check(right).correct
    assert all(p.startswith("fuzz.toml") for p in problems)
