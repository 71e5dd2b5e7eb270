"""``dlref gan train``: train a GAN from the command line, with the same loop and models as the pages.

Examples (shell)::

    dlref gan train --dataset fashion-mnist --loss non-saturating --epochs 5 --out runs/dcgan
    dlref gan train --dataset fashion-mnist --loss non-saturating --epochs 5 --out runs/dcgan --resume
    dlref gan train --dataset ring --loss wgan-gp --n-critic 2 --gp-weight 1 --dry-run

``--dry-run`` (smoke mode) trains a few steps on a small subset with tiny networks and writes
nothing unless ``--out`` is given. ``--fd`` scores each epoch with the Fréchet distance of
[`dlref.lab.gan.metrics`][dlref.lab.gan.metrics] (Fashion-MNIST only). The parser is built only when the CLI runs.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from dlref import validate

if TYPE_CHECKING:
    import argparse

DATASETS = ("fashion-mnist", "ring")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``dlref gan`` subcommands and their options."""
    from dlref.gan.losses import LOSSES
    from dlref.lab.gan.train import GANConfig, NOISES

    import argparse

    validate.instance("parser", parser, argparse.ArgumentParser, what="an argparse.ArgumentParser")
    d = GANConfig()
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    t = actions.add_parser("train", help="train a GAN (DCGAN on Fashion-MNIST, MLP on the 2-D ring)")
    t.add_argument("--dataset", choices=DATASETS, default="fashion-mnist")
    t.add_argument("--loss", choices=sorted(LOSSES), default=d.loss)
    t.add_argument("--epochs", type=int, default=d.epochs)
    t.add_argument("--batch-size", type=int, default=d.batch_size,
                   help="samples per step; under torchrun, over all processes together (each takes an equal share)")
    t.add_argument("--lr-g", type=float, default=d.lr_g)
    t.add_argument("--lr-d", type=float, default=d.lr_d)
    t.add_argument("--beta1", type=float, default=d.beta1)
    t.add_argument("--beta2", type=float, default=d.beta2)
    t.add_argument("--n-critic", type=int, default=d.n_critic)
    t.add_argument("--gp-weight", type=float, default=d.gp_weight)
    t.add_argument("--z-dim", type=int, default=d.z_dim)
    t.add_argument("--noise", choices=NOISES, default=d.noise)
    t.add_argument("--width", type=int, default=32, help="DCGAN width (fashion-mnist) or MLP hidden units (ring)")
    t.add_argument("--n-train", type=int, default=None, help="use only the first N training samples")
    t.add_argument("--seed", type=int, default=d.seed)
    t.add_argument("--checkpoint-every", type=int, default=d.checkpoint_every, help="steps between checkpoints")
    t.add_argument("--out", type=Path, default=None, help="folder for checkpoint, metrics.json and PNGs")
    t.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.pt")
    t.add_argument("--fd", action="store_true", help="Fréchet distance and label coverage each epoch (fashion-mnist)")
    t.add_argument("--eval-samples", type=int, default=5000, help="generated images scored by --fd each epoch")
    t.add_argument("--no-amp", action="store_true", help="disable mixed precision on CUDA")
    t.add_argument("--dry-run", action="store_true", help="smoke mode: a few steps on a small subset, tiny networks")
    t.set_defaults(usage=t)


def build(args: argparse.Namespace):
    """Data, networks and config for ``args``; raises ValueError with a clear message on bad values."""
    import argparse

    import torch

    from dlref.gan.models import DCGANDiscriminator, DCGANGenerator, MLPDiscriminator, MLPGenerator
    from dlref.lab.gan.train import GANConfig

    validate.instance("args", args, argparse.Namespace, what="an argparse.Namespace")
    validate.choice("dataset", args.dataset, DATASETS)
    validate.optional(validate.positive_int, "--n-train", args.n_train)
    validate.positive_int("--width", args.width)
    validate.positive_int("--eval-samples", args.eval_samples, minimum=2)
    validate.optional(validate.writable_folder, "--out", args.out)
    if args.resume and args.out is None:
        raise ValueError("--resume needs --out, the folder that holds checkpoint.pt")
    if args.fd and args.dataset != "fashion-mnist":
        raise ValueError("--fd needs --dataset fashion-mnist")
    if args.dataset == "fashion-mnist" and args.loss == "wgan-gp":
        norm = "layer"  # the gradient penalty is per sample: no batch norm in the critic
    else:
        norm = "batch"
    cfg = GANConfig(loss=args.loss, epochs=args.epochs, batch_size=args.batch_size, lr_g=args.lr_g, lr_d=args.lr_d,
                    beta1=args.beta1, beta2=args.beta2, n_critic=args.n_critic, gp_weight=args.gp_weight,
                    z_dim=args.z_dim, noise=args.noise, seed=args.seed, amp=not args.no_amp,
                    checkpoint_every=args.checkpoint_every, save_images=args.out is not None)  # validates every value
    n_train, width, z_dim = args.n_train, args.width, args.z_dim
    if args.dry_run:  # smoke mode: 3 steps, tiny networks, a small subset
        n_train, width = min(n_train or 256, 256), 8
        cfg = replace(cfg, epochs=1, batch_size=min(cfg.batch_size, 32), max_steps=3)
    torch.manual_seed(cfg.seed)  # the networks' initial weights
    if args.dataset == "fashion-mnist":
        from dlref.lab.gan.metrics import fashion_images

        data = fashion_images(True)[0]
        G, D = DCGANGenerator(z_dim, 1, 28, width), DCGANDiscriminator(1, 28, width, norm=norm)
    else:
        from dlref.gan.toy import ring_of_gaussians

        data = ring_of_gaussians(n_train or 64000, generator=torch.Generator().manual_seed(0))
        G, D = MLPGenerator(z_dim, 2, width), MLPDiscriminator(2, width)
    if n_train is not None:
        data = data[:n_train]
    return data, G, D, cfg


def run(args: argparse.Namespace) -> int:
    """Train; print one line per epoch and where the files went. Returns the exit status."""
    import argparse

    from dlref.lab.cli import usage_error
    from dlref.lab.gan.train import GANDivergedError, train

    validate.instance("args", args, argparse.Namespace, what="an argparse.Namespace")
    try:
        data, G, D, cfg = build(args)
    except (TypeError, ValueError) as err:  # bad option values: found before any data is read
        usage_error(args, str(err))
    evaluate = None
    if args.fd:
        from dlref.lab.gan.metrics import FrechetEvaluator, fashion_images, load_classifier

        reference = fashion_images(False)[0]
        evaluate = FrechetEvaluator(load_classifier()[0], reference, z_dim=cfg.z_dim,
                                    n_samples=min(args.eval_samples, 500) if args.dry_run else args.eval_samples)
    try:
        history = train(G, D, data, cfg, args.out, resume=args.resume, evaluate=evaluate)
    except ValueError as err:  # e.g. resuming with a different configuration
        print(f"dlref gan train: error: {err}", file=sys.stderr)
        return 2
    except (GANDivergedError, FileNotFoundError) as err:
        print(f"dlref gan train: error: {err}", file=sys.stderr)
        return 1
    from dlref.lab import distributed

    if not distributed.world().is_main:  # under torchrun, rank 0 reports
        distributed.shutdown()
        return 0
    for i, epoch in enumerate(history["epoch"]):
        extra = ""
        if history["eval"]:
            e = history["eval"][i]
            extra = f"  FD {e['fd']:.2f}  classes covered {e['classes_covered']}/10"
        print(f"epoch {epoch}: D loss {history['d_loss'][i]:.4f}  G loss {history['g_loss'][i]:.4f}  "
              f"{history['seconds'][i]:.1f} s{extra}")
    status = "stopped early (dry run)" if history["stopped_early"] else "done"
    print(f"{status}: {history['steps']} discriminator steps on {history['device']}"
          + (f"; files in {args.out}" if args.out is not None else ""))
    if args.out is not None:
        print(json.dumps({"metrics": str(args.out / "metrics.json"), "checkpoint": str(args.out / "checkpoint.pt")}))
    distributed.shutdown()
    return 0
