"""1×1 convolutions and depthwise-separable convolutions: parameter counts from real modules."""
import torch
from torch import nn

from dlref import check, conv_arithmetic
from dlref.conv_arithmetic import Conv

# A 1×1 convolution is a linear layer applied to the channel vector of every pixel.
torch.manual_seed(0)
x = torch.randn(2, 16, 5, 5, dtype=torch.float64)
pw = nn.Conv2d(16, 8, 1).double()
lin = nn.Linear(16, 8).double()
lin.weight.data = pw.weight.data.reshape(8, 16)
lin.bias.data = pw.bias.data
check.compare("1×1 conv = per-pixel Linear", pw(x), lin(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2),
              method="nn.Linear", tol=1e-12)

print(f"\n{'C_in':>5} {'C_out':>5} {'k':>2} {'standard':>10} {'separable':>10} {'ratio':>7} "
      f"{'1/C_out + 1/k²':>14} {'1/C_out':>8}")
for C_in, C_out, k in [(32, 64, 3), (64, 128, 3), (256, 256, 3), (256, 256, 5), (512, 512, 7)]:
    shape = (C_in, 32, 32)
    std = conv_arithmetic.analyze([Conv(C_out, k, padding=k // 2, bias=False)], shape)
    sep = conv_arithmetic.analyze([Conv(C_in, k, padding=k // 2, groups=C_in, bias=False), Conv(C_out, 1, bias=False)], shape)
    n_std, n_sep = std[0].params, sum(r.params for r in sep)
    modules = conv_arithmetic.to_torch([Conv(C_in, k, padding=k // 2, groups=C_in, bias=False), Conv(C_out, 1, bias=False)],
                            shape, activation=None)
    assert n_sep == sum(p.numel() for p in modules.parameters())
    assert n_std == nn.Conv2d(C_in, C_out, k, bias=False).weight.numel()
    ratio = n_sep / n_std
    assert abs(ratio - (1 / C_out + 1 / k**2)) < 1e-12  # exact without biases
    print(f"{C_in:>5} {C_out:>5} {k:>2} {n_std:>10,} {n_sep:>10,} {ratio:>7.4f} {1 / C_out + 1 / k**2:>14.4f} "
          f"{1 / C_out:>8.4f}")
print("\nThe saving is 1/C_out + 1/k² exactly (no biases): for a 3×3 kernel it approaches 1/9, not 1/C_out.")
