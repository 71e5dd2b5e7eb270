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
# # Training the MLP with its hand-written gradients
#
# The [derivation page](../mlp/) checks $\nabla_{\mathbf V}, \nabla_{\mathbf b_2}, \nabla_{\mathbf W},
# \nabla_{\mathbf b_1}$ against autograd at one point. This walkthrough uses them for what they
# are for: training. Two claims, both measured below:
#
# 1. SGD driven by `MLP.gradients` follows **the same trajectory** as `torch.optim.SGD` driven by
#    autograd (float64, step by step), so the hand-written backward is a drop-in replacement.
# 2. On real data (Fashion-MNIST) the same code trains networks of several widths; that
#    experiment is heavier, so it comes from the results store with its provenance.

# %%
import torch

import dlref
from dlref import check
from dlref import functional
from dlref.lab.data import digits
from dlref.nn import MLP

print("device:", dlref.device(), "| profile:", dlref.profile())

# %% [markdown]
# ## Same trajectory as autograd + `torch.optim.SGD`
#
# The 8×8 digits (1 797 images, shipped with scikit-learn) are small enough to train on in full
# every build. Two copies of one network start from the same weights; one is updated with the
# hand-written gradients, the other with autograd and `torch.optim.SGD`.

# %%
X, y = digits()
X = X.double()
steps = 200 if dlref.profile() == "quick" else 1000
torch.manual_seed(0)
manual = MLP(64, 32, 10, dtype=torch.float64)
reference = MLP(64, 32, 10, dtype=torch.float64)
reference.load_state_dict(manual.state_dict())
opt = torch.optim.SGD(reference.parameters(), lr=0.5)

losses, accuracy = [], []
for step in range(steps):
    g = manual.gradients(X, y)
    with torch.no_grad():
        for name in ("W", "b1", "V", "b2"):
            getattr(manual, name).sub_(0.5 * g[name])  # θ ← θ − η ∇θ L
    opt.zero_grad()
    loss = functional.softmax_cross_entropy(reference(X), y)
    loss.backward()
    opt.step()
    losses.append(loss.item())
    accuracy.append((reference(X).argmax(1) == y).double().mean().item())

for name in ("W", "b1", "V", "b2"):
    check.compare(f"{name} after {steps} steps", getattr(manual, name), getattr(reference, name),
                  tol=1e-9, method="torch.optim.SGD")
print(f"training loss {losses[0]:.3f} -> {losses[-1]:.3f}; training accuracy {accuracy[-1]:.1%}")
assert losses[-1] < 0.5 * losses[0]

# %%
fig, ax = dlref.lab.figures.new(width=6, height=3.4)
ax.plot(losses, label="cross-entropy")
ax.set_xlabel("full-batch SGD step")
ax.set_ylabel("training loss (nats)")
ax2 = ax.twinx()
ax2.plot(accuracy, color="tab:orange", label="accuracy")
ax2.set_ylabel("training accuracy")
ax.set_title("8×8 digits, 64–32–10 MLP, hand-written gradients")
dlref.lab.figures.show(fig, "mlp-digits-training", "Training loss and accuracy of SGD driven by MLP.gradients (identical to torch.optim.SGD).")

# %% [markdown]
# ## Width on Fashion-MNIST (from the results store)
#
# Widths 16, 64 and 256, five epochs of minibatch SGD on all 60 000 training images, each
# trained only with `MLP.gradients`. This runs in the `full` profile; a quick build shows the
# stored result and says where and when it was produced. The experiment's code is
# [`dlref.lab.experiments.mlp_fashion`](../../api/experiments/#dlref.lab.experiments.mlp_fashion); editing it (or its configuration) makes the
# next full build re-run it.

# %%
from dlref.lab import results
from dlref.lab.experiments import mlp_fashion

res = results.run_or_load("mlp-fashion-width", mlp_fashion.run, mlp_fashion.Config(), code=[MLP, functional])
print(res.describe())
for K, acc in zip(res.metrics["widths"], res.metrics["test_accuracy"]):
    print(f"K = {K:>3}: test accuracy {acc:.2%} (one seed)")

# %%
fig, ax = dlref.lab.figures.new(width=6, height=3.4)
for K, curve in zip(res.metrics["widths"], res.metrics["train_loss"]):
    ax.plot(range(1, len(curve) + 1), curve, marker="o", label=f"K = {K}")
ax.set_xlabel("epoch")
ax.set_ylabel("mean training loss (nats)")
ax.set_title("Fashion-MNIST, one-hidden-layer MLP (stored result, one seed)")
ax.legend()
dlref.lab.figures.show(fig, "mlp-fashion-width", "Training-loss curves by hidden width (stored result, one seed each).")
