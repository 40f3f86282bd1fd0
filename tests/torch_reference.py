"""Reference trajectories from ``torch.optim`` in float64, fed the same gradients as lr_core's runner."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from lr_core.surfaces import Surface


def torch_path(
    surface: Surface,
    optimizer_cls: type[torch.optim.Optimizer],
    kwargs: dict[str, Any],
    x0: list[float],
    steps: int,
    scheduler: Any = None,
) -> np.ndarray:
    """Points θ_0..θ_steps of torch's optimizer, with the gradient taken from ``surface.grad``."""
    p = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = optimizer_cls([p], **kwargs)
    sched = scheduler(opt) if scheduler else None
    out = [p.detach().numpy().copy()]
    for _ in range(steps):
        opt.zero_grad()
        p.grad = torch.tensor(surface.grad(p.detach().numpy()), dtype=torch.float64)
        opt.step()
        if sched:
            sched.step()
        out.append(p.detach().numpy().copy())
    return np.array(out)


def torch_rates(make_scheduler: Any, steps: int, lr: float = 1.0) -> np.ndarray:
    """The rate torch's scheduler gives optimizer step t = 0..steps-1 (scheduler.step() after each step)."""
    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr)
    sched = make_scheduler(opt)
    rates = []
    for _ in range(steps):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return np.array(rates, dtype=float)
