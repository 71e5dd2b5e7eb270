"""Scaled dot-product attention and multi-head attention, written out step by step.

The reference for the site page *Attention → Scaled dot-product and multi-head attention*
(attention/attention.md). [`scaled_dot_product_attention()`][dlref.attention.scaled_dot_product_attention] computes
``softmax(q kᵀ · s + M) v`` with ``s = 1/√E`` by default,
one visible line per step (scores, scale, mask, softmax, dropout, weighted sum) with the semantics of
`torch.nn.functional.scaled_dot_product_attention()`: a boolean mask marks the pairs that *may*
attend (``True`` = attend), a float mask is added to the scores, masks broadcast over batch and
heads, ``is_causal`` lets query ``i`` see keys ``j ≤ i`` (aligned top-left when ``L ≠ S``), and a
row whose every key is masked returns zeros, as PyTorch's kernels do, instead of ``0/0 = NaN``.
``fast=True`` dispatches to PyTorch's fused kernel; when that kernel rejects the inputs (or lets
through two kinds of bad input it does not check), it raises the same errors as the readable path.

[`MultiheadAttention`][dlref.attention.MultiheadAttention] is the batch-first multi-head layer (Vaswani et al., 2017, §3.2.2)
with the mask conventions of `torch.nn.MultiheadAttention` (there ``True`` means *ignore*).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from dlref import validate

__all__ = ["causal_mask", "attention_weights", "scaled_dot_product_attention", "MultiheadAttention"]


def _shape(t: Tensor) -> tuple[int, ...]:
    return tuple(t.shape)


def _check_qkv(q: Tensor, k: Tensor, v: Tensor | None) -> tuple[int, ...]:
    """Validate query/key/value; return the broadcast batch shape (everything before ``(L, E)``)."""
    named = [("q", q), ("k", k)] + ([("v", v)] if v is not None else [])
    for name, t in named:
        validate.floating_tensor(name, t)
        if t.dim() < 2:
            raise ValueError(f"{name} must have at least 2 dims (..., length, features); got shape {_shape(t)}")
    for name, t in named[1:]:
        if t.dtype != q.dtype:
            raise TypeError(f"q, k and v must share one dtype; got q {q.dtype} and {name} {t.dtype}")
    if q.size(-1) != k.size(-1):
        raise ValueError(f"q and k must share the last dim E; got q {_shape(q)} and k {_shape(k)}")
    if v is not None and v.size(-2) != k.size(-2):
        raise ValueError(f"k and v must share the length S (dim -2); got k {_shape(k)} and v {_shape(v)}")
    batch_shapes = [t.shape[:-2] for _, t in named]
    if all(b == batch_shapes[0] for b in batch_shapes[1:]):
        return tuple(batch_shapes[0])  # the common case, without the cost of broadcast_shapes
    try:
        return tuple(torch.broadcast_shapes(*batch_shapes))
    except RuntimeError:
        shapes = ", ".join(f"{name} {_shape(t)}" for name, t in named)
        raise ValueError(f"the batch dims (all but the last two) of q, k and v cannot broadcast; got {shapes}") from None


def _check_mask(attn_mask: Tensor, scores_shape: tuple[int, ...]) -> None:
    validate.tensor("attn_mask", attn_mask)
    if attn_mask.dtype != torch.bool and not attn_mask.is_floating_point():
        raise TypeError(f"attn_mask must be bool (True = may attend) or floating point (added to the scores); "
                        f"got dtype {attn_mask.dtype}")
    shape = tuple(attn_mask.shape)
    # At least (L, S), as PyTorch requires, and broadcastable to scores_shape without enlarging it:
    # aligned from the right, each dim is 1 or equal.
    fits = 2 <= len(shape) <= len(scores_shape) and all(
        m in (1, s) for m, s in zip(reversed(shape), reversed(scores_shape)))
    if not fits:
        raise ValueError(f"attn_mask of shape {_shape(attn_mask)} cannot broadcast to the scores' shape "
                         f"{scores_shape} (..., L, S)")


def _check_inputs(q: Tensor, k: Tensor, v: Tensor | None, attn_mask: Tensor | None, is_causal: bool) -> None:
    batch = _check_qkv(q, k, v)
    if is_causal and attn_mask is not None:
        raise ValueError("pass either attn_mask or is_causal=True, not both (is_causal builds its own mask)")
    if attn_mask is not None:
        _check_mask(attn_mask, batch + (q.size(-2), k.size(-2)))


def causal_mask(L: int, S: int, device: torch.device | str | None = None) -> Tensor:
    """The boolean causal mask of ``is_causal=True``: query ``i`` may attend to keys ``j ≤ i``.

    The lower triangle is aligned at the top-left corner, as in PyTorch, so with ``L < S`` the last
    ``S − L`` keys are never seen (for decoding with a cache of past keys you want the bottom-right
    alignment, ``j ≤ i + S − L``, instead).

    Args:
        L: Number of queries.
        S: Number of keys.
        device: Where to create the mask.

    Shape:
        Output: ``(L, S)``, ``True`` where attention is allowed.

    Returns:
        The mask.

    Examples:
        >>> causal_mask(2, 3).int().tolist()
        [[1, 0, 0], [1, 1, 0]]
    """
    validate.positive_int("L", L, minimum=0)
    validate.positive_int("S", S, minimum=0)
    validate.device("device", device)
    return torch.ones(L, S, dtype=torch.bool, device=device).tril()


def attention_weights(
    q: Tensor, k: Tensor, attn_mask: Tensor | None = None, is_causal: bool = False, scale: float | None = None
) -> Tensor:
    """The attention weights ``A = softmax(q kᵀ · scale + mask)``, each row a distribution over keys.

    A row whose every key is masked is all zeros (PyTorch's kernels do the same) rather than NaN.

    Args:
        q: Queries.
        k: Keys.
        attn_mask: ``None``; a bool mask, ``True`` where query ``i`` may attend to key ``j``; or a
            float mask added to the scores (``-inf`` forbids). Broadcast to ``(..., L, S)``.
        is_causal: Apply [`causal_mask()`][dlref.attention.causal_mask]; may not be combined with ``attn_mask``.
        scale: Multiplies the scores; default ``1/sqrt(E)``.

    Shape:
        q: ``(..., L, E)``; k: ``(..., S, E)``; output: ``(..., L, S)`` (batch dims broadcast).

    Returns:
        The weights ``A``.

    Examples:
        >>> q, k = torch.randn(2, 4, 8), torch.randn(2, 5, 8)
        >>> A = attention_weights(q, k)
        >>> A.shape, torch.allclose(A.sum(-1), torch.ones(2, 4))
        (torch.Size([2, 4, 5]), True)
    """
    validate.boolean("is_causal", is_causal)
    validate.optional(validate.real, "scale", scale)
    _check_inputs(q, k, None, attn_mask, is_causal)
    L, S, E = q.size(-2), k.size(-2), q.size(-1)
    if is_causal:
        attn_mask = causal_mask(L, S, device=q.device)
    s = 1.0 / math.sqrt(E) if scale is None else scale

    scores = q @ k.transpose(-2, -1)  # (..., L, E) @ (..., E, S) -> (..., L, S)
    scores = scores * s  # scale: keeps Var(q·k) ≈ 1 when the entries of q and k have unit variance
    if attn_mask is not None and attn_mask.dtype == torch.bool:
        scores = torch.where(attn_mask, scores, float("-inf"))  # (..., L, S): forbidden pairs → −∞
    elif attn_mask is not None:
        scores = scores + attn_mask  # additive mask, broadcast to (..., L, S)
    # A row of −∞ everywhere would give 0/0 = NaN in the softmax and NaN gradients for every
    # query and key; give it finite scores, then zero its weights, so it contributes nothing.
    dead = torch.isneginf(scores).all(dim=-1, keepdim=True)  # (..., L, 1)
    scores = scores.masked_fill(dead, 0.0)
    weights = torch.softmax(scores, dim=-1)  # (..., L, S), rows sum to 1
    return weights.masked_fill(dead, 0.0)


def scaled_dot_product_attention(
    q: Tensor,
    k: Tensor,
    v: Tensor,
    attn_mask: Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    *,
    enable_gqa: bool = False,
    fast: bool = False,
    generator: torch.Generator | None = None,
) -> Tensor:
    """Scaled dot-product attention ``softmax(q kᵀ · scale + mask) v``, step by step or fused.

    Same arguments and results as `torch.nn.functional.scaled_dot_product_attention()`.
    Like it, dropout is applied whenever ``dropout_p > 0``: pass ``dropout_p=0`` at evaluation.

    Args:
        q: Queries.
        k: Keys.
        v: Values.
        attn_mask: ``None``, a bool mask (``True`` = may attend) or a float mask added to the
            scores; at least 2-D, it must broadcast to ``(..., L, S)``.
        dropout_p: Probability of zeroing each attention weight (kept ones are scaled by ``1/(1−p)``).
        is_causal: Query ``i`` attends only to keys ``j ≤ i`` (see [`causal_mask()`][dlref.attention.causal_mask]).
        scale: Multiplies the scores; default ``1/sqrt(E)``.
        enable_gqa: Grouped-query attention: ``q`` has ``H_q`` heads (dim −3) and ``k``, ``v`` have
            ``H_kv`` with ``H_q`` a multiple of it; each key/value head serves ``H_q/H_kv`` consecutive
            query heads (``repeat_interleave``), as in PyTorch.
        fast: Dispatch to PyTorch's fused kernel (bad input raises the same errors).
        generator: Random generator for the dropout mask of the step-by-step path (ignored by ``fast``).

    Shape:
        q: ``(..., L, E)``; k: ``(..., S, E)``; v: ``(..., S, E_v)``; output: ``(..., L, E_v)``,
        where ``...`` is e.g. ``(B, H)`` and broadcasts between the inputs.

    Returns:
        The attention output.

    Raises:
        TypeError: an input is not a floating tensor, the dtypes differ, or the mask is neither bool nor float.
        ValueError: the shapes do not fit together (the message names them), or ``dropout_p`` is outside [0, 1].

    Examples:
        >>> q, k, v = torch.randn(2, 3, 4, 8), torch.randn(2, 3, 6, 8), torch.randn(2, 3, 6, 5)
        >>> out = scaled_dot_product_attention(q, k, v, is_causal=True)
        >>> out.shape
        torch.Size([2, 3, 4, 5])
        >>> torch.allclose(out, scaled_dot_product_attention(q, k, v, is_causal=True, fast=True), atol=1e-6)
        True
    """
    validate.tensor("v", v)  # _check_qkv treats v=None as "no values" (attention_weights)
    validate.probability("dropout_p", dropout_p)
    validate.boolean("is_causal", is_causal)
    validate.optional(validate.real, "scale", scale)
    validate.boolean("fast", fast)
    validate.boolean("enable_gqa", enable_gqa)
    validate.instance("generator", generator, torch.Generator, optional=True)
    if fast:
        try:  # two things PyTorch's CPU kernel lets through (torch 2.14): k, v of different lengths; 1-D masks
            suspect = k.size(-2) != v.size(-2) or (attn_mask is not None and attn_mask.dim() < 2)
        except (AttributeError, IndexError):
            suspect = True
        if suspect:
            _check_inputs(q, k, v, attn_mask, is_causal)
        try:  # no checks on the happy path, so the fused path costs what PyTorch's kernel costs
            return F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, dropout_p=dropout_p,
                                                  is_causal=is_causal, scale=scale, enable_gqa=enable_gqa)
        except (RuntimeError, TypeError, IndexError):
            _check_inputs(q, k, v, attn_mask, is_causal)  # a message that names the shapes, if they are at fault
            raise  # otherwise PyTorch's error stands
    if enable_gqa:
        k, v = _share_kv_heads(q, k, v)
    _check_qkv(q, k, v)
    A = attention_weights(q, k, attn_mask, is_causal, scale)  # (..., L, S)
    A = _dropout(A, dropout_p, generator)
    return A @ v  # (..., L, S) @ (..., S, E_v) -> (..., L, E_v)


def _share_kv_heads(q: Tensor, k: Tensor, v: Tensor) -> tuple[Tensor, Tensor]:
    """Grouped-query attention: repeat each key/value head for its ``H_q/H_kv`` query heads."""
    for name, t in (("q", q), ("k", k), ("v", v)):
        validate.tensor(name, t)
        if t.dim() < 3:
            raise ValueError(f"enable_gqa needs a head dim: {name} must be (..., H, length, features); got {_shape(t)}")
    Hq, Hk, Hv = q.size(-3), k.size(-3), v.size(-3)
    if Hk != Hv or Hk == 0 or Hq % Hk:
        raise ValueError(f"enable_gqa: k and v must have the same number of heads H_kv dividing q's H_q; "
                         f"got H_q={Hq}, k {Hk}, v {Hv} heads")
    return k.repeat_interleave(Hq // Hk, dim=-3), v.repeat_interleave(Hq // Hk, dim=-3)  # (..., H_q, S, ·)


def _dropout(A: Tensor, p: float, generator: torch.Generator | None) -> Tensor:
    if p == 0.0:
        return A
    if p == 1.0:
        return torch.zeros_like(A)
    keep = torch.rand(A.shape, generator=generator, device=A.device) >= p  # each weight kept with prob. 1 − p
    return A * keep / (1.0 - p)  # inverted dropout: E[output] is unchanged


class MultiheadAttention(nn.Module):
    """Batch-first multi-head attention built on [`scaled_dot_product_attention()`][dlref.attention.scaled_dot_product_attention].

    ``head_h = Attention(q W_hᵠ, k W_hᵏ, v W_hᵛ)`` for ``h = 1 … H`` on ``E/H`` features each, then
    ``out = concat(head_1 … head_H) W°``. The ``H`` heads are one projection to ``E`` features
    reshaped to ``(B, H, L, E/H)``. Masks follow `torch.nn.MultiheadAttention`:
    ``key_padding_mask`` and a bool ``attn_mask`` are ``True`` where attention is **not** allowed;
    a float ``attn_mask`` is added to the scores. A query whose every key is masked gets a zero
    attention output (``torch.nn.MultiheadAttention`` returns NaN there when it returns weights).

    Args:
        embed_dim: ``E``, the model width (output features).
        num_heads: ``H``; must divide ``E``.
        dropout: Dropout on the attention weights, applied only in training mode.
        bias: Add biases to the four projections.
        kdim: Features of ``key`` (default ``E``).
        vdim: Features of ``value`` (default ``E``).
        device: Device of the parameters.
        dtype: Dtype of the parameters.
        add_bias_kv: Append a learned key ``b_k`` and value ``b_v`` (in ``E`` features, after the
            projections) to every sequence of keys and values, as ``torch.nn.MultiheadAttention`` does.
        add_zero_attn: Append an all-zero key and value (after the projections and ``add_bias_kv``).

    Shape:
        query: ``(B, L, E)``; key: ``(B, S, kdim)``; value: ``(B, S, vdim)``;
        key_padding_mask: ``(B, S)``; attn_mask: ``(L, S)`` or ``(B·H, L, S)``;
        output: ``(B, L, E)``; weights: ``(B, L, S')`` averaged over heads, or ``(B, H, L, S')``,
        with ``S' = S`` plus one per appended key (the masks never hide the appended keys).

    Examples:
        >>> mha = MultiheadAttention(16, 4)
        >>> x = torch.randn(2, 5, 16)
        >>> out, A = mha(x, x, x, key_padding_mask=torch.tensor([[False] * 5, [False] * 3 + [True] * 2]))
        >>> out.shape, A.shape, A[1, :, 3:].abs().max().item()
        (torch.Size([2, 5, 16]), torch.Size([2, 5, 5]), 0.0)
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 kdim: int | None = None, vdim: int | None = None, device: torch.device | str | None = None,
                 dtype: torch.dtype | None = None, *, add_bias_kv: bool = False, add_zero_attn: bool = False) -> None:
        super().__init__()
        validate.positive_int("embed_dim", embed_dim)
        validate.positive_int("num_heads", num_heads)
        if embed_dim % num_heads:
            raise ValueError(f"embed_dim must be a positive multiple of num_heads; got embed_dim={embed_dim}, "
                             f"num_heads={num_heads}")
        validate.probability("dropout", dropout)
        validate.boolean("bias", bias)
        validate.optional(validate.positive_int, "kdim", kdim)
        validate.optional(validate.positive_int, "vdim", vdim)
        validate.device("device", device)
        validate.optional(validate.dtype, "dtype", dtype, floating=True)
        self.embed_dim, self.num_heads, self.dropout = embed_dim, num_heads, dropout
        self.kdim, self.vdim = kdim or embed_dim, vdim or embed_dim
        kw = {"bias": bias, "device": device, "dtype": dtype}
        self.q_proj = nn.Linear(embed_dim, embed_dim, **kw)
        self.k_proj = nn.Linear(self.kdim, embed_dim, **kw)
        self.v_proj = nn.Linear(self.vdim, embed_dim, **kw)
        self.out_proj = nn.Linear(embed_dim, embed_dim, **kw)
        for lin in (self.q_proj, self.k_proj, self.v_proj):  # the initialisation nn.MultiheadAttention uses
            nn.init.xavier_uniform_(lin.weight)
        for lin in (self.q_proj, self.k_proj, self.v_proj, self.out_proj):
            if lin.bias is not None:
                nn.init.zeros_(lin.bias)
        validate.boolean("add_bias_kv", add_bias_kv)
        self.add_zero_attn = validate.boolean("add_zero_attn", add_zero_attn)
        self.bias_k = self.bias_v = None
        if add_bias_kv:  # one learned extra key and value that every query may attend to
            self.bias_k = nn.Parameter(nn.init.xavier_normal_(torch.empty(1, 1, embed_dim, device=device, dtype=dtype)))
            self.bias_v = nn.Parameter(nn.init.xavier_normal_(torch.empty(1, 1, embed_dim, device=device, dtype=dtype)))

    def extra_repr(self) -> str:
        return (f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, head_dim={self.embed_dim // self.num_heads}, "
                f"kdim={self.kdim}, vdim={self.vdim}, dropout={self.dropout}, bias={self.q_proj.bias is not None}"
                + (", add_bias_kv=True" if self.bias_k is not None else "")
                + (", add_zero_attn=True" if self.add_zero_attn else ""))

    @classmethod
    def from_torch(cls, mha: nn.MultiheadAttention) -> MultiheadAttention:
        """A copy of a `torch.nn.MultiheadAttention`'s weights (any ``batch_first``).

        Raises:
            TypeError: ``mha`` is not a ``torch.nn.MultiheadAttention``.
        """
        validate.instance("mha", mha, nn.MultiheadAttention)
        p = mha.out_proj.weight
        new = cls(mha.embed_dim, mha.num_heads, mha.dropout, bias=mha.in_proj_bias is not None,
                  kdim=mha.kdim, vdim=mha.vdim, device=p.device, dtype=p.dtype,
                  add_bias_kv=mha.bias_k is not None, add_zero_attn=mha.add_zero_attn)
        if mha._qkv_same_embed_dim:
            weights = mha.in_proj_weight.chunk(3)  # (3E, E) -> three (E, E)
        else:
            weights = (mha.q_proj_weight, mha.k_proj_weight, mha.v_proj_weight)
        biases = mha.in_proj_bias.chunk(3) if mha.in_proj_bias is not None else (None,) * 3
        with torch.no_grad():
            for lin, W, b in zip((new.q_proj, new.k_proj, new.v_proj), weights, biases):
                lin.weight.copy_(W)
                if b is not None:
                    lin.bias.copy_(b)
            new.out_proj.weight.copy_(mha.out_proj.weight)
            if mha.out_proj.bias is not None:
                new.out_proj.bias.copy_(mha.out_proj.bias)
            if mha.bias_k is not None:
                new.bias_k.copy_(mha.bias_k)
                new.bias_v.copy_(mha.bias_v)
        return new

    def _merged_mask(self, B: int, L: int, S: int, key_padding_mask: Tensor | None, attn_mask: Tensor | None,
                     is_causal: bool, dtype: torch.dtype, device: torch.device) -> Tensor | None:
        """One additive float mask (0 = allowed, −∞ = not) of shape (B, H or 1, L, S), or None."""
        H = self.num_heads
        if is_causal and attn_mask is not None:
            raise ValueError("pass either attn_mask or is_causal=True, not both (is_causal builds its own mask)")
        if is_causal:
            attn_mask = ~causal_mask(L, S, device=device)  # this layer's convention: True = not allowed
        total = None
        if attn_mask is not None:
            if attn_mask.dtype != torch.bool and not attn_mask.is_floating_point():
                raise TypeError(f"attn_mask must be bool (True = not allowed) or float (added); got dtype {attn_mask.dtype}")
            if _shape(attn_mask) == (L, S):
                m = attn_mask[None, None]  # (1, 1, L, S)
            elif _shape(attn_mask) == (B * H, L, S):
                m = attn_mask.view(B, H, L, S)  # (B·H, L, S) -> (B, H, L, S), batch-major as in PyTorch
            else:
                raise ValueError(f"attn_mask must have shape (L, S) = {(L, S)} or (B·H, L, S) = {(B * H, L, S)}; "
                                 f"got {_shape(attn_mask)}")
            total = _additive(m, dtype)
        if key_padding_mask is not None:
            if key_padding_mask.dtype != torch.bool and not key_padding_mask.is_floating_point():
                raise TypeError(f"key_padding_mask must be bool (True = padding) or float; got dtype {key_padding_mask.dtype}")
            if _shape(key_padding_mask) != (B, S):
                raise ValueError(f"key_padding_mask must have shape (B, S) = {(B, S)}; got {_shape(key_padding_mask)}")
            m = _additive(key_padding_mask[:, None, None, :], dtype)  # (B, S) -> (B, 1, 1, S)
            total = m if total is None else total + m
        return total

    def forward(self, query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Tensor | None = None,
                need_weights: bool = True, attn_mask: Tensor | None = None, average_attn_weights: bool = True,
                is_causal: bool = False, fast: bool = False) -> tuple[Tensor, Tensor | None]:
        """Attend from ``query`` to ``key``/``value``.

        Args:
            query: Queries.
            key: Keys.
            value: Values.
            key_padding_mask: ``True`` (or ``-inf``) at key positions that are padding.
            need_weights: Also return the attention weights (always computed step by step).
            attn_mask: ``True`` (or ``-inf``) where query ``i`` may not attend to key ``j``.
            average_attn_weights: Average the returned weights over heads.
            is_causal: Build the causal mask (query ``i`` sees keys ``j ≤ i``); not with ``attn_mask``.
            fast: Without ``need_weights``, use PyTorch's fused attention kernel.

        Returns:
            ``(output, weights)``; ``weights`` is ``None`` when ``need_weights`` is false.
        """
        validate.boolean("need_weights", need_weights)
        validate.boolean("average_attn_weights", average_attn_weights)
        validate.boolean("is_causal", is_causal)
        validate.boolean("fast", fast)
        validate.optional(validate.tensor, "key_padding_mask", key_padding_mask)
        validate.optional(validate.tensor, "attn_mask", attn_mask)
        for name, t, feat in (("query", query, self.embed_dim), ("key", key, self.kdim), ("value", value, self.vdim)):
            validate.tensor(name, t)
            if t.dim() != 3 or t.size(-1) != feat:
                raise ValueError(f"{name} must have shape (B, length, {feat}) (batch first); got {_shape(t)}")
            if t.dtype != self.q_proj.weight.dtype:
                raise TypeError(f"{name} has dtype {t.dtype} but the layer's parameters are {self.q_proj.weight.dtype}")
        if not (query.size(0) == key.size(0) == value.size(0)):
            raise ValueError(f"query, key and value must share the batch size B; got query {_shape(query)}, "
                             f"key {_shape(key)}, value {_shape(value)}")
        if key.size(1) != value.size(1):
            raise ValueError(f"key and value must share the length S; got key {_shape(key)} and value {_shape(value)}")
        B, L, E = query.shape
        S, H = key.size(1), self.num_heads
        mask = self._merged_mask(B, L, S, key_padding_mask, attn_mask, is_causal, query.dtype, query.device)
        p = self.dropout if self.training else 0.0

        k, v = self.k_proj(key), self.v_proj(value)  # (B, S, E)
        if self.bias_k is not None:  # the learned extra key/value, appended at position S
            k = torch.cat([k, self.bias_k.expand(B, 1, E)], dim=1)  # (B, S + 1, E)
            v = torch.cat([v, self.bias_v.expand(B, 1, E)], dim=1)
        if self.add_zero_attn:  # an all-zero key/value: a query may attend to "nothing" (score 0, value 0)
            k = torch.cat([k, k.new_zeros(B, 1, E)], dim=1)
            v = torch.cat([v, v.new_zeros(B, 1, E)], dim=1)
        if mask is not None and k.size(1) > S:
            mask = F.pad(mask, (0, k.size(1) - S))  # the appended keys are allowed for every query
        S = k.size(1)
        q = self.q_proj(query).view(B, L, H, E // H).transpose(1, 2)  # (B, L, E) -> (B, H, L, E/H)
        k = k.view(B, S, H, E // H).transpose(1, 2)  # (B, S, E) -> (B, H, S, E/H)
        v = v.view(B, S, H, E // H).transpose(1, 2)  # (B, S, E) -> (B, H, S, E/H)
        A = None
        if need_weights or not fast:
            A = _dropout(attention_weights(q, k, mask), p, None)  # (B, H, L, S)
            heads = A @ v  # (B, H, L, S) @ (B, H, S, E/H) -> (B, H, L, E/H)
        else:
            heads = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=p)  # (B, H, L, E/H)
        out = self.out_proj(heads.transpose(1, 2).reshape(B, L, E))  # (B, H, L, E/H) -> (B, L, E)
        if not need_weights:
            return out, None
        return out, (A.mean(dim=1) if average_attn_weights else A)  # (B, L, S) or (B, H, L, S)


def _additive(mask: Tensor, dtype: torch.dtype) -> Tensor:
    """A bool "not allowed" mask as 0 / −∞ in ``dtype``; a float mask unchanged (cast to ``dtype``)."""
    if mask.dtype == torch.bool:
        return torch.zeros(mask.shape, dtype=dtype, device=mask.device).masked_fill(mask, float("-inf"))
    return mask.to(dtype)
