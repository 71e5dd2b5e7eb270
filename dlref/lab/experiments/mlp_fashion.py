"""Hidden-layer width of the one-hidden-layer MLP on Fashion-MNIST, trained by its hand-written backward.

The experiment behind the MLP training walkthrough: [`dlref.nn.MLP`][dlref.nn.mlp.MLP] on flattened 28×28
images, gradients from [`gradients()`][dlref.nn.mlp.MLP.gradients] (no autograd), plain minibatch SGD.
For each width ``K`` it records the training-loss curve and the test accuracy.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from dlref import functional
from dlref import validate
from dlref.nn import MLP


@dataclass(frozen=True)
class Config:
    """Everything that determines the result (its hash keys the results store)."""

    widths: tuple[int, ...] = (16, 64, 256)
    epochs: int = 5
    batch_size: int = 128
    lr: float = 0.1
    seed: int = 0
    n_train: int = 60000  # the full training set

    def __post_init__(self) -> None:
        validate.each("Config.widths", self.widths, validate.positive_int)
        validate.positive_int("Config.epochs", self.epochs)
        validate.positive_int("Config.batch_size", self.batch_size)
        validate.real("Config.lr", self.lr, low=0.0, low_open=True)
        validate.positive_int("Config.seed", self.seed, minimum=0)
        validate.positive_int("Config.n_train", self.n_train)


def load_flat(train: bool, n: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Fashion-MNIST as ``(N, 784)`` float32 in [0, 1] and int64 labels."""
    from dlref.lab.data import fashion_mnist

    validate.boolean("train", train)
    validate.optional(validate.positive_int, "n", n)
    ds = fashion_mnist(train=train)
    X = ds.data.reshape(len(ds), -1).float() / 255  # (N, 784)
    y = ds.targets.long()
    return (X[:n], y[:n]) if n else (X, y)


def train_width(K: int, X: torch.Tensor, y: torch.Tensor, cfg: Config) -> tuple[MLP, list[float]]:
    """Train one MLP of width ``K`` with manual gradients; returns the model and per-epoch mean loss."""
    validate.positive_int("K", K)
    validate.floating_tensor("X", X, ndim=2, nonempty=True)
    validate.class_indices("y", y, 10)
    validate.same_length(X=X, y=y)
    validate.instance("cfg", cfg, Config)
    g = torch.Generator().manual_seed(cfg.seed)
    net = MLP(X.shape[1], K, 10, generator=g)
    curve = []
    for _ in range(cfg.epochs):
        order = torch.randperm(len(X), generator=g)
        total = 0.0
        for start in range(0, len(X), cfg.batch_size):
            idx = order[start : start + cfg.batch_size]
            grads = net.gradients(X[idx], y[idx])
            with torch.no_grad():
                for name in ("W", "b1", "V", "b2"):
                    getattr(net, name).sub_(cfg.lr * grads[name])  # θ ← θ − η ∇θ L
                total += functional.softmax_cross_entropy(net(X[idx]), y[idx]).item() * len(idx)
        curve.append(total / len(X))
    return net, curve


def run(cfg: Config, out_dir: Path) -> dict:
    """The experiment: one training run per width; writes ``curves.json`` metrics only."""
    validate.instance("cfg", cfg, Config)
    validate.path("out_dir", out_dir)
    X, y = load_flat(True, cfg.n_train)
    Xt, yt = load_flat(False)
    metrics = {"widths": list(cfg.widths), "test_accuracy": [], "train_loss": []}
    for K in cfg.widths:
        net, curve = train_width(K, X, y, cfg)
        with torch.no_grad():
            acc = (net(Xt).argmax(1) == yt).float().mean().item()
        metrics["test_accuracy"].append(acc)
        metrics["train_loss"].append(curve)
    return metrics
