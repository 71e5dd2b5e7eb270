"""The LeNet grid on Fashion-MNIST (stored result): test accuracy for batch size × epochs, and the curves."""
from dlref import figures, models, results
from dlref.experiments import classifiers

cfg = classifiers.LeNetGridConfig()
res = results.run_or_load("lenet-fashion-grid", classifiers.run_lenet_grid, cfg, code=[models])
print(res.describe())
m = res.metrics
print(f"Fashion-MNIST (NOT CIFAR-10): {cfg.n_train} of 60000 training images, all 10000 test images, "
      f"{m['n_seeds']} seed(s), SGD lr {cfg.lr} momentum {cfg.momentum}, {m['threads']} CPU thread(s)\n")
print(f"{'batch size':>10} {'epochs':>6} {'test accuracy':>13}")
for bs in cfg.batch_sizes:
    for ep in cfg.epochs:
        accs = m["grid"][f"bs{bs}_ep{ep}"]
        print(f"{bs:>10} {ep:>6} {sum(accs) / len(accs):>13.2%}")
for r in m["runs"]:
    print(f"batch size {r['batch_size']}: {max(cfg.epochs)} epochs took {r['seconds']:.0f} s "
          f"({sum(r['metrics']['images_per_s']) / len(r['metrics']['images_per_s']):.0f} training images/s)")
print("\nthe worked solution's CIFAR-10 accuracies (a different dataset, not comparable): "
      "58 % to 64 % across the same grid")

fig, (ax1, ax2) = figures.new(ncols=2, width=9.5, height=3.4)
for r in m["runs"]:
    bs = r["batch_size"]
    steps, losses = zip(*r["metrics"]["step_loss"])
    ax1.plot([s * bs / cfg.n_train for s in steps], losses, label=f"batch size {bs}", lw=1)
    ax2.plot(r["metrics"]["epoch"], r["metrics"]["val_accuracy"], marker=".", label=f"batch size {bs}")
ax1.set_xlabel("epoch")
ax1.set_ylabel("running training loss (nats)")
ax1.legend()
ax2.set_xlabel("epoch")
ax2.set_ylabel("test accuracy (fraction)")
for ep in cfg.epochs:
    ax2.axvline(ep, color="grey", lw=0.8, ls=":")
ax2.legend()
figures.show(fig, "lenet-grid-curves",
             "LeNet on a Fashion-MNIST subset: running training loss (mean over about 2000 images) and test accuracy "
             "after each epoch; dotted lines mark the grid's epoch counts. Stored result, one seed.")
