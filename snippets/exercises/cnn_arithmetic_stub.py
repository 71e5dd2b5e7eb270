"""Exercise of cnn/arithmetic: fill in conv_arithmetic, then run the check."""
import torch

import dlref.exercises


def conv_arithmetic(H, k, p, s, C_in, C_out):
    """Output size, parameter count and multiplications of a square Conv2d layer.

    H: input height = width; k: kernel size; p: padding; s: stride; C_in,
        C_out: channels.
    Return {"out": output height, "params": weights + biases, "mults":
        multiplications} (as numbers).
    """
    raise NotImplementedError  # your code here


dlref.exercises.check("cnn/arithmetic", conv_arithmetic)
