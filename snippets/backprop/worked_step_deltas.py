"""Which loss do the worked solution's deltas imply? Deltas under three losses, each checked by autograd."""
import torch

from dlref import check

W = torch.tensor([[2.5, 1.0], [-1.5, -0.3]], dtype=torch.float64)  # exercise's weights, as on the forward snippet
b = torch.tensor([1.5, 2.0], dtype=torch.float64)
V = torch.tensor([[1.0, 0.5]], dtype=torch.float64)
c = torch.tensor([-1.0], dtype=torch.float64)
x = torch.tensor([0.0, 1.0], dtype=torch.float64)
y = torch.tensor([1.0], dtype=torch.float64)

s = W @ x + b                  # hidden pre-activations (2,)
h = torch.sigmoid(s)
s_out = V @ h + c              # output pre-activation (1,)
y_hat = torch.sigmoid(s_out)

# δ = −∂L/∂(pre-activation): the sign the worked solution uses, so that updates read w ← w + α δ · input.
losses = {
    "½(y − ŷ)²": (lambda p: 0.5 * (y - p) ** 2, (y - y_hat) * y_hat * (1 - y_hat)),
    "(y − ŷ)²": (lambda p: (y - p) ** 2, 2 * (y - y_hat) * y_hat * (1 - y_hat)),
    "BCE": (lambda p: -(y * torch.log(p) + (1 - y) * torch.log(1 - p)), y - y_hat),  # σ′ cancels
}
deltas = {}
for name, (loss, delta_out) in losses.items():
    delta_h = h * (1 - h) * V[0] * delta_out          # δ_hj = hj(1 − hj) V_j δ_out
    deltas[name] = torch.cat([delta_out, delta_h])
    # autograd of the same loss with respect to the output and hidden pre-activations
    g_out = check.autograd_gradients(lambda s_out: loss(torch.sigmoid(s_out)).sum(), {"s_out": s_out})["s_out"]
    g_h = check.autograd_gradients(lambda s: loss(torch.sigmoid(V @ torch.sigmoid(s) + c)).sum(), {"s": s})["s"]
    check.compare(f"δ under {name}", deltas[name], -torch.cat([g_out, g_h]))

worked = torch.tensor([0.0993, 0.0069, 0.0065], dtype=torch.float64)  # the worked solution's δ_ŷ, δ_h1, δ_h2
print()
print(f"{'':<24}{'δ_ŷ':>9}{'δ_h1':>9}{'δ_h2':>9}   ratio worked/this")
print(f"{'the worked solution':<24}" + "".join(f"{v:>9.4f}" for v in worked.tolist()))
ratios = {}
for name, d in deltas.items():
    ratios[name] = (worked / d).tolist()
    print(f"{'computed, ' + name:<24}" + "".join(f"{v:>9.5f}" for v in d.tolist())
          + "   " + ", ".join(f"{r:.3f}" for r in ratios[name]))
best = min(ratios, key=lambda k: max(abs(r - 1) for r in ratios[k]))
print(f"\nClosest loss: {best}; the worked δ_ŷ is still off by {abs(ratios[best][0] - 1):.1%} "
      f"(computed {deltas[best][0].item():.4f}, stated {worked[0].item():.4f}).")
assert best == "½(y − ŷ)²"
