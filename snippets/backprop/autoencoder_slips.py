"""Two slips in the source's autoencoder derivation, shown numerically: ∂z₂ᵢ/∂(W₂)ₖᵢ and the sign of ∇x′."""
import torch

from dlref.lab import figures

g = torch.Generator().manual_seed(6)
N, M, n = 8, 3, 64
# Data with three hidden factors, squashed into (0, 1) like the sigmoid output.
X = torch.sigmoid(torch.randn(n, 3, generator=g, dtype=torch.float64) @ torch.randn(3, N, generator=g, dtype=torch.float64))
W1 = 0.5 * torch.randn(N, M, generator=g, dtype=torch.float64)
b1 = torch.full((M,), 0.5, dtype=torch.float64)
W2 = 0.5 * torch.randn(M, N, generator=g, dtype=torch.float64)
b2 = torch.zeros(N, dtype=torch.float64)

# 1. ∂z₂ᵢ/∂(W₂)ₖᵢ is h_k, the value the weight multiplies — not 1.
x = X[(X @ W1 + b1 > 0).sum(1).argmax()]  # an example with as many active code units as possible
h = torch.relu(W1.T @ x + b1)
J = torch.autograd.functional.jacobian(lambda W2: W2.T @ h + b2, W2)  # (N, M, N): ∂z₂ᵢ/∂(W₂)ₖⱼ
i = 0
print("∂z₂[0]/∂W₂[:, 0] by autograd:", [round(v, 4) for v in J[i, :, i].tolist()])
print("h                           :", [round(v, 4) for v in h.tolist()])
assert torch.equal(J[i, :, i], h) and J[i, :, 1:].abs().sum() == 0


# 2. The sign of ∇x′: L = Σ(x − x′)² gives 2(x′ − x); 2(x − x′) points uphill.
def gradients(W1, b1, W2, b2, sign):
    Z1 = X @ W1 + b1                     # (n, N) @ (N, M) -> (n, M)
    H = torch.relu(Z1)
    Xr = torch.sigmoid(H @ W2 + b2)      # (n, M) @ (M, N) -> (n, N)
    D2 = sign * 2 * (Xr - X) / n * Xr * (1 - Xr)   # δ₂ rows, mean over examples
    D1 = (D2 @ W2.T) * (Z1 > 0)          # (n, N) @ (N, M) -> (n, M)
    return X.T @ D1, D1.sum(0), H.T @ D2, D2.sum(0)  # Σ_n x δ₁ᵀ, δ₁, h δ₂ᵀ, δ₂


def mean_loss(W1, b1, W2, b2):
    return ((X - torch.sigmoid(torch.relu(X @ W1 + b1) @ W2 + b2)) ** 2).sum(1).mean()


def train(step_fn, steps=300, lr=0.5):
    params, curve = [p.clone() for p in (W1, b1, W2, b2)], []
    for _ in range(steps):
        curve.append(mean_loss(*params).item())
        params = [p - lr * gp for p, gp in zip(params, step_fn(params))]  # θ ← θ − α ∇L
    return curve


def autograd_step(params):
    leaves = [p.clone().requires_grad_(True) for p in params]
    return torch.autograd.grad(mean_loss(*leaves), leaves)


manual = train(lambda p: gradients(*p, sign=+1))
auto = train(autograd_step)
flipped = train(lambda p: gradients(*p, sign=-1))
gap = max(abs(a - b) for a, b in zip(manual, auto))
print(f"\nreconstruction loss after {len(manual)} steps: hand-derived {manual[-1]:.4f}, autograd {auto[-1]:.4f} "
      f"(largest gap along the way {gap:.1e}); with ∇x′ = 2(x − x′): {flipped[-1]:.4f} (start {manual[0]:.4f})")
assert gap < 1e-10 and manual[-1] < manual[0] < flipped[-1]

fig, ax = figures.new(width=6.4, height=3.6)
ax.plot(manual, label="∇x′ = 2(x′ − x), hand-derived", lw=2)
ax.plot(auto, "--", label="autograd", color="black", lw=1)
ax.plot(flipped, label="∇x′ = 2(x − x′) (sign slip)", color="tab:red")
ax.set_xlabel("gradient-descent step")
ax.set_ylabel("mean reconstruction error Σⱼ(xⱼ − x′ⱼ)²")
ax.legend()
ax.set_title(f"Autoencoder {N}→{M}→{N}, full-batch descent on {n} examples")
figures.show(fig, "autoencoder-sign",
             "Training the autoencoder with the hand-derived gradients matches autograd step for step; "
             "flipping the sign of ∇x′ climbs the loss.")
