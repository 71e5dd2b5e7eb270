"""The ``dlref`` command line: ``dlref info``, ``dlref data fetch NAME``.

Each subcommand is a [`Command`][dlref.lab.cli.Command] in `COMMANDS`: a name, a help line, a function
that adds its arguments to an ``argparse`` parser, and a function that runs it and returns
the exit status. To add a subcommand, write those two functions and append a ``Command``.
The parser is built only inside [`main()`][dlref.lab.cli.main].
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, NoReturn

from dlref import validate

if TYPE_CHECKING:
    import argparse


@dataclass(frozen=True)
class Command:
    """One ``dlref <name>`` subcommand.

    Args:
        name: What is typed after ``dlref``.
        help: One line for ``dlref --help``.
        add_arguments: Adds the subcommand's arguments to its parser.
        run: Runs it with the parsed arguments; returns the exit status (0 on success).
    """

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]

    def __post_init__(self) -> None:
        validate.instance("name", self.name, str)
        if not self.name.strip():
            raise ValueError("name must be a non-empty str (what is typed after `dlref`)")
        validate.instance("help", self.help, str)
        validate.callable_("add_arguments", self.add_arguments)
        validate.callable_("run", self.run)


def usage_error(args: argparse.Namespace, message: str) -> NoReturn:
    """Stop a subcommand whose options are bad, before it does any work: exit status 2, one error line.

    The line is argparse's own (``usage: ...`` then ``dlref ...: error: message``) when ``args`` came
    from the subcommand's parser (its ``usage`` default), so a bad value reads like a bad option.
    A config field in the message (``TrainConfig.batch_size``) is shown as its option (``--batch-size``).

    Raises:
        SystemExit: always, with status 2.
    """
    import re

    validate.instance("message", message, str)
    message = re.sub(r"\b[A-Z]\w*Config\.(\w+)", lambda m: "--" + m[1].replace("_", "-"), message)
    parser = getattr(args, "usage", None)
    if parser is None:
        print(f"dlref: error: {message}", file=sys.stderr)
        raise SystemExit(2)
    parser.error(message)


def _info_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def _info(args: argparse.Namespace) -> int:
    import platform

    import torch
    import torchvision

    import dlref
    from dlref.lab import data
    from dlref.lab.device import describe
    from dlref.lab.profile import profile

    status = 0

    def attempt(fn: Callable[[], str]) -> str:
        # A bad DLREF_DEVICE or DLREF_PROFILE is reported in its line; the rest still prints.
        nonlocal status
        try:
            return fn()
        except (ValueError, RuntimeError) as err:
            status = 1
            return f"error: {err}"

    rows = [
        ("dlref", dlref.__version__),
        ("python", f"{platform.python_version()} ({sys.executable})"),
        ("torch", torch.__version__),
        ("torchvision", torchvision.__version__),
        ("device", attempt(describe)),
        ("profile", attempt(profile)),
        ("data root", str(data.data_root())),
    ]
    for name, state in data.available().items():
        text = {True: "available", False: "missing (needs a download)"}.get(state, state)
        rows.append((f"  {name}", text))
    width = max(len(key) for key, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    return status


def _data_arguments(parser: argparse.ArgumentParser) -> None:
    from dlref.lab.data import PREPARE

    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    fetch = actions.add_parser("fetch", help="prepare a dataset in the data root (local copy or download)")
    fetch.add_argument("name", choices=sorted(PREPARE), help="dataset to prepare")
    fetch.add_argument("--root", help="data root (default: $DLREF_DATA or ~/.cache/dlref/data)")
    fetch.add_argument("--no-download", action="store_true", help="use only local copies, never the network")


def _data(args: argparse.Namespace) -> int:
    from dlref.lab import data

    # Only `fetch` exists so far; argparse has already rejected anything else.
    before = data.available(args.root)[args.name]
    try:
        path = data.PREPARE[args.name](args.root, download=not args.no_download)
    except data.DatasetNotFoundError as err:
        print(f"dlref data fetch: error: {err}", file=sys.stderr)
        return 1
    how = {True: "already there", False: "downloaded"}.get(before, before)
    if isinstance(before, str) and before.startswith("damaged"):
        how = "a damaged copy repaired " + before.rsplit("; `dlref data fetch fashion-mnist` repairs it ", 1)[-1]
    print(f"{args.name}: {path} ({how})")
    return 0


def _train_arguments(parser: argparse.ArgumentParser) -> None:
    from dlref.lab.experiments.train_cli import add_arguments

    add_arguments(parser)


def _train(args: argparse.Namespace) -> int:
    from dlref.lab.experiments.train_cli import run

    return run(args)


#: The subcommands, in the order ``dlref --help`` lists them.
COMMANDS: list[Command] = [
    Command("info", "print versions, device, profile, data root and available datasets", _info_arguments, _info),
    Command("data", "manage datasets: `dlref data fetch NAME`", _data_arguments, _data),
    Command("bench", "benchmarks: `dlref bench attention [--lengths L ...] [--store]`, `dlref bench train [--store]`, `dlref bench gan [--store]`",
            lambda parser: __import__("dlref.lab.benchmarks").lab.benchmarks.add_arguments(parser),
            lambda args: __import__("dlref.lab.benchmarks").lab.benchmarks.run(args)),
    Command("gan", "train a GAN: `dlref gan train --dataset fashion-mnist --loss non-saturating [--dry-run]`",
            lambda parser: __import__("dlref.lab.gan.cli").lab.gan.cli.add_arguments(parser),
            lambda args: __import__("dlref.lab.gan.cli").lab.gan.cli.run(args)),
    Command("train", "train a classifier: `dlref train classifier --model bncnn --data cifar10 [--dry-run]`",
            _train_arguments, _train),
    Command("exercises", "check your solution to a page's exercise: `dlref exercises list`, "
            "`dlref exercises check PAGE FILE.py`",
            lambda parser: __import__("dlref.exercises.cli").exercises.cli.add_arguments(parser),
            lambda args: __import__("dlref.exercises.cli").exercises.cli.run(args)),
]


def main(argv: list[str] | None = None) -> int:
    """Run the ``dlref`` command line.

    Args:
        argv: Arguments without the program name; defaults to ``sys.argv[1:]``.

    Returns:
        The exit status. Usage errors, ``--help`` and ``--version`` exit through
        ``SystemExit`` as ``argparse`` does (status 2 for usage errors).

    Examples:
        >>> main(["--version"])  # doctest: +SKIP
        dlref 0.1.0
    """
    import argparse

    import dlref

    validate.optional(validate.each, "argv", argv, validate.instance, str, min_length=0)
    parser = argparse.ArgumentParser(prog="dlref", description="dlref: a deep-learning reference in PyTorch.")
    parser.add_argument("--version", action="version", version=f"dlref {dlref.__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        sub = subparsers.add_parser(command.name, help=command.help, description=command.help)
        command.add_arguments(sub)
        sub.set_defaults(run=command.run)
    args = parser.parse_args(argv)
    from dlref.lab.data import DatasetNotFoundError
    from dlref.lab.results import ResultCorruptError
    from dlref.lab.checkpoint import CheckpointError

    try:
        return args.run(args)
    except (CheckpointError, ResultCorruptError, DatasetNotFoundError) as err:
        # Damaged or mismatched state on disk: one line naming the file and the fix, no traceback.
        print(f"dlref {args.command}: error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
