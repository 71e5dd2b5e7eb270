"""A reference that fills an (L, S) bias in place before adding it: fine for one mask, wrong for batched ones."""
import math

import torch
import torch.nn.functional as F

from dlref import attention, check


def bias_first(q, k, v, attn_mask):
    """Scores plus an additive bias built as an (L, S) tensor and filled in place from the mask."""
    L, S = q.size(-2), k.size(-2)
    bias = torch.zeros(L, S, dtype=q.dtype)
    if attn_mask.dtype == torch.bool:
        bias.masked_fill_(~attn_mask, float("-inf"))  # in place: the result must keep the shape (L, S)
    else:
        bias = bias + attn_mask
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1)) + bias  # (B, H, L, S)
    return torch.softmax(scores, dim=-1) @ v


torch.manual_seed(0)
B, H, L, S, E = 2, 2, 3, 4, 8
q, k, v = torch.randn(B, H, L, E), torch.randn(B, H, S, E), torch.randn(B, H, S, E)
per_batch = torch.rand(B, 1, L, S) > 0.3  # e.g. padding that differs between the two sequences
per_batch[..., 0] = True                 # every query keeps at least one key

check.compare("(L, S) bool mask", bias_first(q, k, v, per_batch[0, 0]), F.scaled_dot_product_attention(q, k, v, attn_mask=per_batch[0, 0]),
              tol=1e-5, method="F.sdpa (float32)")
try:
    bias_first(q, k, v, per_batch)
except RuntimeError as err:
    print(f"(B, 1, L, S) bool mask: RuntimeError: {err}")
check.compare("dlref, (B, 1, L, S)", attention.scaled_dot_product_attention(q, k, v, attn_mask=per_batch),
              F.scaled_dot_product_attention(q, k, v, attn_mask=per_batch), tol=1e-5, method="F.sdpa (float32)")
