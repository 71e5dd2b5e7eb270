"""The Jacobian as the best linear map: how fast the linear prediction of f around (1, 2) becomes exact."""
import math

import torch

from dlref.lab import figures

jac = torch.autograd.functional.jacobian


def f(x):  # f = f₂ ∘ f₁ on a batch of points x of shape (N, 2)
    x1, x2 = x[..., 0], x[..., 1]
    u = torch.stack([torch.sin(math.pi * x2) / math.pi, torch.exp(x1 - 1) * x2**2, x1 * x2], dim=-1)  # (N, 3)
    return torch.stack([u.sum(-1), (u**2).sum(-1)], dim=-1)  # (N, 2)


x0 = torch.tensor([1.0, 2.0], dtype=torch.float64)
J = jac(f, x0)  # (2, 2)
stated = torch.tensor([[4.0, 6.0], [32.0, 36.0]], dtype=torch.float64)  # the worked solution states this

theta = torch.linspace(0, 2 * math.pi, 400, dtype=torch.float64)
d = torch.stack([torch.cos(theta), torch.sin(theta)], dim=-1)  # (400, 2) unit directions

errors = {}
print(" radius r   max |f(x₀+rd) − f(x₀) − J r d|   same with the stated matrix")
for r in (1e-1, 1e-2, 1e-3):
    exact = f(x0 + r * d) - f(x0)  # (400, 2)
    err_J = (exact - r * d @ J.T).norm(dim=-1).max().item()  # (400, 2) @ (2, 2) -> (400, 2)
    err_s = (exact - r * d @ stated.T).norm(dim=-1).max().item()
    errors[r] = (err_J, err_s)
    print(f"  {r:7.0e}   {err_J:30.2e}   {err_s:27.2e}")
ratio_J, ratio_s = (errors[1e-2][k] / errors[1e-3][k] for k in (0, 1))
assert 80 < ratio_J < 120 and 8 < ratio_s < 12, (ratio_J, ratio_s)  # second order vs first order
print(f"r ÷ 10 divides J's error by {ratio_J:.0f} (∝ r², exact to first order) and the stated matrix's by {ratio_s:.0f} (∝ r).")

radii = torch.logspace(-5, -1, 17, dtype=torch.float64).tolist()
curves = {"J": [], "stated": []}
for r in radii:
    exact = f(x0 + r * d) - f(x0)
    curves["J"].append((exact - r * d @ J.T).norm(dim=-1).max().item())
    curves["stated"].append((exact - r * d @ stated.T).norm(dim=-1).max().item())

fig, ax = figures.new(width=6.0, height=3.8)
ax.loglog(radii, curves["J"], "o-", color="tab:blue", ms=4, label="computed Jacobian J (slope 2)")
ax.loglog(radii, curves["stated"], "s--", color="tab:red", ms=4, label="matrix the worked solution states (slope 1)")
ax.set_xlabel("radius r of the circle around (1, 2)")
ax.set_ylabel("max |f(x₀ + r d) − f(x₀) − M r d|")
ax.set_title("Only the true Jacobian is a first-order approximation of f")
ax.legend(fontsize=8)
figures.show(fig, "chain-rule-linearisation",
             "Largest error of the linear prediction of f over a circle of radius r around (1, 2), for two matrices.")
