"""Exercise of backprop/conv-tanh-sigmoid: fill in conv_tanh_sigmoid_gradients, then run the check."""
import torch

import dlref.exercises


def conv_tanh_sigmoid_gradients(x, y, v1, V2, v3):
    """Gradients of (y* − y)² for a = x v1
        (a width-W filter slid down the R rows of x), z1 = tanh(a),
    z2 = σ(V2 z1), y* = v3 · z2.

    x: (R, W); y: (); v1: (W,); V2: (M, R); v3: (M,).
    Return {"v1", "V2", "v3"}: each gradient with the shape of its variable.
    """
    raise NotImplementedError  # your code here


dlref.exercises.check("backprop/conv-tanh-sigmoid", conv_tanh_sigmoid_gradients)
