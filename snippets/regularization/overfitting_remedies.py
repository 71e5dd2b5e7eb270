"""A classifier at 100 % training accuracy: what more data, L2, a wider net and validation selection do to test accuracy."""
from dlref.lab import figures, results
from dlref.lab.experiments import overfitting as of

cfg = of.Config()
res = results.run_or_load("overfitting-remedies", of.run, cfg)  # profiles=("full",): a quick build loads it
print(res.describe())
m = res.metrics
print(f"labels flipped with probability {cfg.flip}: the best possible test accuracy is {m['bayes_accuracy']:.2f}; "
      f"base case n = {cfg.n_train}, width {cfg.width}, {cfg.epochs} full-batch Adam steps; "
      f"accuracies on {cfg.n_test} test points, mean ± s.e.m. over {cfg.seeds} seeds")


def row(label, r):
    return f"{label:>10}   {r['train']['mean']:.3f}    {r['test']['mean']:.3f} ± {r['test']['sem']:.3f}"


print("\n1. more training data           2. L2 penalty λ                3. wider network")
print("         n   train    test             λ   train    test          width   train    test")
for a, b, c in zip(m["more_data"], m["l2"] + [None] * 9, m["wider"] + [None] * 9):
    print("   ".join(x for x in (row(a["n"], a),
                                 row(f"{b['lambda']:g}", b) if b else " " * 28,
                                 row(c["width"], c) if c else "") if x))
v = m["validation"]
print(f"\n4. choosing among {len(cfg.decays)} decays × {cfg.epochs // cfg.record_every + 1} checkpoints "
      f"({v['n_val']} of the {cfg.n_train} examples held out):")
print(f"   by training accuracy (it reaches {v['train_acc_of_train_choice']['mean']:.3f}): "
      f"test {v['selected_by_train']['mean']:.3f} ± {v['selected_by_train']['sem']:.3f}")
print(f"   by validation accuracy:                   test {v['selected_by_val']['mean']:.3f} ± {v['selected_by_val']['sem']:.3f}")

base = next(r for r in m["more_data"] if r["n"] == cfg.n_train)["test"]["mean"]
best_l2 = max(m["l2"], key=lambda r: r["test"]["mean"])
widest = m["wider"][-1]
best_width = max(m["wider"], key=lambda r: r["test"]["mean"])
print(f"\nAgainst the base case ({base:.3f}): the largest n reaches {m['more_data'][-1]['test']['mean']:.3f}; "
      f"the best λ = {best_l2['lambda']:g} reaches {best_l2['test']['mean']:.3f}; "
      f"width {widest['width']} reaches {widest['test']['mean']:.3f} (the best width is {best_width['width']}, "
      f"{best_width['test']['mean']:.3f}); validation selection reaches {v['selected_by_val']['mean']:.3f}.")

fig, axes = figures.new(ncols=3, width=11, height=3.3, sharey=True)
for ax, key, x, xlabel in ((axes[0], "more_data", "n", "training examples n"), (axes[1], "l2", "lambda", "L2 penalty λ"),
                           (axes[2], "wider", "width", "hidden units per layer")):
    xs = [r[x] if r[x] else 1e-5 for r in m[key]]  # λ = 0 drawn at the left edge of the log axis
    for split, marker in (("train", "--"), ("test", "o-")):
        ax.errorbar(xs, [r[split]["mean"] for r in m[key]], yerr=[r[split]["sem"] for r in m[key]], fmt=marker,
                    ms=4, capsize=2, label=split)
    ax.axhline(m["bayes_accuracy"], color="grey", ls=":", lw=0.8)
    ax.set(xscale="log", xlabel=xlabel)
axes[0].set_ylabel("accuracy")
axes[0].legend()
figures.show(fig, "overfitting-remedies", f"Training and test accuracy for three remedies (mean ± s.e.m., "
             f"{cfg.seeds} seeds); dotted: the best possible test accuracy. λ = 0 is drawn at 1e-5.")

# The page's reading of these numbers, asserted so that a re-run that changes them fails the build.
assert m["more_data"][-1]["test"]["mean"] > base + 0.05
assert best_l2["test"]["mean"] > base and m["l2"][-1]["test"]["mean"] < best_l2["test"]["mean"]
assert abs(widest["test"]["mean"] - base) < 3 * widest["test"]["sem"] and best_width["width"] < cfg.width
assert v["selected_by_val"]["mean"] > v["selected_by_train"]["mean"]
