"""The computational graph of the two-layer network, forward values (black) and backward signals (red)."""
from dlref.lab import figures

# node: (x, y, label); parameters sit below the operation they feed
nodes = {
    "x": (0, 1, r"$\mathbf{x}$"), "z1": (2, 1, r"$\mathbf{z}_1$"), "h": (4, 1, r"$\mathbf{h}$"),
    "z2": (6, 1, r"$\mathbf{z}_2$"), "o_hat": (8, 1, r"$\hat{\mathbf{o}}$"), "E": (10, 1, r"$E$"),
    "W1": (1.3, -0.4, r"$\mathbf{W}_1,\ \mathbf{b}_1$"), "W2": (5.3, -0.4, r"$\mathbf{W}_2,\ \mathbf{b}_2$"),
    "o": (9.3, -0.4, r"$\mathbf{o}$"),
}
forward = [("x", "z1", "affine"), ("z1", "h", "ReLU"), ("h", "z2", "affine"), ("z2", "o_hat", "softmax"),
           ("o_hat", "E", "CE"), ("W1", "z1", ""), ("W2", "z2", ""), ("o", "E", "")]
# what flows back into each node: its gradient ∂E/∂(node)
backward = {
    "z2": r"$\hat{\mathbf{o}}-\mathbf{o}$",
    "h": r"$\mathbf{W}_2^\top(\hat{\mathbf{o}}-\mathbf{o})$",
    "z1": r"$\frac{\partial E}{\partial \mathbf{h}}\odot \mathbb{1}[\mathbf{z}_1>0]$",
    "W2": r"$(\hat{\mathbf{o}}-\mathbf{o})\mathbf{h}^\top,\ \hat{\mathbf{o}}-\mathbf{o}$",
    "W1": r"$\frac{\partial E}{\partial \mathbf{z}_1}\mathbf{x}^\top,\ \frac{\partial E}{\partial \mathbf{z}_1}$",
}

fig, ax = figures.new(width=9.0, height=3.4)
for a, b, label in forward:
    (xa, ya, _), (xb, yb, _) = nodes[a], nodes[b]
    ax.annotate("", xy=(xb, yb), xytext=(xa, ya),
                arrowprops=dict(arrowstyle="-|>", color="black", shrinkA=16, shrinkB=16, lw=1.2))
    if label:
        ax.text((xa + xb) / 2, ya + 0.22, label, ha="center", fontsize=9)
for key, (x, y, label) in nodes.items():
    param = key in ("W1", "W2", "o")
    ax.text(x, y, label, ha="center", va="center", fontsize=12,
            bbox=dict(boxstyle="round,pad=0.35", fc="#eef2ff" if not param else "#f4f4f4", ec="#333"))
for key, label in backward.items():
    x, y, _ = nodes[key]
    ax.text(x, y + (0.75 if key not in ("W1", "W2") else -0.6), label, ha="center", va="center",
            fontsize=9.5, color="tab:red")
ax.text(10.5, 1.75, "red: the gradient ∂E/∂(node)", ha="right", fontsize=8.5, color="tab:red")
ax.set_xlim(-0.6, 10.6)
ax.set_ylim(-1.2, 2.1)
ax.axis("off")
figures.show(fig, "two-layer-graph",
             "Computational graph of the two-layer network: forward operations in black, the gradient that "
             "reaches each node in red.")
