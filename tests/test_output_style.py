"""Executed output looks like output: labelled, styled apart from its source, and fitting the column.

A unit test holds the derivative checker's printed line to a length that fits a page's column
at 1280 px; a browser test checks every built page at 1280 px: each executed block's output
carries the "Output" caption, does not share the source's background, and never scrolls
sideways.
"""

from __future__ import annotations

import pytest
import torch

from dlref import check

COLUMN_CHARS = 80  # the content column at 1280 px holds about 84 monospace characters


def test_check_line_fits_the_column_and_keeps_its_fields():
    x = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64)
    (res,) = check.check_gradients(
        lambda x: (x ** 2).sum(), {"x": x}, {"x": 2 * x}, finite_difference_tol=None
    )
    line = str(res)
    assert line.startswith("ok   x "), line
    for field in ("vs autograd", "rel. error", "(tol 1e-10)", "shape 3"):
        assert field in line, f"{field!r} missing from {line!r}"
    typical = check.CheckResult("∇W₁ real part", "finite diffs", (128, 10), 1.2e-16, 1.2e-16, 1e-10, True)
    assert len(str(typical)) <= COLUMN_CHARS, f"{len(str(typical))} characters: {typical}"


@pytest.mark.site
def test_output_is_labelled_and_fits_at_1280px(site_dir):
    from dlref._site.browser import CHROMIUM, launch, offline_context, serve, site_pages

    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (Debian package `chromium`)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    js = r"""() => [...document.querySelectorAll('.dlref-block')].map(block => {
      const [source, output] = block.querySelectorAll(':scope > .highlight');
      if (!output) return null;
      const code = output.querySelector('pre > code'), src = source.querySelector('pre > code');
      return {
        label: getComputedStyle(output, '::before').content,
        same_background: getComputedStyle(code).backgroundColor === getComputedStyle(src).backgroundColor,
        overflow: code.scrollWidth - code.clientWidth,
        first: code.innerText.split('\n')[0].slice(0, 80),
      };
    }).filter(Boolean)"""
    problems, n_blocks = [], 0
    with serve(site_dir) as base, sync_api.sync_playwright() as pw:
        browser = launch(pw)
        page = offline_context(browser, [], viewport={"width": 1280, "height": 900}).new_page()
        for path in site_pages(site_dir):
            page.goto(base + path, wait_until="load")
            for i, b in enumerate(page.evaluate(js)):
                n_blocks += 1
                where = f"{path} block {i + 1} ({b['first']!r})"
                if b["label"] != '"Output"':
                    problems.append(f"{where}: no 'Output' caption")
                if b["same_background"]:
                    problems.append(f"{where}: output has the source's background")
                if b["overflow"] > 1:
                    problems.append(f"{where}: scrolls sideways by {b['overflow']} px at 1280 px")
        browser.close()
    assert n_blocks > 50, f"only {n_blocks} executed blocks with output found"
    assert not problems, "\n".join(problems[:30])
