"""Tests for dlref.conv_arithmetic: every count against torch.nn modules, receptive field against gradients."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from dlref import conv_arithmetic
from dlref.conv_arithmetic import FC, Conv, Pool


def _torch_shapes(net, input_shape):
    shapes, x = [], torch.zeros(1, *input_shape)
    for m in net:
        x = m(x)
        if not isinstance(m, (nn.ReLU, nn.Flatten)):
            shapes.append(tuple(x.shape[1:]))
    return shapes


SEED_TABLE = [Conv(10, 5, padding=2), Pool(2), Conv(10, 5, padding=2), Pool(2), FC(10)]


@pytest.mark.parametrize(
    "layers, input_shape",
    [
        (SEED_TABLE, (1, 32, 32)),
        ([Conv(6, 5), Pool(2), Conv(16, 5), Pool(2), FC(120), FC(84), FC(10)], (3, 32, 32)),
        ([Conv(64, 3, stride=2, padding=1), Conv(64, 3, groups=64, padding=1), Conv(128, 1)], (32, 64, 64)),
        ([Conv(96, 10, stride=3)], (10, 205, 205)),
        ([Conv(8, 3, stride=2, padding=3, bias=False), Pool(3, 2, 1, "avg"), FC(5, bias=False)], (2, 17, 11)),
    ],
)
def test_analyze_matches_torch_modules(layers, input_shape):
    rows = conv_arithmetic.analyze(layers, input_shape)
    net = conv_arithmetic.to_torch(layers, input_shape)
    assert [r.shape for r in rows] == _torch_shapes(net, input_shape)
    params = [sum(p.numel() for p in m.parameters()) for m in net if not isinstance(m, (nn.ReLU, nn.Flatten))]
    assert [r.params for r in rows] == params
    assert sum(r.mults for r in rows) == conv_arithmetic.count_multiplications(net, input_shape)


def test_seed_table_values_are_computed_not_typed():
    rows = conv_arithmetic.analyze(SEED_TABLE, (1, 32, 32))
    # independent: parameters of freshly built torch modules
    assert rows[0].params == nn.Conv2d(1, 10, 5).weight.numel() + 10
    assert rows[2].params == nn.Conv2d(10, 10, 5).weight.numel() + 10
    assert rows[4].params == nn.Linear(8 * 8 * 10, 10).weight.numel() + 10
    assert rows[3].shape == (10, 8, 8)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 5), st.integers(1, 3), st.booleans()), min_size=1, max_size=4),
)
def test_receptive_field_closed_form_equals_measured(spec):
    layers = [Pool(k, s) if pool and k >= s else Conv(1, k, stride=s) for k, s, pool in spec]
    ks = [layer.kernel_size for layer in layers]
    ss = [layer.stride or layer.kernel_size for layer in layers]
    assert conv_arithmetic.receptive_field(ks, ss) == conv_arithmetic.measured_receptive_field(layers)
    assert conv_arithmetic.analyze(layers, (1, 512, 512))[-1].rf == conv_arithmetic.receptive_field(ks, ss)


def test_receptive_field_padding_does_not_change_it():
    a = conv_arithmetic.measured_receptive_field([Conv(1, 3, padding=1), Conv(1, 5, stride=2, padding=2)])
    b = conv_arithmetic.measured_receptive_field([Conv(1, 3), Conv(1, 5, stride=2)])
    assert a == b == conv_arithmetic.receptive_field([3, 5], [1, 2])


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.integers(1, 7), st.integers(1, 4), st.integers(0, 3))
def test_output_size_matches_conv2d(size, k, s, p):
    if size + 2 * p < k:
        with pytest.raises(ValueError, match="larger than the padded input"):
            conv_arithmetic.output_size(size, k, s, p)
        return
    out = nn.Conv2d(1, 1, k, s, p)(torch.zeros(1, 1, size, size))
    assert conv_arithmetic.output_size(size, k, s, p) == out.shape[-1]


def test_solve_geometry_every_answer_works():
    found = conv_arithmetic.solve_geometry(64, 32, kernel_sizes=[3], strides=range(1, 5), paddings=range(0, 20))
    assert (3, 2, 1) in found and (3, 3, 16) in found
    for k, s, p in found:
        assert nn.Conv2d(1, 1, k, s, p)(torch.zeros(1, 1, 64, 64)).shape[-1] == 32
    # and nothing was missed in that range
    brute = [(3, s, p) for s in range(1, 5) for p in range(20)
             if nn.Conv2d(1, 1, 3, s, p)(torch.zeros(1, 1, 64, 64)).shape[-1] == 32]
    assert found == brute


def test_format_table():
    text = conv_arithmetic.format_table(conv_arithmetic.analyze(SEED_TABLE, (1, 32, 32)), (1, 32, 32))
    assert text.splitlines()[1].startswith("INPUT") and "FC-10" in text and "all" in text


@pytest.mark.parametrize(
    "layers, input_shape, match",
    [
        ([Conv(4, 5), Conv(4, 5)], (1, 6, 6), r"layer 1 \(CONV5-4\): output size would be non-positive: input \(C=4, H=2, W=2\)"),
        ([Pool(2), Pool(2), Pool(2)], (1, 4, 4), r"layer 2 \(POOL2\): output size would be non-positive"),
        ([Conv(4, 3, in_channels=3)], (1, 8, 8), r"layer 0 \(CONV3-4\): expects in_channels=3 but receives 1 channels"),
        ([Conv(4, 3), FC(2, in_features=99)], (1, 8, 8), r"layer 1 \(FC-2\): expects in_features=99 but receives \(4, 6, 6\) = 144"),
        ([FC(3), Conv(2, 1)], (1, 2, 2), r"layer 1 \(CONV1-2\): a Conv needs a \(C, H, W\) volume; got \(3,\)"),
        ([Conv(6, 3, groups=4)], (8, 5, 5), r"groups=4 must divide both C_in=8 and C_out=6"),
        ([Conv(2, 3)], (1, 5), r"input_shape must be \(C, H_in, W_in\)"),
    ],
)
def test_analyze_bad_stacks(layers, input_shape, match):
    with pytest.raises(ValueError, match=match):
        conv_arithmetic.analyze(layers, input_shape)


def test_bad_layer_descriptions_fail_when_built():
    with pytest.raises(ValueError, match=r"out_channels must be an int >= 1; got 0"):
        Conv(0, 3)
    with pytest.raises(ValueError, match=r"kind must be one of 'max', 'avg'; got 'median'"):
        Pool(2, kind="median")
    with pytest.raises(TypeError, match=r"bias must be True or False; got int 1"):
        FC(3, bias=1)


def test_analyze_bad_layer_type():
    with pytest.raises(TypeError, match=r"layer 0 must be a Conv, Pool or FC; got Conv2d"):
        conv_arithmetic.analyze([nn.Conv2d(1, 1, 1)], (1, 2, 2))


def test_bad_scalars():
    with pytest.raises(ValueError, match="stride must be an int >= 1; got 0"):
        conv_arithmetic.output_size(5, 3, 0)
    with pytest.raises(ValueError, match="padding must be an int >= 0; got -1"):
        conv_arithmetic.output_size(5, 3, 1, -1)
    with pytest.raises(ValueError, match="equally long; got 2 and 1"):
        conv_arithmetic.receptive_field([3, 3], [1])
    with pytest.raises(ValueError, match=r"kernel_sizes\[1\] must be an int >= 1"):
        conv_arithmetic.receptive_field([3, 0], [1, 1])
    with pytest.raises(ValueError, match="FC layer sees the whole input"):
        conv_arithmetic.measured_receptive_field([Conv(1, 3), FC(2)])
    with pytest.raises(ValueError, match="size_out must be an int >= 1"):
        conv_arithmetic.solve_geometry(8, 0, kernel_sizes=[3], strides=[1], paddings=[0])


def test_count_multiplications_linear():
    assert conv_arithmetic.count_multiplications(nn.Sequential(nn.Flatten(), nn.Linear(12, 5)), (3, 2, 2)) == 60
