"""What must hold on a CUDA GPU: the ops, the attention paths, the loops under mixed precision.

Every test here is marked ``cuda``: ``tests/conftest.py`` skips them on a machine without CUDA,
and ``make gpu-check`` runs them (``pytest -m cuda``) on a lent GPU machine, whose python3 has
torch and pytest but none of the project's other test dependencies — so this file imports only
torch, pytest and dlref.
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

pytestmark = pytest.mark.cuda

CUDA = torch.device("cuda")


def test_device_and_autocast_choose_cuda(monkeypatch):
    import dlref

    monkeypatch.delenv("DLREF_DEVICE", raising=False)
    assert dlref.device().type == "cuda" and dlref.profile() in ("quick", "full")
    with dlref.autocast(CUDA) as dtype:
        y = torch.ones(8, 8, device=CUDA) @ torch.ones(8, 8, device=CUDA)
    assert dtype in (torch.bfloat16, torch.float16) and y.dtype == dtype


@pytest.mark.parametrize("fast", [False, True])
def test_attention_on_cuda_matches_torch_in_float64(fast):
    from dlref.attention import scaled_dot_product_attention

    g = torch.Generator(device=CUDA).manual_seed(0)
    q, k, v = (torch.randn(2, 3, 17 + i, 8, generator=g, device=CUDA, dtype=torch.float64) for i in (0, 2, 2))
    q, k, v = (t.requires_grad_() for t in (q, k, v))
    mask = torch.rand(17, 19, generator=g, device=CUDA) > 0.3
    mask[:, 0] = True  # no fully masked row
    ours = scaled_dot_product_attention(q, k, v, attn_mask=mask, fast=fast)
    ref = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    torch.testing.assert_close(ours, ref, rtol=1e-10, atol=1e-12)
    up = torch.randn_like(ref)
    grads = torch.autograd.grad(ours, (q, k, v), up)
    ref_grads = torch.autograd.grad(ref, (q, k, v), up)
    for a, b in zip(grads, ref_grads):
        torch.testing.assert_close(a, b, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_attention_paths_agree_in_half_precision(dtype):
    from dlref.attention import scaled_dot_product_attention

    g = torch.Generator(device=CUDA).manual_seed(1)
    q, k, v = (torch.randn(2, 4, 256, 64, generator=g, device=CUDA, dtype=dtype) for _ in range(3))
    ref = F.scaled_dot_product_attention(q.double(), k.double(), v.double())
    for fast in (False, True):
        out = scaled_dot_product_attention(q, k, v, fast=fast)
        assert out.dtype == dtype
        err = (out.double() - ref).abs().max().item()
        assert err < (3e-2 if dtype == torch.bfloat16 else 5e-3), (fast, err)


def test_conv2d_backward_on_cuda_matches_autograd():
    from dlref.conv import conv2d, conv2d_backward

    g = torch.Generator(device=CUDA).manual_seed(2)
    X = torch.randn(2, 3, 9, 8, generator=g, device=CUDA, dtype=torch.float64, requires_grad=True)
    W = torch.randn(5, 3, 3, 2, generator=g, device=CUDA, dtype=torch.float64, requires_grad=True)
    b = torch.randn(5, generator=g, device=CUDA, dtype=torch.float64, requires_grad=True)
    out = conv2d(X, W, b, stride=2, padding=1)
    ref = F.conv2d(X, W, b, stride=2, padding=1)
    torch.testing.assert_close(out, ref, rtol=1e-12, atol=1e-12)
    dO = torch.randn_like(ref)
    dX, dW, db = conv2d_backward(dO, X.detach(), W.detach(), stride=2, padding=1)
    for ours, theirs in zip((dX, dW, db), torch.autograd.grad(ref, (X, W, b), dO)):
        assert ours.device.type == "cuda"
        torch.testing.assert_close(ours, theirs, rtol=1e-10, atol=1e-12)


def test_fit_trains_on_cuda_with_mixed_precision():
    from torch import nn

    from dlref.lab.train import fit

    torch.manual_seed(0)
    X = torch.randn(256, 1, 8, 8)
    y = (X.mean(dim=(1, 2, 3)) > 0).long()  # a learnable rule
    batches = [(X[i:i + 32], y[i:i + 32]) for i in range(0, 256, 32)]
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 64, 2))
    m = fit(model, batches, optimizer=torch.optim.Adam(model.parameters(), lr=1e-2),
            loss_fn=F.cross_entropy, epochs=3, device="cuda", val_loader=batches, progress=False)
    assert m["amp_dtype"] in ("bfloat16", "float16")
    assert next(model.parameters()).device.type == "cuda"
    assert all(math.isfinite(v) for v in m["train_loss"]) and m["train_loss"][-1] < m["train_loss"][0]
    assert m["val_accuracy"][-1] > 0.8


def test_dcgan_step_on_cuda_under_autocast():
    import dlref
    from dlref.gan.models import DCGANDiscriminator, DCGANGenerator

    torch.manual_seed(0)
    G, D = DCGANGenerator(16, 1, 28, 8).to(CUDA), DCGANDiscriminator(1, 28, 8).to(CUDA)
    with dlref.autocast(CUDA):
        fake = G(torch.randn(4, 16, device=CUDA))
        loss = F.softplus(-D(fake)).mean()  # the non-saturating generator loss
    loss.backward()
    assert fake.shape == (4, 1, 28, 28) and fake.abs().max() <= 1
    grads = [p.grad for p in G.parameters()]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)


def test_attention_cuda_benchmark_measures_every_implementation():
    from dlref.lab.benchmarks import attention_cuda

    cfg = attention_cuda.Config(lengths=(256,), head_dims=(64,), tokens=512, width=128, repeats=2, min_seconds=0.001)
    rows = attention_cuda.run(cfg)["rows"]
    assert {r["impl"] for r in rows} == set(attention_cuda.IMPLEMENTATIONS)
    assert len(rows) == len(cfg.dtypes) * len(attention_cuda.IMPLEMENTATIONS)
    assert all(r["status"] == "ok" and r["tflops"] > 0 and r["peak_mb"] > 0 for r in rows)
