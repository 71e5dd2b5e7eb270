"""Eigenvalues of each Jacobian below 1 in modulus do not make the product of Jacobians small."""
import torch

from dlref import check

A = torch.tensor([[0.9, 1.0], [0.0, 0.9]], dtype=torch.float64)  # non-normal: ρ(A) = 0.9 < 1 < ‖A‖₂
B = A.T.clone()
rho = lambda M: torch.linalg.eigvals(M).abs().max().item()  # noqa: E731
print(f"ρ(A) = {rho(A):.2f}, ρ(B) = {rho(B):.2f}, ‖A‖₂ = {torch.linalg.matrix_norm(A, 2):.2f}")

# 1. One fixed non-normal Jacobian: ‖Aᵗ‖ grows for a while before ρᵗ wins.
norms = [torch.linalg.matrix_norm(torch.linalg.matrix_power(A, t), 2).item() for t in range(1, 31)]
peak = max(range(30), key=lambda i: norms[i])
print(f"‖Aᵗ‖₂ peaks at t = {peak + 1} with {norms[peak]:.1f}, is {norms[29]:.1e} at t = 30")

# 2. Jacobians that change from step to step (as diag(φ′(a_t)) W_h does): alternate A and B.
P = torch.eye(2, dtype=torch.float64)
for t in range(20):
    P = (A if t % 2 == 0 else B) @ P
print(f"ρ(BA) = {rho(B @ A):.2f}; the product of 20 alternating factors has norm {torch.linalg.matrix_norm(P, 2):.1e}")
check.compare("(BA)¹⁰", P, torch.linalg.matrix_power(B @ A, 10), method="matrix_power")

# The bound that does hold: ‖J_t‖₂ ≤ max|φ′| · ‖W_h‖₂ = σ_max(W_h) for tanh, so σ_max(W_h) < 1 ⇒ vanishing.
g = torch.Generator().manual_seed(0)
W = torch.randn(8, 8, generator=g, dtype=torch.float64)
W = 0.9 * W / torch.linalg.matrix_norm(W, 2)  # σ_max = 0.9
a = torch.randn(40, 8, generator=g, dtype=torch.float64) * 2
P = torch.eye(8, dtype=torch.float64)
for t in range(40):
    P = (1 - torch.tanh(a[t]) ** 2)[:, None] * W @ P  # J_t = diag(tanh′(a_t)) W
print(f"σ_max(W_h) = 0.9: ‖∏ J_t‖₂ over 40 steps = {torch.linalg.matrix_norm(P, 2):.1e} ≤ 0.9⁴⁰ = {0.9**40:.1e}")
assert torch.linalg.matrix_norm(P, 2) <= 0.9**40
