"""Exercise of regularization/weight-decay: fill in l2_sgd_step, then run the check."""
import torch

import dlref.exercises


def l2_sgd_step(w, g, lr, lam):
    """One SGD step on L(w) + λ‖w‖², where g = ∇L(w) is the data loss's gradient.

    w, g: (P,); lr: α; lam: λ. Return {"w": the updated weights} — the step as
        weight decay.
    """
    raise NotImplementedError  # your code here


dlref.exercises.check("regularization/weight-decay", l2_sgd_step)
