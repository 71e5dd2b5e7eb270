"""Convolution backward by hand (correlations, and im2col matrix products) against autograd, float64."""
import torch
import torch.nn.functional as F

from dlref import check
from dlref import conv as cb

torch.manual_seed(0)
B, C_in, C_out, k, s, p = 2, 3, 4, 3, 2, 1  # stride 2 and padding 1: the general case
X = torch.randn(B, C_in, 7, 6, dtype=torch.float64)
W = torch.randn(C_out, C_in, k, k, dtype=torch.float64)
b = torch.randn(C_out, dtype=torch.float64)
R = torch.randn(B, C_out, 4, 3, dtype=torch.float64)  # L = Σ R ⊙ O, so ∂L/∂O = R

check.compare("O = X̃ ⋆ W + b", cb.conv2d(X, W, b, stride=s, padding=p), F.conv2d(X, W, b, stride=s, padding=p),
              method="F.conv2d")
check.compare("O via im2col", cb.conv2d_im2col(X, W, b, stride=s, padding=p), F.conv2d(X, W, b, stride=s, padding=p),
              method="F.conv2d")


def loss(X, W, b):
    return (R * F.conv2d(X, W, b, stride=s, padding=p)).sum()


dX, dW, db = cb.conv2d_backward(R, X, W, stride=s, padding=p)
check.check_gradients(loss, {"X": X, "W": W, "b": b}, {"X": dX, "W": dW, "b": db},
                      labels={"X": "∂L/∂X", "W": "∂L/∂W", "b": "∂L/∂b"}, finite_difference_tol=None)
dX2, dW2, db2 = cb.conv2d_backward_im2col(R, X, W, stride=s, padding=p)
check.check_gradients(loss, {"X": X, "W": W, "b": b}, {"X": dX2, "W": dW2},
                      labels={"X": "∂L/∂X im2col", "W": "∂L/∂W im2col"}, finite_difference_tol=None)
cols = cb.im2col(X, k, stride=s, padding=p)
print(f"\nim2col: X {tuple(X.shape)} → cols {tuple(cols.shape)} = (B, C_in·k·k, H_out·W_out); "
      f"W_mat {(C_out, C_in * k * k)} @ cols → O {(B, C_out, 4 * 3)}")
