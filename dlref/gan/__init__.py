"""Generative adversarial networks: models, losses, one training loop, sample-quality metrics.

* [`dlref.gan.models`][dlref.gan.models] — MLP and DCGAN generators and discriminators.
* [`dlref.gan.losses`][dlref.gan.losses] — minimax, non-saturating, Wasserstein + gradient penalty, hinge.
* [`dlref.gan.train`][dlref.gan.train] — the training loop every GAN page, experiment and ``dlref gan train`` use.
* [`dlref.gan.metrics`][dlref.gan.metrics] — Fréchet distance in a classifier's feature space, label coverage.
* [`dlref.gan.toy`][dlref.gan.toy] — the ring of Gaussians and its mode-coverage count.

Submodules are imported on use; ``import dlref.gan`` imports nothing heavy.
"""
