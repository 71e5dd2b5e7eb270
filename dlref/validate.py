"""Input checks for dlref's public boundaries: one line at each boundary, one message style.

Every public function and class of dlref checks its arguments with these helpers, so a bad call
fails at once with a `TypeError` (wrong kind of value) or `ValueError` (right kind,
wrong value) whose message names the argument, what was expected and what was given::

    validate.positive_int("hidden", hidden)
    x = validate.tensor("x", x, ndim=(2, 3))
    lr = validate.real("lr", lr, low=0.0, low_open=True)

The helpers return the checked value (ints and floats normalised to ``int``/``float``), so one
line both checks and converts. They never change a valid value in any other way, which is why the
results store may ignore a statement that only calls them (see [`dlref.lab.results.normalized_source()`][dlref.lab.results.normalized_source]).

Examples:
    >>> positive_int("hidden", 4)
    4
    >>> positive_int("hidden", 0)
    Traceback (most recent call last):
    ...
    ValueError: hidden must be an int >= 1; got 0
"""

from __future__ import annotations

import argparse
import math
from typing import Any, Iterable, Sequence

import torch

Tensor = torch.Tensor

__all__ = [
    "tensor", "floating_tensor", "positive_int", "int_pair", "real", "probability",
    "boolean", "choice", "writable_folder", "same_dtype", "same_device", "shape", "finite",
    "instance", "callable_", "dtype", "device", "same_shape",
    "optional", "each", "path", "iterable", "json_value", "mapping", "class_indices", "scalar", "same_length",
    "probabilities",
]


def _describe(value: object) -> str:
    if isinstance(value, Tensor):
        return f"a tensor of shape {tuple(value.shape)} and dtype {value.dtype}"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def tensor(name: str, value: object, *, floating: bool = False, ndim: int | Sequence[int] | None = None,
           dtype: torch.dtype | Sequence[torch.dtype] | None = None, nonempty: bool = False) -> Tensor:
    """Check that ``value`` is a `torch.Tensor` (optionally floating, of given rank and dtype).

    Args:
        name: the argument's name, used in the message.
        value: what the caller passed.
        floating: require a floating-point dtype.
        ndim: allowed number(s) of dimensions.
        dtype: allowed dtype(s).
        nonempty: require at least one element.

    Returns:
        ``value`` itself.

    Raises:
        TypeError: not a tensor, or the wrong dtype.
        ValueError: the wrong number of dimensions, or empty when ``nonempty``.

    Examples:
        >>> tensor("x", torch.ones(2, 3), ndim=2).shape
        torch.Size([2, 3])
    """
    if not isinstance(value, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor; got {_describe(value)}")
    if floating and not value.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor; got dtype {value.dtype}")
    if dtype is not None:
        allowed = (dtype,) if isinstance(dtype, torch.dtype) else tuple(dtype)
        if value.dtype not in allowed:
            raise TypeError(f"{name} must have dtype {' or '.join(map(str, allowed))}; got {value.dtype}")
    if ndim is not None:
        allowed_ndim = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if value.dim() not in allowed_ndim:
            want = " or ".join(str(n) for n in allowed_ndim)
            raise ValueError(f"{name} must have {want} dimensions; got shape {tuple(value.shape)}")
    if nonempty and value.numel() == 0:
        raise ValueError(f"{name} must not be empty; got shape {tuple(value.shape)}")
    return value


def floating_tensor(name: str, value: object, *, ndim: int | Sequence[int] | None = None,
                    nonempty: bool = False) -> Tensor:
    """[`tensor()`][dlref.validate.tensor] with ``floating=True``: the check for every input the math differentiates.

    Examples:
        >>> floating_tensor("x", torch.ones(3), ndim=1).dtype
        torch.float32
    """
    return tensor(name, value, floating=True, ndim=ndim, nonempty=nonempty)


def positive_int(name: str, value: object, minimum: int = 1, maximum: int | None = None) -> int:
    """Check an integer count or size: an ``int`` (not ``bool``) in ``[minimum, maximum]``.

    Examples:
        >>> positive_int("padding", 0, minimum=0)
        0
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int >= {minimum}; got {_describe(value)}")
    if value < minimum or (maximum is not None and value > maximum):
        bound = f">= {minimum}" if maximum is None else f"in [{minimum}, {maximum}]"
        raise ValueError(f"{name} must be an int {bound}; got {value}")
    return int(value)


def int_pair(name: str, value: object, minimum: int = 1) -> tuple[int, int]:
    """An int or a pair of ints (height, width), each ``>= minimum``, as a pair.

    Examples:
        >>> int_pair("kernel_size", 3), int_pair("stride", (1, 2))
        ((3, 3), (1, 2))
    """
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair of ints (height, width); got {value!r}")
        return (positive_int(f"{name}[0]", value[0], minimum), positive_int(f"{name}[1]", value[1], minimum))
    v = positive_int(name, value, minimum)
    return (v, v)


def real(name: str, value: object, *, low: float | None = None, high: float | None = None,
         low_open: bool = False, high_open: bool = False) -> float:
    """Check a finite real number (``int`` or ``float``, not ``bool``) in an interval.

    Args:
        name: the argument's name.
        value: what the caller passed.
        low: lower bound, or ``None``.
        high: upper bound, or ``None``.
        low_open: exclude ``low`` itself.
        high_open: exclude ``high`` itself.

    Returns:
        ``value`` as ``float``.

    Examples:
        >>> real("lr", 1e-3, low=0.0, low_open=True)
        0.001
        >>> real("lr", 0, low=0.0, low_open=True)
        Traceback (most recent call last):
        ...
        ValueError: lr must be a finite number in (0.0, ∞); got 0.0
    """
    if isinstance(value, Tensor) and value.numel() == 1 and not value.requires_grad:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a real number; got {_describe(value)}")
    value = float(value)
    ok = math.isfinite(value)
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        lo = "(" if low_open or low is None else "["
        hi = ")" if high_open or high is None else "]"
        interval = f"{lo}{'-∞' if low is None else low}, {'∞' if high is None else high}{hi}"
        raise ValueError(f"{name} must be a finite number in {interval}; got {value}")
    return value


def probability(name: str, value: object, *, open_low: bool = False, open_high: bool = False) -> float:
    """A real number in ``[0, 1]`` (ends excluded on request), e.g. a dropout rate.

    Examples:
        >>> probability("p", 0.5)
        0.5
    """
    return real(name, value, low=0.0, high=1.0, low_open=open_low, high_open=open_high)


def boolean(name: str, value: object) -> bool:
    """Check a flag is a real ``bool`` (``0``/``1``/strings are refused: they hide typos).

    Examples:
        >>> boolean("bias", True)
        True
    """
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False; got {_describe(value)}")
    return value


def choice(name: str, value: object, options: Iterable[Any]) -> Any:
    """Check ``value`` is one of ``options`` (e.g. a model or dataset name).

    Examples:
        >>> choice("reduction", "mean", ("mean", "sum", "none"))
        'mean'
    """
    options = tuple(options)
    if isinstance(value, Tensor) or value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}; got {value!r}")
    return value


def same_dtype(**tensors: Tensor) -> None:
    """Check that all named tensors share one dtype.

    Examples:
        >>> same_dtype(x=torch.ones(2), W=torch.ones(2, 2))
    """
    dtypes = {name: t.dtype for name, t in tensors.items() if t is not None}
    if len(set(dtypes.values())) > 1:
        given = ", ".join(f"{n} {d}" for n, d in dtypes.items())
        raise TypeError(f"{' and '.join(dtypes)} must share a dtype; got {given}")


def same_device(**tensors: Tensor) -> None:
    """Check that all named tensors live on one device.

    Examples:
        >>> same_device(x=torch.ones(2), W=torch.ones(2, 2))
    """
    devices = {name: t.device for name, t in tensors.items() if t is not None}
    if len(set(devices.values())) > 1:
        given = ", ".join(f"{n} on {d}" for n, d in devices.items())
        raise ValueError(f"{' and '.join(devices)} must be on one device; got {given}")


def shape(name: str, value: Tensor, expected: Sequence[int | None], names: str | None = None) -> None:
    """Check a tensor's shape against ``expected`` (``None`` matches any size).

    Args:
        name: the argument's name.
        value: the tensor.
        expected: the sizes, ``None`` for "any".
        names: the glossary letters for the message, e.g. ``"(B, C, H_in, W_in)"``.

    Examples:
        >>> shape("b", torch.zeros(4), (4,), "(K,)")
        >>> shape("b", torch.zeros(3), (4,), "(K,)")
        Traceback (most recent call last):
        ...
        ValueError: b must have shape (K,) = (4,); got (3,)
    """
    got = tuple(value.shape)
    if len(got) != len(expected) or any(e is not None and e != g for e, g in zip(expected, got)):
        want = "(" + ", ".join("*" if e is None else str(e) for e in expected) + ("," if len(expected) == 1 else "") + ")"
        label = f"{names} = {want}" if names else want
        raise ValueError(f"{name} must have shape {label}; got {got}")


def finite(name: str, value: Tensor) -> Tensor:
    """Check that a tensor holds no NaN or infinity.

    Examples:
        >>> finite("x", torch.ones(2)).sum().item()
        2.0
    """
    if not bool(torch.isfinite(value).all()):
        raise ValueError(f"{name} must be finite; it holds NaN or infinite values")
    return value


def instance(name: str, value: object, types: type | tuple[type, ...], *, optional: bool = False,
             what: str | None = None) -> Any:
    """Check ``value`` is an instance of ``types`` (``None`` too when ``optional``).

    Args:
        name: the argument's name.
        value: what the caller passed.
        types: the accepted class or classes.
        optional: accept ``None``.
        what: how the message describes the expected value (default: the class names).

    Examples:
        >>> instance("name", "conv1", str)
        'conv1'
        >>> instance("model", None, torch.nn.Module)
        Traceback (most recent call last):
        ...
        TypeError: model must be a Module; got NoneType None
    """
    if (value is None and optional) or isinstance(value, types):
        return value
    if what is None:
        names = [t.__name__ for t in (types if isinstance(types, tuple) else (types,))]
        what = "a " + " or ".join(names) + (" or None" if optional else "")
    raise TypeError(f"{name} must be {what}; got {_describe(value)}")


def callable_(name: str, value: object, *, optional: bool = False) -> Any:
    """Check ``value`` can be called (a function, a lambda, a module); ``None`` too when ``optional``.

    Examples:
        >>> callable_("fn", abs) is abs
        True
    """
    if (value is None and optional) or callable(value):
        return value
    raise TypeError(f"{name} must be callable{' or None' if optional else ''}; got {_describe(value)}")


def dtype(name: str, value: object, *, floating: bool = False) -> torch.dtype:
    """Check ``value`` is a `torch.dtype` (a floating one when ``floating``).

    Examples:
        >>> dtype("dtype", torch.float64, floating=True)
        torch.float64
    """
    if not isinstance(value, torch.dtype):
        raise TypeError(f"{name} must be a torch.dtype such as torch.float64; got {_describe(value)}")
    if floating and not value.is_floating_point:
        raise TypeError(f"{name} must be a floating-point dtype; got {value}")
    return value


def device(name: str, value: object) -> torch.device | str | None:
    """Check ``value`` is ``None``, a `torch.device` or a device string such as ``"cpu"``.

    Examples:
        >>> device("device", "cpu")
        'cpu'
    """
    if value is None or isinstance(value, torch.device):
        return value
    if not isinstance(value, str):
        raise TypeError(f"{name} must be None, a torch.device or a string such as 'cpu'; got {_describe(value)}")
    try:
        torch.device(value)
    except RuntimeError:
        raise ValueError(f"{name} must name a device such as 'cpu' or 'cuda:0'; got {value!r}") from None
    return value


def same_shape(**tensors: Tensor) -> None:
    """Check that all named tensors have one shape.

    Examples:
        >>> same_shape(p=torch.zeros(3), y=torch.zeros(2))
        Traceback (most recent call last):
        ...
        ValueError: p and y must have the same shape; got p (3,) and y (2,)
    """
    shapes = {name: tuple(t.shape) for name, t in tensors.items()}
    if len(set(shapes.values())) > 1:
        given = " and ".join(f"{n} {s}" for n, s in shapes.items())
        raise ValueError(f"{' and '.join(shapes)} must have the same shape; got {given}")


def optional(check: Any, name: str, value: object, *args: Any, **kwargs: Any) -> Any:
    """``None``, or a value ``check`` accepts: ``optional(positive_int, "max_steps", max_steps)``.

    Examples:
        >>> optional(positive_int, "n_train", None) is None, optional(positive_int, "n_train", 5)
        (True, 5)
    """
    return None if value is None else check(name, value, *args, **kwargs)


def each(name: str, value: object, check: Any, *args: Any, min_length: int = 1, max_length: int | None = None,
         **kwargs: Any) -> Any:
    """A list or tuple of ``min_length``–``max_length`` items, each accepted by ``check(f"{name}[i]", item, ...)``.

    Examples:
        >>> each("decays", (0.0, 1e-3), real, low=0.0)
        (0.0, 0.001)
        >>> each("seeds", (0, -1), positive_int, minimum=0)
        Traceback (most recent call last):
        ...
        ValueError: seeds[1] must be an int >= 0; got -1
    """
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a list or tuple; got {_describe(value)}")
    if len(value) < min_length or (max_length is not None and len(value) > max_length):
        want = f"{min_length}" if max_length == min_length else (
            f"at least {min_length}" if max_length is None else f"{min_length} to {max_length}")
        raise ValueError(f"{name} must hold {want} item(s); got {len(value)}: {value!r}")
    for i, item in enumerate(value):
        check(f"{name}[{i}]", item, *args, **kwargs)
    return value


def path(name: str, value: object, *, optional: bool = False) -> Any:
    """A file-system path: a non-empty ``str`` or an ``os.PathLike`` (``None`` too when ``optional``).

    Examples:
        >>> path("out_dir", "runs/a")
        'runs/a'
    """
    import os

    if value is None and optional:
        return value
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a path (str or os.PathLike){' or None' if optional else ''}; "
                        f"got {_describe(value)}")
    if isinstance(value, str) and not value.strip():
        raise ValueError(f"{name} must be a non-empty path; got {value!r}")
    return value


def writable_folder(name: str, value: object) -> Any:
    """A folder that exists or can be created, and where a file can be written (checked by writing one).

    A command checks its output folder this way before it trains, so an unwritable folder fails at
    once instead of after the first epoch.

    Examples:
        >>> import tempfile; folder = tempfile.mkdtemp()
        >>> writable_folder("out", folder) == folder
        True
        >>> writable_folder("out", "/proc/no-such-folder")
        Traceback (most recent call last):
        ...
        ValueError: out /proc/no-such-folder is not a writable folder (No such file or directory)
    """
    import os
    import tempfile

    path(name, value)
    try:
        os.makedirs(value, exist_ok=True)
        with tempfile.TemporaryFile(dir=value):
            pass
    except OSError as err:
        raise ValueError(f"{name} {value} is not a writable folder ({err.strerror or err})") from None
    return value


def iterable(name: str, value: object, what: str = "an iterable", *, of: type | tuple[type, ...] | None = None) -> Any:
    """Something to loop over, such as a DataLoader or a list of batches (not a str, bytes or tensor).

    With ``of``, the items of a list or tuple must be instances of it (other iterables are not
    consumed to look).

    Examples:
        >>> iterable("loader", [(1, 2)])
        [(1, 2)]
        >>> iterable("generators", [torch.Generator(), 1], of=torch.Generator)
        Traceback (most recent call last):
        ...
        TypeError: generators[1] must be a Generator; got int 1
    """
    from collections.abc import Iterable as _Iterable

    if isinstance(value, (str, bytes, Tensor)) or not isinstance(value, _Iterable):
        raise TypeError(f"{name} must be {what}; got {_describe(value)}")
    if of is not None and isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            instance(f"{name}[{i}]", item, of)
    return value


def json_value(name: str, value: object) -> Any:
    """Something ``json.dumps(value, default=float)`` can write (as the metrics files are written).

    Examples:
        >>> json_value("metrics", {"loss": [0.5]})
        {'loss': [0.5]}
        >>> json_value("metrics", {"model": object()})
        Traceback (most recent call last):
        ...
        TypeError: metrics must be JSON-serialisable (dicts, lists, strings, numbers); float() argument must be a string or a real number, not 'object'
    """
    import json

    try:
        json.dumps(value, default=float)
    except (TypeError, ValueError, OverflowError) as err:
        raise TypeError(f"{name} must be JSON-serialisable (dicts, lists, strings, numbers); {err}") from None
    return value


def mapping(name: str, value: object, keys: Iterable[str] = ()) -> Any:
    """A ``dict`` holding at least ``keys``.

    Examples:
        >>> mapping("record", {"a": 1}, ("a", "b"))
        Traceback (most recent call last):
        ...
        ValueError: record must hold the key(s) 'a', 'b'; it lacks 'b'
    """
    if not isinstance(value, dict):
        raise TypeError(f"{name} must be a dict; got {_describe(value)}")
    keys = tuple(keys)
    missing = [k for k in keys if k not in value]
    if missing:
        raise ValueError(f"{name} must hold the key(s) {', '.join(map(repr, keys))}; it lacks {', '.join(map(repr, missing))}")
    return value


def class_indices(name: str, value: object, num_classes: int) -> Tensor:
    """An integer tensor of class indices in ``0 … num_classes − 1``.

    Examples:
        >>> class_indices("labels", torch.tensor([0, 3]), 3)
        Traceback (most recent call last):
        ...
        ValueError: labels must hold class indices in 0..2; got min 0, max 3
    """
    tensor(name, value)
    if value.is_floating_point() or value.is_complex() or value.dtype == torch.bool:
        raise TypeError(f"{name} must be an integer tensor of class indices; got dtype {value.dtype}")
    if value.numel() and (int(value.min()) < 0 or int(value.max()) >= num_classes):
        raise ValueError(f"{name} must hold class indices in 0..{num_classes - 1}; "
                         f"got min {int(value.min())}, max {int(value.max())}")
    return value


def scalar(name: str, value: object) -> Tensor:
    """A tensor with exactly one element (a loss), e.g. ``torch.tensor(0.5)``.

    Examples:
        >>> scalar("loss", torch.ones(2))
        Traceback (most recent call last):
        ...
        ValueError: loss must hold exactly one element; got shape (2,)
    """
    tensor(name, value)
    if value.numel() != 1:
        raise ValueError(f"{name} must hold exactly one element; got shape {tuple(value.shape)}")
    return value


def probabilities(name: str, value: Tensor) -> Tensor:
    """Check that every entry of a tensor lies in ``[0, 1]`` (probabilities, targets of a binary loss).

    Examples:
        >>> probabilities("y", torch.tensor([1.5]))
        Traceback (most recent call last):
        ...
        ValueError: y must hold probabilities in [0, 1]; got values in [1.5, 1.5]
    """
    if value.numel() and not bool(((value >= 0) & (value <= 1)).all()):
        raise ValueError(f"{name} must hold probabilities in [0, 1]; got values in "
                         f"[{value.min().item():g}, {value.max().item():g}]")
    return value


def same_length(**tensors: Tensor) -> None:
    """Check that all named tensors hold the same number of samples (size of dim 0).

    Examples:
        >>> same_length(X=torch.zeros(4, 2), y=torch.zeros(3))
        Traceback (most recent call last):
        ...
        ValueError: X and y must hold the same number of samples; got 4 and 3
    """
    sizes = {name: len(t) for name, t in tensors.items()}
    if len(set(sizes.values())) > 1:
        raise ValueError(f"{' and '.join(sizes)} must hold the same number of samples; "
                         f"got {' and '.join(map(str, sizes.values()))}")


def on_cpu(name: str, value: Tensor) -> Tensor:
    """A tensor that lives in CPU memory (data a loop keeps there and moves batch by batch).

    Examples:
        >>> on_cpu("data", torch.zeros(2)).device.type
        'cpu'
    """
    tensor(name, value)
    if value.device.type != "cpu":
        raise ValueError(f"{name} must be on the CPU (the loop moves each batch to the device itself); "
                         f"got a tensor on {value.device}")
    return value


class CountArgumentError(argparse.ArgumentTypeError, ValueError):
    """A bad count on a command line: argparse shows it as a usage error; a direct caller catches a ValueError."""


def count_argument(text: str) -> int:
    """An argparse ``type`` for counts: an int ≥ 1, else argparse's one-line usage error (exit status 2).

    Examples:
        >>> count_argument("3")
        3
        >>> count_argument("0")
        Traceback (most recent call last):
        ...
        dlref.validate.CountArgumentError: must be an int >= 1; got '0'
    """
    instance("text", text, str)
    try:
        value = int(text)
    except ValueError:
        raise CountArgumentError(f"must be an int >= 1; got {text!r}") from None
    if value < 1:
        raise CountArgumentError(f"must be an int >= 1; got {text!r}")
    return value
