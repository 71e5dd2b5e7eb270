"""Admonition titles render as written: Python-Markdown does not unescape \\" inside a title."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TITLE = re.compile(r'^\s*(?:!!!|\?\?\?\+?) ?[\w-]+(?: +[\w-]+)* +"(?P<title>.*)"\s*$')


def test_no_backslash_quotes_in_admonition_titles():
    bad = []
    for page in sorted((ROOT / "docs").rglob("*.md")):
        for n, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            m = TITLE.match(line)
            if m and '\\"' in m["title"]:
                bad.append(f"{page.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not bad, "a literal \\\" would show in these titles; use “…” quotes:\n" + "\n".join(bad)
