"""Jacobians in numerator and denominator layout (site page *Foundations → Layouts and matrix calculus*, foundations/layouts.md).

For ``y = f(x)`` with ``x ∈ ℝⁿ`` and ``y ∈ ℝᵐ`` the two conventions arrange the same ``m·n``
partial derivatives ``∂y_i/∂x_j`` differently:

* **numerator layout** (rows follow the output): ``J[i, j] = ∂y_i/∂x_j``, shape ``(m, n)``;
  the chain rule reads left to right, ``∂z/∂x = ∂z/∂y · ∂y/∂x``;
* **denominator layout** (rows follow the input): the transpose, shape ``(n, m)``; the chain
  rule reads right to left, ``∂z/∂x = ∂y/∂x · ∂z/∂y``.

Whatever the layout, dlref's *gradient* of a scalar has the shape of the variable (what
``torch.autograd`` returns): for a vector ``x`` it is the denominator-layout derivative, the
transpose of the numerator-layout row. Matrices and higher-order tensors are flattened in
row-major order (``torch.flatten``), so a matrix argument ``A`` of shape ``(m, n)`` contributes
``m·n`` columns ordered ``A₁₁, A₁₂, …, A_mn``.

Reference: the layouts page of the site; the two conventions as in the Wikipedia article
"Matrix calculus", section "Layout conventions".
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from dlref import validate

Tensor = torch.Tensor

LAYOUTS = ("numerator", "denominator")


def jacobian(fn: Callable[[Tensor], Tensor], x: Tensor, *, layout: str = "numerator") -> Tensor:
    """The Jacobian of ``y = fn(x)`` at ``x`` as a matrix, in numerator or denominator layout.

    Computed by `torch.autograd.functional.jacobian()` and reshaped: numerator layout
    ``J[i, j] = ∂y_i/∂x_j``; denominator layout is its transpose. A scalar ``y`` counts as a
    vector of length 1, so its numerator-layout Jacobian is a row and its denominator-layout
    Jacobian a column.

    Args:
        fn: a differentiable function of one tensor returning a tensor.
        x: the point, a floating-point tensor of any shape (flattened row-major).
        layout: ``"numerator"`` or ``"denominator"``.

    Shape:
        with ``n = x.numel()`` and ``m = fn(x).numel()``: ``(m, n)`` in numerator layout,
        ``(n, m)`` in denominator layout.

    Returns:
        The Jacobian matrix, in the dtype of ``x``.

    Raises:
        ValueError: ``layout`` is not one of the two layouts.
        TypeError: ``x`` is not a floating-point tensor, or ``fn`` does not return a tensor.

    Examples:
        >>> import torch
        >>> A = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        >>> jacobian(lambda y: A @ y, torch.zeros(3))  # ∂(Ay)/∂y = A
        tensor([[1., 2., 3.],
                [4., 5., 6.]])
        >>> jacobian(lambda y: A @ y, torch.zeros(3), layout="denominator").shape  # Aᵀ
        torch.Size([3, 2])
    """
    validate.callable_("fn", fn)
    validate.floating_tensor("x", x, nonempty=True)
    validate.choice("layout", layout, LAYOUTS)

    def flat_fn(x_: Tensor) -> Tensor:
        y = fn(x_)
        if not isinstance(y, Tensor):
            raise TypeError(f"fn must return a tensor; got {type(y).__name__}")
        return y.reshape(-1)  # (m,)

    J = torch.autograd.functional.jacobian(flat_fn, x)  # (m, *x.shape)
    J = J.reshape(J.shape[0], x.numel())  # (m, n): J[i, j] = ∂y_i/∂x_j
    return J if layout == "numerator" else J.T  # (m, n) or (n, m)


def gradient(fn: Callable[[Tensor], Tensor], x: Tensor) -> Tensor:
    """The gradient ``∇_x f`` of a scalar ``f = fn(x)``, shaped like ``x``.

    It holds the same numbers as the numerator-layout Jacobian (a ``1 × n`` row), arranged in
    the shape of the variable: ``∇_x f[idx] = ∂f/∂x[idx]``.

    Args:
        fn: a differentiable scalar function of one tensor.
        x: the point, a floating-point tensor of any shape.

    Shape:
        the result has the shape of ``x``.

    Raises:
        ValueError: ``fn(x)`` has more than one element.
        TypeError: ``x`` is not a floating-point tensor.

    Examples:
        >>> import torch
        >>> gradient(lambda x: (x * x).sum(), torch.tensor([1.0, -2.0]))  # ∇(xᵀx) = 2x
        tensor([ 2., -4.])
    """
    J = jacobian(fn, x)  # checks fn and x  # (m, n)
    if J.shape[0] != 1:
        raise ValueError(f"fn must return a scalar (one element) for a gradient; got {J.shape[0]} elements")
    return J.reshape(x.shape)  # (1, n) -> shape of x
