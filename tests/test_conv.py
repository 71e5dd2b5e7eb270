"""Tests for dlref.conv: forward and backward against F.conv2d / unfold / autograd in float64."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from dlref import conv as cb

f64 = torch.float64


@st.composite
def conv_case(draw):
    B, C_in, C_out = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    k, s, p = draw(st.integers(1, 4)), draw(st.integers(1, 3)), draw(st.integers(0, 2))
    H = draw(st.integers(max(1, k - 2 * p), 9))
    Wd = draw(st.integers(max(1, k - 2 * p), 9))
    seed = draw(st.integers(0, 10_000))
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(B, C_in, H, Wd, dtype=f64, generator=g)
    W = torch.randn(C_out, C_in, k, k, dtype=f64, generator=g)
    b = torch.randn(C_out, dtype=f64, generator=g)
    return X, W, b, s, p


@settings(max_examples=60, deadline=None)
@given(conv_case())
def test_forward_and_backward_match_autograd(case):
    X, W, b, s, p = case
    Xr, Wr, br = (t.clone().requires_grad_() for t in (X, W, b))
    O = F.conv2d(Xr, Wr, br, stride=s, padding=p)
    torch.testing.assert_close(cb.conv2d(X, W, b, stride=s, padding=p), O.detach())
    torch.testing.assert_close(cb.conv2d_im2col(X, W, b, stride=s, padding=p), O.detach())
    dO = torch.randn_like(O)
    O.backward(dO)
    for backward in (cb.conv2d_backward, cb.conv2d_backward_im2col):
        dX, dW, db = backward(dO.detach(), X, W, stride=s, padding=p)
        torch.testing.assert_close(dX, Xr.grad)
        torch.testing.assert_close(dW, Wr.grad)
        torch.testing.assert_close(db, br.grad)


@settings(max_examples=40, deadline=None)
@given(conv_case())
def test_im2col_col2im_match_unfold_fold(case):
    X, W, _, s, p = case
    k = W.shape[-1]
    cols = cb.im2col(X, k, stride=s, padding=p)
    torch.testing.assert_close(cols, F.unfold(X, k, padding=p, stride=s))
    torch.testing.assert_close(
        cb.col2im(cols, tuple(X.shape), k, stride=s, padding=p),
        F.fold(cols, X.shape[-2:], k, padding=p, stride=s),
    )


@settings(max_examples=30, deadline=None)
@given(conv_case())
def test_conv_matrix(case):
    X, W, _, s, p = case
    T = cb.conv_matrix(W, tuple(X.shape[-2:]), stride=s, padding=p)
    O = F.conv2d(X, W, stride=s, padding=p)
    torch.testing.assert_close((T @ X.reshape(X.shape[0], -1).T).T, O.reshape(O.shape[0], -1))


def test_max_pool_matches_torch_including_ties():
    g = torch.Generator().manual_seed(0)
    X = torch.randint(0, 3, (2, 3, 6, 7), generator=g).to(f64)  # many ties
    for k, s in ((2, 1), (2, 2), (3, 2)):
        Xr = X.clone().requires_grad_()
        M_ref, idx_ref = F.max_pool2d(Xr, k, s, return_indices=True)
        M, idx = cb.max_pool2d(X, k, s)
        torch.testing.assert_close(M, M_ref.detach())
        assert torch.equal(idx, idx_ref)
        dM = torch.randn_like(M)
        M_ref.backward(dM)
        torch.testing.assert_close(cb.max_pool2d_backward(dM, idx, X.shape), Xr.grad)


@pytest.mark.parametrize(
    "X, W, kwargs, error, match",
    [
        (torch.zeros(1, 2, 5, 5), torch.zeros(3, 1, 3, 3), {}, ValueError, r"X has C_in=2 channels but W expects 1"),
        (torch.zeros(5, 5), torch.zeros(3, 2, 3, 3), {}, ValueError, r"X must be 3-D \(C_in, H_in, W_in\) or 4-D \(B, C_in, H_in, W_in\); got shape \(5, 5\)"),
        (torch.zeros(1, 1, 5, 5), torch.zeros(1, 3, 3), {}, ValueError, r"W must be 4-D"),
        (torch.zeros(1, 1, 2, 2), torch.zeros(1, 1, 3, 3), {}, ValueError, r"kernel 3×3 does not fit the padded input 2×2"),
        (torch.zeros(1, 1, 5, 5), torch.zeros(1, 1, 3, 2), {"stride": (1, 2, 3)}, ValueError, r"stride must be an int or a pair"),
        (torch.zeros(1, 1, 5, 5), torch.zeros(1, 1, 3, 3, dtype=f64), {}, TypeError, r"share a dtype"),
        (torch.zeros(1, 1, 5, 5), torch.zeros(1, 1, 3, 3), {"stride": 0}, ValueError, r"stride must be an int >= 1; got 0"),
        (torch.zeros(1, 1, 5, 5), torch.zeros(1, 1, 3, 3), {"padding": -1}, ValueError, r"padding must be an int >= 0"),
        ([[1.0]], torch.zeros(1, 1, 1, 1), {}, TypeError, r"X must be a tensor; got list"),
    ],
)
def test_conv_bad_input(X, W, kwargs, error, match):
    with pytest.raises(error, match=match):
        cb.conv2d(X, W, **kwargs)
    with pytest.raises(error, match=match):
        cb.conv2d_im2col(X, W, **kwargs)


def test_backward_bad_dO_shape():
    X, W = torch.zeros(1, 1, 5, 5), torch.zeros(2, 1, 3, 3)
    with pytest.raises(ValueError, match=r"dO must have the output's shape \(1, 2, 3, 3\).*got \(1, 2, 4, 4\)"):
        cb.conv2d_backward(torch.zeros(1, 2, 4, 4), X, W)


def test_other_bad_inputs():
    with pytest.raises(ValueError, match=r"cols must have shape \(1, 4, 4\)"):
        cb.col2im(torch.zeros(1, 4, 5), (1, 1, 3, 3), 2)
    with pytest.raises(ValueError, match=r"W must have 4 dimensions; got shape \(3, 3\)"):
        cb.conv_matrix(torch.zeros(3, 3), (4, 4))
    with pytest.raises(ValueError, match="does not fit input 2×2"):
        cb.conv_matrix(torch.zeros(1, 1, 3, 3), (2, 2))
    with pytest.raises(ValueError, match=r"pool window 3×3 \(dilation \(1, 1\)\) with stride \(3, 3\) and padding \(0, 0\) does not fit input 2×2"):
        cb.max_pool2d(torch.zeros(1, 1, 2, 2), 3)
    with pytest.raises(ValueError, match="X must have 3 or 4 dimensions"):
        cb.max_pool2d(torch.zeros(2, 2), 2)
    with pytest.raises(ValueError, match="same shape"):
        cb.max_pool2d_backward(torch.zeros(1, 1, 2, 2), torch.zeros(1, 1, 1, 2, dtype=torch.long), (1, 1, 3, 3))
