"""dlref.device, dlref.profile, dlref.check, dlref.lab.figures, dlref.lab.provenance."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch

import dlref
from dlref import check
from dlref.lab import figures, provenance


def test_device_default_and_override(monkeypatch):
    monkeypatch.delenv("DLREF_DEVICE", raising=False)
    expected = "cuda" if torch.cuda.is_available() else ("mps" if torch.backends.mps.is_available() else "cpu")
    assert dlref.device().type == expected
    monkeypatch.setenv("DLREF_DEVICE", "cpu")
    assert dlref.device() == torch.device("cpu")
    monkeypatch.setenv("DLREF_DEVICE", "tpu")
    with pytest.raises(ValueError, match="DLREF_DEVICE must be one of"):
        dlref.device()
    if not torch.cuda.is_available():
        monkeypatch.setenv("DLREF_DEVICE", "cuda")
        with pytest.raises(RuntimeError, match="CUDA is not available"):
            dlref.device()


def test_autocast_is_a_noop_on_cpu():
    with dlref.autocast(torch.device("cpu")) as dtype:
        y = torch.ones(2, 2) @ torch.ones(2, 2)
    assert dtype is None and y.dtype == torch.float32


def test_profile(monkeypatch):
    monkeypatch.delenv("DLREF_PROFILE", raising=False)
    assert dlref.profile() == ("full" if torch.cuda.is_available() else "quick")
    monkeypatch.setenv("DLREF_PROFILE", "FULL")
    assert dlref.profile() == "full"
    monkeypatch.setenv("DLREF_PROFILE", "huge")
    with pytest.raises(ValueError, match="quick"):
        dlref.profile()


def test_import_is_light():
    code = "import sys, dlref; print(sorted(m for m in ('matplotlib', 'torchvision', 'sklearn', 'mkdocs') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


def test_compare_passes_fails_and_records():
    a = torch.tensor([1.0, 2.0], dtype=torch.float64)
    with check.recording() as records:
        ok = check.compare("same", a, a.clone(), quiet=True)
        bad = check.compare("off", a, a + 1e-6, quiet=True, raise_on_fail=False)
        with pytest.raises(check.GradientCheckError, match="off again"):
            check.compare("off again", a, a + 1e-3, quiet=True)
    assert ok.passed and ok.rel_error == 0.0
    assert not bad.passed and bad.rel_error == pytest.approx(5e-7)
    assert [r.name for r in records] == ["same", "off", "off again"]


def test_compare_bad_input():
    with pytest.raises(ValueError, match=r"analytic \(2,\) and reference \(3,\)"):
        check.compare("x", torch.zeros(2), torch.zeros(3), quiet=True)
    with pytest.raises(TypeError, match="tensor or array-like"):
        check.compare("x", object(), torch.zeros(3), quiet=True)
    with pytest.raises(ValueError, match=r"tol must be a finite number in \(0\.0, ∞\)"):
        check.compare("x", torch.zeros(2), torch.zeros(2), tol=0, quiet=True)


def test_check_gradients_catches_a_wrong_derivative():
    x = torch.randn(4, dtype=torch.float64)
    results = check.check_gradients(lambda x: (x**2).sum(), {"x": x}, {"x": 2 * x})
    assert all(r.passed for r in results) and [r.method for r in results] == ["autograd", "finite differences"]
    with pytest.raises(check.GradientCheckError):
        check.check_gradients(lambda x: (x**2).sum(), {"x": x}, {"x": x})  # missing factor 2
    with pytest.raises(ValueError, match="not among the inputs"):
        check.check_gradients(lambda x: x.sum(), {"x": x}, {"y": x})
    with pytest.raises(ValueError, match="scalar"):
        check.autograd_gradients(lambda x: x * 2, {"x": x})
    with pytest.raises(TypeError, match="floating-point"):
        check.autograd_gradients(lambda x: x.sum(), {"x": torch.arange(3)})


def test_check_log_for_notebook_kernels(tmp_path, monkeypatch):
    log = tmp_path / "checks.jsonl"
    monkeypatch.setenv("DLREF_CHECK_LOG", str(log))
    check.compare("logged", torch.ones(1), torch.ones(1), quiet=True)
    assert '"name": "logged"' in log.read_text()


def test_figures_show_captures_or_saves(tmp_path, monkeypatch):
    monkeypatch.setenv("DLREF_FIG_DIR", str(tmp_path))
    fig, ax = figures.new()
    ax.plot([0, 1], [0, 1])
    with figures.capturing() as captured:
        assert figures.show(fig, "line", "a line") is None
    assert captured[0].name == "line" and captured[0].svg.lstrip().startswith("<?xml")
    fig, ax = figures.new()
    path = figures.show(fig, "line2")
    assert path == tmp_path / "line2.png" and path.stat().st_size > 0
    with pytest.raises(ValueError, match="figure name"):
        figures.show(fig, "no spaces please")


def test_a_captured_figure_is_the_same_bytes_in_every_process():
    """matplotlib salts an SVG's ids randomly per process; show() fixes the salt, so a figure's
    file (named by its content) does not change from one build to the next."""
    code = (
        "import hashlib\nfrom dlref.lab import figures\n"
        "fig, ax = figures.new()\nax.plot([0, 1, 2], [0, 1, 4], 'o-')\n"
        "with figures.capturing() as captured:\n    figures.show(fig, 'square', 'x squared')\n"
        "print(hashlib.sha256(captured[0].svg.encode()).hexdigest())\n"
    )
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120) for _ in range(2)]
    assert all(r.returncode == 0 for r in runs), runs[0].stderr[-2000:]
    assert runs[0].stdout == runs[1].stdout and len(runs[0].stdout.strip()) == 64


def test_provenance_record():
    record = provenance.collect()
    assert record["torch"] == torch.__version__ and record["dlref"] == dlref.__version__
    assert record["profile"] in ("quick", "full")
    line = provenance.one_line(record)
    assert record["commit"] in line and record["device"] in line
