"""Exercises of the foundations chapter: matrix derivatives, the Jacobian chain rule, losses.

Truth by autograd (`torch.autograd.grad`, `torch.autograd.functional.jacobian`); each mistake is
the reference solution with one slip that the page describes.
"""

from __future__ import annotations

from functools import partial

import torch

from dlref.exercises.registry import Exercise, Mistake, gradients, one_hot, randn, register

# The reader reaches these exercises through dlref.exercises (check, get, list_exercises); the
# functions here are the reference solutions a page's collapsed answer shows, not API of their own.
__all__: list[str] = []

# ---------------------------------------------------------------- foundations/layouts


def bilinear_gradients(x, A, y):
    """Gradients of f = xᵀ A y + tr(AᵀA), each with the shape of its variable.

    x: (m,); A: (m, n); y: (n,). Return {"x": ∇x f, "A": ∇A f, "y": ∇y f}.
    """
    return {"x": A @ y, "A": torch.outer(x, y) + 2 * A, "y": A.T @ x}


def _bilinear_slip(x, A, y, *, slip):
    out = {"x": A @ y, "A": torch.outer(x, y) + 2 * A, "y": A.T @ x}
    if slip == "layout":
        out["A"] = torch.outer(y, x) + 2 * A.T  # numerator-layout derivative, (n, m)
    if slip == "trace":
        out["A"] = torch.outer(x, y) + A  # ∂ tr(AᵀA)/∂A_ij = 2A_ij, not A_ij
    return out


def _bilinear_truth(x, A, y):
    return gradients(lambda x, A, y: x @ A @ y + torch.trace(A.T @ A), dict(x=x, A=A, y=y), ["x", "A", "y"])


register(Exercise(
    page="foundations/layouts",
    task=r"Differentiate $f = \mathbf x^\top\mathbf A\mathbf y + \operatorname{tr}(\mathbf A^\top\mathbf A)$ "
         r"with respect to $\mathbf x$, $\mathbf A$ and $\mathbf y$, each gradient with the shape of its variable.",
    inputs=lambda gen: dict(x=randn(gen, 3), A=randn(gen, 3, 5), y=randn(gen, 5)),
    truth=_bilinear_truth, solution=bilinear_gradients,
    mistakes=(
        Mistake("∇A in the other layout (y xᵀ, the transpose)", "checked-at-build", partial(_bilinear_slip, slip="layout"),
                "A gradient has the shape of its variable: ∇A(xᵀAy) = x yᵀ is m × n like A."),
        Mistake("the trace's factor 2 lost", "common-mistakes", partial(_bilinear_slip, slip="trace"),
                "tr(AᵀA) = Σᵢⱼ Aᵢⱼ², so its gradient is 2A."),
    ),
    hint="write f with indices, f = Σᵢⱼ xᵢAᵢⱼyⱼ + Σᵢⱼ Aᵢⱼ², and differentiate one entry at a time.",
))

# ---------------------------------------------------------------- foundations/jacobian-chain-rule


def chain_jacobian(x, A, B):
    """The Jacobian of f2 ∘ f1 at x, for f1(x) = sin(A x) and f2(u) = B (u ⊙ u).

    x: (D,); A: (K, D); B: (C, K). Return {"J": J} with J of shape (C, D) (numerator layout).
    """
    u = torch.sin(A @ x)  # (K,)
    J1 = torch.cos(A @ x)[:, None] * A  # (K, D)
    J2 = B * (2 * u)[None, :]  # (C, K), evaluated at u = f1(x)
    return {"J": J2 @ J1}


def _chain_slip(x, A, B, *, slip):
    u = torch.sin(A @ x)
    J1 = torch.cos(A @ x)[:, None] * A
    if slip == "point":
        u = A @ x  # outer Jacobian evaluated at the pre-activation, not at f1(x)
    J2 = B * (u if slip == "path" else 2 * u)[None, :]
    return {"J": J1.T @ J2.T if slip == "order" else J2 @ J1}


register(Exercise(
    page="foundations/jacobian-chain-rule",
    task=r"Compute the Jacobian of $f_2\circ f_1$ at $\mathbf x$ for $f_1(\mathbf x) = \sin(\mathbf A\mathbf x)$ and "
         r"$f_2(\mathbf u) = \mathbf B(\mathbf u\odot\mathbf u)$, as the product of the two Jacobians.",
    inputs=lambda gen: dict(x=randn(gen, 3), A=randn(gen, 4, 3), B=randn(gen, 2, 4)),
    truth=lambda x, A, B: {"J": torch.autograd.functional.jacobian(lambda x: B @ torch.sin(A @ x) ** 2, x)},
    solution=chain_jacobian,
    mistakes=(
        Mistake("a path dropped in u ⊙ u (diag(u) instead of diag(2u))", "common-mistakes",
                partial(_chain_slip, slip="path"),
                "Each factor of uᵢuᵢ depends on uᵢ: the product rule gives two terms, 2uᵢ."),
        Mistake("the outer Jacobian evaluated at the wrong point", "common-mistakes", partial(_chain_slip, slip="point"),
                "J_f2 must be evaluated at f1(x) = sin(Ax), where f2 is applied."),
        Mistake("the Jacobians multiplied in the wrong order (J₁ᵀJ₂ᵀ)", "common-mistakes",
                partial(_chain_slip, slip="order"),
                "In numerator layout the outer Jacobian comes first: J = J_f2 J_f1, of shape (C, D)."),
    ),
    hint="J_f1 = diag(cos(Ax)) A and J_f2 = B diag(2u): check each against autograd alone first.",
))

# ---------------------------------------------------------------- foundations/losses


def loss_gradients(a, y, s, t):
    """Gradients of two mean losses with respect to their logits.

    a: (B, C) logits, y: (B, C) one-hot — L_CE = mean over the batch of −Σ_c y log softmax(a).
    s: (B,) logits, t: (B,) in {0, 1} — L_BCE = mean of −t log σ(s) − (1 − t) log(1 − σ(s)).
    Return {"a": ∇a L_CE, "s": ∇s L_BCE}.
    """
    B = a.shape[0]
    return {"a": (torch.softmax(a, dim=1) - y) / B, "s": (torch.sigmoid(s) - t) / B}


def _loss_slip(a, y, s, t, *, slip):
    B = 1 if slip == "sum" else a.shape[0]
    p = torch.sigmoid(a) if slip == "sigmoid" else torch.softmax(a, dim=1)
    q = torch.sigmoid(s)
    ds = (q - t) * q * (1 - q) if slip == "sigma-prime" else q - t
    return {"a": (p - y) / B, "s": ds / B}


def _loss_truth(a, y, s, t):
    def loss(a, y, s, t):
        ce = -(y * torch.log_softmax(a, dim=1)).sum(1).mean()
        return ce + torch.nn.functional.binary_cross_entropy_with_logits(s, t)
    return gradients(loss, dict(a=a, y=y, s=s, t=t), ["a", "s"])


register(Exercise(
    page="foundations/losses",
    task=r"Return the gradients of the mean cross-entropy with respect to its logits $\mathbf a$ and of the mean "
         r"binary cross-entropy with respect to its logits $\mathbf s$.",
    inputs=lambda gen: dict(a=randn(gen, 4, 3), y=one_hot(gen, 4, 3), s=randn(gen, 4),
                            t=torch.randint(0, 2, (4,), generator=gen).to(torch.float64)),
    truth=_loss_truth, solution=loss_gradients,
    mistakes=(
        Mistake("the sum's gradient for the mean loss (1/B missing)", "common-mistakes",
                partial(_loss_slip, slip="sum"),
                "PyTorch's losses average over the batch: each gradient carries 1/B."),
        Mistake("a sigmoid per class where the softmax belongs", "common-mistakes",
                partial(_loss_slip, slip="sigmoid"),
                "For C classes the probabilities are softmax(a); ∇a CE = softmax(a) − y."),
        Mistake("σ′ kept in the BCE gradient", "derivation", partial(_loss_slip, slip="sigma-prime"),
                "With BCE on a sigmoid, σ′ cancels against the log: ∇s = σ(s) − t."),
    ),
    hint="both gradients have the form (probability − target)/B.",
))
