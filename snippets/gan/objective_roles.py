"""Who maximises and who minimises L: one ascent step for D raises it, one descent step for G lowers it."""
import math

import torch

from dlref import check

torch.manual_seed(0)
n, k, m = 64, 3, 2  # batch, data dimension, noise dimension
X = torch.randn(n, k, dtype=torch.float64) + 1.5  # real samples
Z = torch.randn(n, m, dtype=torch.float64)  # noise
W_d = torch.randn(1, k, dtype=torch.float64, requires_grad=True)  # logistic-regression D
W_g = torch.randn(k, m, dtype=torch.float64, requires_grad=True)  # linear G


def L(W_d, W_g):
    """L(θ_d, θ_g) = (1/n) Σ_i [log D(X^i) + log(1 − D(G(Z^i)))], with D = σ(W_d x), G(z) = W_g z."""
    D_real = torch.sigmoid(X @ W_d.T)  # (n, 1)
    D_fake = torch.sigmoid(Z @ W_g.T @ W_d.T)  # (n, m)(m, k)(k, 1) → (n, 1)
    return (torch.log(D_real) + torch.log(1 - D_fake)).mean()


# As binary cross-entropy with label 1 for real and 0 for fake, L is minus the mean BCE.
logits_real, logits_fake = X @ W_d.T, Z @ W_g.T @ W_d.T
bce = torch.nn.functional.binary_cross_entropy_with_logits
minus_bce = -(bce(logits_real, torch.ones_like(logits_real)) + bce(logits_fake, torch.zeros_like(logits_fake)))
check.compare("L = −(BCE_real + BCE_fake)", L(W_d, W_g), minus_bce, method="torch BCE")

alpha = 0.05
before = L(W_d, W_g)
g_d, g_g = torch.autograd.grad(before, (W_d, W_g))
with torch.no_grad():
    after_d = L(W_d + alpha * g_d, W_g)  # θ_d ← θ_d + α ∇θ_d L   (ascent)
    after_g = L(W_d, W_g - alpha * g_g)  # θ_g ← θ_g − α ∇θ_g L   (descent)
print(f"L at the start                     {before.item():+.5f}")
print(f"after one ascent step on θ_d       {after_d.item():+.5f}  (D maximises: L went up)")
print(f"after one descent step on θ_g      {after_g.item():+.5f}  (G minimises: L went down)")
assert after_d > before and after_g < before

# A discriminator that outputs 1/2 everywhere scores log(1/2) + log(1/2) = −log 4 on every pair.
half = torch.full((n,), 0.5, dtype=torch.float64)
value_half = (torch.log(half) + torch.log(1 - half)).mean()
check.compare("L at D ≡ 1/2", value_half, torch.tensor(-math.log(4.0), dtype=torch.float64), method="−log 4")
print(f"L when D outputs 1/2 everywhere: {value_half.item():.6f} = −log 4")
