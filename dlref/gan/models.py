"""GAN networks: MLP generator/discriminator for low-dimensional data, DCGAN pairs for 28×28, 32×32 and 64×64 images.

The DCGAN layout follows Radford, Metz & Chintala 2016: the generator projects the noise to a
small feature map and doubles its side with stride-2 transposed convolutions (batch norm +
ReLU, ``tanh`` output in [−1, 1]); the discriminator mirrors it with stride-2 convolutions and
LeakyReLU(0.2), ending in one unnormalised score (a logit, or a critic value for WGAN). For
28×28 images the feature map starts at 7×7 (two doublings), for 32×32 at 4×4 (three).
[`DCGAN64Generator`][dlref.gan.models.DCGAN64Generator] and [`DCGAN64Discriminator`][dlref.gan.models.DCGAN64Discriminator] are the paper's own 64×64
layout (four doublings from 4×4, the noise entering through a transposed convolution, no
biases, weights drawn from N(0, 0.02²)).

A WGAN-GP critic must not use batch norm (the penalty is per sample), so the discriminator
takes ``norm="batch" | "layer" | "none"``. See the site page *Generative adversarial networks →
Mode collapse, WGAN-GP, the noise distribution* (gan/mode-collapse.md).
"""

from __future__ import annotations

import torch
from torch import nn

from dlref import validate

Tensor = torch.Tensor

_START = {28: 7, 32: 4}  # image side → side of the first feature map


def _check_int(name: str, value: object, minimum: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an int ≥ {minimum}; got {value!r}")


def _check_input(who: str, x: Tensor, shape: tuple[int, ...], names: str) -> None:
    if not isinstance(x, Tensor) or not x.is_floating_point():
        raise TypeError(f"{who} expects a floating-point tensor {names}; got "
                        f"{type(x).__name__ if not isinstance(x, Tensor) else x.dtype}")
    if x.ndim != len(shape) + 1 or tuple(x.shape[1:]) != shape:
        raise ValueError(f"{who} expects input {names} = (B, {', '.join(map(str, shape))}); got {tuple(x.shape)}")


class MLPGenerator(nn.Module):
    """G(z) = W_L φ(… φ(W_1 z + b_1) …) + b_L: an MLP with ReLU hidden layers and a linear output.

    Args:
        z_dim: Noise dimension.
        out_dim: Data dimension.
        hidden: Width K of each hidden layer.
        layers: Number of hidden layers.

    Shape:
        ``z`` ``(B, z_dim)`` → ``(B, out_dim)``.

    Examples:
        >>> G = MLPGenerator(2, 3, hidden=8)
        >>> G(torch.randn(4, 2)).shape
        torch.Size([4, 3])
    """

    def __init__(self, z_dim: int, out_dim: int, hidden: int = 128, layers: int = 2) -> None:
        super().__init__()
        for name, v in (("z_dim", z_dim), ("out_dim", out_dim), ("hidden", hidden), ("layers", layers)):
            _check_int(f"MLPGenerator {name}", v)
        self.z_dim, self.out_dim = z_dim, out_dim
        dims = [z_dim] + [hidden] * layers
        blocks: list[nn.Module] = []
        for a, b in zip(dims[:-1], dims[1:]):
            blocks += [nn.Linear(a, b), nn.ReLU()]
        self.net = nn.Sequential(*blocks, nn.Linear(dims[-1], out_dim))

    def forward(self, z: Tensor) -> Tensor:
        _check_input("MLPGenerator", z, (self.z_dim,), "z")
        validate.same_dtype(z=z, parameters=self.net[0].weight)
        return self.net(z)


class MLPDiscriminator(nn.Module):
    """D(x): an MLP with LeakyReLU(0.2) hidden layers ending in one score (a logit, or a critic value).

    Args:
        in_dim: Data dimension.
        hidden: Width K of each hidden layer.
        layers: Number of hidden layers.
        pack: Samples judged together (PacGAN): the input holds ``pack`` samples side by side,
            ``(B, pack · in_dim)``; ``pack=1`` is the ordinary discriminator.

    Shape:
        ``x`` ``(B, pack · in_dim)`` → ``(B, 1)``.

    Examples:
        >>> D = MLPDiscriminator(2, hidden=8)
        >>> D(torch.randn(4, 2)).shape
        torch.Size([4, 1])
    """

    def __init__(self, in_dim: int, hidden: int = 128, layers: int = 2, pack: int = 1) -> None:
        super().__init__()
        for name, v in (("in_dim", in_dim), ("hidden", hidden), ("layers", layers), ("pack", pack)):
            _check_int(f"MLPDiscriminator {name}", v)
        self.in_dim, self.pack = in_dim, pack
        dims = [in_dim * pack] + [hidden] * layers
        blocks: list[nn.Module] = []
        for a, b in zip(dims[:-1], dims[1:]):
            blocks += [nn.Linear(a, b), nn.LeakyReLU(0.2)]
        self.net = nn.Sequential(*blocks, nn.Linear(dims[-1], 1))

    def forward(self, x: Tensor) -> Tensor:
        _check_input("MLPDiscriminator", x, (self.in_dim * self.pack,), "x")
        validate.same_dtype(x=x, parameters=self.net[0].weight)
        return self.net(x)


class DCGANGenerator(nn.Module):
    """DCGAN generator: z → (4w, s, s) → … → (C, H, W) with stride-2 transposed convolutions, tanh output.

    Args:
        z_dim: Noise dimension.
        channels: Output channels C (1 for Fashion-MNIST, 3 for CIFAR-10).
        image_size: 28 or 32.
        width: Channels of the last hidden feature map (the first has ``4·width`` for 32×32,
            ``2·width`` for 28×28).

    Shape:
        ``z`` ``(B, z_dim)`` → ``(B, C, image_size, image_size)``, values in (−1, 1).

    Examples:
        >>> G = DCGANGenerator(16, channels=1, image_size=28, width=8)
        >>> G(torch.randn(2, 16)).shape
        torch.Size([2, 1, 28, 28])
    """

    def __init__(self, z_dim: int = 64, channels: int = 1, image_size: int = 28, width: int = 64) -> None:
        super().__init__()
        validate.choice("image_size", image_size, sorted(_START))
        if image_size not in _START:
            raise ValueError(f"DCGANGenerator image_size must be one of {sorted(_START)}; got {image_size!r}")
        for name, v in (("z_dim", z_dim), ("channels", channels), ("width", width)):
            _check_int(f"DCGANGenerator {name}", v)
        self.z_dim, self.channels, self.image_size, self.width = z_dim, channels, image_size, width
        s = _START[image_size]
        ups = 2 if image_size == 28 else 3  # 7 → 14 → 28, or 4 → 8 → 16 → 32
        c0 = width * 2 ** (ups - 1)
        self.c0, self.s = c0, s
        self.project = nn.Sequential(nn.Linear(z_dim, c0 * s * s, bias=False), nn.BatchNorm1d(c0 * s * s), nn.ReLU())
        blocks: list[nn.Module] = []
        c = c0
        for _ in range(ups - 1):
            blocks += [nn.ConvTranspose2d(c, c // 2, 4, 2, 1, bias=False), nn.BatchNorm2d(c // 2), nn.ReLU()]
            c //= 2
        blocks += [nn.ConvTranspose2d(c, channels, 4, 2, 1), nn.Tanh()]  # side doubles: (s·2^k − 1)·2 − 2 + 4
        self.net = nn.Sequential(*blocks)

    def forward(self, z: Tensor) -> Tensor:
        _check_input("DCGANGenerator", z, (self.z_dim,), "z")
        validate.same_dtype(z=z, parameters=self.project[0].weight)
        h = self.project(z).view(-1, self.c0, self.s, self.s)  # (B, c0·s·s) → (B, c0, s, s)
        return self.net(h)

    def extra_repr(self) -> str:
        return f"z_dim={self.z_dim}, out=({self.channels}, {self.image_size}, {self.image_size}), width={self.width}"


class DCGANDiscriminator(nn.Module):
    """DCGAN discriminator: (C, H, W) → stride-2 convolutions with LeakyReLU(0.2) → one score.

    Args:
        channels: Input channels C.
        image_size: 28 or 32.
        width: Channels of the first convolution (doubling at each later one).
        norm: ``"batch"`` (DCGAN), ``"layer"`` (per-sample, for WGAN-GP) or ``"none"``.

    Shape:
        ``x`` ``(B, C, image_size, image_size)`` → ``(B, 1)``.

    Examples:
        >>> D = DCGANDiscriminator(channels=1, image_size=28, width=8)
        >>> D(torch.randn(2, 1, 28, 28)).shape
        torch.Size([2, 1])
    """

    def __init__(self, channels: int = 1, image_size: int = 28, width: int = 64, norm: str = "batch") -> None:
        super().__init__()
        validate.choice("image_size", image_size, sorted(_START))
        validate.choice("norm", norm, ("batch", "layer", "none"))
        if image_size not in _START:
            raise ValueError(f"DCGANDiscriminator image_size must be one of {sorted(_START)}; got {image_size!r}")
        if norm not in ("batch", "layer", "none"):
            raise ValueError(f"DCGANDiscriminator norm must be 'batch', 'layer' or 'none'; got {norm!r}")
        for name, v in (("channels", channels), ("width", width)):
            _check_int(f"DCGANDiscriminator {name}", v)
        self.channels, self.image_size, self.width, self.norm = channels, image_size, width, norm
        downs = 2 if image_size == 28 else 3  # 28 → 14 → 7, or 32 → 16 → 8 → 4
        blocks: list[nn.Module] = [nn.Conv2d(channels, width, 4, 2, 1), nn.LeakyReLU(0.2)]
        c, side = width, image_size // 2
        for _ in range(downs - 1):
            side //= 2
            blocks.append(nn.Conv2d(c, 2 * c, 4, 2, 1, bias=norm == "none"))
            if norm == "batch":
                blocks.append(nn.BatchNorm2d(2 * c))
            elif norm == "layer":
                blocks.append(nn.GroupNorm(1, 2 * c))  # one group = layer norm over (C, H, W)
            blocks.append(nn.LeakyReLU(0.2))
            c *= 2
        self.net = nn.Sequential(*blocks, nn.Flatten(), nn.Linear(c * side * side, 1))  # (B, c, s, s) → (B, c·s·s) → (B, 1)

    def forward(self, x: Tensor) -> Tensor:
        _check_input("DCGANDiscriminator", x, (self.channels, self.image_size, self.image_size), "x")
        validate.same_dtype(x=x, parameters=self.net[0].weight)
        return self.net(x)

    def extra_repr(self) -> str:
        return f"in=({self.channels}, {self.image_size}, {self.image_size}), width={self.width}, norm={self.norm!r}"


def _dcgan_init(module: nn.Module) -> None:
    """The DCGAN paper's initialisation: convolution weights ~ N(0, 0.02²); batch-norm scale ~ N(1, 0.02²), shift 0."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, (nn.BatchNorm2d, nn.GroupNorm)):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


class DCGAN64Generator(nn.Module):
    """DCGAN generator for 64×64 images, the paper's layout: z → (8w, 4, 4) → (4w, 8, 8) → (2w, 16, 16) → (w, 32, 32) → (C, 64, 64).

    The noise, viewed as a 1×1 image with ``z_dim`` channels, goes through a 4×4 transposed
    convolution (stride 1, no padding) to a 4×4 map, then four stride-2 transposed convolutions
    (kernel 4, padding 1) each double the side; batch norm + ReLU after every layer but the last,
    ``tanh`` at the end. No convolution has a bias (batch norm's shift takes its place). Weights
    are drawn as in the paper: N(0, 0.02²) for convolutions, N(1, 0.02²) for the batch-norm scales.

    Args:
        z_dim: Noise dimension (100 in the paper).
        channels: Output channels C (3 for colour images).
        width: Channels of the last hidden feature map (``ngf``; 64 in the paper); the first has ``8·width``.

    Shape:
        ``z`` ``(B, z_dim)`` → ``(B, C, 64, 64)``, values in (−1, 1).

    Examples:
        >>> G = DCGAN64Generator(8, channels=3, width=4)
        >>> G(torch.randn(2, 8)).shape
        torch.Size([2, 3, 64, 64])
    """

    image_size = 64

    def __init__(self, z_dim: int = 100, channels: int = 3, width: int = 64) -> None:
        super().__init__()
        for name, v in (("z_dim", z_dim), ("channels", channels), ("width", width)):
            _check_int(f"DCGAN64Generator {name}", v)
        self.z_dim, self.channels, self.width = z_dim, channels, width
        c = 8 * width
        blocks: list[nn.Module] = [nn.ConvTranspose2d(z_dim, c, 4, 1, 0, bias=False), nn.BatchNorm2d(c), nn.ReLU()]
        for _ in range(3):  # 4 → 8 → 16 → 32: side (s − 1)·2 − 2 + 4 = 2s
            blocks += [nn.ConvTranspose2d(c, c // 2, 4, 2, 1, bias=False), nn.BatchNorm2d(c // 2), nn.ReLU()]
            c //= 2
        blocks += [nn.ConvTranspose2d(c, channels, 4, 2, 1, bias=False), nn.Tanh()]  # 32 → 64
        self.net = nn.Sequential(*blocks)
        self.apply(_dcgan_init)

    def forward(self, z: Tensor) -> Tensor:
        _check_input("DCGAN64Generator", z, (self.z_dim,), "z")
        validate.same_dtype(z=z, parameters=self.net[0].weight)
        return self.net(z[:, :, None, None])  # (B, z_dim) → (B, z_dim, 1, 1)

    def extra_repr(self) -> str:
        return f"z_dim={self.z_dim}, out=({self.channels}, 64, 64), width={self.width}"


class DCGAN64Discriminator(nn.Module):
    """DCGAN discriminator for 64×64 images, the generator mirrored: (C, 64, 64) → (w, 32, 32) → … → (8w, 4, 4) → one score.

    Four stride-2 convolutions (kernel 4, padding 1) halve the side, each followed by
    LeakyReLU(0.2), with a normalisation before the activation in all but the first; a last 4×4
    convolution without padding turns the (8w, 4, 4) map into one number per image. Like
    [`DCGANDiscriminator`][dlref.gan.models.DCGANDiscriminator] it returns that number unnormalised (a logit for the
    losses of [`dlref.gan.losses`][dlref.gan.losses], a critic value for WGAN), not σ of it. Weights are
    drawn as in the paper: N(0, 0.02²) for convolutions, N(1, 0.02²) for the normalisation scales.

    Args:
        channels: Input channels C.
        width: Channels of the first convolution (``ndf``; 64 in the paper), doubling at each later one.
        norm: ``"batch"`` (DCGAN), ``"layer"`` (per-sample, for WGAN-GP) or ``"none"``.

    Shape:
        ``x`` ``(B, C, 64, 64)`` → ``(B, 1)``.

    Examples:
        >>> D = DCGAN64Discriminator(channels=3, width=4)
        >>> D(torch.randn(2, 3, 64, 64)).shape
        torch.Size([2, 1])
    """

    image_size = 64

    def __init__(self, channels: int = 3, width: int = 64, norm: str = "batch") -> None:
        super().__init__()
        validate.choice("norm", norm, ("batch", "layer", "none"))
        for name, v in (("channels", channels), ("width", width)):
            _check_int(f"DCGAN64Discriminator {name}", v)
        self.channels, self.width, self.norm = channels, width, norm
        blocks: list[nn.Module] = [nn.Conv2d(channels, width, 4, 2, 1, bias=False), nn.LeakyReLU(0.2)]  # 64 → 32
        c = width
        for _ in range(3):  # 32 → 16 → 8 → 4
            blocks.append(nn.Conv2d(c, 2 * c, 4, 2, 1, bias=norm == "none"))
            if norm == "batch":
                blocks.append(nn.BatchNorm2d(2 * c))
            elif norm == "layer":
                blocks.append(nn.GroupNorm(1, 2 * c))  # one group = layer norm over (C, H, W)
            blocks.append(nn.LeakyReLU(0.2))
            c *= 2
        self.net = nn.Sequential(*blocks, nn.Conv2d(c, 1, 4, 1, 0, bias=False), nn.Flatten())  # (B, 8w, 4, 4) → (B, 1, 1, 1) → (B, 1)
        self.apply(_dcgan_init)

    def forward(self, x: Tensor) -> Tensor:
        _check_input("DCGAN64Discriminator", x, (self.channels, 64, 64), "x")
        validate.same_dtype(x=x, parameters=self.net[0].weight)
        return self.net(x)

    def extra_repr(self) -> str:
        return f"in=({self.channels}, 64, 64), width={self.width}, norm={self.norm!r}"
