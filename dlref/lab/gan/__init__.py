"""The GAN side of the lab: the training loop, sample-quality metrics and ``dlref gan``.

* [`dlref.lab.gan.train`][dlref.lab.gan.train] — the training loop every GAN page, experiment and ``dlref gan train`` use.
* [`dlref.lab.gan.metrics`][dlref.lab.gan.metrics] — Fréchet distance in a classifier's feature space, label coverage.
* [`dlref.lab.gan.cli`][dlref.lab.gan.cli] — ``dlref gan train``.

The models and losses they train are reference code: [`dlref.gan`][dlref.gan].
"""
