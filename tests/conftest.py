"""Shared fixtures: where the repository and the built site live."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE = Path(os.environ.get("DLREF_SITE_DIR") or ROOT / "site")  # DLREF_SITE_DIR: a site built elsewhere


@pytest.fixture(scope="session")
def site_dir() -> Path:
    """The built site/; fails (not skips) when it has not been built."""
    missing = [p for p in (SITE, SITE / "build-report.json") if not p.exists()]
    if missing:
        pytest.fail(
            f"{', '.join(str(p) for p in missing)} missing: run `make docs` first",
            pytrace=False,
        )
    return SITE


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``cuda`` are skipped where there is no CUDA device (`make gpu-check` runs them on one)."""
    if not any(item.get_closest_marker("cuda") for item in items):
        return
    import torch

    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA device (make gpu-check runs it on a GPU)")
    for item in items:
        if item.get_closest_marker("cuda"):
            item.add_marker(skip)


# The PyTorch-inputs tally (tests/torch_inputs.py): each xdist worker hands its counts to the
# controller, which prints the table and writes DLREF_TORCH_INPUTS_REPORT when that is set.
def pytest_sessionfinish(session: pytest.Session) -> None:
    mod = sys.modules.get("torch_inputs")
    workeroutput = getattr(session.config, "workeroutput", None)
    if mod is not None and workeroutput is not None:
        workeroutput["dlref_torch_inputs"] = json.dumps(mod.TALLY.as_dict())


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:  # xdist controller
    data = getattr(node, "workeroutput", {}).get("dlref_torch_inputs")
    if data:
        import torch_inputs

        torch_inputs.TALLY.merge(json.loads(data))


def pytest_terminal_summary(terminalreporter) -> None:
    mod = sys.modules.get("torch_inputs")
    if mod is None or not mod.TALLY.ops:
        return
    terminalreporter.write_sep("=", "PyTorch's own inputs: per op, samples / equal / refused")
    terminalreporter.write_line(mod.TALLY.table())
    path = os.environ.get(mod.REPORT_ENV)
    if path:
        terminalreporter.write_line(f"tally written to {mod.TALLY.write(path)}")
