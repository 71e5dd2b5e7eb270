"""The repository's benchmarks (``benchmarks/<name>.py``) and the ``dlref bench`` command.

The benchmark scripts are files of the repository, not of the installed package: [`load()`][dlref.benchmarks.load]
imports one from the checkout dlref runs from (an editable install), so pages, tests and the
command line all use the same code.

* ``attention`` — time and memory of attention forward + backward against the sequence length.
* ``train`` — images/s of [`dlref.train.fit()`][dlref.train.fit] against a plain PyTorch loop, float32 and bf16.
* ``page_weight`` — the bytes a first visit to each page of the built site transfers.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from dlref import validate

NAMES = ("attention", "train", "page_weight")


def load(name: str) -> ModuleType:
    """Import ``benchmarks/<name>.py`` from the checkout dlref runs from.

    Raises:
        ValueError: ``name`` is not one of `NAMES`.
        FileNotFoundError: dlref was installed without its repository (not ``pip install -e .``).

    Examples:
        >>> load("train").MODELS
        ('lenet', 'bncnn', 'fast-cnn')
    """
    validate.instance("name", name, str)
    if name not in NAMES:
        raise ValueError(f"unknown benchmark {name!r}; expected one of {NAMES}")
    path = Path(__file__).resolve().parents[1] / "benchmarks" / f"{name}.py"
    if not path.is_file():
        raise FileNotFoundError(f"the {name} benchmark is a file of the dlref repository; looked for {path}. "
                                "Run it from a checkout installed with `pip install -e .`")
    module_name = f"dlref_benchmark_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses need their module registered
    spec.loader.exec_module(module)
    return module


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``dlref bench NAME [options]``: the options are those of ``benchmarks/NAME.py``."""
    validate.instance("parser", parser, argparse.ArgumentParser, what="an argparse.ArgumentParser")
    parser.add_argument("name", choices=NAMES, help="which benchmark")
    parser.add_argument("options", nargs=argparse.REMAINDER, help="passed on, e.g. --store; NAME --help lists them")


def run(args: argparse.Namespace) -> int:
    """Run the chosen benchmark's command line with the remaining options."""
    validate.instance("args", args, argparse.Namespace, what="an argparse.Namespace")
    return load(args.name).main(args.options)


__all__ = ["NAMES", "add_arguments", "load", "run"]
