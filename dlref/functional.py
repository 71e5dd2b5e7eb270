"""Hand-written forward and backward passes, one pair per operation.

Each ``op`` has an ``op_backward`` beside it that maps the gradient of the loss with
respect to the op's output to the gradients with respect to its inputs (vector-Jacobian
products). The backprop pages derive these formulas and check every one against autograd
in float64 (``tests/test_functional.py`` does the same over many shapes).

Conventions: a batch of row vectors ``x`` of shape ``(B, D)``; a single vector ``(D,)``
is accepted wherever a batch is. Weights follow ``torch.nn.Linear``: ``W`` is ``(K, D)``
and the layer computes ``z = W x + b`` (``Z = X Wᵀ + b`` for a batch).

See the site pages under *Backpropagation* (backprop/mlp.md and the pages after it); the squashing
functions, ``log_softmax`` and the losses derived from likelihoods (binary cross-entropy, MSE) are
on *Foundations → Losses from likelihoods* (foundations/losses.md).
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
    """Backward of [`linear()`][dlref.functional.linear]: ``∇x = Wᵀ u``, ``∇W = u xᵀ``, ``∇b = u`` (summed over the batch).

    Args:
        grad_z: ``u = ∂L/∂z``, same shape as the output of [`linear()`][dlref.functional.linear].
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
    """Gradient of [`softmax_cross_entropy()`][dlref.functional.softmax_cross_entropy] with respect to the logits: ``u = (p − y) / B``.

    For a single vector (no batch) ``B = 1`` and the formula is the familiar ``p − y``.
    """
    a = _require_tensor("a", a)
    Y = _one_hot(y, a)
    B = a.shape[0] if a.dim() == 2 else 1
    return (softmax(a) - Y) / B  # u₂ = (p − y) / B


# ---------------------------------------------------------------------------------------------
# Elementwise squashing functions (site pages foundations/losses.md and backprop/worked-step.md).
# ---------------------------------------------------------------------------------------------


def _require_same_shape(name_a: str, a: Tensor, name_b: str, b: Tensor) -> None:
    if a.shape != b.shape:
        raise ValueError(f"{name_a} and {name_b} must have the same shape; got {name_a} {tuple(a.shape)} and {name_b} {tuple(b.shape)}")


def sigmoid(a: Tensor) -> Tensor:
    """Logistic function ``σ(a) = 1 / (1 + e^{−a})``, elementwise, without overflow.

    For ``a ≥ 0`` it evaluates ``1 / (1 + e^{−a})`` and for ``a < 0`` the equal
    ``e^{a} / (1 + e^{a})``, so ``exp`` only ever sees a non-positive argument.

    Args:
        a: logits.

    Shape:
        any; the output has the shape of ``a``.

    Raises:
        TypeError: ``a`` is not a floating-point tensor.

    Examples:
        >>> import torch
        >>> sigmoid(torch.tensor([-1000.0, 0.0, 1000.0]))
        tensor([0.0000, 0.5000, 1.0000])
    """
    a = _require_tensor("a", a)
    e = torch.exp(-a.abs())  # e^{−|a|} ∈ (0, 1]: never overflows
    return torch.where(a >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_backward(grad_s: Tensor, a: Tensor) -> Tensor:
    """Backward of [`sigmoid()`][dlref.functional.sigmoid]: ``∂L/∂a = ∂L/∂s ⊙ σ(a)(1 − σ(a))``.

    Args:
        grad_s: ``∂L/∂s`` for the output ``s = σ(a)``.
        a: the input the forward pass saw.

    Shape:
        ``grad_s`` and ``a`` have the same (any) shape; so does the result.

    Raises:
        TypeError: an argument is not a floating-point tensor.
        ValueError: the shapes differ.

    Examples:
        >>> import torch
        >>> sigmoid_backward(torch.ones(1), torch.zeros(1))  # σ'(0) = 1/4
        tensor([0.2500])
    """
    _require_tensor("grad_s", grad_s)
    _require_tensor("a", a)
    _require_same_shape("grad_s", grad_s, "a", a)
    s = sigmoid(a)
    return grad_s * s * (1 - s)  # σ' = σ(1 − σ)


def tanh(a: Tensor) -> Tensor:
    """Hyperbolic tangent ``tanh(a) = (e^{a} − e^{−a}) / (e^{a} + e^{−a}) = 2σ(2a) − 1``, elementwise.

    Evaluated with `torch.tanh()`: the textbook quotient overflows for ``|a| ≳ 710`` in
    float64 and ``2σ(2a) − 1`` loses relative precision near 0.

    Args:
        a: pre-activations.

    Shape:
        any; the output has the shape of ``a``.

    Raises:
        TypeError: ``a`` is not a floating-point tensor.

    Examples:
        >>> import torch
        >>> tanh(torch.tensor([0.0, 1000.0]))
        tensor([0., 1.])
    """
    return torch.tanh(_require_tensor("a", a))


def tanh_backward(grad_t: Tensor, a: Tensor) -> Tensor:
    """Backward of [`tanh()`][dlref.functional.tanh]: ``∂L/∂a = ∂L/∂t ⊙ (1 − tanh²(a))``.

    Args:
        grad_t: ``∂L/∂t`` for the output ``t = tanh(a)``.
        a: the input the forward pass saw.

    Shape:
        ``grad_t`` and ``a`` have the same (any) shape; so does the result.

    Raises:
        TypeError: an argument is not a floating-point tensor.
        ValueError: the shapes differ.

    Examples:
        >>> import torch
        >>> tanh_backward(torch.ones(1), torch.zeros(1))  # tanh'(0) = 1
        tensor([1.])
    """
    _require_tensor("grad_t", grad_t)
    _require_tensor("a", a)
    _require_same_shape("grad_t", grad_t, "a", a)
    t = torch.tanh(a)
    return grad_t * (1 - t * t)  # tanh' = 1 − tanh²


def log_softmax(a: Tensor) -> Tensor:
    """``log S(a)_c = a_c − log Σ_k e^{a_k}`` over the last dim, via log-sum-exp.

    With ``m = max_k a_k``, ``log Σ_k e^{a_k} = m + log Σ_k e^{a_k − m}``: every exponent is
    ``≤ 0`` and the sum is ``≥ 1``, so nothing overflows and the log never sees 0.

    Args:
        a: logits.

    Shape:
        ``(..., C)``; the output has the shape of ``a``.

    Raises:
        TypeError: ``a`` is not a floating-point tensor.
        ValueError: ``a`` is a 0-dim tensor (there is no class dimension).

    Examples:
        >>> import torch
        >>> log_softmax(torch.tensor([1000.0, 0.0]))
        tensor([    0., -1000.])
    """
    a = _require_tensor("a", a)
    if a.dim() == 0:
        raise ValueError("a must have a class dimension (..., C); got a 0-dim tensor")
    m = a.amax(dim=-1, keepdim=True)  # (..., 1)
    return a - m - torch.log(torch.exp(a - m).sum(dim=-1, keepdim=True))


def log_softmax_backward(grad_l: Tensor, a: Tensor) -> Tensor:
    """Backward of [`log_softmax()`][dlref.functional.log_softmax]: ``∂L/∂a = g − S(a) Σ_c g_c`` with ``g = ∂L/∂ log S(a)``.

    The Jacobian of ``log S`` is ``I − 1 S(a)ᵀ``; its transpose applied to ``g`` gives the formula.

    Args:
        grad_l: ``g``, the gradient with respect to the output of [`log_softmax()`][dlref.functional.log_softmax].
        a: the logits the forward pass saw.

    Shape:
        ``grad_l`` and ``a`` are ``(..., C)``; so is the result.

    Raises:
        TypeError: an argument is not a floating-point tensor.
        ValueError: the shapes differ.

    Examples:
        >>> import torch
        >>> log_softmax_backward(torch.tensor([1.0, 0.0]), torch.zeros(2))
        tensor([ 0.5000, -0.5000])
    """
    _require_tensor("grad_l", grad_l)
    _require_tensor("a", a)
    _require_same_shape("grad_l", grad_l, "a", a)
    return grad_l - softmax(a) * grad_l.sum(dim=-1, keepdim=True)  # g − p (1ᵀg)


# ---------------------------------------------------------------------------------------------
# Losses from likelihoods (site page foundations/losses.md). Every loss is the mean
# over all N = numel elements, as torch.nn.functional's default reduction="mean".
# ---------------------------------------------------------------------------------------------


def _require_targets(y: Tensor, like: Tensor, like_name: str) -> Tensor:
    if not isinstance(y, Tensor):
        raise TypeError(f"y must be a torch.Tensor; got {type(y).__name__}")
    if not y.is_floating_point():
        raise TypeError(f"y must be a floating-point tensor of targets; got dtype {y.dtype} (convert with y.to({like.dtype}))")
    _require_same_shape(like_name, like, "y", y)
    return y


def _require_probabilities(name: str, t: Tensor) -> None:
    if t.numel() and not bool(((t >= 0) & (t <= 1)).all()):
        raise ValueError(f"{name} must hold probabilities in [0, 1]; got values in [{t.min().item():g}, {t.max().item():g}]")


def binary_cross_entropy(p: Tensor, y: Tensor) -> Tensor:
    """Bernoulli negative log-likelihood ``L = −mean[y log p + (1 − y) log(1 − p)]`` from probabilities.

    Uses ``xlogy`` so a term whose weight is 0 contributes 0 (``0 · log 0 = 0``, its limit). A
    confident wrong prediction (``p = 0`` with ``y = 1``) gives ``inf``, the exact value;
    `torch.nn.functional.binary_cross_entropy()` clamps each log at −100 instead. Prefer
    [`binary_cross_entropy_with_logits()`][dlref.functional.binary_cross_entropy_with_logits] whenever the logits are available.

    Args:
        p: predicted probabilities ``P(y = 1)``, in ``[0, 1]``.
        y: targets in ``[0, 1]`` (0/1 labels or soft labels), floating point.

    Shape:
        ``p`` and ``y`` have the same (any) shape. Returns a scalar.

    Raises:
        TypeError: an argument is not a floating-point tensor.
        ValueError: shapes differ, or a value of ``p`` or ``y`` lies outside ``[0, 1]``.

    Examples:
        >>> import torch
        >>> round(binary_cross_entropy(torch.tensor([0.5, 0.5]), torch.tensor([0.0, 1.0])).item(), 4)  # log 2
        0.6931
    """
    p = _require_tensor("p", p)
    y = _require_targets(y, p, "p")
    _require_probabilities("p", p)
    _require_probabilities("y", y)
    log_lik = torch.xlogy(y, p) + torch.xlogy(1 - y, 1 - p)  # y log p + (1 − y) log(1 − p)
    return -log_lik.mean()


def binary_cross_entropy_backward(p: Tensor, y: Tensor) -> Tensor:
    """Gradient of [`binary_cross_entropy()`][dlref.functional.binary_cross_entropy] with respect to ``p``: ``(p − y) / (p (1 − p)) / N``.

    Infinite where ``p`` is exactly 0 or 1 and differs from ``y``; that is why the logit form is
    preferred.

    Args:
        p: predicted probabilities, in ``[0, 1]``.
        y: targets in ``[0, 1]``.

    Shape:
        ``p`` and ``y`` have the same (any) shape, ``N = p.numel()``; so does the result.

    Raises:
        TypeError: an argument is not a floating-point tensor.
        ValueError: shapes differ, or a value lies outside ``[0, 1]``.

    Examples:
        >>> import torch
        >>> binary_cross_entropy_backward(torch.tensor([0.5, 0.5]), torch.tensor([0.0, 1.0]))
        tensor([ 1., -1.])
    """
    p = _require_tensor("p", p)
    y = _require_targets(y, p, "p")
    _require_probabilities("p", p)
    _require_probabilities("y", y)
    N = max(p.numel(), 1)
    return (p - y) / (p * (1 - p)) / N  # −y/p + (1 − y)/(1 − p), over N


def binary_cross_entropy_with_logits(a: Tensor, y: Tensor) -> Tensor:
    """Binary cross-entropy of ``p = σ(a)`` computed from the logits: ``mean[max(a, 0) − a y + log(1 + e^{−|a|})]``.

    Equal to ``binary_cross_entropy(sigmoid(a), y)`` in exact arithmetic, since
    ``−log σ(a) = log(1 + e^{−a})`` and ``−log(1 − σ(a)) = a + log(1 + e^{−a})``; the form used
    here never exponentiates a positive number and keeps full relative precision for large
    ``|a|`` (``log1p``).

    Args:
        a: logits.
        y: targets in ``[0, 1]``, floating point.

    Shape:
        ``a`` and ``y`` have the same (any) shape. Returns a scalar.

    Raises:
        TypeError: an argument is not a floating-point tensor.
        ValueError: shapes differ, or a target lies outside ``[0, 1]``.

    Examples:
        >>> import torch
        >>> binary_cross_entropy_with_logits(torch.tensor([1000.0]), torch.tensor([0.0]))
        tensor(1000.)
    """
    a = _require_tensor("a", a)
    y = _require_targets(y, a, "a")
    _require_probabilities("y", y)
    loss = a.clamp(min=0) - a * y + torch.log1p(torch.exp(-a.abs()))
    return loss.mean()


def binary_cross_entropy_with_logits_backward(a: Tensor, y: Tensor) -> Tensor:
    """Gradient of [`binary_cross_entropy_with_logits()`][dlref.functional.binary_cross_entropy_with_logits] with respect to the logits: ``(σ(a) − y) / N``.

    For a batch of ``B`` scalar logits ``N = B`` and the formula is ``(σ(a) − y) / B``.

    Args:
        a: logits.
        y: targets in ``[0, 1]``.

    Shape:
        ``a`` and ``y`` have the same (any) shape, ``N = a.numel()``; so does the result.

    Raises:
        TypeError: an argument is not a floating-point tensor.
        ValueError: shapes differ, or a target lies outside ``[0, 1]``.

    Examples:
        >>> import torch
        >>> binary_cross_entropy_with_logits_backward(torch.zeros(2), torch.tensor([0.0, 1.0]))
        tensor([ 0.2500, -0.2500])
    """
    a = _require_tensor("a", a)
    y = _require_targets(y, a, "a")
    _require_probabilities("y", y)
    N = max(a.numel(), 1)
    return (sigmoid(a) - y) / N  # u = (σ(a) − y) / N


def mse(yhat: Tensor, y: Tensor) -> Tensor:
    """Mean squared error ``L = mean[(ŷ − y)²]``: the Gaussian negative log-likelihood up to scale and a constant.

    Args:
        yhat: predictions ``ŷ``.
        y: targets.

    Shape:
        ``yhat`` and ``y`` have the same (any) shape. Returns a scalar.

    Raises:
        TypeError: an argument is not a floating-point tensor.
        ValueError: the shapes differ.

    Examples:
        >>> import torch
        >>> mse(torch.tensor([1.0, 3.0]), torch.tensor([0.0, 0.0]))
        tensor(5.)
    """
    yhat = _require_tensor("yhat", yhat)
    y = _require_targets(y, yhat, "yhat")
    return ((yhat - y) ** 2).mean()


def mse_backward(yhat: Tensor, y: Tensor) -> Tensor:
    """Gradient of [`mse()`][dlref.functional.mse] with respect to the predictions: ``2 (ŷ − y) / N``.

    Args:
        yhat: predictions ``ŷ``.
        y: targets.

    Shape:
        ``yhat`` and ``y`` have the same (any) shape, ``N = yhat.numel()``; so does the result.

    Raises:
        TypeError: an argument is not a floating-point tensor.
        ValueError: the shapes differ.

    Examples:
        >>> import torch
        >>> mse_backward(torch.tensor([1.0, 3.0]), torch.tensor([0.0, 0.0]))
        tensor([1., 3.])
    """
    yhat = _require_tensor("yhat", yhat)
    y = _require_targets(y, yhat, "yhat")
    N = max(yhat.numel(), 1)
    return 2 * (yhat - y) / N
