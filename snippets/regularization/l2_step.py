"""L2 regularization is weight decay for SGD: one step three ways, and the mis-written factor (1 − 2αλw)."""
import torch

from dlref import check

torch.manual_seed(0)
alpha, lam = 0.1, 0.05
x, y = torch.randn(8, 3, dtype=torch.float64), torch.randn(8, dtype=torch.float64)
w0 = torch.randn(3, dtype=torch.float64)


def L(w):  # the data loss L(y, ŷ), ŷ = Xw
    return ((x @ w - y) ** 2).mean()


# (a) gradient descent on L' = L + λwᵀw, gradient by autograd
w = w0.clone().requires_grad_(True)
(L(w) + lam * w @ w).backward()
step_on_Lprime = (w - alpha * w.grad).detach()

# (b) the rewritten update: w ← (1 − 2αλ)w − α∇L
w = w0.clone().requires_grad_(True)
L(w).backward()
decayed = (1 - 2 * alpha * lam) * w0 - alpha * w.grad
check.compare("(1 − 2αλ)w − α∇L", decayed, step_on_Lprime, method="autograd on L + λwᵀw")

# (c) torch.optim.SGD's weight_decay adds weight_decay·w to the gradient: it is 2λ in this notation
p = torch.nn.Parameter(w0.clone())
opt = torch.optim.SGD([p], lr=alpha, weight_decay=2 * lam)
L(p).backward()
opt.step()
check.compare("SGD(weight_decay=2λ)", p.detach(), step_on_Lprime, method="autograd on L + λwᵀw")

# With ∇L = 0 the step only shrinks w, by the scalar factor 1 − 2αλ.
print(f"α = {alpha}, λ = {lam}: each step multiplies w by 1 − 2αλ = {1 - 2 * alpha * lam:.4f}")
misread = (1 - 2 * alpha * lam * w0) * w0 - alpha * w.grad  # the factor written as (1 − 2αλw)
gap = (misread - step_on_Lprime).abs().max().item()
print(f"with the factor written as (1 − 2αλw) instead, the step is off by up to {gap:.4f}")
assert gap > 1e-3
