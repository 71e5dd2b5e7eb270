"""dlref.functional on PyTorch's own test inputs.

For every dlref functional op with a PyTorch counterpart, the OpInfo ``sample_inputs`` and
``reference_inputs`` (and ``error_inputs`` where PyTorch has them) are fed to dlref on the CPU in
float64 and float32. Each sample is either

- **equal**: dlref's forward equals PyTorch's, autograd through dlref's forward equals autograd
  through PyTorch's for every input that requires grad, and dlref's hand-written backward equals
  PyTorch's autograd, all at the tolerances the OpInfo declares (``torch_inputs.tolerance``); or
- **refused**: the sample lies outside dlref's documented contract and dlref raises a
  ValueError/TypeError from its own checks whose message names the argument; each op lists which
  samples it expects to refuse, so a refusal of an in-contract sample fails too.

Anything else fails the test. The per-op tally (samples, equal, refused) is printed at the end
of the session. ``make test`` runs a fixed, seeded subsample of the large reference inputs;
``DLREF_TORCH_INPUTS_FULL=1`` runs every sample.

Cross-entropy is also run on PyTorch's ``nll_loss`` samples (against ``nll_loss(log_softmax)``:
more weight/ignore_index combinations and (N, C, d1, d2) layouts) and, because no OpInfo sample
uses ``label_smoothing``, on every cross-entropy sample again with ``label_smoothing=0.15``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import pytest
import torch
from torch_inputs import DTYPES, TALLY, check_refusal, error_samples, op_info, samples, subsample, tolerance

from dlref import functional

TF = torch.nn.functional
REFERENCE_KEEP = 12  # reference inputs kept per op and dtype unless DLREF_TORCH_INPUTS_FULL=1
LABEL_SMOOTHING = 0.15


@dataclass
class Case:
    """One dlref op against one OpInfo.

    ``forward(x, args, kwargs)`` calls dlref; ``reference(x, args, kwargs)`` calls PyTorch;
    ``backward(x, args, kwargs, g)`` calls dlref's hand-written backward with the output gradient
    ``g`` and returns ``{position: gradient}`` (0 = ``x``, i = ``args[i − 1]``);
    ``refuses(x, args, kwargs)`` says which samples lie outside dlref's contract.
    """

    key: str
    opinfo: str
    forward: Callable[..., torch.Tensor]
    backward: Callable[..., dict[int, torch.Tensor]]
    reference: Callable[..., torch.Tensor] | None = None
    refuses: Callable[..., bool] = lambda x, args, kw: False
    variant: str = ""
    extra_kwargs: dict[str, Any] = field(default_factory=dict)
    names: tuple[str, ...] = ()  # argument names a refusal's message may name


def _class_dim(x: torch.Tensor) -> int:
    return 1 if x.dim() >= 2 else 0


def _ce_kwargs(kw: dict[str, Any]) -> dict[str, Any]:
    return {k: kw[k] for k in ("weight", "ignore_index", "reduction", "label_smoothing") if k in kw}


CASES = [
    Case("linear", "nn.functional.linear",
         forward=lambda x, args, kw: functional.linear(x, *args),
         backward=lambda x, args, kw, g: dict(enumerate(functional.linear_backward(g, x, args[0])[: 1 + len(args)])),
         names=("x", "W")),
    Case("relu", "nn.functional.relu",
         forward=lambda x, args, kw: functional.relu(x),
         backward=lambda x, args, kw, g: {0: functional.relu_backward(g, x)},
         names=("z",)),
    Case("sigmoid", "sigmoid",
         forward=lambda x, args, kw: functional.sigmoid(x),
         backward=lambda x, args, kw, g: {0: functional.sigmoid_backward(g, x)},
         names=("a",)),
    Case("tanh", "tanh",
         forward=lambda x, args, kw: functional.tanh(x),
         backward=lambda x, args, kw, g: {0: functional.tanh_backward(g, x)},
         names=("a",)),
    Case("softmax", "softmax",
         forward=lambda x, args, kw: functional.softmax(x, *args),
         backward=lambda x, args, kw, g: {0: functional.softmax_backward(g, x, *args)},
         refuses=lambda x, args, kw: x.dim() == 0 or x.shape[args[0]] == 0,
         names=("a",)),
    Case("log_softmax", "log_softmax",
         forward=lambda x, args, kw: functional.log_softmax(x, *args),
         backward=lambda x, args, kw, g: {0: functional.log_softmax_backward(g, x, *args)},
         refuses=lambda x, args, kw: x.dim() == 0 or x.shape[args[0]] == 0,
         names=("a",)),
    Case("softmax_cross_entropy", "nn.functional.cross_entropy",
         forward=lambda x, args, kw: functional.softmax_cross_entropy(x, args[0], **_ce_kwargs(kw)),
         backward=lambda x, args, kw, g: {0: functional.softmax_cross_entropy_backward(x, args[0], **_ce_kwargs(kw), grad_loss=g)},
         names=("a", "y", "weight", "ignore_index", "reduction", "label_smoothing")),
    Case("softmax_cross_entropy (label_smoothing)", "nn.functional.cross_entropy",
         forward=lambda x, args, kw: functional.softmax_cross_entropy(x, args[0], **_ce_kwargs(kw)),
         backward=lambda x, args, kw, g: {0: functional.softmax_cross_entropy_backward(x, args[0], **_ce_kwargs(kw), grad_loss=g)},
         extra_kwargs={"label_smoothing": LABEL_SMOOTHING}, names=("a", "y", "weight", "ignore_index", "reduction", "label_smoothing")),
    Case("softmax_cross_entropy (nll_loss samples)", "nn.functional.nll_loss",
         forward=lambda x, args, kw: functional.softmax_cross_entropy(x, args[0], **_ce_kwargs(kw)),
         backward=lambda x, args, kw, g: {0: functional.softmax_cross_entropy_backward(x, args[0], **_ce_kwargs(kw), grad_loss=g)},
         reference=lambda x, args, kw: TF.nll_loss(TF.log_softmax(x, _class_dim(x)), *args, **kw),
         names=("a", "y", "weight", "ignore_index", "reduction", "label_smoothing")),
    Case("binary_cross_entropy", "nn.functional.binary_cross_entropy",
         forward=lambda x, args, kw: functional.binary_cross_entropy(x, args[0], **kw),
         backward=lambda x, args, kw, g: {0: functional.binary_cross_entropy_backward(x, args[0], **kw, grad_loss=g)},
         names=("p", "y", "weight", "reduction")),
    Case("binary_cross_entropy_with_logits", "nn.functional.binary_cross_entropy_with_logits",
         forward=lambda x, args, kw: functional.binary_cross_entropy_with_logits(x, args[0], **kw),
         backward=lambda x, args, kw, g: {0: functional.binary_cross_entropy_with_logits_backward(x, args[0], **kw, grad_loss=g)},
         names=("a", "y", "weight", "pos_weight", "reduction")),
    Case("mse", "nn.functional.mse_loss",
         forward=lambda x, args, kw: functional.mse(x, args[0], **kw),
         backward=lambda x, args, kw, g: {0: functional.mse_backward(x, args[0], **kw, grad_loss=g)},
         names=("yhat", "y", "reduction")),
]


def _detached(t: Any) -> Any:
    if isinstance(t, torch.Tensor):
        leaf = t.detach().clone()
        return leaf.requires_grad_(t.requires_grad and t.is_floating_point())
    return t


def _leaves(x: Any, args: tuple, kw: dict) -> dict[str, torch.Tensor]:
    """Every tensor that requires grad, by name: ``0`` for the input, ``1…`` for args, kwarg names."""
    named = {0: x, **{i + 1: a for i, a in enumerate(args)}, **kw}
    return {k: v for k, v in named.items() if isinstance(v, torch.Tensor) and v.requires_grad}


def _grads(out: torch.Tensor, leaves: dict, g: torch.Tensor) -> dict:
    if not leaves or not out.requires_grad:
        return {k: torch.zeros_like(v) for k, v in leaves.items()}
    grads = torch.autograd.grad(out, list(leaves.values()), g, allow_unused=True)
    return {k: torch.zeros_like(v) if gr is None else gr for (k, v), gr in zip(leaves.items(), grads)}


def _all_samples(case: Case, dtype: torch.dtype) -> list[tuple[str, Any]]:
    op = op_info(case.opinfo, case.variant)
    got = [("sample", s) for s in samples(op, dtype, requires_grad=True, seed=0)]
    refs = [("reference", s) for s in samples(op, dtype, kind="reference", requires_grad=True, seed=1)]
    # reference_inputs start with the samples again; keep the ones that add something, subsampled
    refs = refs[len(got):] if len(refs) > len(got) else []
    return got + subsample(refs, REFERENCE_KEEP, seed=2)


def _run_sample(case: Case, dtype: torch.dtype, sample: Any, rtol: float, atol: float) -> str:
    """Run one sample; returns "equal" or "refused:<message>", raises AssertionError if neither."""
    x0, args0, kw0 = sample.input, tuple(sample.args), {**sample.kwargs, **case.extra_kwargs}
    x, args, kw = _detached(x0), tuple(_detached(a) for a in args0), {k: _detached(v) for k, v in kw0.items()}
    tx, targs, tkw = _detached(x0), tuple(_detached(a) for a in args0), {k: _detached(v) for k, v in kw0.items()}
    expected_refusal = case.refuses(x, args, kw)
    try:
        out = case.forward(x, args, kw)
    except (ValueError, TypeError) as err:
        msg = check_refusal(err, case.names)
        assert expected_refusal, f"refused a sample inside dlref's contract: {msg}"
        return "refused:" + msg
    assert not expected_refusal, "answered a sample dlref's contract says it refuses"
    reference = case.reference or (lambda x_, a_, k_: op_info(case.opinfo, case.variant).op(x_, *a_, **k_))
    want = reference(tx, targs, tkw)
    torch.testing.assert_close(out, want, rtol=rtol, atol=atol, equal_nan=True, msg=lambda m: f"forward: {m}")

    # autograd through dlref's forward against autograd through PyTorch's
    g = torch.randn(want.shape, dtype=want.dtype, generator=torch.Generator().manual_seed(3))
    mine, theirs = _leaves(x, args, kw), _leaves(tx, targs, tkw)
    got_grads, want_grads = _grads(out, mine, g), _grads(want, theirs, g)
    for k in want_grads:
        torch.testing.assert_close(got_grads[k], want_grads[k], rtol=rtol, atol=atol, equal_nan=True,
                                   msg=lambda m, k=k: f"autograd through dlref, input {k}: {m}")

    # the hand-written backward against PyTorch's autograd
    hand = case.backward(x.detach(), tuple(_detached(a).detach() if isinstance(a, torch.Tensor) else a for a in args),
                         {k: v.detach() if isinstance(v, torch.Tensor) else v for k, v in kw.items()}, g)
    for k, grad in hand.items():
        if k in want_grads:
            torch.testing.assert_close(grad, want_grads[k], rtol=rtol, atol=atol, equal_nan=True,
                                       msg=lambda m, k=k: f"hand-written backward, input {k}: {m}")
    return "equal"


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: str(d).removeprefix("torch."))
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.key)
def test_functional_on_pytorch_inputs(case: Case, dtype: torch.dtype):
    op = op_info(case.opinfo, case.variant)
    rtol, atol = tolerance(op, dtype)
    failures = []
    for kind, sample in _all_samples(case, dtype):
        try:
            outcome = _run_sample(case, dtype, sample, rtol, atol)
        except AssertionError as err:
            TALLY.differs(case.key, f"{kind} sample {tuple(sample.input.shape)}: {err}")
            failures.append(f"{kind} sample {tuple(sample.input.shape)} {sample.kwargs}: {err}")
            continue
        if outcome == "equal":
            TALLY.equal(case.key)
        else:
            TALLY.refused(case.key, outcome.removeprefix("refused:"))
    for err_input in error_samples(op):
        s = err_input.sample_input
        with pytest.raises((ValueError, TypeError)) as info:
            case.forward(s.input, tuple(s.args), {**s.kwargs, **case.extra_kwargs})
        TALLY.refused(case.key, check_refusal(info.value, case.names))
    assert not failures, f"{len(failures)} sample(s) differ from PyTorch:\n" + "\n".join(failures[:5])


def test_the_comparison_can_fail():
    """A wrong forward, a wrong backward and a refusal of an in-contract sample are each caught."""
    op = op_info("sigmoid")
    rtol, atol = tolerance(op, torch.float64)
    sample = samples(op, torch.float64, requires_grad=True)[0]
    good = next(c for c in CASES if c.key == "sigmoid")
    assert _run_sample(good, torch.float64, sample, rtol, atol) == "equal"
    wrong_forward = Case("x", "sigmoid", forward=lambda x, a, k: functional.sigmoid(x) * (1 + 1e-6), backward=good.backward)
    wrong_backward = Case("x", "sigmoid", forward=good.forward, backward=lambda x, a, k, g: {0: functional.sigmoid_backward(g, x) * 1.001})
    refusing = Case("x", "sigmoid", forward=lambda x, a, k: functional.sigmoid(x.to(torch.int64)), backward=good.backward, names=("a",))
    for case, what in ((wrong_forward, "forward"), (wrong_backward, "hand-written backward"), (refusing, "inside dlref's contract")):
        with pytest.raises(AssertionError, match=what):
            _run_sample(case, torch.float64, sample, rtol, atol)
