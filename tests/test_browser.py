"""The template page in a real (headless) Chromium, served from 127.0.0.1 only.

Every request stays on the local server, nothing fails or logs an error, MathJax
typesets all the math (no raw TeX left, no MathJax error nodes), and the palette
toggle switches to dark mode.
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.site

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PAGE = "/backprop/mlp/"

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed (Debian package `chromium`)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


@pytest.fixture(scope="module")
def server(site_dir):
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def loaded(server):
    """The template page after MathJax has finished, with everything the browser saw."""
    seen = {"requests": [], "external": [], "failed": [], "console": [], "errors": []}
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
        context.set_default_timeout(15_000)

        def route(r):  # never let a request leave the machine; record it instead
            url = r.request.url
            if url.startswith(("data:", "blob:")) or urlsplit(url).hostname == "127.0.0.1":
                r.continue_()
            else:
                seen["external"].append(url)
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("request", lambda req: seen["requests"].append(req.url))
        page.on("requestfailed", lambda req: seen["failed"].append(f"{req.url} ({req.failure})"))
        page.on("response", lambda res: res.status >= 400 and seen["failed"].append(f"{res.url} (HTTP {res.status})"))
        page.on("console", lambda msg: msg.type == "error" and seen["console"].append(f"{msg.text} @ {msg.location}"))
        page.on("pageerror", lambda exc: seen["errors"].append(str(exc)))

        page.goto(server + PAGE, wait_until="load")
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
        page.evaluate("() => MathJax.startup.promise.then(() => true)")
        page.wait_for_load_state("networkidle")  # lazily loaded extensions, search index, ...

        seen["mjx"] = page.locator("mjx-container").count()
        seen["mjx_errors"] = page.eval_on_selector_all(
            "mjx-merror, [data-mjx-error]",
            "els => els.map(e => e.getAttribute('data-mjx-error') || e.textContent)",
        )
        seen["arithmatex"] = page.eval_on_selector_all(".arithmatex", "els => els.map(e => e.innerText)")

        # Palette: the toggle exists and switches the page to the dark (slate) scheme.
        seen["palette_inputs"] = page.eval_on_selector_all(
            "[data-md-component=palette] input.md-option", "els => els.map(e => e.dataset.mdColorScheme)"
        )
        toggle = page.locator("[data-md-component=palette] label[title='Switch to dark mode']")
        seen["toggle_visible"] = toggle.count() > 0 and toggle.first.is_visible()
        if seen["toggle_visible"]:
            toggle.first.click()
            page.wait_for_function("() => document.body.dataset.mdColorScheme === 'slate'", timeout=5_000)
        seen["scheme_after_toggle"] = page.evaluate("() => document.body.dataset.mdColorScheme")
        browser.close()
    return seen


def test_all_requests_stay_local(loaded):
    assert loaded["requests"], "no requests were recorded"
    assert not loaded["external"], "requests to other hosts:\n  " + "\n  ".join(loaded["external"])


def test_no_failed_requests(loaded):
    assert not loaded["failed"], "failed requests:\n  " + "\n  ".join(loaded["failed"])


def test_no_console_or_page_errors(loaded):
    problems = [f"console: {m}" for m in loaded["console"]] + [f"page error: {e}" for e in loaded["errors"]]
    assert not problems, "\n  ".join(["browser reported errors:", *problems])


def test_mathjax_typeset_everything(loaded):
    assert loaded["mjx"] > 0, "no mjx-container elements: MathJax did not typeset the page"
    assert not loaded["mjx_errors"], f"MathJax errors: {loaded['mjx_errors']}"
    assert loaded["arithmatex"], "no .arithmatex elements on the page"
    raw = [t.strip()[:80] for t in loaded["arithmatex"] if any(d in t for d in ("$$", "\\[", "\\]", "\\(", "\\)"))]
    assert not raw, "raw TeX left in .arithmatex elements:\n  " + "\n  ".join(raw)


def test_dark_mode_toggle(loaded):
    assert "slate" in loaded["palette_inputs"], f"no dark (slate) palette option: {loaded['palette_inputs']}"
    assert loaded["toggle_visible"], "the 'Switch to dark mode' toggle is not visible in the header"
    assert loaded["scheme_after_toggle"] == "slate", "clicking the toggle did not switch to the slate scheme"
