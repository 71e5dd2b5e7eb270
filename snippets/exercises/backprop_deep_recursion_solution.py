"""A solution of the backprop/deep-recursion exercise, checked; then each known mistake's diagnosis."""
import torch

import dlref.exercises


def deep_deltas(x, y, W1, b1, W2, b2, W3, b3):
    """The deltas δˡ = ∂L/∂zˡ of a three-layer sigmoid network with a sigmoid output and BCE loss.

    aˡ = σ(zˡ), zˡ = Wˡ aˡ⁻¹ + bˡ, a⁰ = x (D,); W1: (K1, D); W2: (K2, K1); W3: (1, K2); y: (1,) in {0, 1}.
    L = BCE(y, a³). Return {"d1", "d2", "d3", "W1"}: the three deltas and ∇W1 = δ¹ xᵀ.
    """
    a1 = torch.sigmoid(W1 @ x + b1)
    a2 = torch.sigmoid(W2 @ a1 + b2)
    a3 = torch.sigmoid(W3 @ a2 + b3)
    d3 = a3 - y  # σ′ cancels against BCE
    d2 = (W3.T @ d3) * a2 * (1 - a2)  # g′(z²) = a²(1 − a²)
    d1 = (W2.T @ d2) * a1 * (1 - a1)
    return {"d1": d1, "d2": d2, "d3": d3, "W1": torch.outer(d1, x)}


report = dlref.exercises.check("backprop/deep-recursion", deep_deltas)
assert report.passed
print(dlref.exercises.verify_catalogue("backprop/deep-recursion"))
