"""The worked solution's Hamming network, read as threshold units and checked on all 16 inputs."""
import torch

from dlref import logic as L

X, Y = L.truth_table(lambda d1, d2, d3, d4: (d1 ^ d2 ^ d4, d1 ^ d3 ^ d4, d2 ^ d3 ^ d4), 4)

# The weights the worked solution states (columns D1 D2 D3 D4), copied here only to test them.
W_h = torch.tensor([[1, -1, -1, 0], [-1, 1, -1, 0], [-1, -1, 1, 0], [1, 1, 1, 0],
                    [1, 0, -1, -1], [-1, 0, 1, -1], [-1, 0, -1, 1], [1, 0, 1, 1],
                    [0, 1, -1, -1], [0, -1, 1, -1], [0, -1, -1, 1], [0, 1, 1, 1]], dtype=torch.float64)
B_h = torch.full((12,), -0.5, dtype=torch.float64)
W_o = torch.ones(3, 4, dtype=torch.float64)
B_o = torch.full((3,), -0.5, dtype=torch.float64)

print("1. As stated, the layers do not fit together:")
try:
    L.ThresholdNetwork([(W_h, B_h), (W_o, B_o)])
except ValueError as err:
    print(f"   ValueError: {err}")

# Most favourable reading: output i ORs hidden units 4i+1 … 4i+4 (a block-diagonal W_o).
W_o_blocks = torch.block_diag(*[W_o[i:i + 1] for i in range(3)])  # (3, 12)
seed_net = L.ThresholdNetwork([(W_h, B_h), (W_o_blocks, B_o)])
P = seed_net(X)
print("\n2. Read block by block (output i ORs its own four hidden units), against the XOR definition:")
for i in range(3):
    bad = L.disagreements(P[:, i], Y[:, i])
    inputs = ", ".join("".join(str(int(v)) for v in X[r].tolist()) for r in bad)
    print(f"   P{i + 1}: wrong on {len(bad):>2} of {len(X)} inputs (D1D2D3D4 = {inputs})")
wrong = L.disagreements(P, Y)
print(f"   inputs with at least one wrong parity bit: {len(wrong)} of {len(X)}")
assert len(wrong) > 0

# Two slips explain it; repairing exactly those makes the same architecture correct.
W_cols = W_h.clone()
W_cols[0:4, [2, 3]] = W_h[0:4, [3, 2]]  # P1's minterms must use D4, not D3
all_positive = (W_cols >= 0).all(dim=1)  # minterms with no negated literal: an AND of three bits
B_and = B_h.clone()
B_and[all_positive] = 0.5 - W_cols[all_positive].sum(dim=1)  # fires only when all three are 1
print(f"\n3. Repairs (hidden units {all_positive.nonzero().flatten().add(1).tolist()} are the ANDs of three "
      f"bits; their bias becomes {B_and[all_positive].unique().tolist()}):")
for label, W, B in (("D3 ↔ D4 in P1's units only", W_cols, B_h), ("AND biases only", W_h, B_and),
                    ("both", W_cols, B_and)):
    n_bad = len(L.disagreements(L.ThresholdNetwork([(W, B), (W_o_blocks, B_o)])(X), Y))
    print(f"   {label:<28} wrong on {n_bad:>2} of {len(X)} inputs")
assert n_bad == 0
