"""Convolution and max-pooling written out by hand, forward and backward.

See the site page *Convolutional networks → Backpropagation through a convolution* (cnn/backprop.md).

A convolution layer in deep learning computes a cross-correlation,

    O[b, o, i, j] = Σ_{c, m, n} X̃[b, c, s·i + m, s·j + n] · W[o, c, m, n] + b[o],

with X̃ the input padded by ``p`` zeros. Its gradients are two more correlations:

* ∂L/∂W[o, c] = Σ_b X̃[b, c] ⋆ ∂L/∂O[b, o]   (input correlated with the output gradient),
* ∂L/∂X̃[b, c] = Σ_o full-convolution(∂L/∂O[b, o], W[o, c])   (= correlation of the
  zero-padded output gradient with the kernel rotated by 180°),

where for stride ``s > 1`` the output gradient is first dilated (``s − 1`` zeros between
entries). The same layer as matrix products: [`im2col()`][dlref.conv.im2col] lays every receptive field out as a
column, ``O = W_mat @ cols``, ``∂L/∂W_mat = ∂L/∂O_mat @ colsᵀ`` and ``∂L/∂cols = W_matᵀ @ ∂L/∂O_mat``
folded back by [`col2im()`][dlref.conv.col2im]. [`conv_matrix()`][dlref.conv.conv_matrix] is the layer as one sparse, weight-tied
(Toeplitz-structured) matrix acting on the flattened image — the "equivalent MLP".

Each function is the readable reference; tests compare all of them with ``F.conv2d``,
``F.unfold``/``F.fold`` and autograd in float64.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from dlref import validate

Tensor = torch.Tensor


Geometry = tuple[tuple[int, int], tuple[int, int], tuple[int, int], int, tuple[int, int]]


def _check_conv_args(X: Tensor, W: Tensor, stride: int | tuple[int, int], padding: int | tuple[int, int] | str,
                     ndim: tuple[int, ...] = (4,), b: Tensor | None = None, dilation: int | tuple[int, int] = 1,
                     groups: int = 1) -> Geometry:
    """Check a convolution's arguments; return ``(stride, padding, dilation, groups, extra)``.

    Stride, padding and dilation come back as (height, width) pairs; ``extra`` is the one more row
    and column of zeros that ``padding="same"`` adds at the bottom and right when the dilated
    kernel's extent is even (PyTorch's rule), else ``(0, 0)``."""
    for name, t in (("X", X), ("W", W)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{name} must be a tensor; got {type(t).__name__}")
    if X.ndim not in ndim:
        expected = " or ".join({3: "3-D (C_in, H_in, W_in)", 4: "4-D (B, C_in, H_in, W_in)"}[n] for n in ndim)
        raise ValueError(f"X must be {expected}; got shape {tuple(X.shape)}")
    if W.ndim != 4:
        raise ValueError(f"W must be 4-D (C_out, C_in/groups, k_h, k_w); got shape {tuple(W.shape)}")
    g = validate.positive_int("groups", groups)
    if X.shape[-3] != W.shape[1] * g or W.shape[0] % g:
        raise ValueError(
            f"X has C_in={X.shape[-3]} channels but W expects {W.shape[1]}·groups = {W.shape[1] * g}, and groups "
            f"must divide C_out={W.shape[0]}; got X {tuple(X.shape)}, W {tuple(W.shape)}, groups {g}"
        )
    if X.dtype != W.dtype:
        raise TypeError(f"X and W must share a dtype; got {X.dtype} and {W.dtype}")
    if b is not None:
        validate.tensor("b", b, ndim=1)
        validate.shape("b", b, (W.shape[0],), "(C_out,)")
        validate.same_dtype(X=X, b=b)
    s = validate.int_pair("stride", stride)
    d = validate.int_pair("dilation", dilation)
    kh, kw = (di * (ki - 1) + 1 for ki, di in zip(W.shape[2:], d))  # the dilated kernel's extent
    extra = (0, 0)
    if isinstance(padding, str):
        validate.choice("padding", padding, ("valid", "same"))
        if padding == "same" and s != (1, 1):
            raise ValueError(f"padding='same' needs stride 1 (as in F.conv2d); got stride {s}")
        if padding == "same":  # k_eff − 1 zeros per side in all: half before, the rest (one more if odd) after
            extra = ((kh - 1) % 2, (kw - 1) % 2)
        padding = ((kh - 1) // 2, (kw - 1) // 2) if padding == "same" else 0
    p = validate.int_pair("padding", padding, minimum=0)
    if X.shape[-2] + 2 * p[0] < kh or X.shape[-1] + 2 * p[1] < kw:
        raise ValueError(
            f"kernel {kh}×{kw} does not fit the padded input {X.shape[-2] + 2 * p[0]}×{X.shape[-1] + 2 * p[1]} "
            f"(X {tuple(X.shape)}, padding {padding}, dilation {dilation})"
        )
    return s, p, d, g, extra


def _out_size(n: int, k: int, s: int, p: int, d: int = 1) -> int:
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def conv2d(X: Tensor, W: Tensor, b: Tensor | None = None, *, stride: int | tuple[int, int] = 1,
           padding: int | tuple[int, int] | str = 0, dilation: int | tuple[int, int] = 1, groups: int = 1) -> Tensor:
    """Cross-correlation O = X̃ ⋆ W + b, one kernel offset (m, n) at a time (the definition).

    Args:
        X: Input images.
        W: Filters.
        b: Biases, one per filter, or ``None``.
        stride: ``s``, or ``(s_h, s_w)``.
        padding: ``p`` zeros on every side, or ``(p_h, p_w)``, or ``"valid"`` (0) / ``"same"`` (stride
            1; as in PyTorch, an even dilated extent gets its extra zero at the bottom/right).
        dilation: ``d``, or ``(d_h, d_w)``: the kernel's taps ``d`` pixels apart, i.e. the kernel with
            ``d − 1`` zeros inserted between its taps.
        groups: ``G``: the channels split into ``G`` groups, each convolved with its own ``C_out/G`` filters.

    Shape:
        X ``(B, C_in, H_in, W_in)`` or ``(C_in, H_in, W_in)``, W ``(C_out, C_in/G, k_h, k_w)``, b ``(C_out,)`` →
        O ``(B, C_out, H_out, W_out)`` with ``H_out = ⌊(H_in + 2p_h − d_h(k_h − 1) − 1)/s_h⌋ + 1`` (likewise W_out);
        without a batch dim in, none out.

    Raises:
        TypeError / ValueError: Non-tensors, wrong ranks, mismatched channels or dtypes, a kernel
            that does not fit, bad stride/padding; messages give the shapes.

    Examples:
        >>> X = torch.arange(16.).reshape(1, 1, 4, 4)
        >>> conv2d(X, torch.ones(1, 1, 2, 2), stride=2)
        tensor([[[[10., 18.],
                  [42., 50.]]]])
    """
    geometry = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    stride, padding, dilation, groups, extra = _check_conv_args(X, W, stride, padding, (3, 4), b, dilation, groups)
    if X.ndim == 3:  # one image (C_in, H_in, W_in), as F.conv2d allows
        return conv2d(X[None], W, b, **geometry)[0]
    X = F.pad(X, (0, extra[1], 0, extra[0]))  # padding="same" with an even extent: the extra zeros after
    W = _dilate(W, dilation)  # (C_out, C_in/G, d_h(k_h − 1) + 1, d_w(k_w − 1) + 1)
    # group g: its C_in/G input channels with its C_out/G filters; outputs stacked along channels
    O = torch.cat([_correlate(Xg, Wg, stride, padding) for Xg, Wg in zip(X.chunk(groups, 1), W.chunk(groups, 0))], 1)
    if b is not None:
        O += b.reshape(1, -1, 1, 1)
    return O


def _correlate(X: Tensor, W: Tensor, stride: int | tuple[int, int] = 1, padding: int | tuple[int, int] = 0) -> Tensor:
    """The loop of [`conv2d()`][dlref.conv.conv2d] without checks; kernels may be rectangular (k_h × k_w)."""
    (sh, sw), (ph, pw) = _pairs(stride), _pairs(padding)
    B, C_in, H, Wd = X.shape
    C_out, _, kh, kw = W.shape
    H_out, W_out = _out_size(H, kh, sh, ph), _out_size(Wd, kw, sw, pw)
    Xp = F.pad(X, (pw, pw, ph, ph))  # X̃: (B, C_in, H + 2p_h, W + 2p_w)
    O = X.new_zeros(B, C_out, H_out, W_out)
    for m in range(kh):
        for n in range(kw):
            # X̃[b, c, s_h·i + m, s_w·j + n] for every output position (i, j): (B, C_in, H_out, W_out)
            patch = Xp[:, :, m : m + sh * H_out : sh, n : n + sw * W_out : sw]
            O += torch.einsum("bcij,oc->boij", patch, W[:, :, m, n])  # (B, C_out, H_out, W_out)
    return O


def _pairs(v: int | tuple[int, int]) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else (int(v[0]), int(v[1]))


def _dilate(dO: Tensor, stride: tuple[int, int]) -> Tensor:
    """Insert ``s_h − 1`` / ``s_w − 1`` zeros between neighbouring entries of the last two dims."""
    sh, sw = stride
    if (sh, sw) == (1, 1):
        return dO
    B, C, H, W = dO.shape
    out = dO.new_zeros(B, C, (H - 1) * sh + 1, (W - 1) * sw + 1)
    out[:, :, ::sh, ::sw] = dO
    return out


def conv2d_backward(dO: Tensor, X: Tensor, W: Tensor, *, stride: int | tuple[int, int] = 1,
                    padding: int | tuple[int, int] | str = 0, dilation: int | tuple[int, int] = 1,
                    groups: int = 1) -> tuple[Tensor, Tensor, Tensor]:
    """∂L/∂X, ∂L/∂W, ∂L/∂b of [`conv2d()`][dlref.conv.conv2d] from ∂L/∂O, written as correlations.

    * ∂L/∂W[o, c] = Σ_b X̃[b, c] ⋆ dilate(∂L/∂O)[b, o]   (cropped to k_h × k_w),
    * ∂L/∂X̃[b, c] = Σ_o pad_{k−1} (k_h − 1 rows, k_w − 1 columns)(dilate(∂L/∂O))[b, o] ⋆ rot180(W[o, c]), then the padding is cut off,
    * ∂L/∂b[o] = Σ_{b, i, j} ∂L/∂O[b, o, i, j].

    Args:
        dO: Gradient of the loss with respect to the output.
        X: The forward input.
        W: The forward filters.
        stride: As in the forward pass.
        padding: As in the forward pass.
        dilation: As in the forward pass: the gradient of the dilated kernel, read at its taps.
        groups: As in the forward pass: each group's gradients are computed on their own.

    Shape:
        dO ``(B, C_out, H_out, W_out)`` (no B for an unbatched X) → dX like X, dW like W, db ``(C_out,)``.

    Examples:
        >>> X = torch.randn(2, 3, 5, 5, dtype=torch.float64, requires_grad=True)
        >>> W = torch.randn(4, 3, 3, 3, dtype=torch.float64, requires_grad=True)
        >>> O = torch.nn.functional.conv2d(X, W, stride=2, padding=1); O.sum().backward()
        >>> dX, dW, db = conv2d_backward(torch.ones_like(O), X.detach(), W.detach(), stride=2, padding=1)
        >>> torch.allclose(dX, X.grad) and torch.allclose(dW, W.grad)
        True
    """
    geometry = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    stride, padding, dilation, groups, extra = _check_conv_args(X, W, stride, padding, (3, 4), None, dilation, groups)
    if not isinstance(dO, Tensor):
        raise TypeError(f"dO must be a tensor; got {type(dO).__name__}")
    if X.ndim == 3:  # one image: dO is (C_out, H_out, W_out)
        if dO.ndim != 3:
            raise ValueError(f"dO must be 3-D (C_out, H_out, W_out) for an unbatched X {tuple(X.shape)}; got {tuple(dO.shape)}")
        dX, dW, db = conv2d_backward(dO[None], X[None], W, **geometry)
        return dX[0], dW, db
    H, Wd = X.shape[2:]
    X = F.pad(X, (0, extra[1], 0, extra[0]))  # as in the forward pass (padding="same", even extent)
    _check_dO(dO, X, W, stride, padding, dilation)
    W_d = _dilate(W, dilation)  # the forward pass's dilated kernel
    parts = [_correlation_backward(dOg, Xg, Wg, stride, padding)
             for dOg, Xg, Wg in zip(dO.chunk(groups, 1), X.chunk(groups, 1), W_d.chunk(groups, 0))]
    dX = torch.cat([dXg for dXg, _ in parts], 1)[:, :, :H, :Wd]  # (B, C_in, H_in, W_in)
    dW = torch.cat([dWg for _, dWg in parts], 0)[:, :, :: dilation[0], :: dilation[1]]  # the taps only: like W
    return dX, dW, dO.sum(dim=(0, 2, 3))


def _check_dO(dO: Tensor, X: Tensor, W: Tensor, stride: tuple[int, int], padding: tuple[int, int],
              dilation: tuple[int, int]) -> None:
    B, _, H, Wd = X.shape
    C_out, _, kh, kw = W.shape
    expected = (B, C_out, _out_size(H, kh, stride[0], padding[0], dilation[0]),
                _out_size(Wd, kw, stride[1], padding[1], dilation[1]))
    if tuple(dO.shape) != expected:
        raise ValueError(f"dO must have the output's shape {expected} for X {tuple(X.shape)} and W {tuple(W.shape)}; got {tuple(dO.shape)}")


def _correlation_backward(dO: Tensor, X: Tensor, W: Tensor, stride: tuple[int, int],
                          padding: tuple[int, int]) -> tuple[Tensor, Tensor]:
    """∂L/∂X and ∂L/∂W of one dense correlation ``_correlate(X, W, stride, padding)``."""
    (ph, pw), (_, _, H, Wd), (_, _, kh, kw) = padding, X.shape, W.shape
    Xp = F.pad(X, (pw, pw, ph, ph))  # (B, C_in, Hp, Wp)
    G = _dilate(dO, stride)  # (B, C_out, Hg, Wg)
    # ∂L/∂W: batch plays the role of channels. (C_in, B, Hp, Wp) ⋆ (C_out, B, Hg, Wg) → (C_in, C_out, ·, ·)
    dW = _correlate(Xp.transpose(0, 1), G.transpose(0, 1)).transpose(0, 1)[:, :, :kh, :kw]  # (C_out, C_in, k_h, k_w)
    # ∂L/∂X̃: full correlation with the rotated kernel, channels swapped: (C_in, C_out, k_h, k_w)
    W_rot = W.flip(2, 3).transpose(0, 1)
    touched = _correlate(G, W_rot, padding=(kh - 1, kw - 1))  # (B, C_in, Hg + k_h − 1, Wg + k_w − 1)
    dXp = torch.zeros_like(Xp)
    dXp[:, :, : touched.shape[2], : touched.shape[3]] = touched  # rows the stride skipped get 0
    return dXp[:, :, ph : ph + H, pw : pw + Wd], dW


def im2col(X: Tensor, kernel_size: int | tuple[int, int], *, stride: int | tuple[int, int] = 1,
           padding: int | tuple[int, int] = 0, dilation: int | tuple[int, int] = 1) -> Tensor:
    """Every receptive field as a column: cols[b, (c, m, n), (i, j)] = X̃[b, c, s·i + d·m, s·j + d·n].

    ``kernel_size``, ``stride``, ``padding`` and ``dilation`` are ints or (height, width) pairs, as
    in ``F.unfold``.

    Shape:
        X ``(B, C_in, H_in, W_in)`` → cols ``(B, C_in·k_h·k_w, H_out·W_out)``, or without ``B`` for one image (the layout of ``F.unfold``).

    Examples:
        >>> im2col(torch.arange(9.).reshape(1, 1, 3, 3), 2)[0]
        tensor([[0., 1., 3., 4.],
                [1., 2., 4., 5.],
                [3., 4., 6., 7.],
                [4., 5., 7., 8.]])
    """
    k = validate.int_pair("kernel_size", kernel_size)
    d = validate.int_pair("dilation", dilation)
    X = validate.tensor("X", X, ndim=(3, 4))
    if X.ndim == 3:  # one image, as F.unfold allows
        return im2col(X[None], k, stride=stride, padding=padding, dilation=d)[0]
    # the dilated window (d·(k − 1) + 1 per side) must fit: checked as a kernel of that size
    span = tuple(di * (ki - 1) + 1 for ki, di in zip(k, d))
    (sh, sw), (ph, pw), _, _, _ = _check_conv_args(X, X.new_empty(0, X.shape[1], *span), stride, padding)
    B, C, H, Wd = X.shape
    H_out, W_out = _out_size(H, k[0], sh, ph, d[0]), _out_size(Wd, k[1], sw, pw, d[1])
    Xp = F.pad(X, (pw, pw, ph, ph))
    cols = X.new_empty(B, C, k[0], k[1], H_out, W_out)
    for m in range(k[0]):
        for n in range(k[1]):
            r, c = d[0] * m, d[1] * n  # the tap's offset inside the (dilated) window
            cols[:, :, m, n] = Xp[:, :, r : r + sh * H_out : sh, c : c + sw * W_out : sw]
    return cols.reshape(B, C * k[0] * k[1], H_out * W_out)  # (B, C·k_h·k_w, L)


def col2im(cols: Tensor, input_shape: tuple[int, ...], kernel_size: int | tuple[int, int], *,
           stride: int | tuple[int, int] = 1, padding: int | tuple[int, int] = 0,
           dilation: int | tuple[int, int] = 1) -> Tensor:
    """Adjoint of [`im2col()`][dlref.conv.im2col]: add every column entry back to the pixel it was copied from.

    Shape:
        cols ``(B, C_in·k_h·k_w, H_out·W_out)`` → ``input_shape`` ``(B, C_in, H_in, W_in)``; or
        ``(C_in·k_h·k_w, H_out·W_out)`` → ``(C_in, H_in, W_in)`` for one image. The arguments are
        those of [`im2col()`][dlref.conv.im2col] (``F.fold`` with ``output_size = (H_in, W_in)``).

    Examples:
        >>> col2im(torch.ones(1, 4, 4), (1, 1, 3, 3), 2)[0, 0]  # how many windows cover each pixel
        tensor([[1., 2., 1.],
                [2., 4., 2.],
                [1., 2., 1.]])
    """
    cols = validate.tensor("cols", cols, ndim=(2, 3))
    k = validate.int_pair("kernel_size", kernel_size)
    (sh, sw), (ph, pw) = validate.int_pair("stride", stride), validate.int_pair("padding", padding, minimum=0)
    d = validate.int_pair("dilation", dilation)
    if not isinstance(input_shape, (tuple, list, torch.Size)) or len(input_shape) != cols.ndim + 1 or not all(
            isinstance(n, int) and not isinstance(n, bool) and n >= (0 if i == 0 and cols.ndim == 3 else 1)
            for i, n in enumerate(input_shape)):
        want = "(B, C_in, H_in, W_in)" if cols.ndim == 3 else "(C_in, H_in, W_in)"
        raise ValueError(f"input_shape must be {want} of positive ints (B may be 0) for cols of shape "
                         f"{tuple(cols.shape)}; got {input_shape!r}")
    if cols.ndim == 2:  # one image
        return col2im(cols[None], (1, *input_shape), k, stride=(sh, sw), padding=(ph, pw), dilation=d)[0]
    B, C, H, Wd = input_shape
    H_out, W_out = _out_size(H, k[0], sh, ph, d[0]), _out_size(Wd, k[1], sw, pw, d[1])
    if H_out < 1 or W_out < 1 or tuple(cols.shape) != (B, C * k[0] * k[1], H_out * W_out):
        raise ValueError(f"cols must have shape {(B, C * k[0] * k[1], max(H_out, 0) * max(W_out, 0))} for input "
                         f"{tuple(input_shape)}; got {tuple(cols.shape)}")
    cols = cols.reshape(B, C, k[0], k[1], H_out, W_out)
    Xp = cols.new_zeros(B, C, H + 2 * ph, Wd + 2 * pw)
    for m in range(k[0]):
        for n in range(k[1]):
            r, c = d[0] * m, d[1] * n
            Xp[:, :, r : r + sh * H_out : sh, c : c + sw * W_out : sw] += cols[:, :, m, n]
    return Xp[:, :, ph : ph + H, pw : pw + Wd]


def conv2d_im2col(X: Tensor, W: Tensor, b: Tensor | None = None, *, stride: int | tuple[int, int] = 1,
                  padding: int | tuple[int, int] | str = 0, dilation: int | tuple[int, int] = 1,
                  groups: int = 1) -> Tensor:
    """[`conv2d()`][dlref.conv.conv2d] as one matrix product per image: O_mat = W_mat @ cols (+ b).

    Examples:
        >>> X, W = torch.randn(2, 3, 6, 6), torch.randn(4, 3, 3, 3)
        >>> torch.allclose(conv2d_im2col(X, W, padding=1), conv2d(X, W, padding=1), atol=1e-5)
        True
    """
    args = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    stride, padding, dilation, groups, extra = _check_conv_args(X, W, stride, padding, (3, 4), b, dilation, groups)
    if X.ndim == 3:
        return conv2d_im2col(X[None], W, b, **args)[0]
    X = F.pad(X, (0, extra[1], 0, extra[0]))  # padding="same" with an even extent
    B, _, H, Wd = X.shape
    C_out, _, kh, kw = W.shape
    cols = im2col(X, (kh, kw), stride=stride, padding=padding, dilation=dilation)  # (B, C_in·k_h·k_w, L)
    # rows of cols are channel-major, so group g owns a contiguous block of them
    O = torch.cat([Wg.reshape(Wg.shape[0], -1) @ cols_g  # (C_out/G, C_in/G·k_h·k_w) @ (B, C_in/G·k_h·k_w, L)
                   for Wg, cols_g in zip(W.chunk(groups, 0), cols.chunk(groups, 1))], 1)  # (B, C_out, L)
    if b is not None:
        O = O + b.reshape(1, C_out, 1)
    return O.reshape(B, C_out, _out_size(H, kh, stride[0], padding[0], dilation[0]),
                     _out_size(Wd, kw, stride[1], padding[1], dilation[1]))


def conv2d_backward_im2col(dO: Tensor, X: Tensor, W: Tensor, *, stride: int | tuple[int, int] = 1,
                           padding: int | tuple[int, int] | str = 0, dilation: int | tuple[int, int] = 1,
                           groups: int = 1) -> tuple[Tensor, Tensor, Tensor]:
    """[`conv2d_backward()`][dlref.conv.conv2d_backward] as matrix products: dW_mat = Σ_b dO_mat colsᵀ, dcols = W_matᵀ dO_mat.

    Examples:
        >>> X, W = torch.randn(1, 2, 5, 5, dtype=torch.float64), torch.randn(3, 2, 3, 3, dtype=torch.float64)
        >>> dO = torch.randn(1, 3, 3, 3, dtype=torch.float64)
        >>> all(torch.allclose(a, b) for a, b in zip(conv2d_backward_im2col(dO, X, W), conv2d_backward(dO, X, W)))
        True
    """
    args = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    stride, padding, dilation, groups, extra = _check_conv_args(X, W, stride, padding, (3, 4), None, dilation, groups)
    geometry = dict(stride=stride, padding=padding, dilation=dilation)
    if not isinstance(dO, Tensor):
        raise TypeError(f"dO must be a tensor; got {type(dO).__name__}")
    if X.ndim == 3:
        if dO.ndim != 3:
            raise ValueError(f"dO must be 3-D (C_out, H_out, W_out) for an unbatched X {tuple(X.shape)}; got {tuple(dO.shape)}")
        dX, dW, db = conv2d_backward_im2col(dO[None], X[None], W, **args)
        return dX[0], dW, db
    H_in, W_in = X.shape[2:]
    X = F.pad(X, (0, extra[1], 0, extra[0]))  # as in the forward pass (padding="same", even extent)
    _check_dO(dO, X, W, stride, padding, dilation)
    B, C_in, H, Wd = X.shape
    C_out, _, kh, kw = W.shape
    cols = im2col(X, (kh, kw), **geometry)  # (B, C_in·k_h·k_w, L)
    dW, dcols = [], []
    for Wg, cols_g, dO_g in zip(W.chunk(groups, 0), cols.chunk(groups, 1), dO.reshape(B, C_out, -1).chunk(groups, 1)):
        dW.append((dO_g @ cols_g.transpose(1, 2)).sum(0).reshape(Wg.shape))  # Σ_b (C_out/G, L) @ (L, C_in/G·k_h·k_w)
        dcols.append(Wg.reshape(Wg.shape[0], -1).T @ dO_g)  # (C_in/G·k_h·k_w, C_out/G) @ (B, C_out/G, L)
    dX = col2im(torch.cat(dcols, 1), (B, C_in, H, Wd), (kh, kw), **geometry)[:, :, :H_in, :W_in]
    return dX, torch.cat(dW, 0), dO.sum(dim=(0, 2, 3))


def conv_matrix(W: Tensor, input_hw: tuple[int, int], *, stride: int = 1, padding: int = 0) -> Tensor:
    """The convolution as one matrix T with vec(O) = T vec(X): sparse, and tied (Toeplitz blocks).

    Row ``(o, i, j)`` holds ``W[o, c, m, n]`` in column ``(c, s·i + m − p, s·j + n − p)`` for every
    kernel tap that lands inside the image (taps on padding contribute nothing).

    Shape:
        W ``(C_out, C_in, k, k)`` → T ``(C_out·H_out·W_out, C_in·H_in·W_in)``.

    Examples:
        >>> conv_matrix(torch.tensor([[[[1., 2.]]]]), (1, 3))
        tensor([[1., 2., 0.],
                [0., 1., 2.]])
    """
    validate.tensor("W", W, ndim=4)  # (C_out, C_in, k_h, k_w)
    validate.each("input_hw", input_hw, validate.positive_int, min_length=2, max_length=2)
    validate.positive_int("stride", stride)
    validate.positive_int("padding", padding, minimum=0)
    C_out, C_in, kh, kw = W.shape
    H, Wd = input_hw
    H_out, W_out = _out_size(H, kh, stride, padding), _out_size(Wd, kw, stride, padding)
    if H_out < 1 or W_out < 1:
        raise ValueError(f"kernel {kh}×{kw} does not fit input {H}×{Wd} with padding {padding}")
    T = W.new_zeros(C_out, H_out, W_out, C_in, H, Wd)
    for i in range(H_out):
        for j in range(W_out):
            for m in range(kh):
                for n in range(kw):
                    r, c = stride * i + m - padding, stride * j + n - padding
                    if 0 <= r < H and 0 <= c < Wd:
                        T[:, i, j, :, r, c] = W[:, :, m, n]
    return T.reshape(C_out * H_out * W_out, C_in * H * Wd)  # (rows: outputs, cols: input pixels)


def max_pool2d(X: Tensor, kernel_size: int | tuple[int, int], stride: int | tuple[int, int] | None = None,
               padding: int | tuple[int, int] = 0, dilation: int | tuple[int, int] = 1,
               ceil_mode: bool = False) -> tuple[Tensor, Tensor]:
    """Max-pooling and where each maximum came from (the first one in row-major order on ties).

    ``kernel_size``, ``stride`` (default: the kernel size), ``padding`` (of −∞, at most half the
    window) and ``dilation`` are ints or (height, width) pairs, as in ``F.max_pool2d``. With
    ``ceil_mode`` the output size rounds up, ``H_out = ⌈(H_in + 2p − d(k − 1) − 1)/s⌉ + 1``, keeping
    only windows that start inside the input or its left padding; the extra windows overhang into
    more −∞ padding.

    Shape:
        X ``(B, C, H_in, W_in)`` or ``(C, H_in, W_in)`` → M ``(B, C, H_out, W_out)`` and the flat index into ``H_in·W_in``
        of each maximum, same shape (the convention of ``F.max_pool2d(return_indices=True)``).

    Examples:
        >>> M, idx = max_pool2d(torch.tensor([[[[1., 3.], [3., 2.]]]]), 2)
        >>> M.item(), idx.item()
        (3.0, 1)
    """
    X = validate.tensor("X", X, ndim=(3, 4), nonempty=True)
    k = validate.int_pair("kernel_size", kernel_size)
    s = k if stride is None or stride == () or stride == [] else validate.int_pair("stride", stride)
    p = validate.int_pair("padding", padding, minimum=0)
    d = validate.int_pair("dilation", dilation)
    validate.boolean("ceil_mode", ceil_mode)
    if X.ndim == 3:  # one image, as F.max_pool2d allows
        M, idx = max_pool2d(X[None], k, s, p, d, ceil_mode)
        return M[0], idx[0]
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise ValueError(f"padding must be at most half the pool window (as in F.max_pool2d); got padding {p} for kernel_size {k}")
    B, C, H, Wd = X.shape
    H_out, W_out = (_pool_out_size(n, *kspd, ceil_mode) for n, *kspd in zip((H, Wd), k, s, p, d))
    if H_out < 1 or W_out < 1:
        raise ValueError(f"pool window {k[0]}×{k[1]} (dilation {d}) with stride {s} and padding {p} does not fit input {H}×{Wd}")
    # −∞ padding never wins a max; each window then holds at least one real pixel (p ≤ k/2).
    # Bottom/right: enough for the last window (more than p only in ceil_mode).
    extra = [max(pi, (n_out - 1) * si + di * (ki - 1) + 1 - n - pi)
             for n, n_out, ki, si, pi, di in zip((H, Wd), (H_out, W_out), k, s, p, d)]
    Xp = F.pad(X.reshape(B * C, 1, H, Wd), (p[1], extra[1], p[0], extra[0]), value=float("-inf"))
    cols = im2col(Xp, k, stride=s, dilation=d)  # (B·C, k_h·k_w, L') with L' ≥ H_out·W_out
    H_c, W_c = (_out_size(n, ki, si, 0, di) for n, ki, si, di in zip(Xp.shape[2:], k, s, d))
    crop = lambda c: c.reshape(c.shape[0], k[0] * k[1], H_c, W_c)[:, :, :H_out, :W_out].reshape(c.shape[0], k[0] * k[1], -1)
    cols = crop(cols)  # (B·C, k_h·k_w, L)
    real = crop(im2col(F.pad(X.new_ones(1, 1, H, Wd), (p[1], extra[1], p[0], extra[0])), k, stride=s, dilation=d)) > 0
    if not bool(real.any(dim=1).all()):  # dilation can step over every real pixel of a window
        raise ValueError(f"a pool window of {k[0]}×{k[1]} taps (dilation {d}, padding {p}) holds only padding on the "
                         f"input {H}×{Wd}; its maximum would be −∞ with no pixel to point to")
    M = cols.max(dim=1).values  # (B·C, L); −∞ padding never exceeds a real value
    # where the maximum sits: the first real tap holding it (row-major), as F.max_pool2d reports it —
    # for a NaN window, the last NaN (its scan keeps replacing the maximum with each NaN it meets)
    hit = real & (cols == M[:, None])  # (B·C, k_h·k_w, L)
    nan = cols.isnan() & real
    last_nan = k[0] * k[1] - 1 - nan.flip(1).int().argmax(dim=1)
    arg = torch.where(M.isnan(), last_nan, hit.int().argmax(dim=1))  # argmax: first maximal entry
    m, n = arg // k[1], arg % k[1]  # tap inside the window
    i = torch.arange(H_out, device=X.device).repeat_interleave(W_out)  # (L,) output row of each column
    j = torch.arange(W_out, device=X.device).repeat(H_out)
    flat = (s[0] * i + d[0] * m - p[0]) * Wd + (s[1] * j + d[1] * n - p[1])  # (B·C, L) index into the H_in·W_in grid
    return M.reshape(B, C, H_out, W_out), flat.reshape(B, C, H_out, W_out)


def _pool_out_size(n: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    span = n + 2 * p - d * (k - 1) - 1
    if not ceil_mode:
        return span // s + 1
    out = (span + s - 1) // s + 1  # ⌈span / s⌉ + 1
    return out - 1 if (out - 1) * s >= n + p else out  # the last window must start inside input or left padding


def max_pool2d_backward(dM: Tensor, indices: Tensor, input_shape: tuple[int, ...]) -> Tensor:
    """Route each ∂L/∂M entry to the input that was the maximum (and add where windows overlap).

    Examples:
        >>> X = torch.tensor([[[[1., 5., 2.], [0., 4., 3.]]]])
        >>> M, idx = max_pool2d(X, 2, stride=1)
        >>> max_pool2d_backward(torch.ones_like(M), idx, X.shape)
        tensor([[[[0., 2., 0.],
                  [0., 0., 0.]]]])
    """
    dM = validate.tensor("dM", dM, ndim=(3, 4))
    indices = validate.tensor("indices", indices, dtype=(torch.int64, torch.int32))
    if tuple(dM.shape) != tuple(indices.shape):
        raise ValueError(f"dM and indices must have the same shape; got {tuple(dM.shape)} and {tuple(indices.shape)}")
    if not isinstance(input_shape, (tuple, list, torch.Size)) or len(input_shape) != dM.ndim or tuple(input_shape[:-2]) != tuple(dM.shape[:-2]):
        raise ValueError(f"input_shape must be the pooled input's shape, with dM's leading dims {tuple(dM.shape[:-2])}; got {input_shape!r}")
    *lead, H, Wd = input_shape
    if indices.numel() and (int(indices.min()) < 0 or int(indices.max()) >= H * Wd):
        raise ValueError(f"indices must lie in [0, H_in·W_in) = [0, {H * Wd}); got {int(indices.min())} … {int(indices.max())}")
    dX = dM.new_zeros(*lead, H * Wd)
    dX.scatter_add_(-1, indices.reshape(*lead, -1).long(), dM.reshape(*lead, -1))  # overlapping windows add up
    return dX.reshape(*lead, H, Wd)


__all__ = [
    "col2im", "conv2d", "conv2d_backward", "conv2d_backward_im2col", "conv2d_im2col", "conv_matrix",
    "im2col", "max_pool2d", "max_pool2d_backward",
]
