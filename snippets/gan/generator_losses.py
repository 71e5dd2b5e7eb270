"""Saturating vs non-saturating generator loss: the gradient at D's logit as a function of D(G(z))."""
import torch

from dlref import check
from dlref.lab import figures
from dlref.gan.losses import minimax_g_loss, nonsaturating_g_loss

p = torch.linspace(0.001, 0.999, 999, dtype=torch.float64)  # D(G(z))
a = torch.log(p) - torch.log1p(-p)  # the logit with σ(a) = p

# Autograd through dlref's losses (mean over the batch, so multiply by B for per-sample values).
B = len(a)
sat = check.autograd_gradients(lambda a: minimax_g_loss(a), {"a": a})["a"] * B
nonsat = check.autograd_gradients(lambda a: nonsaturating_g_loss(a), {"a": a})["a"] * B
check.compare("∂/∂a log(1 − σ(a))", -p, sat)  # = −D(G(z))
check.compare("∂/∂a −log σ(a)", -(1 - p), nonsat)  # = −(1 − D(G(z)))

print("\n D(G(z))   |saturating|   |non-saturating|   ratio")
for q in (0.001, 0.01, 0.1, 0.5, 0.9):
    i = int((p - q).abs().argmin())
    print(f"  {p[i]:.3f}      {sat[i].abs():.3f}          {nonsat[i].abs():.3f}          {(nonsat[i] / sat[i]).item():7.1f}")
i = int((p - 0.01).abs().argmin())
print(f"When D rejects the fakes (D(G(z)) = {p[i]:.2f}), the non-saturating gradient is "
      f"{(nonsat[i] / sat[i]).item():.0f}× larger.")
assert (nonsat.abs() > sat.abs())[p < 0.5].all()

fig, ax = figures.new(width=6.0, height=3.6)
ax.plot(p, sat.abs(), label="saturating: min log(1 − D(G(z)))", color="tab:red")
ax.plot(p, nonsat.abs(), label="non-saturating: min −log D(G(z))", color="tab:blue")
ax.set_yscale("log")
ax.set_xlabel("D(G(z))  (0 = confidently fake)")
ax.set_ylabel("|∂ loss / ∂ logit| per sample")
ax.axvspan(0, 0.1, color="gray", alpha=0.15)
ax.text(0.02, 2e-3, "early training", fontsize=8)
ax.legend(fontsize=8, loc="lower right")
ax.set_title("Same fixed point, very different early gradients")
figures.show(fig, "gan-generator-losses", "Per-sample gradient magnitude at the discriminator's logit for the two generator losses.")
