r"""Loss surfaces in one and two dimensions, with analytic gradients and Hessians.

A :class:`Surface` bundles :math:`L(x)`, :math:`\nabla L(x)` and :math:`\nabla^2 L(x)`; each takes ``x`` of
shape ``(..., dim)`` and broadcasts over the leading axes, so one call evaluates a whole batch of runs or a
plotting grid. Factories are registered by name in :data:`SURFACES`; use :func:`make_surface` to build one
from a name coming from a menu or a URL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lr_core._checks import as_float_array, positive

ArrayFn = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Surface:
    """A differentiable loss :math:`L: \\mathbb{R}^{d} \\to \\mathbb{R}`.

    ``bounds`` is one ``(low, high)`` pair per coordinate, the box a figure shows; ``minima`` has shape
    ``(k, dim)`` (``k`` may be 0, as for a saddle); ``latex`` is the formula with its current numbers;
    ``constant_hessian`` marks a quadratic, whose Hessian is the same everywhere (so the closed form
    :math:`|1 - \\eta\\lambda|` decides a gradient-descent run exactly).
    """

    name: str
    title: str
    dim: int
    latex: str
    value_fn: ArrayFn = field(repr=False)
    grad_fn: ArrayFn = field(repr=False)
    hessian_fn: ArrayFn = field(repr=False)
    bounds: tuple[tuple[float, float], ...]
    minima: np.ndarray = field(repr=False)
    lesson: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)
    value_and_grad_fn: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]] | None = field(default=None, repr=False)
    constant_hessian: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "bounds", tuple((float(lo), float(hi)) for lo, hi in self.bounds))

    def value(self, x: Any) -> np.ndarray:
        """:math:`L(x)`, shape ``x.shape[:-1]``."""
        return self.value_fn(self._points(x))

    def grad(self, x: Any) -> np.ndarray:
        r""":math:`\nabla L(x)`, shape ``x.shape``."""
        return self.grad_fn(self._points(x))

    def value_and_grad(self, x: Any) -> tuple[np.ndarray, np.ndarray]:
        """:math:`(L(x), \\nabla L(x))` in one call, sharing the work where the surface can."""
        x = self._points(x)
        if self.value_and_grad_fn is not None:
            return self.value_and_grad_fn(x)
        return self.value_fn(x), self.grad_fn(x)

    def hessian(self, x: Any) -> np.ndarray:
        r""":math:`\nabla^2 L(x)`, shape ``x.shape + (dim,)``."""
        return self.hessian_fn(self._points(x))

    @property
    def min_value(self) -> float | None:
        """The lowest loss over the known minima, or ``None`` if the surface has none."""
        if len(self.minima) == 0:
            return None
        return float(np.min(self.value(self.minima)))

    @property
    def extent(self) -> float:
        """The widest side of the plotting box."""
        return max(hi - lo for lo, hi in self.bounds)

    def _points(self, x: Any) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if x.ndim == 0 or x.shape[-1] != self.dim:
            raise ValueError(f"{self.name} takes points of shape (..., {self.dim}), got shape {x.shape}")
        return x


def _stack_grad(*parts: np.ndarray) -> np.ndarray:
    """The partial derivatives as the last axis (filled in place: cheaper than stacking on every step)."""
    shape = np.broadcast_shapes(*(np.shape(p) for p in parts))
    out = np.empty((*shape, len(parts)))
    for i, part in enumerate(parts):
        out[..., i] = part
    return out


def _stack_hessian(hxx: np.ndarray, hxy: np.ndarray, hyy: np.ndarray) -> np.ndarray:
    shape = np.broadcast_shapes(np.shape(hxx), np.shape(hxy), np.shape(hyy))
    out = np.empty((*shape, 2, 2))
    out[..., 0, 0], out[..., 0, 1], out[..., 1, 0], out[..., 1, 1] = hxx, hxy, hxy, hyy
    return out


def _num(x: float) -> str:
    """A number for a LaTeX formula: short, with an explicit sign handled by the caller."""
    return f"{x:.4g}"


def _signed(x: float) -> str:
    return f"- {_num(-x)}" if x < 0 else f"+ {_num(x)}"


# --------------------------------------------------------------------------------------------- one dimension


def quadratic_1d(a: float = 1.0, b: float = -6.0, c: float = 9.0) -> Surface:
    r"""The parabola :math:`L(\theta) = a\theta^2 + b\theta + c`, :math:`a > 0`.

    Its curvature is :math:`L'' = 2a` everywhere, the minimum is at :math:`\theta^* = -b/2a`. The defaults give
    the seeds' :math:`(\theta - 3)^2`.
    """
    a = float(positive("a", a))
    b = float(as_float_array("b", b))
    c = float(as_float_array("c", c))
    theta_star = -b / (2 * a)
    floor = c - b * b / (4 * a)
    half = 4.0 * max(1.0, 1.0 / np.sqrt(a))
    # evaluated in vertex form a(θ - θ*)² + L*, the same function without the cancellation of the expanded
    # form near the minimum (where a log-scale error plot looks)
    return Surface(
        name="quadratic_1d",
        title="Parabola",
        dim=1,
        latex=rf"L(\theta) = {_num(a)}\,\theta^2 {_signed(b)}\,\theta {_signed(c)}",
        value_fn=lambda x: a * (x[..., 0] - theta_star) ** 2 + floor,
        grad_fn=lambda x: 2 * a * (x - theta_star),
        hessian_fn=lambda x: np.full((*x.shape, 1), 2 * a),
        bounds=((theta_star - half, theta_star + half),),
        minima=np.array([[theta_star]]),
        lesson="Constant curvature 2a: gradient descent converges exactly when η < 2/(2a) = 1/a.",
        params={"a": a, "b": b, "c": c},
        constant_hessian=True,
    )


def parabola(curvature: float, minimum: float) -> Surface:
    r""":math:`L(\theta) = a(\theta - \theta^*)^2`, the vertex form of :func:`quadratic_1d`: its second derivative
    is :math:`2a` and its minimum :math:`\theta^*`."""
    a = float(positive("a", curvature))
    return quadratic_1d(a, -2 * a * minimum, a * minimum**2)


def double_well_1d(a: float = 1.0, tilt: float = 0.0) -> Surface:
    r"""The double well :math:`L(\theta) = (\theta^2 - a)^2 + c\,\theta`, :math:`a > 0`, tilted by :math:`c`
    (``tilt``).

    Untilted, its two minima lie at :math:`\pm\sqrt a`, equally deep. A tilt :math:`0 < |c| < 8a^{3/2}/(3\sqrt3)`
    keeps two wells but makes one deeper: the critical points are the real roots of
    :math:`L'(\theta) = 4\theta^3 - 4a\theta + c = 0`, two minima around a hump. The curvature
    :math:`L'' = 12\theta^2 - 4a` changes from point to point (negative on the hump between the wells), so "L" in
    :math:`\eta < 2/L` is the local curvature where the run is.
    """
    a = float(positive("a", a))
    c = float(as_float_array("tilt", tilt))
    r = np.sqrt(a)
    critical = np.sort(np.roots([4.0, 0.0, -4.0 * a, c]))
    critical = np.sort(critical[np.abs(critical.imag) < 1e-12].real)
    minima = critical[12 * critical**2 - 4 * a > 0]
    return Surface(
        name="double_well_1d",
        title="Tilted double well" if c else "Double well",
        dim=1,
        latex=rf"L(\theta) = (\theta^2 - {_num(a)})^2" + (rf" {_signed(c)}\,\theta" if c else ""),
        value_fn=lambda x: (x[..., 0] ** 2 - a) ** 2 + c * x[..., 0],
        grad_fn=lambda x: 4 * x * (x**2 - a) + c,
        hessian_fn=lambda x: (12 * x**2 - 4 * a)[..., None],
        bounds=((-2.0 * r, 2.0 * r),),
        minima=minima[:, None],
        lesson="Curvature varies: the safe step depends on where you are (8a at the untilted minima).",
        params={"a": a, "tilt": c},
    )


def barrier(surface: Surface) -> float:
    """Where a 1-D surface with two minima has its hump between them: the highest point between the two wells,
    found on a grid and polished by Newton's method on :math:`L' = 0` (``ValueError`` for a surface without two
    minima)."""
    if surface.dim != 1 or len(surface.minima) != 2:
        raise ValueError(f"{surface.name} has no two wells to find a hump between")
    lo, hi = surface.minima[:, 0]
    theta = np.linspace(lo, hi, 401)
    top = np.array([theta[np.argmax(surface.value(theta[:, None]))]])
    for _ in range(8):
        top = top - surface.grad(top) / surface.hessian(top)[..., 0]
    return float(top[0])


# -------------------------------------------------------------------------------------------- two dimensions


def quadratic_2d(
    eigenvalues: tuple[float, float] = (1.0, 10.0),
    angle_deg: float = 0.0,
    center: tuple[float, float] = (0.0, 0.0),
) -> Surface:
    r"""The quadratic bowl :math:`L(x) = \tfrac12 (x - c)^\top H (x - c)`, :math:`H = R\,\mathrm{diag}(\lambda_1,
    \lambda_2)\,R^\top` with :math:`R` the rotation by ``angle_deg``.

    The Hessian is :math:`H` everywhere; its condition number :math:`\kappa = \lambda_{max}/\lambda_{min}` sets
    how elongated the contours are.
    """
    lam = as_float_array("eigenvalues", eigenvalues)
    if lam.shape != (2,) or np.any(lam <= 0):
        raise ValueError(f"eigenvalues must be two numbers > 0, got {eigenvalues!r}")
    center_arr = as_float_array("center", center)
    if center_arr.shape != (2,):
        raise ValueError(f"center must be two numbers, got {center!r}")
    angle = float(as_float_array("angle_deg", angle_deg))
    phi = np.deg2rad(angle)
    rot = np.array([[np.cos(phi), -np.sin(phi)], [np.sin(phi), np.cos(phi)]])
    hess = rot @ np.diag(lam) @ rot.T
    hess = (hess + hess.T) / 2  # exactly symmetric

    halves = np.full(2, 0.5)
    centred = bool(np.any(center_arr != 0))

    def value_and_grad(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        d = x - center_arr if centred else x
        g = d @ hess
        return (g * d) @ halves, g  # L = ½ dᵀHd = ½ gᵀd; a matmul sums the last axis faster than .sum(-1)

    half = 3.0
    return Surface(
        name="quadratic_2d",
        title="Quadratic bowl",
        dim=2,
        latex=(
            r"L(x) = \tfrac12 (x-c)^\top H (x-c),\quad "
            rf"\lambda(H) = ({_num(lam[0])},\ {_num(lam[1])}),\ \varphi = {_num(angle)}^\circ"
        ),
        value_fn=lambda x: value_and_grad(x)[0],
        grad_fn=lambda x: (x - center_arr) @ hess,
        hessian_fn=lambda x: np.broadcast_to(hess, (*x.shape[:-1], 2, 2)).copy(),
        bounds=((center_arr[0] - half, center_arr[0] + half), (center_arr[1] - half, center_arr[1] + half)),
        minima=center_arr[None, :].copy(),
        lesson="Constant Hessian: converges iff η < 2/λmax; the narrow direction limits the step, "
        "the wide one sets the speed.",
        params={"eigenvalues": tuple(lam.tolist()), "angle_deg": angle, "center": tuple(center_arr.tolist())},
        value_and_grad_fn=value_and_grad,
        constant_hessian=True,
    )


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Surface:
    r"""Rosenbrock's banana :math:`L(x, y) = (a - x)^2 + b\,(y - x^2)^2`, minimum at :math:`(a, a^2)`.

    A curved, ill-conditioned valley: steep walls (curvature about :math:`2b`) around a nearly flat floor.
    """
    a = float(as_float_array("a", a))
    b = float(positive("b", b))

    def value(p: np.ndarray) -> np.ndarray:
        x, y = p[..., 0], p[..., 1]
        return (a - x) ** 2 + b * (y - x**2) ** 2

    def grad(p: np.ndarray) -> np.ndarray:
        x, y = p[..., 0], p[..., 1]
        r = y - x**2
        return _stack_grad(-2 * (a - x) - 4 * b * x * r, 2 * b * r)

    def value_and_grad(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x, y = p[..., 0], p[..., 1]
        d, r = a - x, y - x * x
        return d * d + b * r * r, _stack_grad(-2 * d - 4 * b * x * r, 2 * b * r)

    def hessian(p: np.ndarray) -> np.ndarray:
        x, y = p[..., 0], p[..., 1]
        return _stack_hessian(2 - 4 * b * (y - x**2) + 8 * b * x**2, -4 * b * x, np.full_like(x, 2 * b))

    return Surface(
        name="rosenbrock",
        title="Rosenbrock valley",
        dim=2,
        latex=rf"L(x, y) = ({_num(a)} - x)^2 + {_num(b)}\,(y - x^2)^2",
        value_fn=value,
        grad_fn=grad,
        hessian_fn=hessian,
        bounds=((-2.0, 2.0), (-1.0, 3.0)),
        minima=np.array([[a, a * a]]),
        lesson="A curved, ill-conditioned valley: a rate safe for the steep walls crawls along the floor.",
        params={"a": a, "b": b},
        value_and_grad_fn=value_and_grad,
    )


_BEALE_C = (1.5, 2.25, 2.625)


def beale() -> Surface:
    r"""Beale's function :math:`L = \sum_{i=1}^{3} (c_i - x + x y^i)^2`, :math:`c = (1.5, 2.25, 2.625)`,
    minimum at :math:`(3, 0.5)`; flat plateaus and sharp ridges."""

    def value(p: np.ndarray) -> np.ndarray:
        x, y = p[..., 0], p[..., 1]
        return sum((c - x + x * y**i) ** 2 for i, c in enumerate(_BEALE_C, start=1))

    def grad(p: np.ndarray) -> np.ndarray:
        x, y = p[..., 0], p[..., 1]
        gx = gy = 0.0
        for i, c in enumerate(_BEALE_C, start=1):
            f = c - x + x * y**i
            gx = gx + 2 * f * (y**i - 1)
            gy = gy + 2 * f * i * x * y ** (i - 1)
        return _stack_grad(gx, gy)

    def hessian(p: np.ndarray) -> np.ndarray:
        x, y = p[..., 0], p[..., 1]
        hxx = hxy = hyy = 0.0
        for i, c in enumerate(_BEALE_C, start=1):
            f = c - x + x * y**i
            fx, fy = y**i - 1, i * x * y ** (i - 1)
            fxy = i * y ** (i - 1)
            fyy = i * (i - 1) * x * y ** (i - 2) if i >= 2 else 0.0
            hxx = hxx + 2 * fx * fx
            hxy = hxy + 2 * (fx * fy + f * fxy)
            hyy = hyy + 2 * (fy * fy + f * fyy)
        return _stack_hessian(hxx + 0 * x, hxy, hyy)

    return Surface(
        name="beale",
        title="Beale",
        dim=2,
        latex=r"L(x,y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
        value_fn=value,
        grad_fn=grad,
        hessian_fn=hessian,
        bounds=((-4.5, 4.5), (-4.5, 4.5)),
        minima=np.array([[3.0, 0.5]]),
        lesson="Gradients span many orders of magnitude: one global rate is too big on the ridges "
        "and too small on the plateaus, which is what adaptive methods fix.",
    )


# Himmelblau's four minima, solved with Newton's method to machine precision.
_HIMMELBLAU_MINIMA = np.array(
    [
        [3.0, 2.0],
        [-2.805118086952745, 3.131312518250573],
        [-3.779310253377747, -3.283185991286170],
        [3.584428340330492, -1.848126526964404],
    ]
)


def himmelblau() -> Surface:
    r"""Himmelblau's function :math:`L = (x^2 + y - 11)^2 + (x + y^2 - 7)^2`: four equal minima (all
    :math:`L = 0`), so where a run ends depends on where it starts and on the rate."""

    def value(p: np.ndarray) -> np.ndarray:
        x, y = p[..., 0], p[..., 1]
        return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2

    def grad(p: np.ndarray) -> np.ndarray:
        x, y = p[..., 0], p[..., 1]
        f1, f2 = x**2 + y - 11, x + y**2 - 7
        return _stack_grad(4 * x * f1 + 2 * f2, 2 * f1 + 4 * y * f2)

    def hessian(p: np.ndarray) -> np.ndarray:
        x, y = p[..., 0], p[..., 1]
        f1, f2 = x**2 + y - 11, x + y**2 - 7
        return _stack_hessian(8 * x**2 + 4 * f1 + 2, 4 * x + 4 * y, 8 * y**2 + 4 * f2 + 2)

    return Surface(
        name="himmelblau",
        title="Himmelblau",
        dim=2,
        latex=r"L(x,y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        value_fn=value,
        grad_fn=grad,
        hessian_fn=hessian,
        bounds=((-5.0, 5.0), (-5.0, 5.0)),
        minima=_HIMMELBLAU_MINIMA.copy(),
        lesson="Four minima: the rate and the start decide which one you reach.",
    )


def saddle() -> Surface:
    r"""The saddle :math:`L(x, y) = x^2 - y^2`: a stationary point at the origin that is not a minimum, and
    no minimum at all (the loss falls without bound along :math:`y`)."""
    return Surface(
        name="saddle",
        title="Saddle",
        dim=2,
        latex=r"L(x, y) = x^2 - y^2",
        value_fn=lambda p: p[..., 0] ** 2 - p[..., 1] ** 2,
        grad_fn=lambda p: p * np.array([2.0, -2.0]),
        hessian_fn=lambda p: np.broadcast_to(np.diag([2.0, -2.0]), (*p.shape[:-1], 2, 2)).copy(),
        bounds=((-2.0, 2.0), (-2.0, 2.0)),
        minima=np.empty((0, 2)),
        lesson="The gradient vanishes at the saddle point: a run started on the ridge line y = 0 stops there; "
        "the tiniest offset escapes, slowly at first.",
    )


def plateau(width: float = 1.0) -> Surface:
    r"""A well in a plateau :math:`L(x, y) = 1 - \exp\!\big(-(x^2 + 4y^2)/(2w^2)\big)`, minimum at the origin.

    Far from the well the gradient is almost zero: plain gradient descent stalls there, while methods that
    divide by the gradient's size (RMSProp, Adam) keep moving.
    """
    w = float(positive("width", width))

    def value(p: np.ndarray) -> np.ndarray:
        return 1.0 - np.exp(-(p[..., 0] ** 2 + 4 * p[..., 1] ** 2) / (2 * w * w))

    def grad(p: np.ndarray) -> np.ndarray:
        e = np.exp(-(p[..., 0] ** 2 + 4 * p[..., 1] ** 2) / (2 * w * w))
        return p * np.array([1.0, 4.0]) * (e / (w * w))[..., None]

    def hessian(p: np.ndarray) -> np.ndarray:
        x, y = p[..., 0], p[..., 1]
        e = np.exp(-(x**2 + 4 * y**2) / (2 * w * w))
        s = 1.0 / (w * w)
        return _stack_hessian(e * s * (1 - x * x * s), -e * s * s * 4 * x * y, e * s * (4 - 16 * y * y * s))

    return Surface(
        name="plateau",
        title="Plateau",
        dim=2,
        latex=rf"L(x,y) = 1 - \exp\!\left(-\frac{{x^2 + 4y^2}}{{2 \cdot {_num(w)}^2}}\right)",
        value_fn=value,
        grad_fn=grad,
        hessian_fn=hessian,
        bounds=((-4.0 * w, 4.0 * w), (-4.0 * w, 4.0 * w)),
        minima=np.zeros((1, 2)),
        lesson="On a plateau the gradient is nearly zero, so a fixed rate barely moves: training stalls.",
        params={"width": w},
    )


def bumpy(amplitude: float = 0.3, frequency: float = 4.0) -> Surface:
    r"""A bowl with ripples :math:`L = \tfrac12(x^2 + y^2) + A\,(2 - \cos\omega x - \cos\omega y)`.

    The global minimum is at the origin; for :math:`A\omega^2 > 1` the ripples add many local minima where a
    small rate gets caught and a larger or cyclical rate can jump out.
    """
    amp = float(positive("amplitude", amplitude))
    om = float(positive("frequency", frequency))

    def value(p: np.ndarray) -> np.ndarray:
        x, y = p[..., 0], p[..., 1]
        return 0.5 * (x**2 + y**2) + amp * (2 - np.cos(om * x) - np.cos(om * y))

    return Surface(
        name="bumpy",
        title="Bumpy bowl",
        dim=2,
        latex=rf"L = \tfrac12(x^2+y^2) + {_num(amp)}\,(2 - \cos {_num(om)}x - \cos {_num(om)}y)",
        value_fn=value,
        grad_fn=lambda p: p + amp * om * np.sin(om * p),
        hessian_fn=lambda p: _stack_hessian(
            1 + amp * om * om * np.cos(om * p[..., 0]), 0 * p[..., 0], 1 + amp * om * om * np.cos(om * p[..., 1])
        ),
        bounds=((-3.0, 3.0), (-3.0, 3.0)),
        minima=np.zeros((1, 2)),
        lesson="Local minima: a small rate settles in the nearest dip; a large or cyclical rate can escape.",
        params={"amplitude": amp, "frequency": om},
    )


def ravine(across: float = 40.0, along: float = 0.2, bend: float = 1.0) -> Surface:
    r"""A long, narrow, curved valley :math:`L(x, y) = \tfrac{a}{2} x^2 + \tfrac{b}{2}\,(y - c\sin x)^2`,
    minimum at the origin.

    The floor follows the curve :math:`y = c \sin x`; across it the curvature is about :math:`b` (``across``),
    along it about :math:`a` (``along``), so at the minimum :math:`\kappa \approx b(1 + c^2)/a`: a rate safe for
    the walls creeps along the floor, and because the floor bends, no fixed axis is the slow one.
    """
    a = float(positive("along", along))
    b = float(positive("across", across))
    c = float(as_float_array("bend", bend))

    def value_and_grad(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x, y = p[..., 0], p[..., 1]
        r = y - c * np.sin(x)
        return 0.5 * a * x * x + 0.5 * b * r * r, _stack_grad(a * x - b * c * r * np.cos(x), b * r)

    def hessian(p: np.ndarray) -> np.ndarray:
        x, y = p[..., 0], p[..., 1]
        r, cos = y - c * np.sin(x), np.cos(x)
        return _stack_hessian(a + b * c * c * cos * cos + b * c * r * np.sin(x), -b * c * cos, np.full_like(x, b))

    return Surface(
        name="ravine",
        title="Curved ravine",
        dim=2,
        latex=rf"L(x, y) = {_num(a / 2)}\,x^2 + {_num(b / 2)}\,(y - {_num(c)}\sin x)^2",
        value_fn=lambda p: value_and_grad(p)[0],
        grad_fn=lambda p: value_and_grad(p)[1],
        hessian_fn=hessian,
        bounds=((-6.0, 6.0), (-3.0, 3.0)),
        minima=np.zeros((1, 2)),
        lesson="A narrow valley that bends: the walls cap the rate, the floor is long and nearly flat, and its "
        "direction keeps turning, so momentum and per-coordinate rates both matter.",
        params={"across": b, "along": a, "bend": c},
        value_and_grad_fn=value_and_grad,
    )


# -------------------------------------------------------------------------------------------------- catalogue


@dataclass(frozen=True)
class SurfaceEntry:
    """A surface as the lessons offer it: its factory, the start that shows its character (``None``: no 2-D
    demo start), and whether its contours are drawn on a log scale (for losses spanning many decades)."""

    factory: Callable[..., Surface] = field(repr=False)
    start: tuple[float, ...] | None = None
    log_levels: bool = True

    @property
    def title(self) -> str:
        return self.factory().title


SURFACES: dict[str, SurfaceEntry] = {
    "quadratic_1d": SurfaceEntry(quadratic_1d),
    "double_well_1d": SurfaceEntry(double_well_1d),
    "rosenbrock": SurfaceEntry(rosenbrock, (-1.5, 2.5)),
    "beale": SurfaceEntry(beale, (1.0, 1.4)),
    "quadratic_2d": SurfaceEntry(quadratic_2d, (2.5, 2.0), log_levels=False),
    "plateau": SurfaceEntry(plateau, (3.0, 1.5)),
    "saddle": SurfaceEntry(saddle, (1.5, 1e-3)),
    "himmelblau": SurfaceEntry(himmelblau, (0.0, 0.0)),
    "bumpy": SurfaceEntry(bumpy, (2.4, 2.2)),
    "ravine": SurfaceEntry(ravine, (-5.0, -1.0)),
}
"""Every surface by name; pages and tests discover them here (the race offers those with a ``start``)."""


def make_surface(name: str, **params: Any) -> Surface:
    """Build the surface registered as ``name``; ``ValueError`` for an unknown name or bad parameters."""
    try:
        factory = SURFACES[name].factory
    except (KeyError, TypeError):
        raise ValueError(f"unknown surface {name!r}; choose one of {', '.join(SURFACES)}") from None
    try:
        return factory(**params)
    except TypeError as err:
        raise ValueError(f"bad parameters for surface {name!r}: {err}") from None


def surfaces_of_dim(dim: int) -> list[str]:
    """Names of the registered surfaces of dimension ``dim`` (with their default parameters)."""
    return [name for name, entry in SURFACES.items() if entry.factory().dim == dim]


def grid(surface: Surface, n: int = 80) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(xs, ys, Z)``: the loss of a 2-D surface on an ``n`` x ``n`` grid over its plotting box."""
    if surface.dim != 2:
        raise ValueError(f"a grid is for 2-D surfaces; {surface.name} is {surface.dim}-D")
    (x0, x1), (y0, y1) = surface.bounds
    xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    return xs, ys, surface.value(np.stack(np.meshgrid(xs, ys), axis=-1))


def curve(surface: Surface, n: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """``(θ, L(θ))`` over the plotting interval of a 1-D surface."""
    if surface.dim != 1:
        raise ValueError(f"a curve is for 1-D surfaces; {surface.name} is {surface.dim}-D")
    theta = np.linspace(*surface.bounds[0], n)
    return theta, surface.value(theta[:, None])
