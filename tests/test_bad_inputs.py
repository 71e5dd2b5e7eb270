"""Bad input to every public callable of dlref's reference modules fails clearly, at once.

Three tests, in the pattern of PyTorch's ``error_inputs`` (``torch.testing._internal.opinfo``):

* ``BAD`` is a table of ``(callable, bad call, exception type, message regex)`` rows: wrong
  shapes, mismatched batches, wrong dtypes, lists or ``None`` where tensors belong, zero or
  negative sizes, NaN/inf hyper-parameters, probabilities outside [0, 1], unknown names. Each row
  must raise its exception with a message that names the argument and what was expected.
* ``GOOD`` holds one valid call per callable (and per public method taking input). The sweep
  replaces one argument at a time by each generic bad value of ``BAD_VALUES``; only
  ``TypeError``/``ValueError`` (or a documented dlref exception) may escape, the message must name
  the argument, and a value is accepted only where the spec lists it as valid (``ok``).
* hypothesis draws a spec, an argument and a random value (tensors of any small shape and dtype,
  odd numbers, strings, lists): nothing but a documented exception may escape, and nothing hangs.

Every call runs under a deadline (``deadline``), so a hang fails the test instead of CI. The
meta-test fails when a public function or class of ``REFERENCE_MODULES`` has no row in both
tables; the lab modules have their own table in ``tests/test_bad_inputs_lab.py``, which can reuse
``public_callables``, ``deadline`` and ``classify`` from here.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import math
import re
import signal
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

import pytest
import torch
import torch._dynamo  # noqa: F401 - torch.optim and the FLOP counter import it on first use (seconds): not inside a deadline
from torch import nn

from dlref import attention, check, conv_arithmetic, conv, functional, logic, lstm, matrix_calculus, models
from dlref import optim, rnn, vit
from dlref.gan import losses as gan_losses, models as gan_models
from dlref.nn import deep, mlp

REFERENCE_MODULES = (
    "dlref.functional", "dlref.conv_arithmetic", "dlref.conv", "dlref.attention", "dlref.rnn", "dlref.lstm",
    "dlref.optim", "dlref.matrix_calculus", "dlref.logic", "dlref.check", "dlref.vit", "dlref.models",
    "dlref.nn.deep", "dlref.nn.mlp", "dlref.gan.losses", "dlref.gan.models",
)

#: Exceptions dlref documents besides TypeError/ValueError.
DOCUMENTED = (TypeError, ValueError, check.GradientCheckError)

DEADLINE_S = 5.0


# ---------------------------------------------------------------------------------------------
# helpers other bad-input tables import


def public_callables(module_names) -> dict[str, object]:
    """``{"module.name": obj}`` for every function and class a module defines whose name has no ``_``."""
    found = {}
    for module_name in module_names:
        module = importlib.import_module(module_name)
        for name, obj in vars(module).items():
            if name.startswith("_") or not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            if getattr(obj, "__module__", None) == module_name:
                found[f"{module_name}.{name}"] = obj
    return found


class Hang(Exception):
    """A call ran past its deadline."""


@contextlib.contextmanager
def deadline(seconds: float = DEADLINE_S):
    """Raise :class:`Hang` inside the block after ``seconds`` (main thread, POSIX; else no limit)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def fire(signum, frame):
        raise Hang(f"the call did not return within {seconds} s")

    previous = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def classify(call: Callable[[], object], names: tuple[str, ...] = (), documented=DOCUMENTED) -> tuple[str, str]:
    """Run a bad call: ``("clear" | "unclear" | "obscure" | "silent" | "hang", detail)``.

    ``clear``: a documented exception whose message names one of ``names`` (or any message when
    ``names`` is empty); ``unclear``: a documented exception whose message does not; ``obscure``:
    any other exception; ``silent``: no exception at all.
    """
    try:
        with deadline():
            call()
    except Hang as exc:
        return "hang", str(exc)
    except documented as exc:
        message = str(exc)
        # the argument's name, or its singular for one item of it ("layer 0" of layers)
        names = names + tuple(n[:-1] for n in names if n.endswith("s"))
        if not names or any(re.search(rf"(?<![\w]){re.escape(n)}(?![\w])", message) for n in names):
            return "clear", f"{type(exc).__name__}: {message}"
        return "unclear", f"{type(exc).__name__}: {message}"
    except Exception as exc:  # noqa: BLE001 - this is what the test is looking for
        return "obscure", f"{type(exc).__name__}: {exc}"
    return "silent", "accepted"


# ---------------------------------------------------------------------------------------------
# building blocks for the tables

_gen = torch.Generator().manual_seed(0)


def T(*shape: int, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """A random float64 tensor."""
    return torch.randn(*shape, generator=_gen, dtype=dtype)


def P(*shape: int) -> torch.Tensor:
    """Probabilities strictly inside (0, 1)."""
    return torch.rand(*shape, generator=_gen, dtype=torch.float64) * 0.8 + 0.1


def params() -> list[nn.Parameter]:
    return [nn.Parameter(T(2))]


def layer_stack() -> list:
    return [conv_arithmetic.Conv(4, 3), conv_arithmetic.Pool(2), conv_arithmetic.FC(10)]


def small_bncnn() -> models.BNCNN:
    return models.BNCNN(1, 3, image_size=16, widths=(2, 2, 2, 2), hidden=(4,))


def small_vit() -> vit.ViT:
    return vit.ViT(8, 4, 1, 3, dim=8, depth=1, heads=2)


def rnn_args() -> dict:
    return dict(x=T(2, 3, 1), lengths=torch.tensor([3, 2]), h0=T(2, 4), Wx=T(4, 1), Wh=T(4, 4), b=T(4))


def lstm_args(batch: tuple[int, ...] = (1,)) -> dict:
    K, D = 2, 3
    return dict(x=T(*batch, D), h=T(*batch, K), c=T(*batch, K), weight_ih=T(4 * K, D), weight_hh=T(4 * K, K),
                bias_ih=T(4 * K), bias_hh=T(4 * K))


def xor_table() -> tuple[torch.Tensor, torch.Tensor]:
    return logic.truth_table(lambda a, b: a ^ b, 2)


def sq(x: torch.Tensor) -> torch.Tensor:
    return (x ** 2).sum()


W_NEWTON = nn.Parameter(T(2))


def newton_closure() -> torch.Tensor:
    return (W_NEWTON ** 2).sum()


# ---------------------------------------------------------------------------------------------
# the table of bad calls: (callable, bad call, exception, message regex)


@dataclass
class Bad:
    owner: object
    call: Callable[[], object]
    exc: type[BaseException]
    match: str
    id: str = ""


def bad(owner, call, exc, match, id=""):
    return Bad(owner, call, exc, match, id)


BAD: list[Bad] = [
    # dlref.functional
    bad(functional.linear, lambda: functional.linear(T(2, 3), T(4, 5)), ValueError, r"x must be .*D = W\.shape\[1\] = 5"),
    bad(functional.linear, lambda: functional.linear([1.0, 2.0], T(4, 2)), TypeError, r"x must be a torch\.Tensor; got list"),
    bad(functional.linear, lambda: functional.linear(T(2, 3), T(4, 3), T(5)), ValueError, r"b must have shape \(K,\) = \(4,\)"),
    bad(functional.linear, lambda: functional.linear(T(2, 3), T(4, 3, dtype=torch.float32)), TypeError, r"x and W must share a dtype"),
    bad(functional.linear_backward, lambda: functional.linear_backward(T(3, 4), T(2, 3), T(4, 3)), ValueError, r"grad_z must be \(B, K\)"),
    bad(functional.linear_backward, lambda: functional.linear_backward(T(2, 4), T(2, 3), None), TypeError, r"W must be a torch\.Tensor"),
    bad(functional.relu, lambda: functional.relu(torch.tensor([1, 2])), TypeError, r"z must be a floating-point tensor"),
    bad(functional.relu_backward, lambda: functional.relu_backward(T(3), T(4)), ValueError, r"grad_h and z must have the same shape"),
    bad(functional.relu_backward, lambda: functional.relu_backward(None, T(4)), TypeError, r"grad_h must be a torch\.Tensor"),
    bad(functional.softmax, lambda: functional.softmax(None), TypeError, r"a must be a torch\.Tensor"),
    bad(functional.softmax, lambda: functional.softmax(torch.empty(2, 0)), ValueError, r"a must not be empty"),
    bad(functional.softmax_backward, lambda: functional.softmax_backward(T(2, 3), T(3, 2)), ValueError, r"grad_p and a must have the same shape"),
    bad(functional.softmax_cross_entropy, lambda: functional.softmax_cross_entropy(T(2, 3), torch.tensor([0, 3])), ValueError,
        r"class indices must lie in \[0, 2\]"),
    bad(functional.softmax_cross_entropy, lambda: functional.softmax_cross_entropy(T(2, 3), torch.tensor([0, 1, 2])), ValueError,
        r"class-index targets must have shape \(2,\)"),
    bad(functional.softmax_cross_entropy, lambda: functional.softmax_cross_entropy(T(2, 3), [0, 1]), TypeError, r"y must be a torch\.Tensor"),
    bad(functional.softmax_cross_entropy_backward, lambda: functional.softmax_cross_entropy_backward(T(2, 3), T(2, 4)), ValueError,
        r"probability targets must have the logits' shape"),
    bad(functional.sigmoid, lambda: functional.sigmoid("abc"), TypeError, r"a must be a torch\.Tensor; got str"),
    bad(functional.sigmoid_backward, lambda: functional.sigmoid_backward(T(2), T(3)), ValueError, r"grad_s and a must have the same shape"),
    bad(functional.tanh, lambda: functional.tanh(torch.tensor([True])), TypeError, r"a must be a floating-point tensor"),
    bad(functional.tanh_backward, lambda: functional.tanh_backward(T(2), T(3)), ValueError, r"grad_t and a must have the same shape"),
    bad(functional.log_softmax, lambda: functional.log_softmax(T(())), ValueError, r"a must have a class dimension"),
    bad(functional.log_softmax_backward, lambda: functional.log_softmax_backward(T(2, 3), T(3, 2)), ValueError,
        r"grad_l and a must have the same shape"),
    bad(functional.binary_cross_entropy, lambda: functional.binary_cross_entropy(torch.tensor([1.5]), torch.tensor([1.0])), ValueError,
        r"p must hold probabilities in \[0, 1\]"),
    bad(functional.binary_cross_entropy, lambda: functional.binary_cross_entropy(P(2), torch.tensor([0, 1])), TypeError,
        r"y must be a floating-point tensor"),
    bad(functional.binary_cross_entropy_backward, lambda: functional.binary_cross_entropy_backward(P(2), torch.tensor([-0.5, 1.0])),
        ValueError, r"y must hold probabilities in \[0, 1\]"),
    bad(functional.binary_cross_entropy_with_logits, lambda: functional.binary_cross_entropy_with_logits(T(2), T(3)), ValueError,
        r"a and y must have the same shape"),
    bad(functional.binary_cross_entropy_with_logits_backward,
        lambda: functional.binary_cross_entropy_with_logits_backward(T(2), torch.tensor([2.0, 0.0])), ValueError,
        r"y must hold probabilities in \[0, 1\]"),
    bad(functional.mse, lambda: functional.mse(T(2), T(3)), ValueError, r"yhat and y must have the same shape"),
    bad(functional.mse_backward, lambda: functional.mse_backward(T(2), None), TypeError, r"y must be a torch\.Tensor"),
    # dlref.conv_arithmetic
    bad(conv_arithmetic.Conv, lambda: conv_arithmetic.Conv(0, 3), ValueError, r"out_channels must be an int >= 1; got 0"),
    bad(conv_arithmetic.Conv, lambda: conv_arithmetic.Conv(4, 3, padding=-1), ValueError, r"padding must be an int >= 0"),
    bad(conv_arithmetic.Conv, lambda: conv_arithmetic.Conv(4, 3.0), TypeError, r"kernel_size must be an int"),
    bad(conv_arithmetic.Pool, lambda: conv_arithmetic.Pool(2, kind="mean"), ValueError, r"kind must be one of 'max', 'avg'"),
    bad(conv_arithmetic.Pool, lambda: conv_arithmetic.Pool(2, stride=0), ValueError, r"stride must be an int >= 1"),
    bad(conv_arithmetic.FC, lambda: conv_arithmetic.FC(-1), ValueError, r"out_features must be an int >= 1"),
    bad(conv_arithmetic.FC, lambda: conv_arithmetic.FC(10, in_features=0), ValueError, r"in_features must be an int >= 1"),
    bad(conv_arithmetic.LayerRow, lambda: conv_arithmetic.LayerRow("c", (4, 8, 8), -1, 0, 3, 1), ValueError, r"params must be an int >= 0"),
    bad(conv_arithmetic.output_size, lambda: conv_arithmetic.output_size(4, 7), ValueError, r"kernel_size 7 is larger than the padded input"),
    bad(conv_arithmetic.output_size, lambda: conv_arithmetic.output_size(32, 5, stride=0), ValueError, r"stride must be an int >= 1"),
    bad(conv_arithmetic.output_size, lambda: conv_arithmetic.output_size(None, 5), TypeError, r"size must be an int"),
    bad(conv_arithmetic.analyze, lambda: conv_arithmetic.analyze([conv_arithmetic.Conv(4, 3), "pool"], (1, 8, 8)), TypeError,
        r"layer 1 must be a Conv, Pool or FC; got str"),
    bad(conv_arithmetic.analyze, lambda: conv_arithmetic.analyze([conv_arithmetic.Conv(4, 9)], (1, 8, 8)), ValueError, r"output size would be non-positive"),
    bad(conv_arithmetic.analyze, lambda: conv_arithmetic.analyze([conv_arithmetic.Conv(4, 3, in_channels=3)], (1, 8, 8)), ValueError,
        r"expects in_channels=3 but receives 1"),
    bad(conv_arithmetic.analyze, lambda: conv_arithmetic.analyze(None, (1, 8, 8)), TypeError, r"layers must be a list"),
    bad(conv_arithmetic.analyze, lambda: conv_arithmetic.analyze(layer_stack(), (1, 8)), ValueError, r"input_shape must be \(C, H_in, W_in\)"),
    bad(conv_arithmetic.format_table, lambda: conv_arithmetic.format_table(None), TypeError, r"rows must be a list"),
    bad(conv_arithmetic.format_table, lambda: conv_arithmetic.format_table(["row"]), TypeError, r"rows\[0\] must be a LayerRow"),
    bad(conv_arithmetic.receptive_field, lambda: conv_arithmetic.receptive_field([3, 3], [1]), ValueError, r"equally long; got 2 and 1"),
    bad(conv_arithmetic.receptive_field, lambda: conv_arithmetic.receptive_field([3, 0], [1, 1]), ValueError, r"kernel_sizes\[1\] must be an int >= 1"),
    bad(conv_arithmetic.receptive_field, lambda: conv_arithmetic.receptive_field(None, [1]), TypeError, r"kernel_sizes must be a list"),
    bad(conv_arithmetic.to_torch, lambda: conv_arithmetic.to_torch(layer_stack(), (1, 8, 8), activation="relu"), TypeError,
        r"activation must be a torch\.nn\.Module subclass"),
    bad(conv_arithmetic.count_multiplications, lambda: conv_arithmetic.count_multiplications(None, (1, 4, 4)), TypeError, r"module must be a Module"),
    bad(conv_arithmetic.count_multiplications, lambda: conv_arithmetic.count_multiplications(nn.Conv2d(1, 2, 3), (0, 4, 4)), ValueError,
        r"input_shape must be \(C, H_in, W_in\)"),
    bad(conv_arithmetic.measured_receptive_field, lambda: conv_arithmetic.measured_receptive_field([conv_arithmetic.FC(3)]), ValueError,
        r"takes Conv and Pool layers only"),
    bad(conv_arithmetic.measured_receptive_field, lambda: conv_arithmetic.measured_receptive_field([]), ValueError, r"layers must hold at least 1"),
    bad(conv_arithmetic.measured_receptive_field, lambda: conv_arithmetic.measured_receptive_field([conv_arithmetic.Conv(1, 3, in_channels=2)]), ValueError,
        r"expects in_channels=2 but receives 1"),
    bad(conv_arithmetic.solve_geometry, lambda: conv_arithmetic.solve_geometry(8, 0, kernel_sizes=[3], strides=[1], paddings=[0]), ValueError,
        r"size_out must be an int >= 1"),
    bad(conv_arithmetic.solve_geometry, lambda: conv_arithmetic.solve_geometry(8, 4, kernel_sizes=None, strides=[1], paddings=[0]), TypeError,
        r"kernel_sizes must be a list"),
    # dlref.conv
    bad(conv.conv2d, lambda: conv.conv2d(T(1, 2, 5, 5), T(3, 4, 3, 3)), ValueError,
        r"X has C_in=2 channels but W expects 4"),
    bad(conv.conv2d, lambda: conv.conv2d(T(1, 2, 5, 5), T(3, 2, 3, 3), T(4)), ValueError,
        r"b must have shape \(C_out,\) = \(3,\)"),
    bad(conv.conv2d, lambda: conv.conv2d(T(1, 2, 5, 5), T(3, 2, 3, 3), stride=0), ValueError,
        r"stride must be an int >= 1"),
    bad(conv.conv2d, lambda: conv.conv2d(T(5, 5), T(3, 2, 3, 3)), ValueError, r"X must be 3-D \(C_in, H_in, W_in\) or 4-D"),
    bad(conv.conv2d_backward, lambda: conv.conv2d_backward(T(1, 3, 2, 2), T(1, 2, 5, 5), T(3, 2, 3, 3)),
        ValueError, r"dO must have the output's shape \(1, 3, 3, 3\)"),
    bad(conv.im2col, lambda: conv.im2col(T(1, 2, 5, 5), 0), ValueError, r"kernel_size must be an int >= 1"),
    bad(conv.im2col, lambda: conv.im2col([1.0], 2), TypeError, r"X must be a torch\.Tensor"),
    bad(conv.col2im, lambda: conv.col2im(T(1, 18, 8), (1, 2, 5, 5), 3), ValueError,
        r"cols must have shape \(1, 18, 9\)"),
    bad(conv.col2im, lambda: conv.col2im(T(1, 18, 9), (1, 2, 5), 3), ValueError,
        r"input_shape must be \(B, C_in, H_in, W_in\)"),
    bad(conv.conv2d_im2col, lambda: conv.conv2d_im2col(T(1, 2, 5, 5), T(3, 2, 3, 3), padding=-1),
        ValueError, r"padding must be an int >= 0"),
    bad(conv.conv2d_backward_im2col,
        lambda: conv.conv2d_backward_im2col(T(1, 3, 2, 2), T(1, 2, 5, 5), T(3, 2, 3, 3)), ValueError,
        r"dO must have the output's shape \(1, 3, 3, 3\)"),
    bad(conv.conv_matrix, lambda: conv.conv_matrix(T(2, 1, 2, 2), (3, 3), stride=0), ValueError,
        r"stride must be an int >= 1"),
    bad(conv.conv_matrix, lambda: conv.conv_matrix(T(2, 1, 4, 4), (3, 3)), ValueError,
        r"kernel 4×4 does not fit input 3×3"),
    bad(conv.max_pool2d, lambda: conv.max_pool2d(T(1, 1, 4, 4), 5), ValueError, r"does not fit input 4×4"),
    bad(conv.max_pool2d, lambda: conv.max_pool2d(T(1, 1, 4, 4), None), TypeError,
        r"kernel_size must be an int"),
    bad(conv.max_pool2d_backward, lambda: conv.max_pool2d_backward(T(1, 1, 2, 2),
        torch.zeros(1, 1, 2, 3, dtype=torch.long), (1, 1, 4, 4)), ValueError, r"dM and indices must have the same shape"),
    bad(conv.max_pool2d_backward, lambda: conv.max_pool2d_backward(T(1, 1, 2, 2),
        torch.full((1, 1, 2, 2), 99), (1, 1, 4, 4)), ValueError, r"indices must lie in \[0, H_in·W_in\) = \[0, 16\)"),
    # dlref.attention
    bad(attention.causal_mask, lambda: attention.causal_mask(-1, 3), ValueError, r"L must be an int >= 0"),
    bad(attention.causal_mask, lambda: attention.causal_mask(2, 3, device="gpu7"), ValueError, r"device must name a device"),
    bad(attention.attention_weights, lambda: attention.attention_weights(T(2, 4, 8), T(2, 5, 6)), ValueError,
        r"q and k must share the last dim E"),
    bad(attention.attention_weights, lambda: attention.attention_weights(T(2, 4, 8), T(2, 5, 8), scale=math.nan),
        ValueError, r"scale must be a finite number"),
    bad(attention.attention_weights, lambda: attention.attention_weights(T(2, 4, 8), T(2, 5, 8), is_causal="yes"),
        TypeError, r"is_causal must be True or False"),
    bad(attention.scaled_dot_product_attention,
        lambda: attention.scaled_dot_product_attention(T(2, 4, 8), T(2, 5, 8), T(2, 6, 8)), ValueError,
        r"k and v must share the length S"),
    bad(attention.scaled_dot_product_attention,
        lambda: attention.scaled_dot_product_attention(T(2, 4, 8), T(2, 5, 8), T(2, 5, 8), dropout_p=1.5), ValueError,
        r"dropout_p must be a finite number in \[0\.0, 1\.0\]"),
    bad(attention.scaled_dot_product_attention,
        lambda: attention.scaled_dot_product_attention(T(2, 4, 8), T(3, 5, 8), T(3, 5, 8), fast=True), ValueError,
        r"batch dims .* cannot broadcast"),
    bad(attention.scaled_dot_product_attention,
        lambda: attention.scaled_dot_product_attention(T(2, 4, 8), T(2, 5, 8), T(2, 5, 8), attn_mask=torch.ones(4, 6).bool()),
        ValueError, r"attn_mask of shape \(4, 6\) cannot broadcast"),
    bad(attention.MultiheadAttention, lambda: attention.MultiheadAttention(10, 3), ValueError,
        r"embed_dim must be a positive multiple of num_heads"),
    bad(attention.MultiheadAttention, lambda: attention.MultiheadAttention(8, 2, kdim=0), ValueError, r"kdim must be an int >= 1"),
    bad(attention.MultiheadAttention, lambda: attention.MultiheadAttention(8, 2, dropout=math.nan), ValueError,
        r"dropout must be a finite number in \[0\.0, 1\.0\]"),
    bad(attention.MultiheadAttention, lambda: attention.MultiheadAttention(8, 2)(T(2, 3, 8).float(), T(3, 3, 8).float(),
        T(3, 3, 8).float()), ValueError, r"must share the batch size B", id="forward-batch"),
    bad(attention.MultiheadAttention, lambda: attention.MultiheadAttention(8, 2)(T(2, 3, 8).float(), T(2, 3, 8).float(),
        T(2, 3, 8).float(), key_padding_mask=[True]), TypeError, r"key_padding_mask must be a torch\.Tensor",
        id="forward-kpm-list"),
    # dlref.rnn
    bad(rnn.length_mask, lambda: rnn.length_mask(torch.tensor([3, 5]), 4), ValueError, r"lengths must lie in 1 … L = 4"),
    bad(rnn.length_mask, lambda: rnn.length_mask([3, 1], 4), TypeError, r"lengths must be a torch\.Tensor; got list"),
    bad(rnn.length_mask, lambda: rnn.length_mask(torch.tensor([3, 1]), 4, dtype="float"), TypeError, r"dtype must be a torch\.dtype"),
    bad(rnn.rnn_forward, lambda: rnn.rnn_forward(**{**rnn_args(), "h0": T(3, 4)}), ValueError, r"h0 must be \(B = 2, K = 4\)"),
    bad(rnn.rnn_forward, lambda: rnn.rnn_forward(**{**rnn_args(), "lengths": [3, 2]}), TypeError,
        r"lengths must be a torch\.Tensor; got list"),
    bad(rnn.rnn_forward, lambda: rnn.rnn_forward(**{**rnn_args(), "Wh": T(4, 4, dtype=torch.float32)}), TypeError,
        r"must share one dtype"),
    bad(rnn.rnn_backward, lambda: rnn.rnn_backward(T(2, 3, 4), {}), ValueError, r"cache must hold the key\(s\) 'x', 'm'"),
    bad(rnn.rnn_backward, lambda: rnn.rnn_backward(T(2, 3, 5), rnn.rnn_forward(**rnn_args())[1]), ValueError,
        r"grad_H must have the shape of H \(2, 3, 4\)"),
    bad(rnn.rnn_jacobian, lambda: rnn.rnn_jacobian(T(4), T(1), T(4, 2), T(4, 4), T(4)), ValueError, r"expected Wh \(4, 4\), Wx \(4, 1\)"),
    # dlref.lstm
    bad(lstm.lstm_cell, lambda: lstm.lstm_cell(**{**lstm_args(), "weight_hh": T(8, 3)}), ValueError, r"weight_hh \(8, 2\)"),
    bad(lstm.lstm_cell, lambda: lstm.lstm_cell(**{**lstm_args(), "c": T(2, 2)}), ValueError, r"c must have the shape of h"),
    bad(lstm.lstm_cell, lambda: lstm.lstm_cell(**{**lstm_args(), "h": None}), TypeError, r"h must be a torch\.Tensor"),
    bad(lstm.lstm_cell, lambda: lstm.lstm_cell(**{**lstm_args(), "x": T(1, 3, dtype=torch.float32)}), TypeError,
        r"must share a dtype"),
    bad(lstm.cell_jacobians, lambda: lstm.cell_jacobians(**lstm_args(), o_prev=T(1, 2)), ValueError,
        r"must be a vector \(one example\)"),
    # dlref.optim
    bad(optim.Momentum, lambda: optim.Momentum(params(), lr=0.1, beta=1.0), ValueError, r"beta must .*\[0\.0, 1\.0\)"),
    bad(optim.Momentum, lambda: optim.Momentum(params(), lr=0.1, nesterov="yes"), TypeError, r"nesterov must be True or False"),
    bad(optim.SGD, lambda: optim.SGD(params(), lr=-0.1), ValueError, r"lr must .*\(0\.0, ∞\); got -0\.1"),
    bad(optim.SGD, lambda: optim.SGD(params(), lr=0.1, nesterov=True), ValueError, r"nesterov needs momentum > 0"),
    bad(optim.SGD, lambda: optim.SGD(params(), lr=math.inf), ValueError, r"lr must .*got inf"),
    bad(optim.Adagrad, lambda: optim.Adagrad(params(), eps=math.nan), ValueError, r"eps must .*got nan"),
    bad(optim.RMSprop, lambda: optim.RMSprop(params(), alpha=-0.5), ValueError, r"alpha must"),
    bad(optim.Adam, lambda: optim.Adam(params(), betas=(0.9,)), TypeError, r"betas must be a pair"),
    bad(optim.Adam, lambda: optim.Adam(params(), betas=(0.9, 1.5)), ValueError, r"betas\[1\] must"),
    bad(optim.AdamW, lambda: optim.AdamW(params(), weight_decay=-1), ValueError, r"weight_decay must"),
    bad(optim.AdamW, lambda: optim.AdamW(None), TypeError, r"params"),
    bad(optim.Newton, lambda: optim.Newton(params(), damping=None), TypeError, r"damping must be a real number"),
    bad(optim.Newton, lambda: optim.Newton(params()).step(), ValueError, r"Newton\.step needs a closure", id="step-none"),
    bad(optim.Newton, lambda: optim.Newton(params()).step("loss"), TypeError, r"closure must be callable", id="step-str"),
    bad(optim.SGD, lambda: optim.SGD(params(), lr=0.1).step(42), TypeError, r"closure must be callable", id="step-int"),
    # dlref.matrix_calculus
    bad(matrix_calculus.jacobian, lambda: matrix_calculus.jacobian(sq, T(3), layout="row"), ValueError,
        r"layout must be one of"),
    bad(matrix_calculus.jacobian, lambda: matrix_calculus.jacobian(None, T(3)), TypeError, r"fn must be callable"),
    bad(matrix_calculus.jacobian, lambda: matrix_calculus.jacobian(lambda x: 1.0, T(3)), TypeError, r"fn must return a tensor"),
    bad(matrix_calculus.gradient, lambda: matrix_calculus.gradient(lambda x: x * 2, T(3)), ValueError, r"fn must return a scalar"),
    bad(matrix_calculus.gradient, lambda: matrix_calculus.gradient(sq, torch.tensor([1, 2])), TypeError,
        r"x must be a floating-point tensor"),
    # dlref.logic
    bad(logic.step, lambda: logic.step([0.5]), TypeError, r"z must be a torch\.Tensor"),
    bad(logic.all_inputs, lambda: logic.all_inputs(0), ValueError, r"n_inputs must be an int in \[1, 20\]"),
    bad(logic.all_inputs, lambda: logic.all_inputs(21), ValueError, r"n_inputs must be an int in \[1, 20\]"),
    bad(logic.all_inputs, lambda: logic.all_inputs(2, dtype="float"), TypeError, r"dtype must be a torch\.dtype"),
    bad(logic.truth_table, lambda: logic.truth_table(lambda a, b: 2, 2), ValueError, r"fn must return 0 or 1"),
    bad(logic.truth_table, lambda: logic.truth_table("xor", 2), TypeError, r"fn must be callable"),
    bad(logic.disagreements, lambda: logic.disagreements(torch.tensor([0.0, 1.0]), torch.tensor([0.0, 1.0, 1.0])), ValueError,
        r"got and expected must have the same shape"),
    bad(logic.disagreements, lambda: logic.disagreements(torch.tensor([0.5]), torch.tensor([1.0])), ValueError,
        r"got must contain only 0s and 1s"),
    bad(logic.format_truth_table, lambda: logic.format_truth_table(logic.all_inputs(2), {"y": T(3)}), ValueError,
        r"column 'y' must be \(4,\)"),
    bad(logic.format_truth_table, lambda: logic.format_truth_table(logic.all_inputs(2), None), TypeError,
        r"columns must be a Mapping; got NoneType"),
    bad(logic.format_truth_table, lambda: logic.format_truth_table(logic.all_inputs(2), {}, input_names=[1, 2]), TypeError,
        r"input_names\[0\] must be a str"),
    bad(logic.ThresholdNetwork, lambda: logic.ThresholdNetwork([]), ValueError, r"layers must hold at least 1"),
    bad(logic.ThresholdNetwork, lambda: logic.ThresholdNetwork([(T(2, 2), T(2)), (T(1, 3), T(1))]), ValueError,
        r"layers\[1\] W must have shape \(K_out, K_in\) = \(\*, 2\); got \(1, 3\)"),
    bad(logic.ThresholdNetwork, lambda: logic.ThresholdNetwork([(T(1, 2), T(1))])(torch.ones(3)), ValueError,
        r"x must have D = 2 columns", id="call-width"),
    bad(logic.SigmoidNetwork, lambda: logic.SigmoidNetwork([2]), ValueError, r"widths must hold at least 2"),
    bad(logic.SigmoidNetwork, lambda: logic.SigmoidNetwork([2, 0, 1]), ValueError, r"widths\[1\] must be an int >= 1"),
    bad(logic.SigmoidNetwork, lambda: logic.SigmoidNetwork([2, 1], init_scale=math.inf), ValueError, r"init_scale must be"),
    bad(logic.SigmoidNetwork, lambda: logic.SigmoidNetwork([2, 1], dtype=torch.int64), TypeError,
        r"dtype must be a floating-point dtype"),
    bad(logic.SigmoidNetwork, lambda: logic.SigmoidNetwork([2, 1]).gradients(logic.all_inputs(2), torch.full((4, 1), 2.0)),
        ValueError, r"Y must hold probabilities in \[0, 1\]", id="gradients-targets"),
    bad(logic.SigmoidNetwork, lambda: logic.SigmoidNetwork([2, 1])(torch.ones(4, 3)), ValueError,
        r"x must be \(B, D\) or \(D,\) with D = 2", id="forward-width"),
    bad(logic.fit_boolean, lambda: logic.fit_boolean(*xor_table(), hidden=2, steps=10, lr=math.inf), ValueError,
        r"lr must be a finite number"),
    bad(logic.fit_boolean, lambda: logic.fit_boolean(*xor_table(), hidden=0, steps=10), ValueError, r"hidden\[0\] must be an int >= 1"),
    bad(logic.fit_boolean, lambda: logic.fit_boolean(*xor_table(), hidden=2, steps=10, seed=None), TypeError, r"seed must be an int"),
    bad(logic.fit_boolean, lambda: logic.fit_boolean(logic.all_inputs(2), torch.zeros(3), hidden=2, steps=10), ValueError,
        r"X and Y must have the same number of rows"),
    bad(logic.asummable_pair, lambda: logic.asummable_pair(logic.all_inputs(2), torch.zeros(4, 2)), ValueError,
        r"y must be one label per row"),
    # dlref.check
    bad(check.GradientCheckError, lambda: check.compare("∇x", torch.ones(2), 2 * torch.ones(2), quiet=True),
        check.GradientCheckError, r"∇x: relative error .* exceeds tolerance"),
    bad(check.CheckResult, lambda: check.CheckResult("x", "autograd", (2,), -1.0, 0.0, 1e-10, True), ValueError,
        r"max_abs_error must be"),
    bad(check.recording, lambda: check.recording(1), TypeError, r"recording\(\) takes 0 positional arguments"),
    bad(check.compare, lambda: check.compare("x", torch.ones(2), torch.ones(3), quiet=True), ValueError,
        r"x: analytic and reference must have the same shape"),
    bad(check.compare, lambda: check.compare("x", torch.ones(2), torch.ones(2), tol=math.inf), ValueError, r"tol must be"),
    bad(check.compare, lambda: check.compare("x", None, torch.ones(2)), TypeError, r"analytic must be a tensor"),
    bad(check.autograd_gradients, lambda: check.autograd_gradients(sq, {"x": torch.tensor([1, 2])}), TypeError,
        r"input 'x' must be a floating-point tensor"),
    bad(check.autograd_gradients, lambda: check.autograd_gradients(sq, [T(2)]), TypeError, r"inputs must be a Mapping"),
    bad(check.finite_differences, lambda: check.finite_differences(sq, {"x": T(2)}, eps=0), ValueError, r"eps must be"),
    bad(check.finite_differences, lambda: check.finite_differences(None, {"x": T(2)}), TypeError, r"fn must be callable"),
    bad(check.check_gradients, lambda: check.check_gradients(sq, {"x": T(2)}, {"y": T(2)}), ValueError,
        r"analytic gradients given for \['y'\]"),
    bad(check.check_gradients, lambda: check.check_gradients(sq, {"x": T(2)}, None), TypeError, r"analytic must be a Mapping"),
    # dlref.vit
    bad(vit.num_patches, lambda: vit.num_patches(30, 7), ValueError, r"positive multiples of patch_size 7"),
    bad(vit.num_patches, lambda: vit.num_patches(None, 7), TypeError, r"image_size must be an int"),
    bad(vit.patchify, lambda: vit.patchify(T(1, 1, 6, 6), 4), ValueError, r"multiple of patch_size 4"),
    bad(vit.patchify, lambda: vit.patchify(T(1, 1, 8, 8), 0), ValueError, r"patch_size must be"),
    bad(vit.unpatchify, lambda: vit.unpatchify(T(1, 4, 5), 2, (4, 4), 1), ValueError, r"do not fit 1×4×4 images"),
    bad(vit.unpatchify, lambda: vit.unpatchify(T(4, 4), 2, (4, 4), 1), ValueError, r"patches must have 3 dimensions"),
    bad(vit.PatchEmbedding, lambda: vit.PatchEmbedding(1, 0, 2), ValueError, r"embed_dim must be an int >= 1"),
    bad(vit.PatchEmbedding, lambda: vit.PatchEmbedding(1, 4, 2)(T(1, 2, 4, 4).float()), ValueError,
        r"expected 1 input channels", id="forward-channels"),
    bad(vit.sinusoidal_positions, lambda: vit.sinusoidal_positions(4, 5), ValueError, r"even dim"),
    bad(vit.sinusoidal_positions, lambda: vit.sinusoidal_positions(None, 4), TypeError, r"n must be an int"),
    bad(vit.Block, lambda: vit.Block(8, 3), ValueError, r"embed_dim must be a positive multiple of num_heads"),
    bad(vit.Block, lambda: vit.Block(8, 2, mlp_ratio=math.nan), ValueError, r"mlp_ratio must be"),
    bad(vit.Block, lambda: vit.Block(8, 2)([1.0]), TypeError, r"x must be a torch\.Tensor", id="forward-list"),
    bad(vit.ViT, lambda: vit.ViT(8, 4, 1, 3, dim=8, depth=1, heads=2, positions="rope"), ValueError, r"positions must be"),
    bad(vit.ViT, lambda: vit.ViT(8, 4, 1, 3, dim=8, depth=-1, heads=2), ValueError, r"depth must be an int >= 0"),
    bad(vit.ViT, lambda: small_vit()(T(2, 1, 12, 12).float()), ValueError, r"x must have shape \(B, C, H_in, W_in\) = \(\*, 1, 8, 8\)",
        id="forward-size"),
    # dlref.models
    bad(models.LeNet, lambda: models.LeNet(image_size=30), ValueError, r"image_size 32 .* or 28"),
    bad(models.LeNet, lambda: models.LeNet(in_channels=0), ValueError, r"in_channels must be an int >= 1"),
    bad(models.LeNet, lambda: models.LeNet(1, image_size=28)(T(2, 1, 32, 32).float()), ValueError,
        r"LeNet expects images \(B, 1, 28, 28\)", id="forward-size"),
    bad(models.LeNet, lambda: models.LeNet(1, image_size=28)(None), TypeError, r"x must be a torch\.Tensor", id="forward-none"),
    bad(models.BNCNN, lambda: models.BNCNN(1, dropout=1.0), ValueError, r"dropout must be in \[0, 1\)"),
    bad(models.BNCNN, lambda: models.BNCNN(1, widths=None), TypeError, r"widths must be a list or tuple"),
    bad(models.BNCNN, lambda: small_bncnn()(T(2, 3, 16, 16).float()), ValueError, r"BNCNN expects images \(B, 1, 16, 16\)",
        id="forward-channels"),
    bad(models.kaiming_init_, lambda: models.kaiming_init_(None), TypeError, r"model must be a Module"),
    bad(models.count_parameters, lambda: models.count_parameters([nn.Linear(2, 2)]), TypeError, r"model must be a Module"),
    # dlref.nn
    bad(deep.activation, lambda: deep.activation("gelu", T(2)), ValueError, r"name must be one of 'relu'"),
    bad(deep.activation, lambda: deep.activation("relu", [1.0]), TypeError, r"z must be a torch\.Tensor"),
    bad(deep.activation_derivative, lambda: deep.activation_derivative(None, T(2)), ValueError, r"name must be one of"),
    bad(deep.DeepMLP, lambda: deep.DeepMLP([3, 0, 1], "tanh"), ValueError, r"sizes\[1\] must be an int >= 1"),
    bad(deep.DeepMLP, lambda: deep.DeepMLP([3, 4, 1], ["tanh"]), ValueError, r"need one activation per layer: 2"),
    bad(deep.DeepMLP, lambda: deep.DeepMLP([3, 4, 1], None), TypeError, r"activations must be a name or a list of names"),
    bad(deep.DeepMLP, lambda: deep.DeepMLP([3, 1], "tanh", dtype=torch.float64)(T(2, 4)), ValueError,
        r"x must be \(B, D\) or \(D,\) with D = 3", id="forward-width"),
    bad(deep.DeepMLP, lambda: deep.DeepMLP([3, 1], "tanh", dtype=torch.float64).gradients(T(2, 3), T(2, 2)), ValueError,
        r"grad_output must have the output's shape \(2, 1\)", id="gradients-shape"),
    bad(mlp.MLP, lambda: mlp.MLP(0, 3, 2), ValueError, r"D must be"),
    bad(mlp.MLP, lambda: mlp.MLP(True, 3, 2), TypeError, r"D must be an int"),
    bad(mlp.MLP, lambda: mlp.MLP(2, 3, 2)(T(4, 2)), TypeError, r"x must have the parameters' dtype torch\.float32",
        id="forward-dtype"),
    bad(mlp.MLP, lambda: mlp.MLP(2, 3, 2, dtype=torch.float64).gradients(T(4, 2), torch.tensor([0, 1, 2, 0])), ValueError,
        r"class indices must lie in \[0, 1\]", id="gradients-classes"),
    # dlref.gan.losses
    bad(gan_losses.minimax_d_loss, lambda: gan_losses.minimax_d_loss(T(3, 2), T(3)), ValueError,
        r"minimax_d_loss: real must have shape \(B,\) or \(B, 1\)"),
    bad(gan_losses.minimax_g_loss, lambda: gan_losses.minimax_g_loss(torch.tensor([1, 0])), TypeError,
        r"minimax_g_loss: fake must be floating point"),
    bad(gan_losses.nonsaturating_g_loss, lambda: gan_losses.nonsaturating_g_loss(torch.empty(0)), ValueError,
        r"fake must have shape \(B,\) or \(B, 1\) with B ≥ 1"),
    bad(gan_losses.wasserstein_d_loss, lambda: gan_losses.wasserstein_d_loss(None, T(3)), TypeError, r"real must be a tensor"),
    bad(gan_losses.wasserstein_g_loss, lambda: gan_losses.wasserstein_g_loss([1.0]), TypeError, r"fake must be a tensor"),
    bad(gan_losses.hinge_d_loss, lambda: gan_losses.hinge_d_loss(T(3), T(2, 2)), ValueError, r"fake must have shape"),
    bad(gan_losses.gradient_penalty, lambda: gan_losses.gradient_penalty(lambda x: x.sum(1), T(4, 2), T(3, 2)), ValueError,
        r"real and fake must have the same shape"),
    bad(gan_losses.gradient_penalty, lambda: gan_losses.gradient_penalty(None, T(4, 2), T(4, 2)), TypeError,
        r"critic must be callable"),
    bad(gan_losses.GANLoss, lambda: gan_losses.GANLoss("x", None, gan_losses.minimax_g_loss), TypeError,
        r"d_loss must be callable"),
    bad(gan_losses.get_loss, lambda: gan_losses.get_loss("wgan"), ValueError, r"must be one of"),
    bad(gan_losses.get_loss, lambda: gan_losses.get_loss(["hinge"]), ValueError, r"name must be one of"),
    # dlref.gan.models
    bad(gan_models.MLPGenerator, lambda: gan_models.MLPGenerator(2, 0), ValueError, r"out_dim must be an int"),
    bad(gan_models.MLPGenerator, lambda: gan_models.MLPGenerator(2, 3, hidden=8)(T(4, 3).float()), ValueError,
        r"MLPGenerator expects input z = \(B, 2\)", id="forward-width"),
    bad(gan_models.MLPDiscriminator, lambda: gan_models.MLPDiscriminator(2, pack=0), ValueError, r"pack must be an int"),
    bad(gan_models.MLPDiscriminator, lambda: gan_models.MLPDiscriminator(2, hidden=8)(torch.ones(4, 2, dtype=torch.long)),
        TypeError, r"expects a floating-point tensor x", id="forward-dtype"),
    bad(gan_models.DCGANGenerator, lambda: gan_models.DCGANGenerator(image_size=64), ValueError, r"image_size must be one of"),
    bad(gan_models.DCGANGenerator, lambda: gan_models.DCGANGenerator(image_size=[28]), ValueError, r"image_size must be one of"),
    bad(gan_models.DCGANDiscriminator, lambda: gan_models.DCGANDiscriminator(norm="instance"), ValueError,
        r"norm must be one of 'batch', 'layer', 'none'"),
    bad(gan_models.DCGANDiscriminator, lambda: gan_models.DCGANDiscriminator(width=4)(T(2, 1, 32, 32).float()), ValueError,
        r"DCGANDiscriminator expects input x = \(B, 1, 28, 28\)", id="forward-size"),
    bad(gan_models.DCGAN64Generator, lambda: gan_models.DCGAN64Generator(z_dim=0), ValueError, r"z_dim must be an int"),
    bad(gan_models.DCGAN64Generator, lambda: gan_models.DCGAN64Generator(8, 3, 4)(T(2, 8, 1, 1).float()), ValueError,
        r"DCGAN64Generator expects input z = \(B, 8\)", id="forward-4d-noise"),
    bad(gan_models.DCGAN64Discriminator, lambda: gan_models.DCGAN64Discriminator(norm="spectral"), ValueError,
        r"norm must be one of 'batch', 'layer', 'none'"),
    bad(gan_models.DCGAN64Discriminator, lambda: gan_models.DCGAN64Discriminator(3, 4)(T(2, 3, 32, 32).float()), ValueError,
        r"DCGAN64Discriminator expects input x = \(B, 3, 64, 64\)", id="forward-size"),
]


def _row_id(row: Bad) -> str:
    return f"{row.owner.__module__.removeprefix('dlref.')}.{row.owner.__qualname__}" + (f"-{row.id}" if row.id else "")


@pytest.mark.parametrize("row", BAD, ids=[_row_id(r) for r in BAD])
def test_bad_call_raises_a_clear_error(row: Bad) -> None:
    with deadline(), pytest.raises(row.exc, match=row.match):
        row.call()


# ---------------------------------------------------------------------------------------------
# generic bad values, one argument at a time

BAD_VALUES: dict[str, Callable[[], object]] = {
    "None": lambda: None,
    "list": lambda: [1.0, 2.0],
    "str": lambda: "abc",
    "bool": lambda: True,
    "nan": lambda: math.nan,
    "inf": lambda: math.inf,
    "neg": lambda: -1,
    "zero": lambda: 0,
    "empty": lambda: torch.empty(0),
    "int_tensor": lambda: torch.tensor([1, 2]),
}


@dataclass
class Good:
    """A valid call: ``make()`` gives the callable, ``kwargs()`` its arguments by name.

    ``ok`` maps an argument to the generic bad values that are in fact valid for it (``"None"``
    for an optional argument, ``"zero"`` for a padding, ``"bool"`` for a flag, ...).
    """

    owner: object
    label: str
    make: Callable[[], Callable]
    kwargs: Callable[[], dict[str, Any]]
    ok: dict[str, set[str]] = field(default_factory=dict)


def good(owner, kwargs, ok=None, *, make=None, label=None) -> Good:
    name = label or owner.__qualname__
    return Good(owner, name, make or (lambda: owner), kwargs, ok or {})


FLAG = {"bool"}
OPT = {"None"}
EMPTY_OK = {"empty"}

GOOD: list[Good] = [
    # dlref.functional
    good(functional.linear, lambda: dict(x=T(2, 3), W=T(4, 3), b=T(4)), {"b": OPT}),
    good(functional.linear_backward, lambda: dict(grad_z=T(2, 4), x=T(2, 3), W=T(4, 3))),
    good(functional.relu, lambda: dict(z=T(3)), {"z": EMPTY_OK}),
    good(functional.relu_backward, lambda: dict(grad_h=T(3), z=T(3))),
    good(functional.softmax, lambda: dict(a=T(2, 3))),
    good(functional.softmax_backward, lambda: dict(grad_p=T(2, 3), a=T(2, 3))),
    good(functional.softmax_cross_entropy, lambda: dict(a=T(2, 3), y=torch.tensor([0, 2])), {"y": {"int_tensor"}}),
    good(functional.softmax_cross_entropy_backward, lambda: dict(a=T(2, 3), y=torch.tensor([0, 2])), {"y": {"int_tensor"}}),
    good(functional.sigmoid, lambda: dict(a=T(3)), {"a": EMPTY_OK}),
    good(functional.sigmoid_backward, lambda: dict(grad_s=T(3), a=T(3))),
    good(functional.tanh, lambda: dict(a=T(3)), {"a": EMPTY_OK}),
    good(functional.tanh_backward, lambda: dict(grad_t=T(3), a=T(3))),
    good(functional.log_softmax, lambda: dict(a=T(2, 3))),
    good(functional.log_softmax_backward, lambda: dict(grad_l=T(2, 3), a=T(2, 3))),
    good(functional.binary_cross_entropy, lambda: dict(p=P(4), y=torch.tensor([0.0, 1.0, 0.0, 1.0]))),
    good(functional.binary_cross_entropy_backward, lambda: dict(p=P(4), y=torch.tensor([0.0, 1.0, 0.0, 1.0]))),
    good(functional.binary_cross_entropy_with_logits, lambda: dict(a=T(4), y=torch.tensor([0.0, 1.0, 0.0, 1.0]))),
    good(functional.binary_cross_entropy_with_logits_backward, lambda: dict(a=T(4), y=torch.tensor([0.0, 1.0, 0.0, 1.0]))),
    good(functional.mse, lambda: dict(yhat=T(4), y=T(4))),
    good(functional.mse_backward, lambda: dict(yhat=T(4), y=T(4))),
    # dlref.conv_arithmetic
    good(conv_arithmetic.Conv, lambda: dict(out_channels=4, kernel_size=3, stride=1, padding=0, groups=1, bias=True, in_channels=None,
                                 name="c"), {"padding": {"zero"}, "bias": FLAG, "in_channels": OPT, "name": {"str"}}),
    good(conv_arithmetic.Pool, lambda: dict(kernel_size=2, stride=None, padding=0, kind="max", name=""),
         {"stride": OPT, "padding": {"zero"}, "name": {"str"}}),
    good(conv_arithmetic.FC, lambda: dict(out_features=10, bias=True, in_features=None, name=""),
         {"bias": FLAG, "in_features": OPT, "name": {"str"}}),
    good(conv_arithmetic.LayerRow, lambda: dict(name="c", shape=(4, 8, 8), params=1, mults=1, rf=3, jump=1),
         {"name": {"str"}, "params": {"zero"}, "mults": {"zero"}, "rf": OPT}),
    good(conv_arithmetic.output_size, lambda: dict(size=8, kernel_size=3, stride=1, padding=0), {"padding": {"zero"}}),
    good(conv_arithmetic.analyze, lambda: dict(layers=layer_stack(), input_shape=(1, 8, 8))),
    good(conv_arithmetic.format_table, lambda: dict(rows=conv_arithmetic.analyze(layer_stack(), (1, 8, 8)), input_shape=(1, 8, 8)),
         {"input_shape": OPT}),
    good(conv_arithmetic.receptive_field, lambda: dict(kernel_sizes=[3, 3], strides=[1, 1])),
    good(conv_arithmetic.to_torch, lambda: dict(layers=layer_stack(), input_shape=(1, 8, 8), activation=nn.ReLU), {"activation": OPT}),
    good(conv_arithmetic.count_multiplications, lambda: dict(module=nn.Conv2d(1, 2, 3), input_shape=(1, 4, 4))),
    good(conv_arithmetic.measured_receptive_field, lambda: dict(layers=[conv_arithmetic.Conv(1, 3), conv_arithmetic.Pool(2)], in_channels=1)),
    good(conv_arithmetic.solve_geometry, lambda: dict(size_in=8, size_out=4, kernel_sizes=[2], strides=[2], paddings=[0])),
    # dlref.conv
    good(conv.conv2d, lambda: dict(X=T(1, 2, 5, 5), W=T(3, 2, 3, 3), b=T(3), stride=1, padding=0),
         {"b": OPT, "padding": {"zero"}}),
    good(conv.conv2d_backward, lambda: dict(dO=T(1, 3, 3, 3), X=T(1, 2, 5, 5), W=T(3, 2, 3, 3), stride=1, padding=0),
         {"padding": {"zero"}}),
    good(conv.im2col, lambda: dict(X=T(1, 2, 5, 5), kernel_size=3, stride=1, padding=0), {"padding": {"zero"}}),
    good(conv.col2im, lambda: dict(cols=T(1, 18, 9), input_shape=(1, 2, 5, 5), kernel_size=3, stride=1, padding=0),
         {"padding": {"zero"}}),
    good(conv.conv2d_im2col, lambda: dict(X=T(1, 2, 5, 5), W=T(3, 2, 3, 3), b=T(3), stride=1, padding=0),
         {"b": OPT, "padding": {"zero"}}),
    good(conv.conv2d_backward_im2col,
         lambda: dict(dO=T(1, 3, 3, 3), X=T(1, 2, 5, 5), W=T(3, 2, 3, 3), stride=1, padding=0), {"padding": {"zero"}}),
    good(conv.conv_matrix, lambda: dict(W=T(2, 1, 2, 2), input_hw=(3, 3), stride=1, padding=0), {"padding": {"zero"}}),
    good(conv.max_pool2d, lambda: dict(X=T(1, 1, 4, 4), kernel_size=2, stride=None), {"stride": OPT}),
    good(conv.max_pool2d_backward,
         lambda: dict(dM=T(1, 1, 2, 2), indices=conv.max_pool2d(T(1, 1, 4, 4), 2)[1], input_shape=(1, 1, 4, 4))),
    # dlref.attention
    good(attention.causal_mask, lambda: dict(L=2, S=3, device=None), {"L": {"zero"}, "S": {"zero"}, "device": OPT}),
    good(attention.attention_weights, lambda: dict(q=T(2, 4, 8), k=T(2, 5, 8), attn_mask=None, is_causal=False, scale=None),
         {"attn_mask": OPT, "is_causal": FLAG, "scale": {"None", "zero", "neg"}}),
    good(attention.scaled_dot_product_attention,
         lambda: dict(q=T(2, 4, 8), k=T(2, 5, 8), v=T(2, 5, 8), attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                      fast=False, generator=None),
         {"attn_mask": OPT, "dropout_p": {"zero"}, "is_causal": FLAG, "scale": {"None", "zero", "neg"}, "fast": FLAG,
          "generator": OPT}),
    good(attention.scaled_dot_product_attention,
         lambda: dict(q=T(2, 4, 8), k=T(2, 5, 8), v=T(2, 5, 8), attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                      fast=True),
         {"attn_mask": OPT, "dropout_p": {"zero"}, "is_causal": FLAG, "scale": {"None", "zero", "neg"}, "fast": FLAG},
         label="scaled_dot_product_attention[fast]"),
    good(attention.MultiheadAttention,
         lambda: dict(embed_dim=8, num_heads=2, dropout=0.0, bias=True, kdim=None, vdim=None, device=None, dtype=None),
         {"dropout": {"zero"}, "bias": FLAG, "kdim": OPT, "vdim": OPT, "device": OPT, "dtype": OPT}),
    good(attention.MultiheadAttention,
         lambda: dict(query=T(2, 3, 8).float(), key=T(2, 4, 8).float(), value=T(2, 4, 8).float(), key_padding_mask=None,
                      need_weights=True, attn_mask=None, average_attn_weights=True, is_causal=False, fast=False),
         {"key_padding_mask": OPT, "need_weights": FLAG, "attn_mask": OPT, "average_attn_weights": FLAG, "is_causal": FLAG,
          "fast": FLAG},
         make=lambda: attention.MultiheadAttention(8, 2).forward, label="MultiheadAttention.forward"),
    # dlref.rnn
    good(rnn.length_mask, lambda: dict(lengths=torch.tensor([3, 1]), L=4, dtype=torch.float64), {"lengths": {"int_tensor"}}),
    good(rnn.rnn_forward, rnn_args, {"lengths": {"int_tensor"}}),
    good(rnn.rnn_backward, lambda: dict(grad_H=T(2, 3, 4), cache=rnn.rnn_forward(**rnn_args())[1])),
    good(rnn.rnn_jacobian, lambda: dict(h_prev=T(4), x=T(1), Wx=T(4, 1), Wh=T(4, 4), b=T(4))),
    # dlref.lstm
    good(lstm.lstm_cell, lstm_args),
    good(lstm.cell_jacobians, lambda: dict(**lstm_args(()), o_prev=P(2))),
    # dlref.optim
    good(optim.Momentum, lambda: dict(params=params(), lr=0.1, beta=0.9, nesterov=False, weight_decay=0.0),
         {"beta": {"zero"}, "nesterov": FLAG, "weight_decay": {"zero"}}),
    good(optim.SGD, lambda: dict(params=params(), lr=0.1, momentum=0.5, dampening=0.0, nesterov=False, weight_decay=0.0),
         {"momentum": {"zero"}, "dampening": {"zero"}, "nesterov": FLAG, "weight_decay": {"zero"}}),
    good(optim.Adagrad, lambda: dict(params=params(), lr=0.1, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
                                     eps=1e-10),
         {"lr_decay": {"zero"}, "weight_decay": {"zero"}, "initial_accumulator_value": {"zero"}, "eps": {"zero"}}),
    good(optim.RMSprop, lambda: dict(params=params(), lr=0.1, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                                     centered=False),
         {"alpha": {"zero"}, "eps": {"zero"}, "weight_decay": {"zero"}, "momentum": {"zero"}, "centered": FLAG}),
    good(optim.Adam, lambda: dict(params=params(), lr=0.1, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled=False),
         {"eps": {"zero"}, "weight_decay": {"zero"}, "decoupled": FLAG}),
    good(optim.AdamW, lambda: dict(params=params(), lr=0.1, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01),
         {"eps": {"zero"}, "weight_decay": {"zero"}}),
    good(optim.Newton, lambda: dict(params=params(), lr=1.0, damping=0.0), {"damping": {"zero"}}),
    good(optim.Newton, lambda: dict(closure=newton_closure), make=lambda: optim.Newton([W_NEWTON]).step,
         label="Newton.step"),
    good(optim.SGD, lambda: dict(closure=None), {"closure": OPT}, make=lambda: optim.SGD(params(), lr=0.1).step,
         label="SGD.step"),
    # dlref.matrix_calculus
    good(matrix_calculus.jacobian, lambda: dict(fn=lambda x: 2 * x, x=T(3), layout="numerator")),
    good(matrix_calculus.gradient, lambda: dict(fn=sq, x=T(3))),
    # dlref.logic
    good(logic.step, lambda: dict(z=T(3)), {"z": EMPTY_OK}),
    good(logic.all_inputs, lambda: dict(n_inputs=2, dtype=torch.float64)),
    good(logic.truth_table, lambda: dict(fn=lambda a, b: a ^ b, n_inputs=2, dtype=torch.float64)),
    good(logic.disagreements, lambda: dict(got=torch.tensor([0.0, 1.0]), expected=torch.tensor([1.0, 1.0]))),
    good(logic.format_truth_table,
         lambda: dict(X=logic.all_inputs(2), columns={"y": torch.tensor([0.0, 1, 1, 0])}, input_names=["a", "b"]),
         {"input_names": OPT}),
    good(logic.ThresholdNetwork, lambda: dict(layers=[(T(1, 2), T(1))])),
    good(logic.ThresholdNetwork, lambda: dict(x=logic.all_inputs(2)),
         make=lambda: logic.ThresholdNetwork([(T(1, 2), T(1))]).trace, label="ThresholdNetwork.trace"),
    good(logic.SigmoidNetwork, lambda: dict(widths=[2, 2, 1], init_scale=1.0, dtype=torch.float64, generator=None),
         {"generator": OPT}),
    good(logic.SigmoidNetwork, lambda: dict(x=logic.all_inputs(2)), {"x": {"int_tensor"}},
         make=lambda: logic.SigmoidNetwork([2, 1]).trace, label="SigmoidNetwork.trace"),
    good(logic.SigmoidNetwork, lambda: dict(x=logic.all_inputs(2), Y=torch.tensor([[0.0], [1], [1], [0]])),
         make=lambda: logic.SigmoidNetwork([2, 1]).gradients, label="SigmoidNetwork.gradients"),
    good(logic.fit_boolean, lambda: dict(X=xor_table()[0], Y=xor_table()[1], hidden=2, steps=5, lr=1.0, seed=0,
                                         init_scale=1.0, dtype=torch.float64), {"seed": {"zero"}}),
    good(logic.asummable_pair, lambda: dict(X=xor_table()[0], y=xor_table()[1])),
    # dlref.check
    good(check.CheckResult, lambda: dict(name="x", method="autograd", shape=(2,), max_abs_error=0.0, rel_error=0.0,
                                         tolerance=1e-10, passed=True),
         {"name": {"str"}, "method": {"str"}, "max_abs_error": {"zero", "nan", "inf"}, "rel_error": {"zero", "nan", "inf"},
          "passed": FLAG}),
    good(check.compare, lambda: dict(name="x", analytic=T(2), reference=T(2), tol=1e-10, method="autograd", quiet=True,
                                     raise_on_fail=False),
         {"name": {"str"}, "method": {"str"}, "quiet": FLAG, "raise_on_fail": FLAG, "analytic": {"list", "int_tensor"},
          "reference": {"list", "int_tensor"}}),
    good(check.autograd_gradients, lambda: dict(fn=sq, inputs={"x": T(2)})),
    good(check.finite_differences, lambda: dict(fn=sq, inputs={"x": T(2)}, eps=1e-6)),
    good(check.check_gradients, lambda: dict(fn=sq, inputs={"x": torch.ones(2, dtype=torch.float64)},
                                             analytic={"x": 2 * torch.ones(2, dtype=torch.float64)}, tol=1e-8,
                                             finite_difference_tol=1e-6, labels={"x": "∇x"}),
         {"finite_difference_tol": OPT, "labels": OPT}),
    # dlref.vit
    good(vit.num_patches, lambda: dict(image_size=8, patch_size=4)),
    good(vit.patchify, lambda: dict(x=T(1, 1, 8, 8), patch_size=4)),
    good(vit.unpatchify, lambda: dict(patches=T(1, 4, 4), patch_size=2, image_size=(4, 4), channels=1)),
    good(vit.PatchEmbedding, lambda: dict(in_channels=1, embed_dim=4, patch_size=2)),
    good(vit.PatchEmbedding, lambda: dict(x=T(1, 1, 4, 4).float()), make=lambda: vit.PatchEmbedding(1, 4, 2).forward,
         label="PatchEmbedding.forward"),
    good(vit.sinusoidal_positions, lambda: dict(n=4, dim=6)),
    good(vit.Block, lambda: dict(dim=8, heads=2, mlp_ratio=2.0, dropout=0.0), {"dropout": {"zero"}}),
    good(vit.Block, lambda: dict(x=T(2, 3, 8).float()), make=lambda: vit.Block(8, 2).forward, label="Block.forward"),
    good(vit.ViT, lambda: dict(image_size=8, patch_size=4, in_channels=1, num_classes=3, dim=8, depth=1, heads=2, mlp_ratio=2.0,
                               dropout=0.0, positions="learned"), {"depth": {"zero"}, "dropout": {"zero"}}),
    good(vit.ViT, lambda: dict(x=T(2, 1, 8, 8).float()), make=lambda: small_vit().forward, label="ViT.forward"),
    # dlref.models
    good(models.LeNet, lambda: dict(in_channels=1, num_classes=10, image_size=28, kernel_size=5)),
    good(models.LeNet, lambda: dict(x=T(2, 1, 28, 28).float()), make=lambda: models.LeNet(1, image_size=28).forward,
         label="LeNet.forward"),
    good(models.BNCNN, lambda: dict(in_channels=1, num_classes=3, image_size=16, widths=(2, 2, 2, 2), hidden=(4,), dropout=0.5),
         {"dropout": {"zero"}}),
    good(models.BNCNN, lambda: dict(x=T(2, 1, 16, 16).float()), make=lambda: small_bncnn().forward, label="BNCNN.forward"),
    good(models.kaiming_init_, lambda: dict(model=nn.Linear(2, 2))),
    good(models.count_parameters, lambda: dict(model=nn.Linear(2, 2))),
    # dlref.nn
    good(deep.activation, lambda: dict(name="tanh", z=T(3)), {"z": EMPTY_OK}),
    good(deep.activation_derivative, lambda: dict(name="tanh", z=T(3)), {"z": EMPTY_OK}),
    good(deep.DeepMLP, lambda: dict(sizes=[3, 4, 1], activations="tanh", dtype=torch.float64, generator=None),
         {"generator": OPT}),
    good(deep.DeepMLP, lambda: dict(x=T(2, 3)), make=lambda: deep.DeepMLP([3, 1], "tanh", dtype=torch.float64).forward,
         label="DeepMLP.forward"),
    good(deep.DeepMLP, lambda: dict(x=T(2, 3), grad_output=T(2, 1)),
         make=lambda: deep.DeepMLP([3, 1], "tanh", dtype=torch.float64).gradients, label="DeepMLP.gradients"),
    good(mlp.MLP, lambda: dict(D=2, K=3, C=2, dtype=torch.float64, generator=None), {"generator": OPT}),
    good(mlp.MLP, lambda: dict(x=T(4, 2)), make=lambda: mlp.MLP(2, 3, 2, dtype=torch.float64).forward, label="MLP.forward"),
    good(mlp.MLP, lambda: dict(x=T(2, 2), y=torch.tensor([0, 1])), {"y": {"int_tensor"}},
         make=lambda: mlp.MLP(2, 3, 2, dtype=torch.float64).gradients, label="MLP.gradients"),
    # dlref.gan.losses
    good(gan_losses.minimax_d_loss, lambda: dict(real=T(3), fake=T(2))),
    good(gan_losses.minimax_g_loss, lambda: dict(fake=T(3))),
    good(gan_losses.nonsaturating_g_loss, lambda: dict(fake=T(3))),
    good(gan_losses.wasserstein_d_loss, lambda: dict(real=T(3), fake=T(2))),
    good(gan_losses.wasserstein_g_loss, lambda: dict(fake=T(3))),
    good(gan_losses.hinge_d_loss, lambda: dict(real=T(3), fake=T(2))),
    good(gan_losses.gradient_penalty, lambda: dict(critic=lambda x: x.sum(1), real=T(4, 2), fake=T(4, 2), generator=None),
         {"generator": OPT}),
    good(gan_losses.GANLoss, lambda: dict(name="x", d_loss=gan_losses.minimax_d_loss, g_loss=gan_losses.minimax_g_loss,
                                          penalty=False), {"name": {"str"}, "penalty": FLAG}),
    good(gan_losses.get_loss, lambda: dict(name="hinge")),
    # dlref.gan.models
    good(gan_models.MLPGenerator, lambda: dict(z_dim=2, out_dim=3, hidden=8, layers=2)),
    good(gan_models.MLPGenerator, lambda: dict(z=T(4, 2).float()), make=lambda: gan_models.MLPGenerator(2, 3, hidden=8).forward,
         label="MLPGenerator.forward"),
    good(gan_models.MLPDiscriminator, lambda: dict(in_dim=2, hidden=8, layers=2, pack=1)),
    good(gan_models.MLPDiscriminator, lambda: dict(x=T(4, 2).float()),
         make=lambda: gan_models.MLPDiscriminator(2, hidden=8).forward, label="MLPDiscriminator.forward"),
    good(gan_models.DCGANGenerator, lambda: dict(z_dim=4, channels=1, image_size=28, width=4)),
    good(gan_models.DCGANGenerator, lambda: dict(z=T(2, 4).float()),
         make=lambda: gan_models.DCGANGenerator(4, 1, 28, 4).forward, label="DCGANGenerator.forward"),
    good(gan_models.DCGANDiscriminator, lambda: dict(channels=1, image_size=28, width=4, norm="batch")),
    good(gan_models.DCGANDiscriminator, lambda: dict(x=T(2, 1, 28, 28).float()),
         make=lambda: gan_models.DCGANDiscriminator(1, 28, 4).forward, label="DCGANDiscriminator.forward"),
    good(gan_models.DCGAN64Generator, lambda: dict(z_dim=4, channels=1, width=2)),
    good(gan_models.DCGAN64Generator, lambda: dict(z=T(2, 4).float()),
         make=lambda: gan_models.DCGAN64Generator(4, 1, 2).forward, label="DCGAN64Generator.forward"),
    good(gan_models.DCGAN64Discriminator, lambda: dict(channels=1, width=2, norm="batch")),
    good(gan_models.DCGAN64Discriminator, lambda: dict(x=T(2, 1, 64, 64).float()),
         make=lambda: gan_models.DCGAN64Discriminator(1, 2).forward, label="DCGAN64Discriminator.forward"),
]


def fuzz_outcomes(specs=GOOD) -> list[tuple[str, str, str, str, str]]:
    """Every ``(label, argument, value, outcome, detail)`` of the one-bad-argument sweep."""
    out = []
    for spec in specs:
        for arg in spec.kwargs():
            for value_name, value in BAD_VALUES.items():
                def call(spec=spec, arg=arg, value=value):
                    fn, kwargs = spec.make(), spec.kwargs()
                    kwargs[arg] = value()
                    return fn(**kwargs)

                outcome, detail = classify(call, (arg,))
                if outcome == "silent" and value_name in spec.ok.get(arg, ()):
                    outcome = "valid"
                elif outcome == "unclear" and value_name in spec.ok.get(arg, ()):
                    outcome = "clear"  # a valid value of this argument that another argument's check refuses
                out.append((spec.label, arg, value_name, outcome, detail))
    return out


def test_good_calls_succeed() -> None:
    """Each spec is a valid call, so the sweep changes exactly one thing."""
    for spec in GOOD:
        with deadline():
            spec.make()(**spec.kwargs())


def test_one_bad_argument_at_a_time() -> None:
    outcomes = fuzz_outcomes()
    failures = [o for o in outcomes if o[3] not in ("clear", "valid")]
    report = "\n".join(f"{label}({arg}={value}): {outcome}: {detail[:160]}" for label, arg, value, outcome, detail in failures)
    assert not failures, f"{len(failures)} of {len(outcomes)} bad calls were not refused clearly:\n{report}"


# ---------------------------------------------------------------------------------------------
# coverage


def test_every_public_callable_has_rows() -> None:
    covered_bad = {id(r.owner) for r in BAD}
    covered_good = {id(g.owner) for g in GOOD}
    exempt_good = {id(check.GradientCheckError), id(check.recording)}  # no arguments of their own
    missing = [name for name, obj in public_callables(REFERENCE_MODULES).items()
               if id(obj) not in covered_bad or (id(obj) not in covered_good and id(obj) not in exempt_good)]
    assert not missing, f"public callables without a bad-input row (BAD) or a valid call (GOOD): {missing}"


# ---------------------------------------------------------------------------------------------
# random bad values (hypothesis): tensors of any small shape and dtype, odd numbers, strings, lists


def _tensor(shape: list[int], dtype: torch.dtype, fill: float) -> torch.Tensor:
    return torch.full(shape, fill, dtype=torch.float64).to(dtype)


def random_values():
    from hypothesis import strategies as st

    tensors = st.builds(_tensor, st.lists(st.integers(0, 4), max_size=4),
                        st.sampled_from([torch.float64, torch.float32, torch.int64, torch.bool]),
                        st.sampled_from([0.0, 1.0, -1.0, 0.5, 3.0, math.nan, math.inf]))
    numbers = st.one_of(st.integers(-3, 40), st.floats(-100, 100), st.sampled_from([math.nan, math.inf, -math.inf]))
    return st.one_of(st.none(), st.booleans(), numbers, st.text(max_size=3),
                     st.lists(st.integers(-2, 3), max_size=3), st.tuples(st.integers(-1, 3), st.integers(-1, 3)), tensors)


def test_random_bad_arguments() -> None:
    """Only TypeError/ValueError (or GradientCheckError) may escape, never an error from inside torch, never a hang."""
    from hypothesis import HealthCheck, given, settings, strategies as st

    @settings(max_examples=200, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def check(data):
        spec = data.draw(st.sampled_from(GOOD), label="spec")
        arg = data.draw(st.sampled_from(sorted(spec.kwargs())), label="argument")
        value = data.draw(random_values(), label="value")

        def call():
            fn, kwargs = spec.make(), spec.kwargs()
            kwargs[arg] = value
            return fn(**kwargs)

        outcome, detail = classify(call, (arg,))
        assert outcome not in ("obscure", "hang"), f"{spec.label}({arg}={value!r}): {outcome}: {detail[:300]}"

    check()
