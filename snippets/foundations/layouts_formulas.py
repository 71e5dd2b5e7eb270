"""The four derivatives of the layouts page, each against torch.autograd.functional.jacobian (float64)."""
import torch

from dlref import check
from dlref import matrix_calculus as mc

torch.manual_seed(0)
m, n = 3, 4  # m ≠ n on purpose: a swapped index or a missing transpose changes the shape
x = torch.randn(m, dtype=torch.float64)
y = torch.randn(n, dtype=torch.float64)
A = torch.randn(m, n, dtype=torch.float64)

# torch returns the Jacobian of a scalar with the shape of the variable: that is the gradient.
jac = torch.autograd.functional.jacobian

# 1. z = xᵀx  →  ∇ₓz = 2x ∈ ℝᵐ
check.compare("∇ₓ xᵀx = 2x", 2 * x, jac(lambda x: x @ x, x), method="autograd jacobian")

# 2. z = tr(AᵀA) = Σᵢⱼ A²ᵢⱼ  →  ∇_A z = 2A ∈ ℝᵐˣⁿ
check.compare("∇_A tr(AᵀA) = 2A", 2 * A, jac(lambda A: torch.trace(A.T @ A), A), method="autograd jacobian")

# 3. z = xᵀAy  →  ∇_y z = Aᵀx ∈ ℝⁿ  (and, for completeness, ∇ₓz = Ay, ∇_A z = xyᵀ)
check.compare("∇_y xᵀAy = Aᵀx", A.T @ x, jac(lambda y: x @ A @ y, y), method="autograd jacobian")
check.compare("∇ₓ xᵀAy = Ay", A @ y, jac(lambda x: x @ A @ y, x), method="autograd jacobian")
check.compare("∇_A xᵀAy = xyᵀ", torch.outer(x, y), jac(lambda A: x @ A @ y, A), method="autograd jacobian")

# 4. z = Ay  →  ∂z/∂y = A (numerator layout, m × n) or Aᵀ (denominator layout, n × m)
J = jac(lambda y: A @ y, y)  # torch: J[i, j] = ∂zᵢ/∂yⱼ, shape (m, n)
check.compare("∂(Ay)/∂y = A (num.)", A, J, method="autograd jacobian")
check.compare("∂(Ay)/∂y = Aᵀ (den.)", A.T, mc.jacobian(lambda y: A @ y, y, layout="denominator"),
              method="autograd jacobian")

print()
print(f"x ∈ ℝ^{m}, y ∈ ℝ^{n}, A ∈ ℝ^{m}×{n}")
print(f"∇ₓ xᵀx      shape {tuple((2 * x).shape)}    (the shape of x)")
print(f"∇_A tr(AᵀA) shape {tuple((2 * A).shape)}  (the shape of A)")
print(f"∇_y xᵀAy    shape {tuple((A.T @ x).shape)}    (the shape of y: n = {n} entries, not m = {m})")
print(f"∂(Ay)/∂y    shape {tuple(J.shape)} in numerator layout, {tuple(J.T.shape)} in denominator layout")
