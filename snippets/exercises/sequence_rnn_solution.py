"""A solution of the sequence/rnn exercise, checked; then each known mistake's diagnosis."""
import torch

import dlref.exercises


def rnn_gradients(x, h0, Wx, Wh, b, g):
    """Backpropagation through time for hₜ = tanh(Wx xₜ + Wh hₜ₋₁ + b), t = 1 … T, and L = g · h_T.

    x: (T, D) inputs; h0: (K,); Wx: (K, D); Wh: (K, K); b: (K,); g: (K,) = ∂L/∂h_T.
    Return {"Wh": ∂L/∂Wh, "Wx": ∂L/∂Wx, "h0": ∂L/∂h0}, summed over every step.
    """
    hs = [h0]
    for x_t in x:
        hs.append(torch.tanh(Wx @ x_t + Wh @ hs[-1] + b))
    dWh, dWx, delta = torch.zeros_like(Wh), torch.zeros_like(Wx), g
    for t in range(len(x), 0, -1):
        u = delta * (1 - hs[t] ** 2)  # ∂L/∂aₜ
        dWh += torch.outer(u, hs[t - 1])
        dWx += torch.outer(u, x[t - 1])
        delta = Wh.T @ u  # ∂L/∂hₜ₋₁
    return {"Wh": dWh, "Wx": dWx, "h0": delta}


report = dlref.exercises.check("sequence/rnn", rnn_gradients)
assert report.passed
print(dlref.exercises.verify_catalogue("sequence/rnn"))
