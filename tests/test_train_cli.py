"""Tests for `dlref train classifier` (dlref.lab.experiments.train_cli): dry run, missing CIFAR-10, bad args."""

from __future__ import annotations

import json
import re

import pytest

from dlref.lab import data
from dlref.lab.cli import main


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


@pytest.mark.parametrize("extra, message", [
    (["--epochs", "0"], "--epochs must be a positive int; got 0"),
    (["--batch-size", "-1"], "--batch-size must be a positive int; got -1"),
    (["--lr", "0"], "--lr must be a positive finite number; got 0.0"),
    (["--lr", "nan"], "--lr must be a positive finite number; got nan"),
    (["--weight-decay", "inf"], r"--weight-decay must be a finite number in \[0.0, ∞\); got inf"),
    (["--seed", "-3"], "--seed must be a non-negative int; got -3"),
    (["--n-train", "-5"], "--n-train must be an int >= 1; got -5"),
    (["--resume"], "--resume needs --checkpoint-dir"),
])
def test_bad_values_are_usage_errors_before_any_work(monkeypatch, capsys, extra, message):
    """Exit status 2 and argparse's one error line, before any data is read."""
    from dlref.lab.experiments import train_cli

    def no_data(*args, **kwargs):
        raise AssertionError("data was read although an option was bad")

    monkeypatch.setattr(train_cli, "image_tensors", no_data)
    with pytest.raises(SystemExit) as exc:
        main(["train", "classifier", *extra])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert re.search(f"dlref train classifier: error: {message}", err), err
    assert len(err.strip().splitlines()[-1:]) == 1 and err.count("error:") == 1


def test_unknown_model_is_a_usage_error():
    with pytest.raises(SystemExit) as exc:
        main(["train", "classifier", "--model", "resnet"])
    assert exc.value.code == 2
