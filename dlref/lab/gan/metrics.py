"""Sample quality for GANs on Fashion-MNIST: a Fréchet distance in a classifier's feature space, and mode coverage.

The Fréchet distance between two Gaussians N(μ₁, Σ₁) and N(μ₂, Σ₂) is

    FD = ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2 (Σ₁ Σ₂)^{1/2}),

the squared 2-Wasserstein distance between them (Dowson & Landau 1982). The FID of Heusel et
al. 2017 applies it to Inception-v3 features of natural images; Fashion-MNIST is grey 28×28
clothing, so here the features are the penultimate layer of a small classifier trained by dlref
([`dlref.models.LeNet`][dlref.models.LeNet], about 62 000 weights, trained with [`dlref.lab.train.fit()`][dlref.lab.train.fit]). The
numbers are therefore *not* comparable with published FIDs — only with each other. The
classifier's predicted labels on generated images give a second measure: the label
distribution, whose spread says how many clothing classes the generator covers.

See the site page *Generative adversarial networks → Walkthrough: DCGAN on Fashion-MNIST*
(gan/dcgan-fashion.nb.py), where the score tracks training.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from dlref import validate

Tensor = torch.Tensor


def gaussian_stats(features: Tensor) -> tuple[Tensor, Tensor]:
    """Mean μ and covariance Σ = (1/(N − 1)) Σ_n (f_n − μ)(f_n − μ)ᵀ of feature rows, in float64.

    Shape:
        ``features`` ``(N, E)`` with ``N ≥ 2`` → ``μ`` ``(E,)``, ``Σ`` ``(E, E)``.

    Examples:
        >>> mu, sigma = gaussian_stats(torch.tensor([[0.0, 1.0], [2.0, 3.0]]))
        >>> mu.tolist(), sigma.tolist()
        ([1.0, 2.0], [[2.0, 2.0], [2.0, 2.0]])
    """
    if not isinstance(features, Tensor) or not features.is_floating_point():
        raise TypeError(f"features must be a floating-point tensor (N, E); got "
                        f"{type(features).__name__ if not isinstance(features, Tensor) else features.dtype}")
    if features.ndim != 2 or features.shape[0] < 2:
        raise ValueError(f"features must have shape (N, E) with N ≥ 2; got {tuple(features.shape)}")
    f = features.double()
    mu = f.mean(0)
    centred = f - mu  # (N, E)
    return mu, centred.T @ centred / (f.shape[0] - 1)  # (E, N)(N, E) → (E, E)


def _sqrt_psd(A: Tensor) -> Tensor:
    w, V = torch.linalg.eigh((A + A.T) / 2)
    return (V * w.clamp_min(0).sqrt()) @ V.T  # V diag(√w) Vᵀ


def frechet_distance(mu1: Tensor, sigma1: Tensor, mu2: Tensor, sigma2: Tensor) -> float:
    """FD = ‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2 tr (Σ₁Σ₂)^{1/2}, computed in float64.

    ``tr (Σ₁Σ₂)^{1/2}`` is evaluated as ``tr (Σ₁^{1/2} Σ₂ Σ₁^{1/2})^{1/2}`` — the same eigenvalues,
    but a symmetric positive semi-definite matrix, so the square root is an eigendecomposition
    instead of a general (possibly complex) matrix square root.

    Args:
        mu1: Mean ``(E,)`` of the first distribution.
        sigma1: Covariance ``(E, E)`` of the first, symmetric positive semi-definite.
        mu2: Mean ``(E,)`` of the second distribution.
        sigma2: Covariance ``(E, E)`` of the second, symmetric positive semi-definite.

    Returns:
        The distance (≥ 0 up to round-off).

    Raises:
        ValueError: Shapes that do not match.

    Examples:
        >>> one = torch.ones(1, 1)
        >>> frechet_distance(torch.zeros(1), one, torch.tensor([3.0]), 4 * one)  # (0 − 3)² + (1 − 2)²
        10.0
    """
    validate.tensor("mu1", mu1, ndim=1)
    validate.tensor("sigma1", sigma1)
    validate.tensor("mu2", mu2)
    validate.tensor("sigma2", sigma2)
    E = mu1.shape[0] if mu1.ndim == 1 else -1
    for name, t, shape in (("mu1", mu1, (E,)), ("mu2", mu2, (E,)), ("sigma1", sigma1, (E, E)), ("sigma2", sigma2, (E, E))):
        if tuple(t.shape) != shape:
            raise ValueError(f"frechet_distance: {name} must have shape {shape} (E from mu1); got {tuple(t.shape)}")
    mu1, mu2, sigma1, sigma2 = (t.double() for t in (mu1, mu2, sigma1, sigma2))
    root1 = _sqrt_psd(sigma1)
    cross = _sqrt_psd(root1 @ sigma2 @ root1)  # (E, E)(E, E)(E, E) → (E, E)
    value = (mu1 - mu2).square().sum() + sigma1.trace() + sigma2.trace() - 2 * cross.trace()
    return float(value)


def penultimate(model: nn.Module, x: Tensor) -> Tensor:
    """Features of a ``features`` + ``classifier`` network (LeNet, BNCNN) before its last linear layer.

    Shape:
        ``x`` ``(B, C, H_in, W_in)`` → ``(B, E)``.
    """
    if not (hasattr(model, "features") and isinstance(getattr(model, "classifier", None), nn.Sequential)):
        raise TypeError(f"penultimate needs a model with .features and a Sequential .classifier; got {type(model).__name__}")
    validate.tensor("x", x, ndim=4)
    return model.classifier[:-1](model.features(x))


@torch.no_grad()
def embed(model: nn.Module, images: Tensor, batch_size: int = 1000) -> tuple[Tensor, Tensor]:
    """Penultimate features and predicted labels of ``images`` (eval mode, in batches, on the model's device).

    Shape:
        ``images`` ``(N, C, H_in, W_in)`` → features ``(N, E)`` float32 and labels ``(N,)`` int64, on the CPU.
    """
    validate.instance("model", model, nn.Module, what="a torch.nn.Module")
    validate.tensor("images", images, ndim=4, nonempty=True)
    validate.positive_int("batch_size", batch_size)
    dev = next(model.parameters()).device
    was_training = model.training
    model.eval()
    feats, labels = [], []
    for start in range(0, len(images), batch_size):
        x = images[start:start + batch_size].to(dev).float()
        f = penultimate(model, x)
        feats.append(f.float().cpu())
        labels.append(model.classifier[-1](f).argmax(1).cpu())
    model.train(was_training)
    return torch.cat(feats), torch.cat(labels)


def label_coverage(labels: Tensor, num_classes: int = 10, min_share: float = 0.1) -> dict[str, Any]:
    """The distribution of predicted labels and how many classes it covers.

    A class is covered when it receives at least ``min_share`` of its fair share ``1/num_classes``.

    Returns:
        ``{"label_share": [fraction per class], "classes_covered": int, "label_entropy": nats}``
        (the entropy is at most ``log num_classes``).

    Examples:
        >>> label_coverage(torch.tensor([0, 0, 1, 1]), num_classes=4)["classes_covered"]
        2
    """
    validate.tensor("labels", labels)
    validate.positive_int("num_classes", num_classes)
    validate.probability("min_share", min_share)
    if labels.ndim != 1 or labels.numel() == 0 or labels.is_floating_point():
        raise ValueError(f"labels must be a non-empty 1-D integer tensor; got {labels.dtype} {tuple(labels.shape)}")
    validate.class_indices("labels", labels, num_classes)
    share = torch.bincount(labels, minlength=num_classes).double() / labels.numel()
    entropy = -(share[share > 0] * share[share > 0].log()).sum().item()
    return {"label_share": share.tolist(), "classes_covered": int((share >= min_share / num_classes).sum()),
            "label_entropy": entropy}


# --------------------------------------------------------------------------- the feature classifier


@dataclass(frozen=True)
class ClassifierConfig:
    """The feature classifier's recipe: LeNet on Fashion-MNIST scaled to [−1, 1] (the GAN's range)."""

    epochs: int = 2
    batch_size: int = 128
    lr: float = 2e-3
    seed: int = 0

    def __post_init__(self) -> None:
        validate.positive_int("ClassifierConfig.epochs", self.epochs)
        validate.positive_int("ClassifierConfig.batch_size", self.batch_size)
        validate.real("ClassifierConfig.lr", self.lr, low=0.0, low_open=True)
        validate.positive_int("ClassifierConfig.seed", self.seed, minimum=0)


def fashion_images(train: bool) -> tuple[Tensor, Tensor]:
    """Fashion-MNIST as ``(N, 1, 28, 28)`` float32 in [−1, 1] and int64 labels (the GAN's input range)."""
    from dlref.lab.data import fashion_mnist

    validate.boolean("train", train)
    ds = fashion_mnist(train=train)
    x = ds.data.unsqueeze(1).float() / 127.5 - 1  # (N, 28, 28) uint8 → (N, 1, 28, 28) in [−1, 1]
    return x, ds.targets.long()


def train_classifier(cfg: ClassifierConfig, out_dir: Path) -> dict[str, Any]:
    """Train LeNet with [`dlref.lab.train.fit()`][dlref.lab.train.fit] on CPU; save ``classifier.pt`` (≈ 250 kB) into ``out_dir``."""
    from dlref.models import LeNet
    from dlref.lab.train import evaluate, fit, seed_everything

    validate.instance("cfg", cfg, ClassifierConfig)
    validate.path("out_dir", out_dir)
    g = seed_everything(cfg.seed)
    x, y = fashion_images(True)
    xt, yt = fashion_images(False)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=cfg.batch_size,
                                         shuffle=True, generator=g)
    model = LeNet(1, image_size=28)
    fit(model, loader, optimizer=torch.optim.Adam(model.parameters(), lr=cfg.lr),
        loss_fn=nn.functional.cross_entropy, epochs=cfg.epochs, device="cpu", progress=False)
    test = evaluate(model, [(xt, yt)], nn.functional.cross_entropy, device="cpu")
    torch.save(model.state_dict(), out_dir / "classifier.pt")
    return {"test_accuracy": test["accuracy"], "parameters": sum(p.numel() for p in model.parameters())}


def load_classifier(device: torch.device | str = "cpu") -> tuple[nn.Module, Any]:
    """The trained feature classifier from the results store (trained there on first use, about a minute on CPU).

    Returns:
        ``(model, result)``: the LeNet in eval mode on ``device`` and its [`dlref.lab.results.Result`][dlref.lab.results.Result].
    """
    from dlref.lab import results
    from dlref.models import LeNet

    validate.device("device", device)
    res = results.run_or_load("gan-fashion-classifier", train_classifier, ClassifierConfig(), profiles=("quick", "full"),
                              code=[LeNet])
    model = LeNet(1, image_size=28)
    model.load_state_dict(torch.load(res.path("classifier.pt"), map_location="cpu", weights_only=True))
    return model.to(device).eval(), res


class FrechetEvaluator:
    """Scores generated Fashion-MNIST images: FD to the test set's features, and label coverage.

    Args:
        classifier: The feature network (see [`load_classifier()`][dlref.lab.gan.metrics.load_classifier]).
        reference: Real images ``(N, 1, 28, 28)`` in [−1, 1] whose feature statistics are the target.
        n_samples: Generated images scored per call (use the same number for the real-vs-real floor).
        z_dim: The generator's noise dimension.
        seed: Seed of the evaluation noise (the same noise at every epoch).

    Examples:
        >>> evaluator = FrechetEvaluator(load_classifier()[0], fashion_images(False)[0])  # doctest: +SKIP
        >>> history = train(G, D, data, cfg, evaluate=evaluator)  # doctest: +SKIP
    """

    def __init__(self, classifier: nn.Module, reference: Tensor, n_samples: int = 5000, z_dim: int = 64,
                 seed: int = 12345) -> None:
        validate.instance("classifier", classifier, nn.Module, what="a torch.nn.Module")
        validate.tensor("reference", reference, ndim=4)
        validate.positive_int("n_samples", n_samples, minimum=2)
        validate.positive_int("z_dim", z_dim)
        validate.positive_int("seed", seed, minimum=0)
        if n_samples < 2:
            raise ValueError(f"n_samples must be ≥ 2; got {n_samples}")
        self.classifier, self.n_samples, self.z_dim, self.seed = classifier, n_samples, z_dim, seed
        self.mu, self.sigma = gaussian_stats(embed(classifier, reference)[0])

    def score_images(self, images: Tensor) -> dict[str, Any]:
        """FD and label coverage of a batch of images in [−1, 1]."""
        validate.tensor("images", images, ndim=4)
        validate.positive_int("the number of images", len(images), minimum=2)
        feats, labels = embed(self.classifier, images)
        fd = frechet_distance(*gaussian_stats(feats), self.mu, self.sigma)
        return {"fd": fd, **label_coverage(labels)}

    @torch.no_grad()
    def __call__(self, G: nn.Module, epoch: int | None = None) -> dict[str, Any]:
        validate.instance("G", G, nn.Module, what="a torch.nn.Module")
        validate.optional(validate.positive_int, "epoch", epoch, minimum=0)
        dev = next(G.parameters()).device
        z = torch.randn(self.n_samples, self.z_dim, generator=torch.Generator().manual_seed(self.seed))
        images = torch.cat([G(z[i:i + 1000].to(dev)).float().cpu() for i in range(0, self.n_samples, 1000)])
        return self.score_images(images)
