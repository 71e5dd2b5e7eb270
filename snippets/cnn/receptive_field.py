"""Receptive field: closed form, recursion and the non-zero region of an input gradient agree."""
import torch

from dlref import check, conv_arithmetic
from dlref.lab import figures
from dlref.conv_arithmetic import Conv, Pool

stacks = {
    "3 × CONV3": [Conv(1, 3), Conv(1, 3), Conv(1, 3)],
    "LeNet convs": [Conv(6, 5), Pool(2), Conv(16, 5), Pool(2)],
    "CONV3 s2 ×3": [Conv(1, 3, stride=2, padding=1)] * 3,
    "VGG-ish": [Conv(1, 3, padding=1), Conv(1, 3, padding=1), Pool(2), Conv(1, 3, padding=1), Pool(2)],
    "mixed": [Conv(1, 7, stride=2, padding=3), Pool(3, 2, 1), Conv(1, 3), Conv(1, 5, stride=3)],
}
print(f"{'stack':<13} {'kernels':<16} {'strides':<16} {'closed form':>11} {'recursion':>9} {'measured':>8}")
for name, layers in stacks.items():
    ks = [layer.kernel_size for layer in layers]
    ss = [layer.stride or layer.kernel_size for layer in layers]
    closed = conv_arithmetic.receptive_field(ks, ss)
    recursive = conv_arithmetic.analyze(layers, (1, 256, 256))[-1].rf  # RF_n = RF_{n−1} + (k_n − 1)·Π s_j
    measured = conv_arithmetic.measured_receptive_field(layers)
    check.compare(f"RF {name}", closed, measured, method="input gradient", tol=1e-15, quiet=True)
    assert closed == recursive
    print(f"{name:<13} {str(ks):<16} {str(ss):<16} {closed:>11} {recursive:>9} {measured:>8}")
print("(every row: closed form = recursion = measured; checks recorded)")

# The gradient of one output pixel of "3 × CONV3" with all weights 1: a 7×7 square, heavier in the middle.
net = conv_arithmetic.to_torch(stacks["3 × CONV3"], (1, 15, 15), activation=None).double()
for m in net:
    torch.nn.init.ones_(m.weight)
    torch.nn.init.zeros_(m.bias)
x = torch.zeros(1, 1, 15, 15, dtype=torch.float64, requires_grad=True)
out = net(x)
out[0, 0, 4, 4].backward()
g = x.grad[0, 0]
side = int((g.abs().sum(0) > 0).sum())
print(f"\nnon-zero gradient region of output pixel (4, 4): {side}×{side} input pixels")
fig, ax = figures.new(width=4.2, height=3.6)
im = ax.imshow(g.numpy(), cmap="viridis")
fig.colorbar(im, ax=ax, label="∂ out[4, 4] / ∂ x (all weights 1)")
ax.set_xlabel("input column (pixels)")
ax.set_ylabel("input row (pixels)")
figures.show(fig, "receptive-field-gradient",
             "Gradient of one output pixel of three stacked 3×3 convolutions with respect to the input: the non-zero "
             "square is the receptive field; central pixels reach the output along more paths.")
