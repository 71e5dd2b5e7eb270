"""Patches of a 224×224 RGB image, and patch embedding as a convolution with stride = kernel."""
import torch

from dlref import check, vit

H = W = 224
P, C, E = 16, 3, 64
x = torch.randn(2, C, H, W, dtype=torch.float64)
patches = vit.patchify(x, P)  # (B, N, C·P·P)
N, D = patches.shape[1:]
assert N == vit.num_patches(H, P) and D == C * P * P
print(f"{H}×{W} image, {P}×{P} patches: {N} patches = {H // P} × {W // P}; each flattened to {D} = {P}·{P}·{C} values")
check.compare("unpatchify(patchify(x))", vit.unpatchify(patches, P, (H, W), C), x, method="identity")

# The patch embedding is a Conv2d with kernel_size = stride = P ...
torch.manual_seed(0)
embed = vit.PatchEmbedding(C, E, P).double()
tokens = embed(x)  # (B, N, E)
# ... and equals one linear map applied to every flattened patch, with the conv's weights reshaped.
Wmat, b = embed.as_linear()  # (E, C·P·P), (E,)
check.compare("conv tokens = patches @ Wᵀ + b", tokens, patches @ Wmat.T + b, method="linear on patches", tol=1e-12)
print(f"tokens: {tuple(tokens.shape)} = (B, N, E); the embedding has {sum(p.numel() for p in embed.parameters()):,} "
      f"parameters = ({D} + 1)·{E}, shared by all {N} patches")
