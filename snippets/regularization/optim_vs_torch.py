"""Each dlref.optim rule against torch.optim: 200 steps in float64 on a non-quadratic loss."""
import torch

from dlref import check, optim


def loss_fn(W, b):
    return torch.tanh(W).pow(2).sum() + (W.sum(0) ** 2).sum() + torch.cos(b).sum() + 0.1 * (b**4).sum()


def trajectory(make, steps=100):
    g = torch.Generator().manual_seed(0)
    W = torch.nn.Parameter(torch.randn(3, 2, generator=g, dtype=torch.float64))
    b = torch.nn.Parameter(torch.randn(4, generator=g, dtype=torch.float64))
    opt = make([W, b])
    path = []
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(W, b).backward()
        opt.step()
        path.append(torch.cat([W.detach().reshape(-1), b.detach()]))  # (10,)
    return torch.stack(path)  # (steps, 10)


pairs = {
    "SGD, momentum 0.9": (lambda p: optim.SGD(p, lr=0.05, momentum=0.9),
                          lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9)),
    "SGD, Nesterov": (lambda p: optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
                      lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True)),
    "Adagrad": (lambda p: optim.Adagrad(p, lr=0.1), lambda p: torch.optim.Adagrad(p, lr=0.1)),
    "RMSprop": (lambda p: optim.RMSprop(p, lr=0.01), lambda p: torch.optim.RMSprop(p, lr=0.01)),
    "Adam": (lambda p: optim.Adam(p, lr=0.05), lambda p: torch.optim.Adam(p, lr=0.05)),
    "Adam + L2": (lambda p: optim.Adam(p, lr=0.05, weight_decay=0.1),
                  lambda p: torch.optim.Adam(p, lr=0.05, weight_decay=0.1)),
    "AdamW": (lambda p: optim.AdamW(p, lr=0.05, weight_decay=0.1),
              lambda p: torch.optim.AdamW(p, lr=0.05, weight_decay=0.1)),
}
for name, (ours, theirs) in pairs.items():
    # every step of the trajectory at once: 200 × 10 numbers
    check.compare(name, trajectory(ours), trajectory(theirs), method="torch.optim")
