"""Boolean functions computed by networks of threshold units, and learned with sigmoid units.

A threshold unit fires when its weighted input reaches zero:

.. math::

    h = \\operatorname{step}(\\mathbf w^\\top \\mathbf x + b),\\qquad
    \\operatorname{step}(z) = \\begin{cases} 1 & z \\ge 0 \\\\ 0 & z < 0 \\end{cases}

A [`ThresholdNetwork`][dlref.logic.ThresholdNetwork] stacks such layers; its weights are plain data, a list of
``(W, b)`` pairs, so a page can state them, check them on every input, and show which
inputs a wrong set of weights gets wrong. [`truth_table()`][dlref.logic.truth_table] enumerates the ``2ⁿ`` inputs
of a Python boolean function, the independent reference a network is checked against.
[`SigmoidNetwork`][dlref.logic.SigmoidNetwork] and [`fit_boolean()`][dlref.logic.fit_boolean] learn the same functions by full-batch
gradient descent on the binary cross-entropy; a learned network is read as boolean by
thresholding its output at ``1/2`` (equivalently, its last pre-activation at ``0``).
[`asummable_pair()`][dlref.logic.asummable_pair] finds a certificate that no single threshold unit computes a given
function, which turns "one hidden unit is not enough" into a checked statement.

See the site pages under *Logic with neurons* (logic/hamming.md, logic/xor-of-ors.md).
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Mapping, Sequence

import torch
from torch import nn

from dlref import validate

Tensor = torch.Tensor


# ---------------------------------------------------------------------------------------------
# validation helpers


def _require_binary(name: str, x: object, *, dims: tuple[int, ...] = (1, 2)) -> Tensor:
    validate.tensor(name, x, ndim=dims)
    if x.is_complex():
        raise TypeError(f"{name} must be real; got dtype {x.dtype}")
    if x.numel() and not ((x == 0) | (x == 1)).all():
        bad = x[(x != 0) & (x != 1)].flatten()[0].item()
        raise ValueError(f"{name} must contain only 0s and 1s; found {bad}")
    return x


# ---------------------------------------------------------------------------------------------
# enumeration


def step(z: Tensor) -> Tensor:
    """Heaviside step with ``step(0) = 1``: ``1`` where ``z ≥ 0``, else ``0``, in ``z``'s dtype.

    Args:
        z: pre-activations.

    Shape:
        any; returns the shape of ``z``.

    Returns:
        A tensor of 0s and 1s.

    Raises:
        TypeError: ``z`` is not a real floating-point tensor.

    Examples:
        >>> import torch
        >>> step(torch.tensor([-0.5, 0.0, 2.0]))
        tensor([0., 1., 1.])
    """
    validate.floating_tensor("z", z)
    return (z >= 0).to(z.dtype)


def all_inputs(n_inputs: int, *, dtype: torch.dtype = torch.float64) -> Tensor:
    """Every binary input of length ``n``, one per row, in counting order (first bit most significant).

    Row ``r`` holds the binary digits of ``r``: row 0 is all zeros, row ``2ⁿ − 1`` all ones.

    Args:
        n_inputs: number of input bits ``n`` (1 to 20).
        dtype: dtype of the result.

    Shape:
        returns ``(2ⁿ, n)``.

    Raises:
        TypeError: ``n_inputs`` is not an int.
        ValueError: ``n_inputs`` is outside 1–20.

    Examples:
        >>> all_inputs(2)
        tensor([[0., 0.],
                [0., 1.],
                [1., 0.],
                [1., 1.]], dtype=torch.float64)
    """
    validate.positive_int("n_inputs", n_inputs, maximum=20)  # 2ⁿ rows are materialised
    validate.dtype("dtype", dtype)
    rows = torch.arange(2**n_inputs).unsqueeze(1)  # (2ⁿ, 1)
    shifts = torch.arange(n_inputs - 1, -1, -1)  # (n,): most significant bit first
    return ((rows >> shifts) & 1).to(dtype)  # (2ⁿ, n)


def truth_table(fn: Callable[..., object], n_inputs: int, *, dtype: torch.dtype = torch.float64) -> tuple[Tensor, Tensor]:
    """Evaluate a Python boolean function on all ``2ⁿ`` inputs.

    ``fn`` is called once per input with ``n`` ints (0 or 1), in the row order of
    [`all_inputs()`][dlref.logic.all_inputs], and returns one truth value (``bool`` or 0/1) or a sequence of them.
    This is the reference a network is checked against: it uses Python's own ``^``, ``&``,
    ``|``, not any weights.

    Args:
        fn: the boolean function, ``fn(x1, …, xn) -> value or (value, …)``.
        n_inputs: number of inputs ``n``.
        dtype: dtype of both returned tensors.

    Shape:
        returns ``X`` ``(2ⁿ, n)`` and ``Y`` ``(2ⁿ, M)``, ``M`` the number of outputs (1 for a
        single value).

    Returns:
        ``(X, Y)``.

    Raises:
        TypeError: ``fn`` is not callable or returns something other than truth values.
        ValueError: an output is not 0/1, or the number of outputs changes between inputs.

    Examples:
        >>> X, Y = truth_table(lambda a, b: a ^ b, 2)
        >>> Y.flatten().tolist()
        [0.0, 1.0, 1.0, 0.0]
    """
    validate.callable_("fn", fn)
    X = all_inputs(n_inputs, dtype=dtype)
    rows: list[list[int]] = []
    for x in X.to(torch.int64).tolist():
        out = fn(*x)
        values = list(out) if isinstance(out, (tuple, list)) else [out]
        for v in values:
            if isinstance(v, Tensor) and v.numel() == 1:
                v = v.item()
            if not isinstance(v, (bool, int)) and not (isinstance(v, float) and v.is_integer()):
                raise TypeError(f"fn must return truth values (bool or 0/1); got {type(v).__name__} {v!r} for input {x}")
            if v not in (0, 1):
                raise ValueError(f"fn must return 0 or 1; got {v!r} for input {x}")
        if rows and len(values) != len(rows[0]):
            raise ValueError(f"fn returned {len(rows[0])} outputs for input {X[0].to(torch.int64).tolist()} "
                             f"but {len(values)} for input {x}")
        rows.append([int(v) for v in values])
    return X, torch.tensor(rows, dtype=dtype)  # (2ⁿ, M)


def disagreements(got: Tensor, expected: Tensor) -> Tensor:
    """Indices of the rows where two truth tables differ in any output.

    Args:
        got: outputs of the network under test, 0s and 1s.
        expected: the reference outputs, 0s and 1s.

    Shape:
        both ``(B, M)`` or both ``(B,)``; returns ``(F,)``, ``F`` the number of differing rows.

    Raises:
        TypeError: an argument is not a tensor.
        ValueError: shapes differ, or a value is not 0/1.

    Examples:
        >>> import torch
        >>> disagreements(torch.tensor([[0., 1.], [1., 1.]]), torch.tensor([[0., 1.], [1., 0.]]))
        tensor([1])
    """
    _require_binary("got", got)
    _require_binary("expected", expected)
    if got.shape != expected.shape:
        raise ValueError(f"got and expected must have the same shape; got {tuple(got.shape)} and {tuple(expected.shape)}")
    differ = got.to(torch.float64) != expected.to(torch.float64)  # (B, M) or (B,)
    if differ.dim() == 2:
        differ = differ.any(dim=1)
    return differ.nonzero().flatten()


def format_truth_table(X: Tensor, columns: Mapping[str, Tensor], *, input_names: Sequence[str] | None = None) -> str:
    """A plain-text table: the input bits, then one column per named output (0/1 or real).

    Args:
        X: the inputs, one per row (0s and 1s).
        columns: name → values; a ``(B,)`` tensor is one column, a ``(B, M)`` tensor is shown
            as its ``M`` bits run together (``"101"``). Real values are shown with 2 decimals.
        input_names: one header per input column (default ``x1 … xn``).

    Shape:
        ``X`` ``(B, n)``; each column ``(B,)`` or ``(B, M)``.

    Returns:
        The table as a string, one line per row after a header line.

    Raises:
        TypeError: ``X`` or a column is not a tensor.
        ValueError: a column has a different number of rows, or ``input_names`` has the wrong length.

    Examples:
        >>> X, Y = truth_table(lambda a, b: a & b, 2)
        >>> print(format_truth_table(X, {"a∧b": Y}, input_names=["a", "b"]))
        a b | a∧b
        0 0 | 0
        0 1 | 0
        1 0 | 0
        1 1 | 1
    """
    _require_binary("X", X, dims=(2,))
    validate.instance("columns", columns, Mapping)
    validate.optional(validate.each, "input_names", input_names, validate.instance, str, min_length=0)
    n = X.shape[1]
    names = list(input_names) if input_names is not None else [f"x{i + 1}" for i in range(n)]
    if len(names) != n:
        raise ValueError(f"input_names must name all {n} inputs; got {len(names)}")
    cells: list[list[str]] = []
    for key, col in columns.items():
        if not isinstance(col, Tensor):
            raise TypeError(f"column {key!r} must be a tensor; got {type(col).__name__}")
        if col.shape[0] != X.shape[0] or col.dim() not in (1, 2):
            raise ValueError(f"column {key!r} must be ({X.shape[0]},) or ({X.shape[0]}, M); got {tuple(col.shape)}")
        c = col if col.dim() == 2 else col.unsqueeze(1)  # (B, M)
        binary = bool(((c == 0) | (c == 1)).all())
        if binary:
            cells.append(["".join(str(int(v)) for v in row) for row in c.tolist()])
        else:
            cells.append([" ".join(f"{v:.2f}" for v in row) for row in c.tolist()])
    widths = [max(len(k), *(len(s) for s in col)) for k, col in zip(columns, cells)]
    in_w = [len(s) for s in names]
    header = " ".join(names) + " | " + "  ".join(k.ljust(w) for k, w in zip(columns, widths))
    lines = [header.rstrip()]
    for r, x in enumerate(X.to(torch.int64).tolist()):
        left = " ".join(str(v).ljust(w) for v, w in zip(x, in_w))
        right = "  ".join(col[r].ljust(w) for col, w in zip(cells, widths))
        lines.append((left + " | " + right).rstrip())
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# threshold networks


def _check_layer(name: str, pair: object) -> None:
    """One ``(W, b)`` pair of floating tensors: ``W`` ``(K_out, K_in)``, ``b`` ``(K_out,)``, one dtype."""
    validate.each(name, pair, validate.floating_tensor, min_length=2, max_length=2)
    W, b = pair
    validate.floating_tensor(f"{name} W", W, ndim=2)
    validate.shape(f"{name} b", b, (W.shape[0],), "(K_out,)")
    validate.same_dtype(**{f"{name} W": W, f"{name} b": b})


class ThresholdNetwork:
    """Layers of threshold units, ``h⁽ˡ⁾ = step(W⁽ˡ⁾ h⁽ˡ⁻¹⁾ + b⁽ˡ⁾)`` with ``h⁽⁰⁾ = x``.

    The weights are data: ``layers`` is a list of ``(W, b)`` pairs, ``W`` of shape
    ``(K_out, K_in)`` as in ``torch.nn.Linear``. Consecutive layers must chain
    (``K_in`` of a layer equals ``K_out`` of the one before).

    Args:
        layers: ``[(W1, b1), (W2, b2), …]``, floating-point tensors of one dtype.

    Shape:
        input ``(B, D)`` or ``(D,)`` of 0s and 1s with ``D = W1.shape[1]``; output
        ``(B, M)`` or ``(M,)`` with ``M`` the last layer's ``K_out``.

    Raises:
        TypeError: ``layers`` is not a sequence of pairs of floating-point tensors of one dtype.
        ValueError: ``layers`` is empty, a ``W`` is not a matrix, a ``b`` does not match its
            ``W``, or consecutive layers do not chain.

    Examples:
        >>> import torch
        >>> AND = ThresholdNetwork([(torch.tensor([[1.0, 1.0]]), torch.tensor([-1.5]))])
        >>> AND(all_inputs(2, dtype=torch.float32)).flatten()
        tensor([0., 0., 0., 1.])
    """

    def __init__(self, layers: Sequence[tuple[Tensor, Tensor]]) -> None:
        validate.each("layers", layers, _check_layer)
        for l in range(1, len(layers)):  # consecutive layers chain: K_in of layer l is K_out of layer l − 1
            validate.shape(f"layers[{l}] W", layers[l][0], (None, layers[l - 1][0].shape[0]), "(K_out, K_in)")
        validate.same_dtype(**{f"layers[{l}] W": W for l, (W, _) in enumerate(layers)})
        self.layers = [(W, b) for W, b in layers]

    @property
    def n_inputs(self) -> int:
        """``D``, the number of input bits."""
        return self.layers[0][0].shape[1]

    @property
    def widths(self) -> list[int]:
        """Units per layer, input first: ``[D, K1, …, M]``."""
        return [self.n_inputs] + [W.shape[0] for W, _ in self.layers]

    def __repr__(self) -> str:
        return f"ThresholdNetwork(widths={self.widths})"

    def trace(self, x: Tensor) -> list[tuple[Tensor, Tensor]]:
        """Pre-activations and outputs of every layer: ``[(z1, h1), (z2, h2), …]``.

        Args:
            x: inputs of 0s and 1s (any real dtype; cast to the weights' dtype).

        Shape:
            ``x`` ``(B, D)`` or ``(D,)``; ``z_l`` and ``h_l`` ``(B, K_l)`` or ``(K_l,)``.

        Raises:
            TypeError: ``x`` is not a real tensor.
            ValueError: ``x`` has the wrong width or a value other than 0 and 1.
        """
        _require_binary("x", x)
        if x.shape[-1] != self.n_inputs:
            raise ValueError(f"x must have D = {self.n_inputs} columns; got shape {tuple(x.shape)}")
        h = x.to(self.layers[0][0].dtype)
        out = []
        for W, b in self.layers:
            z = h @ W.T + b  # (B, K_in) @ (K_in, K_out) → (B, K_out)
            h = step(z)
            out.append((z, h))
        return out

    def __call__(self, x: Tensor) -> Tensor:
        """The last layer's output, ``(B, M)`` or ``(M,)``; see [`trace()`][dlref.logic.ThresholdNetwork.trace]."""
        return self.trace(x)[-1][1]


# ---------------------------------------------------------------------------------------------
# learning with sigmoid units


class SigmoidNetwork(nn.Module):
    """Layers of sigmoid units, ``h⁽ˡ⁾ = σ(W⁽ˡ⁾ h⁽ˡ⁻¹⁾ + b⁽ˡ⁾)``: the trainable twin of [`ThresholdNetwork`][dlref.logic.ThresholdNetwork].

    The output ``σ(z)`` is read as the probability that a bit is 1; [`predict()`][dlref.logic.SigmoidNetwork.predict]
    thresholds it at ``1/2``, which is ``step`` applied to the last pre-activation ``z``.

    Args:
        widths: ``[D, K1, …, M]``: inputs, hidden units per layer, outputs.
        init_scale: each weight and bias starts uniform on ``(−s/√K_in, s/√K_in)``;
            ``s = 1`` is ``torch.nn.Linear``'s default.
        dtype: parameter dtype.
        generator: random generator for a reproducible initialisation.

    Shape:
        input ``(B, D)`` or ``(D,)``; output ``(B, M)`` or ``(M,)``.

    Raises:
        TypeError: ``widths`` is not a sequence of ints.
        ValueError: fewer than two widths, or a width below 1.

    Examples:
        >>> import torch
        >>> net = SigmoidNetwork([4, 3, 1], generator=torch.Generator().manual_seed(0))
        >>> net
        SigmoidNetwork(widths=[4, 3, 1])
        >>> net.predict(all_inputs(4)).shape
        torch.Size([16, 1])
    """

    def __init__(self, widths: Sequence[int], *, init_scale: float = 1.0, dtype: torch.dtype = torch.float64,
                 generator: torch.Generator | None = None) -> None:
        super().__init__()
        validate.each("widths", widths, validate.positive_int, min_length=2)  # [D, K1, …, M]
        validate.real("init_scale", init_scale, low=0.0, low_open=True)
        validate.dtype("dtype", dtype, floating=True)
        validate.instance("generator", generator, torch.Generator, optional=True)
        self.widths = list(widths)
        self.W = nn.ParameterList()
        self.b = nn.ParameterList()
        for k_in, k_out in itertools.pairwise(widths):
            bound = init_scale * k_in ** -0.5
            self.W.append(nn.Parameter((torch.rand(k_out, k_in, generator=generator, dtype=dtype) * 2 - 1) * bound))
            self.b.append(nn.Parameter((torch.rand(k_out, generator=generator, dtype=dtype) * 2 - 1) * bound))

    def extra_repr(self) -> str:
        return f"widths={self.widths}"

    def __repr__(self) -> str:
        return f"SigmoidNetwork({self.extra_repr()})"

    def trace(self, x: Tensor) -> list[tuple[Tensor, Tensor]]:
        """Pre-activations and sigmoid outputs of every layer, ``[(z1, h1), …]``.

        Raises:
            TypeError: ``x`` is not a real tensor.
            ValueError: ``x`` has the wrong width or dims.
        """
        validate.tensor("x", x)
        if x.is_complex():
            raise TypeError(f"x must be a real tensor; got dtype {x.dtype}")
        if x.dim() not in (1, 2) or x.shape[-1] != self.widths[0]:
            raise ValueError(f"x must be (B, D) or (D,) with D = {self.widths[0]}; got {tuple(x.shape)}")
        h = x.to(self.W[0].dtype)
        out = []
        for W, b in zip(self.W, self.b):
            z = h @ W.T + b  # (B, K_in) @ (K_in, K_out) → (B, K_out)
            h = torch.sigmoid(z)
            out.append((z, h))
        return out

    def logits(self, x: Tensor) -> Tensor:
        """The last pre-activation ``z``, ``(B, M)``: the input of the loss."""
        return self.trace(x)[-1][0]

    def forward(self, x: Tensor) -> Tensor:
        return self.trace(x)[-1][1]

    @torch.no_grad()
    def predict(self, x: Tensor) -> Tensor:
        """Boolean outputs: ``σ(z) ≥ 1/2``, i.e. ``step(z)``, as 0s and 1s in the parameters' dtype."""
        return step(self.logits(x))

    @torch.no_grad()
    def gradients(self, x: Tensor, Y: Tensor) -> tuple[Tensor, list[tuple[Tensor, Tensor]]]:
        """Mean binary cross-entropy and its gradient for every layer, by the hand-derived recursion.

        With ``L = −(1/BM) Σ [Y log σ(z) + (1 − Y) log(1 − σ(z))]`` on the last layer's
        pre-activations ``z`` and ``h⁽⁰⁾ = x``::

            δ⁽ᴸ⁾ = (σ(z⁽ᴸ⁾) − Y) / (B M)                 ∂L/∂z at the output
            ∇W⁽ˡ⁾ = δ⁽ˡ⁾ᵀ h⁽ˡ⁻¹⁾,   ∇b⁽ˡ⁾ = δ⁽ˡ⁾ᵀ 1        outer products summed over the batch
            δ⁽ˡ⁻¹⁾ = (δ⁽ˡ⁾ W⁽ˡ⁾) ⊙ h⁽ˡ⁻¹⁾ ⊙ (1 − h⁽ˡ⁻¹⁾)  σ′ = σ(1 − σ)

        Args:
            x: inputs, ``(B, D)``.
            Y: targets in ``[0, 1]``, ``(B, M)``.

        Returns:
            ``(loss, [(∇W1, ∇b1), …])``, each gradient with its parameter's shape.

        Raises:
            TypeError: ``x`` or ``Y`` is not a real tensor.
            ValueError: shapes do not fit the network or each other.
        """
        validate.tensor("Y", Y)
        if Y.is_complex():
            raise TypeError(f"Y must be a real tensor; got dtype {Y.dtype}")
        validate.probabilities("Y", Y)
        tr = self.trace(x)
        if x.dim() != 2:
            raise ValueError(f"x must be a batch (B, D); got {tuple(x.shape)}")
        B, M = tr[-1][0].shape
        if Y.shape != (B, M):
            raise ValueError(f"Y must be (B, M) = ({B}, {M}) to match x and the network; got {tuple(Y.shape)}")
        z = tr[-1][0]
        Y = Y.to(z.dtype)
        loss = nn.functional.binary_cross_entropy_with_logits(z, Y)
        hs = [x.to(z.dtype)] + [h for _, h in tr]  # h⁽⁰⁾ … h⁽ᴸ⁾
        delta = (tr[-1][1] - Y) / (B * M)  # (B, M): δ⁽ᴸ⁾
        grads: list[tuple[Tensor, Tensor]] = []
        for l in range(len(self.W) - 1, -1, -1):
            h_prev = hs[l]  # (B, K_in)
            grads.append((delta.T @ h_prev, delta.sum(0)))  # (K_out, B) @ (B, K_in) → (K_out, K_in)
            if l > 0:
                delta = (delta @ self.W[l]) * h_prev * (1 - h_prev)  # (B, K_out) @ (K_out, K_in) → (B, K_in)
        return loss, grads[::-1]

    def layers(self) -> list[tuple[Tensor, Tensor]]:
        """Detached copies of the weights as ``[(W1, b1), …]``, the format [`ThresholdNetwork`][dlref.logic.ThresholdNetwork] takes."""
        return [(W.detach().clone(), b.detach().clone()) for W, b in zip(self.W, self.b)]


@contextlib.contextmanager
def _one_thread():
    # A truth table has at most a few thousand rows: handing each tiny op to a thread pool costs
    # more than the arithmetic (several times slower on a busy two-core machine), so the training
    # loop runs on one thread and puts the caller's setting back afterwards.
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(n)


def fit_boolean(X: Tensor, Y: Tensor, hidden: int | Sequence[int], *, steps: int = 5000, lr: float = 1.0,
                seed: int = 0, init_scale: float = 1.0, dtype: torch.dtype = torch.float64) -> tuple[SigmoidNetwork, Tensor]:
    """Learn a truth table with a [`SigmoidNetwork`][dlref.logic.SigmoidNetwork] by full-batch gradient descent.

    Minimises the mean binary cross-entropy over all rows and outputs,
    ``L = −mean(Y log σ(z) + (1 − Y) log(1 − σ(z)))``, with the update
    ``θ ← θ − α ∇_θ L`` applied ``steps`` times from a random initialisation drawn from
    ``torch.Generator().manual_seed(seed)``. The gradient is [`SigmoidNetwork.gradients()`][dlref.logic.SigmoidNetwork.gradients];
    the loop runs with one intra-op thread (restored on return), which is much faster for
    tensors this small.

    Args:
        X: inputs, 0s and 1s (usually [`all_inputs()`][dlref.logic.all_inputs]).
        Y: target outputs, 0s and 1s.
        hidden: hidden units, one int per hidden layer (an int means one hidden layer).
        steps: number of gradient steps.
        lr: learning rate ``α``.
        seed: seed of the initialisation.
        init_scale: scale of the initial weights, see [`SigmoidNetwork`][dlref.logic.SigmoidNetwork].
        dtype: parameter dtype.

    Shape:
        ``X`` ``(B, D)``; ``Y`` ``(B, M)`` or ``(B,)`` (treated as ``M = 1``).

    Returns:
        ``(net, losses)``: the trained network and the loss before each step, ``(steps,)``.

    Raises:
        TypeError: ``X`` or ``Y`` is not a tensor, or ``hidden``/``steps`` are not ints.
        ValueError: non-binary values, different numbers of rows, or a non-positive ``lr``.

    Examples:
        >>> X, Y = truth_table(lambda a, b: a ^ b, 2)
        >>> net, losses = fit_boolean(X, Y, hidden=2, steps=3000, lr=5.0, seed=0)
        >>> disagreements(net.predict(X), Y).numel(), bool(losses[-1] < losses[0])
        (0, True)
    """
    _require_binary("X", X, dims=(2,))
    _require_binary("Y", Y)
    if Y.dim() == 1:
        Y = Y.unsqueeze(1)  # (B, 1)
    if X.shape[0] != Y.shape[0]:
        raise ValueError(f"X and Y must have the same number of rows; got X {tuple(X.shape)} and Y {tuple(Y.shape)}")
    hidden_list = [hidden] if isinstance(hidden, int) and not isinstance(hidden, bool) else hidden
    validate.each("hidden", hidden_list, validate.positive_int, min_length=0)
    validate.positive_int("steps", steps)
    validate.real("lr", lr, low=0.0, low_open=True)
    validate.positive_int("seed", seed, minimum=0)
    net = SigmoidNetwork([X.shape[1], *hidden_list, Y.shape[1]], init_scale=init_scale, dtype=dtype,
                         generator=torch.Generator().manual_seed(seed))
    Xd, Yd = X.to(dtype), Y.to(dtype)
    losses = torch.empty(steps, dtype=dtype)
    with torch.no_grad(), _one_thread():
        for t in range(steps):
            loss, grads = net.gradients(Xd, Yd)  # hand-derived; the logic pages check it against autograd
            for W, b, (gW, gb) in zip(net.W, net.b, grads):
                W -= lr * gW  # W ← W − α ∇W L
                b -= lr * gb  # b ← b − α ∇b L
            losses[t] = loss
    return net, losses


# ---------------------------------------------------------------------------------------------
# a certificate that one threshold unit is not enough


def asummable_pair(X: Tensor, y: Tensor) -> tuple[int, int, int, int] | None:
    """Two inputs labelled 1 and two labelled 0 whose sums are equal, or ``None``.

    If ``x_i + x_j = x_k + x_l`` with ``y_i = y_j = 1`` and ``y_k = y_l = 0``, no threshold
    unit computes ``y``: ``w·x_i + b ≥ 0`` and ``w·x_j + b ≥ 0`` add up to
    ``w·(x_i + x_j) + 2b ≥ 0``, while ``w·x_k + b < 0`` and ``w·x_l + b < 0`` add up to
    ``w·(x_k + x_l) + 2b < 0`` for the same vector. (``None`` does not prove the opposite.)

    Args:
        X: inputs, one per row.
        y: one label per row, 0s and 1s.

    Shape:
        ``X`` ``(B, D)``, ``y`` ``(B,)`` or ``(B, 1)``.

    Returns:
        Row indices ``(i, j, k, l)`` with ``i ≤ j``, ``k ≤ l``, or ``None`` when there is none.

    Raises:
        TypeError: an argument is not a tensor.
        ValueError: non-binary values, or row counts differ.

    Examples:
        >>> X, y = truth_table(lambda a, b: a ^ b, 2)
        >>> asummable_pair(X, y)
        (1, 2, 0, 3)
    """
    _require_binary("X", X, dims=(2,))
    _require_binary("y", y)
    if y.dim() == 2:
        if y.shape[1] != 1:
            raise ValueError(f"y must be one label per row, (B,) or (B, 1); got {tuple(y.shape)}")
        y = y[:, 0]
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"X and y must have the same number of rows; got X {tuple(X.shape)} and y {tuple(y.shape)}")
    rows = [tuple(r) for r in X.to(torch.int64).tolist()]
    ones = [i for i, v in enumerate(y.tolist()) if v == 1]
    zeros = [i for i, v in enumerate(y.tolist()) if v == 0]
    sums: dict[tuple[int, ...], tuple[int, int]] = {}
    for i, j in itertools.combinations_with_replacement(ones, 2):
        sums.setdefault(tuple(a + b for a, b in zip(rows[i], rows[j])), (i, j))
    for k, l in itertools.combinations_with_replacement(zeros, 2):
        s = tuple(a + b for a, b in zip(rows[k], rows[l]))
        if s in sums:
            return (*sums[s], k, l)
    return None
