"""Run the site's notebooks in worker processes while the main build renders the other pages.

mkdocs-jupyter executes each notebook when MkDocs renders its page, one after another, in the
build's own process: in a fresh build the four notebooks alone took about 49 s of the 80 s spent
executing. The dlref plugin instead hands every notebook that is not cached to a small process
pool as soon as it knows the pages (``on_nav``). A worker executes and renders the notebook exactly
as mkdocs-jupyter would (`mkdocs_jupyter.convert.nb2html` with the plugin's own options, the same
table of contents) and writes mkdocs-jupyter's own cache entry, so that when MkDocs reaches the
page, mkdocs-jupyter serves it from its cache and nothing renders twice.

Each worker is a separate process, so the check log its kernel inherits (``DLREF_CHECK_LOG``)
belongs to that notebook alone: no two notebooks share one, whatever runs at the same time.
"""

from __future__ import annotations

import json
import os
import time
import traceback
from pathlib import Path
from typing import Any

from dlref._site.execute import write_atomic

# mkdocs-jupyter's options that reach `nb2html` (the rest are not rendering options).
NB2HTML_OPTIONS = (
    "kernel_name", "theme", "allow_errors", "show_input", "no_input", "no_prompt", "remove_tag_config",
    "highlight_extra_classes", "include_requirejs", "custom_mathjax_url",
)


def render_options(jupyter_config: Any) -> dict[str, Any]:
    """The options of mkdocs-jupyter's config that decide how it renders a notebook."""
    options = {key: jupyter_config[key] for key in NB2HTML_OPTIONS}
    options["toc_depth"] = jupyter_config["toc_depth"]
    return options


def run_notebook(
    path: str, execute: bool, options: dict[str, Any], cache_path: str, check_log: str, threads: int = 0
) -> dict[str, Any]:
    """Execute and render one notebook; write mkdocs-jupyter's cache entry for it.

    Runs in a worker process; ``threads`` (if not 0) caps the kernel's CPU threads. Returns ``{"checks": [...], "seconds": s}`` on success and
    ``{"error": text}`` when a cell fails (the exception itself may not survive pickling), so the
    build fails with the notebook's own message.
    """
    from mkdocs_jupyter import convert
    from mkdocs_jupyter.plugin import _get_nb_toc_tokens

    os.environ["DLREF_CHECK_LOG"] = check_log  # the kernel started below inherits it
    if threads:
        # The kernel shares the CPUs with the main build and the other workers: more threads per
        # process than its share only makes them wait on each other.
        os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = str(threads)
    Path(check_log).unlink(missing_ok=True)
    options = dict(options)
    toc_depth = options.pop("toc_depth")
    start = time.perf_counter()
    try:
        body = convert.nb2html(path, execute=execute, **options)
        toc_tokens, title = _get_nb_toc_tokens(path, toc_depth)
    except Exception as exc:  # noqa: BLE001 - reported to the build, which fails
        return {"error": f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"}
    seconds = time.perf_counter() - start
    write_atomic(Path(cache_path), json.dumps({"content": body, "toc_tokens": toc_tokens, "title": title}))
    log = Path(check_log)
    lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    return {"checks": [json.loads(line) for line in lines if line.strip()], "seconds": seconds}
