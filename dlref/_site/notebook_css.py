"""The notebook pages' stylesheet, served once instead of inlined into every notebook page.

mkdocs-jupyter puts JupyterLab's whole stylesheet (about 0.6 MB) into each notebook page, most
of it for widgets a static page never shows. `purge()` keeps only the rules whose selectors
can match the classes the built notebook pages use (parsed with tinycss2); the dlref plugin
writes the result to ``assets/stylesheets/jupyter.css`` and links it from each notebook page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import tinycss2

PATH = "assets/stylesheets/jupyter.css"
STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.S | re.I)
_CLASS_ATTR = re.compile(r'class="([^"]*)"')
_CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
# Parts of a selector whose classes need not be present for it to match.
_IGNORED = re.compile(r":not\([^()]*\)|\[[^\]]*\]")


def split_styles(html: str) -> tuple[str, str, set[str]]:
    """``html`` without its ``<style>`` blocks, their CSS, and the classes the rest uses."""
    css = "\n".join(STYLE.findall(html))
    rest = STYLE.sub("", html)
    classes = {name for value in _CLASS_ATTR.findall(rest) for name in value.split()}
    return rest, css, classes


def purge(css: str, used: set[str]) -> str:
    """The rules of ``css`` that can match a document whose elements carry only ``used`` classes.

    A selector is dropped when it names a class outside ``used`` (outside ``:not(...)`` and
    attribute selectors); a rule is dropped when all its selectors are. ``@media`` and
    ``@supports`` blocks are purged inside; other at-rules are kept as they are. Then custom
    properties that no kept ``var()`` reaches (directly or through another property) go too.

    Examples:
        >>> purge(".a p, .b{color:red} .c{margin:0}", {"a"})
        '.a p{color:red}'
        >>> purge(".a{--x:1px;--y:var(--x);--z:2px;margin:var(--y)}", {"a"})
        '.a{--x:1px;--y:var(--x);margin:var(--y)}'
    """
    kept = "".join(_kept(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True), used))
    return _without_unused_properties(kept)


def _without_unused_properties(css: str) -> str:
    """Drop custom-property declarations (``--x: ...``) that no ``var(--x)`` reaches."""
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    declarations = [d for r in _rules(rules) for d in _declarations(r)]
    defined = {d.name: tinycss2.serialize(d.value) for d in declarations if d.name.startswith("--")}
    wanted = {v for d in declarations if not d.name.startswith("--") for v in _VAR.findall(tinycss2.serialize(d.value))}
    todo = list(wanted)
    while todo:  # custom properties whose values use other custom properties
        for v in _VAR.findall(defined.get(todo.pop(), "")):
            if v not in wanted:
                wanted.add(v)
                todo.append(v)
    return "".join(_serialize(r, wanted) for r in rules)


_VAR = re.compile(r"var\(\s*(--[\w-]+)")


def _rules(rules: list) -> Iterator:
    for rule in rules:
        if rule.type == "qualified-rule":
            yield rule
        elif rule.type == "at-rule" and rule.content is not None and rule.lower_at_keyword in ("media", "supports"):
            yield from _rules(tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True))


def _declarations(rule: Any) -> list:
    return [d for d in tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True)
            if d.type == "declaration"]


def _serialize(rule: Any, wanted: set[str]) -> str:
    if rule.type == "qualified-rule":
        kept = [d for d in _declarations(rule) if not d.name.startswith("--") or d.name in wanted]
        body = ";".join(f"{d.name}:{tinycss2.serialize(d.value).strip()}" + (" !important" if d.important else "") for d in kept)
        return f"{tinycss2.serialize(rule.prelude).strip()}{{{body}}}" if kept else ""
    if rule.type == "at-rule" and rule.content is not None and rule.lower_at_keyword in ("media", "supports"):
        inner = tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True)
        body = "".join(_serialize(r, wanted) for r in inner)
        return f"@{rule.at_keyword} {tinycss2.serialize(rule.prelude).strip()}{{{body}}}" if body else ""
    return tinycss2.serialize([rule])


def _kept(rules: list, used: set[str]) -> Iterator[str]:
    for rule in rules:
        if rule.type == "qualified-rule":
            selectors = _top_level_split(tinycss2.serialize(rule.prelude))
            kept = [s for s in selectors if set(_CLASS.findall(_IGNORED.sub("", s))) <= used]
            if kept:
                yield ",".join(kept) + "{" + tinycss2.serialize(rule.content).strip() + "}"
        elif rule.type == "at-rule" and rule.content is not None and rule.lower_at_keyword in ("media", "supports"):
            inner = tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True)
            body = "".join(_kept(inner, used))
            if body:
                yield f"@{rule.at_keyword} {tinycss2.serialize(rule.prelude).strip()}{{{body}}}"
        elif rule.type == "at-rule" and rule.lower_at_keyword != "charset":  # @charset: only first in a file
            yield tinycss2.serialize([rule])


def _top_level_split(selector_list: str) -> list[str]:
    """Split a selector list at the commas outside parentheses."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(selector_list):
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            parts.append(selector_list[start:i].strip())
            start = i + 1
    parts.append(selector_list[start:].strip())
    return [p for p in parts if p]
