"""dlref installed as users install it: a wheel, in a fresh environment, used from an empty folder.

The wheel must carry everything the package needs at run time: the benchmarks behind
``dlref bench`` and the stored results the pages' snippets load (``dlref._stored_results``).
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from conftest import ROOT

tomllib = pytest.importorskip("tomllib")  # Python ≥ 3.11


def test_every_package_is_listed_in_pyproject():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "dlref").rglob("__init__.py")}
    assert found <= listed, f"packages missing from [tool.setuptools] packages: {sorted(found - listed)}"


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh venv with the dlref wheel; its dependencies come from the test environment, read-only."""
    work = tmp_path_factory.mktemp("wheel")
    # Build from a copy: setuptools writes build/ into the source tree, and two xdist workers
    # building from one tree at once trip over each other's files.
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "site", ".cache", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis"))
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(work / "dist"), str(source)],
        capture_output=True, text=True, cwd=work,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = (work / "dist").glob("dlref-*.whl")
    env_dir = work / "env"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    # torch, numpy, … from the test environment (a plain path: its editable dlref hook does not run)
    Path(purelib, "deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
                             capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-2000:]
    empty = work / "empty"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DLREF_", "PYTHON"))}
    env.update(HOME=str(work / "home"), DLREF_PROFILE="quick", DLREF_DEVICE="cpu")
    return env_dir, empty, env


def _run(installed, *args):
    env_dir, empty, env = installed
    return subprocess.run([*args], capture_output=True, text=True, cwd=empty, env=env, timeout=300)


def test_the_wheel_is_what_runs(installed):
    env_dir, _, _ = installed
    out = _run(installed, env_dir / "bin" / "python", "-c", "import dlref, dlref.lab.results as r; print(dlref.__file__); print(r.bundled_root())")
    assert out.returncode == 0, out.stderr
    module_file, bundled = out.stdout.split()
    assert str(env_dir) in module_file and str(ROOT) not in module_file
    assert bundled.startswith(str(env_dir)) and bundled.endswith("_stored_results")


def test_dlref_info_and_bench_work_from_an_empty_folder(installed):
    env_dir, _, _ = installed
    info = _run(installed, env_dir / "bin" / "dlref", "info")
    assert info.returncode == 0 and "torch" in info.stdout, info.stderr
    bench = _run(installed, env_dir / "bin" / "dlref", "bench", "--help")
    assert bench.returncode == 0 and "attention" in bench.stdout, bench.stderr
    options = _run(installed, env_dir / "bin" / "dlref", "bench", "train", "--help")
    assert options.returncode == 0 and "--store" in options.stdout, options.stderr
    tool = _run(installed, env_dir / "bin" / "python", "-c", "from dlref.lab import benchmarks; benchmarks.load('page_weight')")
    assert tool.returncode != 0 and "file of the dlref repository" in tool.stderr


def test_a_stored_result_snippet_runs_from_an_empty_folder(installed):
    env_dir, empty, _ = installed
    snippet = empty / "lstm_vs_rnn.py"
    shutil.copyfile(ROOT / "snippets" / "sequence" / "lstm_vs_rnn.py", snippet)
    out = _run(installed, env_dir / "bin" / "python", snippet.name)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "loaded from the results store" in out.stdout and "seeds solved" in out.stdout
