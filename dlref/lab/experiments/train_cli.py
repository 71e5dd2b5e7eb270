"""``dlref train classifier``: train LeNet, the BN CNN or a small ViT on Fashion-MNIST or CIFAR-10.

The command behind the classifier page's "run it yourself" section. It uses the shared loop
[`dlref.lab.train.fit()`][dlref.lab.train.fit] (CUDA with mixed precision and ``channels_last`` when present, checkpoints,
``metrics.json``) and the recipes of [`dlref.lab.experiments.classifiers`][dlref.lab.experiments.classifiers]. CIFAR-10 is never
downloaded from here: without a local copy the command says where it looked and how to fetch it.
"""

from __future__ import annotations

import argparse
import sys

import torch
from torch import nn

from dlref import validate
from dlref.lab import train
from dlref.lab.experiments.classifiers import fashion_tensors, loader
from dlref.models import BNCNN, LeNet


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``dlref train`` (added to its ``argparse`` parser by [`dlref.lab.cli`][dlref.lab.cli])."""
    validate.instance("parser", parser, argparse.ArgumentParser, what="an argparse.ArgumentParser")
    actions = parser.add_subparsers(dest="what", required=True, metavar="WHAT")
    p = actions.add_parser("classifier", help="train LeNet, the BN CNN or a small ViT on Fashion-MNIST or CIFAR-10")
    p.add_argument("--model", choices=("lenet", "bncnn", "vit"), default="lenet")
    p.add_argument("--data", choices=("fashion-mnist", "cifar10"), default="fashion-mnist")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=16,
                   help="examples per step; under torchrun, over all processes together (each takes an equal share)")
    p.add_argument("--lr", type=float, default=1e-3, help="SGD with momentum 0.9 for lenet, Adam otherwise")
    p.add_argument("--weight-decay", type=float, default=None, help="default: 1e-4 for bncnn, 0 otherwise")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--n-train", type=int, default=None, help="train on a random subset of this size")
    p.add_argument("--checkpoint-dir", default=None, help="write checkpoint.pt and metrics.json here")
    p.add_argument("--resume", action="store_true", help="continue from --checkpoint-dir")
    p.add_argument("--dry-run", action="store_true", help="smoke mode: three steps on a small subset")
    p.add_argument("--cpu-amp", action="store_true",
                   help="bf16 autocast and channels_last on CPU (fast on CPUs with AMX / AVX-512-bf16)")
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(usage=p)


def image_tensors(data: str, train_split: bool, n: int | None, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Normalised images ``(N, C, H, W)`` and labels of ``"fashion-mnist"`` or ``"cifar10"``.

    Raises:
        dlref.lab.data.DatasetNotFoundError: CIFAR-10 is not in the data root (it is not downloaded here).
    """
    validate.choice("data", data, ("fashion-mnist", "cifar10"))
    validate.boolean("train_split", train_split)
    validate.optional(validate.positive_int, "n", n)
    validate.positive_int("seed", seed, minimum=0)
    if data == "fashion-mnist":
        return fashion_tensors(train_split, n, seed)
    from dlref.lab.data import channel_stats, cifar10

    ds_train = cifar10(train=True, download=False)
    mean, std = channel_stats(torch.as_tensor(ds_train.data).permute(0, 3, 1, 2).float() / 255)
    ds = ds_train if train_split else cifar10(train=False, download=False)
    X = torch.as_tensor(ds.data).permute(0, 3, 1, 2).float() / 255  # (N, H, W, C) → (N, 3, 32, 32)
    X = (X - mean.reshape(1, 3, 1, 1)) / std.reshape(1, 3, 1, 1)
    y = torch.as_tensor(ds.targets).long()
    if n is not None and n < len(X):
        idx = torch.randperm(len(X), generator=torch.Generator().manual_seed(seed))[:n]
        X, y = X[idx], y[idx]
    return X, y


def run(args: argparse.Namespace) -> int:
    """Train as ``args`` say; print per-epoch metrics and the final test accuracy. Returns the exit status."""
    import dlref
    from dlref.lab.data import DatasetNotFoundError
    from dlref.lab import distributed
    from dlref.vit import ViT

    from dlref.lab.cli import usage_error

    validate.instance("args", args, argparse.Namespace, what="an argparse.Namespace")
    try:  # every value is checked before any data is read or any step is taken
        train.TrainConfig(epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                          weight_decay=0.0 if args.weight_decay is None else args.weight_decay, seed=args.seed,
                          cpu_amp=args.cpu_amp)
        validate.optional(validate.positive_int, "--n-train", args.n_train)
        if args.resume and args.checkpoint_dir is None:
            raise ValueError("--resume needs --checkpoint-dir, the folder that holds checkpoint.pt")
        if args.checkpoint_dir is not None:
            validate.writable_folder("--checkpoint-dir", args.checkpoint_dir)
    except (TypeError, ValueError) as err:
        usage_error(args, str(err))
    try:
        X, y = image_tensors(args.data, True, 256 if args.dry_run else args.n_train, args.seed)
        Xt, yt = image_tensors(args.data, False, 256 if args.dry_run else None, args.seed)
    except DatasetNotFoundError as err:
        print(f"dlref train classifier: error: {err}", file=sys.stderr)
        return 1
    C, size = X.shape[1], X.shape[2]
    gen = train.seed_everything(args.seed)
    device = dlref.device()
    if args.model == "lenet":
        model: nn.Module = LeNet(C, image_size=size).to(device)
        opt: torch.optim.Optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9,
                                                     weight_decay=args.weight_decay or 0.0)
    else:
        model = (BNCNN(C, image_size=size) if args.model == "bncnn" else ViT(size, size // 4, C, 10)).to(device)
        wd = args.weight_decay if args.weight_decay is not None else (1e-4 if args.model == "bncnn" else 0.0)
        opt = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=wd)
    dl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=args.batch_size, shuffle=True,
                                     generator=gen)
    # Under torchrun, fit splits each batch of --batch-size among the processes (rank 0 writes and prints).
    m = train.fit(model, dl, optimizer=opt, loss_fn=nn.functional.cross_entropy, epochs=args.epochs, device=device,
                  val_loader=loader(Xt, yt, 500, shuffle=False), checkpoint_dir=args.checkpoint_dir,
                  resume=args.resume, max_steps=3 if args.dry_run else None, progress=not args.no_progress,
                  cpu_amp=args.cpu_amp)
    world = distributed.world()
    if world.is_main:
        for e, tl, va, ips in zip(m["epoch"], m["train_loss"], m["val_accuracy"], m["images_per_s"]):
            print(f"epoch {e}: train loss {tl:.4f}  test accuracy {va:.2%}  {ips:.0f} images/s")
        print(f"{args.model} on {args.data} ({len(X)} training images, {m['device']}, {world.size} process(es)): "
              f"test accuracy {m['val_accuracy'][-1]:.2%}")
    distributed.shutdown()
    return 0
