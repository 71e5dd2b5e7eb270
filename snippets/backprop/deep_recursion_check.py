"""The L-layer recursion δˡ = (Wˡ⁺¹)ᵀδˡ⁺¹ ⊙ g′(zˡ) on a 6-layer net with mixed activations, against autograd."""
import torch

from dlref import check
from dlref.nn import DeepMLP, activation, activation_derivative

torch.manual_seed(4)
sizes = [5, 8, 7, 6, 6, 4, 1]
acts = ["tanh", "relu", "sigmoid", "tanh", "relu", "sigmoid"]  # sigmoid output: a binary classifier
net = DeepMLP(sizes, acts, dtype=torch.float64)
B = 8
x = torch.randn(B, sizes[0], dtype=torch.float64)
y = torch.randint(0, 2, (B, 1)).to(torch.float64)


def bce(a):  # mean binary cross-entropy of probabilities a against y
    return -(y * torch.log(a) + (1 - y) * torch.log(1 - a)).mean()


# ∂L/∂aᴸ for the mean BCE, derived by hand: (a − y) / (a(1 − a)) / B
z, a = net.forward_cache(x)
grad_output = (a[-1] - y) / (a[-1] * (1 - a[-1])) / B
g = net.gradients(x, grad_output)


def tail(l):
    """The loss as a function of zˡ (python index l ↔ layer l+1): layers l+1 … L applied to it."""
    def fn(z):
        h = activation(acts[l], z)
        for k in range(l + 1, net.L):
            h = activation(acts[k], torch.nn.functional.linear(h, net.W[k], net.b[k]))
        return bce(h)
    return fn


SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
for l in range(net.L):  # every delta is ∂L/∂zˡ; an all-zero delta would make the check vacuous
    assert (g["delta"][l] != 0).any(), f"δ of layer {l + 1} is all zero; pick another seed"
    check.check_gradients(tail(l), {"z": z[l]}, {"z": g["delta"][l]},
                          finite_difference_tol=None, labels={"z": f"δ{str(l + 1).translate(SUP)}"})


def full(x, **params):
    h = x
    for k in range(net.L):
        h = activation(acts[k], torch.nn.functional.linear(h, params[f"W{k + 1}"], params[f"b{k + 1}"]))
    return bce(h)


point = {"x": x} | {f"W{k + 1}": net.W[k] for k in range(net.L)} | {f"b{k + 1}": net.b[k] for k in range(net.L)}
manual = {"x": g["x"]} | {f"W{k + 1}": g["W"][k] for k in range(net.L)} | {f"b{k + 1}": g["b"][k] for k in range(net.L)}
check.check_gradients(full, point, manual, finite_difference_tol=None,
                      labels={k: f"∇{k}" for k in point})

# The seed-style row form: ∂L/∂zˡ (a row) = ∂L/∂zˡ⁺¹ · Wˡ⁺¹ · diag(g′(zˡ)), the Jacobian product.
i, l = 0, 2  # one example, layer 3 → 4
J = torch.autograd.functional.jacobian(
    lambda zl: torch.nn.functional.linear(activation(acts[l], zl), net.W[l + 1], net.b[l + 1]), z[l][i])
check.compare("∂z⁴/∂z³", net.W[l + 1] @ torch.diag(activation_derivative(acts[l], z[l][i])), J,
              method="autograd jacobian")
check.compare("row form of δ³", g["delta"][l + 1][i] @ J, g["delta"][l][i], method="Jacobian product")
print(f"\n{net.L} layers, widths {sizes}, activations {acts}, batch {B}")
