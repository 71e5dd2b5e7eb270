"""Time to accuracy on the 2-core CPU: a VGG-style BN CNN in bf16, one-cycle SGD, all of Fashion-MNIST (stored result)."""
from dlref.lab import figures, results
from dlref.lab.experiments import fashion_fast

cfg = fashion_fast.Config()
res = results.run_or_load("fashion-fast-cnn", fashion_fast.run, cfg)
print(res.describe())
m = res.metrics
print(f"CNN with {cfg.convs_per_stage} convs per stage, widths {cfg.widths}, {m['parameters']:,} parameters; "
      f"all 60000 training images, {cfg.epochs} epochs, batch {cfg.batch_size}, one-cycle SGD (max lr {cfg.max_lr}), "
      f"label smoothing {cfg.label_smoothing}, flips and shifts of up to {cfg.crop_pad} px; "
      f"autocast {m['runs'][0]['amp_dtype'] or 'off (float32)'} on a CPU with {m['cpu_capability']} kernels; "
      f"{m['n_seeds']} seeds; {m['threads']} CPU threads\n")
target, budget_s = 0.94, 600
for r in m["runs"]:
    reached = {}
    for level in (0.90, 0.92, 0.93, target):
        hit = [t for a, t in zip(r["test_accuracy"], r["train_seconds_cumulative"]) if a >= level]
        reached[level] = f"{hit[0] / 60:.1f} min" if hit else "not reached"
    print(f"seed {r['seed']}: final test accuracy {r['test_accuracy'][-1]:.2%} after "
          f"{r['train_seconds_cumulative'][-1] / 60:.1f} min of training ({r['wall_seconds'] / 60:.1f} min wall time "
          f"with the evaluations); time to " + ", ".join(f"{k:.0%}: {v}" for k, v in reached.items()))
mean = m["mean_final_test_accuracy"]
slowest = max(r["train_seconds_cumulative"][-1] for r in m["runs"])
print(f"\nmean final test accuracy over {m['n_seeds']} seeds: {mean:.2%} "
      f"({'meets' if mean >= target else 'misses'} the {target:.0%} target; "
      f"training time {'within' if slowest <= budget_s else 'over'} the {budget_s / 60:.0f}-minute budget)")

fig, ax = figures.new(width=6, height=3.4)
for r in m["runs"]:
    ax.plot([t / 60 for t in r["train_seconds_cumulative"]], r["test_accuracy"], marker=".", label=f"seed {r['seed']}")
ax.axhline(target, color="grey", ls=":", lw=1)
ax.axvline(budget_s / 60, color="grey", ls=":", lw=1)
ax.set_xlabel("training time on the 2-core CPU (minutes)")
ax.set_ylabel("test accuracy (fraction)")
ax.legend()
figures.show(fig, "fast-cnn-time-to-accuracy", "Test accuracy against training time for the fast CNN on all of "
             "Fashion-MNIST; dotted lines mark the accuracy target and the time budget. Stored result.")
