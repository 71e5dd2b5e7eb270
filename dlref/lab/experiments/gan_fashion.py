"""DCGAN on Fashion-MNIST, scored each epoch by a Fréchet distance in a LeNet's feature space.

The experiment behind docs/gan/dcgan-fashion.nb.py and ``dlref gan train --dataset fashion-mnist``:
[`dlref.gan.models.DCGANGenerator`][dlref.gan.models.DCGANGenerator] / [`DCGANDiscriminator`][dlref.gan.models.DCGANDiscriminator] trained
by [`dlref.lab.gan.train.train()`][dlref.lab.gan.train.train]; after every epoch 5 000 samples from fixed noise are scored by
[`dlref.lab.gan.metrics.FrechetEvaluator`][dlref.lab.gan.metrics.FrechetEvaluator] against the 10 000 test images (FD and the
classifier's label distribution). The floor is the same FD for 5 000 *real* training images.

Two configurations: `CPU` (a small model on a subset, minutes on a CPU — what the site
shows) and `CUDA` (the full recipe, CUDA only).
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from dlref import validate


@dataclass(frozen=True)
class FashionConfig:
    """Everything that determines the result (hashed by the results store)."""

    loss: str = "non-saturating"
    epochs: int = 6
    n_train: int = 25600
    batch_size: int = 64
    width: int = 32
    z_dim: int = 64
    lr: float = 2e-4
    beta1: float = 0.5
    seed: int = 0
    eval_samples: int = 5000

    def __post_init__(self) -> None:
        validate.choice("FashionConfig.loss", self.loss, ("minimax", "non-saturating", "wgan-gp", "hinge"))
        validate.positive_int("FashionConfig.epochs", self.epochs)
        validate.positive_int("FashionConfig.n_train", self.n_train)
        validate.positive_int("FashionConfig.batch_size", self.batch_size)
        validate.positive_int("FashionConfig.width", self.width)
        validate.positive_int("FashionConfig.z_dim", self.z_dim)
        validate.real("FashionConfig.lr", self.lr, low=0.0, low_open=True)
        validate.real("FashionConfig.beta1", self.beta1, low=0.0, high=1.0, high_open=True)
        validate.positive_int("FashionConfig.seed", self.seed, minimum=0)
        validate.positive_int("FashionConfig.eval_samples", self.eval_samples, minimum=2)


#: The CPU-sized run the site shows: width 32, 25 600 images, 6 epochs.
CPU = FashionConfig()
#: The full recipe: width 64, all 60 000 images, 25 epochs, batch 128 — CUDA only.
CUDA = FashionConfig(epochs=25, n_train=60000, batch_size=128, width=64)


def run(cfg: FashionConfig, out_dir: Path) -> dict[str, Any]:
    """Train and score; writes ``losses.png`` and ``samples_epochNNN.png`` into ``out_dir``."""
    from dlref.lab.device import device
    from dlref.lab.gan.metrics import FrechetEvaluator, fashion_images, load_classifier
    from dlref.gan.models import DCGANDiscriminator, DCGANGenerator
    from dlref.lab.gan.train import GANConfig, one_thread, train

    validate.instance("cfg", cfg, FashionConfig)
    validate.path("out_dir", out_dir)
    dev = device()
    classifier, clf = load_classifier(dev)
    x_train, x_test = fashion_images(True)[0], fashion_images(False)[0]
    evaluator = FrechetEvaluator(classifier, x_test, cfg.eval_samples, cfg.z_dim)
    pick = torch.randperm(len(x_train), generator=torch.Generator().manual_seed(cfg.seed))[: cfg.eval_samples]
    floor = evaluator.score_images(x_train[pick])  # real vs real: the best an FD of this size can be

    torch.manual_seed(cfg.seed)
    G = DCGANGenerator(cfg.z_dim, 1, 28, cfg.width)
    D = DCGANDiscriminator(1, 28, cfg.width, norm="layer" if cfg.loss == "wgan-gp" else "batch")
    gan = GANConfig(loss=cfg.loss, epochs=cfg.epochs, batch_size=cfg.batch_size, lr_g=cfg.lr, lr_d=cfg.lr,
                    beta1=cfg.beta1, z_dim=cfg.z_dim, seed=cfg.seed, log_every=20)
    G.to(dev)
    untrained = evaluator(G.eval())
    G.train()
    threads = one_thread() if dev.type == "cpu" else contextlib.nullcontext()
    with tempfile.TemporaryDirectory() as tmp, threads:
        history = train(G, D, x_train[: cfg.n_train], gan, tmp, evaluate=evaluator, device=dev, progress=False)
        for png in Path(tmp).glob("*.png"):  # checkpoints stay out of the results store
            shutil.copy(png, out_dir / png.name)
    ev = history["eval"]
    return {
        "epoch": history["epoch"], "fd": [e["fd"] for e in ev], "classes_covered": [e["classes_covered"] for e in ev],
        "label_share": [e["label_share"] for e in ev], "label_entropy": [e["label_entropy"] for e in ev],
        "fd_untrained": untrained["fd"], "floor": floor, "d_loss": history["d_loss"], "g_loss": history["g_loss"],
        "step_losses": history["step_losses"], "seconds": history["seconds"], "steps": history["steps"],
        "device": history["device"], "classifier_test_accuracy": clf.metrics["test_accuracy"],
        "parameters": {"G": sum(p.numel() for p in G.parameters()), "D": sum(p.numel() for p in D.parameters())},
    }


def _code() -> list:
    from dlref.gan import losses, models
    from dlref.lab.gan import metrics, train as gan_train

    return [losses, metrics, models, gan_train]


def cpu_result() -> Any:
    """The stored CPU-sized run (produced with ``DLREF_PROFILE=full``; a quick build loads it)."""
    from dlref.lab import results

    return results.run_or_load("gan-fashion-dcgan-cpu", run, CPU, profiles=("full",), code=_code())


def cuda_result() -> Any:
    """The stored full CUDA run; raises [`dlref.lab.results.ResultMissingError`][dlref.lab.results.ResultMissingError] until one has been made."""
    from dlref.lab import results

    return results.run_or_load("gan-fashion-dcgan-cuda", run, CUDA, profiles=("full",), devices=("cuda",), code=_code())
