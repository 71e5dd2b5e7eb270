"""Image classifiers: a LeNet-style CNN and a deeper CNN with batch norm.

* [`LeNet`][dlref.models.LeNet] — conv 5×5 (C→6), ReLU, 2×2 max-pool, conv 5×5 (6→16), ReLU, 2×2 max-pool,
  FC 400→120→84→10 with ReLUs between and *no* activation on the logits. For 32×32 inputs
  (CIFAR-10) the convolutions are unpadded; for 28×28 grey images (Fashion-MNIST) the first one is
  padded by 2 so the flattened volume is again 16·5·5 = 400 (LeCun et al. padded MNIST to 32×32).
* [`BNCNN`][dlref.models.BNCNN] — four blocks (conv 3×3 → BatchNorm → ReLU → 2×2 max-pool) with 64, 128, 256, 512
  channels, then FC layers with dropout 0.5, Kaiming-normal initialisation. The flattened size is
  computed with [`dlref.conv_arithmetic.analyze()`][dlref.conv_arithmetic.analyze], so the same class serves 32×32 and 28×28 inputs.

The sizes are checked by ``tests/test_models.py`` against the arithmetic of [`dlref.conv_arithmetic`][dlref.conv_arithmetic].
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from dlref import conv_arithmetic
from dlref import validate


def _check_images(x: Tensor, channels: int, size: int, model: str) -> None:
    if x.ndim != 4 or x.shape[1] != channels or x.shape[2] != size or x.shape[3] != size:
        raise ValueError(f"{model} expects images (B, {channels}, {size}, {size}); got {tuple(x.shape)}")


class LeNet(nn.Module):
    """LeNet-style classifier: two 5×5 conv + pool stages, then FC 400→120→84→classes.

    Args:
        in_channels: 3 for RGB (CIFAR-10), 1 for grey (Fashion-MNIST).
        num_classes: Output logits.
        image_size: 32 (no padding) or 28 (first conv padded by 2); both flatten to 400.
        kernel_size: Convolution kernel (5 in the recipe; other sizes change the flattened size,
            which is recomputed — see the classifier page's "kernel size 3" question).

    Shape:
        ``(B, in_channels, image_size, image_size)`` → logits ``(B, num_classes)``.

    Examples:
        >>> LeNet(3)(torch.zeros(2, 3, 32, 32)).shape, LeNet(1, image_size=28)(torch.zeros(2, 1, 28, 28)).shape
        (torch.Size([2, 10]), torch.Size([2, 10]))
    """

    def __init__(self, in_channels: int = 3, num_classes: int = 10, image_size: int = 32, kernel_size: int = 5) -> None:
        super().__init__()
        validate.positive_int("in_channels", in_channels)
        validate.positive_int("num_classes", num_classes)
        validate.positive_int("image_size", image_size)
        validate.positive_int("kernel_size", kernel_size)
        if image_size not in (28, 32):
            raise ValueError(f"LeNet is defined for image_size 32 (CIFAR-10) or 28 (Fashion-MNIST); got {image_size}")
        pad = (32 - image_size) // 2
        self.in_channels, self.image_size = in_channels, image_size
        layers = [conv_arithmetic.Conv(6, kernel_size, padding=pad), conv_arithmetic.Pool(2), conv_arithmetic.Conv(16, kernel_size), conv_arithmetic.Pool(2)]
        flat = math.prod(conv_arithmetic.analyze(layers, (in_channels, image_size, image_size))[-1].shape)
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 6, kernel_size, padding=pad), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, kernel_size), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(flat, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, num_classes),
        )

    def extra_repr(self) -> str:
        return f"in_channels={self.in_channels}, image_size={self.image_size}"

    def forward(self, x: Tensor) -> Tensor:
        validate.floating_tensor("x", x, ndim=4)
        validate.same_dtype(x=x, parameters=self.features[0].weight)
        _check_images(x, self.in_channels, self.image_size, "LeNet")
        return self.classifier(self.features(x))  # logits: the loss applies the softmax


class BNCNN(nn.Module):
    """Four conv–BN–ReLU–pool blocks (64→128→256→512), then FC layers with dropout, Kaiming init.

    Args:
        in_channels: 3 (CIFAR-10) or 1 (Fashion-MNIST).
        num_classes: Output logits.
        image_size: Input side (32 or 28; any side ≥ 16 works).
        widths: Channels of the four blocks.
        hidden: Widths of the hidden FC layers.
        dropout: Dropout before each hidden FC layer and the output layer.

    Shape:
        ``(B, in_channels, image_size, image_size)`` → logits ``(B, num_classes)``.

    Examples:
        >>> BNCNN(3)(torch.zeros(2, 3, 32, 32)).shape
        torch.Size([2, 10])
    """

    def __init__(self, in_channels: int = 3, num_classes: int = 10, image_size: int = 32,
                 widths: tuple[int, ...] = (64, 128, 256, 512), hidden: tuple[int, ...] = (1024, 512),
                 dropout: float = 0.5) -> None:
        super().__init__()
        validate.positive_int("in_channels", in_channels)
        validate.positive_int("num_classes", num_classes)
        validate.positive_int("image_size", image_size)
        validate.each("widths", widths, validate.positive_int)
        validate.each("hidden", hidden, validate.positive_int, min_length=0)
        validate.probability("dropout", dropout)
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1); got {dropout}")
        self.in_channels, self.image_size = in_channels, image_size
        spec, blocks, c = [], [], in_channels
        for w in widths:
            spec += [conv_arithmetic.Conv(w, 3, padding=1), conv_arithmetic.Pool(2)]
            blocks += [nn.Conv2d(c, w, 3, padding=1, bias=False), nn.BatchNorm2d(w), nn.ReLU(inplace=True),
                       nn.MaxPool2d(2)]
            c = w
        flat = math.prod(conv_arithmetic.analyze(spec, (in_channels, image_size, image_size))[-1].shape)
        self.features = nn.Sequential(*blocks)
        fc: list[nn.Module] = [nn.Flatten()]
        n = flat
        for h in hidden:
            fc += [nn.Dropout(dropout), nn.Linear(n, h), nn.ReLU(inplace=True)]
            n = h
        fc += [nn.Dropout(dropout), nn.Linear(n, num_classes)]
        self.classifier = nn.Sequential(*fc)
        kaiming_init_(self)

    def extra_repr(self) -> str:
        return f"in_channels={self.in_channels}, image_size={self.image_size}"

    def forward(self, x: Tensor) -> Tensor:
        validate.floating_tensor("x", x, ndim=4)
        validate.same_dtype(x=x, parameters=self.features[0].weight)
        _check_images(x, self.in_channels, self.image_size, "BNCNN")
        return self.classifier(self.features(x))


def kaiming_init_(model: nn.Module) -> nn.Module:
    """Kaiming-normal weights (fan-in, ReLU gain √2) for every Conv2d and Linear, zero biases; BN to (1, 0).

    Returns:
        ``model`` (initialised in place).

    Examples:
        >>> m = kaiming_init_(nn.Linear(1000, 10))
        >>> 0.03 < m.weight.std().item() < 0.06  # √(2/1000) ≈ 0.045
        True
    """
    validate.instance("model", model, nn.Module)
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
    return model


def count_parameters(model: nn.Module) -> int:
    """Trainable parameters of ``model``.

    Examples:
        >>> count_parameters(nn.Linear(400, 120))
        48120
    """
    validate.instance("model", model, nn.Module)
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


__all__ = ["BNCNN", "LeNet", "count_parameters", "kaiming_init_"]
