"""The execution cache: a rebuild runs nothing; an edit re-runs only the edited page's block."""

from __future__ import annotations

from _sitecopy import build, exec_page, make_project, report


def _cached(project):
    return {r["snippet"]: r["cached"] for r in report(project)["snippets"]}


def test_rebuild_reuses_blocks_and_edit_reruns_only_its_page(tmp_path):
    project = make_project(
        tmp_path,
        {"a.md": exec_page("demo/a.py"), "b.md": exec_page("demo/b.py")},
        {"demo/a.py": 'print("alpha 1")\n', "demo/b.py": 'print("beta 1")\n'},
    )
    assert build(project).returncode == 0
    assert _cached(project) == {"snippets/demo/a.py": False, "snippets/demo/b.py": False}

    assert build(project).returncode == 0
    assert _cached(project) == {"snippets/demo/a.py": True, "snippets/demo/b.py": True}
    assert "alpha 1" in (project / "site" / "a" / "index.html").read_text(encoding="utf-8")

    (project / "snippets" / "demo" / "a.py").write_text('print("alpha 2")\n', encoding="utf-8")
    assert build(project).returncode == 0
    assert _cached(project) == {"snippets/demo/a.py": False, "snippets/demo/b.py": True}
    assert "alpha 2" in (project / "site" / "a" / "index.html").read_text(encoding="utf-8")

    # FRESH=1 (make docs FRESH=1) re-runs everything.
    assert build(project, DLREF_FRESH="1").returncode == 0
    assert _cached(project) == {"snippets/demo/a.py": False, "snippets/demo/b.py": False}


def test_checks_reach_the_report_and_verification_page(tmp_path):
    snippet = (
        "import torch\nfrom dlref import check\n"
        "x = torch.tensor([1.0, -2.0], dtype=torch.float64)\n"
        "check.check_gradients(lambda x: (x ** 3).sum(), {'x': x}, {'x': 3 * x ** 2}, labels={'x': 'd/dx x^3'})\n"
    )
    verification = "# Verification\n\n<!-- dlref:verification -->\n"
    project = make_project(
        tmp_path, {"index.md": exec_page("demo/c.py"), "verification.md": verification}, {"demo/c.py": snippet}
    )
    proc = build(project)
    assert proc.returncode == 0, proc.stderr[-2000:]
    checks = report(project)["checks"]
    assert [(c["name"], c["method"]) for c in checks] == [("d/dx x^3", "autograd"), ("d/dx x^3", "finite differences")]
    assert all(c["passed"] and c["error"] <= c["tolerance"] for c in checks)
    page = (project / "site" / "verification" / "index.html").read_text(encoding="utf-8")
    assert page.count("d/dx x^3") == 2 and "dlref:verification" not in page
    # A cached rebuild still reports the checks.
    assert build(project).returncode == 0
    assert len(report(project)["checks"]) == 2


def test_figures_are_site_files_with_page_relative_links(tmp_path):
    snippet = (
        "from dlref.lab import figures\n"
        "fig, ax = figures.new()\nax.plot([0, 1], [1, 0])\n"
        "figures.show(fig, 'line', 'a falling line')\nprint('drawn')\n"
    )
    project = make_project(
        tmp_path, {"index.md": exec_page("demo/f.py"), "deep/er/page.md": exec_page("demo/f.py")}, {"demo/f.py": snippet}
    )
    assert build(project).returncode == 0
    import re

    for page in ("index.html", "deep/er/page/index.html"):
        html_path = project / "site" / page
        srcs = re.findall(r'<img alt="a falling line" loading="lazy" src="([^"]+)"', html_path.read_text(encoding="utf-8"))
        assert len(srcs) == 1 and srcs[0].endswith(".svg")
        assert (html_path.parent / srcs[0]).resolve().is_file(), srcs[0]
        assert "Generated at build" in html_path.read_text(encoding="utf-8")


def test_truncated_cache_entry_is_discarded_and_recomputed(tmp_path):
    """A build killed while writing an entry must not break every later build."""
    import json

    project = make_project(tmp_path, {"a.md": exec_page("demo/a.py")}, {"demo/a.py": 'print("alpha 1")\n'})
    assert build(project).returncode == 0
    [entry] = (project / ".cache" / "dlref-exec").glob("*.json")
    text = entry.read_text(encoding="utf-8")
    entry.write_text(text[: len(text) // 2], encoding="utf-8")

    proc = build(project)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert _cached(project) == {"snippets/demo/a.py": False}
    assert "alpha 1" in (project / "site" / "a" / "index.html").read_text(encoding="utf-8")
    assert json.loads(entry.read_text(encoding="utf-8"))["html"]  # written again, whole
    assert build(project).returncode == 0
    assert _cached(project) == {"snippets/demo/a.py": True}
