"""Binary cross-entropy and its gradient σ(a) − y as functions of the logit, for both labels."""
import torch

from dlref import check
from dlref.lab import figures
from dlref import functional

a = torch.linspace(-8, 8, 401, dtype=torch.float64)
fig, (ax_loss, ax_grad) = figures.new(ncols=2, width=8.0, height=3.4)
for label, color in ((1.0, "tab:blue"), (0.0, "tab:orange")):
    y = torch.full_like(a, label)
    # Per-example losses: the mean over N elements times N.
    loss = torch.stack([functional.binary_cross_entropy_with_logits(a[i:i + 1], y[i:i + 1]) for i in range(len(a))])
    grad = functional.binary_cross_entropy_with_logits_backward(a, y) * len(a)  # σ(a) − y per example
    check.check_gradients(lambda a, y=y: functional.binary_cross_entropy_with_logits(a, y), {"a": a},
                          {"a": grad / len(a)}, finite_difference_tol=None, labels={"a": f"σ(a) − y, y = {label:g}"})
    ax_loss.plot(a, loss, color=color, label=f"y = {label:g}")
    ax_grad.plot(a, grad, color=color, label=f"y = {label:g}")
    far = a.abs() > 6
    slope = grad[far & (a > 0 if label == 0 else a < 0)]
    print(f"y = {label:g}: at a = ±8 the loss is {loss[0].item():.4f} / {loss[-1].item():.4f};"
          f" on the wrong side its slope is within {(slope.abs() - 1).abs().max().item():.1e} of ±1")
ax_loss.set_xlabel("logit a")
ax_loss.set_ylabel("loss (nats)")
ax_loss.set_title("BCE = softplus(a) − a y")
ax_grad.set_xlabel("logit a")
ax_grad.set_ylabel("∂L/∂a = σ(a) − y")
ax_grad.set_title("Gradient: bounded by 1 in size")
for ax in (ax_loss, ax_grad):
    ax.axvline(0, color="gray", lw=0.6)
    ax.legend()
figures.show(fig, "bce-loss-gradient", "Per-example binary cross-entropy and its gradient versus the logit, for y = 0 and y = 1.")
