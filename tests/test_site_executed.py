"""The build executed every block the pages hold (a build that skipped plugins would still "succeed").

MkDocs' successors may ignore unknown plugins silently; so could a misconfigured mkdocs.yml. Then
pages would show code without output and nothing else would fail. This compares the executable
fences in docs/ with what the dlref plugin recorded in build-report.json, page by page.
"""

from __future__ import annotations

import json
import re
from collections import Counter

from conftest import ROOT

FENCE = re.compile(r'^\s*```+\s*python\b[^\n]*\bexec="(?:1|true|on)"', re.M)


def test_every_executable_block_and_notebook_ran(site_dir):
    docs = ROOT / "docs"
    expected = Counter()
    for page in docs.rglob("*.md"):
        text = page.read_text(encoding="utf-8")
        text = re.sub(r"^(````+)[^\n]*\n.*?^\1\s*$", "", text, flags=re.M | re.S)  # examples shown inside 4-backtick fences
        n = len(FENCE.findall(text))
        if n:
            expected[page.relative_to(docs).as_posix()] = n
    for notebook in docs.rglob("*.nb.py"):
        expected[notebook.relative_to(docs).as_posix()] = 1
    report = json.loads((site_dir / "build-report.json").read_text(encoding="utf-8"))
    recorded = Counter(r["page"] for r in report["snippets"])
    assert expected, "found no executable blocks in docs/"
    missing = {p: (n, recorded.get(p, 0)) for p, n in expected.items() if recorded.get(p, 0) < n}
    assert not missing, f"pages whose blocks did not all run (expected, recorded): {missing}"
