"""A solution of the backprop/autoencoder exercise, checked; then each known mistake's diagnosis."""
import torch

import dlref.exercises


def autoencoder_gradients(x, W1, b1, W2, b2):
    """∇W1 and ∇W2 of L = Σⱼ (xⱼ − x′ⱼ)² for h = ReLU(W1ᵀx + b1), x′ = σ(W2ᵀh + b2).

    x: (N,); W1: (N, M); b1: (M,); W2: (M, N); b2: (N,) — W is stored input × output.
    Return {"x_prime": ∇x′L, "W2": ∇W2, "W1": ∇W1}, each the shape of its variable.
    """
    z1 = W1.T @ x + b1
    h = torch.relu(z1)
    x_prime = torch.sigmoid(W2.T @ h + b2)
    g = 2 * (x_prime - x)  # ∇x′L, (N,)
    d2 = g * x_prime * (1 - x_prime)  # (N,)
    d1 = (W2 @ d2) * (z1 > 0)  # (M,), back through W2 itself
    return {"x_prime": g, "W2": torch.outer(h, d2), "W1": torch.outer(x, d1)}


report = dlref.exercises.check("backprop/autoencoder", autoencoder_gradients)
assert report.passed
print(dlref.exercises.verify_catalogue("backprop/autoencoder"))
