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
import functools
import http.server
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "site"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def serve(directory: Path):
    """Serve `directory` on 127.0.0.1:<free port>; yields the base URL."""
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(directory))
    )
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def screenshot(out: Path, page_path: str = "/backprop/mlp/", width: int = 1280, height: int = 1600,
               full_page: bool = False, dark: bool = False) -> list[str]:
    """Write the PNG; returns the problems seen (external requests, errors, failed loads)."""
    from playwright.sync_api import sync_playwright

    if not (SITE / "index.html").exists():
        raise SystemExit("site/ is not built: run `make docs` first")
    problems: list[str] = []
    with serve(SITE) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": width, "height": height},
                                      color_scheme="dark" if dark else "light")

        def route(r):
            url = r.request.url
            if url.startswith(("data:", "blob:")) or urlsplit(url).hostname == "127.0.0.1":
                r.continue_()
            else:
                problems.append(f"blocked external request: {url}")
                r.abort()

        context.route("**/*", route)
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
    return problems


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
