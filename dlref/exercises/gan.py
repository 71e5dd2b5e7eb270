"""Exercises of the GAN chapter: the discriminator's logit gradients, D*, a tiny GAN by hand.

Truth by autograd; each mistake is the reference solution with one slip that the page describes.
"""

from __future__ import annotations

from functools import partial

import torch

from dlref.exercises.registry import Exercise, Mistake, gradients, randn, register

# The reader reaches these exercises through dlref.exercises (check, get, list_exercises); the
# functions here are the reference solutions a page's collapsed answer shows, not API of their own.
__all__: list[str] = []

F = torch.nn.functional

# ---------------------------------------------------------------- gan/objective


def discriminator_logit_gradients(a, a_fake):
    """The gradient of the loss D minimises, −L, at each of its logits.

    L = mean over n real logits a of log σ(a) + mean over n fake logits a_fake of log(1 − σ(a_fake)).
    a, a_fake: (n,). Return {"real": ∂(−L)/∂a, "fake": ∂(−L)/∂a_fake}, one entry per sample.
    """
    n = a.shape[0]
    return {"real": (torch.sigmoid(a) - 1) / n, "fake": torch.sigmoid(a_fake) / n}


def _disc_slip(a, a_fake, *, slip):
    n = a.shape[0]
    real, fake = (torch.sigmoid(a) - 1) / n, torch.sigmoid(a_fake) / n
    if slip == "roles":
        real, fake = -real, -fake  # the gradient of L, which D maximises
    if slip == "twice":
        real, fake = real / n, fake / n
    if slip == "one-logit":
        real, fake = real.sum().expand(n), fake.sum().expand(n)  # one logit for the whole batch
    return {"real": real, "fake": fake}


def _disc_truth(a, a_fake):
    def minus_L(a, a_fake):
        return -(F.logsigmoid(a).mean() + F.logsigmoid(-a_fake).mean())
    g = gradients(minus_L, dict(a=a, a_fake=a_fake), ["a", "a_fake"])
    return {"real": g["a"], "fake": g["a_fake"]}


register(Exercise(
    page="gan/objective",
    task=r"Return the gradient of the discriminator's loss $-L$ at every real and every fake logit.",
    inputs=lambda gen: dict(a=randn(gen, 5), a_fake=randn(gen, 5)),
    truth=_disc_truth, solution=discriminator_logit_gradients,
    mistakes=(
        Mistake("the roles reversed (the gradient of L, not of −L)", "who-maximises-who-minimises",
                partial(_disc_slip, slip="roles"), "D maximises L, so the loss it minimises is −L."),
        Mistake("one logit for the whole batch", "the-gradient-at-the-discriminators-logit",
                partial(_disc_slip, slip="one-logit"),
                "Every sample has its own logit and its own gradient; they are not summed before backpropagation."),
        Mistake("averaging twice (1/n²)", "the-updates", partial(_disc_slip, slip="twice"),
                "The mean over n samples contributes one factor 1/n."),
    ),
    hint="d/da log σ(a) = 1 − σ(a) and d/da log(1 − σ(a)) = −σ(a); then negate and divide by n.",
))

# ---------------------------------------------------------------- gan/theory


def optimal_discriminator(p_data, p_g):
    """The optimal discriminator for a fixed generator, on a finite set of points, and the game's value.

    p_data, p_g: (N,) probabilities (each sums to 1, all positive).
    Return {"D": D*(x) at each point, "value": V(D*, G) = Σ p_data log D* + Σ p_g log(1 − D*)}.
    """
    D = p_data / (p_data + p_g)
    return {"D": D, "value": (p_data * D.log() + p_g * (1 - D).log()).sum()}


def _optimal_slip(p_data, p_g, *, slip):
    D = p_g / (p_data + p_g) if slip == "swapped" else torch.full_like(p_data, 0.5)
    return {"D": D, "value": (p_data * D.log() + p_g * (1 - D).log()).sum()}


def _optimal_truth(p_data, p_g):
    # Maximise V over D pointwise: Newton's method on D's logit, derivatives by autograd, so the
    # truth is found from V itself rather than from the formula being tested.
    logit = torch.zeros_like(p_data, requires_grad=True)
    for _ in range(60):
        V = (p_data * F.logsigmoid(logit) + p_g * F.logsigmoid(-logit)).sum()
        (g,) = torch.autograd.grad(V, logit, create_graph=True)
        (h,) = torch.autograd.grad(g.sum(), logit)  # the Hessian is diagonal: V is a sum over points
        logit = (logit - g / h).detach().requires_grad_(True)
    D = torch.sigmoid(logit.detach())
    return {"D": D, "value": (p_data * D.log() + p_g * (1 - D).log()).sum()}


def _probabilities(gen, N):
    p = torch.rand(N, generator=gen, dtype=torch.float64) + 0.1
    return p / p.sum()


register(Exercise(
    page="gan/theory",
    task=r"For a fixed generator on $N$ points, return the discriminator that maximises $V(D, G)$ and the value "
         r"$V(D^*, G)$ it reaches.",
    inputs=lambda gen: dict(p_data=_probabilities(gen, 6), p_g=_probabilities(gen, 6)),
    truth=_optimal_truth, solution=optimal_discriminator,
    mistakes=(
        Mistake("D* = p_g / (p_data + p_g)", "the-optimal-discriminator", partial(_optimal_slip, slip="swapped"),
                "a log t + b log(1 − t) peaks at t = a/(a + b) with a = p_data: D* leans towards the data."),
        Mistake("D = ½ everywhere, whatever the generator", "common-mistakes", partial(_optimal_slip, slip="half"),
                "D* = ½ only where p_g = p_data; then the value is −log 4."),
    ),
    hint="maximise p_data log t + p_g log(1 − t) at each point separately: set the derivative to zero.",
))

# ---------------------------------------------------------------- gan/tiny-gan


def tiny_gan_gradients(x, r, Wg, Wd):
    """∇Wd L and ∇Wg L for L = log D(r) + log(1 − D(G(x))), G(x) = ReLU(Wg x), D(v) = σ(Wd v).

    x: (2,) noise; r: (5,) a real sample; Wg: (5, 2); Wd: (1, 5). Return {"Wd": (1, 5), "Wg": (5, 2)}.
    """
    a = Wg @ x
    y = torch.relu(a)
    b_r, b_g = torch.sigmoid(Wd @ r), torch.sigmoid(Wd @ y)  # (1,)
    dWd = (1 - b_r)[:, None] * r[None, :] - b_g[:, None] * y[None, :]  # (1, 5)
    dy = -b_g * Wd[0]  # (5,)
    return {"Wd": dWd, "Wg": torch.outer(dy * (a > 0), x)}


def _tiny_slip(x, r, Wg, Wd, *, slip):
    out = tiny_gan_gradients(x, r, Wg, Wd)
    if slip == "column":
        out["Wd"] = out["Wd"].T  # (5, 1)
    if slip == "mask":
        b_g = torch.sigmoid(Wd @ torch.relu(Wg @ x))
        out["Wg"] = torch.outer(-b_g * Wd[0], x)
    return out


register(Exercise(
    page="gan/tiny-gan",
    task=r"Return $\nabla_{\mathbf W_d}L$ and $\nabla_{\mathbf W_g}L$ for the page's tiny GAN, any weights.",
    inputs=lambda gen: dict(x=randn(gen, 2), r=randn(gen, 5), Wg=randn(gen, 5, 2), Wd=randn(gen, 1, 5)),
    truth=lambda x, r, Wg, Wd: gradients(
        lambda x, r, Wg, Wd: (F.logsigmoid(Wd @ r) + F.logsigmoid(-(Wd @ torch.relu(Wg @ x)))).sum(),
        dict(x=x, r=r, Wg=Wg, Wd=Wd), ["Wd", "Wg"]),
    solution=tiny_gan_gradients,
    mistakes=(
        Mistake("∇W_d written as a column", "common-mistakes", partial(_tiny_slip, slip="column"),
                "W_d is a 1 × 5 row, and so is its gradient: rᵀ and yᵀ, not r and y."),
        Mistake("the ReLU mask forgotten", "common-mistakes", partial(_tiny_slip, slip="mask"),
                "Inactive generator units pass no gradient: multiply by H(a)."),
    ),
    hint="∂L/∂(W_d r) = 1 − σ(W_d r) and ∂L/∂(W_d y) = −σ(W_d y); then the chain rule through ReLU.",
))
