"""Benchmarks: the ones that ship with the package, the repository's site tools, and ``dlref bench``.

Two kinds, one loader ([`load()`][dlref.lab.benchmarks.load]):

* **Package benchmarks** (``dlref/lab/benchmarks/<name>.py``), installed with dlref, so
  ``dlref bench NAME`` works from a wheel in any folder:

  * ``attention`` — time and memory of attention forward + backward against the sequence length.
  * ``train`` — images/s of [`dlref.lab.train.fit()`][dlref.lab.train.fit] against a plain PyTorch loop, float32 and bf16.
  * ``gan`` — images/s of the GAN loop [`dlref.lab.gan.train.train()`][dlref.lab.gan.train.train] against the DCGAN recipe's plain
    loop, on the 64×64 DCGAN.

* **Repository tools** (``benchmarks/<name>.py`` of a checkout): they measure the built site, so
  they exist only where the repository does:

  * ``page_weight`` — the bytes a first visit to each page of the built site transfers.
  * ``build`` — the site's build and rebuild times (``make bench-build``).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from dlref import validate

#: Benchmarks installed with the package (``dlref/lab/benchmarks/<name>.py``).
NAMES = ("attention", "train", "gan")
#: Site tools in the repository's ``benchmarks/`` folder (a checkout only).
REPOSITORY_NAMES = ("page_weight", "build")


def load(name: str) -> ModuleType:
    """The benchmark module ``name``: a package benchmark, or a repository tool from the checkout.

    Raises:
        ValueError: ``name`` is not one of `NAMES` or `REPOSITORY_NAMES`.
        FileNotFoundError: a repository tool was asked for, but dlref runs without its repository
            (installed from a wheel rather than ``pip install -e .`` in a checkout).

    Examples:
        >>> load("train").MODELS
        ('lenet', 'bncnn', 'fast-cnn')
    """
    validate.instance("name", name, str)
    if name in NAMES:
        return importlib.import_module(f"dlref.lab.benchmarks.{name}")
    if name not in REPOSITORY_NAMES:
        raise ValueError(f"unknown benchmark {name!r}; expected one of {NAMES + REPOSITORY_NAMES}")
    path = Path(__file__).resolve().parents[3] / "benchmarks" / f"{name}.py"  # dlref/lab/benchmarks/ → the checkout
    if not path.is_file():
        raise FileNotFoundError(f"the {name} tool measures the built site and is a file of the dlref repository; "
                                f"looked for {path}. Run it from a checkout (git clone, then make docs)")
    module_name = f"dlref_benchmark_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses need their module registered
    spec.loader.exec_module(module)
    return module


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``dlref bench NAME [options]``: the options are those of the benchmark NAME."""
    validate.instance("parser", parser, argparse.ArgumentParser, what="an argparse.ArgumentParser")
    parser.add_argument("name", choices=NAMES + ("page_weight",), help="which benchmark")
    parser.add_argument("options", nargs=argparse.REMAINDER, help="passed on, e.g. --store; NAME --help lists them")


def run(args: argparse.Namespace) -> int:
    """Run the chosen benchmark's command line with the remaining options."""
    validate.instance("args", args, argparse.Namespace, what="an argparse.Namespace")
    return load(args.name).main(args.options)


__all__ = ["NAMES", "REPOSITORY_NAMES", "add_arguments", "load", "run"]
