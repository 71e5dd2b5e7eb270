"""Build speed: a fresh quick-profile build, `make docs` with nothing changed, and a cached rebuild.

Usage: ``python benchmarks/build.py`` (or ``make bench-build``). Builds into a temporary
site directory with temporary caches (``make docs SITE=... BUILD_CACHE=...`` and the
``DLREF_EXEC_CACHE`` / ``DLREF_JUPYTER_CACHE`` variables mkdocs.yml reads), so the working
tree's site/ and .cache/ are untouched. Set-up (the virtual environment) is not measured:
make is told to treat it as done.

What is timed:

* **fresh**: ``make docs`` with empty caches — every block and notebook executes (what
  ``make docs FRESH=1`` does, without also re-running stored experiments in results/).
* **nothing changed**: ``make docs`` again — the site stamp is newer than every input, so
  make does nothing.
* **cached rebuild**: ``mkdocs build`` itself with every block cached — what ``make docs``
  pays after an edit that changes no executed code, and what ``make serve`` pays per edit
  without ``--dirty``.
* **serve, one page edited**: ``mkdocs serve --dirty`` (what ``make serve`` runs) on a copy of
  the project sharing those caches; one executed page's Markdown gets a new sentence, and the
  time from the edit to the server's "Reloading browsers" is printed.

The fresh build runs the notebooks in worker processes beside the Markdown pages (the
``dlref`` plugin's ``notebook_workers``), each worker's notebooks in one kernel (``share_kernel``),
and the torchrun page's block there too (``prefetch``); ``DLREF_NOTEBOOK_WORKERS=-1`` times the
serial way, ``DLREF_SHARE_KERNEL=false`` a kernel per notebook.

Targets (site issue "The reader's site" on the 2-core machine): nothing changed ≤ 3 s, fresh
build ≤ 60 s, an edited page re-rendered by ``make serve`` ≤ 3 s.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = Path(sys.prefix)
TARGET_NOTHING_CHANGED = 3.0
TARGET_FRESH = 60.0
TARGET_SERVE = 3.0
EDITED_PAGE = "docs/foundations/losses.md"  # an executed page


def _env(tmp: Path) -> dict[str, str]:
    env = {
        **os.environ, "NO_MKDOCS_2_WARNING": "1", "DLREF_PROFILE": "quick",
        # mkdocs.yml reads both cache locations from these variables (`!ENV`).
        "DLREF_EXEC_CACHE": str(tmp / "cache" / "dlref-exec"),
        "DLREF_JUPYTER_CACHE": str(tmp / "cache" / "mkdocs-jupyter"),
    }
    env.pop("DLREF_FRESH", None)
    env.pop("FRESH", None)
    return env


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    return seconds, proc.stdout + proc.stderr


def make_docs(tmp: Path) -> list[str]:
    # `-o`: take the virtual environment's install stamp as up to date (set-up is not measured).
    return [
        "make", "--no-print-directory", "-o", ".venv/.dlref-installed",
        "docs", f"SITE={tmp / 'site'}", f"BUILD_CACHE={tmp / 'build-cache'}",
    ]


def serve_edit(tmp: Path, env: dict[str, str]) -> float:
    """Seconds from editing one page to ``mkdocs serve --dirty`` reloading it, on a copy of the project."""
    copy = tmp / "serve-copy"
    for name in ("docs", "snippets", "results", "overrides"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, copy / name)
    # The same configuration, its hook (a path relative to the project) taken from here: a dlref/
    # folder in the copy would shadow the installed package in the notebooks' kernel.
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    hook = "dlref/_site/dirty.py"
    if hook not in config:
        sys.exit(f"mkdocs.yml no longer lists the hook {hook}; update benchmarks/build.py")
    config = re.sub(r"^(\s*-\s*)dlref\s*$", lambda m: m[1] + str(ROOT / "dlref"), config.replace(hook, str(ROOT / hook)),
                    flags=re.M)  # `watch: [dlref]`, the package itself
    (copy / "mkdocs.yml").write_text(config, encoding="utf-8")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = (tmp / "serve.log").open("w+", encoding="utf-8")
    server = subprocess.Popen(
        [str(VENV / "bin" / "mkdocs"), "serve", "--dirty",
         "-a", f"127.0.0.1:{port}"], cwd=copy, env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
    )

    def wait_for(text: str, start: int, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            log.seek(0)
            found = log.read().find(text, start)
            if found >= 0:
                return found
            if server.poll() is not None:
                break
            time.sleep(0.05)
        log.seek(0)
        sys.exit(f"mkdocs serve: no {text!r} within {timeout:.0f} s:\n{log.read()[-3000:]}")

    try:
        wait_for("Serving on", 0, 300)
        time.sleep(1.0)  # past the server's first scan of the files
        page = copy / EDITED_PAGE
        log.seek(0)
        before = len(log.read())  # only a reload logged after the edit counts
        edited = time.perf_counter()
        page.write_text(page.read_text(encoding="utf-8") + "\nOne more sentence, added by the benchmark.\n", encoding="utf-8")
        wait_for("Reloading browsers", before, 120)
        seconds = time.perf_counter() - edited
        url = f"http://127.0.0.1:{port}/" + EDITED_PAGE.removeprefix("docs/").removesuffix(".md") + "/"
        with urllib.request.urlopen(url, timeout=30) as response:  # the reload served the edit
            if "added by the benchmark" not in response.read().decode("utf-8"):
                sys.exit(f"mkdocs serve reloaded, but {url} does not show the edit")
        return seconds
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="dlref-bench-") as tmp:
        tmp = Path(tmp)
        env = _env(tmp)
        fresh, _ = timed(make_docs(tmp), env)
        report = json.loads((tmp / "site" / "build-report.json").read_text(encoding="utf-8"))
        nothing, out = timed(make_docs(tmp), env)
        noop = "mkdocs" not in out
        cached, _ = timed([str(VENV / "bin" / "mkdocs"), "build", "--strict", "-d", str(tmp / "site")], env)
        report2 = json.loads((tmp / "site" / "build-report.json").read_text(encoding="utf-8"))
        serve = serve_edit(tmp, env)
    blocks = sorted(report["snippets"], key=lambda r: -r["seconds"])
    rerun = [r for r in report2["snippets"] if not r["cached"]]
    ok_fresh, ok_nothing = fresh <= TARGET_FRESH, nothing <= TARGET_NOTHING_CHANGED and noop
    ok_serve = serve <= TARGET_SERVE
    print(f"device: {report['provenance']['device']}; profile quick; {len(blocks)} executed blocks/notebooks; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"fresh build (make docs, empty caches): {fresh:7.1f} s   (target ≤ {TARGET_FRESH:.0f} s: {'met' if ok_fresh else 'MISSED'})")
    print(f"make docs, nothing changed:            {nothing:7.1f} s   (target ≤ {TARGET_NOTHING_CHANGED:.0f} s: "
          f"{'met' if ok_nothing else 'MISSED'}{'' if noop else '; make ran mkdocs'})")
    print(f"mkdocs build, every block cached:      {cached:7.1f} s   ({len(rerun)} blocks re-executed)")
    print(f"make serve, an edited page re-rendered: {serve:6.1f} s   (target ≤ {TARGET_SERVE:.0f} s: "
          f"{'met' if ok_serve else 'MISSED'}; {EDITED_PAGE})")
    print(f"execution inside the fresh build:      {report['execution_seconds']:7.1f} s")
    print("slowest blocks in the fresh build:")
    for r in blocks[:10]:
        print(f"  {r['seconds']:6.1f} s  {r['snippet']}")
    return 0 if ok_fresh and ok_nothing and ok_serve else 1


if __name__ == "__main__":
    raise SystemExit(main())
