"""The training-loop benchmark (dlref/lab/benchmarks/train.py) in smoke mode."""

from __future__ import annotations

import pytest

from dlref.lab import benchmarks, cli


@pytest.fixture(scope="module")
def bench():
    return benchmarks.load("train")


def test_smoke_run_times_every_loop_and_precision(bench, monkeypatch):
    monkeypatch.setenv("DLREF_DEVICE", "cpu")
    cfg = bench.Config(models=("lenet", "fast-cnn"), batch_size=8, steps=2, repeats=1, threads=1)
    metrics = bench.run(cfg)
    keys = {(r["model"], r["precision"], r["loop"]) for r in metrics["rows"]}
    assert keys == {(m, p, loop) for m in cfg.models for p in bench.PRECISIONS for loop in bench.LOOPS}
    assert all(r["images_per_s"] > 0 and len(r["seconds"]) == cfg.repeats for r in metrics["rows"])
    assert metrics["threads"] == 1 and metrics["device"].startswith("cpu")
    text = bench.table(metrics["rows"])
    assert text.count("\n") == 2 * len(cfg.models)  # a header and one line per model and precision
    assert "dlref ÷ plain" in text


def test_unknown_model_is_named(bench):
    with pytest.raises(ValueError, match="unknown model 'resnet'; expected one of"):
        bench.build("resnet")


def test_cli_bench_train_prints_the_table(capsys, monkeypatch):
    monkeypatch.setenv("DLREF_DEVICE", "cpu")
    assert cli.main(["bench", "train", "--models", "lenet", "--batch-size", "8", "--steps", "2", "--repeats", "1",
                     "--threads", "1"]) == 0
    out = capsys.readouterr().out
    assert "dlref ÷ plain" in out and "lenet" in out


def test_unknown_benchmark_is_named():
    with pytest.raises(ValueError, match="unknown benchmark 'gpu'; expected one of"):
        benchmarks.load("gpu")
