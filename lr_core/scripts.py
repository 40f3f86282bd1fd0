"""A scene as a Python script that reproduces it with ``torch.optim`` (and ``torch.optim.lr_scheduler``): the loss
written in torch, its gradient by autograd, the optimizer and the schedule as torch names them, and the page's
final θ printed to every digit, so a student can check the page against the library they will use.

Each lesson module turns its config into a :class:`Run` list (``torch_runs``); :func:`script` writes the file.
Gradient noise, where the scene has some, is carried in the script as the very noise the engine added (the
script needs numpy only to hold it).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lr_core.optimizers import Optimizer
from lr_core.runner import Trajectory
from lr_core.surfaces import Surface

TORCH_CLASSES = {
    "sgd": "SGD",
    "adagrad": "Adagrad",
    "rmsprop": "RMSprop",
    "adam": "Adam",
    "adamw": "AdamW",
    "nadam": "NAdam",
}
"""lr_core's optimizer factories (named as torch names them) and their ``torch.optim`` classes."""

TORCH_LOSSES = {
    "rosenbrock": "(1.0 - x) ** 2 + 100.0 * (y - x**2) ** 2",
    "beale": "(1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2",
    "himmelblau": "(x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2",
    "saddle": "x**2 - y**2",
    "plateau": "1.0 - torch.exp(-(x**2 + 4 * y**2) / 2.0)",
    "bumpy": "0.5 * (x**2 + y**2) + 0.3 * (2 - torch.cos(4.0 * x) - torch.cos(4.0 * y))",
    "ravine": "0.5 * 0.2 * x * x + 0.5 * 40.0 * (y - 1.0 * torch.sin(x)) ** 2",
}
"""The race's surfaces (at the parameters the race uses) in torch, on ``x, y = p[0], p[1]``;
``tests/test_scripts.py`` checks each value and gradient against the engine's."""


@dataclass(frozen=True)
class Run:
    """One run of a scene: its label, the ``torch.optim`` class name with its keyword arguments, the start, the
    steps, the page's final θ, an optional ``torch.optim.lr_scheduler`` expression on ``optimizer`` (e.g.
    ``"torch.optim.lr_scheduler.StepLR(optimizer, step_size=50, gamma=0.5)"``) and the noise the engine added to
    each step's gradient (``steps x dim``, or ``None``)."""

    label: str
    optimizer: str
    kwargs: dict[str, Any]
    start: Sequence[float]
    steps: int
    final: Sequence[float]
    scheduler: str | None = None
    noise: np.ndarray | None = field(default=None, repr=False)
    diverged: bool = False
    """The page stopped the run at the next step, where it left the plot far behind (it diverged)."""


def torch_optimizer(optimizer: Optimizer) -> tuple[str, dict[str, Any]]:
    """The ``torch.optim`` class name and keyword arguments of an lr_core optimizer (its hyperparameters carry
    torch's names); ``ValueError`` for a setting torch.optim has no switch for."""
    kwargs = {k: (tuple(float(b) for b in v) if k == "betas" else v) for k, v in optimizer.hyperparams.items()}
    if kwargs.pop("bias_correction", True) is not True:
        raise ValueError("torch.optim's Adam always corrects the bias: it has no switch to turn that off")
    return TORCH_CLASSES[optimizer.name], {"lr": float(optimizer.lr), **kwargs}


def run_of(label: str, traj: Trajectory, start: Sequence[float], noise: float = 0.0,
           scheduler: str | None = None, optimizer_lr: float | None = None) -> Run:  # fmt: skip
    """The :class:`Run` of an engine trajectory: its optimizer as torch names it, its steps (up to where it stopped),
    its final θ and, for a noisy run, the noise it was fed (its gradients less the surface's)."""
    cls, kwargs = torch_optimizer(traj.optimizer) if scheduler is None else ("SGD", {"lr": optimizer_lr})
    steps = int(traj.last_index)
    left = bool(traj.diverged)
    if left:  # the page froze the run where it left the divergence box, clipped: compare the point before
        steps -= 1
    fed = traj.grads[:steps] - traj.surface.grad(traj.params[:steps]) if noise else None
    return Run(label, cls, kwargs, [float(v) for v in start], steps, traj.params[steps], scheduler, fed, left)


def quadratic_loss(surface: Surface) -> str:
    """A quadratic surface's loss in torch, from its Hessian and minimum: ½ (p − p*)ᵀ H (p − p*) + L(p*)."""
    if not surface.constant_hessian or not len(surface.minima):
        raise ValueError(f"{surface.name} is not a quadratic with a minimum")
    star = np.asarray(surface.minima[0], dtype=float).reshape(surface.dim)
    H = np.asarray(surface.hessian(star), dtype=float).reshape(surface.dim, surface.dim)
    floor = float(surface.value(star))
    return (f"H = torch.tensor({H.tolist()!r}, dtype=torch.float64)\n"
            f"STAR = torch.tensor({star.tolist()!r}, dtype=torch.float64)\n\n\n"
            f"def loss(p):\n    d = p - STAR\n    return 0.5 * d @ H @ d + {floor!r}\n")  # fmt: skip


def named_loss(name: str) -> str:
    """A race surface's loss in torch (:data:`TORCH_LOSSES`)."""
    if name not in TORCH_LOSSES:
        raise ValueError(f"no torch expression for the surface {name!r}")
    return f"def loss(p):\n    x, y = p[0], p[1]\n    return {TORCH_LOSSES[name]}\n"


HEADER = '''"""{title}

Reproduces the scene of LR Lab's page with torch.optim{sched}: the same loss, start, optimizer, rate{noise} and
steps. Run it with `python {filename}`; it prints each run's final θ, which the page shows as well.
"""

import torch
'''


def script(title: str, loss: str, runs: Sequence[Run], filename: str = "scene.py") -> str:
    """The whole script: the loss, then each run, printing its final θ with every digit (and the page's)."""
    noisy = any(r.noise is not None for r in runs)
    sched = any(r.scheduler for r in runs)
    parts = [HEADER.format(title=title, filename=filename, sched=" and torch.optim.lr_scheduler" if sched else "",
                           noise=", the gradient noise" if noisy else "")]  # fmt: skip
    if noisy:
        parts.append("import numpy as np\n")
    parts.append("torch.set_default_dtype(torch.float64)\n\n")
    parts.append(loss)
    parts.append(
        textwrap.dedent("""

        def run(opt_class, kwargs, start, steps, scheduler=None, noise=None):
            p = torch.tensor(start, requires_grad=True)
            opt = opt_class([p], **kwargs)
            sched = scheduler(opt) if scheduler else None
            for t in range(steps):
                opt.zero_grad()
                loss(p).backward()
                if noise is not None:
                    p.grad += torch.from_numpy(noise[t])
                opt.step()
                if sched:
                    sched.step()
            return p.detach().tolist()

    """)
    )
    for i, r in enumerate(runs):
        noise = "None"
        if r.noise is not None:
            parts.append(f"NOISE_{i} = np.array({np.asarray(r.noise).tolist()!r})\n")
            noise = f"NOISE_{i}"
        scheduler = f"lambda optimizer: {r.scheduler}" if r.scheduler else "None"
        start, final = [float(v) for v in r.start], [float(v) for v in r.final]
        parts.append(
            f"theta = run(torch.optim.{r.optimizer}, {r.kwargs!r}, {start!r}, {r.steps}, {scheduler}, {noise})\n"
            f"print({r.label!r}, 'final θ:', theta, 'the page:', {final!r})\n"
        )
        if r.diverged:
            parts.append(f"print('  (it diverges: the page stops it after step {r.steps}, where the next step leaves "
                         "the plot a thousand times behind)')\n")  # fmt: skip
    return "".join(parts)
