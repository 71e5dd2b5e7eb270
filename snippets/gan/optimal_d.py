"""The optimal discriminator D* = p_data / (p_data + p_g): a trained discriminator on two known 1-D densities."""
import math
import time

import torch

from dlref import check
from dlref.lab import figures
from dlref.gan.losses import minimax_d_loss
from dlref.gan.models import MLPDiscriminator
from dlref.lab.gan.train import one_thread


def normal_pdf(x, mu, s):
    return torch.exp(-0.5 * ((x - mu) / s) ** 2) / (s * math.sqrt(2 * math.pi))


def p_data(x):  # a two-bump "data" density
    return 0.5 * normal_pdf(x, -1.0, 0.5) + 0.5 * normal_pdf(x, 1.5, 0.4)


def p_g(x):  # a fixed "generator" density
    return normal_pdf(x, 0.0, 1.2)


def sample_data(n, g):
    bump = torch.rand(n, 1, generator=g) < 0.5
    return torch.where(bump, -1.0 + 0.5 * torch.randn(n, 1, generator=g), 1.5 + 0.4 * torch.randn(n, 1, generator=g))


# Pointwise: maximise f(D) = a log D + b log(1 − D) over D ∈ (0, 1); f'(D) = a/D − b/(1 − D) = 0 at a/(a + b).
a, b = torch.tensor(0.7, dtype=torch.float64), torch.tensor(0.2, dtype=torch.float64)
D_star_point = (a / (a + b)).requires_grad_()
(slope,) = torch.autograd.grad(a * torch.log(D_star_point) + b * torch.log(1 - D_star_point), D_star_point)
check.compare("f'(a/(a+b))", slope, torch.zeros((), dtype=torch.float64), tol=1e-12, method="autograd (= 0)")

g = torch.Generator().manual_seed(0)
torch.manual_seed(0)
D = MLPDiscriminator(1, hidden=32)
opt = torch.optim.Adam(D.parameters(), lr=3e-3)
t0 = time.perf_counter()
with one_thread():  # a network this small runs fastest on one CPU thread
    for _ in range(1500):
        real, fake = sample_data(512, g), 1.2 * torch.randn(512, 1, generator=g)
        loss = minimax_d_loss(D(real), D(fake))  # −L: ascent on L for D with G fixed
        opt.zero_grad()
        loss.backward()
        opt.step()

x = torch.linspace(-3, 3, 301).unsqueeze(1)
with torch.no_grad():
    D_trained = torch.sigmoid(D(x))[:, 0]
D_star = (p_data(x) / (p_data(x) + p_g(x)))[:, 0]
mass = (p_data(x) + p_g(x))[:, 0]
where = mass > 0.05  # where samples actually land; elsewhere D is unconstrained
err = (D_trained - D_star)[where].abs()
print(f"trained 1500 Adam steps in {time.perf_counter() - t0:.1f} s")
print(f"|D − D*| over {int(where.sum())} grid points where p_data + p_g > 0.05: "
      f"mean {err.mean():.3f}, max {err.max():.3f}")
assert err.mean() < 0.05 and err.max() < 0.15

fig, ax = figures.new(width=6.4, height=3.6)
ax.fill_between(x[:, 0], p_data(x)[:, 0], alpha=0.25, color="tab:blue", label="p_data")
ax.fill_between(x[:, 0], p_g(x)[:, 0], alpha=0.25, color="tab:orange", label="p_g")
ax.plot(x[:, 0], D_star, color="black", lw=2, label="D* = p_data / (p_data + p_g)")
ax.plot(x[:, 0], D_trained, "--", color="tab:red", lw=2, label="trained D")
ax.set_xlabel("x")
ax.set_ylabel("density  /  D(x)")
ax.legend(loc="upper left", fontsize=8)
ax.set_title("A trained discriminator lands on the optimal one")
figures.show(fig, "gan-optimal-d", "A discriminator trained on samples from two known 1-D densities against the closed-form D*.")
