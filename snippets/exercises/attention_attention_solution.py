"""A solution of the attention/attention exercise, checked; then each known mistake's diagnosis."""
import torch

import dlref.exercises


def attention(Q, K, V, mask):
    """Scaled dot-product attention with a boolean mask (True = may attend).

    Q: (B, L, E); K: (B, S, E); V: (B, S, E_v); mask: (L, S) bool, at least one True per row.
    Return {"out": softmax(Q Kᵀ / √E, masked) V} of shape (B, L, E_v).
    """
    scores = Q @ K.transpose(-2, -1) / Q.shape[-1] ** 0.5  # (B, L, S)
    scores = scores.masked_fill(~mask, float("-inf"))
    return {"out": torch.softmax(scores, dim=-1) @ V}


report = dlref.exercises.check("attention/attention", attention)
assert report.passed
print(dlref.exercises.verify_catalogue("attention/attention"))
