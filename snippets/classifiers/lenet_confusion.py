"""Confusion matrix and per-class accuracy of the best LeNet run (stored result)."""
import torch

from dlref import figures, models, results
from dlref.experiments import classifiers

res = results.run_or_load("lenet-fashion-grid", classifiers.run_lenet_grid, classifiers.LeNetGridConfig(),
                          code=[models])
best = max(res.metrics["runs"], key=lambda r: r["test_accuracy"])
cm = torch.tensor(best["confusion"])
print(f"batch size {best['batch_size']}, {best['metrics']['epoch'][-1]} epochs, seed {best['seed']}: "
      f"test accuracy {best['test_accuracy']:.2%} (Fashion-MNIST subset run, see above)")
assert cm.sum() == 10000 and abs(cm.diagonal().sum() / cm.sum() - best["test_accuracy"]) < 1e-6
for name, acc in sorted(zip(classifiers.CLASSES, best["per_class_accuracy"]), key=lambda t: t[1]):
    print(f"  {name:<12} {acc:6.1%}")
off = cm.clone().fill_diagonal_(0)
t, p = divmod(int(off.argmax()), 10)
print(f"most frequent confusion: {classifiers.CLASSES[t]} predicted as {classifiers.CLASSES[p]} ({int(off[t, p])} times)")

fig, ax = figures.new(width=6.2, height=5.2)
im = ax.imshow((cm / cm.sum(1, keepdim=True)).numpy(), cmap="Blues", vmin=0, vmax=1)
ax.set_xticks(range(10), classifiers.CLASSES, rotation=60, ha="right", fontsize=8)
ax.set_yticks(range(10), classifiers.CLASSES, fontsize=8)
ax.set_xlabel("predicted class")
ax.set_ylabel("true class")
fig.colorbar(im, ax=ax, label="fraction of the true class")
figures.show(fig, "lenet-confusion", "Confusion matrix of the best LeNet run on the Fashion-MNIST test set, rows "
             "normalised: shirts, pullovers, coats and T-shirts are confused with one another.")
