"""dlref.attention against PyTorch: outputs and gradients in float64, masks, dropout, bad input."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch.testing import assert_close

from dlref import attention
from dlref.attention import MultiheadAttention, attention_weights, causal_mask, scaled_dot_product_attention

D = torch.float64


def _qkv(batch, L, S, E, Ev=None, seed=0):
    g = torch.Generator().manual_seed(seed)
    q = torch.randn(*batch, L, E, generator=g, dtype=D, requires_grad=True)
    k = torch.randn(*batch, S, E, generator=g, dtype=D, requires_grad=True)
    v = torch.randn(*batch, S, Ev or E, generator=g, dtype=D, requires_grad=True)
    return q, k, v


def _grads(fn, tensors, seed=1):
    out = fn(*tensors)
    grad = torch.randn(out.shape, generator=torch.Generator().manual_seed(seed), dtype=out.dtype)
    return out, torch.autograd.grad(out, tensors, grad)


def _bool_mask(shape, seed=2):
    return torch.rand(shape, generator=torch.Generator().manual_seed(seed)) > 0.4


MASKS = {
    "none": lambda L, S: {},
    "causal": lambda L, S: {"is_causal": True},
    "bool (L, S)": lambda L, S: {"attn_mask": _bool_mask((L, S))},
    "bool (B, 1, L, S)": lambda L, S: {"attn_mask": _bool_mask((2, 1, L, S))},
    "bool (B, 1, 1, S)": lambda L, S: {"attn_mask": _bool_mask((2, 1, 1, S))},
    "float (1, H, L, S)": lambda L, S: {"attn_mask": torch.randn(1, 3, L, S, dtype=D)},
    "float −inf": lambda L, S: {"attn_mask": torch.zeros(L, S, dtype=D).masked_fill(_bool_mask((L, S)), -math.inf)},
    "scale": lambda L, S: {"scale": 0.37},
}


@pytest.mark.parametrize("mask", MASKS)
@pytest.mark.parametrize("L,S,E,Ev", [(5, 5, 8, 8), (4, 7, 6, 3), (7, 3, 4, 5), (1, 1, 2, 2)])
@pytest.mark.parametrize("fast", [False, True])
def test_matches_torch_sdpa_outputs_and_gradients(mask, L, S, E, Ev, fast):
    q, k, v = _qkv((2, 3), L, S, E, Ev)
    kwargs = MASKS[mask](L, S)
    ours, ours_grads = _grads(lambda *t: scaled_dot_product_attention(*t, fast=fast, **kwargs), (q, k, v))
    ref, ref_grads = _grads(lambda *t: F.scaled_dot_product_attention(*t, **kwargs), (q, k, v))
    assert ours.shape == (2, 3, L, Ev)
    assert_close(ours, ref)
    for a, b in zip(ours_grads, ref_grads):
        assert_close(a, b)


def test_batch_dims_broadcast_between_q_k_v():
    q, _, _ = _qkv((2, 3), 4, 5, 6)
    _, k, v = _qkv((1, 3), 4, 5, 6, seed=3)
    assert_close(scaled_dot_product_attention(q, k, v), F.scaled_dot_product_attention(q, k, v))


def test_unbatched_inputs():
    q, k, v = _qkv((), 4, 6, 5)
    assert_close(scaled_dot_product_attention(q, k, v, is_causal=True), F.scaled_dot_product_attention(q, k, v, is_causal=True))


def test_causal_mask_is_top_left_aligned():
    assert causal_mask(2, 4).tolist() == [[True, False, False, False], [True, True, False, False]]
    assert causal_mask(4, 2).tolist() == [[True, False], [True, True], [True, True], [True, True]]
    q, k, v = _qkv((1,), 3, 5, 4)
    A = attention_weights(q, k, is_causal=True)
    assert (A[..., 0, 1:] == 0).all() and (A[..., 2, 3:] == 0).all()


def test_weights_are_the_softmax_of_scaled_scores():
    q, k, _ = _qkv((2,), 4, 6, 9)
    expected = torch.softmax(q @ k.transpose(-2, -1) / 3.0, dim=-1)  # √9 = 3, computed by hand
    assert_close(attention_weights(q, k), expected)


def test_fully_masked_rows_give_zeros_and_zero_gradients_like_torch():
    q, k, v = _qkv((2,), 4, 5, 3)
    mask = torch.ones(4, 5, dtype=torch.bool)
    mask[1] = False  # query 1 may attend to nothing
    for fast in (False, True):
        out, grads = _grads(lambda *t: scaled_dot_product_attention(*t, attn_mask=mask, fast=fast), (q, k, v))
        ref, ref_grads = _grads(lambda *t: F.scaled_dot_product_attention(*t, attn_mask=mask), (q, k, v))
        assert_close(out, ref)
        assert (out[:, 1] == 0).all() and (grads[0][:, 1] == 0).all()
        assert all(torch.isfinite(g).all() for g in grads)
        for a, b in zip(grads, ref_grads):
            assert_close(a, b)
    assert (attention_weights(q, k, mask)[:, 1] == 0).all()


def test_plain_softmax_of_a_fully_masked_row_is_nan():
    # the behaviour attention_weights guards against
    assert torch.softmax(torch.full((3,), -math.inf), dim=0).isnan().all()


def test_dropout_matches_the_aten_math_kernel_given_the_same_mask():
    q, k, v = _qkv((2, 2), 4, 6, 5)
    p, seed = 0.3, 7
    out = scaled_dot_product_attention(q, k, v, dropout_p=p, generator=torch.Generator().manual_seed(seed))
    keep = torch.rand((2, 2, 4, 6), generator=torch.Generator().manual_seed(seed)) >= p
    ref, _ = torch.ops.aten._scaled_dot_product_attention_math(q, k, v, dropout_p=p, dropout_mask=keep)
    assert_close(out, ref)
    # and in expectation dropout changes nothing: average many draws
    draws = [t.detach().expand(4000, *t.shape) for t in (q, k, v)]  # 4000 independent dropout masks at once
    mean = scaled_dot_product_attention(*draws, dropout_p=p, generator=torch.Generator().manual_seed(0)).mean(0)
    assert_close(mean, scaled_dot_product_attention(q, k, v), atol=0.05, rtol=0)
    assert not torch.allclose(out, scaled_dot_product_attention(q, k, v), atol=0.05)


def test_torch_cpu_kernel_does_not_check_k_v_lengths_but_we_do():
    q, k, v = torch.randn(2, 4, 8), torch.randn(2, 6, 8), torch.randn(2, 5, 8)
    assert F.scaled_dot_product_attention(q, k, v).shape == (2, 4, 8)  # no error from PyTorch
    for fast in (False, True):
        with pytest.raises(ValueError, match="k and v must share the length S"):
            scaled_dot_product_attention(q, k, v, fast=fast)


def test_dropout_one_gives_zeros():
    q, k, v = _qkv((1,), 3, 3, 2)
    assert (scaled_dot_product_attention(q, k, v, dropout_p=1.0) == 0).all()


# -- multi-head attention ---------------------------------------------------------------------


def _mha_pair(E=12, H=3, bias=True, kdim=None, vdim=None, seed=0):
    torch.manual_seed(seed)
    ref = torch.nn.MultiheadAttention(E, H, bias=bias, kdim=kdim, vdim=vdim, batch_first=True, dtype=D)
    if bias:  # PyTorch starts its biases at zero; random ones make the bias gradients informative
        with torch.no_grad():
            ref.in_proj_bias.normal_()
            ref.out_proj.bias.normal_()
    return ref, MultiheadAttention.from_torch(ref)


def _param_grads(ours, ref):
    """Our parameters' gradients next to the matching slices of PyTorch's."""
    E = ref.embed_dim
    if ref._qkv_same_embed_dim:
        ref_w = ref.in_proj_weight.grad.split(E)
    else:
        ref_w = (ref.q_proj_weight.grad, ref.k_proj_weight.grad, ref.v_proj_weight.grad)
    pairs = [(ours.q_proj.weight.grad, ref_w[0]), (ours.k_proj.weight.grad, ref_w[1]),
             (ours.v_proj.weight.grad, ref_w[2]), (ours.out_proj.weight.grad, ref.out_proj.weight.grad)]
    if ref.in_proj_bias is not None:
        b = ref.in_proj_bias.grad.split(E)
        pairs += [(ours.q_proj.bias.grad, b[0]), (ours.k_proj.bias.grad, b[1]), (ours.v_proj.bias.grad, b[2]),
                  (ours.out_proj.bias.grad, ref.out_proj.bias.grad)]
    return pairs


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("average", [True, False])
@pytest.mark.parametrize("masks", ["none", "padding", "causal", "padding+causal", "float (B·H, L, S)"])
@pytest.mark.parametrize("fast", [False, True])
def test_mha_matches_torch(bias, average, masks, fast):
    ref, ours = _mha_pair(bias=bias)
    B, L, S = 2, 5, 5
    g = torch.Generator().manual_seed(4)
    x = torch.randn(B, L, 12, generator=g, dtype=D, requires_grad=True)
    kpm = torch.zeros(B, S, dtype=torch.bool)
    kpm[1, 3:] = True
    ref_kw, our_kw = {}, {}
    if "padding" in masks:
        ref_kw["key_padding_mask"] = our_kw["key_padding_mask"] = kpm
    if "causal" in masks:
        ref_kw["attn_mask"] = ~causal_mask(L, S)
        our_kw["is_causal"] = True
    if masks.startswith("float"):
        ref_kw["attn_mask"] = our_kw["attn_mask"] = torch.randn(B * 3, L, S, generator=g, dtype=D)
    out_ref, w_ref = ref(x, x, x, average_attn_weights=average, **ref_kw)
    out, w = ours(x, x, x, average_attn_weights=average, **our_kw)
    assert_close(out, out_ref)
    assert_close(w, w_ref)
    grad = torch.randn(out.shape, generator=g, dtype=D)
    gx_ref, = torch.autograd.grad(out_ref, x, grad, retain_graph=True)
    out_ref.backward(grad)
    out2, w2 = ours(x, x, x, need_weights=False, fast=fast, **our_kw)
    assert w2 is None
    assert_close(out2, out_ref)
    gx, = torch.autograd.grad(out2, x, grad, retain_graph=True)
    assert_close(gx, gx_ref)
    out2.backward(grad)
    for a, b in _param_grads(ours, ref):
        assert_close(a, b)


def test_mha_cross_attention_with_other_kdim_vdim():
    ref, ours = _mha_pair(E=8, H=2, kdim=5, vdim=3)
    g = torch.Generator().manual_seed(5)
    q, k, v = (torch.randn(2, n, d, generator=g, dtype=D) for n, d in ((4, 8), (6, 5), (6, 3)))
    out_ref, w_ref = ref(q, k, v)
    out, w = ours(q, k, v)
    assert_close(out, out_ref)
    assert_close(w, w_ref)
    assert w.shape == (2, 4, 6)


def test_mha_fully_padded_sequence_zeros_here_nan_in_torch():
    ref, ours = _mha_pair(E=8, H=2)
    x = torch.randn(2, 3, 8, dtype=D)
    kpm = torch.tensor([[False, False, False], [True, True, True]])  # sequence 1 is all padding
    out_ref, _ = ref(x, x, x, key_padding_mask=kpm)
    out, w = ours(x, x, x, key_padding_mask=kpm)
    assert out_ref[1].isnan().all(), "PyTorch's behaviour changed: update the page"
    assert torch.isfinite(out).all() and (w[1] == 0).all()
    # with nothing to attend to, the heads are zero and the output is the output projection's bias
    assert_close(out[1], ours.out_proj.bias.expand(3, 8))
    assert_close(out[0], out_ref[0])


def test_mha_dropout_only_in_training():
    torch.manual_seed(0)
    mha = MultiheadAttention(8, 2, dropout=0.5, dtype=D)
    x = torch.randn(2, 4, 8, dtype=D)
    mha.eval()
    assert_close(mha(x, x, x)[0], mha(x, x, x)[0])
    mha.train()
    assert not torch.allclose(mha(x, x, x)[0], mha(x, x, x)[0])


def test_mha_heads_are_reshapes_of_one_projection():
    _, ours = _mha_pair(E=12, H=3)
    x = torch.randn(2, 4, 12, dtype=D)
    _, A = ours(x, x, x, average_attn_weights=False)  # (B, H, L, S)
    q, k = ours.q_proj(x), ours.k_proj(x)
    for h in range(3):
        cols = slice(4 * h, 4 * (h + 1))  # head h owns features 4h … 4h+3
        assert_close(A[:, h], torch.softmax(q[..., cols] @ k[..., cols].transpose(1, 2) / 2.0, dim=-1))


def test_mha_repr_shows_its_shape():
    assert "embed_dim=12, num_heads=3, head_dim=4" in repr(MultiheadAttention(12, 3))


# -- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fast", [False, True])
@pytest.mark.parametrize("case,error,message", [
    ("head dims", ValueError, r"q and k must share the last dim E; got q \(2, 4, 8\) and k \(2, 6, 5\)"),
    ("k/v length", ValueError, r"k and v must share the length S .* k \(2, 6, 8\) and v \(2, 5, 8\)"),
    ("batch", ValueError, r"cannot broadcast; got q \(2, 4, 8\), k \(3, 6, 8\), v \(3, 6, 8\)"),
    ("mask shape", ValueError, r"attn_mask of shape \(4, 5\) cannot broadcast to the scores' shape \(2, 4, 6\)"),
    ("mask enlarges", ValueError, r"attn_mask of shape \(3, 2, 4, 6\) cannot broadcast"),
    ("1-D mask", ValueError, r"attn_mask of shape \(6,\) cannot broadcast"),
    ("mask dtype", TypeError, r"attn_mask must be bool .* got dtype torch.int64"),
    ("qkv dtypes", TypeError, r"q, k and v must share one dtype; got q torch.float64 and k torch.float32"),
    ("integer q", TypeError, r"q must be a floating-point tensor; got dtype torch.int64"),
    ("1-D q", ValueError, r"q must have at least 2 dims .* got shape \(8,\)"),
    ("not a tensor", TypeError, r"k must be a torch.Tensor; got list"),
    ("mask and causal", ValueError, r"either attn_mask or is_causal"),
    ("dropout", ValueError, r"dropout_p must be a finite number in \[0\.0, 1\.0\]; got 1\.5"),
])
def test_bad_input_names_the_shapes(fast, case, error, message):
    q, k, v = _qkv((2,), 4, 6, 8)
    kwargs = {}
    if case == "head dims":
        k = k[..., :5]
    elif case == "k/v length":
        v = v[:, :5]
    elif case == "batch":
        k, v = torch.randn(3, 6, 8, dtype=D), torch.randn(3, 6, 8, dtype=D)
    elif case == "mask shape":
        kwargs["attn_mask"] = torch.ones(4, 5, dtype=torch.bool)
    elif case == "mask enlarges":
        kwargs["attn_mask"] = torch.ones(3, 2, 4, 6, dtype=torch.bool)
    elif case == "1-D mask":
        kwargs["attn_mask"] = torch.ones(6, dtype=torch.bool)
    elif case == "mask dtype":
        kwargs["attn_mask"] = torch.ones(4, 6, dtype=torch.int64)
    elif case == "qkv dtypes":
        k = k.float()
    elif case == "integer q":
        q = torch.ones(2, 4, 8, dtype=torch.int64)
    elif case == "1-D q":
        q = torch.randn(8, dtype=D)
    elif case == "not a tensor":
        k = k.tolist()
    elif case == "mask and causal":
        kwargs = {"attn_mask": torch.ones(4, 6, dtype=torch.bool), "is_causal": True}
    elif case == "dropout":
        kwargs["dropout_p"] = 1.5
    with pytest.raises(error, match=message):
        scaled_dot_product_attention(q, k, v, fast=fast, **kwargs)


def test_attention_weights_bad_input():
    with pytest.raises(ValueError, match=r"got q \(3, 4\) and k \(3, 5\)"):
        attention_weights(torch.randn(3, 4), torch.randn(3, 5))


@pytest.mark.parametrize("call,error,message", [
    (lambda m, x: m(x[..., :6], x, x), ValueError, r"query must have shape \(B, length, 8\) .* got \(2, 4, 6\)"),
    (lambda m, x: m(x, x[:1], x[:1]), ValueError, r"share the batch size B; got query \(2, 4, 8\), key \(1, 4, 8\)"),
    (lambda m, x: m(x, x, x[:, :3]), ValueError, r"key and value must share the length S; got key \(2, 4, 8\) and value \(2, 3, 8\)"),
    (lambda m, x: m(x[0], x[0], x[0]), ValueError, r"batch first\); got \(4, 8\)"),
    (lambda m, x: m(x.float(), x.float(), x.float()), TypeError, r"query has dtype torch.float32 but the layer's parameters are torch.float64"),
    (lambda m, x: m(x, x, x, key_padding_mask=torch.zeros(2, 3, dtype=torch.bool)), ValueError,
     r"key_padding_mask must have shape \(B, S\) = \(2, 4\); got \(2, 3\)"),
    (lambda m, x: m(x, x, x, attn_mask=torch.zeros(3, 4, 4, dtype=torch.bool)), ValueError,
     r"attn_mask must have shape \(L, S\) = \(4, 4\) or \(B·H, L, S\) = \(4, 4, 4\); got \(3, 4, 4\)"),
    (lambda m, x: m(x, x, x, attn_mask=torch.zeros(4, 4, dtype=torch.int32)), TypeError, r"got dtype torch.int32"),
    (lambda m, x: m(x, x, x, key_padding_mask=torch.zeros(2, 4, dtype=torch.int64)), TypeError, r"got dtype torch.int64"),
    (lambda m, x: m(x, x, x, attn_mask=torch.zeros(4, 4, dtype=torch.bool), is_causal=True), ValueError, r"not both"),
])
def test_mha_bad_input(call, error, message):
    mha = MultiheadAttention(8, 2, dtype=D)
    with pytest.raises(error, match=message):
        call(mha, torch.randn(2, 4, 8, dtype=D))


@pytest.mark.parametrize("E,H,match", [(10, 3, "embed_dim=10, num_heads=3"), (0, 1, "embed_dim must be an int >= 1; got 0"),
                                       (8, 0, "num_heads must be an int >= 1; got 0")])
def test_mha_bad_construction(E, H, match):
    with pytest.raises(ValueError, match=match):
        MultiheadAttention(E, H)


@pytest.mark.parametrize("add_bias_kv, add_zero_attn", [(True, False), (False, True), (True, True)])
def test_from_torch_copies_bias_kv_and_zero_attn(add_bias_kv, add_zero_attn):
    torch.manual_seed(0)
    ref = torch.nn.MultiheadAttention(8, 2, add_bias_kv=add_bias_kv, add_zero_attn=add_zero_attn,
                                      batch_first=True, dtype=torch.float64)
    ours = MultiheadAttention.from_torch(ref)
    x = torch.randn(3, 5, 8, dtype=torch.float64)
    pad = torch.tensor([[False] * 5, [False] * 3 + [True] * 2, [False] * 4 + [True]])
    out, A = ours(x, x, x, key_padding_mask=pad)
    out_ref, A_ref = ref(x, x, x, key_padding_mask=pad)
    torch.testing.assert_close(out, out_ref)
    torch.testing.assert_close(A, A_ref)
    assert A.shape[-1] == 5 + add_bias_kv + add_zero_attn


def test_module_exports():
    assert set(attention.__all__) == {"causal_mask", "attention_weights", "scaled_dot_product_attention",
                                      "MultiheadAttention"}
