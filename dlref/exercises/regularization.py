"""Exercises of the regularization chapter: weight decay, Adam, batch normalization.

Truth by autograd and by `torch.optim.Adam` itself; each mistake is the reference solution with
one slip that the page describes.
"""

from __future__ import annotations

from functools import partial

import torch

from dlref.exercises.registry import Exercise, Mistake, gradients, randn, register

# The reader reaches these exercises through dlref.exercises (check, get, list_exercises); the
# functions here are the reference solutions a page's collapsed answer shows, not API of their own.
__all__: list[str] = []

# ---------------------------------------------------------------- regularization/weight-decay


def l2_sgd_step(w, g, lr, lam):
    """One SGD step on L(w) + λ‖w‖², where g = ∇L(w) is the data loss's gradient.

    w, g: (P,); lr: α; lam: λ. Return {"w": the updated weights} — the step as weight decay.
    """
    return {"w": (1 - 2 * lr * lam) * w - lr * g}  # w ← (1 − 2αλ) w − α∇L


def _l2_slip(w, g, lr, lam, *, slip):
    if slip == "torch":
        return {"w": (1 - lr * lam) * w - lr * g}  # λ read as PyTorch's weight_decay
    if slip == "elementwise":
        return {"w": (1 - 2 * lr * lam * w) * w - lr * g}
    return {"w": (1 + 2 * lr * lam) * w - lr * g}


def _l2_truth(w, g, lr, lam):
    grad = gradients(lambda w, g: g @ w + lam * (w @ w), dict(w=w, g=g), ["w"])["w"]
    return {"w": w - lr * grad}


register(Exercise(
    page="regularization/weight-decay",
    task=r"Take one SGD step on $\mathcal L(\mathbf w) + \lambda\mathbf w^\top\mathbf w$ written as weight decay.",
    inputs=lambda gen: dict(w=randn(gen, 6), g=randn(gen, 6), lr=0.1, lam=0.3),
    truth=_l2_truth, solution=l2_sgd_step,
    mistakes=(
        Mistake("the decay factor 1 − αλ (λ read as PyTorch's weight_decay)", "common-mistakes",
                partial(_l2_slip, slip="torch"),
                "The gradient of λwᵀw is 2λw, so the factor is 1 − 2αλ; weight_decay=c means c = 2λ."),
        Mistake("the decay factor 1 − 2αλw", "derivation", partial(_l2_slip, slip="elementwise"),
                "The factor is the scalar 1 − 2αλ; multiplying by w once more makes the decay quadratic."),
        Mistake("the decay with the wrong sign, 1 + 2αλ", "derivation", partial(_l2_slip, slip="sign"),
                "Descent subtracts the penalty's gradient 2λw: the weights shrink."),
    ),
    hint="differentiate the penalty (2λw), add it to g, and take w − α × the sum.",
))

# ---------------------------------------------------------------- regularization/optimizers


def adam(theta, G, lr, beta1, beta2, eps):
    """Run Adam with bias correction for T steps, step t using the gradient G[t].

    theta: (P,) initial parameters; G: (T, P) the gradients to use; lr, beta1, beta2, eps: as in torch.optim.Adam.
    Return {"theta": the parameters after T steps}.
    """
    m = torch.zeros_like(theta)
    v = torch.zeros_like(theta)
    for t, g in enumerate(G, start=1):
        m = beta1 * m + (1 - beta1) * g  # first moment
        v = beta2 * v + (1 - beta2) * g * g  # second moment
        m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)  # bias correction
        theta = theta - lr * m_hat / (v_hat.sqrt() + eps)
    return {"theta": theta}


def _adam_slip(theta, G, lr, beta1, beta2, eps, *, slip):
    m = torch.zeros_like(theta)
    v = torch.zeros_like(theta)
    for t, g in enumerate(G, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        if slip == "no-correction":
            m_hat, v_hat = m, v
        else:
            m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
        if slip == "eps-inside":
            theta = theta - lr * m_hat / (v_hat + eps).sqrt()
        else:
            theta = theta - lr * m_hat / (v_hat.sqrt() + eps)
    return {"theta": theta}


def _adam_truth(theta, G, lr, beta1, beta2, eps):
    p = theta.clone().requires_grad_(True)
    opt = torch.optim.Adam([p], lr=lr, betas=(beta1, beta2), eps=eps)
    for g in G:
        p.grad = g.clone()
        opt.step()
    return {"theta": p.detach()}


register(Exercise(
    page="regularization/optimizers",
    task=r"Implement Adam with bias correction from scratch; it must agree with `torch.optim.Adam`.",
    inputs=lambda gen: dict(theta=randn(gen, 5), G=randn(gen, 4, 5), lr=0.1, beta1=0.9, beta2=0.999, eps=0.1),
    truth=_adam_truth, solution=adam,
    mistakes=(
        Mistake("no bias correction", "the-bias-of-the-zero-start", partial(_adam_slip, slip="no-correction"),
                "m and v start at 0, so early averages are too small: divide by 1 − βᵗ."),
        Mistake("ε inside the square root", "common-mistakes", partial(_adam_slip, slip="eps-inside"),
                "torch.optim.Adam adds ε after the root: m̂ / (√v̂ + ε)."),
    ),
    hint="count steps from t = 1, update m and v before correcting them, and add ε after the root.",
))

# ---------------------------------------------------------------- regularization/batch-norm


def batchnorm_backward(x, gamma, beta, dy, eps):
    """The backward pass of batch normalization in training mode.

    x: (B, C); gamma, beta: (C,); dy: (B, C) = ∂L/∂y for y = γ x̂ + β, x̂ = (x − μ)/√(σ² + ε) with the
    batch mean μ and the biased batch variance σ². Return {"x": ∂L/∂x, "gamma": ∂L/∂γ, "beta": ∂L/∂β}.
    """
    mu = x.mean(0)
    var = x.var(0, unbiased=False)
    x_hat = (x - mu) / (var + eps).sqrt()  # (B, C)
    d_hat = dy * gamma
    # μ and σ² depend on every x: their paths add the two mean terms.
    dx = (d_hat - d_hat.mean(0) - x_hat * (d_hat * x_hat).mean(0)) / (var + eps).sqrt()
    return {"x": dx, "gamma": (dy * x_hat).sum(0), "beta": dy.sum(0)}


def _bn_slip(x, gamma, beta, dy, eps, *, slip):
    mu = x.mean(0)
    var = x.var(0, unbiased=slip == "unbiased")
    x_hat = (x - mu) / (var + eps).sqrt()
    d_hat = dy * gamma
    if slip == "constants":
        dx = d_hat / (var + eps).sqrt()  # μ and σ² treated as constants
    else:
        dx = (d_hat - d_hat.mean(0) - x_hat * (d_hat * x_hat).mean(0)) / (var + eps).sqrt()
    if slip == "unbiased":
        B = x.shape[0]
        dx = (d_hat - d_hat.mean(0) - x_hat * (d_hat * x_hat).sum(0) / (B - 1)) / (var + eps).sqrt()
    return {"x": dx, "gamma": (dy * x_hat).sum(0), "beta": dy.sum(0)}


def _bn_truth(x, gamma, beta, dy, eps):
    leaves = {k: v.clone().requires_grad_(True) for k, v in dict(x=x, gamma=gamma, beta=beta).items()}
    y = torch.nn.functional.batch_norm(leaves["x"], None, None, leaves["gamma"], leaves["beta"], training=True, eps=eps)
    return dict(zip(leaves, torch.autograd.grad(y, list(leaves.values()), dy)))


register(Exercise(
    page="regularization/batch-norm",
    task=r"Derive the training-mode backward pass of batch normalization: $\partial L/\partial\mathbf x$, "
         r"$\partial L/\partial\boldsymbol\gamma$ and $\partial L/\partial\boldsymbol\beta$ from $\partial L/\partial\mathbf y$.",
    inputs=lambda gen: dict(x=randn(gen, 6, 3), gamma=randn(gen, 3), beta=randn(gen, 3), dy=randn(gen, 6, 3), eps=1e-5),
    truth=_bn_truth, solution=batchnorm_backward,
    mistakes=(
        Mistake("the batch mean and variance treated as constants", "derivation",
                partial(_bn_slip, slip="constants"),
                "In training mode μ and σ² are functions of the batch: their paths subtract two means."),
        Mistake("the unbiased variance in training mode", "common-mistakes", partial(_bn_slip, slip="unbiased"),
                "The batch is normalised with the biased variance (divide by B); only the running estimate uses B − 1."),
    ),
    hint="write ∂L/∂x̂ = dy ⊙ γ, then follow x̂'s three paths to x: directly, through μ, through σ².",
))
