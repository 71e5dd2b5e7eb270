"""The worked solution's two networks for (A ∨ ¬B) ⊕ (¬C ∨ ¬D), read as threshold units, on all 16 inputs."""
import torch

from dlref import logic as L


def t(rows):
    return torch.tensor(rows, dtype=torch.float64)


def bits(x):
    return "".join(str(int(v)) for v in x.tolist())


X, Y = L.truth_table(lambda a, b, c, d: bool((a or not b) ^ ((not c) or (not d))), 4)


def report(name, got, want, X_rows):
    bad = L.disagreements(got, want)
    where = ", ".join(bits(X_rows[r]) for r in bad) or "none"
    print(f"   {name:<26} wrong on {len(bad):>2} of {len(X_rows)} inputs: {where}")
    return len(bad)


# Design 1 (the table): P, Q, then ¬P∧Q and P∧¬Q, then an output the solution leaves unspecified.
print("Design 1: P = A ∨ ¬B and Q = ¬C ∨ ¬D, then ¬P ∧ Q and P ∧ ¬Q")
X2, _ = L.truth_table(lambda u, v: 0, 2)  # the four inputs of a two-input unit
report("P unit (w 1, −1; b 0.5)", L.ThresholdNetwork([(t([[1, -1]]), t([0.5]))])(X2),
       L.truth_table(lambda a, b: bool(a or not b), 2)[1], X2)
report("Q unit (w −1, −1; b 0.5)", L.ThresholdNetwork([(t([[-1, -1]]), t([0.5]))])(X2),
       L.truth_table(lambda c, d: bool(not c or not d), 2)[1], X2)
design1 = L.ThresholdNetwork([
    (t([[1, -1, 0, 0], [0, 0, -1, -1]]), t([0.5, 0.5])),  # P, Q
    (t([[-1, 1], [1, -1]]), t([-0.5, -0.5])),  # ¬P ∧ Q, P ∧ ¬Q
    (t([[1, 1]]), t([-0.5])),  # our assumption: the output ORs the two
])
print(f"   layers of units: {design1.widths}: {len(design1.layers) - 1} hidden layers, not one")
report("whole network", design1(X), Y, X)
# An OR of negated literals is 0 only when all of them are 1: its bias is (number of literals) − ½.
Q_bias = 2 - 0.5
Q_fixed = [(design1.layers[0][0], t([0.5, Q_bias])), *design1.layers[1:]]
print(f"   with Q's bias {Q_bias}:")
assert report("whole network", L.ThresholdNetwork(Q_fixed)(X), Y, X) == 0

# Design 2 (sum of products): four AND units, then an OR.
print("\nDesign 2: y = H1 ∨ H2 ∨ H3 ∨ H4")
terms = {"H1 = A ∧ C ∧ D": lambda a, b, c, d: a and c and d,
         "H2 = ¬B ∧ C ∧ D": lambda a, b, c, d: (not b) and c and d,
         "H3 = ¬A ∧ B ∧ ¬C": lambda a, b, c, d: (not a) and b and (not c),
         "H4 = ¬A ∧ B ∧ ¬D": lambda a, b, c, d: (not a) and b and (not d)}
T = torch.cat([L.truth_table(lambda *x, g=g: bool(g(*x)), 4)[1] for g in terms.values()], dim=1)  # (16, 4)
report("the formula ∨ of terms", T.amax(dim=1), Y[:, 0], X)
W_h = t([[1, 0, 1, 1], [0, -1, 1, 1], [-1, 1, -1, 0], [-1, 1, 0, -1]])  # as the solution states them
b_h = t([-2.5, -1.5, -1.5, -1.5])
design2 = L.ThresholdNetwork([(W_h, b_h), (t([[1, 1, 1, 1]]), t([-0.5]))])
(_, H), (_, y2) = design2.trace(X)
print(f"   the worked solution states hidden biases {b_h.tolist()}")
for n, name in enumerate(terms):
    report(name.split(" =")[0] + " unit", H[:, n], T[:, n], X)
print(f"   inputs on which H1…H4 fire: {H.sum(dim=0).int().tolist()} (should be {T.sum(dim=0).int().tolist()})")
assert report("whole network", y2, Y, X) > 0

# The repair the unit checks point to: an AND of literals fires when every positive literal is 1 and
# every negated one is 0, so its bias is ½ − (number of positive literals).
b_fixed = 0.5 - (W_h > 0).sum(dim=1).to(torch.float64)
print(f"\n   biases ½ − (#positive literals) = {b_fixed.tolist()}")
assert report("repaired network", L.ThresholdNetwork([(W_h, b_fixed), design2.layers[1]])(X), Y, X) == 0
