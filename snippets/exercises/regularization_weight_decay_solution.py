"""A solution of the regularization/weight-decay exercise, checked; then each known mistake's diagnosis."""
import torch

import dlref.exercises


def l2_sgd_step(w, g, lr, lam):
    """One SGD step on L(w) + λ‖w‖², where g = ∇L(w) is the data loss's gradient.

    w, g: (P,); lr: α; lam: λ. Return {"w": the updated weights} — the step as weight decay.
    """
    return {"w": (1 - 2 * lr * lam) * w - lr * g}  # w ← (1 − 2αλ) w − α∇L


report = dlref.exercises.check("regularization/weight-decay", l2_sgd_step)
assert report.passed
print(dlref.exercises.verify_catalogue("regularization/weight-decay"))
