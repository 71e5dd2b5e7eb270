"""Derivative checker: hand-derived gradients against autograd and central differences.

Every derivation page states a gradient, computes it with dlref's hand-written backward,
and passes both to [`compare()`][dlref.check.compare] or [`check_gradients()`][dlref.check.check_gradients]. A check

* runs in float64 (the reference is computed in float64 whatever the inputs were),
* measures the relative error ``‖analytic − reference‖∞ / max(‖reference‖∞, tiny)``,
* prints one readable line and raises [`GradientCheckError`][dlref.check.GradientCheckError] when the error exceeds
  the tolerance, so a wrong derivation fails the site build,
* is recorded by any active [`recording()`][dlref.check.recording] context (the site build uses one to write
  ``build-report.json``) and, when ``DLREF_CHECK_LOG`` names a file, appended to it as a
  JSON line (notebook kernels run in another process).

Every hand-derived gradient on the site is checked against autograd in float64, and the check
runs at build; the site page *Verification* (verification.md) lists each check of a build.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import os
import sys
from dataclasses import asdict, dataclass
from typing import Callable, Iterator, Mapping

import torch

from dlref import validate

Tensor = torch.Tensor

#: Default tolerance on the relative error for float64 comparisons.
DEFAULT_TOL = 1e-10

_recorders: contextvars.ContextVar[tuple[list, ...]] = contextvars.ContextVar("dlref_check_recorders", default=())


class GradientCheckError(AssertionError):
    """A hand-derived quantity disagrees with its reference beyond the tolerance."""


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one comparison.

    Attributes:
        name: what was checked, e.g. ``"∇V"``.
        method: ``"autograd"``, ``"finite differences"`` or ``"value"``.
        shape: shape of the compared tensors.
        max_abs_error: ``‖analytic − reference‖∞``.
        rel_error: ``max_abs_error / max(‖reference‖∞, tiny)``.
        tolerance: the bound ``rel_error`` had to stay under.
        passed: ``rel_error <= tolerance``.
    """

    name: str
    method: str
    shape: tuple[int, ...]
    max_abs_error: float
    rel_error: float
    tolerance: float
    passed: bool

    def __post_init__(self) -> None:
        validate.instance("name", self.name, str)
        validate.instance("method", self.method, str)
        validate.each("shape", self.shape, validate.positive_int, minimum=0, min_length=0)
        for field in ("max_abs_error", "rel_error"):  # NaN is a possible (failed) outcome, a negative error is not
            if validate.instance(field, getattr(self, field), float) < 0:
                raise ValueError(f"{field} must be a float >= 0 (or NaN); got {getattr(self, field)}")
        validate.real("tolerance", self.tolerance, low=0.0, low_open=True)
        validate.boolean("passed", self.passed)

    def __str__(self) -> str:
        mark = "ok  " if self.passed else "FAIL"
        shape = "×".join(map(str, self.shape)) or "scalar"
        # Short enough (about 77 characters for a typical check) to fit a page's column at
        # 1280 px; the shape comes last, so its width does not shift the error column.
        return (
            f"{mark} {self.name:<14} vs {self.method:<12} "
            f"rel. error {self.rel_error:.1e} (tol {self.tolerance:.0e})  shape {shape}"
        )


@contextlib.contextmanager
def recording() -> Iterator[list[CheckResult]]:
    """Collect every [`CheckResult`][dlref.check.CheckResult] produced inside the ``with`` block.

    Examples:
        >>> import torch
        >>> with recording() as results:
        ...     _ = compare("x", torch.ones(2, dtype=torch.float64), torch.ones(2, dtype=torch.float64), quiet=True)
        >>> [r.name for r in results]
        ['x']
    """
    sink: list[CheckResult] = []
    token = _recorders.set(_recorders.get() + (sink,))
    try:
        yield sink
    finally:
        _recorders.reset(token)


def _record(result: CheckResult) -> None:
    for sink in _recorders.get():
        sink.append(result)
    path = os.environ.get("DLREF_CHECK_LOG")
    if path:  # a notebook kernel: the line also names the cell, so the ledger can link to it
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({**asdict(result), "cell": _cell_number()}) + "\n")


def _cell_number() -> int | None:
    """The number of the Jupyter cell running now (its ``In [n]`` prompt), if any.

    IPython stores a cell's input in its history before running it (``execution_count`` is
    already the next number in recent versions), so the history's length gives the prompt.
    """
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    history = getattr(getattr(shell, "history_manager", None), "input_hist_parsed", None)
    return len(history) - 1 if history else None


def _as_tensor(name: str, value: object, role: str) -> Tensor:
    if isinstance(value, Tensor):
        return value
    try:
        return torch.as_tensor(value, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError) as exc:
        raise TypeError(f"{name}: {role} must be a tensor or array-like of numbers; got {type(value).__name__}") from exc


def compare(
    name: str,
    analytic: Tensor,
    reference: Tensor,
    *,
    tol: float = DEFAULT_TOL,
    method: str = "autograd",
    quiet: bool = False,
    raise_on_fail: bool = True,
) -> CheckResult:
    """Compare a hand-derived tensor with its reference: ``‖a − r‖∞ / ‖r‖∞ ≤ tol``.

    Args:
        name: label used in the printed line and the build report.
        analytic: the hand-derived value.
        reference: the trusted value (autograd, finite differences, or a library result).
        tol: bound on the relative error.
        method: how ``reference`` was obtained; printed and recorded.
        quiet: do not print the result line.
        raise_on_fail: raise [`GradientCheckError`][dlref.check.GradientCheckError] when the check fails.

    Shape:
        ``analytic`` and ``reference`` must have the same shape.

    Returns:
        The [`CheckResult`][dlref.check.CheckResult].

    Raises:
        ValueError: shapes differ.
        TypeError: a value is not numeric, or is complex.
        GradientCheckError: the error exceeds ``tol`` (when ``raise_on_fail``).

    Examples:
        >>> import torch
        >>> r = compare("double", torch.tensor([2.0, 4.0]), torch.tensor([2.0, 4.0]), quiet=True)
        >>> r.passed, r.rel_error
        (True, 0.0)
    """
    validate.instance("name", name, str)
    validate.real("tol", tol, low=0.0, low_open=True)
    validate.instance("method", method, str)
    validate.boolean("quiet", quiet)
    validate.boolean("raise_on_fail", raise_on_fail)
    a = _as_tensor(name, analytic, "analytic").detach()
    r = _as_tensor(name, reference, "reference").detach()
    if a.is_complex() or r.is_complex():
        raise TypeError(f"{name}: complex tensors are not supported; got {a.dtype} and {r.dtype}")
    if a.shape != r.shape:
        raise ValueError(
            f"{name}: analytic and reference must have the same shape; "
            f"got analytic {tuple(a.shape)} and reference {tuple(r.shape)}"
        )
    a = a.to("cpu", torch.float64)
    r = r.to("cpu", torch.float64)
    abs_err = (a - r).abs().max().item() if a.numel() else 0.0
    scale = r.abs().max().item() if r.numel() else 0.0
    rel_err = abs_err / max(scale, torch.finfo(torch.float64).tiny)
    if scale == 0.0:
        rel_err = abs_err  # reference is exactly zero: fall back to the absolute error
    result = CheckResult(name, method, tuple(r.shape), abs_err, rel_err, tol, rel_err <= tol)
    _record(result)
    if not quiet:
        print(result)
    if raise_on_fail and not result.passed:
        raise GradientCheckError(f"{name}: relative error {rel_err:.3e} exceeds tolerance {tol:.0e} ({method})")
    return result


def autograd_gradients(fn: Callable[..., Tensor], inputs: Mapping[str, Tensor]) -> dict[str, Tensor]:
    """Gradients of a scalar ``fn(**inputs)`` with respect to every input, by autograd in float64.

    The inputs are copied to float64 leaf tensors, so the caller's tensors are untouched.

    Raises:
        TypeError: an input is not a floating-point tensor.
        ValueError: ``fn`` does not return a scalar.
    """
    validate.callable_("fn", fn)
    validate.instance("inputs", inputs, Mapping)
    leaves = {}
    for key, value in inputs.items():
        if not isinstance(value, Tensor) or not value.is_floating_point():
            raise TypeError(f"input {key!r} must be a floating-point tensor; got {type(value).__name__}"
                            + (f" of dtype {value.dtype}" if isinstance(value, Tensor) else ""))
        leaves[key] = value.detach().to(torch.float64).clone().requires_grad_(True)
    out = fn(**leaves)
    if not isinstance(out, Tensor) or out.numel() != 1:
        shape = tuple(out.shape) if isinstance(out, Tensor) else type(out).__name__
        raise ValueError(f"fn must return a scalar tensor; got {shape}")
    grads = torch.autograd.grad(out.reshape(()), list(leaves.values()), allow_unused=True)
    return {k: (torch.zeros_like(v) if g is None else g) for (k, v), g in zip(leaves.items(), grads)}


def finite_differences(fn: Callable[..., Tensor], inputs: Mapping[str, Tensor], eps: float = 1e-6) -> dict[str, Tensor]:
    """Central-difference gradients ``(f(x + εe_i) − f(x − εe_i)) / 2ε`` of a scalar function, in float64.

    Costs two evaluations of ``fn`` per input element: meant for small checks.
    """
    validate.callable_("fn", fn)
    validate.instance("inputs", inputs, Mapping)
    for key, value in inputs.items():
        validate.floating_tensor(f"inputs[{key!r}]", value)
    validate.real("eps", eps, low=0.0, low_open=True)
    base = {k: v.detach().to(torch.float64).clone() for k, v in inputs.items()}
    grads = {}
    with torch.no_grad():
        for key, x in base.items():
            g = torch.empty_like(x)
            flat, gflat = x.view(-1), g.view(-1)
            for i in range(flat.numel()):
                old = flat[i].item()
                flat[i] = old + eps
                f_plus = float(fn(**base))
                flat[i] = old - eps
                f_minus = float(fn(**base))
                flat[i] = old
                gflat[i] = (f_plus - f_minus) / (2 * eps)
            grads[key] = g
    return grads


def check_gradients(
    fn: Callable[..., Tensor],
    inputs: Mapping[str, Tensor],
    analytic: Mapping[str, Tensor],
    *,
    tol: float = DEFAULT_TOL,
    finite_difference_tol: float | None = 1e-6,
    labels: Mapping[str, str] | None = None,
) -> list[CheckResult]:
    """Check hand-derived gradients of a scalar function against autograd (and finite differences).

    Args:
        fn: scalar function of keyword tensors, e.g. ``lambda W, b, x: loss``.
        inputs: the point at which to differentiate, by keyword.
        analytic: the hand-derived gradient for each key to check (a subset of ``inputs``).
        tol: tolerance against autograd (float64).
        finite_difference_tol: tolerance against central differences; ``None`` skips them
            (use for large inputs).
        labels: display names, e.g. ``{"V": "∇V"}``.

    Returns:
        One [`CheckResult`][dlref.check.CheckResult] per comparison, in order.

    Raises:
        ValueError: ``analytic`` names a key that is not in ``inputs``.
        GradientCheckError: any comparison fails.

    Examples:
        >>> import torch
        >>> x = torch.tensor([1.0, -2.0], dtype=torch.float64)
        >>> res = check_gradients(lambda x: (x ** 2).sum(), {"x": x}, {"x": 2 * x}, finite_difference_tol=None)
        ok   x              vs autograd     rel. error 0.0e+00 (tol 1e-10)  shape 2
    """
    validate.callable_("fn", fn)
    validate.instance("inputs", inputs, Mapping)
    validate.instance("analytic", analytic, Mapping)
    validate.optional(validate.real, "finite_difference_tol", finite_difference_tol, low=0.0, low_open=True)
    validate.instance("labels", labels, Mapping, optional=True)
    unknown = set(analytic) - set(inputs)
    if unknown:
        raise ValueError(f"analytic gradients given for {sorted(unknown)}, which are not among the inputs {sorted(inputs)}")
    labels = dict(labels or {})
    reference = autograd_gradients(fn, inputs)
    results = [compare(labels.get(k, k), analytic[k], reference[k], tol=tol) for k in analytic]
    if finite_difference_tol is not None:
        numeric = finite_differences(fn, inputs)
        results += [
            compare(labels.get(k, k), analytic[k], numeric[k], tol=finite_difference_tol, method="finite differences")
            for k in analytic
        ]
    return results
