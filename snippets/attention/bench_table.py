"""Time and memory of forward + backward against L: the stored CPU run of dlref/lab/benchmarks/attention.py."""
from dlref import attention
from dlref.lab import benchmarks, figures, results

bench = benchmarks.load("attention")  # dlref/lab/benchmarks/attention.py

res = results.run_or_load("attention-bench-cpu", bench.run, bench.Config(), profiles=("full",), devices=("cpu",),
                          code=[attention])
print(res.describe())
cfg, rows = res.config, res.metrics["rows"]
rounds = [r["rounds"] for r in rows if r["ms"] is not None]
print(f"B = {cfg['batch']}, H = {cfg['heads']}, E/H = {cfg['head_dim']}, {cfg['dtype']}, {res.metrics['threads']} CPU "
      f"thread, time = {res.metrics['clock']}, median of {min(rounds)}–{max(rounds)} interleaved rounds\n")
print(bench.table(rows))

by = {(r["L"], r["impl"]): r for r in rows}
lengths = cfg["lengths"]
print("\nfused (dlref) against torch sdpa, target: within 5 %")
for L in lengths:
    plain = by[L, "fused (dlref)"]["ms"] / by[L, "torch sdpa"]["ms"]
    paired = by[L, "fused (dlref)"]["paired_ratio"]
    verdict = "met" if abs(plain - 1) <= 0.05 and abs(paired - 1) <= 0.05 else "MISSED"
    print(f"  L = {L:>5}: ratio of medians {plain:.3f}, paired ratio {paired:.3f} -> {verdict}")

step = [(L, by[L, "step-by-step"]["saved_mb"]) for L in lengths if by[L, "step-by-step"]["saved_mb"] is not None]
growth = [b / a for (_, a), (_, b) in zip(step, step[1:])]
print(f"\nstep-by-step saved memory grows by {min(growth):.2f}–{max(growth):.2f}× per doubling of L (L² would be 4×); "
      f"fused: {by[lengths[-1], 'fused (dlref)']['saved_mb'] / by[lengths[-2], 'fused (dlref)']['saved_mb']:.2f}× (L would be 2×)")
assert all(3.9 < g < 4.1 for g in growth[1:])

fig, (ax1, ax2) = figures.new(ncols=2, width=8.5, height=3.6)
styles = {"step-by-step": "o-", "fused (dlref)": "s-", "torch sdpa": "x--"}
for impl, style in styles.items():
    pts = [(r["L"], r["ms"], r["saved_mb"]) for r in rows if r["impl"] == impl and r["ms"] is not None]
    Ls, ms, mb = zip(*pts)
    ax1.loglog(Ls, ms, style, base=2, label=impl)
    ax2.loglog(Ls, mb, style, base=2, label=impl)
L0, m0 = step[0]
ax2.loglog(lengths, [m0 * (L / L0) ** 2 for L in lengths], ":", color="gray", base=2, label="∝ L²")
ax1.set_xlabel("sequence length L = S")
ax1.set_ylabel("forward + backward time (ms)")
ax2.set_xlabel("sequence length L = S")
ax2.set_ylabel("memory saved for backward (MiB)")
ax1.legend()
ax2.legend()
fig.suptitle(f"Attention cost on {res.metrics['device']} ({res.metrics['threads']} thread), stored run of {res.provenance['date']}")
figures.show(fig, "attention-cost", "Time and activation memory of forward + backward against L; the step-by-step path "
             "keeps (L, S) weights for backward, the fused kernels keep O(L).")
