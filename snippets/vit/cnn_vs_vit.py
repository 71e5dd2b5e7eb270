"""CNN vs ViT, one executed check per question: order, parallelism, weight sharing, local vs global."""
import torch
from torch import nn
from torch.nn import functional as F

from dlref import check, vit

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
check.compare("ViT block, tokens one at a time in random order", one_by_one, all_at_once,
              method="all tokens at once", tol=1e-12, quiet=True)
# The same for the CNN: each output position is one dot product with the same kernel (im2col columns).
cols = F.unfold(img.detach(), 3, padding=1)  # (1, 9, 784): the 3×3 window of every position
w = cnn_layer.weight.detach().reshape(8, 9)  # (C_out, k·k)
by_position = torch.empty(8, cols.shape[-1], dtype=torch.float64)
for j in torch.randperm(cols.shape[-1]).tolist():  # positions one at a time, in random order
    by_position[:, j] = w @ cols[0, :, j] + cnn_layer.bias.detach()
check.compare("CNN, positions one at a time in random order", by_position.reshape(1, 8, 28, 28), cnn_out,
              method="nn.Conv2d on the whole image", tol=1e-12, quiet=True)
print(f"parallel: CNN, all {cols.shape[-1]} positions at once vs one at a time in random order, max difference "
      f"{(by_position.reshape(1, 8, 28, 28) - cnn_out.detach()).abs().max():.1e}")
assert same and same_cnn
print("\nsequential order: neither. Both layers give the same result whatever order their outputs are "
      "computed in, so both can compute them all at once; nothing in either is a sequence.")
print("weight sharing across locations: both. One kernel serves every position of the CNN; one patch "
      "embedding (and one Q/K/V and one MLP) serves every patch of the ViT: a moved patch gives the same token.")
