"""The package's layout: reference code never reaches into the lab, and names mean one thing.

Reference modules (what the pages teach) live under ``dlref/``; the code that runs experiments
lives under ``dlref/lab/``. A reference module may not import the lab, at module level or inside a
function, by ``import`` or by ``importlib``: a reader who copies an op gets the op, not the
training stack. ``F`` means ``torch.nn.functional`` everywhere; dlref's own functional module is
imported as ``functional``.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "dlref"
# Not reference code: the lab itself, the site plugin, and the package's entry points.
NOT_REFERENCE = ("lab", "_site")
ENTRY_POINTS = {"__init__.py", "__main__.py"}


def _reference_files() -> list[Path]:
    files = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] in NOT_REFERENCE or (len(rel.parts) == 1 and rel.name in ENTRY_POINTS):
            continue
        files.append(path)
    return files


def _lab_imports(path: Path) -> list[str]:
    """Every place in ``path`` that imports the lab (``import``, ``from … import``, ``importlib``)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            names = [f"<relative>.{node.module or ''}"] + [a.name for a in node.names]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("dlref.lab"):
            names = [node.value]  # importlib.import_module("dlref.lab…") or __import__
        found += [f"line {node.lineno}: {n}" for n in names if n == "dlref.lab" or n.startswith("dlref.lab.") or n == "lab"]
    return found


def test_there_is_reference_code_to_check():
    names = {p.relative_to(PACKAGE).as_posix() for p in _reference_files()}
    assert {"functional.py", "conv.py", "conv_arithmetic.py", "attention.py", "gan/models.py", "check.py"} <= names
    assert not any(n.startswith("lab/") for n in names)


@pytest.mark.parametrize("path", _reference_files(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_reference_modules_never_import_the_lab(path):
    assert _lab_imports(path) == [], f"{path.relative_to(ROOT)} imports the lab"


def test_the_import_check_can_fail(tmp_path):
    for source in ("from dlref.lab import train\n", "def f():\n    import dlref.lab.results\n",
                   "import importlib\nimportlib.import_module('dlref.lab.data')\n", "from dlref.lab.train import fit\n"):
        bad = tmp_path / "bad.py"
        bad.write_text(source, encoding="utf-8")
        assert _lab_imports(bad), source


def test_importing_reference_code_loads_no_training_stack():
    """In a fresh interpreter: the ops, networks and checker load without the lab's heavy parts."""
    code = (
        "import sys, dlref.functional, dlref.conv, dlref.conv_arithmetic, dlref.attention, dlref.models, dlref.check, "
        "dlref.gan.models, dlref.gan.losses, dlref.optim, dlref.nn\n"
        "print(sorted(m for m in sys.modules if m.startswith('dlref.lab.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = eval(out)  # a printed list of module names
    # dlref/__init__ keeps dlref.device(), dlref.profile() and dlref.autocast() as top-level names.
    assert set(loaded) <= {"dlref.lab.device", "dlref.lab.profile"}, loaded


def test_top_level_names_and_renamed_modules():
    import dlref
    from dlref import conv, conv_arithmetic, lab

    assert callable(dlref.device) and callable(dlref.profile) and callable(dlref.autocast)
    assert dlref.device is lab.device.device
    assert hasattr(conv, "conv2d") and hasattr(conv, "conv2d_backward")  # the op
    assert hasattr(conv_arithmetic, "analyze") and not hasattr(conv_arithmetic, "conv2d")  # the calculators


def _python_sources() -> list[Path]:
    roots = [PACKAGE, ROOT / "snippets", ROOT / "docs", ROOT / "tests", ROOT / "tools"]
    return sorted(p for r in roots for p in r.rglob("*.py") if ".ipynb_checkpoints" not in p.parts)


def test_F_means_torch_functional_everywhere():
    offenders = []
    for path in _python_sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    if alias.asname != "F":
                        continue
                    full = f"{node.module}.{alias.name}" if isinstance(node, ast.ImportFrom) else alias.name
                    if full != "torch.nn.functional":
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {full} as F")
    assert offenders == []
