"""Why m₀ = 0 biases Adam's moments toward zero, and what the corrections 1/(1 − βᵗ) do to the step."""
import torch

from dlref import check, optim

beta1, beta2, runs, T = 0.9, 0.999, 20000, 50
g = torch.Generator().manual_seed(0)
mu, sigma = 1.0, 2.0  # gradients g_t ~ N(μ, σ²), independent across steps
grads = mu + sigma * torch.randn(runs, T, generator=g, dtype=torch.float64)  # (runs, T)

m = torch.zeros(runs, dtype=torch.float64)
v = torch.zeros(runs, dtype=torch.float64)
print(f"β₁ = {beta1}, β₂ = {beta2}; gradients ~ N({mu}, {sigma}²), {runs} runs")
print(" t   E[m_t]   (1−β₁ᵗ)μ   E[m̂_t]   E[v_t]   (1−β₂ᵗ)E[g²]   E[v̂_t]")
for t in range(1, T + 1):
    m = beta1 * m + (1 - beta1) * grads[:, t - 1]
    v = beta2 * v + (1 - beta2) * grads[:, t - 1] ** 2
    if t in (1, 2, 5, 10, 50):
        Eg2 = mu**2 + sigma**2
        print(f"{t:2d}   {m.mean():6.3f}   {(1 - beta1**t) * mu:6.3f}     {(m / (1 - beta1**t)).mean():6.3f}"
              f"   {v.mean():6.4f}   {(1 - beta2**t) * Eg2:8.4f}       {(v / (1 - beta2**t)).mean():6.3f}")

# The expectation identity E[m_t] = (1 − β₁ᵗ)μ holds exactly for the sample mean, since m_t is linear in g.
weights = (1 - beta1) * beta1 ** torch.arange(T - 1, -1, -1, dtype=torch.float64)  # (T,)
check.compare("m_T as weighted sum", m, grads @ weights, method="closed form")
check.compare("Σ weights = 1 − β₁ᵀ", weights.sum(), torch.tensor(1 - beta1**T, dtype=torch.float64),
              method="closed form")

# The first step: corrected, |Δθ| = α; uncorrected, α(1 − β₁)/√(1 − β₂), here larger than α.
alpha = 0.01
w = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
w.grad = torch.tensor([0.3], dtype=torch.float64)
optim.Adam([w], lr=alpha, eps=0.0).step()
uncorrected = alpha * (1 - beta1) * 0.3 / (((1 - beta2) * 0.3**2) ** 0.5)
print(f"first step with the corrections: {abs(w.item()):.4f} (= α = {alpha});"
      f" without them: {uncorrected:.4f}, {uncorrected / alpha:.2f} α")
assert abs(abs(w.item()) - alpha) < 1e-15
