"""Hand-written forward and backward passes, one pair per operation.

Each ``op`` has an ``op_backward`` beside it that maps the gradient of the loss with
respect to the op's output to the gradients with respect to its inputs (vector-Jacobian
products). The backprop pages derive these formulas and check every one against autograd
in float64 (``tests/test_functional.py`` does the same over many shapes).

Conventions: a batch of row vectors ``x`` of shape ``(B, D)``; a single vector ``(D,)``
is accepted wherever a batch is. Weights follow ``torch.nn.Linear``: ``W`` is ``(K, D)``
and the layer computes ``z = W x + b`` (``Z = X Wᵀ + b`` for a batch).

Reference: CONTENT.md §2 (Backpropagation).
"""

from __future__ import annotations

import torch

Tensor = torch.Tensor


def _require_tensor(name: str, value: object) -> Tensor:
    if not isinstance(value, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor; got {type(value).__name__}")
    if not value.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor; got dtype {value.dtype}")
    return value


def linear(x: Tensor, W: Tensor, b: Tensor | None = None) -> Tensor:
    """Affine map ``z = W x + b`` (batched: ``Z = X Wᵀ + b``).

    Args:
        x: inputs.
        W: weight matrix.
        b: bias, or ``None``.

    Shape:
        x ``(B, D)`` or ``(D,)``; W ``(K, D)``; b ``(K,)``; returns ``(B, K)`` or ``(K,)``.

    Raises:
        ValueError: the last dim of ``x`` is not ``W``'s second dim, or ``b`` is not ``(K,)``.
        TypeError: an argument is not a floating-point tensor, or dtypes differ.

    Examples:
        >>> import torch
        >>> linear(torch.ones(2, 3), torch.ones(4, 3), torch.zeros(4)).shape
        torch.Size([2, 4])
    """
    _require_tensor("x", x)
    _require_tensor("W", W)
    if W.dim() != 2:
        raise ValueError(f"W must be a matrix (K, D); got shape {tuple(W.shape)}")
    if x.dim() not in (1, 2) or x.shape[-1] != W.shape[1]:
        raise ValueError(f"x must be (B, D) or (D,) with D = W.shape[1] = {W.shape[1]}; got x {tuple(x.shape)}, W {tuple(W.shape)}")
    if x.dtype != W.dtype:
        raise TypeError(f"x and W must share a dtype; got x {x.dtype} and W {W.dtype}")
    z = x @ W.T  # (B, K)
    if b is not None:
        _require_tensor("b", b)
        if b.shape != (W.shape[0],):
            raise ValueError(f"b must have shape (K,) = ({W.shape[0]},); got {tuple(b.shape)}")
        z = z + b
    return z


def linear_backward(grad_z: Tensor, x: Tensor, W: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """Backward of :func:`linear`: ``∇x = Wᵀ u``, ``∇W = u xᵀ``, ``∇b = u`` (summed over the batch).

    Args:
        grad_z: ``u = ∂L/∂z``, same shape as the output of :func:`linear`.
        x: the input the forward pass saw.
        W: the weight the forward pass used.

    Shape:
        grad_z ``(B, K)`` or ``(K,)``; x ``(B, D)`` or ``(D,)``; returns
        ``(∇x (B, D) or (D,), ∇W (K, D), ∇b (K,))``.

    Raises:
        ValueError: batch sizes or widths disagree.
    """
    _require_tensor("grad_z", grad_z)
    _require_tensor("x", x)
    if grad_z.dim() != x.dim() or grad_z.shape[:-1] != x.shape[:-1] or grad_z.shape[-1] != W.shape[0]:
        raise ValueError(
            f"grad_z must be (B, K) matching x (B, D) and W (K, D); got grad_z {tuple(grad_z.shape)}, "
            f"x {tuple(x.shape)}, W {tuple(W.shape)}"
        )
    grad_x = grad_z @ W  # (B, K) @ (K, D) -> (B, D):  ∇x = Wᵀ u, row-wise
    if grad_z.dim() == 1:
        grad_W = torch.outer(grad_z, x)  # ∇W = u xᵀ   (K, D)
        grad_b = grad_z  # ∇b = u   (K,)
    else:
        grad_W = grad_z.T @ x  # Σ_batch u xᵀ: (K, B) @ (B, D) -> (K, D)
        grad_b = grad_z.sum(0)  # (K,)
    return grad_x, grad_W, grad_b


def relu(z: Tensor) -> Tensor:
    """``h = max(z, 0)`` elementwise."""
    return torch.clamp(_require_tensor("z", z), min=0)


def relu_backward(grad_h: Tensor, z: Tensor) -> Tensor:
    """``∂L/∂z = ∂L/∂h ⊙ H(z)`` with the Heaviside step ``H(z) = 1[z > 0]`` (``H(0) = 0``, as autograd)."""
    if grad_h.shape != z.shape:
        raise ValueError(f"grad_h and z must have the same shape; got {tuple(grad_h.shape)} and {tuple(z.shape)}")
    return grad_h * (z > 0).to(grad_h.dtype)


def softmax(a: Tensor) -> Tensor:
    """``p = S(a)``, softmax over the last dim, computed stably as ``exp(a − max a) / Σ exp(a − max a)``."""
    a = _require_tensor("a", a)
    e = torch.exp(a - a.amax(dim=-1, keepdim=True))
    return e / e.sum(dim=-1, keepdim=True)


def _one_hot(y: Tensor, a: Tensor) -> Tensor:
    """Targets as probability rows shaped like ``a``: class indices or already one-hot/soft."""
    if not isinstance(y, Tensor):
        raise TypeError(f"y must be a torch.Tensor; got {type(y).__name__}")
    C = a.shape[-1]
    if y.dtype in (torch.int64, torch.int32, torch.int16, torch.uint8):
        if y.shape != a.shape[:-1]:
            raise ValueError(f"class-index targets must have shape {tuple(a.shape[:-1])} to match logits {tuple(a.shape)}; got {tuple(y.shape)}")
        if y.numel() and (y.min() < 0 or y.max() >= C):
            raise ValueError(f"class indices must lie in [0, {C - 1}]; got min {y.min().item()}, max {y.max().item()}")
        return torch.nn.functional.one_hot(y.long(), C).to(a.dtype)
    if y.shape != a.shape:
        raise ValueError(f"probability targets must have the logits' shape {tuple(a.shape)}; got {tuple(y.shape)}")
    return y.to(a.dtype)


def softmax_cross_entropy(a: Tensor, y: Tensor) -> Tensor:
    """Cross-entropy of softmax probabilities, ``L = −Σ_c y_c log S(a)_c``, averaged over the batch.

    Computed from logits with log-sum-exp, so it neither overflows nor takes ``log 0``.

    Args:
        a: logits.
        y: class indices (integer dtype) or target probabilities (one-hot or soft).

    Shape:
        a ``(B, C)`` or ``(C,)``; y ``(B,)``/``()`` of indices or ``(B, C)``/``(C,)`` of probabilities.
        Returns a scalar.

    Examples:
        >>> import torch
        >>> round(softmax_cross_entropy(torch.zeros(4), torch.tensor(2)).item(), 4)  # log 4
        1.3863
    """
    a = _require_tensor("a", a)
    Y = _one_hot(y, a)
    log_p = a - torch.logsumexp(a, dim=-1, keepdim=True)  # log S(a), stable
    loss = -(Y * log_p).sum(-1)
    return loss.mean() if loss.dim() else loss


def softmax_cross_entropy_backward(a: Tensor, y: Tensor) -> Tensor:
    """Gradient of :func:`softmax_cross_entropy` with respect to the logits: ``u = (p − y) / B``.

    For a single vector (no batch) ``B = 1`` and the formula is the familiar ``p − y``.
    """
    a = _require_tensor("a", a)
    Y = _one_hot(y, a)
    B = a.shape[0] if a.dim() == 2 else 1
    return (softmax(a) - Y) / B  # u₂ = (p − y) / B
