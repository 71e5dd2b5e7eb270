"""Exercise of gan/theory: fill in optimal_discriminator, then run the check."""
import torch

import dlref.exercises


def optimal_discriminator(p_data, p_g):
    """The optimal discriminator for a fixed generator, on a finite set of
        points, and the game's value.

    p_data, p_g: (N,) probabilities (each sums to 1, all positive).
    Return {"D": D*(x) at each point, "value": V(D*, G) = Σ p_data log D* + Σ
        p_g log(1 − D*)}.
    """
    raise NotImplementedError  # your code here


dlref.exercises.check("gan/theory", optimal_discriminator)
