"""A query with nothing to attend to: NaN from a plain softmax, zeros from PyTorch's kernel and from dlref."""
import math

import torch
import torch.nn.functional as F

from dlref import attention, check

torch.manual_seed(0)
L, S, E = 3, 4, 5
q, k, v = (torch.randn(L if n == "q" else S, E, dtype=torch.float64, requires_grad=True) for n in "qkv")
allowed = torch.ones(L, S, dtype=torch.bool)
allowed[1] = False  # query 2 may attend to no key at all


def plain(q, k, v):  # textbook softmax, nothing special for an all −∞ row
    scores = (q @ k.T / math.sqrt(E)).masked_fill(~allowed, float("-inf"))  # (L, S)
    return torch.softmax(scores, dim=-1) @ v


print(f"{'implementation':<31} {'row 2 of the output':<22} {'loss':<7} {'NaN in ∂L/∂v?'}")
outputs = {}
for name, fn in (("plain softmax", plain),
                 ("F.scaled_dot_product_attention", lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=allowed)),
                 ("dlref step-by-step", lambda q, k, v: attention.scaled_dot_product_attention(q, k, v, attn_mask=allowed))):
    out = fn(q, k, v)
    loss = out.sum()
    gk, gv = torch.autograd.grad(loss, (k, v))
    outputs[name] = (out.detach(), gk, gv)
    row = str([round(x, 3) for x in out[1].tolist()[:3]])[:-1] + ", …]"
    print(f"{name:<31} {row:<22} {loss.item():<7.3f} {bool(gv.isnan().any())}")

mha = torch.nn.MultiheadAttention(E - 1, 2, batch_first=True, dtype=torch.float64)
x = torch.randn(1, S, E - 1, dtype=torch.float64)
out, _ = mha(x, x, x, key_padding_mask=torch.ones(1, S, dtype=torch.bool))  # every key is padding
print(f"{'nn.MultiheadAttention':<31} {'all NaN' if out.isnan().all() else 'finite':<22} (every key of the sequence padded)")

ref_out, ref_gk, _ = outputs["F.scaled_dot_product_attention"]
check.compare("output, row 2 = 0", outputs["dlref step-by-step"][0], ref_out, tol=1e-12, method="F.sdpa")
check.compare("∂L/∂k", outputs["dlref step-by-step"][1], ref_gk, tol=1e-12, method="F.sdpa")
check.compare("∂L/∂v", outputs["dlref step-by-step"][2], outputs["F.scaled_dot_product_attention"][2], tol=1e-12, method="F.sdpa")
assert (ref_out[1] == 0).all(), "PyTorch's behaviour changed"
assert outputs["plain softmax"][0][1].isnan().all() and outputs["plain softmax"][2].isnan().any()
assert out.isnan().all(), "nn.MultiheadAttention's behaviour changed"
