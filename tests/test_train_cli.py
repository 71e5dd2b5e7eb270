"""Tests for `dlref train classifier` (dlref.experiments.train_cli): dry run, missing CIFAR-10, bad args."""

from __future__ import annotations

import json

import pytest

from dlref import data
from dlref.cli import main


def test_dry_run_fashion_mnist(tmp_path, capsys):
    if not data.available()["fashion-mnist"]:
        pytest.skip("Fashion-MNIST not available")
    rc = main(["train", "classifier", "--model", "lenet", "--dry-run", "--no-progress", "--checkpoint-dir", str(tmp_path)])
    out = capsys.readouterr().out
    assert rc == 0
    assert "lenet on fashion-mnist (256 training images" in out
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["steps"] == 3 and metrics["stopped_early"]
    assert (tmp_path / "checkpoint.pt").is_file()


def test_cifar10_missing_says_where_and_how(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DLREF_DATA", str(tmp_path))
    rc = main(["train", "classifier", "--data", "cifar10", "--no-progress"])
    err = capsys.readouterr().err
    assert rc == 1
    assert "CIFAR-10 not found" in err and str(tmp_path) in err and "dlref data fetch cifar10" in err


def test_bad_epochs(capsys):
    assert main(["train", "classifier", "--epochs", "0"]) == 2
    assert "--epochs must be >= 1; got 0" in capsys.readouterr().err


def test_unknown_model_is_a_usage_error():
    with pytest.raises(SystemExit) as exc:
        main(["train", "classifier", "--model", "resnet"])
    assert exc.value.code == 2
