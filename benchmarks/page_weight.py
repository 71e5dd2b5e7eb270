"""What a first visit to each page of the built site transfers, measured in headless Chromium.

Every page is opened in a fresh browser context (an empty cache), served from 127.0.0.1 with
no network beyond it, and left until the network is idle: what opening the page costs, MathJax
components and fonts included (figures below the fold load lazily, as the reader scrolls to
them; the search index loads when the search box is opened). Then every figure is loaded too:
what reading the page to its end costs. A transfer is the response body plus its headers as
Chromium received them, uncompressed (the local server does not gzip; a host that does sends
less).

    python benchmarks/page_weight.py                   # the 10 heaviest pages of site/
    python benchmarks/page_weight.py --site /tmp/site --top 40 --by-file

``tests/test_browser.py`` asserts ``LIMIT`` on opening every page, with ``tally`` on its own visits.
"""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from dlref._site.browser import launch, offline_context, serve, site_pages

LIMIT = 1_500_000  # bytes a first visit to any page may transfer
ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Weight:
    """One page's first visit: bytes per URL path on opening it, and after loading every figure."""

    page: str
    files: Counter = field(default_factory=Counter)
    files_read: Counter = field(default_factory=Counter)
    blocked: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.files.values())

    @property
    def total_read(self) -> int:
        return sum(self.files_read.values())


def tally(requests: list) -> Counter:
    """Bytes received per URL path (body + headers) for finished Playwright requests."""
    files: Counter = Counter()
    for request in requests:
        sizes = request.sizes()
        files[urlsplit(request.url).path] += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    return files


def load_every_figure(page) -> None:
    """Load the figures a reader would reach by scrolling (``loading="lazy"``) and wait for them."""
    page.evaluate("() => document.querySelectorAll('img[loading=lazy]').forEach((i) => (i.loading = 'eager'))")
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => [...document.images].every((i) => i.complete)")


def measure(site_dir: str | Path, pages: list[str] | None = None, width: int = 1280) -> list[Weight]:
    """First-visit transfer of ``pages`` (default: every page of ``site_dir``), heaviest first."""
    from playwright.sync_api import sync_playwright

    pages = site_pages(site_dir) if pages is None else pages
    weights = []
    with serve(site_dir) as base, sync_playwright() as pw:
        browser = launch(pw)
        for path in pages:
            weight = Weight(path)
            context = offline_context(browser, weight.blocked, viewport={"width": width, "height": 900})
            page = context.new_page()
            finished = []
            page.on("requestfinished", lambda request: finished.append(request))
            page.goto(base + path, wait_until="load")
            page.wait_for_load_state("networkidle")
            weight.files = tally(finished)
            load_every_figure(page)
            weight.files_read = tally(finished)
            context.close()
            weights.append(weight)
        browser.close()
    return sorted(weights, key=lambda w: -w.total)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=ROOT / "site", help="the built site (default: site/)")
    parser.add_argument("--top", type=int, default=10, help="how many of the heaviest pages to print")
    parser.add_argument("--by-file", action="store_true", help="also list each printed page's five largest files")
    parser.add_argument("--width", type=int, default=1280, help="viewport width in CSS pixels")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        parser.error(f"no built site at {args.site}: run `mkdocs build` (or pass --site)")
    weights = measure(args.site, width=args.width)
    over = [w for w in weights if w.total > LIMIT]
    print(f"{len(weights)} pages; opening one transfers {weights[-1].total / 1e6:.2f}–{weights[0].total / 1e6:.2f} MB "
          f"({len(over)} over the {LIMIT / 1e6:.1f} MB limit); reading it to the end with every figure "
          f"{min(w.total_read for w in weights) / 1e6:.2f}–{max(w.total_read for w in weights) / 1e6:.2f} MB")
    print("  open    read  page")
    for w in weights[: args.top]:
        print(f"{w.total / 1e6:6.2f}  {w.total_read / 1e6:6.2f}  {w.page}")
        if args.by_file:
            for name, size in w.files.most_common(5):
                print(f"          {size / 1e3:7.0f} kB  {name}")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
