"""What an exercise is: a problem, its truth by autograd, a reference solution and known mistakes.

Each chapter module (``dlref.exercises.backprop`` …) builds [`Exercise`][dlref.exercises.registry.Exercise]
objects and [`register`][dlref.exercises.registry.register]s them under the page id, the page's
path under ``docs/`` without ``.md`` (``"backprop/mlp"``). The checker
([`dlref.exercises.checker`][dlref.exercises.checker]) runs a reader's function against them.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import torch

from dlref import validate

Inputs = Callable[[torch.Generator], dict]
Outputs = Callable[..., Mapping[str, torch.Tensor]]

_REGISTRY: dict[str, "Exercise"] = {}


@dataclass(frozen=True)
class Mistake:
    """A known wrong answer: code that makes the mistake, and where the page explains it.

    Args:
        name: a short name the report prints, e.g. ``"ReLU mask missing in u₁"``.
        anchor: the heading id on the page whose box or list explains it, e.g. ``"common-mistakes"``.
        fn: the wrong solution; same signature and outputs as the reference solution.
        why: one sentence saying what went wrong and what is right.
    """

    name: str
    anchor: str
    fn: Outputs
    why: str


@dataclass(frozen=True)
class Exercise:
    """One page's exercise.

    Args:
        page: the page id, its path under ``docs/`` without ``.md``.
        task: the problem in one or two sentences (Markdown, may hold ``$…$`` math).
        inputs: draws the arguments (float64 tensors, in the order of the solution's
            parameters) from a `torch.Generator`; shapes differ so that a slip in a shape shows.
        truth: the right outputs, computed by autograd (or, for a forward quantity, by PyTorch).
        solution: the hand-written reference solution; its name is the name a reader's function
            must have on the command line, and its signature and docstring make the stub.
        mistakes: the catalogue of known wrong answers.
        hint: what to look at when a wrong answer matches no known mistake.
    """

    page: str
    task: str
    inputs: Inputs
    truth: Outputs
    solution: Outputs
    mistakes: tuple[Mistake, ...]
    hint: str

    @property
    def function(self) -> str:
        """The name of the function a reader writes."""
        return self.solution.__name__

    def stub(self) -> str:
        """The function the reader fills in: the solution's signature and docstring, no body."""
        signature = inspect.signature(self.solution)
        doc = inspect.getdoc(self.solution) or ""
        # Each line wrapped to fit a page's code column (about 80 characters), never inside a
        # parenthesis such as a shape "(C, K)": its spaces are non-breaking while wrapping.
        def keep(match: re.Match) -> str:
            return match[0].replace(" ", "\u00a0")
        lines = [textwrap.fill(re.sub(r"\([^()]*\)", keep, ln), 74, subsequent_indent="    " if ln else "")
                 .replace("\u00a0", " ") for ln in doc.splitlines()]
        body = "\n".join(("    " + ln).rstrip() for ln in "\n".join(lines).splitlines())
        return (f"def {self.function}{signature}:\n    \"\"\"{body.strip()}\n    \"\"\"\n"
                f"    raise NotImplementedError  # your code here\n")


def register(exercise: Exercise) -> Exercise:
    """Add an exercise to the registry under its page id (once per page)."""
    validate.instance("exercise", exercise, Exercise)
    if exercise.page in _REGISTRY and _REGISTRY[exercise.page] is not exercise:
        raise ValueError(f"an exercise for page {exercise.page!r} is already registered")
    _REGISTRY[exercise.page] = exercise
    return exercise


def get(page: object) -> Exercise:
    """The exercise of a page id, e.g. ``"backprop/mlp"``.

    Raises:
        TypeError: ``page`` is not a str.
        ValueError: no exercise has that page id (the message lists those that exist).
    """
    _load_chapters()
    validate.instance("page", page, str)
    page = page.strip().strip("/").removesuffix(".md")
    if page not in _REGISTRY:
        raise ValueError(f"page must be one of the pages with an exercise ({', '.join(sorted(_REGISTRY))}); "
                         f"got {page!r}")
    return _REGISTRY[page]


def all_exercises() -> list[Exercise]:
    """Every registered exercise, sorted by page id."""
    _load_chapters()
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]


def _load_chapters() -> None:
    # Imported on first use, not at ``import dlref.exercises``: the chapter modules build their
    # catalogues when imported, and nothing should run before an exercise is asked for.
    from dlref.exercises import attention, backprop, cnn, foundations, gan, regularization, sequence  # noqa: F401


def gradients(loss: Callable[..., torch.Tensor], args: Mapping[str, object], keys: list[str]) -> dict[str, torch.Tensor]:
    """The truth: autograd's gradients of ``loss(**args)`` with respect to ``args[k]`` for k in keys."""
    leaves = {k: (v.detach().clone().requires_grad_(k in keys) if isinstance(v, torch.Tensor) else v)
              for k, v in args.items()}
    value = loss(**leaves)
    grads = torch.autograd.grad(value, [leaves[k] for k in keys])
    return dict(zip(keys, grads))


def randn(gen: torch.Generator, *shape: int) -> torch.Tensor:
    """Standard normal float64 values drawn from ``gen``."""
    return torch.randn(shape, generator=gen, dtype=torch.float64)


def one_hot(gen: torch.Generator, B: int, C: int) -> torch.Tensor:
    """``B`` random one-hot rows of length ``C`` (float64)."""
    return torch.nn.functional.one_hot(torch.randint(0, C, (B,), generator=gen), C).to(torch.float64)
