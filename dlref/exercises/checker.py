"""Check a reader's solution: run it on random float64 inputs, compare with autograd, diagnose.

The reader's function runs on ``TRIALS`` seeded random inputs. Each output is compared with
the truth (autograd) at float64 tolerances. A wrong output is compared with the outputs of every
catalogued [`Mistake`][dlref.exercises.registry.Mistake] on the same inputs: when it matches one on
every trial (and that mistake really differs from the truth there), the report names it and links
the page's box. Otherwise it says where the first discrepancy is, and gives the exercise's hint.

A submission that raises, returns something other than a dict, misses a key, or returns a
non-numeric or non-finite value gets a one-paragraph message naming what was expected; nothing
is raised from inside dlref.
"""

from __future__ import annotations

import os
import re
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import torch

from dlref import validate
from dlref.exercises.registry import Exercise, Mistake, all_exercises, get

TRIALS = 3
RTOL, ATOL = 1e-7, 1e-9
DEFAULT_REPOSITORY = "https://github.com/dlref/dlref"
_PACKAGE = Path(__file__).resolve().parents[1]
_TORCH = Path(torch.__file__).resolve().parent


def site_base() -> str:
    """The site's base URL, derived from ``DLREF_REPOSITORY`` as the site build derives it."""
    repository = os.environ.get("DLREF_REPOSITORY", DEFAULT_REPOSITORY).strip()
    match = re.fullmatch(r"https://github\.com/([\w.-]+)/([\w.-]+?)(?:\.git)?/?", repository)
    if not match:
        return ""  # no site configured: links stay relative page paths
    return f"https://{match[1]}.github.io/{match[2]}/"


def link(page: str, anchor: str) -> str:
    """The URL of a page's section, e.g. ``https://dlref.github.io/dlref/backprop/mlp/#common-mistakes``."""
    validate.instance("page", page, str)
    validate.instance("anchor", anchor, str)
    return f"{site_base()}{page}/#{anchor}"


@dataclass(frozen=True)
class OutputResult:
    """The verdict on one output of the reader's function.

    Attributes:
        key: the output's key, e.g. ``"W"``.
        correct: whether it matched the truth on every trial.
        message: why it is wrong (empty when correct).
        mistake: the catalogued mistake it matches, if any.
        link: the page section that explains that mistake (or the page's common mistakes).
    """

    key: str
    correct: bool
    message: str = ""
    mistake: Mistake | None = None
    link: str = ""


@dataclass(frozen=True)
class Report:
    """What [`check`][dlref.exercises.checker.check] found.

    Attributes:
        page: the page id.
        function: the name the exercise asks for.
        outputs: one [`OutputResult`][dlref.exercises.checker.OutputResult] per output, in order.
        problem: a problem with the submission as a whole (it raised, returned the wrong type,
            missed a key); ``None`` when each output could be judged.
    """

    page: str
    function: str
    outputs: tuple[OutputResult, ...]
    problem: str | None = None

    @property
    def passed(self) -> bool:
        """True when the submission is right on every output and trial."""
        return self.problem is None and all(o.correct for o in self.outputs)

    @property
    def diagnoses(self) -> dict[str, str]:
        """Output key → name of the known mistake it matches (only the diagnosed outputs)."""
        return {o.key: o.mistake.name for o in self.outputs if o.mistake is not None}

    def __str__(self) -> str:
        head = f"{self.page}: {self.function}, checked on {TRIALS} random float64 inputs against autograd / PyTorch"
        lines = [head]
        if self.problem is not None:
            lines.append(f"  ✗ {self.problem}")
        for o in self.outputs:
            if o.correct:
                lines.append(f"  ✓ {o.key}")
                continue
            lines.append(f"  ✗ {o.key}: {o.message}")
            if o.link:
                lines.append(f"      see {o.link}")
        if self.passed:
            lines.append("passed: every output is right")
        elif self.problem is None:
            right = sum(o.correct for o in self.outputs)
            lines.append(f"not yet: {right} of {len(self.outputs)} outputs are right")
        return "\n".join(lines)


class _Failed(Exception):
    """The submission failed as a whole; the message is for the reader."""


def check(page: str, fn: Callable, *, quiet: bool = False) -> Report:
    """Check a reader's function for a page's exercise and print the report.

    Args:
        page: the page id, e.g. ``"backprop/mlp"`` (the path under ``docs/`` without ``.md``).
        fn: the reader's function, with the parameters and outputs the page's stub shows.
        quiet: do not print the report.

    Returns:
        The [`Report`][dlref.exercises.checker.Report]; ``report.passed`` is True when every output
        is right.

    Raises:
        TypeError: ``fn`` is not callable or ``page`` is not a str.
        ValueError: no exercise has that page id.

    Example:
        >>> import dlref.exercises
        >>> def mlp_gradients(x, y, W, b1, V, b2):
        ...     raise NotImplementedError
        >>> dlref.exercises.check("backprop/mlp", mlp_gradients, quiet=True).passed
        False
    """
    exercise = get(page)
    validate.callable_("fn", fn)
    validate.boolean("quiet", quiet)
    report = _check(exercise, fn)
    if not quiet:
        print(report)
    return report


def _check(exercise: Exercise, fn: Callable) -> Report:
    trials, keys = [], None
    name = getattr(fn, "__name__", exercise.function)
    try:
        for seed in range(TRIALS):
            args = list(exercise.inputs(torch.Generator().manual_seed(seed)).values())
            truth = _as_outputs(exercise.truth(*_copy(args)))
            keys = keys or list(truth)
            got = _submitted(fn, name, args, keys)
            trials.append((args, truth, got))
    except _Failed as failure:
        return Report(exercise.page, exercise.function, (), str(failure))
    results = []
    cache: dict[int, list[dict]] = {}
    for key in keys:
        results.append(_judge(exercise, key, trials, cache))
    return Report(exercise.page, exercise.function, tuple(results))


def _copy(args: list) -> list:
    return [a.clone() if isinstance(a, torch.Tensor) else a for a in args]


def _as_outputs(out: Mapping) -> dict[str, torch.Tensor]:
    return {k: torch.as_tensor(v, dtype=torch.float64).detach() for k, v in out.items()}


def _submitted(fn: Callable, name: str, args: list, keys: list[str]) -> dict[str, object]:
    expected = ", ".join(repr(k) for k in keys)
    try:
        out = fn(*_copy(args))
    except NotImplementedError:
        raise _Failed(f"{name} is not implemented yet (it raised NotImplementedError): "
                      f"fill in its body so that it returns a dict with keys {expected}") from None
    except Exception as err:  # the reader's code: report it, never a traceback from inside dlref
        raise _Failed(f"{name} raised {type(err).__name__}: {err}{_where(err)}; "
                      f"it should return a dict with keys {expected}") from None
    if not isinstance(out, Mapping):
        raise _Failed(f"{name} returned {_describe(out)}; expected a dict with keys {expected}, "
                      f"one tensor each")
    missing = [k for k in keys if k not in out]
    if missing:
        raise _Failed(f"{name} returned a dict without the key(s) {', '.join(map(repr, missing))}; "
                      f"expected keys {expected} (it has {', '.join(map(repr, out)) or 'none'})")
    return {k: out[k] for k in keys}


def _where(err: BaseException) -> str:
    """`` (at file.py, line n)``: the last frame of the reader's own code, if any."""
    frames = [f for f in traceback.extract_tb(err.__traceback__)
              if not Path(f.filename).resolve().is_relative_to(_PACKAGE)
              and not Path(f.filename).resolve().is_relative_to(_TORCH)]
    if not frames:
        return ""
    frame = frames[-1]
    code = (frame.line or "").strip()
    return f" (at {Path(frame.filename).name}, line {frame.lineno}{': ' + code if code else ''})"


def _describe(value: object) -> str:
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)}"
    text = repr(value)
    return f"a {type(value).__name__} ({text[:40] + '...' if len(text) > 40 else text})"


def _tensor(value: object) -> torch.Tensor | None:
    try:
        if isinstance(value, torch.Tensor):
            return value.detach().to("cpu", torch.float64)
        if isinstance(value, (str, bytes)):
            return None
        return torch.as_tensor(value, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError):
        return None


def _close(a: torch.Tensor, b: torch.Tensor) -> bool:
    return a.shape == b.shape and bool(torch.allclose(a, b, rtol=RTOL, atol=ATOL))


def _mistake_outputs(exercise: Exercise, trials: list, cache: dict) -> list[list[dict]]:
    """Each mistake's outputs on each trial's inputs (computed once per check)."""
    if not cache:
        for i, mistake in enumerate(exercise.mistakes):
            cache[i] = [_as_outputs(mistake.fn(*_copy(args))) for args, _, _ in trials]
    return [cache[i] for i in range(len(exercise.mistakes))]


def _judge(exercise: Exercise, key: str, trials: list, cache: dict) -> OutputResult:
    values = []
    for _, truth, got in trials:
        value = _tensor(got[key])
        expected = truth[key]
        if value is None:
            return OutputResult(key, False, f"is {_describe(got[key])}; expected a tensor of shape "
                                            f"{tuple(expected.shape)}", None, "")
        bad = ~torch.isfinite(value)
        if bad.any():
            where = tuple(int(i) for i in bad.nonzero()[0]) if value.ndim else ()
            return OutputResult(key, False, f"contains {value[where].item()} at index {list(where)}; "
                                            f"expected finite values (a tensor of shape {tuple(expected.shape)})")
        values.append(value)
    if all(_close(v, t[1][key]) for v, t in zip(values, trials)):
        return OutputResult(key, True)
    for mistake, outs in zip(exercise.mistakes, _mistake_outputs(exercise, trials, cache)):
        matches = all(_close(v, out[key]) for v, out in zip(values, outs))
        differs = any(not _close(out[key], t[1][key]) for out, t in zip(outs, trials))
        if matches and differs:
            return OutputResult(key, False, f"matches a known mistake, {mistake.name}. {mistake.why}",
                                mistake, link(exercise.page, mistake.anchor))
    i = next(i for i, (v, t) in enumerate(zip(values, trials)) if not _close(v, t[1][key]))
    return OutputResult(key, False, _discrepancy(key, values[i], trials[i][1][key], i) + f" Hint: {exercise.hint}",
                        None, link(exercise.page, "common-mistakes"))


def _discrepancy(key: str, got: torch.Tensor, expected: torch.Tensor, trial: int) -> str:
    """Where a wrong output first differs, and a pattern when there is one."""
    if got.shape != expected.shape:
        text = f"has shape {tuple(got.shape)}; expected {tuple(expected.shape)}"
        if got.ndim == 2 and got.T.shape == expected.shape and _close(got.T, expected):
            text += " (it is the transpose of the right answer)"
        return text + " — a gradient has the shape of its variable."
    if _close(-got, expected):
        return "has the opposite sign of the right answer everywhere."
    wrong = ~torch.isclose(got, expected, rtol=RTOL, atol=ATOL)
    where = tuple(int(i) for i in wrong.nonzero()[0]) if got.ndim else ()
    text = (f"wrong on random input {trial + 1}; the first wrong element is {key}{list(where)}: "
            f"expected {expected[where].item():.6g}, got {got[where].item():.6g}.")
    nonzero = expected.abs() > ATOL
    if nonzero.any():
        ratio = got[nonzero] / expected[nonzero]
        if torch.allclose(ratio, ratio[0].expand_as(ratio), rtol=1e-6) and (got[~nonzero].abs() <= ATOL).all():
            text += f" Every element is {ratio[0].item():.6g} × the right one."
    return text


@dataclass(frozen=True)
class CatalogueReport:
    """The result of [`verify_catalogue`][dlref.exercises.checker.verify_catalogue]."""

    page: str
    lines: tuple[str, ...]

    def __str__(self) -> str:
        return "\n".join(self.lines)


def verify_catalogue(page: str) -> CatalogueReport:
    """Check a page's exercise itself: the solution passes, each mistake is diagnosed as itself.

    For every catalogued mistake, the mistake's own code is submitted: it must fail, every output
    it gets wrong must be diagnosed as exactly that mistake, and every output it gets right must
    be reported right. The reference solution must pass with no diagnosis.

    Raises:
        AssertionError: listing every way the catalogue falls short.
    """
    exercise = get(page)
    problems, lines = [], []
    solution = _check(exercise, exercise.solution)
    if not solution.passed or solution.diagnoses:
        problems.append(f"the reference solution does not pass:\n{solution}")
    for mistake in exercise.mistakes:
        report = _check(exercise, mistake.fn)
        wrong = [o.key for o in report.outputs if not o.correct]
        named = [o.key for o in report.outputs if o.mistake is mistake]
        if report.passed or report.problem or not wrong:
            problems.append(f"{mistake.name}: not detected as wrong\n{report}")
        elif named != wrong:
            problems.append(f"{mistake.name}: outputs {wrong} are wrong but only {named} are diagnosed as it\n{report}")
        else:
            lines.append(f"  ✓ {mistake.name} → diagnosed on {', '.join(wrong)}")
    if problems:
        raise AssertionError(f"{page}: the exercise's catalogue is not sound:\n" + "\n".join(problems))
    head = (f"{page}: the reference solution passes, and each of the {len(exercise.mistakes)} catalogued "
            f"mistakes is diagnosed as itself:")
    return CatalogueReport(page, (head, *lines))


def list_exercises() -> list[tuple[str, str, int]]:
    """Every exercise as ``(page, function name, number of catalogued mistakes)``, sorted by page."""
    return [(e.page, e.function, len(e.mistakes)) for e in all_exercises()]
