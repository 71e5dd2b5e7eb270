"""Each loss is a negative log-likelihood: compare with torch.distributions, then check the gradients."""
import math

import torch

from dlref import check
from dlref import functional

torch.manual_seed(0)
B, C = 6, 4

# Bernoulli: y ∈ {0, 1}, P(y = 1 | x) = p = σ(a)
a = 2 * torch.randn(B, dtype=torch.float64)
y = torch.randint(0, 2, (B,)).to(torch.float64)
nll = -torch.distributions.Bernoulli(logits=a).log_prob(y).mean()
check.compare("BCE(σ(a), y)", functional.binary_cross_entropy(functional.sigmoid(a), y), nll, method="Bernoulli NLL")
check.compare("BCE with logits", functional.binary_cross_entropy_with_logits(a, y), nll, method="Bernoulli NLL")

# Categorical: y ∈ {0, …, C−1}, P(y = c | x) = S(a)_c
A = 2 * torch.randn(B, C, dtype=torch.float64)
labels = torch.randint(0, C, (B,))
nll = -torch.distributions.Categorical(logits=A).log_prob(labels).mean()
check.compare("CE(S(a), y)", functional.softmax_cross_entropy(A, labels), nll, method="Categorical NLL")

# Gaussian: y ~ N(ŷ, σ²) with a fixed σ; the NLL is MSE/(2σ²) plus a constant that does not depend on ŷ
yhat, target, sigma = torch.randn(B, dtype=torch.float64), torch.randn(B, dtype=torch.float64), 0.7
nll = -torch.distributions.Normal(yhat, sigma).log_prob(target).mean()
check.compare("MSE/2σ² + ½log 2πσ²", functional.mse(yhat, target) / (2 * sigma**2) + 0.5 * math.log(2 * math.pi * sigma**2), nll,
              method="Gaussian NLL")

print()
# The hand-written gradients (mean over the batch, hence the 1/B) against autograd and central differences.
Y = torch.nn.functional.one_hot(labels, C).to(torch.float64)
check.check_gradients(lambda A: functional.softmax_cross_entropy(A, labels), {"A": A},
                      {"A": (functional.softmax(A) - Y) / B}, labels={"A": "(P − Y)/B"})
check.check_gradients(lambda a: functional.binary_cross_entropy_with_logits(a, y), {"a": a},
                      {"a": (functional.sigmoid(a) - y) / B}, labels={"a": "(σ(a) − y)/B"})
p = functional.sigmoid(a)
check.check_gradients(lambda p: functional.binary_cross_entropy(p, y), {"p": p},
                      {"p": functional.binary_cross_entropy_backward(p, y)}, labels={"p": "∂BCE/∂p"})
check.check_gradients(lambda yhat: functional.mse(yhat, target), {"yhat": yhat},
                      {"yhat": 2 * (yhat - target) / B}, labels={"yhat": "2(ŷ − y)/B"})
