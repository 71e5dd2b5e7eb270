"""The Verification ledger credits every check once, to the page and block that made it.

A small project (two Markdown pages with checks, a page without, a notebook with one check) is
built fresh, then from the caches, then fresh again: the three ledgers must be the same list,
and no check may land on a notebook that did not make it (the shared check log once credited
the checks of every Markdown page read before a notebook to that notebook).
"""

from __future__ import annotations

import re

from _sitecopy import build, make_project, report, start_build

CUBE = (
    "import torch\nfrom dlref import check\n"
    "x = torch.tensor([1.0, -2.0], dtype=torch.float64)\n"
    "check.check_gradients(lambda x: (x ** 3).sum(), {'x': x}, {'x': 3 * x ** 2}, labels={'x': 'cube'})\n"
)
SQUARE = (
    "import torch\nfrom dlref import check\n"
    "x = torch.tensor([3.0], dtype=torch.float64)\n"
    "check.compare('square', 2 * x, torch.tensor([6.0], dtype=torch.float64), method='value')\n"
    "# A common mistake, shown failing on purpose: it must not count as a failure of the build.\n"
    "check.compare('slip', x, 2 * x, method='value', raise_on_fail=False)\n"
)
NOTEBOOK = (
    "# %% [markdown]\n# # A walkthrough\n\n"
    "# %%\nimport torch\nfrom dlref import check\n\n"
    "# %%\n_ = check.compare('walkthrough', torch.ones(2, dtype=torch.float64), torch.ones(2, dtype=torch.float64))\n"
)
FENCE = '```python exec="1" source="above" result="text"\n--8<-- "snippets/{}"\n```\n'
PAGES = {
    "index.md": "# Home\n",
    "a.md": "# Page A\n\n" + FENCE.format("demo/cube.py"),
    "b.md": "# Page B\n\nFirst a block without checks.\n\n" + FENCE.format("demo/plain.py")
    + "\nThen one with a check.\n\n" + FENCE.format("demo/square.py"),
    "walk.nb.py": NOTEBOOK,
    "verification.md": "# Verification\n\n<!-- dlref:verification -->\n",
}
SNIPPETS = {"demo/cube.py": CUBE, "demo/square.py": SQUARE, "demo/plain.py": 'print("no checks here")\n'}
EXPECTED = [  # sorted, as _ledger sorts
    ("a.md", "block-1", "cube", "autograd"),
    ("a.md", "block-1", "cube", "finite differences"),
    ("b.md", "block-2", "slip", "value"),
    ("b.md", "block-2", "square", "value"),
    ("walk.nb.py", "in-2", "walkthrough", "autograd"),
]


def _ledger(project):
    rows = report(project)["checks"]
    return sorted((c["page"], c["block"], c["name"], c["method"], c["error"], c["tolerance"], c["passed"]) for c in rows)


def test_fresh_and_cached_builds_credit_each_check_once(tmp_path):
    project = make_project(tmp_path, PAGES, SNIPPETS)
    proc = build(project)
    assert proc.returncode == 0, proc.stderr[-3000:]
    fresh = _ledger(project)
    assert [row[:4] for row in fresh] == EXPECTED
    assert not any(s["cached"] for s in report(project)["snippets"])

    proc = build(project)  # everything from the caches, the notebook included
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert all(s["cached"] for s in report(project)["snippets"])
    assert _ledger(project) == fresh

    proc = build(project, DLREF_FRESH="1")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert _ledger(project) == fresh

    # The page: totals, one collapsible section per page, each block linked to its anchor.
    page = (project / "site" / "verification" / "index.html").read_text(encoding="utf-8")
    assert (
        "<b>5</b> checks from <b>3</b> blocks on <b>3</b> pages: <b>4</b> passed, <b>0</b> failed, "
        "and <b>1</b> checked a mistake that its page shows failing on purpose." in page
    )
    assert page.count('<details class="success dlref-ledger">') == 3
    assert "<table" not in page.split("dlref-ledger-total")[1].split("</article>")[0]
    for uri, anchor, *_ in EXPECTED:
        url = {"a.md": "a/", "b.md": "b/", "walk.nb.py": "walk.nb/"}[uri]
        assert f'href="../{url}#{anchor}"' in page
        target = (project / "site" / url / "index.html").read_text(encoding="utf-8")
        assert len(re.findall(rf'\bid="{anchor}"', target)) == 1, (uri, anchor)
    summary = dict(re.findall(r"<summary>(Page [AB]) <span[^>]*>([^<]*)</span>", page))
    assert summary["Page A"].startswith("2 checks, all passed, largest rel. error")
    assert summary["Page B"].startswith("2 checks, 1 passed, 1 mistake shown on purpose, largest rel. error 0.0e+00")


def test_two_builds_at_once_keep_their_own_check_logs(tmp_path):
    """Two builds sharing one cache, each running the notebook at the same time."""
    cache = tmp_path / "shared-cache"
    projects = [make_project(tmp_path / name, PAGES, SNIPPETS) for name in ("one", "two")]
    env = {"DLREF_EXEC_CACHE": str(cache / "exec"), "DLREF_JUPYTER_CACHE": str(cache / "jupyter")}
    procs = [start_build(p, **env) for p in projects]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-3000:]
    for project in projects:
        assert [row[:4] for row in _ledger(project)] == EXPECTED
    assert not list(cache.rglob("*.tmp"))


def test_notebooks_in_workers_and_in_process_make_one_ledger(tmp_path):
    """The notebook runs in a worker process by default; without workers, mkdocs-jupyter runs it."""
    ledgers = []
    for workers in ("0", "-1"):
        project = make_project(tmp_path / f"workers{workers}", PAGES, SNIPPETS)
        proc = build(project, DLREF_NOTEBOOK_WORKERS=workers)
        assert proc.returncode == 0, proc.stderr[-3000:]
        notebook = [s for s in report(project)["snippets"] if s["page"] == "walk.nb.py"]
        assert len(notebook) == 1 and not notebook[0]["cached"] and notebook[0]["seconds"] > 0
        ledgers.append(_ledger(project))
        html = (project / "site" / "walk.nb" / "index.html").read_text(encoding="utf-8")
        assert "A walkthrough" in html and 'id="in-2"' in html
    assert [row[:4] for row in ledgers[0]] == EXPECTED
    assert [row[:5] for row in ledgers[0]] == [row[:5] for row in ledgers[1]]


def test_a_failing_notebook_fails_the_build_with_its_error(tmp_path):
    broken = NOTEBOOK + "\n# %%\nraise ValueError('the walkthrough broke here')\n"
    for workers in ("0", "-1"):
        project = make_project(tmp_path / f"workers{workers}", {**PAGES, "walk.nb.py": broken}, SNIPPETS)
        proc = build(project, DLREF_NOTEBOOK_WORKERS=workers)
        assert proc.returncode != 0
        assert "the walkthrough broke here" in proc.stderr, proc.stderr[-3000:]
        if workers == "0":
            assert "walk.nb.py" in proc.stderr
        assert not (project / "site" / "build-report.json").exists()
