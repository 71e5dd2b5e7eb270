"""The step-by-step attention against PyTorch's fused kernel: outputs and gradients, float64, five mask kinds."""
import torch
import torch.nn.functional as F

from dlref import attention, check

torch.manual_seed(0)
B, H, L, S, E, E_v = 2, 3, 5, 7, 8, 4  # L ≠ S and E ≠ E_v, so no transposed shape can hide
q = torch.randn(B, H, L, E, dtype=torch.float64)
k = torch.randn(B, H, S, E, dtype=torch.float64)
v = torch.randn(B, H, S, E_v, dtype=torch.float64)
grad_out = torch.randn(B, H, L, E_v, dtype=torch.float64)  # a random upstream gradient

masks = {
    "no mask": {},
    "bool (L, S)": {"attn_mask": torch.rand(L, S) > 0.3},                 # True = may attend
    "bool (B, 1, 1, S)": {"attn_mask": torch.rand(B, 1, 1, S) > 0.3},     # key padding, broadcast over heads and queries
    "float (1, H, L, S)": {"attn_mask": torch.randn(1, H, L, S, dtype=torch.float64)},  # added to the scores
    "causal, L ≠ S": {"is_causal": True},
}
fused = []
for name, kwargs in masks.items():
    inputs = [t.clone().requires_grad_() for t in (q, k, v)]
    ref_inputs = [t.clone().requires_grad_() for t in (q, k, v)]
    out = attention.scaled_dot_product_attention(*inputs, **kwargs)  # the step-by-step path
    ref = F.scaled_dot_product_attention(*ref_inputs, **kwargs)
    out.backward(grad_out)
    ref.backward(grad_out)
    check.compare("output", out, ref, tol=1e-12, method=f"F.sdpa, {name}")
    for t, r, n in zip(inputs, ref_inputs, "qkv"):
        check.compare(f"∂L/∂{n}", t.grad, r.grad, tol=1e-12, method=f"F.sdpa, {name}")
    fast = attention.scaled_dot_product_attention(q, k, v, fast=True, **kwargs)
    fused.append((fast - ref).abs().max().item())
print(f"fast=True against F.sdpa, largest difference over the five mask kinds: {max(fused):.1e}")
assert max(fused) == 0.0  # the same kernel: bit for bit
