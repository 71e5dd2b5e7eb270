"""A tanh RNN over padded, variable-length batches, with backpropagation through time by hand.

See the site page *Sequence models → RNN Jacobian and BPTT* (sequence/rnn.md).

.. math::

    a_t = W_x x_t + W_h h_{t-1} + b,\\qquad h_t = m_t \\odot \\tanh(a_t) + (1 - m_t) \\odot h_{t-1}

``m_t ∈ {0, 1}`` is 1 while step ``t`` lies inside an example's length, so a padded step leaves
the state unchanged and the last real state is carried to the end. The backward pass, in the
names the page uses::

    δ_t  = ∂L/∂h_t (direct)  +  W_hᵀ u_{t+1}  +  (1 − m_{t+1}) ⊙ δ_{t+1}
    u_t  = m_t ⊙ tanh′(a_t) ⊙ δ_t
    ∇W_h = Σ_t u_t h_{t−1}ᵀ    ∇W_x = Σ_t u_t x_tᵀ    ∇b = Σ_t u_t    ∇x_t = W_xᵀ u_t    ∇h_0 = δ_0

``nonlinearity="relu"`` (as in ``nn.RNN``) replaces tanh by ReLU and ``tanh′`` by the step
``1[a > 0]``. Padding is skipped by selection (``torch.where``), so a NaN or infinity in the
padding reaches neither the state nor any gradient.

Reference: Goodfellow, Bengio and Courville, *Deep Learning*, §10.2.2; the Jacobian
``∂h_t/∂h_{t−1} = diag(tanh′(a_t)) W_h`` is §10.7.
"""

from __future__ import annotations

import torch

from dlref import validate

Tensor = torch.Tensor

__all__ = ["length_mask", "rnn_forward", "rnn_backward", "rnn_jacobian"]


def length_mask(lengths: Tensor, L: int, dtype: torch.dtype = torch.float64) -> Tensor:
    """``m[b, t] = 1`` where ``t < lengths[b]``, else 0.

    Args:
        lengths: ``(B,)`` integer lengths, each in ``1 … L``.
        L: padded length.
        dtype: dtype of the mask.

    Shape:
        ``(B,)`` → ``(B, L)``.

    Examples:
        >>> length_mask(torch.tensor([3, 1]), 4)
        tensor([[1., 1., 1., 0.],
                [1., 0., 0., 0.]], dtype=torch.float64)
    """
    validate.tensor("lengths", lengths, ndim=1, dtype=(torch.int32, torch.int64))
    validate.positive_int("L", L)
    validate.dtype("dtype", dtype)
    if len(lengths) and (int(lengths.min()) < 1 or int(lengths.max()) > L):
        raise ValueError(f"lengths must lie in 1 … L = {L}; got {lengths.tolist()}")
    return (torch.arange(L, device=lengths.device)[None, :] < lengths[:, None]).to(dtype)  # (B, L)


def _check(x: Tensor, lengths: Tensor, h0: Tensor, Wx: Tensor, Wh: Tensor, b: Tensor) -> tuple[int, int, int, int]:
    for name, t in (("x", x), ("h0", h0), ("Wx", Wx), ("Wh", Wh), ("b", b)):
        validate.floating_tensor(name, t)
    validate.tensor("lengths", lengths, ndim=1, dtype=(torch.int32, torch.int64))
    if x.dim() != 3:
        raise ValueError(f"x must be (B, L, D); got shape {tuple(x.shape)}")
    B, L, D = x.shape
    validate.floating_tensor("Wh", Wh, ndim=2)
    K = Wh.shape[0]
    if Wh.shape != (K, K) or Wx.shape != (K, D) or b.shape != (K,):
        raise ValueError(f"expected Wh (K, K), Wx (K, D = {D}), b (K,); got Wh {tuple(Wh.shape)}, "
                         f"Wx {tuple(Wx.shape)}, b {tuple(b.shape)}")
    if h0.shape != (B, K):
        raise ValueError(f"h0 must be (B = {B}, K = {K}); got {tuple(h0.shape)}")
    if lengths.shape != (B,):
        raise ValueError(f"lengths must have one entry per example (B = {B}); got shape {tuple(lengths.shape)}")
    dtypes = {t.dtype for t in (x, h0, Wx, Wh, b)}
    if len(dtypes) != 1:
        raise TypeError(f"x, h0, Wx, Wh and b must share one dtype; got {sorted(map(str, dtypes))}")
    return B, L, D, K


_PHI = {  # φ and φ′ (φ′ of relu at 0 is taken as 0, as autograd does)
    "tanh": (torch.tanh, lambda a: 1 - torch.tanh(a) ** 2),
    "relu": (torch.relu, lambda a: (a > 0).to(a.dtype)),
}


def rnn_forward(x: Tensor, lengths: Tensor, h0: Tensor, Wx: Tensor, Wh: Tensor, b: Tensor,
                nonlinearity: str = "tanh") -> tuple[Tensor, dict]:
    """Run the masked tanh RNN over a padded batch.

    Args:
        x: inputs, padded after each example's length (padding values are ignored).
        lengths: ``(B,)`` ints in ``1 … L``.
        h0: initial states.
        Wx: input weights. Wh: recurrent weights. b: bias.
        nonlinearity: ``φ`` in ``h_t = φ(a_t)``: ``"tanh"`` (the page's RNN) or ``"relu"``, as in
            ``nn.RNN``; [`rnn_backward()`][dlref.rnn.rnn_backward] uses the matching ``φ′``.

    Shape:
        ``x (B, L, D)``, ``h0 (B, K)``, ``Wx (K, D)``, ``Wh (K, K)``, ``b (K,)`` → ``H (B, L, K)``,
        where ``H[:, t]`` is ``h_{t+1}`` (``H[b, t]`` for ``t ≥ lengths[b]`` repeats the last real state).

    Returns:
        ``(H, cache)``; ``cache`` holds what [`rnn_backward()`][dlref.rnn.rnn_backward] needs.

    Examples:
        >>> x = torch.zeros(2, 3, 1, dtype=torch.float64)
        >>> H, _ = rnn_forward(x, torch.tensor([3, 2]), torch.zeros(2, 4, dtype=torch.float64),
        ...                    torch.ones(4, 1, dtype=torch.float64), torch.eye(4, dtype=torch.float64),
        ...                    torch.zeros(4, dtype=torch.float64))
        >>> H.shape
        torch.Size([2, 3, 4])
    """
    B, L, D, K = _check(x, lengths, h0, Wx, Wh, b)
    phi = _PHI[validate.choice("nonlinearity", nonlinearity, tuple(_PHI))][0]
    m = length_mask(lengths, L, x.dtype)  # (B, L)
    # Padding is ignored by selection, never by multiplication: 0 · NaN = NaN would let a NaN
    # (or inf) in the padding reach the state and, through autograd, every weight's gradient.
    x = torch.where(m[:, :, None].bool(), x, torch.zeros((), dtype=x.dtype, device=x.device))  # (B, L, D)
    h, H, A = h0, [], []
    for t in range(L):
        a = x[:, t] @ Wx.T + h @ Wh.T + b  # (B, D) @ (D, K) + (B, K) @ (K, K) → (B, K)
        mt = m[:, t, None].bool()  # (B, 1)
        h = torch.where(mt, phi(a), h)  # h_t = m ⊙ φ(a_t) + (1 − m) ⊙ h_{t−1}
        A.append(a)
        H.append(h)
    H = torch.stack(H, 1)  # (B, L, K)
    return H, {"x": x, "m": m, "h0": h0, "A": torch.stack(A, 1), "H": H, "Wx": Wx, "Wh": Wh,
               "nonlinearity": nonlinearity}


def rnn_backward(grad_H: Tensor, cache: dict) -> dict[str, Tensor]:
    """Backpropagation through time: gradients of ``L`` given ``∂L/∂H`` (the direct, per-step part).

    Args:
        grad_H: ``∂L/∂h_t`` through each step's own use of ``h_t`` (e.g. a per-step readout);
            the recursion adds what flows back from later steps.
        cache: from [`rnn_forward()`][dlref.rnn.rnn_forward].

    Shape:
        ``grad_H (B, L, K)`` → ``Wx (K, D)``, ``Wh (K, K)``, ``b (K,)``, ``x (B, L, D)``, ``h0 (B, K)``.

    Returns:
        ``{"Wx", "Wh", "b", "x", "h0"}``.

    Examples:
        >>> x = torch.randn(2, 3, 1, dtype=torch.float64)
        >>> p = [torch.zeros(2, 4, dtype=torch.float64), torch.ones(4, 1, dtype=torch.float64),
        ...      torch.eye(4, dtype=torch.float64), torch.zeros(4, dtype=torch.float64)]
        >>> H, cache = rnn_forward(x, torch.tensor([3, 2]), *p)
        >>> rnn_backward(torch.ones_like(H), cache)["Wh"].shape
        torch.Size([4, 4])
    """
    validate.floating_tensor("grad_H", grad_H)
    validate.mapping("cache", cache, ("x", "m", "h0", "A", "H", "Wx", "Wh"))  # what rnn_forward returned
    x, m, h0, A, H, Wx, Wh = (cache[k] for k in ("x", "m", "h0", "A", "H", "Wx", "Wh"))
    dphi = _PHI[cache.get("nonlinearity", "tanh")][1]  # φ′
    if grad_H.shape != H.shape:
        raise ValueError(f"grad_H must have the shape of H {tuple(H.shape)}; got {tuple(grad_H.shape)}")
    B, L, K = H.shape
    gWx, gWh, gb = torch.zeros_like(Wx), torch.zeros_like(Wh), torch.zeros(K, dtype=H.dtype, device=H.device)
    gx = torch.zeros_like(x)
    carry = torch.zeros(B, K, dtype=H.dtype, device=H.device)  # what h_t receives from step t + 1
    for t in reversed(range(L)):
        delta = grad_H[:, t] + carry  # δ_t = ∂L/∂h_t, all paths   (B, K)
        mt = m[:, t, None]  # (B, 1)
        u = mt * dphi(A[:, t]) * delta  # u_t = m_t ⊙ φ′(a_t) ⊙ δ_t   (B, K)
        h_prev = H[:, t - 1] if t > 0 else h0  # (B, K)
        gWh += u.T @ h_prev  # ∇W_h += u_tᵀ h_{t−1}: (K, B) @ (B, K) → (K, K)
        gWx += u.T @ x[:, t]  # ∇W_x += u_tᵀ x_t: (K, B) @ (B, D) → (K, D)
        gb += u.sum(0)
        gx[:, t] = u @ Wx  # ∇x_t = W_xᵀ u_t: (B, K) @ (K, D) → (B, D)
        carry = u @ Wh + (1 - mt) * delta  # ∂L/∂h_{t−1} via step t: W_hᵀu_t, or δ_t itself when padded
    return {"Wx": gWx, "Wh": gWh, "b": gb, "x": gx, "h0": carry}


def rnn_jacobian(h_prev: Tensor, x: Tensor, Wx: Tensor, Wh: Tensor, b: Tensor) -> Tensor:
    """``J = ∂h_t/∂h_{t−1} = diag(tanh′(a_t)) W_h`` for one example.

    Shape:
        ``h_prev (K,)``, ``x (D,)``, ``Wx (K, D)``, ``Wh (K, K)``, ``b (K,)`` → ``(K, K)``.

    Examples:
        >>> K = 3
        >>> J = rnn_jacobian(torch.zeros(K), torch.zeros(1), torch.zeros(K, 1), 0.5 * torch.eye(K), torch.zeros(K))
        >>> J.diagonal()  # tanh′(0) = 1
        tensor([0.5000, 0.5000, 0.5000])
    """
    for name, t in (("h_prev", h_prev), ("x", x), ("Wx", Wx), ("Wh", Wh), ("b", b)):
        validate.floating_tensor(name, t, nonempty=True)
    if h_prev.dim() != 1 or x.dim() != 1:
        raise ValueError(f"h_prev and x must be vectors (one example); got {tuple(h_prev.shape)} and {tuple(x.shape)}")
    K = h_prev.shape[0]
    if Wh.shape != (K, K) or Wx.shape != (K, x.shape[0]) or b.shape != (K,):
        raise ValueError(f"expected Wh ({K}, {K}), Wx ({K}, {x.shape[0]}), b ({K},); got "
                         f"{tuple(Wh.shape)}, {tuple(Wx.shape)}, {tuple(b.shape)}")
    a = Wx @ x + Wh @ h_prev + b  # (K,)
    return (1 - torch.tanh(a) ** 2)[:, None] * Wh  # diag(φ′(a)) W_h   (K, K)
