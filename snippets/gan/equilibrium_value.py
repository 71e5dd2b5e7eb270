"""The value of the game at the optimal discriminator: C(G) = −log 4 + 2·JSD(p_data ‖ p_g), minimal at p_g = p_data."""
import math

import torch
from scipy.spatial.distance import jensenshannon

from dlref import check
from dlref.lab import figures

x = torch.linspace(-10, 10, 8001, dtype=torch.float64)  # quadrature grid


def log_normal_pdf(x, mu, s):
    return -0.5 * ((x - mu) / s) ** 2 - math.log(s * math.sqrt(2 * math.pi))


def C(log_pd, log_pg):
    """V(D*, G) = ∫ p_data log D* + p_g log(1 − D*) dx, with D* = p_data / (p_data + p_g).

    Written with log-densities so the tails, where one density underflows, stay finite.
    """
    log_sum = torch.logaddexp(log_pd, log_pg)
    integrand = log_pd.exp() * (log_pd - log_sum) + log_pg.exp() * (log_pg - log_sum)
    return torch.trapezoid(integrand, x)


log_pd = log_normal_pdf(x, 0.0, 1.0)
p_data = log_pd.exp()
shifts = torch.linspace(-3, 3, 61, dtype=torch.float64)
values = torch.stack([C(log_pd, log_normal_pdf(x, mu.item(), 1.0)) for mu in shifts])

# Independent check of the identity: SciPy's Jensen–Shannon distance (natural log), squared.
for mu in (0.5, 2.0):
    log_pg = log_normal_pdf(x, mu, 1.0)
    jsd = jensenshannon(p_data.numpy(), log_pg.exp().numpy()) ** 2  # SciPy normalises the two vectors itself
    check.compare(f"C(G) at μ_g = {mu}", C(log_pd, log_pg), torch.tensor(-math.log(4) + 2 * jsd, dtype=torch.float64),
                  tol=1e-8, method="−log 4 + 2 JSD")

at_equal = C(log_pd, log_pd)
check.compare("C(G) at p_g = p_data", at_equal, torch.tensor(-math.log(4), dtype=torch.float64), tol=1e-8,
              method="−log 4")
best = shifts[values.argmin()].item()
print(f"min over the sweep at μ_g = {abs(best):.2f}: C = {values.min().item():.6f}; −log 4 = {-math.log(4):.6f}")
print(f"at p_g = p_data, D* ≡ {(p_data / (p_data + p_data)).unique().item()} everywhere")
assert abs(best) < 1e-12

fig, ax = figures.new(width=6.0, height=3.4)
ax.plot(shifts, values, color="tab:blue")
ax.axhline(-math.log(4), color="gray", linestyle=":", label="−log 4")
ax.set_xlabel("mean of p_g  (p_data = N(0, 1), p_g = N(μ_g, 1))")
ax.set_ylabel("C(G) = max_D V(D, G)  (nats)")
ax.set_title("The generator's objective under the best discriminator")
ax.legend()
figures.show(fig, "gan-equilibrium-value", "V(D*, G) as the generator's distribution slides past the data's; its minimum is −log 4.")
