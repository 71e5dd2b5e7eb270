"""MkDocs hook for ``mkdocs serve --dirty`` (``make serve``): re-render the pages an edit affects.

A dirty build re-renders only the pages whose Markdown file is newer than its built HTML. An
executed page also depends on files that are not its Markdown: the snippets it includes with
``--8<--``, and — through the execution cache's key — the ``dlref`` package and the results
store. This hook marks such a page as modified when one of those is newer than the page's
built HTML, so editing a snippet re-runs its block and shows the new output, as a full
rebuild would. In a normal (not dirty) build it does nothing.

Listed in ``mkdocs.yml`` under ``hooks:``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

_INCLUDE = re.compile(r'^\s*-{2,}8<-{2,}\s*"([^"]+)"', re.M)
_EXECUTED = re.compile(r'exec="(?:1|true|on)"')
_state = {"dirty": False}


def on_startup(command: str, dirty: bool, **kwargs: Any) -> None:
    _state["dirty"] = dirty


def _newest(root: Path) -> float:
    """The latest modification time of a file under ``root`` (0 when there is none)."""
    if not root.is_dir():
        return 0.0
    return max((p.stat().st_mtime for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts), default=0.0)


def stale_pages(files: Any, root: Path) -> list[Any]:
    """The documentation pages whose built HTML is older than a file they include or execute against."""
    package, results = _newest(root / "dlref"), _newest(root / "results")
    stale = []
    for file in files.documentation_pages():
        dest = Path(file.abs_dest_path)
        if not dest.exists() or not file.abs_src_path or not file.src_uri.endswith(".md"):
            continue  # not built yet (mkdocs renders it anyway) or a notebook (its own file is its source)
        built = dest.stat().st_mtime
        text = Path(file.abs_src_path).read_text(encoding="utf-8")
        includes = [root / name.split(":")[0] for name in _INCLUDE.findall(text)]
        newer = any(p.exists() and p.stat().st_mtime > built for p in includes)
        if newer or (_EXECUTED.search(text) and max(package, results) > built):
            stale.append(file)
    return stale


def on_files(files: Any, config: Any, **kwargs: Any) -> Any:
    if not _state["dirty"]:
        return files
    root = Path(config["config_file_path"]).parent
    for file in stale_pages(files, root):
        file.is_modified = lambda: True  # this File object only: mkdocs asks it before rendering
    return files
