"""The ``dlref`` MkDocs plugin: executed snippets with a cache, provenance footers, a ledger.

List it after ``markdown-exec`` in ``mkdocs.yml``::

    plugins:
      - markdown-exec: {languages: [python]}
      - dlref

What it does, by MkDocs event:

* ``on_config``: fixes the environment every block and notebook kernel sees (profile,
  headless matplotlib, a check log for kernels), and puts `Executor`
  in front of markdown-exec's python formatter so blocks are cached.
* ``on_files``: serves MathJax's components (from the ``django-static-mathjax`` wheel) from the site itself.
* ``on_files``: also moves the notebooks, and before them the pages with ``prefetch`` blocks, to
  the end of the rendering order.
* ``on_nav``: notes each page's chapter, for the Verification page, and starts every notebook
  that is not cached, and every ``prefetch`` block, in a worker process (``dlref._site.notebooks``;
  one reset kernel per worker), so they execute while the other pages render.
* ``on_page_markdown``: waits for a notebook page's worker; a notebook run in this process (no
  workers) gets its own check log, which its kernel inherits.
* ``on_page_content``: strips the notebook template's CDN scripts and moves its inline CSS to
  one shared stylesheet (``dlref._site.notebook_css``), credits each check to the
  block or notebook cell that made it, adds the download links (notebook, script, Colab) and
  appends the provenance footer.
* ``on_post_page``: fills the Verification page with every check of this build.
* ``on_post_build``: writes the downloads and ``site/build-report.json``.

One setting, the plugin's ``repository`` (``https://github.com/<owner>/<name>``), gives the
site's ``repo_url``, its ``site_url`` (``https://<owner>.github.io/<name>/``, the site as
``mkdocs gh-deploy`` publishes it), the links to each snippet's source (branch ``main``) and the
Colab links (the notebooks as published on the ``gh-pages`` branch). ``repo_url`` or
``site_url`` set in ``mkdocs.yml`` (or by ``mkdocs serve``) take precedence.
"""

from __future__ import annotations

import functools
import hashlib
import html
import itertools
import json
import logging
import os
import re
import shutil
import multiprocessing
import tempfile
import time
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files

from dlref._site import downloads, notebook_css, notebooks
from dlref._site.execute import FIGURE_PREFIX, BlockRecord, Executor, tree_hash, write_atomic

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

# A rendered notebook's code cell and its input prompt ("In [3]:"): the cell gets the anchor id
# "in-3" (the template already uses "cell-<n>" for its copy buttons).
_CODE_CELL = re.compile(r'<div class="jp-Cell jp-CodeCell[^"]*"(?: id="[^"]*")?>')
_IN_PROMPT = re.compile(r">In(?:\xa0|&nbsp;| )\[(\d+)\]:")


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
    repository = config_options.Type(str, default="")  # https://github.com/<owner>/<name>
    # Processes that execute notebooks beside the main build: 0 = one per CPU beyond the first
    # (at least one); -1 = none (mkdocs-jupyter executes each notebook when its page renders).
    notebook_workers = config_options.Type(int, default=0)
    # A worker runs its notebooks in one kernel, reset between them (dlref._site.notebooks);
    # false: a new kernel for every notebook, as mkdocs-jupyter does.
    share_kernel = config_options.Type(bool, default=True)
    # Snippet files (paths from the project root) whose blocks run in a notebook worker's kernel
    # ahead of time, while the build renders other pages: for blocks that mostly wait (torchrun).
    prefetch = config_options.ListOfItems(config_options.Type(str), default=[])


class DlrefPlugin(BasePlugin[DlrefPluginConfig]):
    def on_config(self, config: Any) -> Any:
        from dlref.lab import provenance

        self.root = Path(config["config_file_path"]).parent
        os.environ.setdefault("MPLBACKEND", "Agg")
        os.environ["DLREF_DOCS_BUILD"] = "1"
        import dlref

        self.profile = dlref.profile()
        os.environ["DLREF_PROFILE"] = self.profile  # notebook kernels inherit the same profile
        self.provenance = provenance.collect(self.root)
        self.provenance_line = provenance.one_line(self.provenance)
        self.fresh = os.environ.get("DLREF_FRESH", "") not in ("", "0")
        self.build_start = time.perf_counter()

        cache_dir = self.root / self.config.cache_dir
        code_hash = tree_hash([Path(dlref.__file__).parent], "**/*.py")
        results_hash = tree_hash([self.root / "results"])
        salt = "|".join([code_hash, results_hash, self.profile, self.provenance["device"].split()[0]])
        self._invalidate_notebook_cache(cache_dir, salt)
        source_base = self._repository(config)
        self.executor = Executor(
            cache_dir, self.root / self.config.snippets_dir, salt, self.fresh, provenance.one_line(self.provenance),
            source_base,
        )
        self.figures_dir = cache_dir / "figures"
        self.used_figures: set[str] = set()
        # Notebook kernels write their figures here too (see dlref.lab.figures.show).
        os.environ["DLREF_BUILD_FIGURES"] = str(self.figures_dir)
        # This build's own scratch folder: each notebook kernel logs its checks to a file in it
        # (see on_page_markdown), so concurrent builds never share or wipe a check log.
        self.run_dir = Path(tempfile.mkdtemp(prefix="dlref-build-"))
        os.environ.pop("DLREF_CHECK_LOG", None)
        self.notebooks: list[BlockRecord] = []
        self.pages: dict[str, dict[str, Any]] = {}  # src_uri -> title, url, chapter, order
        self.downloads: dict[str, str] = {}  # file in the site -> text
        self._markdown: dict[str, str] = {}  # src_uri -> Markdown source of each page
        jupyter_logger = logging.getLogger("mkdocs.plugins.mkdocs_jupyter")
        for handler in [h for h in jupyter_logger.handlers if isinstance(h, _CacheHits)]:
            jupyter_logger.removeHandler(handler)  # `mkdocs serve` calls on_config on every rebuild
        self.cache_hits = _CacheHits()
        jupyter_logger.addHandler(self.cache_hits)
        if jupyter_logger.getEffectiveLevel() > logging.INFO:
            jupyter_logger.setLevel(logging.INFO)
        self._page_start: dict[str, float] = {}
        self._pool: ProcessPoolExecutor | None = None
        self._running: dict[str, Future] = {}  # notebook src_uri -> its worker's result
        self._blocks: list[Future] = []  # prefetched blocks' runs
        self._ran: dict[str, dict[str, Any]] = {}  # notebook src_uri -> checks and seconds of this build's run
        self.notebook_styles: dict[str, set[str]] = {}  # notebook CSS -> classes its pages use

        fences = config["mdx_configs"].get("pymdownx.superfences", {}).get("custom_fences", [])
        python = [f for f in fences if f.get("name") == "python" and f.get("format").__module__.startswith("markdown_exec")]
        if not python:
            raise PluginError("the dlref plugin must come after markdown-exec (with languages: [python]) in mkdocs.yml")
        for fence in python:
            fence["format"] = self.executor.formatter
        return config

    def _repository(self, config: Any) -> str:
        """Derive repo_url, site_url and the link bases from ``repository``; return the source base."""
        self.colab_base = ""
        repository = self.config.repository.strip()
        if not repository:
            return ""
        match = re.fullmatch(r"https://github\.com/([\w.-]+)/([\w.-]+?)(?:\.git)?/?", repository)
        if not match:
            raise PluginError(f"dlref: repository must look like https://github.com/<owner>/<name>; got {repository!r}")
        owner, name = match.groups()
        repo_url = f"https://github.com/{owner}/{name}"
        config["repo_url"] = config["repo_url"] or repo_url
        config["site_url"] = config["site_url"] or f"https://{owner}.github.io/{name}/"
        self.colab_base = f"https://colab.research.google.com/github/{owner}/{name}/blob/gh-pages/"
        return f"{repo_url}/blob/main/"

    def _invalidate_notebook_cache(self, cache_dir: Path, salt: str) -> None:
        """mkdocs-jupyter keys its cache on the notebook file only: clear it when dlref changes."""
        stamp = cache_dir / "notebook-salt"
        jupyter_cache = self.root / self.config.jupyter_cache_dir
        if self.fresh or not stamp.exists() or stamp.read_text() != salt:
            shutil.rmtree(jupyter_cache, ignore_errors=True)
            cache_dir.mkdir(parents=True, exist_ok=True)
            write_atomic(stamp, salt)

    def on_files(self, files: Any, config: Any) -> Any:
        try:
            import mathjax  # the django-static-mathjax wheel
        except ImportError as exc:
            raise PluginError("MathJax assets missing: pip install 'dlref[docs]' (django-static-mathjax)") from exc
        # MathJax's components, not a combined file: javascripts/mathjax.js loads startup.js (the
        # loader) only on pages with math, and it fetches core, TeX input and CHTML output
        # (about 0.75 MB in all, against 2.3 MB for tex-svg-full.js); TeX extensions beyond the
        # AMS set and each woff font come only when a page uses them.
        es5 = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
        wanted = [es5 / name for name in ("startup.js", "core.js", "input/tex.js", "output/chtml.js")]
        wanted += sorted((es5 / "input" / "tex" / "extensions").rglob("*.js"))
        wanted += sorted((es5 / "output" / "chtml").rglob("*.*"))
        for src in wanted:
            if not src.is_file():
                raise PluginError(f"MathJax component missing: {src} (reinstall django-static-mathjax)")
            files.append(File.generated(config, f"assets/mathjax/{src.relative_to(es5).as_posix()}", abs_src_path=str(src)))
        # MkDocs renders pages in the order of `files`: notebooks last, so that the workers
        # started in on_nav have the Markdown pages' rendering time to run them in.
        jupyter = config["plugins"].get("mkdocs-jupyter")
        if jupyter is not None and self.config.notebook_workers >= 0:
            last = [f for f in files if _is_notebook(f.src_uri) and jupyter.should_include(f)]
            # Pages with prefetched blocks just before them: their blocks run in a worker meanwhile.
            late = [f for f in files if f not in last and self._prefetched_in(f)]
            if last or late:
                files = Files([f for f in files if f not in last and f not in late] + late + last)
        return files

    def _prefetched_in(self, file: Any) -> bool:
        if not self.config.prefetch or not file.src_uri.endswith(".md") or not file.abs_src_path:
            return False
        text = Path(file.abs_src_path).read_text(encoding="utf-8", errors="replace")
        return any(path in text for path in self.config.prefetch)

    def on_nav(self, nav: Any, config: Any, files: Any) -> Any:
        for order, page in enumerate(nav.pages):
            chapter = page.parent.title if page.parent else ""
            self.pages[page.file.src_uri] = {"order": order, "chapter": chapter, "title": page.title, "url": page.url}
        self._start_notebooks([page for page in nav.pages if _is_notebook(page.file.src_uri)], config)
        return nav

    def _blocks_to_prefetch(self) -> list[tuple[str, str]]:
        """(snippet path, code) of each ``prefetch`` snippet that this build will execute."""
        todo = []
        for rel in self.config.prefetch:
            path = self.root / rel
            if not path.is_file():  # only a speed-up: the build is the same without it
                log.info("prefetch lists %s, which is not a file under %s: not prefetched", rel, self.root)
                continue
            code = path.read_text(encoding="utf-8")
            if not self.executor.is_cached(code):
                todo.append((rel, code))
        return todo

    def _start_notebooks(self, pages: list[Any], config: Any) -> None:
        """Hand every notebook (slowest first) and prefetched block that will execute to a worker."""
        workers = self.config.notebook_workers
        plugin = config["plugins"].get("mkdocs-jupyter")
        if workers < 0 or plugin is None or not plugin.config.get("cache"):
            return
        blocks = self._blocks_to_prefetch() if self.config.share_kernel else []
        from mkdocs_jupyter.plugin import _compute_cache_key, _get_cache_path

        jupyter = plugin.config
        todo = []
        for page in pages:
            if not plugin.should_include(page.file):
                continue
            execute = jupyter["execute"] and not any(
                Path(page.file.abs_src_path).match(pattern) for pattern in jupyter["execute_ignore"]
            )
            cache_path = _get_cache_path(jupyter["cache_dir"], _compute_cache_key(page.file.abs_src_path, jupyter, execute))
            if cache_path.exists() and self._notebook_memo(page) is not None:
                continue  # served from the cache, with its remembered checks
            cache_path.unlink(missing_ok=True)
            todo.append((page, execute, cache_path))
        if not todo and not blocks:
            return
        workers = min(workers or max(1, (os.cpu_count() or 1) - 1), len(todo) + len(blocks))
        # spawn: a fresh interpreter, whatever threads `mkdocs serve` has running in this one.
        self._pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
        options = notebooks.render_options(jupyter)
        # Each process (the main build and each worker's kernel) gets its share of the CPUs:
        # more threads than cores only makes them wait on each other.
        threads = max(1, (os.cpu_count() or 1) // (workers + 1))
        import torch

        self._main_threads = torch.get_num_threads()
        torch.set_num_threads(min(threads, self._main_threads))
        for rel, code in blocks:  # first: the main build reaches their pages before the notebooks
            future = self._pool.submit(
                notebooks.run_block, code, str(Path(rel).resolve()), str(self.run_dir / f"block-{len(self._blocks)}.json"),
                jupyter["kernel_name"], threads,
            )
            self._blocks.append(future)
            self.executor.prefetch(code, functools.partial(_block_result, future, rel))
        todo.sort(key=lambda item: -self._last_seconds(item[0]))
        for page, execute, cache_path in todo:
            uri = page.file.src_uri
            self._running[uri] = self._pool.submit(
                notebooks.run_notebook, page.file.abs_src_path, execute, options, str(cache_path),
                str(self._check_log(uri)), threads, self.config.share_kernel,
            )

    def _last_seconds(self, page: Any) -> float:
        """How long the notebook took when it last ran (0 if never): the slowest ones start first."""
        try:
            return float(json.loads(self._memo_path(page).read_text(encoding="utf-8"))["seconds"])
        except (OSError, ValueError, KeyError, TypeError):
            return 0.0

    def _join_notebook(self, page: Any) -> None:
        """Wait for the worker running this notebook; fail the build with its error, if any."""
        future = self._running.pop(page.file.src_uri, None)
        if future is None:
            return
        waited = time.perf_counter()
        try:
            result = future.result()
        except Exception as exc:  # the worker process died
            raise PluginError(f"dlref: the worker executing {page.file.src_uri} failed: {exc!r}") from exc
        if "error" in result:
            raise PluginError(f"dlref: notebook {page.file.src_uri} failed:\n{result['error']}")
        self._ran[page.file.src_uri] = result
        log.debug("waited %.1f s for the notebook %s", time.perf_counter() - waited, page.file.src_uri)
        self._remember_notebook(page, result["checks"], result["seconds"])

    def on_page_markdown(self, markdown: str, page: Any, config: Any, files: Any, **kwargs: Any) -> str:
        uri = page.file.src_uri
        self.executor.start_page(uri)
        self._page_start[uri] = time.perf_counter()
        if _is_notebook(uri) and uri in self._running:
            self._join_notebook(page)  # mkdocs-jupyter then finds the worker's cache entry
            os.environ.pop("DLREF_CHECK_LOG", None)
        elif _is_notebook(uri):
            # The kernel mkdocs-jupyter starts next inherits the environment: it logs this
            # notebook's checks, and only them, to a file of this build's own.
            log_file = self._check_log(uri)
            log_file.unlink(missing_ok=True)
            os.environ["DLREF_CHECK_LOG"] = str(log_file)
            if self._notebook_memo(page) is None:
                self._drop_jupyter_cache(page, config)
        else:
            os.environ.pop("DLREF_CHECK_LOG", None)  # blocks run in this process and record directly
            self._markdown[uri] = markdown
        return markdown

    def on_page_content(self, content: str, page: Any, config: Any, files: Any, **kwargs: Any) -> str:
        uri = page.file.src_uri
        info = self.pages.setdefault(uri, {"order": len(self.pages) + 10_000, "chapter": ""})
        info.update(title=page.title, url=page.url)
        # Figures are SVG files under site/figures/ (small pages, a fast search index).
        self.used_figures.update(re.findall(re.escape(FIGURE_PREFIX) + r"([0-9a-f]+\.svg)", content))
        content = content.replace(FIGURE_PREFIX, "../" * page.url.count("/") + "figures/")
        blocks = [r for r in self.executor.records if r.page == uri]
        if _is_notebook(uri):  # a jupytext notebook rendered by mkdocs-jupyter
            content, css, classes = notebook_css.split_styles(_NOTEBOOK_SCRIPTS.sub("", content))
            # nbconvert's id="cell-id=<id>" is no valid CSS selector, and Material's copy button
            # builds its selector from it ("not a valid selector" on click).
            content = re.sub(r'\bid="cell-id=([\w-]+)"', r'id="cell-\1"', content)
            self.notebook_styles.setdefault(css, set()).update(classes)
            link = "../" * page.url.count("/") + notebook_css.PATH
            content = f'<link rel="stylesheet" href="{link}">' + content
            _repair_toc(page.toc, content)
            content = _anchor_cells(content)  # the ledger links to cells
            os.environ.pop("DLREF_CHECK_LOG", None)
            seconds = time.perf_counter() - self._page_start.get(uri, time.perf_counter())
            cached = str(Path(page.file.abs_src_path).resolve()) in self.cache_hits.paths
            if uri in self._ran:  # executed by a worker in this build
                cached = False
                checks, seconds = self._ran[uri]["checks"], self._ran[uri]["seconds"]
            elif cached:
                checks, seconds = self._notebook_memo(page) or ([], seconds)
            else:
                checks = self._read_checks(uri)
                self._remember_notebook(page, checks, seconds)
            record = BlockRecord(uri, f"docs/{uri}", seconds, "ok", cached, checks)
            self.notebooks.append(record)
            blocks = [record]
        if not blocks:
            return content
        return self._add_downloads(content, page, config, files) + self._footer(blocks)

    # -- notebooks: their checks, and remembering them across cached builds ------------------
    def _check_log(self, uri: str) -> Path:
        return self.run_dir / (re.sub(r"[^A-Za-z0-9]+", "_", uri) + ".jsonl")

    def _read_checks(self, uri: str) -> list[dict[str, Any]]:
        log_file = self._check_log(uri)
        lines = log_file.read_text(encoding="utf-8").splitlines() if log_file.exists() else []
        return [json.loads(line) for line in lines if line.strip()]

    def _memo_path(self, page: Any) -> Path:
        return self.executor.cache_dir / "notebooks" / (re.sub(r"[^A-Za-z0-9]+", "_", page.file.src_uri) + ".json")

    def _memo_key(self, page: Any) -> str:
        """The notebook's source and this build's salt: what mkdocs-jupyter's cache entry stands for."""
        source = Path(page.file.abs_src_path).read_bytes()
        return hashlib.sha256(self.executor.salt.encode() + b"|" + source).hexdigest()

    def _notebook_memo(self, page: Any) -> tuple[list, float] | None:
        """The checks and run time of the notebook's cached execution, or ``None`` if not known."""
        try:
            stored = json.loads(self._memo_path(page).read_text(encoding="utf-8"))
            if stored["key"] == self._memo_key(page):
                return list(stored["checks"]), float(stored["seconds"])
        except (OSError, ValueError, KeyError, TypeError):  # missing, truncated or from an older build
            pass
        return None

    def _remember_notebook(self, page: Any, checks: list, seconds: float) -> None:
        memo = {"key": self._memo_key(page), "checks": checks, "seconds": seconds}
        write_atomic(self._memo_path(page), json.dumps(memo))

    def _drop_jupyter_cache(self, page: Any, config: Any) -> None:
        """A notebook whose checks are not remembered runs again: drop its mkdocs-jupyter cache entry."""
        try:
            from mkdocs_jupyter.plugin import _compute_cache_key, _get_cache_path

            jupyter = config["plugins"]["mkdocs-jupyter"].config
            key = _compute_cache_key(page.file.abs_src_path, jupyter, jupyter["execute"])
            _get_cache_path(jupyter["cache_dir"], key).unlink(missing_ok=True)
        except (ImportError, KeyError, TypeError, AttributeError):  # another mkdocs-jupyter: drop all of it
            shutil.rmtree(self.root / self.config.jupyter_cache_dir, ignore_errors=True)

    # -- downloads: the page as a notebook and a script, and a Colab link ---------------------
    def _add_downloads(self, content: str, page: Any, config: Any, files: Any) -> str:
        uri = page.file.src_uri
        folder = Path(page.file.abs_dest_path).parent
        site_url = config["site_url"] or ""

        def url_of(src: str) -> str:
            file = files.get_file_from_path(src)
            return site_url + (file.url if file is not None else src)

        intro = (
            f"*The page [{page.title}]({site_url}{page.url}) of dlref as a notebook, generated when the site "
            f"was built ({self.provenance_line}). Run the cells top to bottom; "
            "the first one installs `dlref` where it is missing.*"
        )
        if _is_notebook(uri):
            stem = Path(uri).name.removesuffix(".py").removesuffix(".nb")
            nb = downloads.jupytext_notebook(Path(page.file.abs_src_path), intro)
            script = Path(uri).name  # mkdocs-jupyter copies the notebook's own source (include_source)
        else:
            stem = Path(uri).stem
            nb = downloads.page_notebook(self._markdown[uri], self.root, uri, intro, url_of)
            script = f"{stem}.py"
            self.downloads[str(folder / script)] = downloads.to_script(nb)
        self.downloads[str(folder / f"{stem}.ipynb")] = downloads.to_ipynb(nb)
        links = [
            f'<a href="{stem}.ipynb" download>Notebook (.ipynb)</a>',
            f'<a href="{html.escape(script)}" download>Script (.py)</a>',
        ]
        if self.colab_base:
            where = Path(os.path.relpath(folder / f"{stem}.ipynb", config["site_dir"])).as_posix()
            links.append(f'<a href="{self.colab_base}{where}">Open in Colab</a>')
        bar = '<p class="dlref-downloads">Run this page yourself: ' + " · ".join(links) + "</p>"
        head = content.find("</h1>")
        return content[: head + 5] + bar + content[head + 5 :] if head >= 0 else bar + content

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
        """The ledger: every check of this build, by chapter and page, each linked to its block."""
        rows: dict[str, list[tuple[str, str, dict[str, Any], str]]] = {}
        for record in self._all_records():
            for c in record.checks:
                rows.setdefault(record.page, []).append((_anchor(record, c), record.snippet, c, _verdict(record, c)))
        verdicts = [row[3] for page_rows in rows.values() for row in page_rows]
        blocks = {(uri, row[0]) for uri, page_rows in rows.items() for row in page_rows}
        total = (
            f'<p class="dlref-ledger-total"><b>{len(verdicts)}</b> checks from <b>{len(blocks)}</b> blocks on '
            f"<b>{len(rows)}</b> pages: <b>{verdicts.count('passed')}</b> passed, <b>{verdicts.count('failed')}</b> failed"
        )
        if "shown" in verdicts:
            total += f", and <b>{verdicts.count('shown')}</b> checked a mistake that its page shows failing on purpose"
        parts = [total + ".</p>"]
        chapter = None
        prefix = "../" * page.url.count("/")
        for uri in sorted(rows, key=lambda u: (self.pages.get(u, {}).get("order", 1 << 30), u)):
            info = self.pages.get(uri, {})
            if info.get("chapter", "") != chapter:
                chapter = info.get("chapter", "")
                if chapter:
                    slug = re.sub(r"[^a-z0-9]+", "-", chapter.lower()).strip("-")
                    parts.append(f'<h2 id="ledger-{slug}">{html.escape(chapter)}</h2>')
            parts.append(_ledger_page(info.get("title") or uri, prefix + info.get("url", _page_url(uri)), rows[uri]))
        return "\n".join(parts)

    def on_post_build(self, config: Any) -> None:
        records = self._all_records()
        report = {
            "provenance": self.provenance,
            "fresh": self.fresh,
            "build_seconds": round(time.perf_counter() - self.build_start, 3),
            "execution_seconds": round(sum(r.seconds for r in records if not r.cached), 3),
            "snippets": [
                {"page": r.page, "snippet": r.snippet, "block": r.anchor, "seconds": round(r.seconds, 4),
                 "status": r.status, "cached": r.cached}
                for r in records
            ],
            "checks": [
                {"page": r.page, "snippet": r.snippet, "block": _anchor(r, c), "name": c["name"], "method": c["method"],
                 "tolerance": c["tolerance"], "error": c["rel_error"], "max_abs_error": c["max_abs_error"],
                 "passed": c["passed"], "verdict": _verdict(r, c)}
                for r in records for c in r.checks
            ],
        }
        site_figures = Path(config["site_dir"]) / "figures"
        site_figures.mkdir(parents=True, exist_ok=True)
        for name in sorted(self.used_figures):
            shutil.copyfile(self.figures_dir / name, site_figures / name)
        for path, text in self.downloads.items():
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            Path(path).write_text(text, encoding="utf-8")
        if self.notebook_styles:  # one stylesheet for every notebook page, trimmed to what they use
            css = "\n".join(notebook_css.purge(text, used) for text, used in self.notebook_styles.items())
            (Path(config["site_dir"]) / notebook_css.PATH).write_text(css, encoding="utf-8")
        out = Path(config["site_dir"]) / "build-report.json"
        out.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
        failed = [r for r in records if r.status != "ok"]
        log.info("build report: %d blocks (%d failed), %d checks -> %s", len(records), len(failed), len(report["checks"]), out)
        self._cleanup()

    def on_build_error(self, error: Exception) -> None:
        self._cleanup()

    def _cleanup(self) -> None:
        os.environ.pop("DLREF_CHECK_LOG", None)
        if self._pool is not None:
            # Idle workers are joined now (quick); a failed build does not wait for running ones.
            self._pool.shutdown(wait=not self._running and all(f.done() for f in self._blocks), cancel_futures=True)
            self._pool = None
            import torch

            torch.set_num_threads(self._main_threads)
        self._running.clear()
        self._ran.clear()
        self._blocks.clear()
        shutil.rmtree(self.run_dir, ignore_errors=True)


def _block_result(future: Future, snippet: str) -> dict[str, Any] | None:
    """Wait for a prefetched block's run; ``None`` (the build runs it itself) if its worker failed."""
    waited = time.perf_counter()
    try:
        result = future.result()
    except Exception as exc:  # noqa: BLE001 - the worker process died: run the block in the build
        log.warning("dlref: the worker running %s failed (%r); running it in the build", snippet, exc)
        return None
    log.debug("waited %.1f s for the prefetched block %s", time.perf_counter() - waited, snippet)
    return result


def _anchor_cells(content: str) -> str:
    """Give each executed code cell of a rendered notebook the id ``in-<n>`` of its ``In [n]`` prompt."""
    cells = list(_CODE_CELL.finditer(content))
    out, last = [], 0
    for i, cell in enumerate(cells):
        end = cells[i + 1].start() if i + 1 < len(cells) else len(content)
        prompt = _IN_PROMPT.search(content, cell.end(), end)
        tag = cell[0]
        if prompt:
            tag = re.sub(r' id="[^"]*"', "", tag)[:-1] + f' id="in-{prompt[1]}">'
        out += [content[last : cell.start()], tag]
        last = cell.end()
    return "".join(out) + content[last:]


def _anchor(record: BlockRecord, check: dict[str, Any]) -> str:
    """The id, on its page, of the block or notebook cell that made ``check``."""
    if record.anchor:
        return record.anchor
    return f"in-{check['cell']}" if check.get("cell") else ""


def _verdict(record: BlockRecord, check: dict[str, Any]) -> str:
    """``"passed"``; ``"failed"``; or ``"shown"``: a failed check whose block went on without
    raising (``raise_on_fail=False``), i.e. a common mistake its page demonstrates."""
    if check["passed"]:
        return "passed"
    return "shown" if record.status == "ok" else "failed"


_MARKS = {"passed": "✓", "failed": "✗ failed", "shown": "✗ a mistake shown on purpose:"}


def _ledger_page(title: str, url: str, rows: list[tuple[str, str, dict[str, Any], str]]) -> str:
    """One page of the ledger: a collapsible section whose summary line counts its checks."""
    verdicts = [row[3] for row in rows]
    state = "all passed" if set(verdicts) == {"passed"} else f"{verdicts.count('passed')} passed"
    if "failed" in verdicts:
        state += f", {verdicts.count('failed')} failed"
    if "shown" in verdicts:
        state += f", {verdicts.count('shown')} mistake{'s' * (verdicts.count('shown') != 1)} shown on purpose"
    errors = [row[2]["rel_error"] for row in rows if row[3] == "passed"]
    worst = f", largest rel. error {max(errors):.1e}" if errors else ""
    summary = (
        f'<summary>{html.escape(title)} <span class="dlref-ledger-count">{len(rows)} check{"s" * (len(rows) != 1)}, '
        f"{state}{worst}</span></summary>"
    )
    body = [f'<p><a href="{url}">Open the page</a></p>']
    for (anchor, snippet), group in itertools.groupby(rows, key=lambda row: row[:2]):
        label = "Notebook"
        if anchor.startswith("block-"):
            label = f"Block {anchor[6:]}"
        elif anchor.startswith("in-"):
            label = f"Cell In [{anchor[3:]}]"
        target = f"{url}#{anchor}" if anchor else url
        items = "".join(
            f'<li class="dlref-{verdict}">{_MARKS[verdict]} <b>{html.escape(c["name"])}</b> vs {html.escape(c["method"])}: '
            f'{c["rel_error"]:.1e} <small>(tol {c["tolerance"]:.0e})</small></li>'
            for _, _, c, verdict in group
        )
        body.append(
            f'<p class="dlref-ledger-block"><a href="{target}">{label}</a> · <code>{html.escape(snippet)}</code></p>'
            f'<ul class="dlref-ledger-checks">{items}</ul>'
        )
    failed = "failed" in verdicts
    kind = "failure" if failed else "success"
    return f'<details class="{kind} dlref-ledger"{" open" * failed}>{summary}{"".join(body)}</details>'


def _page_url(src_uri: str) -> str:
    stem = re.sub(r"\.(md|py|ipynb)$", "", src_uri)
    if stem == "index" or stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def _repair_toc(toc: Any, content: str) -> None:
    """Point each table-of-contents entry of a notebook page at a heading that exists.

    mkdocs-jupyter slugs the TOC titles itself, without inline code, while nbconvert gives the
    headings their ids from the full text: "Same trajectory as autograd + `torch.optim.SGD`"
    becomes ``#same-trajectory-as-autograd`` in the TOC and ``same-trajectory-as-autograd-torchoptimsgd``
    on the heading. An entry whose id is missing takes the one heading id that extends it.
    """
    ids = re.findall(r'<h[1-6][^>]*\bid="([^"]+)"', content)
    stack = list(toc)
    while stack:
        link = stack.pop()
        stack.extend(link.children)
        if link.id not in ids:
            extending = [i for i in ids if i.startswith(link.id + "-")]
            if len(extending) == 1:
                link.id = extending[0]


def _is_notebook(src_uri: str) -> bool:
    """A jupytext notebook page (``*.nb.py``), rendered by mkdocs-jupyter."""
    return src_uri.endswith(".py")
