"""Device choice and mixed precision, in one place.

Library code never picks a device: it follows its inputs. Scripts, notebooks and the
training loops call [`device()`][dlref.lab.device.device] once, and [`autocast()`][dlref.lab.device.autocast] for mixed precision.
"""

from __future__ import annotations

import contextlib
import os
from typing import Iterator

import torch

from dlref import validate

_VALID = ("cpu", "cuda", "mps")


def device() -> torch.device:
    """Pick the device to run on: CUDA, then Apple MPS, then CPU.

    The environment variable ``DLREF_DEVICE`` overrides the choice (``cpu``, ``cuda``,
    ``cuda:1``, ``mps``).

    Returns:
        The chosen `torch.device`.

    Raises:
        ValueError: ``DLREF_DEVICE`` names an unknown device type.
        RuntimeError: ``DLREF_DEVICE`` asks for a device that is not available here.

    Examples:
        >>> import dlref
        >>> dlref.device().type in ("cpu", "cuda", "mps")
        True
    """
    wanted = os.environ.get("DLREF_DEVICE", "").strip()
    if wanted:
        kind = wanted.split(":")[0]
        if kind not in _VALID:
            raise ValueError(f"DLREF_DEVICE must be one of {_VALID} (optionally 'cuda:N'); got {wanted!r}")
        if kind == "cuda" and not torch.cuda.is_available():
            raise RuntimeError(f"DLREF_DEVICE={wanted!r} but CUDA is not available on this machine")
        if kind == "mps" and not (hasattr(torch.backends, "mps") and torch.backends.mps.is_available()):
            raise RuntimeError(f"DLREF_DEVICE={wanted!r} but MPS is not available on this machine")
        return torch.device(wanted)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if hasattr(torch.backends, "mps") and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def describe(dev: torch.device | None = None) -> str:
    """A human-readable name for a device, e.g. ``'cuda (NVIDIA H100 80GB HBM3)'`` or ``'cpu (2 threads)'``."""
    validate.device("dev", dev)
    dev = device() if dev is None else torch.device(dev)
    if dev.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(dev)})"
    if dev.type == "cpu":
        return f"cpu ({torch.get_num_threads()} threads)"
    return dev.type


@contextlib.contextmanager
def autocast(dev: torch.device | str | None = None, enabled: bool = True, *, cpu: bool = False) -> Iterator[torch.dtype | None]:
    """Mixed precision where it helps: bf16 (or fp16) autocast on CUDA; on CPU only when asked.

    On CPU the context is a no-op by default, so that CPU results stay float32 and bit-reproducible.
    ``cpu=True`` turns on bf16 autocast there as well: on a CPU with AMX or AVX-512-bf16 units
    (oneDNN picks them up) convolutions and matrix products run faster, at bf16 precision;
    elsewhere it is emulated and usually slower. Measure it (``dlref bench train``) before relying
    on it.

    Args:
        dev: the device the model runs on (default: [`device()`][dlref.lab.device.device]).
        enabled: set ``False`` to force full precision.
        cpu: also autocast to bf16 on CPU.

    Yields:
        The autocast dtype in use, or ``None`` when autocast is off.

    Examples:
        >>> import torch, dlref
        >>> with dlref.autocast(torch.device("cpu")) as dtype:
        ...     dtype is None
        True
        >>> with dlref.autocast("cpu", cpu=True) as dtype:
        ...     dtype, (torch.ones(2, 2) @ torch.ones(2, 2)).dtype
        (torch.bfloat16, torch.bfloat16)
    """
    validate.device("dev", dev)
    validate.boolean("enabled", enabled)
    validate.boolean("cpu", cpu)
    dev = device() if dev is None else torch.device(dev)
    if enabled and dev.type == "cuda":
        dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        with torch.autocast(device_type="cuda", dtype=dtype):
            yield dtype
    elif enabled and cpu and dev.type == "cpu":
        with torch.autocast(device_type="cpu", dtype=torch.bfloat16):
            yield torch.bfloat16
    else:
        yield None
