"""Exercise of attention/attention: fill in attention, then run the check."""
import torch

import dlref.exercises


def attention(Q, K, V, mask):
    """Scaled dot-product attention with a boolean mask (True = may attend).

    Q: (B, L, E); K: (B, S, E); V: (B, S, E_v); mask: (L, S) bool, at least
        one True per row.
    Return {"out": softmax(Q Kᵀ / √E, masked) V} of shape (B, L, E_v).
    """
    raise NotImplementedError  # your code here


dlref.exercises.check("attention/attention", attention)
