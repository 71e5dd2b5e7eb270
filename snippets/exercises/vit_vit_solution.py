"""A solution of the vit/vit exercise, checked; then each known mistake's diagnosis."""
import torch

import dlref.exercises


def patchify(x, P):
    """Cut images into non-overlapping P × P patches, one flattened vector per patch.

    x: (B, C, H, W) with H and W multiples of P. Return {"patches": (B, N, C·P·P)}: patches in
    row-major order over the image, each vector ordered (channel, row, column) like a Conv2d patch embedding's weight.
    """
    B, C, H, W = x.shape
    p = x.reshape(B, C, H // P, P, W // P, P)  # (B, C, H/P, P, W/P, P)
    p = p.permute(0, 2, 4, 1, 3, 5)  # (B, H/P, W/P, C, P, P)
    return {"patches": p.reshape(B, (H // P) * (W // P), C * P * P)}


report = dlref.exercises.check("vit/vit", patchify)
assert report.passed
print(dlref.exercises.verify_catalogue("vit/vit"))
