"""Generative adversarial networks: models and losses (the loop that trains them is in the lab).

* [`dlref.gan.models`][dlref.gan.models] — MLP and DCGAN generators and discriminators.
* [`dlref.gan.losses`][dlref.gan.losses] — minimax, non-saturating, Wasserstein + gradient penalty, hinge.
* [`dlref.lab.gan.train`][dlref.lab.gan.train] — the training loop every GAN page, experiment and ``dlref gan train`` use.
* [`dlref.lab.gan.metrics`][dlref.lab.gan.metrics] — Fréchet distance in a classifier's feature space, label coverage.
* [`dlref.gan.toy`][dlref.gan.toy] — the ring of Gaussians and its mode-coverage count.

Submodules are imported on use; ``import dlref.gan`` imports nothing heavy.
"""
