"""Images per second of dlref's training loop against a plain PyTorch loop, in the same run.

Both loops train the same model (same initial weights, same batches, same optimizer) for the same
number of steps; the plain loop is the textbook ``zero_grad → forward → loss → backward → step``.
dlref's :func:`dlref.train.fit` adds a finite-loss check (one ``.item()`` per step), accuracy
bookkeeping, autocast and ``channels_last`` on CUDA. Each loop is timed ``--repeats`` times,
alternating, and the median is reported.

Run: ``python benchmarks/train.py [--model lenet|bncnn] [--batch-size 64] [--steps 50] [--threads 1]``
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time

import torch
from torch import nn


def plain_loop(model: nn.Module, batches: list, opt: torch.optim.Optimizer, device: torch.device) -> float:
    """The baseline: seconds for one pass over ``batches``."""
    model.train()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    t0 = time.perf_counter()
    for x, y in batches:
        x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
        opt.zero_grad(set_to_none=True)
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter() - t0


def dlref_loop(model: nn.Module, batches: list, opt: torch.optim.Optimizer, device: torch.device) -> float:
    """dlref.train.fit over the same batches for one epoch: seconds measured by fit itself."""
    from dlref import train

    m = train.fit(model, batches, optimizer=opt, loss_fn=nn.functional.cross_entropy, epochs=1, device=device,
                  progress=False)
    return m["seconds"][0]


def main(argv: list[str] | None = None) -> None:
    import dlref
    from dlref.models import BNCNN, LeNet

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=("lenet", "bncnn"), default="lenet")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None, help="CPU threads (default: torch's choice)")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = dlref.device()
    torch.manual_seed(0)
    base = LeNet(1, image_size=28) if args.model == "lenet" else BNCNN(1, image_size=28)
    batches = [(torch.randn(args.batch_size, 1, 28, 28), torch.randint(0, 10, (args.batch_size,)))
               for _ in range(args.steps)]
    times: dict[str, list[float]] = {"plain PyTorch": [], "dlref.train.fit": []}
    for _ in range(args.repeats):
        for name, loop in (("plain PyTorch", plain_loop), ("dlref.train.fit", dlref_loop)):
            model = copy.deepcopy(base).to(device)
            opt = torch.optim.Adam(model.parameters(), lr=1e-3)
            loop(model, batches[:3], opt, device)  # warm-up
            times[name].append(loop(model, batches, opt, device))
    n = args.steps * args.batch_size
    print(f"{args.model}, batch size {args.batch_size}, {args.steps} steps, device {device}, "
          f"{torch.get_num_threads()} CPU threads, median of {args.repeats}")
    rates = {name: n / statistics.median(t) for name, t in times.items()}
    for name, rate in rates.items():
        print(f"  {name:<16} {rate:8.0f} images/s")
    print(f"  dlref / plain = {rates['dlref.train.fit'] / rates['plain PyTorch']:.2f}")


if __name__ == "__main__":
    main()
