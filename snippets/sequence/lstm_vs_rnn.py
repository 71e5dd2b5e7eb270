"""LSTM vs tanh RNN on the remember-the-first-sign task: test accuracy against the distance to remember."""
from dlref.lab import figures, results
from dlref.lab.experiments import long_range as lr

cfg = lr.Config()
res = results.run_or_load("lstm-vs-rnn", lr.run, cfg)  # profiles=("full",): a quick build loads it
print(res.describe())
m = res.metrics
print(f"width {cfg.hidden}, {cfg.steps} Adam steps (lr {cfg.lr}, batch {cfg.batch}, clip {cfg.clip}), "
      f"LSTM forget bias {cfg.forget_bias}, distractor std {cfg.distractor_std}; {cfg.seeds} seeds; "
      f"test on {cfg.n_test} fresh sequences; chance 0.5")
print("   T    RNN accuracy (per seed)         LSTM accuracy (per seed)")
for j, T in enumerate(m["lengths"]):
    r, l = m["rnn"]["accuracy"][j], m["lstm"]["accuracy"][j]
    print(f"{T:4d}    {sum(r) / len(r):.3f}  ({', '.join(f'{a:.2f}' for a in r)})"
          f"      {sum(l) / len(l):.3f}  ({', '.join(f'{a:.2f}' for a in l)})")

solved = {k: [sum(a > 0.9 for a in accs) for accs in m[k]["accuracy"]] for k in ("rnn", "lstm")}
print("\nseeds solved (test accuracy > 0.9), RNN vs LSTM: " + ", ".join(
    f"T = {T}: {r} vs {l}" for T, r, l in zip(m["lengths"], solved["rnn"], solved["lstm"])))
longest_lstm = max((T for T, n in zip(m["lengths"], solved["lstm"]) if n == cfg.seeds), default=None)
longest_rnn = max((T for T, n in zip(m["lengths"], solved["rnn"]) if n == cfg.seeds), default=None)
print(f"longest T solved by every seed: LSTM {longest_lstm}, RNN {longest_rnn}; beyond that, with this budget, "
      f"neither model learns reliably")
assert longest_lstm is not None and (longest_rnn is None or longest_lstm > longest_rnn)  # what the page says
assert solved["rnn"][-1] < cfg.seeds and solved["lstm"][-1] < cfg.seeds

fig, (ax1, ax2) = figures.new(ncols=2, width=10, height=3.6)
for kind, marker in (("rnn", "o"), ("lstm", "s")):
    acc = [sum(a) / len(a) for a in m[kind]["accuracy"]]
    ax1.plot(m["lengths"], acc, marker=marker, label=kind.upper())
ax1.axhline(0.5, color="grey", ls=":", lw=0.8)
ax1.set(xscale="log", xlabel="sequence length T (steps to remember)", ylabel="test accuracy", ylim=(0.4, 1.02))
ax1.legend()
steps = [m["record_every"] * (i + 1) for i in range(len(m["rnn"]["curve_mean"][0]))]
j = len(m["lengths"]) - 2  # the second-longest length
for kind in ("rnn", "lstm"):
    ax2.plot(steps, m[kind]["curve_mean"][j], label=kind.upper())
ax2.set(xlabel="training step", ylabel="training loss (mean over seeds)", title=f"T = {m['lengths'][j]}")
ax2.legend()
figures.show(fig, "lstm-vs-rnn", f"Test accuracy after training (mean of {cfg.seeds} seeds) and the training loss "
             f"at T = {m['lengths'][j]}.")
