"""A solution of the backprop/pooling exercise, checked; then each known mistake's diagnosis."""
import torch

import dlref.exercises


def maxpool_backward(X, dY):
    """∂L/∂X of 2×2 max pooling with stride 2, given ∂L/∂Y.

    X: (B, C, H, W) with even H and W; dY: (B, C, H/2, W/2).
    Return {"X": ∂L/∂X} (same shape as X): each window's gradient goes to its maximum.
    """
    B, C, H, W = X.shape
    windows = X.reshape(B, C, H // 2, 2, W // 2, 2).permute(0, 1, 2, 4, 3, 5).reshape(B, C, H // 2, W // 2, 4)
    switch = torch.nn.functional.one_hot(windows.argmax(-1), 4).to(X.dtype)  # (B, C, H/2, W/2, 4)
    dX = (switch * dY.unsqueeze(-1)).reshape(B, C, H // 2, W // 2, 2, 2)
    return {"X": dX.permute(0, 1, 2, 4, 3, 5).reshape(B, C, H, W)}


report = dlref.exercises.check("backprop/pooling", maxpool_backward)
assert report.passed
print(dlref.exercises.verify_catalogue("backprop/pooling"))
