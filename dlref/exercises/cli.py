"""``dlref exercises list`` and ``dlref exercises check PAGE FILE.py``.

``check`` loads the reader's file, finds the function by the name the page's stub uses, and runs
[`dlref.exercises.check`][dlref.exercises.checker.check]. Exit status: 0 when every output is
right, 1 when the submission is wrong or cannot be run, 2 for a usage error (unknown page,
missing file).
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse


def add_arguments(parser: "argparse.ArgumentParser") -> None:
    """Add the ``list`` and ``check`` subcommands to ``dlref exercises``'s parser."""
    sub = parser.add_subparsers(dest="action", required=True, metavar="{list,check}")
    sub.add_parser("list", help="list the pages with an exercise and the function each asks for")
    check = sub.add_parser("check", help="check the function in FILE.py against PAGE's exercise")
    check.add_argument("page", help='the page id, e.g. "backprop/mlp"')
    check.add_argument("file", help="a Python file that defines the exercise's function")


def run(args: "argparse.Namespace") -> int:
    """Run ``dlref exercises``; return the exit status."""
    from dlref.exercises import checker, registry

    if args.action == "list":
        print(f"{'page':<34} {'function':<32} known mistakes")
        for page, function, mistakes in checker.list_exercises():
            print(f"{page:<34} {function:<32} {mistakes}")
        return 0
    try:
        exercise = registry.get(args.page)
    except ValueError as err:
        print(f"dlref exercises check: error: {err}", file=sys.stderr)
        return 2
    path = Path(args.file)
    if not path.is_file():
        print(f"dlref exercises check: error: {args.file} is not a file; expected a Python file that defines "
              f"{exercise.function}", file=sys.stderr)
        return 2
    try:
        namespace = runpy.run_path(str(path), run_name="__dlref_exercise__")
    except SystemExit:
        namespace = None
    except BaseException as err:  # the reader's file: one line, never dlref's traceback
        if isinstance(err, KeyboardInterrupt):
            raise
        print(f"{args.file} could not be run: {type(err).__name__}: {err}", file=sys.stderr)
        return 1
    fn = (namespace or {}).get(exercise.function)
    if not callable(fn):
        found = sorted(k for k, v in (namespace or {}).items() if callable(v) and not k.startswith("_")
                       and getattr(v, "__module__", None) == "__dlref_exercise__")
        print(f"{args.file} does not define a function {exercise.function}(…) for {exercise.page}"
              f" (it defines: {', '.join(found) or 'none'})", file=sys.stderr)
        return 1
    return 0 if checker.check(exercise.page, fn).passed else 1
