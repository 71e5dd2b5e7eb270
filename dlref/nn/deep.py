"""An L-layer MLP whose backward pass is the generic recursion (site page *Backpropagation → The L-layer recursion*, backprop/deep-recursion.md).

Layers ``l = 1 … L``, with ``a⁰ = x``:

.. math::

    z^l = W^l a^{l-1} + b^l,\\qquad a^l = g^l(z^l).

Given the upstream gradient ``∂L/∂a^L`` the backward pass is, in the names the page uses::

    delta[L] = ∂L/∂a^L ⊙ g′(z^L)
    delta[l] = (W^{l+1})ᵀ delta[l+1] ⊙ g′(z^l)        l = L−1 … 1
    ∇W^l = delta[l] (a^{l−1})ᵀ      ∇b^l = delta[l]      ∇x = (W^1)ᵀ delta[1]

Each layer may use any activation in `ACTIVATIONS`. [`DeepMLP.gradients()`][dlref.nn.deep.DeepMLP.gradients] is the
manual route; ``forward`` is an ordinary differentiable module, so autograd can check it.
"""

from __future__ import annotations

import math
from typing import Sequence

import torch
from torch import nn

from dlref import functional
from dlref import validate

Tensor = torch.Tensor

#: Activation names [`DeepMLP`][dlref.nn.deep.DeepMLP], [`activation()`][dlref.nn.deep.activation] and [`activation_derivative()`][dlref.nn.deep.activation_derivative] accept.
ACTIVATIONS = ("relu", "sigmoid", "tanh", "identity")


def activation(name: str, z: Tensor) -> Tensor:
    """Apply the activation ``g`` called ``name`` elementwise: ``a = g(z)``.

    Args:
        name: one of ``"relu"``, ``"sigmoid"`` (``σ(z) = 1/(1 + e^{−z})``), ``"tanh"``, ``"identity"``.
        z: pre-activations.

    Shape:
        any; returns the shape of ``z``.

    Raises:
        ValueError: unknown ``name``.
        TypeError: ``z`` is not a floating-point tensor.

    Examples:
        >>> import torch
        >>> activation("sigmoid", torch.zeros(2))
        tensor([0.5000, 0.5000])
    """
    validate.choice("name", name, ACTIVATIONS)
    validate.floating_tensor("z", z)
    if name == "relu":
        return functional.relu(z)
    if name == "sigmoid":
        return torch.sigmoid(z)
    if name == "tanh":
        return torch.tanh(z)
    return z


def activation_derivative(name: str, z: Tensor) -> Tensor:
    """The diagonal of the Jacobian ``∂a/∂z``: ``g′(z)`` elementwise.

    ``relu′(z) = H(z)`` with ``H(0) = 0`` (as autograd), ``σ′(z) = σ(z)(1 − σ(z))``,
    ``tanh′(z) = 1 − tanh²(z)``, ``identity′(z) = 1``.

    Args:
        name: an activation in `ACTIVATIONS`.
        z: pre-activations.

    Shape:
        any; returns the shape of ``z``.

    Raises:
        ValueError: unknown ``name``.
        TypeError: ``z`` is not a floating-point tensor.

    Examples:
        >>> import torch
        >>> activation_derivative("tanh", torch.zeros(1))
        tensor([1.])
    """
    validate.choice("name", name, ACTIVATIONS)
    validate.floating_tensor("z", z)
    if name == "relu":
        return (z > 0).to(z.dtype)  # H(z)
    if name == "sigmoid":
        s = torch.sigmoid(z)
        return s * (1 - s)  # σ(1 − σ)
    if name == "tanh":
        return 1 - torch.tanh(z) ** 2  # 1 − tanh²
    return torch.ones_like(z)


class DeepMLP(nn.Module):
    """``x = a⁰ → z^l = W^l a^{l−1} + b^l → a^l = g^l(z^l)`` for ``l = 1 … L``; returns ``a^L``.

    Weights follow ``torch.nn.Linear``: ``W^l`` is ``(sizes[l], sizes[l−1])`` and the default
    initialisation is ``nn.Linear``'s ``U(−1/√fan_in, 1/√fan_in)``.

    Args:
        sizes: layer widths ``(D, K₁, …, K_L)``; ``L = len(sizes) − 1 ≥ 1``.
        activations: one name for every layer, or a sequence of ``L`` names
            (e.g. hidden ``"relu"`` and an ``"identity"`` output).
        dtype: parameter dtype (float64 for gradient checks).
        generator: random generator for a reproducible initialisation.

    Shape:
        input ``(B, D)`` or ``(D,)``; output ``(B, K_L)`` or ``(K_L,)``.

    Examples:
        >>> import torch
        >>> net = DeepMLP([3, 4, 4, 2], ["tanh", "tanh", "identity"], generator=torch.Generator().manual_seed(0))
        >>> net(torch.zeros(5, 3)).shape
        torch.Size([5, 2])
        >>> net.L
        3
    """

    def __init__(self, sizes: Sequence[int], activations: str | Sequence[str], *,
                 dtype: torch.dtype = torch.float32, generator: torch.Generator | None = None) -> None:
        super().__init__()
        sizes = list(validate.each("sizes", sizes, validate.positive_int, min_length=2))  # (D, K_1, …, K_L)
        validate.instance("activations", activations, (str, list, tuple), what="a name or a list of names")
        L = len(sizes) - 1
        names = [activations] * L if isinstance(activations, str) else list(activations)
        if len(names) != L:
            raise ValueError(f"need one activation per layer: {L} for sizes {sizes}; got {len(names)}")
        validate.each("activations", names, validate.choice, ACTIVATIONS)
        validate.dtype("dtype", dtype, floating=True)
        validate.instance("generator", generator, torch.Generator, optional=True)
        self.sizes, self.L, self.activations = sizes, L, names

        def uniform(*shape: int, fan_in: int) -> nn.Parameter:
            bound = 1 / math.sqrt(fan_in)  # nn.Linear's default bound
            return nn.Parameter((torch.rand(*shape, generator=generator, dtype=dtype) * 2 - 1) * bound)

        # W[l−1] is W^l: index 0 is the first layer.
        self.W = nn.ParameterList([uniform(sizes[l], sizes[l - 1], fan_in=sizes[l - 1]) for l in range(1, L + 1)])
        self.b = nn.ParameterList([uniform(sizes[l], fan_in=sizes[l - 1]) for l in range(1, L + 1)])

    def extra_repr(self) -> str:
        return f"sizes={self.sizes}, activations={self.activations}"

    def _check_input(self, x: Tensor) -> None:
        validate.tensor("x", x)
        if x.dim() not in (1, 2) or x.shape[-1] != self.sizes[0]:
            raise ValueError(f"x must be (B, D) or (D,) with D = {self.sizes[0]}; got {tuple(x.shape)}")
        if x.dtype != self.W[0].dtype:
            raise TypeError(f"x must have the parameters' dtype {self.W[0].dtype}; got {x.dtype}")

    def forward_cache(self, x: Tensor) -> tuple[list[Tensor], list[Tensor]]:
        """Forward pass keeping what backward needs.

        Returns:
            ``(z, a)``: ``z[l−1] = z^l`` for ``l = 1 … L`` and ``a[l] = a^l`` for ``l = 0 … L``
            (``a[0] = x``).
        """
        self._check_input(x)
        z, a = [], [x]
        for W, b, name in zip(self.W, self.b, self.activations):
            z.append(functional.linear(a[-1], W, b))  # (B, K_{l−1}) @ (K_{l−1}, K_l) -> (B, K_l)
            a.append(activation(name, z[-1]))
        return z, a

    def forward(self, x: Tensor) -> Tensor:
        return self.forward_cache(x)[1][-1]

    @torch.no_grad()
    def gradients(self, x: Tensor, grad_output: Tensor) -> dict[str, list[Tensor] | Tensor]:
        """Hand-derived backward pass by the recursion ``δˡ = (Wˡ⁺¹)ᵀ δˡ⁺¹ ⊙ g′(zˡ)``.

        Args:
            x: inputs, ``(B, D)`` or ``(D,)``.
            grad_output: ``∂L/∂a^L``, the loss's gradient with respect to the output (for a mean
                loss it already carries the ``1/B``).

        Shape:
            ``grad_output`` has the output's shape, ``(B, K_L)`` or ``(K_L,)``.

        Returns:
            ``{"delta": [δ¹, …, δᴸ], "W": [∇W¹, …], "b": [∇b¹, …], "x": ∇x}``; each parameter
            gradient has its parameter's shape, ``δˡ = ∂L/∂zˡ`` has ``zˡ``'s shape.

        Raises:
            ValueError: ``grad_output`` does not have the output's shape.
            TypeError: ``grad_output`` is not a tensor of the parameters' dtype.

        Examples:
            >>> import torch
            >>> net = DeepMLP([2, 3, 1], "sigmoid", dtype=torch.float64)
            >>> g = net.gradients(torch.ones(2, dtype=torch.float64), torch.ones(1, dtype=torch.float64))
            >>> [tuple(d.shape) for d in g["delta"]], tuple(g["W"][0].shape)
            ([(3,), (1,)], (3, 2))
        """
        z, a = self.forward_cache(x)
        validate.tensor("grad_output", grad_output)
        if grad_output.shape != a[-1].shape:
            raise ValueError(f"grad_output must have the output's shape {tuple(a[-1].shape)}; got {tuple(grad_output.shape)}")
        if grad_output.dtype != a[-1].dtype:
            raise TypeError(f"grad_output must have dtype {a[-1].dtype}; got {grad_output.dtype}")
        L = self.L
        delta: list[Tensor] = [torch.empty(0)] * L
        grad_W: list[Tensor] = [torch.empty(0)] * L
        grad_b: list[Tensor] = [torch.empty(0)] * L
        # δᴸ = ∂L/∂aᴸ ⊙ g′(zᴸ)
        delta[L - 1] = grad_output * activation_derivative(self.activations[L - 1], z[L - 1])
        grad_x = None
        for l in range(L - 1, -1, -1):  # python index l is layer l+1
            # ∇a^{l} = (W^{l+1})ᵀ δ^{l+1},  ∇W^{l+1} = δ^{l+1} (a^{l})ᵀ,  ∇b^{l+1} = δ^{l+1}
            grad_a, grad_W[l], grad_b[l] = functional.linear_backward(delta[l], a[l], self.W[l])
            if l > 0:
                # δˡ = (Wˡ⁺¹)ᵀ δˡ⁺¹ ⊙ g′(zˡ)
                delta[l - 1] = grad_a * activation_derivative(self.activations[l - 1], z[l - 1])
            else:
                grad_x = grad_a  # ∇x = (W¹)ᵀ δ¹
        return {"delta": delta, "W": grad_W, "b": grad_b, "x": grad_x}
