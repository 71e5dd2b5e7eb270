"""The ESL weight-decay experiment: error curves for several decays, then test error against hidden units."""
from dlref.lab import figures, results
from dlref.lab.experiments import esl_weight_decay as esl

cfg = esl.Config()
res = results.run_or_load("esl-weight-decay", esl.run, cfg)  # profiles=("full",): a quick build loads it
print(res.describe())
m = res.metrics
print(f"Y = σ(a₁ᵀX) + (a₂ᵀX)² + {cfg.noise}·Z with a₁ = {cfg.a1}, a₂ = {cfg.a2}; hidden units 1 … {max(cfg.hidden_sweep)}")
print(f"{cfg.seeds} seeds (each its own training set of {cfg.n_train}, test set of {cfg.n_test} and initialisation); "
      f"noise variance (Bayes error) {m['bayes_error']:.2f}, variance of Y {m['test_variance_of_Y']:.0f}")

print(f"\nK = {cfg.hidden} hidden units, {cfg.epochs} epochs of full-batch Adam (lr {cfg.lr}); mean squared errors:")
print("      λ     train (end)   test (end) ± s.e.m.   best test (epoch)")
for lam, c in m["curves"].items():
    best = min(range(len(c["test_mean"])), key=c["test_mean"].__getitem__)
    print(f"{float(lam):7.0e}   {c['train_mean'][-1]:11.3f}   {c['test_mean'][-1]:8.2f} ± {c['test_final_sem']:5.2f}"
          f"   {c['test_mean'][best]:8.2f} ({m['epochs'][best]})")

fig, ax = figures.new(width=6.4, height=4.0)
for i, (lam, c) in enumerate(m["curves"].items()):
    ax.semilogy(m["epochs"], c["test_mean"], color=f"C{i}", label=f"λ = {float(lam):g}")
    ax.semilogy(m["epochs"], c["train_mean"], color=f"C{i}", ls="--")
ax.axhline(m["bayes_error"], color="k", lw=0.8, ls=":")
ax.set(xlabel="epoch (one full-batch step)", ylabel="mean squared error", ylim=(0.03, 2e3))
ax.legend(fontsize=8, title="solid: test, dashed: train", title_fontsize=8)
figures.show(fig, "esl-error-curves", f"Training (dashed) and test (solid) error, K = {cfg.hidden}, mean of "
             f"{cfg.seeds} seeds; dotted: the noise variance.")

Ks = list(cfg.hidden_sweep)
fig, ax = figures.new(width=6.4, height=4.0)
print("\ntest error after training, mean ± s.e.m. (median) over seeds:")
print("  K  " + "".join(f"{'λ = ' + format(float(lam), 'g'):>24}" for lam in m["sweep"]))
for j, K in enumerate(Ks):
    print(f"{K:3d}  " + "".join(f"{s['mean'][j]:10.2f} ± {s['sem'][j]:5.2f} ({s['median'][j]:5.1f})" for s in m["sweep"].values()))
for i, (lam, s) in enumerate(m["sweep"].items()):
    ax.errorbar([K + 0.08 * (i - 1) for K in Ks], s["mean"], yerr=s["sem"], marker="o", ms=3, capsize=2,
                label=f"λ = {float(lam):g}")
ax.set(yscale="log", xlabel="hidden units K", ylabel="test mean squared error", xticks=Ks)
ax.legend(fontsize=8)
figures.show(fig, "esl-hidden-units", f"Test error after {cfg.epochs} epochs against the number of hidden units; "
             f"error bars: one standard error over {cfg.seeds} seeds.")

# The recommendation, read off the numbers: the best (K, λ), then the smallest K within one s.e.m. of it.
cells = [(s["mean"][j], s["sem"][j], Ks[j], float(lam)) for lam, s in m["sweep"].items() for j in range(len(Ks))]
best_mean, best_sem, best_K, best_lam = min(cells)
ok = [c for c in cells if c[0] <= best_mean + best_sem]
pick_K = min(c[2] for c in ok)
pick = min(c for c in ok if c[2] == pick_K)
print(f"\nLowest mean test error: K = {best_K}, λ = {best_lam:g} ({best_mean:.2f} ± {best_sem:.2f}). "
      f"The smallest network within one standard error of it has K = {pick_K} hidden units (λ = {pick[3]:g}, "
      f"{pick[0]:.2f} ± {pick[1]:.2f}); larger K do not improve significantly, so pick K = {pick_K}. "
      f"Weight decay λ = {pick[3]:g} is the best of the decays tried at that size.")
if pick[3] == min(cfg.sweep_decays):
    print(f"Why no decay: the noise variance {m['bayes_error']:.2f} is tiny against the signal variance "
          f"{m['test_variance_of_Y']:.0f}, so the test error is mostly approximation error (the quadratic term needs "
          f"large weights), and shrinking the weights costs more than the variance it removes.")
else:
    print("Why decay: at that size the penalty removes more variance than the bias it adds.")
