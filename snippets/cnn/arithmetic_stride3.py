"""205×205×10 → 66×66×96 with stride 3: which kernel sizes fit, and their parameters and multiplications."""
import torch
from torch import nn

from dlref import check, conv_arithmetic
from dlref.conv_arithmetic import Conv

H_in, C_in, H_out, C_out, s = 205, 10, 66, 96, 3
found = conv_arithmetic.solve_geometry(H_in, H_out, kernel_sizes=range(1, 40), strides=[s], paddings=[0])
print(f"kernel sizes that give {H_out} from {H_in} with stride {s}, no padding: {[k for k, _, _ in found]}")
print(f"{'k':>3} {'exact (no floor)':>16} {'parameters':>11} {'multiplications':>16}")
for k, _, p in found:
    (row,) = conv_arithmetic.analyze([Conv(C_out, k, stride=s, padding=p)], (C_in, H_in, H_in))
    m = nn.Conv2d(C_in, C_out, k, s, p)
    assert m(torch.zeros(1, C_in, H_in, H_in)).shape[1:] == (C_out, H_out, H_out)
    check.compare(f"k={k} params", row.params, sum(q.numel() for q in m.parameters()), method="torch numel", tol=1e-15)
    check.compare(f"k={k} mults", row.mults, conv_arithmetic.count_multiplications(m, (C_in, H_in, H_in)),
                  method="FlopCounterMode / 2", tol=1e-15)
    exact = (H_in - k) % s == 0
    print(f"{k:>3} {str(exact):>16} {row.params:>11,} {row.mults:>16,}")
print("\nOnly one kernel size makes (205 − k)/3 an integer; with the floor that nn.Conv2d applies, "
      f"{len(found)} kernel sizes produce the same {H_out}×{H_out} output.")
