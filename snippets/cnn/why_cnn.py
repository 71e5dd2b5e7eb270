"""Why CNNs for images: far fewer parameters, and translation equivariance, both measured."""
import torch
from torch import nn

from dlref import check

torch.manual_seed(0)
C, H = 3, 32
conv = nn.Conv2d(C, 16, 5, padding=2, padding_mode="circular", bias=False).double()
dense = nn.Linear(C * H * H, 16 * H * H, bias=False).double()  # same input and output sizes, no sharing
n_conv = sum(p.numel() for p in conv.parameters())
n_dense = sum(p.numel() for p in dense.parameters())
print(f"{C}×{H}×{H} → 16×{H}×{H}: conv {n_conv:,} parameters, fully connected {n_dense:,} ({n_dense / n_conv:,.0f}×)")


def shift(t, dy, dx):  # move the image content down dy and right dx pixels (wrapping around)
    return torch.roll(t, shifts=(dy, dx), dims=(-2, -1))


x = torch.randn(1, C, H, H, dtype=torch.float64)
dy, dx = 3, 5


def rel(a, b):
    return ((a - b).abs().max() / b.abs().max()).item()


conv_err = rel(conv(shift(x, dy, dx)), shift(conv(x), dy, dx))
dense_map = lambda t: dense(t.flatten(1)).reshape(1, 16, H, H)  # noqa: E731
dense_err = rel(dense_map(shift(x, dy, dx)), shift(dense_map(x), dy, dx))
check.compare("conv(shift x) = shift(conv x)", conv(shift(x, dy, dx)), shift(conv(x), dy, dx),
              method="shifted output", tol=1e-12)
print(f"shift by ({dy}, {dx}) pixels: relative error of conv(shift x) vs shift(conv x) = {conv_err:.1e}; "
      f"for the fully connected layer {dense_err:.2f}")

# With zero padding (the usual choice) equivariance holds exactly away from the borders.
conv0 = nn.Conv2d(C, 16, 5, padding=2, bias=False).double()
conv0.weight.data = conv.weight.data
a, b = conv0(shift(x, dy, dx)), shift(conv0(x), dy, dx)
inner = (slice(None), slice(None), slice(dy + 2, H - 2), slice(dx + 2, H - 2))  # outputs whose windows never wrap
check.compare("zero padding, interior", a[inner], b[inner], method="shifted output", tol=1e-12)
print(f"zero padding: equal on the interior; {int(((a - b).abs() > 1e-9).sum())} of {a.numel()} outputs, near the "
      "borders and the wrap-around seam, differ")
