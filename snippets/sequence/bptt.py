"""BPTT by hand for a padded batch of variable-length sequences, against autograd and nn.RNN."""
import torch
from torch.nn.utils.rnn import pack_padded_sequence

from dlref import check
from dlref.rnn import length_mask, rnn_backward, rnn_forward

g = torch.Generator().manual_seed(0)
B, L, D, K = 4, 7, 3, 5
lengths = torch.tensor([7, 4, 1, 5])  # padded to L = 7
x = torch.randn(B, L, D, generator=g, dtype=torch.float64)
x[length_mask(lengths, L) == 0] = 99.0  # garbage in the padding: it must not matter
point = {"Wx": 0.5 * torch.randn(K, D, generator=g, dtype=torch.float64),
         "Wh": 0.5 * torch.randn(K, K, generator=g, dtype=torch.float64),
         "b": 0.1 * torch.randn(K, generator=g, dtype=torch.float64),
         "h0": 0.3 * torch.randn(B, K, generator=g, dtype=torch.float64), "x": x}
target = torch.randn(B, L, K, generator=g, dtype=torch.float64)
m = length_mask(lengths, L)  # (B, L)


def loss(Wx, Wh, b, h0, x):
    """Squared error of h_t against a target at every real step, averaged over the real steps."""
    H, _ = rnn_forward(x, lengths, h0, Wx, Wh, b)
    return 0.5 * (((H - target) ** 2) * m[..., None]).sum() / m.sum()


H, cache = rnn_forward(x, lengths, point["h0"], point["Wx"], point["Wh"], point["b"])
grad_H = (H - target) * m[..., None] / m.sum()  # the direct part of ∂L/∂h_t (zero at padded steps)
grads = rnn_backward(grad_H, cache)
check.check_gradients(loss, point, grads, finite_difference_tol=None,
                      labels={"Wx": "∇W_x", "Wh": "∇W_h", "b": "∇b", "h0": "∇h₀", "x": "∇x"})
print(f"largest |∇x| at a padded step: {(grads['x'] * (1 - m)[..., None]).abs().max():.1f}")

# The same forward pass as torch's packed-sequence RNN: the last real state of each example.
rnn = torch.nn.RNN(D, K, batch_first=True).double()
with torch.no_grad():
    rnn.weight_ih_l0.copy_(point["Wx"])
    rnn.weight_hh_l0.copy_(point["Wh"])
    rnn.bias_ih_l0.copy_(point["b"])
    rnn.bias_hh_l0.zero_()
_, h_last = rnn(pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False), point["h0"][None])
check.compare("h at each length", H[:, -1], h_last[0], method="nn.RNN, packed")
