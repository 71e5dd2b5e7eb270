"""Exercise of backprop/two-layer: fill in two_layer_gradients, then run the check."""
import torch

import dlref.exercises


def two_layer_gradients(x, o, W1, b1, W2, b2):
    """Every intermediate gradient of E = CE(o, softmax(W2 ReLU(W1 x + b1) +
        b2)).

    x: (n,) input; o: (K,) one-hot target; W1: (d, n); b1: (d,); W2: (K, d);
        b2: (K,).
    Return {"z2", "W2", "b2", "h", "z1", "W1", "b1"}: ∂E/∂ of each, with the
        variable's shape.
    """
    raise NotImplementedError  # your code here


dlref.exercises.check("backprop/two-layer", two_layer_gradients)
