"""Run dlref's ops on every test input PyTorch has for them and store the tally for the site.

    .venv/bin/python tools/torch_inputs_sweep.py            # run (or load, if current) and store
    .venv/bin/python tools/torch_inputs_sweep.py --fresh    # run again even if the stored one is current
    .venv/bin/python tools/torch_inputs_sweep.py --quick    # the quick subsample, printed, not stored

Runs tests/test_torch_inputs_functional.py and tests/test_torch_inputs_modules.py with
DLREF_TORCH_INPUTS_FULL=1, collects their per-op JSON tallies and stores them as the result
``torch-inputs-sweep`` (results/torch-inputs-sweep/), which the page "Reference ops against
PyTorch's own test inputs" shows. Fails, storing nothing, if any sample answers differently.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fresh", action="store_true", help="run even if the stored result is current")
    parser.add_argument("--quick", action="store_true", help="the quick subsample; print the table, store nothing")
    parser.add_argument("--workers", type=int, default=2, help="pytest-xdist workers (default 2)")
    args = parser.parse_args(argv)

    from dlref.lab import results
    from dlref.lab.experiments import torch_inputs as ti

    os.environ[ti.WORKERS_ENV] = str(args.workers)
    if args.quick:
        with tempfile.TemporaryDirectory() as tmp:
            metrics = ti.run(ti.Config(full=False), Path(tmp))
        print(ti.format_table(metrics))
        return 0
    os.environ["DLREF_PROFILE"] = "full"  # the stored result is a full-profile one (a quick build loads it)
    os.environ["DLREF_DEVICE"] = "cpu"  # the tests run on the CPU; say so in the provenance
    if args.fresh:
        os.environ["DLREF_FRESH"] = "1"
    res = results.run_or_load(ti.NAME, ti.run, ti.Config(), profiles=("full",), code=ti.CODE)
    print(res.describe())
    print(ti.format_table(res.metrics))
    print(res.metrics["pytest"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
