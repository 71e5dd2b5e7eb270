"""Tests for dlref.vit: patches, patch embedding = conv, positions, permutation behaviour, bad input."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlref import vit

f64 = torch.float64


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 3), st.integers(1, 4), st.integers(1, 4), st.integers(1, 5), st.integers(1, 3))
def test_patchify_roundtrip_and_content(B, C, nh, nw, P):
    x = torch.randn(B, C, nh * P, nw * P, dtype=f64)
    p = vit.patchify(x, P)
    assert p.shape == (B, nh * nw, C * P * P) and vit.num_patches((nh * P, nw * P), P) == nh * nw
    torch.testing.assert_close(vit.unpatchify(p, P, (nh * P, nw * P), C), x)
    # patch (r, c) is the block x[..., rP:(r+1)P, cP:(c+1)P]
    r, c = nh - 1, nw - 1
    torch.testing.assert_close(p[:, r * nw + c], x[:, :, r * P:(r + 1) * P, c * P:(c + 1) * P].reshape(B, -1))


def test_patch_embedding_equals_linear_on_patches():
    torch.manual_seed(0)
    emb = vit.PatchEmbedding(3, 24, 8).double()
    x = torch.randn(2, 3, 32, 40, dtype=f64)
    W, b = emb.as_linear()
    torch.testing.assert_close(emb(x), vit.patchify(x, 8) @ W.T + b)


def test_seed_patch_numbers():
    p = vit.patchify(torch.zeros(1, 3, 224, 224), 16)
    assert p.shape[1] == (224 // 16) ** 2 and p.shape[2] == 16 * 16 * 3


def test_sinusoidal_positions():
    pe = vit.sinusoidal_positions(50, 16)
    assert pe.shape == (50, 16)
    t, i = 7, 3
    assert pe[t, 2 * i].item() == pytest.approx(torch.sin(torch.tensor(t / 10000 ** (2 * i / 16))).item(), abs=1e-6)
    assert pe[t, 2 * i + 1].item() == pytest.approx(torch.cos(torch.tensor(t / 10000 ** (2 * i / 16))).item(), abs=1e-6)
    assert len({tuple(r.tolist()) for r in pe}) == 50  # every position distinct


def _shuffle(img, P, perm):
    H, W = img.shape[-2:]
    return vit.unpatchify(vit.patchify(img, P)[:, perm], P, (H, W), img.shape[1])


def test_vit_without_positions_is_patch_order_invariant_and_with_them_is_not():
    torch.manual_seed(0)
    img = torch.rand(2, 1, 28, 28, dtype=f64)
    perm = torch.randperm(16)
    none = vit.ViT(28, 7, 1, 10, dim=16, depth=2, heads=2, positions="none").double().eval()
    torch.testing.assert_close(none(_shuffle(img, 7, perm)), none(img))
    learned = vit.ViT(28, 7, 1, 10, dim=16, depth=2, heads=2).double().eval()
    torch.nn.init.normal_(learned.pos)
    assert (learned(_shuffle(img, 7, perm)) - learned(img)).abs().max() > 1e-4


def test_block_is_permutation_equivariant():
    torch.manual_seed(0)
    blk = vit.Block(16, 4).double().eval()
    x = torch.randn(3, 9, 16, dtype=f64)
    perm = torch.randperm(9)
    torch.testing.assert_close(blk(x[:, perm]), blk(x)[:, perm])


def test_vit_trains_a_little():
    torch.manual_seed(0)
    X = torch.randn(64, 1, 8, 8)
    y = (X[:, 0, :4].mean((1, 2)) > X[:, 0, 4:].mean((1, 2))).long()  # top half brighter than bottom
    model = vit.ViT(8, 4, 1, 2, dim=16, depth=1, heads=2)
    opt = torch.optim.Adam(model.parameters(), 3e-3)
    first = None
    for _ in range(60):
        loss = torch.nn.functional.cross_entropy(model(X), y)
        first = first or loss.item()
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 0.5 * first


def test_bad_inputs():
    with pytest.raises(ValueError, match=r"image side must be a multiple of patch_size 16; got H_in=30, W_in=32"):
        vit.patchify(torch.zeros(1, 3, 30, 32), 16)
    with pytest.raises(ValueError, match=r"x must have 4 dimensions; got shape \(3, 32, 32\)"):
        vit.patchify(torch.zeros(3, 32, 32), 16)
    with pytest.raises(ValueError, match="patch_size must be an int >= 1; got 0"):
        vit.patchify(torch.zeros(1, 3, 32, 32), 0)
    with pytest.raises(ValueError, match="positive multiples of patch_size 16; got 100×100"):
        vit.num_patches(100, 16)
    with pytest.raises(ValueError, match="expected 3 input channels"):
        vit.PatchEmbedding(3, 8, 4)(torch.zeros(1, 1, 8, 8))
    with pytest.raises(ValueError, match="even dim"):
        vit.sinusoidal_positions(4, 5)
    with pytest.raises(ValueError, match="positions must be one of 'learned', 'sincos', 'none'; got 'rope'"):
        vit.ViT(28, 7, 1, 10, positions="rope")
    with pytest.raises(ValueError, match="do not fit"):
        vit.unpatchify(torch.zeros(1, 5, 48), 4, (8, 8), 3)
