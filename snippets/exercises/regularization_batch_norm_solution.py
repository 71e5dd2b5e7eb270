"""A solution of the regularization/batch-norm exercise, checked; then each known mistake's diagnosis."""
import torch

import dlref.exercises


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


report = dlref.exercises.check("regularization/batch-norm", batchnorm_backward)
assert report.passed
print(dlref.exercises.verify_catalogue("regularization/batch-norm"))
