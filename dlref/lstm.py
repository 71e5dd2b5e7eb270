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


def _split(weight_ih: Tensor, weight_hh: Tensor, bias_ih: Tensor, bias_hh: Tensor, x: Tensor, h: Tensor,
           K: int | None = None) -> tuple[Tensor, ...]:
    """The four gates; ``K`` cell units (default: ``h``'s size; with a projection ``h`` has ``P``)."""
    for name, t in (("weight_ih", weight_ih), ("weight_hh", weight_hh), ("bias_ih", bias_ih), ("bias_hh", bias_hh), ("x", x), ("h", h)):
        validate.floating_tensor(name, t, nonempty=True)
    validate.tensor("x", x, ndim=(1, 2))  # (B, D) or (D,)
    validate.tensor("h", h, ndim=(1, 2))  # (B, K) or (K,)
    validate.same_dtype(x=x, h=h, weight_ih=weight_ih, weight_hh=weight_hh, bias_ih=bias_ih, bias_hh=bias_hh)
    K = h.shape[-1] if K is None else K
    D, P = x.shape[-1], h.shape[-1]
    if weight_ih.shape != (4 * K, D) or weight_hh.shape != (4 * K, P) or bias_ih.shape != (4 * K,) or bias_hh.shape != (4 * K,):
        raise ValueError(f"expected weight_ih (4K, D) = ({4 * K}, {D}), weight_hh ({4 * K}, {P}), bias_ih and bias_hh ({4 * K},) for "
                         f"x {tuple(x.shape)} and h {tuple(h.shape)}; got weight_ih {tuple(weight_ih.shape)}, weight_hh {tuple(weight_hh.shape)}, "
                         f"bias_ih {tuple(bias_ih.shape)}, bias_hh {tuple(bias_hh.shape)}")
    if x.shape[:-1] != h.shape[:-1]:
        raise ValueError(f"x and h must share the batch shape; got x {tuple(x.shape)} and h {tuple(h.shape)}")
    z = x @ weight_ih.T + h @ weight_hh.T + bias_ih + bias_hh  # (B, D) @ (D, 4K) + (B, K) @ (K, 4K) → (B, 4K)
    zi, zf, zg, zo = z.chunk(4, dim=-1)  # each (B, K)
    return torch.sigmoid(zi), torch.sigmoid(zf), torch.tanh(zg), torch.sigmoid(zo)


def lstm_cell(x: Tensor, h: Tensor, c: Tensor, weight_ih: Tensor, weight_hh: Tensor, bias_ih: Tensor, bias_hh: Tensor,
              weight_hr: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """One LSTM step, ``(h, c) → (h', c')``, with ``nn.LSTMCell``'s weight layout.

    Args:
        x: input. h: previous hidden state. c: previous cell state.
        weight_ih: input weights of all four gates, stacked (blocks i, f, g, o: PyTorch's ``weight_ih``; the
            LSTM page's W_ih is only the input gate's recurrent block of ``weight_hh``). weight_hh: recurrent
            weights, stacked the same way. bias_ih, bias_hh: biases.
        weight_hr: projection ``W_hr`` of ``nn.LSTM(proj_size=P)``: then ``h' = W_hr (o ⊙ tanh(c'))`` has
            ``P`` features, and ``h`` and ``weight_hh`` have ``P`` where they had ``K``.

    Shape:
        ``x (B, D)``, ``h (B, K)``, ``c (B, K)``, ``weight_ih (4K, D)``, ``weight_hh (4K, K)``, ``bias_ih, bias_hh (4K,)``
        → ``h' (B, K)``, ``c' (B, K)``; a missing batch dimension works too. With ``weight_hr (P, K)``:
        ``h (B, P)``, ``weight_hh (4K, P)`` → ``h' (B, P)``.

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
    if weight_hr is not None:  # LSTM with projections (nn.LSTM's proj_size): h has P < K features
        validate.floating_tensor("weight_hr", weight_hr, ndim=2, nonempty=True)  # (P, K)
        if not isinstance(h, Tensor) or h.dim() == 0 or weight_hr.shape[0] != h.shape[-1]:
            raise ValueError(f"weight_hr must be (P, K) with P = h's features; got weight_hr {tuple(weight_hr.shape)} and "
                             f"h {tuple(getattr(h, 'shape', ()))}")
        K = weight_hr.shape[1]
    i, f, g, o = _split(weight_ih, weight_hh, bias_ih, bias_hh, x, h, K)
    validate.floating_tensor("c", c)
    if c.shape != h.shape[:-1] + (K,):
        want = f"the shape of h {tuple(h.shape)}" if weight_hr is None else f"shape {tuple(h.shape[:-1] + (K,))} (K = {K} cell units)"
        raise ValueError(f"c must have {want}; got {tuple(c.shape)}")
    c_new = f * c + i * g  # c' = f ⊙ c + i ⊙ g
    h_new = o * torch.tanh(c_new)  # h' = o ⊙ tanh(c')
    if weight_hr is not None:
        validate.same_dtype(h=h, weight_hr=weight_hr)
        h_new = h_new @ weight_hr.T  # h' ← W_hr h': (B, K) @ (K, P) → (B, P)
    return h_new, c_new


def cell_jacobians(x: Tensor, h: Tensor, c: Tensor, o_prev: Tensor, weight_ih: Tensor, weight_hh: Tensor, bias_ih: Tensor,
                   bias_hh: Tensor) -> tuple[Tensor, Tensor]:
    """``∂c_t/∂c_{t−1}`` for one example: along the cell path, and in full through ``h_{t−1} = o_{t−1} ⊙ tanh(c_{t−1})``.

    Derivation (``s′ = s(1 − s)`` for a sigmoid gate, ``W_·`` the recurrent block of gate ·):
    ``∂c_t/∂h_{t−1} = diag(c_{t−1} ⊙ f′) W_f + diag(g ⊙ i′) W_i + diag(i ⊙ (1 − g²)) W_g`` and
    ``∂h_{t−1}/∂c_{t−1} = diag(o_{t−1} ⊙ (1 − tanh²(c_{t−1})))``.

    Args:
        x: input at step t.
        h: ``h_{t−1}`` (must equal ``o_prev ⊙ tanh(c)`` for the full Jacobian to describe a real step).
        c: ``c_{t−1}``.
        o_prev: output gate of step t − 1.
        weight_ih: input weights, as in [`lstm_cell()`][dlref.lstm.lstm_cell].
        weight_hh: recurrent weights, as in [`lstm_cell()`][dlref.lstm.lstm_cell].
        bias_ih: input bias, as in [`lstm_cell()`][dlref.lstm.lstm_cell].
        bias_hh: recurrent bias, as in [`lstm_cell()`][dlref.lstm.lstm_cell].

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
    i, f, g, o = _split(weight_ih, weight_hh, bias_ih, bias_hh, x, h)
    K = h.shape[0]
    W_i, W_f, W_g = weight_hh[:K], weight_hh[K:2 * K], weight_hh[2 * K:3 * K]  # recurrent blocks, each (K, K)
    dc_dh = ((c * f * (1 - f))[:, None] * W_f  # through the forget gate
             + (g * i * (1 - i))[:, None] * W_i  # through the input gate
             + (i * (1 - g**2))[:, None] * W_g)  # through the candidate   (K, K)
    dh_dc = o_prev * (1 - torch.tanh(c) ** 2)  # diag of ∂h_{t−1}/∂c_{t−1}   (K,)
    cell = torch.diag(f)
    return cell, cell + dc_dh * dh_dc[None, :]  # diag(f) + (∂c_t/∂h_{t−1}) diag(o ⊙ tanh′(c))
