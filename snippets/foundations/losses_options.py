"""Cross-entropy's options (label smoothing, class weights, ignore_index) and BCE's pos_weight:
each loss against PyTorch, each hand-derived gradient against autograd and central differences."""
import torch

from dlref import check
from dlref import functional

TF = torch.nn.functional
torch.manual_seed(0)
B, C, eps = 6, 4, 0.1
A = 2 * torch.randn(B, C, dtype=torch.float64)
labels = torch.randint(0, C, (B,))
Y = TF.one_hot(labels, C).to(torch.float64)

# Label smoothing: the target row becomes q = (1 − ε) y + ε/C, so the gradient p − y becomes p − q.
Q = (1 - eps) * Y + eps / C
check.compare("CE, ε = 0.1", functional.softmax_cross_entropy(A, labels, label_smoothing=eps),
              TF.cross_entropy(A, labels, label_smoothing=eps), method="functional.cross_entropy")
check.check_gradients(lambda A: functional.softmax_cross_entropy(A, labels, label_smoothing=eps), {"A": A},
                      {"A": (functional.softmax(A) - Q) / B}, labels={"A": "(P − Q)/B, ε = 0.1"})

# Class weights and an ignored target: row i's target is q_i = w_{y_i} e_{y_i} (0 when ignored), its
# gradient p_i Σ_c q_ic − q_i = w_{y_i} (p_i − e_{y_i}), and "mean" divides by Σ w_{y_i} over the rows kept.
w = torch.tensor([1.0, 2.0, 0.5, 1.0], dtype=torch.float64)
ignored = labels.clone()
ignored[0] = -100  # PyTorch's default ignore_index
kept = (ignored != -100).to(torch.float64)
w_y = w[labels] * kept  # (B,)
grad = w_y[:, None] * (functional.softmax(A) - Y) / w_y.sum()
check.compare("CE, weight + ignore_index", functional.softmax_cross_entropy(A, ignored, weight=w),
              TF.cross_entropy(A, ignored, weight=w), method="functional.cross_entropy")
check.check_gradients(lambda A: functional.softmax_cross_entropy(A, ignored, weight=w), {"A": A},
                      {"A": grad}, labels={"A": "w_y (P − Y)/Σ w_y"})
print(f"mean over {int(kept.sum())} kept rows: denominator Σ w_y = {w_y.sum().item():.2f}, "
      f"not B = {B}; row 0 (ignored) gets gradient {grad[0].abs().max().item():g}")

# BCE with a positive-class weight r: ℓ = r y softplus(−a) + (1 − y) softplus(a), ∂ℓ/∂a = (1 + (r − 1) y) σ(a) − r y.
a = 2 * torch.randn(B, 3, dtype=torch.float64)
y = torch.randint(0, 2, (B, 3)).to(torch.float64)
r = torch.tensor([1.0, 3.0, 0.5], dtype=torch.float64)  # one weight per column (class), as in PyTorch
check.compare("BCE, pos_weight", functional.binary_cross_entropy_with_logits(a, y, pos_weight=r),
              TF.binary_cross_entropy_with_logits(a, y, pos_weight=r), method="functional.binary_cross_entropy_with_logits")
check.check_gradients(lambda a: functional.binary_cross_entropy_with_logits(a, y, pos_weight=r), {"a": a},
                      {"a": ((1 + (r - 1) * y) * functional.sigmoid(a) - r * y) / a.numel()},
                      labels={"a": "((1+(r−1)y)σ(a) − r y)/N"})
