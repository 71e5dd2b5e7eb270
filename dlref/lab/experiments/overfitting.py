"""Remedies for a classifier that fits its training set perfectly but generalises poorly.

Shown on the site page *Regularization and optimization → Overfitting remedies, measured*
(regularization/overfitting.md).

A two-class problem in the plane with a curved boundary and label noise: ``X`` standard normal,
``y = 1[x₂ > sin(2x₁)]``, each label flipped with probability ``flip`` (so no classifier can
exceed ``1 − flip`` test accuracy). A two-hidden-layer ReLU network trained by full-batch Adam
on the cross-entropy reaches 100 % training accuracy on small training sets. Four remedies are
measured on fresh test data, each averaged over ``seeds`` independent training sets and
initialisations (run side by side as a leading batch dimension):

1. more training data, 2. an L2 penalty, 3. a wider network, 4. choosing among trained models
(decays × checkpoints) by validation accuracy instead of training accuracy.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from dlref import optim
from dlref import validate


@dataclass(frozen=True)
class Config:
    """Everything that determines the result (its hash keys the results store)."""

    flip: float = 0.2
    n_train: int = 100  # the base case: small enough to memorise
    n_test: int = 5000
    width: int = 64
    sizes: tuple[int, ...] = (50, 100, 200, 400, 800, 1600)
    decays: tuple[float, ...] = (0.0, 1e-4, 1e-3, 1e-2, 3e-2)
    widths: tuple[int, ...] = (2, 8, 32, 128, 512)
    val_fraction: float = 0.2
    epochs: int = 1000
    record_every: int = 50
    lr: float = 0.01
    seeds: int = 10

    def __post_init__(self) -> None:
        validate.real("Config.flip", self.flip, low=0.0, high=0.5, high_open=True)
        validate.positive_int("Config.n_train", self.n_train, minimum=2)
        validate.positive_int("Config.n_test", self.n_test)
        validate.positive_int("Config.width", self.width)
        validate.each("Config.sizes", self.sizes, validate.positive_int)
        validate.each("Config.decays", self.decays, validate.real, low=0.0)
        validate.each("Config.widths", self.widths, validate.positive_int)
        validate.real("Config.val_fraction", self.val_fraction, low=0.0, high=1.0, low_open=True, high_open=True)
        validate.positive_int("Config.epochs", self.epochs)
        validate.positive_int("Config.record_every", self.record_every)
        validate.real("Config.lr", self.lr, low=0.0, low_open=True)
        validate.positive_int("Config.seeds", self.seeds, minimum=2)


def simulate(n: int, S: int, flip: float, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """``S`` samples of size ``n``: ``X`` (S, n, 2) float64 and labels ``y`` (S, n) in {0, 1} as float64.

    Examples:
        >>> X, y = simulate(4, 3, 0.2, torch.Generator().manual_seed(0))
        >>> X.shape, y.shape
        (torch.Size([3, 4, 2]), torch.Size([3, 4]))
    """
    validate.positive_int("n", n)
    validate.positive_int("S", S)
    validate.real("flip", flip, low=0.0, high=0.5, high_open=True)
    validate.instance("generator", generator, torch.Generator)
    if not 0 <= flip < 0.5:
        raise ValueError(f"flip must lie in [0, 0.5); got {flip}")
    X = torch.randn(S, n, 2, generator=generator, dtype=torch.float64)
    clean = (X[..., 1] > torch.sin(2 * X[..., 0])).double()
    flipped = torch.rand(S, n, generator=generator, dtype=torch.float64) < flip
    return X, torch.where(flipped, 1 - clean, clean)


def train(data: dict, K: int, lam: float, cfg: Config, generator: torch.Generator) -> dict[str, torch.Tensor]:
    """Train ``S`` networks 2 → K → K → 1 side by side; every ``record_every`` epochs record each split's
    accuracy and mean cross-entropy.

    Args:
        data: ``{"train": (X, y), "test": (X, y)}`` and optionally ``"val"``.
        K: hidden units per layer.
        lam: L2 coefficient on the weights (the loss is ``CE + λ Σ‖W‖²``).
        cfg: the configuration.
        generator: for the initialisation.

    Returns:
        ``{"<split>_acc": (S, R), "<split>_loss": (S, R)}`` for each split.
    """
    validate.mapping("data", data, ("train", "test"))
    validate.positive_int("K", K)
    validate.real("lam", lam, low=0.0)
    validate.instance("cfg", cfg, Config)
    validate.instance("generator", generator, torch.Generator)
    X, y = data["train"]
    S = X.shape[0]

    def layer(fan_in, fan_out):  # nn.Linear's default uniform initialisation
        bound = fan_in**-0.5
        W = (2 * torch.rand(S, fan_in, fan_out, generator=generator, dtype=torch.float64) - 1) * bound
        b = (2 * torch.rand(S, 1, fan_out, generator=generator, dtype=torch.float64) - 1) * bound
        return torch.nn.Parameter(W), torch.nn.Parameter(b)

    W1, b1 = layer(2, K)
    W2, b2 = layer(K, K)
    W3, b3 = layer(K, 1)
    opt = optim.Adam([W1, b1, W2, b2, W3, b3], lr=cfg.lr)

    def logits(X):
        H1 = torch.relu(X @ W1 + b1)  # (S, n, 2) @ (S, 2, K) → (S, n, K)
        H2 = torch.relu(H1 @ W2 + b2)  # (S, n, K) @ (S, K, K) → (S, n, K)
        return (H2 @ W3 + b3)[..., 0]  # (S, n, K) @ (S, K, 1) → (S, n)

    def ce(a, y):
        return torch.nn.functional.binary_cross_entropy_with_logits(a, y, reduction="none").mean(1)  # (S,)

    record: dict[str, list] = {f"{s}_{m}": [] for s in data for m in ("acc", "loss")}
    for epoch in range(cfg.epochs + 1):
        if epoch % cfg.record_every == 0:
            with torch.no_grad():
                for split, (Xs, ys) in data.items():
                    a = logits(Xs)
                    record[f"{split}_acc"].append(((a > 0).double() == ys).double().mean(1))
                    record[f"{split}_loss"].append(ce(a, ys))
        if epoch == cfg.epochs:
            break
        opt.zero_grad()
        penalty = sum((W**2).sum(dim=(1, 2)) for W in (W1, W2, W3))  # (S,)
        (ce(logits(X), y) + lam * penalty).sum().backward()  # summed over seeds: independent runs
        opt.step()
    return {k: torch.stack(v, 1) for k, v in record.items()}


def _summary(acc: torch.Tensor) -> dict[str, float]:
    """Mean and standard error over seeds of a (S,) accuracy tensor."""
    return {"mean": float(acc.mean()), "sem": float(acc.std() / len(acc) ** 0.5)}


def run(cfg: Config, out_dir: Path) -> dict:
    """The four remedies; every accuracy is on ``n_test`` fresh examples, mean ± s.e.m. over seeds."""
    validate.instance("cfg", cfg, Config)
    validate.path("out_dir", out_dir)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny matrices: one thread is fastest and plays well with a shared machine
    try:
        g = torch.Generator().manual_seed(0)
        pool_X, pool_y = simulate(max(cfg.sizes), cfg.seeds, cfg.flip, g)  # nested training sets
        test = simulate(cfg.n_test, cfg.seeds, cfg.flip, g)

        def base(n):
            return {"train": (pool_X[:, :n], pool_y[:, :n]), "test": test}

        out: dict = {"flip": cfg.flip, "bayes_accuracy": 1 - cfg.flip}
        more_data = []
        for n in cfg.sizes:
            r = train(base(n), cfg.width, 0.0, cfg, torch.Generator().manual_seed(1))
            more_data.append({"n": n, "train": _summary(r["train_acc"][:, -1]), "test": _summary(r["test_acc"][:, -1])})
        out["more_data"] = more_data

        l2 = []
        for lam in cfg.decays:
            r = train(base(cfg.n_train), cfg.width, lam, cfg, torch.Generator().manual_seed(1))
            l2.append({"lambda": lam, "train": _summary(r["train_acc"][:, -1]), "test": _summary(r["test_acc"][:, -1])})
        out["l2"] = l2

        wider = []
        for K in cfg.widths:
            r = train(base(cfg.n_train), K, 0.0, cfg, torch.Generator().manual_seed(1))
            wider.append({"width": K, "train": _summary(r["train_acc"][:, -1]), "test": _summary(r["test_acc"][:, -1])})
        out["wider"] = wider

        # Validation selection: hold out part of the same n_train examples; candidates are decays × checkpoints.
        n_val = round(cfg.val_fraction * cfg.n_train)
        X, y = pool_X[:, :cfg.n_train], pool_y[:, :cfg.n_train]
        split = {"train": (X[:, n_val:], y[:, n_val:]), "val": (X[:, :n_val], y[:, :n_val]), "test": test}
        runs = [train(split, cfg.width, lam, cfg, torch.Generator().manual_seed(1)) for lam in cfg.decays]
        cat = {k: torch.cat([r[k] for r in runs], 1) for k in runs[0]}  # (S, decays × checkpoints)
        # Highest accuracy first; ties broken by the lower loss on the same split.
        by_train = (cat["train_acc"] - 1e-6 * cat["train_loss"]).argmax(1)  # (S,)
        by_val = (cat["val_acc"] - 1e-6 * cat["val_loss"]).argmax(1)
        rows = torch.arange(cfg.seeds)
        out["validation"] = {
            "n_val": n_val,
            "selected_by_train": _summary(cat["test_acc"][rows, by_train]),
            "selected_by_val": _summary(cat["test_acc"][rows, by_val]),
            "train_acc_of_train_choice": _summary(cat["train_acc"][rows, by_train]),
        }
        return out
    finally:
        torch.set_num_threads(threads)
