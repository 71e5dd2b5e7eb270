"""A solution of the backprop/mlp exercise, checked; then each known mistake's diagnosis."""
import torch

import dlref.exercises


def mlp_gradients(x, y, W, b1, V, b2):
    """Gradients of the mean cross-entropy of a one-hidden-layer ReLU network.

    x: (B, D) inputs; y: (B, C) one-hot targets; W: (K, D); b1: (K,); V: (C, K); b2: (C,).
    Forward: Z = x Wᵀ + b1, H = ReLU(Z), A = H Vᵀ + b2, L = mean over the batch of CE(y, softmax(A)).
    Return {"W": ∇W, "b1": ∇b1, "V": ∇V, "b2": ∇b2, "x": ∇x}, each the shape of its variable.
    """
    B = x.shape[0]
    Z = x @ W.T + b1  # (B, K)
    H = torch.relu(Z)
    P = torch.softmax(H @ V.T + b2, dim=1)  # (B, C)
    U2 = (P - y) / B  # (B, C)
    U1 = (U2 @ V) * (Z > 0)  # (B, K)
    return {"W": U1.T @ x, "b1": U1.sum(0), "V": U2.T @ H, "b2": U2.sum(0), "x": U1 @ W}


report = dlref.exercises.check("backprop/mlp", mlp_gradients)
assert report.passed
print(dlref.exercises.verify_catalogue("backprop/mlp"))
