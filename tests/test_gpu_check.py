"""``make gpu-check`` on a CPU: nothing happens without CUDA; the runner, the record and the CUDA attention sweep.

The parts themselves need a GPU (``make gpu-check`` runs them there); here the runner is driven
by fake parts that succeed, hang, raise and skip, and the attention sweep runs on the CPU.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import torch

from dlref.lab import gpu_check
from dlref.lab.benchmarks import attention_cuda
from dlref.lab.gpu_check import Part
from dlref.lab.results import ResultCorruptError

ROOT = Path(__file__).resolve().parents[1]

FAKE_PARTS = '''
import os, subprocess, sys, time
from pathlib import Path

def good(budget_s, out_dir):
    (Path(out_dir) / "fake.txt").write_text("made by the part")
    return {"summary": f"fine within {budget_s:.1f} s", "metrics": {"answer": 42, "nan": float("nan")}}

def slow(budget_s, out_dir):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    Path(os.environ["FAKE_PID_FILE"]).write_text(str(child.pid))
    Path(os.environ["DLREF_GPU_CHECK_PARTIAL"]).write_text('{"summary": "halfway", "metrics": {"done": 1}}')
    time.sleep(600)

def boom(budget_s, out_dir):
    raise RuntimeError("kaboom in the part")

def skip(budget_s, out_dir):
    return {"status": "skipped", "reason": "1 GPU"}
'''


@pytest.fixture
def fake_parts(tmp_path, monkeypatch):
    (tmp_path / "fakeparts.py").write_text(FAKE_PARTS)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("FAKE_PID_FILE", str(tmp_path / "grandchild.pid"))
    return tmp_path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A killed child of a process that has exited may linger as a zombie until reaped.
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z")


def test_without_cuda_the_command_exits_0_and_writes_nothing(tmp_path):
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": "", "DLREF_RESULTS": str(tmp_path / "results"),
           "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "dlref.lab.gpu_check"], capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "no CUDA device: nothing to check"
    assert list(tmp_path.iterdir()) == []


def test_without_cuda_main_writes_nothing_even_with_out(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert gpu_check.main(["--out", str(tmp_path / "out"), "--parts", "attention,ddp"]) == 0
    assert capsys.readouterr().out == "no CUDA device: nothing to check\n"
    assert not (tmp_path / "out").exists()


def test_runner_records_success_timeout_error_and_skips(fake_parts, tmp_path):
    out = tmp_path / "store" / "gpu-check"
    parts = [Part("good", "fakeparts:good", 120), Part("slow", "fakeparts:slow", 8),
             Part("boom", "fakeparts:boom", 120), Part("skip", "fakeparts:skip", 120),
             Part("missing", "fakeparts:good", 120, needs=("no_such_module_for_dlref",))]
    began = time.monotonic()
    record = gpu_check.run_parts(parts, out, budget_scale=0.5, echo=False)
    assert time.monotonic() - began < 100
    status = {p["name"]: p for p in record["parts"]}
    assert [p["name"] for p in record["parts"]] == ["good", "slow", "boom", "skip", "missing"]
    assert {k: p["status"] for k, p in status.items()} == {
        "good": "ok", "slow": "timed out", "boom": "failed", "skip": "skipped", "missing": "skipped"}
    assert status["good"]["summary"] == "fine within 60.0 s" and status["good"]["budget_s"] == 60
    assert status["good"]["metrics"] == {"answer": 42, "nan": None}  # NaN is written as null
    assert 4 <= status["slow"]["seconds"] < 30 and status["slow"]["budget_s"] == 4
    assert status["slow"]["summary"] == "(partial) halfway" and status["slow"]["metrics"] == {"done": 1}
    grandchild = int((tmp_path / "grandchild.pid").read_text())
    assert not _alive(grandchild), "the timed-out part's own child process was left running"
    assert "RuntimeError: kaboom in the part" in status["boom"]["reason"]
    assert "kaboom" in status["boom"]["output_tail"]
    assert status["skip"]["reason"] == "1 GPU"
    assert "no_such_module_for_dlref" in status["missing"]["reason"] and status["missing"]["seconds"] == 0
    # The record: complete, with provenance, every file listed, readable back, nothing left beside it.
    assert record["complete"] and record["format"] == gpu_check.FORMAT and record["budget_scale"] == 0.5
    for key in ("commit", "device", "torch", "cuda", "date", "gpus", "packages", "python_executable"):
        assert key in record["provenance"], key
    assert record["files"] == ["fake.txt", "result.json"]
    assert sorted(p.name for p in out.iterdir()) == ["fake.txt", "result.json"]
    assert gpu_check.read_result(out) == record == json.loads((out / "result.json").read_text())
    assert [p.name for p in out.parent.iterdir()] == ["gpu-check"]
    text = gpu_check.format_result(record)
    assert "- slow: timed out (" in text and "- boom: failed" in text and "attention" not in text
    # A second run replaces the folder whole: the first run's file does not survive.
    again = gpu_check.run_parts([Part("skip", "fakeparts:skip", 10)], out, echo=False)
    assert sorted(p.name for p in out.iterdir()) == ["result.json"] and again["files"] == ["result.json"]


def _record(**changes):
    record = {"format": gpu_check.FORMAT, "complete": True, "budget_scale": 1.0, "seconds": 3.0, "files": ["result.json"],
              "provenance": {"commit": "abc", "device": "cuda (GPU)", "torch": "2.5", "cuda": "12.4",
                             "date": "2026-01-01 00:00 UTC"},
              "parts": [{"name": "ddp", "status": "skipped", "budget_s": 20.0, "seconds": 0.0, "summary": "",
                         "metrics": {}, "reason": "1 GPU"}]}
    record.update(changes)
    return record


@pytest.mark.parametrize("changes, match", [
    ({"format": "other/1"}, r"record\['format'\] must be 'dlref-gpu-check/1'"),
    ({"complete": "yes"}, r"record\['complete'\] must be True or False"),
    ({"provenance": {"commit": "abc"}}, r"record\['provenance'\] must hold the key.*lacks 'device'"),
    ({"budget_scale": -1.0}, r"record\['budget_scale'\] must be a finite number"),
    ({"parts": [{"name": "x", "status": "great", "budget_s": 1, "seconds": 0, "summary": "", "metrics": {}}]},
     r"record\['parts'\]\[0\]\['status'\] must be one of"),
    ({"parts": [{"name": "x", "status": "failed", "budget_s": 1, "seconds": 0, "summary": "", "metrics": {}}]},
     r"record\['parts'\]\[0\]\['reason'\] must be a str"),
    ({"parts": [{"name": "x", "status": "ok"}]}, r"record\['parts'\]\[0\] must hold the key.*lacks 'budget_s'"),
])
def test_check_record_names_what_is_wrong(changes, match):
    gpu_check.check_record(_record())
    with pytest.raises((TypeError, ValueError), match=match):
        gpu_check.check_record(_record(**changes))


def test_read_result_missing_and_corrupt(tmp_path):
    assert gpu_check.read_result(tmp_path / "nothing") is None
    (tmp_path / "result.json").write_text('{"format": "dlref-gpu-check/1", "compl')
    with pytest.raises(ResultCorruptError, match="result.json is not a gpu-check record.*make gpu-check"):
        gpu_check.read_result(tmp_path)
    (tmp_path / "result.json").write_text(json.dumps(_record(format="x")))
    with pytest.raises(ResultCorruptError, match="format"):
        gpu_check.read_result(tmp_path)


def test_format_result_shows_every_part_and_the_attention_table():
    rows = [{"dtype": "bfloat16", "head_dim": 64, "L": 512, "B": 32, "H": 32, "impl": impl, "status": status,
             "ms": 1.0, "tflops": tflops, "peak_mb": 1.0}
            for impl, status, tflops in (("torch sdpa", "ok", 321.5), ("step-by-step", "oom", None))]
    attention = {"name": "attention", "status": "ok", "budget_s": 80.0, "seconds": 30.0, "summary": "best: …",
                 "metrics": {"rows": rows}}
    text = gpu_check.format_result(_record(parts=[attention, *_record()["parts"]], complete=False))
    assert "INCOMPLETE" in text and "- ddp: skipped (0 s of 20 s): 1 GPU" in text
    assert "321.5" in text and "oom" in text and "step-by-step" in text


@pytest.mark.parametrize("argv, message", [
    (["--parts", "tests,nope"], "--parts: unknown part(s) 'nope'"),
    (["--parts", ","], "--parts: unknown part(s) (none given)"),
    (["--parts", "ddp,ddp"], "named twice"),
    (["--budget-scale", "-1"], "--budget-scale must be a positive number; got '-1'"),
    (["--budget-scale", "0"], "--budget-scale must be a positive number"),
    (["--budget-scale", "nan"], "--budget-scale must be a positive number"),
    (["--budget-scale", "fast"], "--budget-scale must be a positive number; got 'fast'"),
    (["--out", " "], "--out must be a non-empty path"),
    (["--frobnicate"], "unrecognized arguments: --frobnicate"),
])
def test_bad_arguments_exit_2_with_one_line(argv, message, capsys):
    with pytest.raises(SystemExit) as info:
        gpu_check.main(argv)
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert err.count("\n") == 1 and message in err and err.startswith("python3 -m dlref.lab.gpu_check: error:")


def test_list_shows_the_parts_and_the_budgets_fit_in_eight_minutes(capsys):
    assert gpu_check.main(["--list", "--budget-scale", "0.5"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == list(gpu_check.PARTS)
    assert sum(p.budget_s for p in gpu_check.PARTS.values()) <= 8 * 60
    for name, part in gpu_check.PARTS.items():
        module, _, function = part.target.partition(":")
        assert part.name == name and module == "dlref.lab.gpu_check" and callable(getattr(gpu_check, function))


def test_prepare_data_writes_gzip_files_and_the_commit(tmp_path, monkeypatch):
    from dlref.lab import data

    raw = tmp_path / "root" / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for i, name in enumerate(data.FASHION_MNIST_CHECKSUMS):
        (raw / name).write_bytes(bytes([i]) * (1000 + i))
    monkeypatch.setattr(data, "prepare_fashion_mnist", lambda root, download: raw)
    folder = gpu_check.prepare_data(tmp_path / "gpu-data")
    for i, name in enumerate(data.FASHION_MNIST_CHECKSUMS):
        assert gzip.decompress((folder / "FashionMNIST" / "raw" / f"{name}.gz").read_bytes()) == bytes([i]) * (1000 + i)
    source = json.loads((folder / gpu_check.DATA_SOURCE_FILE).read_text())
    assert source["commit"] and len(source["files"]) == 4
    assert not list(folder.rglob("*.part"))
    monkeypatch.setenv("DLREF_DATA", str(folder))  # as make gpu-check sets it: the parts find the data
    assert gpu_check._fashion_mnist_missing() is None


def test_provenance_takes_the_commit_from_gpu_data_without_git(tmp_path, monkeypatch):
    from dlref.lab import provenance

    (tmp_path / gpu_check.DATA_SOURCE_FILE).write_text(json.dumps({"commit": "0123456789", "date": "2026-01-01 00:00 UTC"}))
    monkeypatch.setenv("DLREF_DATA", str(tmp_path))
    monkeypatch.setattr(provenance, "git_commit", lambda path=".": "unknown")
    record = gpu_check.provenance_record()
    assert record["commit"].startswith("0123456789 (no git here; from make gpu-data")


def test_parts_that_need_more_than_this_machine_say_why(monkeypatch, tmp_path):
    import importlib.util

    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    assert gpu_check._part_ddp(10.0, tmp_path) == {"status": "skipped", "reason": "1 GPU: DDP needs two or more",
                                                   "summary": "", "metrics": {}}
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "dlref.lab.benchmarks.gan" else real(name, *a))
    assert gpu_check._part_gan_bench(10.0, tmp_path)["status"] == "not available"
    from dlref.lab import data

    monkeypatch.setenv("DLREF_DATA", str(tmp_path / "empty"))
    monkeypatch.setattr(data, "FASHION_MNIST_DEBIAN_DIR", tmp_path / "no-debian")
    for part in (gpu_check._part_dcgan, gpu_check._part_fashion_fast):
        report = part(10.0, tmp_path)
        assert report["status"] == "skipped" and "make gpu-data" in report["reason"], report


# --------------------------------------------------------------------------- the CUDA attention sweep, on a CPU

TINY = attention_cuda.Config(dtypes=("bfloat16",), lengths=(16, 32), head_dims=(8,), tokens=32, width=16, repeats=2,
                             min_seconds=0.001)


def test_attention_sweep_rows_and_flops():
    rows = attention_cuda.run(TINY, device="cpu")["rows"]
    assert [(r["L"], r["B"], r["H"], r["impl"]) for r in rows] == [
        (L, 32 // L, 2, impl) for L in (16, 32) for impl in attention_cuda.IMPLEMENTATIONS]
    for r in rows:
        assert r["status"] == "ok" and r["tflops"] == pytest.approx(
            attention_cuda.attention_flops(r["B"], r["H"], r["L"], 8) / (r["ms"] / 1e3) / 1e12)
    assert attention_cuda.attention_flops(2, 3, 5, 7) == 3.5 * 4 * 2 * 3 * 25 * 7


def test_attention_sweep_records_oom_memory_limit_and_budget(monkeypatch):
    import dataclasses

    from dlref.lab.benchmarks import attention as cpu_bench

    real = cpu_bench._time_once

    def oom_for_fused(fn, q, k, v, grad, loops):
        if "fast=True" in _source(fn):
            raise torch.cuda.OutOfMemoryError("CUDA out of memory (simulated)")
        return real(fn, q, k, v, grad, loops)

    monkeypatch.setattr(attention_cuda, "_time_once", oom_for_fused)
    rows = attention_cuda.measure(dataclasses.replace(TINY, step_memory_limit_gb=0.0), "float16", 8, 16, "cpu")
    status = {r["impl"]: r["status"] for r in rows}
    assert status == {"step-by-step": "memory limit", "fused (dlref)": "oom", "torch sdpa": "ok"}
    late = attention_cuda.run(TINY, deadline=time.monotonic() - 1, device="cpu")["rows"]
    assert {r["status"] for r in late} == {"budget"}
    table = attention_cuda.table(rows + late)
    assert "memory limit" in table and "oom" in table and "budget" in table


def _source(fn) -> str:
    import inspect

    return inspect.getsource(fn)


def test_attention_cuda_command_without_cuda(monkeypatch, capsys):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert attention_cuda.main(["--lengths", "64"]) == 1
    assert "CUDA is not available" in capsys.readouterr().out
    with pytest.raises(SystemExit) as info:
        attention_cuda.main(["--lengths", "0"])
    assert info.value.code == 2 and "--lengths[0] must be an int >= 1" in capsys.readouterr().err


def test_make_gpu_check_without_cuda_and_the_targets_parse(tmp_path):
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": "", "GPU_CHECK_OUT": str(tmp_path / "out")}
    dry = subprocess.run(["make", "-n", "gpu-check", "PARTS=ddp", "BUDGET_SCALE=0.5"], capture_output=True, text=True,
                         cwd=ROOT, env=env, timeout=60)
    assert dry.returncode == 0, dry.stderr
    assert "python3 -m dlref.lab.gpu_check" in dry.stdout and "--parts ddp --budget-scale 0.5" in dry.stdout
    assert ".venv" not in dry.stdout  # the GPU machine has no venv: its own python3
    dry_data = subprocess.run(["make", "-n", "gpu-data", "GPU_DATA=" + str(tmp_path / "d")], capture_output=True,
                              text=True, cwd=ROOT, env=env, timeout=60)
    assert dry_data.returncode == 0 and "--prepare-data " + str(tmp_path / "d") in dry_data.stdout
    if subprocess.run(["python3", "-c", "import torch"], capture_output=True).returncode != 0:
        pytest.skip("this machine's python3 (what make gpu-check runs) has no torch")
    run = subprocess.run(["make", "-s", "gpu-check"], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert run.returncode == 0 and run.stdout.strip() == "no CUDA device: nothing to check"
    assert not (tmp_path / "out").exists()


def test_the_gpu_data_folder_is_ignored_by_git():
    assert "/gpu-data/" in (ROOT / ".gitignore").read_text().splitlines()
