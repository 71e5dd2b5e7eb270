"""Relative error of −log σ(a) (the y = 1 loss) computed naively and stably, float32 and float64."""
import decimal

import torch

from dlref.lab import figures
from dlref import functional

decimal.getcontext().prec = 60
a_values = [0.5 * k for k in range(1, 121)]  # a = 0.5 … 60: confident, correct predictions
exact = torch.tensor([float((1 + decimal.Decimal(-a).exp()).ln()) for a in a_values], dtype=torch.float64)

fig, ax = figures.new(width=6.4, height=3.8)
floor = 1e-17  # an error of exactly 0 is drawn here, on the log axis
for dtype, style in ((torch.float32, "-"), (torch.float64, "--")):
    a = torch.tensor(a_values, dtype=dtype)
    one = torch.ones_like(a)
    naive = -torch.log(1 / (1 + torch.exp(-a)))  # −log σ(a) from the definition
    stable = torch.stack([functional.binary_cross_entropy_with_logits(a[i:i + 1], one[i:i + 1]) for i in range(len(a))])
    for name, value, color in (("naive −log σ(a)", naive, "tab:red"), ("with logits", stable, "tab:blue")):
        rel = ((value.double() - exact).abs() / exact).clamp(min=floor)
        ax.semilogy(a_values, rel, style, color=color, label=f"{name}, {str(dtype)[6:]}")
        lost = rel >= 0.5
        first = f"from a = {a_values[int(lost.nonzero()[0])]:g} on" if lost.any() else "never"
        print(f"{str(dtype)[6:]:>7}  {name:<16} max rel. error {rel.max().item():.1e};  all digits lost {first}")
        if name == "with logits":
            assert rel.max() < 4 * torch.finfo(dtype).eps
ax.set_xlabel("logit a (label y = 1)")
ax.set_ylabel("relative error of the loss")
ax.set_ylim(floor / 3, 10)
ax.set_title("Confident right answers: the naive loss rounds to 0")
ax.legend(fontsize=8, loc="center right")
figures.show(fig, "bce-relative-error", "Relative error of the y = 1 binary cross-entropy against a 60-digit reference, by logit.")
