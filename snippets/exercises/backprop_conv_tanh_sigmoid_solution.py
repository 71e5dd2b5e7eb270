"""A solution of the backprop/conv-tanh-sigmoid exercise, checked; then each known mistake's diagnosis."""
import torch

import dlref.exercises


def conv_tanh_sigmoid_gradients(x, y, v1, V2, v3):
    """Gradients of (y* − y)² for a = x v1 (a width-W filter slid down the R rows of x), z1 = tanh(a),
    z2 = σ(V2 z1), y* = v3 · z2.

    x: (R, W); y: (); v1: (W,); V2: (M, R); v3: (M,).
    Return {"v1", "V2", "v3"}: each gradient with the shape of its variable.
    """
    z1 = torch.tanh(x @ v1)  # (R,)
    z2 = torch.sigmoid(V2 @ z1)  # (M,)
    e = 2 * (v3 @ z2 - y)  # ∂L/∂y*
    d2 = e * v3 * z2 * (1 - z2)  # ∂L/∂(V2 z1), (M,)
    d1 = (V2.T @ d2) * (1 - z1 ** 2)  # ∂L/∂a, (R,)
    return {"v1": x.T @ d1, "V2": torch.outer(d2, z1), "v3": e * z2}


report = dlref.exercises.check("backprop/conv-tanh-sigmoid", conv_tanh_sigmoid_gradients)
assert report.passed
print(dlref.exercises.verify_catalogue("backprop/conv-tanh-sigmoid"))
