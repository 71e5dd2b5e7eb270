"""`make serve` renders only changed pages (--dirty); the hook adds pages whose inputs changed."""

from __future__ import annotations

import os
import re
from pathlib import Path
from types import SimpleNamespace

from dlref._site import dirty

ROOT = Path(__file__).resolve().parents[1]


class _Files:
    def __init__(self, pages):
        self.pages = pages

    def documentation_pages(self):
        return self.pages


def _page(root: Path, name: str, text: str, built_at: float):
    src = root / "docs" / name
    src.parent.mkdir(parents=True, exist_ok=True)
    src.write_text(text, encoding="utf-8")
    dest = root / "site" / name.replace(".md", ".html")
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text("built", encoding="utf-8")
    os.utime(src, (built_at - 10, built_at - 10))
    os.utime(dest, (built_at, built_at))
    return SimpleNamespace(src_uri=name, abs_src_path=str(src), abs_dest_path=str(dest))


def test_a_page_is_stale_when_its_snippet_or_the_package_is_newer(tmp_path):
    t = 1_000_000.0
    for rel, when in (("snippets/a.py", t - 100), ("snippets/b.py", t + 100), ("dlref/x.py", t - 100), ("results/r.json", t - 100)):
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x", encoding="utf-8")
        os.utime(p, (when, when))
    fence = '```python exec="1" source="above" result="text"\n--8<-- "snippets/{}"\n```\n'
    old = _page(tmp_path, "old.md", fence.format("a.py"), t)
    edited_snippet = _page(tmp_path, "new.md", fence.format("b.py"), t)
    prose = _page(tmp_path, "prose.md", "# Prose\n", t)
    assert dirty.stale_pages(_Files([old, edited_snippet, prose]), tmp_path) == [edited_snippet]

    package = tmp_path / "dlref" / "x.py"
    os.utime(package, (t + 50, t + 50))  # the package changed: every executed page, not prose
    assert dirty.stale_pages(_Files([old, edited_snippet, prose]), tmp_path) == [old, edited_snippet]


def test_the_hook_is_listed_and_make_serve_is_dirty():
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"^hooks:\s*\n\s+- dlref/_site/dirty\.py", config, flags=re.M)
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "mkdocs serve $(if $(filter 1,$(FULL)),,--dirty)" in makefile
