"""Exercise of foundations/layouts: fill in bilinear_gradients, then run the check."""
import torch

import dlref.exercises


def bilinear_gradients(x, A, y):
    """Gradients of f = xᵀ A y + tr(AᵀA), each with the shape of its variable.

    x: (m,); A: (m, n); y: (n,). Return {"x": ∇x f, "A": ∇A f, "y": ∇y f}.
    """
    raise NotImplementedError  # your code here


dlref.exercises.check("foundations/layouts", bilinear_gradients)
