"""The CONV/POOL/FC table: shapes, parameters and multiplications, each checked against torch.nn."""
import torch
from torch import nn

from dlref import check, conv_arithmetic
from dlref.conv_arithmetic import FC, Conv, Pool

# CONV5-N: N filters 5×5×D, padding 2, stride 1; POOL2: 2×2 max-pool, stride 2; input 32×32×1.
layers = [Conv(10, 5, padding=2), Pool(2), Conv(10, 5, padding=2), Pool(2), FC(10)]
input_shape = (1, 32, 32)  # (C, H, W)
rows = conv_arithmetic.analyze(layers, input_shape)
print(conv_arithmetic.format_table(rows, input_shape))
print()

# The same stack as real modules: push one image through and read each layer's shape and numel().
net = conv_arithmetic.to_torch(layers, input_shape)
x = torch.zeros(1, *input_shape)
measured = []  # (shape, parameters) after each Conv / Pool / Linear module
for module in net:
    x = module(x)
    if not isinstance(module, (nn.ReLU, nn.Flatten)):
        measured.append((tuple(x.shape[1:]), sum(p.numel() for p in module.parameters())))
for row, (shape, n_params) in zip(rows, measured, strict=True):
    assert row.shape == shape, (row.name, row.shape, shape)
    check.compare(f"{row.name} params", row.params, n_params, method="torch numel", tol=1e-15)
check.compare("total mults", sum(r.mults for r in rows), conv_arithmetic.count_multiplications(net, input_shape),
              method="FlopCounterMode / 2", tol=1e-15)
print(f"\nevery activation volume above equals the shape a real forward pass produced; "
      f"total parameters {sum(r.params for r in rows):,}")
