"""The GAN training loop used by every GAN page, the CLI and the experiments.

One loop, two optimizers, alternating steps: ``n_critic`` discriminator (critic) updates on
fresh real batches, then one generator update against the updated discriminator. It reuses the
shared pieces of [`dlref.lab.train`][dlref.lab.train] — [`seed_everything()`][dlref.lab.train.seed_everything], the RNG-state
helpers, atomic [`save_checkpoint()`][dlref.lab.train.save_checkpoint] / [`write_json()`][dlref.lab.train.write_json], and
[`check_finite()`][dlref.lab.train.check_finite] — and adds what a GAN needs:

* **Device** — CUDA when present with mixed precision through [`dlref.autocast()`][dlref.lab.device.autocast] (the
  gradient penalty is computed in float32) and images in ``channels_last``; CPU otherwise
  (float32, bit-reproducible).
* **One random stream** — every draw the loop makes (data order, noise, penalty weights) comes
  from one CPU `torch.Generator` saved in the checkpoint, so a resumed CPU run ends with
  exactly the parameters of an uninterrupted one.
* **Checkpoints** every ``checkpoint_every`` steps and at each epoch end, written atomically;
  ``resume=True`` continues from the last one, losing at most that interval.
* **Each epoch** the loss curves and a grid of samples from fixed noise are saved as PNGs, the
  optional ``evaluate(G, epoch)`` metrics are recorded, and ``metrics.json`` is rewritten.
* **Divergence** — a NaN/inf loss, or one whose magnitude exceeds ``diverge_threshold``, stops
  training with [`GANDivergedError`][dlref.lab.gan.train.GANDivergedError] naming the step, the loss and the checkpoint to resume from.

See the site page *Generative adversarial networks → The GAN objective and its gradients*
(gan/objective.md) for the objective and updates.
"""

from __future__ import annotations

import contextlib
import math
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable

import torch
from torch import nn

from dlref import validate
from dlref.gan.losses import get_loss, gradient_penalty
from dlref.lab.train import (NonFiniteLossError, check_finite, load_checkpoint, rng_state, save_checkpoint,
                         seed_everything, set_rng_state, write_json)

Tensor = torch.Tensor

CHECKPOINT_FILE = "checkpoint.pt"
METRICS_FILE = "metrics.json"
NOISES = ("normal", "uniform", "random-each-step")
#: Config fields that may differ between a run and its resumption (they do not change the parameters).
_RESUMABLE_CHANGES = ("max_steps", "checkpoint_every", "save_images")


class GANDivergedError(FloatingPointError):
    """A GAN loss became NaN/inf or exceeded the divergence threshold; the message says where and what to do."""


@dataclass(frozen=True)
class GANConfig:
    """Hyper-parameters of one GAN run (frozen: hashed by the results store).

    Args:
        loss: ``"minimax"``, ``"non-saturating"``, ``"wgan-gp"`` or ``"hinge"`` (see [`dlref.gan.losses`][dlref.gan.losses]).
        epochs: Passes over the real data (each discriminator step consumes one real batch).
        batch_size: Real and generated samples per step.
        lr_g: Generator learning rate (Adam).
        lr_d: Discriminator learning rate (Adam).
        beta1: Adam β₁ for both (0.5 in DCGAN; 0 or 0.5 for WGAN-GP).
        beta2: Adam β₂ for both.
        n_critic: Discriminator steps per generator step.
        gp_weight: λ of the gradient penalty (used by ``wgan-gp`` only).
        z_dim: Noise dimension.
        noise: ``"normal"`` N(0, I), ``"uniform"`` U(−√3, √3) (also unit variance), or
            ``"random-each-step"`` (a different, randomly chosen distribution at every step).
        seed: Seed of every random draw.
        amp: Mixed precision on CUDA (ignored on CPU).
        log_every: Record the mean losses every this many steps.
        checkpoint_every: Save a checkpoint every this many steps (and at each epoch end).
        max_steps: Smoke mode: stop after this many discriminator steps in total.
        diverge_threshold: Stop when ``|loss|`` exceeds this.
        save_images: Save the loss-curve and sample PNGs each epoch.

    Examples:
        >>> GANConfig(loss="hinge", epochs=2).n_critic
        1
        >>> GANConfig(loss="wasserstein")
        Traceback (most recent call last):
        ...
        ValueError: GANConfig.loss must be one of 'minimax', 'non-saturating', 'wgan-gp', 'hinge'; got 'wasserstein'
    """

    loss: str = "non-saturating"
    epochs: int = 5
    batch_size: int = 64
    lr_g: float = 2e-4
    lr_d: float = 2e-4
    beta1: float = 0.5
    beta2: float = 0.999
    n_critic: int = 1
    gp_weight: float = 10.0
    z_dim: int = 64
    noise: str = "normal"
    seed: int = 0
    amp: bool = True
    log_every: int = 50
    checkpoint_every: int = 500
    max_steps: int | None = None
    diverge_threshold: float = 1e5
    save_images: bool = True

    def __post_init__(self) -> None:
        validate.choice("GANConfig.loss", self.loss, ("minimax", "non-saturating", "wgan-gp", "hinge"))
        get_loss(self.loss)  # raises ValueError naming the choices
        for name in ("epochs", "batch_size", "n_critic", "z_dim", "log_every", "checkpoint_every"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"GANConfig.{name} must be a positive int; got {v!r}")
        if self.max_steps is not None and (isinstance(self.max_steps, bool) or not isinstance(self.max_steps, int)
                                           or self.max_steps < 1):
            raise ValueError(f"GANConfig.max_steps must be a positive int or None; got {self.max_steps!r}")
        for name in ("lr_g", "lr_d", "diverge_threshold"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not (math.isfinite(v) and v > 0):
                raise ValueError(f"GANConfig.{name} must be a positive finite number; got {v!r}")
        for name in ("beta1", "beta2"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v < 1:
                raise ValueError(f"GANConfig.{name} must be in [0, 1); got {v!r}")
        if isinstance(self.gp_weight, bool) or not isinstance(self.gp_weight, (int, float)) or self.gp_weight < 0:
            raise ValueError(f"GANConfig.gp_weight must be a number ≥ 0; got {self.gp_weight!r}")
        if self.noise not in NOISES:
            raise ValueError(f"GANConfig.noise must be one of {NOISES}; got {self.noise!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"GANConfig.seed must be a non-negative int; got {self.seed!r}")
        validate.real("GANConfig.gp_weight", self.gp_weight, low=0.0)
        validate.boolean("GANConfig.amp", self.amp)
        validate.boolean("GANConfig.save_images", self.save_images)


@contextlib.contextmanager
def one_thread() -> Any:
    """Run the block with one CPU thread, then restore the previous count.

    Small GANs (2-D toy data, MLPs of a few thousand weights) run fastest on one thread; on a
    shared machine two threads can be many times slower than one.

    Examples:
        >>> with one_thread():
        ...     torch.get_num_threads()
        1
    """
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def sample_noise(kind: str, n: int, z_dim: int, generator: torch.Generator | None = None) -> Tensor:
    """Noise for the generator: ``(n, z_dim)`` float32 on the CPU.

    ``"normal"`` is N(0, I); ``"uniform"`` is U(−√3, √3)^z_dim (mean 0, variance 1);
    ``"random-each-step"`` draws, at each call, a family (normal, uniform, Laplace or
    exponential), a location μ ~ U(−1, 1) and a scale s ~ U(0.25, 2), then n samples μ + s·ε.

    Raises:
        ValueError: Unknown ``kind`` or non-positive sizes.

    Examples:
        >>> sample_noise("uniform", 4, 2, torch.Generator().manual_seed(0)).abs().max().item() < 3 ** 0.5
        True
    """
    validate.choice("kind", kind, NOISES)
    if kind not in NOISES:
        raise ValueError(f"noise must be one of {NOISES}; got {kind!r}")
    validate.positive_int("n", n)
    validate.positive_int("z_dim", z_dim)
    validate.instance("generator", generator, torch.Generator, optional=True)
    if n < 1 or z_dim < 1:
        raise ValueError(f"noise sizes must be positive; got n={n}, z_dim={z_dim}")
    if kind == "normal":
        return torch.randn(n, z_dim, generator=generator)
    if kind == "uniform":
        return (torch.rand(n, z_dim, generator=generator) * 2 - 1) * math.sqrt(3.0)
    family = int(torch.randint(4, (1,), generator=generator))
    mu = torch.rand((), generator=generator) * 2 - 1
    s = 0.25 + 1.75 * torch.rand((), generator=generator)
    u = torch.rand(n, z_dim, generator=generator).clamp_min(1e-7)
    eps = [torch.randn(n, z_dim, generator=generator), u * 2 - 1,
           torch.where(u < 0.5, torch.log(2 * u), -torch.log(2 - 2 * u)), -torch.log(u)][family]
    return mu + s * eps


def _save_pictures(out_dir: Path, epoch: int, samples: Tensor, history: dict[str, Any]) -> None:
    """``losses.png`` (both loss curves so far) and ``samples_epoch{NNN}.png`` (grid or scatter)."""
    from dlref.lab import figures

    fig, ax = figures.new(width=6, height=3.4)
    steps = [s for s, _, _ in history["step_losses"]]
    ax.plot(steps, [d for _, d, _ in history["step_losses"]], label="discriminator loss")
    ax.plot(steps, [math.nan if g is None else g for _, _, g in history["step_losses"]], label="generator loss")
    ax.set_xlabel("discriminator step")
    ax.set_ylabel("loss (mean over log interval)")
    ax.legend()
    fig.savefig(out_dir / "losses.png", dpi=100, facecolor="white")
    import matplotlib.pyplot as plt

    plt.close(fig)
    fig = sample_figure(samples, title=f"samples after epoch {epoch}")
    fig.savefig(out_dir / f"samples_epoch{epoch:03d}.png", dpi=100, facecolor="white")
    plt.close(fig)


def sample_figure(samples: Tensor, title: str = "", nrow: int = 8) -> Any:
    """A matplotlib figure of generated samples: an image grid for ``(B, C, H, W)``, a scatter for ``(B, 2)``.

    Images are expected in [−1, 1] (the generator's tanh range).

    Raises:
        ValueError: Samples that are neither images nor 2-D points.
    """
    from dlref.lab import figures

    validate.tensor("samples", samples, ndim=(2, 4), nonempty=True)
    validate.instance("title", title, str)
    validate.positive_int("nrow", nrow)
    x = samples.detach().float().cpu()
    if x.ndim == 4:
        from torchvision.utils import make_grid

        grid = make_grid((x[: nrow * nrow] + 1) / 2, nrow=nrow, padding=1, pad_value=1.0).clamp(0, 1)  # (C, H', W')
        fig, ax = figures.new(width=5, height=5)
        ax.imshow(grid.permute(1, 2, 0).squeeze(-1) if grid.shape[0] == 1 else grid.permute(1, 2, 0),
                  cmap="gray", vmin=0, vmax=1)  # (C, H', W') → (H', W', C)
        ax.axis("off")
    elif x.ndim == 2 and x.shape[1] == 2:
        fig, ax = figures.new(width=4, height=4)
        ax.scatter(x[:, 0], x[:, 1], s=3, alpha=0.5)
        ax.set_aspect("equal")
        ax.set_xlabel("x₁")
        ax.set_ylabel("x₂")
    else:
        raise ValueError(f"sample_figure needs images (B, C, H, W) or points (B, 2); got {tuple(x.shape)}")
    ax.set_title(title)
    return fig


def _guard(value: float, what: str, *, epoch: int, step: int, threshold: float, ckpt: Path | None) -> float:
    where = f"; the last checkpoint is {ckpt} (resume with --resume / resume=True after the fix)" if ckpt else ""
    try:
        check_finite(torch.tensor(value), epoch=epoch, step=step)
    except NonFiniteLossError as err:
        raise GANDivergedError(f"{what}: {err}{where}") from None
    if abs(value) > threshold:
        raise GANDivergedError(
            f"{what} is {value:.4g} at epoch {epoch}, step {step}, beyond the divergence threshold {threshold:g}; "
            f"lower the learning rates, use n_critic > 1 or a gradient penalty, or check the data scaling{where}")
    return value


def train(
    G: nn.Module,
    D: nn.Module,
    data: Tensor,
    config: GANConfig,
    out_dir: str | Path | None = None,
    *,
    resume: bool = False,
    evaluate: Callable[[nn.Module, int], dict[str, float]] | None = None,
    pack: int = 1,
    device: torch.device | str | None = None,
    progress: bool | None = None,
) -> dict[str, Any]:
    """Train ``G`` against ``D`` on the real samples ``data``; returns the history.

    One discriminator step: a real batch x (next in the epoch's shuffled order) and
    x̃ = G(z); minimise ``d_loss(D(x), D(x̃))`` (+ λ·GP for ``wgan-gp``). Every ``n_critic``
    discriminator steps, one generator step: fresh z, minimise ``g_loss(D(G(z)))``.

    Args:
        G: Generator taking ``(B, config.z_dim)`` noise.
        D: Discriminator / critic returning ``(B, 1)`` scores.
        data: Real samples ``(N, *)`` (images scaled to [−1, 1]); kept on the CPU, batches are moved.
        config: The [`GANConfig`][dlref.lab.gan.train.GANConfig].
        out_dir: Folder for ``checkpoint.pt``, ``metrics.json`` and the PNGs; nothing is written if ``None``.
        resume: Continue from ``out_dir/checkpoint.pt``; the config must match the saved one except
            for ``max_steps``, ``checkpoint_every`` and ``save_images``.
        evaluate: Called as ``evaluate(G, epoch)`` (G in eval mode, no grad) after each epoch;
            its dict of numbers is recorded per epoch.
        pack: Samples the discriminator judges together (PacGAN); D's input is ``pack`` samples concatenated.
        device: Default [`dlref.device()`][dlref.lab.device.device].
        progress: tqdm progress bar (default: when stderr is a terminal).

    Shape:
        ``data`` ``(N, *)`` with ``N ≥ batch_size``; ``G(z)`` must have shape ``(B, *)`` like a batch of ``data``.

    Returns:
        History dict: ``step_losses`` ``[step, mean d_loss, mean g_loss]`` every ``log_every``
        steps (g is ``None`` when no generator step fell in the interval); per epoch ``epoch``, ``d_loss``, ``g_loss``, ``seconds``, ``samples_per_s`` and the
        ``evaluate`` metrics under ``eval``; ``steps``, ``device``, ``amp_dtype``, ``resumed_from_step``,
        ``stopped_early``, ``config``.

    Raises:
        TypeError / ValueError: Bad arguments (the message names what was expected and given).
        FileNotFoundError: ``resume=True`` without a checkpoint.
        GANDivergedError: A loss became NaN/inf or exceeded ``diverge_threshold``.

    Examples:
        >>> from dlref.gan.models import MLPGenerator, MLPDiscriminator
        >>> cfg = GANConfig(epochs=1, batch_size=32, z_dim=2, save_images=False)
        >>> h = train(MLPGenerator(2, 2, 16), MLPDiscriminator(2, 16), torch.randn(128, 2), cfg, device="cpu")
        >>> h["steps"], len(h["d_loss"])
        (4, 1)
    """
    from dlref.lab.device import autocast, describe
    from dlref.lab.device import device as default_device

    if not isinstance(config, GANConfig):
        raise TypeError(f"config must be a GANConfig; got {type(config).__name__}")
    for name, net in (("G", G), ("D", D)):
        if not isinstance(net, nn.Module):
            raise TypeError(f"{name} must be a torch.nn.Module; got {type(net).__name__}")
    if not isinstance(data, Tensor) or not data.is_floating_point() or data.ndim < 2:
        raise TypeError(f"data must be a floating-point tensor (N, *); got "
                        f"{type(data).__name__ if not isinstance(data, Tensor) else (data.dtype, tuple(data.shape))}")
    validate.positive_int("pack", pack)
    validate.path("out_dir", out_dir, optional=True)
    validate.boolean("resume", resume)
    validate.callable_("evaluate", evaluate, optional=True)
    validate.device("device", device)
    validate.optional(validate.boolean, "progress", progress)
    if len(data) < config.batch_size * pack:
        raise ValueError(f"data holds {len(data)} samples, fewer than batch_size·pack = {config.batch_size * pack}")
    if resume and out_dir is None:
        raise ValueError("resume=True needs the out_dir that holds the checkpoint")
    if isinstance(pack, bool) or not isinstance(pack, int) or pack < 1:
        raise ValueError(f"pack must be a positive int; got {pack!r}")

    loss = get_loss(config.loss)
    dev = default_device() if device is None else torch.device(device)
    seed_everything(config.seed)
    channels_last = dev.type == "cuda" and data.ndim == 4  # faster convolutions on CUDA; CPU stays contiguous
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    G.to(dev, memory_format=fmt)
    D.to(dev, memory_format=fmt)
    with torch.no_grad():  # fail early, with shapes, if G's output does not look like the data
        probe = G.eval()(torch.zeros(2, config.z_dim, device=dev))
        G.train()
    if probe.shape[1:] != data.shape[1:]:
        raise ValueError(f"G's output {tuple(probe.shape[1:])} does not match the data's sample shape {tuple(data.shape[1:])}")
    gen = torch.Generator().manual_seed(config.seed)  # the one random stream of the loop
    fixed_z = sample_noise("normal" if config.noise == "random-each-step" else config.noise, 64, config.z_dim,
                           torch.Generator().manual_seed(config.seed + 1)).to(dev)
    opt_d = torch.optim.Adam(D.parameters(), lr=config.lr_d, betas=(config.beta1, config.beta2))
    opt_g = torch.optim.Adam(G.parameters(), lr=config.lr_g, betas=(config.beta1, config.beta2))
    amp_dtype = (torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16) if (config.amp and dev.type == "cuda") else None
    scaler = torch.amp.GradScaler("cuda", enabled=amp_dtype == torch.float16) if dev.type == "cuda" else None

    out = Path(out_dir) if out_dir is not None else None
    ckpt = out / CHECKPOINT_FILE if out is not None else None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    B, N = config.batch_size * pack, len(data)
    per_epoch = N // B  # drop the last incomplete batch
    history: dict[str, Any] = {
        "step_losses": [], "epoch": [], "d_loss": [], "g_loss": [], "seconds": [], "samples_per_s": [], "eval": [],
        "steps": 0, "device": describe(dev), "amp_dtype": str(amp_dtype).replace("torch.", "") if amp_dtype else None,
        "resumed_from_step": None, "stopped_early": False, "config": asdict(config),
    }
    epoch, pos, perm = 1, 0, None
    window: dict[str, list[float]] = {"d": [], "g": []}  # losses since the last `step_losses` entry
    last_g = float("nan")
    sums = [0.0, 0.0, 0]  # this epoch's Σ d_loss, Σ g_loss, number of generator steps
    if resume:
        state = load_checkpoint(ckpt, map_location=dev)
        diff = {k: (state["config"].get(k), v) for k, v in asdict(config).items()
                if state["config"].get(k) != v and k not in _RESUMABLE_CHANGES}
        if diff:
            raise ValueError(f"cannot resume: the checkpoint in {out} was made with a different config (saved, now): {diff}")
        G.load_state_dict(state["G"])
        D.load_state_dict(state["D"])
        opt_g.load_state_dict(state["opt_g"])
        opt_d.load_state_dict(state["opt_d"])
        if scaler is not None and state.get("scaler") is not None:
            scaler.load_state_dict(state["scaler"])
        set_rng_state(state["rng"], [gen])
        history = state["history"]
        epoch, pos, perm, window, last_g, sums = (state[k] for k in ("epoch", "pos", "perm", "window", "last_g", "sums"))
        history["resumed_from_step"], history["stopped_early"] = history["steps"], False

    def noise(n: int) -> Tensor:
        return sample_noise(config.noise, n, config.z_dim, gen).to(dev)

    def judge(x: Tensor) -> Tensor:  # D on packs: (B·pack, *) → (B, pack·prod(*)) → (B, 1)
        return D(x.reshape(x.shape[0] // pack, -1) if pack > 1 else x)

    def save() -> None:
        if ckpt is None:
            return
        save_checkpoint(ckpt, {
            "G": G.state_dict(), "D": D.state_dict(), "opt_g": opt_g.state_dict(), "opt_d": opt_d.state_dict(),
            "scaler": scaler.state_dict() if scaler is not None else None, "rng": rng_state([gen]),
            "history": history, "epoch": epoch, "pos": pos, "perm": perm, "window": window, "last_g": last_g, "sums": sums,
            "config": asdict(config),
        })

    def backward_step(opt: torch.optim.Optimizer, value: Tensor) -> None:
        opt.zero_grad(set_to_none=True)
        if scaler is not None and scaler.is_enabled():
            scaler.scale(value).backward()
            scaler.step(opt)
            scaler.update()
        else:
            value.backward()
            opt.step()  # θ ← Adam(θ, ∇θ loss)

    total = config.epochs * per_epoch
    if config.max_steps is not None:
        total = min(total, config.max_steps)
    show = sys.stderr.isatty() if progress is None else progress
    bar = None
    if show:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, initial=history["steps"], unit="step", dynamic_ncols=True)
    step = history["steps"]
    epoch_start = time.perf_counter()  # a resumed epoch is timed from the resume
    try:
        while epoch <= config.epochs and not history["stopped_early"]:
            if perm is None:
                perm, pos, sums = torch.randperm(N, generator=gen), 0, [0.0, 0.0, 0]
                epoch_start = time.perf_counter()
            while pos < per_epoch:
                if config.max_steps is not None and step >= config.max_steps:
                    history["stopped_early"] = True
                    break
                idx = perm[pos * B:(pos + 1) * B]
                x = data[idx].to(dev, non_blocking=True)
                if channels_last:
                    x = x.contiguous(memory_format=torch.channels_last)
                # Discriminator step: minimise d_loss(D(x), D(G(z))) with G fixed.
                with autocast(dev, enabled=config.amp):
                    fake = G(noise(B)).detach()
                    d_value = loss.d_loss(judge(x), judge(fake))
                if loss.penalty:
                    critic = (lambda v: D(v.reshape(v.shape[0], -1))) if pack > 1 else D
                    xs = x.float().reshape(B // pack, -1) if pack > 1 else x.float()
                    fs = fake.float().reshape(B // pack, -1) if pack > 1 else fake.float()
                    d_value = d_value.float() + config.gp_weight * gradient_penalty(critic, xs, fs, gen)
                step += 1
                d_item = _guard(d_value.item(), "discriminator loss", epoch=epoch, step=step,
                                threshold=config.diverge_threshold, ckpt=ckpt)
                backward_step(opt_d, d_value)
                # Generator step every n_critic discriminator steps: minimise g_loss(D(G(z))) with D fixed.
                if step % config.n_critic == 0:
                    with autocast(dev, enabled=config.amp):
                        g_value = loss.g_loss(judge(G(noise(B))))
                    last_g = _guard(g_value.item(), "generator loss", epoch=epoch, step=step,
                                    threshold=config.diverge_threshold, ckpt=ckpt)
                    D.requires_grad_(False)  # G's step must not touch D's gradients
                    backward_step(opt_g, g_value)
                    D.requires_grad_(True)
                    sums[1] += last_g
                    sums[2] += 1
                    window["g"].append(last_g)
                sums[0] += d_item
                pos += 1
                history["steps"] = step
                window["d"].append(d_item)
                if len(window["d"]) == config.log_every:
                    g_mean = sum(window["g"]) / len(window["g"]) if window["g"] else None
                    history["step_losses"].append([step, sum(window["d"]) / len(window["d"]), g_mean])
                    window = {"d": [], "g": []}
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix(d=f"{d_item:.3f}", g=f"{last_g:.3f}", epoch=epoch, refresh=False)
                if step % config.checkpoint_every == 0:
                    save()
            if history["stopped_early"] and pos < per_epoch:
                save()
                break
            # End of epoch: record, evaluate, draw, checkpoint.
            if dev.type == "cuda":
                torch.cuda.synchronize(dev)
            seconds = time.perf_counter() - epoch_start
            history["epoch"].append(epoch)
            history["d_loss"].append(sums[0] / max(pos, 1))
            history["g_loss"].append(sums[1] / max(sums[2], 1))
            history["seconds"].append(seconds)
            history["samples_per_s"].append(per_epoch * B / seconds)
            G.eval()
            with torch.no_grad():
                if evaluate is not None:
                    history["eval"].append({"epoch": epoch, **evaluate(G, epoch)})
                samples = G(fixed_z).float().cpu()
            G.train()
            if out is not None:
                if config.save_images:
                    _save_pictures(out, epoch, samples, history)
                write_json(out / METRICS_FILE, history)
            epoch, perm = epoch + 1, None
            save()
    finally:
        if bar is not None:
            bar.close()
    return history
