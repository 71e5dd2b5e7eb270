"""Attention without positions is permutation-equivariant; a ViT without positions ignores patch order."""
import torch

from dlref import check, vit
from dlref.attention import MultiheadAttention

torch.manual_seed(0)
B, N, E = 2, 7, 16
x = torch.randn(B, N, E, dtype=torch.float64)
perm = torch.randperm(N)
mha = MultiheadAttention(E, 4).double()
out = mha(x, x, x)[0]  # (B, N, E)
out_perm = mha(x[:, perm], x[:, perm], x[:, perm])[0]
check.compare("MHA(x[perm]) = MHA(x)[perm]", out_perm, out[:, perm], method="permuted output", tol=1e-12)

# A whole ViT: shuffle the patches of an image (pixels inside each patch untouched).
img = torch.rand(3, 1, 28, 28, dtype=torch.float64)
shuffled_patches = vit.patchify(img, 7)[:, torch.randperm(16)]
img_shuffled = vit.unpatchify(shuffled_patches, 7, (28, 28), 1)
print(f"\nfraction of pixels that moved when the 16 patches were shuffled: {(img != img_shuffled).double().mean():.2f}")
for positions in ("none", "learned", "sincos"):
    torch.manual_seed(1)
    model = vit.ViT(28, 7, 1, 10, dim=32, depth=2, heads=4, positions=positions).double().eval()
    if positions == "learned":  # trained positions are not zero; make sure these are visible
        torch.nn.init.normal_(model.pos, std=1.0)
    change = (model(img_shuffled) - model(img)).abs().max().item()
    print(f"positions = {positions:<8}: largest change of a logit after shuffling the patches = {change:.2e}")
    if positions == "none":
        check.compare("ViT without positions: shuffled = original", model(img_shuffled), model(img),
                      method="same logits", tol=1e-12)
    else:
        assert change > 1e-3
