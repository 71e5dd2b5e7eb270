"""A solution of the backprop/worked-step exercise, checked; then each known mistake's diagnosis."""
import torch

import dlref.exercises


def sgd_step(x, y, W1, b1, W2, b2, lr):
    """One gradient-descent step on L = ½(y − ŷ)² for a sigmoid network h = σ(W1 x + b1), ŷ = σ(W2 h + b2).

    x: (D,); y: (1,); W1: (K, D); b1: (K,); W2: (1, K); b2: (1,); lr: the learning rate α.
    Return the updated {"W1", "b1", "W2", "b2"} (w ← w − α ∂L/∂w, every delta from the old weights).
    """
    h = torch.sigmoid(W1 @ x + b1)  # (K,)
    y_hat = torch.sigmoid(W2 @ h + b2)  # (1,)
    d_out = (y_hat - y) * y_hat * (1 - y_hat)  # ∂L/∂s at the output, (1,)
    d_hid = (W2.T @ d_out) * h * (1 - h)  # (K,), through the old W2
    return {"W1": W1 - lr * torch.outer(d_hid, x), "b1": b1 - lr * d_hid,
            "W2": W2 - lr * torch.outer(d_out, h), "b2": b2 - lr * d_out}


report = dlref.exercises.check("backprop/worked-step", sgd_step)
assert report.passed
print(dlref.exercises.verify_catalogue("backprop/worked-step"))
