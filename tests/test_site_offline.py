"""The built site works offline and its build report is complete.

* No page, stylesheet or script in site/ makes the browser fetch anything from another
  host: HTML asset attributes (script src, stylesheet/icon/preload links, img/srcset,
  media, iframes, SVG image/use), CSS url() and @import (font-face sources included),
  and JS module imports / dynamic import() / importScripts of absolute URLs.
  Hyperlinks (<a href>), <link rel="canonical"> and URL strings inside text, comments
  or data: URIs are not fetches and are not reported.
* site/build-report.json: every snippet ran ("ok"); every check passed within tolerance;
  the provenance footer is on the template page; the verification page lists every check.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytestmark = pytest.mark.site

# --------------------------------------------------------------------------- scanner

# <link rel=...> values whose href the browser fetches (or connects to) by itself.
FETCHED_RELS = {
    "stylesheet", "preload", "modulepreload", "prefetch", "prerender", "preconnect",
    "dns-prefetch", "icon", "apple-touch-icon", "apple-touch-icon-precomposed",
    "mask-icon", "manifest",
}
# tag -> attributes holding a URL the browser loads.
ASSET_ATTRS = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "iframe": ("src",),
    "frame": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
    "image": ("href", "xlink:href"),  # SVG <image>
    "use": ("href", "xlink:href"),    # SVG <use> of an external document
    "feimage": ("href", "xlink:href"),
}
JS_TYPES = {"", "text/javascript", "application/javascript", "module", "text/ecmascript"}

ABSOLUTE = r"(?:https?:)?//[^\s\"'`)]+"
CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)""", re.I)
CSS_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.I)  # @import url(...) is CSS_URL
JS_LOADS = [
    # dynamic import("https://...")
    re.compile(r"""\bimport\s*\(\s*(["'`])(""" + ABSOLUTE + r""")\1\s*\)"""),
    # import x from "https://..." / export * from "https://..."
    re.compile(r"""\bfrom\s*(["'])(""" + ABSOLUTE + r""")\1"""),
    # side-effect import "https://..."
    re.compile(r"""\bimport\s*(["'])(""" + ABSOLUTE + r""")\1"""),
    # importScripts("https://...") in workers, new Worker("https://...")
    re.compile(r"""\b(?:importScripts|Worker|SharedWorker)\s*\(\s*(["'`])(""" + ABSOLUTE + r""")\1"""),
]
# Loaders that only run when a page contains a trigger: (script text, HTML pattern, why).
CONDITIONAL_LOADERS = [
    ("unpkg.com/mermaid", re.compile(r"""class="[^"]*\bmermaid\b"""),
     "mkdocs-material loads Mermaid from unpkg.com when a page has a .mermaid diagram"),
]


def is_external(url: str) -> bool:
    url = url.strip().lower()
    return url.startswith(("http:", "https:", "//"))


def srcset_urls(value: str) -> list[str]:
    return [part.split()[0] for part in value.split(",") if part.strip()]


def scan_css(text: str) -> list[str]:
    text = CSS_COMMENT.sub("", text)
    found = []
    for m in CSS_URL.finditer(text):
        url = next(g for g in m.groups() if g is not None)
        if is_external(url):
            found.append(url)
    for m in CSS_IMPORT.finditer(text):
        url = m.group(1) if m.group(1) is not None else m.group(2)
        if is_external(url):
            found.append(url)
    return found


def scan_js(text: str) -> list[str]:
    return [m.group(2) for pattern in JS_LOADS for m in pattern.finditer(text)]


class _AssetParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []  # (where, url)
        self._inline: str | None = None         # "css" / "js" while inside <style>/<script>
        self._buffer: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k.lower(): (v or "") for k, v in attrs}
        if "style" in a:
            self.found += [(f"<{tag} style>", u) for u in scan_css(a["style"])]
        if tag == "link":
            rels = set(a.get("rel", "").lower().split())
            if rels & FETCHED_RELS:
                urls = [a.get("href", "")] + srcset_urls(a.get("imagesrcset", ""))
                self.found += [(f'<link rel="{a["rel"]}">', u) for u in urls if is_external(u)]
        for attr in ASSET_ATTRS.get(tag, ()):
            if attr in a:
                urls = srcset_urls(a[attr]) if attr == "srcset" else [a[attr]]
                self.found += [(f"<{tag} {attr}>", u) for u in urls if is_external(u)]
        if tag == "style":
            self._inline, self._buffer = "css", []
        elif tag == "script" and "src" not in a and a.get("type", "").lower() in JS_TYPES:
            self._inline, self._buffer = "js", []

    def handle_data(self, data):
        if self._inline:
            self._buffer.append(data)

    def handle_endtag(self, tag):
        if self._inline and tag in ("style", "script"):
            text = "".join(self._buffer)
            urls = scan_css(text) if self._inline == "css" else scan_js(text)
            self.found += [(f"inline <{tag}>", u) for u in urls]
            self._inline = None


def scan_html(text: str) -> list[tuple[str, str]]:
    parser = _AssetParser()
    parser.feed(text)
    parser.close()
    return parser.found


def external_references(site: Path) -> list[str]:
    files = sorted(p for p in site.rglob("*") if p.suffix in (".html", ".css", ".js") and p.is_file())
    texts = {p.relative_to(site): p.read_text(encoding="utf-8", errors="replace") for p in files}
    problems = []
    for rel, text in texts.items():
        if rel.suffix == ".html":
            problems += [f"{rel}: {where} {url}" for where, url in scan_html(text)]
        elif rel.suffix == ".css":
            problems += [f"{rel}: css url()/@import {url}" for url in scan_css(text)]
        else:
            problems += [f"{rel}: js import {url}" for url in scan_js(text)]
    for needle, trigger, why in CONDITIONAL_LOADERS:
        loaders = [str(r) for r, t in texts.items() if r.suffix == ".js" and needle in t]
        pages = [str(r) for r, t in texts.items() if r.suffix == ".html" and trigger.search(t)]
        if loaders and pages:
            problems.append(f"{', '.join(loaders)}: {why}; triggered by {', '.join(pages)}")
    return problems


# ------------------------------------------------------------------ scanner self-test

@pytest.mark.parametrize(
    "snippet, expected",
    [
        ('<script src="https://cdn.example.com/x.js"></script>', ["https://cdn.example.com/x.js"]),
        ('<link rel="stylesheet" href="//fonts.example.com/css">', ["//fonts.example.com/css"]),
        ('<link rel="preconnect" href="https://fonts.gstatic.com">', ["https://fonts.gstatic.com"]),
        ('<link rel="shortcut icon" href="https://x.org/f.ico">', ["https://x.org/f.ico"]),
        ('<img srcset="a.png 1x, https://x.org/b.png 2x">', ["https://x.org/b.png"]),
        ('<div style="background:url(\'https://x.org/bg.png\')"></div>', ["https://x.org/bg.png"]),
        ("<style>@import 'https://x.org/a.css'; @font-face{src:url(//x.org/f.woff2)}</style>",
         ["//x.org/f.woff2", "https://x.org/a.css"]),
        ('<script type="module">import("https://esm.sh/m");import {a} from "https://x.org/b.js"</script>',
         ["https://esm.sh/m", "https://x.org/b.js"]),
        # not fetches:
        ('<a href="https://example.org/">link</a>', []),
        ('<link rel="canonical" href="https://example.org/page/">', []),
        ('<img src="data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=">', []),
        ("<style>.i{mask:url(\"data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'/>\")}</style>", []),
        ('<script>/* see https://example.org/licence */ var u = "https://example.org";</script>', []),
        ('<script type="application/json">{"url": "https://example.org/x.js"}</script>', []),
        ('<p>import("https://example.org") is how you would do it</p>', []),
    ],
)
def test_scanner_is_precise(snippet, expected):
    assert sorted(url for _, url in scan_html(snippet)) == sorted(expected)


# ---------------------------------------------------------------------- the real site

def test_no_external_assets(site_dir):
    problems = external_references(site_dir)
    assert not problems, (
        "the built site would fetch assets from other hosts (it must work offline):\n  "
        + "\n  ".join(problems)
    )


@pytest.fixture(scope="module")
def report(site_dir):
    return json.loads((site_dir / "build-report.json").read_text(encoding="utf-8"))


def test_report_snippets_all_ok(report):
    snippets = report.get("snippets")
    assert isinstance(snippets, list) and snippets, "build-report.json has no snippet records"
    bad = []
    for i, rec in enumerate(snippets):
        missing = [k for k in ("page", "snippet", "seconds", "status") if k not in rec]
        if missing:
            bad.append(f"snippets[{i}] lacks {missing}: {rec}")
        elif not isinstance(rec["seconds"], (int, float)) or not rec["seconds"] >= 0:
            bad.append(f"snippets[{i}] ({rec['snippet']}) has bad seconds {rec['seconds']!r}")
        elif rec["status"] != "ok":
            bad.append(f"snippets[{i}] ({rec['page']} / {rec['snippet']}) status {rec['status']!r}")
    assert not bad, "\n".join(bad)


def test_report_checks_all_pass(report):
    checks = report.get("checks")
    assert isinstance(checks, list) and checks, "build-report.json has no checks"
    bad = []
    for i, rec in enumerate(checks):
        missing = [k for k in ("name", "tolerance", "error", "passed") if k not in rec]
        if missing:
            bad.append(f"checks[{i}] lacks {missing}: {rec}")
            continue
        label = f"checks[{i}] {rec['name']!r} ({rec.get('method', '?')}, {rec.get('page', '?')})"
        tol, err = rec["tolerance"], rec["error"]
        # "shown": a check a page runs on purpose (raise_on_fail=False) to show a common mistake failing
        shown = rec.get("verdict") == "shown"
        if rec["passed"] is not (not shown):
            bad.append(f"{label}: passed is {rec['passed']!r} (verdict {rec.get('verdict')!r})")
        if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in (tol, err)):
            bad.append(f"{label}: non-numeric error/tolerance {err!r}/{tol!r}")
        elif not shown and not 0 <= err <= tol:
            bad.append(f"{label}: error {err:.3g} exceeds tolerance {tol:.3g}")
    assert not bad, "\n".join(bad)


class _Collector(HTMLParser):
    """Collects provenance footers and table rows (cell texts) of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.footers: list[str] = []
        self.rows: list[list[str]] = []
        self._footer_depth = 0   # >0 while inside div.dlref-provenance
        self._div_depth = 0
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "div":
            self._div_depth += 1
            if not self._footer_depth and "dlref-provenance" in (a.get("class") or "").split():
                self._footer_depth = self._div_depth
                self.footers.append("")
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "div":
            if self._footer_depth == self._div_depth:
                self._footer_depth = 0
            self._div_depth -= 1
        elif tag in ("td", "th") and self._cell is not None:
            if self.rows:
                self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._footer_depth:
            self.footers[-1] += data
        if self._cell is not None:
            self._cell.append(data)


def collect(path: Path) -> _Collector:
    c = _Collector()
    c.feed(path.read_text(encoding="utf-8"))
    c.close()
    return c


def test_template_page_has_provenance_footer(site_dir):
    page = site_dir / "backprop" / "mlp" / "index.html"
    assert page.exists(), f"{page} missing: run `make docs` first"
    footers = collect(page).footers
    assert footers, 'backprop/mlp has no <div class="dlref-provenance"> footer'
    assert all(f.strip() for f in footers), "the provenance footer is empty"


def test_verification_page_lists_every_check(site_dir, report):
    page = site_dir / "verification" / "index.html"
    assert page.exists(), f"{page} missing: the verification page was not built"
    # One list item per check: "<li class="dlref-passed">✓ <b>name</b> vs method: 1.0e-16 ...".
    items = re.findall(r'<li class="dlref-\w+">[^<]*<b>(.*?)</b> vs (.*?): ', page.read_text(encoding="utf-8"))
    have = Counter((html.unescape(name), html.unescape(method)) for name, method in items)
    wanted = Counter((c["name"], c.get("method")) for c in report["checks"])
    missing = [f"{name!r} ({method}): {have[name, method]} row(s) for {n} check(s)"
               for (name, method), n in wanted.items() if have[name, method] < n]
    assert not missing, "verification/index.html lacks rows for:\n  " + "\n  ".join(missing)


def test_no_page_shows_a_stale_stored_result(site_dir):
    """A stored result whose code or config changed must be re-run before it is published."""
    stale = [
        p.relative_to(site_dir).as_posix()
        for p in site_dir.rglob("index.html")
        if p.parent.name != "api" and "[STALE:" in p.read_text(encoding="utf-8")
    ]
    assert not stale, f"pages showing stale stored results (re-run them with DLREF_PROFILE=full): {stale}"
