"""A solution of the backprop/two-layer exercise, checked; then each known mistake's diagnosis."""
import torch

import dlref.exercises


def two_layer_gradients(x, o, W1, b1, W2, b2):
    """Every intermediate gradient of E = CE(o, softmax(W2 ReLU(W1 x + b1) + b2)).

    x: (n,) input; o: (K,) one-hot target; W1: (d, n); b1: (d,); W2: (K, d); b2: (K,).
    Return {"z2", "W2", "b2", "h", "z1", "W1", "b1"}: ∂E/∂ of each, with the variable's shape.
    """
    z1 = W1 @ x + b1
    h = torch.relu(z1)
    o_hat = torch.softmax(W2 @ h + b2, dim=0)
    dz2 = o_hat - o  # (K,)
    dh = W2.T @ dz2  # (d,)
    dz1 = dh * (z1 > 0)
    return {"z2": dz2, "W2": torch.outer(dz2, h), "b2": dz2, "h": dh, "z1": dz1,
            "W1": torch.outer(dz1, x), "b1": dz1}


report = dlref.exercises.check("backprop/two-layer", two_layer_gradients)
assert report.passed
print(dlref.exercises.verify_catalogue("backprop/two-layer"))
