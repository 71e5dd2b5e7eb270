"""A solution of the gan/objective exercise, checked; then each known mistake's diagnosis."""
import torch

import dlref.exercises


def discriminator_logit_gradients(a, a_fake):
    """The gradient of the loss D minimises, −L, at each of its logits.

    L = mean over n real logits a of log σ(a) + mean over n fake logits a_fake of log(1 − σ(a_fake)).
    a, a_fake: (n,). Return {"real": ∂(−L)/∂a, "fake": ∂(−L)/∂a_fake}, one entry per sample.
    """
    n = a.shape[0]
    return {"real": (torch.sigmoid(a) - 1) / n, "fake": torch.sigmoid(a_fake) / n}


report = dlref.exercises.check("gan/objective", discriminator_logit_gradients)
assert report.passed
print(dlref.exercises.verify_catalogue("gan/objective"))
