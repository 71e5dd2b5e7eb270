"""Cost of attention: time and memory of forward + backward against the sequence length.

Three implementations of the same ``softmax(q kᵀ/√E) v`` on ``(B, H, L, E/H)`` inputs:

* ``step-by-step`` — [`dlref.attention.scaled_dot_product_attention()`][dlref.attention.scaled_dot_product_attention], which materialises the
  ``(B, H, L, L)`` scores and weights;
* ``fused (dlref)`` — the same function with ``fast=True`` (input checks, then PyTorch's kernel);
* ``torch sdpa`` — `torch.nn.functional.scaled_dot_product_attention()` called directly.

Time is the median over interleaved repeats of one forward + backward: on CUDA the wall clock
after ``torch.cuda.synchronize``; on CPU, run with one thread, the CPU time of that thread
(``time.thread_time``), which on an idle machine equals the wall time and on a shared one leaves
out the time other processes held the core. Memory is measured two ways: the bytes autograd keeps for the backward pass beyond the
inputs (``torch.autograd.graph.saved_tensors_hooks``; any device), and on CUDA the peak of
``torch.cuda.max_memory_allocated`` above what was allocated before the step.

Run ``dlref bench attention`` (or ``python -m dlref.lab.benchmarks.attention``); ``--store`` puts a CPU run
into the results store (``results/attention-bench-cpu/``) that the cost page shows.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import torch
import torch.nn.functional as F

from dlref import attention
from dlref import validate

IMPLEMENTATIONS = ("step-by-step", "fused (dlref)", "torch sdpa")


@dataclass(frozen=True)
class Config:
    """What the benchmark measures (its hash keys the results store)."""

    device: str = "cpu"
    dtype: str = "float32"  # "float32" or "bfloat16"
    lengths: tuple[int, ...] = (128, 256, 512, 1024, 2048, 4096, 8192)
    batch: int = 1
    heads: int = 2
    head_dim: int = 64
    repeats: int = 11  # interleaved rounds per length (fewer for long ones); the median is kept
    min_seconds: float = 0.1  # each measurement loops until it spans at least this long
    seconds_per_length: float = 40.0  # fewer rounds (at least 5) where one round would take longer
    cpu_threads: int = 1  # on a shared CPU one thread is far less disturbed by other processes
    step_memory_limit_gb: float = 6.0  # skip the step-by-step path when its (B, H, L, L) tensors would exceed this
    seed: int = 0

    def __post_init__(self) -> None:
        validate.choice("Config.dtype", self.dtype, ("float32", "bfloat16", "float16"))
        validate.each("Config.lengths", self.lengths, validate.positive_int)
        validate.positive_int("Config.batch", self.batch)
        validate.positive_int("Config.heads", self.heads)
        validate.positive_int("Config.head_dim", self.head_dim)
        validate.positive_int("Config.repeats", self.repeats)
        validate.positive_int("Config.cpu_threads", self.cpu_threads)


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _implementation(name: str) -> Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]:
    if name == "step-by-step":
        return lambda q, k, v: attention.scaled_dot_product_attention(q, k, v)
    if name == "fused (dlref)":
        return lambda q, k, v: attention.scaled_dot_product_attention(q, k, v, fast=True)
    if name == "torch sdpa":
        return lambda q, k, v: F.scaled_dot_product_attention(q, k, v)
    raise ValueError(f"unknown implementation {name!r}; expected one of {IMPLEMENTATIONS}")


def _step(fn, q, k, v, grad) -> None:
    """One forward + backward."""
    q.grad = k.grad = v.grad = None
    fn(q, k, v).backward(grad)


def saved_bytes(fn, q, k, v) -> int:
    """Bytes autograd saves for the backward pass of ``fn(q, k, v)``, not counting q, k, v themselves."""
    inputs = {t.untyped_storage().data_ptr() for t in (q, k, v)}
    storages: dict[int, int] = {}

    def pack(t: torch.Tensor) -> torch.Tensor:
        s = t.untyped_storage()
        if s.data_ptr() not in inputs:
            storages[s.data_ptr()] = s.nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = fn(q, k, v)
    del out
    return sum(storages.values())


def peak_bytes(fn, q, k, v, grad) -> int | None:
    """CUDA only: peak allocated memory during one forward + backward, above what was allocated before."""
    if q.device.type != "cuda":
        return None
    _sync(q.device)
    before = torch.cuda.memory_allocated(q.device)
    torch.cuda.reset_peak_memory_stats(q.device)
    _step(fn, q, k, v, grad)
    _sync(q.device)
    return torch.cuda.max_memory_allocated(q.device) - before


def _time_once(fn, q, k, v, grad, loops: int) -> float:
    # On CPU with one thread all work runs in this thread, so its CPU time is the compute time and
    # excludes the time other processes held the core; on CUDA the wall clock after a sync.
    clock = time.thread_time if q.device.type == "cpu" and torch.get_num_threads() == 1 else time.perf_counter
    _sync(q.device)
    start = clock()
    for _ in range(loops):
        _step(fn, q, k, v, grad)
    _sync(q.device)
    return (clock() - start) / loops


def measure_length(cfg: Config, L: int) -> list[dict]:
    """Time and memory of each implementation at sequence length ``L`` (self-attention, S = L)."""
    device, dtype = torch.device(cfg.device), getattr(torch, cfg.dtype)
    g = torch.Generator(device=device).manual_seed(cfg.seed)
    shape = (cfg.batch, cfg.heads, L, cfg.head_dim)  # (B, H, L, E/H)
    q, k, v = (torch.randn(shape, generator=g, device=device, dtype=dtype).requires_grad_() for _ in range(3))
    grad = torch.randn(shape, generator=g, device=device, dtype=dtype)
    scores_gb = cfg.batch * cfg.heads * L * L * torch.finfo(dtype).bits / 8 / 1e9  # one (B, H, L, L) tensor
    names = [n for n in IMPLEMENTATIONS if n != "step-by-step" or 3 * scores_gb <= cfg.step_memory_limit_gb]
    fns = {n: _implementation(n) for n in names}

    loops, round_seconds = {}, 0.0
    for n in names:  # warm-up, and how many steps make one measurement
        t = _time_once(fns[n], q, k, v, grad, 1)
        loops[n] = max(1, round(cfg.min_seconds / max(t, 1e-6)))
        round_seconds += loops[n] * t
    rounds = min(cfg.repeats, max(5, int(cfg.seconds_per_length / round_seconds)))
    times: dict[str, list[float]] = {n: [] for n in names}
    for r in range(rounds):  # interleaved, in a rotating order, so drift hits every implementation alike
        for n in names[r % len(names):] + names[: r % len(names)]:
            times[n].append(_time_once(fns[n], q, k, v, grad, loops[n]))
    # The fused paths run the same kernel; compare them round by round (paired), as the median ratio.
    fused_ratio = statistics.median(a / b for a, b in zip(times["fused (dlref)"], times["torch sdpa"]))
    rows = []
    for n in IMPLEMENTATIONS:
        if n not in names:
            rows.append({"L": L, "impl": n, "ms": None, "saved_mb": None, "peak_mb": None, "skipped": "memory limit"})
            continue
        peak = peak_bytes(fns[n], q, k, v, grad)
        rows.append({
            "L": L, "impl": n, "ms": 1e3 * statistics.median(times[n]),
            "ms_min": 1e3 * min(times[n]), "ms_max": 1e3 * max(times[n]), "rounds": rounds,
            "paired_ratio": fused_ratio if n == "fused (dlref)" else None,
            "saved_mb": saved_bytes(fns[n], q, k, v) / 2**20,
            "peak_mb": None if peak is None else peak / 2**20,
        })
    return rows


def run(cfg: Config, out_dir: Path | None = None) -> dict:
    """The whole sweep; returns the metrics the results store keeps (one row per length and implementation)."""
    from dlref.lab.device import describe

    threads = torch.get_num_threads()
    if cfg.device == "cpu":
        torch.set_num_threads(cfg.cpu_threads)
    try:
        rows = [row for L in cfg.lengths for row in measure_length(cfg, L)]
        used = torch.get_num_threads()
        clock = "thread CPU time" if cfg.device == "cpu" and used == 1 else "wall clock"
    finally:
        torch.set_num_threads(threads)
    return {"rows": rows, "device": describe(torch.device(cfg.device)).split(" (")[0], "threads": used, "clock": clock}


def table(rows: list[dict]) -> str:
    """The measurements as a fixed-width text table, with each time's ratio to ``torch sdpa``."""
    ref = {r["L"]: r["ms"] for r in rows if r["impl"] == "torch sdpa"}
    lines = [f"{'L':>6}  {'implementation':<14} {'time (ms)':>10} {'÷ torch':>8} {'paired ÷':>9} "
             f"{'saved (MiB)':>12} {'peak (MiB)':>11}"]
    for r in rows:
        if r["ms"] is None:
            lines.append(f"{r['L']:>6}  {r['impl']:<14} {'skipped (' + r['skipped'] + ')':>43}")
            continue
        peak = "n/a" if r["peak_mb"] is None else f"{r['peak_mb']:.1f}"
        paired = "" if r.get("paired_ratio") is None else f"{r['paired_ratio']:.3f}"
        lines.append(f"{r['L']:>6}  {r['impl']:<14} {r['ms']:>10.2f} {r['ms'] / ref[r['L']]:>8.3f} {paired:>9} "
                     f"{r['saved_mb']:>12.2f} {peak:>11}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: print the table for a sweep (``--store`` keeps a CPU run in the results store)."""
    import argparse

    parser = argparse.ArgumentParser(prog="dlref bench attention", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run_from_args(parser.parse_args(argv))


def add_arguments(parser) -> None:
    """The benchmark's command-line options (shared with ``dlref bench attention``)."""
    default = Config()
    parser.add_argument("--device", default=None, help="cpu or cuda (default: dlref.device())")
    parser.add_argument("--dtype", choices=("float32", "bfloat16"), default=default.dtype)
    parser.add_argument("--lengths", type=validate.count_argument, nargs="+", default=list(default.lengths), metavar="L")
    parser.add_argument("--repeats", type=validate.count_argument, default=default.repeats)
    parser.add_argument("--store", action="store_true",
                        help="run the default CPU configuration through the results store (results/attention-bench-cpu/)")


def run_from_args(args) -> int:
    """Run the sweep the parsed arguments describe and print its table."""
    import dlref

    if args.store:
        from dlref.lab import results

        res = results.run_or_load("attention-bench-cpu", run, Config(), profiles=("full",), devices=("cpu",),
                                  code=[attention])
        print(res.describe())
        print(table(res.metrics["rows"]))
        return 0
    device = args.device or dlref.device().type
    if device.startswith("cuda") and not torch.cuda.is_available():
        print(f"--device {device}: CUDA is not available on this machine (torch {torch.__version__})")
        return 1
    cfg = Config(device=device, dtype=args.dtype, lengths=tuple(args.lengths), repeats=args.repeats)
    metrics = run(cfg)
    print(f"{metrics['device']}, {cfg.dtype}, B={cfg.batch}, H={cfg.heads}, E/H={cfg.head_dim}, forward + backward")
    print(table(metrics["rows"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
