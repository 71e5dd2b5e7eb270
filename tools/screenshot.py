"""Screenshot a page of the built site (default: the template page) for the README.

    .venv/bin/python tools/screenshot.py                  # -> docs/assets/screenshot.png
    .venv/bin/python tools/screenshot.py --full-page --out /tmp/full.png
    .venv/bin/python tools/screenshot.py --dark --page /verification/

Serves site/ from 127.0.0.1 on a free port and opens it in headless Chromium
(/usr/bin/chromium via Playwright); waits for MathJax to finish before the shot.
Build the site first (`make docs`). Requests to any other host are blocked and listed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from dlref._site.browser import launch, offline_context, serve  # noqa: E402

SITE = ROOT / "site"


def screenshot(out: Path, page_path: str = "/backprop/mlp/", width: int = 1280, height: int = 1600,
               full_page: bool = False, dark: bool = False) -> list[str]:
    """Write the PNG; returns the problems seen (external requests, errors, failed loads)."""
    from playwright.sync_api import sync_playwright

    if not (SITE / "index.html").exists():
        raise SystemExit("site/ is not built: run `make docs` first")
    problems: list[str] = []
    with serve(SITE) as base, sync_playwright() as pw:
        browser = launch(pw)
        blocked: list[str] = []
        context = offline_context(browser, blocked, viewport={"width": width, "height": height},
                                  color_scheme="dark" if dark else "light")
        page = context.new_page()
        page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        page.on("console", lambda m: m.type == "error" and problems.append(f"console error: {m.text}"))
        page.on("response", lambda res: res.status >= 400 and problems.append(f"HTTP {res.status}: {res.url}"))
        page.goto(base + page_path, wait_until="load")
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                               timeout=15_000)
        page.evaluate("() => MathJax.startup.promise.then(() => true)")
        page.wait_for_load_state("networkidle")
        errors = page.locator("mjx-merror, [data-mjx-error]").count()
        if errors:
            problems.append(f"{errors} MathJax error node(s) on the page")
        if dark:  # the palette follows prefers-color-scheme only without a stored choice; force it
            page.evaluate("() => document.body.setAttribute('data-md-color-scheme', 'slate')")
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out), full_page=full_page)
        browser.close()
    return problems + [f"blocked external request: {url}" for url in blocked]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--page", default="/backprop/mlp/", help="path on the site (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "assets" / "screenshot.png")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=1600, help="viewport height (the clip unless --full-page)")
    parser.add_argument("--full-page", action="store_true", help="capture the whole scrollable page")
    parser.add_argument("--dark", action="store_true", help="dark (slate) palette")
    args = parser.parse_args(argv)
    problems = screenshot(args.out, args.page, args.width, args.height, args.full_page, args.dark)
    print(f"wrote {args.out}")
    for p in problems:
        print(f"warning: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
