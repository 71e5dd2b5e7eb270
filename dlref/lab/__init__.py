"""The lab: everything that runs experiments, apart from the reference code the pages teach.

* [`dlref.lab.device`][dlref.lab.device] and [`dlref.lab.profile`][dlref.lab.profile] — which device and which profile (``quick``/``full``)
  a run uses (also ``dlref.device()``, ``dlref.autocast()`` and ``dlref.profile()``).
* [`dlref.lab.data`][dlref.lab.data] — datasets, checked by size and checksum.
* [`dlref.lab.train`][dlref.lab.train] — the training loop with checkpoints, resume and metrics;
  [`dlref.lab.gan.train`][dlref.lab.gan.train] the GAN loop, [`dlref.lab.gan.metrics`][dlref.lab.gan.metrics] its sample-quality metrics.
* [`dlref.lab.results`][dlref.lab.results] — the results store; [`dlref.lab.provenance`][dlref.lab.provenance] and
  [`dlref.lab.figures`][dlref.lab.figures] — where a number or figure came from.
* [`dlref.lab.experiments`][dlref.lab.experiments] and [`dlref.lab.benchmarks`][dlref.lab.benchmarks] — what the site stores and measures.
* [`dlref.lab.cli`][dlref.lab.cli] — the ``dlref`` command line (``dlref gan`` in [`dlref.lab.gan.cli`][dlref.lab.gan.cli]).
* [`dlref.lab.gpu_check`][dlref.lab.gpu_check] — ``make gpu-check``: everything that should run on a CUDA GPU, in one command.

The lab imports the reference modules; no reference module imports the lab
(``tests/test_layout.py``). Submodules are imported on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

_SUBMODULES = {"benchmarks", "cli", "data", "device", "experiments", "figures", "gan", "gpu_check", "profile", "provenance", "results", "train"}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"dlref.lab.{name}")
    raise AttributeError(f"module 'dlref.lab' has no attribute {name!r}")
