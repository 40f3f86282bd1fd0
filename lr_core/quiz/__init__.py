"""The quiz: questions as data (TOML files in this folder), graded by the engine itself.

A question file holds ``[[question]]`` tables. Every question has an ``id``, a ``topic`` (one of
:data:`TOPICS`), a ``kind`` and an ``explanation``; by kind:

- ``single``: ``choices`` and ``answer``, the index (from 0) of the right one;
- ``multi``: ``choices`` and ``answer``, the list of right indices;
- ``numeric``: ``answer`` (or ``compute``) and a relative ``tolerance`` (default 1e-3);
- ``predict``: a ``scene`` that the page runs after the student predicts. For one run the choices are
  ``outcomes``, keys of :data:`lr_core.analysis.OUTCOMES` (default: all of them), statements about the facts
  :func:`lr_core.analysis.classify` finds, which no run can make true together; the right one is the one true of
  the run (a question where none or several are true is refused). For a race, the choices name the racers
  and the right one ends closest to the minimum. No key is written in the file.

Any question may be **parametric**: ``params`` maps a name to ``{ from = low, to = high }`` (a whole number
drawn per student) or to a list of values to pick one from; ``{name}`` in the prompt, choices and scene is
replaced by the drawn value, and ``compute`` names a function of :data:`COMPUTE` that derives the answer.
``instantiate(seed)`` fixes the numbers and the answer, and shuffles the choices (seeded, so a student sees the
same order after a reload; ``shuffle = false`` keeps the file's order, for choices whose order means something).
Extra files (an instructor's own questions) load with
``load_bank(*paths)``; a malformed one raises :class:`QuizBankError` naming the file, the question and the
problem.
"""

from __future__ import annotations

import json
import math
import random
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from lr_core import analysis
from lr_core.controls import MultiChoice, Number

TOPICS = (
    "update rule",
    "step size",
    "convergence & stability",
    "divergence",
    "schedules",
    "adaptive methods",
    "choosing the rate",
    "failure modes",
    "practice",
)
KINDS = ("single", "multi", "numeric", "predict")
CONTROLS = (
    MultiChoice(key="topics", label="Topics (none = all)", default=(), options=TOPICS, empty=True),
    Number(key="n", label="Number of questions", default=10, lo=3, hi=40, integer=True),
)
"""The Quiz page's settings, declared once."""
BANK_DIR = Path(__file__).resolve().parent


class QuizBankError(ValueError):
    """A question file that cannot be used: the message names the file, the question and the problem."""


@dataclass(frozen=True)
class Feedback:
    correct: bool
    explanation: str
    answer_text: str


# ---------------------------------------------------------------------------------------- computed answers


def _critical_lr_1d(a: float, **_: Any) -> float:
    """For L(θ) = aθ² + bθ the curvature is L'' = 2a, so the critical rate is 2/L = 1/a."""
    return float(analysis.critical_lr(2.0 * a))


def _critical_lr_2d(lam1: float, lam2: float, **_: Any) -> float:
    return float(analysis.critical_lr(max(lam1, lam2)))


def _optimal_lr_2d(lam1: float, lam2: float, **_: Any) -> float:
    return float(analysis.optimal_lr(min(lam1, lam2), max(lam1, lam2)))


def _contraction(lr: float, curvature: float, **_: Any) -> float:
    return float(analysis.contraction_factor(lr, [curvature]))


def _one_step(theta: float, lr: float, a: float, target: float, **_: Any) -> float:
    """θ₁ = θ₀ − η · 2a(θ₀ − θ*)."""
    return theta - lr * 2 * a * (theta - target)


def _step_decay_rate(base: float, gamma: float, every: int, t: int, **_: Any) -> float:
    from lr_core.schedules import step_decay

    return float(step_decay(base, every, gamma)(t))


def _cosine_rate(base: float, t_max: int, t: int, **_: Any) -> float:
    from lr_core.schedules import cosine_annealing

    return float(cosine_annealing(base, t_max)(t))


def _adam_first_step(lr: float, **_: Any) -> float:
    """Adam's first step has size η whatever the gradient (m̂₁ = g₁, v̂₁ = g₁²), up to ε."""
    return lr


def _steps_to_shrink(lr: float, curvature: float, factor: int, **_: Any) -> float:
    """Steps for |θ - θ*| to shrink ``factor`` times when each step multiplies it by |1 - ηL|."""
    return float(analysis.predicted_steps(lr, [curvature], 1.0 / factor))


COMPUTE: dict[str, Callable[..., float]] = {
    "critical_lr_1d": _critical_lr_1d,
    "critical_lr_2d": _critical_lr_2d,
    "optimal_lr_2d": _optimal_lr_2d,
    "contraction": _contraction,
    "one_step": _one_step,
    "step_decay_rate": _step_decay_rate,
    "cosine_rate": _cosine_rate,
    "adam_first_step": _adam_first_step,
    "steps_to_shrink": _steps_to_shrink,
}
"""Functions that compute a parametric question's answer from its drawn numbers."""


# ------------------------------------------------------------------------------------------------ questions


@dataclass(frozen=True)
class Question:
    """One question. ``answer`` is ``None`` until :meth:`instantiate` for parametric and predict questions."""

    id: str
    topic: str
    kind: str
    prompt: str
    explanation: str
    choices: tuple[str, ...] = ()
    answer: Any = None
    tolerance: float = 1e-3
    params: Mapping[str, Any] = field(default_factory=dict)
    compute: str | None = None
    scene: Mapping[str, Any] | None = None
    outcomes: tuple[str, ...] = ()
    source: str = ""
    values: Mapping[str, Any] = field(default_factory=dict)
    shuffle: bool = True
    order: tuple[int, ...] = ()

    @property
    def needs_instance(self) -> bool:
        return (
            bool(self.params)
            or self.kind == "predict"
            or self.compute is not None
            or (self.shuffle and len(self.choices) > 1)
        )

    def instantiate(self, seed: int) -> Question:
        """This question with its numbers drawn from ``seed``, its answer computed and its choices shuffled by
        ``seed`` (``order[i]`` is the file's index of the choice shown at ``i``)."""
        rng = random.Random(f"{self.id}:{seed}")
        values = {name: _draw(spec, rng) for name, spec in self.params.items()}
        fill = lambda text: _fill(text, values)
        q = replace(
            self,
            prompt=fill(self.prompt),
            explanation=fill(self.explanation),
            choices=tuple(fill(c) for c in self.choices),
            scene=_fill_scene(self.scene, values) if self.scene else None,
            values=values,
        )
        if self.compute:
            q = replace(q, answer=float(COMPUTE[self.compute](**values)))
        if self.kind == "predict":
            q = replace(q, answer=predict_answer(q))
        if self.shuffle and len(self.choices) > 1:
            order = list(range(len(self.choices)))
            random.Random(f"{self.id}:{seed}:order").shuffle(order)
            shown = order.index
            q = replace(
                q,
                choices=tuple(q.choices[i] for i in order),
                outcomes=tuple(q.outcomes[i] for i in order) if q.outcomes else (),
                scene={**q.scene, "racers": [q.scene["racers"][i] for i in order]}
                if q.scene and q.scene.get("racers")
                else q.scene,
                answer=sorted(map(shown, q.answer)) if self.kind == "multi" else shown(q.answer),
                order=tuple(order),
            )
        return q

    def check(self, response: Any) -> Feedback:
        """Grade ``response``: a choice index (single, predict), a list of indices (multi) or a number."""
        if self.answer is None:
            raise ValueError(f"question {self.id!r} must be instantiated before it is checked")
        if self.kind in ("single", "predict"):
            correct = response is not None and int(response) == int(self.answer)
            answer_text = self.choices[int(self.answer)]
        elif self.kind == "multi":
            correct = response is not None and sorted(int(r) for r in response) == sorted(self.answer)
            answer_text = "; ".join(self.choices[i] for i in sorted(self.answer))
        else:
            value = read_number(response)  # ValueError for text that is not a number: the student is told so
            correct = math.isclose(value, self.answer, rel_tol=self.tolerance, abs_tol=1e-12)
            answer_text = f"{self.answer:.4g}"
        return Feedback(correct, self.explanation, answer_text)


_FRACTION = re.compile(r"([+-]?[0-9.eE+-]+)\s*/\s*([0-9.eE+-]+)")


def read_number(text: Any) -> float:
    """A student's typed number: ``0.25``, ``.25``, ``2.5e-1``, ``1/4``, or ``0,25`` (a decimal comma, when there
    is no point). ``ValueError`` saying how to write it otherwise; never a silent zero or NaN."""
    raw = str(text).strip().replace("−", "-").replace(" ", "")
    if raw.count(",") == 1 and "." not in raw:
        raw = raw.replace(",", ".")
    try:
        match = _FRACTION.fullmatch(raw)
        value = float(match[1]) / float(match[2]) if match else float(raw)
    except (ValueError, ZeroDivisionError):
        value = math.nan
    if not math.isfinite(value) or not re.fullmatch(r"[0-9.eE+\-/]+", raw):
        raise ValueError(f"could not read {str(text)[:30]!r} as a number: write it like 0.25, 1/4 or 2.5e-1")
    return value


def _draw(spec: Any, rng: random.Random) -> Any:
    if isinstance(spec, dict):
        return rng.randint(spec["from"], spec["to"])
    return rng.choice(list(spec))


def _fill(text: str, values: Mapping[str, Any]) -> str:
    for name, value in values.items():
        text = text.replace("{" + name + "}", f"{value:g}" if isinstance(value, float) else str(value))
    return text


def _fill_scene(scene: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    def one(v: Any) -> Any:
        if isinstance(v, str) and v.startswith("{") and v.endswith("}") and v[1:-1] in values:
            return values[v[1:-1]]
        if isinstance(v, list):
            return [one(u) for u in v]
        if isinstance(v, dict):
            return {k: one(u) for k, u in v.items()}
        return v

    return {k: one(v) for k, v in scene.items()}


# ------------------------------------------------------------------------------------------------- scenes


@dataclass(frozen=True)
class SceneRun:
    """A predict-then-run scene, run: the trajectories and what the engine makes of them."""

    surface: Any
    names: list[str]
    trajs: list[Any]
    labels: list[Any]
    gaps: list[float]


def run_scene(scene: Mapping[str, Any]) -> SceneRun:
    """Run a question's scene: ``surface`` (+ ``surface_params``), ``x0``, ``steps``, ``noise`` and either one
    ``optimizer`` with ``lr`` (+ ``hyper``) or a list ``racers`` of ``{optimizer, lr}`` tables. A ``model`` scene
    trains each racer on the digits instead (:func:`lr_core.practice.train`, the same batches for each; no
    surface): its runs are :class:`lr_core.practice.History` records, judged by
    :func:`lr_core.analysis.judge_curve`, and its gaps are the final validation losses."""
    from lr_core.optimizers import VARIANTS, make_optimizer
    from lr_core.runner import run
    from lr_core.surfaces import make_surface

    if "model" in scene:
        from lr_core import practice

        names, runs = [], []
        for r in scene["racers"]:
            hyper = {k: v for k, v in r.items() if k not in ("optimizer", "lr")}
            opt = make_optimizer(r["optimizer"], r["lr"], **hyper)
            init = "random" if scene["model"] == "mlp" else "zeros"
            runs.append(practice.train(scene["model"], opt, epochs=scene["epochs"],
                                       batch_size=scene.get("batch_size"), init=init))  # fmt: skip
            label = VARIANTS[r["optimizer"]].label if r["optimizer"] in VARIANTS else r["optimizer"]
            names.append(f"{label} (η = {r['lr']:g})")
        verdicts = [analysis.judge_curve(h.train_loss, h.val_loss, int(h.diverged_at)) for h in runs]
        return SceneRun(None, names, runs, verdicts, [float(h.score) for h in runs])

    surface = make_surface(scene["surface"], **scene.get("surface_params", {}))
    racers = scene.get("racers") or [{"optimizer": scene["optimizer"], "lr": scene["lr"], **scene.get("hyper", {})}]
    names, trajs = [], []
    for r in racers:
        hyper = {k: v for k, v in r.items() if k not in ("optimizer", "lr")}
        opt = make_optimizer(r["optimizer"], r["lr"], **hyper)
        trajs.append(run(surface, opt, scene["x0"], scene["steps"], noise=scene.get("noise", 0.0), seed=0))
        label = VARIANTS[r["optimizer"]].label if r["optimizer"] in VARIANTS else r["optimizer"]
        names.append(f"{label} (η = {r['lr']:g})")
    labels = [analysis.classify(t, noise=scene.get("noise", 0.0)) for t in trajs]
    floor = surface.min_value if surface.min_value is not None else 0.0
    gaps = [float(t.losses[-1] - floor) if not t.diverged else math.inf for t in trajs]
    return SceneRun(surface, names, trajs, labels, gaps)


def predict_answer(q: Question) -> int:
    """The index of the right choice, from a fresh run of the scene: the run's label, or the racer that ends
    with the lowest loss. A scene is run once per process (the runs are seeded, so a second run gives the same
    answer): a bank, or an instructor's file beside it, is loaded again without training its networks again."""
    return _predicted(json.dumps(q.scene, sort_keys=True, default=str), tuple(q.outcomes), q.source, q.id)


@lru_cache(maxsize=512)
def _predicted(scene_text: str, outcomes: tuple[str, ...], source: str, qid: str) -> int:
    """:func:`predict_answer` of the question ``qid`` of ``source`` with this scene (as JSON) and these outcomes."""
    scene = json.loads(scene_text)
    result = run_scene(scene)
    if scene.get("racers"):
        return int(np.argmin(result.gaps))
    verdict = result.labels[0]
    true = [i for i, key in enumerate(outcomes) if analysis.OUTCOMES[key][1](verdict)]
    if len(true) != 1:
        raise QuizBankError(
            f"{source}: question {qid!r}: {len(true)} of its outcomes are true of the run "
            f"({verdict.label}: {verdict.reason}); exactly one must be"
        )
    return true[0]


# ---------------------------------------------------------------------------------------------------- loading


MAX_FILE_BYTES = 1_000_000
"""A question file larger than this is refused unread (a bank of hundreds of questions is ~100 KB)."""
MAX_TEXT = 2000
MAX_CHOICES = 12
MAX_SCENE_STEPS = 2000
MAX_SCENE_EPOCHS = 60


def load_bank(*extra_paths: str | Path) -> list[Question]:
    """Every question of the bank in this folder, then of ``extra_paths`` (files or folders of ``.toml``);
    :class:`QuizBankError` for the first problem (see :func:`collect` for a bank that skips what it cannot use)."""
    questions, problems = collect(*extra_paths)
    if problems:
        raise QuizBankError(problems[0])
    return questions


def collect(*extra_paths: str | Path) -> tuple[list[Question], list[str]]:
    """Every usable question of the bank and of ``extra_paths``, and a message per problem (naming the file, the
    question and what is wrong; never a directory). A question that cannot be used is left out; a file that
    cannot be read leaves out its questions; everything else loads."""
    files = sorted(BANK_DIR.glob("*.toml"))
    for p in map(Path, extra_paths):
        files.extend(sorted(p.glob("*.toml")) if p.is_dir() else [p])
    questions: list[Question] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for f in files:
        try:
            tables = _tables(f)
        except QuizBankError as err:
            problems.append(str(err))
            continue
        for number, table in enumerate(tables, start=1):
            try:
                q = _parse(f.name, number, table)
            except QuizBankError as err:
                problems.append(str(err))
                continue
            if q.id in seen:
                problems.append(f"{f.name}: question {q.id!r}: the id is already used in {seen[q.id]}")
                continue
            seen[q.id] = f.name
            questions.append(q)
    return questions, problems


def load_file(path: str | Path) -> list[Question]:
    """The questions of one file; :class:`QuizBankError` for the first problem."""
    path = Path(path)
    return [_parse(path.name, i, t) for i, t in enumerate(_tables(path), start=1)]


def _tables(path: Path) -> list[Any]:
    """The ``[[question]]`` tables of a file, read with bounds: a regular file of at most :data:`MAX_FILE_BYTES`,
    valid UTF-8 TOML of any nesting Python can parse."""
    try:
        if not path.is_file():
            raise QuizBankError(
                f"{path.name}: no such question file" if not path.exists() else f"{path.name}: not a file"
            )
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise QuizBankError(f"{path.name}: larger than {MAX_FILE_BYTES // 1000} KB")
        data = tomllib.loads(raw.decode("utf-8"))
    except OSError as err:
        raise QuizBankError(f"{path.name}: cannot be read ({err.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise QuizBankError(f"{path.name}: not valid TOML: {err}") from None
    except RecursionError:
        raise QuizBankError(f"{path.name}: not valid TOML: nested too deeply") from None
    tables = data.get("question")
    if not isinstance(tables, list) or not tables:
        raise QuizBankError(f"{path.name}: no [[question]] tables")
    return tables


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _parse(source: str, number: int, t: Any) -> Question:
    if not isinstance(t, dict):
        raise QuizBankError(f"{source}: question #{number}: must be a [[question]] table")
    qid = t.get("id") if isinstance(t.get("id"), str) and t.get("id") else f"#{number}"

    def fail(problem: str) -> QuizBankError:
        return QuizBankError(f"{source}: question {qid[:60]!r}: {problem}")

    try:
        return _validated(t, fail, source)
    except QuizBankError:
        raise
    except (ValueError, KeyError, TypeError, IndexError, AttributeError, ZeroDivisionError, OverflowError) as err:
        raise fail(f"cannot be used: {err}") from None


def _check_model_scene(scene: dict, fail: Callable[[str], QuizBankError]) -> None:
    """A race of training runs: ``model``, ``epochs`` (at most :data:`MAX_SCENE_EPOCHS`), an optional
    ``batch_size`` (full batch without one) and ``racers``."""
    from lr_core.practice import MODELS

    if scene["model"] not in MODELS:
        raise fail(f"the scene's model must be one of {', '.join(MODELS)}")
    if not _is_int(scene.get("epochs")) or not 1 <= scene["epochs"] <= MAX_SCENE_EPOCHS:
        raise fail(f"the scene's epochs must be a whole number from 1 to {MAX_SCENE_EPOCHS}")
    if "batch_size" in scene and (not _is_int(scene["batch_size"]) or not 1 <= scene["batch_size"] <= 2000):
        raise fail("the scene's batch_size must be a whole number from 1 to 2000")
    if "racers" not in scene:
        raise fail("a model scene is a race: it needs racers")


def _validated(t: dict, fail: Callable[[str], QuizBankError], source: str) -> Question:

    for key in ("id", "topic", "kind", "prompt", "explanation"):
        if not isinstance(t.get(key), str) or not t[key].strip():
            raise fail(f"needs a non-empty text '{key}'")
        if len(t[key]) > MAX_TEXT:
            raise fail(f"'{key}' is longer than {MAX_TEXT} characters")
    unknown = set(t) - {
        "id",
        "topic",
        "kind",
        "prompt",
        "explanation",
        "choices",
        "answer",
        "tolerance",
        "params",
        "compute",
        "scene",
        "outcomes",
        "shuffle",
    }
    if unknown:
        raise fail(f"unknown field(s) {', '.join(sorted(unknown))}")
    if t["topic"] not in TOPICS:
        raise fail(f"topic {t['topic']!r} is not one of {', '.join(TOPICS)}")
    kind = t["kind"]
    if kind not in KINDS:
        raise fail(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    outcomes: tuple[str, ...] = ()
    if kind == "predict" and isinstance(t.get("scene"), dict) and "racers" not in t["scene"]:
        listed = t.get("outcomes", list(analysis.OUTCOMES))
        if not isinstance(listed, list) or not all(isinstance(o, str) for o in listed):
            raise fail(f"outcomes must be a list of some of {', '.join(analysis.OUTCOMES)}")
        outcomes = tuple(listed)
        unknown = [o for o in outcomes if o not in analysis.OUTCOMES]
        if unknown or len(outcomes) < 2 or len(set(outcomes)) != len(outcomes) or "choices" in t:
            raise fail(f"outcomes must be two or more of {', '.join(analysis.OUTCOMES)} (and no choices)")
        choices = tuple(analysis.OUTCOMES[o][0] for o in outcomes)
    else:
        listed = t.get("choices", [])
        if not isinstance(listed, list) or not all(isinstance(c, str) and c.strip() for c in listed):
            raise fail("choices must be a list of non-empty texts")
        if len(listed) > MAX_CHOICES or any(len(c) > MAX_TEXT for c in listed):
            raise fail(f"at most {MAX_CHOICES} choices of at most {MAX_TEXT} characters")
        choices = tuple(listed)
    params = t.get("params", {})
    if not isinstance(params, dict):
        raise fail("params must be a table")
    for name, spec in params.items():
        ok_range = (
            isinstance(spec, dict)
            and set(spec) == {"from", "to"}
            and all(_is_int(spec[k]) and abs(spec[k]) <= 10**6 for k in spec)
            and spec["from"] <= spec["to"]
        )
        ok_list = (
            isinstance(spec, list)
            and 1 <= len(spec) <= 100
            and all(_is_number(v) or (isinstance(v, str) and len(v) <= 100) for v in spec)
        )
        if not (ok_range or ok_list):
            raise fail(f"param {name!r} must be {{ from = low, to = high }} (whole numbers) or a list of values")
    compute = t.get("compute")
    if compute is not None and (not isinstance(compute, str) or compute not in COMPUTE):
        raise fail(f"compute {compute!r} is not one of {', '.join(COMPUTE)}")
    answer = t.get("answer")
    if kind in ("single", "multi"):
        if len(choices) < 2:
            raise fail("needs at least two choices")
        indices = answer if kind == "multi" else [answer]
        if not isinstance(indices, list) or not indices or not all(_is_int(i) for i in indices):
            raise fail("answer must be a choice index" + ("" if kind == "single" else " list"))
        if not all(0 <= i < len(choices) for i in indices):
            raise fail(f"answer {answer!r} is not an index of its {len(choices)} choices")
        if len(set(indices)) != len(indices):
            raise fail(f"answer {answer!r} names a choice twice")
    elif kind == "numeric":
        if (answer is None) == (compute is None):
            raise fail("a numeric question needs exactly one of 'answer' and 'compute'")
        if answer is not None and not _is_number(answer):
            raise fail("answer must be a finite number")
    else:
        if answer is not None:
            raise fail("a predict question has no written answer: the engine's run decides it")
        scene = t.get("scene")
        if isinstance(scene, dict) and "model" in scene:
            _check_model_scene(scene, fail)
        elif not isinstance(scene, dict) or not {"surface", "x0", "steps"} <= set(scene):
            raise fail("needs a scene with surface, x0 and steps (or a model, epochs and racers)")
        elif not _is_int(scene["steps"]) or not 1 <= scene["steps"] <= MAX_SCENE_STEPS:
            raise fail(f"the scene's steps must be a whole number from 1 to {MAX_SCENE_STEPS}")
        if "racers" in scene and (
            not isinstance(scene["racers"], list)
            or not 2 <= len(scene["racers"]) <= MAX_CHOICES
            or not all(isinstance(r, dict) for r in scene["racers"])
            or len(choices) != len(scene["racers"])
        ):
            raise fail("a race needs a list of racers (tables), and one choice per racer")
    tolerance = t.get("tolerance", 1e-3)
    if not _is_number(tolerance) or not 0 < tolerance < 1:
        raise fail("tolerance must be a number in (0, 1)")
    shuffle = t.get("shuffle", True)
    if not isinstance(shuffle, bool):
        raise fail("shuffle must be true or false")
    q = Question(
        id=t["id"],
        topic=t["topic"],
        kind=kind,
        prompt=t["prompt"].strip(),
        explanation=t["explanation"].strip(),
        choices=choices,
        answer=(sorted(answer) if kind == "multi" else answer) if kind != "predict" else None,
        tolerance=float(tolerance),
        params=params,
        compute=compute,
        scene=t.get("scene"),
        outcomes=outcomes,
        source=source,
        shuffle=shuffle,
    )
    if q.needs_instance:
        try:
            q.instantiate(0)  # every template must produce a question
        except QuizBankError:
            raise
        except (ValueError, KeyError, TypeError, IndexError, AttributeError, ZeroDivisionError, OverflowError) as err:
            raise fail(f"cannot be instantiated: {err}") from None
    return q


# -------------------------------------------------------------------------------------------------- progress


@dataclass
class Progress:
    """A student's answers, one verdict per question id. An answer is final: answering again is refused, so
    nothing counts twice and a key once shown cannot be copied into a better score; only an explicit retry
    (the Quiz page's "retry the ones I missed") replaces it, and a retry counts as one: the score is the first
    answers' (``first``), what a retry got right is counted apart (:attr:`right_on_retry`). ``responses`` keeps
    what was answered, so a locked question shows it again, after a reload too (:meth:`to_dict`,
    :meth:`from_dict`)."""

    results: dict[str, bool] = field(default_factory=dict)
    topics: dict[str, str] = field(default_factory=dict)
    attempts: dict[str, int] = field(default_factory=dict)
    responses: dict[str, Any] = field(default_factory=dict)
    first: dict[str, bool] = field(default_factory=dict)

    def record(self, question: Question, correct: bool, response: Any = None, *, retry: bool = False) -> bool:
        """Record an answer; ``False`` (and nothing recorded) if the question was answered and this is no retry."""
        if question.id in self.results and not retry:
            return False
        self.first.setdefault(question.id, correct)
        self.results[question.id] = correct
        self.topics[question.id] = question.topic
        self.attempts[question.id] = self.attempts.get(question.id, 0) + 1
        self.responses[question.id] = response
        return True

    def absorb(self, newer: Progress) -> None:
        """Take in ``newer``'s answers (given in this session before this record came back from the browser):
        its results, topics, attempts and responses win; a first try already here stays the first."""
        for name in ("results", "topics", "attempts", "responses"):
            getattr(self, name).update(getattr(newer, name))
        for qid, ok in newer.first.items():
            self.first.setdefault(qid, ok)

    def to_dict(self) -> dict[str, Any]:
        return {
            "results": self.results,
            "topics": self.topics,
            "attempts": self.attempts,
            "responses": self.responses,
            "first": self.first,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Progress:
        """A progress record from :meth:`to_dict`'s output, keeping only well-formed entries (it comes back from
        the browser, which anyone can edit). An answer without a first-try record counts its result as its first
        try, and a first try cannot be better than the result it was retried into."""
        if not isinstance(data, dict):
            return cls()
        table = lambda name: data[name] if isinstance(data.get(name), dict) else {}
        results = {k: v for k, v in table("results").items() if isinstance(k, str) and isinstance(v, bool)}
        pick = lambda name, ok: {k: v for k, v in table(name).items() if k in results and ok(v)}
        first = pick("first", lambda v: isinstance(v, bool))
        return cls(
            results,
            pick("topics", lambda v: v in TOPICS),
            pick("attempts", lambda v: isinstance(v, int) and not isinstance(v, bool) and v > 0),
            pick("responses", lambda v: isinstance(v, (int, str, list)) and not isinstance(v, bool)),
            {k: first.get(k, ok) and ok for k, ok in results.items()},
        )

    @property
    def answered(self) -> int:
        return len(self.results)

    def first_try(self, qid: str) -> bool:
        """Whether the first answer to ``qid`` was right (``False`` if it was never answered)."""
        return self.first.get(qid, self.results.get(qid, False))

    @property
    def score(self) -> int:
        """Questions right at the first try."""
        return sum(map(self.first_try, self.results))

    @property
    def right_on_retry(self) -> int:
        """Questions missed at first and right on a retry."""
        return sum(ok and not self.first_try(k) for k, ok in self.results.items())

    def by_topic(self) -> dict[str, tuple[int, int]]:
        """Per topic: (right at the first try, answered), in :data:`TOPICS` order."""
        out: dict[str, tuple[int, int]] = {}
        for topic in TOPICS:
            ids = [i for i, t in self.topics.items() if t == topic]
            if ids:
                out[topic] = (sum(map(self.first_try, ids)), len(ids))
        return out

    def missed(self) -> list[str]:
        return [i for i, ok in self.results.items() if not ok]


def select(
    bank: Sequence[Question], topics: Sequence[str], length: int, seed: int, answered: Sequence[str] = ()
) -> list[Question]:
    """``length`` questions of the chosen ``topics`` (all if empty), shuffled by ``seed``, spread over topics; the
    ids in ``answered`` (locked: they count once) only when there are not enough others."""
    done = set(answered)
    fresh = _spread([q for q in bank if q.id not in done], topics, length, seed)
    return fresh + _spread([q for q in bank if q.id in done], topics, length - len(fresh), seed)


def _spread(bank: Sequence[Question], topics: Sequence[str], length: int, seed: int) -> list[Question]:
    pool = [q for q in bank if not topics or q.topic in topics]
    rng = random.Random(seed)
    rng.shuffle(pool)
    by_topic: dict[str, list[Question]] = {}
    for q in pool:
        by_topic.setdefault(q.topic, []).append(q)
    picked: list[Question] = []
    while len(picked) < min(length, len(pool)):  # round-robin over topics so a short quiz still mixes them
        for qs in by_topic.values():
            if qs and len(picked) < length:
                picked.append(qs.pop())
    return picked
