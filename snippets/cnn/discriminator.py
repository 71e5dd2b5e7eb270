"""A tiny conv discriminator by hand: z → FC+ReLU (8) → 2×2×2 → 3×3 conv, padding 2 → 4×4 → logistic."""
import torch

from dlref import check
from dlref import conv as cb

# The source fixes the architecture and z but not the weights: these are chosen (rounded to one
# decimal so the forward pass can be followed by hand) and printed.
g = torch.Generator().manual_seed(3)


def chosen(*shape):
    return (torch.randn(*shape, generator=g, dtype=torch.float64) * 0.5).round(decimals=1) + 0.0  # + 0.0 turns −0.0 into 0.0


z = torch.tensor([0.4, 0.8], dtype=torch.float64)
W0, b0 = chosen(8, 2), chosen(8)  # FC 2 → 8
W1, b1 = chosen(1, 2, 3, 3), chosen(1)  # conv: 2 channels in, 1 out, 3×3, padding 2
w2, b2 = chosen(16), chosen(1)  # logistic output on the flattened 4×4 map
for name, v in {"W0": W0, "b0": b0, "W1[0, 0]": W1[0, 0], "W1[0, 1]": W1[0, 1], "b1": b1, "w2": w2, "b2": b2}.items():
    print(f"{name:>8} = {v.tolist()}")

# Forward.
u0 = W0 @ z + b0  # (8,)
h0 = torch.relu(u0)  # (8,)
h1 = h0.reshape(1, 2, 2, 2)  # (B=1, C=2, 2, 2): first four values are channel 0
C = cb.conv2d(h1, W1, b1, padding=2)  # (1, 1, 4, 4)
H2 = C.flatten()  # (16,)
m = w2 @ H2 + b2  # (1,)
y_hat = torch.sigmoid(m)  # the discriminator's probability that the input is real
J = -torch.log(y_hat).sum()  # the loss when the input is labelled real
print(f"\nh0 = {h0.numpy().round(4).tolist()}  ({int((u0 <= 0).sum())} of 8 ReLUs off)")
print(f"conv output (4×4) =\n{C[0, 0].numpy().round(4)}")
print(f"m = {m.item():.4f}, ŷ = σ(m) = {y_hat.item():.4f}, J = −log ŷ = {J.item():.4f}\n")

# Backward, layer by layer.
dm = y_hat - 1  # ∂(−log σ(m))/∂m = σ(m) − 1
dw2, db2 = dm * H2, dm  # m = w2·H2 + b2
dH2 = dm * w2  # (16,)
dC = dH2.reshape(1, 1, 4, 4)  # un-flatten
dh1, dW1, db1 = cb.conv2d_backward(dC, h1, W1, padding=2)  # correlation / full convolution
dh0 = dh1.flatten()  # un-reshape: (8,)
du0 = dh0 * (u0 > 0)  # ReLU passes gradient only where it was on
dW0, db0 = torch.outer(du0, z), du0  # u0 = W0 z + b0


def loss(W0, b0, W1, b1, w2, b2):
    h1 = torch.relu(W0 @ z + b0).reshape(1, 2, 2, 2)
    H2 = torch.nn.functional.conv2d(h1, W1, b1, padding=2).flatten()
    return -torch.nn.functional.logsigmoid(w2 @ H2 + b2).sum()


check.compare("J", J, loss(W0, b0, W1, b1, w2, b2), method="torch ops")
check.check_gradients(
    loss, {"W0": W0, "b0": b0, "W1": W1, "b1": b1, "w2": w2, "b2": b2},
    {"w2": dw2, "b2": db2, "W1": dW1, "b1": db1, "W0": dW0, "b0": db0},
    labels={"w2": "∂J/∂w2", "b2": "∂J/∂b2", "W1": "∂J/∂W1", "b1": "∂J/∂b1", "W0": "∂J/∂W0", "b0": "∂J/∂b0"},
)
print(f"\n∂J/∂W1 =\n{dW1[0].numpy().round(4)}\n∂J/∂W0 =\n{dW0.numpy().round(4)}")
