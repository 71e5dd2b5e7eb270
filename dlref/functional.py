"""Hand-written forward and backward passes, one pair per operation.

Each ``op`` has an ``op_backward`` beside it that maps the gradient of the loss with
respect to the op's output to the gradients with respect to its inputs (vector-Jacobian
products). The backprop pages derive these formulas and check every one against autograd
in float64 (``tests/test_functional.py`` does the same over many shapes).

Conventions: a batch of row vectors ``x`` of shape ``(B, D)``; a single vector ``(D,)``
is accepted wherever a batch is. Weights follow ``torch.nn.Linear``: ``W`` is ``(K, D)``
and the layer computes ``z = W x + b`` (``Z = X Wᵀ + b`` for a batch); ``linear`` takes any number of
leading batch dims, e.g. ``(B, L, D)``. The losses follow ``torch.nn.functional``: the same
``reduction``/``weight`` options, and classes in dim 1 for cross-entropy (``(N, C, d1, …)``).
Autograd through every forward here is right too, at 0 and at extreme inputs included, so either
path may be used for training.

See the site pages under *Backpropagation* (backprop/mlp.md and the pages after it); the squashing
functions, ``log_softmax`` and the losses derived from likelihoods (binary cross-entropy, MSE) are
on *Foundations → Losses from likelihoods* (foundations/losses.md).
"""

from __future__ import annotations

import torch

from dlref import validate

Tensor = torch.Tensor


def linear(x: Tensor, W: Tensor, b: Tensor | None = None) -> Tensor:
    """Affine map ``z = W x + b`` applied to the last dim (batched: ``Z = X Wᵀ + b``).

    Any number of leading batch dimensions is accepted, as in `torch.nn.functional.linear()`:
    ``(B, D)`` rows, ``(B, L, D)`` sequences, or a single ``(D,)`` vector.

    Args:
        x: inputs.
        W: weight matrix.
        b: bias, or ``None``.

    Shape:
        x ``(..., D)``; W ``(K, D)``; b ``(K,)``; returns ``(..., K)``.

    Raises:
        ValueError: ``W`` is not a matrix, the last dim of ``x`` is not ``W``'s second dim, or ``b``
            is not ``(K,)``.
        TypeError: an argument is not a floating-point tensor, or dtypes differ.

    Examples:
        >>> import torch
        >>> linear(torch.ones(2, 3), torch.ones(4, 3), torch.zeros(4)).shape
        torch.Size([2, 4])
        >>> linear(torch.ones(2, 5, 3), torch.ones(4, 3)).shape  # (B, L, D) -> (B, L, K)
        torch.Size([2, 5, 4])
    """
    validate.floating_tensor("x", x)
    validate.floating_tensor("W", W)
    if W.dim() != 2:
        raise ValueError(f"W must be a matrix (K, D); got shape {tuple(W.shape)}")
    if x.dim() == 0 or x.shape[-1] != W.shape[1]:
        raise ValueError(f"x must be (..., D) with D = W.shape[1] = {W.shape[1]}; got x {tuple(x.shape)}, W {tuple(W.shape)}")
    if x.dtype != W.dtype:
        raise TypeError(f"x and W must share a dtype; got x {x.dtype} and W {W.dtype}")
    z = x @ W.T  # (..., D) @ (D, K) -> (..., K)
    if b is not None:
        validate.floating_tensor("b", b)
        if b.shape != (W.shape[0],):
            raise ValueError(f"b must have shape (K,) = ({W.shape[0]},); got {tuple(b.shape)}")
        if b.dtype != x.dtype:
            raise TypeError(f"b must have the dtype of x and W ({x.dtype}); got {b.dtype}")
        z = z + b
    return z


def linear_backward(grad_z: Tensor, x: Tensor, W: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """Backward of [`linear()`][dlref.functional.linear]: ``∇x = Wᵀ u``, ``∇W = u xᵀ``, ``∇b = u`` (summed over every batch dim).

    Args:
        grad_z: ``u = ∂L/∂z``, same shape as the output of [`linear()`][dlref.functional.linear].
        x: the input the forward pass saw.
        W: the weight the forward pass used.

    Shape:
        grad_z ``(..., K)``; x ``(..., D)`` with the same leading dims; returns
        ``(∇x (..., D), ∇W (K, D), ∇b (K,))``.

    Raises:
        ValueError: batch sizes or widths disagree.
        TypeError: an argument is not a floating-point tensor.

    Examples:
        >>> import torch
        >>> [g.shape for g in linear_backward(torch.ones(2, 5, 4), torch.ones(2, 5, 3), torch.ones(4, 3))]
        [torch.Size([2, 5, 3]), torch.Size([4, 3]), torch.Size([4])]
    """
    validate.floating_tensor("grad_z", grad_z)
    validate.floating_tensor("x", x)
    validate.floating_tensor("W", W)
    if (W.dim() != 2 or x.dim() == 0 or grad_z.dim() != x.dim() or grad_z.shape[:-1] != x.shape[:-1]
            or grad_z.shape[-1] != W.shape[0] or x.shape[-1] != W.shape[1]):
        raise ValueError(
            f"grad_z must be (B, K), or (..., K) with any batch dims, matching x (..., D) and W (K, D); got grad_z {tuple(grad_z.shape)}, "
            f"x {tuple(x.shape)}, W {tuple(W.shape)}"
        )
    K, D = W.shape
    grad_x = grad_z @ W  # (..., K) @ (K, D) -> (..., D):  ∇x = Wᵀ u, row by row
    N = x.numel() // D if D else grad_z.numel() // K if K else 0  # rows over every batch dim
    U, X = grad_z.reshape(N, K), x.reshape(N, D)  # every batch dim flattened: (N, K), (N, D)
    grad_W = U.T @ X  # Σ_batch u xᵀ: (K, N) @ (N, D) -> (K, D)
    grad_b = U.sum(0)  # Σ_batch u   (K,)
    return grad_x, grad_W, grad_b


def relu(z: Tensor) -> Tensor:
    """``h = max(z, 0)`` elementwise (``nan`` stays ``nan``).

    Written with ``torch.where(z > 0, z, 0)`` so that autograd through it uses ``H(0) = 0`` at
    ``z = 0``, as [`relu_backward()`][dlref.functional.relu_backward] and `torch.relu()` do
    (``torch.clamp(z, min=0)`` would pass the gradient at 0).
    """
    z = validate.floating_tensor("z", z)
    return torch.where((z > 0) | z.isnan(), z, 0.0)


def relu_backward(grad_h: Tensor, z: Tensor) -> Tensor:
    """``∂L/∂z = ∂L/∂h ⊙ H(z)`` with the Heaviside step ``H(z) = 1[z > 0]`` (``H(0) = 0``, as autograd).

    Where ``z`` is ``nan`` the gradient passes unchanged, as `torch.relu()`'s backward does.
    """
    validate.floating_tensor("grad_h", grad_h)
    validate.floating_tensor("z", z)
    if grad_h.shape != z.shape:
        raise ValueError(f"grad_h and z must have the same shape; got {tuple(grad_h.shape)} and {tuple(z.shape)}")
    return grad_h * ((z > 0) | z.isnan()).to(grad_h.dtype)


def _class_dim(a: Tensor, dim: object) -> int:
    """Check ``dim`` names a non-empty dimension of ``a`` and return it as a non-negative index."""
    if isinstance(dim, bool) or not isinstance(dim, int):
        raise TypeError(f"dim must be an int; got {type(dim).__name__} {dim!r}")
    if a.dim() == 0:
        raise ValueError("a must have a class dimension (..., C); got a 0-dim tensor")
    if not -a.dim() <= dim < a.dim():
        raise ValueError(f"dim must lie in [{-a.dim()}, {a.dim() - 1}] for a of shape {tuple(a.shape)}; got {dim}")
    dim = dim % a.dim()
    if a.shape[dim] == 0:
        raise ValueError(f"a must not be empty along the class dim {dim} (C ≥ 1); got shape {tuple(a.shape)}")
    return dim


def softmax(a: Tensor, dim: int = -1) -> Tensor:
    """``p = S(a)``, softmax over ``dim``, computed stably as ``exp(a − max a) / Σ exp(a − max a)``.

    The maximum is a constant shift (the softmax does not change when every logit moves by the
    same amount), so it is detached: autograd then differentiates exactly ``exp(a) / Σ exp(a)``.

    Args:
        a: logits.
        dim: the class dimension (default the last).

    Shape:
        any with at least one dim and ``a.shape[dim] ≥ 1``; the output has the shape of ``a``.

    Raises:
        TypeError: ``a`` is not a floating-point tensor, or ``dim`` is not an int.
        ValueError: ``a`` is 0-dim, ``dim`` is out of range, or the class dim is empty.

    Examples:
        >>> import torch
        >>> softmax(torch.tensor([0.0, 1000.0]))
        tensor([0., 1.])
    """
    a = validate.floating_tensor("a", a)
    dim = _class_dim(a, dim)
    e = torch.exp(a - a.amax(dim=dim, keepdim=True).detach())  # every exponent ≤ 0
    return e / e.sum(dim=dim, keepdim=True)


def softmax_backward(grad_p: Tensor, a: Tensor, dim: int = -1) -> Tensor:
    """Backward of [`softmax()`][dlref.functional.softmax]: ``∂L/∂a = p ⊙ (g − Σ_c p_c g_c)`` with ``g = ∂L/∂p``.

    The Jacobian of ``S`` is ``diag(p) − p pᵀ``; it is symmetric, and applied to ``g`` it gives
    the formula.

    Args:
        grad_p: ``g``, the gradient with respect to the output of [`softmax()`][dlref.functional.softmax].
        a: the logits the forward pass saw.
        dim: the class dimension the forward pass used.

    Shape:
        ``grad_p`` and ``a`` have the same shape; so does the result.

    Raises:
        TypeError: an argument is not a floating-point tensor.
        ValueError: the shapes differ, or ``dim`` is not a non-empty dim of ``a``.

    Examples:
        >>> import torch
        >>> softmax_backward(torch.tensor([1.0, 0.0]), torch.zeros(2))
        tensor([ 0.2500, -0.2500])
    """
    validate.floating_tensor("grad_p", grad_p)
    validate.floating_tensor("a", a)
    validate.same_shape(grad_p=grad_p, a=a)
    p = softmax(a, dim)
    return p * (grad_p - (p * grad_p).sum(dim=dim, keepdim=True))  # p ⊙ (g − pᵀg)


_REDUCTIONS = ("mean", "sum", "none")


def _reduce(loss: Tensor, reduction: str, denominator: Tensor | None = None) -> Tensor:
    """``"none"``: the per-element losses; ``"sum"``; ``"mean"``: the sum over ``denominator`` (default the count)."""
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.mean() if denominator is None else loss.sum() / denominator


def _reduction_scale(reduction: str, grad_loss: Tensor | None, loss_shape: torch.Size, like: Tensor,
                     denominator: Tensor | float) -> Tensor:
    """The factor each per-element gradient is multiplied by: upstream gradient over the mean's denominator."""
    reduction = validate.choice("reduction", reduction, _REDUCTIONS)
    if grad_loss is None:
        grad_loss = torch.ones((), dtype=like.dtype, device=like.device)
    validate.floating_tensor("grad_loss", grad_loss)
    if reduction == "none":
        if grad_loss.dim() and grad_loss.shape != loss_shape:
            raise ValueError(f"grad_loss must have the per-element loss shape {tuple(loss_shape)} for reduction='none'; "
                             f"got {tuple(grad_loss.shape)}")
        return grad_loss
    if grad_loss.numel() != 1:
        raise ValueError(f"grad_loss must be a scalar for reduction={reduction!r}; got shape {tuple(grad_loss.shape)}")
    grad_loss = grad_loss.reshape(())
    return grad_loss / denominator if reduction == "mean" else grad_loss


def _cross_entropy_parts(a: Tensor, y: Tensor, weight: Tensor | None, ignore_index: int,
                         label_smoothing: float) -> tuple[Tensor, Tensor, Tensor]:
    """Logits with classes last ``A (N, d…, C)``, the weighted target ``Q`` of the same shape, and
    the denominator of the mean, so that the loss of each row is ``−Σ_c Q_c log S(A)_c``."""
    a = validate.floating_tensor("a", a)
    if a.dim() == 0:
        raise ValueError("a must have a class dimension: (C,), (N, C) or (N, C, d1, ...); got a 0-dim tensor")
    C = a.shape[1] if a.dim() >= 2 else a.shape[0]
    if C == 0:
        raise ValueError(f"a must have at least one class (C ≥ 1 in dim {min(a.dim() - 1, 1)}); got shape {tuple(a.shape)}")
    A = a.movedim(1, -1) if a.dim() >= 2 else a  # (N, C, d…) -> (N, d…, C): classes last inside
    if weight is not None:
        validate.floating_tensor("weight", weight)
        if weight.shape != (C,):
            raise ValueError(f"weight must have shape (C,) = ({C},), one weight per class; got {tuple(weight.shape)}")
        validate.same_dtype(a=a, weight=weight)
    eps = validate.real("label_smoothing", label_smoothing, low=0.0, high=1.0)
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, int):
        raise TypeError(f"ignore_index must be an int; got {type(ignore_index).__name__} {ignore_index!r}")
    if not isinstance(y, Tensor):
        raise TypeError(f"y must be a torch.Tensor; got {type(y).__name__} (expected class indices or probabilities)")
    w = weight if weight is not None else torch.ones(C, dtype=a.dtype, device=a.device)
    if y.is_floating_point():  # probabilities, one row per example, same layout as the logits
        if y.shape != a.shape:
            raise ValueError(f"y holds probability targets, and probability targets must have the logits' shape {tuple(a.shape)}; got {tuple(y.shape)}")
        validate.same_dtype(a=a, y=y)
        if ignore_index != -100:
            raise ValueError(f"ignore_index applies to class-index targets only; got ignore_index={ignore_index} "
                             "with probability targets")
        validate.probabilities("y", y)
        Y = y.movedim(1, -1) if a.dim() >= 2 else y
        Y = (1 - eps) * Y + eps / C  # label smoothing: y ← (1 − ε) y + ε/C
        Q = Y * w  # (N, d…, C)
        denominator = torch.tensor(A.numel() // C, dtype=a.dtype, device=a.device)  # the number of rows
        return A, Q, denominator
    if y.dtype == torch.bool or y.is_complex():
        raise TypeError(f"y must hold class indices (an integer dtype) or probabilities (a floating dtype); got {y.dtype}")
    want = a.shape[:1] + a.shape[2:] if a.dim() >= 2 else torch.Size([])
    if y.shape != want:
        raise ValueError(
            f"y: class-index targets must have shape {tuple(want)} = (N, d1, ...) for logits {tuple(a.shape)} "
            f"(classes in dim 1, as in PyTorch; for (B, T, C) logits pass a.transpose(1, 2) and y (B, T)); "
            f"got {tuple(y.shape)}")
    kept = y != ignore_index
    if bool(kept.any()):
        lo, hi = int(y[kept].min()), int(y[kept].max())
        if lo < 0 or hi >= C:
            raise ValueError(f"y holds class indices, and class indices must lie in [0, {C - 1}]; got min {lo}, max {hi} "
                             f"(targets equal to ignore_index={ignore_index} are skipped)")
    onehot = torch.nn.functional.one_hot(torch.where(kept, y, 0).long(), C).to(a.dtype)  # (N, d…, C)
    keep = kept.unsqueeze(-1).to(a.dtype)  # (N, d…, 1): 0 on ignored rows
    Q = ((1 - eps) * onehot + eps / C) * w * keep  # row i: (1 − ε) w_{y_i} e_{y_i} + (ε/C) w
    denominator = (onehot * w * keep).sum()  # Σ_i w_{y_i} over the rows not ignored
    return A, Q, denominator


def softmax_cross_entropy(a: Tensor, y: Tensor, *, weight: Tensor | None = None, ignore_index: int = -100,
                          reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy of softmax probabilities, ``ℓ = −Σ_c q_c log S(a)_c`` per example, as `torch.nn.functional.cross_entropy()`.

    Computed from logits with log-sum-exp, so it neither overflows nor takes ``log 0``. The
    target ``q`` of one example is, for a class index ``y`` with class weights ``w`` and label
    smoothing ``ε``, ``q = (1 − ε) w_y e_y + (ε/C) w``; for a row of target probabilities ``y``,
    ``q = w ⊙ ((1 − ε) y + ε/C)``. ``"mean"`` divides the sum by ``Σ w_y`` over the examples not
    ignored (class indices) or by the number of examples (probabilities), as PyTorch does; a mean
    over no examples is ``nan``, as in PyTorch.

    Layout: classes are in dim 1, as in PyTorch: logits ``(C,)``, ``(N, C)`` or ``(N, C, d1, …)``.
    Sequence logits ``(B, T, C)`` go in as ``a.transpose(1, 2)`` with targets ``(B, T)``.

    Args:
        a: logits.
        y: class indices (integer dtype) or target probabilities (floating, each in ``[0, 1]``;
            a row need not sum to 1).
        weight: one weight per class, or ``None`` (all 1).
        ignore_index: a class-index target equal to this contributes nothing (class indices only).
        reduction: ``"mean"``, ``"sum"`` or ``"none"`` (the per-example losses).
        label_smoothing: ``ε`` in ``[0, 1]``.

    Shape:
        a ``(C,)``, ``(N, C)`` or ``(N, C, d1, …)``; y of indices ``()``, ``(N,)`` or
        ``(N, d1, …)``, or of probabilities shaped like ``a``; weight ``(C,)``. Returns a scalar,
        or for ``"none"`` the shape of the index targets.

    Raises:
        TypeError: an argument has the wrong type or dtype.
        ValueError: shapes disagree, an index lies outside ``[0, C − 1]`` (and is not
            ``ignore_index``), a probability lies outside ``[0, 1]``, or an option is out of range.

    Examples:
        >>> import torch
        >>> round(softmax_cross_entropy(torch.zeros(4), torch.tensor(2)).item(), 4)  # log 4
        1.3863
    """
    reduction = validate.choice("reduction", reduction, _REDUCTIONS)
    A, Q, denominator = _cross_entropy_parts(a, y, weight, ignore_index, label_smoothing)
    log_p = A - torch.logsumexp(A, dim=-1, keepdim=True)  # log S(a), stable
    loss = -(Q * log_p).sum(-1)  # (N, d…)
    return _reduce(loss, reduction, denominator)


def softmax_cross_entropy_backward(a: Tensor, y: Tensor, *, weight: Tensor | None = None, ignore_index: int = -100,
                                   reduction: str = "mean", label_smoothing: float = 0.0,
                                   grad_loss: Tensor | None = None) -> Tensor:
    """Gradient of [`softmax_cross_entropy()`][dlref.functional.softmax_cross_entropy] with respect to the logits.

    Per example ``∇_a ℓ = p Σ_c q_c − q`` with ``p = S(a)`` and the weighted, smoothed target
    ``q``; with one-hot targets and no weights ``Σ_c q_c = 1`` and this is the familiar
    ``p − y``. ``"mean"`` divides by the same denominator as the forward pass (``B`` for a plain
    ``(B, C)`` batch, ``B·d1·…`` for ``(B, C, d1, …)``, ``Σ w_y`` with class weights).

    Args:
        a: logits.
        y: the targets the forward pass saw.
        weight: as in the forward pass.
        ignore_index: as in the forward pass.
        reduction: as in the forward pass.
        label_smoothing: as in the forward pass.
        grad_loss: ``∂L/∂loss`` for the forward's output (a scalar, or the per-example shape for
            ``"none"``); ``None`` means 1.

    Shape:
        as [`softmax_cross_entropy()`][dlref.functional.softmax_cross_entropy]; returns the shape of ``a``.

    Raises:
        TypeError: an argument has the wrong type or dtype.
        ValueError: as the forward pass, or ``grad_loss`` has the wrong shape.

    Examples:
        >>> import torch
        >>> softmax_cross_entropy_backward(torch.zeros(2), torch.tensor(1))  # p − y
        tensor([ 0.5000, -0.5000])
    """
    reduction = validate.choice("reduction", reduction, _REDUCTIONS)
    A, Q, denominator = _cross_entropy_parts(a, y, weight, ignore_index, label_smoothing)
    p = softmax(A)  # (N, d…, C)
    G = p * Q.sum(-1, keepdim=True) - Q  # (N, d…, C): p Σ_c q_c − q
    scale = _reduction_scale(reduction, grad_loss, A.shape[:-1], A, denominator)
    G = G * (scale.unsqueeze(-1) if scale.dim() else scale)
    return G.movedim(-1, 1) if a.dim() >= 2 else G


# ---------------------------------------------------------------------------------------------
# Elementwise squashing functions (site pages foundations/losses.md and backprop/worked-step.md).
# ---------------------------------------------------------------------------------------------


def sigmoid(a: Tensor) -> Tensor:
    """Logistic function ``σ(a) = 1 / (1 + e^{−a})``, elementwise, without overflow.

    For ``a ≥ 0`` it evaluates ``1 / (1 + e^{−a})`` and for ``a < 0`` the equal
    ``e^{a} / (1 + e^{a})``, so ``exp`` only ever sees a non-positive argument. Each branch gets
    its own input (``a`` where it applies, 0 elsewhere), so autograd differentiates the branch
    that was taken and never sees an infinity from the other: it gives ``σ'(0) = 1/4`` and 0,
    not ``nan``, at ``±1000``. (Writing both branches with ``e^{−|a|}`` gives the right values but
    ``σ'(0) = 0`` through autograd, because ``|a|`` has derivative 0 at 0.)

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
    a = validate.floating_tensor("a", a)
    pos = a >= 0
    e_pos = torch.exp(-torch.where(pos, a, 0.0))  # e^{−a} where a ≥ 0, else e^0: never overflows
    e_neg = torch.exp(torch.where(pos, 0.0, a))  # e^{a} where a < 0, else e^0
    return torch.where(pos, 1 / (1 + e_pos), e_neg / (1 + e_neg))


def _softplus(a: Tensor) -> Tensor:
    """``log(1 + e^{a})`` without overflow or cancellation, with the right autograd everywhere.

    ``a + log1p(e^{−a})`` for ``a ≥ 0`` and ``log1p(e^{a})`` for ``a < 0``; each branch sees only
    its own inputs (as in [`sigmoid()`][dlref.functional.sigmoid]), so the derivative is
    ``σ(a)`` at every ``a``, ``1/2`` at 0 included.
    """
    pos = a >= 0
    a_pos = torch.where(pos, a, 0.0)
    a_neg = torch.where(pos, 0.0, a)
    return torch.where(pos, a_pos + torch.log1p(torch.exp(-a_pos)), torch.log1p(torch.exp(a_neg)))


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
    validate.floating_tensor("grad_s", grad_s)
    validate.floating_tensor("a", a)
    validate.same_shape(grad_s=grad_s, a=a)
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
    return torch.tanh(validate.floating_tensor("a", a))


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
    validate.floating_tensor("grad_t", grad_t)
    validate.floating_tensor("a", a)
    validate.same_shape(grad_t=grad_t, a=a)
    t = torch.tanh(a)
    return grad_t * (1 - t * t)  # tanh' = 1 − tanh²


def log_softmax(a: Tensor, dim: int = -1) -> Tensor:
    """``log S(a)_c = a_c − log Σ_k e^{a_k}`` over ``dim``, via log-sum-exp.

    With ``m = max_k a_k``, ``log Σ_k e^{a_k} = m + log Σ_k e^{a_k − m}``: every exponent is
    ``≤ 0`` and the sum is ``≥ 1``, so nothing overflows and the log never sees 0. The shift ``m``
    cancels exactly, so it is detached from autograd.

    Args:
        a: logits.
        dim: the class dimension (default the last).

    Shape:
        ``(..., C, ...)`` with ``C ≥ 1`` at ``dim``; the output has the shape of ``a``.

    Raises:
        TypeError: ``a`` is not a floating-point tensor, or ``dim`` is not an int.
        ValueError: ``a`` is a 0-dim tensor (there is no class dimension), ``dim`` is out of
            range, or the class dim is empty.

    Examples:
        >>> import torch
        >>> log_softmax(torch.tensor([1000.0, 0.0]))
        tensor([    0., -1000.])
    """
    a = validate.floating_tensor("a", a)
    dim = _class_dim(a, dim)
    m = a.amax(dim=dim, keepdim=True).detach()  # (..., 1, ...)
    return a - m - torch.log(torch.exp(a - m).sum(dim=dim, keepdim=True))


def log_softmax_backward(grad_l: Tensor, a: Tensor, dim: int = -1) -> Tensor:
    """Backward of [`log_softmax()`][dlref.functional.log_softmax]: ``∂L/∂a = g − S(a) Σ_c g_c`` with ``g = ∂L/∂ log S(a)``.

    The Jacobian of ``log S`` is ``I − 1 S(a)ᵀ``; its transpose applied to ``g`` gives the formula.

    Args:
        grad_l: ``g``, the gradient with respect to the output of [`log_softmax()`][dlref.functional.log_softmax].
        a: the logits the forward pass saw.
        dim: the class dimension the forward pass used.

    Shape:
        ``grad_l`` and ``a`` have the same shape; so does the result.

    Raises:
        TypeError: an argument is not a floating-point tensor.
        ValueError: the shapes differ, or ``dim`` is not a non-empty dim of ``a``.

    Examples:
        >>> import torch
        >>> log_softmax_backward(torch.tensor([1.0, 0.0]), torch.zeros(2))
        tensor([ 0.5000, -0.5000])
    """
    validate.floating_tensor("grad_l", grad_l)
    validate.floating_tensor("a", a)
    validate.same_shape(grad_l=grad_l, a=a)
    return grad_l - softmax(a, dim) * grad_l.sum(dim=dim, keepdim=True)  # g − p (1ᵀg)


# ---------------------------------------------------------------------------------------------
# Losses from likelihoods (site page foundations/losses.md). Every loss is the mean
# over all N = numel elements, as torch.nn.functional's default reduction="mean".
# ---------------------------------------------------------------------------------------------


def _require_broadcast_weight(name: str, w: Tensor | None, like: Tensor) -> None:
    """``w`` is ``None`` or a floating tensor that broadcasts to ``like``'s shape without enlarging it."""
    if w is None:
        return
    validate.floating_tensor(name, w)
    try:
        ok = torch.broadcast_shapes(w.shape, like.shape) == like.shape
    except RuntimeError:
        ok = False
    if not ok:
        raise ValueError(f"{name} must broadcast to the input's shape {tuple(like.shape)}; got {tuple(w.shape)}")


def binary_cross_entropy(p: Tensor, y: Tensor, *, weight: Tensor | None = None, reduction: str = "mean") -> Tensor:
    """Bernoulli negative log-likelihood ``L = −mean[w (y log p + (1 − y) log(1 − p))]`` from probabilities.

    A term whose weight is 0 contributes 0 (``0 · log 0 = 0``, its limit), and its input is
    replaced by 1 before the log, so autograd through this function stays finite there too (at
    ``p = 0, y = 0`` the gradient is ``1/N``). A confident wrong prediction (``p = 0`` with
    ``y = 1``) gives ``inf``, the exact value; `torch.nn.functional.binary_cross_entropy()`
    clamps each log at −100 instead. Prefer
    [`binary_cross_entropy_with_logits()`][dlref.functional.binary_cross_entropy_with_logits] whenever the logits are available.

    Args:
        p: predicted probabilities ``P(y = 1)``, in ``[0, 1]``.
        y: targets in ``[0, 1]`` (0/1 labels or soft labels), floating point.
        weight: per-element weights ``w`` broadcast to ``p``'s shape, or ``None``.
        reduction: ``"mean"`` (over all ``N = p.numel()`` elements), ``"sum"`` or ``"none"``.

    Shape:
        ``p`` and ``y`` have the same (any) shape. Returns a scalar, or ``p``'s shape for ``"none"``.

    Raises:
        TypeError: an argument is not a floating-point tensor, or dtypes differ.
        ValueError: shapes differ, a value of ``p`` or ``y`` lies outside ``[0, 1]``, or
            ``reduction`` is unknown.

    Examples:
        >>> import torch
        >>> round(binary_cross_entropy(torch.tensor([0.5, 0.5]), torch.tensor([0.0, 1.0])).item(), 4)  # log 2
        0.6931
    """
    p = validate.floating_tensor("p", p)
    y = validate.floating_tensor("y", y)
    validate.same_shape(p=p, y=y)
    validate.probabilities("p", p)
    validate.probabilities("y", y)
    _require_broadcast_weight("weight", weight, p)
    reduction = validate.choice("reduction", reduction, _REDUCTIONS)
    on, off = y != 0, y != 1  # where each term has a nonzero weight
    log_p = torch.log(torch.where(on, p, 1.0))  # log p where y ≠ 0 (elsewhere log 1 = 0, unused)
    log_q = torch.log(torch.where(off, 1 - p, 1.0))  # log(1 − p) where y ≠ 1
    loss = -(torch.where(on, y * log_p, 0.0) + torch.where(off, (1 - y) * log_q, 0.0))
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_backward(p: Tensor, y: Tensor, *, weight: Tensor | None = None, reduction: str = "mean",
                                  grad_loss: Tensor | None = None) -> Tensor:
    """Gradient of [`binary_cross_entropy()`][dlref.functional.binary_cross_entropy] with respect to ``p``: ``w (−y/p + (1 − y)/(1 − p)) / N``.

    A term whose weight is 0 is left out (its derivative is 0, as the limit of the loss), so at
    ``p = 0, y = 0`` the gradient is ``1/N``, not ``0/0``. Where ``p`` is exactly 0 or 1 and
    ``y`` puts weight on the other end, the loss is infinite and so is the gradient; that is why the
    logit form is preferred. Elsewhere it equals ``(p − y) / (p (1 − p)) / N``.

    Args:
        p: predicted probabilities, in ``[0, 1]``.
        y: targets in ``[0, 1]``.
        weight: as in the forward pass.
        reduction: as in the forward pass.
        grad_loss: ``∂L/∂loss`` for the forward's output (a scalar, or ``p``'s shape for ``"none"``); ``None`` means 1.

    Shape:
        ``p`` and ``y`` have the same (any) shape, ``N = p.numel()``; so does the result.

    Raises:
        TypeError: an argument is not a floating-point tensor.
        ValueError: shapes differ, or a value lies outside ``[0, 1]``.

    Examples:
        >>> import torch
        >>> binary_cross_entropy_backward(torch.tensor([0.5, 0.0]), torch.tensor([0.0, 0.0]))
        tensor([1.0000, 0.5000])
    """
    p = validate.floating_tensor("p", p)
    y = validate.floating_tensor("y", y)
    validate.same_shape(p=p, y=y)
    validate.probabilities("p", p)
    validate.probabilities("y", y)
    _require_broadcast_weight("weight", weight, p)
    on, off = y != 0, y != 1
    grad = torch.where(on, -y / p, 0.0) + torch.where(off, (1 - y) / (1 - p), 0.0)  # −y/p + (1 − y)/(1 − p)
    if weight is not None:
        grad = grad * weight
    return grad * _reduction_scale(reduction, grad_loss, p.shape, p, p.numel())


def binary_cross_entropy_with_logits(a: Tensor, y: Tensor, *, weight: Tensor | None = None,
                                     pos_weight: Tensor | None = None, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of ``p = σ(a)`` computed from the logits: ``mean[w (r y softplus(−a) + (1 − y) softplus(a))]``.

    Here ``softplus(a) = log(1 + e^{a})``, ``w`` is the per-element weight and ``r`` the weight of
    the positive class (``pos_weight``, 1 by default). Equal to
    ``binary_cross_entropy(sigmoid(a), y)`` in exact arithmetic (for ``r = 1``), since
    ``−log σ(a) = softplus(−a)`` and ``−log(1 − σ(a)) = softplus(a)``. ``softplus`` is evaluated
    as ``max(a, 0) + log1p(e^{−|a|})`` branch by branch: it never exponentiates a positive number,
    keeps full relative precision for large ``|a|``, and its autograd derivative is ``σ(a)``
    everywhere, ``1/2`` at ``a = 0`` included (where a zero-initialised output layer starts).

    Args:
        a: logits.
        y: targets in ``[0, 1]``, floating point.
        weight: per-element weights broadcast to ``a``'s shape, or ``None``.
        pos_weight: weight ``r`` of the positive term, broadcast to ``a``'s shape (one per class
            along the last dim, as in PyTorch), or ``None``.
        reduction: ``"mean"`` (over all ``N = a.numel()`` elements), ``"sum"`` or ``"none"``.

    Shape:
        ``a`` and ``y`` have the same (any) shape. Returns a scalar, or ``a``'s shape for ``"none"``.

    Raises:
        TypeError: an argument is not a floating-point tensor, or dtypes differ.
        ValueError: shapes differ, a target lies outside ``[0, 1]``, or ``reduction`` is unknown.

    Examples:
        >>> import torch
        >>> binary_cross_entropy_with_logits(torch.tensor([1000.0]), torch.tensor([0.0]))
        tensor(1000.)
    """
    a = validate.floating_tensor("a", a)
    y = validate.floating_tensor("y", y)
    validate.same_shape(a=a, y=y)
    validate.probabilities("y", y)
    _require_broadcast_weight("weight", weight, a)
    _require_broadcast_weight("pos_weight", pos_weight, a)
    reduction = validate.choice("reduction", reduction, _REDUCTIONS)
    ry = y if pos_weight is None else pos_weight * y  # r y
    loss = ry * _softplus(-a) + (1 - y) * _softplus(a)  # −r y log σ(a) − (1 − y) log(1 − σ(a))
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits_backward(a: Tensor, y: Tensor, *, weight: Tensor | None = None,
                                              pos_weight: Tensor | None = None, reduction: str = "mean",
                                              grad_loss: Tensor | None = None) -> Tensor:
    """Gradient of [`binary_cross_entropy_with_logits()`][dlref.functional.binary_cross_entropy_with_logits] with respect to the logits: ``w ((1 + (r − 1) y) σ(a) − r y) / N``.

    Without weights (``w = r = 1``) this is ``(σ(a) − y) / N``; for a batch of ``B`` scalar logits
    ``N = B`` and the formula is ``(σ(a) − y) / B``.

    Args:
        a: logits.
        y: targets in ``[0, 1]``.
        weight: as in the forward pass.
        pos_weight: as in the forward pass.
        reduction: as in the forward pass.
        grad_loss: ``∂L/∂loss`` for the forward's output (a scalar, or ``a``'s shape for ``"none"``); ``None`` means 1.

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
    a = validate.floating_tensor("a", a)
    y = validate.floating_tensor("y", y)
    validate.same_shape(a=a, y=y)
    validate.probabilities("y", y)
    _require_broadcast_weight("weight", weight, a)
    _require_broadcast_weight("pos_weight", pos_weight, a)
    if pos_weight is None:
        grad = sigmoid(a) - y  # σ(a) − y
    else:
        grad = (1 + (pos_weight - 1) * y) * sigmoid(a) - pos_weight * y  # (1 + (r − 1) y) σ(a) − r y
    if weight is not None:
        grad = grad * weight
    return grad * _reduction_scale(reduction, grad_loss, a.shape, a, a.numel())


def mse(yhat: Tensor, y: Tensor, *, reduction: str = "mean") -> Tensor:
    """Mean squared error ``L = mean[(ŷ − y)²]``: the Gaussian negative log-likelihood up to scale and a constant.

    Args:
        yhat: predictions ``ŷ``.
        y: targets.
        reduction: ``"mean"`` (over all ``N = ŷ.numel()`` elements), ``"sum"`` or ``"none"``.

    Shape:
        ``yhat`` and ``y`` have the same (any) shape. Returns a scalar, or that shape for ``"none"``.

    Raises:
        TypeError: an argument is not a floating-point tensor.
        ValueError: the shapes differ, or ``reduction`` is unknown.

    Examples:
        >>> import torch
        >>> mse(torch.tensor([1.0, 3.0]), torch.tensor([0.0, 0.0]))
        tensor(5.)
    """
    yhat = validate.floating_tensor("yhat", yhat)
    y = validate.floating_tensor("y", y)
    validate.same_shape(yhat=yhat, y=y)
    reduction = validate.choice("reduction", reduction, _REDUCTIONS)
    return _reduce((yhat - y) ** 2, reduction)


def mse_backward(yhat: Tensor, y: Tensor, *, reduction: str = "mean", grad_loss: Tensor | None = None) -> Tensor:
    """Gradient of [`mse()`][dlref.functional.mse] with respect to the predictions: ``2 (ŷ − y) / N``.

    Args:
        yhat: predictions ``ŷ``.
        y: targets.
        reduction: as in the forward pass.
        grad_loss: ``∂L/∂loss`` for the forward's output (a scalar, or ``ŷ``'s shape for ``"none"``); ``None`` means 1.

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
    yhat = validate.floating_tensor("yhat", yhat)
    y = validate.floating_tensor("y", y)
    validate.same_shape(yhat=yhat, y=y)
    return 2 * (yhat - y) * _reduction_scale(reduction, grad_loss, yhat.shape, yhat, yhat.numel())
