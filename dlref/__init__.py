"""dlref: a deep-learning reference you can read as a website and import as a package.

Two kinds of code live here. The *reference* modules are what the pages teach: hand-written
forward/backward ops checked against autograd (`dlref.functional`, `dlref.conv`,
`dlref.attention`, `dlref.rnn`, `dlref.lstm`, `dlref.matrix_calculus`), the networks
(`dlref.nn`, `dlref.models`, `dlref.vit`), the optimizers (`dlref.optim`), GAN losses and
models (`dlref.gan`), calculators (`dlref.conv_arithmetic`, `dlref.logic`), the derivative
checker (`dlref.check`) and the exercises. Everything that *runs experiments* (device and
profile choice, data, checkpoints and the training loops, the results store, provenance,
figures, experiments, benchmarks, the command line) lives in `dlref.lab`; no reference module
imports it. `dlref.device`, `dlref.profile` and `dlref.autocast` stay top-level names.

``import dlref`` imports torch and nothing else heavy; submodules are imported on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

from dlref.lab.device import autocast, device
from dlref.lab.profile import profile

__version__ = "0.1.0"

__all__ = ["__version__", "autocast", "device", "profile"]

_SUBMODULES = {
    "attention", "check", "conv", "conv_arithmetic", "exercises", "functional", "gan", "lab", "logic", "lstm",
    "matrix_calculus", "models", "nn", "optim", "rnn", "validate", "vit",
}


def __getattr__(name: str) -> Any:
    # Lazy submodules: `dlref.check` works after a bare `import dlref` without paying
    # for matplotlib or torchvision at import time.
    if name in _SUBMODULES:
        return importlib.import_module(f"dlref.{name}")
    raise AttributeError(f"module 'dlref' has no attribute {name!r}")
