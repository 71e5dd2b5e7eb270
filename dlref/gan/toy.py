"""Toy data for GAN experiments: a ring of Gaussians in 2-D, and how many of its modes a sample covers.

The ring of ``k`` narrow Gaussians is the standard test for mode collapse (Metz et al. 2017,
"Unrolled GANs"; Srivastava et al. 2017, "VEEGAN"): a generator that collapses puts its
samples on a few of the modes. A sample is **high quality** when it lies within ``3σ`` of
some mode's centre; a mode is **covered** when it receives at least ``min_share`` of the
high-quality samples' expected share. See the site page *Generative adversarial
networks → GAN theory, executed* (gan/theory.md).
"""

from __future__ import annotations

import math

import torch

from dlref import validate

Tensor = torch.Tensor


def ring_centers(k: int = 8, radius: float = 2.0) -> Tensor:
    """The ``k`` mode centres ``radius·(cos 2πj/k, sin 2πj/k)``.

    Shape:
        Returns ``(k, 2)``.

    Examples:
        >>> ring_centers(4, 1.0).round(decimals=6).tolist()
        [[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [-0.0, -1.0]]
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive int; got {k!r}")
    validate.real("radius", radius, low=0.0, low_open=True)
    if not radius > 0:
        raise ValueError(f"radius must be positive; got {radius!r}")
    angle = 2 * math.pi * torch.arange(k, dtype=torch.float64) / k
    return (radius * torch.stack([angle.cos(), angle.sin()], 1)).float()  # (k, 2)


def ring_of_gaussians(n: int, k: int = 8, radius: float = 2.0, std: float = 0.02,
                      generator: torch.Generator | None = None) -> Tensor:
    """``n`` samples from an equal-weight mixture of ``k`` isotropic Gaussians on a circle.

    Shape:
        Returns ``(n, 2)`` float32.

    Examples:
        >>> x = ring_of_gaussians(1000, generator=torch.Generator().manual_seed(0))
        >>> x.shape, round(x.norm(dim=1).mean().item(), 1)
        (torch.Size([1000, 2]), 2.0)
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive int; got {n!r}")
    validate.real("std", std, low=0.0, low_open=True)
    validate.instance("generator", generator, torch.Generator, optional=True)
    if not std > 0:
        raise ValueError(f"std must be positive; got {std!r}")
    centers = ring_centers(k, radius)
    which = torch.randint(k, (n,), generator=generator)
    return centers[which] + std * torch.randn(n, 2, generator=generator)  # (n, 2)


def mode_coverage(samples: Tensor, centers: Tensor, std: float, min_share: float = 0.1) -> dict[str, float]:
    """How many modes a sample covers and how much of it is high quality.

    Args:
        samples: Generated points.
        centers: Mode centres.
        std: The modes' standard deviation σ (a sample within 3σ of a centre is high quality).
        min_share: A mode is covered when it holds at least ``min_share / k`` of all samples
            (i.e. ``min_share`` of its fair share).

    Shape:
        ``samples`` ``(n, 2)``, ``centers`` ``(k, 2)``.

    Returns:
        ``{"modes": covered count, "high_quality": fraction within 3σ of a centre}``.

    Raises:
        ValueError: Shapes that are not ``(n, d)`` and ``(k, d)`` with equal ``d``.

    Examples:
        >>> c = ring_centers(4, 1.0)
        >>> mode_coverage(c[[0, 0, 1, 1]], c, std=0.01)
        {'modes': 2, 'high_quality': 1.0}
    """
    validate.tensor("samples", samples, nonempty=True)
    validate.tensor("centers", centers, nonempty=True)
    validate.real("std", std, low=0.0, low_open=True)
    validate.probability("min_share", min_share)
    if samples.ndim != 2 or centers.ndim != 2 or samples.shape[1] != centers.shape[1]:
        raise ValueError(f"samples (n, d) and centers (k, d) must share d; got {tuple(samples.shape)} and {tuple(centers.shape)}")
    dist = torch.cdist(samples.float(), centers.float())  # (n, k)
    nearest, which = dist.min(dim=1)
    good = nearest < 3 * std
    counts = torch.bincount(which[good], minlength=len(centers))
    covered = int((counts >= min_share * len(samples) / len(centers)).sum())
    return {"modes": covered, "high_quality": good.float().mean().item()}
