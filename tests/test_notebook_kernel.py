"""Notebooks that share a worker's kernel see a new kernel's state, as they would on their own.

A worker runs its notebooks one after another in one kernel (dlref._site.notebooks). The first
notebook here changes everything a notebook can change in-process; the second prints that state.
Its page must read the same whether it ran after the first in the shared kernel or in a kernel of
its own (``share_kernel: false``, mkdocs-jupyter's way), and its prompts must count from 1.
"""

from __future__ import annotations

import html
import re

from _sitecopy import build, make_project, report

POLLUTE = (
    "# %% [markdown]\n# # Pollute\n\n"
    "# %%\nimport os, sys, warnings\nimport matplotlib, numpy, torch\n"
    "from dlref import check\n"
    "torch.set_default_dtype(torch.float64)\ntorch.set_grad_enabled(False)\ntorch.set_num_threads(1)\n"
    "torch.set_printoptions(precision=9)\nnumpy.set_printoptions(precision=1)\ntorch.rand(7)\n"
    "matplotlib.rcParams['lines.linewidth'] = 9.0\nwarnings.simplefilter('ignore')\n"
    "os.environ['DLREF_LEAK'] = '1'\nsys.path.append('/leak')\nos.chdir('/')\nleaked = 1\n"
    "_ = check.compare('pollute', torch.ones(1), torch.ones(1), method='value')\n"
)
INSPECT = (
    "# %% [markdown]\n# # Inspect\n\n"
    "# %%\nimport os, sys, warnings\nimport matplotlib, numpy, torch\n"
    "from dlref import check\n\n"
    "# %%\nprint('STATE', 'leaked' in globals(), torch.get_default_dtype(), torch.is_grad_enabled(),\n"
    "      torch.get_num_threads(), torch.tensor([1 / 3]), numpy.array([1 / 3]),\n"
    "      matplotlib.rcParams['lines.linewidth'], len(warnings.filters), os.environ.get('DLREF_LEAK'),\n"
    "      '/leak' in sys.path, os.getcwd(), 'END')\n"
    "_ = check.compare('inspect', torch.ones(1), torch.ones(1), method='value')\n"
)
PAGES = {"index.md": "# Home\n", "a_pollute.nb.py": POLLUTE, "b_inspect.nb.py": INSPECT}


def _state(project) -> str:
    page = (project / "site" / "b_inspect.nb" / "index.html").read_text(encoding="utf-8")
    match = re.search(r"STATE (.*?) END", html.unescape(re.sub(r"<[^>]+>", "", page)), re.S)
    assert match, page[-2000:]
    return match.group(1), page


def test_a_shared_kernel_starts_each_notebook_as_a_new_kernel(tmp_path):
    project = make_project(tmp_path / "site-copy", PAGES, {})
    states = {}
    for share in ("true", "false"):
        proc = build(project, DLREF_SHARE_KERNEL=share, DLREF_NOTEBOOK_WORKERS="1",
                     DLREF_EXEC_CACHE=str(tmp_path / share / "exec"), DLREF_JUPYTER_CACHE=str(tmp_path / share / "nb"))
        assert proc.returncode == 0, proc.stderr[-3000:]
        states[share], page = _state(project)
        # Prompts count from 1 in each notebook, and each notebook's checks are its own.
        assert re.search(r"In\s*(\[|&#91;)\s*1\s*(\]|&#93;)", page), share
        checks = {(c["page"], c["block"], c["name"]) for c in report(project)["checks"]}
        assert checks == {("a_pollute.nb.py", "in-1", "pollute"), ("b_inspect.nb.py", "in-2", "inspect")}, share
    assert states["true"] == states["false"]
    assert states["true"].startswith("False torch.float32 True"), states["true"]
    assert "/leak" not in states["true"] and "9.0" not in states["true"]
