"""Property-based tests of dlref.attention (hypothesis): shapes, dtypes and masks drawn at random."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.testing import assert_close

from dlref.attention import MultiheadAttention, attention_weights, scaled_dot_product_attention

# Tolerances against a float64 reference, by dtype: the step-by-step path rounds after every step.
TOL = {torch.float64: (1e-10, 1e-10), torch.float32: (1e-4, 1e-4), torch.bfloat16: (5e-2, 5e-2)}


@st.composite
def problems(draw):
    """q, k, v, a mask (or is_causal) and a scale; the mask's shape broadcasts to the scores' shape."""
    batch = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    L, S, E, Ev = draw(st.integers(1, 6)), draw(st.integers(1, 6)), draw(st.integers(1, 8)), draw(st.integers(1, 5))
    dtype = draw(st.sampled_from(list(TOL)))
    seed = draw(st.integers(0, 2**16))
    g = torch.Generator().manual_seed(seed)
    q, k, v = (torch.randn(*batch, n, d, generator=g, dtype=torch.float64) for n, d in ((L, E), (S, E), (S, Ev)))
    full = batch + (L, S)
    # a broadcastable mask shape: keep a suffix of the scores' dims (at least L, S), some set to 1
    keep = draw(st.integers(2, len(full)))
    shape = tuple(1 if draw(st.booleans()) else n for n in full[-keep:])
    kind = draw(st.sampled_from(["none", "causal", "bool", "float", "float-inf"]))
    kwargs = {}
    if kind == "causal":
        kwargs["is_causal"] = True
    elif kind == "bool":
        kwargs["attn_mask"] = torch.rand(shape, generator=g) > draw(st.sampled_from([0.0, 0.3, 0.7, 1.0]))
    elif kind == "float":
        kwargs["attn_mask"] = torch.randn(shape, generator=g, dtype=torch.float64)
    elif kind == "float-inf":
        kwargs["attn_mask"] = torch.zeros(shape, dtype=torch.float64).masked_fill(torch.rand(shape, generator=g) > 0.5, -math.inf)
    if draw(st.booleans()):
        kwargs["scale"] = draw(st.floats(0.05, 2.0))
    return q, k, v, kwargs, dtype


def _cast(kwargs, dtype):
    mask = kwargs.get("attn_mask")
    if mask is not None and mask.is_floating_point():
        return {**kwargs, "attn_mask": mask.to(dtype)}
    return kwargs


@settings(max_examples=150, deadline=None)
@given(problems(), st.booleans())
def test_matches_float64_torch_in_every_dtype(problem, fast):
    q, k, v, kwargs, dtype = problem
    ref = F.scaled_dot_product_attention(q, k, v, **kwargs)  # float64 reference
    out = scaled_dot_product_attention(q.to(dtype), k.to(dtype), v.to(dtype), fast=fast, **_cast(kwargs, dtype))
    assert out.dtype == dtype and out.shape == ref.shape
    atol, rtol = TOL[dtype]
    assert_close(out.double(), ref, atol=atol, rtol=rtol)


@settings(max_examples=60, deadline=None)
@given(problems())
def test_gradients_match_torch_in_float64(problem):
    q, k, v, kwargs, _ = problem
    q, k, v = (t.requires_grad_() for t in (q, k, v))
    ours = scaled_dot_product_attention(q, k, v, **kwargs)
    ref = F.scaled_dot_product_attention(q, k, v, **kwargs)
    grad = torch.randn(ours.shape, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    for a, b in zip(torch.autograd.grad(ours, (q, k, v), grad), torch.autograd.grad(ref, (q, k, v), grad)):
        assert torch.isfinite(a).all()
        assert_close(a, b)


@settings(max_examples=100, deadline=None)
@given(problems())
def test_weights_are_distributions_that_respect_the_mask(problem):
    q, k, _, kwargs, _ = problem
    A = attention_weights(q, k, **kwargs)
    assert (A >= 0).all() and torch.isfinite(A).all()
    sums = A.sum(-1)
    assert torch.all(((sums - 1).abs() < 1e-12) | (sums == 0))  # 1, or 0 for a fully masked row
    mask = kwargs.get("attn_mask")
    if kwargs.get("is_causal"):
        L, S = q.size(-2), k.size(-2)
        mask = torch.ones(L, S, dtype=torch.bool).tril()
    if mask is not None:
        allowed = mask if mask.dtype == torch.bool else torch.isfinite(mask)
        assert (A.masked_select(~allowed.expand_as(A)) == 0).all()
        assert torch.equal(sums == 0, ~allowed.expand_as(A).any(-1))  # zero rows are exactly the fully masked ones


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 3), st.integers(1, 4), st.integers(1, 6), st.integers(1, 6), st.integers(0, 2**16),
       st.booleans(), st.booleans())
def test_mha_matches_torch(B, H, L, S, seed, bias, pad):
    torch.manual_seed(seed)
    E = 2 * H
    ref = torch.nn.MultiheadAttention(E, H, bias=bias, batch_first=True, dtype=torch.float64)
    ours = MultiheadAttention.from_torch(ref)
    g = torch.Generator().manual_seed(seed)
    x, mem = torch.randn(B, L, E, generator=g, dtype=torch.float64), torch.randn(B, S, E, generator=g, dtype=torch.float64)
    kpm = None
    if pad:  # pad a suffix of each sequence, never all of it (PyTorch returns NaN there; see test_attention)
        lengths = torch.randint(1, S + 1, (B,), generator=g)
        kpm = torch.arange(S)[None, :] >= lengths[:, None]  # (B, S), True = padding
    out_ref, w_ref = ref(x, mem, mem, key_padding_mask=kpm)
    out, w = ours(x, mem, mem, key_padding_mask=kpm)
    assert_close(out, out_ref)
    assert_close(w, w_ref)
