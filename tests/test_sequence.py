"""dlref.rnn and dlref.lstm: forward against torch.nn, hand-written BPTT and Jacobians against autograd."""

import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence

from dlref.lstm import cell_jacobians, lstm_cell
from dlref.rnn import length_mask, rnn_backward, rnn_forward, rnn_jacobian

f64 = torch.float64


def _rnn_problem(B=4, L=6, D=3, K=5, seed=0, lengths=None):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(B, L, D, generator=g, dtype=f64)
    lengths = torch.tensor(lengths if lengths is not None else [L, 3, 1, 5][:B])
    params = {"h0": 0.3 * torch.randn(B, K, generator=g, dtype=f64), "Wx": torch.randn(K, D, generator=g, dtype=f64) * 0.5,
              "Wh": torch.randn(K, K, generator=g, dtype=f64) * 0.5, "b": torch.randn(K, generator=g, dtype=f64) * 0.1}
    target = torch.randn(B, L, K, generator=g, dtype=f64)
    return x, lengths, params, target


def _masked_loss(H, target, m):
    return 0.5 * (((H - target) ** 2) * m[..., None]).sum() / m.sum()


@pytest.mark.parametrize("B, L, D, K, lengths", [(4, 6, 3, 5, [6, 3, 1, 5]), (2, 9, 1, 2, [9, 9]), (3, 4, 2, 7, [1, 2, 4])])
def test_bptt_matches_autograd(B, L, D, K, lengths):
    x, lengths, p, target = _rnn_problem(B, L, D, K, lengths=lengths)
    m = length_mask(lengths, L)
    H, cache = rnn_forward(x, lengths, p["h0"], p["Wx"], p["Wh"], p["b"])
    grad_H = (H - target) * m[..., None] / m.sum()  # ∂(masked loss)/∂H, direct part
    ours = rnn_backward(grad_H, cache)
    leaves = {k: v.clone().requires_grad_(True) for k, v in {"x": x, **p}.items()}
    H2, _ = rnn_forward(leaves["x"], lengths, leaves["h0"], leaves["Wx"], leaves["Wh"], leaves["b"])
    _masked_loss(H2, target, m).backward()
    for k in ("x", "h0", "Wx", "Wh", "b"):
        torch.testing.assert_close(ours[k], leaves[k].grad, rtol=1e-12, atol=1e-14)
    # padded inputs get no gradient
    assert (ours["x"] * (1 - m)[..., None]).abs().max() == 0


def test_forward_matches_nn_rnn_with_packing():
    x, lengths, p, _ = _rnn_problem()
    rnn = torch.nn.RNN(3, 5, batch_first=True).double()
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(p["Wx"])
        rnn.weight_hh_l0.copy_(p["Wh"])
        rnn.bias_ih_l0.copy_(p["b"])
        rnn.bias_hh_l0.zero_()
    H, _ = rnn_forward(x, lengths, p["h0"], p["Wx"], p["Wh"], p["b"])
    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    _, h_last = rnn(packed, p["h0"][None])
    torch.testing.assert_close(H[:, -1], h_last[0])  # the padded tail carries the last real state


def test_jacobian_matches_autograd():
    g = torch.Generator().manual_seed(3)
    K, D = 4, 2
    h, x = torch.randn(K, generator=g, dtype=f64), torch.randn(D, generator=g, dtype=f64)
    Wx, Wh, b = torch.randn(K, D, generator=g, dtype=f64), torch.randn(K, K, generator=g, dtype=f64), torch.randn(K, generator=g, dtype=f64)
    J = rnn_jacobian(h, x, Wx, Wh, b)
    ref = torch.autograd.functional.jacobian(lambda h: torch.tanh(Wx @ x + Wh @ h + b), h)
    torch.testing.assert_close(J, ref)


def test_rnn_bad_input():
    x, lengths, p, _ = _rnn_problem()
    with pytest.raises(ValueError, match="lengths must lie"):
        rnn_forward(x, torch.tensor([7, 1, 1, 1]), p["h0"], p["Wx"], p["Wh"], p["b"])
    with pytest.raises(ValueError, match="one entry per example"):
        rnn_forward(x, torch.tensor([1, 1]), p["h0"], p["Wx"], p["Wh"], p["b"])
    with pytest.raises(TypeError, match=r"lengths must have dtype torch.int32 or torch.int64; got torch.float32"):
        rnn_forward(x, torch.tensor([1.0, 1, 1, 1]), p["h0"], p["Wx"], p["Wh"], p["b"])
    with pytest.raises(ValueError, match="x must be"):
        rnn_forward(x[0], lengths, p["h0"], p["Wx"], p["Wh"], p["b"])
    with pytest.raises(ValueError, match="Wh"):
        rnn_forward(x, lengths, p["h0"], p["Wx"], p["Wh"][:2], p["b"])
    with pytest.raises(ValueError, match="h0 must be"):
        rnn_forward(x, lengths, p["h0"][:2], p["Wx"], p["Wh"], p["b"])
    with pytest.raises(TypeError, match="share one dtype"):
        rnn_forward(x.float(), lengths, p["h0"], p["Wx"], p["Wh"], p["b"])
    with pytest.raises(TypeError, match="floating-point"):
        rnn_forward(x.long(), lengths, p["h0"], p["Wx"], p["Wh"], p["b"])
    H, cache = rnn_forward(x, lengths, p["h0"], p["Wx"], p["Wh"], p["b"])
    with pytest.raises(ValueError, match="grad_H"):
        rnn_backward(H[:, :2], cache)
    with pytest.raises(ValueError, match="vectors"):
        rnn_jacobian(p["h0"], x[0, 0], p["Wx"], p["Wh"], p["b"])


def _lstm_params(D=3, K=4, seed=0, scale=0.5):
    g = torch.Generator().manual_seed(seed)
    return [scale * torch.randn(*s, generator=g, dtype=f64) for s in ((4 * K, D), (4 * K, K), (4 * K,), (4 * K,))]


def test_lstm_cell_matches_nn_lstmcell():
    D, K = 3, 4
    weight_ih, weight_hh, bias_ih, bias_hh = _lstm_params(D, K)
    cell = torch.nn.LSTMCell(D, K).double()
    with torch.no_grad():
        for name, value in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"), (weight_ih, weight_hh, bias_ih, bias_hh)):
            getattr(cell, name).copy_(value)
    g = torch.Generator().manual_seed(1)
    x, h, c = (torch.randn(5, n, generator=g, dtype=f64) for n in (D, K, K))
    h1, c1 = lstm_cell(x, h, c, weight_ih, weight_hh, bias_ih, bias_hh)
    h2, c2 = cell(x, (h, c))
    torch.testing.assert_close(h1, h2)
    torch.testing.assert_close(c1, c2)


def test_cell_jacobians_match_autograd():
    D, K = 3, 4
    weight_ih, weight_hh, bias_ih, bias_hh = _lstm_params(D, K, scale=1.0)
    g = torch.Generator().manual_seed(2)
    x, c = torch.randn(D, generator=g, dtype=f64), torch.randn(K, generator=g, dtype=f64)
    o_prev = torch.sigmoid(torch.randn(K, generator=g, dtype=f64))
    h = o_prev * torch.tanh(c)
    cell, full = cell_jacobians(x, h, c, o_prev, weight_ih, weight_hh, bias_ih, bias_hh)
    ref_cell = torch.autograd.functional.jacobian(lambda c: lstm_cell(x, h, c, weight_ih, weight_hh, bias_ih, bias_hh)[1], c)
    ref_full = torch.autograd.functional.jacobian(
        lambda c: lstm_cell(x, o_prev * torch.tanh(c), c, weight_ih, weight_hh, bias_ih, bias_hh)[1], c)
    torch.testing.assert_close(cell, ref_cell)
    torch.testing.assert_close(full, ref_full)
    assert (full - cell).abs().max() > 1e-3  # the h-path is not negligible for these weights


def test_lstm_bad_input():
    weight_ih, weight_hh, bias_ih, bias_hh = _lstm_params(3, 4)
    x, h, c = torch.zeros(2, 3, dtype=f64), torch.zeros(2, 4, dtype=f64), torch.zeros(2, 4, dtype=f64)
    with pytest.raises(ValueError, match="weight_ih"):
        lstm_cell(x, h, c, weight_ih[:, :2], weight_hh, bias_ih, bias_hh)
    with pytest.raises(ValueError, match="c must have the shape"):
        lstm_cell(x, h, c[:1], weight_ih, weight_hh, bias_ih, bias_hh)
    with pytest.raises(ValueError, match="batch shape"):
        lstm_cell(x[:1], h, c, weight_ih, weight_hh, bias_ih, bias_hh)
    with pytest.raises(TypeError, match="floating-point"):
        lstm_cell(x.long(), h, c, weight_ih, weight_hh, bias_ih, bias_hh)
    with pytest.raises(ValueError, match="vector"):
        cell_jacobians(x, h, c, c, weight_ih, weight_hh, bias_ih, bias_hh)
    with pytest.raises(ValueError, match="share shape"):
        cell_jacobians(x[0], h[0], c[0, :2], c[0], weight_ih, weight_hh, bias_ih, bias_hh)


def test_long_range_batch_and_smoke_run(tmp_path):
    from dlref.lab.experiments import long_range as lr

    x, y = lr.make_batch(8, 5, torch.Generator().manual_seed(0))
    torch.testing.assert_close(y, (x[:, 0, 0] > 0).float())
    assert x[:, 0, 1].eq(1).all() and x[:, 1:, 1].eq(0).all()
    with pytest.raises(ValueError, match="B must be an int >= 1; got 0"):
        lr.make_batch(0, 5, torch.Generator())
    with pytest.raises(ValueError, match="kind"):
        lr.Classifier("gru", 4)
    model = lr.Classifier("lstm", 4, forget_bias=2.0)
    assert model.core.bias_ih_l0[4:8].eq(1).all() and model.core.bias_hh_l0[4:8].eq(1).all()
    cfg = lr.Config(lengths=(3,), hidden=4, batch=8, steps=10, n_test=20, seeds=1, record_every=5)
    m = lr.run(cfg, tmp_path)
    assert len(m["rnn"]["accuracy"]) == 1 and len(m["lstm"]["curve_mean"][0]) == 2
