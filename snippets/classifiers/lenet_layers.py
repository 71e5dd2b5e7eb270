"""The LeNet-style network layer by layer, and what breaks with 3×3 kernels."""
import torch
from torch import nn

from dlref import conv_arithmetic
from dlref.conv_arithmetic import FC, Conv, Pool
from dlref.models import LeNet, count_parameters

spec = [Conv(6, 5), Pool(2), Conv(16, 5), Pool(2), FC(120), FC(84), FC(10)]
print(conv_arithmetic.format_table(conv_arithmetic.analyze(spec, (3, 32, 32)), (3, 32, 32)))
model = LeNet(3)
assert count_parameters(model) == sum(r.params for r in conv_arithmetic.analyze(spec, (3, 32, 32)))
print(f"\n{model}\n")

# Kernel size 3 with everything else unchanged: the flattened volume is no longer 16·5·5.
k3 = nn.Sequential(nn.Conv2d(3, 6, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
                   nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
try:
    k3(torch.zeros(1, 3, 32, 32))
except RuntimeError as err:
    print(f"kernel 3, FC still expecting 400 inputs → RuntimeError: {err}")
rows = conv_arithmetic.analyze([Conv(6, 3), Pool(2), Conv(16, 3), Pool(2)], (3, 32, 32))
flat = rows[-1].shape
print(f"with 3×3 kernels the volume before the FC layers is {flat} = {flat[0] * flat[1] * flat[2]} values")
fixed = LeNet(3, kernel_size=3)
print(f"fix 1: first FC layer takes {fixed.classifier[1].in_features} inputs → output "
      f"{tuple(fixed(torch.zeros(1, 3, 32, 32)).shape)}")
print("fix 2: a 3×3 kernel with dilation 2 covers the same 5×5 window and keeps every size "
      "(padding and stride: see the search below)")
dil = nn.Sequential(nn.Conv2d(3, 6, 3, dilation=2), nn.MaxPool2d(2), nn.Conv2d(6, 16, 3, dilation=2), nn.MaxPool2d(2))
print(f"       dilated 3×3: volume {tuple(dil(torch.zeros(1, 3, 32, 32)).shape[1:])}")
