"""The shared training loop: seeding, config, ``fit``, checkpoints, metrics, NaN guard.

Every classifier on the site (*Training image classifiers*) and the vision transformer train through
[`fit()`][dlref.lab.train.fit]. Its conventions are meant to be reused by other loops (the GANs build their own
step on the same pieces):

* **Seeding** — [`seed_everything()`][dlref.lab.train.seed_everything] seeds Python, NumPy and torch (CPU and CUDA) and
  returns a `torch.Generator` to hand to a ``DataLoader``.
* **Configuration** — a frozen ``@dataclass`` such as [`TrainConfig`][dlref.lab.train.TrainConfig] that validates itself
  in ``__post_init__`` and is hashed by [`dlref.lab.results.run_or_load()`][dlref.lab.results.run_or_load].
* **Device** — CUDA when present (mixed precision through [`dlref.autocast()`][dlref.lab.device.autocast], the model
  and 4-D inputs in ``channels_last``), CPU otherwise (float32, bit-reproducible).
* **Checkpoints** — [`save_checkpoint()`][dlref.lab.train.save_checkpoint] writes atomically (temporary file, then
  `os.replace()`) the model, optimizer, scheduler, epoch, every RNG state and the metrics so
  far; ``fit(..., resume=True)`` continues from it and, on CPU, ends with exactly the parameters
  an uninterrupted run would have.
* **Metrics** — one JSON file (`METRICS_FILE`) per run: per-epoch loss, accuracy,
  images/s and seconds, plus the running loss every ``log_every`` steps.
* **Non-finite loss** — [`check_finite()`][dlref.lab.train.check_finite] stops training with [`NonFiniteLossError`][dlref.lab.train.NonFiniteLossError]
  naming the epoch and step.
* **Smoke mode** — ``max_steps`` stops after a few steps (the ``--dry-run`` of tests and CI).
"""

from __future__ import annotations

import contextlib
import math
import os
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

import torch
from torch import nn

from dlref import validate
from dlref.lab.checkpoint import (CHECKPOINT_FILE, CHECKPOINT_SCHEMA, METRICS_FILE, check_resumable, load_checkpoint,
                                  remove_stale_temporaries, rng_state, save_checkpoint, set_rng_state, write_json)

class NonFiniteLossError(FloatingPointError):
    """The training loss became NaN or ±inf; the message names the epoch and step."""


# --------------------------------------------------------------------------- seeding / config


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python's ``random``, NumPy (if installed) and torch on CPU and every CUDA device.

    Args:
        seed: A non-negative integer.

    Returns:
        A fresh CPU `torch.Generator` seeded with ``seed``, for ``DataLoader(generator=...)``
        so that the shuffling order is reproducible independently of other random draws.

    Raises:
        TypeError: ``seed`` is not an int.
        ValueError: ``seed`` is negative.

    Examples:
        >>> g = seed_everything(0)
        >>> a = torch.rand(2); _ = seed_everything(0); b = torch.rand(2)
        >>> bool((a == b).all()), g.initial_seed()
        (True, 0)
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int; got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"seed must be non-negative; got {seed}")
    random.seed(seed)
    with contextlib.suppress(ImportError):
        import numpy as np

        np.random.seed(seed % 2**32)
    torch.manual_seed(seed)  # also seeds every CUDA device
    return torch.Generator().manual_seed(seed)


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters of one training run (frozen: hashable by the results store).

    The pattern to copy for any experiment: every field that changes the result is here, the
    defaults are the recipe, and ``__post_init__`` rejects impossible values with a message
    naming the field.

    Args:
        epochs: Passes over the training set.
        batch_size: Examples per optimizer step.
        lr: Learning rate.
        weight_decay: L2 / decoupled weight-decay coefficient (the optimizer decides which).
        seed: Seed for [`seed_everything()`][dlref.lab.train.seed_everything].
        amp: Mixed precision on CUDA (ignored on CPU unless ``cpu_amp``).
        channels_last: ``channels_last`` memory format on CUDA (on CPU only with ``cpu_amp``).
        cpu_amp: bf16 autocast and ``channels_last`` on CPU too (see [`dlref.autocast()`][dlref.lab.device.autocast]).
        log_every: Record the running loss every this many steps.
        max_steps: Stop after this many optimizer steps in total (smoke mode); ``None`` runs all.

    Examples:
        >>> TrainConfig(epochs=2, batch_size=64).epochs
        2
        >>> TrainConfig(batch_size=0)
        Traceback (most recent call last):
        ...
        ValueError: TrainConfig.batch_size must be a positive int; got 0
    """

    epochs: int = 10
    batch_size: int = 128
    lr: float = 1e-3
    weight_decay: float = 0.0
    seed: int = 0
    amp: bool = True
    channels_last: bool = True
    cpu_amp: bool = False
    log_every: int = 50
    max_steps: int | None = None

    def __post_init__(self) -> None:
        for name in ("epochs", "batch_size", "log_every"):
            _check_positive_int(f"TrainConfig.{name}", getattr(self, name))
        if self.max_steps is not None:
            _check_positive_int("TrainConfig.max_steps", self.max_steps)
        if not (isinstance(self.lr, (int, float)) and math.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"TrainConfig.lr must be a positive finite number; got {self.lr!r}")
        if not (isinstance(self.weight_decay, (int, float)) and self.weight_decay >= 0):
            raise ValueError(f"TrainConfig.weight_decay must be >= 0; got {self.weight_decay!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"TrainConfig.seed must be a non-negative int; got {self.seed!r}")
        validate.real("TrainConfig.lr", self.lr, low=0.0, low_open=True)
        validate.real("TrainConfig.weight_decay", self.weight_decay, low=0.0)
        validate.boolean("TrainConfig.amp", self.amp)
        validate.boolean("TrainConfig.channels_last", self.channels_last)
        validate.boolean("TrainConfig.cpu_amp", self.cpu_amp)

    def fit_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of [`fit()`][dlref.lab.train.fit] this config determines."""
        return {
            "epochs": self.epochs, "amp": self.amp, "channels_last": self.channels_last, "cpu_amp": self.cpu_amp,
            "log_every": self.log_every, "max_steps": self.max_steps,
        }


@contextlib.contextmanager
def cpu_threads(n: int | None) -> Any:
    """Run the block with ``n`` intra-op CPU threads, then restore the previous count.

    ``None`` leaves torch's count as it is. Small models (toy GANs, MLPs of a few thousand weights)
    run fastest on one thread; on a shared machine two threads can be many times slower than one.

    Examples:
        >>> with cpu_threads(1):
        ...     torch.get_num_threads()
        1
    """
    validate.optional(validate.positive_int, "n", n)
    before = torch.get_num_threads()
    if n:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _check_positive_int(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive int; got {value!r}")


# --------------------------------------------------------------------------- RNG, files, checkpoints


def check_finite(loss: torch.Tensor, *, epoch: int, step: int) -> float:
    """Return ``loss.item()``, or raise [`NonFiniteLossError`][dlref.lab.train.NonFiniteLossError] naming where it went bad.

    Args:
        loss: A scalar loss tensor.
        epoch: The current epoch (1-based), for the message.
        step: The global optimizer step (1-based), for the message.

    Examples:
        >>> check_finite(torch.tensor(0.5), epoch=1, step=3)
        0.5
        >>> check_finite(torch.tensor(float("nan")), epoch=2, step=7)
        Traceback (most recent call last):
        ...
        dlref.lab.train.NonFiniteLossError: loss is nan at epoch 2, step 7; lower the learning rate, check the inputs for NaN/inf, or disable amp
    """
    validate.scalar("loss", loss)
    validate.positive_int("epoch", epoch, minimum=0)
    validate.positive_int("step", step, minimum=0)
    value = loss.item()
    if not math.isfinite(value):
        raise NonFiniteLossError(
            f"loss is {value} at epoch {epoch}, step {step}; lower the learning rate, "
            "check the inputs for NaN/inf, or disable amp"
        )
    return value


# --------------------------------------------------------------------------- evaluation


def _to(x: Any, device: torch.device, channels_last: bool) -> Any:
    x = x.to(device, non_blocking=True)
    if channels_last and x.ndim == 4:
        x = x.contiguous(memory_format=torch.channels_last)
    return x


@torch.no_grad()
def predict(model: nn.Module, loader: Iterable, *, device: torch.device | None = None, amp: bool = True,
            cpu_amp: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """Logits and targets of a whole loader, in eval mode, gathered on the CPU.

    Args:
        model: The classifier.
        loader: Yields ``(x, y)`` batches.
        device: Where to run (default: the model's device).
        amp: Mixed precision on CUDA.
        cpu_amp: bf16 autocast and ``channels_last`` inputs on CPU as well.

    Shape:
        Returns logits ``(N, C)`` float32 and targets ``(N,)``.

    Examples:
        >>> m = nn.Linear(3, 2)
        >>> logits, y = predict(m, [(torch.zeros(4, 3), torch.zeros(4, dtype=torch.long))])
        >>> tuple(logits.shape), tuple(y.shape)
        ((4, 2), (4,))
    """
    from dlref.lab.device import autocast

    validate.instance("model", model, nn.Module, what="a torch.nn.Module")
    validate.iterable("loader", loader, "an iterable of (x, y) batches", of=(tuple, list))
    validate.device("device", device)
    validate.boolean("amp", amp)
    validate.boolean("cpu_amp", cpu_amp)
    device = next(model.parameters()).device if device is None else torch.device(device)
    was_training = model.training
    model.eval()
    outs, ys = [], []
    try:
        for x, y in loader:
            validate.tensor("a batch's x", x)
            validate.tensor("a batch's y", y)
            validate.same_length(**{"a batch's x": x, "y": y})
            with autocast(device, enabled=amp, cpu=cpu_amp):
                out = model(_to(x, device, device.type == "cuda" or cpu_amp))
            outs.append(out.float().cpu())
            ys.append(y.cpu())
    finally:
        model.train(was_training)
    if not outs:
        raise ValueError("predict got an empty loader")
    return torch.cat(outs), torch.cat(ys)


def evaluate(model: nn.Module, loader: Iterable, loss_fn: Callable, *, device: torch.device | None = None, amp: bool = True,
             cpu_amp: bool = False) -> dict[str, float]:
    """Mean loss and accuracy of ``model`` on ``loader`` (eval mode, no gradients).

    Returns:
        ``{"loss": ..., "accuracy": ...}``; the loss is ``loss_fn`` on all logits at once.

    Examples:
        >>> m = nn.Linear(2, 2, bias=False); _ = m.weight.data.copy_(torch.eye(2))
        >>> x = torch.tensor([[2.0, 0.0], [0.0, 2.0]]); y = torch.tensor([0, 0])
        >>> evaluate(m, [(x, y)], nn.functional.cross_entropy)["accuracy"]
        0.5
    """
    validate.callable_("loss_fn", loss_fn)
    logits, y = predict(model, loader, device=device, amp=amp, cpu_amp=cpu_amp)
    return {"loss": float(loss_fn(logits, y)), "accuracy": float((logits.argmax(1) == y).float().mean())}


def confusion_matrix(pred: torch.Tensor, target: torch.Tensor, num_classes: int) -> torch.Tensor:
    """Counts ``M[t, p]`` of examples of true class ``t`` predicted as ``p``.

    Shape:
        pred, target ``(N,)`` integer class indices → ``(num_classes, num_classes)`` int64.

    Raises:
        ValueError: Shapes differ or an index is outside ``0 … num_classes − 1``.

    Examples:
        >>> confusion_matrix(torch.tensor([0, 1, 1]), torch.tensor([0, 0, 1]), 2).tolist()
        [[1, 1], [0, 1]]
    """
    validate.tensor("pred", pred)
    validate.tensor("target", target)
    validate.positive_int("num_classes", num_classes)
    if pred.shape != target.shape or pred.ndim != 1:
        raise ValueError(f"pred and target must be 1-D of equal length; got {tuple(pred.shape)} and {tuple(target.shape)}")
    for name, t in (("pred", pred), ("target", target)):
        if t.numel() and (int(t.min()) < 0 or int(t.max()) >= num_classes):
            raise ValueError(f"{name} holds class indices outside 0..{num_classes - 1}: min {int(t.min())}, max {int(t.max())}")
    flat = target.long() * num_classes + pred.long()  # (N,) index into the flattened matrix
    return torch.bincount(flat, minlength=num_classes * num_classes).reshape(num_classes, num_classes)


# --------------------------------------------------------------------------- fit


def _loader_generators(loader: Any) -> list[torch.Generator]:
    """The generators that decide a DataLoader's shuffling (saved with each checkpoint)."""
    found = []
    for obj in (getattr(loader, "generator", None), getattr(getattr(loader, "sampler", None), "generator", None)):
        if isinstance(obj, torch.Generator) and all(obj is not g for g in found):
            found.append(obj)
    return found


def _validate_fit_args(model: Any, optimizer: Any, epochs: Any, log_every: Any, max_steps: Any,
                       checkpoint_dir: Any, resume: bool) -> None:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module; got {type(model).__name__}")
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"optimizer must be a torch.optim.Optimizer; got {type(optimizer).__name__}")
    _check_positive_int("epochs", epochs)
    _check_positive_int("log_every", log_every)
    if max_steps is not None:
        _check_positive_int("max_steps", max_steps)
    if resume and checkpoint_dir is None:
        raise ValueError("resume=True needs checkpoint_dir (the folder holding checkpoint.pt)")
    model_params = {id(p) for p in model.parameters()}
    foreign = sum(id(p) not in model_params for group in optimizer.param_groups for p in group["params"])
    if foreign:
        raise ValueError(
            f"the optimizer holds {foreign} parameter(s) that are not the model's; "
            "build it from model.parameters() after moving the model to its device"
        )


def _fingerprint(model: nn.Module, optimizer: torch.optim.Optimizer, loader: Any, max_steps: int | None,
                 processes: int = 1) -> dict[str, Any]:
    """What a resumed run must share with the run that wrote the checkpoint: the model's parameter
    shapes, the optimizer, the data's identity and size (not its order), the batch size of one step
    over all processes (not the number of processes), smoke mode."""
    dataset = getattr(loader, "dataset", None)
    kinds, inner = [], dataset
    while inner is not None and len(kinds) < 4:  # Subset(FashionMNIST) → ["Subset", "FashionMNIST"]
        kinds.append(type(inner).__name__)
        inner = getattr(inner, "dataset", None)
    size = len(dataset) if hasattr(dataset, "__len__") else None
    return {
        "schema": CHECKPOINT_SCHEMA,
        "model": type(model).__name__,
        "shapes": {k: list(v.shape) for k, v in model.state_dict().items()},
        "optimizer": type(optimizer).__name__,
        "param_groups": len(optimizer.param_groups),
        "data": "/".join(kinds) or type(loader).__name__,
        "examples": size,
        "batch_size": getattr(loader, "batch_size", None) and loader.batch_size * processes,
        "smoke_max_steps": max_steps,
    }


def fit(
    model: nn.Module,
    train_loader: Iterable,
    *,
    optimizer: torch.optim.Optimizer,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    epochs: int,
    device: torch.device | str | None = None,
    val_loader: Iterable | None = None,
    scheduler: Any = None,
    checkpoint_dir: str | os.PathLike | None = None,
    resume: bool = False,
    amp: bool = True,
    channels_last: bool = True,
    cpu_amp: bool = False,
    log_every: int = 50,
    max_steps: int | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """Train ``model`` for ``epochs`` passes over ``train_loader``; returns the metrics.

    One step is: forward under [`dlref.autocast()`][dlref.lab.device.autocast], ``loss = loss_fn(logits, y)``,
    [`check_finite()`][dlref.lab.train.check_finite], backward, ``optimizer.step()``, then ``scheduler.step()`` (a per-step
    scheduler such as ``OneCycleLR``). After each epoch the validation set is evaluated, the
    metrics JSON is rewritten and a checkpoint saved (both atomically).

    Args:
        model: The network; moved to ``device`` (and to ``channels_last`` on CUDA).
        train_loader: Yields ``(x, y)`` batches; give it a seeded ``generator`` to make the
            shuffle reproducible and resumable.
        optimizer: Built from ``model.parameters()`` *after* the model is on its device.
        loss_fn: ``loss_fn(logits, y)`` returning the mean loss of the batch.
        epochs: Total epochs (a resumed run continues up to this number).
        device: Default: [`dlref.device()`][dlref.lab.device.device].
        val_loader: Evaluated after each epoch (loss and accuracy) if given.
        scheduler: Stepped after every optimizer step; saved in checkpoints.
        checkpoint_dir: Folder for ``checkpoint.pt`` and ``metrics.json``; none written if ``None``.
        resume: Continue from ``checkpoint_dir/checkpoint.pt`` (model, optimizer, scheduler,
            RNG states, metrics) instead of starting afresh.
        amp: Mixed precision on CUDA (bf16 where supported, else fp16 with a gradient scaler).
        channels_last: Use the ``channels_last`` memory format on CUDA (and on CPU with ``cpu_amp``).
        cpu_amp: bf16 autocast on CPU as well ([`dlref.autocast()`][dlref.lab.device.autocast] with ``cpu=True``): faster on
            CPUs with AMX or AVX-512-bf16 units (2–3× for conv nets on the CPU that built the site;
            see ``dlref bench train``), but no longer bit-identical to float32.
        log_every: Record the mean loss of the last ``log_every`` steps.
        max_steps: Smoke mode: stop after this many optimizer steps in total.
        progress: Show a tqdm progress bar.

    Returns:
        The metrics dict (also written to ``checkpoint_dir/metrics.json``): per-epoch lists
        ``epoch``, ``train_loss``, ``train_accuracy``, ``val_loss``, ``val_accuracy``,
        ``images_per_s``, ``seconds``; ``step_loss`` as ``[step, mean loss]`` pairs; and
        ``device``, ``amp_dtype``, ``channels_last``, ``steps``, ``resumed_from_epoch``,
        ``stopped_early`` (smoke mode hit ``max_steps``).

    Raises:
        TypeError / ValueError: Bad arguments (wrong types, non-positive counts, an optimizer
            over other parameters, ``resume`` without ``checkpoint_dir``, an empty loader).
        NonFiniteLossError: The loss became NaN or inf (the message names epoch and step).
        FileNotFoundError: ``resume=True`` but no checkpoint exists.
        CheckpointError: The checkpoint is damaged, foreign, or from a run with another model,
            optimizer, dataset, number of examples, batch size or smoke mode (each difference named).

    Examples:
        >>> _ = seed_everything(0)
        >>> X, y = torch.randn(64, 4), torch.randint(0, 3, (64,))
        >>> loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=16)
        >>> net = nn.Linear(4, 3)
        >>> m = fit(net, loader, optimizer=torch.optim.SGD(net.parameters(), lr=0.1),
        ...         loss_fn=nn.functional.cross_entropy, epochs=2, device="cpu", progress=False)
        >>> m["epoch"], m["steps"]
        ([1, 2], 8)
    """
    from dlref.lab.device import autocast, describe
    from dlref.lab.device import device as default_device

    validate.iterable("train_loader", train_loader, "an iterable of (x, y) batches", of=(tuple, list))
    validate.callable_("loss_fn", loss_fn)
    validate.device("device", device)
    validate.optional(validate.iterable, "val_loader", val_loader, "an iterable of (x, y) batches", of=(tuple, list))
    validate.instance("scheduler", scheduler, torch.optim.lr_scheduler.LRScheduler, optional=True)
    validate.path("checkpoint_dir", checkpoint_dir, optional=True)
    validate.boolean("resume", resume)
    validate.boolean("amp", amp)
    validate.boolean("channels_last", channels_last)
    validate.boolean("cpu_amp", cpu_amp)
    validate.boolean("progress", progress)
    _validate_fit_args(model, optimizer, epochs, log_every, max_steps, checkpoint_dir, resume)
    from dlref.lab import distributed

    world = distributed.world()  # several processes under torchrun: each trains on its share of every batch
    if world.size > 1:
        device = world.device
        train_loader = distributed.shard_loader(train_loader, world)
    device = default_device() if device is None else torch.device(device)
    on_cuda = device.type == "cuda"
    on_cpu_amp = cpu_amp and device.type == "cpu"
    channels_last = channels_last and (on_cuda or on_cpu_amp)
    model.to(device)
    if channels_last:
        model.to(memory_format=torch.channels_last)
    amp_dtype, scaler = mixed_precision(device, amp, cpu_amp=cpu_amp)
    generators = _loader_generators(train_loader)
    net = model  # what the steps call: the model itself, or its DistributedDataParallel wrapper
    if world.size > 1:
        net = torch.nn.parallel.DistributedDataParallel(model, device_ids=[device.index] if on_cuda else None)

    ckpt_path = Path(checkpoint_dir) / CHECKPOINT_FILE if checkpoint_dir is not None else None
    metrics: dict[str, Any] = {
        "epoch": [], "train_loss": [], "train_accuracy": [], "val_loss": [], "val_accuracy": [],
        "images_per_s": [], "seconds": [], "step_loss": [],
        "device": describe(device), "amp_dtype": str(amp_dtype).replace("torch.", "") if amp_dtype else None,
        "channels_last": channels_last, "steps": 0, "resumed_from_epoch": None, "stopped_early": False,
        "processes": world.size,
    }
    start_epoch = 0
    window: list[float] = []  # losses since the last `step_loss` entry
    fingerprint = _fingerprint(model, optimizer, train_loader, max_steps, world.size)
    if checkpoint_dir is not None and world.is_main:
        remove_stale_temporaries(checkpoint_dir)
    if resume:
        state = load_checkpoint(ckpt_path, map_location=device)
        check_resumable(ckpt_path, state, fingerprint, required=("model", "optimizer", "epoch", "rng", "metrics"),
                        written_by="dlref.lab.train.fit")
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        if scheduler is not None and state.get("scheduler") is not None:
            scheduler.load_state_dict(state["scheduler"])
        if scaler is not None and state.get("scaler") is not None:
            scaler.load_state_dict(state["scaler"])
        same_sampling = len(state["rng"].get("generators", [])) == len(generators)
        # Resumed with another number of processes, the batches come from another sampler (torchrun's
        # DistributedSampler, or the loader's own generator): only the global RNG states carry over.
        set_rng_state({**state["rng"], "generators": []} if not same_sampling else state["rng"],
                      generators if same_sampling else [])
        metrics.update(state["metrics"])
        metrics["processes"] = world.size
        metrics["stopped_early"] = False  # a finished smoke epoch must not end this run
        window = list(state.get("log_window", []))
        start_epoch = metrics["resumed_from_epoch"] = state["epoch"]

    bar = progress_bar(progress and world.is_main, total=epochs, initial=start_epoch, unit="epoch")
    step = metrics["steps"]
    try:
        for epoch in range(start_epoch + 1, epochs + 1):
            model.train()
            if hasattr(getattr(train_loader, "sampler", None), "set_epoch"):
                train_loader.sampler.set_epoch(epoch)  # torchrun's sampler: a new, reproducible order each epoch
            loss_sum, correct, seen = 0.0, 0, 0
            t0 = time.perf_counter()
            for x, y in train_loader:
                validate.tensor("a batch's x", x)
                validate.tensor("a batch's y", y)
                validate.same_length(**{"a batch's x": x, "y": y})
                x, y = _to(x, device, channels_last), y.to(device, non_blocking=True)
                with autocast(device, enabled=amp, cpu=cpu_amp):
                    logits = net(x)
                    loss = loss_fn(logits, y)
                step += 1
                value = check_finite(loss, epoch=epoch, step=step)
                if world.size > 1:
                    value = world.mean(loss.detach())  # the loss of the whole batch, over all processes
                optimizer_step(optimizer, loss, scaler)  # θ ← update(θ, ∇θ L)
                if scheduler is not None:
                    scheduler.step()
                n = y.shape[0]
                loss_sum += value * n
                seen += n
                if logits.ndim == 2 and y.ndim == 1 and not y.is_floating_point():
                    correct += int((logits.detach().argmax(1) == y).sum())
                window.append(value)
                if len(window) == log_every:
                    metrics["step_loss"].append([step, sum(window) / log_every])
                    window.clear()
                if bar is not None:
                    bar.set_postfix(loss=f"{value:.4f}", step=step, refresh=False)
                if max_steps is not None and step >= max_steps:
                    metrics["stopped_early"] = True
                    break
            if seen == 0:
                raise ValueError("train_loader yielded no batches")
            loss_sum, correct, seen = world.total([loss_sum, correct, seen])
            if on_cuda:
                torch.cuda.synchronize(device)
            seconds = time.perf_counter() - t0
            metrics["epoch"].append(epoch)
            metrics["train_loss"].append(loss_sum / seen)
            metrics["train_accuracy"].append(correct / seen)
            metrics["images_per_s"].append(seen / seconds)
            metrics["seconds"].append(seconds)
            metrics["steps"] = step
            if val_loader is not None:
                val = evaluate(model, val_loader, loss_fn, device=device, amp=amp, cpu_amp=cpu_amp)
                metrics["val_loss"].append(val["loss"])
                metrics["val_accuracy"].append(val["accuracy"])
            if checkpoint_dir is not None and world.is_main:  # one writer: rank 0
                write_json(Path(checkpoint_dir) / METRICS_FILE, metrics)
                save_checkpoint(ckpt_path, {
                    "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                    "scheduler": scheduler.state_dict() if scheduler is not None else None,
                    "scaler": scaler.state_dict() if scaler is not None else None,
                    "epoch": epoch, "rng": rng_state(generators), "metrics": metrics,
                    "log_window": window, "fingerprint": fingerprint, "processes": world.size,
                })
            world.barrier()  # no process runs ahead of a checkpoint it may be resumed from
            if bar is not None:
                bar.update(1)
            if metrics["stopped_early"]:
                break
    finally:
        if bar is not None:
            bar.close()
    return metrics


# --------------------------------------------------------------------------- pieces both loops share


def mixed_precision(device: torch.device | str, amp: bool, *, cpu_amp: bool = False) -> tuple[torch.dtype | None, Any]:
    """The autocast dtype and gradient scaler of a training step on ``device``.

    On CUDA with ``amp``: bf16 where the GPU supports it, else fp16 with a gradient scaler
    (enabled only for fp16). On CPU: bf16 with ``cpu_amp``, else float32 (``None``). The scaler is
    ``None`` off CUDA. Both loops ([`fit()`][dlref.lab.train.fit] and the GAN loop) choose here.

    Examples:
        >>> mixed_precision("cpu", amp=True)
        (None, None)
        >>> mixed_precision("cpu", amp=True, cpu_amp=True)
        (torch.bfloat16, None)
    """
    validate.device("device", device)
    validate.boolean("amp", amp)
    validate.boolean("cpu_amp", cpu_amp)
    device = torch.device(device)
    dtype = None
    if amp and device.type == "cuda":
        dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    elif amp and cpu_amp and device.type == "cpu":
        dtype = torch.bfloat16
    scaler = torch.amp.GradScaler("cuda", enabled=dtype == torch.float16) if device.type == "cuda" else None
    return dtype, scaler


def optimizer_step(optimizer: torch.optim.Optimizer, loss: torch.Tensor, scaler: Any = None, *,
                   sync: Callable[[], None] | None = None) -> None:
    """One update: clear the gradients, backpropagate ``loss``, step (through ``scaler`` when it is enabled).

    Args:
        optimizer: The optimizer to step.
        loss: A scalar loss with a graph.
        scaler: The ``torch.amp.GradScaler`` from [`mixed_precision()`][dlref.lab.train.mixed_precision], or ``None``.
        sync: Called between the backward pass and the step (the GAN loop averages gradients over
            processes there).
    """
    validate.instance("optimizer", optimizer, torch.optim.Optimizer)
    validate.tensor("loss", loss)
    validate.instance("scaler", scaler, torch.amp.GradScaler, optional=True)
    validate.callable_("sync", sync, optional=True)
    if loss.numel() != 1 or not loss.requires_grad:
        raise ValueError(f"loss must be a one-element tensor with a graph (requires_grad); got shape {tuple(loss.shape)}, "
                         f"requires_grad={loss.requires_grad}")
    optimizer.zero_grad(set_to_none=True)
    scaled = scaler is not None and scaler.is_enabled()
    (scaler.scale(loss) if scaled else loss).backward()
    if sync is not None:
        sync()
    if scaled:
        scaler.step(optimizer)
        scaler.update()
    else:
        optimizer.step()


def progress_bar(enabled: bool | None, *, total: int, initial: int = 0, unit: str = "step") -> Any:
    """A tqdm progress bar, or ``None`` when disabled (``None``: only when stderr is a terminal) or tqdm is missing."""
    validate.optional(validate.boolean, "enabled", enabled)
    validate.positive_int("total", total, minimum=0)
    validate.positive_int("initial", initial, minimum=0)
    validate.instance("unit", unit, str)
    if not (sys.stderr.isatty() if enabled is None else enabled):
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=total, initial=initial, unit=unit, dynamic_ncols=True)


__all__ = [
    "NonFiniteLossError", "TrainConfig", "check_finite", "confusion_matrix", "evaluate", "fit", "mixed_precision",
    "optimizer_step", "predict", "progress_bar", "seed_everything",
]
