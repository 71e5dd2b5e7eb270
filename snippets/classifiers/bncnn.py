"""The BN CNN recipe on Fashion-MNIST (stored result): accuracy, per-class accuracy, training curves."""
import statistics

from dlref import conv_arithmetic, models
from dlref.lab import figures, results
from dlref.conv_arithmetic import Conv, Pool
from dlref.lab.experiments import classifiers

blocks = [layer for w in (64, 128, 256, 512) for layer in (Conv(w, 3, padding=1), Pool(2))]
for C, side in ((3, 32), (1, 28)):
    print(f"{C}×{side}×{side} input → features {conv_arithmetic.analyze(blocks, (C, side, side))[-1].shape} before the FC layers")

cfg = classifiers.BNCNNConfig()
res = results.run_or_load("bncnn-fashion", classifiers.run_bncnn, cfg, code=[models])
print(res.describe())
m = res.metrics
print(f"Fashion-MNIST (NOT CIFAR-10): {m['n_train']} of 60000 training images, {cfg.epochs} epochs, "
      f"batch size {cfg.batch_size}, Adam lr {cfg.lr}, weight decay {cfg.weight_decay}, autocast "
      f"{m['amp_dtype'] or 'off (float32)'}, {m['n_seeds']} seeds, {m['threads']} CPU thread(s); "
      f"{m['parameters']:,} parameters")
for r in m["runs"]:
    ips = statistics.mean(r["metrics"]["images_per_s"])
    print(f"seed {r['seed']}: test accuracy {r['test_accuracy']:.2%} on all 10000 test images; "
          f"training took {r['seconds'] / 60:.1f} min ({ips:.0f} images/s)")
accs = [r["test_accuracy"] for r in m["runs"]]
sd = statistics.stdev(accs) if len(accs) > 1 else 0.0
print(f"mean over {m['n_seeds']} seeds: {m['mean_test_accuracy']:.2%} ± {sd:.2%}")
per_class = [statistics.mean(r["per_class_accuracy"][k] for r in m["runs"]) for k in range(len(classifiers.CLASSES))]
print("per-class test accuracy (mean over seeds): " + ", ".join(
    f"{name} {a:.1%}" for name, a in sorted(zip(classifiers.CLASSES, per_class), key=lambda t: t[1])))
print("the worked solution's CIFAR-10 accuracy for this recipe (a different dataset, not comparable): 81.46 %")

fig, (ax1, ax2) = figures.new(ncols=2, width=9.5, height=3.4)
for r in m["runs"]:
    steps, losses = zip(*r["metrics"]["step_loss"])
    ax1.plot([s * cfg.batch_size / m["n_train"] for s in steps], losses, lw=0.8, label=f"seed {r['seed']}")
    ax2.plot(r["metrics"]["epoch"], r["metrics"]["val_accuracy"], marker=".", lw=0.8, label=f"seed {r['seed']}")
ax1.set_xlabel("epoch")
ax1.set_ylabel("running training loss (nats)")
ax1.legend()
ax2.set_xlabel("epoch")
ax2.set_ylabel("test accuracy (fraction)")
ax2.legend()
figures.show(fig, "bncnn-curve", "BN CNN on all of Fashion-MNIST: running training loss (a fifth of an epoch per "
             "point) and test accuracy after each epoch, one line per seed. Stored result.")
