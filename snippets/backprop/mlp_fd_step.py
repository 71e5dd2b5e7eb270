"""Why the checks trust autograd in float64: finite differences have an error floor."""
import torch

from dlref import check
from dlref.lab import figures
from dlref import functional
from dlref.nn import MLP

torch.manual_seed(2)
net = MLP(5, 4, 3, dtype=torch.float64)
x = torch.randn(5, dtype=torch.float64)
y = torch.tensor(1)
manual = net.gradients(x, y)["W"]


def loss(W):
    return functional.softmax_cross_entropy(functional.linear(functional.relu(functional.linear(x, W, net.b1)), net.V, net.b2), y)


steps = torch.logspace(-12, -1, 23, dtype=torch.float64)
errors = []
for eps in steps.tolist():
    numeric = check.finite_differences(loss, {"W": net.W}, eps=eps)["W"]
    errors.append(((numeric - manual).abs().max() / manual.abs().max()).item())
best = min(range(len(errors)), key=errors.__getitem__)
print(f"smallest relative error {errors[best]:.1e} at ε = {steps[best].item():.0e}")
print(f"at ε = 1e-12: {errors[0]:.1e} (round-off);  at ε = 1e-1: {errors[-1]:.1e} (truncation)")
assert errors[best] < 1e-8 and errors[0] > 10 * errors[best] and errors[-1] > 10 * errors[best]

fig, ax = figures.new(width=6.0, height=3.6)
ax.loglog(steps.numpy(), errors, "o-", color="tab:blue")
ax.axvline(steps[best].item(), color="gray", linestyle=":")
ax.set_xlabel("finite-difference step ε")
ax.set_ylabel("relative error of ∇W vs hand-derived")
ax.set_title("Central differences: round-off (left) vs truncation (right)")
figures.show(fig, "mlp-fd-step", "Relative error of central-difference ∇W against the hand-derived gradient, by step size.")
