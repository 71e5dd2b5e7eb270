"""Autograd through a stable sigmoid: the |a| trick gives the right values and a wrong derivative at 0."""
import torch

from dlref import functional


def sigmoid_abs(a):
    """σ(a) from e^{−|a|} on both branches: never overflows, and equals σ(a) everywhere."""
    e = torch.exp(-a.abs())
    return torch.where(a >= 0, 1 / (1 + e), e / (1 + e))


def autograd_slope(fn, at):
    a = torch.tensor(at, dtype=torch.float64, requires_grad=True)
    fn(a).backward()
    return a.grad.item()


print("autograd slope of σ at a:")
print(f"{'a':>6} {'σ(a)':>7} {'exact':>7} {'|a| form':>8} {'dlref':>7}")
for at in (0.0, 1.0, -1000.0):
    s = torch.sigmoid(torch.tensor(at, dtype=torch.float64)).item()
    print(f"{at:>6g} {s:>7.4g} {s * (1 - s):>7.4g} {autograd_slope(sigmoid_abs, at):>8.4g} "
          f"{autograd_slope(functional.sigmoid, at):>7.4g}")
assert autograd_slope(sigmoid_abs, 0.0) == 0.0 and autograd_slope(functional.sigmoid, 0.0) == 0.25

# The same trap in the loss: max(a, 0) − a y + log1p(e^{−|a|}) has autograd slope −y at a = 0, not ½ − y.
y = torch.tensor([0.0, 1.0], dtype=torch.float64)
a = torch.zeros(2, dtype=torch.float64, requires_grad=True)
(a.clamp(min=0) - a * y + torch.log1p(torch.exp(-a.abs()))).sum().backward()
abs_form = a.grad.tolist()
a.grad = None
functional.binary_cross_entropy_with_logits(a, y, reduction="sum").backward()
print(f"BCE slope at a = 0 for y = 0, 1:\n  |a| form {abs_form}\n  dlref    {a.grad.tolist()}\n  exact    {(0.5 - y).tolist()} (σ(0) − y)")
assert a.grad.tolist() == (0.5 - y).tolist() and abs_form == (-y).tolist()
