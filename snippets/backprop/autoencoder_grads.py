"""Autoencoder h = ReLU(W₁ᵀx + b₁), x′ = σ(W₂ᵀh + b₂), L = Σ(x − x′)²: every gradient against autograd."""
import torch

from dlref import check

torch.manual_seed(5)
N, M = 6, 3  # input and code sizes; W₁ is (N, M), W₂ is (M, N): the Wᵀ convention
x = torch.rand(N, dtype=torch.float64)
W1, b1 = torch.randn(N, M, dtype=torch.float64), torch.randn(M, dtype=torch.float64)
W2, b2 = torch.randn(M, N, dtype=torch.float64), torch.randn(N, dtype=torch.float64)

z1 = W1.T @ x + b1            # (M, N) @ (N,) -> (M,)
h = torch.relu(z1)
z2 = W2.T @ h + b2            # (N, M) @ (M,) -> (N,)
x_rec = torch.sigmoid(z2)     # x′
assert (z1 > 0).any() and (z1 <= 0).any(), "want active and inactive code units"

grad_x_rec = 2 * (x_rec - x)                      # ∂L/∂x′ = 2(x′ − x)          (N,)
delta2 = grad_x_rec * x_rec * (1 - x_rec)         # ∂L/∂z₂ = ∂L/∂x′ ⊙ x′(1 − x′)  (N,)
grad_W2 = torch.outer(h, delta2)                  # ∂L/∂(W₂)_ki = h_k δ₂_i: h δ₂ᵀ  (M, N)
grad_b2 = delta2
grad_h = W2 @ delta2                              # no transpose: (M, N) @ (N,) -> (M,)
delta1 = grad_h * (z1 > 0).to(z1.dtype)           # ∂L/∂z₁ = (W₂δ₂) ⊙ H(z₁)      (M,)
grad_W1 = torch.outer(x, delta1)                  # x δ₁ᵀ   (N, M)
grad_b1 = delta1


def loss(W1, b1, W2, b2):
    return ((x - torch.sigmoid(W2.T @ torch.relu(W1.T @ x + b1) + b2)) ** 2).sum()


check.check_gradients(lambda x_rec: ((x - x_rec) ** 2).sum(), {"x_rec": x_rec}, {"x_rec": grad_x_rec},
                      labels={"x_rec": "∇x′"})
check.check_gradients(lambda z2: ((x - torch.sigmoid(z2)) ** 2).sum(), {"z2": z2}, {"z2": delta2},
                      labels={"z2": "δ₂ = ∇z₂"})
check.check_gradients(lambda h: ((x - torch.sigmoid(W2.T @ h + b2)) ** 2).sum(), {"h": h}, {"h": grad_h},
                      labels={"h": "∇h"})
check.check_gradients(loss, {"W1": W1, "b1": b1, "W2": W2, "b2": b2},
                      {"W1": grad_W1, "b1": grad_b1, "W2": grad_W2, "b2": grad_b2},
                      labels={"W1": "∇W₁", "b1": "∇b₁", "W2": "∇W₂", "b2": "∇b₂"})

# The same encoder as torch.nn.Linear(N, M) stores weight = W₁ᵀ, so its .grad is (∇W₁)ᵀ.
enc = torch.nn.Linear(N, M).double()
with torch.no_grad():
    enc.weight.copy_(W1.T), enc.bias.copy_(b1)
dec = torch.nn.Linear(M, N).double()
with torch.no_grad():
    dec.weight.copy_(W2.T), dec.bias.copy_(b2)
((x - torch.sigmoid(dec(torch.relu(enc(x))))) ** 2).sum().backward()
check.compare("nn.Linear grad = (∇W₁)ᵀ", grad_W1.T, enc.weight.grad, method="nn.Linear autograd")
print(f"\nW1 {tuple(W1.shape)} but nn.Linear(N, M).weight {tuple(enc.weight.shape)}; "
      f"∇W1 {tuple(grad_W1.shape)}, ∇W2 {tuple(grad_W2.shape)}")
