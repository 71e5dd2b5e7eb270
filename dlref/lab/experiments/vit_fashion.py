"""Small data: a small ViT against a LeNet-style CNN on growing Fashion-MNIST subsets.

Shown on the site page *Vision transformers* (vit/vit.md).

The CNN-vs-ViT question "which works better with little data?" as an experiment: both models
train with the same optimiser (Adam, lr 1e-3), batch size and number of optimiser steps budget per
subset size, and are tested on the full 10 000-image test set.
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
from dlref.models import LeNet, count_parameters
from dlref.vit import ViT


@dataclass(frozen=True)
class Config:
    """Subset sizes and the epochs each is trained for (smaller sets get more epochs)."""

    sizes: tuple[int, ...] = (1000, 4000, 16000)
    epochs: tuple[int, ...] = (20, 10, 5)
    batch_size: int = 64
    lr: float = 1e-3
    vit_dim: int = 64
    vit_depth: int = 4
    vit_heads: int = 4
    patch_size: int = 7
    seed: int = 0
    threads: int = 1

    def __post_init__(self) -> None:
        validate.each("Config.sizes", self.sizes, validate.positive_int)
        validate.each("Config.epochs (one per entry of sizes)", self.epochs, validate.positive_int, min_length=len(self.sizes),
                      max_length=len(self.sizes))
        validate.positive_int("Config.batch_size", self.batch_size)
        validate.real("Config.lr", self.lr, low=0.0, low_open=True)
        validate.positive_int("Config.vit_dim", self.vit_dim)
        validate.positive_int("Config.vit_depth", self.vit_depth)
        validate.positive_int("Config.vit_heads", self.vit_heads)
        validate.positive_int("Config.patch_size", self.patch_size)
        validate.choice("Config.vit_heads", self.vit_heads, [h for h in range(1, self.vit_dim + 1) if self.vit_dim % h == 0])
        validate.choice("Config.patch_size", self.patch_size, (1, 2, 4, 7, 14, 28))
        validate.positive_int("Config.seed", self.seed, minimum=0)
        validate.positive_int("Config.threads", self.threads)


def build(name: str, cfg: Config) -> nn.Module:
    """``"vit"`` or ``"cnn"`` (LeNet-style, one channel)."""
    validate.choice("name", name, ("vit", "cnn"))
    validate.instance("cfg", cfg, Config)
    if name == "vit":
        return ViT(28, cfg.patch_size, 1, 10, dim=cfg.vit_dim, depth=cfg.vit_depth, heads=cfg.vit_heads)
    return LeNet(1, image_size=28)


def run(cfg: Config, out_dir: Path) -> dict:
    """Train each model on each subset; training curves per epoch, test accuracy at the end, wall time."""
    validate.instance("cfg", cfg, Config)
    validate.path("out_dir", out_dir)
    Xt, yt = fashion_tensors(False)
    test = loader(Xt, yt, 1000, shuffle=False)
    out: dict = {"sizes": list(cfg.sizes), "epochs": list(cfg.epochs), "models": {}}
    with cpu_threads(cfg.threads):
        for name in ("cnn", "vit"):
            rows = []
            for n, epochs in zip(cfg.sizes, cfg.epochs):
                X, y = fashion_tensors(True, n, seed=cfg.seed)
                gen = train.seed_everything(cfg.seed)
                model = build(name, cfg)
                dl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=cfg.batch_size,
                                                 shuffle=True, generator=gen)
                t0 = time.perf_counter()
                m = train.fit(model, dl, optimizer=torch.optim.Adam(model.parameters(), lr=cfg.lr),
                              loss_fn=nn.functional.cross_entropy, epochs=epochs, device="cpu", progress=False)
                seconds = time.perf_counter() - t0
                acc = train.evaluate(model, test, nn.functional.cross_entropy)["accuracy"]
                rows.append({"n_train": n, "epochs": epochs, "test_accuracy": acc,
                             "train_accuracy": m["train_accuracy"], "train_loss": m["train_loss"], "seconds": seconds})
            out["models"][name] = {"parameters": count_parameters(build(name, cfg)), "runs": rows}
    return out
