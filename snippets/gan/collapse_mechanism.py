"""The mechanism of mode collapse: a generator trained against a *fixed* discriminator piles onto one high point of it."""
import torch

from dlref.lab import figures
from dlref.gan import toy
from dlref.gan.losses import nonsaturating_g_loss
from dlref.gan.models import MLPGenerator
from dlref.lab.gan.train import one_thread

centers = toy.ring_centers()  # (8, 2)


def D_logit(x):
    """A fixed discriminator, equally high on all eight modes. Shape (B, 2) → (B,)."""
    bumps = torch.exp(-((x[:, None, :] - centers[None]) ** 2).sum(-1) / (2 * 0.3**2))  # (B, 8)
    return 6 * bumps.sum(1) - 3


torch.manual_seed(0)
G = MLPGenerator(2, 2, hidden=64)
opt = torch.optim.Adam(G.parameters(), lr=1e-3)
g = torch.Generator().manual_seed(0)
z_eval = torch.randn(2000, 2, generator=g)
start = G(z_eval).detach()
ring = toy.ring_of_gaussians(2000, generator=g)
start_cov = toy.mode_coverage(ring, centers, 0.02)
with one_thread():
    for _ in range(600):
        loss = nonsaturating_g_loss(D_logit(G(torch.randn(256, 2, generator=g))))  # G's best response to this D
        opt.zero_grad()
        loss.backward()
        opt.step()
end = G(z_eval).detach()
dist = torch.cdist(end, centers)  # (2000, 8)
share = torch.bincount(dist.argmin(1), minlength=8).float() / len(end)
print(f"the data covers {start_cov['modes']} modes; after 600 generator steps against the fixed D:")
print("share of samples nearest each mode:", [f"{s:.0%}" for s in share.tolist()])
top = int(share.argmax())
print(f"D rates all eight modes equally, yet {share[top]:.0%} of the samples sit nearest mode {top}, "
      f"{(dist[:, top] < 0.3).float().mean():.0%} within 0.3 of its centre")
assert share.max() > 0.9

fig, axes = figures.new(ncols=2, width=6.4, height=3.3)
for ax, pts, title in zip(axes, (start, end), ("generator at the start", "after 600 steps vs a fixed D")):
    ax.scatter(*ring.T, s=1, color="lightgray", rasterized=True)
    ax.scatter(*pts.T, s=1, color="tab:blue", rasterized=True)
    ax.set_xlim(-2.8, 2.8)
    ax.set_ylim(-2.8, 2.8)
    ax.set_aspect("equal")
    ax.set_title(title, fontsize=9)
figures.show(fig, "gan-collapse-mechanism", "Generator samples (blue) and the ring (grey), before and after training G alone against a fixed discriminator.")
