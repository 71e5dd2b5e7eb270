"""Tests for dlref.gan: losses (values and gradient signs), models, metrics, the ring toy, the training loop."""

from __future__ import annotations

import dataclasses
import math

import pytest
import torch
from torch.testing import assert_close

from dlref.gan import losses, models, toy
from dlref.lab.gan import metrics
from dlref.lab.gan.train import GANConfig, GANDivergedError, one_thread, sample_noise, train

f64 = torch.float64


def grad(fn, *xs):
    xs = [x.clone().to(f64).requires_grad_(True) for x in xs]
    return torch.autograd.grad(fn(*xs), xs)


# --------------------------------------------------------------------------- losses


def test_minimax_d_loss_value_and_gradients_at_zero_logits():
    z = torch.zeros(4, dtype=f64)
    assert_close(losses.minimax_d_loss(z, z), torch.tensor(math.log(4.0), dtype=f64))
    g_real, g_fake = grad(losses.minimax_d_loss, z, z)
    assert_close(g_real, torch.full((4,), -0.5 / 4, dtype=f64))  # −(1 − σ(0))/B: raise D on real
    assert_close(g_fake, torch.full((4,), 0.5 / 4, dtype=f64))  # +σ(0)/B: lower D on fake


def test_minimax_d_loss_is_binary_cross_entropy():
    bce = torch.nn.functional.binary_cross_entropy_with_logits

    def reference(r, f):
        return bce(r, torch.ones_like(r)) + bce(f, torch.zeros_like(f))

    torch.manual_seed(0)
    for shape in ((5,), (7, 1)):
        r, f = torch.randn(shape, dtype=f64) * 3, torch.randn(shape, dtype=f64) * 3
        assert_close(losses.minimax_d_loss(r, f), reference(r, f))
        for a, b in zip(grad(losses.minimax_d_loss, r, f), grad(reference, r, f)):
            assert_close(a, b)


def test_generator_losses_saturating_vs_nonsaturating():
    a = torch.tensor([-10.0, 0.0, 10.0], dtype=f64)
    (g_sat,) = grad(losses.minimax_g_loss, a)
    (g_ns,) = grad(losses.nonsaturating_g_loss, a)
    D = torch.sigmoid(a)
    assert_close(g_sat, -D / 3)  # −D(G(z))/B
    assert_close(g_ns, -(1 - D) / 3)  # −(1 − D(G(z)))/B
    assert (g_sat < 0).all() and (g_ns < 0).all()  # both push the fake logit up
    assert g_ns[0].abs() > 1000 * g_sat[0].abs()  # a rejected fake: only the non-saturating loss has gradient
    assert_close(losses.minimax_g_loss(torch.zeros(2, dtype=f64)), torch.tensor(-math.log(2), dtype=f64))
    assert_close(losses.nonsaturating_g_loss(torch.zeros(2, dtype=f64)), torch.tensor(math.log(2), dtype=f64))


def test_losses_stay_finite_at_extreme_logits():
    big = torch.tensor([1e4, -1e4])
    for value in (losses.minimax_d_loss(big, big), losses.minimax_g_loss(big), losses.nonsaturating_g_loss(big)):
        assert torch.isfinite(value)


def test_wasserstein_losses():
    r, f = torch.tensor([1.0, 3.0], dtype=f64), torch.tensor([0.0, 4.0, 5.0], dtype=f64)
    assert_close(losses.wasserstein_d_loss(r, f), torch.tensor(3.0 - 2.0, dtype=f64))
    g_r, g_f = grad(losses.wasserstein_d_loss, r, f)
    assert_close(g_r, torch.full((2,), -0.5, dtype=f64))
    assert_close(g_f, torch.full((3,), 1 / 3, dtype=f64))
    (g,) = grad(losses.wasserstein_g_loss, f)
    assert_close(g, torch.full((3,), -1 / 3, dtype=f64))


def test_hinge_loss_has_no_gradient_beyond_the_margin():
    r, f = torch.tensor([2.0, 0.0], dtype=f64), torch.tensor([-3.0, 0.5], dtype=f64)
    assert_close(losses.hinge_d_loss(r, f), torch.tensor(0.5 + 0.75, dtype=f64))
    g_r, g_f = grad(losses.hinge_d_loss, r, f)
    assert_close(g_r, torch.tensor([0.0, -0.5], dtype=f64))
    assert_close(g_f, torch.tensor([0.0, 0.5], dtype=f64))


def test_gradient_penalty_linear_critic():
    w = torch.tensor([3.0, 4.0], dtype=f64, requires_grad=True)
    x, y = torch.randn(6, 2, dtype=f64), torch.randn(6, 2, dtype=f64)
    gp = losses.gradient_penalty(lambda v: v @ w, x, y)
    assert_close(gp, torch.tensor(16.0, dtype=f64))  # (‖w‖ − 1)² = (5 − 1)²
    (g,) = torch.autograd.grad(gp, w)
    assert_close(g, 2 * (5 - 1) * w.detach() / 5)  # d/dw (‖w‖ − 1)² = 2(‖w‖ − 1) w/‖w‖
    unit = torch.tensor([0.6, 0.8], dtype=f64)
    assert_close(losses.gradient_penalty(lambda v: v @ unit, x, y), torch.tensor(0.0, dtype=f64))


def test_gradient_penalty_images_and_generator():
    critic = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(12, 1)).double()
    x, y = torch.randn(3, 1, 3, 4, dtype=f64), torch.randn(3, 1, 3, 4, dtype=f64)
    a = losses.gradient_penalty(critic, x, y, torch.Generator().manual_seed(0))
    b = losses.gradient_penalty(critic, x, y, torch.Generator().manual_seed(0))
    assert_close(a, b)
    assert_close(a, (critic[1].weight.norm() - 1) ** 2)  # linear: same gradient at every x̂


@pytest.mark.parametrize("fn", [losses.minimax_g_loss, losses.nonsaturating_g_loss, losses.wasserstein_g_loss])
def test_losses_reject_bad_inputs(fn):
    with pytest.raises(TypeError, match="tensor"):
        fn([0.0, 1.0])
    with pytest.raises(TypeError, match="floating point"):
        fn(torch.tensor([1, 2]))
    with pytest.raises(ValueError, match=r"\(B,\) or \(B, 1\)"):
        fn(torch.zeros(3, 2))
    with pytest.raises(ValueError, match="B ≥ 1"):
        fn(torch.zeros(0))


def test_pair_losses_and_registry_reject_bad_inputs():
    with pytest.raises(ValueError, match="real"):
        losses.minimax_d_loss(torch.zeros(2, 2), torch.zeros(2))
    with pytest.raises(ValueError, match="same shape"):
        losses.gradient_penalty(lambda v: v.sum(1), torch.zeros(2, 3), torch.zeros(3, 3))
    with pytest.raises(TypeError, match="floating-point"):
        losses.gradient_penalty(lambda v: v.sum(1), torch.zeros(2, 3, dtype=torch.long), torch.zeros(2, 3))
    with pytest.raises(ValueError, match="name must be one of"):
        losses.get_loss("wasserstein")
    assert losses.get_loss("wgan-gp").penalty and not losses.get_loss("hinge").penalty


# --------------------------------------------------------------------------- models


@pytest.mark.parametrize("size", [28, 32])
@pytest.mark.parametrize("channels", [1, 3])
def test_dcgan_shapes(size, channels):
    G = models.DCGANGenerator(16, channels, size, width=8)
    x = G(torch.randn(5, 16))
    assert x.shape == (5, channels, size, size) and x.abs().max() <= 1
    for norm in ("batch", "layer", "none"):
        assert models.DCGANDiscriminator(channels, size, width=8, norm=norm)(x).shape == (5, 1)


def test_mlp_models_and_packing():
    G, D = models.MLPGenerator(3, 2, 8, layers=3), models.MLPDiscriminator(2, 8, pack=4)
    assert G(torch.randn(6, 3)).shape == (6, 2)
    assert D(torch.randn(6, 8)).shape == (6, 1)


def test_models_reject_bad_inputs():
    with pytest.raises(ValueError, match="image_size"):
        models.DCGANGenerator(image_size=30)
    with pytest.raises(ValueError, match="norm"):
        models.DCGANDiscriminator(norm="spectral")
    with pytest.raises(ValueError, match=r"\(B, 1, 28, 28\)"):
        models.DCGANDiscriminator(1, 28, 8)(torch.zeros(2, 1, 32, 32))
    with pytest.raises(ValueError, match="z"):
        models.MLPGenerator(2, 2, 8)(torch.zeros(4, 3))
    with pytest.raises(TypeError, match="floating-point"):
        models.MLPDiscriminator(2, 8)(torch.zeros(4, 2, dtype=torch.long))
    with pytest.raises(ValueError, match="hidden"):
        models.MLPGenerator(2, 2, hidden=0)


# --------------------------------------------------------------------------- metrics and toy data


def _fd_scipy(mu1, s1, mu2, s2):
    import numpy as np
    from scipy import linalg

    covmean = linalg.sqrtm(s1.numpy() @ s2.numpy()).real
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1.numpy() + s2.numpy() - 2 * covmean))


def test_frechet_distance_against_scipy_and_closed_forms():
    torch.manual_seed(0)
    for E in (1, 3, 8):
        A, B = torch.randn(E, E, dtype=f64), torch.randn(E, E, dtype=f64)
        s1, s2 = A @ A.T + 0.1 * torch.eye(E, dtype=f64), B @ B.T + 0.1 * torch.eye(E, dtype=f64)
        mu1, mu2 = torch.randn(E, dtype=f64), torch.randn(E, dtype=f64)
        assert metrics.frechet_distance(mu1, s1, mu2, s2) == pytest.approx(_fd_scipy(mu1, s1, mu2, s2), rel=1e-8)
        assert metrics.frechet_distance(mu1, s1, mu1, s1) == pytest.approx(0.0, abs=1e-9)
    # 1-D Gaussians: (μ₁ − μ₂)² + (σ₁ − σ₂)²
    assert metrics.frechet_distance(torch.tensor([1.0]), torch.tensor([[4.0]]), torch.tensor([-1.0]),
                                    torch.tensor([[9.0]])) == pytest.approx(4.0 + 1.0)


def test_gaussian_stats_matches_torch_cov():
    x = torch.randn(50, 4)
    mu, sigma = metrics.gaussian_stats(x)
    assert_close(mu, x.double().mean(0))
    assert_close(sigma, torch.cov(x.double().T))


def test_metrics_reject_bad_inputs():
    with pytest.raises(ValueError, match="N ≥ 2"):
        metrics.gaussian_stats(torch.zeros(1, 3))
    with pytest.raises(TypeError, match="floating-point"):
        metrics.gaussian_stats(torch.zeros(4, 3, dtype=torch.long))
    with pytest.raises(ValueError, match="sigma2"):
        metrics.frechet_distance(torch.zeros(2), torch.eye(2), torch.zeros(2), torch.eye(3))
    with pytest.raises(ValueError, match="integer"):
        metrics.label_coverage(torch.tensor([0.5, 1.0]))


def test_label_coverage():
    # Class 2 holds 0.5 %, below a tenth of its fair 10 % share: not covered. Class 1 holds 9.5 %: covered.
    out = metrics.label_coverage(torch.tensor([0] * 180 + [1] * 19 + [2]), num_classes=10)
    assert out["classes_covered"] == 2
    assert out["label_share"][0] == pytest.approx(0.9)
    assert 0 < out["label_entropy"] < math.log(3)


def test_ring_and_mode_coverage():
    x = toy.ring_of_gaussians(4000, std=0.02, generator=torch.Generator().manual_seed(0))
    assert toy.mode_coverage(x, toy.ring_centers(), 0.02)["modes"] == 8
    collapsed = x[x[:, 0] > 1.9]  # only the mode at (2, 0)
    cov = toy.mode_coverage(collapsed, toy.ring_centers(), 0.02)
    assert cov["modes"] == 1 and cov["high_quality"] > 0.98
    with pytest.raises(ValueError, match="share d"):
        toy.mode_coverage(torch.zeros(3, 3), toy.ring_centers(), 0.02)
    with pytest.raises(ValueError, match="positive"):
        toy.ring_of_gaussians(0)


def test_sample_noise():
    g = torch.Generator().manual_seed(0)
    u = sample_noise("uniform", 20000, 2, g)
    assert u.abs().max() <= math.sqrt(3) and u.var().item() == pytest.approx(1.0, abs=0.05)
    a, b = sample_noise("random-each-step", 500, 2, g), sample_noise("random-each-step", 500, 2, g)
    assert (a.mean() - b.mean()).abs() > 1e-3 or (a.std() - b.std()).abs() > 1e-3
    with pytest.raises(ValueError, match="kind must be one of .normal., .uniform., .random-each-step.; got .gaussian."):
        sample_noise("gaussian", 2, 2)


# --------------------------------------------------------------------------- training loop

# Seeded: with the global RNG, DATA depended on which tests ran first in the worker (flaky under xdist).
DATA = torch.randn(512, 2, generator=torch.Generator().manual_seed(0)) * torch.tensor([0.5, 0.3]) + torch.tensor([2.0, -1.0])


def _nets(seed=0, hidden=16):
    torch.manual_seed(seed)
    return models.MLPGenerator(2, 2, hidden), models.MLPDiscriminator(2, hidden)


def _fd_2d(G, n=2000):
    with torch.no_grad():
        fake = G(torch.randn(n, 2, generator=torch.Generator().manual_seed(7)))
    return metrics.frechet_distance(*metrics.gaussian_stats(fake), *metrics.gaussian_stats(DATA))


def test_training_improves_frechet_distance():
    G, D = _nets(hidden=32)
    before = _fd_2d(G)
    cfg = GANConfig(epochs=40, batch_size=64, z_dim=2, lr_g=2e-3, lr_d=2e-3, save_images=False)
    with one_thread():
        history = train(G, D, DATA, cfg, device="cpu", evaluate=lambda G, e: {"fd": _fd_2d(G)})
    after = _fd_2d(G)
    assert after < before / 10, (before, after)
    assert history["eval"][-1]["fd"] == pytest.approx(after)
    assert history["steps"] == 40 * (512 // 64)


class _Interrupt(Exception):
    pass


def _crash_after(D, at):
    """Make D raise on its ``at``-th forward call: a simulated interruption (power cut, Ctrl-C)."""
    calls, forward = [0], D.forward

    def crashing(x):
        calls[0] += 1
        if calls[0] == at:
            raise _Interrupt
        return forward(x)

    D.forward = crashing
    return D


@pytest.mark.parametrize("loss", ["non-saturating", "wgan-gp"])
def test_resume_after_interruption_reproduces_parameters(tmp_path, loss):
    cfg = GANConfig(loss=loss, epochs=3, batch_size=64, z_dim=2, n_critic=2 if loss == "wgan-gp" else 1,
                    checkpoint_every=5, log_every=3, save_images=True)
    with one_thread():
        G, D = _nets()
        full = train(G, D, DATA, cfg, tmp_path / "full", device="cpu")
        G2, D2 = _nets()
        with pytest.raises(_Interrupt):
            train(G2, _crash_after(D2, at=40), DATA, cfg, tmp_path / "cut", device="cpu")
        G3, D3 = _nets(seed=123)  # different initial weights: everything must come from the checkpoint
        resumed = train(G3, D3, DATA, cfg, tmp_path / "cut", resume=True, device="cpu")
    assert resumed["resumed_from_step"] % 5 == 0 and 0 < resumed["resumed_from_step"] < full["steps"]
    for a, b in zip([*G.state_dict().values(), *D.state_dict().values()], [*G3.state_dict().values(), *D3.state_dict().values()]):
        assert torch.equal(a, b)
    assert resumed["d_loss"] == full["d_loss"] and resumed["step_losses"] == full["step_losses"]
    assert (tmp_path / "cut" / "samples_epoch003.png").is_file() and (tmp_path / "cut" / "losses.png").is_file()


def test_resume_refuses_a_different_config_and_a_missing_checkpoint(tmp_path):
    cfg = GANConfig(epochs=1, batch_size=64, z_dim=2, save_images=False)
    train(*_nets(), DATA, cfg, tmp_path, device="cpu")
    with pytest.raises(ValueError, match="lr_g"):
        train(*_nets(), DATA, dataclasses.replace(cfg, lr_g=1e-3), tmp_path, resume=True, device="cpu")
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        train(*_nets(), DATA, cfg, tmp_path / "empty", resume=True, device="cpu")


def test_nan_and_divergence_stop_with_a_clear_message(tmp_path):
    bad = DATA.clone()
    bad[:] = float("nan")
    cfg = GANConfig(epochs=1, batch_size=64, z_dim=2, save_images=False)
    with pytest.raises(GANDivergedError, match=r"discriminator loss: loss is nan at epoch 1, step 1"):
        train(*_nets(), bad, cfg, tmp_path, device="cpu")
    with pytest.raises(GANDivergedError, match="beyond the divergence threshold"):
        train(*_nets(), DATA * 1e6, dataclasses.replace(cfg, loss="wgan-gp", diverge_threshold=10.0), device="cpu")


def test_smoke_mode_stops_after_max_steps():
    h = train(*_nets(), DATA, GANConfig(epochs=5, batch_size=64, z_dim=2, max_steps=3, save_images=False), device="cpu")
    assert h["steps"] == 3 and h["stopped_early"]


@pytest.mark.parametrize("field, value, message", [
    ("batch_size", 0, "batch_size must be a positive int"),
    ("epochs", 1.5, "epochs must be a positive int"),
    ("lr_g", -1e-3, "lr_g must be a positive finite number"),
    ("lr_d", float("nan"), "lr_d must be a positive finite number"),
    ("beta1", 1.0, r"beta1 must be in \[0, 1\)"),
    ("n_critic", 0, "n_critic must be a positive int"),
    ("gp_weight", -1.0, "gp_weight must be a number ≥ 0"),
    ("noise", "gaussian", "noise must be one of"),
    ("loss", "wgan", r"GANConfig\.loss must be one of 'minimax', 'non-saturating', 'wgan-gp', 'hinge'; got 'wgan'"),
    ("seed", -1, "seed must be a non-negative int"),
    ("max_steps", 0, "max_steps must be a positive int or None"),
])
def test_bad_config_values_give_clear_errors(field, value, message):
    with pytest.raises(ValueError, match=message):
        GANConfig(**{field: value})


def test_train_rejects_bad_arguments():
    cfg = GANConfig(epochs=1, batch_size=64, z_dim=2, save_images=False)
    with pytest.raises(TypeError, match="GANConfig"):
        train(*_nets(), DATA, {"epochs": 1})
    with pytest.raises(TypeError, match="floating-point tensor"):
        train(*_nets(), DATA.long(), cfg, device="cpu")
    with pytest.raises(ValueError, match="fewer than batch_size"):
        train(*_nets(), DATA[:10], cfg, device="cpu")
    with pytest.raises(ValueError, match="does not match the data"):
        train(models.MLPGenerator(2, 3, 8), models.MLPDiscriminator(3, 8), DATA, cfg, device="cpu")
    with pytest.raises(ValueError, match="resume=True needs the out_dir"):
        train(*_nets(), DATA, cfg, resume=True, device="cpu")
