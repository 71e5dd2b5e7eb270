"""Weight decay and network size on a simulated regression (ESL Exercise 11.5 style).

Shown on the site page *Regularization and optimization → Weight decay on a simulated regression*
(regularization/esl-weight-decay.md).

Data: ``X ∈ ℝ²`` standard normal, ``Y = σ(a₁ᵀX) + (a₂ᵀX)² + s·Z`` with ``Z`` standard normal.
Model: one hidden layer of ``K`` sigmoid units and a linear output, trained by full-batch Adam
([`dlref.optim.Adam`][dlref.optim.Adam]) on the mean squared error of the standardised target plus the L2
penalty ``λ(‖W₁‖² + ‖W₂‖²)`` on the weights (not the biases). One epoch is one full-batch step.

Every seed draws its own training set, test set and initialisation; the seeds run side by side
as a leading batch dimension (Adam is element-wise, so this equals separate runs).
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

    a1: tuple[float, float] = (3.0, 3.0)
    a2: tuple[float, float] = (3.0, -3.0)
    noise: float = 0.30
    n_train: int = 100
    n_test: int = 1000
    hidden: int = 10  # K for the error-vs-epochs curves
    decays: tuple[float, ...] = (0.0, 1e-5, 1e-4, 1e-3, 1e-2)
    epochs: int = 5000
    lr: float = 0.02
    record_every: int = 50
    hidden_sweep: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
    sweep_decays: tuple[float, ...] = (0.0, 1e-4, 1e-3)
    seeds: int = 20
    init_scale: float = 0.7  # weights start uniform in [−0.7, 0.7]

    def __post_init__(self) -> None:
        validate.each("Config.a1", self.a1, validate.real, min_length=2, max_length=2)
        validate.each("Config.a2", self.a2, validate.real, min_length=2, max_length=2)
        validate.real("Config.noise", self.noise, low=0.0)
        validate.positive_int("Config.n_train", self.n_train, minimum=2)
        validate.positive_int("Config.n_test", self.n_test)
        validate.positive_int("Config.hidden", self.hidden)
        validate.each("Config.decays", self.decays, validate.real, low=0.0)
        validate.positive_int("Config.epochs", self.epochs)
        validate.real("Config.lr", self.lr, low=0.0, low_open=True)
        validate.positive_int("Config.record_every", self.record_every)
        validate.each("Config.hidden_sweep", self.hidden_sweep, validate.positive_int)
        validate.each("Config.sweep_decays", self.sweep_decays, validate.real, low=0.0)
        validate.positive_int("Config.seeds", self.seeds, minimum=2)
        validate.real("Config.init_scale", self.init_scale, low=0.0, low_open=True)


def simulate(n: int, S: int, cfg: Config, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """``S`` independent samples of size ``n`` from the model.

    Returns:
        ``X`` of shape ``(S, n, 2)`` and ``Y`` of shape ``(S, n, 1)``, float64.

    Examples:
        >>> X, Y = simulate(5, 2, Config(), torch.Generator().manual_seed(0))
        >>> X.shape, Y.shape
        (torch.Size([2, 5, 2]), torch.Size([2, 5, 1]))
    """
    validate.positive_int("n", n)
    validate.positive_int("S", S)
    validate.instance("cfg", cfg, Config)
    validate.instance("generator", generator, torch.Generator)
    if n < 1 or S < 1:
        raise ValueError(f"n and S must be positive; got n={n}, S={S}")
    X = torch.randn(S, n, 2, generator=generator, dtype=torch.float64)
    a1 = torch.tensor(cfg.a1, dtype=torch.float64)
    a2 = torch.tensor(cfg.a2, dtype=torch.float64)
    Z = torch.randn(S, n, generator=generator, dtype=torch.float64)
    Y = torch.sigmoid(X @ a1) + (X @ a2) ** 2 + cfg.noise * Z  # (S, n)
    return X, Y[..., None]


def train(K: int, lam: float, data: tuple[torch.Tensor, ...], cfg: Config, generator: torch.Generator) -> dict:
    """Train ``S`` networks of ``K`` hidden units side by side; record errors every ``record_every`` epochs.

    Args:
        K: hidden units.
        lam: weight-decay coefficient ``λ`` (on the standardised scale).
        data: ``(X, Y, Xt, Yt)`` as returned by [`simulate()`][dlref.lab.experiments.esl_weight_decay.simulate] for training and test.
        cfg: the configuration.
        generator: for the initialisation.

    Returns:
        ``{"epochs": [...], "train": (S, R) tensor, "test": (S, R) tensor}`` of mean squared errors
        on the original scale of ``Y``.
    """
    validate.positive_int("K", K)
    validate.real("lam", lam, low=0.0)
    validate.each("data", data, validate.floating_tensor, min_length=4, max_length=4, ndim=3)
    validate.instance("cfg", cfg, Config)
    validate.instance("generator", generator, torch.Generator)
    X, Y, Xt, Yt = data
    S = X.shape[0]
    mean, std = Y.mean(dim=1, keepdim=True), Y.std(dim=1, keepdim=True)  # (S, 1, 1): per training set

    def uniform(*shape):
        return torch.nn.Parameter((2 * torch.rand(*shape, generator=generator, dtype=torch.float64) - 1) * cfg.init_scale)

    W1, b1, W2, b2 = uniform(S, 2, K), uniform(S, 1, K), uniform(S, K, 1), uniform(S, 1, 1)
    opt = optim.Adam([W1, b1, W2, b2], lr=cfg.lr)

    def predict(X):
        H = torch.sigmoid(X @ W1 + b1)  # (S, n, 2) @ (S, 2, K) → (S, n, K)
        return H @ W2 + b2  # (S, n, K) @ (S, K, 1) → (S, n, 1), standardised scale

    epochs, train_err, test_err = [], [], []
    for epoch in range(cfg.epochs + 1):
        if epoch % cfg.record_every == 0:
            with torch.no_grad():
                train_err.append(((predict(X) * std + mean - Y) ** 2).mean(dim=(1, 2)))  # (S,)
                test_err.append(((predict(Xt) * std + mean - Yt) ** 2).mean(dim=(1, 2)))
            epochs.append(epoch)
        if epoch == cfg.epochs:
            break
        opt.zero_grad()
        mse = ((predict(X) - (Y - mean) / std) ** 2).mean(dim=(1, 2))  # (S,)
        penalty = (W1**2).sum(dim=(1, 2)) + (W2**2).sum(dim=(1, 2))  # (S,)
        (mse + lam * penalty).sum().backward()  # a sum over seeds keeps their gradients separate
        opt.step()
    return {"epochs": epochs, "train": torch.stack(train_err, 1), "test": torch.stack(test_err, 1)}


def run(cfg: Config, out_dir: Path) -> dict:
    """The experiment: error curves for each decay at ``hidden`` units, then the hidden-unit sweep."""
    validate.instance("cfg", cfg, Config)
    validate.path("out_dir", out_dir)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny matrices: one thread is fastest and plays well with a shared machine
    try:
        g = torch.Generator().manual_seed(0)
        X, Y = simulate(cfg.n_train, cfg.seeds, cfg, g)
        Xt, Yt = simulate(cfg.n_test, cfg.seeds, cfg, g)
        data = (X, Y, Xt, Yt)
        curves = {}
        for lam in cfg.decays:
            out = train(cfg.hidden, lam, data, cfg, torch.Generator().manual_seed(1))
            curves[repr(lam)] = {
                "train_mean": out["train"].mean(0).tolist(), "test_mean": out["test"].mean(0).tolist(),
                "test_final_sem": float(out["test"][:, -1].std() / cfg.seeds**0.5),
            }
        sweep = {}
        for lam in cfg.sweep_decays:
            final = torch.stack([train(K, lam, data, cfg, torch.Generator().manual_seed(2))["test"][:, -1]
                                 for K in cfg.hidden_sweep])  # (len(hidden_sweep), S)
            sweep[repr(lam)] = {"mean": final.mean(1).tolist(), "sem": (final.std(1) / cfg.seeds**0.5).tolist(),
                                "median": final.median(1).values.tolist()}
        return {
            "epochs": list(range(0, cfg.epochs + 1, cfg.record_every)), "curves": curves, "sweep": sweep,
            "bayes_error": cfg.noise**2, "test_variance_of_Y": float(Yt.var(dim=1).mean()),
        }
    finally:
        torch.set_num_threads(threads)
