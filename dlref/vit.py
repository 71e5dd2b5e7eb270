"""Vision-transformer pieces: patches, patch embedding as a strided convolution, positions, a small ViT.

See the site page *Vision transformers* (vit/vit.md). An image ``(C, H, W)`` is cut into ``N = (H/P)·(W/P)`` non-overlapping ``P × P``
patches; each is flattened to ``C·P·P`` values ([`patchify()`][dlref.vit.patchify]) and mapped linearly to ``E``
features. That linear map on non-overlapping patches *is* a convolution with kernel size = stride
= ``P`` ([`PatchEmbedding`][dlref.vit.PatchEmbedding]; the test checks both agree). Attention treats its inputs as a
set, so positions are added as learned vectors or fixed sinusoids ([`sinusoidal_positions()`][dlref.vit.sinusoidal_positions]).
[`ViT`][dlref.vit.ViT] stacks pre-norm transformer blocks (Dosovitskiy et al., 2021) using
[`dlref.attention.MultiheadAttention`][dlref.attention.MultiheadAttention].
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from dlref import validate
from dlref.attention import MultiheadAttention


def _check_image_batch(x: Tensor, P: int) -> tuple[int, int, int, int]:
    if not isinstance(x, Tensor) or x.ndim != 4:
        raise ValueError(f"expected images (B, C, H_in, W_in); got {getattr(x, 'shape', type(x).__name__)}")
    B, C, H, W = x.shape
    if isinstance(P, bool) or not isinstance(P, int) or P < 1:
        raise ValueError(f"patch_size must be a positive int; got {P!r}")
    if H % P or W % P:
        raise ValueError(f"image side must be a multiple of patch_size {P}; got H_in={H}, W_in={W}")
    return B, C, H, W


def num_patches(image_size: int | tuple[int, int], patch_size: int) -> int:
    """``N = (H/P)·(W/P)``, the number of non-overlapping patches.

    Raises:
        ValueError: A side is not a positive multiple of ``patch_size``.

    Examples:
        >>> num_patches(224, 16), num_patches((32, 48), 8)
        (196, 24)
    """
    validate.int_pair("image_size", image_size)
    validate.positive_int("patch_size", patch_size)
    H, W = (image_size, image_size) if isinstance(image_size, int) else image_size
    if patch_size < 1 or H < 1 or W < 1 or H % patch_size or W % patch_size:
        raise ValueError(f"image sides must be positive multiples of patch_size {patch_size}; got {H}×{W}")
    return (H // patch_size) * (W // patch_size)


def patchify(x: Tensor, patch_size: int) -> Tensor:
    """Cut images into flattened patches, row-major over patches, ``(c, i, j)`` order inside each.

    Args:
        x: Images.
        patch_size: ``P``; must divide ``H_in`` and ``W_in``.

    Shape:
        x ``(B, C, H_in, W_in)`` → ``(B, N, C·P·P)`` with ``N = (H_in/P)(W_in/P)``.

    Examples:
        >>> patchify(torch.zeros(2, 3, 224, 224), 16).shape
        torch.Size([2, 196, 768])
    """
    validate.tensor("x", x, ndim=4)
    validate.positive_int("patch_size", patch_size)
    B, C, H, W = _check_image_batch(x, patch_size)
    P = patch_size
    x = x.reshape(B, C, H // P, P, W // P, P)  # (B, C, H/P, P, W/P, P)
    x = x.permute(0, 2, 4, 1, 3, 5)  # (B, H/P, W/P, C, P, P)
    return x.reshape(B, (H // P) * (W // P), C * P * P)  # (B, N, C·P·P)


def unpatchify(patches: Tensor, patch_size: int, image_size: tuple[int, int], channels: int) -> Tensor:
    """Inverse of [`patchify()`][dlref.vit.patchify].

    Shape:
        ``(B, N, C·P·P)`` → ``(B, C, H_in, W_in)``.
    """
    validate.tensor("patches", patches, ndim=3)
    validate.positive_int("patch_size", patch_size)
    validate.each("image_size", image_size, validate.positive_int, min_length=2, max_length=2)
    validate.positive_int("channels", channels)
    H, W = image_size
    P = patch_size
    B, N, D = patches.shape
    if N != num_patches((H, W), P) or D != channels * P * P:
        raise ValueError(f"patches {tuple(patches.shape)} do not fit {channels}×{H}×{W} images with P={P}")
    x = patches.reshape(B, H // P, W // P, channels, P, P)  # (B, H/P, W/P, C, P, P)
    return x.permute(0, 3, 1, 4, 2, 5).reshape(B, channels, H, W)


class PatchEmbedding(nn.Module):
    """Linear embedding of every ``P × P`` patch: a ``Conv2d`` with kernel size = stride = ``P``.

    Args:
        in_channels: ``C``.
        embed_dim: ``E``.
        patch_size: ``P``.

    Shape:
        ``(B, C, H_in, W_in)`` → ``(B, N, E)``.

    Examples:
        >>> PatchEmbedding(3, 64, 16)(torch.zeros(1, 3, 224, 224)).shape
        torch.Size([1, 196, 64])
    """

    def __init__(self, in_channels: int, embed_dim: int, patch_size: int) -> None:
        super().__init__()
        validate.positive_int("in_channels", in_channels)
        validate.positive_int("embed_dim", embed_dim)
        validate.positive_int("patch_size", patch_size)
        self.patch_size = patch_size
        self.proj = nn.Conv2d(in_channels, embed_dim, kernel_size=patch_size, stride=patch_size)

    def extra_repr(self) -> str:
        return f"patch_size={self.patch_size}"

    def forward(self, x: Tensor) -> Tensor:
        validate.floating_tensor("x", x, ndim=4)
        validate.same_dtype(x=x, parameters=self.proj.weight)
        _check_image_batch(x, self.patch_size)
        if x.shape[1] != self.proj.in_channels:
            raise ValueError(f"expected {self.proj.in_channels} input channels; got images {tuple(x.shape)}")
        y = self.proj(x)  # (B, E, H/P, W/P)
        return y.flatten(2).transpose(1, 2)  # (B, N, E)

    def as_linear(self) -> tuple[Tensor, Tensor]:
        """The same map as ``(W, b)`` acting on [`patchify()`][dlref.vit.patchify] output: ``patchify(x) @ Wᵀ + b``."""
        return self.proj.weight.flatten(1), self.proj.bias  # (E, C·P·P), (E,)


def sinusoidal_positions(n: int, dim: int) -> Tensor:
    """Fixed sinusoidal position codes: ``PE[t, 2i] = sin(t / 10000^{2i/E})``, ``PE[t, 2i+1] = cos(·)``.

    Shape:
        → ``(n, dim)``; ``dim`` must be even.

    Examples:
        >>> sinusoidal_positions(4, 6)[0].tolist()
        [0.0, 1.0, 0.0, 1.0, 0.0, 1.0]
    """
    validate.positive_int("n", n)
    validate.positive_int("dim", dim, minimum=2)
    if n < 1 or dim < 2 or dim % 2:
        raise ValueError(f"need n >= 1 and an even dim >= 2; got n={n}, dim={dim}")
    t = torch.arange(n, dtype=torch.float32)[:, None]  # (n, 1)
    freq = torch.exp(-math.log(10000.0) * torch.arange(0, dim, 2, dtype=torch.float32) / dim)  # (dim/2,)
    pe = torch.zeros(n, dim)
    pe[:, 0::2] = torch.sin(t * freq)
    pe[:, 1::2] = torch.cos(t * freq)
    return pe


class Block(nn.Module):
    """Pre-norm transformer block: ``x + MHA(LN(x))``, then ``x + MLP(LN(x))``.

    Shape:
        ``(B, L, E)`` → ``(B, L, E)``.
    """

    def __init__(self, dim: int, heads: int, mlp_ratio: float = 2.0, dropout: float = 0.0) -> None:
        super().__init__()
        validate.positive_int("dim", dim)
        validate.positive_int("heads", heads)
        validate.real("mlp_ratio", mlp_ratio, low=0.0, low_open=True)
        validate.probability("dropout", dropout)
        self.norm1 = nn.LayerNorm(dim)
        self.attn = MultiheadAttention(dim, heads, dropout=dropout)
        self.norm2 = nn.LayerNorm(dim)
        hidden = int(dim * mlp_ratio)
        self.mlp = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Dropout(dropout), nn.Linear(hidden, dim),
                                 nn.Dropout(dropout))

    def forward(self, x: Tensor) -> Tensor:
        validate.floating_tensor("x", x, ndim=3)
        validate.same_dtype(x=x, parameters=self.norm1.weight)
        h = self.norm1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]  # (B, L, E)
        return x + self.mlp(self.norm2(x))


class ViT(nn.Module):
    """A small vision transformer: patch embedding, [CLS] token, positions, blocks, linear head.

    Args:
        image_size: Side of the (square) input.
        patch_size: ``P``.
        in_channels: ``C``.
        num_classes: Output logits.
        dim: ``E``.
        depth: Number of blocks.
        heads: Attention heads (divide ``dim``).
        mlp_ratio: Hidden width of each MLP as a multiple of ``dim``.
        dropout: Dropout in attention and MLPs.
        positions: ``"learned"``, ``"sincos"`` or ``"none"`` (to show what attention loses without them).

    Shape:
        ``(B, C, H_in, W_in)`` → logits ``(B, num_classes)``.

    Examples:
        >>> ViT(28, 7, 1, 10, dim=32, depth=1, heads=2)(torch.zeros(3, 1, 28, 28)).shape
        torch.Size([3, 10])
    """

    def __init__(self, image_size: int, patch_size: int, in_channels: int, num_classes: int, *, dim: int = 64,
                 depth: int = 4, heads: int = 4, mlp_ratio: float = 2.0, dropout: float = 0.0,
                 positions: str = "learned") -> None:
        super().__init__()
        validate.positive_int("image_size", image_size)
        validate.positive_int("patch_size", patch_size)
        validate.positive_int("in_channels", in_channels)
        validate.positive_int("num_classes", num_classes)
        validate.positive_int("dim", dim)
        validate.positive_int("depth", depth, minimum=0)
        validate.positive_int("heads", heads)
        validate.real("mlp_ratio", mlp_ratio, low=0.0, low_open=True)
        validate.probability("dropout", dropout)
        validate.choice("positions", positions, ("learned", "sincos", "none"))
        if positions not in ("learned", "sincos", "none"):
            raise ValueError(f"positions must be 'learned', 'sincos' or 'none'; got {positions!r}")
        n = num_patches(image_size, patch_size)
        self.image_size, self.positions = image_size, positions
        self.embed = PatchEmbedding(in_channels, dim, patch_size)
        self.cls = nn.Parameter(torch.zeros(1, 1, dim))
        if positions == "learned":
            self.pos = nn.Parameter(torch.randn(1, n + 1, dim) * 0.02)
        else:
            pe = sinusoidal_positions(n + 1, dim)[None] if positions == "sincos" else torch.zeros(1, n + 1, dim)
            self.register_buffer("pos", pe)
        self.blocks = nn.Sequential(*[Block(dim, heads, mlp_ratio, dropout) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, num_classes)

    def extra_repr(self) -> str:
        return f"image_size={self.image_size}, positions={self.positions!r}"

    def forward(self, x: Tensor) -> Tensor:
        validate.floating_tensor("x", x, ndim=4)
        validate.shape("x", x, (None, self.embed.proj.in_channels, self.image_size, self.image_size), "(B, C, H_in, W_in)")
        validate.same_dtype(x=x, parameters=self.embed.proj.weight)
        tokens = self.embed(x)  # (B, N, E)
        cls = self.cls.expand(tokens.shape[0], -1, -1)  # (B, 1, E)
        h = torch.cat([cls, tokens], dim=1) + self.pos  # (B, N + 1, E)
        h = self.norm(self.blocks(h))
        return self.head(h[:, 0])  # the [CLS] token's features → (B, num_classes)


__all__ = ["Block", "PatchEmbedding", "ViT", "num_patches", "patchify", "sinusoidal_positions", "unpatchify"]
