"""Why 1/√E: the variance of q·k grows like E, and unscaled softmax saturates as E grows."""
import torch

from dlref import attention, check
from dlref.lab import figures

g = torch.Generator().manual_seed(0)
dims = [4, 16, 64, 256, 1024]
N = 20000  # (q, k) pairs per dimension
print(f"{'E':>5} {'Var(q·k)':>10} {'Var(q·k)/E':>11} {'Var(q·k/√E)':>12}")
variances = []
for E in dims:
    q, k = torch.randn(N, E, generator=g, dtype=torch.float64), torch.randn(N, E, generator=g, dtype=torch.float64)
    dot = (q * k).sum(-1)  # N independent dot products
    variances.append(dot.var().item())
    print(f"{E:>5} {dot.var().item():>10.2f} {dot.var().item() / E:>11.3f} {(dot / E**0.5).var().item():>12.3f}")
# Var(Σ q_i k_i) = Σ E[q_i²] E[k_i²] = E for independent unit-variance entries: the sample must agree.
check.compare("Var(q·k) / E", torch.tensor(variances) / torch.tensor(dims, dtype=torch.float64),
              torch.ones(len(dims), dtype=torch.float64), tol=0.05, method="Monte Carlo, 20 000 pairs")

# Softmax over S = 32 keys: how peaked the weights get, and how small the softmax Jacobian gets.
S, L = 32, 256
sweep = [2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]
stats = {"unscaled": ([], []), "scaled by 1/√E": ([], [])}
for E in sweep:
    q, k = torch.randn(L, E, generator=g, dtype=torch.float64), torch.randn(S, E, generator=g, dtype=torch.float64)
    for name, scale in (("unscaled", 1.0), ("scaled by 1/√E", None)):
        A = attention.attention_weights(q, k, scale=scale)  # (L, S)
        J = torch.diag_embed(A) - A[:, :, None] * A[:, None, :]  # ∂a/∂z = diag(a) − a aᵀ per query, (L, S, S)
        stats[name][0].append(A.max(-1).values.mean().item())
        stats[name][1].append(torch.linalg.matrix_norm(J).mean().item())
i = sweep.index(1024)
print(f"\nat E = 1024: mean largest weight {stats['unscaled'][0][i]:.3f} unscaled vs "
      f"{stats['scaled by 1/√E'][0][i]:.3f} scaled; softmax Jacobian norm "
      f"{stats['unscaled'][1][i]:.2e} vs {stats['scaled by 1/√E'][1][i]:.2e}")
assert stats["unscaled"][0][i] > 0.9 and stats["unscaled"][1][i] < 0.5 * stats["scaled by 1/√E"][1][i]

fig, (ax1, ax2) = figures.new(ncols=2, width=8.0, height=3.4)
for name, (peak, jac) in stats.items():
    ax1.semilogx(sweep, peak, "o-", base=2, label=name)
    ax2.loglog(sweep, jac, "o-", base=2, label=name)
ax1.axhline(1 / S, color="gray", linestyle=":", label="uniform, 1/S")
ax1.set_xlabel("head dimension E")
ax1.set_ylabel("mean largest attention weight")
ax2.set_xlabel("head dimension E")
ax2.set_ylabel("mean ‖∂a/∂z‖_F (softmax Jacobian)")
ax1.legend()
fig.suptitle(f"Softmax over S = {S} keys, q and k with unit-variance entries")
figures.show(fig, "attention-scale-saturation",
             "Without the 1/√E scale the weights become one-hot as E grows and the softmax Jacobian, "
             "hence the gradient reaching q and k, collapses.")
