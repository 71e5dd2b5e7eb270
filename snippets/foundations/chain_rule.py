"""f = f₂ ∘ f₁ at x = (1, 2): both Jacobians by hand and by autograd, their product, and f's own Jacobian."""
import math

import torch

from dlref import check

jac = torch.autograd.functional.jacobian  # numerator layout: J[i, j] = ∂outᵢ/∂inⱼ


def f1(x):  # ℝ² → ℝ³
    x1, x2 = x
    return torch.stack([torch.sin(math.pi * x2) / math.pi, torch.exp(x1 - 1) * x2**2, x1 * x2])


def f2(u):  # ℝ³ → ℝ²
    return torch.stack([u.sum(), (u**2).sum()])


def f(x):
    return f2(f1(x))


def J1_by_hand(x):
    x1, x2 = x.tolist()
    e = math.exp(x1 - 1)
    return torch.tensor([[0.0, math.cos(math.pi * x2)],
                         [e * x2**2, 2 * e * x2],
                         [x2, x1]], dtype=torch.float64)


def J2_by_hand(u):
    return torch.stack([torch.ones(3, dtype=torch.float64), 2 * u])


def show(title, M):
    print(title)
    for row in M.tolist():
        print("   [" + "  ".join(f"{round(v, 9) + 0.0:7.3f}" for v in row) + " ]")  # no "−0.000"


x = torch.tensor([1.0, 2.0], dtype=torch.float64)
u = f1(x)
J1, J2 = jac(f1, x), jac(f2, u)
check.compare("J_f₁(x) by hand", J1_by_hand(x), J1)
check.compare("J_f₂(f₁(x)) by hand", J2_by_hand(u), J2)
J = J2 @ J1  # (2, 3) @ (3, 2) -> (2, 2): chain rule in numerator layout
check.compare("J_f₂ · J_f₁ = J_f", J, jac(f, x), method="autograd of f")

print()
print(f"u = f₁(1, 2) = ({u[0].item():.1e}, {u[1].item():g}, {u[2].item():g});  u₁ = sin(2π)/π is 0 up to round-off")
show("J_f₁(1, 2) =", J1)
show("J_f₂(u) =", J2)
show("J_f(1, 2) = J_f₂(u) · J_f₁(1, 2) =", J)
