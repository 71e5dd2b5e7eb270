"""Exercises of the sequence chapter: backpropagation through time, the LSTM cell's backward pass.

Truth by autograd; each mistake is the reference solution with one slip that the page describes.
"""

from __future__ import annotations

from functools import partial

import torch

from dlref.exercises.registry import Exercise, Mistake, gradients, randn, register

# The reader reaches these exercises through dlref.exercises (check, get, list_exercises); the
# functions here are the reference solutions a page's collapsed answer shows, not API of their own.
__all__: list[str] = []

# ---------------------------------------------------------------- sequence/rnn


def rnn_gradients(x, h0, Wx, Wh, b, g):
    """Backpropagation through time for hₜ = tanh(Wx xₜ + Wh hₜ₋₁ + b), t = 1 … T, and L = g · h_T.

    x: (T, D) inputs; h0: (K,); Wx: (K, D); Wh: (K, K); b: (K,); g: (K,) = ∂L/∂h_T.
    Return {"Wh": ∂L/∂Wh, "Wx": ∂L/∂Wx, "h0": ∂L/∂h0}, summed over every step.
    """
    hs = [h0]
    for x_t in x:
        hs.append(torch.tanh(Wx @ x_t + Wh @ hs[-1] + b))
    dWh, dWx, delta = torch.zeros_like(Wh), torch.zeros_like(Wx), g
    for t in range(len(x), 0, -1):
        u = delta * (1 - hs[t] ** 2)  # ∂L/∂aₜ
        dWh += torch.outer(u, hs[t - 1])
        dWx += torch.outer(u, x[t - 1])
        delta = Wh.T @ u  # ∂L/∂hₜ₋₁
    return {"Wh": dWh, "Wx": dWx, "h0": delta}


def _rnn_slip(x, h0, Wx, Wh, b, g, *, slip):
    hs = [h0]
    for x_t in x:
        hs.append(torch.tanh(Wx @ x_t + Wh @ hs[-1] + b))
    dWh, dWx, delta = torch.zeros_like(Wh), torch.zeros_like(Wx), g
    for t in range(len(x), 0, -1):
        u = delta if slip == "no-tanh" else delta * (1 - hs[t] ** 2)
        if slip != "last-step" or t == len(x):  # the slip keeps only the last step's term
            dWh += torch.outer(u, hs[t - 1])
            dWx += torch.outer(u, x[t - 1])
        delta = Wh @ u if slip == "Wh" else Wh.T @ u
    return {"Wh": dWh, "Wx": dWx, "h0": delta}


def _rnn_truth(x, h0, Wx, Wh, b, g):
    def loss(x, h0, Wx, Wh, b, g):
        h = h0
        for x_t in x:
            h = torch.tanh(Wx @ x_t + Wh @ h + b)
        return g @ h
    return gradients(loss, dict(x=x, h0=h0, Wx=Wx, Wh=Wh, b=b, g=g), ["Wh", "Wx", "h0"])


register(Exercise(
    page="sequence/rnn",
    task=r"Backpropagate through time: the gradients of $L = \mathbf g^\top\mathbf h_T$ with respect to "
         r"$\mathbf W_h$, $\mathbf W_x$ and $\mathbf h_0$, with every step's contribution.",
    inputs=lambda gen: dict(x=randn(gen, 4, 3), h0=randn(gen, 5), Wx=randn(gen, 5, 3) / 2, Wh=randn(gen, 5, 5) / 2,
                            b=randn(gen, 5), g=randn(gen, 5)),
    truth=_rnn_truth, solution=rnn_gradients,
    mistakes=(
        Mistake("only the last step's term, φ′(a_T) h_{T−1}ᵀ", "backpropagation-through-time-with-variable-lengths",
                partial(_rnn_slip, slip="last-step"),
                "W_h is used at every step: ∂L/∂W_h sums uₜ hₜ₋₁ᵀ over t = T … 1."),
        Mistake("tanh′ left out", "backpropagation-through-time-with-variable-lengths",
                partial(_rnn_slip, slip="no-tanh"),
                "uₜ = δₜ ⊙ (1 − hₜ²): every step multiplies by the activation's derivative."),
        Mistake("the recursion through W_h instead of W_hᵀ", "backpropagation-through-time-with-variable-lengths",
                partial(_rnn_slip, slip="Wh"),
                "∂L/∂hₜ₋₁ = W_hᵀ uₜ: the gradient flows back through the transpose."),
    ),
    hint="store every hₜ in the forward pass, then run δ back from g, adding uₜ hₜ₋₁ᵀ at each step.",
))

# ---------------------------------------------------------------- sequence/lstm


def lstm_cell_backward(x, h, c, W, b, dh, dc):
    """∂L/∂c_{t−1} and ∂L/∂h_{t−1} for one LSTM step and L = dh · h_t + dc · c_t.

    x: (D,); h, c: (K,) the previous state; W: (4K, D + K) acting on [x; h]; b: (4K,) with the
    blocks in nn.LSTM's order i, f, g, o. c_t = f ⊙ c + i ⊙ g, h_t = o ⊙ tanh(c_t).
    Return {"c": ∂L/∂c_{t−1}, "h": ∂L/∂h_{t−1}}.
    """
    K = h.shape[0]
    zi, zf, zg, zo = (W @ torch.cat([x, h]) + b).split(K)
    i, f, g, o = torch.sigmoid(zi), torch.sigmoid(zf), torch.tanh(zg), torch.sigmoid(zo)
    c_t = f * c + i * g
    dc_t = dc + dh * o * (1 - torch.tanh(c_t) ** 2)  # total ∂L/∂c_t
    dz = torch.cat([dc_t * g * i * (1 - i), dc_t * c * f * (1 - f), dc_t * i * (1 - g ** 2),
                    dh * torch.tanh(c_t) * o * (1 - o)])  # (4K,)
    return {"c": dc_t * f, "h": W[:, x.shape[0]:].T @ dz}


def _lstm_slip(x, h, c, W, b, dh, dc, *, slip):
    K = h.shape[0]
    blocks = (W @ torch.cat([x, h]) + b).split(K)
    zi, zf, zg, zo = (blocks[0], blocks[1], blocks[3], blocks[2]) if slip == "order" else blocks
    i, f, g, o = torch.sigmoid(zi), torch.sigmoid(zf), torch.tanh(zg), torch.sigmoid(zo)
    c_t = f * c + i * g
    dc_t = dc + dh * o * (1 - torch.tanh(c_t) ** 2)
    if slip == "cell-only":
        dc_t = dc  # the path through h_t = o ⊙ tanh(c_t) forgotten
    dz = [dc_t * g * i * (1 - i), dc_t * c * f * (1 - f), dc_t * i * (1 - g ** 2), dh * torch.tanh(c_t) * o * (1 - o)]
    if slip == "order":
        dz = [dz[0], dz[1], dz[3], dz[2]]
    return {"c": dc_t * f, "h": W[:, x.shape[0]:].T @ torch.cat(dz)}


def _lstm_truth(x, h, c, W, b, dh, dc):
    def loss(x, h, c, W, b, dh, dc):
        zi, zf, zg, zo = (W @ torch.cat([x, h]) + b).split(h.shape[0])
        c_t = torch.sigmoid(zf) * c + torch.sigmoid(zi) * torch.tanh(zg)
        return dh @ (torch.sigmoid(zo) * torch.tanh(c_t)) + dc @ c_t
    return gradients(loss, dict(x=x, h=h, c=c, W=W, b=b, dh=dh, dc=dc), ["c", "h"])


register(Exercise(
    page="sequence/lstm",
    task=r"Backpropagate one LSTM step: given $\partial L/\partial\mathbf h_t$ and $\partial L/\partial\mathbf c_t$, "
         r"return $\partial L/\partial\mathbf c_{t-1}$ and $\partial L/\partial\mathbf h_{t-1}$ (gates in `nn.LSTM`'s order).",
    inputs=lambda gen: dict(x=randn(gen, 3), h=randn(gen, 4), c=randn(gen, 4), W=randn(gen, 16, 7), b=randn(gen, 16),
                            dh=randn(gen, 4), dc=randn(gen, 4)),
    truth=_lstm_truth, solution=lstm_cell_backward,
    mistakes=(
        Mistake("only the cell path: ∂L/∂c_{t−1} = f ⊙ ∂L/∂c_t", "common-mistakes", partial(_lstm_slip, slip="cell-only"),
                "diag(fₜ) is a partial derivative; c_t also reaches L through h_t = o ⊙ tanh(c_t)."),
        Mistake("the gate blocks read as i, f, o, g", "common-mistakes", partial(_lstm_slip, slip="order"),
                "nn.LSTM stores its blocks as i, f, g, o; reading another order mixes the gates."),
    ),
    hint="first form the total ∂L/∂c_t = dc + dh ⊙ o ⊙ (1 − tanh²(c_t)); ∂L/∂c_{t−1} is that times f.",
))
