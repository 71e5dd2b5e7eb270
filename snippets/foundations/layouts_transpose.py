"""The same partial derivatives in the two layouts, printed for a small example."""
import torch

from dlref import check
from dlref import matrix_calculus as mc

A = torch.tensor([[1.0, 2.0, 3.0],
                  [4.0, 5.0, 6.0]], dtype=torch.float64)  # m = 2 outputs, n = 3 inputs
y = torch.tensor([1.0, -1.0, 2.0], dtype=torch.float64)


def show(title, M):
    print(title)
    for row in M.tolist():
        print("   [" + "  ".join(f"{v:6.2f}" for v in row) + " ]")


num = mc.jacobian(lambda y: A @ y, y, layout="numerator")
den = mc.jacobian(lambda y: A @ y, y, layout="denominator")
show(f"z = Ay, numerator layout: row i is ∂zᵢ/∂y, shape {tuple(num.shape)}", num)
show(f"z = Ay, denominator layout: row j is ∂z/∂yⱼ, shape {tuple(den.shape)}", den)
check.compare("numerator = A", num, A, method="autograd jacobian")
check.compare("denominator = Aᵀ", den, A.T, method="autograd jacobian")



def f(y):
    """z = yᵀy: numerator layout gives a row, denominator layout a column."""
    return y @ y


show("\nz = yᵀy, numerator layout (a 1 × n row):", mc.jacobian(f, y))
show("z = yᵀy, denominator layout (an n × 1 column):", mc.jacobian(f, y, layout="denominator"))
print("gradient ∇_y z, shaped like y:", mc.gradient(f, y).tolist())

# The chain rule for L(z(y)) with L = ½‖z‖²: ∂L/∂z = zᵀ (numerator) — the order of the factors flips.
z = A @ y
dL_dz_num = z[None, :]  # (1, m) row
dL_dy_num = dL_dz_num @ num  # (1, m) @ (m, n) -> (1, n): ∂L/∂y = ∂L/∂z · ∂z/∂y
dL_dy_den = den @ z[:, None]  # (n, m) @ (m, 1) -> (n, 1): ∂L/∂y = ∂z/∂y · ∂L/∂z
print()
print("chain rule, numerator layout   ∂L/∂z · ∂z/∂y =", dL_dy_num.flatten().tolist(), f"shape {tuple(dL_dy_num.shape)}")
print("chain rule, denominator layout ∂z/∂y · ∂L/∂z =", dL_dy_den.flatten().tolist(), f"shape {tuple(dL_dy_den.shape)}")
reference = mc.gradient(lambda y: 0.5 * (A @ y) @ (A @ y), y)
check.compare("∇_y ½‖Ay‖² (num.)ᵀ", dL_dy_num.T.flatten(), reference, method="autograd")
check.compare("∇_y ½‖Ay‖² (den.)", dL_dy_den.flatten(), reference, method="autograd")
