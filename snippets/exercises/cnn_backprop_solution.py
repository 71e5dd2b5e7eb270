"""A solution of the cnn/backprop exercise, checked; then each known mistake's diagnosis."""
import torch

import dlref.exercises

F = torch.nn.functional


def conv_backward(X, Fw, dO):
    """∂L/∂F, ∂L/∂b and ∂L/∂X of O = conv2d(X, F) + b (stride 1, no padding), given ∂L/∂O.

    X: (C_in, H, W); Fw: (C_out, C_in, k, k); dO: (C_out, H − k + 1, W − k + 1).
    Return {"F": ∂L/∂F, "b": ∂L/∂b (C_out,), "X": ∂L/∂X}.
    """
    k = Fw.shape[-1]
    # ∂L/∂F[o, c] = X[c] ⋆ dO[o] (a correlation): channels of X act as the batch.
    dF = F.conv2d(X[:, None], dO[:, None]).transpose(0, 1)  # (C_out, C_in, k, k)
    # ∂L/∂X = full convolution of dO with the flipped filter.
    dX = F.conv2d(F.pad(dO, (k - 1,) * 4)[None], Fw.flip(-1, -2).transpose(0, 1))[0]
    return {"F": dF, "b": dO.sum((1, 2)), "X": dX}


report = dlref.exercises.check("cnn/backprop", conv_backward)
assert report.passed
print(dlref.exercises.verify_catalogue("cnn/backprop"))
