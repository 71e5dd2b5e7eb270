"""RNN state Jacobian J = diag(tanh′(a)) W_h against autograd, and ‖∂h_T/∂h_0‖ for three spectral radii."""
import torch

from dlref import check
from dlref.lab import figures
from dlref.rnn import rnn_forward, rnn_jacobian

g = torch.Generator().manual_seed(0)
K, D, T = 16, 4, 60
h, x = torch.randn(K, generator=g, dtype=torch.float64), torch.randn(D, generator=g, dtype=torch.float64)
Wx = torch.randn(K, D, generator=g, dtype=torch.float64) / D**0.5
Wh = torch.randn(K, K, generator=g, dtype=torch.float64) / K**0.5
b = torch.zeros(K, dtype=torch.float64)
ref = torch.autograd.functional.jacobian(lambda h: torch.tanh(Wx @ x + Wh @ h + b), h)
check.compare("J = diag(φ′)W_h", rnn_jacobian(h, x, Wx, Wh, b), ref, method="autograd")

# Recurrent weights with a chosen spectral radius ρ: a random orthogonal matrix times ρ.
Q, _ = torch.linalg.qr(torch.randn(K, K, generator=g, dtype=torch.float64))
xs = 0.5 * torch.randn(1, T, D, generator=g, dtype=torch.float64)  # one input sequence (B = 1)
h0 = 0.1 * torch.randn(1, K, generator=g, dtype=torch.float64)
fig, ax = figures.new(width=6, height=3.8)
print(" ρ(W_h)   ‖∂h_T/∂h_0‖₂ at T = 10, 30, 60 (tanh)      linear RNN (ρᵀ)")
for rho, color in ((0.8, "C0"), (1.0, "C1"), (1.2, "C2")):
    W = rho * Q
    H, _ = rnn_forward(xs, torch.tensor([T]), h0, Wx, W, b)
    prod, norms = torch.eye(K, dtype=torch.float64), []
    for t in range(T):
        h_prev = h0[0] if t == 0 else H[0, t - 1]
        prod = rnn_jacobian(h_prev, xs[0, t], Wx, W, b) @ prod  # ∂h_t/∂h_0 = J_t ⋯ J_1   (K, K)
        norms.append(torch.linalg.matrix_norm(prod, 2).item())
    full = torch.autograd.functional.jacobian(lambda h0: rnn_forward(xs, torch.tensor([T]), h0[None], Wx, W, b)[0][0, -1], h0[0])
    check.compare(f"∏J, ρ = {rho}", prod, full, method="autograd")
    ts = torch.arange(1, T + 1)
    ax.semilogy(ts, norms, color=color, label=f"tanh, ρ(W_h) = {rho}")
    ax.semilogy(ts, rho ** ts.double(), color=color, ls="--", label=f"linear, ρᵗ = {rho}ᵗ")
    print(f" {rho:6.1f}   {norms[9]:9.2e} {norms[29]:9.2e} {norms[59]:9.2e}           "
          f"{rho**10:9.2e} {rho**30:9.2e} {rho**60:9.2e}")
ax.set(xlabel="steps back in time T", ylabel="spectral norm of ∂h_T/∂h_0")
ax.legend(fontsize=8, ncol=2)
figures.show(fig, "rnn-jacobian-products",
             "How a perturbation of h₀ reaches h_T: for a linear RNN exactly ρᵀ; tanh′ ≤ 1 only shrinks it further.")
