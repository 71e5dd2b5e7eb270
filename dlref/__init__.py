"""dlref: a deep-learning reference you can read as a website and import as a package.

The package holds the code the site's pages execute: hand-written forward/backward ops
checked against autograd, the networks and training loops, calculators, and the
derivative checker. ``import dlref`` imports torch and nothing else heavy; submodules
are imported on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

from dlref.device import autocast, device
from dlref.profile import profile

__version__ = "0.1.0"

__all__ = ["__version__", "autocast", "device", "profile"]

_SUBMODULES = {
    "attention", "check", "conv", "conv_backprop", "data", "figures", "functional", "gan", "logic", "lstm",
    "matrix_calculus", "models", "nn", "optim", "provenance", "results", "rnn", "train", "vit",
}


def __getattr__(name: str) -> Any:
    # Lazy submodules: `dlref.check` works after a bare `import dlref` without paying
    # for matplotlib or torchvision at import time.
    if name in _SUBMODULES:
        return importlib.import_module(f"dlref.{name}")
    raise AttributeError(f"module 'dlref' has no attribute {name!r}")
