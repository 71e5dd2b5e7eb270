"""What masks do: attention weights with a padding mask, a causal mask, and a causal mask with L ≠ S."""
import torch

from dlref import attention, check
from dlref.lab import figures

torch.manual_seed(0)
E = 8
lengths = torch.tensor([6, 4])  # two sequences padded to S = 6
x = torch.randn(2, 6, E, dtype=torch.float64)
padding = torch.arange(6)[None, :] < lengths[:, None]  # (B, S), True = a real token (may attend)

A_pad = attention.attention_weights(x, x, attn_mask=padding[:, None, :])  # (B, 1, S) broadcasts to (B, L, S)
A_causal = attention.attention_weights(x[:1], x[:1], is_causal=True)  # (1, 6, 6)
A_short = attention.attention_weights(x[:1, :4], x[:1], is_causal=True)  # L = 4 queries, S = 6 keys

for name, A, allowed in (("padding", A_pad[1], padding[1].expand(6, 6)),
                         ("causal", A_causal[0], attention.causal_mask(6, 6)),
                         ("causal, L=4, S=6", A_short[0], attention.causal_mask(4, 6))):
    assert (A[~allowed] == 0).all(), name
    print(f"{name:<17}: {int((~allowed).sum()):>2} masked entries, all exactly 0")
    check.compare(f"{name}: row sums", A.sum(-1), torch.ones(A.shape[0], dtype=A.dtype), tol=1e-12, method="1 per query")
print(f"sequence 2 has {int(lengths[1])} real tokens: its keys 5 and 6 get weight exactly 0 from every query")
print(f"causal with L = 4 < S = 6: keys 5 and 6 are never attended to (largest weight {A_short[0, :, 4:].max().item():.1f})")

fig, axes = figures.new(ncols=3, width=9.0, height=3.3)
panels = [(A_pad[1], "key padding (sequence 2, 4 real tokens)"), (A_causal[0], "causal, L = S = 6"),
          (A_short[0], "causal, L = 4, S = 6 (top-left)")]
for ax, (A, title) in zip(axes, panels):
    im = ax.imshow(A.numpy(), cmap="viridis", vmin=0, vmax=1)
    ax.set_title(title, fontsize=9)
    ax.set_xlabel("key j")
    ax.set_ylabel("query i")
    ax.set_xticks(range(A.shape[1]), [str(j + 1) for j in range(A.shape[1])])
    ax.set_yticks(range(A.shape[0]), [str(i + 1) for i in range(A.shape[0])])
fig.colorbar(im, ax=axes, shrink=0.8, label="attention weight")
figures.show(fig, "attention-masks", "Attention weights under three masks; masked entries are exactly zero and every row sums to one.")
