"""Exercise of backprop/deep-recursion: fill in deep_deltas, then run the check."""
import torch

import dlref.exercises


def deep_deltas(x, y, W1, b1, W2, b2, W3, b3):
    """The deltas δˡ = ∂L/∂zˡ of a three-layer sigmoid network with a sigmoid
        output and BCE loss.

    aˡ = σ(zˡ), zˡ = Wˡ aˡ⁻¹ + bˡ, a⁰ = x (D,); W1: (K1, D); W2: (K2, K1); W3:
        (1, K2); y: (1,) in {0, 1}.
    L = BCE(y, a³). Return {"d1", "d2", "d3", "W1"}: the three deltas and ∇W1
        = δ¹ xᵀ.
    """
    raise NotImplementedError  # your code here


dlref.exercises.check("backprop/deep-recursion", deep_deltas)
