"""The notebook pages' shared stylesheet (dlref._site.notebook_css) and their TOC repair."""

from __future__ import annotations

from types import SimpleNamespace

from dlref._site import notebook_css
from dlref._site.plugin import _repair_toc


def test_purge_keeps_only_rules_that_can_match():
    css = (
        ".a p, .b { color: red }"            # one selector of two can match
        ".c { margin: 0 }"                   # cannot match
        ".a:not(.zzz) { top: 0 }"            # a class under :not() need not be present
        "[data-x='.b'] .a { left: 0 }"       # nor one inside an attribute selector
        "@media (max-width: 10px) { .a { width: 0 } .c { width: 1px } }"
        "@media print { .c { display: none } }"
    )
    out = notebook_css.purge(css, {"a"})
    assert out == '.a p{color:red}.a:not(.zzz){top:0}[data-x=".b"] .a{left:0}@media (max-width: 10px){.a{width:0}}'
    # .b, .c and the @media print block (left empty) are gone


def test_purge_drops_custom_properties_no_var_reaches():
    css = ".a { --used: 1px; --chained: var(--used); --unused: url(data:x); margin: var(--chained) }"
    out = notebook_css.purge(css, {"a"})
    assert "--used" in out and "--chained" in out and "--unused" not in out


def test_split_styles_moves_css_out_and_lists_classes():
    html = '<style>.x{color:red}</style><div class="jp-Cell x"><p class="y">t</p></div><style>.z{}</style>'
    rest, css, classes = notebook_css.split_styles(html)
    assert "<style" not in rest and rest.startswith('<div class="jp-Cell x">')
    assert ".x{color:red}" in css and ".z{}" in css
    assert classes == {"jp-Cell", "x", "y"}


def _link(id_: str, *children) -> SimpleNamespace:
    return SimpleNamespace(id=id_, children=list(children))


def test_repair_toc_points_entries_at_existing_headings():
    content = (
        '<h1 id="training">Training</h1>'
        '<h2 id="same-trajectory-as-autograd-torchoptimsgd">Same trajectory as autograd + <code>torch.optim.SGD</code></h2>'
        '<h2 id="width-a">Width A</h2><h2 id="width-b">Width B</h2>'
    )
    same, width = _link("same-trajectory-as-autograd"), _link("width")
    top = _link("training", same, width)
    _repair_toc([top], content)
    assert top.id == "training"  # present: unchanged
    assert same.id == "same-trajectory-as-autograd-torchoptimsgd"
    assert width.id == "width"  # two headings extend it: ambiguous, left as it was
