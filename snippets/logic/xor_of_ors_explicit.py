"""(A ∨ ¬B) ⊕ (¬C ∨ ¬D) with one hidden layer of two threshold units, checked on all 16 inputs."""
import torch

from dlref import check
from dlref import logic as L


def f(a, b, c, d):  # the definition, with Python's boolean operators
    return bool((a or not b) ^ ((not c) or (not d)))


def bits(r):
    return "".join(str(int(v)) for v in X[r].tolist())


X, Y = L.truth_table(f, 4)  # X (16, 4), Y (16, 1)
_, Y_P_notQ = L.truth_table(lambda a, b, c, d: bool((a or not b) and (c and d)), 4)
_, Y_notP_Q = L.truth_table(lambda a, b, c, d: bool((not a and b) and not (c and d)), 4)

#                     A    B    C    D     b
hidden = torch.tensor([[1., -1., 2., 2., -3.5],    # h1 = P ∧ ¬Q = (A ∨ ¬B) ∧ C ∧ D
                       [-2., 2., -1., -1., -0.5]],  # h2 = ¬P ∧ Q = ¬A ∧ B ∧ ¬(C ∧ D)
                      dtype=torch.float64)
output = torch.tensor([[1., 1., -0.5]], dtype=torch.float64)  # y = h1 ∨ h2
net = L.ThresholdNetwork([(hidden[:, :4], hidden[:, 4]), (output[:, :2], output[:, 2])])
(z1, h), (z2, y) = net.trace(X)
print(f"network {net}: one hidden layer of {h.shape[1]} threshold units")
print(L.format_truth_table(X, {"f": Y, "h1": h[:, 0], "h2": h[:, 1], "network": y},
                           input_names=["A", "B", "C", "D"]))
check.compare("h1 = P ∧ ¬Q", h[:, :1], Y_P_notQ, method="exhaustive", tol=1e-12)
check.compare("h2 = ¬P ∧ Q", h[:, 1:], Y_notP_Q, method="exhaustive", tol=1e-12)
check.compare(f"y on all {len(X)} inputs", y, Y, method="exhaustive", tol=1e-12)
print(f"smallest |z| over all units and inputs: {min(z1.abs().min().item(), z2.abs().min().item())}")

# Fewer hidden units? One unit h makes the output constant, h or ¬h: a single threshold function of
# the inputs. Two inputs with f = 1 and two with f = 0 that have the same sum rule that out.
i, j, k, l = L.asummable_pair(X, Y)

print(f"\nf = 1 at ABCD = {bits(i)} and {bits(j)};  f = 0 at {bits(k)} and {bits(l)}")
print(f"sums: {(X[i] + X[j]).int().tolist()} = {(X[k] + X[l]).int().tolist()}")
assert torch.equal(X[i] + X[j], X[k] + X[l]) and Y[i] == Y[j] == 1 and Y[k] == Y[l] == 0
lower_bound = 2  # not 1, by the certificate just printed
assert h.shape[1] == lower_bound
print(f"so no single threshold unit computes f: one hidden layer needs at least {lower_bound} units, "
      f"and the network above has {h.shape[1]}: the smallest width.")
