"""Training the image classifiers on Fashion-MNIST (the CIFAR-10 recipes' offline companion).

Shown on the site page *Training image classifiers* (classifiers/classifiers.md).

Three experiments, each a frozen config plus a ``run(config, out_dir) -> metrics`` for
[`dlref.lab.results.run_or_load()`][dlref.lab.results.run_or_load]:

* [`run_lenet_grid()`][dlref.lab.experiments.classifiers.run_lenet_grid] — the LeNet-style network, SGD (lr 0.001, momentum 0.9), batch size × epochs
  grid. A 5-epoch run is the first 5 epochs of the 20-epoch run with the same seed (the learning
  rate does not depend on the total), so one 20-epoch run per batch size gives both grid cells;
  the test accuracy is recorded after every epoch.
* [`run_bncnn()`][dlref.lab.experiments.classifiers.run_bncnn] — the four-block BN CNN, Adam (lr 1e-3, weight decay 1e-4), dropout 0.5,
  in bf16 with ``channels_last`` on the CPU (``cpu_amp``), as [`dlref.lab.train.fit()`][dlref.lab.train.fit] would run it
  with mixed precision on a GPU.
* Both record training-loss curves, test accuracy, images/s, a confusion matrix and per-class
  accuracy of the final model, and how many seeds the numbers average.

Everything that bounds the cost (training subset size, epochs, seeds, CPU threads) is a config
field, so the page can say next to each number what was run. The defaults train on all 60 000
images with three seeds.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import torch
from torch import nn

from dlref.lab import train
from dlref import validate
from dlref.models import BNCNN, LeNet

CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


@contextlib.contextmanager
def cpu_threads(n: int | None) -> Iterator[None]:
    """Run with ``n`` intra-op CPU threads (restored afterwards); ``None`` leaves torch's choice."""
    validate.optional(validate.positive_int, "n", n)
    before = torch.get_num_threads()
    if n:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def fashion_tensors(train_split: bool, n: int | None = None, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Fashion-MNIST as normalised float images ``(N, 1, 28, 28)`` and int64 labels ``(N,)``.

    Normalised with the training set's channel mean and std ([`dlref.lab.data.channel_stats()`][dlref.lab.data.channel_stats]).
    ``n`` draws a random subset of that size (seeded), for runs that must stay affordable on a CPU.
    """
    from dlref.lab.data import channel_stats, fashion_mnist

    validate.boolean("train_split", train_split)
    validate.optional(validate.positive_int, "n", n)
    validate.positive_int("seed", seed, minimum=0)
    train_x = fashion_mnist(train=True).data.unsqueeze(1).float() / 255  # (60000, 1, 28, 28)
    mean, std = channel_stats(train_x)
    ds = fashion_mnist(train=train_split)
    X = ds.data.unsqueeze(1).float() / 255  # (N, 1, 28, 28)
    X = (X - mean.reshape(1, -1, 1, 1)) / std.reshape(1, -1, 1, 1)
    y = ds.targets.long()
    if n is not None and n < len(X):
        idx = torch.randperm(len(X), generator=torch.Generator().manual_seed(seed))[:n]
        X, y = X[idx], y[idx]
    return X, y


def loader(X: torch.Tensor, y: torch.Tensor, batch_size: int, *, shuffle: bool, seed: int = 0) -> torch.utils.data.DataLoader:
    """An in-memory DataLoader; shuffled with its own seeded generator (so runs resume exactly)."""
    validate.tensor("X", X)
    validate.tensor("y", y)
    validate.same_length(X=X, y=y)
    validate.positive_int("batch_size", batch_size)
    validate.boolean("shuffle", shuffle)
    validate.positive_int("seed", seed, minimum=0)
    g = torch.Generator().manual_seed(seed)
    return torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=batch_size, shuffle=shuffle,
                                       generator=g if shuffle else None)


def final_report(model: nn.Module, test: torch.utils.data.DataLoader, *, cpu_amp: bool = False) -> dict:
    """Test accuracy, confusion matrix and per-class accuracy of a trained model."""
    validate.instance("model", model, nn.Module, what="a torch.nn.Module")
    validate.iterable("test", test, "an iterable of (x, y) batches", of=(tuple, list))
    logits, y = train.predict(model, test, cpu_amp=cpu_amp)
    pred = logits.argmax(1)
    cm = train.confusion_matrix(pred, y, len(CLASSES))
    return {
        "test_accuracy": float((pred == y).float().mean()),
        "confusion": cm.tolist(),
        "per_class_accuracy": (cm.diagonal() / cm.sum(1)).tolist(),
    }


@dataclass(frozen=True)
class LeNetGridConfig:
    """The LeNet batch-size × epochs grid on Fashion-MNIST (``n_train=None``: all 60 000 images)."""

    batch_sizes: tuple[int, ...] = (4, 16)
    epochs: tuple[int, ...] = (5, 20)
    n_train: int | None = None
    lr: float = 0.001
    momentum: float = 0.9
    seeds: tuple[int, ...] = (0, 1, 2)
    threads: int = 1

    def __post_init__(self) -> None:
        validate.each("LeNetGridConfig.batch_sizes", self.batch_sizes, validate.positive_int)
        validate.each("LeNetGridConfig.epochs", self.epochs, validate.positive_int)
        validate.optional(validate.positive_int, "LeNetGridConfig.n_train", self.n_train)
        validate.real("LeNetGridConfig.lr", self.lr, low=0.0, low_open=True)
        validate.real("LeNetGridConfig.momentum", self.momentum, low=0.0, high=1.0, high_open=True)
        validate.each("LeNetGridConfig.seeds", self.seeds, validate.positive_int, minimum=0)
        validate.positive_int("LeNetGridConfig.threads", self.threads)


def run_lenet_grid(cfg: LeNetGridConfig, out_dir: Path) -> dict:
    """One run of max(epochs) per batch size and seed; test accuracy after every epoch."""
    validate.instance("cfg", cfg, LeNetGridConfig)
    validate.path("out_dir", out_dir)
    Xt, yt = fashion_tensors(False)
    test = loader(Xt, yt, 1000, shuffle=False)
    runs = []
    with cpu_threads(cfg.threads):
        for bs in cfg.batch_sizes:
            for seed in cfg.seeds:
                X, y = fashion_tensors(True, cfg.n_train, seed=seed)
                gen = train.seed_everything(seed)
                model = LeNet(1, image_size=28)
                opt = torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=cfg.momentum)
                dl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=bs, shuffle=True,
                                                 generator=gen)
                t0 = time.perf_counter()
                m = train.fit(model, dl, optimizer=opt, loss_fn=nn.functional.cross_entropy, epochs=max(cfg.epochs),
                              device="cpu", val_loader=test, log_every=max(1, len(X) // (3 * bs)), progress=False)
                runs.append({"batch_size": bs, "seed": seed, "metrics": m, "seconds": time.perf_counter() - t0,
                             **final_report(model, test)})
    grid = {f"bs{bs}_ep{ep}": [r["metrics"]["val_accuracy"][ep - 1] for r in runs if r["batch_size"] == bs]
            for bs in cfg.batch_sizes for ep in cfg.epochs}
    return {"runs": runs, "grid": grid, "n_seeds": len(cfg.seeds), "n_train": len(X), "threads": cfg.threads}


@dataclass(frozen=True)
class BNCNNConfig:
    """The BN-CNN recipe (Adam 1e-3, weight decay 1e-4, dropout 0.5) on Fashion-MNIST."""

    epochs: int = 10
    batch_size: int = 128
    n_train: int | None = None
    lr: float = 1e-3
    weight_decay: float = 1e-4
    seeds: tuple[int, ...] = (0, 1, 2)
    threads: int = 1
    cpu_amp: bool = True

    def __post_init__(self) -> None:
        validate.positive_int("BNCNNConfig.epochs", self.epochs)
        validate.positive_int("BNCNNConfig.batch_size", self.batch_size)
        validate.optional(validate.positive_int, "BNCNNConfig.n_train", self.n_train)
        validate.real("BNCNNConfig.lr", self.lr, low=0.0, low_open=True)
        validate.real("BNCNNConfig.weight_decay", self.weight_decay, low=0.0)
        validate.each("BNCNNConfig.seeds", self.seeds, validate.positive_int, minimum=0)
        validate.positive_int("BNCNNConfig.threads", self.threads)
        validate.boolean("BNCNNConfig.cpu_amp", self.cpu_amp)


def run_bncnn(cfg: BNCNNConfig, out_dir: Path) -> dict:
    """Train the BN CNN once per seed; training curves per epoch, test metrics at the end."""
    validate.instance("cfg", cfg, BNCNNConfig)
    validate.path("out_dir", out_dir)
    Xt, yt = fashion_tensors(False)
    test = loader(Xt, yt, 500, shuffle=False)
    runs = []
    with cpu_threads(cfg.threads):
        for seed in cfg.seeds:
            X, y = fashion_tensors(True, cfg.n_train, seed=seed)
            gen = train.seed_everything(seed)
            model = BNCNN(1, image_size=28)
            opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
            dl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=cfg.batch_size,
                                             shuffle=True, generator=gen)
            t0 = time.perf_counter()
            m = train.fit(model, dl, optimizer=opt, loss_fn=nn.functional.cross_entropy, epochs=cfg.epochs,
                          device="cpu", val_loader=test, log_every=max(1, len(X) // (5 * cfg.batch_size)),
                          progress=False, cpu_amp=cfg.cpu_amp)
            runs.append({"seed": seed, "metrics": m, "seconds": time.perf_counter() - t0,
                         **final_report(model, test, cpu_amp=cfg.cpu_amp)})
    accs = [r["test_accuracy"] for r in runs]
    return {"runs": runs, "mean_test_accuracy": sum(accs) / len(accs), "n_seeds": len(cfg.seeds),
            "n_train": len(X), "threads": cfg.threads, "amp_dtype": runs[0]["metrics"]["amp_dtype"],
            "parameters": sum(p.numel() for p in BNCNN(1, image_size=28).parameters())}


__all__ = ["BNCNNConfig", "CLASSES", "LeNetGridConfig", "cpu_threads", "fashion_tensors", "final_report", "loader",
           "run_bncnn", "run_lenet_grid"]
