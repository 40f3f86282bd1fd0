"""Home: what LR Lab is and what each lesson shows."""

import streamlit as st

st.title("LR Lab 📉")
st.markdown(
    """
**What does the learning rate η do to gradient descent?** Every lesson here runs real optimizers on real loss
surfaces while you move the controls; every link you copy from the address bar reopens the exact scene.

The rule behind it all: $\\theta_{t+1} = \\theta_t - \\eta\\,\\nabla L(\\theta_t)$.
"""
)

LESSONS = [
    (
        "pages/update_rule.py",
        "1 · The update rule",
        "One step at a time on a parabola: the tangent, the step η·∇L, and the seed's three rates 0.05, 0.3 and 0.8 "
        "side by side: too slow, just right, oscillating.",
    ),
    (
        "pages/convergence.py",
        "2 · Convergence & stability",
        "Why η < 2/L: the contraction factor |1 − ηL|, its three regimes, the error shrinking like rᵗ, Hessian "
        "eigenvalues and the condition number in 2-D, the optimal rate 2/(μ+L), and local curvature elsewhere.",
    ),
    (
        "pages/schedules.py",
        "3 · Schedules",
        "Step, exponential, polynomial, cosine, warm restarts, cyclical and 1cycle rates, with warmup; how decay "
        "beats a constant rate under gradient noise, and the PyTorch code for each.",
    ),
    (
        "pages/adaptive.py",
        "4 · Adaptive methods",
        "A race of SGD, momentum, Nesterov, AdaGrad, RMSProp, Adam, AdamW, AMSGrad and NAdam on hard surfaces, "
        "with Adam's m, v, m̂, v̂ and per-coordinate step as live numbers, and the range test for choosing η.",
    ),
]
for path, title, text in LESSONS:
    with st.container(border=True):
        st.page_link(path, label=f"**{title}**")
        st.markdown(text)

st.caption("Built on a numpy engine (lr_core) whose optimizers and schedules match torch.optim to float64 precision.")
