"""Exercise of regularization/batch-norm: fill in batchnorm_backward, then run the check."""
import torch

import dlref.exercises


def batchnorm_backward(x, gamma, beta, dy, eps):
    """The backward pass of batch normalization in training mode.

    x: (B, C); gamma, beta: (C,); dy: (B, C) = ∂L/∂y for y = γ x̂ + β, x̂ =
        (x − μ)/√(σ² + ε) with the
    batch mean μ and the biased batch variance σ². Return {"x": ∂L/∂x,
        "gamma": ∂L/∂γ, "beta": ∂L/∂β}.
    """
    raise NotImplementedError  # your code here


dlref.exercises.check("regularization/batch-norm", batchnorm_backward)
