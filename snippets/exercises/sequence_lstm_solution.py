"""A solution of the sequence/lstm exercise, checked; then each known mistake's diagnosis."""
import torch

import dlref.exercises


def lstm_cell_backward(x, h, c, W, b, dh, dc):
    """∂L/∂c_{t−1} and ∂L/∂h_{t−1} for one LSTM step and L = dh · h_t + dc · c_t.

    x: (D,); h, c: (K,) the previous state; W: (4K, D + K) acting on [x; h]; b: (4K,) with the
    blocks in nn.LSTM's order i, f, g, o. c_t = f ⊙ c + i ⊙ g, h_t = o ⊙ tanh(c_t).
    Return {"c": ∂L/∂c_{t−1}, "h": ∂L/∂h_{t−1}}.
    """
    K = h.shape[0]
    zi, zf, zg, zo = (W @ torch.cat([x, h]) + b).split(K)
    i, f, g, o = torch.sigmoid(zi), torch.sigmoid(zf), torch.tanh(zg), torch.sigmoid(zo)
    c_t = f * c + i * g
    dc_t = dc + dh * o * (1 - torch.tanh(c_t) ** 2)  # total ∂L/∂c_t
    dz = torch.cat([dc_t * g * i * (1 - i), dc_t * c * f * (1 - f), dc_t * i * (1 - g ** 2),
                    dh * torch.tanh(c_t) * o * (1 - o)])  # (4K,)
    return {"c": dc_t * f, "h": W[:, x.shape[0]:].T @ dz}


report = dlref.exercises.check("sequence/lstm", lstm_cell_backward)
assert report.passed
print(dlref.exercises.verify_catalogue("sequence/lstm"))
