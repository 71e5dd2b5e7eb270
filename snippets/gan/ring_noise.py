"""A new noise distribution at every step (seed 001 §4.3): trained generators scored on N(0, I) and on random noise."""
from dlref.lab import figures
from dlref.lab.experiments import gan_ring

res = gan_ring.noise_result()
print(res.describe())
m, cfg = res.metrics, res.config
print(f"{len(cfg['ring']['seeds'])} seeds each; each generator is scored on N(0, I) and on "
      f"{cfg['test_draws']} noise distributions drawn like the training ones\n")
print(f"{'trained with':<34} {'seed':>4}  {'scored on':<16} {'modes (of 8)':>13} {'high quality':>13}")
for label in m["labels"]:
    for seed, r in zip(cfg["ring"]["seeds"], m["runs"][label]):
        modes_r = [e["modes"] for e in r["on_random"]]
        hq_r = [e["high_quality"] for e in r["on_random"]]
        print(f"{label:<34} {seed:>4}  {'N(0, I)':<16} {r['on_normal']['modes']:>13} {r['on_normal']['high_quality']:>13.0%}")
        print(f"{'':<34} {'':>4}  {'random (mean)':<16} {sum(modes_r) / len(modes_r):>13.1f} {sum(hq_r) / len(hq_r):>13.0%}")
        print(f"{'':<34} {'':>4}  {'random (worst)':<16} {min(modes_r):>13} {min(hq_r):>13.0%}")

fig, axes = figures.new(ncols=2, nrows=len(m["labels"]), width=5.0, height=2.5 * len(m["labels"]))
for i, label in enumerate(m["labels"]):
    for j, kind in enumerate(("normal", "uniform")):
        ax = axes[i][j]
        pts = list(zip(*m["runs"][label][0]["samples"][kind]))
        ax.scatter(*pts, s=1, color="tab:blue", rasterized=True)
        ax.set_xlim(-3, 3)
        ax.set_ylim(-3, 3)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"sampled with {'N(0, I)' if kind == 'normal' else 'U(−√3, √3)²'}", fontsize=8)
        if j == 0:
            ax.set_ylabel(f"trained with\n{label}", fontsize=7)
figures.show(fig, "gan-ring-noise", "The same trained generators fed two different noise distributions (first seed).")
