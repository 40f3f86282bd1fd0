r"""Practice on real data: scikit-learn's handwritten digits, learned by softmax regression (convex: the course's
logistic-regression example) and by a one-hidden-layer MLP (non-convex), trained by :mod:`lr_core.optimizers`
and :mod:`lr_core.schedules` as the surfaces are, vectorized over a batch of runs.

The batch is the optimizer's (its ``lr`` an array of rates, a stack of schedules, or any array-valued
hyperparameter): every run starts from the same parameters and sees the same mini-batches, so the runs differ
in that alone. Each run's parameters are one flat vector (the optimizers work per coordinate), laid out as torch
holds them, so a test can load the very numbers into ``torch.nn``:

- ``softmax``: ``nn.Linear(64, 10)``, weight ``W (10, 64)`` then bias ``b (10)``;
- ``mlp``: ``nn.Sequential(nn.Linear(64, H), nn.ReLU(), nn.Linear(H, 10))`` with :data:`HIDDEN` units, its
  weights and biases in that order.

The loss is the mean cross-entropy :math:`-\frac1B\sum_i \log \operatorname{softmax}(z_i)_{y_i}` over the
mini-batch (``torch.nn.functional.cross_entropy``); its gradient is written out (:meth:`Model.loss_and_grad`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from lr_core._checks import positive_int
from lr_core.analysis import RangeTest, best_epoch, ramp, read_range_test
from lr_core.optimizers import Optimizer, make_optimizer
from lr_core.runner import rate_table

FEATURES = 64
CLASSES = 10
HIDDEN = 32
"""Hidden units of the MLP."""
BLOWUP = 10.0
"""A run has diverged once its training loss is above this many times its loss before training (or not finite):
cross-entropy on a convex model stays finite when the rate is far too high, but it climbs out of all proportion."""


@dataclass(frozen=True)
class Split:
    """The digits, ``x`` scaled to [0, 1] (pixel / 16), split 70/30 stratified (``random_state=0``)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray


@lru_cache(maxsize=1)
def digits() -> Split:
    """scikit-learn's 8x8 handwritten digits (shipped with it: no download), split into training and validation
    sets with ``train_test_split(x, y, test_size=0.3, random_state=0, stratify=y)``."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    data = load_digits()
    x = data.data / 16.0
    x_train, x_val, y_train, y_val = train_test_split(
        x, data.target, test_size=0.3, random_state=0, stratify=data.target
    )
    return Split(x_train, y_train, x_val, y_val)


# ---------------------------------------------------------------------------------------------------- models


@dataclass(frozen=True)
class Model:
    """A classifier over flat parameter vectors: ``shapes`` names its tensors in torch's order."""

    name: str
    shapes: tuple[tuple[str, tuple[int, ...]], ...]
    logits_and_back: Callable[..., Any]
    initial: Callable[[np.random.Generator], np.ndarray]

    @property
    def dim(self) -> int:
        return sum(math.prod(shape) for _, shape in self.shapes)

    def unpack(self, params: np.ndarray) -> dict[str, np.ndarray]:
        """The tensors of every run, ``(n, *shape)``, as views of ``params`` ``(n, dim)``."""
        out, at = {}, 0
        for name, shape in self.shapes:
            size = math.prod(shape)
            out[name] = params[:, at : at + size].reshape(len(params), *shape)
            at += size
        return out

    def loss_and_grad(self, params: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r"""Mean cross-entropy of every run on ``(x, y)`` and its gradient, ``(n,)`` and ``(n, dim)``.

        With :math:`p = \operatorname{softmax}(z)` and one-hot :math:`Y`, :math:`\partial L/\partial z =
        (p - Y)/B`, then back through each layer (a ReLU passes the gradient where its input was positive).
        """
        logits, back = self.logits_and_back(self.unpack(params), x)
        loss, dlogits = _cross_entropy(logits, y)
        grads = back(dlogits)
        return loss, np.concatenate([grads[name].reshape(len(params), -1) for name, _ in self.shapes], axis=1)

    def evaluate(self, params: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean cross-entropy and accuracy of every run on the whole of ``(x, y)``."""
        logits, _ = self.logits_and_back(self.unpack(params), x)
        loss, _ = _cross_entropy(logits, y, grad=False)
        return loss, np.mean(np.argmax(logits, axis=-1) == y, axis=-1)


def _cross_entropy(logits: np.ndarray, y: np.ndarray, grad: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """Mean cross-entropy over the examples of each run (``logits`` ``(n, B, 10)``), stable in the log-sum-exp,
    and its gradient with respect to the logits."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    log_z = np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    log_p = shifted - log_z
    rows = np.arange(len(y))
    loss = -log_p[:, rows, y].mean(axis=-1)
    if not grad:
        return loss, None
    d = np.exp(log_p)
    d[:, rows, y] -= 1.0
    return loss, d / len(y)


def _dense(x: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """``x @ weight[k].T`` for every run k, ``(n, B, out)``: one matrix product for all runs when ``x`` is shared
    (a 2-D batch of examples), else one per run."""
    if x.ndim == 2:
        n, out, fan_in = weight.shape
        return (x @ weight.transpose(2, 0, 1).reshape(fan_in, n * out)).reshape(len(x), n, out).transpose(1, 0, 2)
    return x @ weight.transpose(0, 2, 1)


def _dense_grad(d: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The weight gradient of :func:`_dense`, ``d[k].T @ x`` for every run k, ``(n, out, in)``: one matrix product
    for all runs when ``x`` is shared (an n-fold batch of small products is several times slower), else one per
    run."""
    if x.ndim == 2:
        n, b, out = d.shape
        return (x.T @ d.transpose(1, 0, 2).reshape(b, n * out)).reshape(x.shape[1], n, out).transpose(1, 2, 0)
    return d.transpose(0, 2, 1) @ x


def _softmax_regression() -> Model:
    def logits_and_back(p: dict[str, np.ndarray], x: np.ndarray) -> tuple[np.ndarray, Callable]:
        logits = _dense(x, p["weight"]) + p["bias"][:, None, :]

        def back(d: np.ndarray) -> dict[str, np.ndarray]:
            return {"weight": _dense_grad(d, x), "bias": d.sum(axis=1)}

        return logits, back

    def initial(rng: np.random.Generator) -> np.ndarray:
        return np.zeros(FEATURES * CLASSES + CLASSES)

    return Model("softmax", (("weight", (CLASSES, FEATURES)), ("bias", (CLASSES,))), logits_and_back, initial)


def _mlp(hidden: int) -> Model:
    def logits_and_back(p: dict[str, np.ndarray], x: np.ndarray) -> tuple[np.ndarray, Callable]:
        pre = _dense(x, p["0.weight"]) + p["0.bias"][:, None, :]
        h = np.maximum(pre, 0.0)
        logits = _dense(h, p["2.weight"]) + p["2.bias"][:, None, :]

        def back(d: np.ndarray) -> dict[str, np.ndarray]:
            dpre = (d @ p["2.weight"]) * (pre > 0)
            return {
                "0.weight": _dense_grad(dpre, x),
                "0.bias": dpre.sum(axis=1),
                "2.weight": _dense_grad(d, h),
                "2.bias": d.sum(axis=1),
            }

        return logits, back

    def initial(rng: np.random.Generator) -> np.ndarray:
        """He (Kaiming) normal for the ReLU layer, :math:`\\sigma = \\sqrt{2/64}`; Glorot (Xavier) normal for the
        output layer, :math:`\\sigma = \\sqrt{2/(H + 10)}`; biases zero."""
        w1 = rng.normal(0.0, math.sqrt(2.0 / FEATURES), (hidden, FEATURES))
        w2 = rng.normal(0.0, math.sqrt(2.0 / (hidden + CLASSES)), (CLASSES, hidden))
        return np.concatenate([w1.ravel(), np.zeros(hidden), w2.ravel(), np.zeros(CLASSES)])

    shapes = (
        ("0.weight", (hidden, FEATURES)),
        ("0.bias", (hidden,)),
        ("2.weight", (CLASSES, hidden)),
        ("2.bias", (CLASSES,)),
    )
    return Model("mlp", shapes, logits_and_back, initial)


MODELS: dict[str, Model] = {"softmax": _softmax_regression(), "mlp": _mlp(HIDDEN)}
"""The models a lesson can train, by name."""


def initial_params(model: str, seed: int = 0, init: str | np.ndarray = "zeros") -> np.ndarray:
    """The parameters a run starts from: zeros for softmax regression (``init="zeros"``), the seeded He/Glorot
    draw for the MLP (whatever ``init`` says), or ``init`` itself given as an array of :attr:`Model.dim`."""
    m = _model(model)
    if isinstance(init, np.ndarray):
        if init.shape != (m.dim,) or not np.all(np.isfinite(init)):
            raise ValueError(f"init must be {m.dim} finite numbers for {model}, got shape {init.shape}")
        return init.astype(float)
    if init not in ("zeros", "random"):
        raise ValueError(f"init must be 'zeros', 'random' or an array, got {init!r}")
    if model == "softmax" and init == "zeros":
        return np.zeros(m.dim)
    if model == "softmax":
        return np.random.default_rng([seed, 0]).normal(0.0, 0.01, m.dim)
    return m.initial(np.random.default_rng([seed, 0]))


def steps_per_epoch(batch_size: int | None, n: int | None = None) -> int:
    """Optimizer steps in one epoch over ``n`` examples (default: the whole training set): one per mini-batch, the
    last one shorter (as :func:`batch_order` cuts them); one with full batch (``None``)."""
    n = len(digits().x_train) if n is None else n
    return 1 if batch_size is None else -(-n // positive_int("batch_size", batch_size))


def batch_order(n: int, batch_size: int | None, epochs: int, seed: int = 0) -> list[list[np.ndarray]]:
    """The mini-batches of every epoch: a fresh seeded permutation of the ``n`` examples per epoch, cut into
    batches of ``batch_size`` (the last one shorter, as a ``DataLoader`` with ``drop_last=False``); one batch of
    every example, in order, when ``batch_size`` is ``None`` (full batch)."""
    if batch_size is None:
        return [[np.arange(n)] for _ in range(epochs)]
    batch_size = positive_int("batch_size", batch_size)
    rng = np.random.default_rng([seed, 1])
    return [np.array_split(p, range(batch_size, n, batch_size)) for p in (rng.permutation(n) for _ in range(epochs))]


@dataclass(frozen=True)
class History:
    """A training run per index of the batch. ``train_loss``, ``val_loss``, ``train_acc`` and ``val_acc`` have
    shape ``(epochs + 1, *batch)``: index 0 before training, index e after epoch e. A run whose loss blew up (see
    :data:`BLOWUP`) stops there: ``diverged_at`` is that epoch (-1 if none) and its later entries are NaN.
    ``params`` are the final (or last finite) parameters, ``(*batch, dim)``. ``step_loss`` ``(steps, *batch)`` is the
    loss of each mini-batch as the optimizer saw it, before its step (what a range test plots); ``lrs``
    ``(steps, *batch)`` the rate of each step."""

    model: str
    train_loss: np.ndarray
    val_loss: np.ndarray
    train_acc: np.ndarray
    val_acc: np.ndarray
    diverged_at: np.ndarray
    params: np.ndarray
    step_loss: np.ndarray
    lrs: np.ndarray

    @property
    def best_epoch(self) -> np.ndarray:
        """Early stopping's pick for each run (:func:`lr_core.analysis.best_epoch`)."""
        return best_epoch(self.val_loss)

    @property
    def score(self) -> np.ndarray:
        """Each run's final validation loss; a run that diverged scores as the untrained model (its loss before
        training), never better: what a search minimizes."""
        return np.where(self.diverged_at >= 0, self.val_loss[0], self.val_loss[-1])


def train(
    model: str,
    optimizer: Optimizer,
    *,
    epochs: int,
    batch_size: int | None = None,
    seed: int = 0,
    init: str | np.ndarray = "zeros",
    train_size: int | None = None,
    classes: tuple[int, ...] | None = None,
    lr_scale: np.ndarray | None = None,
    every: int = 1,
) -> History:
    """Train ``model`` on the digits with ``optimizer`` for ``epochs`` passes over the training set, in mini-batches
    of ``batch_size`` (seeded shuffle) or full batch. A schedule's step is the optimizer's step (one per
    mini-batch).

    ``classes`` keeps only those digits, in the training and the validation set (a transfer lesson pretrains on
    some digits and fine-tunes on the others); ``train_size`` then keeps the first examples of the training set.
    ``lr_scale`` multiplies the rate per parameter, ``(dim,)`` or ``(*batch, dim)`` (see :func:`layer_scale`):
    torch's parameter groups, each with its own ``lr``.

    The curves are evaluated (and divergence checked) after every ``every``-th epoch and the last; the entries in
    between are NaN. A sweep that needs only each run's final score passes ``every=epochs``: evaluating the
    whole data set costs as much as a tenth of an epoch's steps at a batch of 32, and the final score is the
    same (a run that blew up to a non-finite loss stays so).
    """
    m = _model(model)
    epochs = positive_int("epochs", epochs)
    every = positive_int("every", every)
    data = digits()
    x_train, y_train, x_val, y_val = data.x_train, data.y_train, data.x_val, data.y_val
    if classes is not None:
        keep, keep_val = np.isin(y_train, classes), np.isin(y_val, classes)
        if not keep.any():
            raise ValueError(f"classes must name some of the digits 0-9, got {classes!r}")
        x_train, y_train, x_val, y_val = x_train[keep], y_train[keep], x_val[keep_val], y_val[keep_val]
    if train_size is not None:
        train_size = positive_int("train_size", train_size)
        x_train, y_train = x_train[:train_size], y_train[:train_size]
    order = batch_order(len(x_train), batch_size, epochs, seed)
    batch = optimizer.batch_shape
    n = math.prod(batch)
    total = sum(len(e) for e in order)
    lrs = rate_table(optimizer, total, batch)
    scale = 1.0
    if lr_scale is not None:
        scale = np.broadcast_to(np.asarray(lr_scale, dtype=float), (*batch, m.dim)).reshape(n, m.dim)
    params = np.broadcast_to(initial_params(model, seed, init), (n, m.dim)).copy()
    state = optimizer.init(params)
    curves = np.full((4, epochs + 1, n), np.nan)
    step_loss = np.empty((total, n))
    diverged_at = np.full(n, -1)
    alive = np.ones(n, dtype=bool)

    last_good = params.copy()

    def record(epoch: int) -> None:
        train_loss, train_acc = m.evaluate(params, x_train, y_train)
        val_loss, val_acc = m.evaluate(params, x_val, y_val)
        finite = np.isfinite(train_loss) & np.isfinite(val_loss) & np.isfinite(params).all(axis=1)
        start = curves[0, 0] if epoch else train_loss
        fresh = alive & ~(finite & (train_loss <= BLOWUP * start))
        diverged_at[fresh] = epoch
        alive[fresh] = False
        params[fresh] = last_good[fresh]  # a diverged run keeps its last finite parameters
        last_good[alive] = params[alive]
        for row, values in enumerate((train_loss, val_loss, train_acc, val_acc)):
            curves[row, epoch] = np.where(alive, values, np.nan)

    step = 0
    with np.errstate(all="ignore"):
        record(0)
        for epoch, batches in enumerate(order, start=1):
            for rows in batches:
                step_loss[step], grads = m.loss_and_grad(params, x_train[rows], y_train[rows])
                lr = lrs[step][:, None] * alive[:, None] * scale  # a diverged run takes no more steps
                delta, state = optimizer.update(grads, state, params, lr)
                params = params + np.where(alive[:, None], delta, 0.0)
                step += 1
            if epoch % every == 0 or epoch == epochs:
                record(epoch)
    shaped = lambda a: a.reshape(a.shape[:1] + batch)
    return History(
        model,
        *(shaped(c) for c in curves),
        diverged_at.reshape(batch),
        params.reshape(*batch, m.dim),
        shaped(step_loss),
        shaped(np.broadcast_to(lrs, (total, n)).copy()),
    )


def layer_scale(model: str, scales: dict[str, float]) -> np.ndarray:
    """A per-parameter rate multiplier for :func:`train`'s ``lr_scale``: ``scales`` by tensor name (as in
    :attr:`Model.shapes`, e.g. ``"0.weight"``), 1 for the tensors it does not name."""
    m = _model(model)
    unknown = set(scales) - {name for name, _ in m.shapes}
    if unknown:
        raise ValueError(f"{model} has no tensor {sorted(unknown)[0]!r}; it has {', '.join(n for n, _ in m.shapes)}")
    return np.concatenate([np.full(math.prod(shape), float(scales.get(name, 1.0))) for name, shape in m.shapes])


def _model(name: str) -> Model:
    if name not in MODELS:
        raise ValueError(f"model must be one of {', '.join(MODELS)}, got {name!r}")
    return MODELS[name]


def range_test(
    model: str,
    optimizer: str = "sgd",
    *,
    lr_min: float = 1e-4,
    lr_max: float = 10.0,
    epochs: int = 2,
    batch_size: int = 32,
    seed: int = 0,
    smoothing: float = 0.8,
    **hyperparams: Any,
) -> RangeTest:
    """Smith's range test on a model, as fastai and torch-lr-finder run it: ``epochs`` of mini-batches while the
    rate climbs exponentially from ``lr_min`` to ``lr_max`` (:func:`lr_core.analysis.ramp`), the loss of each
    mini-batch read after the step before it, then smoothed and read by the three rules
    (:func:`lr_core.analysis.read_range_test`). ``seed`` draws the batch order (and the MLP's initial weights)."""
    steps = positive_int("epochs", epochs) * steps_per_epoch(batch_size)
    opt = make_optimizer(optimizer, ramp(lr_min, lr_max, steps), **hyperparams)
    h = train(model, opt, epochs=epochs, batch_size=batch_size, seed=seed, init="random" if model == "mlp" else "zeros")
    # the loss after step k is the next mini-batch's, before its own step (a blow-up passes four times the best)
    return read_range_test(h.lrs[:-1], h.step_loss[1:], smoothing=smoothing)
