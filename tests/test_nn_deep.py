"""Tests for dlref.nn.deep: activations and their derivatives, and DeepMLP's hand-written backward
pass against autograd in float64 over several depths, widths and activation mixes."""

from __future__ import annotations

import doctest

import pytest
import torch
from torch.testing import assert_close

import dlref.nn.deep as deep
from dlref.nn import ACTIVATIONS, DeepMLP, activation, activation_derivative

F64 = torch.float64


def test_doctests():
    result = doctest.testmod(deep)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_matches_torch(name):
    z = torch.linspace(-3, 3, 13, dtype=F64)
    expected = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "identity": lambda t: t}[name](z)
    assert_close(activation(name, z), expected)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_derivative_matches_autograd(name):
    z = torch.tensor([-2.0, -0.5, 0.0, 0.3, 1.7], dtype=F64, requires_grad=True)
    (grad,) = torch.autograd.grad(activation(name, z).sum(), z)
    assert_close(activation_derivative(name, z.detach()), grad)


def test_relu_derivative_at_zero_is_zero():
    assert activation_derivative("relu", torch.zeros(1, dtype=F64)).item() == 0.0


@pytest.mark.parametrize("fn", [activation, activation_derivative])
def test_activation_bad_input(fn):
    with pytest.raises(ValueError, match="name must be one of 'relu', 'sigmoid', 'tanh', 'identity'; got 'softplus'"):
        fn("softplus", torch.zeros(2))
    with pytest.raises(TypeError, match="floating-point"):
        fn("relu", torch.zeros(2, dtype=torch.int64))
    with pytest.raises(TypeError, match="torch.Tensor"):
        fn("relu", [0.0, 1.0])


def _autograd_reference(net, x, y):
    params = list(net.W) + list(net.b)
    xg = x.clone().requires_grad_(True)
    loss = 0.5 * ((net(xg) - y) ** 2).sum()
    grads = torch.autograd.grad(loss, params + [xg])
    L = net.L
    return grads[:L], grads[L:2 * L], grads[-1]


@pytest.mark.parametrize("sizes,acts,batched", [
    ([3, 1], "sigmoid", False),
    ([4, 6, 2], ["relu", "identity"], True),
    ([5, 4, 4, 4, 4, 4, 3], ["tanh", "relu", "sigmoid", "relu", "tanh", "identity"], True),
    ([2, 7, 7, 1], "tanh", False),
])
def test_gradients_match_autograd(sizes, acts, batched):
    gen = torch.Generator().manual_seed(0)
    net = DeepMLP(sizes, acts, dtype=F64, generator=gen)
    x = torch.randn(*((5,) if batched else ()), sizes[0], generator=gen, dtype=F64)
    y = torch.randn(*((5,) if batched else ()), sizes[-1], generator=gen, dtype=F64)
    g = net.gradients(x, (net(x) - y).detach())  # ∂/∂aᴸ of ½‖aᴸ − y‖²
    ref_W, ref_b, ref_x = _autograd_reference(net, x, y)
    for l in range(net.L):
        assert_close(g["W"][l], ref_W[l])
        assert_close(g["b"][l], ref_b[l])
        assert g["W"][l].shape == net.W[l].shape and g["b"][l].shape == net.b[l].shape
    assert_close(g["x"], ref_x)


def test_deltas_are_gradients_wrt_preactivations():
    gen = torch.Generator().manual_seed(1)
    net = DeepMLP([3, 4, 4, 2], ["sigmoid", "tanh", "identity"], dtype=F64, generator=gen)
    x = torch.randn(6, 3, generator=gen, dtype=F64)
    z, _ = net.forward_cache(x)
    z = [zl.detach().requires_grad_(True) for zl in z]
    # rebuild the forward pass from each z^l so autograd sees the pre-activations as leaves
    out = net.b[2] + activation("tanh", z[1]) @ net.W[2].T
    loss = out.pow(2).sum() / 2
    (d2,) = torch.autograd.grad(loss, z[1])
    g = net.gradients(x, net(x).detach())
    assert_close(g["delta"][1], d2)
    assert_close(g["delta"][2], net(x).detach())  # identity output: δᴸ = ∂L/∂aᴸ


def test_forward_matches_nn_linear_stack():
    gen = torch.Generator().manual_seed(2)
    net = DeepMLP([3, 5, 2], ["relu", "sigmoid"], dtype=F64, generator=gen)
    ref = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.ReLU(), torch.nn.Linear(5, 2), torch.nn.Sigmoid()).double()
    with torch.no_grad():
        for i, l in enumerate((0, 2)):
            ref[l].weight.copy_(net.W[i]), ref[l].bias.copy_(net.b[i])
    x = torch.randn(4, 3, generator=gen, dtype=F64)
    assert_close(net(x), ref(x))


def test_generator_makes_init_reproducible():
    a = DeepMLP([3, 4, 1], "tanh", generator=torch.Generator().manual_seed(5))
    b = DeepMLP([3, 4, 1], "tanh", generator=torch.Generator().manual_seed(5))
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert "sizes=[3, 4, 1]" in repr(a)


@pytest.mark.parametrize("sizes,acts,exc,match", [
    ([3], "relu", ValueError, "sizes must hold at least 2"),
    (5, "relu", TypeError, "sizes must be a list or tuple"),
    ([3, 0, 1], "relu", ValueError, r"sizes\[1\] must be an int >= 1"),
    ([3, 2.5, 1], "relu", TypeError, r"sizes\[1\] must be an int"),
    ([3, 4, 1], ["relu"], ValueError, "one activation per layer"),
    ([3, 4, 1], ["relu", "gelu"], ValueError, r"activations\[1\] must be one of"),
])
def test_constructor_bad_input(sizes, acts, exc, match):
    with pytest.raises(exc, match=match):
        DeepMLP(sizes, acts)


def test_forward_and_gradients_bad_input():
    net = DeepMLP([3, 4, 2], "relu", dtype=F64)
    with pytest.raises(ValueError, match="D = 3"):
        net(torch.zeros(5, 4, dtype=F64))
    with pytest.raises(ValueError, match="D = 3"):
        net(torch.zeros(2, 5, 3, dtype=F64))
    with pytest.raises(TypeError, match="dtype"):
        net(torch.zeros(5, 3, dtype=torch.float32))
    with pytest.raises(TypeError, match="torch.Tensor"):
        net([0.0, 0.0, 0.0])
    x = torch.zeros(5, 3, dtype=F64)
    with pytest.raises(ValueError, match="output's shape"):
        net.gradients(x, torch.zeros(4, 2, dtype=F64))  # mismatched batch size
    with pytest.raises(ValueError, match="output's shape"):
        net.gradients(x, torch.zeros(5, 3, dtype=F64))
    with pytest.raises(TypeError, match="dtype"):
        net.gradients(x, torch.zeros(5, 2, dtype=torch.float32))
    with pytest.raises(TypeError, match="torch.Tensor"):
        net.gradients(x, 0.0)
