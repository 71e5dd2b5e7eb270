"""64×64×32 → k = 3 conv with 64 filters: the output size, and every (stride, padding) giving 32×32."""
import torch
from torch import nn

from dlref import check, conv_arithmetic
from dlref.conv_arithmetic import Conv

C_in, H, C_out, k = 32, 64, 64, 3
(row,) = conv_arithmetic.analyze([Conv(C_out, k)], (C_in, H, H))
out = nn.Conv2d(C_in, C_out, k)(torch.zeros(1, C_in, H, H))
assert tuple(out.shape[1:]) == row.shape
print(f"(i) no padding, stride 1: {H}×{H}×{C_in} → {row.shape[1]}×{row.shape[2]}×{row.shape[0]} (H×W×C), "
      f"{row.params:,} parameters")

# (ii) Exhaustive search, then each answer run through a real nn.Conv2d.
found = conv_arithmetic.solve_geometry(H, 32, kernel_sizes=[k], strides=range(1, 6), paddings=range(0, 80))
print(f"\n(ii) all (stride, padding) with stride ≤ 5, padding < 80 that give 32×32:")
print(f"{'stride':>6} {'padding':>7} {'outputs that see only padding':>30}")
for _, s, p in found:
    m = nn.Conv2d(1, 1, k, s, p, bias=False)
    nn.init.ones_(m.weight)
    y = m(torch.ones(1, 1, H, H))  # an output is 0 exactly when its whole window lies in the padding
    assert y.shape[-1] == 32
    print(f"{s:>6} {p:>7} {int((y == 0).sum()):>23} of {y.numel()}")
check.compare("64→32 answers", len(found),
              sum(nn.Conv2d(1, 1, k, s, p)(torch.zeros(1, 1, H, H)).shape[-1] == 32
                  for s in range(1, 6) for p in range(80)),
              method="brute force nn.Conv2d", tol=1e-15)
print(f"\nA practitioner picks stride 2 and padding {(k - 1) // 2} = (k−1)/2: the smallest padding that works, "
      "every output sees real pixels, and it halves the map the way pooling would.")
# The seed's arithmetic, recomputed: its equation divides by 2 but its answer uses stride 3.
s_seed, p_seed = 3, 16
print(f"the worked solution states p = {p_seed}, s = {s_seed}: output side "
      f"{conv_arithmetic.output_size(H, k, s_seed, p_seed)}, but its equation used s = 2, for which p = {p_seed} gives "
      f"{conv_arithmetic.output_size(H, k, 2, p_seed)}")
