"""Two-layer network, parts (a)–(d): every intermediate gradient against autograd (float64)."""
import torch

from dlref import check
from dlref import functional

torch.manual_seed(3)
n, d, K = 5, 4, 3  # input, hidden, classes: all different, so no transpose slip can hide
x = torch.randn(n, dtype=torch.float64)
W1, b1 = torch.randn(d, n, dtype=torch.float64), torch.randn(d, dtype=torch.float64)
W2, b2 = torch.randn(K, d, dtype=torch.float64), torch.randn(K, dtype=torch.float64)
o = torch.nn.functional.one_hot(torch.tensor(1), K).to(torch.float64)  # one-hot target

# Forward pass, in the page's names.
z1 = W1 @ x + b1          # (d, n) @ (n,) -> (d,)
h = functional.relu(z1)
z2 = W2 @ h + b2          # (K, d) @ (d,) -> (K,)
o_hat = functional.softmax(z2)
assert (z1 > 0).any() and (z1 < 0).any(), "want both active and inactive hidden units"

# (a) softmax Jacobian, then the error signal at the logits
J = torch.diag(o_hat) - torch.outer(o_hat, o_hat)   # ∂ô/∂z2 = diag(ô) − ô ôᵀ   (K, K)
dE_do_hat = -o / o_hat                              # ∂E/∂ô_i = −o_i / ô_i
dE_dz2 = J.T @ dE_do_hat                            # chain rule, (K, K)ᵀ @ (K,) -> (K,)
# (b) output layer
dE_dW2 = torch.outer(dE_dz2, h)                     # (ô − o) hᵀ   (K, d)
dE_db2 = dE_dz2                                     # (K,)
# (c) back to the hidden layer
dE_dh = W2.T @ dE_dz2                               # W2ᵀ(ô − o): (d, K) @ (K,) -> (d,)
dE_dz1 = dE_dh * (z1 > 0).to(z1.dtype)              # ⊙ 1{z1 > 0}
# (d) first layer
dE_dW1 = torch.outer(dE_dz1, x)                     # (d, n)
dE_db1 = dE_dz1                                     # (d,)

check.compare("∂ô/∂z₂", J, torch.autograd.functional.jacobian(functional.softmax, z2), method="autograd jacobian")
check.compare("(a) ∂E/∂z₂ = ô − o", dE_dz2, o_hat - o, method="closed form")


def E(z2):  # the loss as a function of each intermediate, the rest held fixed
    return functional.softmax_cross_entropy(z2, o)


check.check_gradients(E, {"z2": z2}, {"z2": dE_dz2}, labels={"z2": "(a) ∂E/∂z₂"})
check.check_gradients(lambda W2, b2: E(W2 @ h + b2), {"W2": W2, "b2": b2},
                      {"W2": dE_dW2, "b2": dE_db2}, labels={"W2": "(b) ∂E/∂W₂", "b2": "(b) ∂E/∂b₂"})
check.check_gradients(lambda h: E(W2 @ h + b2), {"h": h}, {"h": dE_dh}, labels={"h": "(c) ∂E/∂h"})
check.check_gradients(lambda z1: E(W2 @ functional.relu(z1) + b2), {"z1": z1}, {"z1": dE_dz1}, labels={"z1": "(c) ∂E/∂z₁"})
check.check_gradients(lambda W1, b1: E(W2 @ functional.relu(W1 @ x + b1) + b2), {"W1": W1, "b1": b1},
                      {"W1": dE_dW1, "b1": dE_db1}, labels={"W1": "(d) ∂E/∂W₁", "b1": "(d) ∂E/∂b₁"})

print()
for name, g in [("∂E/∂z2", dE_dz2), ("∂E/∂W2", dE_dW2), ("∂E/∂b2", dE_db2), ("∂E/∂h", dE_dh),
                ("∂E/∂z1", dE_dz1), ("∂E/∂W1", dE_dW1), ("∂E/∂b1", dE_db1)]:
    print(f"{name:>7}: shape {tuple(g.shape)}")
print(f"hidden units off (z1 ≤ 0): {int((z1 <= 0).sum())} of {d}; their rows of ∂E/∂W1 are zero:",
      bool((dE_dW1[z1 <= 0] == 0).all()))
