"""Pooling layers have no parameters, yet the layers below them still receive gradient through them."""
import torch
from torch import nn

for pool in (nn.MaxPool2d(2), nn.AvgPool2d(2)):
    n_params = sum(p.numel() for p in pool.parameters())
    print(f"{pool!s:<70} parameters: {n_params}")
    assert n_params == 0 and list(pool.parameters()) == []

# A conv below a max-pool: its weights get a gradient only because the pool passes one back.
torch.manual_seed(8)
net = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(2 * 2 * 2, 1)).double()
x = torch.randn(1, 1, 4, 4, dtype=torch.float64)
net(x).sum().backward()
conv_grad = net[0].weight.grad.abs().max().item()
print(f"\nlargest |∂L/∂(conv weight)| below the max-pool: {conv_grad:.4f}")
assert conv_grad > 0
