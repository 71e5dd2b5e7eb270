"""The DCGAN paper's 64×64 pair: every layer's output shape, the weights counted two ways, the initialisation."""
import torch
from torch import nn

from dlref.gan.models import DCGAN64Discriminator, DCGAN64Generator

torch.manual_seed(0)
z_dim, C, w = 100, 3, 64  # the paper's noise size, colour images, ngf = ndf = 64
G, D = DCGAN64Generator(z_dim, C, w), DCGAN64Discriminator(C, w)


def trace(net, x, kinds):
    """(layer, output shape) of every layer of the given kinds, for one input."""
    rows = []
    hooks = [m.register_forward_hook(lambda m, i, o: rows.append((type(m).__name__, tuple(o.shape[1:]))))
             for m in net.modules() if isinstance(m, kinds)]
    net(x)
    for h in hooks:
        h.remove()
    return rows


z = torch.randn(2, z_dim)
print(f"G: z {tuple(z.shape[1:])}")
for name, shape in trace(G, z, (nn.ConvTranspose2d, nn.Tanh)):
    print(f"   → {name:<16} {shape}")
x = G(z).detach()
print(f"D: x {tuple(x.shape[1:])}")
for name, shape in trace(D, x, (nn.Conv2d, nn.Flatten)):
    print(f"   → {name:<16} {shape}")

# Weights by hand: 4×4 kernels, no biases; batch norm has a scale and a shift per channel.
g_formula = 16 * (z_dim * 8 * w + 8 * w * 4 * w + 4 * w * 2 * w + 2 * w * w + w * C) + 2 * (8 + 4 + 2 + 1) * w
d_formula = 16 * (C * w + w * 2 * w + 2 * w * 4 * w + 4 * w * 8 * w + 8 * w) + 2 * (2 + 4 + 8) * w
g_count, d_count = (sum(p.numel() for p in net.parameters()) for net in (G, D))
assert (g_count, d_count) == (g_formula, d_formula)
print(f"\nweights: G {g_count:,} (formula {g_formula:,}), D {d_count:,} (formula {d_formula:,})")

convs = torch.cat([m.weight.flatten() for net in (G, D) for m in net.modules()
                   if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))])
scales = torch.cat([m.weight for net in (G, D) for m in net.modules() if isinstance(m, nn.BatchNorm2d)])
print(f"convolution weights: mean {convs.mean():+.5f}, std {convs.std():.5f} over {convs.numel():,} "
      f"(paper: N(0, 0.02²)); batch-norm scales: mean {scales.mean():.4f}, std {scales.std():.4f}")
