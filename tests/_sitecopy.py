"""Build a small copy of the site (same mkdocs.yml, own pages and snippets) in a temp dir."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def make_project(tmp_path: Path, pages: dict[str, str], snippets: dict[str, str]) -> Path:
    """Write mkdocs.yml (nav removed), the given pages and snippet files under ``tmp_path``."""
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    # The copy has its own pages and no dlref/ or results/ beside it: drop nav, watch and the
    # hooks (paths relative to the repository, for `mkdocs serve`).
    config = re.sub(r"^(?:nav|watch|hooks):\n(?:[ \t]+.*\n?|\n)*", "", config, flags=re.M)
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")
    docs = tmp_path / "docs"
    for asset in ("javascripts", "stylesheets"):
        if not (docs / asset).exists():
            shutil.copytree(ROOT / "docs" / asset, docs / asset)
    if (ROOT / "overrides").is_dir() and not (tmp_path / "overrides").exists():  # theme.custom_dir
        shutil.copytree(ROOT / "overrides", tmp_path / "overrides")
    for name, text in pages.items():
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / name).write_text(text, encoding="utf-8")
    for name, text in snippets.items():
        (tmp_path / "snippets" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "snippets" / name).write_text(text, encoding="utf-8")
    return tmp_path


def exec_page(snippet: str) -> str:
    """A page whose only content is one executed include of ``snippets/<snippet>``."""
    return f'# Page\n\n```python exec="1" source="above" result="text"\n--8<-- "snippets/{snippet}"\n```\n'


# Settings of the caller's own builds that must not leak into the copy's (its caches live in it).
_OWN = ("DLREF_EXEC_CACHE", "DLREF_JUPYTER_CACHE", "DLREF_FRESH", "DLREF_REPOSITORY")


def _env(env: dict[str, str]) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in _OWN}
    return {**base, "NO_MKDOCS_2_WARNING": "1", "DLREF_PROFILE": "quick", **env}


def build(project: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=project, env=_env(env),
        capture_output=True, text=True, timeout=300,
    )


def start_build(project: Path, **env: str) -> subprocess.Popen:
    """Like :func:`build`, in the background (for builds that run at the same time)."""
    return subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=project, env=_env(env),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def report(project: Path) -> dict:
    return json.loads((project / "site" / "build-report.json").read_text(encoding="utf-8"))
