"""Attention on a CUDA GPU: achieved TFLOP/s of forward + backward in bf16 and fp16, against the length.

The CUDA companion of [`dlref.lab.benchmarks.attention`][dlref.lab.benchmarks.attention] (whose CPU sweep the cost page
stores): the same three implementations (the step-by-step reference, dlref's ``fast=True`` path and
`torch.nn.functional.scaled_dot_product_attention`), timed by that module's functions, at the sizes
a GPU is built for. A fixed number of tokens ``B·L`` and a fixed model width ``H·E/H`` keep the
work per step comparable across lengths (the layout of FlashAttention's benchmarks).

Achieved TFLOP/s counts the multiply–adds of the mathematics, not of the kernel: the forward pass
is two matrix products of ``2·B·H·L·S·E/H`` floating-point operations each, and the backward pass
is taken as 2.5 times the forward, so one step is ``3.5 · 4·B·H·L²·E/H`` (self-attention, S = L,
no mask). A kernel that recomputes the weights in its backward pass does more work than counted.

A length where an implementation runs out of memory is recorded as ``"oom"`` and the sweep goes on;
one where the step-by-step path's ``(B, H, L, L)`` tensors would pass ``step_memory_limit_gb`` as
``"memory limit"``; one the time budget left no room for as ``"budget"``.

Run ``python -m dlref.lab.benchmarks.attention_cuda`` on a CUDA machine (``make gpu-check`` runs it
as one of its parts).
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

import torch

from dlref import validate
from dlref.lab.benchmarks.attention import IMPLEMENTATIONS, _implementation, _time_once, peak_bytes

DTYPES = ("bfloat16", "float16")
STATUSES = ("ok", "oom", "memory limit", "budget")


@dataclass(frozen=True)
class Config:
    """The CUDA sweep: lengths, head dims and dtypes, and how long each measurement runs."""

    dtypes: tuple[str, ...] = DTYPES
    lengths: tuple[int, ...] = (512, 1024, 2048, 4096, 8192, 16384)
    head_dims: tuple[int, ...] = (64, 128)
    tokens: int = 16384  # B·L: the batch shrinks as the length grows
    width: int = 2048  # H·E/H: the heads shrink as the head dim grows
    implementations: tuple[str, ...] = IMPLEMENTATIONS
    repeats: int = 5  # interleaved rounds; the median is kept
    min_seconds: float = 0.02  # each measurement loops until it spans at least this long
    step_memory_limit_gb: float = 40.0  # skip the step-by-step path when 3 (B, H, L, L) tensors pass this
    seed: int = 0

    def __post_init__(self) -> None:
        validate.each("Config.dtypes", self.dtypes, validate.choice, DTYPES)
        validate.each("Config.lengths", self.lengths, validate.positive_int)
        validate.each("Config.head_dims", self.head_dims, validate.positive_int)
        validate.positive_int("Config.tokens", self.tokens)
        validate.positive_int("Config.width", self.width)
        validate.each("Config.implementations", self.implementations, validate.choice, IMPLEMENTATIONS)
        validate.positive_int("Config.repeats", self.repeats)
        validate.real("Config.min_seconds", self.min_seconds, low=0.0, low_open=True)
        validate.real("Config.step_memory_limit_gb", self.step_memory_limit_gb, low=0.0)
        validate.positive_int("Config.seed", self.seed, minimum=0)


def attention_flops(B: int, H: int, L: int, head_dim: int) -> float:
    """Floating-point operations of one forward + backward of self-attention: 3.5 · 4·B·H·L²·E/H.

    Examples:
        >>> attention_flops(1, 1, 2, 3)  # forward 4·1·1·2·2·3 = 48, backward 2.5 × 48
        168.0
    """
    for name, value in (("B", B), ("H", H), ("L", L), ("head_dim", head_dim)):
        validate.positive_int(name, value)
    return 3.5 * 4.0 * B * H * L * L * head_dim


def shape_for(cfg: Config, L: int, head_dim: int) -> tuple[int, int]:
    """``(B, H)`` for length ``L`` and head dim ``head_dim``: ``B = max(1, tokens // L)``, ``H = max(1, width // head_dim)``.

    Examples:
        >>> shape_for(Config(), 512, 64), shape_for(Config(), 16384, 128)
        ((32, 32), (1, 16))
    """
    validate.instance("cfg", cfg, Config)
    validate.positive_int("L", L)
    validate.positive_int("head_dim", head_dim)
    return max(1, cfg.tokens // L), max(1, cfg.width // head_dim)


def measure(cfg: Config, dtype: str, head_dim: int, L: int, device: torch.device | str | None = None) -> list[dict]:
    """One row per implementation at one ``(dtype, head_dim, L)``: median ms, TFLOP/s, peak MiB, status.

    ``device`` defaults to [`dlref.device()`][dlref.lab.device.device] (CUDA where there is one).

    A CUDA out-of-memory error while building the inputs or timing one implementation becomes
    that row's status ``"oom"``; the other implementations are still measured.
    """
    validate.instance("cfg", cfg, Config)
    validate.choice("dtype", dtype, DTYPES)
    validate.positive_int("head_dim", head_dim)
    validate.positive_int("L", L)
    validate.device("device", device)
    dev, dt = _device(device), getattr(torch, dtype)
    B, H = shape_for(cfg, L, head_dim)
    base = {"dtype": dtype, "head_dim": head_dim, "L": L, "B": B, "H": H}
    scores_gb = B * H * L * L * torch.finfo(dt).bits / 8 / 1e9  # one (B, H, L, L) tensor
    status = {n: "ok" for n in cfg.implementations}
    if "step-by-step" in status and 3 * scores_gb > cfg.step_memory_limit_gb:
        status["step-by-step"] = "memory limit"
    try:
        g = torch.Generator(device=dev).manual_seed(cfg.seed)
        shape = (B, H, L, head_dim)  # (B, H, L, E/H)
        q, k, v = (torch.randn(shape, generator=g, device=dev, dtype=dt).requires_grad_() for _ in range(3))
        grad = torch.randn(shape, generator=g, device=dev, dtype=dt)
    except torch.cuda.OutOfMemoryError:
        _release(dev)
        return [{**base, "impl": n, "status": "oom", "ms": None, "tflops": None, "peak_mb": None}
                for n in cfg.implementations]
    fns = {n: _implementation(n) for n in cfg.implementations}
    loops: dict[str, int] = {}
    for n in cfg.implementations:  # warm-up, and how many steps make one measurement
        if status[n] != "ok":
            continue
        try:
            t = _time_once(fns[n], q, k, v, grad, 1)
            loops[n] = max(1, round(cfg.min_seconds / max(t, 1e-6)))
        except torch.cuda.OutOfMemoryError:
            status[n] = "oom"
            _release(dev)
    names = [n for n in cfg.implementations if status[n] == "ok"]
    times: dict[str, list[float]] = {n: [] for n in names}
    for r in range(cfg.repeats):  # interleaved, in a rotating order, so drift hits every implementation alike
        for n in names[r % max(1, len(names)):] + names[: r % max(1, len(names))]:
            if status[n] == "ok":
                try:
                    times[n].append(_time_once(fns[n], q, k, v, grad, loops[n]))
                except torch.cuda.OutOfMemoryError:
                    status[n] = "oom"
                    _release(dev)
    flops = attention_flops(B, H, L, head_dim)
    rows = []
    for n in cfg.implementations:
        if status[n] != "ok" or not times.get(n):
            rows.append({**base, "impl": n, "status": status[n] if status[n] != "ok" else "oom",
                         "ms": None, "tflops": None, "peak_mb": None})
            continue
        seconds = statistics.median(times[n])
        try:
            peak = peak_bytes(fns[n], q, k, v, grad)
        except torch.cuda.OutOfMemoryError:
            peak = None
            _release(dev)
        rows.append({**base, "impl": n, "status": "ok", "ms": 1e3 * seconds, "tflops": flops / seconds / 1e12,
                     "peak_mb": None if peak is None else peak / 2**20, "rounds": len(times[n])})
    del q, k, v, grad
    _release(dev)
    return rows


def _device(device: torch.device | str | None) -> torch.device:
    from dlref.lab.device import device as default_device

    return default_device() if device is None else torch.device(device)


def _release(dev: torch.device) -> None:
    if dev.type == "cuda":
        torch.cuda.empty_cache()


def run(cfg: Config, deadline: float | None = None, device: torch.device | str | None = None) -> dict:
    """The sweep over dtypes × head dims × lengths; points not started by ``deadline`` (``time.monotonic()``) get status ``"budget"``."""
    validate.instance("cfg", cfg, Config)
    validate.optional(validate.real, "deadline", deadline)
    validate.device("device", device)
    from dlref.lab.device import describe

    rows: list[dict] = []
    for dtype in cfg.dtypes:
        for head_dim in cfg.head_dims:
            for L in cfg.lengths:
                if deadline is not None and time.monotonic() > deadline:
                    B, H = shape_for(cfg, L, head_dim)
                    rows += [{"dtype": dtype, "head_dim": head_dim, "L": L, "B": B, "H": H, "impl": n,
                              "status": "budget", "ms": None, "tflops": None, "peak_mb": None}
                             for n in cfg.implementations]
                    continue
                rows += measure(cfg, dtype, head_dim, L, device)
    return {"rows": rows, "device": describe(_device(device)), "flops": "3.5 · 4·B·H·L²·E/H per step",
            "tokens": cfg.tokens, "width": cfg.width}


def table(rows: list[dict]) -> str:
    """The rows as a fixed-width text table: one line per (dtype, E/H, L), TFLOP/s of each implementation.

    Examples:
        >>> print(table([{"dtype": "bfloat16", "head_dim": 64, "L": 512, "B": 32, "H": 32, "impl": "torch sdpa",
        ...               "status": "ok", "ms": 1.0, "tflops": 250.0, "peak_mb": 10.0}]))
        dtype     E/H      L   B   H      torch sdpa
        bfloat16   64    512  32  32           250.0
    """
    validate.each("rows", rows, validate.mapping, ("dtype", "head_dim", "L", "B", "H", "impl", "status", "tflops"),
                  min_length=0)
    impls = [n for n in IMPLEMENTATIONS if any(r["impl"] == n for r in rows)]
    points = list(dict.fromkeys((r["dtype"], r["head_dim"], r["L"], r["B"], r["H"]) for r in rows))
    cell = {(r["dtype"], r["head_dim"], r["L"], r["impl"]): r for r in rows}
    lines = [f"{'dtype':<9} {'E/H':>3} {'L':>6} {'B':>3} {'H':>3}   " + "  ".join(f"{n:>13}" for n in impls)]
    for dtype, d, L, B, H in points:
        values = []
        for n in impls:
            r = cell.get((dtype, d, L, n))
            values.append("" if r is None else r["status"] if r["status"] != "ok" else
                          f"{r['tflops']:.1f}" if r["tflops"] >= 10 else f"{r['tflops']:.3g}")
        lines.append(f"{dtype:<9} {d:>3} {L:>6} {B:>3} {H:>3}   " + "  ".join(f"{v:>13}" for v in values))
    return "\n".join(line.rstrip() for line in lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: print the TFLOP/s table of a CUDA sweep (exit status 1 without CUDA)."""
    import argparse

    validate.optional(validate.each, "argv", argv, validate.instance, str, min_length=0)
    default = Config()
    parser = argparse.ArgumentParser(prog="python -m dlref.lab.benchmarks.attention_cuda",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=list(default.lengths), metavar="L")
    parser.add_argument("--head-dims", type=int, nargs="+", default=list(default.head_dims), metavar="E")
    parser.add_argument("--dtypes", nargs="+", choices=DTYPES, default=list(default.dtypes))
    args = parser.parse_args(argv)
    try:
        cfg = Config(lengths=tuple(args.lengths), head_dims=tuple(args.head_dims), dtypes=tuple(args.dtypes))
    except (TypeError, ValueError) as err:
        parser.error(str(err).replace("Config.", "--").replace("_", "-"))
    if not torch.cuda.is_available():
        print(f"CUDA is not available on this machine (torch {torch.__version__}): nothing to measure")
        return 1
    metrics = run(cfg)
    print(f"{metrics['device']}, forward + backward, B·L = {cfg.tokens}, H·E/H = {cfg.width}, TFLOP/s")
    print(table(metrics["rows"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
