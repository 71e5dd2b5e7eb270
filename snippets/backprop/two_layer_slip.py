"""The slip in (c)/(d): W₁ᵀ(ô − o) in place of W₂ᵀ(ô − o). Wrong shape, and wrong values when shapes allow."""
import torch

from dlref import check
from dlref import functional


def error_signals(n, d, K, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, generator=g, dtype=torch.float64)
    W1, b1 = torch.randn(d, n, generator=g, dtype=torch.float64), torch.randn(d, generator=g, dtype=torch.float64)
    W2, b2 = torch.randn(K, d, generator=g, dtype=torch.float64), torch.randn(K, generator=g, dtype=torch.float64)
    o = torch.nn.functional.one_hot(torch.tensor(0), K).to(torch.float64)
    z1 = W1 @ x + b1
    u = functional.softmax(W2 @ functional.relu(z1) + b2) - o  # ô − o   (K,)
    mask = (z1 > 0).to(z1.dtype)
    autograd_z1 = check.autograd_gradients(lambda z1: functional.softmax_cross_entropy(W2 @ functional.relu(z1) + b2, o), {"z1": z1})["z1"]
    return W1, W2, u, mask, autograd_z1


# Generic sizes: the slipped formula cannot even be evaluated.
W1, W2, u, mask, reference = error_signals(n=5, d=4, K=3, seed=0)
print(f"W1ᵀ is {tuple(W1.T.shape)}, W2ᵀ is {tuple(W2.T.shape)}, ô − o is {tuple(u.shape)}")
try:
    (W1.T @ u) * mask
except RuntimeError as err:
    print(f"W1ᵀ(ô − o) fails: {err}")
check.compare("∂E/∂z₁ with W₂ᵀ", (W2.T @ u) * mask, reference)

# Square sizes (n = d = K): the slipped formula runs and is simply wrong.
W1, W2, u, mask, reference = error_signals(n=3, d=3, K=3, seed=1)
check.compare("∂E/∂z₁ with W₂ᵀ (square)", (W2.T @ u) * mask, reference)
slipped = (W1.T @ u) * mask
rel_error = ((slipped - reference).abs().max() / reference.abs().max()).item()
assert rel_error > 1e-3
print(f"with n = d = K = 3 the W₁ᵀ version runs, but its relative error against autograd is {rel_error:.2f}")
