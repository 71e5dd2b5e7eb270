"""Exercise of backprop/pooling: fill in maxpool_backward, then run the check."""
import torch

import dlref.exercises


def maxpool_backward(X, dY):
    """∂L/∂X of 2×2 max pooling with stride 2, given ∂L/∂Y.

    X: (B, C, H, W) with even H and W; dY: (B, C, H/2, W/2).
    Return {"X": ∂L/∂X} (same shape as X): each window's gradient goes to its
        maximum.
    """
    raise NotImplementedError  # your code here


dlref.exercises.check("backprop/pooling", maxpool_backward)
