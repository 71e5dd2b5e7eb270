"""Every executed page can be downloaded as a notebook and a script that run top to bottom.

* A small project is built and its downloads are checked cell by cell and executed (nbclient for
  the notebook, a plain ``python`` for the script), outside the project, as a reader would.
* On the built site: every executed page links its notebook, script and Colab; every snippet's
  code is in its page's notebook; two small pages' notebooks execute (all of them with
  ``DLREF_CHECK_DOWNLOADS=1``); no rendered notebook echoes a ``CheckResult``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from _sitecopy import build, make_project

ROOT = Path(__file__).resolve().parents[1]
CHECK_ALL = os.environ.get("DLREF_CHECK_DOWNLOADS", "") not in ("", "0")

GRADIENT = (
    '"""d/dx of x^3, by hand and by autograd."""\n'
    "import torch\nfrom dlref import check\n\n"
    "x = torch.tensor([1.0, -2.0], dtype=torch.float64)\n"
    "print('analytic:', (3 * x ** 2).tolist())\n"
    "check.compare('cube', 3 * x ** 2, torch.func.grad(lambda x: (x ** 3).sum())(x))\n"
)
COUNT = 'total = sum(range(5))\nprint(f"the sum of 0..4 is {total}")\n'
PAGE = """# Cubes

The derivative of $x^3$ is $3x^2$; see [the other page](other.md#top).

```python exec="1" source="above" result="text"
--8<-- "snippets/demo/gradient.py"
```

!!! note "A second block inside a note"
    It runs on its own too:

    ```python exec="1" source="above" result="text"
    --8<-- "snippets/demo/count.py"
    ```

An illustration that is not executed:

```python
y = 2
```
"""
NOTEBOOK = (
    "# %% [markdown]\n# # A walkthrough\n\n"
    "# %%\nimport torch\nfrom dlref import check\n\n"
    "# %%\nprint('walked', int(torch.ones(3).sum()))\n"
)


def _execute(path: Path, cwd: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


def _outputs(nb: nbformat.NotebookNode) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", "") + json.dumps(out.get("data", {})))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    project = make_project(
        tmp_path_factory.mktemp("downloads"),
        {"index.md": "# Home\n", "cubes.md": PAGE, "other.md": "# Other\n", "walk.nb.py": NOTEBOOK},
        {"demo/gradient.py": GRADIENT, "demo/count.py": COUNT},
    )
    proc = build(project)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return project


def test_page_notebook_is_prose_and_snippets(project):
    nb = nbformat.read(project / "site" / "cubes" / "cubes.ipynb", as_version=4)
    nbformat.validate(nb)
    kinds = [c.cell_type for c in nb.cells]
    assert kinds == ["markdown", "code", "markdown", "code", "markdown", "code", "markdown"]
    assert "pip install dlref" in nb.cells[1].source
    assert nb.cells[2].source.startswith("# Cubes")
    assert "](https://dlref.github.io/dlref/other/#top)" in nb.cells[2].source  # links point at the site
    assert nb.cells[3].source.rstrip(";") == GRADIENT.rstrip("\n")  # the snippet file itself
    assert nb.cells[4].source.startswith("> **A second block inside a note**")
    assert nb.cells[5].source == COUNT.rstrip("\n")
    assert "```python\ny = 2\n```" in nb.cells[6].source  # not executed: stays an illustration


def test_page_notebook_and_script_run(project, tmp_path):
    nb = _execute(project / "site" / "cubes" / "cubes.ipynb", tmp_path)
    text = _outputs(nb)
    assert "analytic: [3.0, 12.0]" in text and "the sum of 0..4 is 10" in text
    assert "ok   cube" in text
    assert "CheckResult(" not in text  # the trailing check does not echo its value
    script = project / "site" / "cubes" / "cubes.py"
    proc = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "analytic: [3.0, 12.0]" in proc.stdout and "the sum of 0..4 is 10" in proc.stdout


def test_links_on_the_page(project):
    page = (project / "site" / "cubes" / "index.html").read_text(encoding="utf-8")
    bar = re.search(r'<p class="dlref-downloads">(.*?)</p>', page)
    assert bar, "no download links"
    hrefs = re.findall(r'href="([^"]+)"', bar[1])
    assert hrefs == [
        "cubes.ipynb", "cubes.py",
        "https://colab.research.google.com/github/dlref/dlref/blob/gh-pages/cubes/cubes.ipynb",
    ]
    sources = re.findall(r'<p class="dlref-source">Source: <a href="([^"]+)">', page)
    assert sources == [
        "https://github.com/dlref/dlref/blob/main/snippets/demo/gradient.py",
        "https://github.com/dlref/dlref/blob/main/snippets/demo/count.py",
    ]
    assert 'href="https://github.com/dlref/dlref"' in page  # repo_url from the same setting
    assert 'data-md-component="source"' not in page  # no star counts fetched from GitHub
    assert 'rel="canonical" href="https://dlref.github.io/dlref/cubes/"' in page
    assert "dlref-downloads" not in (project / "site" / "other" / "index.html").read_text(encoding="utf-8")


def test_notebook_page_downloads_itself(project, tmp_path):
    folder = project / "site" / "walk.nb"
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'<p class="dlref-downloads">.*?href="([^"]+)".*?href="([^"]+)"', page) == [
        ("walk.ipynb", "walk.nb.py")
    ]
    assert (folder / "walk.nb.py").read_text(encoding="utf-8") == NOTEBOOK
    nb = _execute(folder / "walk.ipynb", tmp_path)
    assert "walked 3" in _outputs(nb)


def test_repository_must_be_a_github_url(tmp_path):
    project = make_project(tmp_path, {"index.md": "# Home\n"}, {})
    proc = build(project, DLREF_REPOSITORY="gitlab.example/some/thing")
    assert proc.returncode != 0
    assert "repository must look like https://github.com/<owner>/<name>" in proc.stderr


# --------------------------------------------------------------------------- the built site

def _blocks(site_dir: Path) -> list[dict]:
    return json.loads((site_dir / "build-report.json").read_text(encoding="utf-8"))["snippets"]


def _executed_pages(site_dir: Path) -> dict[str, float]:
    """src_uri -> seconds its blocks took, for every page that executed something."""
    seconds: dict[str, float] = {}
    for s in _blocks(site_dir):
        seconds[s["page"]] = seconds.get(s["page"], 0.0) + s["seconds"]
    return seconds


def _folder(site_dir: Path, src_uri: str) -> Path:
    return site_dir / re.sub(r"\.(md|py)$", "", src_uri)


def _stem(src_uri: str) -> str:
    return Path(src_uri).name.removesuffix(".py").removesuffix(".nb").removesuffix(".md")


@pytest.mark.site
def test_every_executed_page_offers_its_downloads(site_dir):
    pages = _executed_pages(site_dir)
    assert pages
    for uri in pages:
        folder, stem = _folder(site_dir, uri), _stem(uri)
        html = (folder / "index.html").read_text(encoding="utf-8")
        assert 'class="dlref-downloads"' in html and "colab.research.google.com/github/" in html, uri
        nb = nbformat.read(folder / f"{stem}.ipynb", as_version=4)
        nbformat.validate(nb)
        script = f"{stem}.nb.py" if uri.endswith(".py") else f"{stem}.py"
        assert (folder / script).is_file(), (uri, script)
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        for block in _blocks(site_dir):  # each snippet file the page executed is in its notebook, as it is
            if block["page"] == uri and block["snippet"].startswith("snippets/"):
                snippet = (ROOT / block["snippet"]).read_text(encoding="utf-8").strip()
                assert snippet in code, (uri, block["snippet"])


@pytest.mark.site
def test_no_rendered_notebook_echoes_a_check_result(site_dir):
    for html in site_dir.rglob("*.nb/index.html"):
        text = html.read_text(encoding="utf-8")
        assert "CheckResult(" not in text, html


def _sample() -> list[str]:
    site = Path(os.environ.get("DLREF_SITE_DIR") or ROOT / "site")
    if not (site / "build-report.json").exists():
        return []
    pages = _executed_pages(site)
    if CHECK_ALL:
        return sorted(pages)
    return sorted((u for u in pages if u.endswith(".md")), key=lambda u: pages[u])[:2]  # the two quickest


@pytest.mark.site
@pytest.mark.parametrize("uri", _sample())
def test_downloaded_notebook_executes(site_dir, uri, tmp_path):
    """Two small pages by default; every page with DLREF_CHECK_DOWNLOADS=1."""
    nb = _execute(_folder(site_dir, uri) / f"{_stem(uri)}.ipynb", tmp_path)
    text = _outputs(nb)
    assert "CheckResult(" not in text
    assert not any(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))
