"""Multi-head attention is a reshape: H small attentions on column blocks = one (B, H, L, E/H) batch."""
import torch

from dlref import attention, check

torch.manual_seed(0)
B, L, E, H = 2, 4, 12, 3
mha = attention.MultiheadAttention(E, H, dtype=torch.float64)
x = torch.randn(B, L, E, dtype=torch.float64)
q, k, v = mha.q_proj(x), mha.k_proj(x), mha.v_proj(x)  # each (B, L, E)

# By hand: head h owns features h·E/H … (h+1)·E/H − 1 of each projection.
d = E // H
heads = [attention.scaled_dot_product_attention(q[..., h * d:(h + 1) * d], k[..., h * d:(h + 1) * d],
                                                v[..., h * d:(h + 1) * d]) for h in range(H)]  # H × (B, L, E/H)
by_hand = mha.out_proj(torch.cat(heads, dim=-1))  # concatenate the heads back to (B, L, E), then W_o

# The layer: one view + transpose puts the heads in a batch dimension.
q4 = q.view(B, L, H, d)       # (B, L, E) -> (B, L, H, E/H): split the features, no copy
q4 = q4.transpose(1, 2)       # -> (B, H, L, E/H): heads become a batch dim
print(f"q {tuple(q.shape)} -> view {tuple(q.view(B, L, H, d).shape)} -> transpose {tuple(q4.shape)}")
out, _ = mha(x, x, x, need_weights=False)
check.compare("concat of H heads", out, by_hand, tol=1e-12, method="per-head loop")
count = {h: sum(p.numel() for p in attention.MultiheadAttention(E, h).parameters()) for h in (1, 2, 3, 4, 6)}
assert set(count.values()) == {4 * E * E + 4 * E}  # four E×E projections and their biases, whatever H is
print(f"parameters for E = {E} and H = 1, 2, 3, 4, 6: {list(count.values())} (= 4E² + 4E every time)")
