"""Exercises of the CNN chapter: a convolution's backward pass, its matrix, its arithmetic.

Truth by autograd through `F.conv2d` and by real `torch.nn.Conv2d` modules; each mistake is the
reference solution with one slip that the page describes.
"""

from __future__ import annotations

from functools import partial

import torch

from dlref.exercises.registry import Exercise, Mistake, gradients, randn, register

# The reader reaches these exercises through dlref.exercises (check, get, list_exercises); the
# functions here are the reference solutions a page's collapsed answer shows, not API of their own.
__all__: list[str] = []

F = torch.nn.functional

# ---------------------------------------------------------------- cnn/backprop


def conv_backward(X, Fw, dO):
    """∂L/∂F, ∂L/∂b and ∂L/∂X of O = conv2d(X, F) + b (stride 1, no padding), given ∂L/∂O.

    X: (C_in, H, W); Fw: (C_out, C_in, k, k); dO: (C_out, H − k + 1, W − k + 1).
    Return {"F": ∂L/∂F, "b": ∂L/∂b (C_out,), "X": ∂L/∂X}.
    """
    k = Fw.shape[-1]
    # ∂L/∂F[o, c] = X[c] ⋆ dO[o] (a correlation): channels of X act as the batch.
    dF = F.conv2d(X[:, None], dO[:, None]).transpose(0, 1)  # (C_out, C_in, k, k)
    # ∂L/∂X = full convolution of dO with the flipped filter.
    dX = F.conv2d(F.pad(dO, (k - 1,) * 4)[None], Fw.flip(-1, -2).transpose(0, 1))[0]
    return {"F": dF, "b": dO.sum((1, 2)), "X": dX}


def _conv_slip(X, Fw, dO, *, slip):
    out = conv_backward(X, Fw, dO)
    k = Fw.shape[-1]
    if slip == "no-flip":
        out["X"] = F.conv2d(F.pad(dO, (k - 1,) * 4)[None], Fw.transpose(0, 1))[0]
    if slip == "flipped-dF":
        out["F"] = out["F"].flip(-1, -2)
    if slip == "bias-mean":
        out["b"] = dO.mean((1, 2))
    return out


def _conv_truth(X, Fw, dO):
    b = torch.zeros(Fw.shape[0], dtype=X.dtype)
    g = gradients(lambda X, Fw, b: (F.conv2d(X[None], Fw, b)[0] * dO).sum(), dict(X=X, Fw=Fw, b=b), ["Fw", "b", "X"])
    return {"F": g["Fw"], "b": g["b"], "X": g["X"]}


register(Exercise(
    page="cnn/backprop",
    task=r"Backpropagate through a multi-channel convolution: return $\partial L/\partial F$, $\partial L/\partial b$ "
         r"and $\partial L/\partial X$ given $\partial L/\partial O$.",
    inputs=lambda gen: dict(X=randn(gen, 2, 5, 6), Fw=randn(gen, 3, 2, 3, 3), dO=randn(gen, 3, 3, 4)),
    truth=_conv_truth,
    solution=conv_backward,
    mistakes=(
        Mistake("∂L/∂X without flipping the filter", "common-mistakes", partial(_conv_slip, slip="no-flip"),
                "∂L/∂X is a full convolution with the 180°-rotated filter (a correlation with F itself is wrong)."),
        Mistake("∂L/∂F flipped (a convolution instead of a correlation)", "common-mistakes",
                partial(_conv_slip, slip="flipped-dF"),
                "Layers compute a correlation, so ∂L/∂F = X ⋆ ∂L/∂O without a flip."),
        Mistake("∂L/∂b averaged over positions", "derivation", partial(_conv_slip, slip="bias-mean"),
                "b is added at every output position: its gradient is the sum of ∂L/∂O over them."),
    ),
    hint="∂L/∂F[o, c, m, n] = Σᵢⱼ X[c, i + m, j + n] dO[o, i, j]; write that loop first if unsure.",
))

# ---------------------------------------------------------------- cnn/conv-as-matrix


def conv_matrix(Fw, H, W):
    """The matrix M with vec(conv2d(X, F)) = M vec(X), vec flattening (channel, row, column) row-major.

    Fw: (C_out, C_in, k, k); H, W: the input's height and width (stride 1, no padding).
    Return {"M": (C_out·(H−k+1)·(W−k+1), C_in·H·W)}.
    """
    C_out, C_in, k, _ = Fw.shape
    Ho, Wo = H - k + 1, W - k + 1
    M = torch.zeros(C_out, Ho, Wo, C_in, H, W, dtype=Fw.dtype)
    for i in range(Ho):
        for j in range(Wo):
            M[:, i, j, :, i:i + k, j:j + k] = Fw  # output (o, i, j) reads the window at (i, j)
    return {"M": M.reshape(C_out * Ho * Wo, C_in * H * W)}


def _conv_matrix_slip(Fw, H, W, *, slip):
    if slip == "flip":
        return conv_matrix(Fw.flip(-1, -2), H, W)
    C_out, C_in, k, _ = Fw.shape
    Ho, Wo = H - k + 1, W - k + 1
    M = conv_matrix(Fw, H, W)["M"].reshape(C_out, Ho, Wo, C_in, H, W)
    # vec taken column by column (column-major inside each channel) on both sides
    return {"M": M.transpose(1, 2).transpose(4, 5).reshape(C_out * Ho * Wo, C_in * H * W)}


def _conv_matrix_truth(Fw, H, W):
    C_in = Fw.shape[1]
    J = torch.autograd.functional.jacobian(lambda x: F.conv2d(x.reshape(1, C_in, H, W), Fw).reshape(-1),
                                           torch.zeros(C_in * H * W, dtype=Fw.dtype))
    return {"M": J}


register(Exercise(
    page="cnn/conv-as-matrix",
    task=r"Build the matrix of a convolution: the fully connected layer with tied, sparse weights that computes it.",
    inputs=lambda gen: dict(Fw=randn(gen, 2, 2, 2, 2), H=3, W=4),
    truth=_conv_matrix_truth, solution=conv_matrix,
    mistakes=(
        Mistake("the kernel flipped (a true convolution)", "common-mistakes", partial(_conv_matrix_slip, slip="flip"),
                "conv2d is a correlation: output (i, j) multiplies X[i + m, j + n] by F[m, n]."),
        Mistake("vec taken column by column", "common-mistakes", partial(_conv_matrix_slip, slip="column-major"),
                "Flattening must use the same order on both sides as PyTorch's reshape: row-major."),
    ),
    hint="row (o, i, j) of M holds F[o] at the columns of the input window whose corner is (i, j).",
))

# ---------------------------------------------------------------- cnn/arithmetic


def conv_arithmetic(H, k, p, s, C_in, C_out):
    """Output size, parameter count and multiplications of a square Conv2d layer.

    H: input height = width; k: kernel size; p: padding; s: stride; C_in, C_out: channels.
    Return {"out": output height, "params": weights + biases, "mults": multiplications} (as numbers).
    """
    out = (H + 2 * p - k) // s + 1
    return {"out": torch.tensor(float(out)), "params": torch.tensor(float((k * k * C_in + 1) * C_out)),
            "mults": torch.tensor(float(out * out * k * k * C_in * C_out))}


def _arith_slip(H, k, p, s, C_in, C_out, *, slip):
    out = (H + 2 * p - k) / s + 1 if slip == "exact" else (H + 2 * p - k) // s + 1
    per_filter = k * k if slip == "no-cin" else k * k * C_in
    return {"out": torch.tensor(float(out)), "params": torch.tensor(float((per_filter + 1) * C_out)),
            "mults": torch.tensor(float(out * out * per_filter * C_out))}


def _arith_truth(H, k, p, s, C_in, C_out):
    layer = torch.nn.Conv2d(C_in, C_out, k, stride=s, padding=p)
    out = layer(torch.zeros(1, C_in, H, H)).shape[-1]
    params = sum(t.numel() for t in layer.parameters())
    return {"out": torch.tensor(float(out)), "params": torch.tensor(float(params)),
            "mults": torch.tensor(float(out * out * layer.weight.numel()))}


def _arith_inputs(gen):
    k = int(torch.randint(2, 6, (1,), generator=gen))
    s = int(torch.randint(2, 4, (1,), generator=gen))
    p = int(torch.randint(0, 3, (1,), generator=gen))
    H = int(torch.randint(12, 30, (1,), generator=gen))
    if (H + 2 * p - k) % s == 0:
        H += 1  # a size that does not divide evenly, where the floor matters
    return dict(H=H, k=k, p=p, s=s, C_in=int(torch.randint(2, 8, (1,), generator=gen)),
                C_out=int(torch.randint(2, 8, (1,), generator=gen)))


register(Exercise(
    page="cnn/arithmetic",
    task=r"Return a convolution layer's output size, parameter count and number of multiplications; "
         r"they must agree with a real `torch.nn.Conv2d`.",
    inputs=_arith_inputs, truth=_arith_truth, solution=conv_arithmetic,
    mistakes=(
        Mistake("the floor dropped", "common-mistakes", partial(_arith_slip, slip="exact"),
                "(H + 2p − k)/s need not be an integer; the layer rounds down."),
        Mistake("C_in left out of the filter size", "common-mistakes", partial(_arith_slip, slip="no-cin"),
                "A k × k filter on C_in channels has k·k·C_in weights."),
    ),
    hint="out = ⌊(H + 2p − k)/s⌋ + 1; a filter has k·k·C_in weights and one bias.",
))
