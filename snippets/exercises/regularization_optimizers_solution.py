"""A solution of the regularization/optimizers exercise, checked; then each known mistake's diagnosis."""
import torch

import dlref.exercises


def adam(theta, G, lr, beta1, beta2, eps):
    """Run Adam with bias correction for T steps, step t using the gradient G[t].

    theta: (P,) initial parameters; G: (T, P) the gradients to use; lr, beta1, beta2, eps: as in torch.optim.Adam.
    Return {"theta": the parameters after T steps}.
    """
    m = torch.zeros_like(theta)
    v = torch.zeros_like(theta)
    for t, g in enumerate(G, start=1):
        m = beta1 * m + (1 - beta1) * g  # first moment
        v = beta2 * v + (1 - beta2) * g * g  # second moment
        m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)  # bias correction
        theta = theta - lr * m_hat / (v_hat.sqrt() + eps)
    return {"theta": theta}


report = dlref.exercises.check("regularization/optimizers", adam)
assert report.passed
print(dlref.exercises.verify_catalogue("regularization/optimizers"))
