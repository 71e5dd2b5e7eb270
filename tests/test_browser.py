"""The template page in a real (headless) Chromium, served from 127.0.0.1 only.

Every request stays on the local server, nothing fails or logs an error, MathJax
typesets all the math (no raw TeX left, no MathJax error nodes), and the palette
toggle switches to dark mode.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dlref._site.browser import CHROMIUM, launch, offline_context, serve

pytestmark = pytest.mark.site

ROOT = Path(__file__).resolve().parents[1]
PAGE = "/backprop/mlp/"
RAW_TEX = ("$$", "\\[", "\\]", "\\(", "\\)")
# Text outside code and outside typeset math that still holds TeX delimiters (e.g. display
# math that Arithmatex never saw because of missing blank lines).
STRAY_TEX_JS = r"""() => {
  const root = document.querySelector("article") || document.body, out = [];
  const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n; (n = walk.nextNode()); ) {
    if (n.parentElement.closest("pre, code, script, style, mjx-container, .arithmatex")) continue;
    if (/\$\$|\\\[|\\\(|\\begin\{/.test(n.textContent)) out.push(n.textContent.trim().slice(0, 80));
  }
  return out;
}"""

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed (Debian package `chromium`)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


@pytest.fixture(scope="module")
def server(site_dir):
    with serve(site_dir) as base:
        yield base


@pytest.fixture(scope="module")
def loaded(server):
    """The template page after MathJax has finished, with everything the browser saw."""
    seen = {"requests": [], "external": [], "failed": [], "console": [], "errors": []}
    with sync_api.sync_playwright() as pw:
        browser = launch(pw)
        context = offline_context(browser, seen["external"], viewport={"width": 1280, "height": 900}, color_scheme="light")
        context.set_default_timeout(15_000)
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
        seen["stray_tex"] = page.evaluate(STRAY_TEX_JS)

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


def test_template_page_in_chromium(loaded):
    """One test (one browser launch, also under pytest-xdist); every problem is listed."""
    problems = []
    if not loaded["requests"]:
        problems.append("no requests were recorded")
    problems += [f"request to another host: {u}" for u in loaded["external"]]
    problems += [f"failed request: {f}" for f in loaded["failed"]]
    problems += [f"console error: {m}" for m in loaded["console"]]
    problems += [f"page error: {e}" for e in loaded["errors"]]
    if loaded["mjx"] == 0:
        problems.append("no mjx-container elements: MathJax did not typeset the page")
    problems += [f"MathJax error: {e}" for e in loaded["mjx_errors"]]
    if not loaded["arithmatex"]:
        problems.append("no .arithmatex elements on the page")
    problems += [
        f"raw TeX left in an .arithmatex element: {t.strip()[:80]!r}"
        for t in loaded["arithmatex"]
        if any(d in t for d in RAW_TEX)
    ]
    problems += [f"raw TeX outside math elements: {t!r}" for t in loaded["stray_tex"]]
    if "slate" not in loaded["palette_inputs"]:
        problems.append(f"no dark (slate) palette option: {loaded['palette_inputs']}")
    if not loaded["toggle_visible"]:
        problems.append("the 'Switch to dark mode' toggle is not visible in the header")
    elif loaded["scheme_after_toggle"] != "slate":
        problems.append("clicking the dark-mode toggle did not switch to the slate scheme")
    assert not problems, f"{PAGE} in Chromium:\n  " + "\n  ".join(problems)


def test_every_page_loads_offline_without_errors(server, site_dir):
    """Every built page: no request leaves 127.0.0.1, no console/page error, no stray raw TeX.

    Executed notebooks are also checked for typeset math and inline figures.
    """
    pages = sorted(
        "/" + p.parent.relative_to(site_dir).as_posix() + "/"
        for p in site_dir.rglob("index.html")
        if p.parent != site_dir and not p.relative_to(site_dir).parts[0].startswith(("assets", "search"))
    )
    pages = ["/"] + [p for p in pages if p != "/./"]
    problems = []
    with sync_api.sync_playwright() as pw:
        browser = launch(pw)
        blocked: list[str] = []
        context = offline_context(browser, blocked, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(20_000)
        page = context.new_page()
        current = {"url": ""}
        page.on("console", lambda m: m.type == "error" and problems.append(f"{current['url']}: console error: {m.text}"))
        page.on("pageerror", lambda e: problems.append(f"{current['url']}: page error: {e}"))
        page.on("response", lambda r: r.status >= 400 and problems.append(f"{current['url']}: HTTP {r.status} for {r.url}"))
        for path in pages:
            current["url"] = path
            page.goto(server + path, wait_until="load")
            page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
            page.evaluate("() => MathJax.startup.promise.then(() => true)")
            problems += [f"{path}: raw TeX outside math: {t!r}" for t in page.evaluate(STRAY_TEX_JS)]
            if path.rstrip("/").endswith(".nb"):
                source = ROOT / "docs" / (path.strip("/") + ".py")
                has_tex = any(ln.startswith("# ") and "$" in ln for ln in source.read_text(encoding="utf-8").splitlines())
                if has_tex and page.locator(".jp-RenderedMarkdown mjx-container").count() == 0:
                    problems.append(f"{path}: no typeset math in the notebook's Markdown cells")
                if page.locator(".dlref-figure img").count() == 0:
                    problems.append(f"{path}: no figure displayed by the notebook")
        browser.close()
    problems += [f"request to another host: {u}" for u in blocked]
    assert len(pages) > 3
    assert not problems, "\n".join(problems)
