"""The tiny GAN: G(x) = ReLU(W_g x) with W_g 5×2, D(v) = σ(W_d v) with W_d 1×5; closed-form gradients."""
import torch

from dlref import check

torch.manual_seed(4)
f64 = dict(dtype=torch.float64)
W_g = torch.randn(5, 2, **f64)
W_d = torch.randn(1, 5, **f64)
x = torch.randn(2, 1, **f64)  # noise fed to G
r = torch.rand(5, 1, **f64)  # one real sample


def L(W_g, W_d):
    """L = log D(r) + log(1 − D(G(x))): one real sample and one fake."""
    y = torch.relu(W_g @ x)  # (5, 2)(2, 1) → (5, 1)
    return torch.log(torch.sigmoid(W_d @ r)).sum() + torch.log(1 - torch.sigmoid(W_d @ y)).sum()


a = W_g @ x  # (5, 1) pre-activation of G
y = torch.relu(a)
H = (a > 0).to(a.dtype)  # ReLU′ (Heaviside step)
assert 0 < H.sum() < 5, "want some ReLUs on and some off so the mask matters"
b_r, b_g = torch.sigmoid(W_d @ r), torch.sigmoid(W_d @ y)  # (1, 1) each

grad_W_d = (1 - b_r) * r.T - b_g * y.T  # ∇W_d L = (1 − b_r) rᵀ − b_g yᵀ : (1, 5)
grad_W_g = -b_g * (H * W_d.T) @ x.T  # ∇W_g L = −b_g (H ⊙ W_dᵀ) xᵀ : (5, 1)(1, 2) → (5, 2)
check.check_gradients(L, {"W_g": W_g, "W_d": W_d}, {"W_g": grad_W_g, "W_d": grad_W_d},
                      labels={"W_g": "∇W_g L", "W_d": "∇W_d L"})

# The non-saturating generator loss −log D(G(x)) swaps the factor −b_g for −(1 − b_g).
grad_ns = -(1 - b_g) * (H * W_d.T) @ x.T
check.check_gradients(lambda W_g: -torch.log(torch.sigmoid(W_d @ torch.relu(W_g @ x))).sum(),
                      {"W_g": W_g}, {"W_g": grad_ns}, labels={"W_g": "∇W_g (−log D)"})

# The worked solution writes the chain without simplifying σ(a)(1 − σ(a)) / (1 − b_g); same numbers.
s = torch.sigmoid(W_d @ y)
seed_W_g = H * (W_d.T * s * (1 - s) * (-1 / (1 - b_g))) @ x.T
seed_W_d = y.T * s * (1 - s) * (-1 / (1 - b_g)) + r.T * b_r * (1 - b_r) / b_r
check.compare("worked sol. ∇W_g", seed_W_g, grad_W_g, method="simplified form")
check.compare("worked sol. ∇W_d", seed_W_d, grad_W_d, method="simplified form")

print(f"\nD(r) = {b_r.item():.4f},  D(G(x)) = {b_g.item():.4f},  active ReLUs: {int(H.sum())} of 5")
print("∇W_d L =", [round(v, 4) for v in grad_W_d.flatten().tolist()])
print("∇W_g L rows for inactive units:", [i for i in range(5) if H[i] == 0], "are zero:",
      bool((grad_W_g[H[:, 0] == 0] == 0).all()))
