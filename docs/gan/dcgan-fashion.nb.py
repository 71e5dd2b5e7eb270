# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # DCGAN on Fashion-MNIST
#
# A convolutional GAN trained on real data (Fashion-MNIST, 28×28 grey clothing), with the
# training loop every GAN page uses ([`dlref.lab.gan.train`](../../api/lab/#dlref.lab.gan.train)) and two measures of sample
# quality computed after every epoch:
#
# 1. a **Fréchet distance** (FD) between real and generated images in the feature space of a
#    Fashion-MNIST classifier trained by dlref — the idea behind FID, with a small LeNet instead
#    of Inception-v3, so the numbers compare only with each other; the FD of real images against
#    real images of the same count is the floor;
# 2. the classifier's **label distribution** over generated images: a generator that has
#    collapsed onto a few kinds of clothing shows it here.
#
# The training run is too heavy for every build, so it comes from the results store with its
# provenance. What the site shows is a **CPU-sized run** (a narrow DCGAN on a subset, minutes on a
# CPU); the full recipe is configured for CUDA, and the last section says whether it has been run.

# %%
import torch

import dlref
from dlref import check
from dlref.lab.experiments import gan_fashion
from dlref.lab.gan import metrics
from dlref.gan.models import DCGANDiscriminator, DCGANGenerator

print("device:", dlref.device(), "| profile:", dlref.profile())
cfg = gan_fashion.CPU
G = DCGANGenerator(cfg.z_dim, 1, 28, cfg.width)
D = DCGANDiscriminator(1, 28, cfg.width)
print(G)
print(D)
print(f"G: {sum(p.numel() for p in G.parameters()):,} weights, D: {sum(p.numel() for p in D.parameters()):,} weights")
z = torch.randn(4, cfg.z_dim)
print("G(z):", tuple(G(z).shape), " D(G(z)):", tuple(D(G(z)).shape))

# %% [markdown]
# ## The Fréchet distance, checked
#
# For feature means and covariances $(\mu_r, \Sigma_r)$ of real images and $(\mu_g, \Sigma_g)$ of
# generated ones,
# $\mathrm{FD} = \lVert\mu_r - \mu_g\rVert^2 + \operatorname{tr}\big(\Sigma_r + \Sigma_g - 2(\Sigma_r\Sigma_g)^{1/2}\big)$.
# `dlref.lab.gan.metrics.frechet_distance` evaluates the matrix square root through a symmetric
# eigendecomposition; here it is compared with SciPy's general `sqrtm` on random features of the
# classifier's width, and with the 1-D closed form $(\mu_1-\mu_2)^2 + (\sigma_1-\sigma_2)^2$.

# %%
import numpy as np
from scipy import linalg

g = torch.Generator().manual_seed(0)
fa = torch.randn(500, 84, generator=g, dtype=torch.float64)
fb = torch.randn(500, 84, generator=g, dtype=torch.float64) @ torch.randn(84, 84, generator=g, dtype=torch.float64) * 0.3 + 0.5
(mu_a, s_a), (mu_b, s_b) = metrics.gaussian_stats(fa), metrics.gaussian_stats(fb)
ours = metrics.frechet_distance(mu_a, s_a, mu_b, s_b)
root = linalg.sqrtm(s_a.numpy() @ s_b.numpy()).real
scipy_fd = float(((mu_a - mu_b) ** 2).sum()) + float(np.trace(s_a.numpy() + s_b.numpy() - 2 * root))
check.compare("FD (eigh) vs SciPy sqrtm", torch.tensor(ours), torch.tensor(scipy_fd), tol=1e-8, method="scipy.linalg.sqrtm")
one = metrics.frechet_distance(torch.tensor([1.0]), torch.tensor([[4.0]]), torch.tensor([-1.0]), torch.tensor([[9.0]]))
_ = check.compare("FD of N(1, 2²), N(−1, 3²)", torch.tensor(one), torch.tensor((1 - -1) ** 2 + (2 - 3) ** 2.0), method="closed form")

# %% [markdown]
# ## The stored run
#
# Non-saturating loss, Adam for both players, one discriminator step per generator step (the
# settings are printed below). After each epoch, samples from fixed noise are scored against the
# test images.

# %%
res = gan_fashion.cpu_result()
print(res.describe())
m, c = res.metrics, res.config
print(f"loss {c['loss']}, width {c['width']}, {c['n_train']:,} training images, batch {c['batch_size']}, "
      f"Adam lr {c['lr']:g}, β₁ {c['beta1']}, {c['epochs']} epochs = {m['steps']} discriminator steps, "
      f"on {m['device']}; one seed")
print(f"each epoch: {c['eval_samples']:,} generated images vs the 10,000 test images")
print(f"feature classifier: LeNet, test accuracy {m['classifier_test_accuracy']:.1%}")
print(f"G {m['parameters']['G']:,} weights, D {m['parameters']['D']:,} weights\n")
print(f"{'epoch':>5} {'FD':>9} {'classes covered':>16} {'label entropy':>14} {'seconds':>8}")
print(f"{'0':>5} {m['fd_untrained']:>9.2f} {'(untrained G)':>16}")
for e, fd, cov, ent, sec in zip(m["epoch"], m["fd"], m["classes_covered"], m["label_entropy"], m["seconds"]):
    print(f"{e:>5} {fd:>9.2f} {cov:>13}/10 {ent:>14.3f} {sec:>8.0f}")
fl = m["floor"]
print(f"{'real':>5} {fl['fd']:>9.2f} {fl['classes_covered']:>13}/10 {fl['label_entropy']:>14.3f}   (floor: real vs real)")
print(f"\nlog 10 = {np.log(10):.3f} is the entropy of a perfectly even label distribution")

# %%
fig, ax = dlref.lab.figures.new(width=6, height=3.4)
ax.plot(m["epoch"], m["fd"], "o-", label="generated vs test")
ax.axhline(fl["fd"], color="gray", linestyle=":", label="real vs test (floor)")
ax.set_yscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel("Fréchet distance (LeNet features)")
ax.set_title("Sample quality over training (CPU-sized run, one seed)")
ax.legend()
dlref.lab.figures.show(fig, "dcgan-fd", "Fréchet distance (LeNet features) of generated vs test images per epoch, with the real-vs-real floor.")

# %% [markdown]
# The distance falls epoch by epoch but stays far above the real-vs-real floor: in the
# classifier's feature space this narrow, briefly trained generator is still far from the data.
# Its label distribution is another matter — every class appears from the first epoch on, and
# the label entropy approaches that of real images — so what is missing is fidelity, not
# coverage. The bar chart at the end shows which classes are over- and under-produced.

# %%
fig, ax = dlref.lab.figures.new(width=6, height=3.4)
steps = [s for s, _, _ in m["step_losses"]]
ax.plot(steps, [d for _, d, _ in m["step_losses"]], label="discriminator: −L (BCE)")
ax.plot(steps, [gl for _, _, gl in m["step_losses"]], label="generator: −log D(G(z))")
ax.set_xlabel("discriminator step")
ax.set_ylabel("loss (mean over 20 steps, nats)")
ax.set_title("Loss curves")
ax.legend()
dlref.lab.figures.show(fig, "dcgan-losses", "Discriminator and generator losses (20-step means).")

# %% [markdown]
# The losses do not fall together the way a classifier's does: each player's loss is the other's
# progress. What says whether the generator improves is the FD above, not these curves.
#
# ## Samples over training
#
# The same 64 noise vectors after each epoch (grids saved by the training loop).

# %%
import matplotlib.image as mpimg

epochs = m["epoch"]
show = sorted({epochs[0], epochs[len(epochs) // 2], epochs[-1]})
fig, axes = dlref.lab.figures.new(ncols=len(show), width=2.5 * len(show), height=2.7)  # about 30 px a 28-px sample: native size, a lighter page
for ax, e in zip(axes, show):
    ax.imshow(mpimg.imread(res.path(f"samples_epoch{e:03d}.png")))
    ax.set_title(f"after epoch {e}")
    ax.axis("off")
dlref.lab.figures.show(fig, "dcgan-samples", "Samples from the same 64 noise vectors after selected epochs.")

# %% [markdown]
# ## Mode coverage: the classifier's labels on generated images

# %%
names = ["T-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "boot"]
fig, ax = dlref.lab.figures.new(width=6.4, height=3.2)
x = np.arange(10)
ax.bar(x - 0.2, fl["label_share"], width=0.4, label="real training images", color="gray")
ax.bar(x + 0.2, m["label_share"][-1], width=0.4, label=f"generated, epoch {epochs[-1]}")
ax.set_xticks(x, names, rotation=45, fontsize=8)
ax.set_ylabel("share of predicted labels")
ax.legend(fontsize=8)
ax.set_title("Which classes the generator produces")
dlref.lab.figures.show(fig, "dcgan-labels", "Share of each predicted class among generated images vs real training images.")

# %% [markdown]
# ## The full run on CUDA
#
# The full recipe — a wider DCGAN on all training images for more epochs, with mixed precision —
# runs only on CUDA. Its stored result appears here once it has been produced with
# `DLREF_PROFILE=full` on a GPU machine.

# %%
from dlref.lab.results import ResultMissingError

print("full recipe:", gan_fashion.CUDA)
try:
    full = gan_fashion.cuda_result()
    print(full.describe())
    print("FD per epoch:", [round(v, 2) for v in full.metrics["fd"]], "| floor", round(full.metrics["floor"]["fd"], 2))
except ResultMissingError:
    print("The full CUDA run has not been made yet: no stored result under results/gan-fashion-dcgan-cuda/. "
          "Everything above is the CPU-sized run.")

# %% [markdown]
# ## The same run from the command line
#
# `dlref gan train` builds the same networks and calls the same loop; `--fd` adds the per-epoch
# Fréchet distance and label coverage, `--resume` continues an interrupted run from its last
# checkpoint, and `--dry-run` trains three steps on a small subset as a smoke test:
#
# ```
# dlref gan train --dataset fashion-mnist --loss non-saturating --width 32 --n-train 25600 \
#     --epochs 6 --fd --out runs/dcgan-fashion
# dlref gan train ... --out runs/dcgan-fashion --resume      # after an interruption
# dlref gan train --dataset fashion-mnist --dry-run           # smoke test
# ```
