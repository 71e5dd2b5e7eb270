"""2-2-1 sigmoid network, x = (0, 1): node values by hand, against torch.nn modules."""
import torch
from torch import nn

from dlref import check

# The exercise's initial weights (nn.Linear layout: row = receiving node, bias = weight on the constant-1 input).
W = torch.tensor([[2.5, 1.0],      # h1 ← (x1, x2)
                  [-1.5, -0.3]],   # h2 ← (x1, x2)
                 dtype=torch.float64)
b = torch.tensor([1.5, 2.0], dtype=torch.float64)        # h1, h2 ← 1
V = torch.tensor([[1.0, 0.5]], dtype=torch.float64)      # ŷ ← (h1, h2)
c = torch.tensor([-1.0], dtype=torch.float64)            # ŷ ← 1
x1, x2 = 0.0, 1.0


def sigma(t):
    return 1 / (1 + torch.exp(-torch.as_tensor(t, dtype=torch.float64)))


# By hand, one node at a time.
s1 = W[0, 0] * x1 + W[0, 1] * x2 + b[0] * 1
s2 = W[1, 0] * x1 + W[1, 1] * x2 + b[1] * 1
h1, h2 = sigma(s1), sigma(s2)
s_out = V[0, 0] * h1 + V[0, 1] * h2 + c[0] * 1
y_hat = sigma(s_out)

# Independently: the same network as torch.nn modules.
net = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1), nn.Sigmoid()).double()
with torch.no_grad():
    net[0].weight.copy_(W), net[0].bias.copy_(b), net[2].weight.copy_(V), net[2].bias.copy_(c)
x = torch.tensor([x1, x2], dtype=torch.float64)
hidden = net[1](net[0](x))
check.compare("h₁, h₂", torch.stack([h1, h2]), hidden, method="torch.nn")
check.compare("ŷ", y_hat.reshape(1), net(x), method="torch.nn")

print()
worked = {"h1": "0.9241", "h2": "0.8455", "ŷ": "0.5859"}  # the worked solution's values, for comparison only
print(f"{'node':<6}{'pre-activation':>16}{'value':>10}   the worked solution states")
for name, pre, val in [("h1", s1, h1), ("h2", s2, h2), ("ŷ", s_out, y_hat)]:
    print(f"{name:<6}{pre.item():>16.5f}{val.item():>10.5f}   {worked[name]}")
# The worked solution's output pre-activation is built from h1, h2 rounded to four places:
rounded = round(h1.item(), 4) * V[0, 0].item() + round(h2.item(), 4) * V[0, 1].item() + c[0].item()
print(f"output pre-activation from h1, h2 rounded to 4 places: {rounded:.5f}; unrounded: {s_out.item():.5f}"
      " (the worked solution states 0.34685)")
y_hat_rounded = sigma(rounded).item()
same = f"{y_hat_rounded:.4f}" == f"{y_hat.item():.4f}"
print(f"ŷ from the rounded pre-activation: {y_hat_rounded:.6f} vs {y_hat.item():.6f} unrounded "
      f"({'same' if same else 'different'} at four places)")
assert same
