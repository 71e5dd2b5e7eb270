"""LeNet with 3×3 kernels: what happens to the receptive field, and which paddings/strides restore 16×5×5."""
import torch
from torch import nn

from dlref import check, conv_arithmetic
from dlref.conv_arithmetic import Conv, Pool

torch.set_grad_enabled(False)

# Receptive field of one value of the last pooled map (the FC layer's input), before and after.
for k in (5, 3):
    stack = [Conv(6, k), Pool(2), Conv(16, k), Pool(2)]
    closed = conv_arithmetic.receptive_field([k, 2, k, 2], [1, 2, 1, 2])
    with torch.enable_grad():
        measured = conv_arithmetic.measured_receptive_field(stack, in_channels=3)
    check.compare(f"LeNet k={k} receptive field", closed, measured, method="input gradient", tol=1e-15, quiet=True)
    shape = conv_arithmetic.analyze(stack, (3, 32, 32))[-1].shape
    print(f"kernel {k}: each value before the FC layers sees {closed}×{closed} input pixels (measured from "
          f"the gradient: {measured}×{measured}); the volume is {shape[0]}×{shape[1]}×{shape[2]} = "
          f"{shape[0] * shape[1] * shape[2]} values")
rf5, rf3 = conv_arithmetic.receptive_field([5, 2, 5, 2], [1, 2, 1, 2]), conv_arithmetic.receptive_field([3, 2, 3, 2], [1, 2, 1, 2])
assert rf3 < rf5
print(f"→ 3×3 kernels shrink the receptive field ({rf5}×{rf5} → {rf3}×{rf3}) and enlarge the output volume.\n")


def lenet_k3(s1, p1, s2, p2):
    """The two conv stages of LeNet with 3×3 kernels and the given strides and paddings; pools unchanged."""
    return nn.Sequential(nn.Conv2d(3, 6, 3, s1, p1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(6, 16, 3, s2, p2), nn.ReLU(), nn.MaxPool2d(2))


def padding_use(net, x):
    """For each conv: (outputs per channel whose 3×3 window lies entirely in the padding, real pixels seen by a
    corner output, outputs per channel)."""
    out = []
    for m in net:
        if isinstance(m, nn.Conv2d):
            probe = nn.Conv2d(1, 1, 3, m.stride, m.padding, bias=False)
            nn.init.ones_(probe.weight)
            seen = probe(torch.ones(1, 1, *x.shape[-2:]))  # real pixels inside each output's window
            out.append((int((seen == 0).sum()), int(seen[0, 0, 0, 0]), seen.numel()))
        x = m(x)
    return out


# Exhaustive search with real modules: strides 1–3 and paddings 0–9 on each conv.
x = torch.zeros(1, 3, 32, 32)
strides, paddings = range(1, 4), range(10)
found = []
for s1 in strides:
    for p1 in paddings:
        for s2 in strides:
            for p2 in paddings:
                net = lenet_k3(s1, p1, s2, p2)
                try:
                    y = net(x)
                except RuntimeError:  # a map shrank below the kernel or pool size
                    continue
                if tuple(y.shape[1:]) == (16, 5, 5):
                    found.append((max(p1, p2), p1 + p2, s1, p1, s2, p2))
found.sort()
n = (len(strides) * len(paddings)) ** 2
print(f"searched {n} combinations (strides {strides.start}–{strides.stop - 1}, paddings {paddings.start}–"
      f"{paddings.stop - 1} on each 3×3 conv, run through nn.Conv2d and nn.MaxPool2d); "
      f"{len(found)} give the 16×5×5 = 400 inputs the FC layer expects")
print(f"{'conv1 s, p':>10} {'conv2 s, p':>10} {'outputs that see only padding':>30} {'corner output sees':>19}")
for _, _, s1, p1, s2, p2 in found[:6]:
    net = lenet_k3(s1, p1, s2, p2)
    assert tuple(net(x).shape[1:]) == (16, 5, 5)
    (z1, c1, _), (z2, c2, _) = padding_use(net, x)
    print(f"{s1:>6}, {p1:<3} {s2:>6}, {p2:<3} {f'{z1} + {z2}':>30} {f'{c1} and {c2} of 9':>19}")
same = [f for f in found if f[0] <= 1]  # "same" padding for a 3×3 kernel is (3 − 1)/2 = 1
assert not same
assert all(s1 > 1 or s2 > 1 for *_, s1, _, s2, _ in found)  # stride 1 on both convs never shrinks enough
least = found[0][0]
assert least == 3 - 1  # full padding
n_absurd = sum(f[0] > 2 for f in found)
assert n_absurd > len(found) / 2
s1, p1, s2, p2 = found[0][2:]
rf = conv_arithmetic.receptive_field([3, 2, 3, 2], [s1, 2, s2, 2])
print(f"\nPossible, but not with ordinary padding: no combination works with 'same' padding (1) on both convs; "
      f"the least padding that works is {least} = k − 1 on one conv (full padding, where a corner output "
      f"sees one real pixel of nine), together with a stride of 2; {n_absurd} of the {len(found)} combinations "
      f"need padding 3 or more, which makes some outputs see nothing but zeros. (The first row's receptive field "
      f"is {rf}×{rf}, against {rf5}×{rf5} for the original.)")
second_only = lenet_k3(1, 0, 2, 3)  # first conv unchanged; stride 2 and padding 3 on the second
_, (z2, _, n2) = padding_use(second_only, x)
print(f"Keeping the first conv and giving the second stride 2 also works only with padding 3: "
      f"{z2} of its {n2} outputs per channel see only padding.")
