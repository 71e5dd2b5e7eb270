"""LSTM versus tanh RNN on a long-range memory task.

Shown on the site page *Sequence models → LSTM cell path* (sequence/lstm.md).

Task: a sequence of length ``T``. The first input is ``(s, 1)`` with a random sign ``s ∈ {−1, +1}``;
every later input is ``(ε_t, 0)`` with Gaussian distractor noise ``ε_t``. After the last step a
linear readout of the final hidden state must output ``s`` (logistic loss). The only information
sits ``T − 1`` steps before the answer, so the gradient that teaches the network to keep it must
travel back through ``T − 1`` state Jacobians.

Both models are ``torch.nn`` modules (``nn.RNN`` with tanh, ``nn.LSTM``) of the same width, the
LSTM's forget-gate bias initialised to ``forget_bias`` (a common practice that starts the cell path
near ``f = 1``), trained by Adam with gradient-norm clipping; test accuracy is on fresh sequences, averaged over
seeds. Chance is 50 %.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from dlref import validate


@dataclass(frozen=True)
class Config:
    """Everything that determines the result (its hash keys the results store)."""

    lengths: tuple[int, ...] = (10, 25, 50, 100)
    hidden: int = 32
    batch: int = 64
    steps: int = 800
    lr: float = 1e-2
    distractor_std: float = 0.5
    forget_bias: float = 2.0  # initial LSTM forget-gate bias (b_ih + b_hh): f ≈ σ(2) ≈ 0.88 at the start
    clip: float = 1.0
    n_test: int = 1000
    seeds: int = 3
    record_every: int = 25

    def __post_init__(self) -> None:
        validate.each("Config.lengths", self.lengths, validate.positive_int)
        validate.positive_int("Config.hidden", self.hidden)
        validate.positive_int("Config.batch", self.batch)
        validate.positive_int("Config.steps", self.steps)
        validate.real("Config.lr", self.lr, low=0.0, low_open=True)
        validate.real("Config.distractor_std", self.distractor_std, low=0.0)
        validate.real("Config.forget_bias", self.forget_bias)
        validate.real("Config.clip", self.clip, low=0.0, low_open=True)
        validate.positive_int("Config.n_test", self.n_test)
        validate.positive_int("Config.seeds", self.seeds)
        validate.positive_int("Config.record_every", self.record_every, maximum=self.steps)


def make_batch(B: int, T: int, generator: torch.Generator, distractor_std: float = 0.5) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs ``(B, T, 2)`` and targets ``(B,)`` in {0, 1} (the sign of the first input).

    Examples:
        >>> x, y = make_batch(3, 4, torch.Generator().manual_seed(0))
        >>> x.shape, y.shape, x[:, 1:, 1].abs().sum().item()
        (torch.Size([3, 4, 2]), torch.Size([3]), 0.0)
    """
    validate.positive_int("B", B)
    validate.positive_int("T", T)
    validate.instance("generator", generator, torch.Generator)
    validate.real("distractor_std", distractor_std, low=0.0)
    if B < 1 or T < 1:
        raise ValueError(f"B and T must be positive; got B={B}, T={T}")
    s = torch.randint(0, 2, (B,), generator=generator).float() * 2 - 1
    x = torch.zeros(B, T, 2)
    x[:, :, 0] = distractor_std * torch.randn(B, T, generator=generator)  # distractors
    x[:, 0, 0] = s
    x[:, 0, 1] = 1.0  # the flag marks the step that matters
    return x, (s > 0).float()


class Classifier(nn.Module):
    """``nn.RNN`` (tanh) or ``nn.LSTM`` followed by a linear readout of the last hidden state."""

    def __init__(self, kind: str, hidden: int, forget_bias: float = 0.0) -> None:
        super().__init__()
        validate.choice("kind", kind, ("rnn", "lstm"))
        if kind not in ("rnn", "lstm"):
            raise ValueError(f"kind must be 'rnn' or 'lstm'; got {kind!r}")
        validate.positive_int("hidden", hidden)
        validate.real("forget_bias", forget_bias)
        self.kind = kind
        self.core = nn.RNN(2, hidden, batch_first=True) if kind == "rnn" else nn.LSTM(2, hidden, batch_first=True)
        self.out = nn.Linear(hidden, 1)
        if kind == "lstm":
            with torch.no_grad():  # gate blocks are ordered i, f, g, o: rows K … 2K − 1 are the forget gate
                self.core.bias_ih_l0[hidden:2 * hidden] = forget_bias / 2
                self.core.bias_hh_l0[hidden:2 * hidden] = forget_bias / 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        validate.floating_tensor("x", x, ndim=3)
        H, _ = self.core(x)  # (B, T, K)
        return self.out(H[:, -1])[:, 0]  # (B,) logits


def train_one(kind: str, T: int, seed: int, cfg: Config) -> dict:
    """Train one model; returns its loss curve and test accuracy."""
    validate.choice("kind", kind, ("rnn", "lstm"))
    validate.positive_int("T", T)
    validate.positive_int("seed", seed, minimum=0)
    validate.instance("cfg", cfg, Config)
    torch.manual_seed(seed)  # nn module initialisation
    g = torch.Generator().manual_seed(1000 + seed)
    model = Classifier(kind, cfg.hidden, cfg.forget_bias)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    loss_fn = nn.BCEWithLogitsLoss()
    curve, running = [], 0.0
    for step in range(1, cfg.steps + 1):
        x, y = make_batch(cfg.batch, T, g, cfg.distractor_std)
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), cfg.clip)
        opt.step()
        running += loss.item()
        if step % cfg.record_every == 0:
            curve.append(running / cfg.record_every)
            running = 0.0
    x, y = make_batch(cfg.n_test, T, torch.Generator().manual_seed(99), cfg.distractor_std)
    with torch.no_grad():
        acc = ((model(x) > 0).float() == y).float().mean().item()
    return {"curve": curve, "test_accuracy": acc}


def run(cfg: Config, out_dir: Path) -> dict:
    """Both models at every length, ``seeds`` runs each."""
    validate.instance("cfg", cfg, Config)
    validate.path("out_dir", out_dir)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # small recurrent matmuls: one thread is fastest on a shared machine
    try:
        out = {"lengths": list(cfg.lengths), "steps": cfg.steps, "record_every": cfg.record_every}
        for kind in ("rnn", "lstm"):
            runs = [[train_one(kind, T, s, cfg) for s in range(cfg.seeds)] for T in cfg.lengths]
            out[kind] = {
                "accuracy": [[r["test_accuracy"] for r in rs] for rs in runs],
                "curve_mean": [torch.tensor([r["curve"] for r in rs]).mean(0).tolist() for rs in runs],
            }
        return out
    finally:
        torch.set_num_threads(threads)
