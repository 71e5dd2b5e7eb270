"""The ``dlref`` MkDocs plugin: executed snippets with a cache, provenance footers, a ledger.

List it after ``markdown-exec`` in ``mkdocs.yml``::

    plugins:
      - markdown-exec: {languages: [python]}
      - dlref

What it does, by MkDocs event:

* ``on_config``: fixes the environment every block and notebook kernel sees (profile,
  headless matplotlib, a check log for kernels), and puts `Executor`
  in front of markdown-exec's python formatter so blocks are cached.
* ``on_files``: serves MathJax (from the ``django-static-mathjax`` wheel) from the site itself.
* ``on_page_content``: strips the notebook template's CDN scripts and appends the provenance footer.
* ``on_post_page``: fills the Verification page with every check of this build.
* ``on_post_build``: writes ``site/build-report.json``.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
import shutil
import time
from pathlib import Path
from typing import Any

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File

from dlref._site.execute import FIGURE_PREFIX, BlockRecord, Executor, tree_hash

log = get_plugin_logger(__name__)

VERIFICATION_MARKER = "<!-- dlref:verification -->"
# The notebook template (nbconvert's lab template, as mkdocs-jupyter uses it) loads MathJax 2
# and mermaid.js from a CDN; the site loads its own MathJax, so those scripts are dropped.
_NOTEBOOK_SCRIPTS = re.compile(
    r'<script[^>]*src="[^"]*mathjax[^"]*"[^>]*>\s*</script>'
    r'|<script type="text/x-mathjax-config">.*?</script>'
    r'|<script type="module">(?:(?!</script>).)*?mermaid.*?</script>',
    re.S | re.I,
)


class _CacheHits(logging.Handler):
    """Notes which notebooks mkdocs-jupyter served from its cache (it logs "Cache hit: <path>")."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.paths: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("Cache hit: "):
            self.paths.add(str(Path(record.getMessage()[len("Cache hit: "):]).resolve()))


class DlrefPluginConfig(Config):
    cache_dir = config_options.Type(str, default=".cache/dlref-exec")
    snippets_dir = config_options.Type(str, default="snippets")
    verification_page = config_options.Type(str, default="verification.md")
    jupyter_cache_dir = config_options.Type(str, default=".cache/mkdocs-jupyter")


class DlrefPlugin(BasePlugin[DlrefPluginConfig]):
    def on_config(self, config: Any) -> Any:
        from dlref import provenance

        self.root = Path(config["config_file_path"]).parent
        os.environ.setdefault("MPLBACKEND", "Agg")
        os.environ["DLREF_DOCS_BUILD"] = "1"
        import dlref

        self.profile = dlref.profile()
        os.environ["DLREF_PROFILE"] = self.profile  # notebook kernels inherit the same profile
        self.provenance = provenance.collect(self.root)
        self.fresh = os.environ.get("DLREF_FRESH", "") not in ("", "0")
        self.build_start = time.perf_counter()

        cache_dir = self.root / self.config.cache_dir
        code_hash = tree_hash([Path(dlref.__file__).parent], "**/*.py")
        results_hash = tree_hash([self.root / "results"])
        salt = "|".join([code_hash, results_hash, self.profile, self.provenance["device"].split()[0]])
        self._invalidate_notebook_cache(cache_dir, salt)
        self.executor = Executor(
            cache_dir, self.root / self.config.snippets_dir, salt, self.fresh, provenance.one_line(self.provenance)
        )
        self.figures_dir = cache_dir / "figures"
        self.used_figures: set[str] = set()
        # Notebook kernels write their figures here too (see dlref.figures.show).
        os.environ["DLREF_BUILD_FIGURES"] = str(self.figures_dir)
        self.check_log = cache_dir / "notebook-checks.jsonl"
        self.check_log.parent.mkdir(parents=True, exist_ok=True)
        self.check_log.write_text("")
        os.environ["DLREF_CHECK_LOG"] = str(self.check_log)
        self.notebooks: list[BlockRecord] = []
        jupyter_logger = logging.getLogger("mkdocs.plugins.mkdocs_jupyter")
        for handler in [h for h in jupyter_logger.handlers if isinstance(h, _CacheHits)]:
            jupyter_logger.removeHandler(handler)  # `mkdocs serve` calls on_config on every rebuild
        self.cache_hits = _CacheHits()
        jupyter_logger.addHandler(self.cache_hits)
        if jupyter_logger.getEffectiveLevel() > logging.INFO:
            jupyter_logger.setLevel(logging.INFO)
        self._page_start: dict[str, float] = {}

        fences = config["mdx_configs"].get("pymdownx.superfences", {}).get("custom_fences", [])
        python = [f for f in fences if f.get("name") == "python" and f.get("format").__module__.startswith("markdown_exec")]
        if not python:
            raise PluginError("the dlref plugin must come after markdown-exec (with languages: [python]) in mkdocs.yml")
        for fence in python:
            fence["format"] = self.executor.formatter
        return config

    def _invalidate_notebook_cache(self, cache_dir: Path, salt: str) -> None:
        """mkdocs-jupyter keys its cache on the notebook file only: clear it when dlref changes."""
        stamp = cache_dir / "notebook-salt"
        jupyter_cache = self.root / self.config.jupyter_cache_dir
        if self.fresh or not stamp.exists() or stamp.read_text() != salt:
            shutil.rmtree(jupyter_cache, ignore_errors=True)
            cache_dir.mkdir(parents=True, exist_ok=True)
            stamp.write_text(salt)

    def on_files(self, files: Any, config: Any) -> Any:
        try:
            import mathjax  # the django-static-mathjax wheel
        except ImportError as exc:
            raise PluginError("MathJax assets missing: pip install 'dlref[docs]' (django-static-mathjax)") from exc
        src = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5" / "tex-svg-full.js"
        if not src.exists():
            src = src.with_name("tex-svg.js")
        files.append(File.generated(config, "assets/mathjax/tex-svg.js", abs_src_path=str(src)))
        return files

    def on_page_markdown(self, markdown: str, page: Any, **kwargs: Any) -> str:
        self.executor.page = page.file.src_uri
        self._page_start[page.file.src_uri] = time.perf_counter()
        return markdown

    def on_page_content(self, content: str, page: Any, **kwargs: Any) -> str:
        uri = page.file.src_uri
        # Figures are SVG files under site/figures/ (small pages, a fast search index).
        self.used_figures.update(re.findall(re.escape(FIGURE_PREFIX) + r"([0-9a-f]+\.svg)", content))
        content = content.replace(FIGURE_PREFIX, "../" * page.url.count("/") + "figures/")
        blocks = [r for r in self.executor.records if r.page == uri]
        if uri.endswith(".py"):  # a jupytext notebook rendered by mkdocs-jupyter
            content = _NOTEBOOK_SCRIPTS.sub("", content)
            seconds = time.perf_counter() - self._page_start.get(uri, time.perf_counter())
            checks = self._read_notebook_checks()
            cached = str(Path(page.file.abs_src_path).resolve()) in self.cache_hits.paths
            if cached:
                checks, seconds = self._notebook_memo(page, None)
            else:
                self._notebook_memo(page, (checks, seconds))
            record = BlockRecord(uri, f"docs/{uri}", seconds, "ok", cached, checks)
            self.notebooks.append(record)
            blocks = [record]
        if not blocks:
            return content
        return content + self._footer(blocks)

    def _notebook_memo(self, page: Any, value: tuple[list, float] | None) -> tuple[list, float]:
        """Remember a notebook's checks and run time, so a cache hit still reports them."""
        memo = self.executor.cache_dir / "notebooks" / (re.sub(r"[^A-Za-z0-9]+", "_", page.file.src_uri) + ".json")
        if value is not None:
            memo.parent.mkdir(parents=True, exist_ok=True)
            memo.write_text(json.dumps({"checks": value[0], "seconds": value[1]}), encoding="utf-8")
            return value
        if memo.exists():
            stored = json.loads(memo.read_text(encoding="utf-8"))
            return stored["checks"], stored["seconds"]
        return [], 0.0

    def _read_notebook_checks(self) -> list[dict[str, Any]]:
        lines = self.check_log.read_text(encoding="utf-8").splitlines()
        self.check_log.write_text("")
        return [json.loads(line) for line in lines if line.strip()]

    def _footer(self, blocks: list[BlockRecord]) -> str:
        p = self.provenance
        ran = [b for b in blocks if not b.cached]
        cached = [b for b in blocks if b.cached]
        executed = f"{len(ran)} block(s) executed in {sum(b.seconds for b in ran):.1f} s"
        if cached:
            executed += f"; {len(cached)} from cache (originally {sum(b.seconds for b in cached):.1f} s)"
        items = [
            f"profile <b>{p['profile']}</b>", html.escape(p["device"]), f"torch {p['torch']}",
            f"dlref {p['dlref']}", f"commit <code>{p['commit']}</code>", f"built {p['date']}", executed,
        ]
        return '<div class="dlref-provenance">' + " · ".join(items) + "</div>"

    def on_post_page(self, output: str, page: Any, config: Any) -> str:
        if page.file.src_uri != self.config.verification_page or VERIFICATION_MARKER not in output:
            return output
        return output.replace(VERIFICATION_MARKER, self._verification_table(page))

    def _all_records(self) -> list[BlockRecord]:
        return self.executor.records + self.notebooks

    def _verification_table(self, page: Any) -> str:
        rows, n_checks, n_failed = [], 0, 0
        depth = page.url.count("/")
        for record in self._all_records():
            for c in record.checks:
                n_checks += 1
                n_failed += not c["passed"]
                url = "../" * depth + _page_url(record.page)
                status = "✅" if c["passed"] else "❌"
                rows.append(
                    f'<tr><td><a href="{url}">{html.escape(record.page)}</a></td><td>{html.escape(c["name"])}</td>'
                    f'<td>{html.escape(c["method"])}</td><td>{c["tolerance"]:.0e}</td><td>{c["rel_error"]:.1e}</td><td>{status}</td></tr>'
                )
        summary = f"<p><b>{n_checks}</b> checks in this build, <b>{n_failed}</b> failed.</p>"
        head = "<tr><th>Page</th><th>Check</th><th>Against</th><th>Tolerance</th><th>Observed rel. error</th><th></th></tr>"
        return summary + f'<table class="dlref-verification"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'

    def on_post_build(self, config: Any) -> None:
        records = self._all_records()
        report = {
            "provenance": self.provenance,
            "fresh": self.fresh,
            "build_seconds": round(time.perf_counter() - self.build_start, 3),
            "execution_seconds": round(sum(r.seconds for r in records if not r.cached), 3),
            "snippets": [
                {"page": r.page, "snippet": r.snippet, "seconds": round(r.seconds, 4), "status": r.status, "cached": r.cached}
                for r in records
            ],
            "checks": [
                {"page": r.page, "snippet": r.snippet, "name": c["name"], "method": c["method"],
                 "tolerance": c["tolerance"], "error": c["rel_error"], "max_abs_error": c["max_abs_error"],
                 "passed": c["passed"]}
                for r in records for c in r.checks
            ],
        }
        site_figures = Path(config["site_dir"]) / "figures"
        site_figures.mkdir(parents=True, exist_ok=True)
        for name in sorted(self.used_figures):
            shutil.copyfile(self.figures_dir / name, site_figures / name)
        out = Path(config["site_dir"]) / "build-report.json"
        out.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
        failed = [r for r in records if r.status != "ok"]
        log.info("build report: %d blocks (%d failed), %d checks -> %s", len(records), len(failed), len(report["checks"]), out)


def _page_url(src_uri: str) -> str:
    stem = re.sub(r"\.(md|py|ipynb)$", "", src_uri)
    if stem == "index" or stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"
