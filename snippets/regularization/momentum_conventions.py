"""The averaged momentum form v ← βv + (1 − β)g against torch.optim.SGD's b ← μb + g, and Nesterov's look-ahead."""
import torch

from dlref import check, optim

alpha, beta, steps = 0.5, 0.9, 100
A = torch.tensor([[3.0, 1.2], [1.2, 1.0]], dtype=torch.float64)


def grad(theta):  # ∇ of ½θᵀAθ + sin(θ₁)
    return A @ theta + torch.stack([torch.cos(theta[0]), torch.zeros((), dtype=theta.dtype)])


def run(make):
    theta = torch.nn.Parameter(torch.tensor([2.0, -1.5], dtype=torch.float64))
    opt = make([theta])
    path = []
    for _ in range(steps):
        theta.grad = grad(theta.detach())
        opt.step()
        path.append(theta.detach().clone())
    return torch.stack(path)  # (steps, 2)


averaged = run(lambda p: optim.Momentum(p, lr=alpha, beta=beta))
check.compare("averaged = SGD(lr=α(1−β))", averaged,
              run(lambda p: torch.optim.SGD(p, lr=alpha * (1 - beta), momentum=beta)), method="torch.optim")

# torch's dampening τ = β looks like the averaged form, but its buffer starts undampened (b₁ = g).
dampened = run(lambda p: torch.optim.SGD(p, lr=alpha, momentum=beta, dampening=beta))
gap = (dampened - averaged).abs().max(dim=1).values  # (steps,)
print(f"SGD(lr=α, momentum=β, dampening=β) vs the averaged form: max gap after step 1 {gap[0]:.3f}, "
      f"after step {steps} {gap[-1]:.2e}")
assert gap[0] > 0.1

# Nesterov written with an explicit look-ahead: v ← βv + (1 − β)∇f(θ − αβv), θ ← θ − αv.
theta, v = torch.tensor([2.0, -1.5], dtype=torch.float64), torch.zeros(2, dtype=torch.float64)
theta_seed, v_seed = theta.clone(), v.clone()  # the same, but looking ahead to θ − αv
lookahead, seed_form = [], []
for _ in range(steps):
    v = beta * v + (1 - beta) * grad(theta - alpha * beta * v)
    theta = theta - alpha * v
    lookahead.append(theta - alpha * beta * v)  # φ = θ − αβv, the point the gradient is taken at
    v_seed = beta * v_seed + (1 - beta) * grad(theta_seed - alpha * v_seed)
    theta_seed = theta_seed - alpha * v_seed
    seed_form.append(theta_seed - alpha * beta * v_seed)
lookahead, seed_form = torch.stack(lookahead), torch.stack(seed_form)
check.compare("look-ahead form (φ)", lookahead, run(lambda p: optim.Momentum(p, lr=alpha, beta=beta, nesterov=True)),
              method="dlref.optim")
check.compare("look-ahead form (φ)", lookahead,
              run(lambda p: torch.optim.SGD(p, lr=alpha * (1 - beta), momentum=beta, nesterov=True)),
              method="torch.optim")
diff = (seed_form - lookahead).abs().max().item()
print(f"look-ahead θ − αv instead of θ − αβv: largest difference from torch's Nesterov {diff:.3f}")
assert diff > 1e-3
