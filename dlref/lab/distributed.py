"""Several processes training one model: what ``torchrun`` launches, for both training loops.

``torchrun --nproc-per-node N -m dlref train classifier …`` (or ``… gan train …``) starts N
copies of the command with ``RANK``, ``LOCAL_RANK`` and ``WORLD_SIZE`` set. [`world()`][dlref.lab.distributed.world] reads
them, joins the process group once (NCCL on CUDA, gloo on CPU) and returns a
[`World`][dlref.lab.distributed.World]: this process's rank, its device (``cuda:<LOCAL_RANK>`` or the CPU), and the few
collective operations the loops need. Without ``torchrun`` it is a world of one, and every
operation is free.

The conventions both loops follow:

* **One global batch.** ``--batch-size`` is the batch of one optimizer step over all processes;
  each process takes an equal share ([`World.share()`][dlref.lab.distributed.World.share]), so a run gives the same
  parameters (to float rounding) with one process or several, and a checkpoint resumes with a
  different number of processes.
* **Rank 0 writes**: checkpoints, metrics, figures and log lines ([`World.is_main`][dlref.lab.distributed.World]).
* **Same start**: rank 0's initial weights are broadcast to all.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from typing import Any, Iterable

import torch
from torch import nn

from dlref import validate

__all__ = ["World", "shard_loader", "shutdown", "world"]


@dataclass(frozen=True)
class World:
    """The processes training together and this process's place among them.

    Attributes:
        size: Number of processes (1 without ``torchrun``).
        rank: This process's rank, 0 … size − 1.
        local_rank: Its rank on this machine (which GPU it uses).
        device: ``cuda:<local_rank>`` on CUDA, else the CPU; ``None`` in a world of one (the
            loop's own device choice applies).
        backend: ``"nccl"``, ``"gloo"`` or ``""`` (a world of one).
    """

    size: int = 1
    rank: int = 0
    local_rank: int = 0
    device: torch.device | None = None
    backend: str = ""

    def __post_init__(self) -> None:
        validate.positive_int("size", self.size)
        validate.positive_int("rank", self.rank, minimum=0, maximum=self.size - 1)
        validate.positive_int("local_rank", self.local_rank, minimum=0)
        validate.optional(validate.device, "device", self.device)
        validate.choice("backend", self.backend, ("", "nccl", "gloo"))

    @property
    def is_main(self) -> bool:
        """Whether this process writes checkpoints, metrics, figures and logs (rank 0)."""
        return self.rank == 0

    def share(self, batch: torch.Tensor) -> torch.Tensor:
        """This process's equal, contiguous share of ``batch`` along its first dimension.

        Raises:
            ValueError: The batch does not divide evenly among the processes.

        Examples:
            >>> World(size=2, rank=1).share(torch.arange(6))
            tensor([3, 4, 5])
        """
        validate.tensor("batch", batch)
        if self.size == 1:
            return batch
        n = batch.shape[0]
        if n % self.size:
            raise ValueError(f"a batch of {n} does not divide evenly among {self.size} processes; "
                             f"choose a batch size divisible by {self.size}")
        part = n // self.size
        return batch[self.rank * part:(self.rank + 1) * part]

    def average_gradients(self, params: Iterable[torch.Tensor]) -> None:
        """Replace each parameter's gradient by its mean over the processes (one flat all-reduce)."""
        if self.size == 1:
            return
        import torch.distributed as dist
        from torch._utils import _flatten_dense_tensors, _unflatten_dense_tensors

        grads = [p.grad for p in params if p.grad is not None]
        if not grads:
            return
        flat = _flatten_dense_tensors(grads)
        dist.all_reduce(flat)
        flat /= self.size
        for g, synced in zip(grads, _unflatten_dense_tensors(flat, grads)):
            g.copy_(synced)

    def total(self, values: list[float]) -> list[float]:
        """Each number summed over the processes (one all-reduce); the numbers themselves in a world of one."""
        validate.instance("values", values, list)
        if self.size == 1:
            return values
        import torch.distributed as dist

        t = torch.tensor([float(v) for v in values], dtype=torch.float64, device=self.device)
        dist.all_reduce(t)
        return [v if isinstance(v0, float) else int(round(v)) for v, v0 in zip(t.tolist(), values)]

    def mean(self, value: torch.Tensor) -> float:
        """The mean of a scalar over the processes, as a Python float (the loss a log line shows)."""
        validate.tensor("value", value)
        if self.size == 1:
            return value.item()
        import torch.distributed as dist

        total = value.detach().double().reshape(1).clone().to(self.device)
        dist.all_reduce(total)
        return total.item() / self.size

    def broadcast_parameters(self, *modules: nn.Module) -> None:
        """Copy rank 0's parameters and buffers to every process."""
        if self.size == 1:
            return
        import torch.distributed as dist

        for module in modules:
            for tensor in [*module.parameters(), *module.buffers()]:
                dist.broadcast(tensor.data, src=0)

    def barrier(self) -> None:
        """Wait until every process gets here."""
        if self.size > 1:
            import torch.distributed as dist

            dist.barrier()


def shard_loader(loader: Any, world: World) -> Any:
    """``loader`` rebuilt for this process: a ``DistributedSampler`` over its dataset and an equal
    share of its batch (its ``batch_size`` is the batch of one step over all processes).

    A shuffling loader becomes a shuffling sampler seeded from the loader's generator (a new order
    each epoch through ``set_epoch``); a loader in order stays in order, rank ``r`` taking every
    ``size``-th example, so the processes' shares of batch ``k`` together are exactly batch ``k``.

    Raises:
        ValueError: The loader has no dataset or batch size, or the batch does not divide evenly.
    """
    from torch.utils.data import DataLoader, RandomSampler
    from torch.utils.data.distributed import DistributedSampler

    validate.instance("world", world, World)
    if not isinstance(loader, DataLoader):
        raise TypeError("loader must be a torch DataLoader (under torchrun its batches are split among the processes); "
                        f"got {type(loader).__name__}")
    if loader.batch_size is None:
        raise ValueError("loader must have a batch_size (under torchrun each process takes an equal share of it)")
    if loader.batch_size % world.size:
        raise ValueError(f"the batch size {loader.batch_size} does not divide evenly among {world.size} processes")
    if len(loader.dataset) % world.size:
        raise ValueError(f"{len(loader.dataset)} examples do not divide evenly among {world.size} processes "
                         "(torchrun's sampler would repeat some); use a multiple of the number of processes")
    shuffle = isinstance(loader.sampler, RandomSampler)
    seed = loader.generator.initial_seed() if shuffle and loader.generator is not None else 0
    sampler = DistributedSampler(loader.dataset, num_replicas=world.size, rank=world.rank, shuffle=shuffle, seed=seed)
    return DataLoader(loader.dataset, batch_size=loader.batch_size // world.size, sampler=sampler,
                      num_workers=loader.num_workers, collate_fn=loader.collate_fn, pin_memory=loader.pin_memory,
                      drop_last=loader.drop_last)


_WORLD: World | None = None


def world(backend: str | None = None) -> World:
    """The processes of this run, read from ``torchrun``'s environment; joins the process group once.

    Args:
        backend: ``"nccl"`` or ``"gloo"``; default NCCL when CUDA is available, else gloo.

    Raises:
        ValueError: ``torchrun``'s variables are malformed, or NCCL is asked for without CUDA.
    """
    global _WORLD
    validate.optional(validate.choice, "backend", backend, ("nccl", "gloo"))
    if _WORLD is not None:
        return _WORLD
    env = {k: os.environ.get(k) for k in ("WORLD_SIZE", "RANK", "LOCAL_RANK")}
    try:
        size = int(env["WORLD_SIZE"] or 1)
        rank = int(env["RANK"] or 0)
        local_rank = int(env["LOCAL_RANK"] or 0)
    except ValueError:
        raise ValueError(f"torchrun's environment is malformed: {env}") from None
    if size < 1 or not 0 <= rank < size:
        raise ValueError(f"torchrun's environment is malformed: WORLD_SIZE={size}, RANK={rank}")
    if size == 1:
        _WORLD = World()
        return _WORLD
    import torch.distributed as dist

    cuda = torch.cuda.is_available() and os.environ.get("DLREF_DEVICE", "") != "cpu"
    backend = backend or ("nccl" if cuda else "gloo")
    if backend == "nccl" and not cuda:
        raise ValueError("the NCCL backend needs CUDA; use gloo on the CPU")
    device = torch.device("cuda", local_rank) if cuda else torch.device("cpu")
    if cuda:
        torch.cuda.set_device(device)
    if not dist.is_initialized():
        dist.init_process_group(backend, timeout=datetime.timedelta(minutes=10))
    _WORLD = World(size, rank, local_rank, device, backend)
    return _WORLD


def shutdown() -> None:
    """Leave the process group (at the end of a ``torchrun`` command)."""
    global _WORLD
    if _WORLD is not None and _WORLD.size > 1:
        import torch.distributed as dist

        if dist.is_initialized():
            dist.destroy_process_group()
    _WORLD = None

