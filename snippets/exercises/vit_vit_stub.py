"""Exercise of vit/vit: fill in patchify, then run the check."""
import torch

import dlref.exercises


def patchify(x, P):
    """Cut images into non-overlapping P × P patches, one flattened vector per
        patch.

    x: (B, C, H, W) with H and W multiples of P. Return {"patches":
        (B, N, C·P·P)}: patches in
    row-major order over the image, each vector ordered (channel, row, column)
        like a Conv2d patch embedding's weight.
    """
    raise NotImplementedError  # your code here


dlref.exercises.check("vit/vit", patchify)
