"""dlref.exercises: every exercise's solution passes, every catalogued mistake is diagnosed as
itself and nothing fires on a right answer; bad submissions get clear messages; the CLI; the pages."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
import torch
from markdown.extensions.toc import slugify

import dlref.exercises as E
from dlref.lab import cli
from dlref.exercises import checker, registry

ROOT = Path(__file__).resolve().parents[1]
PAGES = [page for page, _, _ in E.list_exercises()]


def test_at_least_twenty_pages_across_the_chapters():
    assert len(PAGES) >= 20, PAGES
    chapters = {p.split("/")[0] for p in PAGES}
    assert {"foundations", "backprop", "cnn", "attention", "sequence", "regularization", "gan"} <= chapters
    assert all(len(E.get(p).mistakes) >= 2 for p in PAGES)


@pytest.mark.parametrize("page", PAGES)
def test_catalogue_is_sound(page):
    """The solution passes; each mistake's code fails and is diagnosed as itself, on its wrong outputs only."""
    summary = E.verify_catalogue(page)
    assert len(summary.lines) == 1 + len(E.get(page).mistakes)


@pytest.mark.parametrize("page", PAGES)
def test_truth_passes_and_no_diagnosis_fires_on_it(page):
    exercise = E.get(page)
    report = E.check(page, exercise.truth, quiet=True)
    assert report.passed and not report.diagnoses and report.problem is None
    # A mistake's wrong outputs really differ from the truth on these inputs (the shapes show slips).
    args = list(exercise.inputs(torch.Generator().manual_seed(0)).values())
    tensors = [a for a in args if isinstance(a, torch.Tensor) and a.is_floating_point()]
    assert all(t.dtype == torch.float64 for t in tensors)


@pytest.mark.parametrize("page", PAGES)
def test_page_has_the_exercise_and_every_anchor_exists(page):
    text = (ROOT / "docs" / f"{page}.md").read_text(encoding="utf-8")
    assert "Common mistake" in text
    base = page.replace("/", "_").replace("-", "_")
    assert "\n## Exercise\n" in text
    assert f'--8<-- "snippets/exercises/{base}_stub.py"' in text
    assert f'    --8<-- "snippets/exercises/{base}_solution.py"' in text  # inside the collapsed solution
    slugs = {slugify(h, "-") for h in re.findall(r"^#{2,3} (.+)$", text, flags=re.M)}
    for mistake in E.get(page).mistakes:
        assert mistake.anchor in slugs, f"{page}: {mistake.name} links #{mistake.anchor}, not a heading of the page"
    solution = (ROOT / "snippets" / "exercises" / f"{base}_solution.py").read_text(encoding="utf-8")
    assert f'check("{page}", {E.get(page).function})' in solution and "verify_catalogue" in solution


def test_link_uses_the_site_url(monkeypatch):
    monkeypatch.delenv("DLREF_REPOSITORY", raising=False)
    assert checker.link("backprop/mlp", "common-mistakes") == "https://dlref.github.io/dlref/backprop/mlp/#common-mistakes"
    monkeypatch.setenv("DLREF_REPOSITORY", "https://github.com/someone/notes")
    assert checker.link("backprop/mlp", "x").startswith("https://someone.github.io/notes/backprop/mlp/")
    monkeypatch.setenv("DLREF_REPOSITORY", "not a url")
    assert checker.link("backprop/mlp", "x") == "backprop/mlp/#x"
    with pytest.raises(TypeError, match="anchor must be a str"):
        checker.link("backprop/mlp", 3)


def _mlp(**change):
    def mlp_gradients(x, y, W, b1, V, b2):
        out = E.get("backprop/mlp").solution(x, y, W, b1, V, b2)
        out.update({k: f(out) for k, f in change.items()})
        return out
    return mlp_gradients


def test_a_known_mistake_is_named_with_its_link(capsys):
    wrong = E.get("backprop/mlp").mistakes[0]
    report = E.check("backprop/mlp", wrong.fn)
    printed = capsys.readouterr().out
    assert not report.passed
    assert set(report.diagnoses) == {"W", "b1", "x"} and set(report.diagnoses.values()) == {wrong.name}
    assert "✓ V" in printed and "✗ W: matches a known mistake" in printed
    assert "backprop/mlp/#common-mistakes" in printed


@pytest.mark.parametrize("change, expected", [
    (dict(W=lambda o: o["W"] + 1e-3), r"first wrong element is W\[0, 0\]: expected .*, got .*Hint:"),
    (dict(V=lambda o: o["V"].T), r"has shape \(6, 3\); expected \(3, 6\) \(it is the transpose"),
    (dict(b2=lambda o: -o["b2"]), r"opposite sign"),
    (dict(x=lambda o: 3 * o["x"]), r"Every element is 3 × the right one"),
    (dict(W=lambda o: o["W"] * float("nan")), r"contains nan at index \[0, 0\]; expected finite values"),
    (dict(b1=lambda o: "gradient"), r"is a str .*expected a tensor of shape \(6,\)"),
    (dict(b1=lambda o: o["b1"].tolist()), None),  # a list of numbers is accepted
])
def test_unrecognised_wrong_answers_say_where(change, expected):
    report = E.check("backprop/mlp", _mlp(**change), quiet=True)
    if expected is None:
        assert report.passed
        return
    key = next(iter(change))
    (result,) = [o for o in report.outputs if o.key == key]
    assert not result.correct and result.mistake is None
    assert re.search(expected, result.message), result.message
    assert all(o.correct for o in report.outputs if o.key != key)


def _raises(x, y, W, b1, V, b2):
    return {"W": W @ x}  # (K, D) @ (B, D): a shape error inside torch


@pytest.mark.parametrize("fn, expected", [
    (_raises, r"mlp_gradients raised RuntimeError: .*\(at test_exercises.py, line \d+: return \{\"W\": W @ x\}"),
    (lambda *a: [1, 2], r"returned a list .*expected a dict with keys 'W', 'b1', 'V', 'b2', 'x'"),
    (lambda *a: None, r"returned a NoneType .*expected a dict"),
    (lambda *a: {"W": a[2]}, r"without the key\(s\) 'b1', 'V', 'b2', 'x'"),
    (lambda x: {}, r"raised TypeError: .*takes 1 positional argument"),
])
def test_bad_submissions_get_clear_messages(fn, expected):
    if fn is _raises:
        fn.__name__ = "mlp_gradients"
    report = E.check("backprop/mlp", fn, quiet=True)
    assert not report.passed and report.outputs == ()
    assert re.search(expected, report.problem), report.problem
    assert "Traceback" not in str(report)


def test_not_implemented_is_reported_not_raised(capsys):
    exec_ns: dict = {}
    exec(E.get("backprop/mlp").stub(), exec_ns)  # the stub the page shows
    report = E.check("backprop/mlp", exec_ns["mlp_gradients"])
    assert not report.passed and "not implemented yet" in capsys.readouterr().out


def test_bad_arguments():
    with pytest.raises(ValueError, match="page must be one of .*backprop/mlp.*got 'nope'"):
        E.check("nope", lambda: None)
    with pytest.raises(TypeError, match="page"):
        E.check(3, lambda: None)
    with pytest.raises(TypeError, match="fn"):
        E.check("backprop/mlp", "mlp_gradients")
    with pytest.raises(TypeError, match="quiet"):
        E.check("backprop/mlp", _mlp(), quiet="yes")
    assert E.get("backprop/mlp.md") is E.get("/backprop/mlp")


def test_an_unsound_catalogue_is_caught(monkeypatch):
    """verify_catalogue can fail: a 'mistake' equal to the solution, and two indistinguishable mistakes."""
    exercise = E.get("backprop/mlp")
    same = E.Mistake("no mistake at all", "common-mistakes", exercise.solution, "")
    twin = replace(exercise.mistakes[0], name="a copy of the first")
    monkeypatch.setitem(registry._REGISTRY, "backprop/mlp", replace(exercise, mistakes=(*exercise.mistakes, same)))
    with pytest.raises(AssertionError, match="no mistake at all: not detected as wrong"):
        E.verify_catalogue("backprop/mlp")
    monkeypatch.setitem(registry._REGISTRY, "backprop/mlp", replace(exercise, mistakes=(*exercise.mistakes, twin)))
    with pytest.raises(AssertionError, match="a copy of the first: outputs .* are wrong but only \\[\\] are diagnosed"):
        E.verify_catalogue("backprop/mlp")
    def mlp_gradients(*args):
        return exercise.mistakes[1].fn(*args)
    monkeypatch.setitem(registry._REGISTRY, "backprop/mlp", replace(exercise, solution=mlp_gradients))
    with pytest.raises(AssertionError, match="the reference solution does not pass"):
        E.verify_catalogue("backprop/mlp")


# ---------------------------------------------------------------- command line


def _file(tmp_path, text, name="answer.py"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_cli_list(capsys):
    assert cli.main(["exercises", "list"]) == 0
    out = capsys.readouterr().out
    assert all(page in out for page in PAGES) and "mlp_gradients" in out


def test_cli_check_paths(tmp_path, capsys):
    solution = (ROOT / "snippets/exercises/backprop_mlp_solution.py").read_text(encoding="utf-8")
    assert cli.main(["exercises", "check", "backprop/mlp", _file(tmp_path, solution)]) == 0
    assert "passed: every output is right" in capsys.readouterr().out
    wrong = solution.replace("U1 = (U2 @ V) * (Z > 0)", "U1 = U2 @ V").split("report =")[0]
    assert cli.main(["exercises", "check", "backprop/mlp", _file(tmp_path, wrong)]) == 1
    assert "matches a known mistake, the ReLU mask missing in U₁" in capsys.readouterr().out
    assert cli.main(["exercises", "check", "backprop/nope", _file(tmp_path, wrong)]) == 2
    assert "page must be one of" in capsys.readouterr().err
    assert cli.main(["exercises", "check", "backprop/mlp", str(tmp_path / "missing.py")]) == 2
    assert "is not a file" in capsys.readouterr().err
    assert cli.main(["exercises", "check", "backprop/two-layer", _file(tmp_path, wrong)]) == 1
    assert "does not define a function two_layer_gradients" in capsys.readouterr().err
    assert cli.main(["exercises", "check", "backprop/mlp", _file(tmp_path, "def mlp_gradients(:\n")]) == 1
    assert "could not be run: SyntaxError" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        cli.main(["exercises", "check", "backprop/mlp"])
    assert exit_.value.code == 2


# ---------------------------------------------------------------- boundaries and downloads


def test_reference_code_does_not_import_the_exercises():
    for path in (ROOT / "dlref").rglob("*.py"):
        if "exercises" in path.parts or path.name == "cli.py":
            continue
        assert "dlref.exercises" not in path.read_text(encoding="utf-8"), path


def test_the_page_notebook_holds_the_exercise_cells():
    from dlref._site.downloads import page_notebook

    md = (ROOT / "docs/backprop/mlp.md").read_text(encoding="utf-8")
    nb = page_notebook(md, ROOT, "backprop/mlp.md", "intro", lambda src: "https://example.org/" + src)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    stub = [c for c in code if "raise NotImplementedError" in c]
    assert len(stub) == 1 and 'dlref.exercises.check("backprop/mlp", mlp_gradients)' in stub[0]
    assert any("verify_catalogue" in c for c in code)
