"""A solution of the gan/tiny-gan exercise, checked; then each known mistake's diagnosis."""
import torch

import dlref.exercises


def tiny_gan_gradients(x, r, Wg, Wd):
    """∇Wd L and ∇Wg L for L = log D(r) + log(1 − D(G(x))), G(x) = ReLU(Wg x), D(v) = σ(Wd v).

    x: (2,) noise; r: (5,) a real sample; Wg: (5, 2); Wd: (1, 5). Return {"Wd": (1, 5), "Wg": (5, 2)}.
    """
    a = Wg @ x
    y = torch.relu(a)
    b_r, b_g = torch.sigmoid(Wd @ r), torch.sigmoid(Wd @ y)  # (1,)
    dWd = (1 - b_r)[:, None] * r[None, :] - b_g[:, None] * y[None, :]  # (1, 5)
    dy = -b_g * Wd[0]  # (5,)
    return {"Wd": dWd, "Wg": torch.outer(dy * (a > 0), x)}


report = dlref.exercises.check("gan/tiny-gan", tiny_gan_gradients)
assert report.passed
print(dlref.exercises.verify_catalogue("gan/tiny-gan"))
