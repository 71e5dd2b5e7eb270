"""The lab finds the checkout it runs from: the results store and the repository's tools.

The lab modules sit one or two folders deeper than the package root (``dlref/lab/results.py``,
``dlref/lab/benchmarks/__init__.py``); a path counted from the wrong level silently sends stored
results to ``~/.cache`` and makes the site's snippets miss every committed record.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dlref.lab import benchmarks, results

ROOT = Path(__file__).resolve().parents[1]


def test_results_root_is_the_checkouts_results_folder(monkeypatch):
    monkeypatch.delenv("DLREF_RESULTS", raising=False)
    assert results.results_root() == ROOT / "results"
    assert (results.results_root() / "train-bench-cpu" / "result.json").is_file()


def test_results_root_honours_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DLREF_RESULTS", os.fspath(tmp_path))
    assert results.results_root() == tmp_path


@pytest.mark.parametrize("name", benchmarks.REPOSITORY_NAMES)
def test_repository_tools_load_from_the_checkout(name):
    module = benchmarks.load(name)
    assert Path(module.__file__).resolve() == ROOT / "benchmarks" / f"{name}.py"
