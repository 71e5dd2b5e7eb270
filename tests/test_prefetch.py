"""Blocks listed in the plugin's ``prefetch`` run in a notebook worker's kernel ahead of time.

The page must be the same as when the build runs the block itself: what it printed, its checks
(credited to the block), its figure. A prefetched block that raises still fails the build with its
own error. The copy's snippet sits at the path mkdocs.yml lists (the torchrun page's block), so
the real setting is what is tested.
"""

from __future__ import annotations

import re
import subprocess
import sys

import yaml
from _sitecopy import ROOT, _env, exec_page, make_project, report

with open(ROOT / "mkdocs.yml", encoding="utf-8") as fh:
    _CONFIG = fh.read()
PREFETCHED = re.search(r"^\s*prefetch:\s*(\[.*\])", _CONFIG, re.M)
SNIPPET = yaml.safe_load(PREFETCHED.group(1))[0].removeprefix("snippets/") if PREFETCHED else None

BLOCK = (
    "import os\nimport torch\nfrom dlref import check\nfrom dlref.lab import figures\n"
    "x = torch.arange(4, dtype=torch.float64)\n"
    "print('file', os.path.basename(__file__), 'sum', float(x.sum()))\n"
    "check.compare('prefetched sum', x.sum(), torch.tensor(6.0, dtype=torch.float64), method='value')\n"
    "fig, ax = figures.new(width=3, height=2)\nax.plot(x, x ** 2)\n"
    "figures.show(fig, 'prefetched-square', 'x squared, from a prefetched block.')\n"
)


def _build(project, **env):
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-v"], cwd=project,
                          env=_env(env), capture_output=True, text=True, timeout=300)


def _block(project) -> tuple[str, str]:
    """The block's HTML and its figure's SVG (the same bytes in every process: a fixed id salt)."""
    page = (project / "site" / "index.html").read_text(encoding="utf-8")
    start = page.index('<div class="dlref-block" id="block-1">')
    block = page[start:page.index('<div class="dlref-provenance">', start)]
    svg = list((project / "site" / "figures").glob("*.svg"))
    assert len(svg) == 1 and svg[0].name in block
    block = re.sub(r"Generated at build: [^<]*", "Generated at build: …", block)  # its time, to the minute
    return block, svg[0].read_text(encoding="utf-8")


def test_mkdocs_yml_names_a_snippet_to_prefetch():
    assert SNIPPET and (ROOT / "snippets" / SNIPPET).is_file()


def test_a_prefetched_block_renders_as_if_the_build_ran_it(tmp_path):
    blocks, ledgers = {}, {}
    for share in ("true", "false"):  # without a shared kernel nothing is prefetched
        project = make_project(tmp_path / share, {"index.md": exec_page(SNIPPET)}, {SNIPPET: BLOCK})
        proc = _build(project, DLREF_SHARE_KERNEL=share)
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert ("for the prefetched block" in proc.stderr) == (share == "true"), proc.stderr[-3000:]
        assert "running it in the build" not in proc.stderr
        blocks[share] = _block(project)
        ledgers[share] = [(c["page"], c["block"], c["name"], c["passed"]) for c in report(project)["checks"]]
    assert "file " + SNIPPET.rsplit("/", 1)[-1] + " sum 6.0" in blocks["true"][0]
    assert blocks["true"] == blocks["false"]
    assert ledgers["true"] == ledgers["false"] == [("index.md", "block-1", "prefetched sum", True)]


def test_a_prefetched_block_that_raises_fails_the_build(tmp_path):
    broken = "print('before')\nraise RuntimeError('the prefetched block broke')\n"
    project = make_project(tmp_path, {"index.md": exec_page(SNIPPET)}, {SNIPPET: broken})
    proc = _build(project)
    assert proc.returncode != 0
    assert "the prefetched block broke" in proc.stderr + proc.stdout
    assert "the prefetched block raised in its worker; running it in the build" in proc.stderr
