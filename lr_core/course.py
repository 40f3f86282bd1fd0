"""The course's own material, as data: its numpy loop for the figure of three rates (shown beside the update
rule's figure, and run), its five references and its "future directions", each direction tied to the lesson where
a student can already see a piece of it. The home page shows the last two; a test keeps every lesson key real."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Reference:
    """A work the course cites, as it cites it, with a link a reader can open."""

    citation: str
    url: str
    lesson: str
    """The key of the lesson that shows what it introduced."""


REFERENCES = (
    Reference("Duchi, J., Hazan, E., & Singer, Y. Adaptive Subgradient Methods for Online Learning and Stochastic "
              "Optimization. Journal of Machine Learning Research, 12, 2011, 2121-2159.",
              "https://jmlr.org/papers/v12/duchi11a.html", "adaptive"),
    Reference("Kingma, D. P., & Ba, J. Adam: A Method for Stochastic Optimization. International Conference on "
              "Learning Representations (ICLR), 2015.", "https://arxiv.org/abs/1412.6980", "adaptive"),
    Reference("Smith, L. N. Cyclical Learning Rates for Training Neural Networks. IEEE Winter Conference on "
              "Applications of Computer Vision (WACV), 2017, 464-472.", "https://arxiv.org/abs/1506.01186",
              "schedules"),
    Reference("Bengio, Y. Practical Recommendations for Gradient-Based Training of Deep Architectures. Neural "
              "Networks: Tricks of the Trade, 2012, 437-478.", "https://arxiv.org/abs/1206.5533", "practice"),
    Reference("Goodfellow, I., Bengio, Y., & Courville, A. Deep Learning. MIT Press, 2016, 109-112.",
              "https://www.deeplearningbook.org/", "convergence"),
)  # fmt: skip
"""The course's references, in its order."""


@dataclass(frozen=True)
class Direction:
    """One of the course's future directions: its heading, one sentence, and the lesson that shows a piece of it
    today (``lesson``, a page key) with what to look at there."""

    title: str
    sentence: str
    lesson: str
    look: str


DIRECTIONS = (
    Direction("Automated hyperparameter optimization",
              "Tuning the rate together with the model itself, by search and by meta-learning.",
              "practice", "Bayesian optimization (Optuna's TPE) choosing each next rate from the scores so far"),
    Direction("Dynamic and contextual schedules",
              "Rates that adapt to the model's state, the data or the gradient statistics as training runs.",
              "adaptive", "AdaGrad, RMSProp and Adam scaling each coordinate's step by its own gradient history"),
    Direction("Theoretical advances",
              "Understanding the rate in non-convex, stochastic and very large problems, where 2/L is no longer "
              "one number.", "convergence", "the local critical rate 2/L''(θ) changing along a run on a double well"),
    Direction("Integration with novel optimization algorithms",
              "Second-order methods, federated learning and distributed training, each changing what a good rate is.",
              "convergence", "the Hessian's eigenvalues setting the safe rate and the optimal one, 2/(λmin + λmax)"),
)  # fmt: skip
"""The course's future directions, in its order."""


COURSE_LOOP = """\
import numpy as np


# Quadratic loss: L(theta) = (theta - 3)^2
def loss(theta):
    return (theta - 3) ** 2


def grad(theta):
    return 2 * (theta - 3)


learning_rates = [0.05, 0.3, 0.8]
paths = {}
for lr in learning_rates:
    theta = -1
    path = [theta]
    for _ in range(15):
        theta = theta - lr * grad(theta)
        path.append(theta)
    paths[lr] = np.array(path)  # the course plots each path here: plt.plot(path, loss(path), "o-", ...)
"""
"""The course's numpy code for its figure of three rates on (θ − 3)², as it writes it, with its plotting lines
left out and each path kept in ``paths`` instead."""


def course_loop() -> dict[float, np.ndarray]:
    """Run :data:`COURSE_LOOP`, the very text a page shows, and return its paths by rate."""
    namespace: dict = {}
    exec(compile(COURSE_LOOP, "<the course's loop>", "exec"), namespace)  # our own constant, shown as it runs
    return namespace["paths"]
