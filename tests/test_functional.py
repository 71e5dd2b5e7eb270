"""Tests for dlref.functional: every forward against PyTorch, every backward against autograd
(float64, several shapes), and the input errors of each public function."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.testing import assert_close

from dlref import functional

TF = torch.nn.functional
f64 = torch.float64


def randn(*shape: int, seed: int = 0) -> torch.Tensor:
    return torch.randn(shape, dtype=f64, generator=torch.Generator().manual_seed(seed))


def vjp(fn, x: torch.Tensor, grad_out: torch.Tensor) -> torch.Tensor:
    """Autograd's vector-Jacobian product ``gradᵀ ∂fn/∂x`` in float64."""
    x = x.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(fn(x), x, grad_out)
    return g


def loss_grad(fn, x: torch.Tensor) -> torch.Tensor:
    x = x.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(fn(x), x)
    return g


SHAPES = [(5,), (3, 4), (2, 3, 4), (1, 1)]
BATCHED = [(7,), (4, 7), (1, 3)]  # (C,) single vector, (B, C) batches


# --------------------------------------------------------------------------- linear


@pytest.mark.parametrize("B, D, K", [(1, 1, 1), (4, 3, 5), (8, 6, 2)])
def test_linear_matches_torch_and_backward_matches_autograd(B, D, K):
    x, W, b = randn(B, D, seed=1), randn(K, D, seed=2), randn(K, seed=3)
    z = functional.linear(x, W, b)
    assert_close(z, TF.linear(x, W, b))
    u = randn(B, K, seed=4)
    gx, gW, gb = functional.linear_backward(u, x, W)
    assert_close(gx, vjp(lambda x_: functional.linear(x_, W, b), x, u))
    assert_close(gW, vjp(lambda W_: functional.linear(x, W_, b), W, u))
    assert_close(gb, vjp(lambda b_: functional.linear(x, W, b_), b, u))


def test_linear_single_vector_and_no_bias():
    x, W = randn(3, seed=1), randn(2, 3, seed=2)
    assert_close(functional.linear(x, W), W @ x)
    u = randn(2, seed=3)
    gx, gW, gb = functional.linear_backward(u, x, W)
    assert_close(gx, W.T @ u)
    assert_close(gW, torch.outer(u, x))
    assert_close(gb, u)


def test_linear_bad_inputs():
    x, W, b = randn(4, 3), randn(5, 3), randn(5)
    with pytest.raises(ValueError, match=r"x must be \(..., D\).*got x \(4, 2\)"):
        functional.linear(randn(4, 2), W, b)
    with pytest.raises(ValueError, match="W must be a matrix"):
        functional.linear(x, randn(5, 3, 1), b)
    with pytest.raises(ValueError, match=r"b must have shape \(K,\) = \(5,\); got \(4,\)"):
        functional.linear(x, W, randn(4))
    with pytest.raises(TypeError, match="x must be a floating-point tensor; got dtype torch.int64"):
        functional.linear(torch.ones(4, 3, dtype=torch.int64), W, b)
    with pytest.raises(TypeError, match="x and W must share a dtype"):
        functional.linear(x.float(), W, b)
    with pytest.raises(TypeError, match="W must be a torch.Tensor; got list"):
        functional.linear(x, [[1.0, 2.0, 3.0]], b)


def test_linear_backward_mismatched_batch():
    x, W = randn(4, 3), randn(5, 3)
    with pytest.raises(ValueError, match=r"grad_z must be \(B, K\).*grad_z \(3, 5\)"):
        functional.linear_backward(randn(3, 5), x, W)
    with pytest.raises(ValueError, match="grad_z must be"):
        functional.linear_backward(randn(4, 2), x, W)


# --------------------------------------------------------------------------- relu


@pytest.mark.parametrize("shape", SHAPES)
def test_relu_and_backward(shape):
    z = randn(*shape, seed=5)
    assert_close(functional.relu(z), TF.relu(z))
    g = randn(*shape, seed=6)
    assert_close(functional.relu_backward(g, z), vjp(functional.relu, z, g))


def test_relu_backward_at_zero_is_zero_like_autograd():
    z = torch.tensor([-1.0, 0.0, 2.0], dtype=f64)
    assert_close(functional.relu_backward(torch.ones(3, dtype=f64), z), torch.tensor([0.0, 0.0, 1.0], dtype=f64))


def test_relu_bad_inputs():
    with pytest.raises(TypeError, match="z must be a floating-point tensor"):
        functional.relu(torch.arange(3))
    with pytest.raises(ValueError, match=r"same shape; got \(3,\) and \(4,\)"):
        functional.relu_backward(randn(3), randn(4))


# --------------------------------------------------------------------------- softmax family


@pytest.mark.parametrize("shape", BATCHED + [(2, 3, 5)])
def test_softmax_and_log_softmax_match_torch(shape):
    a = 10 * randn(*shape, seed=7)
    assert_close(functional.softmax(a), TF.softmax(a, dim=-1))
    assert_close(functional.log_softmax(a), TF.log_softmax(a, dim=-1))
    g = randn(*shape, seed=8)
    assert_close(functional.log_softmax_backward(g, a), vjp(functional.log_softmax, a, g))


def test_softmax_and_log_softmax_extreme_logits_are_finite():
    a = torch.tensor([[1000.0, 0.0, -1000.0]], dtype=torch.float32)
    assert torch.isfinite(functional.softmax(a)).all()
    assert_close(functional.log_softmax(a), torch.tensor([[0.0, -1000.0, -2000.0]]))


def test_log_softmax_bad_inputs():
    with pytest.raises(ValueError, match="class dimension"):
        functional.log_softmax(torch.tensor(1.0))
    with pytest.raises(TypeError, match="dtype torch.int64"):
        functional.log_softmax(torch.arange(3))
    with pytest.raises(ValueError, match="same shape"):
        functional.log_softmax_backward(randn(2, 3), randn(2, 4))


@pytest.mark.parametrize("B, C", [(1, 2), (5, 3), (16, 10)])
def test_softmax_cross_entropy_indices_and_probabilities(B, C):
    a = 3 * randn(B, C, seed=9)
    y = torch.randint(0, C, (B,), generator=torch.Generator().manual_seed(10))
    assert_close(functional.softmax_cross_entropy(a, y), TF.cross_entropy(a, y))
    Y = TF.one_hot(y, C).to(f64)
    assert_close(functional.softmax_cross_entropy(a, Y), TF.cross_entropy(a, y))
    soft = TF.softmax(randn(B, C, seed=11), dim=-1)
    assert_close(functional.softmax_cross_entropy(a, soft), TF.cross_entropy(a, soft))
    for target in (y, Y, soft):
        assert_close(functional.softmax_cross_entropy_backward(a, target),
                     loss_grad(lambda a_, t=target: functional.softmax_cross_entropy(a_, t), a))


def test_softmax_cross_entropy_single_vector_gradient_is_p_minus_y():
    a, y = randn(4, seed=12), torch.tensor(1)
    p = TF.softmax(a, dim=-1)
    expected = p - TF.one_hot(y, 4).to(f64)
    assert_close(functional.softmax_cross_entropy_backward(a, y), expected)
    assert_close(functional.softmax_cross_entropy_backward(a, y), loss_grad(lambda a_: functional.softmax_cross_entropy(a_, y), a))


def test_softmax_cross_entropy_bad_inputs():
    a = randn(4, 3)
    with pytest.raises(ValueError, match=r"class indices must lie in \[0, 2\]; got min 0, max 3"):
        functional.softmax_cross_entropy(a, torch.tensor([0, 1, 2, 3]))
    with pytest.raises(ValueError, match=r"class indices must lie in \[0, 2\]; got min -1"):
        functional.softmax_cross_entropy(a, torch.tensor([0, -1, 2, 1]))
    with pytest.raises(ValueError, match=r"must have shape \(4,\).*got \(5,\)"):
        functional.softmax_cross_entropy(a, torch.zeros(5, dtype=torch.int64))  # mismatched batch
    with pytest.raises(ValueError, match=r"probability targets must have the logits' shape \(4, 3\); got \(5, 3\)"):
        functional.softmax_cross_entropy(a, randn(5, 3))
    with pytest.raises(TypeError, match="a must be a floating-point tensor"):
        functional.softmax_cross_entropy(torch.zeros(4, 3, dtype=torch.int64), torch.zeros(4, dtype=torch.int64))
    with pytest.raises(TypeError, match="y must be a torch.Tensor; got list"):
        functional.softmax_cross_entropy(a, [0, 1, 2, 0])
    with pytest.raises(ValueError, match="class indices"):
        functional.softmax_cross_entropy_backward(a, torch.tensor([0, 1, 2, 7]))


# --------------------------------------------------------------------------- sigmoid, tanh


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("op, backward, reference", [
    (functional.sigmoid, functional.sigmoid_backward, torch.sigmoid),
    (functional.tanh, functional.tanh_backward, torch.tanh),
])
def test_squashing_forward_and_backward(shape, op, backward, reference):
    a = 4 * randn(*shape, seed=13)
    assert_close(op(a), reference(a))
    g = randn(*shape, seed=14)
    assert_close(backward(g, a), vjp(op, a, g))
    assert_close(backward(g, a), vjp(reference, a, g))


def test_sigmoid_extreme_logits():
    a = torch.tensor([-1000.0, -40.0, 0.0, 40.0, 1000.0], dtype=f64)
    s = functional.sigmoid(a)
    assert torch.isfinite(s).all()
    assert_close(s, torch.sigmoid(a))
    assert s[1].item() == pytest.approx(math.exp(-40), rel=1e-12)  # relative precision kept for a ≪ 0
    assert_close(functional.sigmoid_backward(torch.ones(5, dtype=f64), a), vjp(torch.sigmoid, a, torch.ones(5, dtype=f64)))


@pytest.mark.parametrize("op", [functional.sigmoid, functional.tanh])
def test_squashing_bad_inputs(op):
    with pytest.raises(TypeError, match="a must be a floating-point tensor; got dtype torch.int64"):
        op(torch.arange(3))
    with pytest.raises(TypeError, match="a must be a torch.Tensor; got float"):
        op(0.5)


@pytest.mark.parametrize("backward", [functional.sigmoid_backward, functional.tanh_backward])
def test_squashing_backward_bad_inputs(backward):
    with pytest.raises(ValueError, match=r"same shape; got .* \(3,\) and a \(4,\)"):
        backward(randn(3), randn(4))
    with pytest.raises(TypeError, match="floating-point"):
        backward(torch.ones(3, dtype=torch.int64), randn(3))


# --------------------------------------------------------------------------- binary cross-entropy


def labels(*shape: int, seed: int = 0) -> torch.Tensor:
    return torch.randint(0, 2, shape, generator=torch.Generator().manual_seed(seed)).to(f64)


@pytest.mark.parametrize("shape", SHAPES)
def test_binary_cross_entropy_matches_torch_and_autograd(shape):
    a, y = 3 * randn(*shape, seed=15), labels(*shape, seed=16)
    p = torch.sigmoid(a)
    assert_close(functional.binary_cross_entropy(p, y), TF.binary_cross_entropy(p, y))
    assert_close(functional.binary_cross_entropy_backward(p, y), loss_grad(lambda p_: functional.binary_cross_entropy(p_, y), p))
    assert_close(functional.binary_cross_entropy_with_logits(a, y), TF.binary_cross_entropy_with_logits(a, y))
    assert_close(functional.binary_cross_entropy_with_logits(a, y), functional.binary_cross_entropy(p, y))
    assert_close(functional.binary_cross_entropy_with_logits_backward(a, y),
                 loss_grad(lambda a_: TF.binary_cross_entropy_with_logits(a_, y), a))
    assert_close(functional.binary_cross_entropy_with_logits_backward(a, y),
                 loss_grad(lambda a_: functional.binary_cross_entropy_with_logits(a_, y), a))


def test_binary_cross_entropy_soft_targets():
    a, y = randn(6, seed=17), torch.rand(6, dtype=f64, generator=torch.Generator().manual_seed(18))
    assert_close(functional.binary_cross_entropy_with_logits(a, y), TF.binary_cross_entropy_with_logits(a, y))
    assert_close(functional.binary_cross_entropy(torch.sigmoid(a), y), TF.binary_cross_entropy(torch.sigmoid(a), y))


def test_bce_with_logits_backward_is_sigma_minus_y_over_B():
    B = 5
    a, y = randn(B, seed=19), labels(B, seed=20)
    assert_close(functional.binary_cross_entropy_with_logits_backward(a, y), (torch.sigmoid(a) - y) / B)


def test_binary_cross_entropy_extreme_values():
    y = torch.tensor([0.0, 1.0, 1.0, 0.0], dtype=f64)
    a = torch.tensor([1000.0, -1000.0, 40.0, -40.0], dtype=f64)
    exact = torch.tensor([1000.0, 1000.0, math.log1p(math.exp(-40)), math.log1p(math.exp(-40))], dtype=f64)
    for i in range(4):
        assert_close(functional.binary_cross_entropy_with_logits(a[i:i + 1], y[i:i + 1]), exact[i], rtol=1e-14, atol=0)
    # From probabilities, the exact loss of a certain wrong prediction is infinite; torch clamps it.
    assert functional.binary_cross_entropy(torch.tensor([0.0], dtype=f64), torch.tensor([1.0], dtype=f64)).item() == math.inf
    # A certain right prediction costs exactly 0 (no 0 · log 0 = nan).
    assert functional.binary_cross_entropy(torch.tensor([1.0, 0.0], dtype=f64), torch.tensor([1.0, 0.0], dtype=f64)).item() == 0.0


def test_binary_cross_entropy_bad_inputs():
    p, y = torch.full((3,), 0.5, dtype=f64), torch.tensor([0.0, 1.0, 1.0], dtype=f64)
    with pytest.raises(ValueError, match=r"p must hold probabilities in \[0, 1\]; got values in \[-0.1, 0.5\]"):
        functional.binary_cross_entropy(torch.tensor([0.5, -0.1, 0.5], dtype=f64), y)
    with pytest.raises(ValueError, match=r"p must hold probabilities in \[0, 1\]; got values in \[0.5, 1.5\]"):
        functional.binary_cross_entropy_backward(torch.tensor([0.5, 1.5, 0.5], dtype=f64), y)
    with pytest.raises(ValueError, match="y must hold probabilities"):
        functional.binary_cross_entropy(p, torch.tensor([0.0, 2.0, 1.0], dtype=f64))
    with pytest.raises(ValueError, match="y must hold probabilities"):
        functional.binary_cross_entropy_with_logits(randn(3), torch.tensor([0.0, -1.0, 1.0], dtype=f64))
    with pytest.raises(ValueError, match=r"p and y must have the same shape; got p \(3,\) and y \(4,\)"):
        functional.binary_cross_entropy(p, torch.zeros(4, dtype=f64))  # mismatched batch
    with pytest.raises(ValueError, match=r"a and y must have the same shape; got a \(3,\) and y \(3, 1\)"):
        functional.binary_cross_entropy_with_logits(randn(3), torch.zeros(3, 1, dtype=f64))
    with pytest.raises(TypeError, match=r"y must be a floating-point tensor; got dtype torch.int64"):
        functional.binary_cross_entropy_with_logits(randn(3), torch.tensor([0, 1, 1]))
    with pytest.raises(TypeError, match="p must be a floating-point tensor"):
        functional.binary_cross_entropy(torch.tensor([0, 1, 1]), y)
    with pytest.raises(TypeError, match="a must be a floating-point tensor"):
        functional.binary_cross_entropy_with_logits_backward(torch.tensor([0, 1, 1]), y)
    with pytest.raises(ValueError, match="same shape"):
        functional.binary_cross_entropy_with_logits_backward(randn(2), y)


# --------------------------------------------------------------------------- mse


@pytest.mark.parametrize("shape", SHAPES)
def test_mse_matches_torch_and_autograd(shape):
    yhat, y = randn(*shape, seed=21), randn(*shape, seed=22)
    assert_close(functional.mse(yhat, y), TF.mse_loss(yhat, y))
    assert_close(functional.mse_backward(yhat, y), loss_grad(lambda t: functional.mse(t, y), yhat))
    assert_close(functional.mse_backward(yhat, y), loss_grad(lambda t: TF.mse_loss(t, y), yhat))


def test_mse_bad_inputs():
    with pytest.raises(ValueError, match=r"yhat and y must have the same shape; got yhat \(4, 1\) and y \(4,\)"):
        functional.mse(randn(4, 1), randn(4))  # a classic broadcasting trap, refused
    with pytest.raises(ValueError, match="same shape"):
        functional.mse_backward(randn(3), randn(5))
    with pytest.raises(TypeError, match="yhat must be a floating-point tensor"):
        functional.mse(torch.arange(3), randn(3))
    with pytest.raises(TypeError, match="y must be a floating-point tensor"):
        functional.mse(randn(3), torch.arange(3))


# --------------------------------------------------------------------------- property-based


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 5), min_size=1, max_size=3), seed=st.integers(0, 2**16), scale=st.sampled_from([0.1, 1.0, 30.0]))
def test_backwards_match_autograd_for_any_shape(shape, seed, scale):
    a = scale * randn(*shape, seed=seed)
    y = labels(*shape, seed=seed + 1)
    g = randn(*shape, seed=seed + 2)
    assert_close(functional.sigmoid_backward(g, a), vjp(torch.sigmoid, a, g))
    assert_close(functional.tanh_backward(g, a), vjp(torch.tanh, a, g))
    assert_close(functional.log_softmax_backward(g, a), vjp(lambda t: TF.log_softmax(t, dim=-1), a, g))
    assert_close(functional.binary_cross_entropy_with_logits(a, y), TF.binary_cross_entropy_with_logits(a, y))
    assert_close(functional.binary_cross_entropy_with_logits_backward(a, y),
                 loss_grad(lambda t: TF.binary_cross_entropy_with_logits(t, y), a))
    assert_close(functional.mse_backward(a, g), loss_grad(lambda t: TF.mse_loss(t, g), a))
    C = shape[-1]
    idx = torch.randint(0, C, tuple(shape[:-1]), generator=torch.Generator().manual_seed(seed + 3))
    if len(shape) <= 2:  # softmax_cross_entropy takes (C,) or (B, C)
        assert_close(functional.softmax_cross_entropy_backward(a, idx),
                     loss_grad(lambda t: functional.softmax_cross_entropy(t, idx), a))
        ref = TF.cross_entropy(a.reshape(-1, C), idx.reshape(-1))
        assert_close(functional.softmax_cross_entropy(a, idx), ref)


# --------------------------------------------------------------------------- regressions (PyTorch-inputs issue)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_sigmoid_autograd_at_zero_and_extreme_logits(dtype):
    # Was: σ'(0) = 0 through autograd, from the |a| in e^{−|a|}.
    a = torch.tensor([0.0, 100.0, -100.0, 1000.0, -1000.0], dtype=dtype)
    ones = torch.ones(5, dtype=dtype)
    got = vjp(functional.sigmoid, a, ones)
    assert got[0].item() == 0.25
    assert torch.isfinite(got).all()
    assert_close(got, vjp(torch.sigmoid, a, ones))
    assert_close(got, functional.sigmoid_backward(ones, a))


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_bce_with_logits_autograd_at_zero_and_extreme_logits(dtype):
    # Was: −y/N at logit 0 (a zero-initialised output layer's first step) instead of (½ − y)/N.
    a = torch.tensor([0.0, 0.0, 100.0, -100.0, 1000.0, -1000.0], dtype=dtype)
    y = torch.tensor([0.0, 1.0, 0.0, 1.0, 1.0, 0.0], dtype=dtype)
    got = loss_grad(lambda t: functional.binary_cross_entropy_with_logits(t, y), a)
    assert_close(got[:2], (0.5 - y[:2]) / 6)
    assert_close(got, functional.binary_cross_entropy_with_logits_backward(a, y))
    assert_close(got, loss_grad(lambda t: TF.binary_cross_entropy_with_logits(t, y), a))
    assert_close(functional.binary_cross_entropy_with_logits(a, y), TF.binary_cross_entropy_with_logits(a, y))


def test_softplus_form_keeps_tiny_losses():
    # y = 0 at a ≪ 0 and y = 1 at a ≫ 0: the loss is log1p(e^{−|a|}), not 0 after a cancellation.
    a = torch.tensor([-50.0, 50.0], dtype=f64)
    y = torch.tensor([0.0, 1.0], dtype=f64)
    per = functional.binary_cross_entropy_with_logits(a, y, reduction="none")
    assert_close(per, torch.full((2,), math.log1p(math.exp(-50)), dtype=f64), rtol=1e-14, atol=0)


def test_relu_autograd_at_zero_matches_backward():
    # Was: torch.clamp passes the gradient at 0 while relu_backward (and torch.relu) give 0.
    z = torch.tensor([-1.0, 0.0, 2.0], dtype=f64)
    g = torch.ones(3, dtype=f64)
    assert_close(vjp(functional.relu, z, g), functional.relu_backward(g, z))
    assert_close(vjp(functional.relu, z, g), vjp(torch.relu, z, g))


def test_binary_cross_entropy_backward_finite_where_forward_is():
    # Was: NaN at p = 0, y = 0 (0/0) although the loss is 0 there; the gradient is (1 − y)/(1 − p)/N = 1/N.
    p = torch.tensor([0.0, 1.0, 0.3], dtype=f64)
    y = torch.tensor([0.0, 1.0, 0.0], dtype=f64)
    assert torch.isfinite(functional.binary_cross_entropy(p, y))
    got = functional.binary_cross_entropy_backward(p, y)
    assert_close(got, torch.tensor([1.0, -1.0, 1 / 0.7], dtype=f64) / 3)
    assert_close(got, loss_grad(lambda t: functional.binary_cross_entropy(t, y), p))  # autograd through dlref's forward too


def test_softmax_cross_entropy_soft_rows_need_not_sum_to_one():
    # Was: the backward assumed Σ_c y_c = 1 and returned p − y; the gradient is p Σ_c y_c − y.
    a = randn(4, 3, seed=30)
    y = torch.rand(4, 3, dtype=f64, generator=torch.Generator().manual_seed(31))
    assert_close(functional.softmax_cross_entropy(a, y), TF.cross_entropy(a, y))
    want = loss_grad(lambda t: TF.cross_entropy(t, y), a)
    assert_close(functional.softmax_cross_entropy_backward(a, y), want)
    assert_close(functional.softmax_cross_entropy_backward(a, y), loss_grad(lambda t: functional.softmax_cross_entropy(t, y), a))


@pytest.mark.parametrize("soft", [False, True])
def test_softmax_cross_entropy_spatial_layout_is_pytorchs(soft):
    # Classes in dim 1 as in PyTorch: (B, C, T). Was: the backward divided by B where the forward averaged over B·T.
    B, C, T = 2, 3, 5
    a = randn(B, C, T, seed=32)
    y = (torch.softmax(randn(B, C, T, seed=33), 1) if soft
         else torch.randint(0, C, (B, T), generator=torch.Generator().manual_seed(34)))
    assert_close(functional.softmax_cross_entropy(a, y), TF.cross_entropy(a, y))
    assert_close(functional.softmax_cross_entropy_backward(a, y), loss_grad(lambda t: TF.cross_entropy(t, y), a))
    assert_close(functional.softmax_cross_entropy_backward(a, y), loss_grad(lambda t: functional.softmax_cross_entropy(t, y), a))


def test_softmax_cross_entropy_sequence_logits_classes_last_are_refused():
    # (B, T, C) logits with (B, T) targets cannot be read in PyTorch's layout: a clear error saying what to do.
    a, y = randn(2, 5, 3, seed=35), torch.zeros(2, 5, dtype=torch.int64)
    with pytest.raises(ValueError, match=r"y: class-index targets must have shape \(2, 3\).*a\.transpose\(1, 2\)"):
        functional.softmax_cross_entropy(a, y)
    assert_close(functional.softmax_cross_entropy(a.transpose(1, 2), y), TF.cross_entropy(a.reshape(-1, 3), y.reshape(-1)))


def test_softmax_over_an_empty_dim_is_a_clear_error():
    for op in (functional.softmax, functional.log_softmax):
        with pytest.raises(ValueError, match=r"a must not be empty along the class dim 1"):
            op(torch.empty(2, 0, dtype=f64))
        assert op(torch.empty(0, 3, dtype=f64)).shape == (0, 3)  # no rows: fine, as in PyTorch


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_dim_and_backward(dim):
    a, g = 3 * randn(4, 5, seed=36), randn(4, 5, seed=37)
    assert_close(functional.softmax(a, dim), TF.softmax(a, dim))
    assert_close(functional.log_softmax(a, dim), TF.log_softmax(a, dim))
    assert_close(functional.softmax_backward(g, a, dim), vjp(lambda t: TF.softmax(t, dim), a, g))
    assert_close(functional.log_softmax_backward(g, a, dim), vjp(lambda t: TF.log_softmax(t, dim), a, g))
    assert_close(vjp(lambda t: functional.softmax(t, dim), a, g), vjp(lambda t: TF.softmax(t, dim), a, g))
    with pytest.raises(ValueError, match=r"dim must lie in \[-2, 1\]"):
        functional.softmax(a, 2)


# --------------------------------------------------------------------------- what users reach for


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("soft", [False, True])
def test_softmax_cross_entropy_options_match_torch_and_autograd(reduction, smoothing, weighted, soft):
    B, C, T = 4, 3, 2
    a = 2 * randn(B, C, T, seed=40)
    w = torch.rand(C, dtype=f64, generator=torch.Generator().manual_seed(41)) + 0.5 if weighted else None
    if soft:
        y, kw = torch.softmax(randn(B, C, T, seed=42), 1), {}
    else:
        y = torch.randint(0, C, (B, T), generator=torch.Generator().manual_seed(43))
        y[0, 0] = y[2, 1] = -100 if not weighted else 1
        kw = {"ignore_index": -100 if not weighted else 1}
    kw |= dict(weight=w, reduction=reduction, label_smoothing=smoothing)
    want = TF.cross_entropy(a, y, **kw)
    assert_close(functional.softmax_cross_entropy(a, y, **kw), want)
    g = randn(*want.shape, seed=44)
    want_grad = vjp(lambda t: TF.cross_entropy(t, y, **kw), a, g)
    assert_close(functional.softmax_cross_entropy_backward(a, y, **kw, grad_loss=g), want_grad)
    assert_close(vjp(lambda t: functional.softmax_cross_entropy(t, y, **kw), a, g), want_grad)


def test_label_smoothing_gradient_is_p_minus_smoothed_target():
    # With ε: ∇ℓ = p − ((1 − ε) y + ε/C) — the one-line change of p − y.
    a, C, eps = randn(5, seed=45), 5, 0.1
    y = torch.tensor(2)
    q = (1 - eps) * TF.one_hot(y, C).to(f64) + eps / C
    assert_close(functional.softmax_cross_entropy_backward(a, y, label_smoothing=eps), torch.softmax(a, 0) - q)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_with_logits_weight_and_pos_weight(reduction):
    a = 3 * randn(4, 3, seed=46)
    y = torch.rand(4, 3, dtype=f64, generator=torch.Generator().manual_seed(47))
    kw = dict(weight=torch.rand(1, 3, dtype=f64) + 0.5, pos_weight=torch.tensor([0.5, 2.0, 3.0], dtype=f64),
              reduction=reduction)
    want = TF.binary_cross_entropy_with_logits(a, y, **kw)
    assert_close(functional.binary_cross_entropy_with_logits(a, y, **kw), want)
    g = randn(*want.shape, seed=48)
    want_grad = vjp(lambda t: TF.binary_cross_entropy_with_logits(t, y, **kw), a, g)
    assert_close(functional.binary_cross_entropy_with_logits_backward(a, y, **kw, grad_loss=g), want_grad)
    assert_close(vjp(lambda t: functional.binary_cross_entropy_with_logits(t, y, **kw), a, g), want_grad)


@pytest.mark.parametrize("shape", [(2, 5, 3), (2, 1, 2, 1, 3), (0, 3)])
def test_linear_any_leading_dims(shape):
    x, W, b = randn(*shape, seed=49), randn(4, 3, seed=50), randn(4, seed=51)
    z = functional.linear(x, W, b)
    assert_close(z, TF.linear(x, W, b))
    u = randn(*z.shape, seed=52)
    gx, gW, gb = functional.linear_backward(u, x, W)
    assert_close(gx, vjp(lambda t: TF.linear(t, W, b), x, u))
    assert_close(gW, vjp(lambda t: TF.linear(x, t, b), W, u))
    assert_close(gb, vjp(lambda t: TF.linear(x, W, t), b, u))


def test_loss_option_bad_inputs():
    a, y = randn(4, 3), torch.tensor([0, 1, 2, 0])
    with pytest.raises(ValueError, match="reduction must be one of 'mean', 'sum', 'none'; got 'avg'"):
        functional.softmax_cross_entropy(a, y, reduction="avg")
    with pytest.raises(ValueError, match=r"label_smoothing must be a finite number in \[0.0, 1.0\]; got 1.5"):
        functional.softmax_cross_entropy(a, y, label_smoothing=1.5)
    with pytest.raises(ValueError, match=r"weight must have shape \(C,\) = \(3,\)"):
        functional.softmax_cross_entropy(a, y, weight=randn(4))
    with pytest.raises(TypeError, match="ignore_index must be an int"):
        functional.softmax_cross_entropy(a, y, ignore_index=1.0)
    with pytest.raises(ValueError, match="ignore_index applies to class-index targets only"):
        functional.softmax_cross_entropy(a, torch.softmax(a, 1), ignore_index=0)
    with pytest.raises(ValueError, match=r"grad_loss must be a scalar for reduction='mean'"):
        functional.softmax_cross_entropy_backward(a, y, grad_loss=randn(4))
    with pytest.raises(ValueError, match=r"grad_loss must have the per-element loss shape \(4,\)"):
        functional.softmax_cross_entropy_backward(a, y, reduction="none", grad_loss=randn(3))
    with pytest.raises(ValueError, match=r"pos_weight must broadcast to the input's shape \(4, 3\); got \(4,\)"):
        functional.binary_cross_entropy_with_logits(a, torch.zeros(4, 3, dtype=f64), pos_weight=randn(4))
    with pytest.raises(ValueError, match="reduction must be one of"):
        functional.mse(a, a, reduction=None)
