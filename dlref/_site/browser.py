"""A built site in headless Chromium with no network: a local static server and an offline context.

Shared by the browser tests (``tests/test_browser.py``) and the README screenshot
(``tools/screenshot.py``): the site is served from 127.0.0.1 on a free port, and every request
for another host is aborted and recorded, so a page that needs a CDN shows up as a failure.
"""

from __future__ import annotations

import functools
import http.server
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:  # keep test and tool output clean
        pass


@contextmanager
def serve(directory: str | Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 at a free port; yields the base URL (no trailing slash)."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(directory)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def site_pages(site_dir: str | Path) -> list[str]:
    """URL paths of every page of a built site (``/``, ``/backprop/mlp/``, ...), sorted; no 404 page."""
    site_dir = Path(site_dir)
    pages = {
        "/" + p.parent.relative_to(site_dir).as_posix() + "/"
        for p in site_dir.rglob("index.html")
        if p.parent != site_dir and p.relative_to(site_dir).parts[0] not in ("assets", "search")
    }
    return ["/"] + sorted(pages)


def launch(playwright: Any) -> Any:
    """Headless Chromium from the Debian package, with background networking switched off."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)


def offline_context(browser: Any, blocked: list[str], **options: Any) -> Any:
    """A browser context whose requests may not leave 127.0.0.1: others are aborted and listed in ``blocked``."""
    context = browser.new_context(**options)

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith(("data:", "blob:")) or urlsplit(url).hostname == "127.0.0.1":
            r.continue_()
        else:
            blocked.append(url)
            r.abort()

    context.route("**/*", route)
    return context
