"""The front page (docs/index.md) maps the whole site and shows how to use it.

Every page in mkdocs.yml's nav is linked from the front page, under its chapter; the page
says how to install, copy a snippet and rebuild, and it quotes no number (numbers on this
site come from snippets executed in the same build, and the front page executes none).
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs.utils import yaml_load

ROOT = Path(__file__).resolve().parents[1]
INDEX = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def _nav_pages(items: list, chapter: str = "") -> list[tuple[str, str]]:
    """(chapter, page path) for every page of a MkDocs nav."""
    pages = []
    for item in items:
        if isinstance(item, str):
            pages.append((chapter, item))
            continue
        for title, value in item.items():
            if isinstance(value, list):
                pages += _nav_pages(value, title)
            else:
                pages.append((chapter, value))
    return pages


def test_front_page_links_every_nav_page_under_its_chapter():
    with open(ROOT / "mkdocs.yml", encoding="utf-8") as f:
        nav = yaml_load(f)["nav"]
    pages = [(chapter, page) for chapter, page in _nav_pages(nav) if page != "index.md"]
    assert len(pages) > 30
    linked = set(LINK.findall(INDEX))
    missing = [page for _, page in pages if page not in linked]
    assert not missing, f"docs/index.md does not link these nav pages: {missing}"
    for chapter in {c for c, _ in pages if c and c != "API reference"}:
        assert f"**{chapter}**" in INDEX, f"docs/index.md has no heading for the chapter {chapter!r}"
    broken = [link for link in linked if "://" not in link and not (ROOT / "docs" / link).is_file()]
    assert not broken, f"docs/index.md links files that do not exist: {broken}"


def test_front_page_says_what_dlref_is_and_how_to_use_it():
    for words in ("Executed derivations", "ledger", "Common mistake", "Provenance",
                  "pip install", "copy button", "make docs"):
        assert words in INDEX, f"docs/index.md does not mention {words!r}"


# Names that contain digits but state no result.
NAMES_WITH_DIGITS = ("float64", "L2", "2-2-1", "Python 3.10")


def test_front_page_quotes_no_numbers():
    prose = re.sub(r"```.*?```|`[^`]*`|\([^)]*\)", "", INDEX, flags=re.S)  # code, link targets, asides
    for name in NAMES_WITH_DIGITS:
        prose = prose.replace(name, "")
    numbers = re.findall(r"\d+(?:\.\d+)?\s*%?", prose)
    assert not numbers, f"docs/index.md quotes numbers that no snippet printed: {numbers}"
