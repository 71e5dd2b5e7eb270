"""Every snippet file runs standalone, exactly as a reader would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SNIPPETS = sorted((ROOT / "snippets").rglob("*.py"))


def test_there_are_snippets():
    assert SNIPPETS, "no snippet files found under snippets/"


@pytest.mark.parametrize("path", SNIPPETS, ids=[p.relative_to(ROOT).as_posix() for p in SNIPPETS])
def test_snippet_runs_standalone(path: Path, tmp_path: Path):
    # Run from an empty directory so a snippet cannot lean on the repository's working dir.
    env = {**os.environ, "DLREF_FIG_DIR": str(tmp_path), "MPLBACKEND": "Agg"}
    env.pop("DLREF_DOCS_BUILD", None)
    proc = subprocess.run([sys.executable, str(path)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"{path.relative_to(ROOT)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    assert proc.stdout.strip(), f"{path.relative_to(ROOT)} printed nothing: a page block must show evidence"
