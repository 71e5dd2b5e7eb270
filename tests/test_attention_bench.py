"""The attention benchmark (dlref/lab/benchmarks/attention.py) in smoke mode, and `dlref bench attention`."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from dlref.lab import benchmarks, cli


@pytest.fixture(scope="module")
def bench():
    return benchmarks.load("attention")


def test_smoke_run_measures_every_implementation(bench):
    cfg = bench.Config(lengths=(32, 64), repeats=1, min_seconds=0.001)
    metrics = bench.run(cfg)
    rows = {(r["L"], r["impl"]): r for r in metrics["rows"]}
    assert set(rows) == {(L, impl) for L in (32, 64) for impl in bench.IMPLEMENTATIONS}
    assert all(r["ms"] > 0 and r["peak_mb"] is None for r in rows.values())  # no peak counter on CPU
    # saved for backward: two (B, H, L, L) float32 tensors step by step, L·E/H + L floats per head fused
    B, H, d = cfg.batch, cfg.heads, cfg.head_dim
    for L in (32, 64):
        assert rows[L, "step-by-step"]["saved_mb"] * 2**20 >= 2 * B * H * L * L * 4
        assert rows[L, "fused (dlref)"]["saved_mb"] * 2**20 == pytest.approx(B * H * (L * d + L) * 4, rel=0.05)
    assert rows[64, "fused (dlref)"]["paired_ratio"] > 0
    assert metrics["threads"] == 1 and torch.get_num_threads() >= 1


def test_memory_limit_skips_the_step_by_step_path(bench):
    cfg = bench.Config(lengths=(64,), repeats=1, min_seconds=0.001, step_memory_limit_gb=1e-6)
    rows = bench.run(cfg)["rows"]
    skipped = [r for r in rows if r["impl"] == "step-by-step"][0]
    assert skipped["ms"] is None and skipped["skipped"] == "memory limit"
    assert "skipped (memory limit)" in bench.table(rows)


def test_saved_bytes_counts_what_autograd_keeps(bench):
    q, k, v = (torch.randn(1, 1, 16, 4, requires_grad=True) for _ in range(3))
    assert bench.saved_bytes(lambda q, k, v: (q * 2).sum() + k.sum() + v.sum(), q, k, v) == 0  # scalar mul saves nothing
    assert bench.saved_bytes(lambda q, k, v: q.exp() + k + v, q, k, v) == 16 * 4 * 4  # exp saves its output


def test_unknown_implementation(bench):
    with pytest.raises(ValueError, match="unknown implementation 'cuDNN'"):
        bench._implementation("cuDNN")


def test_config_is_hashable_for_the_results_store(bench):
    assert dataclasses.asdict(bench.Config())["lengths"][-1] >= 4096


def test_cli_bench_attention_prints_a_table(capsys):
    assert cli.main(["bench", "attention", "--lengths", "32", "--repeats", "1"]) == 0
    out = capsys.readouterr().out
    assert "step-by-step" in out and "torch sdpa" in out and "\n    32  fused (dlref)" in out


def test_cli_bench_rejects_unknown_benchmark(capsys):
    with pytest.raises(SystemExit):
        cli.main(["bench", "conv"])
    assert "invalid choice" in capsys.readouterr().err


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message printed without CUDA")
def test_cli_bench_cuda_missing(capsys):
    assert cli.main(["bench", "attention", "--device", "cuda", "--lengths", "32"]) == 1
    assert "CUDA is not available" in capsys.readouterr().out
