# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # A small transformer that learns to reverse sequences
#
# The [attention page](../attention/) checks `dlref.attention` against PyTorch one call at a time.
# This walkthrough trains a model built from it: a two-layer decoder-only transformer whose
# attention is `dlref.attention.MultiheadAttention` (the step-by-step path, causal mask), on a task
# that cannot be solved without knowing positions: **reverse a sequence of digits**.
#
# The model reads `x₁ … x₈ <sep>` and must then write `x₈ … x₁`, one token at a time. Training uses
# teacher forcing (the correct previous outputs as input); evaluation decodes greedily from
# `<sep>` on sequences never seen in training and counts a sequence as right only if all eight
# digits are. Everything is seeded; the claims below are asserted.

# %%
import time

import torch
from torch import nn

import dlref
from dlref.attention import MultiheadAttention

start = time.perf_counter()
torch.set_num_threads(1)  # tensors this small gain nothing from threads, and shared CPUs lose a lot
torch.manual_seed(0)
n, V, SEP = 8, 10, 10  # sequence length, digits 0–9, and the separator token
steps = 160 if dlref.profile() == "quick" else 1500  # 150 quick steps already reach 100 % here: 160 keeps a margin
print(f"profile {dlref.profile()}: {steps} training steps on {dlref.device().type}")

# %% [markdown]
# ## Data: random digit strings, with a held-out set
#
# There are $10^8$ strings of eight digits. A fixed set of 2 000 is held out, and any training
# batch row that happens to equal one of them is dropped, so the test strings are never trained on.

# %%
g = torch.Generator().manual_seed(0)
test_x = torch.randint(0, V, (2000, n), generator=g)
place = V ** torch.arange(n)  # a string ↔ an integer, to look it up quickly
test_ids = (test_x * place).sum(1)


def training_batch(B):
    x = torch.randint(0, V, (B, n), generator=g)
    return x[~torch.isin((x * place).sum(1), test_ids)]  # never a held-out string


def with_answer(x):
    return torch.cat([x, torch.full((len(x), 1), SEP), x.flip(1)], dim=1)  # (B, 2n + 1)


print("example:", with_answer(test_x[:1]).tolist()[0], "(10 = <sep>)")

# %% [markdown]
# ## The model
#
# Pre-norm blocks, $\mathbf x \leftarrow \mathbf x + \operatorname{MHA}(\operatorname{LN}\mathbf x)$,
# $\mathbf x \leftarrow \mathbf x + \operatorname{MLP}(\operatorname{LN}\mathbf x)$, on token embeddings
# plus learned position embeddings. Without the position embeddings the output at each step
# would not depend on where the digits are (the permutation check on the attention page), and
# reversal would be impossible.


# %%
class Block(nn.Module):
    def __init__(self, E, H):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(E), nn.LayerNorm(E)
        self.attn = MultiheadAttention(E, H)  # dlref's, step by step
        self.mlp = nn.Sequential(nn.Linear(E, 4 * E), nn.GELU(), nn.Linear(4 * E, E))

    def forward(self, x, need_weights=False):
        h = self.ln1(x)
        a, A = self.attn(h, h, h, is_causal=True, need_weights=need_weights)  # (B, T, E), (B, T, T) or None
        x = x + a
        return x + self.mlp(self.ln2(x)), A


class Decoder(nn.Module):
    def __init__(self, E=64, H=4, layers=2, T=2 * n + 1):
        super().__init__()
        self.tok, self.pos = nn.Embedding(V + 1, E), nn.Embedding(T, E)
        self.blocks = nn.ModuleList(Block(E, H) for _ in range(layers))
        self.ln, self.head = nn.LayerNorm(E), nn.Linear(E, V)

    def forward(self, t, need_weights=False):
        x = self.tok(t) + self.pos(torch.arange(t.size(1)))  # (B, T, E)
        weights = []
        for block in self.blocks:
            x, A = block(x, need_weights)
            weights.append(A)
        logits = self.head(self.ln(x))  # (B, T, V): a digit prediction at every position
        return (logits, weights) if need_weights else logits


model = Decoder()
print(model.blocks[0].attn)
print(f"{sum(p.numel() for p in model.parameters()):,} parameters")

# %% [markdown]
# The causal mask is what makes teacher forcing honest: the prediction at position $t$ may not
# depend on tokens after $t$. Checked on the untrained model — change the last token, and every
# earlier prediction stays bit-for-bit the same:

# %%
probe = with_answer(test_x[:4])[:, :-1]
changed = probe.clone()
changed[:, -1] = (changed[:, -1] + 1) % V
with torch.no_grad():
    same = torch.equal(model(probe)[:, :-1], model(changed)[:, :-1])
print("earlier predictions unchanged by a later token:", same)
assert same

# %% [markdown]
# ## Training

# %%
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
schedule = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps, pct_start=0.1)
losses = []
for step in range(steps):
    s = with_answer(training_batch(128))
    logits = model(s[:, :-1])[:, n:]  # predictions made at <sep> and after: (B, n, V)
    loss = nn.functional.cross_entropy(logits.reshape(-1, V), s[:, n + 1:].reshape(-1))
    opt.zero_grad()
    loss.backward()
    opt.step()
    schedule.step()
    losses.append(loss.item())
train_seconds = time.perf_counter() - start
print(f"loss {losses[0]:.3f} -> {losses[-1]:.4f} in {steps} steps ({train_seconds:.0f} s so far)")

# %%
fig, ax = dlref.lab.figures.new(width=6, height=3.4)
ax.semilogy(losses)
ax.set_xlabel("training step (batch of 128)")
ax.set_ylabel("cross-entropy per output digit (nats)")
ax.set_title("Reversing 8 digits: training loss (one seed)")
dlref.lab.figures.show(fig, "reverse-loss", "Training loss of the decoder-only model reversing 8-digit sequences (one seed).")

# %% [markdown]
# ## Held-out exact match, decoding greedily

# %%
model.eval()
with torch.no_grad():
    t = torch.cat([test_x, torch.full((len(test_x), 1), SEP)], dim=1)  # (N, n + 1): the prompt
    for _ in range(n):
        next_digit = model(t)[:, -1].argmax(-1, keepdim=True)  # (N, 1)
        t = torch.cat([t, next_digit], dim=1)
exact = (t[:, n + 1:] == test_x.flip(1)).all(1).double().mean().item()
print(f"exact-match accuracy on {len(test_x)} held-out sequences: {exact:.2%}")
assert exact >= 0.99

# %% [markdown]
# ## Where it looks
#
# The attention weights (averaged over heads) of one held-out sequence, for the queries that
# produce the answer. Reversal means the query that writes the $i$-th output digit should find input
# position $n + 1 - i$: an anti-diagonal in the input columns.

# %%
with torch.no_grad():
    _, weights = model(t[:1, :-1], need_weights=True)
fig, axes = dlref.lab.figures.new(ncols=2, width=9, height=3.6)
labels = [str(d) for d in t[0, :-1].tolist()]
labels[n] = "sep"
for layer, (ax, A) in enumerate(zip(axes, weights), start=1):
    im = ax.imshow(A[0, n:].numpy(), cmap="viridis", vmin=0, vmax=1)  # rows: queries at <sep> and after
    ax.set_xticks(range(len(labels)), labels, fontsize=7)
    ax.set_yticks(range(n), [f"out {i + 1}" for i in range(n)], fontsize=7)
    ax.set_xlabel("key (input digits, <sep>, outputs so far)")
    ax.set_title(f"layer {layer}")
fig.colorbar(im, ax=axes, shrink=0.8, label="attention weight")
dlref.lab.figures.show(fig, "reverse-attention", "Attention weights (mean over heads) of the queries that write the answer.")

# %% [markdown]
# Measured on the model above: the share of the last layer's attention, from the query that writes
# output digit $i$, that falls on input position $n + 1 - i$.

# %%
A = weights[-1][0, n:, :n]  # (n queries writing outputs, n input keys)
on_target = A[torch.arange(n), torch.arange(n - 1, -1, -1)]
print("weight on the digit being copied, per output position:", [round(x, 2) for x in on_target.tolist()])
print(f"mean {on_target.mean().item():.2f}; total notebook time {time.perf_counter() - start:.0f} s")
