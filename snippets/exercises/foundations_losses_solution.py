"""A solution of the foundations/losses exercise, checked; then each known mistake's diagnosis."""
import torch

import dlref.exercises


def loss_gradients(a, y, s, t):
    """Gradients of two mean losses with respect to their logits.

    a: (B, C) logits, y: (B, C) one-hot — L_CE = mean over the batch of −Σ_c y log softmax(a).
    s: (B,) logits, t: (B,) in {0, 1} — L_BCE = mean of −t log σ(s) − (1 − t) log(1 − σ(s)).
    Return {"a": ∇a L_CE, "s": ∇s L_BCE}.
    """
    B = a.shape[0]
    return {"a": (torch.softmax(a, dim=1) - y) / B, "s": (torch.sigmoid(s) - t) / B}


report = dlref.exercises.check("foundations/losses", loss_gradients)
assert report.passed
print(dlref.exercises.verify_catalogue("foundations/losses"))
