"""Ascent for θ_d, descent for θ_g: the hand-written updates against torch.optim.SGD; the extra-1/n slip."""
import torch

from dlref import check

torch.manual_seed(3)
n, k, m, alpha = 8, 3, 2, 0.1
f64 = dict(dtype=torch.float64)
X, Z = torch.randn(n, k, **f64) + 1.0, torch.randn(n, m, **f64)
theta_d = torch.randn(1, k, **f64)  # D(x) = σ(θ_d x)
theta_g = torch.randn(k, m, **f64)  # G(z) = θ_g z


def L(theta_d, theta_g):
    D_real = torch.sigmoid(X @ theta_d.T)  # (n, k)(k, 1) → (n, 1)
    D_fake = torch.sigmoid(Z @ theta_g.T @ theta_d.T)  # (n, m)(m, k)(k, 1) → (n, 1)
    return (torch.log(D_real) + torch.log(1 - D_fake)).mean()


grads = check.autograd_gradients(L, {"theta_d": theta_d, "theta_g": theta_g})
new_d = theta_d + alpha * grads["theta_d"]  # θ_d^{t+1} = θ_d^t + α ∇θ_d L   (ascent)
new_g = theta_g - alpha * grads["theta_g"]  # θ_g^{t+1} = θ_g^t − α ∇θ_g L   (descent)

# The same two steps with torch.optim: D maximises (maximize=True), G minimises.
p_d, p_g = theta_d.clone().requires_grad_(), theta_g.clone().requires_grad_()
opt_d = torch.optim.SGD([p_d], lr=alpha, maximize=True)
opt_g = torch.optim.SGD([p_g], lr=alpha)
L(p_d, p_g).backward()  # both gradients at (θ_d^t, θ_g^t): a simultaneous update
opt_d.step()
opt_g.step()
check.compare("θ_d ascent step", new_d, p_d, method="SGD(maximize=True)")
check.compare("θ_g descent step", new_g, p_g, method="SGD")

# Ascent on L is descent on −L = BCE(real→1) + BCE(fake→0): the usual way D is trained.
p_d2 = theta_d.clone().requires_grad_()
opt = torch.optim.SGD([p_d2], lr=alpha)
(-L(p_d2, theta_g)).backward()
opt.step()
check.compare("θ_d via descent on −L", new_d, p_d2, method="SGD on −L")

# The slip: writing ∇θ_g L = (1/n) Σ_i (∂G_i/∂θ_g)ᵀ ∂L/∂G_i with ∂L/∂G_i from L (which holds 1/n).
G = Z @ theta_g.T  # (n, m)(m, k) → (n, k)
delta1 = -torch.sigmoid(G @ theta_d.T) / n  # δ at D's logit for each fake row, carrying 1/n
dL_dG = delta1 @ theta_d  # (n, 1)(1, k) → (n, k)
right = dL_dG.T @ Z  # Σ_i ∂L/∂G_i Z_iᵀ: (k, n)(n, m) → (k, m)
slip = right / n
check.compare("Σ_i ∂L/∂G_i ∂G_i/∂θ_g", right, grads["theta_g"])
ratio = (slip / grads["theta_g"]).mean().item()
print(f"with the extra 1/n the gradient is {ratio:.4f} × the true one (1/n = {1 / n:.4f} for n = {n})")
assert abs(ratio - 1 / n) < 1e-12
