"""Without positional encodings, self-attention is permutation-equivariant: shuffle the tokens, the outputs shuffle alike."""
import torch

from dlref import attention, check

torch.manual_seed(0)
B, L, E, H = 2, 6, 16, 4
mha = attention.MultiheadAttention(E, H, dtype=torch.float64)
x = torch.randn(B, L, E, dtype=torch.float64)
perm = torch.randperm(L)
print("permutation π:", perm.tolist())


def self_attend(x, **kw):
    return mha(x, x, x, need_weights=False, **kw)[0]


# f(x_π) = f(x)_π: attention only compares tokens with each other, never looks at where they are.
check.compare("f(x_π) vs f(x)_π", self_attend(x[:, perm]), self_attend(x)[:, perm], tol=1e-12,
              method="permuted output")

# Add positions (sinusoids of the position index, as in the original Transformer) and it no longer holds.
pos = torch.arange(L, dtype=torch.float64)[:, None]
freq = 10000 ** (-torch.arange(0, E, 2, dtype=torch.float64) / E)
P = torch.zeros(L, E, dtype=torch.float64)
P[:, 0::2], P[:, 1::2] = torch.sin(pos * freq), torch.cos(pos * freq)  # (L, E)
with_pos = self_attend(x[:, perm] + P)  # the shuffled tokens get the positions of their new places
gap = ((with_pos - self_attend(x + P)[:, perm]).abs().max() / self_attend(x + P).abs().max()).item()
print(f"with positional encodings: relative difference between f(x_π + P) and f(x + P)_π = {gap:.2f}")
assert gap > 1e-2
gap_causal = ((self_attend(x[:, perm], is_causal=True) - self_attend(x, is_causal=True)[:, perm]).abs().max()).item()
print(f"with a causal mask (order enters through the mask): largest difference {gap_causal:.2f}")
assert gap_causal > 1e-2
