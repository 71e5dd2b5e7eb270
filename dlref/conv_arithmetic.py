"""CNN arithmetic: output size, parameters, multiplications and receptive field of a layer stack.

The calculators behind the site page *Convolutional networks → CNN arithmetic* (cnn/arithmetic.md),
sections "Output size, parameters, multiplications", "1×1 and depthwise-separable convolutions"
and "Receptive field". A stack is a list of [`Conv`][dlref.conv_arithmetic.Conv],
[`Pool`][dlref.conv_arithmetic.Pool] and [`FC`][dlref.conv_arithmetic.FC] descriptions; [`analyze()`][dlref.conv_arithmetic.analyze] walks it and returns one
[`LayerRow`][dlref.conv_arithmetic.LayerRow] per layer. Everything it computes can be checked against real modules:
[`to_torch()`][dlref.conv_arithmetic.to_torch] builds the matching ``torch.nn.Sequential`` (shapes, ``numel``),
[`count_multiplications()`][dlref.conv_arithmetic.count_multiplications] counts with PyTorch's FLOP counter, and
[`measured_receptive_field()`][dlref.conv_arithmetic.measured_receptive_field] finds the input pixels that reach one output pixel from the
non-zero region of its input gradient.

Formulas (per spatial side, kernel ``k``, stride ``s``, padding ``p``)::

    out = ⌊(in + 2p − k) / s⌋ + 1
    conv parameters = (k·k·C_in/groups + bias) · C_out
    conv multiplications = H_out · W_out · C_out · k·k·C_in/groups
    RF_n = k_1 + Σ_{i=2..n} (k_i − 1) · Π_{j<i} s_j
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence, Union

import torch
from torch import nn

from dlref import validate


@dataclass(frozen=True)
class Conv:
    """A 2-D convolution ``CONVk-C_out``: square kernel, same stride and padding on both sides.

    Args:
        out_channels: Filters ``C_out``.
        kernel_size: ``k``.
        stride: ``s``.
        padding: ``p`` zeros on every side.
        groups: ``C_in / groups`` input channels per filter (``groups = C_in``: depthwise).
        bias: One bias per filter.
        in_channels: If given, checked against the channels arriving from the previous layer.
        name: Label in tables and error messages (default: ``CONVk-C_out``).
    """

    out_channels: int
    kernel_size: int
    stride: int = 1
    padding: int = 0
    groups: int = 1
    bias: bool = True
    in_channels: int | None = None
    name: str = ""

    def __post_init__(self) -> None:
        validate.positive_int("out_channels", self.out_channels)
        validate.positive_int("kernel_size", self.kernel_size)
        validate.positive_int("stride", self.stride)
        validate.positive_int("padding", self.padding, minimum=0)
        validate.positive_int("groups", self.groups)
        validate.boolean("bias", self.bias)
        validate.optional(validate.positive_int, "in_channels", self.in_channels)
        validate.instance("name", self.name, str)

    @property
    def label(self) -> str:
        return self.name or f"CONV{self.kernel_size}-{self.out_channels}"


@dataclass(frozen=True)
class Pool:
    """A 2-D pooling layer ``POOLk`` (max or average); no parameters, no multiplications counted.

    Args:
        kernel_size: ``k``.
        stride: ``s`` (default ``k``, as in ``torch.nn.MaxPool2d``).
        padding: ``p``.
        kind: ``"max"`` or ``"avg"``.
        name: Label (default ``POOLk``).
    """

    kernel_size: int
    stride: int | None = None
    padding: int = 0
    kind: str = "max"
    name: str = ""

    def __post_init__(self) -> None:
        validate.positive_int("kernel_size", self.kernel_size)
        validate.optional(validate.positive_int, "stride", self.stride)
        validate.positive_int("padding", self.padding, minimum=0)
        validate.choice("kind", self.kind, ("max", "avg"))
        validate.instance("name", self.name, str)

    @property
    def label(self) -> str:
        return self.name or f"POOL{self.kernel_size}"


@dataclass(frozen=True)
class FC:
    """A fully connected layer ``FC-N`` on the flattened activation volume.

    Args:
        out_features: ``N``.
        bias: One bias per output.
        in_features: If given, checked against the flattened size arriving.
        name: Label (default ``FC-N``).
    """

    out_features: int
    bias: bool = True
    in_features: int | None = None
    name: str = ""

    def __post_init__(self) -> None:
        validate.positive_int("out_features", self.out_features)
        validate.boolean("bias", self.bias)
        validate.optional(validate.positive_int, "in_features", self.in_features)
        validate.instance("name", self.name, str)

    @property
    def label(self) -> str:
        return self.name or f"FC-{self.out_features}"


Layer = Union[Conv, Pool, FC]


@dataclass(frozen=True)
class LayerRow:
    """One row of the table [`analyze()`][dlref.conv_arithmetic.analyze] returns.

    Attributes:
        name: The layer's label.
        shape: Output activation volume ``(C, H, W)``, or ``(N,)`` after an FC layer.
        params: Trainable parameters.
        mults: Multiplications for one input image.
        rf: Receptive field (side, in input pixels) of one output pixel; ``None`` after an FC
            layer (it sees the whole input).
        jump: Distance in input pixels between neighbouring output pixels (product of strides).
    """

    name: str
    shape: tuple[int, ...]
    params: int
    mults: int
    rf: int | None
    jump: int

    def __post_init__(self) -> None:
        validate.instance("name", self.name, str)
        validate.each("shape", self.shape, validate.positive_int)
        validate.positive_int("params", self.params, minimum=0)
        validate.positive_int("mults", self.mults, minimum=0)
        validate.optional(validate.positive_int, "rf", self.rf)
        validate.positive_int("jump", self.jump)


def output_size(size: int, kernel_size: int, stride: int = 1, padding: int = 0) -> int:
    """Spatial output size ``⌊(size + 2p − k)/s⌋ + 1`` of a convolution or pooling window.

    Args:
        size: Input side ``H_in`` (or ``W_in``).
        kernel_size: ``k``.
        stride: ``s``.
        padding: ``p``.

    Returns:
        The output side, at least 1.

    Raises:
        ValueError: Non-positive or non-integer arguments, or a kernel larger than the padded
            input (the output would be empty).

    Examples:
        >>> output_size(32, 5, padding=2), output_size(32, 2, stride=2), output_size(205, 10, stride=3)
        (32, 16, 66)
    """
    validate.positive_int("size", size)
    validate.positive_int("kernel_size", kernel_size)
    validate.positive_int("stride", stride)
    validate.positive_int("padding", padding, minimum=0)
    if size + 2 * padding < kernel_size:
        raise ValueError(
            f"kernel_size {kernel_size} is larger than the padded input {size} + 2·{padding} = {size + 2 * padding}; "
            "the output would be empty"
        )
    return (size + 2 * padding - kernel_size) // stride + 1


def _check_input_shape(input_shape: Sequence[int]) -> tuple[int, int, int]:
    validate.instance("input_shape", input_shape, (tuple, list), what="a (C, H_in, W_in) tuple of ints")
    if len(input_shape) != 3 or any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in input_shape):
        raise ValueError(f"input_shape must be (C, H_in, W_in) with positive ints; got {tuple(input_shape)!r}")
    return tuple(input_shape)  # type: ignore[return-value]


def analyze(layers: Sequence[Layer], input_shape: Sequence[int]) -> list[LayerRow]:
    """Output shape, parameters, multiplications and receptive field after each layer.

    Args:
        layers: The stack, first layer first; FC layers flatten what they receive.
        input_shape: ``(C, H_in, W_in)`` of one image.

    Returns:
        One [`LayerRow`][dlref.conv_arithmetic.LayerRow] per layer.

    Raises:
        ValueError: A spatial size becomes non-positive, channels do not match a layer's
            ``in_channels`` or ``groups``, an FC's ``in_features`` does not match, or a
            Conv/Pool follows an FC; the message names the layer (index and label) and the shapes.
        TypeError: An element of ``layers`` is not a Conv, Pool or FC.

    Examples:
        >>> rows = analyze([Conv(10, 5, padding=2), Pool(2), FC(10)], (1, 32, 32))
        >>> [(r.name, r.shape, r.params) for r in rows]
        [('CONV5-10', (10, 32, 32), 260), ('POOL2', (10, 16, 16), 0), ('FC-10', (10,), 25610)]
    """
    validate.instance("layers", layers, (list, tuple), what="a list of Conv, Pool and FC layers")
    C, H, W = _check_input_shape(input_shape)
    shape: tuple[int, ...] = (C, H, W)
    rf, jump = 1, 1
    rows = []
    for i, layer in enumerate(layers):
        where = f"layer {i} ({getattr(layer, 'label', type(layer).__name__)})"
        if isinstance(layer, (Conv, Pool)):
            if len(shape) != 3:
                raise ValueError(f"{where}: a {type(layer).__name__} needs a (C, H, W) volume; got {shape} after an FC layer")
            C, H, W = shape
            k = validate.positive_int(f"{where}: kernel_size", layer.kernel_size)
            s = validate.positive_int(f"{where}: stride", layer.stride if layer.stride is not None else k)
            p = validate.positive_int(f"{where}: padding", layer.padding, minimum=0)
            if isinstance(layer, Pool) and layer.kind not in ("max", "avg"):
                raise ValueError(f"{where}: kind must be 'max' or 'avg'; got {layer.kind!r}")
            if H + 2 * p < k or W + 2 * p < k:
                H_out = (H + 2 * p - k) // s + 1
                raise ValueError(
                    f"{where}: output size would be non-positive: input (C={C}, H={H}, W={W}), kernel {k}, "
                    f"stride {s}, padding {p} gives ⌊({H} + 2·{p} − {k})/{s}⌋ + 1 = {H_out}"
                )
            H_out, W_out = output_size(H, k, s, p), output_size(W, k, s, p)
            if isinstance(layer, Conv):
                validate.positive_int(f"{where}: out_channels", layer.out_channels)
                g = validate.positive_int(f"{where}: groups", layer.groups)
                if layer.in_channels is not None and layer.in_channels != C:
                    raise ValueError(
                        f"{where}: expects in_channels={layer.in_channels} but receives {C} channels "
                        f"(input volume {shape})"
                    )
                if C % g or layer.out_channels % g:
                    raise ValueError(
                        f"{where}: groups={g} must divide both C_in={C} and C_out={layer.out_channels}"
                    )
                per_output = k * k * (C // g)  # multiplications for one output value
                params = (per_output + int(layer.bias)) * layer.out_channels
                mults = H_out * W_out * layer.out_channels * per_output
                shape = (layer.out_channels, H_out, W_out)
            else:
                params, mults = 0, 0
                shape = (C, H_out, W_out)
            # RF_n = RF_{n−1} + (k_n − 1)·Π_{j<n} s_j ; jump_n = Π_{j≤n} s_j
            rf += (k - 1) * jump
            jump *= s
            rows.append(LayerRow(layer.label, shape, params, mults, rf, jump))
        elif isinstance(layer, FC):
            n_in = math.prod(shape)
            validate.positive_int(f"{where}: out_features", layer.out_features)
            if layer.in_features is not None and layer.in_features != n_in:
                raise ValueError(
                    f"{where}: expects in_features={layer.in_features} but receives {shape} = {n_in} values"
                )
            params = (n_in + int(layer.bias)) * layer.out_features
            shape = (layer.out_features,)
            rows.append(LayerRow(layer.label, shape, params, n_in * layer.out_features, None, jump))
        else:
            raise TypeError(f"layer {i} must be a Conv, Pool or FC; got {type(layer).__name__}")
    return rows


def format_table(rows: Sequence[LayerRow], input_shape: Sequence[int] | None = None) -> str:
    """The rows as an aligned text table (an INPUT row first when ``input_shape`` is given)."""
    validate.each("rows", rows, validate.instance, LayerRow, min_length=0)
    if input_shape is not None:
        _check_input_shape(input_shape)
    lines = [f"{'layer':<10} {'activation volume':<18} {'parameters':>11} {'multiplications':>16} {'RF':>4}"]
    if input_shape is not None:
        lines.append(f"{'INPUT':<10} {' × '.join(map(str, input_shape)):<18} {0:>11,} {0:>16,} {1:>4}")
    for r in rows:
        rf = "all" if r.rf is None else str(r.rf)
        lines.append(f"{r.name:<10} {' × '.join(map(str, r.shape)):<18} {r.params:>11,} {r.mults:>16,} {rf:>4}")
    return "\n".join(lines)


def receptive_field(kernel_sizes: Sequence[int], strides: Sequence[int]) -> int:
    """Closed form RF_n = k₁ + Σ_{i=2..n} (k_i − 1) Π_{j=1..i−1} s_j (padding does not change it).

    Args:
        kernel_sizes: ``k_1 … k_n``.
        strides: ``s_1 … s_n`` (``s_n`` does not enter).

    Returns:
        The side of the square of input pixels one output pixel of layer ``n`` depends on.

    Raises:
        ValueError: Empty or different-length lists, or non-positive entries.

    Examples:
        >>> receptive_field([3, 3, 3], [1, 1, 1]), receptive_field([5, 2, 5, 2], [1, 2, 1, 2])
        (7, 16)
    """
    validate.each("kernel_sizes", kernel_sizes, validate.positive_int)
    validate.each("strides", strides, validate.positive_int)
    if len(kernel_sizes) != len(strides):
        raise ValueError(
            f"kernel_sizes and strides must be non-empty and equally long; got {len(kernel_sizes)} and {len(strides)}"
        )
    return kernel_sizes[0] + sum(
        (kernel_sizes[i] - 1) * math.prod(strides[:i]) for i in range(1, len(kernel_sizes))
    )


def to_torch(layers: Sequence[Layer], input_shape: Sequence[int], *, activation: type[nn.Module] | None = nn.ReLU) -> nn.Sequential:
    """The ``torch.nn`` modules the stack describes (``Flatten`` inserted before the first FC).

    Args:
        layers: As for [`analyze()`][dlref.conv_arithmetic.analyze] (which validates them first).
        input_shape: ``(C, H_in, W_in)``.
        activation: Module class placed after every Conv and every FC but the last; ``None`` for none.

    Returns:
        A ``nn.Sequential`` whose output shapes and parameter counts can be compared with
        [`analyze()`][dlref.conv_arithmetic.analyze].

    Examples:
        >>> net = to_torch([Conv(10, 5, padding=2), Pool(2), FC(10)], (1, 32, 32))
        >>> net(torch.zeros(1, 1, 32, 32)).shape, sum(p.numel() for p in net.parameters())
        (torch.Size([1, 10]), 25870)
    """
    rows = analyze(layers, input_shape)
    if activation is not None and not (isinstance(activation, type) and issubclass(activation, nn.Module)):
        raise TypeError(f"activation must be a torch.nn.Module subclass such as nn.ReLU, or None; got {activation!r}")
    shapes = [tuple(input_shape)] + [r.shape for r in rows]
    modules: list[nn.Module] = []
    last_fc = max((i for i, layer in enumerate(layers) if isinstance(layer, FC)), default=-1)
    for i, layer in enumerate(layers):
        in_shape = shapes[i]
        if isinstance(layer, Conv):
            modules.append(nn.Conv2d(in_shape[0], layer.out_channels, layer.kernel_size, layer.stride,
                                     layer.padding, groups=layer.groups, bias=layer.bias))
        elif isinstance(layer, Pool):
            cls = nn.MaxPool2d if layer.kind == "max" else nn.AvgPool2d
            modules.append(cls(layer.kernel_size, layer.stride, layer.padding))
        else:
            if len(in_shape) == 3:
                modules.append(nn.Flatten())
            modules.append(nn.Linear(math.prod(in_shape), layer.out_features, bias=layer.bias))
        if activation is not None and not isinstance(layer, Pool) and i != last_fc:
            modules.append(activation())
    return nn.Sequential(*modules)


def count_multiplications(module: nn.Module, input_shape: Sequence[int]) -> int:
    """Multiplications of one forward pass, from PyTorch's FLOP counter (conv/linear FLOPs = 2 × MACs).

    Args:
        module: Any module; only convolutions and matrix products are counted.
        input_shape: ``(C, H_in, W_in)`` of one image.

    Examples:
        >>> count_multiplications(torch.nn.Conv2d(1, 2, 3), (1, 4, 4))  # 2·2 outputs × 2 filters × 9
        72
    """
    from torch.utils.flop_counter import FlopCounterMode

    validate.instance("module", module, nn.Module)
    x = torch.zeros(1, *_check_input_shape(input_shape))
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        try:
            module(x)
        except RuntimeError as exc:  # e.g. the module's first layer expects other channels
            raise ValueError(f"module does not accept one image of input_shape {tuple(input_shape)}: {exc}") from None
    return counter.get_total_flops() // 2


_LARGEST_SIDE = 1 << 16  # input side used to validate a stack before measuring it


def measured_receptive_field(layers: Sequence[Layer], in_channels: int = 1) -> int:
    """Receptive field measured from gradients: the non-zero region of ∂(one output pixel)/∂input.

    Convolution weights are set to 1 and biases to 0, activations are left out and max-pools
    become average pools of the same geometry (a max routes its gradient to a single input, an
    average to all it looks at, and the window — hence the receptive field — is the same). The
    input grows until the region of the centre pixel no longer touches the border.

    Args:
        layers: Conv and Pool layers only.
        in_channels: Channels of the input image.

    Returns:
        The side of the (square) non-zero region of the input gradient.

    Raises:
        ValueError: ``layers`` contains an FC layer (its receptive field is the whole input), or a
            layer that [`analyze()`][dlref.conv_arithmetic.analyze] rejects (checked before anything is built).
        TypeError: an element of ``layers`` is not a Conv or Pool.

    Examples:
        >>> measured_receptive_field([Conv(1, 3), Conv(1, 3, stride=2), Conv(1, 3)])
        9
    """
    validate.instance("layers", layers, (list, tuple), what="a list of Conv and Pool layers")
    if any(isinstance(layer, FC) for layer in layers):
        raise ValueError("measured_receptive_field takes Conv and Pool layers only; an FC layer sees the whole input")
    validate.each("layers", layers, validate.instance, (Conv, Pool))  # non-empty: with no layer the loop never ends
    validate.positive_int("in_channels", in_channels)
    # Validate once on an input large enough for any sane stack, so that every error analyze
    # raises except "the input is too small" surfaces here instead of making the loop below grow
    # the input forever; its receptive field then bounds the input the loop needs.
    rows = analyze(layers, (in_channels, _LARGEST_SIDE, _LARGEST_SIDE))
    rf = rows[-1].rf if rows else 1
    linear = [Pool(p.kernel_size, p.stride, p.padding, "avg", p.name) if isinstance(p, Pool) else p for p in layers]
    size = 8
    while True:
        try:
            net = to_torch(linear, (in_channels, size, size), activation=None).double()
        except ValueError:
            if size > 4 * rf + 8:  # analyze accepted the stack, so only the size can be at fault
                raise
            size *= 2
            continue
        with torch.no_grad():
            for m in net.modules():
                if isinstance(m, nn.Conv2d):
                    m.weight.fill_(1.0)
                    if m.bias is not None:
                        m.bias.zero_()
        x = torch.ones(1, in_channels, size, size, dtype=torch.float64, requires_grad=True)
        out = net(x)  # (1, C_out, H_out, W_out)
        out[0, 0, out.shape[2] // 2, out.shape[3] // 2].backward()
        nonzero = x.grad[0].abs().sum(0) > 0  # (H_in, W_in)
        rows = nonzero.any(1).nonzero().flatten()
        cols = nonzero.any(0).nonzero().flatten()
        touches = rows[0] == 0 or cols[0] == 0 or rows[-1] == size - 1 or cols[-1] == size - 1
        if not touches:
            return int(rows[-1] - rows[0] + 1)
        size *= 2


def solve_geometry(
    size_in: int, size_out: int, *, kernel_sizes: Sequence[int], strides: Sequence[int], paddings: Sequence[int]
) -> list[tuple[int, int, int]]:
    """Every ``(kernel_size, stride, padding)`` from the given ranges with ``output_size == size_out``.

    Args:
        size_in: Input side.
        size_out: Wanted output side.
        kernel_sizes: Candidate kernel sizes (exhaustive search over all three lists).
        strides: Candidate strides.
        paddings: Candidate paddings.

    Returns:
        Matching triples, sorted by kernel size, stride, padding.

    Examples:
        >>> solve_geometry(64, 32, kernel_sizes=[3], strides=[2], paddings=range(4))
        [(3, 2, 1)]
    """
    validate.positive_int("size_in", size_in)
    validate.positive_int("size_out", size_out)
    kernel_sizes, strides, paddings = (
        validate.each(name, list(validate.iterable(name, value, "a list of ints")), validate.positive_int, minimum=low)
        for name, value, low in (("kernel_sizes", kernel_sizes, 1), ("strides", strides, 1), ("paddings", paddings, 0)))
    found = []
    for k in kernel_sizes:
        for s in strides:
            for p in paddings:
                if size_in + 2 * p >= k and output_size(size_in, k, s, p) == size_out:
                    found.append((k, s, p))
    return sorted(found)


__all__ = [
    "FC", "Conv", "Layer", "LayerRow", "Pool", "analyze", "count_multiplications", "format_table",
    "measured_receptive_field", "output_size", "receptive_field", "solve_geometry", "to_torch",
]
