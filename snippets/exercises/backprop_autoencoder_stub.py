"""Exercise of backprop/autoencoder: fill in autoencoder_gradients, then run the check."""
import torch

import dlref.exercises


def autoencoder_gradients(x, W1, b1, W2, b2):
    """∇W1 and ∇W2 of L = Σⱼ (xⱼ − x′ⱼ)² for h = ReLU(W1ᵀx + b1), x′ =
        σ(W2ᵀh + b2).

    x: (N,); W1: (N, M); b1: (M,); W2: (M, N); b2: (N,) — W is stored input ×
        output.
    Return {"x_prime": ∇x′L, "W2": ∇W2, "W1": ∇W1}, each the shape of its
        variable.
    """
    raise NotImplementedError  # your code here


dlref.exercises.check("backprop/autoencoder", autoencoder_gradients)
