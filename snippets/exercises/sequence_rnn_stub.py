"""Exercise of sequence/rnn: fill in rnn_gradients, then run the check."""
import torch

import dlref.exercises


def rnn_gradients(x, h0, Wx, Wh, b, g):
    """Backpropagation through time for hₜ = tanh(Wx xₜ + Wh hₜ₋₁ + b), t = 1 …
        T, and L = g · h_T.

    x: (T, D) inputs; h0: (K,); Wx: (K, D); Wh: (K, K); b: (K,); g: (K,) =
        ∂L/∂h_T.
    Return {"Wh": ∂L/∂Wh, "Wx": ∂L/∂Wx, "h0": ∂L/∂h0}, summed over every step.
    """
    raise NotImplementedError  # your code here


dlref.exercises.check("sequence/rnn", rnn_gradients)
