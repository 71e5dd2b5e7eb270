"""Learning (A ∨ ¬B) ⊕ (¬C ∨ ¬D) by gradient descent with one hidden layer of sigmoid units."""
import torch

from dlref import check
from dlref.lab import figures
from dlref import logic as L

X, Y = L.truth_table(lambda a, b, c, d: bool((a or not b) ^ ((not c) or (not d))), 4)
steps, lr = 1500, 5.0

# 1. The hand-derived gradient that fit_boolean descends, against autograd (float64).
probe = L.SigmoidNetwork([4, 3, 1], init_scale=3.0, generator=torch.Generator().manual_seed(1))
_, grads = probe.gradients(X, Y)


def bce(W1, b1, W2, b2):
    z = torch.sigmoid(X @ W1.T + b1) @ W2.T + b2  # (16, K) @ (K, 1) → (16, 1)
    return torch.nn.functional.binary_cross_entropy_with_logits(z, Y)


point = {"W1": probe.W[0], "b1": probe.b[0], "W2": probe.W[1], "b2": probe.b[1]}
analytic = {"W1": grads[0][0], "b1": grads[0][1], "W2": grads[1][0], "b2": grads[1][1]}
check.check_gradients(bce, point, analytic, labels={"W1": "∇W₁", "b1": "∇b₁", "W2": "∇W₂", "b2": "∇b₂"})

# 2. One hidden layer, trained from seeded random initialisations, for two widths.
runs = {}
for K in (8, 2):
    for seed in range(4):
        net, losses = L.fit_boolean(X, Y, K, steps=steps, lr=lr, seed=seed)
        runs[K, seed] = (net, losses, L.disagreements(net.predict(X), Y))
    print(f"\nK = {K} hidden units, {steps} steps, lr {lr}:")
    for seed in range(4):
        net, losses, bad = runs[K, seed]
        where = ", ".join("".join(str(int(v)) for v in X[r].tolist()) for r in bad) or "none"
        print(f"   seed {seed}: final loss {losses[-1]:.4f}, wrong on {len(bad)} of {len(X)} inputs ({where})")

net, losses, _ = runs[8, 0]
print("\nK = 8, seed 0:")
print(L.format_truth_table(X, {"f": Y, "learned": net.predict(X), "σ(z)": net(X).detach()},
                           input_names=["A", "B", "C", "D"]))
check.compare(f"learned y on all {len(X)} inputs", net.predict(X), Y, method="exhaustive", tol=1e-12)

fig, ax = figures.new(width=6.0, height=3.6)
for (K, seed), (_, losses, bad) in runs.items():
    ax.semilogy(losses.numpy(), color="tab:blue" if K == 8 else "tab:orange", lw=1.2,
                label=f"K = {K}" if seed == 0 else None)
ax.set_xlabel("gradient step")
ax.set_ylabel("mean binary cross-entropy")
ax.legend(title="hidden units (4 seeds each)")
solved = {K: sum(len(runs[K, s][2]) == 0 for s in range(4)) for K in (8, 2)}
figures.show(fig, "xor-of-ors-learning-curves", f"Gradient descent from random starts: with 8 hidden units "
             f"{solved[8]} of 4 runs reach the truth table; with 2, the width of the explicit network, "
             f"{solved[2]} of 4 do.")
