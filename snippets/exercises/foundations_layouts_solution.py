"""A solution of the foundations/layouts exercise, checked; then each known mistake's diagnosis."""
import torch

import dlref.exercises


def bilinear_gradients(x, A, y):
    """Gradients of f = xᵀ A y + tr(AᵀA), each with the shape of its variable.

    x: (m,); A: (m, n); y: (n,). Return {"x": ∇x f, "A": ∇A f, "y": ∇y f}.
    """
    return {"x": A @ y, "A": torch.outer(x, y) + 2 * A, "y": A.T @ x}


report = dlref.exercises.check("foundations/layouts", bilinear_gradients)
assert report.passed
print(dlref.exercises.verify_catalogue("foundations/layouts"))
