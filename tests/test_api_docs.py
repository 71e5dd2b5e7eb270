"""The API reference documents every public module of dlref, and its docstrings render.

The reference is split into pages under ``docs/api/`` (one per group of modules). Docstrings
are Google style rendered by mkdocstrings: a Sphinx role such as ``:func:`x``` would show up
raw on the page, so cross-references use the autorefs syntax ``[`x`][dlref.module.x]``, and
docstrings cite site pages, never a file outside the repository.
"""

from __future__ import annotations

import ast
import pkgutil
import re
from pathlib import Path

import pytest

import dlref

ROOT = Path(__file__).resolve().parents[1]
API = ROOT / "docs" / "api"
SPHINX_ROLE = re.compile(r":(?:py:)?(?:func|class|meth|mod|attr|data|exc|obj|const|ref|doc|term):`")
# Words a concept page must rank for above the API entries that mention them (see
# test_search_boosts_concepts_above_the_api and tests/test_search.py).
CONCEPTS = {"softmax": "foundations/losses.md", "attention": "attention/attention.md", "im2col": "cnn/backprop.md"}


def public_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(dlref.__path__, "dlref."):
        parts = info.name.split(".")
        if any(p.startswith("_") for p in parts):
            continue
        names.append(info.name)
    return sorted(names)


def api_pages() -> list[Path]:
    return sorted(API.glob("*.md"))


def documented_modules() -> dict[str, Path]:
    found = {}
    for page in api_pages():
        for name in re.findall(r"^::: (dlref[\w.]*)", page.read_text(encoding="utf-8"), flags=re.M):
            found[name] = page
    return found


def test_every_public_module_is_in_the_api_reference():
    documented = documented_modules()
    missing = [
        m for m in public_modules()
        if m not in documented and not any(d.startswith(m + ".") or m.startswith(d + ".") for d in documented)
    ]
    assert not missing, f"add these modules to a page under docs/api/: {missing}"


def test_api_pages_are_split_and_all_in_the_nav():
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    pages = api_pages()
    assert len(pages) >= 5, "the API reference is one page per group of modules"
    for page in pages:
        assert f"api/{page.name}" in nav, f"{page.name} is not in mkdocs.yml's nav"
    index = (API / "index.md").read_text(encoding="utf-8")
    for page in pages:
        if page.name != "index.md":
            assert f"]({page.name})" in index, f"docs/api/index.md does not link {page.name}"
    counts = {p.name: list(documented_modules().values()).count(p) for p in pages if p.name != "index.md"}
    assert max(counts.values()) <= 15, f"an API page holds too many modules (split it): {counts}"


def _docstrings(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            doc = ast.get_docstring(node, clean=False)
            if doc:
                out.append((getattr(node, "lineno", 1), doc))
    return out


def package_files() -> list[Path]:
    return sorted((ROOT / "dlref").rglob("*.py"))


def test_no_sphinx_roles_or_outside_files_in_docstrings():
    bad = []
    for path in package_files():
        for line, doc in _docstrings(path):
            for problem, found in (("Sphinx role", SPHINX_ROLE.search(doc)), ("CONTENT.md", "CONTENT.md" in doc),
                                   ("seeds/", "seeds/" in doc)):
                if found:
                    bad.append(f"{path.relative_to(ROOT)}:{line}: {problem}")
    assert not bad, (
        "docstrings render with mkdocstrings: write cross-references as [`name`][dlref.module.name] and cite "
        "site pages, not files outside the repository:\n" + "\n".join(bad)
    )


def test_the_docstring_check_can_fail(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('"""Uses :func:`linear` (CONTENT.md §2)."""\n', encoding="utf-8")
    (doc,) = [d for _, d in _docstrings(sample)]
    assert SPHINX_ROLE.search(doc) and "CONTENT.md" in doc


def _front_matter_boost(page: Path) -> float | None:
    match = re.match(r"---\n(.*?)\n---\n", page.read_text(encoding="utf-8"), flags=re.S)
    if not match:
        return None
    boost = re.search(r"^search:\s*\n\s+boost:\s*([0-9.]+)", match.group(1), flags=re.M)
    return float(boost.group(1)) if boost else None


def test_api_pages_are_searched_below_concept_pages():
    for page in api_pages():
        boost = _front_matter_boost(page)
        assert boost is not None and boost < 1, f"{page.name}: give it `search: boost:` below 1 in its front matter"
    for word, page in CONCEPTS.items():
        text = (ROOT / "docs" / page).read_text(encoding="utf-8").lower()
        assert word in text, f"{page} no longer mentions {word!r}: pick the concept page that does"
        boost = _front_matter_boost(ROOT / "docs" / page)
        assert boost is None or boost >= 1, f"{page} is searched below the API"


@pytest.mark.site
def test_search_index_carries_the_boosts(site_dir):
    import json

    index = json.loads((site_dir / "search" / "search_index.json").read_text(encoding="utf-8"))
    api = [d for d in index["docs"] if d["location"].startswith("api/")]
    assert api, "no API entries in the search index"
    unboosted = sorted({d["location"].split("#")[0] for d in api if not d.get("boost", 1) < 1})
    assert not unboosted, f"API pages without a search boost below 1: {unboosted}"
    for word, page in CONCEPTS.items():
        location = page.removesuffix(".md") + "/"
        entries = [d for d in index["docs"] if d["location"].split("#")[0] == location]
        assert entries and all(d.get("boost", 1) >= 1 for d in entries), f"{location} is boosted down or missing"
        assert any(word in (d["title"] + " " + d["text"]).lower() for d in entries), f"{location} lacks {word!r}"
