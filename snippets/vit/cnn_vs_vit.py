"""CNN vs ViT, one executed check per question: order, parallelism, weight sharing, local vs global."""
import torch
from torch import nn

from dlref import vit

torch.manual_seed(0)
img = torch.rand(1, 1, 28, 28, dtype=torch.float64, requires_grad=True)
cnn_layer = nn.Conv2d(1, 8, 3, padding=1).double()
vit_layer = nn.Sequential(vit.PatchEmbedding(1, 32, 7), vit.Block(32, 4)).double()

# Local vs global: which input pixels can change one output after one layer?
cnn_out = cnn_layer(img)  # (1, 8, 28, 28)
(g_cnn,) = torch.autograd.grad(cnn_out[0, :, 14, 14].sum(), img)
vit_out = vit_layer(img)  # (1, 16 tokens, 32)
(g_vit,) = torch.autograd.grad(vit_out[0, 5].sum(), img)  # token 5 = the patch at row 1, column 1
print("local/global: input pixels with non-zero gradient for one output after one layer:")
print(f"  CNN (3×3 conv): {int((g_cnn != 0).sum())} of {img.numel()}")
print(f"  ViT (patch embedding + one attention block): {int((g_vit != 0).sum())} of {img.numel()}")

# Weight sharing: the same weights process every location.
#  CNN: one kernel slides over every position. ViT: the patch embedding, Q/K/V and MLP are one
#  Linear applied to every token. Move a patch and its token moves with it, unchanged.
embed = vit_layer[0]
tokens = embed(img)  # (1, 16, 32)
moved = img.detach().clone()
moved[..., 0:7, 0:7], moved[..., 21:28, 21:28] = img[..., 21:28, 21:28], img[..., 0:7, 0:7]
same = torch.allclose(embed(moved)[0, 0], tokens[0, 15]) and torch.allclose(embed(moved)[0, 15], tokens[0, 0])
print(f"\nweight sharing: ViT patch embedding gives a swapped patch the same token: {same}")
k = cnn_layer(moved)[0, :, 3, 3]
same_cnn = torch.allclose(k, cnn_out[0, :, 24, 24])
print(f"weight sharing: CNN output at the swapped location equals the original one's: {same_cnn}")

# Parallel: every output of a layer is computed from the previous layer only, so positions can be
# evaluated in any order, or all at once; the result does not depend on the order.
block = vit_layer[1].eval()
h = tokens.detach()
all_at_once = block(h)
one_by_one = torch.empty_like(all_at_once)
for i in torch.randperm(h.shape[1]).tolist():  # queries one at a time, in random order
    q = block.norm1(h[:, i : i + 1])
    kv = block.norm1(h)
    a = h[:, i : i + 1] + block.attn(q, kv, kv, need_weights=False)[0]
    one_by_one[:, i : i + 1] = a + block.mlp(block.norm2(a))
print(f"\nparallel: ViT block, all 16 tokens at once vs one at a time in random order, max difference "
      f"{(all_at_once - one_by_one).abs().max():.1e}")
print("  (a CNN's outputs are independent dot products too: both process patches in parallel; neither is sequential)")
