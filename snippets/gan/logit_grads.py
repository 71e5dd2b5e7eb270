"""∂L/∂(logit) for each real and each fake sample, against autograd in float64."""
import torch

from dlref import check

torch.manual_seed(1)
n = 6
a_real = torch.randn(n, dtype=torch.float64) * 2  # z_d^{L_d}(X^i): D's logit on each real sample
a_fake = torch.randn(n, dtype=torch.float64) * 2  # z_d^{L_d}(G(Z^i)): D's logit on each fake sample


def L(a_real, a_fake):
    # L = (1/n) Σ_i [log σ(a_real,i) + log(1 − σ(a_fake,i))]
    return (torch.log(torch.sigmoid(a_real)) + torch.log(1 - torch.sigmoid(a_fake))).mean()


D_real, D_fake = torch.sigmoid(a_real), torch.sigmoid(a_fake)
analytic = {"a_real": (1 - D_real) / n, "a_fake": -D_fake / n}  # (1 − D(X^i))/n and −D(G(Z^i))/n
check.check_gradients(L, {"a_real": a_real, "a_fake": a_fake}, analytic,
                      labels={"a_real": "∂L/∂z^L real", "a_fake": "∂L/∂z^L fake"})

print("\n  i   D(X^i)  n·∂L/∂z^L(X^i)   D(G(Z^i))  n·∂L/∂z^L(G(Z^i))")
for i in range(n):
    print(f"  {i}   {D_real[i]:.3f}      {n * analytic['a_real'][i]:+.3f}         "
          f"{D_fake[i]:.3f}         {n * analytic['a_fake'][i]:+.3f}")
assert (analytic["a_real"] > 0).all() and (analytic["a_fake"] < 0).all()
print("Real samples always push their logit up, fake samples always push theirs down.")

# The seed's combined expression (1/n) Σ [(1 − D(X^i)) − D(G(Z^i))] is the derivative with respect
# to ONE shift c added to every logit at once — a different quantity from the per-sample gradients.
c = torch.zeros((), dtype=torch.float64)
shift = check.autograd_gradients(lambda c: L(a_real + c, a_fake + c), {"c": c})["c"]
combined = ((1 - D_real) - D_fake).mean()
check.compare("(1/n)Σ[(1−D_r)−D_f] = ∂L/∂c", combined, shift, method="autograd")
