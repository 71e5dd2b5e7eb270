"""AMSGrad and maximize in dlref.optim against torch.optim: 100 steps in float64, every value compared."""
import torch

from dlref import check, optim


def loss_fn(W, b):
    return torch.tanh(W).pow(2).sum() + (W.sum(0) ** 2).sum() + torch.cos(b).sum() + 0.1 * (b**4).sum()


def trajectory(make, objective, steps=100):
    g = torch.Generator().manual_seed(0)
    W = torch.nn.Parameter(torch.randn(3, 2, generator=g, dtype=torch.float64))
    b = torch.nn.Parameter(torch.randn(4, generator=g, dtype=torch.float64))
    opt = make([W, b])
    path = []
    for _ in range(steps):
        opt.zero_grad()
        objective(W, b).backward()
        opt.step()
        path.append(torch.cat([W.detach().reshape(-1), b.detach()]))  # (10,)
    return torch.stack(path)  # (steps, 10)


def neg_loss(W, b):  # maximizing −L is minimizing L, so the ascent stays bounded
    return -loss_fn(W, b)


pairs = {  # name: (dlref, torch.optim, objective)
    "Adam, amsgrad": (lambda p: optim.Adam(p, lr=0.05, weight_decay=0.1, amsgrad=True),
                      lambda p: torch.optim.Adam(p, lr=0.05, weight_decay=0.1, amsgrad=True), loss_fn),
    "AdamW, amsgrad": (lambda p: optim.AdamW(p, lr=0.05, weight_decay=0.1, amsgrad=True),
                       lambda p: torch.optim.AdamW(p, lr=0.05, weight_decay=0.1, amsgrad=True), loss_fn),
    "SGD, maximize": (lambda p: optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=0.1, maximize=True),
                      lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=0.1, maximize=True), neg_loss),
    "Momentum, max.": (lambda p: optim.Momentum(p, lr=0.5, beta=0.9, maximize=True),
                       lambda p: torch.optim.SGD(p, lr=0.5 * (1 - 0.9), momentum=0.9, maximize=True), neg_loss),
    "Adagrad, max.": (lambda p: optim.Adagrad(p, lr=0.1, weight_decay=0.1, maximize=True),
                      lambda p: torch.optim.Adagrad(p, lr=0.1, weight_decay=0.1, maximize=True), neg_loss),
    "RMSprop, max.": (lambda p: optim.RMSprop(p, lr=0.01, centered=True, momentum=0.1, maximize=True),
                      lambda p: torch.optim.RMSprop(p, lr=0.01, centered=True, momentum=0.1, maximize=True), neg_loss),
    "Adam, max.": (lambda p: optim.Adam(p, lr=0.05, amsgrad=True, maximize=True),
                   lambda p: torch.optim.Adam(p, lr=0.05, amsgrad=True, maximize=True), neg_loss),
    "AdamW, max.": (lambda p: optim.AdamW(p, lr=0.05, maximize=True),
                    lambda p: torch.optim.AdamW(p, lr=0.05, maximize=True), neg_loss),
}
for name, (ours, theirs, objective) in pairs.items():
    check.compare(name, trajectory(ours, objective), trajectory(theirs, objective), method="torch.optim")

# What AMSGrad changes: each coordinate divides by the largest second moment seen so far.
adam = trajectory(lambda p: optim.Adam(p, lr=0.05), loss_fn)
ams = trajectory(lambda p: optim.Adam(p, lr=0.05, amsgrad=True), loss_fn)
gap = (adam - ams).abs().max().item()
print(f"Adam and AMSGrad from the same start differ by up to {gap:.2g} in a parameter within 100 steps.")
assert gap > 1e-6  # the option does change the trajectory
# maximize on −L is the same run as minimizing L (no weight decay: λθ is not negated)
same = trajectory(lambda p: optim.Adam(p, lr=0.05, maximize=True), neg_loss)
torch.testing.assert_close(same, adam, rtol=0, atol=0)
print("Adam with maximize=True on −L retraces Adam on L exactly.")
