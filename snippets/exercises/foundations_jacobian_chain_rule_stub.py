"""Exercise of foundations/jacobian-chain-rule: fill in chain_jacobian, then run the check."""
import torch

import dlref.exercises


def chain_jacobian(x, A, B):
    """The Jacobian of f2 ∘ f1 at x, for f1(x) = sin(A x) and f2(u) = B (u ⊙ u).

    x: (D,); A: (K, D); B: (C, K). Return {"J": J} with J of shape (C, D)
        (numerator layout).
    """
    raise NotImplementedError  # your code here


dlref.exercises.check("foundations/jacobian-chain-rule", chain_jacobian)
