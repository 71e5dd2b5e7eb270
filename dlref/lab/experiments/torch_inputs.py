"""The sweep of dlref's reference ops over PyTorch's own test inputs, as a stored experiment.

``tests/test_torch_inputs_functional.py`` and ``tests/test_torch_inputs_modules.py`` feed every
sample PyTorch's test databases hold for an op (OpInfo, ModuleInfo, OptimizerInfo) to dlref and
to PyTorch and tally, per op, how many samples there were, how many dlref answered equally
(forward, autograd through dlref's forward, hand-written backward) and how many it refused with a
clear error. [`run()`][dlref.lab.experiments.torch_inputs.run] runs both modules in full (``DLREF_TORCH_INPUTS_FULL=1``) in a pytest
subprocess and returns the tally; ``tools/torch_inputs_sweep.py`` stores it with provenance and the
page *Reference ops against PyTorch's own test inputs* (reference-ops.md) shows it.

The tests live in the repository, not in the installed package, so the sweep runs from a checkout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dlref import attention, conv, functional, lstm, optim, rnn, validate

NAME = "torch-inputs-sweep"
CODE = (attention, conv, functional, lstm, optim, rnn)
"""The ops under test: a change to any of them (beyond docstrings and validate calls) stales the result."""

FIELDS = ("samples", "equal", "refused", "differs")


@dataclass(frozen=True)
class Config:
    """What the sweep runs.

    Args:
        test_files: the test modules, relative to the repository root.
        full: every sample (``DLREF_TORCH_INPUTS_FULL=1``) rather than the quick subsample.
    """

    test_files: tuple[str, ...] = ("tests/test_torch_inputs_functional.py", "tests/test_torch_inputs_modules.py")
    full: bool = True

    def __post_init__(self) -> None:
        validate.each("test_files", self.test_files, validate.instance, str)
        validate.boolean("full", self.full)


WORKERS_ENV = "DLREF_TORCH_INPUTS_WORKERS"
"""pytest-xdist workers for the sweep (default 2; 1 runs in one process). Not part of the result's key."""


def repo_root() -> Path:
    """The checkout this package was imported from (it must hold the tests).

    Raises:
        FileNotFoundError: dlref was installed without its repository's ``tests/``.
    """
    root = Path(__file__).resolve().parents[3]  # dlref/lab/experiments/ → the checkout
    if not (root / "tests" / "torch_inputs.py").is_file():
        raise FileNotFoundError(f"the sweep needs the repository's tests/ (looked for {root / 'tests' / 'torch_inputs.py'}); "
                                "run it from a clone of the repository with `pip install -e .`")
    return root


def run(cfg: Config, out_dir: Path) -> dict[str, Any]:
    """Run both test modules in a pytest subprocess; return the per-op tally and a summary.

    Writes ``pytest.log`` (the session's output) into ``out_dir``.

    Raises:
        RuntimeError: a test failed (a sample answered differently, or a refusal was unclear);
            nothing is stored then, and the message ends with pytest's last lines.
    """
    validate.instance("cfg", cfg, Config)
    validate.path("out_dir", out_dir)
    root = repo_root()
    report = Path(out_dir) / "tally.json"
    env = {**os.environ, "DLREF_TORCH_INPUTS_FULL": "1" if cfg.full else "0",
           "DLREF_TORCH_INPUTS_REPORT": str(report), "PYTHONDONTWRITEBYTECODE": "1"}
    workers = validate.positive_int(WORKERS_ENV, int(os.environ.get(WORKERS_ENV, "2") or 2))
    parallel = ["-n", str(workers)] if workers > 1 else ["-p", "no:xdist"]
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *parallel, *cfg.test_files]
    proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, check=False)
    log = proc.stdout + proc.stderr
    (Path(out_dir) / "pytest.log").write_text(log, encoding="utf-8")
    if proc.returncode != 0 or not report.is_file():
        tail = "\n".join(log.strip().splitlines()[-25:])
        raise RuntimeError(f"the sweep's tests failed (exit {proc.returncode}); nothing stored. Last lines:\n{tail}")
    tally = json.loads(report.read_text(encoding="utf-8"))
    report.unlink()  # its contents are the metrics below
    ops = tally["ops"]
    totals = {f: sum(row[f] for row in ops.values()) for f in FIELDS}
    summary = next((line for line in reversed(log.splitlines()) if " passed" in line), "")
    return {"ops": ops, "totals": totals, "torch": tally["torch"], "full": tally["full"],
            "dtypes": tally["dtypes"], "device": tally["device"], "pytest": summary.strip("= ")}


def format_table(metrics: dict[str, Any]) -> str:
    """The tally as a text table: one row per op, then the totals."""
    validate.mapping("metrics", metrics, ("ops", "totals"))
    ops = metrics["ops"]
    width = max(len("total"), *(len(op) for op in ops))
    lines = [f"{'op':<{width}}  {'samples':>7}  {'equal':>7}  {'refused':>7}  {'differs':>7}"]
    for op, row in sorted(ops.items()):
        lines.append(f"{op:<{width}}  " + "  ".join(f"{row[f]:>7}" for f in FIELDS))
    lines.append(f"{'total':<{width}}  " + "  ".join(f"{metrics['totals'][f]:>7}" for f in FIELDS))
    return "\n".join(lines)
