r"""Gradient-descent optimizers, as ``(init, update)`` pairs over small immutable states.

Each factory takes the keyword arguments of the ``torch.optim`` class of the same name, with the same
defaults, and follows the same update to float64 precision. ``lr`` may be a number, a numpy array (one rate
per run of a batch) or a :class:`~lr_core.schedules.Schedule`; other numeric hyperparameters may be arrays too,
and the batch is their broadcast.

``update(grads, state, params, lr) -> (delta, state)`` returns the change to add to the parameters,
:math:`\theta_{t} = \theta_{t-1} + \Delta_t`, with ``lr`` the rate of this step shaped to broadcast against
``params`` (the runner passes ``lr[..., None]``). ``internals(state, lr)`` names the quantities a page shows
(for Adam: :math:`m_t, v_t, \hat m_t, \hat v_t` and the per-coordinate step :math:`\eta/(\sqrt{\hat v_t}+\epsilon)`).

In the formulas :math:`g_t = \nabla L(\theta_{t-1})` and :math:`\lambda` is the weight decay.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from lr_core._checks import in_unit_interval, non_negative, positive
from lr_core.schedules import Schedule

Array = np.ndarray
Internals = dict[str, Array]


@dataclass(frozen=True)
class Optimizer:
    """An optimizer: its name, torch-named hyperparameters, rate, and the pure ``init``/``update`` pair.

    ``factory(lr=lr, **hyperparams)`` builds it again, which :meth:`take` uses to cut a batch into blocks.
    ``capabilities`` names what a page may show or offer for it, from :data:`CAPABILITIES`.
    """

    name: str
    hyperparams: Mapping[str, Any]
    lr: float | Array | Schedule
    init: Callable[[Array], Any] = field(repr=False)
    update: Callable[[Array, Any, Array, Array], tuple[Array, Any]] = field(repr=False)
    internals: Callable[[Any, Array], Internals] = field(repr=False)
    factory: Callable[..., Optimizer] = field(repr=False)
    capabilities: frozenset[str] = frozenset()

    def lr_at(self, step: int) -> float | Array:
        """The rate used at optimizer step ``step`` (0 is the first): a number or one per run."""
        return self.lr(step) if isinstance(self.lr, Schedule) else self.lr

    @property
    def batch_shape(self) -> tuple[int, ...]:
        """The broadcast shape of the array-valued hyperparameters (``()`` if all are numbers)."""
        return np.broadcast_shapes(*(np.shape(v) for v in self._arrays()))

    def take(self, batch: tuple[int, ...], rows: slice) -> Optimizer:
        """The same optimizer for the runs ``rows`` of the batch ``batch`` flattened to one axis."""

        def cut(v: Any) -> Any:
            if isinstance(v, tuple):
                return tuple(cut(u) for u in v)
            if isinstance(v, np.ndarray):
                return np.broadcast_to(v, batch).reshape(-1)[rows]
            return v

        return self.factory(lr=cut(self.lr), **{k: cut(v) for k, v in self.hyperparams.items()})

    def _arrays(self) -> list[Array]:
        lr = self.lr
        if isinstance(lr, Schedule):  # a stack of k schedules has a batch axis of length k
            lr = np.zeros(lr.batch) if lr.batch else None
        values = [lr, *self.hyperparams.values()]
        flat = [u for v in values for u in (v if isinstance(v, tuple) else (v,))]
        return [v for v in flat if isinstance(v, np.ndarray)]


def _rate(lr: Any) -> float | Array | Schedule:
    if isinstance(lr, Schedule):
        return lr
    return non_negative("lr", lr)


def _coord(h: float | Array) -> float | Array:
    """A hyperparameter shaped to broadcast against ``params`` of shape ``(*batch, dim)``."""
    return h[..., None] if isinstance(h, np.ndarray) else h


def _betas(betas: Any) -> tuple[float | Array, float | Array]:
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
    return in_unit_interval("betas[0]", betas[0]), in_unit_interval("betas[1]", betas[1])


def _eps(eps: Any) -> float:
    return float(positive("eps", eps))


def _is_zero(h: float | Array) -> bool:
    return bool(np.all(np.asarray(h) == 0))


CAPABILITIES = {
    "plain_gradient_step": "its step is exactly -η∇L(θ) (no momentum, no adaptation, no decay), so on a quadratic "
    "the closed form |1 - ηλ| decides the run",
    "adaptive": "divides each coordinate's step by a running measure of its gradients' size",
    "moments": "keeps bias-corrected moment estimates m̂ and v̂ (the course's Adam update), and takes bias_correction",
    "decoupled_weight_decay": "its weight decay shrinks θ directly instead of passing through the gradient",
    "momentum": "keeps a momentum buffer",
    "nesterov": "looks one step ahead along its momentum (Nesterov): its step uses the momentum it will have next",
}
"""What an optimizer can do that a page shows or offers (the names in :attr:`Optimizer.capabilities`)."""


DecayFn = Callable[[Array, Array, Array], tuple[Array, Array | float]]


def _weight_decay(weight_decay: Any, decoupled: bool = False) -> tuple[float | Array, DecayFn]:
    r"""Weight decay :math:`\lambda`, the one place every optimizer takes it from: ``apply(g, θ, η)`` returns the
    gradient to use and a change to add to θ. L2, as torch's ``weight_decay``: :math:`g \leftarrow g +
    \lambda\theta`; decoupled, as AdamW's: :math:`\theta \leftarrow \theta - \eta\lambda\theta`, the gradient
    untouched."""
    wd = non_negative("weight_decay", weight_decay)
    wd_c = _coord(wd)
    if _is_zero(wd):
        return wd, lambda g, params, lr: (g, 0.0)
    if decoupled:
        return wd, lambda g, params, lr: (g, -lr * wd_c * params)
    return wd, lambda g, params, lr: (g + wd_c * params, 0.0)


def _moments(beta1: float | Array, beta2: float | Array) -> Callable[[Array, Array, Array], tuple[Array, Array]]:
    r"""Adam's moment estimates, shared by Adam, AdamW, AMSGrad and NAdam:
    :math:`m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t`, :math:`v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2`."""
    b1, b2 = _coord(beta1), _coord(beta2)

    def update(m: Array, v: Array, g: Array) -> tuple[Array, Array]:
        return m + (1 - b1) * (g - m), b2 * v + (1 - b2) * g * g  # torch: exp_avg.lerp_(g, 1 - beta1)

    return update


# ------------------------------------------------------------------------------------------------------ SGD


class SGDState(NamedTuple):
    count: int
    momentum_buffer: Array | None


def sgd(
    lr: Any = 1e-3,
    momentum: Any = 0.0,
    dampening: Any = 0.0,
    nesterov: bool = False,
    weight_decay: Any = 0.0,
) -> Optimizer:
    r"""Stochastic gradient descent, with optional (Nesterov) momentum, as ``torch.optim.SGD``.

    .. math::
        \begin{aligned}
        & g_t \leftarrow g_t + \lambda\theta_{t-1} \\
        & \textbf{if } \mu \neq 0: \quad
            b_t \leftarrow \begin{cases} g_t & t = 1 \\ \mu b_{t-1} + (1-\tau) g_t & t > 1 \end{cases},
            \qquad g_t \leftarrow \begin{cases} g_t + \mu b_t & \text{nesterov} \\ b_t & \text{otherwise}
            \end{cases} \\
        & \theta_t \leftarrow \theta_{t-1} - \eta\, g_t
        \end{aligned}
    """
    lr = _rate(lr)
    mom = non_negative("momentum", momentum)
    damp = non_negative("dampening", dampening)
    wd, decay = _weight_decay(weight_decay)
    decays = not _is_zero(wd)
    if nesterov and (np.any(np.asarray(mom) <= 0) or not _is_zero(damp)):
        raise ValueError("Nesterov momentum requires a momentum > 0 and zero dampening")
    has_momentum = not _is_zero(mom)
    mom_c, damp_c = _coord(mom), _coord(damp)

    def init(params: Array) -> SGDState:
        return SGDState(0, None)

    def update(grads: Array, state: SGDState, params: Array, lr: Array) -> tuple[Array, SGDState]:
        t = state.count + 1
        g, _ = decay(grads, params, lr)
        buf = None
        if has_momentum:
            buf = g if t == 1 else mom_c * state.momentum_buffer + (1 - damp_c) * g
            d = g + mom_c * buf if nesterov else buf
            if isinstance(mom, np.ndarray):  # runs with momentum 0 take the plain step, as torch does
                d = np.where(mom_c != 0, d, g)
            g = d
        return -lr * g, SGDState(t, buf)

    def internals(state: SGDState, lr: Array) -> Internals:
        return {} if state.momentum_buffer is None else {"momentum_buffer": state.momentum_buffer}

    return Optimizer(
        "sgd",
        {"momentum": mom, "dampening": damp, "nesterov": nesterov, "weight_decay": wd},
        lr,
        init,
        update,
        internals,
        sgd,
        frozenset(
            ({"momentum", "nesterov"} if nesterov else {"momentum"})
            if has_momentum
            else ()
            if decays
            else {"plain_gradient_step"}
        ),
    )


# -------------------------------------------------------------------------------------------------- AdaGrad


class AdagradState(NamedTuple):
    count: int
    sum: Array


def adagrad(
    lr: Any = 1e-2,
    lr_decay: Any = 0.0,
    weight_decay: Any = 0.0,
    initial_accumulator_value: Any = 0.0,
    eps: Any = 1e-10,
) -> Optimizer:
    r"""AdaGrad, Duchi et al. (2011), as ``torch.optim.Adagrad``: each coordinate's rate shrinks with the sum
    of its squared past gradients.

    .. math::
        \begin{aligned}
        & g_t \leftarrow g_t + \lambda\theta_{t-1}, \qquad
          \tilde\eta \leftarrow \eta / (1 + (t-1)\,\eta_{decay}) \\
        & s_t \leftarrow s_{t-1} + g_t^2, \qquad s_0 = \text{initial\_accumulator\_value} \\
        & \theta_t \leftarrow \theta_{t-1} - \tilde\eta\, \frac{g_t}{\sqrt{s_t} + \epsilon}
        \end{aligned}
    """
    lr = _rate(lr)
    lr_decay = non_negative("lr_decay", lr_decay)
    wd, decay = _weight_decay(weight_decay)
    acc0 = non_negative("initial_accumulator_value", initial_accumulator_value)
    eps = _eps(eps)
    lr_decay_c, acc0_c = _coord(lr_decay), _coord(acc0)

    def init(params: Array) -> AdagradState:
        return AdagradState(0, np.broadcast_to(acc0_c, params.shape).astype(float))

    def clr(t: int, lr: Array) -> Array:
        return lr / (1 + (t - 1) * lr_decay_c)

    def update(grads: Array, state: AdagradState, params: Array, lr: Array) -> tuple[Array, AdagradState]:
        t = state.count + 1
        g, _ = decay(grads, params, lr)
        s = state.sum + g * g
        return -clr(t, lr) * g / (np.sqrt(s) + eps), AdagradState(t, s)

    def internals(state: AdagradState, lr: Array) -> Internals:
        return {"sum_sq": state.sum, "effective_lr": clr(state.count, lr) / (np.sqrt(state.sum) + eps)}

    return Optimizer(
        "adagrad",
        {"lr_decay": lr_decay, "weight_decay": wd, "initial_accumulator_value": acc0, "eps": eps},
        lr,
        init,
        update,
        internals,
        adagrad,
        frozenset({"adaptive"}),
    )


# -------------------------------------------------------------------------------------------------- RMSProp


class RMSpropState(NamedTuple):
    count: int
    square_avg: Array
    grad_avg: Array | None
    momentum_buffer: Array | None


def rmsprop(
    lr: Any = 1e-2,
    alpha: Any = 0.99,
    eps: Any = 1e-8,
    weight_decay: Any = 0.0,
    momentum: Any = 0.0,
    centered: bool = False,
) -> Optimizer:
    r"""RMSProp, Hinton (2012), as ``torch.optim.RMSprop``: AdaGrad with an exponential moving average of the
    squared gradients in place of their sum, so the rate does not decay to zero.

    .. math::
        \begin{aligned}
        & g_t \leftarrow g_t + \lambda\theta_{t-1}, \qquad v_t \leftarrow \alpha v_{t-1} + (1-\alpha) g_t^2 \\
        & \tilde v_t \leftarrow v_t, \quad\text{or, centered:}\quad
          \bar g_t \leftarrow \alpha \bar g_{t-1} + (1-\alpha) g_t,\ \ \tilde v_t \leftarrow v_t - \bar g_t^2 \\
        & \textbf{if } \mu > 0: \quad b_t \leftarrow \mu b_{t-1} + g_t / (\sqrt{\tilde v_t} + \epsilon),
          \quad \theta_t \leftarrow \theta_{t-1} - \eta\, b_t \\
        & \textbf{else}: \quad \theta_t \leftarrow \theta_{t-1} - \eta\, g_t / (\sqrt{\tilde v_t} + \epsilon)
        \end{aligned}
    """
    lr = _rate(lr)
    alpha = in_unit_interval("alpha", alpha, closed_right=True)
    eps = _eps(eps)
    wd, decay = _weight_decay(weight_decay)
    mom = non_negative("momentum", momentum)
    has_momentum = not _is_zero(mom)
    alpha_c, mom_c = _coord(alpha), _coord(mom)

    def init(params: Array) -> RMSpropState:
        zeros = np.zeros(params.shape)
        return RMSpropState(0, zeros, zeros if centered else None, zeros if has_momentum else None)

    def denom(state: RMSpropState) -> Array:
        v = state.square_avg if state.grad_avg is None else state.square_avg - state.grad_avg**2
        return np.sqrt(v) + eps

    def update(grads: Array, state: RMSpropState, params: Array, lr: Array) -> tuple[Array, RMSpropState]:
        g, _ = decay(grads, params, lr)
        v = alpha_c * state.square_avg + (1 - alpha_c) * g * g
        g_avg = state.grad_avg + (1 - alpha_c) * (g - state.grad_avg) if centered else None
        new = RMSpropState(state.count + 1, v, g_avg, None)
        step = g / denom(new)
        if has_momentum:
            buf = mom_c * state.momentum_buffer + step
            return -lr * buf, new._replace(momentum_buffer=buf)
        return -lr * step, new

    def internals(state: RMSpropState, lr: Array) -> Internals:
        out = {"square_avg": state.square_avg, "effective_lr": lr / denom(state)}
        if state.grad_avg is not None:
            out["grad_avg"] = state.grad_avg
        if state.momentum_buffer is not None:
            out["momentum_buffer"] = state.momentum_buffer
        return out

    return Optimizer(
        "rmsprop",
        {"alpha": alpha, "eps": eps, "weight_decay": wd, "momentum": mom, "centered": centered},
        lr,
        init,
        update,
        internals,
        rmsprop,
        frozenset({"adaptive", "momentum"} if has_momentum else {"adaptive"}),
    )


# ----------------------------------------------------------------------------------------------- Adam family


class AdamState(NamedTuple):
    count: int
    exp_avg: Array
    exp_avg_sq: Array
    max_exp_avg_sq: Array | None


def _adam(
    factory: Callable[..., Optimizer],
    lr: Any,
    betas: Any,
    eps: Any,
    weight_decay: Any,
    amsgrad: bool,
    decoupled: bool,
    bias_correction: bool,
) -> Optimizer:
    """The one Adam: :func:`adam` and :func:`adamw` are this with L2 or decoupled weight decay."""
    lr = _rate(lr)
    beta1, beta2 = _betas(betas)
    eps = _eps(eps)
    wd, decay = _weight_decay(weight_decay, decoupled)
    moments = _moments(beta1, beta2)
    b1, b2 = _coord(beta1), _coord(beta2)

    def init(params: Array) -> AdamState:
        zeros = np.zeros(params.shape)
        return AdamState(0, zeros, zeros, zeros if amsgrad else None)

    def corrected(state: AdamState) -> tuple[Array, Array]:
        """:math:`\\hat m_t, \\hat v_t` (with AMSGrad, :math:`\\hat v_t` uses the running maximum of v)."""
        v = state.exp_avg_sq if state.max_exp_avg_sq is None else state.max_exp_avg_sq
        if not bias_correction:
            return state.exp_avg, v
        t = state.count
        return state.exp_avg / (1 - b1**t), v / (1 - b2**t)

    def update(grads: Array, state: AdamState, params: Array, lr: Array) -> tuple[Array, AdamState]:
        g, shrink = decay(grads, params, lr)
        m, v = moments(state.exp_avg, state.exp_avg_sq, g)
        vmax = np.maximum(state.max_exp_avg_sq, v) if amsgrad else None
        new = AdamState(state.count + 1, m, v, vmax)
        m_hat, v_hat = corrected(new)
        return shrink - lr * m_hat / (np.sqrt(v_hat) + eps), new

    def internals(state: AdamState, lr: Array) -> Internals:
        m_hat, v_hat = corrected(state)
        out = {"m": state.exp_avg, "v": state.exp_avg_sq, "m_hat": m_hat, "v_hat": v_hat}
        if state.max_exp_avg_sq is not None:
            out["v_max"] = state.max_exp_avg_sq
        out["effective_lr"] = lr / (np.sqrt(v_hat) + eps)
        return out

    hyper = {"betas": (beta1, beta2), "eps": eps, "weight_decay": wd, "amsgrad": amsgrad}
    if not bias_correction:
        hyper["bias_correction"] = False
    capabilities = {"adaptive", "moments", "momentum"} | ({"decoupled_weight_decay"} if decoupled else set())
    return Optimizer(factory.__name__, hyper, lr, init, update, internals, factory, frozenset(capabilities))


_ADAM_MATH = r"""
    .. math::
        \begin{aligned}
        & m_t \leftarrow \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad v_t \leftarrow \beta_2 v_{t-1} + (1-\beta_2) g_t^2 \\
        & \hat m_t \leftarrow m_t / (1-\beta_1^t), \qquad \hat v_t \leftarrow v_t / (1-\beta_2^t)
          \qquad (\text{AMSGrad: } \hat v_t \leftarrow \max(v^{max}_{t-1}, v_t) / (1-\beta_2^t)) \\
        & \theta_t \leftarrow \theta_{t-1} - \eta\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)
        \end{aligned}
"""


def adam(
    lr: Any = 1e-3,
    betas: Any = (0.9, 0.999),
    eps: Any = 1e-8,
    weight_decay: Any = 0.0,
    amsgrad: bool = False,
    *,
    bias_correction: bool = True,
) -> Optimizer:
    r"""Adam, Kingma & Ba (2015), as ``torch.optim.Adam``: momentum on the gradient (:math:`m`) divided by the
    root of a moving average of its square (:math:`v`), both bias-corrected. With weight decay, L2 is added to
    the gradient first, :math:`g_t \leftarrow g_t + \lambda\theta_{t-1}` (compare :func:`adamw`).
    ``bias_correction=False`` (not in torch; for teaching) drops the two divisions by :math:`1-\beta^t`.
    """
    return _adam(adam, lr, betas, eps, weight_decay, amsgrad, decoupled=False, bias_correction=bias_correction)


def adamw(
    lr: Any = 1e-3,
    betas: Any = (0.9, 0.999),
    eps: Any = 1e-8,
    weight_decay: Any = 1e-2,
    amsgrad: bool = False,
    *,
    bias_correction: bool = True,
) -> Optimizer:
    r"""AdamW, Loshchilov & Hutter (2019), as ``torch.optim.AdamW``: Adam with decoupled weight decay, the
    parameters shrink by :math:`\theta_{t-1} \leftarrow \theta_{t-1}(1 - \eta\lambda)` and the decay never
    passes through :math:`m, v`.
    """
    return _adam(adamw, lr, betas, eps, weight_decay, amsgrad, decoupled=True, bias_correction=bias_correction)


adam.__doc__ += _ADAM_MATH
adamw.__doc__ += _ADAM_MATH


class NAdamState(NamedTuple):
    count: int
    exp_avg: Array
    exp_avg_sq: Array
    mu_product: float | Array


def nadam(
    lr: Any = 2e-3,
    betas: Any = (0.9, 0.999),
    eps: Any = 1e-8,
    weight_decay: Any = 0.0,
    momentum_decay: Any = 4e-3,
    decoupled_weight_decay: bool = False,
) -> Optimizer:
    r"""NAdam, Dozat (2016), as ``torch.optim.NAdam``: Adam with Nesterov momentum, looking one step ahead
    along :math:`m`, with a momentum warm-up :math:`\mu_t`.

    .. math::
        \begin{aligned}
        & \mu_t \leftarrow \beta_1\left(1 - \tfrac12\, 0.96^{t\psi}\right), \qquad
          \mu_{t+1} \leftarrow \beta_1\left(1 - \tfrac12\, 0.96^{(t+1)\psi}\right) \\
        & m_t \leftarrow \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad v_t \leftarrow \beta_2 v_{t-1} + (1-\beta_2) g_t^2,
          \qquad \hat v_t \leftarrow v_t / (1-\beta_2^t) \\
        & \theta_t \leftarrow \theta_{t-1} - \eta\, \frac{1}{\sqrt{\hat v_t}+\epsilon}\left(
          \frac{(1-\mu_t)\, g_t}{1 - \prod_{i \le t}\mu_i} + \frac{\mu_{t+1}\, m_t}{1 - \prod_{i \le t+1}\mu_i}\right)
        \end{aligned}
    """
    lr = _rate(lr)
    beta1, beta2 = _betas(betas)
    eps = _eps(eps)
    wd, decay = _weight_decay(weight_decay, decoupled_weight_decay)
    moments = _moments(beta1, beta2)
    psi = non_negative("momentum_decay", momentum_decay)
    b1, b2, psi_c = _coord(beta1), _coord(beta2), _coord(psi)

    def mu(t: int) -> float | Array:
        return b1 * (1.0 - 0.5 * 0.96 ** (t * psi_c))

    def init(params: Array) -> NAdamState:
        zeros = np.zeros(params.shape)
        return NAdamState(0, zeros, zeros, 1.0)

    def v_hat(state: NAdamState) -> Array:
        return state.exp_avg_sq / (1 - b2**state.count)

    def update(grads: Array, state: NAdamState, params: Array, lr: Array) -> tuple[Array, NAdamState]:
        t = state.count + 1
        g, shrink = decay(grads, params, lr)
        mu_t, mu_next = mu(t), mu(t + 1)
        mu_product = state.mu_product * mu_t
        m, v = moments(state.exp_avg, state.exp_avg_sq, g)
        new = NAdamState(t, m, v, mu_product)
        denom = np.sqrt(v_hat(new)) + eps
        step = lr * (1 - mu_t) / (1 - mu_product) * g / denom + lr * mu_next / (1 - mu_product * mu_next) * m / denom
        return shrink - step, new

    def internals(state: NAdamState, lr: Array) -> Internals:
        vh = v_hat(state)
        return {
            "m": state.exp_avg,
            "v": state.exp_avg_sq,
            "v_hat": vh,
            "mu": np.broadcast_to(mu(state.count), vh.shape),
            "mu_next": np.broadcast_to(mu(state.count + 1), vh.shape),
            "mu_product": np.broadcast_to(state.mu_product, vh.shape),
            "effective_lr": lr / (np.sqrt(vh) + eps),
        }

    return Optimizer(
        "nadam",
        {
            "betas": (beta1, beta2),
            "eps": eps,
            "weight_decay": wd,
            "momentum_decay": psi,
            "decoupled_weight_decay": decoupled_weight_decay,
        },
        lr,
        init,
        update,
        internals,
        nadam,
        frozenset(
            {"adaptive", "momentum", "nesterov"} | ({"decoupled_weight_decay"} if decoupled_weight_decay else set())
        ),
    )


OPTIMIZERS: dict[str, Callable[..., Optimizer]] = {
    "sgd": sgd,
    "adagrad": adagrad,
    "rmsprop": rmsprop,
    "adam": adam,
    "adamw": adamw,
    "nadam": nadam,
}
"""Registry of optimizer factories by their torch name."""


@dataclass(frozen=True)
class Variant:
    """A named setting of a factory, as a menu shows it (e.g. "Nesterov" is SGD with nesterov=True)."""

    label: str
    factory: str
    fixed: Mapping[str, Any]
    default_lr: float


VARIANTS: dict[str, Variant] = {
    "sgd": Variant("SGD", "sgd", {}, 1e-2),
    "momentum": Variant("SGD + momentum", "sgd", {"momentum": 0.9}, 1e-2),
    "nesterov": Variant("Nesterov", "sgd", {"momentum": 0.9, "nesterov": True}, 1e-2),
    "adagrad": Variant("AdaGrad", "adagrad", {}, 0.5),
    "rmsprop": Variant("RMSProp", "rmsprop", {}, 0.05),
    "adam": Variant("Adam", "adam", {}, 0.1),
    "adamw": Variant("AdamW", "adamw", {}, 0.1),
    "amsgrad": Variant("AMSGrad", "adam", {"amsgrad": True}, 0.1),
    "nadam": Variant("NAdam", "nadam", {}, 0.1),
}
"""The optimizers a race can enter: each a factory with some hyperparameters fixed, and a sensible rate.
Pages and tests discover them here; what a page shows for one follows :func:`capabilities`, not its name."""


def capabilities(name: str) -> frozenset[str]:
    """What the optimizer registered as ``name`` can do (see :data:`CAPABILITIES`)."""
    return make_optimizer(name, 1e-3).capabilities


def make_optimizer(name: str, lr: Any, **hyperparams: Any) -> Optimizer:
    """Build the optimizer registered as ``name`` in :data:`VARIANTS` or :data:`OPTIMIZERS`.

    ``ValueError`` for an unknown name or a bad hyperparameter.
    """
    if name in VARIANTS:
        variant = VARIANTS[name]
        factory, kwargs = OPTIMIZERS[variant.factory], {**variant.fixed, **hyperparams}
    elif name in OPTIMIZERS:
        factory, kwargs = OPTIMIZERS[name], hyperparams
    else:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(VARIANTS)}")
    try:
        return factory(lr=lr, **kwargs)
    except TypeError as err:
        raise ValueError(f"bad hyperparameters for {name!r}: {err}") from None
