"""The BN CNN recipe on Fashion-MNIST (stored result): accuracy, per-class accuracy, training curve."""
from dlref import conv, figures, models, results
from dlref.conv import Conv, Pool
from dlref.experiments import classifiers

blocks = [layer for w in (64, 128, 256, 512) for layer in (Conv(w, 3, padding=1), Pool(2))]
for C, side in ((3, 32), (1, 28)):
    print(f"{C}×{side}×{side} input → features {conv.analyze(blocks, (C, side, side))[-1].shape} before the FC layers")

cfg = classifiers.BNCNNConfig()
res = results.run_or_load("bncnn-fashion", classifiers.run_bncnn, cfg, code=[models])
print(res.describe())
m = res.metrics
print(f"Fashion-MNIST (NOT CIFAR-10): {cfg.n_train} of 60000 training images, {cfg.epochs} epochs (the recipe says 10), "
      f"batch size {cfg.batch_size}, Adam lr {cfg.lr}, weight decay {cfg.weight_decay}, {m['n_seeds']} seed(s), "
      f"{m['threads']} CPU thread(s); {m['parameters']:,} parameters")
for r in m["runs"]:
    ips = sum(r["metrics"]["images_per_s"]) / len(r["metrics"]["images_per_s"])
    print(f"seed {r['seed']}: test accuracy {r['test_accuracy']:.2%} on all 10000 test images; "
          f"training took {r['seconds']:.0f} s ({ips:.0f} images/s)")
print(f"mean over {m['n_seeds']} seed(s): {m['mean_test_accuracy']:.2%}")
worst = min(zip(classifiers.CLASSES, m["runs"][0]["per_class_accuracy"]), key=lambda t: t[1])
print(f"hardest class: {worst[0]} ({worst[1]:.1%})")

fig, ax = figures.new(width=6, height=3.4)
for r in m["runs"]:
    steps, losses = zip(*r["metrics"]["step_loss"])
    ax.plot([s * cfg.batch_size / cfg.n_train for s in steps], losses, label=f"seed {r['seed']}")
ax.set_xlabel("epoch")
ax.set_ylabel("running training loss (nats)")
ax.legend()
figures.show(fig, "bncnn-curve", "BN CNN on a Fashion-MNIST subset: running training loss (mean of 5 steps). "
             "Stored result.")
