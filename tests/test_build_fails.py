"""A snippet that raises, or whose assertion fails, fails the strict site build.

Each case builds a one-page copy of the site (same mkdocs.yml, minus the nav) in a
temporary directory, so the real site and its cache are untouched.
"""

from __future__ import annotations

import pytest
from _sitecopy import build, exec_page, make_project


def test_good_snippet_builds(tmp_path):
    project = make_project(tmp_path, {"index.md": exec_page("demo/case.py")}, {"demo/case.py": 'print("fine")\n'})
    proc = build(project)
    assert proc.returncode == 0, proc.stderr[-3000:]
    html = (project / "site" / "index.html").read_text(encoding="utf-8")
    assert "fine" in html and "dlref-provenance" in html


@pytest.mark.parametrize(
    "snippet, message",
    [
        ('raise RuntimeError("deliberately broken snippet")\n', "deliberately broken snippet"),
        ("x = 1 + 1\nassert x == 3, 'deliberately failing assertion'\n", "deliberately failing assertion"),
        (
            "import torch\nfrom dlref import check\n"
            "check.compare('wrong gradient', torch.ones(3, dtype=torch.float64), torch.zeros(3, dtype=torch.float64))\n",
            "wrong gradient",
        ),
    ],
    ids=["raises", "assertion", "failed-gradient-check"],
)
def test_broken_snippet_fails_the_build(tmp_path, snippet, message):
    project = make_project(tmp_path, {"index.md": exec_page("demo/case.py")}, {"demo/case.py": snippet})
    proc = build(project)
    assert proc.returncode != 0, "a broken snippet must fail `mkdocs build --strict`"
    assert message in proc.stderr + proc.stdout


def test_missing_snippet_file_fails_the_build(tmp_path):
    project = make_project(tmp_path, {"index.md": exec_page("demo/absent.py")}, {})
    proc = build(project)
    assert proc.returncode != 0
    assert "absent.py" in proc.stderr + proc.stdout
