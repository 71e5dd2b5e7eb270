"""An LSTM cell written out, and the Jacobians of its cell state (site page *Sequence models → LSTM cell path*, sequence/lstm.md).

.. math::

    i = σ(W_i [x; h] + b_i),\\ f = σ(W_f [x; h] + b_f),\\ g = \\tanh(W_g [x; h] + b_g),\\
    o = σ(W_o [x; h] + b_o),\\qquad c' = f ⊙ c + i ⊙ g,\\qquad h' = o ⊙ \\tanh(c')

The weights are stored as ``nn.LSTMCell`` stores them: ``W_ih (4K, D)`` and ``W_hh (4K, K)`` with
the gate blocks in the order ``i, f, g, o``, and two biases, so the cell can be checked against it.

Along the cell path (``h`` held fixed) ``∂c_t/∂c_{t−1} = diag(f_t)``. In an unrolled network
``h_{t−1} = o_{t−1} ⊙ tanh(c_{t−1})`` also depends on ``c_{t−1}``, which adds
``(∂c_t/∂h_{t−1}) diag(o_{t−1} ⊙ tanh′(c_{t−1}))``; [`cell_jacobians()`][dlref.lstm.cell_jacobians] returns both.

Reference: Hochreiter and Schmidhuber (1997); Gers, Schmidhuber and Cummins (2000) for the forget gate.
"""

from __future__ import annotations

import torch

from dlref import validate

Tensor = torch.Tensor

__all__ = ["lstm_cell", "cell_jacobians"]


def _split(Wih: Tensor, Whh: Tensor, bih: Tensor, bhh: Tensor, x: Tensor, h: Tensor,
           K: int | None = None) -> tuple[Tensor, ...]:
    """The four gates; ``K`` cell units (default: ``h``'s size; with a projection ``h`` has ``P``)."""
    for name, t in (("Wih", Wih), ("Whh", Whh), ("bih", bih), ("bhh", bhh), ("x", x), ("h", h)):
        validate.floating_tensor(name, t, nonempty=True)
    validate.tensor("x", x, ndim=(1, 2))  # (B, D) or (D,)
    validate.tensor("h", h, ndim=(1, 2))  # (B, K) or (K,)
    validate.same_dtype(x=x, h=h, Wih=Wih, Whh=Whh, bih=bih, bhh=bhh)
    K = h.shape[-1] if K is None else K
    D, P = x.shape[-1], h.shape[-1]
    if Wih.shape != (4 * K, D) or Whh.shape != (4 * K, P) or bih.shape != (4 * K,) or bhh.shape != (4 * K,):
        raise ValueError(f"expected Wih (4K, D) = ({4 * K}, {D}), Whh ({4 * K}, {P}), bih and bhh ({4 * K},) for "
                         f"x {tuple(x.shape)} and h {tuple(h.shape)}; got Wih {tuple(Wih.shape)}, Whh {tuple(Whh.shape)}, "
                         f"bih {tuple(bih.shape)}, bhh {tuple(bhh.shape)}")
    if x.shape[:-1] != h.shape[:-1]:
        raise ValueError(f"x and h must share the batch shape; got x {tuple(x.shape)} and h {tuple(h.shape)}")
    z = x @ Wih.T + h @ Whh.T + bih + bhh  # (B, D) @ (D, 4K) + (B, K) @ (K, 4K) → (B, 4K)
    zi, zf, zg, zo = z.chunk(4, dim=-1)  # each (B, K)
    return torch.sigmoid(zi), torch.sigmoid(zf), torch.tanh(zg), torch.sigmoid(zo)


def lstm_cell(x: Tensor, h: Tensor, c: Tensor, Wih: Tensor, Whh: Tensor, bih: Tensor, bhh: Tensor,
              Whr: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """One LSTM step, ``(h, c) → (h', c')``, with ``nn.LSTMCell``'s weight layout.

    Args:
        x: input. h: previous hidden state. c: previous cell state.
        Wih: input weights (gate blocks i, f, g, o). Whh: recurrent weights. bih, bhh: biases.
        Whr: projection ``W_hr`` of ``nn.LSTM(proj_size=P)``: then ``h' = W_hr (o ⊙ tanh(c'))`` has
            ``P`` features, and ``h`` and ``Whh`` have ``P`` where they had ``K``.

    Shape:
        ``x (B, D)``, ``h (B, K)``, ``c (B, K)``, ``Wih (4K, D)``, ``Whh (4K, K)``, ``bih, bhh (4K,)``
        → ``h' (B, K)``, ``c' (B, K)``; a missing batch dimension works too. With ``Whr (P, K)``:
        ``h (B, P)``, ``Whh (4K, P)`` → ``h' (B, P)``.

    Returns:
        ``(h', c')``.

    Examples:
        >>> K, D = 2, 3
        >>> z = lambda *s: torch.zeros(*s)
        >>> h, c = lstm_cell(z(1, D), z(1, K), torch.ones(1, K), z(4 * K, D), z(4 * K, K), z(4 * K), z(4 * K))
        >>> c  # all gates σ(0) = 1/2, g = tanh(0) = 0: c' = c/2
        tensor([[0.5000, 0.5000]])
    """
    K = h.shape[-1] if isinstance(h, Tensor) and h.dim() else None
    if Whr is not None:  # LSTM with projections (nn.LSTM's proj_size): h has P < K features
        validate.floating_tensor("Whr", Whr, ndim=2, nonempty=True)  # (P, K)
        if not isinstance(h, Tensor) or h.dim() == 0 or Whr.shape[0] != h.shape[-1]:
            raise ValueError(f"Whr must be (P, K) with P = h's features; got Whr {tuple(Whr.shape)} and "
                             f"h {tuple(getattr(h, 'shape', ()))}")
        K = Whr.shape[1]
    i, f, g, o = _split(Wih, Whh, bih, bhh, x, h, K)
    validate.floating_tensor("c", c)
    if c.shape != h.shape[:-1] + (K,):
        want = f"the shape of h {tuple(h.shape)}" if Whr is None else f"shape {tuple(h.shape[:-1] + (K,))} (K = {K} cell units)"
        raise ValueError(f"c must have {want}; got {tuple(c.shape)}")
    c_new = f * c + i * g  # c' = f ⊙ c + i ⊙ g
    h_new = o * torch.tanh(c_new)  # h' = o ⊙ tanh(c')
    if Whr is not None:
        validate.same_dtype(h=h, Whr=Whr)
        h_new = h_new @ Whr.T  # h' ← W_hr h': (B, K) @ (K, P) → (B, P)
    return h_new, c_new


def cell_jacobians(x: Tensor, h: Tensor, c: Tensor, o_prev: Tensor, Wih: Tensor, Whh: Tensor, bih: Tensor,
                   bhh: Tensor) -> tuple[Tensor, Tensor]:
    """``∂c_t/∂c_{t−1}`` for one example: along the cell path, and in full through ``h_{t−1} = o_{t−1} ⊙ tanh(c_{t−1})``.

    Derivation (``s′ = s(1 − s)`` for a sigmoid gate, ``W_·`` the recurrent block of gate ·):
    ``∂c_t/∂h_{t−1} = diag(c_{t−1} ⊙ f′) W_f + diag(g ⊙ i′) W_i + diag(i ⊙ (1 − g²)) W_g`` and
    ``∂h_{t−1}/∂c_{t−1} = diag(o_{t−1} ⊙ (1 − tanh²(c_{t−1})))``.

    Args:
        x: input at step t.
        h: ``h_{t−1}`` (must equal ``o_prev ⊙ tanh(c)`` for the full Jacobian to describe a real step).
        c: ``c_{t−1}``.
        o_prev: output gate of step t − 1.
        Wih: input weights, as in [`lstm_cell()`][dlref.lstm.lstm_cell].
        Whh: recurrent weights, as in [`lstm_cell()`][dlref.lstm.lstm_cell].
        bih: input bias, as in [`lstm_cell()`][dlref.lstm.lstm_cell].
        bhh: recurrent bias, as in [`lstm_cell()`][dlref.lstm.lstm_cell].

    Shape:
        vectors ``x (D,)``, ``h, c, o_prev (K,)`` → two ``(K, K)`` matrices.

    Returns:
        ``(diag(f_t), full)``.

    Examples:
        >>> K, D = 2, 1
        >>> z = lambda *s: torch.zeros(*s)
        >>> cell, full = cell_jacobians(z(D), z(K), z(K), z(K), z(4 * K, D), z(4 * K, K), z(4 * K), z(4 * K))
        >>> cell
        tensor([[0.5000, 0.0000],
                [0.0000, 0.5000]])
    """
    for name, t in (("x", x), ("h", h), ("c", c), ("o_prev", o_prev)):
        validate.floating_tensor(name, t)
        if t.dim() != 1:
            raise ValueError(f"{name} must be a vector (one example); got shape {tuple(t.shape)}")
    if c.shape != h.shape or o_prev.shape != h.shape:
        raise ValueError(f"h, c and o_prev must share shape (K,); got {tuple(h.shape)}, {tuple(c.shape)}, {tuple(o_prev.shape)}")
    i, f, g, o = _split(Wih, Whh, bih, bhh, x, h)
    K = h.shape[0]
    W_i, W_f, W_g = Whh[:K], Whh[K:2 * K], Whh[2 * K:3 * K]  # recurrent blocks, each (K, K)
    dc_dh = ((c * f * (1 - f))[:, None] * W_f  # through the forget gate
             + (g * i * (1 - i))[:, None] * W_i  # through the input gate
             + (i * (1 - g**2))[:, None] * W_g)  # through the candidate   (K, K)
    dh_dc = o_prev * (1 - torch.tanh(c) ** 2)  # diag of ∂h_{t−1}/∂c_{t−1}   (K,)
    cell = torch.diag(f)
    return cell, cell + dc_dh * dh_dc[None, :]  # diag(f) + (∂c_t/∂h_{t−1}) diag(o ⊙ tanh′(c))
