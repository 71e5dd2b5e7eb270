"""Tests for dlref.logic: enumeration, threshold networks, the hand-derived sigmoid-network
gradients (against autograd in float64), learning by gradient descent, the asummability
certificate, and bad input for every public function."""

from __future__ import annotations

import itertools

import pytest
import torch
from torch.testing import assert_close

from dlref import logic as L


def xor3(a, b, c):
    return a ^ b ^ c


# --------------------------------------------------------------------------- step, all_inputs


def test_step_values_and_dtype():
    z = torch.tensor([-2.0, -1e-12, 0.0, 1e-12, 3.0], dtype=torch.float64)
    out = L.step(z)
    assert out.dtype == torch.float64
    assert out.tolist() == [0.0, 0.0, 1.0, 1.0, 1.0]


@pytest.mark.parametrize("bad", [torch.tensor([1, 0]), [0.5], 1.0])
def test_step_rejects_non_float(bad):
    with pytest.raises(TypeError, match="z must be a (floating-point tensor|torch.Tensor)"):
        L.step(bad)


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_all_inputs_is_binary_counting(n):
    X = L.all_inputs(n)
    assert X.shape == (2**n, n) and X.dtype == torch.float64
    weights = torch.tensor([2 ** (n - 1 - i) for i in range(n)], dtype=torch.float64)
    assert (X @ weights).tolist() == list(range(2**n))  # row r is the binary expansion of r


def test_all_inputs_dtype():
    assert L.all_inputs(3, dtype=torch.float32).dtype == torch.float32


@pytest.mark.parametrize("bad, err", [(0, ValueError), (21, ValueError), (2.0, TypeError), (True, TypeError)])
def test_all_inputs_bad(bad, err):
    with pytest.raises(err):
        L.all_inputs(bad)


# --------------------------------------------------------------------------- truth_table


def test_truth_table_single_and_multi_output():
    X, Y = L.truth_table(xor3, 3)
    assert Y.shape == (8, 1)
    assert_close(Y[:, 0], X.sum(1) % 2)
    X, Y = L.truth_table(lambda a, b: (a & b, a | b, bool(a ^ b)), 2)
    assert Y.tolist() == [[0, 0, 0], [0, 1, 1], [0, 1, 1], [1, 1, 0]]


def test_truth_table_bad():
    with pytest.raises(TypeError, match="callable"):
        L.truth_table(3, 2)
    with pytest.raises(ValueError, match="0 or 1"):
        L.truth_table(lambda a, b: a + b, 2)
    with pytest.raises(TypeError, match="truth values"):
        L.truth_table(lambda a, b: "yes", 2)
    with pytest.raises(ValueError, match="outputs"):
        L.truth_table(lambda a, b: (a,) if b else (a, b), 2)
    with pytest.raises(ValueError):
        L.truth_table(xor3, 0)


# --------------------------------------------------------------------------- disagreements, format


def test_disagreements():
    exp = torch.tensor([[0.0, 1.0], [1.0, 1.0], [0.0, 0.0]])
    got = torch.tensor([[0.0, 1.0], [1.0, 0.0], [1.0, 0.0]])
    assert L.disagreements(got, exp).tolist() == [1, 2]
    assert L.disagreements(exp, exp).numel() == 0
    assert L.disagreements(torch.tensor([1.0, 0.0]), torch.tensor([1.0, 1.0])).tolist() == [1]


def test_disagreements_bad():
    with pytest.raises(ValueError, match="same shape"):
        L.disagreements(torch.zeros(3, 2), torch.zeros(3, 1))
    with pytest.raises(ValueError, match="0s and 1s"):
        L.disagreements(torch.full((2,), 0.5), torch.zeros(2))
    with pytest.raises(TypeError):
        L.disagreements([0, 1], torch.zeros(2))


def test_format_truth_table():
    X, Y = L.truth_table(lambda a, b: (a & b, a | b), 2)
    text = L.format_truth_table(X, {"and,or": Y, "p": torch.tensor([0.25, 0.5, 0.75, 1.0])})
    lines = text.splitlines()
    assert lines[0].startswith("x1 x2 | and,or")
    assert lines[4] == "1  1  | 11      1.00"
    assert lines[2].endswith("0.50")


def test_format_truth_table_bad():
    X = L.all_inputs(2)
    with pytest.raises(ValueError, match="rows|got"):
        L.format_truth_table(X, {"y": torch.zeros(3)})
    with pytest.raises(ValueError, match="input_names"):
        L.format_truth_table(X, {"y": torch.zeros(4)}, input_names=["a"])
    with pytest.raises(TypeError, match="tensor"):
        L.format_truth_table(X, {"y": [0, 0, 0, 0]})
    with pytest.raises(ValueError, match="0s and 1s"):
        L.format_truth_table(X * 2, {"y": torch.zeros(4)})


# --------------------------------------------------------------------------- ThresholdNetwork


def parity3_net(dtype=torch.float64):
    """3-bit parity from count thresholds: [s ≥ 1] − [s ≥ 2] + [s ≥ 3]."""
    W1 = torch.ones(3, 3, dtype=dtype)
    b1 = torch.tensor([-0.5, -1.5, -2.5], dtype=dtype)
    W2 = torch.tensor([[1.0, -1.0, 1.0]], dtype=dtype)
    b2 = torch.tensor([-0.5], dtype=dtype)
    return L.ThresholdNetwork([(W1, b1), (W2, b2)])


def test_threshold_network_parity_exhaustive():
    net = parity3_net()
    X, Y = L.truth_table(xor3, 3)
    assert_close(net(X), Y)
    assert net.widths == [3, 3, 1] and net.n_inputs == 3
    assert "widths=[3, 3, 1]" in repr(net)
    # a single vector and integer/bool inputs are accepted
    assert net(torch.tensor([1, 1, 0])).tolist() == [0.0]
    assert net(torch.tensor([True, True, True])).tolist() == [1.0]


def test_threshold_network_trace_matches_hand_computation():
    net = parity3_net()
    X = L.all_inputs(3)
    (z1, h1), (_, h2) = net.trace(X)
    s = X.sum(1, keepdim=True)  # (8, 1)
    assert_close(z1, s - torch.tensor([0.5, 1.5, 2.5], dtype=torch.float64))
    assert_close(h1, (s >= torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)).double())
    assert_close(h2, net(X))


def test_threshold_network_step_at_zero_fires():
    net = L.ThresholdNetwork([(torch.tensor([[1.0]]), torch.tensor([-1.0]))])
    assert net(torch.tensor([[0.0], [1.0]])).flatten().tolist() == [0.0, 1.0]


def test_threshold_network_bad_layers():
    W, b = torch.ones(3, 4), torch.zeros(3)
    with pytest.raises(ValueError, match="layers must hold at least 1"):
        L.ThresholdNetwork([])
    with pytest.raises(TypeError, match="list"):
        L.ThresholdNetwork(W)
    with pytest.raises(ValueError, match=r"layers\[0\] must hold 2 item"):
        L.ThresholdNetwork([(W, b, b)])
    with pytest.raises(TypeError, match="floating-point"):
        L.ThresholdNetwork([(torch.ones(3, 4, dtype=torch.int64), b)])
    with pytest.raises(ValueError, match=r"layers\[0\] W must have 2 dimensions"):
        L.ThresholdNetwork([(torch.ones(4), b)])
    with pytest.raises(ValueError, match=r"layers\[0\] b must have shape \(K_out,\) = \(3,\)"):
        L.ThresholdNetwork([(W, torch.zeros(4))])
    with pytest.raises(ValueError, match=r"layers\[1\] W must have shape \(K_out, K_in\) = \(\*, 3\)"):  # a (3, 4) output layer after 3 hidden units: does not chain
        L.ThresholdNetwork([(W, b), (torch.ones(3, 4), torch.zeros(3))])
    with pytest.raises(TypeError, match="share a dtype"):
        L.ThresholdNetwork([(W, b), (torch.ones(1, 3, dtype=torch.float64), torch.zeros(1, dtype=torch.float64))])
    with pytest.raises(TypeError, match="share a dtype"):
        L.ThresholdNetwork([(W, b.double())])


def test_threshold_network_bad_input():
    net = parity3_net()
    with pytest.raises(ValueError, match="0s and 1s"):
        net(torch.tensor([[0.0, 0.5, 1.0]]))
    with pytest.raises(ValueError, match="D = 3"):
        net(torch.zeros(2, 4))
    with pytest.raises(ValueError, match="x must have 1 or 2 dimensions"):
        net(torch.zeros(2, 2, 3))
    with pytest.raises(TypeError, match="torch.Tensor"):
        net([0, 1, 1])


# --------------------------------------------------------------------------- SigmoidNetwork


@pytest.mark.parametrize("widths", [[4, 3, 2], [3, 5, 4, 1], [2, 1]])
def test_sigmoid_gradients_match_autograd(widths):
    g = torch.Generator().manual_seed(1)
    net = L.SigmoidNetwork(widths, init_scale=3.0, generator=g)
    X = L.all_inputs(widths[0])
    Y = (torch.rand(X.shape[0], widths[-1], generator=g, dtype=torch.float64) > 0.5).double()
    loss, grads = net.gradients(X, Y)
    ref_loss = torch.nn.functional.binary_cross_entropy_with_logits(net.logits(X), Y)
    ref = torch.autograd.grad(ref_loss, list(net.parameters()))
    assert_close(loss, ref_loss.detach())
    params = list(zip(ref[: len(net.W)], ref[len(net.W):]))
    for (gW, gb), (rW, rb) in zip(grads, params):
        assert_close(gW, rW, rtol=1e-12, atol=1e-14)
        assert_close(gb, rb, rtol=1e-12, atol=1e-14)


def test_sigmoid_network_forward_predict_layers():
    net = L.SigmoidNetwork([3, 4, 2], generator=torch.Generator().manual_seed(0))
    X = L.all_inputs(3)
    (z1, h1), (z2, h2) = net.trace(X)
    assert_close(z1, X @ net.W[0].T + net.b[0])
    assert_close(z2, h1 @ net.W[1].T + net.b[1])
    assert_close(net(X), h2)
    assert_close(h2, torch.sigmoid(z2))
    assert_close(net.predict(X), (net(X) >= 0.5).double())
    layers = net.layers()
    assert [W.shape for W, _ in layers] == [(4, 3), (2, 4)]
    assert not layers[0][0].requires_grad
    W0 = layers[0][0]
    W0 += 1  # a copy, not a view: the network's weight is unchanged
    assert not torch.equal(W0, net.W[0].detach())


def test_sigmoid_network_init_is_seeded_and_scaled():
    a = L.SigmoidNetwork([4, 8, 1], generator=torch.Generator().manual_seed(3))
    b = L.SigmoidNetwork([4, 8, 1], generator=torch.Generator().manual_seed(3))
    c = L.SigmoidNetwork([4, 8, 1], init_scale=2.0, generator=torch.Generator().manual_seed(3))
    assert_close(a.W[0], b.W[0])
    assert_close(2 * a.W[0], c.W[0])
    assert a.W[0].abs().max() <= 4 ** -0.5


def test_sigmoid_network_bad():
    with pytest.raises(ValueError, match="at least"):
        L.SigmoidNetwork([4])
    with pytest.raises(ValueError, match=r"widths\[1\] must be an int >= 1"):
        L.SigmoidNetwork([4, 0, 1])
    with pytest.raises(TypeError, match="int"):
        L.SigmoidNetwork([4, 2.5, 1])
    with pytest.raises(TypeError, match="list"):
        L.SigmoidNetwork(4)
    with pytest.raises(ValueError, match="init_scale"):
        L.SigmoidNetwork([4, 1], init_scale=0.0)
    net = L.SigmoidNetwork([4, 3, 2])
    with pytest.raises(ValueError, match="D = 4"):
        net(torch.zeros(5, 3))
    with pytest.raises(TypeError):
        net([0, 1, 0, 1])
    with pytest.raises(ValueError, match=r"Y must be \(B, M\)"):
        net.gradients(L.all_inputs(4), torch.zeros(16, 3))
    with pytest.raises(ValueError, match="batch"):
        net.gradients(torch.zeros(4, dtype=torch.float64), torch.zeros(2))


# --------------------------------------------------------------------------- fit_boolean


def test_fit_boolean_learns_xor_and_loss_decreases():
    X, Y = L.truth_table(lambda a, b: a ^ b, 2)
    net, losses = L.fit_boolean(X, Y, hidden=3, steps=2000, lr=5.0, seed=0)
    assert losses.shape == (2000,)
    assert losses[-1] < 0.05 < losses[0]
    assert L.disagreements(net.predict(X), Y).numel() == 0


def test_fit_boolean_is_reproducible_and_accepts_1d_targets():
    X, Y = L.truth_table(lambda a, b: a | b, 2)
    n1, l1 = L.fit_boolean(X, Y, [2], steps=50, lr=1.0, seed=4)
    n2, l2 = L.fit_boolean(X, Y[:, 0], 2, steps=50, lr=1.0, seed=4)
    assert_close(l1, l2)
    assert_close(n1.W[0], n2.W[0])


def test_fit_boolean_first_step_is_one_gradient_step():
    X, Y = L.truth_table(xor3, 3)
    net, _ = L.fit_boolean(X, Y, 4, steps=1, lr=0.5, seed=7)
    start = L.SigmoidNetwork([3, 4, 1], generator=torch.Generator().manual_seed(7))
    loss = torch.nn.functional.binary_cross_entropy_with_logits(start.logits(X), Y)
    grads = torch.autograd.grad(loss, list(start.parameters()))
    for p, g, q in zip(start.parameters(), grads, net.parameters()):
        assert_close(p.detach() - 0.5 * g, q.detach())


def test_fit_boolean_restores_thread_count():
    before = torch.get_num_threads()
    X, Y = L.truth_table(xor3, 3)
    L.fit_boolean(X, Y, 2, steps=2)
    assert torch.get_num_threads() == before


def test_fit_boolean_bad():
    X, Y = L.truth_table(xor3, 3)
    with pytest.raises(ValueError, match="rows"):
        L.fit_boolean(X, Y[:4], 2)
    with pytest.raises(ValueError, match="0s and 1s"):
        L.fit_boolean(X * 0.5, Y, 2)
    with pytest.raises(ValueError, match="lr"):
        L.fit_boolean(X, Y, 2, lr=-1.0)
    with pytest.raises(TypeError, match="steps"):
        L.fit_boolean(X, Y, 2, steps=1.5)
    with pytest.raises(TypeError, match="hidden"):
        L.fit_boolean(X, Y, "4")
    with pytest.raises(ValueError, match="X must have 2 dimensions"):
        L.fit_boolean(X[0], Y, 2)


# --------------------------------------------------------------------------- asummable_pair


def test_asummable_pair_xor_and_separable_functions():
    X, y = L.truth_table(xor3, 3)
    i, j, k, l = L.asummable_pair(X, y)
    assert y[i] == y[j] == 1 and y[k] == y[l] == 0
    assert_close(X[i] + X[j], X[k] + X[l])
    for fn in (lambda a, b, c: a & b & c, lambda a, b, c: a | b, lambda a, b, c: int(a + b + c >= 2)):
        X, y = L.truth_table(fn, 3)
        assert L.asummable_pair(X, y) is None


def test_asummable_pair_agrees_with_brute_force_on_two_inputs():
    # On 2 inputs, exactly XOR and XNOR are not threshold functions.
    X = L.all_inputs(2)
    for bits in itertools.product([0.0, 1.0], repeat=4):
        y = torch.tensor(bits, dtype=torch.float64)
        found = L.asummable_pair(X, y) is not None
        assert found == (bits in ((0.0, 1.0, 1.0, 0.0), (1.0, 0.0, 0.0, 1.0)))


def test_asummable_pair_bad():
    X, y = L.truth_table(xor3, 3)
    with pytest.raises(ValueError, match="rows"):
        L.asummable_pair(X, y[:5])
    with pytest.raises(ValueError, match="one label"):
        L.asummable_pair(X, torch.zeros(8, 2))
    with pytest.raises(ValueError, match="0s and 1s"):
        L.asummable_pair(X, y * 3)
