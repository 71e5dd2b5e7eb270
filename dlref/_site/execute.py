"""Execute Python code blocks at build time, with a content-addressed cache.

markdown-exec does the parsing and rendering (``exec="1"`` fences, source/result layout,
warnings on failure); this module supplies the function that *runs* a block and wraps the
formatter with a cache. markdown-exec has no cache of its own, so without one every build
re-executes every page.

A block's cache key covers its code, its fence options, the profile and device type, the
source of the ``dlref`` package and the contents of the results store. Failed blocks are
never cached, so a broken snippet fails every build until it is fixed, and an unreadable
entry (a build killed while writing it) is discarded and the block runs again.

Each block is wrapped in ``<div class="dlref-block" id="block-N">`` (``N`` counts the page's
executed blocks from 1), so the Verification page can link every check to the block that made
it, and ends with a link to its source file.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import sys
import time
import traceback
from contextlib import redirect_stdout
from dataclasses import asdict, dataclass, field
from io import StringIO
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

from markdown_exec import ExecutionError, base_format, code_block
from markupsafe import Markup

from dlref import check
from dlref._site.files import write_atomic
from dlref.lab import figures


FIGURE_PREFIX = figures.BUILD_FIGURE_PREFIX
log = logging.getLogger(f"mkdocs.plugins.{__name__}")


@dataclass
class BlockRecord:
    """What the ledger keeps about one executed block."""

    page: str
    snippet: str
    seconds: float
    status: str  # "ok" or "error"
    cached: bool
    checks: list[dict[str, Any]] = field(default_factory=list)
    anchor: str = ""  # the block's id on its page ("block-3"); empty for a whole notebook


def tree_hash(paths: list[Path], pattern: str = "**/*") -> str:
    """SHA-256 over the relative names and bytes of every file under ``paths``."""
    digest = hashlib.sha256()
    for root in paths:
        if not root.exists():
            continue
        files = [root] if root.is_file() else sorted(p for p in root.glob(pattern) if p.is_file() and "__pycache__" not in p.parts)
        for path in files:
            digest.update(str(path.as_posix()).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


class Executor:
    """Runs blocks for one build, caches their HTML, and keeps the ledger."""

    def __init__(
        self, cache_dir: Path, snippets_dir: Path, salt: str, fresh: bool, provenance_line: str, source_base: str = ""
    ) -> None:
        self.cache_dir = cache_dir
        self.salt = salt
        self.fresh = fresh
        self.provenance_line = provenance_line
        self.source_base = source_base  # URL prefix of the repository's files, e.g. ".../blob/main/"
        self.page = "?"
        self.records: list[BlockRecord] = []
        self._counter = 0
        self._page_blocks = 0
        self._prefetch: dict[str, Callable[[], dict[str, Any] | None]] = {}
        # Map snippet file contents to their paths, so a block included with `--8<--` is
        # reported (and its traceback shown) under the snippet's real file name.
        self._snippets = {}
        if snippets_dir.is_dir():
            for path in sorted(snippets_dir.rglob("*.py")):
                text = path.read_text(encoding="utf-8")
                self._snippets[text.strip()] = path.relative_to(snippets_dir.parent).as_posix()

    def start_page(self, page: str) -> None:
        """Blocks executed from now on belong to ``page`` (its ``src_uri``), numbered from 1."""
        self.page = page
        self._page_blocks = 0

    # -- formatter handed to pymdownx.superfences ------------------------------------------
    def formatter(self, source: str, language: str, css_class: str, options: dict[str, Any], md: Any, **kwargs: Any) -> str:
        """Drop-in for ``markdown_exec.formatter`` (python fences only)."""
        if options.get("session"):
            raise ValueError(
                f"{self.page}: code blocks may not use session=...: every block must run on its own, "
                "exactly as a reader would run the snippet file"
            )
        known = self._snippets.get(source.strip())
        snippet = known or f"{self.page} (inline block)"
        source_file = known or f"docs/{self.page}"  # the link under the block
        self._page_blocks += 1
        anchor = f"block-{self._page_blocks}"
        key = self._key(source, options)
        cache_file = self.cache_dir / f"{key}.json"
        entry = None if self.fresh else _read_entry(cache_file)
        if entry is not None:
            self.records.append(BlockRecord(self.page, snippet, entry["seconds"], "ok", True, entry["checks"], anchor))
            return Markup(self._wrap(entry["html"], anchor, source_file))

        failed: list[BaseException] = []
        ran = self._prefetched_result(source)
        if ran is not None:  # executed by a worker while the build rendered other pages
            rendered = base_format(language="python", run=lambda code, **_: ran["stdout"], code=source, md=md, **options)
            seconds, checks = ran["seconds"], [check.CheckResult(**_tupled(c)) for c in ran["checks"]]
            figs = [figures.CapturedFigure(**f) for f in ran["figures"]]
        else:
            start = time.perf_counter()
            with check.recording() as checks, figures.capturing() as figs:
                rendered = base_format(
                    language="python", run=self._runner(snippet, failed), code=source, md=md, **options
                )
            seconds = time.perf_counter() - start
        out = str(rendered) + "".join(
            figures.figure_html(f, self.provenance_line, src=FIGURE_PREFIX + figures.store_svg(f, self.cache_dir / "figures"))
            for f in figs
        )
        check_dicts = [asdict(c) for c in checks]
        status = "error" if failed else "ok"
        self.records.append(BlockRecord(self.page, snippet, seconds, status, False, check_dicts, anchor))
        if not failed:
            write_atomic(cache_file, json.dumps({"html": out, "seconds": seconds, "checks": check_dicts}))
            write_atomic(self._source_index(source), key)
        return Markup(self._wrap(out, anchor, source_file))

    # -- blocks executed ahead of time, in a worker (the plugin's `prefetch` setting) -------------
    def _source_index(self, source: str) -> Path:
        """Where the cache key of the last successful run of ``source`` (under this salt) is noted."""
        digest = hashlib.sha256(f"{self.salt}|{source.strip()}".encode()).hexdigest()[:32]
        return self.cache_dir / "by-source" / digest

    def is_cached(self, source: str) -> bool:
        """Whether a block with this code will be served from the cache in this build."""
        if self.fresh:
            return False
        try:
            key = self._source_index(source).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            return False
        return bool(key) and (self.cache_dir / f"{key}.json").is_file()

    def prefetch(self, source: str, result: Callable[[], dict[str, Any] | None]) -> None:
        """Use ``result()`` (it waits for a worker) instead of executing the block whose code is ``source``."""
        self._prefetch[source.strip()] = result

    def _prefetched_result(self, source: str) -> dict[str, Any] | None:
        wait = self._prefetch.pop(source.strip(), None)
        if wait is None:
            return None
        ran = wait()
        if ran and "error" in ran:
            log.info("%s: the prefetched block raised in its worker; running it in the build", self.page)
        if not ran or "error" in ran:
            # A worker that failed, or a block that raised there: run it here, where a failure
            # is rendered and reported like any other block's.
            return None
        return ran

    def _wrap(self, out: str, anchor: str, source_file: str) -> str:
        link = ""
        if self.source_base:
            href = html.escape(self.source_base + source_file)
            link = f'<p class="dlref-source">Source: <a href="{href}"><code>{html.escape(source_file)}</code></a></p>'
        return f'<div class="dlref-block" id="{anchor}">{out}{link}</div>'

    def _key(self, source: str, options: dict[str, Any]) -> str:
        opts = {k: v for k, v in options.items() if isinstance(v, (str, int, float, bool, type(None)))}
        payload = json.dumps([source, opts, self.salt], sort_keys=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()[:32]

    def _runner(self, snippet: str, failed: list[BaseException]) -> Callable[..., str]:
        def run(code: str, returncode: int | None = None, session: str | None = None, id: str | None = None, **extra: Any) -> str:  # noqa: A002
            self._counter += 1
            module_name = f"_dlref_block_{self._counter}"
            module = ModuleType(module_name)
            sys.modules[module_name] = module  # dataclasses and pickle look the module up
            exec_globals = module.__dict__
            exec_globals["__file__"] = str(Path(snippet).resolve())
            buffer = StringIO()
            # Unlike markdown-exec's own runner (which swaps `print` only in the block's
            # globals) we redirect stdout, so lines printed by dlref itself — e.g. the
            # derivative checker's report — appear on the page in order.
            try:
                with redirect_stdout(buffer):
                    exec(compile(code, exec_globals["__file__"], "exec"), exec_globals)  # noqa: S102
            except Exception as error:  # a failing block must show its traceback and fail the build
                failed.append(error)
                trace = "".join(traceback.format_exception(error))
                raise ExecutionError(code_block("python", buffer.getvalue() + trace, **extra)) from error
            finally:
                sys.modules.pop(module_name, None)
                # Blocks share one interpreter: undo the global state a snippet may have changed.
                import matplotlib.pyplot as plt
                import torch

                plt.close("all")
                torch.set_default_dtype(torch.float32)
                torch.set_grad_enabled(True)
            return buffer.getvalue()

        return run


def _tupled(fields: dict[str, Any]) -> dict[str, Any]:
    """A check's fields as JSON gave them back: its shape a tuple again."""
    return {**fields, "shape": tuple(fields["shape"])}


def _read_entry(cache_file: Path) -> dict[str, Any] | None:
    """A cache entry, or ``None`` when it is missing or unreadable (then it is deleted)."""
    try:
        entry = json.loads(cache_file.read_text(encoding="utf-8"))
        if isinstance(entry, dict) and isinstance(entry.get("html"), str) and isinstance(entry.get("checks"), list):
            entry.setdefault("seconds", 0.0)
            return entry
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        pass
    cache_file.unlink(missing_ok=True)
    return None
