"""Exercise of cnn/backprop: fill in conv_backward, then run the check."""
import torch

import dlref.exercises

F = torch.nn.functional


def conv_backward(X, Fw, dO):
    """∂L/∂F, ∂L/∂b and ∂L/∂X of O = conv2d(X, F) + b (stride 1, no padding),
        given ∂L/∂O.

    X: (C_in, H, W); Fw: (C_out, C_in, k, k); dO:
        (C_out, H − k + 1, W − k + 1).
    Return {"F": ∂L/∂F, "b": ∂L/∂b (C_out,), "X": ∂L/∂X}.
    """
    raise NotImplementedError  # your code here


dlref.exercises.check("cnn/backprop", conv_backward)
