"""The LSTM cell path: ∂c_t/∂c_{t−1} = diag(f_t) with h held fixed, against the full Jacobian through h_{t−1}."""
import torch

from dlref import check
from dlref.lstm import cell_jacobians, lstm_cell

g = torch.Generator().manual_seed(0)
D, K, T = 3, 6, 50


def params(scale):
    return [scale * torch.randn(*s, generator=g, dtype=torch.float64) for s in ((4 * K, D), (4 * K, K), (4 * K,), (4 * K,))]


weight_ih, weight_hh, bias_ih, bias_hh = params(0.8)
cell = torch.nn.LSTMCell(D, K).double()
with torch.no_grad():
    for name, value in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"), (weight_ih, weight_hh, bias_ih, bias_hh)):
        getattr(cell, name).copy_(value)
x, h, c = (torch.randn(2, n, generator=g, dtype=torch.float64) for n in (D, K, K))
h1, c1 = lstm_cell(x, h, c, weight_ih, weight_hh, bias_ih, bias_hh)
check.compare("h′ (lstm_cell)", h1, cell(x, (h, c))[0], method="nn.LSTMCell")
check.compare("c′ (lstm_cell)", c1, cell(x, (h, c))[1], method="nn.LSTMCell")

# One step: the two Jacobians against autograd.
x1, c0 = torch.randn(D, generator=g, dtype=torch.float64), torch.randn(K, generator=g, dtype=torch.float64)
o_prev = torch.sigmoid(torch.randn(K, generator=g, dtype=torch.float64))
h0 = o_prev * torch.tanh(c0)
J_cell, J_full = cell_jacobians(x1, h0, c0, o_prev, weight_ih, weight_hh, bias_ih, bias_hh)
jac = torch.autograd.functional.jacobian
check.compare("diag(f) (h fixed)", J_cell, jac(lambda c: lstm_cell(x1, h0, c, weight_ih, weight_hh, bias_ih, bias_hh)[1], c0))
check.compare("full ∂c_t/∂c_{t−1}", J_full, jac(lambda c: lstm_cell(x1, o_prev * torch.tanh(c), c, weight_ih, weight_hh, bias_ih, bias_hh)[1], c0))
print(f"one step: ‖full − diag(f)‖ = {torch.linalg.matrix_norm(J_full - J_cell, 2):.3f}, "
      f"‖diag(f)‖ = {torch.linalg.matrix_norm(J_cell, 2):.3f}")

# Many steps: ∂c_T/∂c_1 through the unrolled network (autograd), against the product of the diag(f_t) alone.
norm = lambda M: torch.linalg.matrix_norm(M, 2).item()  # noqa: E731
print(f"\n{'recurrent scale':>15}  {'T':>3}  {'‖∏ diag(f_t)‖':>13}  {'‖∂c_T/∂c_1‖ (autograd)':>23}  {'‖difference‖':>12}")
for scale in (0.3, 1.5):
    weight_ih, weight_hh, bias_ih, bias_hh = params(1.0)
    weight_hh = scale * weight_hh
    xs = torch.randn(T, D, generator=g, dtype=torch.float64)
    zeros = torch.zeros(K, dtype=torch.float64)
    _, c1 = lstm_cell(xs[0], zeros, zeros, weight_ih, weight_hh, bias_ih, bias_hh)
    o1 = torch.sigmoid((xs[0] @ weight_ih.T + bias_ih + bias_hh)[3 * K:])  # output gate of step 1 (h₀ = 0)

    def unroll(c, steps):
        h = o1 * torch.tanh(c)  # h₁ as a function of c₁
        for t in range(1, steps):
            h, c = lstm_cell(xs[t], h, c, weight_ih, weight_hh, bias_ih, bias_hh)
        return c

    for steps in (2, 10, 50):
        h, c, P_cell = o1 * torch.tanh(c1), c1, torch.eye(K, dtype=torch.float64)
        for t in range(1, steps):
            f_t = torch.sigmoid((xs[t] @ weight_ih.T + h @ weight_hh.T + bias_ih + bias_hh)[K:2 * K])  # forget gate   (K,)
            P_cell = f_t[:, None] * P_cell  # diag(f_t) ⋯ diag(f_2)
            h, c = lstm_cell(xs[t], h, c, weight_ih, weight_hh, bias_ih, bias_hh)
        full = jac(lambda c: unroll(c, steps), c1)  # (K, K)
        print(f"{scale:>15}  {steps:>3}  {norm(P_cell):13.2e}  {norm(full):23.2e}  {norm(full - P_cell):12.2e}")

f = 0.9
print(f"\na forget gate stuck at f = {f} keeps f^T of the gradient: T = 10: {f**10:.2f}, T = 100: {f**100:.1e}")
