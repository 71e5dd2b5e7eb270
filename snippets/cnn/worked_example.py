"""The 6×6 worked example: correlation, 2×2 max-pool stride 1, MSE to the identity, one update step."""
import torch
import torch.nn.functional as F

from dlref import check
from dlref import conv as cb

X = torch.tensor([[1, 7, -1, -7, 10, 11],
                  [2, 8, 0, 0, 12, 13],
                  [3, 9, 0, 0, 0, 0],
                  [4, 10, -4, -10, 0, 0],
                  [5, 11, -5, -11, 16, 17],
                  [6, 12, -6, -12, 14, 15]], dtype=torch.float64)
Fk = torch.tensor([[1, 0, -1], [2, 0, -2], [1, 0, -1]], dtype=torch.float64)  # Sobel-like filter F
T = torch.eye(3, dtype=torch.float64)  # the target L̂
eta = 0.0005


def show(name, M, fmt="{:9.3f}"):
    print(f"{name} =")
    for row in M.tolist():
        print("   " + " ".join(fmt.format(v) for v in row))


# Forward, by hand.
O = cb.conv2d(X[None, None], Fk[None, None])  # (1, 1, 4, 4)
M, idx = cb.max_pool2d(O, 2, stride=1)  # (1, 1, 3, 3) and where each max came from
L = ((M[0, 0] - T) ** 2).mean()  # MSE over the 9 entries
show("O = X ⋆ F", O[0, 0], "{:5.0f}")
show("M = maxpool₂ₓ₂,ₛ₌₁(O)", M[0, 0], "{:5.0f}")
print(f"L = mean((M − L̂)²) = {L.item():.4f}\n")

# Backward, by hand.
dM = 2 * (M - T) / 9  # ∂L/∂M
dO = cb.max_pool2d_backward(dM, idx, O.shape)  # each entry routed to its argmax; shared maxima add
_, dF, _ = cb.conv2d_backward(dO, X[None, None], Fk[None, None])  # ∂L/∂F = X ⋆ ∂L/∂O
F_new = Fk - eta * dF[0, 0]  # F ← F − η ∂L/∂F
show("∂L/∂M · 9/2 = M − L̂", (dM * 9 / 2)[0, 0], "{:5.0f}")
show("∂L/∂O · 9/2", (dO * 9 / 2)[0, 0], "{:5.0f}")
show("∂L/∂F", dF[0, 0], "{:10.4f}")
show(f"F_new = F − {eta} ∂L/∂F", F_new, "{:8.4f}")
print()


# Every matrix against autograd through torch's own conv and pooling.
def loss(X, Fk):
    O = F.conv2d(X[None, None], Fk[None, None])
    return ((F.max_pool2d(O, 2, stride=1)[0, 0] - T) ** 2).mean()


check.compare("O", O, F.conv2d(X[None, None], Fk[None, None]), method="F.conv2d")
check.compare("M", M, F.max_pool2d(F.conv2d(X[None, None], Fk[None, None]), 2, stride=1), method="F.max_pool2d")
check.compare("L", L, loss(X, Fk), method="torch ops")
check.check_gradients(loss, {"X": X, "Fk": Fk}, {"Fk": dF[0, 0]}, labels={"Fk": "∂L/∂F"})
O_leaf = F.conv2d(X[None, None], Fk[None, None]).requires_grad_()  # O as a leaf: autograd gives ∂L/∂O
((F.max_pool2d(O_leaf, 2, stride=1)[0, 0] - T) ** 2).mean().backward()
check.compare("∂L/∂O", dO, O_leaf.grad, method="autograd")
Fr = Fk.clone().requires_grad_()
loss(X, Fr).backward()
opt = torch.optim.SGD([Fr], lr=eta)
opt.step()
check.compare("F_new", F_new, Fr.detach(), method="torch.optim.SGD")

# What the worked solution wrote, recomputed.
listed = [(46, 0), (46, 0), (-16, 0), (71, 1), (71, 1), (-16, 0), (88, 0), (88, 0)]  # its eight (M, L̂) terms
stated = 3442.44  # the loss value the worked solution states
print(f"\nthe worked solution states L = {stated}; its written sum has {len(listed)} terms (of {M.numel()}), "
      f"with the target 1 of entry (0, 0) moved to entry (1, 0), and evaluates to {sum((m - t) ** 2 for m, t in listed) / 9:.4f}; "
      f"the correct L is {L.item():.4f}")
assert abs(stated - L.item()) < 0.01
print(f"in ∂L/∂O the entry O[1, 2] is the max of {int((idx == 1 * 4 + 2).sum())} windows, so it collects "
      f"{(dO * 9 / 2)[0, 0, 1, 2].item():.0f}·2/9, not the −16·2/9 of one window")
O_flipped = cb.conv2d(X[None, None], Fk.flip(0, 1)[None, None])  # a true convolution flips the filter
print(f"a true (flipped) convolution gives −O here: {torch.equal(O_flipped, -O)}")
