"""conv (1×2 filter) → tanh → sigmoid FC → linear FC: ∂(y* − y)²/∂w₁ by the chain rule, against autograd."""
import torch

from dlref import check
from dlref.lab import figures

torch.manual_seed(3)
x = torch.randn(2, 2, dtype=torch.float64)          # input [[x11, x12], [x21, x22]]
v1 = torch.randn(2, dtype=torch.float64)            # filter [w1, w2]
V2 = torch.randn(2, 2, dtype=torch.float64)         # [[w31, w32], [w41, w42]]
v3 = torch.randn(2, dtype=torch.float64)            # [w5, w6]
y = torch.tensor(0.5, dtype=torch.float64)

# Forward, in the page's names. The 1×2 filter slides down the two rows of x ("valid", cross-correlation).
a = x @ v1                      # a_i = w1 x_i1 + w2 x_i2: (2, 2) @ (2,) -> (2,)
z1 = torch.tanh(a)
s = V2 @ z1                     # (2, 2) @ (2,) -> (2,)
z2 = torch.sigmoid(s)
y_star = v3 @ z2                # (2,) @ (2,) -> scalar

# Backward, one factor per layer.
dL_dy = 2 * (y_star - y)                        # ∂L/∂y*
dL_dz2 = dL_dy * v3                             # ∂y*/∂z2 = v3   (2,)
dL_ds = dL_dz2 * z2 * (1 - z2)                  # σ′(s) = z2 ⊙ (1 − z2)
dL_dz1 = V2.T @ dL_ds                           # (2, 2)ᵀ @ (2,) -> (2,)
dL_da = dL_dz1 * (1 - z1 ** 2)                  # tanh′(a) = 1 − tanh²(a)
dL_dw1 = dL_da @ x[:, 0]                        # ∂a_i/∂w1 = x_i1, summed over i
dL_dv1 = x.T @ dL_da                            # both filter weights: (2, 2)ᵀ @ (2,) -> (2,)


def loss(v1, V2, v3, x):
    # Independent forward: torch's conv2d (which is a cross-correlation) on a 1×1×2×2 image with a 1×1×1×2 kernel.
    conv = torch.nn.functional.conv2d(x.reshape(1, 1, 2, 2), v1.reshape(1, 1, 1, 2)).reshape(2)  # (1,1,2,1) -> (2,)
    return (v3 @ torch.sigmoid(V2 @ torch.tanh(conv)) - y) ** 2


check.compare("conv output a", a, torch.nn.functional.conv2d(x.reshape(1, 1, 2, 2), v1.reshape(1, 1, 1, 2)).reshape(2),
              method="F.conv2d")
reference = check.autograd_gradients(loss, {"v1": v1, "V2": V2, "v3": v3, "x": x})
check.compare("∂L/∂w₁", dL_dw1, reference["v1"][0])
check.check_gradients(loss, {"v1": v1, "V2": V2, "v3": v3, "x": x},
                      {"v1": dL_dv1, "V2": torch.outer(dL_ds, z1), "v3": dL_dy * z2, "x": torch.outer(dL_da, v1)},
                      labels={"v1": "∂L/∂(w₁, w₂)", "V2": "∂L/∂V₂", "v3": "∂L/∂v₃", "x": "∂L/∂x"})

# The two slips of the source's chain, each evaluated on its own at the same point.
slip_sigma = (V2.T @ (dL_dz2 * (1 - z2)) * (1 - z1 ** 2)) @ x[:, 0]      # σ′ written as (1 − σ)
slip_sum = (dL_da.sum() * (x[0, 0] + x[1, 0]))                            # shared factor (x11 + x21)
print(f"\n∂L/∂w1 = {dL_dw1.item():+.6f} (hand-derived) vs {reference['v1'][0].item():+.6f} (autograd)")
print(f"with σ′ replaced by (1 − σ):           {slip_sigma.item():+.6f}")
print(f"with a common factor (x11 + x21):       {slip_sum.item():+.6f}")
for wrong in (slip_sigma, slip_sum):
    assert abs(wrong - dL_dw1) > 1e-3 * abs(dL_dw1)

# Figure: the loss along w1, and lines through the current point with each slope.
w1 = v1[0].item()
grid = torch.linspace(w1 - 1.0, w1 + 1.0, 201, dtype=torch.float64)
curve = torch.stack([loss(torch.stack([w, v1[1]]), V2, v3, x) for w in grid])
L0 = loss(v1, V2, v3, x).item()
fig, ax = figures.new(width=6.4, height=3.8)
ax.plot(grid.numpy(), curve.numpy(), color="black", lw=2, label="L(w₁), other weights fixed")
near = (grid - w1).abs() < 0.5
for slope, style, label in ((dL_dw1, "-", "hand-derived slope (= autograd)"),
                            (slip_sigma, "--", "slope with σ′ → (1 − σ)"),
                            (slip_sum, ":", "slope with factor (x₁₁ + x₂₁)")):
    ax.plot(grid[near].numpy(), (L0 + slope * (grid[near] - w1)).numpy(), style, lw=1.5, label=label)
ax.plot([w1], [L0], "o", color="black")
ax.set_xlabel("filter weight w₁")
ax.set_ylabel("loss (y* − y)²")
ax.legend(fontsize=8)
ax.set_title("Only the correct derivative is tangent to the loss")
figures.show(fig, "conv-tanh-sigmoid-tangent",
             "The loss as a function of w₁ with the other weights fixed, and lines through the current point "
             "with the hand-derived slope and with each slipped slope.")
