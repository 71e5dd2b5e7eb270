"""Exercises: the pages' problems as the reader's own code, checked against autograd.

A page with an exercise shows a stub to fill in and one line that checks it::

    import dlref.exercises
    dlref.exercises.check("backprop/mlp", mlp_gradients)

[`check`][dlref.exercises.checker.check] runs the function on several random float64 inputs,
compares every output with autograd, and when one is wrong says which known mistake it matches
(with a link to the page's box) or where it first differs. ``dlref exercises list`` and
``dlref exercises check PAGE FILE.py`` do the same from the command line.

This package belongs to the lab side: it imports dlref's reference code, never the other way round.
"""

from dlref.exercises.checker import CatalogueReport, OutputResult, Report, check, list_exercises, verify_catalogue
from dlref.exercises.registry import Exercise, Mistake, get

__all__ = ["check", "list_exercises", "verify_catalogue", "get", "Report", "OutputResult",
           "CatalogueReport", "Exercise", "Mistake"]
