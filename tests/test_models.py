"""Tests for dlref.models: shapes and parameter counts against dlref.conv_arithmetic arithmetic, init, bad input."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from dlref import conv_arithmetic
from dlref.conv_arithmetic import FC, Conv, Pool
from dlref.models import BNCNN, LeNet, count_parameters, kaiming_init_


@pytest.mark.parametrize("C, size, pad", [(3, 32, 0), (1, 28, 2)])
def test_lenet_matches_its_layer_table(C, size, pad):
    model = LeNet(C, image_size=size)
    spec = [Conv(6, 5, padding=pad), Pool(2), Conv(16, 5), Pool(2), FC(120), FC(84), FC(10)]
    rows = conv_arithmetic.analyze(spec, (C, size, size))
    assert rows[3].shape == (16, 5, 5)  # the 400 values the first FC layer expects
    assert count_parameters(model) == sum(r.params for r in rows)
    assert model(torch.zeros(2, C, size, size)).shape == (2, 10)
    assert model.classifier[1].in_features == 400


def test_lenet_logits_are_not_clipped():
    torch.manual_seed(0)
    out = LeNet(3)(torch.randn(8, 3, 32, 32))
    assert (out < 0).any(), "the last layer must have no ReLU"


def test_lenet_kernel_three_recomputes_flatten():
    model = LeNet(3, kernel_size=3)
    assert model.classifier[1].in_features == 16 * 6 * 6
    assert model(torch.zeros(1, 3, 32, 32)).shape == (1, 10)


@pytest.mark.parametrize("C, size, flat", [(3, 32, 512 * 2 * 2), (1, 28, 512 * 1 * 1)])
def test_bncnn_shapes_and_params(C, size, flat):
    model = BNCNN(C, image_size=size)
    assert model.classifier[2].in_features == flat
    assert model(torch.zeros(2, C, size, size)).shape == (2, 10)
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    assert [m.out_channels for m in convs] == [64, 128, 256, 512]
    assert sum(isinstance(m, nn.BatchNorm2d) for m in model.modules()) == 4
    assert [m.p for m in model.modules() if isinstance(m, nn.Dropout)] == [0.5, 0.5, 0.5]
    spec = [layer for w in (64, 128, 256, 512) for layer in (Conv(w, 3, padding=1, bias=False), Pool(2))]
    spec += [FC(1024), FC(512), FC(10)]
    bn = sum(2 * w for w in (64, 128, 256, 512))
    assert count_parameters(model) == sum(r.params for r in conv_arithmetic.analyze(spec, (C, size, size))) + bn


def test_kaiming_init_statistics():
    torch.manual_seed(0)
    m = kaiming_init_(nn.Sequential(nn.Conv2d(64, 64, 3), nn.Linear(2000, 500)))
    for layer, fan_in in ((m[0], 64 * 9), (m[1], 2000)):
        assert layer.weight.std().item() == pytest.approx((2 / fan_in) ** 0.5, rel=0.05)
        assert torch.equal(layer.bias, torch.zeros_like(layer.bias))


def test_bad_inputs():
    with pytest.raises(ValueError, match=r"LeNet expects images \(B, 3, 32, 32\); got \(2, 1, 32, 32\)"):
        LeNet(3)(torch.zeros(2, 1, 32, 32))
    with pytest.raises(ValueError, match=r"BNCNN expects images \(B, 1, 28, 28\); got \(2, 1, 32, 32\)"):
        BNCNN(1, image_size=28)(torch.zeros(2, 1, 32, 32))
    with pytest.raises(ValueError, match="image_size 32 .* or 28 .*; got 30"):
        LeNet(1, image_size=30)
    with pytest.raises(ValueError, match=r"dropout must be a finite number in \[0\.0, 1\.0\]; got 1\.5"):
        BNCNN(dropout=1.5)
    with pytest.raises(ValueError, match="output size would be non-positive"):
        BNCNN(1, image_size=8)
