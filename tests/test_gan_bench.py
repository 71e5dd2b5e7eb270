"""The GAN-loop benchmark (dlref/lab/benchmarks/gan.py) in smoke mode, and `dlref bench gan`."""

from __future__ import annotations

import copy
import time

import pytest
import torch
from torch import nn
from torch.testing import assert_close

from dlref.gan import losses
from dlref.lab import benchmarks, cli


@pytest.fixture(scope="module")
def bench():
    return benchmarks.load("gan")


@pytest.fixture
def tiny(bench):
    return bench.Config(batch_size=4, steps=2, repeats=2, warmup_steps=1, z_dim=8, width=2, threads=1)


def _flat(net: nn.Module) -> torch.Tensor:
    return torch.cat([t.detach().flatten().float() for t in net.state_dict().values()])


def test_smoke_run_measures_both_loops_from_the_same_weights(bench, tiny, monkeypatch):
    monkeypatch.setenv("DLREF_DEVICE", "cpu")
    calls = []  # (loop, G's and D's weights when the loop was called)
    for loop, fn in list(bench.LOOP_FNS.items()):
        def recording(G, D, *args, _loop=loop, _fn=fn):
            calls.append((_loop, _flat(G), _flat(D)))
            return _fn(G, D, *args)
        monkeypatch.setitem(bench.LOOP_FNS, loop, recording)
    metrics = bench.run(tiny)

    first = {}
    for loop, g, d in calls:
        first.setdefault(loop, (g, d))
    (g0, d0), (g1, d1) = first["plain PyTorch"], first["dlref.lab.gan.train"]
    assert torch.equal(g0, g1) and torch.equal(d0, d1)  # one initialisation, deep-copied
    last = {loop: (g, d) for loop, g, d in calls}
    for loop in bench.LOOPS:  # each loop trained its own copy
        assert not torch.equal(last[loop][0], first[loop][0]) and not torch.equal(last[loop][1], first[loop][1])
    assert [loop for loop, _, _ in calls] == [*bench.LOOPS, *bench.LOOPS, *reversed(bench.LOOPS)]  # warm-up, interleaved

    assert [r["loop"] for r in metrics["rows"]] == list(bench.LOOPS)
    for r in metrics["rows"]:
        assert len(r["seconds"]) == tiny.repeats and all(s > 0 for s in r["seconds"])
        assert r["images_per_s"] > 0
    plain, ours = (r["images_per_s"] for r in metrics["rows"])
    assert metrics["ratio"] == pytest.approx(ours / plain)
    assert len(metrics["paired_ratios"]) == tiny.repeats
    assert metrics["target"] == 0.95 and metrics["target_met"] == (metrics["ratio"] >= 0.95)
    assert metrics["device_type"] == "cpu" and metrics["device"].startswith("cpu") and metrics["threads"] == 1
    assert metrics["clock"] == "thread CPU time"
    assert (metrics["batch_size"], metrics["steps"], metrics["repeats"]) == (4, 2, 2)
    assert metrics["g_parameters"] == sum(p.numel() for p in bench.make_models(tiny)[0].parameters())


def test_both_loops_train_and_the_plain_loop_is_the_recipe(bench, tiny):
    G, D = bench.make_models(tiny)
    data = bench.make_data(tiny)
    assert data.shape == (3 * 4, 3, 64, 64) and data.min() >= -1 and data.max() <= 1
    for fn in (bench.plain_loop, bench.dlref_loop):
        g, d = copy.deepcopy(G), copy.deepcopy(D)
        seconds = fn(g, d, data, tiny, 2, torch.device("cpu"))
        assert seconds > 0
        assert not torch.equal(_flat(g), _flat(G)) and not torch.equal(_flat(d), _flat(D))
        assert all(torch.isfinite(p).all() for p in [*g.parameters(), *d.parameters()])


def test_the_recipes_bce_is_dlrefs_non_saturating_loss():
    torch.manual_seed(0)
    real, fake = torch.randn(7, 1, dtype=torch.float64) * 3, torch.randn(7, 1, dtype=torch.float64) * 3
    bce = nn.BCEWithLogitsLoss()
    recipe_d = bce(real, torch.ones_like(real)) + bce(fake, torch.zeros_like(fake))
    assert_close(losses.get_loss("non-saturating").d_loss(real, fake), recipe_d)
    assert_close(losses.get_loss("non-saturating").g_loss(fake), bce(fake, torch.ones_like(fake)))
    # … and the recipe's Sigmoid + BCELoss is the same number
    assert_close(nn.BCELoss()(torch.sigmoid(fake), torch.ones_like(fake)), bce(fake, torch.ones_like(fake)))


def _metrics(device_type: str, ratio: float) -> dict:
    return {"rows": [{"loop": "plain PyTorch", "images_per_s": 10.0, "seconds": [1.0]},
                     {"loop": "dlref.lab.gan.train", "images_per_s": 10.0 * ratio, "seconds": [1.0 / ratio]}],
            "ratio": ratio, "device": f"{device_type} (x)", "device_type": device_type, "threads": 1,
            "batch_size": 64, "steps": 4, "repeats": 1, "clock": "wall clock"}


def test_table_states_each_target(bench):
    text = bench.table(_metrics("cpu", 0.9))
    assert "target on CUDA: dlref ÷ plain ≥ 2 — not measured here" in text
    assert text.splitlines()[-1] == "dlref ÷ plain: 0.90 — target on CPU ≥ 0.95: NOT met"  # the verdict comes last
    text = bench.table(_metrics("cuda", 2.5))
    assert "target on CPU: dlref ÷ plain ≥ 0.95 — not measured here" in text
    assert text.splitlines()[-1] == "dlref ÷ plain: 2.50 — target on CUDA ≥ 2: met"
    assert bench.table(_metrics("mps", 1.0)).splitlines()[-1] == "dlref ÷ plain: 1.00"
    with pytest.raises(ValueError, match="metrics must hold the key"):
        bench.table({"rows": []})


def test_clock_is_thread_time_only_for_one_cpu_thread(bench):
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        assert bench.clock(torch.device("cpu")) is time.thread_time
        torch.set_num_threads(2)
        assert bench.clock(torch.device("cpu")) is time.perf_counter
    finally:
        torch.set_num_threads(before)
    assert bench.clock(torch.device("cuda")) is time.perf_counter


@pytest.mark.parametrize("field", ["batch_size", "steps", "repeats", "warmup_steps", "z_dim", "width", "channels",
                                   "threads"])
def test_bad_config_values_name_the_field(bench, field):
    with pytest.raises(ValueError, match=rf"Config\.{field} must be an int >= 1; got 0"):
        bench.Config(**{field: 0})
    with pytest.raises(TypeError, match=rf"Config\.{field} must be an int"):
        bench.Config(**{field: 2.5})


def test_bad_config_seed_and_batch_of_one(bench):
    with pytest.raises(ValueError, match=r"Config\.seed must be an int >= 0; got -1"):
        bench.Config(seed=-1)
    with pytest.raises(ValueError, match=r"Config\.batch_size must be at least 2"):
        bench.Config(batch_size=1)


def test_bad_arguments_to_the_helpers(bench):
    with pytest.raises(TypeError, match="cfg must be"):
        bench.make_models({"width": 2})
    with pytest.raises(TypeError, match="cfg must be"):
        bench.run(None)
    with pytest.raises(ValueError, match="device_type must be one of 'cpu', 'cuda'"):
        bench.stored("mps")


def test_cli_bench_gan_prints_the_table(capsys, monkeypatch):
    monkeypatch.setenv("DLREF_DEVICE", "cpu")
    assert cli.main(["bench", "gan", "--batch-size", "4", "--steps", "1", "--repeats", "1", "--width", "2",
                     "--threads", "1"]) == 0
    out = capsys.readouterr().out
    assert "dlref ÷ plain" in out and "plain PyTorch" in out and "not measured here" in out


def test_cli_bench_gan_refuses_bad_values(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["bench", "gan", "--steps", "0"])
    assert exc.value.code == 2
    assert "Config.steps must be an int >= 1; got 0" in capsys.readouterr().err


def test_cli_defaults_are_the_devices(bench, capsys, monkeypatch):
    monkeypatch.setenv("DLREF_DEVICE", "cpu")
    seen = []
    monkeypatch.setattr(bench, "run", lambda cfg: seen.append(cfg) or _metrics("cpu", 1.0))
    assert bench.main(["--steps", "2"]) == 0
    assert seen == [bench.Config(steps=2)] and bench.DEFAULTS["cpu"] == bench.Config()
    assert bench.DEFAULTS["cuda"].batch_size == 128


def test_cli_store_without_a_record_says_how_to_make_one(bench, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("DLREF_DEVICE", "cpu")
    monkeypatch.setenv("DLREF_PROFILE", "quick")
    monkeypatch.setenv("DLREF_RESULTS", str(tmp_path))
    monkeypatch.setattr("dlref.lab.results.bundled_root", lambda: None)
    assert bench.main(["--store"]) == 1
    assert "DLREF_PROFILE=full" in capsys.readouterr().out
