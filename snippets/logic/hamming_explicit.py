"""Hamming parity bits from threshold units: explicit weights, checked on all 16 inputs."""
import torch

from dlref import check
from dlref.lab import figures
from dlref import logic as L


def parity_bits(d1, d2, d3, d4):  # the definition, with Python's XOR and no weights
    return d1 ^ d2 ^ d4, d1 ^ d3 ^ d4, d2 ^ d3 ^ d4


X, Y = L.truth_table(parity_bits, 4)  # X (16, 4), Y (16, 3)

# Hidden layer: three count-threshold units per parity bit, h_k = step(s − k + ½), k = 1, 2, 3,
# where s is the number of ones among that bit's three data bits.
#                      D1  D2  D3  D4      b
hidden = torch.tensor([[1., 1., 0., 1.,  -0.5],   # P1: s1 = D1 + D2 + D4 ≥ 1
                       [1., 1., 0., 1.,  -1.5],   #               ≥ 2
                       [1., 1., 0., 1.,  -2.5],   #               ≥ 3
                       [1., 0., 1., 1.,  -0.5],   # P2: s2 = D1 + D3 + D4 ≥ 1
                       [1., 0., 1., 1.,  -1.5],
                       [1., 0., 1., 1.,  -2.5],
                       [0., 1., 1., 1.,  -0.5],   # P3: s3 = D2 + D3 + D4 ≥ 1
                       [0., 1., 1., 1.,  -1.5],
                       [0., 1., 1., 1.,  -2.5]], dtype=torch.float64)
# Output layer: P = step([s ≥ 1] − [s ≥ 2] + [s ≥ 3] − ½), each bit reading only its own three units.
output = torch.tensor([[1., -1., 1.,  0., 0., 0.,  0., 0., 0.,  -0.5],
                       [0., 0., 0.,  1., -1., 1.,  0., 0., 0.,  -0.5],
                       [0., 0., 0.,  0., 0., 0.,  1., -1., 1.,  -0.5]], dtype=torch.float64)
W1, b1 = hidden[:, :4], hidden[:, 4]  # (9, 4), (9,)
W2, b2 = output[:, :9], output[:, 9]  # (3, 9), (3,)
net = L.ThresholdNetwork([(W1, b1), (W2, b2)])
print(f"network {net}: {W1.shape[0]} hidden threshold units, {W2.shape[0]} outputs")

(z1, h1), (z2, P) = net.trace(X)
print(L.format_truth_table(X, {"P1P2P3 (XOR)": Y, "network": P}, input_names=["D1", "D2", "D3", "D4"]))

# The check: the network against the XOR definition on every input.
check.compare(f"P on all {len(X)} inputs", P, Y, method="exhaustive", tol=1e-12)
# Each hidden unit against the count it stands for, computed from the definition.
subsets = torch.tensor([[1., 1., 0., 1.], [1., 0., 1., 1.], [0., 1., 1., 1.]], dtype=torch.float64)
s = X @ subsets.T  # (16, 4) @ (4, 3) → (16, 3): ones among each bit's data bits
counts = (s.repeat_interleave(3, dim=1) >= torch.tensor([1., 2., 3.] * 3, dtype=torch.float64)).double()
check.compare("hidden = [s ≥ k]", h1, counts, method="exhaustive", tol=1e-12)
margin = min(z1.abs().min().item(), z2.abs().min().item())
print(f"smallest |z| over all units and inputs: {margin} (so step(0)'s convention never matters)")
assert margin > 0 and len(L.disagreements(P, Y)) == 0

fig, ax = figures.new(width=6.4, height=3.6)
ax.imshow(h1.T.numpy(), cmap="Greys", vmin=0, vmax=1, aspect="auto")
for y in (2.5, 5.5):  # one band of three units per parity bit
    ax.axhline(y, color="tab:red", lw=1.5)
ax.set_xticks(range(16), ["".join(str(int(v)) for v in x) for x in X.tolist()], rotation=90, fontsize=8)
ax.set_yticks(range(9), [f"P{i // 3 + 1}: s ≥ {i % 3 + 1}" for i in range(9)], fontsize=8)
ax.set_xlabel("input D1D2D3D4")
ax.set_title("hidden threshold units (black = fires)")
figures.show(fig, "hamming-hidden-units", "Each parity bit's three hidden units fire when at least 1, 2 or 3 of "
             "its data bits are 1; the output adds them with signs +, −, +.")
