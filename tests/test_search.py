"""Site search in a real (headless) Chromium: a concept finds its page before the API entries.

The API pages carry ``search: boost: 0.001`` in their front matter (tests/test_api_docs.py
checks the boost is there). Material scores a title match 1000 times a text match, and every
API entry's title is a function name (``softmax``, ``im2col``), so a boost of 0.1 or even 0.01
still puts the API first; at 0.001 the pages that explain the concept come first. This test types each concept into Material's search box on the
built site and reads the ranked results, so it fails if the ranking itself goes wrong.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from dlref._site.browser import CHROMIUM, launch, offline_context, serve

pytestmark = pytest.mark.site

# concept -> the page a reader searching it should land on first
CONCEPTS = {"softmax": "/foundations/losses/", "attention": "/attention/attention/", "im2col": "/cnn/backprop/"}

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed (Debian package `chromium`)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


def ranked_results(site_dir) -> dict[str, list[str]]:
    """Each concept's search results, best first, as URL paths without the fragment."""
    out: dict[str, list[str]] = {}
    with serve(site_dir) as base, sync_api.sync_playwright() as pw:
        browser = launch(pw)
        context = offline_context(browser, [], viewport={"width": 1280, "height": 900})
        context.set_default_timeout(20_000)
        page = context.new_page()
        page.goto(base + "/", wait_until="load")
        page.wait_for_load_state("networkidle")  # the search worker has its index
        for word in CONCEPTS:
            box = page.locator("input.md-search__input")
            box.click()
            box.fill("")
            box.press_sequentially(word)
            # Result links carry the query (`?h=word`): wait for this query's results, not the last one's.
            page.wait_for_function(
                "w => [...document.querySelectorAll('a.md-search-result__link')].some(a => a.href.includes('h=' + w))",
                arg=word,
            )
            hrefs = page.eval_on_selector_all(
                ".md-search-result__item > a.md-search-result__link", "els => els.map(e => e.href)"
            )
            out[word] = [urlsplit(h).path for h in hrefs]
        browser.close()
    return out


def test_concepts_rank_above_the_api(site_dir):
    results = ranked_results(site_dir)
    problems = []
    for word, expected in CONCEPTS.items():
        ranked = results[word]
        first_api = next((i for i, url in enumerate(ranked) if url.startswith("/api/")), len(ranked))
        if expected not in ranked:
            problems.append(f"{word!r}: {expected} is not among the results {ranked[:8]}")
        elif ranked.index(expected) > first_api:
            problems.append(f"{word!r}: {expected} ranks below an API page: {ranked[:8]}")
        if ranked and ranked[0].startswith("/api/"):
            problems.append(f"{word!r}: the first result is an API page: {ranked[:8]}")
    assert not problems, "\n".join(problems)
