"""Naive vs stable losses at extreme logits (float64), against exact values from 1000-digit decimals.

The "exact" column is the 1000-digit value rounded to float64 (e^{−1000} ≈ 1e−435 rounds to 0)."""
import decimal
import math

import torch

from dlref import check
from dlref import functional

TF = torch.nn.functional
decimal.getcontext().prec = 1000  # enough digits to evaluate the textbook formulas without any trick
D = decimal.Decimal


def fmt(v):
    return f"{float(v) + 0.0:>11.4g}"  # + 0.0 prints −0.0 as 0


def rel_err(value, exact):
    """Entry-wise |value − exact| / |exact|, with 0/0 read as 0 (the exact loss underflows to 0)."""
    err = (value - exact).abs() / exact.abs()
    return torch.where((value == exact), torch.zeros_like(err), err)


for dtype in (torch.float32, torch.float64):
    edge = math.log(torch.finfo(dtype).max)  # exp(a) is inf beyond a = log(largest float)
    assert torch.isinf(torch.exp(torch.tensor(edge * 1.001, dtype=dtype)))
    print(f"{str(dtype)[6:]}: exp(a) overflows to inf for a > {edge:.1f}")
print()

# ---- binary: L = −y log σ(a) − (1 − y) log(1 − σ(a)) -----------------------------------------
a = torch.tensor([40.0, 40.0, -40.0, -40.0, 1000.0, 1000.0, -1000.0, -1000.0], dtype=torch.float64)
y = torch.tensor([1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0], dtype=torch.float64)


def exact_bce(a, y):
    s = 1 / (1 + D(-a).exp())  # σ(a) to 1000 digits
    return float(-(D(y) * s.ln() if y else 0) - ((1 - D(y)) * (1 - s).ln() if y != 1 else 0))


exact = torch.tensor([exact_bce(ai, yi) for ai, yi in zip(a.tolist(), y.tolist())], dtype=torch.float64)
p_naive = 1 / (1 + torch.exp(-a))  # σ(a) straight from the definition: exp(1000) = inf, 1 − σ(40) = 0
naive = torch.where(y == 1, -torch.log(p_naive), -torch.log(1 - p_naive))  # −log p or −log(1 − p)
literal = -(y * torch.log(p_naive) + (1 - y) * torch.log(1 - p_naive))  # 0 · log 0 = 0 · (−inf) = nan
stable = torch.stack([functional.binary_cross_entropy_with_logits(a[i:i + 1], y[i:i + 1]) for i in range(len(a))])
torch_p = TF.binary_cross_entropy(torch.sigmoid(a), y, reduction="none")  # from probabilities: logs clamped at −100
torch_a = TF.binary_cross_entropy_with_logits(a, y, reduction="none")

print("binary cross-entropy, float64")
print(f"{'a':>7} {'y':>2} {'exact':>11} {'naive':>11} {'with logits':>11} {'functional.bce(σ(a))':>11} {'functional.bce_logits':>12}")
for i in range(len(a)):
    print(f"{a[i].item():7.0f} {y[i].item():2.0f} {fmt(exact[i])} {fmt(naive[i])} {fmt(stable[i])} {fmt(torch_p[i])} {fmt(torch_a[i]):>12}")

# The stable form is accurate entry by entry, tiny losses included: compare the relative errors with 0.
zeros = torch.zeros_like(exact)
check.compare("with logits, entry-wise", rel_err(stable, exact), zeros, tol=1e-14, method="1000-digit decimal")
check.compare("functional.bce_logits", torch_a, exact, tol=1e-14, method="1000-digit decimal")
tiny_wrong = rel_err(torch_a, exact) > 0.5
if tiny_wrong.any():
    i = int(tiny_wrong.nonzero()[0])
    print(f"functional.binary_cross_entropy_with_logits is accurate relative to the loss scale but returns "
          f"{torch_a[i].item():g} for a = {a[i].item():g}, y = {y[i].item():g} (exact {exact[i].item():.3e})")
naive_rel = rel_err(naive, exact)
n_inf, n_lost = int(torch.isinf(naive).sum()), int(((naive_rel > 0.5) & torch.isfinite(naive)).sum())
assert n_inf > 0 and n_lost > 0
print(f"naive: {n_inf} of {len(a)} losses are inf and {n_lost} more lose every digit (they round to 0);"
      f" written literally as y log p + (1 − y) log(1 − p) it gives {int(literal.isnan().sum())} nan")
clamped = (torch_p - exact).abs() > 1
print(f"functional.binary_cross_entropy from σ(a): {int(clamped.sum())} losses wrong by more than 1 (log clamped at −100),"
      f" e.g. {torch_p[clamped][0].item():g} instead of {exact[clamped][0].item():g}")

# ---- categorical: L = −log S(a)_y with logits a = s · (1, 0, −1) ----------------------------
print("\nsoftmax cross-entropy, logits s·(1, 0, −1), float64")
print(f"{'s':>6} {'class':>5} {'exact':>11} {'naive':>11} {'log-sum-exp':>11} {'functional.cross_ent':>11}")
rows = []
for s in (1.0, 40.0, 1000.0):
    logits = torch.tensor([s, 0.0, -s], dtype=torch.float64)
    for c in (0, 2):
        exact_ce = float(sum(D(v).exp() for v in logits.tolist()).ln() - D(logits[c].item()))
        e = torch.exp(logits)
        naive_ce = -torch.log(e[c] / e.sum()).item()  # exp(1000) = inf → inf/inf = nan
        stable_ce = functional.softmax_cross_entropy(logits, torch.tensor(c)).item()
        torch_ce = TF.cross_entropy(logits[None], torch.tensor([c])).item()
        rows.append((exact_ce, naive_ce, stable_ce, torch_ce))
        print(f"{s:6.0f} {c:5d} {fmt(exact_ce)} {fmt(naive_ce)} {fmt(stable_ce)} {fmt(torch_ce)}")
R = torch.tensor(rows, dtype=torch.float64)  # (6, 4): exact, naive, stable, torch
check.compare("log-sum-exp CE", R[:, 2], R[:, 0], tol=1e-14, method="1000-digit decimal")
check.compare("functional.cross_entropy", R[:, 3], R[:, 0], tol=1e-14, method="1000-digit decimal")
assert R[:, 1].isnan().any()
print(f"naive: {int(R[:, 1].isnan().sum())} nan (inf/inf) and {int(R[:, 1].isinf().sum())} inf (log of 0/inf) among {len(R)}")
print(f"every float64 form rounds the loss {R[2, 0].item():.1e} (s = 40, class 0) to 0: logsumexp(a) = 40 + 4e−18 is 40")

# The same trick keeps log S(a) itself finite: log(softmax) = log 0 = −inf, log_softmax does not.
logits = torch.tensor([1000.0, 0.0, -1000.0], dtype=torch.float64)
print("\nlog(softmax(a)) with the stable softmax:", torch.log(functional.softmax(logits)).tolist())
print("log_softmax(a) by log-sum-exp:           ", functional.log_softmax(logits).tolist())
check.compare("log_softmax", functional.log_softmax(logits), TF.log_softmax(logits, dim=-1), method="functional.log_softmax")
