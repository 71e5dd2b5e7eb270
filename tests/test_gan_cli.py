"""Tests for `dlref gan train`: smoke mode, resume through the CLI, and clear errors for bad values."""

from __future__ import annotations

import argparse
import dataclasses
import json
import re

import pytest
import torch

from dlref.lab import cli, data
from dlref.lab.gan import cli as gan_cli
from dlref.lab.gan.train import train


def test_ring_dry_run(capsys):
    assert cli.main(["gan", "train", "--dataset", "ring", "--loss", "wgan-gp", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "stopped early (dry run): 3 discriminator steps" in out


def test_ring_train_then_resume(tmp_path, capsys):
    args = ["gan", "train", "--dataset", "ring", "--n-train", "256", "--batch-size", "64", "--width", "8",
            "--z-dim", "2", "--out", str(tmp_path)]
    assert cli.main([*args, "--epochs", "1"]) == 0
    first = json.loads((tmp_path / "metrics.json").read_text())
    assert first["epoch"] == [1] and first["steps"] == 4
    assert (tmp_path / "samples_epoch001.png").is_file() and (tmp_path / "checkpoint.pt").is_file()
    # Resuming with a different configuration is refused with the differing field named.
    assert cli.main([*args, "--epochs", "1", "--lr-g", "1e-3", "--resume"]) == 2
    assert "different config" in capsys.readouterr().err
    assert cli.main([*args, "--epochs", "1", "--resume", "--out", str(tmp_path / "nothing")]) == 1
    assert "no checkpoint" in capsys.readouterr().err


def test_resume_continues_to_the_same_parameters(tmp_path):
    """An interrupted CLI run (stopped by the smoke limit after 5 steps) resumed with --resume ends at the same weights."""
    common = ["--dataset", "ring", "--n-train", "256", "--batch-size", "32", "--width", "8", "--z-dim", "2",
              "--epochs", "2", "--checkpoint-every", "3"]
    assert cli.main(["gan", "train", *common, "--out", str(tmp_path / "a")]) == 0
    parser = argparse.ArgumentParser()
    gan_cli.add_arguments(parser)
    data_, G, D, cfg = gan_cli.build(parser.parse_args(["train", *common]))
    train(G, D, data_, dataclasses.replace(cfg, max_steps=5), tmp_path / "b", progress=False)
    assert cli.main(["gan", "train", *common, "--out", str(tmp_path / "b"), "--resume"]) == 0
    a = torch.load(tmp_path / "a" / "checkpoint.pt", weights_only=False)
    b = torch.load(tmp_path / "b" / "checkpoint.pt", weights_only=False)
    assert b["history"]["resumed_from_step"] == 5
    for key in ("G", "D"):
        for x, y in zip(a[key].values(), b[key].values()):
            assert torch.equal(x, y)


@pytest.mark.parametrize("extra, message", [
    (["--batch-size", "0"], "--batch-size must be a positive int"),
    (["--lr-g", "-1"], "--lr-g must be a positive finite number"),
    (["--n-train", "0"], "--n-train must be an int >= 1"),
    (["--width", "-2"], "--width must be an int >= 1"),
    (["--eval-samples", "1"], "--eval-samples must be an int >= 2"),
    (["--gp-weight", "inf"], r"--gp-weight must be a finite number"),
    (["--resume"], "--resume needs --out"),
    (["--beta1", "1.5"], r"--beta1 must be in \[0, 1\)"),
])
def test_bad_values_are_usage_errors(capsys, extra, message):
    """Exit status 2 and argparse's one error line, before any data is read or step taken."""
    with pytest.raises(SystemExit) as exit_:
        cli.main(["gan", "train", "--dataset", "ring", *extra])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert re.search(f"dlref gan train: error: {message}", err), err


def test_unknown_loss_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["gan", "train", "--loss", "wasserstein"])
    assert exit_.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_fd_needs_fashion_mnist(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["gan", "train", "--dataset", "ring", "--fd", "--dry-run"])
    assert exit_.value.code == 2
    assert "--fd needs --dataset fashion-mnist" in capsys.readouterr().err


@pytest.mark.skipif(data.available()["fashion-mnist"] is False, reason="Fashion-MNIST not available offline")
def test_fashion_mnist_dry_run(capsys, tmp_path):
    assert cli.main(["gan", "train", "--dataset", "fashion-mnist", "--dry-run", "--out", str(tmp_path)]) == 0
    assert "3 discriminator steps" in capsys.readouterr().out
    state = torch.load(tmp_path / "checkpoint.pt", weights_only=False)
    assert state["history"]["steps"] == 3


@pytest.mark.slow
@pytest.mark.skipif(data.available()["fashion-mnist"] is False, reason="Fashion-MNIST not available offline")
def test_cli_does_what_the_notebook_experiment_does(tmp_path):
    """`dlref gan train --fd` and dlref.lab.experiments.gan_fashion.run give the same FD curve and weights on a tiny config."""
    from dlref.lab.experiments import gan_fashion

    cfg = gan_fashion.FashionConfig(epochs=1, n_train=128, batch_size=32, width=8, eval_samples=64)
    (tmp_path / "experiment").mkdir()
    metrics = gan_fashion.run(cfg, tmp_path / "experiment")
    assert cli.main(["gan", "train", "--dataset", "fashion-mnist", "--loss", cfg.loss, "--epochs", "1",
                     "--n-train", "128", "--batch-size", "32", "--width", "8", "--fd", "--eval-samples", "64",
                     "--out", str(tmp_path / "cli")]) == 0
    history = json.loads((tmp_path / "cli" / "metrics.json").read_text())
    # Equal up to float rounding: the experiment runs on one CPU thread, the CLI on the default count.
    assert [e["fd"] for e in history["eval"]] == pytest.approx(metrics["fd"], rel=1e-6)
    assert history["d_loss"] == pytest.approx(metrics["d_loss"], rel=1e-6)
    assert history["steps"] == metrics["steps"] == 4
