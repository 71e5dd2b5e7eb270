"""GANs on a ring of eight Gaussians: mode collapse, what reduces it, and noise that changes every step.

Two experiments behind docs/gan/mode-collapse.md, both trained with [`dlref.lab.gan.train.train()`][dlref.lab.gan.train.train]
(MLP generator and discriminator, Adam, CPU, one thread):

* [`run_collapse()`][dlref.lab.experiments.gan_ring.run_collapse] — several GAN variants (losses, packing, gradient penalty), each over
  ``seeds``; after every epoch the modes covered and the high-quality fraction
  ([`dlref.gan.toy.mode_coverage()`][dlref.gan.toy.mode_coverage]) of 2 000 samples from fixed noise, and a few snapshots
  of samples for the figures.
* [`run_noise()`][dlref.lab.experiments.gan_ring.run_noise] — the non-saturating GAN trained with N(0, I) noise versus noise whose
  distribution is redrawn at every step (seed 001 §4.3), each evaluated on N(0, I) and on several
  other noise distributions.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import torch

from dlref import validate
from dlref.gan import toy
from dlref.gan.models import MLPDiscriminator, MLPGenerator
from dlref.lab.gan.train import GANConfig, one_thread, sample_noise, train


@dataclass(frozen=True)
class Variant:
    """One GAN variant: a label and the settings that differ from the base recipe."""

    label: str
    loss: str = "non-saturating"
    pack: int = 1
    n_critic: int = 1
    lr: float = 1e-3
    beta2: float = 0.999
    gp_weight: float = 10.0
    noise: str = "normal"

    def __post_init__(self) -> None:
        validate.instance("Variant.label", self.label, str)
        validate.choice("Variant.loss", self.loss, ("minimax", "non-saturating", "wgan-gp", "hinge"))
        validate.positive_int("Variant.pack", self.pack)
        validate.positive_int("Variant.n_critic", self.n_critic)
        validate.real("Variant.lr", self.lr, low=0.0, low_open=True)
        validate.real("Variant.beta2", self.beta2, low=0.0, high=1.0, high_open=True)
        validate.real("Variant.gp_weight", self.gp_weight, low=0.0)
        validate.choice("Variant.noise", self.noise, ("normal", "uniform", "random-each-step"))


@dataclass(frozen=True)
class RingConfig:
    """Everything that determines the ring experiments' results (hashed by the results store)."""

    variants: tuple[Variant, ...] = (
        Variant("minimax (saturating)", loss="minimax"),
        Variant("non-saturating", loss="non-saturating"),
        Variant("non-saturating, PacGAN-2", pack=2),
        Variant("WGAN-GP", loss="wgan-gp", n_critic=2, lr=5e-4, beta2=0.9, gp_weight=1.0),
    )
    seeds: tuple[int, ...] = (0, 1)
    epochs: int = 12
    samples_per_step: int = 256
    n_data: int = 64000
    std: float = 0.02
    hidden: int = 128
    snapshot_epochs: tuple[int, ...] = (1, 3, 6, 12)
    snapshot_size: int = 500
    eval_size: int = 2000

    def __post_init__(self) -> None:
        validate.each("RingConfig.variants", self.variants, validate.instance, Variant)
        validate.each("RingConfig.seeds", self.seeds, validate.positive_int, minimum=0)
        validate.positive_int("RingConfig.epochs", self.epochs)
        validate.positive_int("RingConfig.samples_per_step", self.samples_per_step)
        validate.positive_int("RingConfig.n_data", self.n_data)
        validate.real("RingConfig.std", self.std, low=0.0, low_open=True)
        validate.positive_int("RingConfig.hidden", self.hidden)
        validate.each("RingConfig.snapshot_epochs", self.snapshot_epochs, validate.positive_int, min_length=0)
        validate.positive_int("RingConfig.snapshot_size", self.snapshot_size)
        validate.positive_int("RingConfig.eval_size", self.eval_size)


def _points(x: torch.Tensor) -> list[list[float]]:
    return [[round(a, 3), round(b, 3)] for a, b in x.tolist()]


def train_variant(v: Variant, seed: int, cfg: RingConfig, data: torch.Tensor) -> dict[str, Any]:
    """One run: per-epoch coverage, snapshots of samples from fixed N(0, I) noise, and the trained G."""
    validate.instance("v", v, Variant)
    validate.positive_int("seed", seed, minimum=0)
    validate.instance("cfg", cfg, RingConfig)
    validate.tensor("data", data, floating=True, ndim=2)
    centers = toy.ring_centers()
    torch.manual_seed(seed)
    G, D = MLPGenerator(2, 2, cfg.hidden), MLPDiscriminator(2, cfg.hidden, pack=v.pack)
    gan = GANConfig(loss=v.loss, epochs=cfg.epochs, batch_size=cfg.samples_per_step // v.pack, lr_g=v.lr, lr_d=v.lr,
                    beta2=v.beta2, n_critic=v.n_critic, gp_weight=v.gp_weight, z_dim=2, noise=v.noise, seed=seed,
                    save_images=False)
    z_eval = torch.randn(cfg.eval_size, 2, generator=torch.Generator().manual_seed(10_000 + seed))
    snapshots: dict[int, list] = {}

    def evaluate(G: torch.nn.Module, epoch: int) -> dict[str, float]:
        x = G(z_eval)
        if epoch in cfg.snapshot_epochs:
            snapshots[epoch] = _points(x[: cfg.snapshot_size])
        return toy.mode_coverage(x, centers, cfg.std)

    history = train(G, D, data, gan, evaluate=evaluate, pack=v.pack, device="cpu", progress=False)
    return {"G": G, "steps": history["steps"], "seconds": sum(history["seconds"]),
            "modes": [e["modes"] for e in history["eval"]], "high_quality": [e["high_quality"] for e in history["eval"]],
            "snapshots": {str(k): s for k, s in snapshots.items()}}


def run_collapse(cfg: RingConfig, out_dir: Path) -> dict[str, Any]:
    """Every variant over every seed; metrics per epoch, snapshots for the first seed."""
    validate.instance("cfg", cfg, RingConfig)
    validate.path("out_dir", out_dir)
    data = toy.ring_of_gaussians(cfg.n_data, std=cfg.std, generator=torch.Generator().manual_seed(0))
    out: dict[str, Any] = {"labels": [v.label for v in cfg.variants], "runs": {}}
    with one_thread():
        for v in cfg.variants:
            runs = [train_variant(v, s, cfg, data) for s in cfg.seeds]
            out["runs"][v.label] = {
                "modes": [r["modes"] for r in runs], "high_quality": [r["high_quality"] for r in runs],
                "steps": runs[0]["steps"], "seconds": [r["seconds"] for r in runs], "snapshots": runs[0]["snapshots"],
            }
    out["data"] = _points(data[: cfg.snapshot_size])
    return out


@dataclass(frozen=True)
class NoiseConfig:
    """The noise experiment: the same recipe, fixed N(0, I) noise versus a new distribution every step."""

    ring: RingConfig = field(default_factory=lambda: RingConfig(variants=(
        Variant("N(0, I) every step", noise="normal"),
        Variant("a random distribution every step", noise="random-each-step"),
    )))
    test_draws: int = 20  # random noise distributions each generator is evaluated on

    def __post_init__(self) -> None:
        validate.instance("NoiseConfig.ring", self.ring, RingConfig)
        validate.positive_int("NoiseConfig.test_draws", self.test_draws)


def run_noise(cfg: NoiseConfig, out_dir: Path) -> dict[str, Any]:
    """Train both variants over the seeds; evaluate each on N(0, I) and on ``test_draws`` random distributions."""
    validate.instance("cfg", cfg, NoiseConfig)
    validate.path("out_dir", out_dir)
    ring = cfg.ring
    data = toy.ring_of_gaussians(ring.n_data, std=ring.std, generator=torch.Generator().manual_seed(0))
    centers = toy.ring_centers()
    out: dict[str, Any] = {"labels": [v.label for v in ring.variants], "runs": {}}
    with one_thread():
        for v in ring.variants:
            rows = []
            for s in ring.seeds:
                r = train_variant(v, s, ring, data)
                G = r.pop("G").eval()
                g = torch.Generator().manual_seed(20_000 + s)
                with torch.no_grad():
                    on_normal = toy.mode_coverage(G(sample_noise("normal", ring.eval_size, 2, g)), centers, ring.std)
                    on_random = [toy.mode_coverage(G(sample_noise("random-each-step", ring.eval_size, 2, g)), centers, ring.std)
                                 for _ in range(cfg.test_draws)]
                    shown = {kind: _points(G(sample_noise(kind, ring.snapshot_size, 2, g)))
                             for kind in ("normal", "uniform")}
                rows.append({**r, "on_normal": on_normal, "on_random": on_random, "samples": shown})
            out["runs"][v.label] = rows
    return out


def quick(cfg: RingConfig) -> RingConfig:
    """A smaller version of ``cfg`` for tests: one seed, two epochs, less data."""
    validate.instance("cfg", cfg, RingConfig)
    return replace(cfg, seeds=(0,), epochs=2, n_data=2048, snapshot_epochs=(1, 2), eval_size=200)


def _code() -> list:
    from dlref.gan import losses, models
    from dlref.lab.gan import train as gan_train

    return [toy, losses, models, gan_train]


def collapse_result() -> Any:
    """The stored [`run_collapse()`][dlref.lab.experiments.gan_ring.run_collapse] result (run only in the ``full`` profile)."""
    from dlref.lab import results

    return results.run_or_load("gan-ring-collapse", run_collapse, RingConfig(), profiles=("full",), code=_code())


def noise_result() -> Any:
    """The stored [`run_noise()`][dlref.lab.experiments.gan_ring.run_noise] result (run only in the ``full`` profile)."""
    from dlref.lab import results

    return results.run_or_load("gan-ring-noise", run_noise, NoiseConfig(), profiles=("full",), code=_code())
