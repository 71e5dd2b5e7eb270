"""Time-to-accuracy on Fashion-MNIST on a CPU: a VGG-style BN CNN in bf16 with a one-cycle schedule.

The classifier page's attempt at the target "≥ 94 % test accuracy, mean of 3 seeds, in under
10 minutes on the 2-core CPU". The recipe is chosen for throughput on a CPU: three stages of two
3×3 conv–BN–ReLU layers (32, 64, 128 channels) with max-pooling, one linear layer; SGD with Nesterov
momentum under a one-cycle learning-rate schedule; label smoothing 0.1; random horizontal flips and
random translations by up to ``crop_pad`` pixels; and bf16 autocast with ``channels_last`` on the CPU
([`dlref.lab.train.fit()`][dlref.lab.train.fit] with ``cpu_amp=True``), which runs the convolutions on the CPU's AMX units
where it has them. It records the test accuracy and the cumulative training time after every epoch,
so the page can report the time to reach each accuracy, and how many seeds it ran.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from dlref.lab import train
from dlref import validate
from dlref.lab.experiments.classifiers import cpu_threads, fashion_tensors, loader


@dataclass(frozen=True)
class Config:
    """The recipe and its budget."""

    widths: tuple[int, int, int] = (32, 64, 128)
    convs_per_stage: int = 2
    epochs: int = 20
    batch_size: int = 128
    max_lr: float = 0.1
    momentum: float = 0.9
    weight_decay: float = 5e-4
    label_smoothing: float = 0.1
    crop_pad: int = 2
    cpu_amp: bool = True
    seeds: tuple[int, ...] = (0, 1, 2)
    threads: int = 2

    def __post_init__(self) -> None:
        validate.each("Config.widths", self.widths, validate.positive_int, min_length=3, max_length=3)
        validate.positive_int("Config.convs_per_stage", self.convs_per_stage)
        validate.positive_int("Config.epochs", self.epochs)
        validate.positive_int("Config.batch_size", self.batch_size)
        validate.real("Config.max_lr", self.max_lr, low=0.0, low_open=True)
        validate.real("Config.momentum", self.momentum, low=0.0, high=1.0, high_open=True)
        validate.real("Config.weight_decay", self.weight_decay, low=0.0)
        validate.real("Config.label_smoothing", self.label_smoothing, low=0.0, high=1.0)
        validate.positive_int("Config.crop_pad", self.crop_pad, minimum=0)
        validate.boolean("Config.cpu_amp", self.cpu_amp)
        validate.each("Config.seeds", self.seeds, validate.positive_int, minimum=0)
        validate.positive_int("Config.threads", self.threads)


def fast_cnn(widths: tuple[int, int, int], convs_per_stage: int = 2) -> nn.Sequential:
    """28×28 grey → three stages of ``convs_per_stage`` × (3×3 conv, BN, ReLU) + 2×2 max-pool → linear(10).

    The sides go 28 → 14 → 7 → 3, so the linear layer sees ``widths[-1] · 9`` features.

    Examples:
        >>> net = fast_cnn((8, 16, 32), 1)
        >>> tuple(net(torch.zeros(2, 1, 28, 28)).shape)
        (2, 10)
    """
    validate.each("widths", widths, validate.positive_int, min_length=3, max_length=3)
    validate.positive_int("convs_per_stage", convs_per_stage)
    layers: list[nn.Module] = []
    c_in = 1
    for width in widths:
        for _ in range(convs_per_stage):
            layers += [nn.Conv2d(c_in, width, 3, padding=1, bias=False), nn.BatchNorm2d(width), nn.ReLU(inplace=True)]
            c_in = width
        layers.append(nn.MaxPool2d(2))
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(widths[-1] * 3 * 3, 10))


class Augment:
    """Wraps a loader of ``(B, 1, H, W)`` batches: random left–right flips and translations.

    Each image is flipped with probability 1/2 and shifted by an independent whole number of pixels
    in ``[-pad, pad]`` along each axis (the uncovered border filled with ``fill``, the value of a
    black pixel after normalisation) — a random crop of the padded image, done for the whole batch
    with one gather. Draws come from ``generator``, fresh every epoch.

    Examples:
        >>> x = torch.arange(16.0).reshape(1, 1, 4, 4)
        >>> out, _ = next(iter(Augment([(x, torch.zeros(1))], torch.Generator().manual_seed(0), pad=1, fill=-1.0)))
        >>> tuple(out.shape), bool(((out == -1) | torch.isin(out, x)).all())
        ((1, 1, 4, 4), True)
    """

    def __init__(self, base, generator: torch.Generator, *, pad: int, fill: float) -> None:
        validate.iterable("base", base, "an iterable of (x, y) batches", of=(tuple, list))
        validate.instance("generator", generator, torch.Generator)
        validate.positive_int("pad", pad, minimum=0)
        validate.real("fill", fill)
        self.base, self.generator, self.pad, self.fill = base, generator, pad, fill

    def __len__(self) -> int:
        return len(self.base)

    def __iter__(self):
        for x, y in self.base:
            yield self.apply(x), y

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        """Flip and shift one batch ``(B, C, H, W)``."""
        validate.tensor("x", x, ndim=4)
        B, C, H, W = x.shape
        flip = torch.rand(B, generator=self.generator) < 0.5  # (B,)
        x = torch.where(flip[:, None, None, None], x.flip(-1), x)
        if self.pad == 0:
            return x
        p = self.pad
        padded = nn.functional.pad(x, (p, p, p, p), value=self.fill)  # (B, C, H+2p, W+2p)
        dy = torch.randint(0, 2 * p + 1, (B,), generator=self.generator)
        dx = torch.randint(0, 2 * p + 1, (B,), generator=self.generator)
        rows = (dy[:, None] + torch.arange(H))[:, None, :, None]  # (B, 1, H, 1)
        cols = (dx[:, None] + torch.arange(W))[:, None, None, :]  # (B, 1, 1, W)
        b = torch.arange(B)[:, None, None, None]
        c = torch.arange(C)[None, :, None, None]
        return padded[b, c, rows, cols]  # (B, C, H, W)


def run(cfg: Config, out_dir: Path) -> dict:
    """Train once per seed on all 60 000 training images; test accuracy and training time per epoch."""
    validate.instance("cfg", cfg, Config)
    validate.path("out_dir", out_dir)
    X, y = fashion_tensors(True)
    Xt, yt = fashion_tensors(False)
    fill = float(X.min())  # a black pixel, normalised
    test = loader(Xt, yt, 1000, shuffle=False)
    runs = []
    with cpu_threads(cfg.threads):
        for seed in cfg.seeds:
            gen = train.seed_everything(seed)
            model = fast_cnn(cfg.widths, cfg.convs_per_stage)
            base = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=cfg.batch_size,
                                               shuffle=True, generator=gen)
            opt = torch.optim.SGD(model.parameters(), lr=cfg.max_lr, momentum=cfg.momentum, nesterov=True,
                                  weight_decay=cfg.weight_decay)
            sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.max_lr, epochs=cfg.epochs,
                                                        steps_per_epoch=len(base))
            loss_fn = nn.CrossEntropyLoss(label_smoothing=cfg.label_smoothing)
            t0 = time.perf_counter()
            m = train.fit(model, Augment(base, gen, pad=cfg.crop_pad, fill=fill), optimizer=opt, scheduler=sched,
                          loss_fn=loss_fn, epochs=cfg.epochs, device="cpu", val_loader=test, log_every=50,
                          progress=False, cpu_amp=cfg.cpu_amp)
            elapsed, total = [], 0.0
            for s in m["seconds"]:
                total += s
                elapsed.append(total)
            runs.append({"seed": seed, "test_accuracy": m["val_accuracy"], "train_seconds_cumulative": elapsed,
                         "wall_seconds": time.perf_counter() - t0, "images_per_s": m["images_per_s"],
                         "amp_dtype": m["amp_dtype"]})
    final = [r["test_accuracy"][-1] for r in runs]
    return {"runs": runs, "mean_final_test_accuracy": sum(final) / len(final), "n_seeds": len(cfg.seeds),
            "parameters": sum(p.numel() for p in fast_cnn(cfg.widths, cfg.convs_per_stage).parameters()),
            "threads": cfg.threads, "cpu_capability": torch.backends.cpu.get_cpu_capability()}


__all__ = ["Augment", "Config", "fast_cnn", "run"]
