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

import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable

import torch
from torch import nn

from dlref import validate
from dlref.gan.losses import get_loss, gradient_penalty
from dlref.lab.checkpoint import (CHECKPOINT_FILE, CHECKPOINT_SCHEMA, METRICS_FILE, CheckpointError, check_resumable,
                                  load_checkpoint, parameter_shapes, remove_stale_temporaries, rng_state, save_checkpoint,
                                  set_rng_state, tensor_identity, write_json)
from dlref.lab.device import autocast, describe
from dlref.lab.train import (NonFiniteLossError, check_finite, cpu_threads, mixed_precision, optimizer_step,
                             progress_bar, seed_everything)

Tensor = torch.Tensor

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


def one_thread() -> Any:
    """Run the block with one CPU thread, then restore the previous count ([`cpu_threads(1)`][dlref.lab.train.cpu_threads]).

    Small GANs (2-D toy data, MLPs of a few thousand weights) run fastest on one thread; on a
    shared machine two threads can be many times slower than one.

    Examples:
        >>> with one_thread():
        ...     torch.get_num_threads()
        1
    """
    return cpu_threads(1)


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


@dataclass
class _Run:
    """Everything one GAN run holds; the loop's steps below read and update it."""

    config: GANConfig
    G: nn.Module
    D: nn.Module
    data: Tensor
    device: torch.device
    pack: int
    loss: Any
    gen: torch.Generator
    fixed_z: Tensor
    opt_g: torch.optim.Optimizer
    opt_d: torch.optim.Optimizer
    scaler: Any
    amp_dtype: torch.dtype | None
    channels_last: bool
    out: Path | None
    ckpt: Path | None
    world: Any  # dlref.lab.distributed.World: this process's rank among those training together

    @property
    def batch(self) -> int:
        """Samples per step over all processes (``batch_size · pack``)."""
        return self.config.batch_size * self.pack

    def noise(self, n: int) -> Tensor:
        """Noise for the whole step's batch, then this process's share (every process draws the same)."""
        z = sample_noise(self.config.noise, n, self.config.z_dim, self.gen)
        return self.world.share(z).to(self.device, non_blocking=True)

    def judge(self, D: nn.Module, x: Tensor) -> Tensor:
        """D on packs: ``(B·pack, *) → (B, pack·prod(*)) → (B, 1)``."""
        return D(x.reshape(x.shape[0] // self.pack, -1) if self.pack > 1 else x)

    def step(self, opt: torch.optim.Optimizer, value: Tensor, params: list[Tensor]) -> None:
        """Backward and update; with several processes, the gradients are averaged over them first."""
        optimizer_step(opt, value, self.scaler, sync=lambda: self.world.average_gradients(params))


def _check_train_args(G: Any, D: Any, data: Any, config: Any, out_dir: Any, resume: Any, evaluate: Any, pack: Any,
                      device: Any, progress: Any, compile_models: Any) -> None:
    if not isinstance(config, GANConfig):
        raise TypeError(f"config must be a GANConfig; got {type(config).__name__}")
    for name, net in (("G", G), ("D", D)):
        if not isinstance(net, nn.Module):
            raise TypeError(f"{name} must be a torch.nn.Module; got {type(net).__name__}")
    if not isinstance(data, Tensor) or not data.is_floating_point() or data.ndim < 2:
        raise TypeError(f"data must be a floating-point tensor (N, *); got "
                        f"{type(data).__name__ if not isinstance(data, Tensor) else (data.dtype, tuple(data.shape))}")
    validate.positive_int("pack", pack)
    validate.on_cpu("data", data)  # pinned and copied batch by batch on CUDA
    validate.path("out_dir", out_dir, optional=True)
    validate.boolean("resume", resume)
    validate.callable_("evaluate", evaluate, optional=True)
    validate.device("device", device)
    validate.optional(validate.boolean, "progress", progress)
    validate.optional(validate.boolean, "compile_models", compile_models)
    if len(data) < config.batch_size * pack:
        raise ValueError(f"data holds {len(data)} samples, fewer than batch_size·pack = {config.batch_size * pack}")
    if resume and out_dir is None:
        raise ValueError("resume=True needs the out_dir that holds the checkpoint")


def _prepare(G: nn.Module, D: nn.Module, data: Tensor, config: GANConfig, out_dir: Any, pack: int, device: Any,
             compile_models: bool | None) -> tuple[_Run, nn.Module, nn.Module]:
    """Seed, place the models, build the optimizers and precision; returns the run and the modules to call."""
    from dlref.lab import distributed
    from dlref.lab.device import device as default_device

    world = distributed.world()
    dev = world.device if world.size > 1 else (default_device() if device is None else torch.device(device))
    if config.batch_size * pack % world.size:
        raise ValueError(f"batch_size·pack = {config.batch_size * pack} must divide evenly among {world.size} processes")
    seed_everything(config.seed)
    channels_last = dev.type == "cuda" and data.ndim == 4  # faster convolutions on CUDA; CPU stays contiguous
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    G.to(dev, memory_format=fmt)
    D.to(dev, memory_format=fmt)
    world.broadcast_parameters(G, D)  # every process starts from rank 0's weights
    with torch.no_grad():  # fail early, with shapes, if G's output does not look like the data
        probe = G.eval()(torch.zeros(2, config.z_dim, device=dev))
        G.train()
    if probe.shape[1:] != data.shape[1:]:
        raise ValueError(f"G's output {tuple(probe.shape[1:])} does not match the data's sample shape {tuple(data.shape[1:])}")
    if dev.type == "cuda":
        torch.backends.cudnn.benchmark = True  # fixed shapes: let cuDNN pick the fastest convolution once
        data = data.pin_memory()  # batches then copy to the GPU asynchronously
    gen = torch.Generator().manual_seed(config.seed)  # the one random stream of the loop
    fixed_z = sample_noise("normal" if config.noise == "random-each-step" else config.noise, 64, config.z_dim,
                           torch.Generator().manual_seed(config.seed + 1)).to(dev)
    opt_d = torch.optim.Adam(D.parameters(), lr=config.lr_d, betas=(config.beta1, config.beta2))
    opt_g = torch.optim.Adam(G.parameters(), lr=config.lr_g, betas=(config.beta1, config.beta2))
    amp_dtype, scaler = mixed_precision(dev, config.amp)
    out = Path(out_dir) if out_dir is not None else None
    ckpt = out / CHECKPOINT_FILE if out is not None else None
    if out is not None and world.is_main:
        out.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(out)
    run = _Run(config, G, D, data, dev, pack, get_loss(config.loss), gen, fixed_z, opt_g, opt_d, scaler, amp_dtype,
               channels_last, out, ckpt, world)
    # torch.compile pays on CUDA (fused kernels for the convolutions' epilogues), not for a few CPU steps.
    if compile_models if compile_models is not None else dev.type == "cuda":
        return run, torch.compile(G), torch.compile(D)
    return run, G, D


def _fingerprint(run: _Run) -> dict[str, Any]:
    """What a resumed run must share with the one that wrote the checkpoint (not the number of processes)."""
    return {"schema": CHECKPOINT_SCHEMA, "shapes": parameter_shapes(G=run.G, D=run.D), "model": f"{type(run.G).__name__}/"
            f"{type(run.D).__name__}", "pack": run.pack, **tensor_identity(run.data)}


def _resume(run: _Run, history: dict[str, Any]) -> dict[str, Any]:
    """Load the checkpoint into the run; return the loop's saved position (and the history it carried)."""
    state = load_checkpoint(run.ckpt, map_location=run.device)
    check_resumable(run.ckpt, state, _fingerprint(run), required=("G", "D", "opt_g", "opt_d", "rng", "history", "config"),
                    written_by="dlref.lab.gan.train.train")
    diff = {k: (state["config"].get(k), v) for k, v in asdict(run.config).items()
            if state["config"].get(k) != v and k not in _RESUMABLE_CHANGES}
    if diff:
        raise CheckpointError(f"cannot resume: the checkpoint {run.ckpt} was made with a different config (saved, now): {diff}; "
                              "resume with the same config, or start afresh without resume")
    run.G.load_state_dict(state["G"])
    run.D.load_state_dict(state["D"])
    run.opt_g.load_state_dict(state["opt_g"])
    run.opt_d.load_state_dict(state["opt_d"])
    if run.scaler is not None and state.get("scaler") is not None:
        run.scaler.load_state_dict(state["scaler"])
    set_rng_state(state["rng"], [run.gen])
    history = state["history"]
    history["resumed_from_step"], history["stopped_early"] = history["steps"], False
    return {"history": history, **{k: state[k] for k in ("epoch", "pos", "perm", "window", "last_g", "sums")}}


def _save(run: _Run, at: dict[str, Any]) -> None:
    """Checkpoint the run and the loop's position (``at``), atomically; only the main process writes."""
    if run.ckpt is None or not run.world.is_main:
        return
    save_checkpoint(run.ckpt, {
        "G": run.G.state_dict(), "D": run.D.state_dict(), "opt_g": run.opt_g.state_dict(), "opt_d": run.opt_d.state_dict(),
        "scaler": run.scaler.state_dict() if run.scaler is not None else None, "rng": rng_state([run.gen]),
        "config": asdict(run.config), "fingerprint": _fingerprint(run), **at,
    })


def _d_step(run: _Run, G: nn.Module, D: nn.Module, x: Tensor, *, epoch: int, step: int) -> float:
    """One discriminator step: minimise ``d_loss(D(x), D(G(z)))`` (+ λ·GP) with G fixed."""
    config, B = run.config, run.batch
    with autocast(run.device, enabled=config.amp):
        with torch.no_grad():  # G is fixed here: no graph through it
            fake = G(run.noise(B))
        d_value = run.loss.d_loss(run.judge(D, x), run.judge(D, fake))
    if run.loss.penalty:
        critic = (lambda v: D(v.reshape(v.shape[0], -1))) if run.pack > 1 else D
        local = x.shape[0]
        xs = x.float().reshape(local // run.pack, -1) if run.pack > 1 else x.float()
        fs = fake.float().reshape(local // run.pack, -1) if run.pack > 1 else fake.float()
        d_value = d_value.float() + config.gp_weight * gradient_penalty(critic, xs, fs, run.gen)
    d_item = _guard(run.world.mean(d_value.detach()), "discriminator loss", epoch=epoch, step=step,
                    threshold=config.diverge_threshold, ckpt=run.ckpt)
    run.step(run.opt_d, d_value, list(run.D.parameters()))
    return d_item


def _g_step(run: _Run, G: nn.Module, D: nn.Module, *, epoch: int, step: int) -> float:
    """One generator step: minimise ``g_loss(D(G(z)))`` with D fixed."""
    # D frozen before its forward pass: the backward pass then computes no gradients for D's weights
    # (frozen after it, they would be computed and thrown away: a third of a DCGAN step on a CPU).
    run.D.requires_grad_(False)
    try:
        with autocast(run.device, enabled=run.config.amp):
            g_value = run.loss.g_loss(run.judge(D, G(run.noise(run.batch))))
        g_item = _guard(run.world.mean(g_value.detach()), "generator loss", epoch=epoch, step=step,
                        threshold=run.config.diverge_threshold, ckpt=run.ckpt)
        run.step(run.opt_g, g_value, list(run.G.parameters()))
    finally:
        run.D.requires_grad_(True)
    return g_item


def _end_epoch(run: _Run, G: nn.Module, history: dict[str, Any], epoch: int, steps: int, sums: list, seconds: float,
               evaluate: Callable | None) -> None:
    """Record the epoch, evaluate, draw the samples of the fixed noise, rewrite ``metrics.json``."""
    history["epoch"].append(epoch)
    history["d_loss"].append(sums[0] / max(steps, 1))
    history["g_loss"].append(sums[1] / max(sums[2], 1))
    history["seconds"].append(seconds)
    history["samples_per_s"].append(steps * run.batch / seconds)
    G.eval()
    with torch.no_grad():
        if evaluate is not None and run.world.is_main:
            history["eval"].append({"epoch": epoch, **evaluate(run.G, epoch)})
        samples = G(run.fixed_z).float().cpu()
    G.train()
    if run.out is not None and run.world.is_main:
        if run.config.save_images:
            _save_pictures(run.out, epoch, samples, history)
        write_json(run.out / METRICS_FILE, history)


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
    compile_models: bool | None = None,
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
        compile_models: ``torch.compile`` G and D (default: on CUDA only, where it pays).

    Launched by ``torchrun`` (several processes), each process trains on its share of every
    batch: the same permutation and noise are drawn everywhere and sliced, gradients are averaged
    over the processes before each update, and only rank 0 writes checkpoints, metrics and figures.
    (Gradients are averaged by hand rather than by ``DistributedDataParallel`` because a GAN step
    calls D twice, and G without a backward pass, before one update.) The result equals a
    single-process run with the same batch, to float rounding, for losses without a gradient
    penalty; with ``wgan-gp`` each process draws its own interpolation weights.

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
    _check_train_args(G, D, data, config, out_dir, resume, evaluate, pack, device, progress, compile_models)
    run, G_call, D_call = _prepare(G, D, data, config, out_dir, pack, device, compile_models)
    N, B = len(data), run.batch
    per_epoch = N // B  # drop the last incomplete batch
    history: dict[str, Any] = {
        "step_losses": [], "epoch": [], "d_loss": [], "g_loss": [], "seconds": [], "samples_per_s": [], "eval": [],
        "steps": 0, "device": describe(run.device), "processes": run.world.size,
        "amp_dtype": str(run.amp_dtype).replace("torch.", "") if run.amp_dtype else None,
        "resumed_from_step": None, "stopped_early": False, "config": asdict(config),
    }
    at = {"epoch": 1, "pos": 0, "perm": None, "window": {"d": [], "g": []}, "last_g": float("nan"), "sums": [0.0, 0.0, 0]}
    if resume:
        at = _resume(run, history)
        history = at.pop("history")
    history["processes"] = run.world.size

    total = config.epochs * per_epoch
    if config.max_steps is not None:
        total = min(total, config.max_steps)
    bar = progress_bar(progress if run.world.is_main else False, total=total, initial=history["steps"])
    step = history["steps"]
    epoch_start = time.perf_counter()  # a resumed epoch is timed from the resume
    try:
        while at["epoch"] <= config.epochs and not history["stopped_early"]:
            if at["perm"] is None:
                at.update(perm=torch.randperm(N, generator=run.gen), pos=0, sums=[0.0, 0.0, 0])
                epoch_start = time.perf_counter()
            epoch, window, sums = at["epoch"], at["window"], at["sums"]
            while at["pos"] < per_epoch:
                if config.max_steps is not None and step >= config.max_steps:
                    history["stopped_early"] = True
                    break
                idx = run.world.share(at["perm"][at["pos"] * B:(at["pos"] + 1) * B])
                x = data[idx].to(run.device, non_blocking=True)
                if run.channels_last:
                    x = x.contiguous(memory_format=torch.channels_last)
                step += 1
                d_item = _d_step(run, G_call, D_call, x, epoch=epoch, step=step)
                if step % config.n_critic == 0:  # one generator step every n_critic discriminator steps
                    at["last_g"] = _g_step(run, G_call, D_call, epoch=epoch, step=step)
                    sums[1] += at["last_g"]
                    sums[2] += 1
                    window["g"].append(at["last_g"])
                sums[0] += d_item
                at["pos"] += 1
                history["steps"] = step
                window["d"].append(d_item)
                if len(window["d"]) == config.log_every:
                    g_mean = sum(window["g"]) / len(window["g"]) if window["g"] else None
                    history["step_losses"].append([step, sum(window["d"]) / len(window["d"]), g_mean])
                    window = at["window"] = {"d": [], "g": []}
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix(d=f"{d_item:.3f}", g=f"{at['last_g']:.3f}", epoch=epoch, refresh=False)
                if step % config.checkpoint_every == 0:
                    _save(run, {"history": history, **at})
            if history["stopped_early"] and at["pos"] < per_epoch:
                _save(run, {"history": history, **at})
                break
            if run.device.type == "cuda":
                torch.cuda.synchronize(run.device)
            _end_epoch(run, G_call, history, epoch, at["pos"], sums, time.perf_counter() - epoch_start, evaluate)
            at.update(epoch=epoch + 1, perm=None)
            _save(run, {"history": history, **at})
    finally:
        if bar is not None:
            bar.close()
    return history
