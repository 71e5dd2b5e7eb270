"""Trajectories of seven update rules on two 2-D loss surfaces, all with dlref.optim."""
import torch

from dlref import optim
from dlref.lab import figures


def quadratic(w):  # an elongated bowl: curvatures 1 and 20 along rotated axes
    c, s = 0.8, 0.6
    u, v = c * w[0] + s * w[1], -s * w[0] + c * w[1]
    return 0.5 * (u**2 + 20 * v**2)


def rosenbrock(w):  # a curved valley with its minimum at (1, 1)
    return (1 - w[0]) ** 2 + 10 * (w[1] - w[0] ** 2) ** 2


rules = {  # name: (optimizer factory, steps)
    "gradient descent": lambda p, h: optim.SGD(p, lr=h["gd"]),
    "momentum (averaged)": lambda p, h: optim.Momentum(p, lr=h["mom"], beta=0.9),
    "Nesterov": lambda p, h: optim.Momentum(p, lr=h["mom"], beta=0.9, nesterov=True),
    "Adagrad": lambda p, h: optim.Adagrad(p, lr=h["ada"]),
    "RMSprop": lambda p, h: optim.RMSprop(p, lr=h["ada"] / 10, alpha=0.9),
    "Adam": lambda p, h: optim.Adam(p, lr=h["ada"] / 5),
    "Newton": lambda p, h: optim.Newton(p),
}
surfaces = {
    "quadratic": (quadratic, torch.tensor([-2.5, 2.0]), dict(gd=0.09, mom=0.5, ada=0.5), 60),
    "Rosenbrock": (rosenbrock, torch.tensor([-1.2, 1.0]), dict(gd=0.02, mom=0.1, ada=0.5), 200),
}

fig, axes = figures.new(ncols=2, width=11, height=4.6)
print(f"{'rule':<20}" + "".join(f"{name + ' loss':>20}" for name in surfaces))
final = {name: [] for name in rules}
for ax, (sname, (f, start, h, steps)) in zip(axes, surfaces.items()):
    xs = torch.linspace(-3, 3, 120, dtype=torch.float64)
    X, Y = torch.meshgrid(xs, xs, indexing="xy")  # (120, 120) each
    Z = f(torch.stack([X, Y]))
    ax.contour(X, Y, torch.log1p(Z), levels=25, cmap="Greys", linewidths=0.6)
    for name, make in rules.items():
        w = torch.nn.Parameter(start.to(torch.float64).clone())
        opt = make([w], h)
        path = [w.detach().clone()]
        for _ in range(steps if name != "Newton" else 10):  # Newton has converged long before
            if name == "Newton":
                opt.step(lambda: f(w))
            else:
                opt.zero_grad()
                f(w).backward()
                opt.step()
            path.append(w.detach().clone())
        path = torch.stack(path)  # (steps + 1, 2)
        ax.plot(path[:, 0], path[:, 1], ".-", ms=2, lw=1, label=name, markevery=1 if name == "Newton" else 5)  # a dot per 5 steps keeps the SVG light
        final[name].append(f(w.detach()).item())
    ax.set(title=f"{sname}, {steps} steps (Newton: 10)", xlabel="$w_1$", ylabel="$w_2$", xlim=(-3, 3), ylim=(-3, 3))
axes[1].plot([1], [1], "k*", ms=10)
axes[0].plot([0], [0], "k*", ms=10)
axes[0].legend(fontsize=8, loc="lower right")
for name, losses in final.items():
    print(f"{name:<20}" + "".join(f"{loss:20.2e}" for loss in losses))
figures.show(fig, "optimizer-trajectories",
             "Paths of seven update rules from the same start (star: minimum; a dot every fifth step, every step for Newton); contours of log(1 + loss).")
