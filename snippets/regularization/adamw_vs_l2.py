"""Adam with L2 vs AdamW: the same λ decays weights at rates that depend on the gradient scale only for L2."""
import torch

from dlref import check, optim

# One step from the same state: AdamW = decay, then the Adam step on L alone;
# Adam + L2 = the Adam step on L + λ/2 ‖θ‖² (its gradient g + λθ goes through the 1/√v̂ scaling).
g = torch.Generator().manual_seed(0)
theta0 = torch.randn(5, generator=g, dtype=torch.float64)
grads = [torch.randn(5, generator=g, dtype=torch.float64) for _ in range(3)]
alpha, lam = 0.05, 0.1


def run(make, loss_grad, steps):
    p = torch.nn.Parameter(theta0.clone())
    opt = make([p])
    for t in range(steps):
        p.grad = loss_grad(p.detach(), t)
        opt.step()
    return p.detach()


data_grad = lambda p, t: grads[t]  # noqa: E731  a fixed sequence of loss gradients
l2_grad = lambda p, t: grads[t] + lam * p  # noqa: E731  the gradient of L + λ/2‖θ‖²
check.compare("Adam(wd=λ) = Adam on L + λ/2‖θ‖²", run(lambda p: optim.Adam(p, lr=alpha, weight_decay=lam), data_grad, 3),
              run(lambda p: optim.Adam(p, lr=alpha), l2_grad, 3), method="explicit L2 gradient")
check.compare("AdamW = torch AdamW", run(lambda p: optim.AdamW(p, lr=alpha, weight_decay=lam), data_grad, 3),
              run(lambda p: torch.optim.AdamW(p, lr=alpha, weight_decay=lam), data_grad, 3), method="torch.optim")

# Pure-noise loss gradients of very different scales per coordinate, the same λ for all;
# 20 independent runs side by side as the rows of one (20, 3) parameter.
scales = torch.tensor([0.01, 1.0, 100.0], dtype=torch.float64)
steps, runs = 2000, 20
noise = torch.randn(steps, runs, 3, generator=g, dtype=torch.float64) * scales  # (steps, runs, 3)


def final_weights(make):
    p = torch.nn.Parameter(torch.ones(runs, 3, dtype=torch.float64))
    opt = make([p])
    for t in range(steps):
        p.grad = noise[t].clone()
        opt.step()
    return p.detach().abs().mean(0)  # (3,) mean |θ| over the runs


l2 = final_weights(lambda p: optim.Adam(p, lr=1e-3, weight_decay=1.0))
decoupled = final_weights(lambda p: optim.AdamW(p, lr=1e-3, weight_decay=1.0))
print(f"|θ| after {steps} steps from θ = 1 (mean over {runs} runs), loss gradient pure noise, λ = 1:")
print("gradient scale   Adam + L2   AdamW")
for s, a, b in zip(scales.tolist(), l2.tolist(), decoupled.tolist()):
    print(f"{s:>14}   {a:9.4f}   {b:6.4f}")
assert l2[2] > 10 * l2[0]  # L2 decay is all but cancelled where the gradients are large
assert decoupled.max() < 2 * decoupled.min()  # decoupled decay treats the coordinates alike
