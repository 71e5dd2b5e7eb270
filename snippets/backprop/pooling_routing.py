"""Where the gradient goes: max-pool routes it to each window's argmax, average pool spreads it evenly."""
import torch

from dlref import check
from dlref.lab import figures

torch.manual_seed(9)
k = 2                                                    # 2×2 windows, stride 2
X = torch.randn(4, 4, dtype=torch.float64)               # one channel, H_in = W_in = 4
G = torch.randn(2, 2, dtype=torch.float64)               # upstream gradient ∂L/∂(pool output)

# By hand: visit each window once.
grad_max = torch.zeros_like(X)
grad_avg = torch.zeros_like(X)
for i in range(2):
    for j in range(2):
        window = X[k * i:k * i + k, k * j:k * j + k]     # (2, 2)
        r, c = divmod(window.argmax().item(), k)        # position of the max inside the window
        grad_max[k * i + r, k * j + c] = G[i, j]         # all of it to the argmax
        grad_avg[k * i:k * i + k, k * j:k * j + k] = G[i, j] / k ** 2   # an equal share to each input

# Autograd through torch's pooling, with the same upstream gradient: ∂L/∂X for L = Σ G ⊙ pool(X).
ref = {}
for name, pool in (("max", torch.nn.functional.max_pool2d), ("avg", torch.nn.functional.avg_pool2d)):
    ref[name] = check.autograd_gradients(lambda X: (G * pool(X.reshape(1, 1, 4, 4), k).reshape(2, 2)).sum(), {"X": X})["X"]
check.compare("max-pool ∂L/∂X", grad_max, ref["max"])
check.compare("avg-pool ∂L/∂X", grad_avg, ref["avg"])
print(f"\nmax-pool: {int((grad_max != 0).sum())} of {X.numel()} inputs receive gradient (one per window); "
      f"avg-pool: {int((grad_avg != 0).sum())} of {X.numel()}")
print("each routed gradient sums to the upstream total:",
      f"{grad_max.sum().item():.6f} = {grad_avg.sum().item():.6f} = {G.sum().item():.6f}")

fig, axes = figures.new(ncols=4, width=10.0, height=2.9)
panels = [(X, "input X (max marked)"), (G, "upstream ∂L/∂Y"), (grad_max, "max-pool: ∂L/∂X"), (grad_avg, "avg-pool: ∂L/∂X")]
lim = max(G.abs().max().item(), 1e-9)
for ax, (M, title) in zip(axes, panels):
    cmap, vmax = ("RdBu_r", lim) if M is not X else ("Greys", None)
    ax.imshow(M.numpy(), cmap=cmap, vmin=-vmax if vmax else None, vmax=vmax, alpha=0.5)  # light: text stays readable
    for (r, c), v in zip(torch.cartesian_prod(torch.arange(M.shape[0]), torch.arange(M.shape[1])).tolist(), M.flatten().tolist()):
        ax.text(c, r, f"{v:.2f}", ha="center", va="center", fontsize=8,
                color="tab:red" if (M is X and grad_max[r, c] != 0) else "black")
    if M.shape[0] == 4:  # window borders
        ax.axhline(1.5, color="black", lw=1.5), ax.axvline(1.5, color="black", lw=1.5)
    ax.set_title(title, fontsize=9)
    ax.set_xticks([]), ax.set_yticks([])
figures.show(fig, "pooling-routing",
             "2×2 pooling with stride 2: the max-pool sends each window's upstream gradient to the position of its "
             "maximum (red in the input); the average pool gives each of the four inputs a quarter.")
