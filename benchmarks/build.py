"""Build speed: a fresh quick-profile build of the whole site vs a rebuild with nothing changed.

Usage: ``python benchmarks/build.py`` (or ``make bench-build``). Builds into a temporary
site directory with a temporary execution cache, so the working tree's site/ and .cache/
are untouched. Prints both times, their ratio, the targets, and the slowest blocks.

Targets (foundation issue): fresh quick build ≤ 300 s on the 2-core machine; rebuild with
nothing changed ≤ 10 % of the fresh build.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed_build(site_dir: Path, cache_dir: Path) -> tuple[float, dict]:
    env = {
        **os.environ, "NO_MKDOCS_2_WARNING": "1", "DLREF_PROFILE": "quick",
        # mkdocs.yml reads both cache locations from these variables (`!ENV`).
        "DLREF_EXEC_CACHE": str(cache_dir / "dlref-exec"), "DLREF_JUPYTER_CACHE": str(cache_dir / "mkdocs-jupyter"),
    }
    env.pop("DLREF_FRESH", None)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site_dir)],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"build failed:\n{proc.stderr[-4000:]}")
    return seconds, json.loads((site_dir / "build-report.json").read_text(encoding="utf-8"))


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="dlref-bench-") as tmp:
        tmp = Path(tmp)
        fresh, report = timed_build(tmp / "site", tmp / "cache")
        rebuild, report2 = timed_build(tmp / "site", tmp / "cache")
    ratio = rebuild / fresh
    blocks = sorted(report["snippets"], key=lambda r: -r["seconds"])
    rerun = [r for r in report2["snippets"] if not r["cached"]]
    print(f"device: {report['provenance']['device']}; profile quick; {len(blocks)} executed blocks/notebooks")
    print(f"fresh build:            {fresh:7.1f} s   (target ≤ 300 s: {'met' if fresh <= 300 else 'MISSED'})")
    print(f"rebuild, nothing new:   {rebuild:7.1f} s   ({len(rerun)} blocks re-executed)")
    print(f"ratio rebuild / fresh:  {ratio:7.1%}   (target ≤ 10 %: {'met' if ratio <= 0.10 else 'MISSED'})")
    print("slowest blocks in the fresh build:")
    for r in blocks[:8]:
        print(f"  {r['seconds']:6.1f} s  {r['snippet']}")
    return 0 if fresh <= 300 and ratio <= 0.10 else 1


if __name__ == "__main__":
    raise SystemExit(main())
