"""Every Python code block in docs/ is tested: by pytest-codeblocks or as a snippet file.

pytest-codeblocks collects only plain ```python fences; a fence with attributes such as
``exec="1"`` is silently skipped by it. Such a fence must therefore consist only of
``--8<--`` includes of files under snippets/, which tests/test_snippets.py runs.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<ticks>`{3,}|~{3,})[ \t]*(?P<info>[^\n]*)$", re.M)
INCLUDE = re.compile(r'^\s*--8<--\s+"(?P<path>[^"]+)"\s*$')


def python_blocks(text: str):
    """Yield (info string, body, line number) for each top-level ```python… fence."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        ticks, info, start = m["ticks"], m["info"].strip(), i
        j = i + 1
        while j < len(lines) and not re.match(rf"^[ \t]*{re.escape(ticks[0]) * len(ticks)}[ \t]*$", lines[j]):
            j += 1
        lang = re.split(r"[\s{]", info, maxsplit=1)[0].lower() if info else ""
        if lang in ("python", "py", "python3"):
            yield info, "\n".join(lines[start + 1 : j]), start + 1
        i = j + 1


def classify(info: str, body: str) -> str:
    if info.lower() in ("python", "py"):
        return "codeblocks"
    if 'exec="1"' in info or "exec='1'" in info or 'exec="true"' in info:
        lines = [ln for ln in body.splitlines() if ln.strip()]
        if lines and all(INCLUDE.match(ln) for ln in lines):
            return "snippet"
        return "uncovered: executed inline code (move it into a snippet file)"
    return f"uncovered: fence attributes {info!r} hide it from pytest-codeblocks"


def test_every_python_block_is_covered():
    problems, snippet_refs = [], 0
    for md in sorted((ROOT / "docs").rglob("*.md")):
        # Fences shown as examples inside a four-backtick fence are documentation, not code.
        text = re.sub(r"^````.*?^````", "", md.read_text(encoding="utf-8"), flags=re.S | re.M)
        for info, body, line in python_blocks(text):
            kind = classify(info, body)
            where = f"{md.relative_to(ROOT)}:{line}"
            if kind.startswith("uncovered"):
                problems.append(f"{where}: {kind}")
            elif kind == "snippet":
                for ln in body.splitlines():
                    m = INCLUDE.match(ln)
                    if m:
                        snippet_refs += 1
                        path = ROOT / m["path"]
                        if not (path.is_file() and path.is_relative_to(ROOT / "snippets") and path.suffix == ".py"):
                            problems.append(f"{where}: includes {m['path']}, which is not a .py file under snippets/")
    assert not problems, "\n".join(problems)
    assert snippet_refs > 0


def test_classify_rejects_hidden_blocks():
    assert classify("python", "print(1)") == "codeblocks"
    assert classify('python exec="1"', '--8<-- "snippets/a.py"') == "snippet"
    assert classify('python exec="1"', "print(1)").startswith("uncovered")
    assert classify('python title="x"', "print(1)").startswith("uncovered")


def test_codeblocks_collects_the_plain_blocks():
    """pytest-codeblocks must collect exactly the plain ```python blocks we count."""
    expected = 0
    for md in (ROOT / "docs").rglob("*.md"):
        text = re.sub(r"^````.*?^````", "", md.read_text(encoding="utf-8"), flags=re.S | re.M)
        expected += sum(1 for info, body, _ in python_blocks(text) if classify(info, body) == "codeblocks")
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--codeblocks", "--collect-only", "-q", "-p", "no:cacheprovider", "docs"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    collected = sum(1 for ln in proc.stdout.splitlines() if ln.startswith("docs/") and "::" in ln)
    assert collected == expected, proc.stdout[-2000:]
