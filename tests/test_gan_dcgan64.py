"""The 64×64 DCGAN pair of dlref.gan.models: the paper's layout, parameter counts, initialisation, inputs."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from dlref.gan import losses
from dlref.gan.models import DCGAN64Discriminator, DCGAN64Generator


def _shapes_after(model: nn.Module, layer_type: type, x: torch.Tensor) -> list[tuple[int, ...]]:
    """Output shape (without the batch) of every ``layer_type`` layer, in order."""
    seen = []
    hooks = [m.register_forward_hook(lambda m, i, o: seen.append(tuple(o.shape[1:])))
             for m in model.modules() if isinstance(m, layer_type)]
    model(x)
    for h in hooks:
        h.remove()
    return seen


@pytest.mark.parametrize("z_dim, channels, width", [(100, 3, 8), (16, 1, 4)])
def test_generator_doubles_the_side_from_4_to_64(z_dim, channels, width):
    G = DCGAN64Generator(z_dim, channels, width)
    z = torch.randn(3, z_dim)
    w = width
    assert _shapes_after(G, nn.ConvTranspose2d, z) == [
        (8 * w, 4, 4), (4 * w, 8, 8), (2 * w, 16, 16), (w, 32, 32), (channels, 64, 64)]
    x = G(z)
    assert x.shape == (3, channels, 64, 64)
    assert x.abs().max() < 1  # tanh output
    assert isinstance(G.net[-1], nn.Tanh)


@pytest.mark.parametrize("norm", ["batch", "layer", "none"])
def test_discriminator_mirrors_the_generator_and_returns_one_logit(norm):
    w = 4
    D = DCGAN64Discriminator(3, w, norm=norm)
    x = torch.randn(5, 3, 64, 64)
    assert _shapes_after(D, nn.Conv2d, x) == [(w, 32, 32), (2 * w, 16, 16), (4 * w, 8, 8), (8 * w, 4, 4), (1, 1, 1)]
    assert D(x).shape == (5, 1)
    assert not any(isinstance(m, nn.Sigmoid) for m in D.modules())  # a logit, as the losses expect
    acts = [m for m in D.modules() if isinstance(m, nn.LeakyReLU)]
    assert len(acts) == 4 and all(a.negative_slope == 0.2 for a in acts)
    norms = [m for m in D.modules() if isinstance(m, (nn.BatchNorm2d, nn.GroupNorm))]
    assert len(norms) == (0 if norm == "none" else 3)  # every stride-2 layer but the first


def _generator_count(z: int, C: int, w: int) -> int:
    convs = 16 * (z * 8 * w + 8 * w * 4 * w + 4 * w * 2 * w + 2 * w * w + w * C)  # 4×4 kernels, no biases
    return convs + 2 * (8 * w + 4 * w + 2 * w + w)  # batch-norm scale and shift


def _discriminator_count(C: int, w: int) -> int:
    convs = 16 * (C * w + w * 2 * w + 2 * w * 4 * w + 4 * w * 8 * w + 8 * w)
    return convs + 2 * (2 * w + 4 * w + 8 * w)


@pytest.mark.parametrize("z_dim, channels, width", [(100, 3, 64), (100, 3, 8), (7, 1, 3)])
def test_parameter_counts(z_dim, channels, width):
    G, D = DCGAN64Generator(z_dim, channels, width), DCGAN64Discriminator(channels, width)
    assert sum(p.numel() for p in G.parameters()) == _generator_count(z_dim, channels, width)
    assert sum(p.numel() for p in D.parameters()) == _discriminator_count(channels, width)


def test_paper_size_matches_the_published_counts():
    # The pytorch/examples DCGAN (nz 100, ngf = ndf = 64, 3 channels) prints these totals.
    assert sum(p.numel() for p in DCGAN64Generator().parameters()) == 3_576_704
    assert sum(p.numel() for p in DCGAN64Discriminator().parameters()) == 2_765_568


def test_no_bias_where_batch_norm_follows_and_biases_without_norm():
    for m in [*DCGAN64Generator(8, 3, 4).modules(), *DCGAN64Discriminator(3, 4).modules()]:
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            assert m.bias is None
    plain = DCGAN64Discriminator(3, 4, norm="none")
    assert [m.bias is not None for m in plain.modules() if isinstance(m, nn.Conv2d)] == [False, True, True, True, False]


def test_initialisation_is_the_papers_normal_0_002():
    torch.manual_seed(0)
    for net in (DCGAN64Generator(), DCGAN64Discriminator()):
        convs = torch.cat([m.weight.flatten() for m in net.modules() if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))])
        assert convs.numel() > 10**6
        assert abs(convs.mean().item()) < 1e-3
        assert convs.std().item() == pytest.approx(0.02, rel=0.01)
        bns = [m for m in net.modules() if isinstance(m, nn.BatchNorm2d)]
        scale = torch.cat([m.weight for m in bns])
        assert scale.mean().item() == pytest.approx(1.0, abs=0.005)
        assert scale.std().item() == pytest.approx(0.02, rel=0.2)
        assert all(bool((m.bias == 0).all()) for m in bns)


def test_initialisation_differs_from_pytorchs_default():
    # The check above can fail: PyTorch's own default for the first transposed convolution is not N(0, 0.02²).
    default = nn.ConvTranspose2d(100, 512, 4, 1, 0, bias=False)
    assert default.weight.std().item() > 0.03 or default.weight.std().item() < 0.015


def test_losses_take_the_discriminator_output_and_every_weight_gets_a_gradient():
    torch.manual_seed(1)
    G, D = DCGAN64Generator(8, 3, 4), DCGAN64Discriminator(3, 4)
    real, fake = D(torch.rand(4, 3, 64, 64) * 2 - 1), D(G(torch.randn(4, 8)))
    d_loss = losses.minimax_d_loss(real, fake)
    g_loss = losses.nonsaturating_g_loss(fake)
    assert torch.isfinite(d_loss) and torch.isfinite(g_loss)
    g_loss.backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in G.parameters())


def test_extra_repr_shows_the_shapes():
    assert "z_dim=8, out=(3, 64, 64), width=4" in repr(DCGAN64Generator(8, 3, 4))
    assert "in=(1, 64, 64), width=4, norm='layer'" in repr(DCGAN64Discriminator(1, 4, norm="layer"))


@pytest.mark.parametrize("make, match", [
    (lambda: DCGAN64Generator(0), r"DCGAN64Generator z_dim must be an int ≥ 1; got 0"),
    (lambda: DCGAN64Generator(8, width=2.5), r"DCGAN64Generator width must be an int"),
    (lambda: DCGAN64Discriminator(channels=-1), r"DCGAN64Discriminator channels must be an int"),
    (lambda: DCGAN64Discriminator(norm="spectral"), r"norm must be one of 'batch', 'layer', 'none'"),
])
def test_bad_constructor_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_bad_forward_inputs():
    G, D = DCGAN64Generator(8, 3, 4), DCGAN64Discriminator(3, 4)
    with pytest.raises(ValueError, match=r"DCGAN64Generator expects input z = \(B, 8\); got \(2, 8, 1, 1\)"):
        G(torch.randn(2, 8, 1, 1))  # the recipe's 4-D noise: dlref's generators take (B, z_dim)
    with pytest.raises(ValueError, match=r"DCGAN64Discriminator expects input x = \(B, 3, 64, 64\); got \(2, 3, 32, 32\)"):
        D(torch.randn(2, 3, 32, 32))
    with pytest.raises(TypeError, match=r"expects a floating-point tensor x"):
        D(torch.zeros(2, 3, 64, 64, dtype=torch.long))
    with pytest.raises(TypeError, match=r"z and parameters must share a dtype; got z torch.float64"):
        G(torch.randn(2, 8, dtype=torch.float64))
