"""A solution of the gan/theory exercise, checked; then each known mistake's diagnosis."""
import torch

import dlref.exercises


def optimal_discriminator(p_data, p_g):
    """The optimal discriminator for a fixed generator, on a finite set of points, and the game's value.

    p_data, p_g: (N,) probabilities (each sums to 1, all positive).
    Return {"D": D*(x) at each point, "value": V(D*, G) = Σ p_data log D* + Σ p_g log(1 − D*)}.
    """
    D = p_data / (p_data + p_g)
    return {"D": D, "value": (p_data * D.log() + p_g * (1 - D).log()).sum()}


report = dlref.exercises.check("gan/theory", optimal_discriminator)
assert report.passed
print(dlref.exercises.verify_catalogue("gan/theory"))
