"""Time-to-accuracy on Fashion-MNIST on a CPU: a compact BN CNN with a one-cycle schedule.

The classifier page's attempt at the target "≥ 94 % test accuracy, mean of 3 seeds, in under
10 minutes on the 2-core CPU". The recipe is chosen for throughput on a CPU: three narrow
conv–BN–ReLU stages (16, 32, 64 channels) with max-pooling, one linear layer, SGD with Nesterov
momentum under a one-cycle learning-rate schedule, label smoothing 0.1 and random horizontal flips.
It records the test accuracy and the cumulative training time after every epoch, so the page can
report the time to reach each accuracy, and how many seeds it ran.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from dlref import train
from dlref.experiments.classifiers import cpu_threads, fashion_tensors, loader


@dataclass(frozen=True)
class Config:
    """The recipe and its budget."""

    widths: tuple[int, int, int] = (16, 32, 64)
    epochs: int = 10
    batch_size: int = 128
    max_lr: float = 0.05
    momentum: float = 0.9
    weight_decay: float = 5e-4
    label_smoothing: float = 0.1
    seeds: tuple[int, ...] = (0, 1, 2)
    threads: int = 1


def compact_cnn(widths: tuple[int, int, int]) -> nn.Sequential:
    """28×28 grey → conv(w0) → pool → conv(w1), conv(w1) → pool → conv(w2) → pool → linear(10)."""
    w0, w1, w2 = widths

    def block(c_in: int, c_out: int) -> list[nn.Module]:
        return [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True)]

    return nn.Sequential(
        *block(1, w0), nn.MaxPool2d(2),  # 28 → 14
        *block(w0, w1), *block(w1, w1), nn.MaxPool2d(2),  # 14 → 7
        *block(w1, w2), nn.MaxPool2d(2),  # 7 → 3
        nn.Flatten(), nn.Linear(w2 * 3 * 3, 10),
    )


class _Flip:
    """Wraps a loader: flips a random half of each batch left–right (fresh draw every epoch)."""

    def __init__(self, base: torch.utils.data.DataLoader, generator: torch.Generator) -> None:
        self.base, self.generator = base, generator

    def __len__(self) -> int:
        return len(self.base)

    def __iter__(self):
        for x, y in self.base:
            flip = torch.rand(x.shape[0], generator=self.generator) < 0.5  # (B,)
            yield torch.where(flip[:, None, None, None], x.flip(-1), x), y


def run(cfg: Config, out_dir: Path) -> dict:
    """Train once per seed on all 60 000 training images; test accuracy and elapsed time per epoch."""
    X, y = fashion_tensors(True)
    Xt, yt = fashion_tensors(False)
    test = loader(Xt, yt, 1000, shuffle=False)
    runs = []
    with cpu_threads(cfg.threads):
        for seed in cfg.seeds:
            gen = train.seed_everything(seed)
            model = compact_cnn(cfg.widths)
            base = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=cfg.batch_size,
                                               shuffle=True, generator=gen)
            opt = torch.optim.SGD(model.parameters(), lr=cfg.max_lr, momentum=cfg.momentum, nesterov=True,
                                  weight_decay=cfg.weight_decay)
            sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.max_lr, epochs=cfg.epochs,
                                                        steps_per_epoch=len(base))
            loss_fn = nn.CrossEntropyLoss(label_smoothing=cfg.label_smoothing)
            t0 = time.perf_counter()
            m = train.fit(model, _Flip(base, gen), optimizer=opt, scheduler=sched, loss_fn=loss_fn, epochs=cfg.epochs,
                          device="cpu", val_loader=test, log_every=50, progress=False)
            elapsed, total = [], 0.0
            for s in m["seconds"]:
                total += s
                elapsed.append(total)
            runs.append({"seed": seed, "test_accuracy": m["val_accuracy"], "train_seconds_cumulative": elapsed,
                         "wall_seconds": time.perf_counter() - t0, "images_per_s": m["images_per_s"]})
    final = [r["test_accuracy"][-1] for r in runs]
    return {"runs": runs, "mean_final_test_accuracy": sum(final) / len(final), "n_seeds": len(cfg.seeds),
            "parameters": sum(p.numel() for p in compact_cnn(cfg.widths).parameters()), "threads": cfg.threads}
