"""Exercises of the attention and vision-transformer chapters: masked attention, patches.

Truth by PyTorch (`F.scaled_dot_product_attention`, `F.unfold`); each mistake is the reference
solution with one slip that the page describes.
"""

from __future__ import annotations

from functools import partial

import torch

from dlref.exercises.registry import Exercise, Mistake, randn, register

# The reader reaches these exercises through dlref.exercises (check, get, list_exercises); the
# functions here are the reference solutions a page's collapsed answer shows, not API of their own.
__all__: list[str] = []

# ---------------------------------------------------------------- attention/attention


def attention(Q, K, V, mask):
    """Scaled dot-product attention with a boolean mask (True = may attend).

    Q: (B, L, E); K: (B, S, E); V: (B, S, E_v); mask: (L, S) bool, at least one True per row.
    Return {"out": softmax(Q Kᵀ / √E, masked) V} of shape (B, L, E_v).
    """
    scores = Q @ K.transpose(-2, -1) / Q.shape[-1] ** 0.5  # (B, L, S)
    scores = scores.masked_fill(~mask, float("-inf"))
    return {"out": torch.softmax(scores, dim=-1) @ V}


def _attention_slip(Q, K, V, mask, *, slip):
    scale = Q.shape[-1] if slip == "1/E" else Q.shape[-1] ** 0.5
    scores = Q @ K.transpose(-2, -1) / scale
    if slip == "inverted":
        # True read as "masked"; a row masked everywhere would be NaN, so keep its diagonal-free complement.
        scores = scores.masked_fill(mask & (~mask).any(-1, keepdim=True), float("-inf"))
    else:
        scores = scores.masked_fill(~mask, float("-inf"))
    dim = -2 if slip == "axis" else -1
    weights = torch.softmax(scores, dim=dim).nan_to_num(0.0)
    return {"out": weights @ V}


def _attention_inputs(gen):
    B, L, S, E, Ev = 2, 3, 5, 4, 6
    mask = torch.rand(L, S, generator=gen) < 0.6
    mask[torch.arange(L), torch.randint(0, S, (L,), generator=gen)] = True  # every query sees a key
    mask[torch.arange(L), torch.randint(0, S, (L,), generator=gen)] = False
    mask[torch.arange(L), torch.randint(0, S, (L,), generator=gen)] = True
    return dict(Q=randn(gen, B, L, E), K=randn(gen, B, S, E), V=randn(gen, B, S, Ev), mask=mask)


register(Exercise(
    page="attention/attention",
    task=r"Write masked scaled dot-product attention for a batch, with `True` in the mask meaning "
         r"*may attend* as in `F.scaled_dot_product_attention`.",
    inputs=_attention_inputs,
    truth=lambda Q, K, V, mask: {"out": torch.nn.functional.scaled_dot_product_attention(Q, K, V, attn_mask=mask)},
    solution=attention,
    mistakes=(
        Mistake("scaled by 1/E instead of 1/√E", "common-mistakes", partial(_attention_slip, slip="1/E"),
                "The scores' variance is E; dividing by √E brings it to 1."),
        Mistake("the boolean mask read the other way (True = masked)", "common-mistakes",
                partial(_attention_slip, slip="inverted"),
                "In F.scaled_dot_product_attention True means the query may attend to the key."),
        Mistake("the softmax over the queries instead of the keys", "derivation", partial(_attention_slip, slip="axis"),
                "Each query's weights over the S keys sum to 1: softmax along the last axis."),
    ),
    hint="scores (B, L, S) = Q Kᵀ/√E; fill the disallowed pairs with −∞ before a softmax over S.",
))

# ---------------------------------------------------------------- vit/vit


def patchify(x, P):
    """Cut images into non-overlapping P × P patches, one flattened vector per patch.

    x: (B, C, H, W) with H and W multiples of P. Return {"patches": (B, N, C·P·P)}: patches in
    row-major order over the image, each vector ordered (channel, row, column) like a Conv2d patch embedding's weight.
    """
    B, C, H, W = x.shape
    p = x.reshape(B, C, H // P, P, W // P, P)  # (B, C, H/P, P, W/P, P)
    p = p.permute(0, 2, 4, 1, 3, 5)  # (B, H/P, W/P, C, P, P)
    return {"patches": p.reshape(B, (H // P) * (W // P), C * P * P)}


def _patchify_slip(x, P, *, slip):
    B, C, H, W = x.shape
    if slip == "reshape":
        return {"patches": x.reshape(B, (H // P) * (W // P), C * P * P)}  # pixels of different patches mixed
    p = x.reshape(B, C, H // P, P, W // P, P)
    if slip == "column-major":
        p = p.permute(0, 4, 2, 1, 3, 5)  # patches ordered down the columns first
    else:
        p = p.permute(0, 2, 4, 3, 5, 1)  # channels last inside each patch
    return {"patches": p.reshape(B, (H // P) * (W // P), C * P * P)}


register(Exercise(
    page="vit/vit",
    task=r"Cut a batch of images into the sequence of flattened $P\times P$ patches a ViT embeds.",
    inputs=lambda gen: dict(x=randn(gen, 2, 3, 4, 6), P=2),
    truth=lambda x, P: {"patches": torch.nn.functional.unfold(x, P, stride=P).transpose(1, 2)},
    solution=patchify,
    mistakes=(
        Mistake("one reshape of the image (pixels of different patches mixed)", "patches",
                partial(_patchify_slip, slip="reshape"),
                "A reshape keeps memory order, which runs along whole image rows; split H and W, then permute."),
        Mistake("patches ordered column by column", "patches", partial(_patchify_slip, slip="column-major"),
                "The sequence runs along the rows of patches, like the positions a Conv2d patch embedding yields."),
        Mistake("channels last inside each patch vector", "patches", partial(_patchify_slip, slip="channels-last"),
                "A Conv2d patch embedding's weight is (E, C, P, P): the vector is channel-major."),
    ),
    hint="split H into (H/P, P) and W into (W/P, P), then bring the two patch indices forward.",
))
