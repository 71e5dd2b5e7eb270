"""Why training loops call zero_grad(): backward() adds into .grad, it does not overwrite it."""
import torch

from dlref import check

torch.manual_seed(0)
model = torch.nn.Linear(3, 1).double()
x1, x2 = torch.randn(4, 3, dtype=torch.float64), torch.randn(4, 3, dtype=torch.float64)
y1, y2 = torch.randn(4, 1, dtype=torch.float64), torch.randn(4, 1, dtype=torch.float64)


def loss(x, y):
    return ((model(x) - y) ** 2).mean()


g1 = torch.autograd.grad(loss(x1, y1), model.weight)[0]  # reference gradients, .grad untouched
g2 = torch.autograd.grad(loss(x2, y2), model.weight)[0]

loss(x1, y1).backward()
loss(x2, y2).backward()  # no zero_grad in between
check.compare(".grad after two backward()", model.weight.grad, g1 + g2, method="sum of the two")

model.zero_grad()  # sets .grad to None (set_to_none=True since torch 2.0)
print(f"after zero_grad(): model.weight.grad is {model.weight.grad}")
loss(x2, y2).backward()
check.compare(".grad after zero_grad", model.weight.grad, g2, method="second batch alone")

# The same accumulation, used on purpose: two half-batches summed equal one full batch.
model.zero_grad()
x, y = torch.cat([x1, x2]), torch.cat([y1, y2])
full = torch.autograd.grad(loss(x, y), model.weight)[0]
(loss(x1, y1) / 2).backward()
(loss(x2, y2) / 2).backward()
check.compare("accumulated halves", model.weight.grad, full, method="one batch of 8")
