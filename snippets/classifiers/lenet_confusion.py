"""Confusion matrix and per-class accuracy of LeNet after 20 epochs, summed over seeds (stored result)."""
import statistics

import torch

from dlref import models
from dlref.lab import figures, results
from dlref.lab.experiments import classifiers

cfg = classifiers.LeNetGridConfig()
res = results.run_or_load("lenet-fashion-grid", classifiers.run_lenet_grid, cfg, code=[models])
runs = res.metrics["runs"]
bs = max(cfg.batch_sizes, key=lambda b: statistics.mean(r["test_accuracy"] for r in runs if r["batch_size"] == b))
chosen = [r for r in runs if r["batch_size"] == bs]
cm = sum(torch.tensor(r["confusion"]) for r in chosen)
acc = float(cm.diagonal().sum() / cm.sum())
print(f"batch size {bs}, {max(cfg.epochs)} epochs: the {len(chosen)} seeds' confusion matrices summed "
      f"({int(cm.sum())} test predictions), accuracy {acc:.2%}")
assert cm.sum() == 10000 * len(chosen)
assert abs(acc - statistics.mean(r["test_accuracy"] for r in chosen)) < 1e-6
per_class = cm.diagonal() / cm.sum(1)
for name, a in sorted(zip(classifiers.CLASSES, per_class.tolist()), key=lambda t: t[1]):
    print(f"  {name:<12} {a:6.1%}")
off = cm.clone().fill_diagonal_(0)
top = off.flatten().argsort(descending=True)[:3]
pairs = [(classifiers.CLASSES[int(k) // 10], classifiers.CLASSES[int(k) % 10], int(off.flatten()[k])) for k in top]
print("most frequent confusions: " + "; ".join(f"{t} predicted as {p} ({c} times)" for t, p, c in pairs))

fig, ax = figures.new(width=6.2, height=5.2)
im = ax.imshow((cm / cm.sum(1, keepdim=True)).numpy(), cmap="Blues", vmin=0, vmax=1)
ax.set_xticks(range(10), classifiers.CLASSES, rotation=60, ha="right", fontsize=8)
ax.set_yticks(range(10), classifiers.CLASSES, fontsize=8)
ax.set_xlabel("predicted class")
ax.set_ylabel("true class")
fig.colorbar(im, ax=ax, label="fraction of the true class")
figures.show(fig, "lenet-confusion", f"Confusion matrix of LeNet (batch size {bs}, {max(cfg.epochs)} epochs, "
             f"{len(chosen)} seeds summed) on the Fashion-MNIST test set, rows normalised. The most frequent "
             f"confusion: {pairs[0][0]} predicted as {pairs[0][1]}.")
