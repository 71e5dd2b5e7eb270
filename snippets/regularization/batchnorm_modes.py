"""Batch normalization from scratch against nn.BatchNorm2d, in training and evaluation mode."""
import torch

from dlref import check

torch.manual_seed(0)
C, eps, momentum = 3, 1e-5, 0.1
bn = torch.nn.BatchNorm2d(C, eps=eps, momentum=momentum).double()
with torch.no_grad():  # non-trivial γ, β so that a mix-up between them and the statistics would show
    bn.weight.copy_(torch.tensor([1.5, 0.5, -2.0]))
    bn.bias.copy_(torch.tensor([0.1, -0.3, 0.7]))
gamma, beta = bn.weight.detach(), bn.bias.detach()
running_mean, running_var = torch.zeros(C, dtype=torch.float64), torch.ones(C, dtype=torch.float64)


def bn_train(x):
    """Normalise with the batch's statistics over (B, H, W); update the running estimates."""
    global running_mean, running_var
    n = x.numel() // C
    mu = x.mean(dim=(0, 2, 3))  # (C,)
    var = x.var(dim=(0, 2, 3), unbiased=False)  # (C,) the biased variance normalises
    running_mean = (1 - momentum) * running_mean + momentum * mu
    running_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)  # the unbiased one is stored
    xhat = (x - mu[:, None, None]) / torch.sqrt(var[:, None, None] + eps)  # (B, C, H, W)
    return gamma[:, None, None] * xhat + beta[:, None, None]


def bn_eval(x):
    """Normalise with the running estimates: a fixed affine map per channel."""
    xhat = (x - running_mean[:, None, None]) / torch.sqrt(running_var[:, None, None] + eps)
    return gamma[:, None, None] * xhat + beta[:, None, None]


bn.train()
for step in range(5):  # five training batches, shifted and scaled per channel
    x = 2.0 * torch.randn(8, C, 4, 4, dtype=torch.float64) + torch.tensor([1.0, -2.0, 0.5])[:, None, None]
    check.compare(f"train output {step + 1}", bn_train(x), bn(x), method="nn.BatchNorm2d")
check.compare("running mean", running_mean, bn.running_mean, method="nn.BatchNorm2d")
check.compare("running var", running_var, bn.running_var, method="nn.BatchNorm2d")

bn.eval()
x_test = torch.randn(2, C, 4, 4, dtype=torch.float64)
check.compare("eval output", bn_eval(x_test), bn(x_test), method="nn.BatchNorm2d")
# In eval mode γ and β alone do not normalise: the running statistics do.
affine_only = gamma[:, None, None] * x_test + beta[:, None, None]
print(f"eval output vs γx + β (no running statistics): max difference {(affine_only - bn(x_test)).abs().max():.3f}")
# In eval mode each example's output no longer depends on the rest of the batch.
check.compare("eval, one example alone", bn(x_test[:1]), bn(x_test)[:1], method="same example in a batch")
