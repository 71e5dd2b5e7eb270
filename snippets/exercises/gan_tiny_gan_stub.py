"""Exercise of gan/tiny-gan: fill in tiny_gan_gradients, then run the check."""
import torch

import dlref.exercises


def tiny_gan_gradients(x, r, Wg, Wd):
    """∇Wd L and ∇Wg L for L = log D(r) + log(1 − D(G(x))), G(x) = ReLU(Wg x),
        D(v) = σ(Wd v).

    x: (2,) noise; r: (5,) a real sample; Wg: (5, 2); Wd: (1, 5). Return
        {"Wd": (1, 5), "Wg": (5, 2)}.
    """
    raise NotImplementedError  # your code here


dlref.exercises.check("gan/tiny-gan", tiny_gan_gradients)
