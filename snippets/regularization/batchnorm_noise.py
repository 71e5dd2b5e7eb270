"""The noise batch norm injects in training mode: one example's output depends on its batch-mates."""
import torch

from dlref.lab import figures

g = torch.Generator().manual_seed(0)
R = 500  # independent random batches, run at once as R channels of one BatchNorm1d
bn = torch.nn.BatchNorm1d(R, affine=False).double()
data = 1.0 + 2.0 * torch.randn(10000, generator=g, dtype=torch.float64)  # a population of inputs
x0 = 2.0  # the example we follow; it sits in row 0 of every batch

sizes, spread = [2, 4, 8, 16, 32, 64, 128, 256], []
print(f" B   std of BN(x₀) over {R} batches   1/√B")
bn.train()
for B in sizes:
    batch = data[torch.randint(len(data), (B, R), generator=g)]  # (B, R): column r is batch r
    batch[0] = x0
    spread.append(bn(batch)[0].std().item())  # row 0 is x₀ normalised by each batch's statistics
    print(f"{B:3d}   {spread[-1]:30.4f}   {B ** -0.5:5.3f}")
bn.eval()
bn.running_mean.fill_(data.mean().item())
bn.running_var.fill_(data.var().item())
batch = data[torch.randint(len(data), (16, R), generator=g)]
batch[0] = x0
print(f"eval mode: std of BN(x₀) over {R} batches = {bn(batch)[0].std().item():.1e}")
assert spread[0] > 5 * spread[-1] and bn(batch)[0].std() < 1e-12

fig, ax = figures.new(width=5.5, height=3.5)
ax.loglog(sizes, spread, "o-", label="training mode")
ax.loglog(sizes, [spread[-1] * (sizes[-1] / B) ** 0.5 for B in sizes], "--", label="∝ 1/√B")
ax.set(xlabel="batch size B", ylabel="std of one example's output")
ax.legend()
figures.show(fig, "batchnorm-noise", "Spread of one fixed example's normalised value across random batches.")
