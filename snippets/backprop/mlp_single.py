"""One-hidden-layer MLP, one example: every hand-derived gradient against autograd (float64)."""
import torch

from dlref import check
from dlref import functional
from dlref.nn import MLP

torch.manual_seed(2)
D, K, C = 5, 4, 3  # K ≠ C on purpose: a wrong shape for ∇b₁ cannot hide
net = MLP(D, K, C, dtype=torch.float64)
x = torch.randn(D, dtype=torch.float64)
y = torch.tensor(2)  # the true class

g = net.gradients(x, y)  # the manual backward pass: u2, u1, then the five gradients
# A check of an all-zero gradient proves nothing: make sure some hidden unit is active.
assert (g["u1"] != 0).any(), "every ReLU is off for this x; pick another seed"


def loss(W, b1, V, b2, x):
    return functional.softmax_cross_entropy(functional.linear(functional.relu(functional.linear(x, W, b1)), V, b2), y)


point = {"W": net.W, "b1": net.b1, "V": net.V, "b2": net.b2, "x": x}
results = check.check_gradients(
    loss, point, {k: g[k] for k in ("V", "b2", "W", "b1", "x")},
    labels={"V": "∇V", "b2": "∇b₂", "W": "∇W", "b1": "∇b₁", "x": "∇x"},
)

print()
for name in ("u2", "u1", "V", "b2", "W", "b1", "x"):
    print(f"{name:>3}: shape {tuple(g[name].shape)}")
assert g["b1"].shape == (K,) and g["u1"].shape == (K,)
print(f"∇b₁ has K = {K} entries, one per hidden unit (not C = {C}).")
