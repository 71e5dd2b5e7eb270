"""Early stopping on a quadratic: w_j(τ) = {1 − (1 − ρη_j)^τ} w_j*, against iterated gradient descent and L2."""
import torch

from dlref import check
from dlref.lab import figures

g = torch.Generator().manual_seed(0)
eta = torch.tensor([10.0, 1.0, 0.1, 0.01], dtype=torch.float64)  # eigenvalues η_j of H
Q, _ = torch.linalg.qr(torch.randn(4, 4, generator=g, dtype=torch.float64))  # eigenvectors u_j as columns
H = Q @ torch.diag(eta) @ Q.T  # (4, 4)
w_star = torch.randn(4, generator=g, dtype=torch.float64)
rho, T = 0.09, 400  # ρη_max < 2: every |1 − ρη_j| < 1

# Iterated gradient descent on E = E₀ + ½(w − w*)ᵀH(w − w*), from w = 0
w, path = torch.zeros(4, dtype=torch.float64), []
for _ in range(T):
    w = w - rho * H @ (w - w_star)  # w ← w − ρ∇E
    path.append(w)
path = torch.stack(path)  # (T, 4)

tau = torch.arange(1, T + 1, dtype=torch.float64)[:, None]  # (T, 1)
closed = (1 - (1 - rho * eta) ** tau) * (Q.T @ w_star)  # (T, 4): w_j(τ) in the eigenbasis
check.compare("w_j(τ), all τ", path @ Q, closed, method="iterated GD")  # (T, 4) projections wᵀu_j

# Stopped at τ, component j keeps the fraction 1 − (1 − ρη_j)^τ of w_j*; L2 with λ keeps η_j/(η_j + λ).
stop = 50
kept_es = 1 - (1 - rho * eta) ** stop
kept_l2 = eta / (eta + 1 / (rho * stop))  # L2 minimiser of E + λ/2‖w‖², λ = 1/(ρτ)
print(f"stopped at τ = {stop} (ρτ = {rho * stop:.1f}); L2 with λ = 1/(ρτ) = {1 / (rho * stop):.3f}")
print("  η_j    ρτη_j   kept by early stopping   kept by L2")
for e, a, b in zip(eta.tolist(), kept_es.tolist(), kept_l2.tolist()):
    print(f"{e:5.2f}   {rho * stop * e:6.2f}   {a:22.3f}   {b:10.3f}")
w_l2 = torch.linalg.solve(H + torch.eye(4, dtype=torch.float64) / (rho * stop), H @ w_star)
check.compare("L2 fraction η/(η + λ)", (Q.T @ w_l2) / (Q.T @ w_star), kept_l2, method="linear solve")
far = 20000  # the closed form needs no iteration: jump straight to a late τ
w_far = Q @ ((1 - (1 - rho * eta) ** far) * (Q.T @ w_star))
print(f"at τ = {T}: |w − w*| = {(path[-1] - w_star).abs().max():.2e} (slowest factor |1 − ρη_min|^τ = "
      f"{(1 - rho * eta.min()) ** T:.2f}); at τ = {far}: {(w_far - w_star).abs().max():.2e}")

fig, (ax1, ax2) = figures.new(ncols=2, width=10, height=3.8)
for j in range(4):
    ax1.plot(tau[:, 0], (path @ Q)[:, j] / (Q.T @ w_star)[j], label=f"$\\eta_{j + 1}$ = {eta[j]:g}")
ax1.axvline(stop, color="grey", ls=":")
ax1.set(xscale="log", xlabel="gradient-descent step τ", ylabel="$w_j(\\tau)\\,/\\,w_j^*$")
ax1.legend(fontsize=8)
grid = torch.logspace(-3, torch.log10(torch.tensor(1.9 / rho)).item(), 200, dtype=torch.float64)  # stable: ρη < 2
ax2.plot(grid, 1 - (1 - rho * grid) ** stop, label=f"early stopping, τ = {stop}")
ax2.plot(grid, grid / (grid + 1 / (rho * stop)), "--", label="L2, λ = 1/(ρτ)")
ax2.axvline(1 / (rho * stop), color="grey", ls=":")
ax2.set(xscale="log", xlabel="eigenvalue $\\eta_j$ of H", ylabel="fraction of $w_j^*$ kept")
ax2.legend(fontsize=8)
figures.show(fig, "early-stopping-vs-l2",
             "Left: eigen-components of w(τ) grow toward w* at rate ρη_j. Right: the fraction kept at τ, "
             "and by L2 with λ = 1/(ρτ) (dotted line at η = 1/(ρτ)).")
