"""A solution of the foundations/jacobian-chain-rule exercise, checked; then each known mistake's diagnosis."""
import torch

import dlref.exercises


def chain_jacobian(x, A, B):
    """The Jacobian of f2 ∘ f1 at x, for f1(x) = sin(A x) and f2(u) = B (u ⊙ u).

    x: (D,); A: (K, D); B: (C, K). Return {"J": J} with J of shape (C, D) (numerator layout).
    """
    u = torch.sin(A @ x)  # (K,)
    J1 = torch.cos(A @ x)[:, None] * A  # (K, D)
    J2 = B * (2 * u)[None, :]  # (C, K), evaluated at u = f1(x)
    return {"J": J2 @ J1}


report = dlref.exercises.check("foundations/jacobian-chain-rule", chain_jacobian)
assert report.passed
print(dlref.exercises.verify_catalogue("foundations/jacobian-chain-rule"))
