"""Exercise of gan/objective: fill in discriminator_logit_gradients, then run the check."""
import torch

import dlref.exercises


def discriminator_logit_gradients(a, a_fake):
    """The gradient of the loss D minimises, −L, at each of its logits.

    L = mean over n real logits a of log σ(a) + mean over n fake logits a_fake
        of log(1 − σ(a_fake)).
    a, a_fake: (n,). Return {"real": ∂(−L)/∂a, "fake": ∂(−L)/∂a_fake}, one
        entry per sample.
    """
    raise NotImplementedError  # your code here


dlref.exercises.check("gan/objective", discriminator_logit_gradients)
