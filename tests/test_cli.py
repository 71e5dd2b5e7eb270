"""Tests for the dlref command line: --version, info, data fetch and its errors."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
import torch

import dlref
from dlref.lab import cli, data

needs_debian_fmnist = pytest.mark.skipif(
    not (data.FASHION_MNIST_DEBIAN_DIR / "train-images-idx3-ubyte.gz").is_file(),
    reason=f"Debian package dataset-fashion-mnist not installed ({data.FASHION_MNIST_DEBIAN_DIR} absent)",
)


@pytest.fixture(autouse=True)
def data_root(monkeypatch, tmp_path):
    monkeypatch.setenv("DLREF_DATA", str(tmp_path))
    return tmp_path


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"dlref {dlref.__version__}"


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = capsys.readouterr().out
    for command in cli.COMMANDS:
        assert command.name in out


def _rows(out: str) -> dict[str, str]:
    """`key    value` lines of `dlref info` as a dict (keys may contain one space)."""
    return dict(re.split(r"\s{2,}", line.strip(), maxsplit=1) for line in out.splitlines() if line.strip())


def test_info(capsys, data_root):
    import torchvision

    assert cli.main(["info"]) == 0
    rows = _rows(capsys.readouterr().out)
    assert rows["dlref"] == dlref.__version__
    assert rows["torch"] == torch.__version__
    assert rows["torchvision"] == torchvision.__version__
    assert rows["device"].startswith(dlref.device().type)
    assert rows["profile"] == dlref.profile()
    assert rows["data root"] == str(data_root)
    assert rows["cifar10"].startswith("missing")
    assert rows["digits"] == "available"
    assert set(data.available()) <= set(rows)


def test_info_reports_bad_device(capsys, monkeypatch):
    monkeypatch.setenv("DLREF_DEVICE", "tpu")
    assert cli.main(["info"]) == 1
    assert "error: DLREF_DEVICE must be one of" in capsys.readouterr().out


def test_info_subprocess(data_root):
    env = {**os.environ, "DLREF_DATA": str(data_root), "DLREF_DEVICE": "cpu"}
    result = subprocess.run(
        [sys.executable, "-m", "dlref.lab.cli", "info"], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert torch.__version__ in result.stdout
    assert "cpu" in result.stdout and str(data_root) in result.stdout


@needs_debian_fmnist
def test_data_fetch_fashion_mnist(capsys, data_root):
    assert cli.main(["data", "fetch", "fashion-mnist"]) == 0
    raw = data_root / "FashionMNIST" / "raw"
    out = capsys.readouterr().out
    assert f"fashion-mnist: {raw} (from Debian files in" in out
    assert (raw / "train-images-idx3-ubyte").stat().st_size == 16 + 60000 * 28 * 28

    assert cli.main(["data", "fetch", "fashion-mnist"]) == 0
    assert "(already there)" in capsys.readouterr().out


def test_data_fetch_unknown_dataset(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["data", "fetch", "mnist"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'mnist'" in err and "fashion-mnist" in err


def test_data_without_action(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["data"])
    assert exit_.value.code == 2
    assert "required" in capsys.readouterr().err


def test_data_fetch_missing_cifar10_fails_clearly(capsys, data_root):
    assert cli.main(["data", "fetch", "cifar10", "--no-download"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("dlref data fetch: error: CIFAR-10 not found")
    assert str(data_root / "cifar-10-batches-py") in err


def test_no_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main([])
    assert exit_.value.code == 2
