"""A solution of the cnn/arithmetic exercise, checked; then each known mistake's diagnosis."""
import torch

import dlref.exercises


def conv_arithmetic(H, k, p, s, C_in, C_out):
    """Output size, parameter count and multiplications of a square Conv2d layer.

    H: input height = width; k: kernel size; p: padding; s: stride; C_in, C_out: channels.
    Return {"out": output height, "params": weights + biases, "mults": multiplications} (as numbers).
    """
    out = (H + 2 * p - k) // s + 1
    return {"out": torch.tensor(float(out)), "params": torch.tensor(float((k * k * C_in + 1) * C_out)),
            "mults": torch.tensor(float(out * out * k * k * C_in * C_out))}


report = dlref.exercises.check("cnn/arithmetic", conv_arithmetic)
assert report.passed
print(dlref.exercises.verify_catalogue("cnn/arithmetic"))
