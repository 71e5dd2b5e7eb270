"""Shared harness for the tests that drive dlref with PyTorch's own test inputs.

PyTorch describes each operator by an ``OpInfo`` (``torch.testing._internal.common_methods_invocations``)
whose ``sample_inputs``, ``reference_inputs`` and ``error_inputs`` are the inputs its own test suite
uses. ``tests/test_torch_inputs_functional.py`` and ``tests/test_torch_inputs_modules.py`` feed those
inputs to dlref's ops and compare with PyTorch; this module holds what both share:

- :func:`op_info` looks an OpInfo up by name (and variant);
- :func:`samples` / :func:`error_samples` generate its inputs reproducibly (seeded) on the CPU;
- :func:`subsample` keeps a fixed, seeded subset so ``make test`` stays fast, or everything when
  ``DLREF_TORCH_INPUTS_FULL=1`` (:data:`FULL`);
- :func:`tolerance` gives ``(rtol, atol)`` for a dtype: torch.testing's defaults, raised by any
  ``toleranceOverride`` the OpInfo declares for the CPU;
- :data:`TALLY` counts per op how many samples were tried, how many dlref answered equal to PyTorch
  and how many it refused with a clear error. ``tests/conftest.py`` prints the tally at the end of
  the session (collected from xdist workers too) and writes it as JSON to the path in
  ``DLREF_TORCH_INPUTS_REPORT`` when that is set.

Usage in a test module::

    from torch_inputs import TALLY, op_info, samples, subsample, tolerance

    op = op_info("nn.functional.linear")
    for s in subsample(samples(op, torch.float64), 20, seed=1):
        ...
        TALLY.equal("linear")        # or TALLY.refused("linear", str(err)) / TALLY.differs(...)

Importing this module is cheap; PyTorch's op database (a few seconds) is loaded on first use.
"""

from __future__ import annotations

import functools
import json
import os
import random
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable, Sequence, TypeVar

import torch

T = TypeVar("T")

FULL: bool = os.environ.get("DLREF_TORCH_INPUTS_FULL", "") == "1"
"""``DLREF_TORCH_INPUTS_FULL=1``: no subsample, every sample PyTorch generates."""

REPORT_ENV = "DLREF_TORCH_INPUTS_REPORT"
DEVICE = "cpu"
DTYPES = (torch.float64, torch.float32)

# Test classes whose tolerance overrides do not describe eager CPU results (TorchScript, MPS).
_IGNORED_TOLERANCE_CLASSES = {"TestJit", "TestConsistency"}


@functools.cache
def _op_db() -> tuple[Any, ...]:
    from torch.testing._internal.common_methods_invocations import op_db  # slow: imported on first use

    return tuple(op_db)


def op_info(name: str, variant: str = "") -> Any:
    """The OpInfo named ``name`` (e.g. ``"nn.functional.cross_entropy"``) with ``variant_test_name``.

    Raises:
        LookupError: no such OpInfo in this PyTorch (the message lists near names).
    """
    for op in _op_db():
        if op.name == name and op.variant_test_name == variant:
            return op
    near = sorted({f"{o.name}[{o.variant_test_name}]" for o in _op_db() if name.split(".")[-1] in o.name})
    raise LookupError(f"no OpInfo {name!r} variant {variant!r} in torch {torch.__version__}; near: {near[:10]}")


def samples(op: Any, dtype: torch.dtype, *, kind: str = "sample", requires_grad: bool = False,
            seed: int = 0) -> list[Any]:
    """All ``SampleInput``s of ``op`` for ``dtype`` on the CPU, generated after ``torch.manual_seed(seed)``.

    Args:
        op: an OpInfo (see :func:`op_info`).
        dtype: the floating dtype of the generated tensors.
        kind: ``"sample"`` (``op.sample_inputs``), ``"reference"`` (``op.reference_inputs``, a
            superset of the samples with harder values) or ``"both"`` (samples then references).
        requires_grad: generate leaf tensors that require grad (for autograd checks).
        seed: seed of torch's global RNG while generating.
    """
    if kind not in ("sample", "reference", "both"):
        raise ValueError(f"kind must be 'sample', 'reference' or 'both'; got {kind!r}")
    state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    try:
        out: list[Any] = []
        if kind in ("sample", "both"):
            out += list(op.sample_inputs(DEVICE, dtype, requires_grad=requires_grad))
        if kind in ("reference", "both"):
            out += list(op.reference_inputs(DEVICE, dtype, requires_grad=requires_grad))
        return out
    finally:
        torch.random.set_rng_state(state)


def error_samples(op: Any, *, seed: int = 0) -> list[Any]:
    """``op.error_inputs`` on the CPU (``ErrorInput``: ``.sample_input``, ``.error_type``, ``.error_regex``)."""
    if op.error_inputs_func is None:
        return []
    state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    try:
        return list(op.error_inputs(DEVICE))
    finally:
        torch.random.set_rng_state(state)


def subsample(items: Sequence[T] | Iterable[T], k: int, *, seed: int = 0) -> list[T]:
    """A fixed, seeded subset of at most ``k`` items in their original order; all items when :data:`FULL`."""
    items = list(items)
    if FULL or len(items) <= k:
        return items
    keep = sorted(random.Random(seed).sample(range(len(items)), k))
    return [items[i] for i in keep]


def tolerance(op: Any, dtype: torch.dtype) -> tuple[float, float]:
    """``(rtol, atol)`` for comparing results of ``dtype``: torch.testing's defaults, raised to the
    largest ``toleranceOverride`` that ``op`` declares for the CPU (any device) and this dtype.

    Overrides declared only for TorchScript (``TestJit``) or MPS (``TestConsistency``) are ignored.
    """
    from torch.testing._comparison import _DTYPE_PRECISIONS
    from torch.testing._internal.common_device_type import toleranceOverride

    rtol, atol = _DTYPE_PRECISIONS.get(dtype, (0.0, 0.0))
    for info in getattr(op, "decorators", ()) or ():
        if getattr(info, "device_type", None) not in (None, DEVICE):
            continue
        if getattr(info, "cls_name", None) in _IGNORED_TOLERANCE_CLASSES:
            continue
        for dec in getattr(info, "decorators", (info,)):
            if isinstance(dec, toleranceOverride) and dtype in dec.d:
                rtol, atol = max(rtol, dec.d[dtype].rtol), max(atol, dec.d[dtype].atol)
    return rtol, atol


class Tally:
    """Per-op counts: ``samples`` tried, ``equal`` to PyTorch, ``refused`` with a clear error, ``differs``.

    A passing run has ``samples == equal + refused`` for every op; ``differs`` counts answers that
    were neither (the test that saw one fails). ``notes`` keeps the first few distinct refusal
    messages per op, so the report says what dlref refuses and why.
    """

    FIELDS = ("samples", "equal", "refused", "differs")
    MAX_NOTES = 8

    def __init__(self) -> None:
        self.ops: dict[str, dict[str, Any]] = defaultdict(self._blank)

    @staticmethod
    def _blank() -> dict[str, Any]:
        return {"samples": 0, "equal": 0, "refused": 0, "differs": 0, "notes": []}

    def _note(self, op: str, text: str | None) -> None:
        notes = self.ops[op]["notes"]
        if text and text not in notes and len(notes) < self.MAX_NOTES:
            notes.append(text)

    def equal(self, op: str) -> None:
        """One sample answered as PyTorch answers it."""
        self.ops[op]["samples"] += 1
        self.ops[op]["equal"] += 1

    def refused(self, op: str, reason: str | None = None) -> None:
        """One sample outside dlref's contract, refused with a clear ValueError/TypeError."""
        self.ops[op]["samples"] += 1
        self.ops[op]["refused"] += 1
        self._note(op, reason and reason.splitlines()[0][:200])

    def differs(self, op: str, detail: str | None = None) -> None:
        """One sample answered differently from PyTorch (a failure)."""
        self.ops[op]["samples"] += 1
        self.ops[op]["differs"] += 1
        self._note(op, detail and ("DIFFERS: " + detail.splitlines()[0][:200]))

    def as_dict(self) -> dict[str, dict[str, Any]]:
        return {k: dict(v) for k, v in sorted(self.ops.items())}

    def merge(self, other: dict[str, dict[str, Any]]) -> None:
        """Add counts from another tally's :meth:`as_dict` (an xdist worker's)."""
        for op, row in other.items():
            mine = self.ops[op]
            for f in self.FIELDS:
                mine[f] += int(row.get(f, 0))
            for n in row.get("notes", []):
                self._note(op, n)

    def table(self) -> str:
        """The tally as a fixed-width text table."""
        if not self.ops:
            return ""
        width = max(len("op"), *(len(k) for k in self.ops))
        lines = [f"{'op':<{width}}  {'samples':>7}  {'equal':>7}  {'refused':>7}  {'differs':>7}"]
        for op, row in sorted(self.ops.items()):
            lines.append(f"{op:<{width}}  {row['samples']:>7}  {row['equal']:>7}  {row['refused']:>7}  {row['differs']:>7}")
        return "\n".join(lines)

    def report(self) -> dict[str, Any]:
        """What ``DLREF_TORCH_INPUTS_REPORT`` receives."""
        return {"torch": torch.__version__, "full": FULL, "device": DEVICE,
                "dtypes": [str(d).removeprefix("torch.") for d in DTYPES], "ops": self.as_dict()}

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Write :meth:`report` as JSON to ``path`` (atomically)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(self.report(), indent=2) + "\n", encoding="utf-8")
        tmp.replace(path)
        return path


TALLY = Tally()
"""The process-wide tally that both test modules record into."""


def check_refusal(err: BaseException, names: Sequence[str] = ()) -> str:
    """Assert that ``err`` is a clear refusal: a ValueError/TypeError raised by dlref (not from inside
    torch) whose message names one of ``names`` (when given). Returns the message.
    """
    assert isinstance(err, (ValueError, TypeError)), f"refused with {type(err).__name__}, not ValueError/TypeError: {err}"
    import dlref

    package = str(Path(dlref.__file__).resolve().parent)
    tb, raised_in = err.__traceback__, ""
    while tb is not None:
        raised_in, tb = tb.tb_frame.f_code.co_filename, tb.tb_next
    assert str(Path(raised_in).resolve()).startswith(package), (
        f"{type(err).__name__} raised in {raised_in}, not by dlref's own checks: {err}")
    msg = str(err)
    if names:
        assert any(n in msg for n in names), f"message names none of {list(names)}: {msg}"
    return msg
