"""dlref's convolution, pooling, attention, recurrent ops and optimizers on PyTorch's own test inputs.

The inputs come from PyTorch's test databases: ``op_db`` (``nn.functional.conv2d``, ``unfold``,
``max_pool2d``, ``scaled_dot_product_attention``), ``module_db`` (``nn.MultiheadAttention``,
``nn.RNNCell``, ``nn.LSTMCell``, ``nn.RNN``, ``nn.LSTM``) and ``optim_db`` (each optimizer's
``optim_inputs_func`` and ``optim_error_inputs_func``). On the CPU, in float64 and float32, every
sample is given to dlref and to PyTorch; dlref must either give the same answer — the forward,
the gradients autograd computes through dlref's forward, and each hand-written backward, at the
tolerances the OpInfo declares — or refuse with a clear ValueError/TypeError that names the
argument. The harness (``tests/torch_inputs.py``) tallies samples, equal and refused per op.

The adapters below only translate *conventions*, never features: ``batch_first=False`` and
unbatched inputs become dlref's batch-first layout (a batch of one), a module's weights are
copied, keyword arguments equal to PyTorch's defaults are dropped, and a stacked or bidirectional
``nn.RNN``/``nn.LSTM`` is dlref's one-layer op run per layer and direction. Everything else is
passed on, so an option dlref does not offer (``groups``, ``ceil_mode``, ``enable_gqa``,
``nonlinearity='relu'``, ``proj_size``, ``add_bias_kv``…) reaches dlref and must be refused there.
``F.fold`` has no OpInfo; ``col2im`` is checked on the ``unfold`` samples, folding their columns back.
"""

from __future__ import annotations

import inspect
import warnings
from typing import Any, Callable, Sequence

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch_inputs import DTYPES, FULL, TALLY, check_refusal, error_samples, op_info, samples, subsample, tolerance

from dlref import attention, conv as cb, lstm, optim, rnn

Tensor = torch.Tensor

# Samples per op and dtype in the quick run (all of them with DLREF_TORCH_INPUTS_FULL=1).
QUICK = {"conv2d": 16, "unfold": 24, "max_pool2d": 40, "sdpa": 25, "mha": 12, "cells": 5, "stacks": 10}


# ---------------------------------------------------------------------------------------------
# Comparing and tallying


# dlref's optimizers are torch.optim.Optimizer subclasses: the base class's checks of ``params``
# (iterable, no duplicates, names on all or none) are theirs too, with torch's clear messages.
_INHERITED_CHECKS = ("torch/optim/optimizer.py",)


def _refusal_message(err: BaseException) -> str:
    """The message of a clear refusal; fails the test for an unclear one.

    An option dlref's signature does not have is refused by Python itself with a TypeError that
    names it ("got an unexpected keyword argument 'groups'"); a check dlref inherits from
    ``torch.optim.Optimizer`` raises in that class; every other refusal must come from dlref's own
    checks (``check_refusal``)."""
    if isinstance(err, TypeError) and "unexpected keyword argument" in str(err):
        return str(err)
    if isinstance(err, (ValueError, TypeError)):
        tb, raised_in = err.__traceback__, ""
        while tb is not None:
            raised_in, tb = tb.tb_frame.f_code.co_filename, tb.tb_next
        if raised_in.replace("\\", "/").endswith(_INHERITED_CHECKS):
            return str(err)
    return check_refusal(err)


class Run:
    """Collects the outcome of each (op, sample): equal, refused, or a failure message."""

    def __init__(self) -> None:
        self.failures: list[str] = []

    def __call__(self, op: str, ours: Callable[[], Any], compare: Callable[[Any], None]) -> Any:
        """Call dlref (``ours``); a ValueError/TypeError is a refusal, anything else is compared."""
        try:
            result = ours()
        except (ValueError, TypeError) as err:
            try:
                msg = _refusal_message(err)
            except AssertionError as bad:
                TALLY.differs(op, f"unclear refusal: {bad}")
                self.failures.append(f"{op}: unclear refusal: {bad}")
                return None
            TALLY.refused(op, msg)
            return None
        except Exception as err:  # noqa: BLE001 - any other exception is a failure, reported with the rest
            TALLY.differs(op, f"{type(err).__name__}: {err}")
            self.failures.append(f"{op}: raised {type(err).__name__}: {err}")
            return None
        try:
            compare(result)
        except AssertionError as err:
            TALLY.differs(op, str(err))
            self.failures.append(f"{op}: {err}")
            return None
        TALLY.equal(op)
        return result

    def check(self) -> None:
        assert not self.failures, f"{len(self.failures)} sample(s) answered differently:\n" + "\n".join(self.failures[:10])


def _close(actual: Any, expected: Any, tol: tuple[float, float], what: str) -> None:
    """``assert_close`` for a tensor or a sequence of tensors (``None`` must match ``None``)."""
    if isinstance(expected, (tuple, list)):
        assert isinstance(actual, (tuple, list)) and len(actual) == len(expected), f"{what}: {len(actual)} outputs"
        for i, (a, e) in enumerate(zip(actual, expected)):
            _close(a, e, tol, f"{what}[{i}]")
        return
    if expected is None or actual is None:
        assert actual is None and expected is None, f"{what}: one of the two is None"
        return
    torch.testing.assert_close(actual, expected, rtol=tol[0], atol=tol[1], equal_nan=True,
                               msg=lambda m: f"{what}: {m}")


def _grads(outputs: Sequence[Tensor], inputs: Sequence[Tensor], cotangents: Sequence[Tensor]) -> list[Tensor | None]:
    """∂(Σ cotangent ⊙ output)/∂input for each input (``None`` where an input is not reached)."""
    pairs = [(o, c) for o, c in zip(outputs, cotangents) if o is not None and o.requires_grad]
    if not pairs:
        return [None] * len(inputs)
    return list(torch.autograd.grad([o for o, _ in pairs], list(inputs), [c for _, c in pairs], allow_unused=True))


def _cotangents(outputs: Sequence[Tensor | None], seed: int) -> list[Tensor | None]:
    g = torch.Generator().manual_seed(seed)
    return [None if o is None else torch.randn(o.shape, generator=g, dtype=torch.float64).to(o.dtype) for o in outputs]


def _leaves(*tensors: Any) -> list[Tensor]:
    return [t for t in tensors if isinstance(t, Tensor) and t.requires_grad]


def _grad_or_zero(g: Tensor | None, like: Tensor) -> Tensor:
    return torch.zeros_like(like) if g is None else g


def _drop_defaults(kwargs: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments without those equal to PyTorch's default (passing them changes nothing)."""
    def same(v: Any, d: Any) -> bool:
        return v == d or (isinstance(v, (tuple, list)) and not isinstance(d, (tuple, list)) and all(x == d for x in v))

    return {k: v for k, v in kwargs.items() if not (k in defaults and same(v, defaults[k]))}


# ---------------------------------------------------------------------------------------------
# Convolution, im2col/col2im, max-pooling (op_db)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_conv2d(dtype):
    op = op_info("nn.functional.conv2d")
    tol, run = tolerance(op, dtype), Run()
    for n, s in enumerate(subsample(samples(op, dtype, requires_grad=True), QUICK["conv2d"], seed=1)):
        X, W = s.input, s.args[0]
        b = s.args[1] if len(s.args) > 1 else s.kwargs.get("bias")
        kwargs = _drop_defaults({k: v for k, v in s.kwargs.items() if k != "bias"}, {"groups": 1, "dilation": 1})
        ref = F.conv2d(X, W, b, **s.kwargs) if "bias" not in s.kwargs else F.conv2d(X, W, **s.kwargs)
        leaves = _leaves(X, W, b)
        dO = _cotangents([ref], seed=n)[0]
        ref_grads = _grads([ref], leaves, [dO])

        for name, fn in (("conv2d", cb.conv2d), ("conv2d_im2col", cb.conv2d_im2col)):
            def forward_and_autograd(out: Tensor) -> None:
                _close(out, ref, tol, "forward")
                _close(_grads([out], leaves, [dO]), ref_grads, tol, "autograd through dlref")
            run(name, lambda fn=fn: fn(X, W, b, **kwargs), forward_and_autograd)

        by_name = dict(zip(map(id, leaves), ref_grads))
        expected = [by_name.get(id(X)), by_name.get(id(W))] + ([by_name.get(id(b))] if b is not None else [])
        for name, fn in (("conv2d_backward", cb.conv2d_backward), ("conv2d_backward_im2col", cb.conv2d_backward_im2col)):
            def hand_written(grads: tuple[Tensor, Tensor, Tensor]) -> None:
                _close(list(grads[: len(expected)]), expected, tol, "hand-written backward")
            run(name, lambda fn=fn: fn(dO, X.detach(), W.detach(), **kwargs), hand_written)
    run.check()


def test_conv2d_error_inputs():
    """Every input PyTorch's own tests expect conv2d to reject, dlref rejects clearly too."""
    run = Run()
    for e in error_samples(op_info("nn.functional.conv2d")):
        s = e.sample_input
        b = s.args[1] if len(s.args) > 1 else None
        for name, fn in (("conv2d (error inputs)", cb.conv2d), ("conv2d_im2col (error inputs)", cb.conv2d_im2col)):
            run(name, lambda fn=fn: fn(s.input, s.args[0], b, **s.kwargs),
                lambda out: pytest.fail(f"accepted an input PyTorch rejects ({e.error_regex})"))
    run.check()


_UNFOLD = inspect.signature(F.unfold)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_im2col_col2im(dtype):
    op = op_info("nn.functional.unfold")
    tol, run = tolerance(op, dtype), Run()
    for n, s in enumerate(subsample(samples(op, dtype, requires_grad=True), QUICK["unfold"], seed=2)):
        bound = _UNFOLD.bind(s.input, *s.args, **s.kwargs)
        bound.apply_defaults()
        X, k, d, p, st = (bound.arguments[a] for a in ("input", "kernel_size", "dilation", "padding", "stride"))
        geometry = dict(stride=st, padding=p, dilation=d)
        ref = F.unfold(X, k, d, p, st)
        dcols = _cotangents([ref], seed=n)[0]
        (ref_dX,) = _grads([ref], [X], [dcols])

        def unfold_equal(cols: Tensor) -> None:
            _close(cols, ref, tol, "forward")
            _close(_grads([cols], [X], [dcols]), [ref_dX], tol, "autograd through dlref")
        run("im2col", lambda: cb.im2col(X, k, **geometry), unfold_equal)
        # the hand-written backward of im2col is col2im (its adjoint)
        run("im2col_backward (col2im)", lambda: cb.col2im(dcols, tuple(X.shape), k, **geometry),
            lambda dX: _close(dX, ref_dX, tol, "col2im as im2col's backward"))

        # col2im forward against F.fold on the same geometry, columns = this sample's unfold output
        cols = ref.detach().clone().requires_grad_()
        ref_img = F.fold(cols, tuple(X.shape[-2:]), k, d, p, st) if X.shape[0] != 0 else None
        if ref_img is None:  # F.fold refuses an empty batch; nothing to compare
            continue
        dimg = _cotangents([ref_img], seed=100 + n)[0]
        (ref_dcols,) = _grads([ref_img], [cols], [dimg])

        def fold_equal(img: Tensor) -> None:
            _close(img, ref_img, tol, "forward")
            _close(_grads([img], [cols], [dimg]), [ref_dcols], tol, "autograd through dlref")
        run("col2im", lambda: cb.col2im(cols, tuple(X.shape), k, **geometry), fold_equal)
        run("col2im_backward (im2col)", lambda: cb.im2col(dimg, k, **geometry),
            lambda dc: _close(dc, ref_dcols, tol, "im2col as col2im's backward"))
    run.check()


_POOL = inspect.signature(F.max_pool2d_with_indices)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_max_pool2d(dtype):
    op = op_info("nn.functional.max_pool2d")
    tol, run = tolerance(op, dtype), Run()
    for n, s in enumerate(subsample(samples(op, dtype, requires_grad=True), QUICK["max_pool2d"], seed=3)):
        bound = _POOL.bind(s.input, *s.args, **s.kwargs)
        args = dict(bound.arguments)
        X = args.pop("input")
        args.pop("return_indices", None)  # dlref always returns the indices
        ref_M, ref_idx = F.max_pool2d_with_indices(X, **args)
        kwargs = _drop_defaults(args, {"ceil_mode": False, "padding": 0, "dilation": 1})
        dM = _cotangents([ref_M], seed=n)[0]
        (ref_dX,) = _grads([ref_M], [X], [dM])

        def pool_equal(out: tuple[Tensor, Tensor]) -> None:
            M, idx = out
            _close(M, ref_M, tol, "forward")
            assert torch.equal(idx, ref_idx), "indices differ"
            _close(_grads([M], [X], [dM]), [ref_dX], tol, "autograd through dlref")
        run("max_pool2d", lambda: cb.max_pool2d(X, **kwargs), pool_equal)
        run("max_pool2d_backward", lambda: cb.max_pool2d_backward(dM, ref_idx, tuple(X.shape)),
            lambda dX: _close(dX, ref_dX, tol, "hand-written backward"))
    run.check()


def test_max_pool2d_error_inputs():
    run = Run()
    for e in error_samples(op_info("nn.functional.max_pool2d")):
        s = e.sample_input
        if not s.input.is_floating_point():
            continue
        bound = _POOL.bind(s.input, *s.args, **s.kwargs)
        args = dict(bound.arguments)
        X = args.pop("input")
        args.pop("return_indices", None)
        kwargs = _drop_defaults(args, {"ceil_mode": False, "padding": 0, "dilation": 1})
        run("max_pool2d (error inputs)", lambda: cb.max_pool2d(X, **kwargs),
            lambda out: pytest.fail(f"accepted an input PyTorch rejects ({e.error_regex})"))
    run.check()


# ---------------------------------------------------------------------------------------------
# Attention (op_db and module_db)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_scaled_dot_product_attention(dtype):
    op = op_info("nn.functional.scaled_dot_product_attention")
    tol, run = tolerance(op, dtype), Run()
    for n, s in enumerate(subsample(samples(op, dtype, requires_grad=True), QUICK["sdpa"], seed=4)):
        q, (k, v) = s.input, s.args[:2]
        kw = _drop_defaults(dict(s.kwargs), {"enable_gqa": False, "dropout_p": 0.0, "is_causal": False})
        p = s.kwargs.get("dropout_p", 0.0)
        mask = s.kwargs.get("attn_mask")
        leaves = _leaves(q, k, v, mask)
        if p > 0:
            # dropout: dlref draws its mask from a generator; PyTorch's math kernel takes a given mask
            seed = 1000 + n
            kw["generator"] = torch.Generator().manual_seed(seed)
            shape = torch.broadcast_shapes(q.shape[:-2], k.shape[:-2]) + (q.shape[-2], k.shape[-2])
            keep = torch.rand(shape, generator=torch.Generator().manual_seed(seed)) >= p
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "dropout mask should only be used for testing"
                ref = torch.ops.aten._scaled_dot_product_attention_math(
                    q, k, v, mask, p, s.kwargs.get("is_causal", False), dropout_mask=keep, scale=s.kwargs.get("scale"))[0]
        else:
            ref = F.scaled_dot_product_attention(q, k, v, **s.kwargs)
        dO = _cotangents([ref], seed=n)[0]
        ref_grads = _grads([ref], leaves, [dO])

        def sdpa_equal(out: Tensor) -> None:
            _close(out, ref, tol, "forward")
            grads = _grads([out], leaves, [dO])
            if dtype == torch.float64:
                _close(grads, ref_grads, tol, "autograd through dlref")
                return
            try:
                _close(grads, ref_grads, tol, "autograd through dlref")
            except AssertionError:  # float32: as close to the float64 gradient as PyTorch's own float32 one
                truth = _sdpa_float64_grads(q, k, v, s.kwargs, keep if p > 0 else None, dO, leaves)
                _as_accurate_as_torch(grads, ref_grads, truth, tol)
        run("scaled_dot_product_attention", lambda: attention.scaled_dot_product_attention(q, k, v, **kw), sdpa_equal)
    run.check()


def _sdpa_float64_grads(q: Tensor, k: Tensor, v: Tensor, kwargs: dict[str, Any], keep: Tensor | None, dO: Tensor,
                        leaves: list[Tensor]) -> list[Tensor | None]:
    """PyTorch's SDPA gradients for the same sample computed in float64 (the 'true' values)."""
    up = {id(t): t.detach().double().requires_grad_(t.requires_grad) for t in (q, k, v, kwargs.get("attn_mask"))
          if isinstance(t, Tensor)}
    q64, k64, v64 = up[id(q)], up[id(k)], up[id(v)]
    kw = {a: up.get(id(b), b) if isinstance(b, Tensor) else b for a, b in kwargs.items()}
    if keep is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = torch.ops.aten._scaled_dot_product_attention_math(
                q64, k64, v64, kw.get("attn_mask"), kw["dropout_p"], kw.get("is_causal", False), dropout_mask=keep,
                scale=kw.get("scale"))[0]
    else:
        out = F.scaled_dot_product_attention(q64, k64, v64, **kw)
    return _grads([out], [up[id(t)] for t in leaves], [dO.double()])


def _as_accurate_as_torch(ours: list[Tensor | None], torch32: list[Tensor | None], truth: list[Tensor | None],
                          tol: tuple[float, float]) -> None:
    """In float32, dlref's gradient may differ from PyTorch's by more than the forward tolerance when
    both round differently; it passes if its error against the float64 gradient is within the
    tolerance plus three times PyTorch's own float32 error."""
    for i, (a, t32, t64) in enumerate(zip(ours, torch32, truth)):
        if t64 is None:
            continue
        own = (t32.double() - t64).abs().max().item()
        err = (a.double() - t64).abs().max().item()
        bound = tol[1] + tol[0] * t64.abs().max().item() + 3 * own
        assert err <= bound, f"float32 gradient [{i}]: error {err:.2e} against float64, PyTorch's own {own:.2e}"


def _module_samples(cls: type[nn.Module], dtype: torch.dtype, k: int, seed: int) -> tuple[Any, list[Any]]:
    from torch.testing._internal.common_modules import module_db

    info = next(m for m in module_db if m.module_cls is cls)
    state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    try:
        found = info.module_inputs_func(info, device="cpu", dtype=dtype, requires_grad=True, training=True)
    finally:
        torch.random.set_rng_state(state)
    return info, subsample(found, k, seed=seed)


def _make(cls: type[nn.Module], sample: Any, dtype: torch.dtype, seed: int) -> nn.Module:
    torch.manual_seed(seed)
    ci = sample.constructor_input
    return cls(*ci.args, **ci.kwargs).to(dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_multihead_attention(dtype):
    info, found = _module_samples(nn.MultiheadAttention, dtype, QUICK["mha"], seed=5)
    tol, run = tolerance(info, dtype), Run()
    for n, s in enumerate(found):
        ref_mod = _make(nn.MultiheadAttention, s, dtype, seed=n)
        q, k, v = s.forward_input.args
        kpm, am = s.forward_input.kwargs.get("key_padding_mask"), s.forward_input.kwargs.get("attn_mask")
        ref_out, ref_w = ref_mod(q, k, v, key_padding_mask=kpm, attn_mask=am)
        torch_params = [p for p in (ref_mod.in_proj_weight, ref_mod.in_proj_bias, ref_mod.out_proj.weight,
                                    ref_mod.out_proj.bias) if p is not None]
        leaves = _leaves(q, k, v) + torch_params
        cot = _cotangents([ref_out, ref_w], seed=n)
        ref_grads = _grads([ref_out, ref_w], leaves, cot)

        def ours() -> tuple[Tensor, Tensor, nn.Module]:
            mod = attention.MultiheadAttention.from_torch(ref_mod)
            unbatched = q.dim() == 2
            if unbatched:  # a batch of one, as nn.MultiheadAttention does internally
                qb, kb, vb = q[None], k[None], v[None]
                kpm_b = None if kpm is None else kpm[None]
            elif not ref_mod.batch_first:  # (L, B, E) → (B, L, E)
                qb, kb, vb, kpm_b = q.transpose(0, 1), k.transpose(0, 1), v.transpose(0, 1), kpm
            else:
                qb, kb, vb, kpm_b = q, k, v, kpm
            out, w = mod(qb, kb, vb, key_padding_mask=kpm_b, attn_mask=am)
            if unbatched:
                out, w = out[0], w[0]
            elif not ref_mod.batch_first:
                out = out.transpose(0, 1)
            return out, w, mod

        def mha_equal(result: tuple[Tensor, Tensor, nn.Module]) -> None:
            out, w, mod = result
            _close(out, ref_out, tol, "output")
            _close(w, ref_w, tol, "attention weights")
            ours_params = [mod.q_proj.weight, mod.k_proj.weight, mod.v_proj.weight]
            if mod.q_proj.bias is not None:
                ours_params += [mod.q_proj.bias, mod.k_proj.bias, mod.v_proj.bias]
            ours_params += [mod.out_proj.weight] + ([mod.out_proj.bias] if mod.out_proj.bias is not None else [])
            g = _grads([out, w], _leaves(q, k, v) + ours_params, cot)
            n_in = len(_leaves(q, k, v))
            gi, gp = g[:n_in], [_grad_or_zero(x, p) for x, p in zip(g[n_in:], ours_params)]
            mapped = [torch.cat(gp[0:3])]  # in_proj_weight = [W_q; W_k; W_v]
            rest = gp[3:]
            if mod.q_proj.bias is not None:
                mapped.append(torch.cat(rest[0:3]))
                rest = rest[3:]
            mapped += rest
            _close(list(gi) + mapped, [_grad_or_zero(x, p) for x, p in zip(ref_grads, leaves)], tol,
                   "autograd through dlref (inputs, then parameters)")
        run("MultiheadAttention", ours, mha_equal)
    run.check()


# ---------------------------------------------------------------------------------------------
# Recurrent cells and stacks (module_db)


def _rnn_layer(x: Tensor, h0: Tensor, Wx: Tensor, Wh: Tensor, b: Tensor, nonlinearity: str) -> tuple[Tensor, dict]:
    """dlref's RNN over a full-length batch."""
    lengths = torch.full((x.shape[0],), x.shape[1], dtype=torch.long)
    return rnn.rnn_forward(x, lengths, h0, Wx, Wh, b, nonlinearity=nonlinearity)


def _bias(mod: nn.Module, suffix: str, K: int, like: Tensor) -> Tensor:
    """dlref's single bias b = b_ih + b_hh (zeros for ``bias=False``)."""
    if getattr(mod, "bias", True) is False or getattr(mod, f"bias_ih{suffix}", None) is None:
        return like.new_zeros(like.shape[0] if like.dim() == 1 else K)
    return getattr(mod, f"bias_ih{suffix}") + getattr(mod, f"bias_hh{suffix}")


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_rnn_cell(dtype):
    info, found = _module_samples(nn.RNNCell, dtype, QUICK["cells"], seed=6)
    tol, run = tolerance(info, dtype), Run()
    for n, s in enumerate(found):
        m = _make(nn.RNNCell, s, dtype, seed=n)
        x, h = (list(s.forward_input.args) + [None])[:2]
        K = m.hidden_size
        ref_h = m(x, h)
        params = [m.weight_ih, m.weight_hh] + ([m.bias_ih, m.bias_hh] if m.bias else [])
        leaves = _leaves(x, h) + params
        cot = _cotangents([ref_h], seed=n)
        ref_grads = _grads([ref_h], leaves, cot)
        unbatched = x.dim() == 1

        def ours():
            xb = (x[None] if unbatched else x)[:, None]  # (B, L = 1, D)
            hb = torch.zeros(xb.shape[0], K, dtype=dtype) if h is None else (h[None] if unbatched else h)
            b = m.bias_ih + m.bias_hh if m.bias else torch.zeros(K, dtype=dtype)
            H, cache = _rnn_layer(xb, hb, m.weight_ih, m.weight_hh, b, m.nonlinearity)
            out = H[:, 0]
            return (out[0] if unbatched else out), cache

        def cell_equal(result):
            out, cache = result
            _close(out, ref_h, tol, "forward")
            _close(_grads([out], leaves, cot), ref_grads, tol, "autograd through dlref")
            # hand-written backward (BPTT over one step)
            gH = (cot[0][None] if unbatched else cot[0])[:, None]
            g = rnn.rnn_backward(gH, cache)
            by = dict(zip(map(id, leaves), ref_grads))
            squeeze = (lambda t: t[0]) if unbatched else (lambda t: t)
            _close(squeeze(g["x"][:, 0]), by[id(x)], tol, "rnn_backward: x")
            if h is not None:
                _close(squeeze(g["h0"]), by[id(h)], tol, "rnn_backward: h0")
            _close([g["Wx"], g["Wh"]], [by[id(m.weight_ih)], by[id(m.weight_hh)]], tol, "rnn_backward: weights")
            if m.bias:
                _close([g["b"], g["b"]], [by[id(m.bias_ih)], by[id(m.bias_hh)]], tol, "rnn_backward: biases")
        run("RNNCell (rnn_forward, one step)", ours, cell_equal)
    run.check()


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_lstm_cell(dtype):
    info, found = _module_samples(nn.LSTMCell, dtype, QUICK["cells"], seed=7)
    tol, run = tolerance(info, dtype), Run()
    for n, s in enumerate(found):
        m = _make(nn.LSTMCell, s, dtype, seed=n)
        x, hc = (list(s.forward_input.args) + [None])[:2]
        ref = m(x, hc)
        params = [m.weight_ih, m.weight_hh] + ([m.bias_ih, m.bias_hh] if m.bias else [])
        leaves = _leaves(x, *(hc or ())) + params
        cot = _cotangents(list(ref), seed=n)
        ref_grads = _grads(list(ref), leaves, cot)

        def ours():
            K = m.hidden_size
            h, c = hc if hc is not None else (x.new_zeros(*x.shape[:-1], K),) * 2
            zeros = torch.zeros(4 * K, dtype=dtype)
            bias_ih, bias_hh = (m.bias_ih, m.bias_hh) if m.bias else (zeros, zeros)
            return lstm.lstm_cell(x, h, c, m.weight_ih, m.weight_hh, bias_ih, bias_hh)

        def cell_equal(out):
            _close(list(out), list(ref), tol, "forward (h', c')")
            _close(_grads(list(out), leaves, cot), ref_grads, tol, "autograd through dlref")
        run("LSTMCell (lstm_cell)", ours, cell_equal)
    run.check()


def _rnn_stack(m: nn.RNN, x: Tensor, h0: Tensor | None) -> tuple[Tensor, Tensor, list]:
    """nn.RNN as dlref's one-layer ``rnn_forward`` per layer and direction (batch-first tensors)."""
    B, L, _ = x.shape
    dirs, K = 2 if m.bidirectional else 1, m.hidden_size
    layer_in, h_n, caches = x, [], []
    for layer in range(m.num_layers):
        outs = []
        for d in range(dirs):
            sfx = f"_l{layer}" + ("_reverse" if d else "")
            Wx, Wh = getattr(m, f"weight_ih{sfx}"), getattr(m, f"weight_hh{sfx}")
            b = getattr(m, f"bias_ih{sfx}") + getattr(m, f"bias_hh{sfx}") if m.bias else Wx.new_zeros(K)
            h_init = h0[layer * dirs + d] if h0 is not None else x.new_zeros(B, K)
            seq = layer_in.flip(1) if d else layer_in  # the reverse direction reads time backwards
            H, cache = _rnn_layer(seq, h_init, Wx, Wh, b, m.nonlinearity)
            caches.append((cache, d))
            h_n.append(H[:, -1])
            outs.append(H.flip(1) if d else H)
        layer_in = torch.cat(outs, dim=-1)  # (B, L, dirs·K)
    return layer_in, torch.stack(h_n), caches


def _rnn_stack_backward(m: nn.RNN, caches: list, d_out: Tensor, d_hn: Tensor) -> dict[str, Tensor]:
    """Hand-written BPTT through the stack: ``rnn_backward`` per layer and direction, top layer first."""
    dirs, K = 2 if m.bidirectional else 1, m.hidden_size
    grads: dict[str, Tensor] = {}
    d_layer_out = d_out  # (B, L, dirs·K)
    for layer in reversed(range(m.num_layers)):
        d_in = None
        for d in range(dirs):
            cache, _ = caches[layer * dirs + d]
            gH = d_layer_out[..., d * K:(d + 1) * K]
            gH = gH.flip(1).clone() if d else gH.clone()  # into the direction's own time order
            gH[:, -1] += d_hn[layer * dirs + d]  # h_n is the last state it computed
            g = rnn.rnn_backward(gH, cache)
            sfx = f"_l{layer}" + ("_reverse" if d else "")
            grads[f"weight_ih{sfx}"], grads[f"weight_hh{sfx}"] = g["Wx"], g["Wh"]
            grads[f"bias{sfx}"], grads[f"h0{layer * dirs + d}"] = g["b"], g["h0"]
            gx = g["x"].flip(1) if d else g["x"]
            d_in = gx if d_in is None else d_in + gx
        d_layer_out = d_in
    grads["x"] = d_layer_out
    return grads


def _lstm_stack(m: nn.LSTM, x: Tensor, hc0: tuple[Tensor, Tensor] | None) -> tuple[Tensor, Tensor, Tensor]:
    """nn.LSTM as dlref's ``lstm_cell`` per step, layer and direction (batch-first tensors)."""
    B, L, _ = x.shape
    dirs, K = 2 if m.bidirectional else 1, m.hidden_size
    P = m.proj_size or K  # the state h has P features when the LSTM projects it
    layer_in, h_n, c_n = x, [], []
    for layer in range(m.num_layers):
        outs = []
        for d in range(dirs):
            sfx = f"_l{layer}" + ("_reverse" if d else "")
            weight_ih, weight_hh = getattr(m, f"weight_ih{sfx}"), getattr(m, f"weight_hh{sfx}")
            zeros = weight_ih.new_zeros(4 * K)
            bias_ih, bias_hh = (getattr(m, f"bias_ih{sfx}"), getattr(m, f"bias_hh{sfx}")) if m.bias else (zeros, zeros)
            h = hc0[0][layer * dirs + d] if hc0 is not None else x.new_zeros(B, P)
            c = hc0[1][layer * dirs + d] if hc0 is not None else x.new_zeros(B, K)
            weight_hr = getattr(m, f"weight_hr{sfx}") if m.proj_size else None
            steps = range(L - 1, -1, -1) if d else range(L)
            H = [None] * L
            for t in steps:
                h, c = lstm.lstm_cell(layer_in[:, t], h, c, weight_ih, weight_hh, bias_ih, bias_hh, weight_hr)
                H[t] = h
            outs.append(torch.stack(H, 1))  # (B, L, P)
            h_n.append(h)
            c_n.append(c)
        layer_in = torch.cat(outs, dim=-1)
    return layer_in, torch.stack(h_n), torch.stack(c_n)


def _batch_first(m: nn.Module, x: Tensor, states: Sequence[Tensor | None]) -> tuple[Tensor, list, bool]:
    """x as (B, L, D) and states as (layers·dirs, B, ·): add a batch of one or transpose as needed."""
    unbatched = x.dim() == 2
    if unbatched:
        return x[None], [None if s is None else s[:, None] for s in states], True
    return (x if m.batch_first else x.transpose(0, 1)), list(states), False


def _torch_layout(m: nn.Module, out: Tensor, states: Sequence[Tensor], unbatched: bool) -> tuple[Tensor, list]:
    if unbatched:
        return out[0], [s[:, 0] for s in states]
    return (out if m.batch_first else out.transpose(0, 1)), list(states)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_rnn_stack(dtype):
    info, found = _module_samples(nn.RNN, dtype, QUICK["stacks"], seed=8)
    tol, run = tolerance(info, dtype), Run()
    for n, s in enumerate(found):
        m = _make(nn.RNN, s, dtype, seed=n)
        x, h0 = (list(s.forward_input.args) + [None])[:2]
        ref_out, ref_hn = m(x, h0)
        names = [name for name, _ in m.named_parameters()]
        leaves = _leaves(x, h0) + list(m.parameters())
        cot = _cotangents([ref_out, ref_hn], seed=n)
        ref_grads = _grads([ref_out, ref_hn], leaves, cot)

        def ours():
            xb, (h0b,), unbatched = _batch_first(m, x, [h0])
            out, hn, caches = _rnn_stack(m, xb, h0b)
            return (*_torch_layout(m, out, [hn], unbatched), caches, unbatched)

        def stack_equal(result):
            out, (hn,), caches, unbatched = result
            _close([out, hn], [ref_out, ref_hn], tol, "forward (output, h_n)")
            _close(_grads([out, hn], leaves, cot), ref_grads, tol, "autograd through dlref")
            # hand-written BPTT through the stack
            d_out, (d_hn,), _ = _batch_first(m, cot[0], [cot[1]])
            g = _rnn_stack_backward(m, caches, d_out, d_hn)
            by = dict(zip(map(id, leaves), ref_grads))
            gx = g["x"][0] if unbatched else (g["x"] if m.batch_first else g["x"].transpose(0, 1))
            _close(gx, by[id(x)], tol, "stack BPTT: x")
            if h0 is not None:
                gh0 = torch.stack([g[f"h0{i}"] for i in range(h0.shape[0])])
                _close(gh0[:, 0] if unbatched else gh0, by[id(h0)], tol, "stack BPTT: h0")
            for name, p in zip(names, m.parameters()):
                key = name.replace("bias_ih", "bias").replace("bias_hh", "bias")
                _close(g[key], by[id(p)], tol, f"stack BPTT: {name}")
        run("RNN stack (rnn_forward per layer)", ours, stack_equal)
    run.check()


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_lstm_stack(dtype):
    info, found = _module_samples(nn.LSTM, dtype, QUICK["stacks"], seed=9)
    tol, run = tolerance(info, dtype), Run()
    for n, s in enumerate(found):
        m = _make(nn.LSTM, s, dtype, seed=n)
        x, hc0 = (list(s.forward_input.args) + [None])[:2]
        ref_out, (ref_h, ref_c) = m(x, hc0)
        leaves = _leaves(x, *(hc0 or ())) + list(m.parameters())
        cot = _cotangents([ref_out, ref_h, ref_c], seed=n)
        ref_grads = _grads([ref_out, ref_h, ref_c], leaves, cot)

        def ours():
            xb, states, unbatched = _batch_first(m, x, list(hc0) if hc0 is not None else [None, None])
            out, h, c = _lstm_stack(m, xb, None if hc0 is None else tuple(states))
            out, (h, c) = _torch_layout(m, out, [h, c], unbatched)
            return out, h, c

        def stack_equal(result):
            _close(list(result), [ref_out, ref_h, ref_c], tol, "forward (output, h_n, c_n)")
            _close(_grads(list(result), leaves, cot), ref_grads, tol, "autograd through dlref")
        run("LSTM stack (lstm_cell per step and layer)", ours, stack_equal)
    run.check()


# ---------------------------------------------------------------------------------------------
# Optimizers (optim_db)

STEPS = 8
_OPTIMIZERS = {  # torch.optim class name → dlref class(es) that implement the same rule
    "SGD": ("SGD", "Momentum"), "Adagrad": ("Adagrad",), "RMSprop": ("RMSprop",), "Adam": ("Adam",), "AdamW": ("AdamW",),
}


def _optim_info(name: str) -> Any:
    from torch.testing._internal.common_optimizers import optim_db

    return next(o for o in optim_db if o.optim_cls.__name__ == name)


def _momentum_kwargs(kwargs: dict[str, Any]) -> dict[str, Any] | None:
    """torch's SGD(lr=η, momentum=μ, dampening=0) is dlref's Momentum(lr=η/(1 − μ), beta=μ); None if no momentum."""
    kw = dict(kwargs)
    mu = kw.pop("momentum", 0.0)
    if not mu or kw.pop("dampening", 0.0):
        return None
    lr = kw.pop("lr", 1e-3)
    return {"lr": lr / (1 - mu), "beta": mu, **kw}


def _trajectory(make: Callable[[list[Tensor]], torch.optim.Optimizer], dtype: torch.dtype) -> Tensor:
    """Parameters after each of STEPS steps on a fixed non-quadratic loss, two parameter tensors."""
    g = torch.Generator().manual_seed(0)
    W = nn.Parameter(torch.randn(4, 3, generator=g, dtype=torch.float64).to(dtype))
    b = nn.Parameter(torch.randn(4, generator=g, dtype=torch.float64).to(dtype))
    X = torch.randn(5, 3, generator=g, dtype=torch.float64).to(dtype)
    opt = make([W, b])
    path = []
    for _ in range(STEPS):
        opt.zero_grad()
        (torch.tanh(X @ W.T + b) ** 2).sum().backward()
        opt.step()
        path.append(torch.cat([W.detach().reshape(-1), b.detach()]))
    return torch.stack(path)  # (STEPS, 16)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("torch_name", list(_OPTIMIZERS))
def test_optimizer_trajectories(torch_name, dtype):
    info = _optim_info(torch_name)
    tol, run = tolerance(info, dtype), Run()
    for oi in info.optim_inputs_func(device="cpu", dtype=dtype):
        if oi.params is not None:  # param-group layouts are covered by test_optim.py
            continue
        ref = _trajectory(lambda p: info.optim_cls(p, **oi.kwargs), dtype)
        for ours_name in _OPTIMIZERS[torch_name]:
            kwargs = oi.kwargs if ours_name != "Momentum" else _momentum_kwargs(oi.kwargs)
            if kwargs is None:
                continue
            cls = getattr(optim, ours_name)
            run(f"optim.{ours_name}", lambda: _trajectory(lambda p: cls(p, **kwargs), dtype),
                lambda path: _close(path, ref, tol, f"{STEPS}-step trajectory ({oi.desc})"))
    run.check()


# torch.optim refuses a (float, tensor) pair of betas; dlref reads a one-element tensor as its
# number wherever a number is expected (dlref.validate.real), so the pair is two numbers.
_ACCEPTED_ON_PURPOSE = ("betas must be either both floats or both Tensors",)


def _numbers(v: Any) -> Any:
    if isinstance(v, Tensor):
        return v.item()
    return type(v)(_numbers(x) for x in v) if isinstance(v, (tuple, list)) else v


@pytest.mark.parametrize("torch_name", list(_OPTIMIZERS))
def test_optimizer_error_inputs(torch_name):
    """PyTorch's error inputs for an optimizer: dlref must refuse each (or warn where torch warns)."""
    info, run = _optim_info(torch_name), Run()
    for e in info.optim_error_inputs_func(device="cpu", dtype=torch.float64):
        oi = e.optimizer_error_input
        if e.error_on.name != "CONSTRUCTION_ERROR":
            continue
        params = oi.params if oi.params is not None else [nn.Parameter(torch.zeros(2, dtype=torch.float64))]
        for ours_name in _OPTIMIZERS[torch_name][:1]:
            cls = getattr(optim, ours_name)
            if issubclass(e.error_type, Warning):
                with warnings.catch_warnings(record=True) as seen:
                    warnings.simplefilter("always")
                    run(f"optim.{ours_name} (error inputs)", lambda: cls(params, **oi.kwargs), lambda _: None)
                assert any(issubclass(w.category, e.error_type) for w in seen), f"no {e.error_type.__name__}: {e.error_regex}"
                continue
            if e.error_regex in _ACCEPTED_ON_PURPOSE:  # then it must equal torch.optim on the plain numbers
                plain = {k: _numbers(v) for k, v in oi.kwargs.items()}
                ref = _trajectory(lambda p: info.optim_cls(p, **plain), torch.float64)
                run(f"optim.{ours_name} (error inputs)", lambda: _trajectory(lambda p: cls(p, **oi.kwargs), torch.float64),
                    lambda path: _close(path, ref, (1e-7, 1e-7), "trajectory with the tensors' numbers"))
                continue
            run(f"optim.{ours_name} (error inputs)", lambda: cls(params, **oi.kwargs),
                lambda _: pytest.fail(f"accepted what torch.optim.{torch_name} rejects ({e.error_regex})"))
    run.check()


def test_quick_run_is_a_subsample():
    """The quick run uses a fixed subset; DLREF_TORCH_INPUTS_FULL=1 uses every sample."""
    op = op_info("nn.functional.max_pool2d")
    n_all = len(samples(op, torch.float64))
    n_used = len(subsample(range(n_all), QUICK["max_pool2d"], seed=3))
    assert n_used == (n_all if FULL else min(n_all, QUICK["max_pool2d"]))
