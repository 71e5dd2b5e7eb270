"""Exercise of sequence/lstm: fill in lstm_cell_backward, then run the check."""
import torch

import dlref.exercises


def lstm_cell_backward(x, h, c, W, b, dh, dc):
    """∂L/∂c_{t−1} and ∂L/∂h_{t−1} for one LSTM step and L = dh · h_t + dc · c_t.

    x: (D,); h, c: (K,) the previous state; W: (4K, D + K) acting on [x; h];
        b: (4K,) with the
    blocks in nn.LSTM's order i, f, g, o. c_t = f ⊙ c + i ⊙ g, h_t = o ⊙
        tanh(c_t).
    Return {"c": ∂L/∂c_{t−1}, "h": ∂L/∂h_{t−1}}.
    """
    raise NotImplementedError  # your code here


dlref.exercises.check("sequence/lstm", lstm_cell_backward)
