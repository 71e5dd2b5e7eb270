"""The conv discriminator by hand, recomputed: σ of the stated logit, channel pairing, the stated feature maps."""
import torch
from torch.nn import functional as F

from dlref import check

# 1. The probability. The worked solution's logit and the probability it states for it.
m_stated, p_stated = 11.9786, 0.999
m = torch.tensor(m_stated, dtype=torch.float64)
p = torch.sigmoid(m)
check.compare("σ(m)", p, 1 / (1 + torch.exp(-m)), method="1/(1 + e^−m)", tol=1e-15, quiet=True)
gap, gap_stated = (1 - p).item(), 1 - p_stated
assert round(p.item(), 4) == 1.0 and gap_stated / gap > 100
print(f"σ({m_stated}) = {p.item():.8f}: 1 − σ(m) = {gap:.2e}, not the {gap_stated:.0e} that "
      f"{p_stated} implies ({gap_stated / gap:.0f}× too large). The loss −log σ(m) = {-torch.log(p).item():.2e} "
      f"(−log {p_stated} = {-torch.log(torch.tensor(p_stated)).item():.2e}), and the gradient at the logit, "
      f"σ(m) − 1, is off by the same factor.\n")

# 2. Channel pairing. Output = Σ_c h1[c] ⋆ W1[0, c]: input channel c meets kernel slice c, in the forward
#    pass and in both gradients. Pairing channel 0 with slice 1 (and 1 with 0) is a different layer.
g = torch.Generator().manual_seed(9)
h0 = torch.tensor([0.38, 1.14, 0.96, 1.06, 0.7, 1.54, 1.62, 1.06], dtype=torch.float64)  # the 8 ReLU outputs
h1 = h0.reshape(1, 2, 2, 2).requires_grad_()  # (B=1, C=2, 2, 2)
W1 = (torch.rand(1, 2, 3, 3, generator=g, dtype=torch.float64)).round(decimals=1).requires_grad_()
w2 = (torch.randn(16, generator=g, dtype=torch.float64) * 0.5).round(decimals=1)
H2 = F.conv2d(h1, W1, padding=2)  # (1, 1, 4, 4)
H2_swapped = F.conv2d(h1, W1[:, [1, 0]], padding=2)  # channel 0 with slice 1, channel 1 with slice 0
J = -F.logsigmoid(w2 @ H2.flatten())
dh1, dW1 = torch.autograd.grad(J, (h1, W1))
dC = (torch.sigmoid(w2 @ H2.flatten()) - 1) * w2.reshape(1, 1, 4, 4)  # ∂J/∂H2, by hand
dh1_right = F.conv_transpose2d(dC, W1, padding=2)  # full convolution with each channel's own slice
dh1_swapped = F.conv_transpose2d(dC, W1[:, [1, 0]], padding=2)
dW1_right = F.conv2d(h1.detach().transpose(0, 1), dC, padding=2).transpose(0, 1)  # slice c from channel c: (1, 2, 3, 3)
check.compare("∂J/∂h1, channel c with slice c", dh1_right, dh1, method="autograd")
check.compare("∂J/∂W1, slice c from channel c", dW1_right, dW1, method="autograd")
wrong = check.compare("∂J/∂h1, channels paired the other way", dh1_swapped, dh1, method="autograd",
                      quiet=True, raise_on_fail=False)
assert not wrong.passed
print(f"pairing the channels the other way changes the 4×4 output by up to "
      f"{(H2 - H2_swapped).abs().max().item():.2f} and gives ∂J/∂h1 a relative error of {wrong.rel_error:.2f}")

# 3. The worked solution's own feature maps: one 4×4 map per input channel, then the map "after adding bias".
stated_inputs = h0.reshape(2, 2, 2)
stated_maps = torch.tensor([
    [[0.114, 0.572, 0.636, 0.28], [0.134, 0.528, 1.634, 0.352], [0.286, 1.63, 1.436, 0.246], [0.48, 0.914, 0.52, 0.106]],
    [[0.21, 0.602, 0.658, 0.77], [0.626, 1.58, 2.62, 0.992], [0.744, 2.664, 1.734, 0.626], [0.972, 0.798, 0.43, 0.212]],
], dtype=torch.float64)
stated_sum = torch.tensor([[0.424, 1.674, 1.894, 1.35], [0.96, 2.508, 5.054, 1.444],
                           [1.13, 4.594, 3.87, 1.072], [1.752, 1.812, 1.15, 0.418]], dtype=torch.float64)
unit = torch.eye(9, dtype=torch.float64).reshape(9, 1, 1, 3, 3)
print("\nthe worked solution's per-channel maps, fitted by the best 3×3 kernel (least squares, padding 2):")
misfit = []
for c in range(2):
    A = torch.stack([F.conv2d(stated_inputs[c][None, None], unit[i], padding=2).flatten() for i in range(9)], 1)
    kernel = torch.linalg.lstsq(A, stated_maps[c].flatten()[:, None]).solution  # (9, 1)
    residual = (A @ kernel).flatten() - stated_maps[c].flatten()
    print(f"  channel {c}: best kernel {kernel.flatten().numpy().round(2).tolist()}, "
          f"largest misfit {residual.abs().max().item():.4f}")
    misfit.append(residual.abs().max().item())
assert misfit[0] > 0.1 and misfit[1] < 1e-3  # channel 0 fits no kernel; channel 1 fits one up to rounding
implied_bias = stated_sum - stated_maps.sum(0)
print(f"'after adding bias' minus the sum of the two maps: from {implied_bias.min().item():.1f} to "
      f"{implied_bias.max().item():.1f} across the 16 positions, where one bias would give one value")
assert implied_bias.max() - implied_bias.min() > 0.5

# 4. The first layer, entry by entry: h0 = ReLU(u0), u0 = W0 z + b0. Each ∂h0[i]/∂W0[j, k] is a scalar,
#    z[k] when i = j and unit i is on, else 0 — not the vector z.
z = torch.tensor([0.4, 0.8], dtype=torch.float64)
W0 = (torch.randn(8, 2, generator=g, dtype=torch.float64) * 0.5).round(decimals=1)
b0 = (torch.randn(8, generator=g, dtype=torch.float64) * 0.5).round(decimals=1)
jac = torch.autograd.functional.jacobian(lambda W: torch.relu(W @ z + b0), W0)  # (8, 8, 2): [i, j, k]
on = (W0 @ z + b0) > 0
by_hand = torch.einsum("ij,k->ijk", torch.diag(on.double()), z)  # 1[i = j] · 1[u0_i > 0] · z_k
check.compare("∂h0[i]/∂W0[j, k]", by_hand, jac, method="autograd jacobian")
print(f"each ∂h0[i]/∂W0[j, k] is one number: of the {jac.numel()} entries, {int((jac != 0).sum())} are non-zero "
      f"({int(on.sum())} units on × {z.numel()} inputs), and those equal z[k]")
