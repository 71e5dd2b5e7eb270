"""The batched form: a (B, D) batch, mean cross-entropy, gradients summed over the batch."""
import torch

from dlref import check
from dlref import functional
from dlref.nn import MLP

torch.manual_seed(1)
B, D, K, C = 8, 6, 5, 4
net = MLP(D, K, C, dtype=torch.float64)
X = torch.randn(B, D, dtype=torch.float64)
y = torch.randint(0, C, (B,))

g = net.gradients(X, y)
# U2 = (P − Y)/B is (B, C); each row is one example's u2 scaled by 1/B.
P = functional.softmax(net(X))
Y = torch.nn.functional.one_hot(y, C).to(X.dtype)
check.compare("U₂ = (P − Y)/B", g["u2"], (P - Y) / B, method="formula")


def loss(W, b1, V, b2, X):
    return functional.softmax_cross_entropy(functional.linear(functional.relu(functional.linear(X, W, b1)), V, b2), y)


point = {"W": net.W, "b1": net.b1, "V": net.V, "b2": net.b2, "X": X}
manual = {"V": g["V"], "b2": g["b2"], "W": g["W"], "b1": g["b1"], "X": g["x"]}
check.check_gradients(loss, point, manual, finite_difference_tol=None,
                      labels={"V": "batch ∇V", "b2": "batch ∇b₂", "W": "batch ∇W", "b1": "batch ∇b₁", "X": "batch ∇X"})

# The batch gradient is the mean of the per-example gradients.
per_example = torch.stack([net.gradients(X[i], y[i])["V"] for i in range(B)])
check.compare("∇V = mean of per-example ∇V", g["V"], per_example.mean(0), method="per-example loop")
