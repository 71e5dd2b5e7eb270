"""One-hidden-layer MLP with a hand-written backward pass (site page *Backpropagation → One-hidden-layer MLP*, backprop/mlp.md).

.. math::

    z = W x + b_1,\\quad h = \\mathrm{ReLU}(z),\\quad a = V h + b_2,\\quad
    \\mathcal L = \\mathrm{CE}(y, \\mathcal S(a))

Backward, in the names the page uses::

    u2 = ∂L/∂a = p − y            ∇V = u2 hᵀ     ∇b2 = u2
    u1 = ∂L/∂z = (Vᵀ u2) ⊙ H(z)   ∇W = u1 xᵀ     ∇b1 = u1     ∇x = Wᵀ u1

The module is a normal ``nn.Module`` (autograd works on it); [`MLP.gradients()`][dlref.nn.mlp.MLP.gradients] is the
manual route the derivation page checks against autograd.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from dlref import functional
from dlref import validate

Tensor = torch.Tensor


class MLP(nn.Module):
    """``x ∈ ℝᴰ → z = Wx + b₁ ∈ ℝᴷ → h = ReLU(z) → a = Vh + b₂ ∈ ℝᶜ`` (logits).

    Args:
        D: input size.
        K: hidden units.
        C: classes (logits).
        dtype: parameter dtype (float64 for gradient checks).
        generator: random generator for a reproducible initialisation.

    Shape:
        input ``(B, D)`` or ``(D,)``; output ``(B, C)`` or ``(C,)``.

    Examples:
        >>> import torch
        >>> net = MLP(4, 8, 3, generator=torch.Generator().manual_seed(0))
        >>> net(torch.zeros(2, 4)).shape
        torch.Size([2, 3])
    """

    def __init__(self, D: int, K: int, C: int, *, dtype: torch.dtype = torch.float32,
                 generator: torch.Generator | None = None) -> None:
        super().__init__()
        validate.positive_int("D", D)
        validate.positive_int("K", K)
        validate.positive_int("C", C)
        validate.dtype("dtype", dtype, floating=True)
        validate.instance("generator", generator, torch.Generator, optional=True)
        for name, value in (("D", D), ("K", K), ("C", C)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int; got {value!r}")
        self.D, self.K, self.C = D, K, C

        def uniform(*shape: int, fan_in: int) -> nn.Parameter:
            # nn.Linear's default: U(−1/√fan_in, 1/√fan_in)
            bound = 1 / math.sqrt(fan_in)
            return nn.Parameter((torch.rand(*shape, generator=generator, dtype=dtype) * 2 - 1) * bound)

        self.W = uniform(K, D, fan_in=D)
        self.b1 = uniform(K, fan_in=D)
        self.V = uniform(C, K, fan_in=K)
        self.b2 = uniform(C, fan_in=K)

    def extra_repr(self) -> str:
        return f"D={self.D}, K={self.K}, C={self.C}"

    def _check_input(self, x: Tensor) -> None:
        if not isinstance(x, Tensor):
            raise TypeError(f"x must be a torch.Tensor; got {type(x).__name__}")
        if x.dim() not in (1, 2) or x.shape[-1] != self.D:
            raise ValueError(f"x must be (B, D) or (D,) with D = {self.D}; got {tuple(x.shape)}")
        if x.dtype != self.W.dtype:
            raise TypeError(f"x must have the parameters' dtype {self.W.dtype}; got {x.dtype}")

    def forward(self, x: Tensor) -> Tensor:
        self._check_input(x)
        z = functional.linear(x, self.W, self.b1)  # (B, K)
        h = functional.relu(z)
        return functional.linear(h, self.V, self.b2)  # (B, C)

    @torch.no_grad()
    def gradients(self, x: Tensor, y: Tensor) -> dict[str, Tensor]:
        """Hand-derived gradients of the mean cross-entropy loss, by the recursion above.

        Args:
            x: inputs, ``(B, D)`` or ``(D,)``.
            y: class indices ``(B,)``/``()`` or one-hot ``(B, C)``/``(C,)``.

        Returns:
            ``{"V", "b2", "W", "b1", "x"}`` plus the intermediate ``"u2"`` and ``"u1"``; each
            parameter gradient has its parameter's shape.
        """
        self._check_input(x)
        z = functional.linear(x, self.W, self.b1)
        h = functional.relu(z)
        a = functional.linear(h, self.V, self.b2)
        u2 = functional.softmax_cross_entropy_backward(a, y)  # u₂ = (p − y) / B
        grad_h, grad_V, grad_b2 = functional.linear_backward(u2, h, self.V)  # ∇h = Vᵀu₂, ∇V = u₂hᵀ, ∇b₂ = u₂
        u1 = functional.relu_backward(grad_h, z)  # u₁ = (Vᵀu₂) ⊙ H(z)
        grad_x, grad_W, grad_b1 = functional.linear_backward(u1, x, self.W)  # ∇x = Wᵀu₁, ∇W = u₁xᵀ, ∇b₁ = u₁
        return {"u2": u2, "u1": u1, "V": grad_V, "b2": grad_b2, "W": grad_W, "b1": grad_b1, "x": grad_x}
