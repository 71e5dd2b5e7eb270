"""Exercises of the backpropagation chapter: the reader derives each gradient and codes it.

Each exercise's truth is autograd; the reference solutions are the page's formulas; each mistake
is the same code with one slip a page's "Common mistake" box or list describes.
"""

from __future__ import annotations

from functools import partial

import torch

from dlref.exercises.registry import Exercise, Mistake, gradients, one_hot, randn, register

# The reader reaches these exercises through dlref.exercises (check, get, list_exercises); the
# functions here are the reference solutions a page's collapsed answer shows, not API of their own.
__all__: list[str] = []

# ---------------------------------------------------------------- backprop/mlp


def mlp_gradients(x, y, W, b1, V, b2):
    """Gradients of the mean cross-entropy of a one-hidden-layer ReLU network.

    x: (B, D) inputs; y: (B, C) one-hot targets; W: (K, D); b1: (K,); V: (C, K); b2: (C,).
    Forward: Z = x Wᵀ + b1, H = ReLU(Z), A = H Vᵀ + b2, L = mean over the batch of CE(y, softmax(A)).
    Return {"W": ∇W, "b1": ∇b1, "V": ∇V, "b2": ∇b2, "x": ∇x}, each the shape of its variable.
    """
    B = x.shape[0]
    Z = x @ W.T + b1  # (B, K)
    H = torch.relu(Z)
    P = torch.softmax(H @ V.T + b2, dim=1)  # (B, C)
    U2 = (P - y) / B  # (B, C)
    U1 = (U2 @ V) * (Z > 0)  # (B, K)
    return {"W": U1.T @ x, "b1": U1.sum(0), "V": U2.T @ H, "b2": U2.sum(0), "x": U1 @ W}


def _mlp_slip(x, y, W, b1, V, b2, *, slip):
    B = x.shape[0]
    Z = x @ W.T + b1
    H = torch.relu(Z)
    P = torch.softmax(H @ V.T + b2, dim=1)
    U2 = (P - y) if slip == "sum" else (P - y) / B
    U1 = (U2 @ V) if slip == "mask" else (U2 @ V) * (Z > 0)
    out = {"W": U1.T @ x, "b1": U1.sum(0), "V": U2.T @ H, "b2": U2.sum(0), "x": U1 @ W}
    if slip == "W.T":
        out["W"] = x.T @ U1  # (D, K)
    if slip == "b1":
        out["b1"] = U2.sum(0)  # (C,): the output layer's error signal
    return out


def _mlp_truth(x, y, W, b1, V, b2):
    def loss(x, y, W, b1, V, b2):
        A = torch.relu(x @ W.T + b1) @ V.T + b2
        return -(y * torch.log_softmax(A, dim=1)).sum(1).mean()
    return gradients(loss, dict(x=x, y=y, W=W, b1=b1, V=V, b2=b2), ["W", "b1", "V", "b2", "x"])


def _mlp_inputs(gen):
    B, D, K, C = 5, 4, 6, 3
    return dict(x=randn(gen, B, D), y=one_hot(gen, B, C), W=randn(gen, K, D), b1=randn(gen, K),
                V=randn(gen, C, K), b2=randn(gen, C))


register(Exercise(
    page="backprop/mlp",
    task=r"Write the five gradients of the batched network's **mean** cross-entropy, "
         r"$\nabla\mathbf W, \nabla\mathbf b_1, \nabla\mathbf V, \nabla\mathbf b_2, \nabla\mathbf X$, "
         r"for a batch $\mathbf X \in \mathbb R^{B\times D}$ with one-hot targets.",
    inputs=_mlp_inputs, truth=_mlp_truth, solution=mlp_gradients,
    mistakes=(
        Mistake("the ReLU mask missing in U₁", "common-mistakes", partial(_mlp_slip, slip="mask"),
                "U₁ = (U₂V) ⊙ H(Z): units that were off pass no gradient."),
        Mistake("the 1/B of the mean loss missing", "common-mistakes", partial(_mlp_slip, slip="sum"),
                "With the mean loss U₂ = (P − Y)/B; without it every gradient is B times too large."),
        Mistake("∇W transposed", "common-mistakes", partial(_mlp_slip, slip="W.T"),
                "∇W = U₁ᵀX has W's shape (K, D); XᵀU₁ is its transpose."),
        Mistake("∇b₁ taken from the output layer (∈ ℝᶜ)", "checked-at-build", partial(_mlp_slip, slip="b1"),
                "b₁ belongs to the hidden layer: ∇b₁ = U₁ᵀ1 has K entries, one per hidden unit."),
    ),
    hint="work backwards from U₂ = (P − Y)/B; print each gradient's shape next to its variable's.",
))

# ---------------------------------------------------------------- backprop/two-layer


def two_layer_gradients(x, o, W1, b1, W2, b2):
    """Every intermediate gradient of E = CE(o, softmax(W2 ReLU(W1 x + b1) + b2)).

    x: (n,) input; o: (K,) one-hot target; W1: (d, n); b1: (d,); W2: (K, d); b2: (K,).
    Return {"z2", "W2", "b2", "h", "z1", "W1", "b1"}: ∂E/∂ of each, with the variable's shape.
    """
    z1 = W1 @ x + b1
    h = torch.relu(z1)
    o_hat = torch.softmax(W2 @ h + b2, dim=0)
    dz2 = o_hat - o  # (K,)
    dh = W2.T @ dz2  # (d,)
    dz1 = dh * (z1 > 0)
    return {"z2": dz2, "W2": torch.outer(dz2, h), "b2": dz2, "h": dh, "z1": dz1,
            "W1": torch.outer(dz1, x), "b1": dz1}


def _two_layer_slip(x, o, W1, b1, W2, b2, *, slip):
    z1 = W1 @ x + b1
    h = torch.relu(z1)
    o_hat = torch.softmax(W2 @ h + b2, dim=0)
    # Dropping the softmax's off-diagonal terms keeps only ∂ô_i/∂z_i = ô_i(1 − ô_i).
    dz2 = -o * (1 - o_hat) if slip == "diagonal" else o_hat - o
    dh = W2.T @ dz2
    dz1 = dh if slip == "mask" else dh * (z1 > 0)
    out = {"z2": dz2, "W2": torch.outer(dz2, h), "b2": dz2, "h": dh, "z1": dz1,
           "W1": torch.outer(dz1, x), "b1": dz1}
    if slip == "W2.T":
        out["W2"] = torch.outer(h, dz2)  # (d, K)
    return out


def _two_layer_truth(x, o, W1, b1, W2, b2):
    leaves = {k: v.clone().requires_grad_(True) for k, v in dict(W1=W1, b1=b1, W2=W2, b2=b2).items()}
    z1 = leaves["W1"] @ x + leaves["b1"]
    h = torch.relu(z1)
    z2 = leaves["W2"] @ h + leaves["b2"]
    E = -(o * torch.log_softmax(z2, dim=0)).sum()
    keys = ["z2", "W2", "b2", "h", "z1", "W1", "b1"]
    tensors = {"z2": z2, "h": h, "z1": z1, **leaves}
    return dict(zip(keys, torch.autograd.grad(E, [tensors[k] for k in keys])))


def _two_layer_inputs(gen):
    n, d, K = 4, 6, 3
    return dict(x=randn(gen, n), o=one_hot(gen, 1, K)[0], W1=randn(gen, d, n), b1=randn(gen, d),
                W2=randn(gen, K, d), b2=randn(gen, K))


register(Exercise(
    page="backprop/two-layer",
    task=r"Return parts (a)–(d): $\partial E/\partial\mathbf z_2$, $\partial E/\partial\mathbf W_2$, "
         r"$\partial E/\partial\mathbf b_2$, $\partial E/\partial\mathbf h$, $\partial E/\partial\mathbf z_1$, "
         r"$\partial E/\partial\mathbf W_1$ and $\partial E/\partial\mathbf b_1$ for one example.",
    inputs=_two_layer_inputs, truth=_two_layer_truth, solution=two_layer_gradients,
    mistakes=(
        Mistake("the softmax's off-diagonal terms dropped", "common-mistakes",
                partial(_two_layer_slip, slip="diagonal"),
                "Every ô_i depends on every z_j; with the full Jacobian ∂E/∂z₂ = ô − o."),
        Mistake("the ReLU mask forgotten", "common-mistakes", partial(_two_layer_slip, slip="mask"),
                "∂E/∂z₁ = (W₂ᵀ ∂E/∂z₂) ⊙ 1[z₁ > 0]: inactive units get zero."),
        Mistake("∂E/∂W₂ transposed", "common-mistakes", partial(_two_layer_slip, slip="W2.T"),
                "∂E/∂W₂ = (ô − o) hᵀ has W₂'s shape (K, d)."),
    ),
    hint="compare your ∂E/∂z₂ first: every later gradient is built from it.",
))

# ---------------------------------------------------------------- backprop/worked-step


def sgd_step(x, y, W1, b1, W2, b2, lr):
    """One gradient-descent step on L = ½(y − ŷ)² for a sigmoid network h = σ(W1 x + b1), ŷ = σ(W2 h + b2).

    x: (D,); y: (1,); W1: (K, D); b1: (K,); W2: (1, K); b2: (1,); lr: the learning rate α.
    Return the updated {"W1", "b1", "W2", "b2"} (w ← w − α ∂L/∂w, every delta from the old weights).
    """
    h = torch.sigmoid(W1 @ x + b1)  # (K,)
    y_hat = torch.sigmoid(W2 @ h + b2)  # (1,)
    d_out = (y_hat - y) * y_hat * (1 - y_hat)  # ∂L/∂s at the output, (1,)
    d_hid = (W2.T @ d_out) * h * (1 - h)  # (K,), through the old W2
    return {"W1": W1 - lr * torch.outer(d_hid, x), "b1": b1 - lr * d_hid,
            "W2": W2 - lr * torch.outer(d_out, h), "b2": b2 - lr * d_out}


def _sgd_step_slip(x, y, W1, b1, W2, b2, lr, *, slip):
    h = torch.sigmoid(W1 @ x + b1)
    y_hat = torch.sigmoid(W2 @ h + b2)
    d_out = (y_hat - y) * y_hat * (1 - y_hat)
    if slip == "bce":
        d_out = y_hat - y  # the binary cross-entropy's delta, not the half squared error's
    W2_new = W2 - lr * torch.outer(d_out, h)
    d_hid = ((W2_new if slip == "updated" else W2).T @ d_out) * h * (1 - h)
    sign = -1.0 if slip == "ascent" else 1.0
    out = {"W1": W1 - sign * lr * torch.outer(d_hid, x), "b1": b1 - sign * lr * d_hid,
           "W2": W2 - sign * lr * torch.outer(d_out, h), "b2": b2 - sign * lr * d_out}
    if slip == "bias":
        out["b1"], out["b2"] = b1, b2
    return out


def _sgd_step_truth(x, y, W1, b1, W2, b2, lr):
    def loss(x, y, W1, b1, W2, b2):
        return 0.5 * ((y - torch.sigmoid(W2 @ torch.sigmoid(W1 @ x + b1) + b2)) ** 2).sum()
    params = dict(W1=W1, b1=b1, W2=W2, b2=b2)
    g = gradients(loss, dict(x=x, y=y, **params), list(params))
    return {k: params[k] - lr * g[k] for k in params}


def _sgd_step_inputs(gen):
    D, K = 3, 4
    return dict(x=randn(gen, D), y=torch.rand(1, generator=gen, dtype=torch.float64), W1=randn(gen, K, D),
                b1=randn(gen, K), W2=randn(gen, 1, K), b2=randn(gen, 1), lr=0.5)


register(Exercise(
    page="backprop/worked-step",
    task=r"Code the page's step for any sizes: forward, deltas for the half squared error "
         r"$\frac12(y-\hat y)^2$, and one gradient-descent update of every weight and bias.",
    inputs=_sgd_step_inputs, truth=_sgd_step_truth, solution=sgd_step,
    mistakes=(
        Mistake("the step taken uphill (w + α∇L)", "common-mistakes", partial(_sgd_step_slip, slip="ascent"),
                "With δ = ∂L/∂s, descent subtracts: w ← w − α δ · input."),
        Mistake("the hidden deltas computed with the already-updated W₂", "common-mistakes",
                partial(_sgd_step_slip, slip="updated"),
                "δ_h uses the old output weights: compute every delta before changing any weight."),
        Mistake("the bias weights left out of the update", "common-mistakes", partial(_sgd_step_slip, slip="bias"),
                "A bias is a weight on the constant input 1, updated by −α δ."),
        Mistake("the output delta of another loss (ŷ − y, binary cross-entropy)", "common-mistakes",
                partial(_sgd_step_slip, slip="bce"),
                "For ½(y − ŷ)² the output delta keeps the factor σ′ = ŷ(1 − ŷ)."),
    ),
    hint="check the output delta (ŷ − y)·ŷ(1 − ŷ) first, then the hidden deltas through the old W₂.",
))

# ---------------------------------------------------------------- backprop/deep-recursion


def deep_deltas(x, y, W1, b1, W2, b2, W3, b3):
    """The deltas δˡ = ∂L/∂zˡ of a three-layer sigmoid network with a sigmoid output and BCE loss.

    aˡ = σ(zˡ), zˡ = Wˡ aˡ⁻¹ + bˡ, a⁰ = x (D,); W1: (K1, D); W2: (K2, K1); W3: (1, K2); y: (1,) in {0, 1}.
    L = BCE(y, a³). Return {"d1", "d2", "d3", "W1"}: the three deltas and ∇W1 = δ¹ xᵀ.
    """
    a1 = torch.sigmoid(W1 @ x + b1)
    a2 = torch.sigmoid(W2 @ a1 + b2)
    a3 = torch.sigmoid(W3 @ a2 + b3)
    d3 = a3 - y  # σ′ cancels against BCE
    d2 = (W3.T @ d3) * a2 * (1 - a2)  # g′(z²) = a²(1 − a²)
    d1 = (W2.T @ d2) * a1 * (1 - a1)
    return {"d1": d1, "d2": d2, "d3": d3, "W1": torch.outer(d1, x)}


def _deep_slip(x, y, W1, b1, W2, b2, W3, b3, *, slip):
    a1 = torch.sigmoid(W1 @ x + b1)
    a2 = torch.sigmoid(W2 @ a1 + b2)
    a3 = torch.sigmoid(W3 @ a2 + b3)
    d3 = a3 - y

    def g_prime(a):
        # σ′ evaluated at the activation a instead of at z: σ(a)(1 − σ(a)).
        return torch.sigmoid(a) * (1 - torch.sigmoid(a)) if slip == "at-a" else a * (1 - a)
    d2 = W3.T @ d3 if slip == "no-g" else (W3.T @ d3) * g_prime(a2)
    d1 = W2.T @ d2 if slip == "no-g" else (W2.T @ d2) * g_prime(a1)
    return {"d1": d1, "d2": d2, "d3": d3, "W1": torch.outer(d1, x)}


def _deep_truth(x, y, W1, b1, W2, b2, W3, b3):
    W1g = W1.clone().requires_grad_(True)
    z1 = W1g @ x + b1
    z2 = W2 @ torch.sigmoid(z1) + b2
    z3 = W3 @ torch.sigmoid(z2) + b3
    L = torch.nn.functional.binary_cross_entropy_with_logits(z3, y, reduction="sum")
    d1, d2, d3, gW1 = torch.autograd.grad(L, [z1, z2, z3, W1g])
    return {"d1": d1, "d2": d2, "d3": d3, "W1": gW1}


def _deep_inputs(gen):
    D, K1, K2 = 3, 5, 4
    return dict(x=randn(gen, D), y=torch.randint(0, 2, (1,), generator=gen).to(torch.float64),
                W1=randn(gen, K1, D), b1=randn(gen, K1), W2=randn(gen, K2, K1), b2=randn(gen, K2),
                W3=randn(gen, 1, K2), b3=randn(gen, 1))


register(Exercise(
    page="backprop/deep-recursion",
    task=r"Run the recursion $\boldsymbol\delta^l = (\mathbf W^{l+1})^\top\boldsymbol\delta^{l+1}\odot g'(\mathbf z^l)$ "
         r"on a three-layer sigmoid network with a BCE output and return the three deltas and $\nabla\mathbf W^1$.",
    inputs=_deep_inputs, truth=_deep_truth, solution=deep_deltas,
    mistakes=(
        Mistake("σ′ evaluated at the activation instead of at z", "common-mistakes", partial(_deep_slip, slip="at-a"),
                "σ′(z) = σ(z)(1 − σ(z)) = a(1 − a); σ(a)(1 − σ(a)) applies σ twice."),
        Mistake("the factor g′(zˡ) dropped", "common-mistakes", partial(_deep_slip, slip="no-g"),
                "δˡ = (Wˡ⁺¹)ᵀδˡ⁺¹ ⊙ g′(zˡ): each layer multiplies in its own activation's derivative."),
    ),
    hint="δ³ = a³ − y for a sigmoid output with BCE; check δ² against it before going further.",
))

# ---------------------------------------------------------------- backprop/autoencoder


def autoencoder_gradients(x, W1, b1, W2, b2):
    """∇W1 and ∇W2 of L = Σⱼ (xⱼ − x′ⱼ)² for h = ReLU(W1ᵀx + b1), x′ = σ(W2ᵀh + b2).

    x: (N,); W1: (N, M); b1: (M,); W2: (M, N); b2: (N,) — W is stored input × output.
    Return {"x_prime": ∇x′L, "W2": ∇W2, "W1": ∇W1}, each the shape of its variable.
    """
    z1 = W1.T @ x + b1
    h = torch.relu(z1)
    x_prime = torch.sigmoid(W2.T @ h + b2)
    g = 2 * (x_prime - x)  # ∇x′L, (N,)
    d2 = g * x_prime * (1 - x_prime)  # (N,)
    d1 = (W2 @ d2) * (z1 > 0)  # (M,), back through W2 itself
    return {"x_prime": g, "W2": torch.outer(h, d2), "W1": torch.outer(x, d1)}


def _autoencoder_slip(x, W1, b1, W2, b2, *, slip):
    z1 = W1.T @ x + b1
    h = torch.relu(z1)
    x_prime = torch.sigmoid(W2.T @ h + b2)
    g = 2 * (x - x_prime) if slip == "sign" else 2 * (x_prime - x)
    d2 = g * x_prime * (1 - x_prime)
    d1 = (W2 @ d2) if slip == "mask" else (W2 @ d2) * (z1 > 0)
    out = {"x_prime": g, "W2": torch.outer(h, d2), "W1": torch.outer(x, d1)}
    if slip == "ones":
        out["W2"] = torch.outer(torch.ones_like(h), d2)  # ∂z₂ᵢ/∂(W₂)ₖᵢ taken as 1
    return out


def _autoencoder_truth(x, W1, b1, W2, b2):
    W1g, W2g = W1.clone().requires_grad_(True), W2.clone().requires_grad_(True)
    x_prime = torch.sigmoid(W2g.T @ torch.relu(W1g.T @ x + b1) + b2)
    L = ((x - x_prime) ** 2).sum()
    g_xp, gW2, gW1 = torch.autograd.grad(L, [x_prime, W2g, W1g])
    return {"x_prime": g_xp, "W2": gW2, "W1": gW1}


def _autoencoder_inputs(gen):
    N, M = 5, 3
    return dict(x=torch.rand(N, generator=gen, dtype=torch.float64), W1=randn(gen, N, M), b1=randn(gen, M),
                W2=randn(gen, M, N), b2=randn(gen, N))


register(Exercise(
    page="backprop/autoencoder",
    task=r"Return $\nabla_{\mathbf x'}\mathcal L$, $\nabla\mathbf W_2$ and $\nabla\mathbf W_1$ of the squared "
         r"reconstruction error, in the page's $\mathbf W^\top\mathbf x$ convention.",
    inputs=_autoencoder_inputs, truth=_autoencoder_truth, solution=autoencoder_gradients,
    mistakes=(
        Mistake("the sign of ∇x′L flipped, 2(x − x′)", "two-slips-in-the-source-measured",
                partial(_autoencoder_slip, slip="sign"),
                "∂(xⱼ − x′ⱼ)²/∂x′ⱼ = 2(x′ⱼ − xⱼ): the inner derivative is −1."),
        Mistake("∂z₂/∂W₂ taken as 1", "two-slips-in-the-source-measured", partial(_autoencoder_slip, slip="ones"),
                "A weight's partial derivative is the value it multiplies: ∇W₂ = h δ₂ᵀ."),
        Mistake("the ReLU mask forgotten on δ₁", "common-mistakes", partial(_autoencoder_slip, slip="mask"),
                "A code unit that was off passes no gradient: δ₁ = (W₂δ₂) ⊙ H(z₁)."),
    ),
    hint="in this convention ∇W₂ = h δ₂ᵀ (input × output) and the backward pass uses W₂, not W₂ᵀ.",
))

# ---------------------------------------------------------------- backprop/conv-tanh-sigmoid


def conv_tanh_sigmoid_gradients(x, y, v1, V2, v3):
    """Gradients of (y* − y)² for a = x v1 (a width-W filter slid down the R rows of x), z1 = tanh(a),
    z2 = σ(V2 z1), y* = v3 · z2.

    x: (R, W); y: (); v1: (W,); V2: (M, R); v3: (M,).
    Return {"v1", "V2", "v3"}: each gradient with the shape of its variable.
    """
    z1 = torch.tanh(x @ v1)  # (R,)
    z2 = torch.sigmoid(V2 @ z1)  # (M,)
    e = 2 * (v3 @ z2 - y)  # ∂L/∂y*
    d2 = e * v3 * z2 * (1 - z2)  # ∂L/∂(V2 z1), (M,)
    d1 = (V2.T @ d2) * (1 - z1 ** 2)  # ∂L/∂a, (R,)
    return {"v1": x.T @ d1, "V2": torch.outer(d2, z1), "v3": e * z2}


def _cts_slip(x, y, v1, V2, v3, *, slip):
    a = x @ v1
    z1 = torch.tanh(a)
    z2 = torch.sigmoid(V2 @ z1)
    e = 2 * (v3 @ z2 - y)
    d2 = e * v3 * (1 - z2) if slip == "sigma" else e * v3 * z2 * (1 - z2)
    d1 = (V2.T @ d2) * (1 - a ** 2 if slip == "tanh" else 1 - z1 ** 2)
    return {"v1": x.T @ d1, "V2": torch.outer(d2, z1), "v3": e * z2}


def _cts_truth(x, y, v1, V2, v3):
    def loss(x, y, v1, V2, v3):
        return (v3 @ torch.sigmoid(V2 @ torch.tanh(x @ v1)) - y) ** 2
    return gradients(loss, dict(x=x, y=y, v1=v1, V2=V2, v3=v3), ["v1", "V2", "v3"])


def _cts_inputs(gen):
    R, W, M = 3, 2, 4
    return dict(x=randn(gen, R, W), y=randn(gen), v1=randn(gen, W), V2=randn(gen, M, R), v3=randn(gen, M))


register(Exercise(
    page="backprop/conv-tanh-sigmoid",
    task=r"Generalise the page's network to $R$ rows, a width-$W$ filter and $M$ sigmoid units, and return "
         r"the gradient of $(y^*-y)^2$ with respect to every weight.",
    inputs=_cts_inputs, truth=_cts_truth, solution=conv_tanh_sigmoid_gradients,
    mistakes=(
        Mistake("σ′ written as 1 − σ", "checked-at-build", partial(_cts_slip, slip="sigma"),
                "The sigmoid's derivative is σ(1 − σ); the factor σ is missing."),
        Mistake("tanh′ taken at the wrong place, 1 − a² with a the pre-activation", "common-mistakes",
                partial(_cts_slip, slip="tanh"),
                "tanh′(a) = 1 − tanh²(a) = 1 − z₁²: square the output, not the input."),
    ),
    hint="∂L/∂y* = 2(y* − y); then multiply by one local derivative per layer, from the output back.",
))

# ---------------------------------------------------------------- backprop/pooling


def maxpool_backward(X, dY):
    """∂L/∂X of 2×2 max pooling with stride 2, given ∂L/∂Y.

    X: (B, C, H, W) with even H and W; dY: (B, C, H/2, W/2).
    Return {"X": ∂L/∂X} (same shape as X): each window's gradient goes to its maximum.
    """
    B, C, H, W = X.shape
    windows = X.reshape(B, C, H // 2, 2, W // 2, 2).permute(0, 1, 2, 4, 3, 5).reshape(B, C, H // 2, W // 2, 4)
    switch = torch.nn.functional.one_hot(windows.argmax(-1), 4).to(X.dtype)  # (B, C, H/2, W/2, 4)
    dX = (switch * dY.unsqueeze(-1)).reshape(B, C, H // 2, W // 2, 2, 2)
    return {"X": dX.permute(0, 1, 2, 4, 3, 5).reshape(B, C, H, W)}


def _pool_spread(X, dY):
    # The average pool's backward: a quarter of the gradient to every input of the window.
    return {"X": dY.repeat_interleave(2, dim=2).repeat_interleave(2, dim=3) / 4}


def _pool_all(X, dY):
    # The whole gradient copied to every input of the window.
    return {"X": dY.repeat_interleave(2, dim=2).repeat_interleave(2, dim=3)}


def _pool_truth(X, dY):
    Xg = X.clone().requires_grad_(True)
    Y = torch.nn.functional.max_pool2d(Xg, 2)
    return {"X": torch.autograd.grad(Y, Xg, dY)[0]}


def _pool_inputs(gen):
    return dict(X=randn(gen, 2, 3, 4, 6), dY=randn(gen, 2, 3, 2, 3))


register(Exercise(
    page="backprop/pooling",
    task=r"Max pooling has no parameters but still passes a gradient to its input: return "
         r"$\partial L/\partial\mathbf X$ of a $2\times2$, stride-2 max pool given $\partial L/\partial\mathbf Y$.",
    inputs=_pool_inputs, truth=_pool_truth, solution=maxpool_backward,
    mistakes=(
        Mistake("the max pool's gradient spread over the window (the average pool's backward)", "common-mistakes",
                _pool_spread, "Only the maximum of each window affected the output: it receives all of ∂L/∂Y."),
        Mistake("the gradient copied to every input of the window", "common-mistakes", _pool_all,
                "The inputs that were not the maximum did not change Y, so their gradient is 0."),
    ),
    hint="find each window's argmax (the switch) in the forward pass; route ∂L/∂Y there, zeros elsewhere.",
))
