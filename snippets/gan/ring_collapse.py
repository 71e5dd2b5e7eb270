"""Mode collapse on a ring of eight Gaussians: four GAN variants, modes covered over training (stored result)."""
from dlref.lab import figures
from dlref.lab.experiments import gan_ring

res = gan_ring.collapse_result()
print(res.describe())
m, cfg = res.metrics, res.config
seeds, epochs = len(cfg["seeds"]), cfg["epochs"]
steps_per_epoch = m["runs"][m["labels"][0]]["steps"] // epochs
print(f"{seeds} seeds per variant, {epochs} epochs of {steps_per_epoch} discriminator steps; "
      f"2 000 samples scored after each epoch; a mode is covered when ≥ 10 % of its fair share lands within 3σ")
print(f"data: 8 Gaussians, σ = {cfg['std']}, on a circle of radius 2; G and D: MLPs with two hidden layers of "
      f"{cfg['hidden']}; {cfg['samples_per_step']} real and {cfg['samples_per_step']} generated samples per step")
for v in cfg["variants"]:
    print(f"  {v['label']:<28} loss {v['loss']:<15} Adam lr {v['lr']:g}, β₂ {v['beta2']}; "
          f"{v['n_critic']} D step(s) per G step" + (f"; λ = {v['gp_weight']:g}" if v["loss"] == "wgan-gp" else "")
          + (f"; D judges {v['pack']} samples at once" if v["pack"] > 1 else ""))
print(f"\n{'variant':<28} {'modes at end':>12} {'fewest modes, 2nd half':>23} {'high quality at end':>20}")
for label in m["labels"]:
    r = m["runs"][label]
    end = [modes[-1] for modes in r["modes"]]
    low = [min(modes[epochs // 2:]) for modes in r["modes"]]
    hq = sum(q[-1] for q in r["high_quality"]) / seeds
    print(f"{label:<28} {str(end):>12} {str(low):>23} {hq:>19.0%}")

snaps = [str(e) for e in cfg["snapshot_epochs"]]
fig, axes = figures.new(ncols=len(snaps), nrows=len(m["labels"]), width=1.7 * len(snaps), height=1.8 * len(m["labels"]))
data = list(zip(*m["data"]))
for i, label in enumerate(m["labels"]):
    for j, e in enumerate(snaps):
        ax = axes[i][j]
        ax.scatter(*data, s=1, color="lightgray", rasterized=True)
        pts = list(zip(*m["runs"][label]["snapshots"][e]))
        ax.scatter(*pts, s=1, color="tab:blue", rasterized=True)
        ax.set_xlim(-2.6, 2.6)
        ax.set_ylim(-2.6, 2.6)
        ax.set_xticks([])
        ax.set_yticks([])
        if i == 0:
            ax.set_title(f"epoch {e}", fontsize=9)
        if j == 0:
            ax.set_ylabel(label, fontsize=7)
figures.show(fig, "gan-ring-snapshots", "Samples (blue) over the data (grey) after selected epochs, first seed, one row per variant.")

fig, ax = figures.new(width=6.4, height=3.6)
for k, label in enumerate(m["labels"]):
    color = f"C{k}"
    for s, modes in enumerate(m["runs"][label]["modes"]):
        ax.plot(range(1, epochs + 1), modes, color=color, alpha=0.9, lw=1.5, ls="-" if s == 0 else "--",
                label=label if s == 0 else None)
ax.set_xlabel(f"epoch ({steps_per_epoch} discriminator steps each)")
ax.set_ylabel("modes covered (of 8)")
ax.set_ylim(-0.3, 8.5)
ax.legend(fontsize=7, loc="lower right")
ax.set_title("Modes covered during training (solid: seed 0, dashed: seed 1)")
figures.show(fig, "gan-ring-modes", "Modes of the ring covered by 2 000 samples after each epoch, per variant and seed.")
