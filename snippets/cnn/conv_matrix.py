"""Convolution as one matrix: T vec(X) = vec(X ⋆ W), Tᵀ gives the input gradient, and the MLP it hides."""
import torch
import torch.nn.functional as F

from dlref import check, conv_arithmetic
from dlref.lab import figures
from dlref import conv as cb
from dlref.conv_arithmetic import Conv

torch.manual_seed(0)
H = Wd = 6
k = 3
W = torch.randn(1, 1, k, k, dtype=torch.float64)
X = torch.randn(1, 1, H, Wd, dtype=torch.float64)
T = cb.conv_matrix(W, (H, Wd))  # (H_out·W_out, H·W)
O = F.conv2d(X, W)
check.compare("T vec(X) = vec(X ⋆ W)", T @ X.flatten(), O.flatten(), method="F.conv2d")
dO = torch.randn_like(O)
Xr = X.clone().requires_grad_()
F.conv2d(Xr, W).backward(dO)
check.compare("Tᵀ vec(∂L/∂O) = ∂L/∂X", T.T @ dO.flatten(), Xr.grad.flatten(), method="autograd")

nonzero = int((T != 0).sum())
distinct = torch.unique(T[T != 0]).numel()
print(f"\nT is {T.shape[0]}×{T.shape[1]}: {nonzero} of {T.numel()} entries non-zero "
      f"({nonzero / T.numel():.0%}), taking only {distinct} distinct values (the k·k = {k * k} weights)")

# The MLP layer that computes the same map has one free weight per entry of T (plus a bias per output).
print(f"\n{'layer':<34} {'conv params':>11} {'equivalent FC params':>21} {'ratio':>9}")
for C_in, Hin, C_out, kk in [(1, 6, 1, 3), (3, 32, 6, 5), (3, 224, 64, 3)]:
    (row,) = conv_arithmetic.analyze([Conv(C_out, kk)], (C_in, Hin, Hin))
    n_out = row.shape[0] * row.shape[1] * row.shape[2]
    fc = (C_in * Hin * Hin + 1) * n_out
    if Hin <= 32:  # build T for real where it fits in memory and count its entries
        Tb = cb.conv_matrix(torch.ones(C_out, C_in, kk, kk), (Hin, Hin))
        assert Tb.numel() + n_out == fc
    label = f"{Hin}×{Hin}×{C_in} → CONV{kk}-{C_out}"
    print(f"{label:<34} {row.params:>11,} {fc:>21,} {fc / row.params:>9,.0f}×")

fig, ax = figures.new(width=6.4, height=3.2)
ax.imshow(T.numpy() != 0, cmap="Greys", aspect="equal", interpolation="nearest")
ax.set_xlabel("input pixel (row-major index into the 6×6 image)")
ax.set_ylabel("output pixel")
figures.show(fig, "conv-toeplitz",
             "Non-zero pattern of the matrix of a 3×3 convolution on a 6×6 image: each row is the same nine weights, "
             "shifted; a CNN layer is a fully connected layer with most weights zero and the rest tied.")
