"""Bad input gets an error that names the shapes; PyTorch's CPU kernel lets one mismatch through."""
import torch
import torch.nn.functional as F

from dlref import attention

q, k, v = torch.randn(2, 4, 8), torch.randn(2, 6, 8), torch.randn(2, 6, 8)
cases = {
    "head dims differ": lambda: attention.scaled_dot_product_attention(q, torch.randn(2, 6, 5), v),
    "mask cannot broadcast": lambda: attention.scaled_dot_product_attention(q, k, v, attn_mask=torch.ones(4, 5, dtype=torch.bool)),
    "integer mask": lambda: attention.scaled_dot_product_attention(q, k, v, attn_mask=torch.ones(4, 6, dtype=torch.int64)),
    "mixed dtypes": lambda: attention.scaled_dot_product_attention(q, k.double(), v),
    "batch sizes": lambda: attention.scaled_dot_product_attention(q, torch.randn(3, 6, 8), torch.randn(3, 6, 8), fast=True),
    "MHA padding mask": lambda: attention.MultiheadAttention(8, 2)(q, k, v, key_padding_mask=torch.zeros(2, 4, dtype=torch.bool)),
}
for name, call in cases.items():
    try:
        call()
    except (TypeError, ValueError) as err:
        print(f"{name:<22} {type(err).__name__}: {err}")
    else:
        raise AssertionError(f"{name}: no error")

short_v = torch.randn(2, 5, 8)  # S = 5 values for S = 6 keys
out = F.scaled_dot_product_attention(q, k, short_v)
print(f"\nF.scaled_dot_product_attention with k {tuple(k.shape)} and v {tuple(short_v.shape)}: no error, output {tuple(out.shape)}")
try:
    attention.scaled_dot_product_attention(q, k, short_v, fast=True)
except ValueError as err:
    print(f"dlref, fast=True: ValueError: {err}")
