"""Images per second of dlref's training loop against a plain PyTorch loop, in the same run.

Both loops train the same model (same initial weights, same batches, same optimizer) for the same
number of steps. The baseline is the textbook ``zero_grad → forward → loss → backward → step``;
dlref's [`dlref.lab.train.fit()`][dlref.lab.train.fit] adds a finite-loss check (one ``.item()`` per step), accuracy
bookkeeping and the running-loss log. Each is measured at two precisions:

* ``float32`` — no autocast, the default memory format;
* ``mixed`` — bf16 autocast with ``channels_last`` inputs and weights: on CUDA what ``fit`` does by
  default (``amp=True``), on a CPU what it does with ``cpu_amp=True``. The plain loop does the same
  by hand, so each ratio compares loops, not precisions.

Every (model, precision, loop) is timed ``repeats`` times, interleaved, after three warm-up steps;
the median is kept. Run ``dlref bench train`` (or ``python -m dlref.lab.benchmarks.train``); ``--store`` puts the default CPU run into
the results store (``results/train-bench-cpu/``), which the classifier page shows.
"""

from __future__ import annotations

import copy
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

MODELS = ("lenet", "bncnn", "fast-cnn")
PRECISIONS = ("float32", "mixed")


@dataclass(frozen=True)
class Config:
    """What the benchmark measures (its hash keys the results store)."""

    models: tuple[str, ...] = MODELS
    batch_size: int = 128
    steps: int = 30
    repeats: int = 3
    threads: int = 2
    seed: int = 0


def build(name: str) -> nn.Module:
    """One of the classifier page's networks for 28×28 grey images."""
    from dlref.lab.experiments import fashion_fast
    from dlref.models import BNCNN, LeNet

    if name == "lenet":
        return LeNet(1, image_size=28)
    if name == "bncnn":
        return BNCNN(1, image_size=28)
    if name == "fast-cnn":
        recipe = fashion_fast.Config()
        return fashion_fast.fast_cnn(recipe.widths, recipe.convs_per_stage)
    raise ValueError(f"unknown model {name!r}; expected one of {MODELS}")


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def plain_loop(model: nn.Module, batches: list, opt: torch.optim.Optimizer, device: torch.device, mixed: bool) -> float:
    """The baseline: seconds for one pass over ``batches``."""
    model.train()
    if mixed:
        model.to(memory_format=torch.channels_last)
    _sync(device)
    t0 = time.perf_counter()
    for x, y in batches:
        x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
        if mixed:
            x = x.contiguous(memory_format=torch.channels_last)
        opt.zero_grad(set_to_none=True)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=mixed):
            loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    _sync(device)
    return time.perf_counter() - t0


def dlref_loop(model: nn.Module, batches: list, opt: torch.optim.Optimizer, device: torch.device, mixed: bool) -> float:
    """[`dlref.lab.train.fit()`][dlref.lab.train.fit] over the same batches for one epoch: seconds measured by ``fit`` itself."""
    from dlref.lab import train

    m = train.fit(model, batches, optimizer=opt, loss_fn=nn.functional.cross_entropy, epochs=1, device=device,
                  amp=mixed, channels_last=mixed, cpu_amp=mixed, progress=False)
    return m["seconds"][0]


LOOP_FNS = {"plain PyTorch": plain_loop, "dlref.lab.train.fit": dlref_loop}
LOOPS = tuple(LOOP_FNS)


def run(cfg: Config, out_dir: Path | None = None) -> dict:
    """Every (model, precision, loop), interleaved; returns one row per combination with its median rate."""
    import dlref
    from dlref.lab.device import describe
    from dlref.lab.experiments.classifiers import cpu_threads

    device = dlref.device()
    rows = []
    with cpu_threads(cfg.threads if device.type == "cpu" else None):
        g = torch.Generator().manual_seed(cfg.seed)
        batches = [(torch.randn(cfg.batch_size, 1, 28, 28, generator=g), torch.randint(0, 10, (cfg.batch_size,), generator=g))
                   for _ in range(cfg.steps)]
        for name in cfg.models:
            torch.manual_seed(cfg.seed)
            base = build(name)
            times: dict[tuple[str, str], list[float]] = {(p, loop): [] for p in PRECISIONS for loop in LOOPS}
            models = {key: copy.deepcopy(base).to(device) for key in times}
            opts = {key: torch.optim.Adam(m.parameters(), lr=1e-3) for key, m in models.items()}
            for (precision, loop), model in models.items():  # warm-up
                LOOP_FNS[loop](model, batches[:3], opts[precision, loop], device, precision == "mixed")
            for _ in range(cfg.repeats):
                for (precision, loop), model in models.items():
                    times[precision, loop].append(
                        LOOP_FNS[loop](model, batches, opts[precision, loop], device, precision == "mixed"))
            for (precision, loop), t in times.items():
                rows.append({"model": name, "precision": precision, "loop": loop,
                             "images_per_s": cfg.steps * cfg.batch_size / statistics.median(t), "seconds": t})
        described = describe(device)
    return {"rows": rows, "device": described, "threads": torch.get_num_threads() if device.type != "cpu" else cfg.threads,
            "cpu_capability": torch.backends.cpu.get_cpu_capability()}


def table(rows: list[dict]) -> str:
    """Images/s per model and precision, with dlref ÷ plain and mixed ÷ float32 (each loop against itself)."""
    rate = {(r["model"], r["precision"], r["loop"]): r["images_per_s"] for r in rows}
    models = list(dict.fromkeys(r["model"] for r in rows))
    lines = [f"{'model':<9} {'precision':<8} {'plain PyTorch':>14} {'dlref.fit':>10} {'dlref ÷ plain':>14} "
             f"{'mixed ÷ fp32':>13}"]
    for m in models:
        for p in PRECISIONS:
            plain, ours = rate[m, p, "plain PyTorch"], rate[m, p, "dlref.lab.train.fit"]
            speed = ours / rate[m, "float32", "dlref.lab.train.fit"]
            lines.append(f"{m:<9} {p:<8} {plain:>10.0f} i/s {ours:>6.0f} i/s {ours / plain:>14.2f} "
                         f"{speed if p == 'mixed' else 1.0:>13.2f}")
    return "\n".join(lines)


def stored():
    """The default CPU run through the results store (``results/train-bench-cpu/``; runs only with
    ``DLREF_PROFILE=full``). Its hash covers this file and the code it times."""
    from dlref import models
    from dlref.lab import results, train
    from dlref.lab.experiments import fashion_fast

    return results.run_or_load("train-bench-cpu", run, Config(), profiles=("full",), devices=("cpu",),
                               code=[train, models, fashion_fast])


def main(argv: list[str] | None = None) -> int:
    """Command line: print the table (``--store`` keeps the default CPU run in the results store)."""
    import argparse

    parser = argparse.ArgumentParser(prog="dlref bench train", description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS))
    parser.add_argument("--batch-size", type=int, default=Config.batch_size)
    parser.add_argument("--steps", type=int, default=Config.steps)
    parser.add_argument("--repeats", type=int, default=Config.repeats)
    parser.add_argument("--threads", type=int, default=Config.threads, help="CPU threads")
    parser.add_argument("--store", action="store_true",
                        help="run the default configuration through the results store (results/train-bench-cpu/)")
    args = parser.parse_args(argv)
    if args.store:
        res = stored()
        print(res.describe())
        metrics = res.metrics
    else:
        cfg = Config(models=tuple(args.models), batch_size=args.batch_size, steps=args.steps, repeats=args.repeats,
                     threads=args.threads)
        metrics = run(cfg)
    print(f"{metrics['device']}, {metrics['cpu_capability']} CPU kernels; median of interleaved repeats")
    print(table(metrics["rows"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
