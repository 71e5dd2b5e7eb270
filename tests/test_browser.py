"""The site in a real (headless) Chromium, served from 127.0.0.1 only.

* The template page: every request stays on the local server, nothing fails or logs an
  error, MathJax typesets all the math, and the palette toggle switches to dark mode.
* Every page, as a phone (390 px) and a desktop (1280 px) shows it, light and dark: display
  math has a real size and no raw TeX is left; figures load; no console error, no request off
  the local host; the page does not overflow sideways; every internal link and anchor
  resolves; every copy button copies its code; search finds pages; and a first visit
  transfers at most ``benchmarks/page_weight.py``'s limit.

Each page is loaded once, at 390 px (the narrow layout is where things break); the checks run
light and dark, then again after the viewport is widened to 1280 px. Routing every request
(the offline context) switches Chromium's HTTP cache off, so each load is a first visit.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from dlref.lab import benchmarks
from dlref._site.browser import CHROMIUM, launch, offline_context, serve, site_pages

# One worker visits the site once for all the tests below (make test: pytest -n 2 --dist loadgroup).
pytestmark = [pytest.mark.site, pytest.mark.xdist_group("browser")]

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


WIDTHS = (390, 1280)
SCHEMES = {"light": "default", "dark": "slate"}
MIN_MATH_PX = 8  # a typeset display equation is at least this tall and wide (a collapsed one is 0–1 px)
MIN_CONTRAST = 4.5  # WCAG AA, body-size text

# Everything one look at the page needs, as JSON. Run at each width and scheme.
LOOK_JS = r"""() => {
  const doc = document.documentElement, width = doc.clientWidth;
  const short = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.classList.length ? "." + [...el.classList].slice(0, 2).join(".") : "");
  const scrolls = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (o === "auto" || o === "scroll" || o === "hidden" || o === "clip") return a;
    }
    return null;
  };
  const math = [];
  for (const el of document.querySelectorAll("div.arithmatex, .jp-RenderedMarkdown mjx-container[display='true']")) {
    const mjx = el.matches("mjx-container") ? el : el.querySelector("mjx-container");
    if (!mjx) { math.push({raw: el.textContent.trim().slice(0, 60)}); continue; }
    const inner = mjx.querySelector("mjx-math, svg") || mjx, r = inner.getBoundingClientRect();
    const box = scrolls(inner);
    const cut = r.right > width + 1 && !(box && box.scrollWidth > box.clientWidth);
    math.push({w: r.width, h: r.height, cut, tex: (el.getAttribute("data-tex") || el.textContent).slice(0, 40)});
  }
  const rawInline = [...document.querySelectorAll("span.arithmatex")].filter((el) => !el.querySelector("mjx-container"))
    .map((el) => el.textContent.trim().slice(0, 60));
  const overflow = [];
  if (doc.scrollWidth > width + 1) {
    for (const el of document.querySelectorAll("body *")) {
      const r = el.getBoundingClientRect();
      if (r.right > width + 1 && r.width > 0 && !scrolls(el)) overflow.push(short(el) + ` (right edge ${Math.round(r.right)} px)`);
      if (overflow.length >= 3) break;
    }
  }
  const rgb = (c) => (c.match(/[\d.]+/g) || [0, 0, 0]).slice(0, 3).map(Number);
  const lum = (c) => {
    const [r, g, b] = rgb(c).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const contrast = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const bg = getComputedStyle(document.body).backgroundColor;
  const samples = [document.querySelector("article p"), document.querySelector("article mjx-container")].filter(Boolean);
  return {
    scheme: document.body.dataset.mdColorScheme,
    scrollWidth: doc.scrollWidth, width, overflow, math, rawInline,
    mathErrors: [...document.querySelectorAll("mjx-merror, [data-mjx-error]")].map((e) => e.getAttribute("data-mjx-error") || e.textContent),
    lowContrast: samples.map((el) => [short(el), contrast(getComputedStyle(el).color, bg)]),
  };
}"""
# Once per page: figures, links, ids, copy buttons.
PAGE_JS = r"""async () => {
  const images = [...document.images].filter((i) => !i.complete || i.naturalWidth === 0).map((i) => i.getAttribute("src"));
  const links = [...new Set([...document.querySelectorAll("a[href]")].map((a) => a.href))];
  const ids = [...document.querySelectorAll("[id], a[name]")].map((e) => e.id || e.getAttribute("name"));
  const copies = [];
  const buttons = [...document.querySelectorAll("[data-clipboard-target], clipboard-copy")];
  for (const [i, button] of buttons.entries()) {
    let target = null, error = "";
    try {
      const sel = button.getAttribute("data-clipboard-target");
      target = sel ? document.querySelector(sel) : document.getElementById(button.getAttribute("for"));
    } catch (e) { error = String(e); }
    const expected = target ? target.textContent.trim().split("\n")[0].trim() : "";
    let copied = "";
    if (target) {
      for (let d = button.closest("details"); d; d = d.parentElement.closest("details")) d.open = true;  // as a reader would
      await navigator.clipboard.writeText("");
      button.click();
      for (let t = 0; t < 20 && !copied; t++) { await new Promise((r) => setTimeout(r, 10)); copied = await navigator.clipboard.readText(); }
    }
    const ok = !!target && !!expected && copied.includes(expected);
    if (!ok) copies.push({i, error: error || (target ? `copied ${JSON.stringify(copied.slice(0, 40))}, expected ${JSON.stringify(expected.slice(0, 40))}` : "no target")});
  }
  return {images, links, ids, buttons: buttons.length, copies};
}"""


def _wait_for_math(page) -> None:
    """MathJax, where the page loads it, has typeset everything."""
    if page.locator("script#dlref-mathjax").count():
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
        page.evaluate("() => MathJax.startup.promise.then(() => true)")
    page.wait_for_load_state("networkidle")  # fonts MathJax asked for, figures in view


def _set_scheme(page, scheme: str) -> None:
    """Switch with the header's palette toggle, as a reader does (no-op if already there)."""
    if page.evaluate("() => document.body.dataset.mdColorScheme") != SCHEMES[scheme]:
        page.locator("[data-md-component=palette] label:not([hidden])").first.click()
    page.wait_for_function(f"() => document.body.dataset.mdColorScheme === '{SCHEMES[scheme]}'", timeout=5_000)
    _settle(page)


def _settle(page) -> None:
    """Wait for CSS transitions (Material animates the header search box when the width changes)."""
    page.wait_for_function(
        "() => document.getAnimations().every((a) => !(a instanceof CSSTransition) || a.playState !== 'running')",
        timeout=5_000,
    )


@pytest.fixture(scope="module")
def site(server, site_dir):
    """Every page, looked at in Chromium at each width and scheme: what the tests below check."""
    weight = benchmarks.load("page_weight")
    pages = site_pages(site_dir)
    seen = {"pages": pages, "looks": {}, "once": {}, "weights": {}, "errors": [], "blocked": [], "search": None}
    with sync_api.sync_playwright() as pw:
        browser = launch(pw)
        context = offline_context(
            browser, seen["blocked"], viewport={"width": WIDTHS[0], "height": 900},
            permissions=["clipboard-read", "clipboard-write"],
        )
        # Material remembers a chosen palette; each page starts from the system preference.
        context.add_init_script("try { localStorage.clear(); } catch (e) {}")
        context.set_default_timeout(20_000)
        page = context.new_page()
        current, finished = {"path": ""}, []
        page.on("requestfinished", lambda r: finished.append(r))
        page.on("console", lambda m: m.type == "error" and seen["errors"].append(f"{current['path']}: console error: {m.text}"))
        page.on("pageerror", lambda e: seen["errors"].append(f"{current['path']}: page error: {e}"))
        page.on("response", lambda r: r.status >= 400 and seen["errors"].append(f"{current['path']}: HTTP {r.status} for {r.url}"))
        for path in pages:
            current["path"] = path
            finished.clear()
            page.set_viewport_size({"width": WIDTHS[0], "height": 900})
            page.emulate_media(color_scheme="light")
            page.goto(server + path, wait_until="load")
            _wait_for_math(page)
            seen["weights"][path] = weight.tally(finished)  # opening the page
            weight.load_every_figure(page)  # then every figure, as if read to the end
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                _settle(page)
                for scheme in (("light", "dark") if width == WIDTHS[0] else ("dark", "light")):
                    try:
                        _set_scheme(page, scheme)
                    except sync_api.TimeoutError:
                        seen["errors"].append(f"{path}: the palette toggle did not switch to {scheme}")
                    seen["looks"][path, width, scheme] = page.evaluate(LOOK_JS)
            seen["once"][path] = page.evaluate(PAGE_JS)
            if path == "/":
                seen["search"] = _search(page)
        browser.close()
    return seen


def _search(page) -> int:
    """How many results the search box lists for "backpropagation" (the index loads on demand)."""
    query = page.locator("input[data-md-component=search-query]")
    query.click()  # at 1280 px the search box is in the header
    query.fill("backpropagation")
    try:
        page.wait_for_selector(".md-search-result__item", timeout=15_000)
    except sync_api.TimeoutError:
        return 0
    return page.locator(".md-search-result__item").count()


def _report(problems: list[str]) -> str:
    return f"{len(problems)} problem(s):\n  " + "\n  ".join(problems[:60])


def test_every_page_shows_its_math(site):
    """Display math typeset with a real size (scrolling inside it when wider than the screen)."""
    problems = []
    for (path, width, scheme), look in site["looks"].items():
        where = f"{path} at {width} px, {scheme}"
        for m in look["math"]:
            if "raw" in m:
                problems.append(f"{where}: display math left as raw TeX: {m['raw']!r}")
            elif m["w"] < MIN_MATH_PX or m["h"] < MIN_MATH_PX:
                problems.append(f"{where}: display math collapsed to {m['w']:.0f}×{m['h']:.0f} px: {m['tex']!r}")
            elif m["cut"]:
                problems.append(f"{where}: display math cut off at the screen edge, no scrolling: {m['tex']!r}")
        problems += [f"{where}: inline math left as raw TeX: {t!r}" for t in look["rawInline"]]
        problems += [f"{where}: MathJax error: {e}" for e in look["mathErrors"]]
    n_math = sum(len(look["math"]) for look in site["looks"].values())
    assert n_math > 100, f"only {n_math} display equations seen: is the math still marked up?"
    assert not problems, _report(problems)


def test_every_page_loads_offline_without_errors(site):
    """No request leaves 127.0.0.1; no console error, page error or failed request; figures load."""
    problems = [f"request to another host: {u}" for u in sorted(set(site["blocked"]))] + site["errors"]
    for path, once in site["once"].items():
        problems += [f"{path}: figure did not load: {src}" for src in once["images"]]
    assert len(site["pages"]) > 30
    assert not problems, _report(problems)


def test_no_page_overflows_sideways(site):
    """The page itself never scrolls sideways; wide content scrolls inside its own box."""
    problems = [
        f"{path} at {width} px, {scheme}: page is {look['scrollWidth']} px wide on a {look['width']} px screen; "
        f"sticking out: {', '.join(look['overflow']) or '?'}"
        for (path, width, scheme), look in site["looks"].items()
        if look["scrollWidth"] > look["width"] + 1
    ]
    assert not problems, _report(problems)


def test_text_and_math_readable_in_both_schemes(site):
    """The page follows the light/dark preference, and text and math keep their contrast."""
    problems = []
    for (path, width, scheme), look in site["looks"].items():
        if look["scheme"] != SCHEMES[scheme]:
            problems.append(f"{path} at {width} px: scheme {look['scheme']!r}, expected {SCHEMES[scheme]!r}")
        problems += [
            f"{path} at {width} px, {scheme}: {el} has contrast {ratio:.1f} against the page"
            for el, ratio in look["lowContrast"] if ratio < MIN_CONTRAST
        ]
    assert not problems, _report(problems)


def test_internal_links_and_anchors_resolve(site, server, site_dir):
    """Every link to the site points at a page or file that exists, and its #anchor at an id there."""
    ids = {path: set(once["ids"]) for path, once in site["once"].items()}
    problems = []
    for path, once in site["once"].items():
        for href in once["links"]:
            url = urlsplit(href)
            if f"{url.scheme}://{url.netloc}" != server:
                continue
            target = url.path if url.path.endswith("/") or "." in url.path.rsplit("/", 1)[-1] else url.path + "/"
            if target in ids:
                if url.fragment and unquote(url.fragment) not in ids[target]:
                    problems.append(f"{path}: link to {target}#{url.fragment}: no such id on that page")
            elif not (site_dir / unquote(target).lstrip("/")).is_file():
                problems.append(f"{path}: link to {url.path}: no such page or file")
    assert not problems, _report(problems)


def test_every_copy_button_copies_its_code(site):
    """Each copy button (Material's and the notebooks') puts its block's code on the clipboard."""
    problems = [f"{path}: copy button {c['i']}: {c['error']}" for path, once in site["once"].items() for c in once["copies"]]
    assert sum(once["buttons"] for once in site["once"].values()) > 20
    assert not problems, _report(problems)


def test_search_finds_pages(site):
    """The search index, loaded when the reader opens the search box, answers a query."""
    assert site["search"], "searching for 'backpropagation' on the front page listed no results"


def test_first_visit_transfers_at_most_the_limit(site):
    """What opening each page transfers, empty cache (benchmarks/page_weight.py prints the heaviest)."""
    limit = benchmarks.load("page_weight").LIMIT
    heavy = {path: files for path, files in site["weights"].items() if sum(files.values()) > limit}
    problems = [
        f"{path}: {sum(files.values()) / 1e6:.2f} MB (largest: "
        + ", ".join(f"{name} {size / 1e3:.0f} kB" for name, size in files.most_common(3)) + ")"
        for path, files in sorted(heavy.items(), key=lambda kv: -sum(kv[1].values()))
    ]
    assert all(site["weights"].values()), "no transfers recorded"
    assert not problems, f"over {limit / 1e6:.1f} MB on a first visit:\n  " + "\n  ".join(problems)
