"""The worked solution's product, entry by entry, and the one path of the chain rule it leaves out."""
import math

import torch

from dlref import check

jac = torch.autograd.functional.jacobian


def f1(x):
    x1, x2 = x
    return torch.stack([torch.sin(math.pi * x2) / math.pi, torch.exp(x1 - 1) * x2**2, x1 * x2])


def f2(u):
    return torch.stack([u.sum(), (u**2).sum()])


x = torch.tensor([1.0, 2.0], dtype=torch.float64)
J1, J2 = jac(f1, x), jac(f2, f1(x))
J = jac(lambda x: f2(f1(x)), x)
stated = torch.tensor([[4.0, 6.0], [32.0, 36.0]], dtype=torch.float64)  # the worked solution states this

print("entry      computed   the worked solution states")
for i in range(2):
    for j in range(2):
        flag = "" if abs(J[i, j] - stated[i, j]) < 1e-9 else "   ← differs"
        print(f"J[{i + 1},{j + 1}]   {J[i, j].item():8.3f}   {stated[i, j].item():8.3f}{flag}")

# ∂fᵢ/∂x₁ = Σₖ ∂f₂ᵢ/∂uₖ · ∂uₖ/∂x₁ sums three paths, one per intermediate uₖ.
paths = J2 * J1[:, 0]  # (2, 3): path k's contribution to column 1
print("\ncolumn 1 path by path (k = 1, 2, 3):")
for i in range(2):
    terms = " + ".join(f"{round(v, 9) + 0.0:.3f}" for v in paths[i].tolist())  # no "−0.000"
    print(f"  ∂f{i + 1}/∂x₁ = {terms} = {paths[i].sum().item():.3f}")
without_u3 = J2[:, :2] @ J1[:2, 0]  # (2, 2) @ (2,) -> (2,): drop the path through u₃ = x₁x₂
check.compare("stated col 1 = no u₃ path", stated[:, 0], without_u3, method="drop path k = 3")
print(f"the u₃ = x₁x₂ path adds {paths[:, 2].tolist()} to column 1; leaving it out gives the stated column")
