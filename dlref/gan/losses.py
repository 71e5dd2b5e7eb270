"""GAN losses on discriminator logits: minimax, non-saturating, Wasserstein (+ gradient penalty), hinge.

Every loss here is something an optimizer *minimises*, written on the discriminator's raw output
``a`` (a logit for the first two, a critic score for the last two), never on ``σ(a)``, so that
``log σ(a) = −softplus(−a)`` and ``log(1 − σ(a)) = −softplus(a)`` stay finite for any logit.

=================  ==========================================  ====================================
name               discriminator / critic minimises             generator minimises
=================  ==========================================  ====================================
``minimax``        −mean log σ(a_real) − mean log(1 − σ(a_fake))   mean log(1 − σ(a_fake))  (saturating)
``non-saturating`` same as minimax                              −mean log σ(a_fake)
``wgan-gp``        mean a_fake − mean a_real + λ·GP             −mean a_fake
``hinge``          mean relu(1 − a_real) + mean relu(1 + a_fake)   −mean a_fake
=================  ==========================================  ====================================

References: the site page *Generative adversarial networks → The GAN objective and its gradients*
(gan/objective.md) for the minimax game and its gradients;
Goodfellow et al. 2014 (non-saturating loss); Gulrajani et al. 2017 (gradient penalty);
Lim & Ye 2017 / Miyato et al. 2018 (hinge loss).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F

from dlref import validate

Tensor = torch.Tensor


def _check_scores(name: str, **scores: Tensor) -> None:
    for key, a in scores.items():
        if not isinstance(a, Tensor):
            raise TypeError(f"{name}: {key} must be a tensor of discriminator outputs; got {type(a).__name__}")
        if not a.is_floating_point():
            raise TypeError(f"{name}: {key} must be floating point; got {a.dtype}")
        if a.ndim not in (1, 2) or (a.ndim == 2 and a.shape[1] != 1) or a.numel() == 0:
            raise ValueError(f"{name}: {key} must have shape (B,) or (B, 1) with B ≥ 1; got {tuple(a.shape)}")


def minimax_d_loss(real: Tensor, fake: Tensor) -> Tensor:
    """The discriminator's loss −L = −mean log σ(a_real) − mean log(1 − σ(a_fake)) (binary cross-entropy).

    Args:
        real: Discriminator logits on real samples.
        fake: Discriminator logits on generated samples.

    Shape:
        ``real`` ``(B,)`` or ``(B, 1)``; ``fake`` likewise (batch sizes may differ). Returns a scalar.

    Returns:
        ``softplus(−real).mean() + softplus(fake).mean()``; its gradient is ``−(1 − σ(a))/B`` at a
        real logit and ``σ(a)/B`` at a fake one.

    Examples:
        >>> z = torch.zeros(3)
        >>> round(minimax_d_loss(z, z).item(), 4)  # 2 log 2 = log 4 when D ≡ 1/2
        1.3863
    """
    _check_scores("minimax_d_loss", real=real, fake=fake)
    return F.softplus(-real).mean() + F.softplus(fake).mean()


def minimax_g_loss(fake: Tensor) -> Tensor:
    """The generator's saturating loss mean log(1 − σ(a_fake)) = −mean softplus(a_fake).

    Its gradient at a fake logit is ``−σ(a)/B = −D(G(z))/B``: it vanishes when D confidently
    rejects the fakes (D(G(z)) → 0), which is early in training.

    Shape:
        ``fake`` ``(B,)`` or ``(B, 1)``. Returns a scalar.

    Examples:
        >>> round(minimax_g_loss(torch.zeros(2)).item(), 4)  # log(1/2)
        -0.6931
    """
    _check_scores("minimax_g_loss", fake=fake)
    return -F.softplus(fake).mean()


def nonsaturating_g_loss(fake: Tensor) -> Tensor:
    """The generator's non-saturating loss −mean log σ(a_fake) = mean softplus(−a_fake).

    Its gradient at a fake logit is ``−(1 − D(G(z)))/B``: largest exactly when D rejects the fakes.

    Shape:
        ``fake`` ``(B,)`` or ``(B, 1)``. Returns a scalar.

    Examples:
        >>> round(nonsaturating_g_loss(torch.zeros(2)).item(), 4)  # −log(1/2)
        0.6931
    """
    _check_scores("nonsaturating_g_loss", fake=fake)
    return F.softplus(-fake).mean()


def wasserstein_d_loss(real: Tensor, fake: Tensor) -> Tensor:
    """The critic's loss mean a_fake − mean a_real (minus the Kantorovich–Rubinstein estimate).

    Add [`gradient_penalty()`][dlref.gan.losses.gradient_penalty] to keep the critic close to 1-Lipschitz.

    Shape:
        ``real`` ``(B,)`` or ``(B, 1)``; ``fake`` likewise. Returns a scalar.

    Examples:
        >>> wasserstein_d_loss(torch.tensor([2.0, 4.0]), torch.tensor([1.0])).item()
        -2.0
    """
    _check_scores("wasserstein_d_loss", real=real, fake=fake)
    return fake.mean() - real.mean()


def wasserstein_g_loss(fake: Tensor) -> Tensor:
    """The generator's Wasserstein (and hinge) loss −mean a_fake.

    Shape:
        ``fake`` ``(B,)`` or ``(B, 1)``. Returns a scalar.

    Examples:
        >>> wasserstein_g_loss(torch.tensor([1.0, 3.0])).item()
        -2.0
    """
    _check_scores("wasserstein_g_loss", fake=fake)
    return -fake.mean()


def hinge_d_loss(real: Tensor, fake: Tensor) -> Tensor:
    """The hinge discriminator loss mean relu(1 − a_real) + mean relu(1 + a_fake).

    Samples already beyond the margin (a_real ≥ 1, a_fake ≤ −1) contribute no gradient.

    Shape:
        ``real`` ``(B,)`` or ``(B, 1)``; ``fake`` likewise. Returns a scalar.

    Examples:
        >>> hinge_d_loss(torch.tensor([2.0, 0.0]), torch.tensor([-3.0, 0.5])).item()
        1.25
    """
    _check_scores("hinge_d_loss", real=real, fake=fake)
    return F.relu(1 - real).mean() + F.relu(1 + fake).mean()


def gradient_penalty(critic: Callable[[Tensor], Tensor], real: Tensor, fake: Tensor,
                     generator: torch.Generator | None = None) -> Tensor:
    """WGAN-GP penalty mean_i (‖∇_x̂ critic(x̂_i)‖₂ − 1)² at x̂_i = ε_i x_i + (1 − ε_i) x̃_i, ε_i ~ U(0, 1).

    Args:
        critic: Maps a batch of samples to scores ``(B,)`` or ``(B, 1)``.
        real: Real samples.
        fake: Generated samples (detached or not; the penalty differentiates through x̂ only).
        generator: Source of the interpolation weights ε (CPU generator, for reproducibility).

    Shape:
        ``real`` and ``fake``: ``(B, *)`` with equal shapes. Returns a scalar.

    Returns:
        The penalty, differentiable with respect to the critic's parameters (``create_graph``).

    Raises:
        TypeError: ``real``/``fake`` are not floating-point tensors.
        ValueError: Their shapes differ.

    Examples:
        >>> w = torch.tensor([3.0, 4.0])
        >>> gp = gradient_penalty(lambda x: x @ w, torch.randn(5, 2), torch.randn(5, 2))
        >>> gp.item()  # a linear critic has gradient norm ‖w‖ = 5 everywhere: (5 − 1)² = 16
        16.0
    """
    validate.callable_("critic", critic)
    validate.instance("generator", generator, torch.Generator, optional=True)
    for key, x in (("real", real), ("fake", fake)):
        if not isinstance(x, Tensor) or not x.is_floating_point():
            raise TypeError(f"gradient_penalty: {key} must be a floating-point tensor; got "
                            f"{type(x).__name__ if not isinstance(x, Tensor) else x.dtype}")
    if real.shape != fake.shape:
        raise ValueError(f"gradient_penalty: real and fake must have the same shape; got {tuple(real.shape)} and {tuple(fake.shape)}")
    shape = (real.shape[0],) + (1,) * (real.ndim - 1)  # one ε per sample, broadcast over the rest
    eps = torch.rand(shape, generator=generator, dtype=real.dtype).to(real.device)
    x_hat = (eps * real.detach() + (1 - eps) * fake.detach()).requires_grad_(True)
    scores = critic(x_hat)
    (grad,) = torch.autograd.grad(scores.sum(), x_hat, create_graph=True)
    norms = grad.reshape(grad.shape[0], -1).norm(dim=1)  # (B, *) → (B, D) → (B,)
    return ((norms - 1) ** 2).mean()


@dataclass(frozen=True)
class GANLoss:
    """A pair of losses for one GAN variant.

    Attributes:
        name: The registry name.
        d_loss: ``d_loss(real_scores, fake_scores)`` that D (or the critic) minimises.
        g_loss: ``g_loss(fake_scores)`` that G minimises.
        penalty: Whether the training loop adds [`gradient_penalty()`][dlref.gan.losses.gradient_penalty] to ``d_loss``.
    """

    name: str
    d_loss: Callable[[Tensor, Tensor], Tensor]
    g_loss: Callable[[Tensor], Tensor]
    penalty: bool = False

    def __post_init__(self) -> None:
        validate.instance("name", self.name, str)
        validate.callable_("d_loss", self.d_loss)
        validate.callable_("g_loss", self.g_loss)
        validate.boolean("penalty", self.penalty)


#: Name (as on the command line) → its pair of losses.
LOSSES: dict[str, GANLoss] = {
    "minimax": GANLoss("minimax", minimax_d_loss, minimax_g_loss),
    "non-saturating": GANLoss("non-saturating", minimax_d_loss, nonsaturating_g_loss),
    "wgan-gp": GANLoss("wgan-gp", wasserstein_d_loss, wasserstein_g_loss, penalty=True),
    "hinge": GANLoss("hinge", hinge_d_loss, wasserstein_g_loss),
}


def get_loss(name: str) -> GANLoss:
    """The [`GANLoss`][dlref.gan.losses.GANLoss] registered under ``name``.

    Raises:
        ValueError: ``name`` is not one of `LOSSES`.

    Examples:
        >>> get_loss("hinge").penalty
        False
    """
    validate.choice("name", name, LOSSES)
    if name not in LOSSES:
        raise ValueError(f"unknown GAN loss {name!r}; expected one of {sorted(LOSSES)}")
    return LOSSES[name]
