"""Checkpoints, metrics files and RNG state: the one checkpoint module of both training loops.

[`dlref.lab.train.fit`][dlref.lab.train.fit] and the GAN loop [`dlref.lab.gan.train.train`][dlref.lab.gan.train.train] save and resume
through these functions:

* [`save_checkpoint()`][dlref.lab.checkpoint.save_checkpoint] and [`write_json()`][dlref.lab.checkpoint.write_json] write atomically (a temporary file
  in the same folder, ``fsync``, then `os.replace()`): a killed save leaves the previous file
  intact, and [`remove_stale_temporaries()`][dlref.lab.checkpoint.remove_stale_temporaries] deletes what it left behind. A full disk
  ends in [`CheckpointError`][dlref.lab.checkpoint.CheckpointError], not a traceback.
* [`load_checkpoint()`][dlref.lab.checkpoint.load_checkpoint] reads with ``torch.load(weights_only=True)``: a file that holds
  anything but tensors, containers, numbers and NumPy's RNG state is refused, not unpickled.
* [`check_resumable()`][dlref.lab.checkpoint.check_resumable] compares the checkpoint's *fingerprint* (format, parameter
  shapes, optimizer, data size and identity, batch size, smoke mode) with the run about to
  resume from it, and names every difference.
* [`rng_state()`][dlref.lab.checkpoint.rng_state] / [`set_rng_state()`][dlref.lab.checkpoint.set_rng_state] carry every random stream a step consumes,
  so a resumed CPU run ends with exactly the parameters of an uninterrupted one.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import pickle
import random
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable

import torch
from torch import nn

from dlref import validate

#: File name of the checkpoint inside ``checkpoint_dir``.
CHECKPOINT_FILE = "checkpoint.pt"
#: File name of the metrics JSON inside ``checkpoint_dir``.
METRICS_FILE = "metrics.json"


class CheckpointError(ValueError):
    """A checkpoint file is truncated, foreign or unsafe; the message names the file and the fix."""


def rng_state(generators: Iterable[torch.Generator] = ()) -> dict[str, Any]:
    """Every RNG state a training step can consume: Python, NumPy, torch CPU/CUDA and ``generators``.

    Args:
        generators: Extra generators (e.g. a ``DataLoader``'s) whose states are saved in order.

    Returns:
        A dict for [`set_rng_state()`][dlref.lab.train.set_rng_state] (and for ``torch.save``).
    """
    validate.iterable("generators", generators, "an iterable of torch.Generator", of=torch.Generator)
    state: dict[str, Any] = {
        "python": random.getstate(),
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        "generators": [g.get_state() for g in generators],
    }
    with contextlib.suppress(ImportError):
        import numpy as np

        state["numpy"] = np.random.get_state()
    return state


def set_rng_state(state: dict[str, Any], generators: Iterable[torch.Generator] = ()) -> None:
    """Restore the states saved by [`rng_state()`][dlref.lab.train.rng_state] (same ``generators``, same order).

    Raises:
        ValueError: The number of generators differs from the number saved.
    """
    validate.mapping("state", state, ("python", "torch", "cuda", "generators"))
    validate.iterable("generators", generators, "an iterable of torch.Generator", of=torch.Generator)
    generators = list(generators)
    if len(generators) != len(state["generators"]):
        raise ValueError(
            f"checkpoint holds {len(state['generators'])} generator state(s); got {len(generators)} generator(s) to restore"
        )
    random.setstate(state["python"])
    torch.set_rng_state(state["torch"])
    if state["cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
    for g, s in zip(generators, state["generators"]):
        g.set_state(s)
    if "numpy" in state:
        with contextlib.suppress(ImportError):
            import numpy as np

            np.random.set_state(state["numpy"])


def atomic_write(path: str | os.PathLike, write: Callable[[Any], None]) -> None:
    """Call ``write(fh)`` on a temporary file in ``path``'s folder, ``fsync`` it, then ``os.replace`` it onto ``path``.

    A reader sees either the previous file or the complete new one, never half of it.
    """
    validate.path("path", path)
    validate.callable_("write", write)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_json(path: str | os.PathLike, obj: Any) -> None:
    """Write ``obj`` as indented JSON atomically (see [`save_checkpoint()`][dlref.lab.train.save_checkpoint]).

    Objects JSON does not know (tensors with one element, NumPy scalars) are written as floats, and
    NaN or ±inf as ``null``: bare ``NaN`` is not JSON, and other readers reject it.

    Examples:
        >>> import tempfile; path = Path(tempfile.mkdtemp()) / "m.json"
        >>> write_json(path, {"loss": [0.5, float("nan")], "acc": torch.tensor(0.25)})
        >>> json.loads(path.read_text())
        {'loss': [0.5, None], 'acc': 0.25}
    """
    validate.path("path", path)
    validate.json_value("obj", obj)
    data = json.dumps(_json_safe(obj), indent=1, allow_nan=False).encode()
    atomic_write(Path(path), lambda fh: fh.write(data))


def _json_safe(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_safe(v) for v in obj]
    if obj is None or isinstance(obj, (str, bool, int)):
        return obj
    value = float(obj)  # floats, NumPy scalars, one-element tensors
    return value if math.isfinite(value) else None


def save_checkpoint(path: str | os.PathLike, state: dict[str, Any]) -> None:
    """``torch.save(state)`` atomically: an interrupted save leaves the previous checkpoint intact.

    Args:
        path: Destination file.
        state: Anything ``torch.save`` accepts; [`fit()`][dlref.lab.train.fit] stores ``model``, ``optimizer``,
            ``scheduler``, ``scaler``, ``epoch``, ``rng`` and ``metrics``.
    """
    validate.path("path", path)
    try:
        atomic_write(Path(path), lambda fh: torch.save(state, fh))
    except OSError as exc:  # disk full, read-only folder, quota: the previous checkpoint is untouched
        raise CheckpointError(
            f"could not write the checkpoint {path} ({exc.strerror or exc}); the previous checkpoint there is intact. "
            "Free disk space or choose another checkpoint folder, then resume"
        ) from None


def load_checkpoint(path: str | os.PathLike, map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """Load a checkpoint written by [`save_checkpoint()`][dlref.lab.train.save_checkpoint].

    The file is read with ``torch.load(weights_only=True)``: a checkpoint that holds anything
    but tensors, containers, numbers and the NumPy RNG state is refused instead of unpickled.

    Raises:
        FileNotFoundError: No file at ``path`` (the message says how to start afresh).
        CheckpointError: The file is truncated, foreign or holds objects a checkpoint never has.
    """
    validate.path("path", path)
    validate.device("map_location", map_location)
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}; train without resume=True to start a new run")
    # torch's restricted unpickler: tensors, containers and numbers, plus the NumPy array types
    # that np.random.get_state() returns. Anything else (a crafted file's code) is refused.
    try:
        with torch.serialization.safe_globals(_numpy_rng_globals()):
            state = torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as exc:
        raise CheckpointError(
            f"{path} holds objects a dlref checkpoint never contains, so it was not loaded (it may run code); "
            f"delete it or point --checkpoint-dir elsewhere to start afresh ({str(exc).splitlines()[-1][:200]})"
        ) from None
    except Exception as exc:  # a torn or foreign file fails anywhere in torch's reader or unpickler
        raise CheckpointError(
            f"{path} is not a readable checkpoint (truncated or not written by dlref: {type(exc).__name__}: "
            f"{(str(exc).splitlines() or [''])[0][:200]}); "
            "delete it to start afresh"
        ) from None
    if not isinstance(state, dict):
        raise CheckpointError(f"{path} is not a dlref checkpoint (it holds a {type(state).__name__}, not a dict); delete it to start afresh")
    return state


def _numpy_rng_globals() -> list[Any]:
    """The NumPy types inside ``np.random.get_state()``, allowed by the restricted unpickler."""
    try:
        import numpy as np
    except ImportError:
        return []
    reconstruct = getattr(getattr(np, "_core", np.core), "multiarray")._reconstruct
    return [reconstruct, np.ndarray, np.dtype, type(np.dtype(np.uint32))]


def remove_stale_temporaries(folder: str | os.PathLike) -> None:
    """Delete half-written ``.checkpoint.pt.*.tmp`` / ``.metrics.json.*.tmp`` files a killed save left."""
    validate.path("folder", folder)
    folder = Path(folder)
    if folder.is_dir():
        for name in (CHECKPOINT_FILE, METRICS_FILE):
            for tmp in folder.glob(f".{name}.*.tmp"):
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()




#: Format of the checkpoints both loops write; a checkpoint of another format is refused.
CHECKPOINT_SCHEMA = 1

# How a fingerprint's fields are named in the message that refuses a resume.
_LABELS = {
    "model": "model class", "optimizer": "optimizer", "param_groups": "optimizer parameter groups",
    "data": "dataset", "examples": "number of training examples", "sample_shape": "shape of one example",
    "data_digest": "the training data's contents", "batch_size": "batch size", "smoke_max_steps": "max_steps (smoke mode)",
    "config": "config",
}


def parameter_shapes(**modules: nn.Module) -> dict[str, list[int]]:
    """The shape of every parameter and buffer, named ``<module>.<name>`` (part of a fingerprint)."""
    for name, module in modules.items():
        validate.instance(name, module, nn.Module)
    return {f"{prefix}.{k}": list(v.shape) for prefix, module in modules.items() for k, v in module.state_dict().items()}


def tensor_identity(data: torch.Tensor) -> dict[str, Any]:
    """Size and identity of a dataset held in one tensor, independent of the order of its rows.

    The digest hashes the float64 sum and sum of squares of the whole tensor (rounded to 12
    significant digits): another dataset, or the same one cut or edited, changes it; a shuffle
    does not.
    """
    validate.tensor("data", data)
    if data.ndim == 0:
        raise ValueError("data must have a first (example) dimension; got a 0-d tensor")
    flat = data.detach().double()
    moments = f"{float(flat.sum()):.12g}|{float((flat * flat).sum()):.12g}"
    return {"examples": len(data), "sample_shape": list(data.shape[1:]),
            "data_digest": hashlib.sha256(moments.encode()).hexdigest()[:16]}


def check_resumable(path: str | os.PathLike, state: dict[str, Any], now: dict[str, Any], *,
                    required: Iterable[str], written_by: str) -> None:
    """Refuse a checkpoint that this run cannot continue, naming each difference.

    Args:
        path: The checkpoint file (for the message).
        state: What [`load_checkpoint()`][dlref.lab.checkpoint.load_checkpoint] returned.
        now: This run's fingerprint: ``schema`` (`CHECKPOINT_SCHEMA`), ``shapes`` (from
            [`parameter_shapes()`][dlref.lab.checkpoint.parameter_shapes]) and any other fields that must match.
        required: Keys every checkpoint of this loop holds.
        written_by: The function that writes such checkpoints (for the message).

    Raises:
        CheckpointError: A required key is missing, the format differs, or the fingerprint does.
    """
    validate.path("path", path)
    validate.instance("state", state, dict)
    validate.instance("now", now, dict)
    required = list(validate.iterable("required", required, "a list of key names", of=str))
    validate.instance("written_by", written_by, str)
    missing = [k for k in required if k not in state]
    if missing:
        raise CheckpointError(f"{path} lacks {', '.join(missing)}: it was not written by {written_by}; delete it to start afresh")
    then = state.get("fingerprint")
    if then is None:
        return  # written before fingerprints: loading the state dicts still checks shapes
    if then.get("schema") != CHECKPOINT_SCHEMA:
        raise CheckpointError(f"{path} has checkpoint format {then.get('schema')!r}, this dlref writes {CHECKPOINT_SCHEMA}; start afresh")
    differences = []
    for key in now:
        if key in ("schema", "shapes") or then.get(key) == now.get(key):
            continue
        if isinstance(now.get(key), dict) and isinstance(then.get(key), dict):
            changed = sorted(k for k in set(now[key]) | set(then[key]) if now[key].get(k) != then[key].get(k))
            differences += [f"{key} {k}: checkpoint {then[key].get(k)!r}, this run {now[key].get(k)!r}" for k in changed]
        else:
            differences.append(f"{_LABELS.get(key, key)}: checkpoint {then.get(key)!r}, this run {now.get(key)!r}")
    old_shapes, new_shapes = then.get("shapes", {}), now.get("shapes", {})
    for name in sorted(set(old_shapes) | set(new_shapes)):
        if old_shapes.get(name) != new_shapes.get(name):
            differences.append(f"parameter {name}: checkpoint {old_shapes.get(name)}, this model {new_shapes.get(name)}")
            break
    if differences:
        raise CheckpointError(
            f"{path} was written by a different run, so it cannot be resumed: " + "; ".join(differences)
            + ". Resume with the same settings, or start afresh without resume (or in another folder)"
        )


__all__ = [
    "CHECKPOINT_FILE", "CHECKPOINT_SCHEMA", "METRICS_FILE", "CheckpointError", "atomic_write", "check_resumable",
    "load_checkpoint", "parameter_shapes", "remove_stale_temporaries", "rng_state", "save_checkpoint", "set_rng_state",
    "tensor_identity", "write_json",
]
