"""Exercise of backprop/mlp: fill in mlp_gradients, then run the check."""
import torch

import dlref.exercises


def mlp_gradients(x, y, W, b1, V, b2):
    """Gradients of the mean cross-entropy of a one-hidden-layer ReLU network.

    x: (B, D) inputs; y: (B, C) one-hot targets; W: (K, D); b1: (K,); V:
        (C, K); b2: (C,).
    Forward: Z = x Wᵀ + b1, H = ReLU(Z), A = H Vᵀ + b2, L = mean over the
        batch of CE(y, softmax(A)).
    Return {"W": ∇W, "b1": ∇b1, "V": ∇V, "b2": ∇b2, "x": ∇x}, each the shape
        of its variable.
    """
    raise NotImplementedError  # your code here


dlref.exercises.check("backprop/mlp", mlp_gradients)
