"""dlref's MultiheadAttention against torch.nn.MultiheadAttention: output, weights and every gradient (float64)."""
import torch

from dlref import attention, check

torch.manual_seed(0)
B, L, E, H = 2, 5, 12, 3
ref = torch.nn.MultiheadAttention(E, H, batch_first=True, dtype=torch.float64)
with torch.no_grad():  # PyTorch starts its biases at zero; random ones make their gradients informative
    ref.in_proj_bias.normal_()
    ref.out_proj.bias.normal_()
ours = attention.MultiheadAttention.from_torch(ref)  # the same numbers, split into q/k/v/out projections
print(ours)

x = torch.randn(B, L, E, dtype=torch.float64, requires_grad=True)
padding = torch.tensor([[False] * 5, [False] * 3 + [True] * 2])  # (B, S): True = padding, as in PyTorch
causal = ~attention.causal_mask(L, L)  # PyTorch's nn.MultiheadAttention: True = NOT allowed
grad = torch.randn(B, L, E, dtype=torch.float64)

out_ref, w_ref = ref(x, x, x, key_padding_mask=padding, attn_mask=causal, average_attn_weights=False)
out, w = ours(x, x, x, key_padding_mask=padding, is_causal=True, average_attn_weights=False)
check.compare("output", out, out_ref, tol=1e-12, method="nn.MultiheadAttention")
check.compare("weights (B,H,L,S)", w, w_ref, tol=1e-12, method="nn.MultiheadAttention")
(gx_ref,) = torch.autograd.grad(out_ref, x, grad, retain_graph=True)
(gx,) = torch.autograd.grad(out, x, grad, retain_graph=True)
check.compare("∂L/∂x", gx, gx_ref, tol=1e-12, method="nn.MultiheadAttention")
out_ref.backward(grad)
out.backward(grad)
W_q, W_k, W_v = ref.in_proj_weight.grad.split(E)  # PyTorch stacks the three projections into (3E, E)
b_q, b_k, b_v = ref.in_proj_bias.grad.split(E)
for name, mine, theirs in (("∂L/∂W_q", ours.q_proj.weight.grad, W_q), ("∂L/∂W_k", ours.k_proj.weight.grad, W_k),
                           ("∂L/∂W_v", ours.v_proj.weight.grad, W_v), ("∂L/∂W_o", ours.out_proj.weight.grad, ref.out_proj.weight.grad),
                           ("∂L/∂b_q", ours.q_proj.bias.grad, b_q), ("∂L/∂b_v", ours.v_proj.bias.grad, b_v), ("∂L/∂b_o", ours.out_proj.bias.grad, ref.out_proj.bias.grad)):
    check.compare(name, mine, theirs, tol=1e-12, method="nn.MultiheadAttention")

# The key bias adds q·b_k to every score of a row; softmax ignores such shifts, so ∂L/∂b_k = 0 exactly.
print(f"∂L/∂b_k: largest entry {ours.k_proj.bias.grad.abs().max().item():.1e} here, {b_k.abs().max().item():.1e} in PyTorch "
      f"(zero up to round-off; ∂L/∂b_q is {b_q.abs().max().item():.1e} for scale)")
assert ours.k_proj.bias.grad.abs().max() < 1e-12 and b_k.abs().max() < 1e-12

out_fast, none = ours(x, x, x, key_padding_mask=padding, is_causal=True, need_weights=False, fast=True)
check.compare("output, fast=True", out_fast, out_ref, tol=1e-12, method="nn.MultiheadAttention")
print(f"weights returned: {tuple(w.shape)} per head; averaged over heads: {tuple(ours(x, x, x)[1].shape)}")
