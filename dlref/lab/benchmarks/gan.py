"""Images per second of dlref's GAN loop against a plain PyTorch loop written as the pytorch/examples DCGAN recipe trains.

Both loops train the same 64×64 DCGAN pair ([`DCGAN64Generator`][dlref.gan.models.DCGAN64Generator] and
[`DCGAN64Discriminator`][dlref.gan.models.DCGAN64Discriminator], deep copies of one initialisation) on the same
random images (uniform in [−1, 1], 3×64×64), with Adam (lr 2·10⁻⁴, betas (0.5, 0.999)) and the
same batch size, for the same number of discriminator steps:

* ``plain PyTorch`` — the recipe's iteration: zero D's gradients; D on the real batch with label 1,
  backward; G(z) once; D on the detached fakes with label 0, backward; D's step; zero G's
  gradients; D on the same fakes with label 1, backward; G's step. Binary cross-entropy on D's
  logit (``BCEWithLogitsLoss``: the recipe's ``Sigmoid`` + ``BCELoss`` in one stable op, since
  dlref's discriminators return logits). The recipe's per-iteration log line (five ``.item()``
  reads and a print) and its image saving are left out, so the baseline is the recipe's arithmetic
  alone.
* ``dlref.lab.gan.train`` — [`dlref.lab.gan.train.train()`][dlref.lab.gan.train.train] with the non-saturating loss, which is
  the same math: the discriminator minimises BCE(D(x), 1) + BCE(D(G(z)), 0) =
  softplus(−a_real) + softplus(a_fake), the generator minimises BCE(D(G(z)), 1) = softplus(−a_fake)
  (see [`dlref.gan.losses`][dlref.gan.losses]). Its own work per step differs from the recipe's: the
  discriminator step runs G without recording a graph, and the generator step draws a fresh z and
  runs G a second time (the recipe keeps the graph of its one pass of G and reuses those fakes);
  D is marked frozen for the generator step's backward pass (its weights' gradients are then
  dropped rather than accumulated); a finite-loss check reads each loss once (``.item()``). On
  CUDA it also runs its speed options (mixed precision, ``channels_last``) where the recipe runs
  float32.

A timing is one whole call — optimizers created, ``steps`` discriminator steps (stopped inside
the first epoch, so no epoch-end work) — after a warm-up call per loop. The loops alternate in
``repeats`` rounds (the order flips each round, so drift hits both alike); the median is kept.
On CUDA the clock is the wall clock after ``torch.cuda.synchronize``; on a CPU, run with one
thread, it is that thread's CPU time (``time.thread_time``), which on an idle machine equals the
wall time and on a shared one leaves out the time other processes held the core (with more
threads, the wall clock). Throughput counts the real images per second (each step also
generates as many fakes). Targets: dlref ÷ plain ≥ 0.95 on CPU, ≥ 2 on CUDA.

Run ``dlref bench gan`` (or ``python -m dlref.lab.benchmarks.gan``); ``--store`` puts the default
run on this device into the results store (``results/gan-bench-cpu/`` or ``gan-bench-cuda/``),
which the page *Generative adversarial networks → DCGAN at 64×64* shows.
"""

from __future__ import annotations

import copy
import dataclasses
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from dlref import validate

LOOPS = ("plain PyTorch", "dlref.lab.gan.train")
#: dlref ÷ plain images/s that the loop should reach, per device type.
TARGETS = {"cpu": 0.95, "cuda": 2.0}


@dataclass(frozen=True)
class Config:
    """What the benchmark measures (its hash keys the results store).

    The CPU default keeps the paper's widths (``width`` 64 for both networks, ``z_dim`` 100) and
    the recipe's batch of 64; four steps per timing keep a run within about two minutes on one
    core.

    Raises:
        TypeError / ValueError: A field of the wrong type or out of range (the message names it).

    Examples:
        >>> Config(steps=0)
        Traceback (most recent call last):
        ...
        ValueError: Config.steps must be an int >= 1; got 0
    """

    batch_size: int = 64
    steps: int = 4
    repeats: int = 5
    warmup_steps: int = 1
    z_dim: int = 100
    width: int = 64
    channels: int = 3
    threads: int = 1  # CPU threads (ignored on CUDA); one thread is timed by its CPU time
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("batch_size", "steps", "repeats", "warmup_steps", "z_dim", "width", "channels", "threads"):
            validate.positive_int(f"Config.{name}", getattr(self, name))
        validate.positive_int("Config.seed", self.seed, minimum=0)
        if self.batch_size < 2:
            raise ValueError(f"Config.batch_size must be at least 2 (batch norm needs two samples); got {self.batch_size}")


#: The default run per device type (``stored()`` keeps these).
DEFAULTS = {"cpu": Config(), "cuda": Config(batch_size=128, steps=50, repeats=5, warmup_steps=10)}


def make_models(cfg: Config) -> tuple[nn.Module, nn.Module]:
    """The 64×64 DCGAN pair, seeded with ``cfg.seed`` (the paper's N(0, 0.02²) initialisation)."""
    from dlref.gan.models import DCGAN64Discriminator, DCGAN64Generator

    validate.instance("cfg", cfg, Config)
    torch.manual_seed(cfg.seed)
    return DCGAN64Generator(cfg.z_dim, cfg.channels, cfg.width), DCGAN64Discriminator(cfg.channels, cfg.width)


def make_data(cfg: Config) -> torch.Tensor:
    """Random images uniform in [−1, 1]: one more batch than the longest timed call needs.

    Shape:
        ``((max(steps, warmup_steps) + 1) · batch_size, channels, 64, 64)``.
    """
    validate.instance("cfg", cfg, Config)
    g = torch.Generator().manual_seed(cfg.seed)
    n = (max(cfg.steps, cfg.warmup_steps) + 1) * cfg.batch_size  # the loops stop inside the first epoch
    return torch.rand(n, cfg.channels, 64, 64, generator=g) * 2 - 1


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def clock(device: torch.device):
    """The timer: on a CPU running one thread, that thread's CPU time; otherwise the wall clock.

    With one thread every op and the backward pass run in the calling thread, so its CPU time is
    the compute time, and leaves out the time other processes held the core on a shared machine.
    """
    validate.device("device", device)
    one_thread = torch.device(device).type == "cpu" and torch.get_num_threads() == 1
    return time.thread_time if one_thread else time.perf_counter


def plain_loop(G: nn.Module, D: nn.Module, data: torch.Tensor, cfg: Config, steps: int, device: torch.device) -> float:
    """The baseline, iteration by iteration as the pytorch/examples DCGAN recipe trains: seconds for ``steps`` steps."""
    tick = clock(device)
    _sync(device)
    t0 = tick()
    criterion = nn.BCEWithLogitsLoss()  # the recipe's Sigmoid + BCELoss on D's logit
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    B = cfg.batch_size
    perm = torch.randperm(len(data), generator=torch.Generator().manual_seed(cfg.seed))
    for i in range(steps):
        real = data[perm[i * B:(i + 1) * B]].to(device, non_blocking=True)
        # (1) update D: maximise log D(x) + log(1 − D(G(z)))
        D.zero_grad()
        label = torch.full((B, 1), 1.0, device=device)
        err_real = criterion(D(real), label)
        err_real.backward()
        fake = G(torch.randn(B, cfg.z_dim, device=device))
        label.fill_(0.0)
        err_fake = criterion(D(fake.detach()), label)
        err_fake.backward()
        opt_d.step()
        # (2) update G: maximise log D(G(z)), on the same fakes
        G.zero_grad()
        label.fill_(1.0)
        err_g = criterion(D(fake), label)
        err_g.backward()
        opt_g.step()
    _sync(device)
    return tick() - t0


def dlref_loop(G: nn.Module, D: nn.Module, data: torch.Tensor, cfg: Config, steps: int, device: torch.device) -> float:
    """[`dlref.lab.gan.train.train()`][dlref.lab.gan.train.train] for ``steps`` steps with the recipe's hyper-parameters: seconds of the call."""
    from dlref.lab.gan.train import GANConfig, train

    config = GANConfig(loss="non-saturating", epochs=1, batch_size=cfg.batch_size, lr_g=2e-4, lr_d=2e-4, beta1=0.5,
                       beta2=0.999, z_dim=cfg.z_dim, noise="normal", seed=cfg.seed, max_steps=steps, save_images=False)
    tick = clock(device)
    _sync(device)
    t0 = tick()
    train(G, D, data, config, out_dir=None, device=device, progress=False)
    _sync(device)
    return tick() - t0


LOOP_FNS = {"plain PyTorch": plain_loop, "dlref.lab.gan.train": dlref_loop}


def run(cfg: Config, out_dir: Path | None = None) -> dict:
    """Both loops, interleaved; returns their median images/s, the ratio dlref ÷ plain and the target.

    Returns:
        ``rows`` (per loop: ``loop``, ``images_per_s``, ``seconds`` of every repeat), ``ratio``,
        ``paired_ratios`` (per round), ``target``, ``target_met``, ``device``, ``device_type``,
        ``threads``, ``clock``, ``cpu_capability``, ``batch_size``, ``steps``, ``repeats``, the models'
        ``g_parameters`` and ``d_parameters``.
    """
    import dlref
    from dlref.lab.device import describe
    from dlref.lab.train import cpu_threads

    validate.instance("cfg", cfg, Config)
    validate.path("out_dir", out_dir, optional=True)
    device = dlref.device()
    with cpu_threads(cfg.threads if device.type == "cpu" else None):
        data = make_data(cfg)
        G0, D0 = make_models(cfg)
        nets = {loop: (copy.deepcopy(G0).to(device), copy.deepcopy(D0).to(device)) for loop in LOOPS}  # same start
        for loop in LOOPS:  # warm-up
            LOOP_FNS[loop](*nets[loop], data, cfg, cfg.warmup_steps, device)
        seconds: dict[str, list[float]] = {loop: [] for loop in LOOPS}
        for r in range(cfg.repeats):
            for loop in (LOOPS if r % 2 == 0 else LOOPS[::-1]):
                seconds[loop].append(LOOP_FNS[loop](*nets[loop], data, cfg, cfg.steps, device))
        described, threads = describe(device), torch.get_num_threads()
        timer = "thread CPU time" if clock(device) is time.thread_time else "wall clock"
    images = cfg.steps * cfg.batch_size
    rows = [{"loop": loop, "images_per_s": images / statistics.median(t), "seconds": t} for loop, t in seconds.items()]
    ratio = rows[1]["images_per_s"] / rows[0]["images_per_s"]  # dlref ÷ plain
    target = TARGETS.get(device.type)
    return {
        "rows": rows, "ratio": ratio,
        "paired_ratios": [p / d for p, d in zip(seconds["plain PyTorch"], seconds["dlref.lab.gan.train"])],
        "target": target, "target_met": None if target is None else ratio >= target,
        "device": described, "device_type": device.type, "threads": threads, "clock": timer,
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "batch_size": cfg.batch_size, "steps": cfg.steps, "repeats": cfg.repeats,
        "g_parameters": sum(p.numel() for p in G0.parameters()), "d_parameters": sum(p.numel() for p in D0.parameters()),
    }


def table(metrics: dict) -> str:
    """The measured images/s per loop, dlref ÷ plain, and each device's target (unmeasured ones say so)."""
    validate.mapping("metrics", metrics, ("rows", "ratio", "device", "device_type", "threads", "batch_size", "steps",
                                          "repeats"))
    lines = [f"{metrics['device']}; batch {metrics['batch_size']}, {metrics['steps']} steps per timing, "
             f"median of {metrics['repeats']} interleaved repeats, {metrics.get('clock', 'wall clock')}",
             f"{'loop':<22} {'real images/s':>14}   seconds per timing"]
    for r in metrics["rows"]:
        lines.append(f"{r['loop']:<22} {r['images_per_s']:>14.1f}   " + ", ".join(f"{s:.2f}" for s in r["seconds"]))
    kind = metrics["device_type"]
    for other, target in TARGETS.items():
        if other != kind:
            lines.append(f"target on {other.upper()}: dlref ÷ plain ≥ {target:g} — not measured here")
    target = TARGETS.get(kind)
    verdict = "" if target is None else (
        f" — target on {kind.upper()} ≥ {target:g}: {'met' if metrics['ratio'] >= target else 'NOT met'}")
    lines.append(f"dlref ÷ plain: {metrics['ratio']:.2f}{verdict}")
    return "\n".join(lines)


def stored(device_type: str = "cpu"):
    """The default run for ``device_type`` through the results store (``results/gan-bench-<device_type>/``).

    It runs only with ``DLREF_PROFILE=full`` on that device; elsewhere it loads the stored record,
    and raises [`ResultMissingError`][dlref.lab.results.ResultMissingError] when there is none. Its hash covers this
    file, the GAN loop and the models and losses it times.
    """
    from dlref.gan import losses, models
    from dlref.lab import results
    from dlref.lab.gan import train as gan_train

    validate.choice("device_type", device_type, tuple(DEFAULTS))
    return results.run_or_load(f"gan-bench-{device_type}", run, DEFAULTS[device_type], profiles=("full",),
                               devices=(device_type,), code=[gan_train, models, losses])


def main(argv: list[str] | None = None) -> int:
    """Command line: print the table (``--store`` keeps the default run of this device in the results store)."""
    import argparse

    import dlref

    parser = argparse.ArgumentParser(prog="dlref bench gan", description=__doc__.splitlines()[0],
                                     epilog="Options left out take this device's default (DEFAULTS).")
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--steps", type=int, help="discriminator steps per timing")
    parser.add_argument("--repeats", type=int)
    parser.add_argument("--warmup-steps", type=int)
    parser.add_argument("--width", type=int, help="ngf = ndf (64 in the paper)")
    parser.add_argument("--threads", type=int, help="CPU threads")
    parser.add_argument("--store", action="store_true",
                        help="run this device's default configuration through the results store "
                             "(results/gan-bench-<device>/; runs only with DLREF_PROFILE=full)")
    args = parser.parse_args(argv)
    kind = dlref.device().type
    if args.store:
        from dlref.lab.results import ResultMissingError

        try:
            res = stored(kind)
        except (ResultMissingError, ValueError) as exc:
            print(f"dlref bench gan --store: {exc}")
            return 1
        print(res.describe())
        metrics = res.metrics
    else:
        given = {k: v for k, v in vars(args).items() if k != "store" and v is not None}
        try:
            cfg = dataclasses.replace(DEFAULTS.get(kind, Config()), **given)
        except (TypeError, ValueError) as exc:
            parser.error(str(exc))
        metrics = run(cfg)
    print(table(metrics))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
