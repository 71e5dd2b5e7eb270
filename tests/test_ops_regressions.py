"""Regression tests for defects found by feeding dlref PyTorch's own test inputs.

Each test failed before its fix: a NaN in ignored padding reached the RNN state, an invalid layer
made ``measured_receptive_field`` loop forever, and tuple kernels/strides made ``max_pool2d`` and
``im2col`` fail inside Python or torch.
"""

from __future__ import annotations

import threading
import warnings

import pytest
import torch
import torch.nn.functional as F

from dlref import conv_arithmetic, conv as cb, rnn

f64 = torch.float64


def _rnn_params(B: int, D: int, K: int, seed: int = 0) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(B, K, dtype=f64, generator=g), torch.randn(K, D, dtype=f64, generator=g),
            0.5 * torch.randn(K, K, dtype=f64, generator=g), torch.randn(K, dtype=f64, generator=g)]


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_rnn_padding_values_are_ignored(bad):
    """The docstring says padding is ignored: NaN/inf there must change neither H nor any gradient."""
    B, L, D, K = 3, 5, 2, 4
    lengths = torch.tensor([5, 3, 1])
    x = torch.randn(B, L, D, dtype=f64, generator=torch.Generator().manual_seed(1))
    padded = x.clone()
    for b, n in enumerate(lengths.tolist()):
        padded[b, n:] = bad
    H_ref, cache_ref = rnn.rnn_forward(x, lengths, *_rnn_params(B, D, K))
    params = [p.requires_grad_() for p in _rnn_params(B, D, K)]
    padded.requires_grad_()
    H, cache = rnn.rnn_forward(padded, lengths, *params)
    assert torch.isfinite(H).all()
    torch.testing.assert_close(H, H_ref)
    # autograd through the forward: finite, and zero for the padded inputs
    H.square().sum().backward()
    for p in (padded, *params):
        assert torch.isfinite(p.grad).all()
    assert (padded.grad[1, 3:] == 0).all() and (padded.grad[2, 1:] == 0).all()
    # the hand-written backward agrees with autograd and is finite too
    grads = rnn.rnn_backward(2 * H.detach(), cache)
    for name, p in zip(("h0", "Wx", "Wh", "b"), params):
        torch.testing.assert_close(grads[name], p.grad)
    torch.testing.assert_close(grads["x"], padded.grad)
    assert torch.isfinite(rnn.rnn_backward(torch.ones_like(H_ref), cache_ref)["Wx"]).all()


@pytest.mark.parametrize("layers, match", [
    (lambda: [conv_arithmetic.Conv(1, 0)], "kernel_size must be an int >= 1"),
    (lambda: [conv_arithmetic.Pool(2, kind="min")], "kind must be"),
    (lambda: [conv_arithmetic.Conv(3, 3, groups=2)], "groups"),
    (lambda: [conv_arithmetic.Conv(1, 3, in_channels=4)], "expects in_channels=4"),
    (lambda: [conv_arithmetic.Conv(1, 3, stride=0)], "stride must be an int >= 1"),
])
def test_measured_receptive_field_refuses_what_analyze_refuses(layers, match):
    """Before the fix these looped forever (every ValueError was read as 'input too small').

    The layer descriptions may refuse a bad value themselves when built; either way a clear
    ValueError must come back, and quickly."""
    result: list[BaseException] = []

    def run() -> None:
        try:
            conv_arithmetic.measured_receptive_field(layers())
        except BaseException as err:  # noqa: BLE001 - handed to the main thread
            result.append(err)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=20)
    assert not worker.is_alive(), "measured_receptive_field did not return (endless loop)"
    assert result and isinstance(result[0], ValueError) and match in str(result[0])


def test_measured_receptive_field_still_measures():
    assert conv_arithmetic.measured_receptive_field([conv_arithmetic.Conv(1, 3), conv_arithmetic.Conv(1, 3, stride=2), conv_arithmetic.Conv(1, 3)]) == 9
    layers = [conv_arithmetic.Conv(1, 5, padding=2), conv_arithmetic.Pool(2), conv_arithmetic.Conv(1, 5, padding=2), conv_arithmetic.Pool(2)]
    assert conv_arithmetic.measured_receptive_field(layers) == conv_arithmetic.analyze(layers, (1, 64, 64))[-1].rf


@pytest.mark.parametrize("kernel, stride, padding, dilation", [
    ((3, 2), (2, 1), (1, 0), (1, 2)), ((2, 3), None, 0, 1), (3, (1, 2), (1, 1), 1), ((1, 2), (2, 2), 0, (2, 1)),
])
def test_max_pool2d_tuple_arguments_match_torch(kernel, stride, padding, dilation):
    X = torch.randn(2, 3, 7, 8, dtype=f64, generator=torch.Generator().manual_seed(2), requires_grad=True)
    M, idx = cb.max_pool2d(X, kernel, stride, padding, dilation)
    M_ref, idx_ref = F.max_pool2d(X, kernel, stride, padding, dilation, return_indices=True)
    torch.testing.assert_close(M, M_ref)
    assert torch.equal(idx, idx_ref)
    dM = torch.randn_like(M)
    M_ref.backward(dM)
    torch.testing.assert_close(cb.max_pool2d_backward(dM, idx, X.shape), X.grad)


@pytest.mark.parametrize("kernel, stride, padding, dilation", [
    ((3, 2), (2, 1), (1, 0), (1, 2)), ((2, 3), 1, 0, 1), (2, (1, 3), (2, 1), 2),
])
def test_im2col_col2im_tuple_arguments_match_unfold_fold(kernel, stride, padding, dilation):
    X = torch.randn(2, 3, 7, 8, dtype=f64, generator=torch.Generator().manual_seed(3))
    cols = cb.im2col(X, kernel, stride=stride, padding=padding, dilation=dilation)
    torch.testing.assert_close(cols, F.unfold(X, kernel, dilation, padding, stride))
    back = cb.col2im(cols, X.shape, kernel, stride=stride, padding=padding, dilation=dilation)
    torch.testing.assert_close(back, F.fold(cols, X.shape[2:], kernel, dilation, padding, stride))


def test_conv2d_rectangular_kernel_and_pairs_match_torch():
    g = torch.Generator().manual_seed(4)
    X = torch.randn(2, 3, 7, 6, dtype=f64, generator=g, requires_grad=True)
    W = torch.randn(4, 3, 3, 2, dtype=f64, generator=g, requires_grad=True)
    b = torch.randn(4, dtype=f64, generator=g)
    O = F.conv2d(X, W, b, stride=(2, 1), padding=(1, 2))
    torch.testing.assert_close(cb.conv2d(X, W, b, stride=(2, 1), padding=(1, 2)), O)
    torch.testing.assert_close(cb.conv2d_im2col(X, W, b, stride=(2, 1), padding=(1, 2)), O)
    dO = torch.randn_like(O)
    O.backward(dO)
    for backward in (cb.conv2d_backward, cb.conv2d_backward_im2col):
        dX, dW, _ = backward(dO, X.detach(), W.detach(), stride=(2, 1), padding=(1, 2))
        torch.testing.assert_close(dX, X.grad)
        torch.testing.assert_close(dW, W.grad)


@pytest.mark.parametrize("call, error, match", [
    (lambda: cb.max_pool2d(torch.zeros(1, 1, 4, 4), (2, 2, 2)), ValueError, "kernel_size must be an int or a pair"),
    (lambda: cb.max_pool2d(torch.zeros(1, 1, 4, 4), 2, (0, 1)), ValueError, r"stride\[0\] must be an int >= 1"),
    (lambda: cb.max_pool2d(torch.zeros(1, 1, 4, 4), 2, padding=2), ValueError, "padding must be at most half"),
    (lambda: cb.max_pool2d(torch.zeros(1, 1, 4, 4), 2.0), TypeError, "kernel_size must be an int"),
    (lambda: cb.im2col(torch.zeros(1, 1, 4, 4), (5, 1)), ValueError, "kernel 5×1 does not fit"),
    (lambda: cb.im2col(torch.zeros(1, 1, 4, 4), (2, "a")), TypeError, r"kernel_size\[1\] must be an int"),
    (lambda: cb.col2im(torch.zeros(1, 4, 9), (1, 1, 4), 2), ValueError, "input_shape must be"),
])
def test_tuple_arguments_bad_values_are_refused_clearly(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize("ceil_mode", [False, True])
def test_max_pool2d_indices_match_torch_with_inf_nan_and_ceil_mode(ceil_mode):
    """−∞ inputs tie with the −∞ padding and NaN wins: the index must still be the one torch reports."""
    g = torch.Generator().manual_seed(5)
    for H, W, k, s, p, d in [(5, 4, 3, 2, 1, 1), (7, 6, 2, 3, 1, 1), (6, 7, 3, 2, 1, 2), (3, 3, 2, 2, 0, 1)]:
        X = torch.randn(1, 2, H, W, dtype=f64, generator=g)
        X[0, 0, 0, :2] = float("-inf")
        X[0, 1, -1, :] = float("nan")
        M, idx = cb.max_pool2d(X, k, s, p, d, ceil_mode=ceil_mode)
        M_ref, idx_ref = F.max_pool2d(X, k, s, p, d, ceil_mode=ceil_mode, return_indices=True)
        torch.testing.assert_close(M, M_ref, equal_nan=True)
        assert torch.equal(idx, idx_ref), (H, W, k, s, p, d)


def test_max_pool2d_refuses_windows_of_padding_only():
    with pytest.raises(ValueError, match="holds only padding"):
        cb.max_pool2d(torch.zeros(1, 1, 8, 1), 2, 2, 1, 2)


def test_sdpa_grouped_query_attention_matches_torch():
    """enable_gqa (PyTorch's grouped-query attention) used to be refused; 4 query heads share 2 key/value heads."""
    from dlref import attention

    g = torch.Generator().manual_seed(6)
    q = torch.randn(2, 4, 3, 8, dtype=f64, generator=g, requires_grad=True)
    k = torch.randn(2, 2, 5, 8, dtype=f64, generator=g, requires_grad=True)
    v = torch.randn(2, 2, 5, 6, dtype=f64, generator=g, requires_grad=True)
    ref = F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)
    for fast in (False, True):
        out = attention.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True, fast=fast)
        torch.testing.assert_close(out, ref)
        dO = torch.randn_like(ref)
        for a, b in zip(torch.autograd.grad(out, (q, k, v), dO), torch.autograd.grad(ref, (q, k, v), dO, retain_graph=True)):
            torch.testing.assert_close(a, b)
    with pytest.raises(ValueError, match="H_kv dividing q's H_q"):
        attention.scaled_dot_product_attention(q, k[:, :1].expand(2, 3, 5, 8), v[:, :1].expand(2, 3, 5, 6), enable_gqa=True)


@pytest.mark.parametrize("kernel, dilation, groups", [((2, 3), (3, 1), 1), ((4, 4), (1, 2), 2), ((3, 3), 1, 1)])
def test_conv2d_padding_same_matches_torch_even_extents_too(kernel, dilation, groups):
    """padding='same' with an even dilated extent puts the extra zero at the bottom/right, as PyTorch does."""
    g = torch.Generator().manual_seed(7)
    X = torch.randn(2, 4, 7, 6, dtype=f64, generator=g, requires_grad=True)
    W = torch.randn(4, 4 // groups, *kernel, dtype=f64, generator=g, requires_grad=True)
    geometry = dict(padding="same", dilation=dilation, groups=groups)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch: "may require a zero-padded copy"
        O = F.conv2d(X, W, **geometry)
    assert O.shape[2:] == X.shape[2:]
    torch.testing.assert_close(cb.conv2d(X, W, **geometry), O)
    torch.testing.assert_close(cb.conv2d_im2col(X, W, **geometry), O)
    dO = torch.randn_like(O)
    O.backward(dO)
    for backward in (cb.conv2d_backward, cb.conv2d_backward_im2col):
        dX, dW, _ = backward(dO, X.detach(), W.detach(), **geometry)
        torch.testing.assert_close(dX, X.grad)
        torch.testing.assert_close(dW, W.grad)


def test_lstm_cell_with_projection_matches_torch_lstm():
    """nn.LSTM(proj_size=P): h' = W_hr (o ⊙ tanh c'); refused before (no projection in lstm_cell)."""
    from dlref import lstm

    torch.manual_seed(8)
    m = torch.nn.LSTM(3, 5, proj_size=2, batch_first=True, dtype=f64)
    x = torch.randn(2, 4, 3, dtype=f64)
    ref, (h_n, c_n) = m(x)
    h, c = torch.zeros(2, 2, dtype=f64), torch.zeros(2, 5, dtype=f64)
    out = []
    for t in range(4):
        h, c = lstm.lstm_cell(x[:, t], h, c, m.weight_ih_l0, m.weight_hh_l0, m.bias_ih_l0, m.bias_hh_l0, m.weight_hr_l0)
        out.append(h)
    torch.testing.assert_close(torch.stack(out, 1), ref)
    torch.testing.assert_close((h, c), (h_n[0], c_n[0]))
    with pytest.raises(ValueError, match="weight_hr must be"):
        lstm.lstm_cell(x[:, 0], h, c, m.weight_ih_l0, m.weight_hh_l0, m.bias_ih_l0, m.bias_hh_l0, m.weight_hr_l0.T)
