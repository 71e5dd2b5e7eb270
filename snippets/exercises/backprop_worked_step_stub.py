"""Exercise of backprop/worked-step: fill in sgd_step, then run the check."""
import torch

import dlref.exercises


def sgd_step(x, y, W1, b1, W2, b2, lr):
    """One gradient-descent step on L = ½(y − ŷ)² for a sigmoid network h =
        σ(W1 x + b1), ŷ = σ(W2 h + b2).

    x: (D,); y: (1,); W1: (K, D); b1: (K,); W2: (1, K); b2: (1,); lr: the
        learning rate α.
    Return the updated {"W1", "b1", "W2", "b2"}
        (w ← w − α ∂L/∂w, every delta from the old weights).
    """
    raise NotImplementedError  # your code here


dlref.exercises.check("backprop/worked-step", sgd_step)
