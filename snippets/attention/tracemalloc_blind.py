"""tracemalloc does not see tensor storage: the saved-tensor count does."""
import tracemalloc

import torch

from dlref import attention

torch.manual_seed(0)
L = 1024
q, k, v = (torch.randn(1, 2, L, 64, requires_grad=True) for _ in range(3))
saved = {}


def pack(t):
    saved[t.untyped_storage().data_ptr()] = t.untyped_storage().nbytes()
    return t


tracemalloc.start()
with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
    out = attention.scaled_dot_product_attention(q, k, v)
_, traced_peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
scores_mib = 2 * L * L * 4 / 2**20  # one (B, H, L, L) float32 tensor
print(f"one (1, 2, {L}, {L}) float32 tensor:        {scores_mib:8.2f} MiB")
print(f"tracemalloc peak during the forward pass:  {traced_peak / 2**20:8.2f} MiB")
print(f"storages saved for backward (incl. q,k,v): {sum(saved.values()) / 2**20:8.2f} MiB")
assert traced_peak / 2**20 < 0.1 * scores_mib < sum(saved.values()) / 2**20
