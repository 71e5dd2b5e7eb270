"""`make docs` is a no-op when no input of the site changed; an input change or FRESH=1 rebuilds.

Runs ``make -n`` (prints what would run, runs nothing) against a stamp in a temporary site
directory, so it is fast and touches nothing in the working tree.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _make_n(tmp: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("FRESH", "DLREF_FRESH", "MAKEFLAGS")}
    env["DLREF_DATA"] = str(tmp / "data")
    proc = subprocess.run(
        ["make", "-n", "--no-print-directory", "-o", ".venv/.dlref-installed", "docs",
         f"SITE={tmp / 'site'}", f"BUILD_CACHE={tmp / 'cache'}", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_make_docs_rebuilds_only_when_needed(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / ".dlref-fetched-fashion-mnist").touch()
    (tmp_path / "site").mkdir()
    stamp = tmp_path / "site" / ".dlref-built"

    assert "mkdocs build" in _make_n(tmp_path), "no site yet: make docs must build"
    _make_n(tmp_path)  # writes the build-env file, as the real first build would
    stamp.touch()
    future = stamp.stat().st_mtime + 3600
    os.utime(stamp, (future, future))  # built after every input
    assert "mkdocs build" not in _make_n(tmp_path), "nothing changed: make docs must not build"
    assert "mkdocs build" in _make_n(tmp_path, "FRESH=1"), "FRESH=1 must always build"

    newest = max(p.stat().st_mtime for p in (ROOT / "docs").rglob("*.md"))
    os.utime(stamp, (newest - 1, newest - 1))  # an input is newer than the last build
    assert "mkdocs build" in _make_n(tmp_path), "a changed input must rebuild"

    os.utime(stamp, (future, future))
    assert "mkdocs build" in _make_n(tmp_path, "DLREF_PROFILE=full"), "another profile must rebuild"
    assert not stamp.exists(), "a changed build environment removes the stamp"
