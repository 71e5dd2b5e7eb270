"""Convolution and max-pooling written out by hand, forward and backward (CONTENT.md §5).

A convolution layer in deep learning computes a cross-correlation,

    O[b, o, i, j] = Σ_{c, m, n} X̃[b, c, s·i + m, s·j + n] · W[o, c, m, n] + b[o],

with X̃ the input padded by ``p`` zeros. Its gradients are two more correlations:

* ∂L/∂W[o, c] = Σ_b X̃[b, c] ⋆ ∂L/∂O[b, o]   (input correlated with the output gradient),
* ∂L/∂X̃[b, c] = Σ_o full-convolution(∂L/∂O[b, o], W[o, c])   (= correlation of the
  zero-padded output gradient with the kernel rotated by 180°),

where for stride ``s > 1`` the output gradient is first dilated (``s − 1`` zeros between
entries). The same layer as matrix products: :func:`im2col` lays every receptive field out as a
column, ``O = W_mat @ cols``, ``∂L/∂W_mat = ∂L/∂O_mat @ colsᵀ`` and ``∂L/∂cols = W_matᵀ @ ∂L/∂O_mat``
folded back by :func:`col2im`. :func:`conv_matrix` is the layer as one sparse, weight-tied
(Toeplitz-structured) matrix acting on the flattened image — the "equivalent MLP".

Each function is the readable reference; tests compare all of them with ``F.conv2d``,
``F.unfold``/``F.fold`` and autograd in float64.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

Tensor = torch.Tensor


def _check_conv_args(X: Tensor, W: Tensor, stride: int, padding: int) -> None:
    for name, t in (("X", X), ("W", W)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{name} must be a tensor; got {type(t).__name__}")
        if t.ndim != 4:
            expected = "(B, C_in, H_in, W_in)" if name == "X" else "(C_out, C_in, k, k)"
            raise ValueError(f"{name} must be 4-D {expected}; got shape {tuple(t.shape)}")
    if X.shape[1] != W.shape[1]:
        raise ValueError(
            f"X has C_in={X.shape[1]} channels but W expects {W.shape[1]}; got X {tuple(X.shape)} and W {tuple(W.shape)}"
        )
    if W.shape[2] != W.shape[3]:
        raise ValueError(f"W must have a square k×k kernel; got {tuple(W.shape[2:])}")
    if X.dtype != W.dtype:
        raise TypeError(f"X and W must share a dtype; got {X.dtype} and {W.dtype}")
    if isinstance(stride, bool) or not isinstance(stride, int) or stride < 1:
        raise ValueError(f"stride must be an int >= 1; got {stride!r}")
    if isinstance(padding, bool) or not isinstance(padding, int) or padding < 0:
        raise ValueError(f"padding must be an int >= 0; got {padding!r}")
    k = W.shape[2]
    if X.shape[2] + 2 * padding < k or X.shape[3] + 2 * padding < k:
        raise ValueError(
            f"kernel {k}×{k} does not fit the padded input {X.shape[2] + 2 * padding}×{X.shape[3] + 2 * padding} "
            f"(X {tuple(X.shape)}, padding {padding})"
        )


def _out_size(n: int, k: int, s: int, p: int) -> int:
    return (n + 2 * p - k) // s + 1


def conv2d(X: Tensor, W: Tensor, b: Tensor | None = None, *, stride: int = 1, padding: int = 0) -> Tensor:
    """Cross-correlation O = X̃ ⋆ W + b, one kernel offset (m, n) at a time (the definition).

    Args:
        X: Input images.
        W: Filters.
        b: Biases, one per filter, or ``None``.
        stride: ``s``.
        padding: ``p`` zeros on every side.

    Shape:
        X ``(B, C_in, H_in, W_in)``, W ``(C_out, C_in, k, k)``, b ``(C_out,)`` →
        O ``(B, C_out, H_out, W_out)`` with ``H_out = ⌊(H_in + 2p − k)/s⌋ + 1``.

    Raises:
        TypeError / ValueError: Non-tensors, wrong ranks, mismatched channels or dtypes, a kernel
            that does not fit, bad stride/padding; messages give the shapes.

    Examples:
        >>> X = torch.arange(16.).reshape(1, 1, 4, 4)
        >>> conv2d(X, torch.ones(1, 1, 2, 2), stride=2)
        tensor([[[[10., 18.],
                  [42., 50.]]]])
    """
    _check_conv_args(X, W, stride, padding)
    O = _correlate(X, W, stride, padding)
    if b is not None:
        O += b.reshape(1, -1, 1, 1)
    return O


def _correlate(X: Tensor, W: Tensor, stride: int = 1, padding: int = 0) -> Tensor:
    """The loop of :func:`conv2d` without checks; kernels may be rectangular (k_h × k_w)."""
    B, C_in, H, Wd = X.shape
    C_out, _, kh, kw = W.shape
    H_out, W_out = _out_size(H, kh, stride, padding), _out_size(Wd, kw, stride, padding)
    Xp = F.pad(X, (padding,) * 4)  # X̃: (B, C_in, H + 2p, W + 2p)
    O = X.new_zeros(B, C_out, H_out, W_out)
    for m in range(kh):
        for n in range(kw):
            # X̃[b, c, s·i + m, s·j + n] for every output position (i, j): (B, C_in, H_out, W_out)
            patch = Xp[:, :, m : m + stride * H_out : stride, n : n + stride * W_out : stride]
            O += torch.einsum("bcij,oc->boij", patch, W[:, :, m, n])  # (B, C_out, H_out, W_out)
    return O


def _dilate(dO: Tensor, stride: int) -> Tensor:
    """Insert ``stride − 1`` zeros between neighbouring entries of the last two dims."""
    if stride == 1:
        return dO
    B, C, H, W = dO.shape
    out = dO.new_zeros(B, C, (H - 1) * stride + 1, (W - 1) * stride + 1)
    out[:, :, ::stride, ::stride] = dO
    return out


def conv2d_backward(dO: Tensor, X: Tensor, W: Tensor, *, stride: int = 1, padding: int = 0) -> tuple[Tensor, Tensor, Tensor]:
    """∂L/∂X, ∂L/∂W, ∂L/∂b of :func:`conv2d` from ∂L/∂O, written as correlations.

    * ∂L/∂W[o, c] = Σ_b X̃[b, c] ⋆ dilate(∂L/∂O)[b, o]   (cropped to k × k),
    * ∂L/∂X̃[b, c] = Σ_o pad_{k−1}(dilate(∂L/∂O))[b, o] ⋆ rot180(W[o, c]), then the padding is cut off,
    * ∂L/∂b[o] = Σ_{b, i, j} ∂L/∂O[b, o, i, j].

    Args:
        dO: Gradient of the loss with respect to the output.
        X: The forward input.
        W: The forward filters.
        stride: As in the forward pass.
        padding: As in the forward pass.

    Shape:
        dO ``(B, C_out, H_out, W_out)`` → dX like X, dW like W, db ``(C_out,)``.

    Examples:
        >>> X = torch.randn(2, 3, 5, 5, dtype=torch.float64, requires_grad=True)
        >>> W = torch.randn(4, 3, 3, 3, dtype=torch.float64, requires_grad=True)
        >>> O = torch.nn.functional.conv2d(X, W, stride=2, padding=1); O.sum().backward()
        >>> dX, dW, db = conv2d_backward(torch.ones_like(O), X.detach(), W.detach(), stride=2, padding=1)
        >>> torch.allclose(dX, X.grad) and torch.allclose(dW, W.grad)
        True
    """
    _check_conv_args(X, W, stride, padding)
    B, C_in, H, Wd = X.shape
    C_out, _, k, _ = W.shape
    expected = (B, C_out, _out_size(H, k, stride, padding), _out_size(Wd, k, stride, padding))
    if not isinstance(dO, Tensor) or tuple(dO.shape) != expected:
        got = tuple(dO.shape) if isinstance(dO, Tensor) else type(dO).__name__
        raise ValueError(f"dO must have the output's shape {expected} for X {tuple(X.shape)} and W {tuple(W.shape)}; got {got}")
    Xp = F.pad(X, (padding,) * 4)  # (B, C_in, Hp, Wp)
    G = _dilate(dO, stride)  # (B, C_out, Hg, Wg)
    # ∂L/∂W: batch plays the role of channels. (C_in, B, Hp, Wp) ⋆ (C_out, B, Hg, Wg) → (C_in, C_out, ·, ·)
    dW = _correlate(Xp.transpose(0, 1), G.transpose(0, 1)).transpose(0, 1)[:, :, :k, :k]  # (C_out, C_in, k, k)
    # ∂L/∂X̃: full correlation with the rotated kernel, channels swapped: (C_in, C_out, k, k)
    W_rot = W.flip(2, 3).transpose(0, 1)
    touched = _correlate(G, W_rot, padding=k - 1)  # (B, C_in, Hg + k − 1, Wg + k − 1)
    dXp = torch.zeros_like(Xp)
    dXp[:, :, : touched.shape[2], : touched.shape[3]] = touched  # rows the stride skipped get 0
    dX = dXp[:, :, padding : padding + H, padding : padding + Wd]
    db = dO.sum(dim=(0, 2, 3))
    return dX, dW, db


def im2col(X: Tensor, kernel_size: int, *, stride: int = 1, padding: int = 0) -> Tensor:
    """Every receptive field as a column: cols[b, (c, m, n), (i, j)] = X̃[b, c, s·i + m, s·j + n].

    Shape:
        X ``(B, C_in, H_in, W_in)`` → cols ``(B, C_in·k·k, H_out·W_out)`` (the layout of ``F.unfold``).

    Examples:
        >>> im2col(torch.arange(9.).reshape(1, 1, 3, 3), 2)[0]
        tensor([[0., 1., 3., 4.],
                [1., 2., 4., 5.],
                [3., 4., 6., 7.],
                [4., 5., 7., 8.]])
    """
    _check_conv_args(X, X.new_zeros(1, X.shape[1] if X.ndim == 4 else 1, kernel_size, kernel_size), stride, padding)
    B, C, H, Wd = X.shape
    k = kernel_size
    H_out, W_out = _out_size(H, k, stride, padding), _out_size(Wd, k, stride, padding)
    Xp = F.pad(X, (padding,) * 4)
    cols = X.new_empty(B, C, k, k, H_out, W_out)
    for m in range(k):
        for n in range(k):
            cols[:, :, m, n] = Xp[:, :, m : m + stride * H_out : stride, n : n + stride * W_out : stride]
    return cols.reshape(B, C * k * k, H_out * W_out)  # (B, C·k·k, L)


def col2im(cols: Tensor, input_shape: tuple[int, int, int, int], kernel_size: int, *, stride: int = 1, padding: int = 0) -> Tensor:
    """Adjoint of :func:`im2col`: add every column entry back to the pixel it was copied from.

    Shape:
        cols ``(B, C_in·k·k, H_out·W_out)`` → ``input_shape`` ``(B, C_in, H_in, W_in)``.

    Examples:
        >>> col2im(torch.ones(1, 4, 4), (1, 1, 3, 3), 2)[0, 0]  # how many windows cover each pixel
        tensor([[1., 2., 1.],
                [2., 4., 2.],
                [1., 2., 1.]])
    """
    B, C, H, Wd = input_shape
    k = kernel_size
    H_out, W_out = _out_size(H, k, stride, padding), _out_size(Wd, k, stride, padding)
    if tuple(cols.shape) != (B, C * k * k, H_out * W_out):
        raise ValueError(f"cols must have shape {(B, C * k * k, H_out * W_out)} for input {tuple(input_shape)}; got {tuple(cols.shape)}")
    cols = cols.reshape(B, C, k, k, H_out, W_out)
    Xp = cols.new_zeros(B, C, H + 2 * padding, Wd + 2 * padding)
    for m in range(k):
        for n in range(k):
            Xp[:, :, m : m + stride * H_out : stride, n : n + stride * W_out : stride] += cols[:, :, m, n]
    return Xp[:, :, padding : padding + H, padding : padding + Wd]


def conv2d_im2col(X: Tensor, W: Tensor, b: Tensor | None = None, *, stride: int = 1, padding: int = 0) -> Tensor:
    """:func:`conv2d` as one matrix product per image: O_mat = W_mat @ cols (+ b).

    Examples:
        >>> X, W = torch.randn(2, 3, 6, 6), torch.randn(4, 3, 3, 3)
        >>> torch.allclose(conv2d_im2col(X, W, padding=1), conv2d(X, W, padding=1), atol=1e-5)
        True
    """
    _check_conv_args(X, W, stride, padding)
    B, _, H, Wd = X.shape
    C_out, _, k, _ = W.shape
    cols = im2col(X, k, stride=stride, padding=padding)  # (B, C_in·k·k, L)
    O = W.reshape(C_out, -1) @ cols  # (C_out, C_in·k·k) @ (B, C_in·k·k, L) → (B, C_out, L)
    if b is not None:
        O = O + b.reshape(1, C_out, 1)
    return O.reshape(B, C_out, _out_size(H, k, stride, padding), _out_size(Wd, k, stride, padding))


def conv2d_backward_im2col(dO: Tensor, X: Tensor, W: Tensor, *, stride: int = 1, padding: int = 0) -> tuple[Tensor, Tensor, Tensor]:
    """:func:`conv2d_backward` as matrix products: dW_mat = Σ_b dO_mat colsᵀ, dcols = W_matᵀ dO_mat.

    Examples:
        >>> X, W = torch.randn(1, 2, 5, 5, dtype=torch.float64), torch.randn(3, 2, 3, 3, dtype=torch.float64)
        >>> dO = torch.randn(1, 3, 3, 3, dtype=torch.float64)
        >>> all(torch.allclose(a, b) for a, b in zip(conv2d_backward_im2col(dO, X, W), conv2d_backward(dO, X, W)))
        True
    """
    _check_conv_args(X, W, stride, padding)
    B, C_in, H, Wd = X.shape
    C_out, _, k, _ = W.shape
    cols = im2col(X, k, stride=stride, padding=padding)  # (B, C_in·k·k, L)
    dO_mat = dO.reshape(B, C_out, -1)  # (B, C_out, L)
    dW = (dO_mat @ cols.transpose(1, 2)).sum(0).reshape(W.shape)  # Σ_b (C_out, L) @ (L, C_in·k·k)
    dcols = W.reshape(C_out, -1).T @ dO_mat  # (C_in·k·k, C_out) @ (B, C_out, L) → (B, C_in·k·k, L)
    dX = col2im(dcols, (B, C_in, H, Wd), k, stride=stride, padding=padding)
    return dX, dW, dO.sum(dim=(0, 2, 3))


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
    if not isinstance(W, Tensor) or W.ndim != 4:
        raise ValueError(f"W must be a 4-D tensor (C_out, C_in, k_h, k_w); got {getattr(W, 'shape', type(W).__name__)}")
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


def max_pool2d(X: Tensor, kernel_size: int, stride: int | None = None) -> tuple[Tensor, Tensor]:
    """Max-pooling and where each maximum came from (the first one in row-major order on ties).

    Shape:
        X ``(B, C, H_in, W_in)`` → M ``(B, C, H_out, W_out)`` and the flat index into ``H_in·W_in``
        of each maximum, same shape (the convention of ``F.max_pool2d(return_indices=True)``).

    Examples:
        >>> M, idx = max_pool2d(torch.tensor([[[[1., 3.], [3., 2.]]]]), 2)
        >>> M.item(), idx.item()
        (3.0, 1)
    """
    if not isinstance(X, Tensor) or X.ndim != 4:
        raise ValueError(f"X must be 4-D (B, C, H_in, W_in); got {getattr(X, 'shape', type(X).__name__)}")
    k = kernel_size
    s = k if stride is None else stride
    B, C, H, Wd = X.shape
    if k < 1 or s < 1 or H < k or Wd < k:
        raise ValueError(f"pool window {k}×{k} with stride {s} does not fit input {H}×{Wd}")
    H_out, W_out = _out_size(H, k, s, 0), _out_size(Wd, k, s, 0)
    cols = im2col(X.reshape(B * C, 1, H, Wd), k, stride=s)  # (B·C, k·k, L)
    M, arg = cols.max(dim=1)  # torch.max returns the first maximal index
    m, n = arg // k, arg % k  # offset inside the window
    i = torch.arange(H_out).repeat_interleave(W_out)  # (L,) output row of each column
    j = torch.arange(W_out).repeat(H_out)
    flat = (s * i + m) * Wd + (s * j + n)  # (B·C, L) index into the H_in·W_in grid
    return M.reshape(B, C, H_out, W_out), flat.reshape(B, C, H_out, W_out)


def max_pool2d_backward(dM: Tensor, indices: Tensor, input_shape: tuple[int, int, int, int]) -> Tensor:
    """Route each ∂L/∂M entry to the input that was the maximum (and add where windows overlap).

    Examples:
        >>> X = torch.tensor([[[[1., 5., 2.], [0., 4., 3.]]]])
        >>> M, idx = max_pool2d(X, 2, stride=1)
        >>> max_pool2d_backward(torch.ones_like(M), idx, X.shape)
        tensor([[[[0., 2., 0.],
                  [0., 0., 0.]]]])
    """
    if tuple(dM.shape) != tuple(indices.shape):
        raise ValueError(f"dM and indices must have the same shape; got {tuple(dM.shape)} and {tuple(indices.shape)}")
    B, C, H, Wd = input_shape
    dX = dM.new_zeros(B, C, H * Wd)
    dX.scatter_add_(2, indices.reshape(B, C, -1), dM.reshape(B, C, -1))  # overlapping windows add up
    return dX.reshape(B, C, H, Wd)


__all__ = [
    "col2im", "conv2d", "conv2d_backward", "conv2d_backward_im2col", "conv2d_im2col", "conv_matrix",
    "im2col", "max_pool2d", "max_pool2d_backward",
]
