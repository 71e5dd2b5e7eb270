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
# # Training a small ViT on Fashion-MNIST
#
# The [ViT page](../vit/) builds the pieces; here they train. Two parts:
#
# 1. A small ViT (patches of 7×7 pixels plus a [CLS] token, a few pre-norm blocks) trained with the
#    shared loop [`dlref.lab.train.fit`](../../api/lab/#dlref.lab.train.fit) during every build. In the `quick` profile it sees a
#    subset of the training set for a few epochs, and the numbers below say so.
# 2. The CNN-vs-ViT "small data" question as an experiment: the ViT against the LeNet-style CNN on
#    growing training subsets. That run is heavier, so it comes from the results store with its
#    provenance.

# %%
import torch
from torch import nn

import dlref
from dlref.lab import train
from dlref.lab.experiments.classifiers import cpu_threads, fashion_tensors, loader
from dlref.vit import ViT

quick = dlref.profile() == "quick"
n_train, n_test, epochs = (2000, 1000, 3) if quick else (60000, 10000, 10)
print(f"profile {dlref.profile()}, device {dlref.device()}: {n_train} training images, {epochs} epochs, "
      f"{n_test} test images, 1 seed")

# %%
with cpu_threads(1 if dlref.device().type == "cpu" else None):  # one thread is fastest on a busy 2-core CPU
    X, y = fashion_tensors(True, n_train, seed=0)
    Xt, yt = fashion_tensors(False, n_test, seed=0)
    gen = train.seed_everything(0)
    model = ViT(28, 7, 1, 10, dim=64, depth=4, heads=4)
    dl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=64, shuffle=True, generator=gen)
    metrics = train.fit(model, dl, optimizer=torch.optim.Adam(model.parameters(), lr=1e-3),
                        loss_fn=nn.functional.cross_entropy, epochs=epochs, val_loader=loader(Xt, yt, 500, shuffle=False),
                        log_every=8, progress=False)
print(f"{model.embed.proj.kernel_size[0]}×{model.embed.proj.kernel_size[0]} patches → {model.pos.shape[1] - 1} tokens + [CLS], "
      f"{len(model.blocks)} blocks, width {model.cls.shape[-1]}, {sum(p.numel() for p in model.parameters()):,} parameters")
for e, tl, va, ips in zip(metrics["epoch"], metrics["train_loss"], metrics["val_accuracy"], metrics["images_per_s"]):
    print(f"epoch {e}: training loss {tl:.3f}, test accuracy {va:.1%}, {ips:.0f} images/s")
print(f"(quick profile: {n_train} of 60000 training images, {epochs} epochs — a far shorter run than the recipe)"
      if quick else "")
assert metrics["train_loss"][-1] < metrics["train_loss"][0]

# %%
fig, ax = dlref.lab.figures.new(width=6, height=3.4)
steps, losses = zip(*metrics["step_loss"])
ax.plot(steps, losses)
ax.set_xlabel("optimizer step")
ax.set_ylabel("training loss, mean of 8 steps (nats)")
ax.set_title(f"small ViT, Fashion-MNIST ({n_train} training images, 1 seed)")
dlref.lab.figures.show(fig, "vit-quick-curve", "Training curve of the small ViT trained in this build.")

# %% [markdown]
# ## Small data: CNN against ViT (from the results store)
#
# Both models train with the same optimiser settings on random training subsets of growing size
# (smaller subsets get more epochs; the table lists both) and are tested on the whole test set. The
# experiment is [`dlref.lab.experiments.vit_fashion`](../../api/experiments/#dlref.lab.experiments.vit_fashion); it runs in the `full` profile and a
# quick build shows the stored result.

# %%
from dlref import models, vit
from dlref.lab import results
from dlref.lab.experiments import vit_fashion

res = results.run_or_load("vit-vs-cnn-fashion", vit_fashion.run, vit_fashion.Config(), code=[models, vit])
print(res.describe())
print(f"{'training images':>15} {'epochs':>6} {'CNN test acc.':>13} {'ViT test acc.':>13} {'CNN s':>6} {'ViT s':>6}")
cnn, vt = res.metrics["models"]["cnn"], res.metrics["models"]["vit"]
for a, b in zip(cnn["runs"], vt["runs"]):
    print(f"{a['n_train']:>15} {a['epochs']:>6} {a['test_accuracy']:>13.1%} {b['test_accuracy']:>13.1%} "
          f"{a['seconds']:>6.0f} {b['seconds']:>6.0f}")
print(f"parameters: CNN {cnn['parameters']:,}, ViT {vt['parameters']:,}; one seed each, CPU")

# %%
fig, ax = dlref.lab.figures.new(width=6, height=3.4)
for name, label in (("cnn", "LeNet-style CNN"), ("vit", "small ViT")):
    runs = res.metrics["models"][name]["runs"]
    ax.plot([r["n_train"] for r in runs], [r["test_accuracy"] for r in runs], marker="o", label=label)
ax.set_xscale("log")
ax.set_xlabel("training images (log scale)")
ax.set_ylabel("test accuracy (fraction)")
ax.set_title("Fashion-MNIST, stored result, one seed per point")
ax.legend()
dlref.lab.figures.show(fig, "vit-vs-cnn", "Test accuracy of the CNN and the ViT by training-set size (stored result).")
