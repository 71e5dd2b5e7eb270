"""One gradient-descent step (α = 0.1, loss ½(y − ŷ)²): the nine new weights by hand, by autograd, by torch.optim.SGD."""
import torch
from torch import nn

from dlref import check
from dlref.lab import figures

W = torch.tensor([[2.5, 1.0], [-1.5, -0.3]], dtype=torch.float64)  # exercise's weights, as on the forward snippet
b = torch.tensor([1.5, 2.0], dtype=torch.float64)
V = torch.tensor([[1.0, 0.5]], dtype=torch.float64)
c = torch.tensor([-1.0], dtype=torch.float64)
x = torch.tensor([0.0, 1.0], dtype=torch.float64)
y = torch.tensor([1.0], dtype=torch.float64)
alpha = 0.1

# By hand: forward, deltas (δ = −∂L/∂pre-activation), then w ← w + α δ · (input to w).
h = torch.sigmoid(W @ x + b)                              # (2,)
y_hat = torch.sigmoid(V @ h + c)                          # (1,)
delta_out = (y - y_hat) * y_hat * (1 - y_hat)             # (1,)
delta_h = h * (1 - h) * V[0] * delta_out                  # (2,)
V_new = V + alpha * torch.outer(delta_out, h)             # (1, 2)
c_new = c + alpha * delta_out
W_new = W + alpha * torch.outer(delta_h, x)               # (2, 2)
b_new = b + alpha * delta_h

# Independently: torch.nn modules, autograd, and one torch.optim.SGD step.
net = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1), nn.Sigmoid()).double()
with torch.no_grad():
    net[0].weight.copy_(W), net[0].bias.copy_(b), net[2].weight.copy_(V), net[2].bias.copy_(c)
opt = torch.optim.SGD(net.parameters(), lr=alpha)
opt.zero_grad()
loss = 0.5 * ((y - net(x)) ** 2).sum()
loss.backward()
check.compare("−∇W (hidden)", torch.outer(delta_h, x), -net[0].weight.grad)
check.compare("−∇V (output)", torch.outer(delta_out, h), -net[2].weight.grad)
opt.step()
check.compare("new W, b", torch.cat([W_new.flatten(), b_new]),
              torch.cat([net[0].weight.flatten(), net[0].bias]).detach(), method="torch.optim.SGD")
check.compare("new V, c", torch.cat([V_new.flatten(), c_new]),
              torch.cat([net[2].weight.flatten(), net[2].bias]).detach(), method="torch.optim.SGD")

# The nine weights, next to what the worked solution states (strings: their printed precision matters).
rows = [("W_yh1", V[0, 0], V_new[0, 0], "1.0092"), ("W_yh2", V[0, 1], V_new[0, 1], "0.5084"),
        ("W_yb", c[0], c_new[0], "-0.9901"),
        ("W_h1x1", W[0, 0], W_new[0, 0], "2.5"), ("W_h1x2", W[0, 1], W_new[0, 1], "1.0007"),
        ("W_h1b", b[0], b_new[0], "1.5007"),
        ("W_h2x1", W[1, 0], W_new[1, 0], "-1.5"), ("W_h2x2", W[1, 1], W_new[1, 1], "-0.2994"),
        ("W_h2b", b[1], b_new[1], "2.0007")]
print()
print(f"{'weight':<8}{'before':>8}{'after':>11}{'rounded':>10}   the worked solution states")
wrong = []
for name, old, new, stated in rows:
    places = len(stated.split(".")[1])
    rounded = f"{new.item():.{places}f}"
    ok = abs(new.item() - float(stated)) <= 0.5 * 10 ** -places + 1e-12
    wrong += [] if ok else [name]
    print(f"{name:<8}{old.item():>8.2f}{new.item():>11.6f}{rounded:>10}   {stated}{'' if ok else '   ✗ differs'}")
print(f"\n{len(wrong)} of 9 stated weights differ from the computed ones at their own precision: {', '.join(wrong)}")

# Figure: the network after the step, each edge labelled with its new weight.
pos = {"x1": (0, 2), "x2": (0, 1), "1a": (0, 0), "h1": (2, 2), "h2": (2, 1), "1b": (2, 0), "y": (4, 1.5)}
names = {"x1": f"$x_1$={x[0].item():g}", "x2": f"$x_2$={x[1].item():g}", "1a": "1", "1b": "1",
         "h1": f"$h_1$={h[0].item():.4f}\nδ={delta_h[0].item():.4f}",
         "h2": f"$h_2$={h[1].item():.4f}\nδ={delta_h[1].item():.4f}",
         "y": f"$\\hat y$={y_hat.item():.4f}\nδ={delta_out.item():.4f}"}
edges = [("x1", "h1", W_new[0, 0]), ("x2", "h1", W_new[0, 1]), ("1a", "h1", b_new[0]),
         ("x1", "h2", W_new[1, 0]), ("x2", "h2", W_new[1, 1]), ("1a", "h2", b_new[1]),
         ("h1", "y", V_new[0, 0]), ("h2", "y", V_new[0, 1]), ("1b", "y", c_new[0])]
fig, ax = figures.new(width=7.5, height=4.2)
for a, bb, w in edges:
    (xa, ya), (xb, yb) = pos[a], pos[bb]
    ax.annotate("", xy=(xb, yb), xytext=(xa, ya), arrowprops=dict(arrowstyle="-|>", lw=1, shrinkA=22, shrinkB=26))
    t = 0.3
    ax.text(xa + t * (xb - xa), ya + t * (yb - ya), f"{w.item():.4f}", fontsize=8, ha="center",
            bbox=dict(fc="white", ec="none", pad=0.5))
for k, (px, py) in pos.items():
    ax.text(px, py, names[k], ha="center", va="center", fontsize=9,
            bbox=dict(boxstyle="round,pad=0.4", fc="#eef2ff" if k[0] != "1" else "#f4f4f4", ec="#333"))
ax.set_xlim(-0.6, 4.7)
ax.set_ylim(-0.5, 2.5)
ax.axis("off")
ax.set_title(f"After one step (α = {alpha}, loss ½(y − ŷ)², y = {y.item():g}): new weights on the edges", fontsize=10)
figures.show(fig, "worked-step-network",
             "The 2-2-1 sigmoid network after one gradient-descent step: node values and deltas of the "
             "forward/backward pass, each edge labelled with its updated weight.")
