"""Generative adversarial networks (CONTENT.md §10): models, losses, one training loop, sample-quality metrics.

* :mod:`dlref.gan.models` — MLP and DCGAN generators and discriminators.
* :mod:`dlref.gan.losses` — minimax, non-saturating, Wasserstein + gradient penalty, hinge.
* :mod:`dlref.gan.train` — the training loop every GAN page, experiment and ``dlref gan train`` use.
* :mod:`dlref.gan.metrics` — Fréchet distance in a classifier's feature space, label coverage.
* :mod:`dlref.gan.toy` — the ring of Gaussians and its mode-coverage count.

Submodules are imported on use; ``import dlref.gan`` imports nothing heavy.
"""
