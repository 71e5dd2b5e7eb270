"""A page as a Jupyter notebook and as a plain script, for readers who run it themselves.

An executed Markdown page becomes a notebook whose Markdown cells are the page's prose and whose
code cells are its executed snippets (the ``--8<--`` includes resolved to the snippet files'
code); a jupytext notebook page (``*.nb.py``) is converted as it is. Both start with a cell that
installs ``dlref`` where it is missing (as in Colab), so the notebook runs top to bottom. The
script is the same notebook in jupytext's percent format, without the install cell.

The notebooks are built with nbformat and written by jupytext, the libraries Jupyter itself
uses; the site build (``dlref._site.plugin``) writes them next to each page.
"""

from __future__ import annotations

import ast
import posixpath
import re
from pathlib import Path
from typing import Callable

import jupytext
import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

INSTALL_CODE = """\
# Installs dlref where it is missing (as in Colab); elsewhere run `pip install dlref` first.
import importlib.util

if importlib.util.find_spec("dlref") is None:
    get_ipython().run_line_magic("pip", "install dlref")"""

_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_EXECUTED = re.compile(r"""^python\b.*\bexec=["']?(?:1|true|on|yes)\b""", re.I)
_INCLUDE = re.compile(r"""^\s*--8<--\s+["'](?P<path>[^"':]+)["']\s*$""")
_ADMONITION = re.compile(r"""^(?:!!!|\?\?\?\+?)\s+(?P<kind>[\w-]+)(?:[ \t]+[\w -]*?)?(?:\s+"(?P<title>[^"]*)")?\s*$""")
_LINK = re.compile(r"(?P<head>!?\[[^\]]*\]\()(?P<target>[^)\s]+)(?P<tail>[^)]*\))")
_API_REF = re.compile(r"\[(?P<text>[^\]]+)\]\[(?:dlref|torch)(?:\.\w+)*\]")
_METADATA = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


def page_notebook(
    markdown: str, root: Path, src_uri: str, intro: str, url_of: Callable[[str], str]
) -> nbformat.NotebookNode:
    """The notebook of a Markdown page: prose cells, executed snippets as code cells.

    Args:
        markdown: the page's Markdown source (before pymdownx.snippets resolves includes).
        root: the folder ``--8<--`` paths are relative to (the repository).
        src_uri: the page's path under ``docs/``, e.g. ``"backprop/mlp.md"``; relative links
            are resolved against it.
        intro: Markdown for the first cell (where the notebook comes from).
        url_of: absolute URL of a file under ``docs/`` (a page or an asset).

    Raises:
        FileNotFoundError: an included snippet file does not exist.
    """
    cells = [new_markdown_cell(intro), new_code_cell(INSTALL_CODE)]
    for kind, text in _segments(_strip_front_matter(markdown).splitlines(), root):
        text = text.strip("\n")
        if not text.strip():
            continue
        if kind == "code":
            cells.append(new_code_cell(_quiet_last_expression(text)))
        else:
            cells.append(new_markdown_cell(_absolute_links(text, src_uri, url_of)))
    return new_notebook(cells=cells, metadata=_METADATA)


def jupytext_notebook(path: Path, intro: str) -> nbformat.NotebookNode:
    """A jupytext notebook file as an ``.ipynb`` notebook, with the intro and install cells first."""
    nb = jupytext.read(path)
    nb.cells[:0] = [new_markdown_cell(intro), new_code_cell(INSTALL_CODE)]
    nb.metadata = {**_METADATA, **{k: v for k, v in nb.metadata.items() if k != "jupytext"}}
    return nb


def to_ipynb(nb: nbformat.NotebookNode) -> str:
    """The notebook as ``.ipynb`` text (validated by nbformat)."""
    nbformat.validate(nb)
    return nbformat.writes(nb)


def to_script(nb: nbformat.NotebookNode) -> str:
    """The notebook as a percent-format Python script, without the install cell."""
    cells = [c for c in nb.cells if not (c.cell_type == "code" and c.source == INSTALL_CODE)]
    script = nbformat.v4.new_notebook(cells=cells, metadata=nb.metadata)
    return jupytext.writes(script, fmt="py:percent")


def _strip_front_matter(markdown: str) -> str:
    match = re.match(r"^---\n.*?\n---\n", markdown, re.S)
    return markdown[match.end():] if match else markdown


def _segments(lines: list[str], root: Path) -> list[tuple[str, str]]:
    """Split Markdown lines into ``("markdown", text)`` and ``("code", text)`` segments.

    Executed Python fences become code; admonitions become block quotes (their executed
    fences still become code cells); everything else stays Markdown.
    """
    out: list[tuple[str, str]] = []

    def add(kind: str, text: str) -> None:
        if kind == "markdown" and out and out[-1][0] == "markdown":
            out[-1] = ("markdown", out[-1][1] + "\n" + text)
        else:
            out.append((kind, text))

    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if fence:
            mark, indent = fence["fence"], len(fence["indent"])
            end = i + 1
            while end < len(lines) and not re.fullmatch(rf" {{0,3}}{re.escape(mark[0])}{{{len(mark)},}}\s*", lines[end]):
                end += 1
            body = [ln[indent:] if ln.startswith(" " * indent) else ln.lstrip() for ln in lines[i + 1 : end]]
            body = [_resolve(ln, root) for ln in body]
            if _EXECUTED.match(fence["info"].strip()):
                add("code", "\n".join(body))
            else:
                add("markdown", "\n".join([line[indent:], *body, mark]))
            i = end + 1
            continue
        admonition = _ADMONITION.match(line)
        if admonition:
            end = i + 1
            while end < len(lines) and (not lines[end].strip() or lines[end].startswith("    ")):
                end += 1
            while end > i + 1 and not lines[end - 1].strip():
                end -= 1
            title = admonition["title"] or admonition["kind"].capitalize()
            first = True
            for kind, text in _segments([ln[4:] for ln in lines[i + 1 : end]], root):
                if kind == "markdown":
                    text = (f"**{title}**\n\n" if first else "") + text.strip("\n")
                    text = "\n".join(("> " + ln).rstrip() for ln in text.splitlines())
                    first = False
                add(kind, text)
            if first:
                add("markdown", f"> **{title}**")
            add("markdown", "")
            i = end
            continue
        add("markdown", line)
        i += 1
    return out


def _resolve(line: str, root: Path) -> str:
    include = _INCLUDE.match(line)
    if not include:
        return line
    path = root / include["path"]
    if not path.is_file():
        raise FileNotFoundError(f"snippet {include['path']!r} included by a page does not exist under {root}")
    return path.read_text(encoding="utf-8").rstrip("\n")


def _absolute_links(text: str, src_uri: str, url_of: Callable[[str], str]) -> str:
    """Relative links and images (``mlp.md#x``, ``../assets/a.png``) as absolute site URLs."""

    def absolute(match: re.Match) -> str:
        target = match["target"]
        if re.match(r"^(?:[a-z][a-z0-9+.-]*:|#|/)", target, re.I):
            return match[0]
        path, _, fragment = target.partition("#")
        url = url_of(posixpath.normpath(posixpath.join(posixpath.dirname(src_uri), path)))
        return match["head"] + url + ("#" + fragment if fragment else "") + match["tail"]

    text = _API_REF.sub(r"\g<text>", text)  # mkdocstrings cross-references: plain text outside the site
    return _LINK.sub(absolute, text)


def _quiet_last_expression(code: str) -> str:
    """End a trailing expression statement with ``;`` so Jupyter does not echo its value.

    A snippet ends with e.g. ``check.compare(...)``; run as a script that prints nothing
    more, but a notebook cell would add ``Out[n]: CheckResult(...)`` under the printed line.
    """
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code
    last = tree.body[-1] if tree.body else None
    if not isinstance(last, ast.Expr) or (
        isinstance(last.value, ast.Call) and isinstance(last.value.func, ast.Name) and last.value.func.id == "print"
    ):
        return code
    lines = code.split("\n")
    row = last.end_lineno - 1
    raw = lines[row].encode("utf-8")
    lines[row] = (raw[: last.end_col_offset] + b";" + raw[last.end_col_offset :]).decode("utf-8")
    return "\n".join(lines)
