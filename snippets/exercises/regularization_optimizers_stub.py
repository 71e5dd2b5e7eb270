"""Exercise of regularization/optimizers: fill in adam, then run the check."""
import torch

import dlref.exercises


def adam(theta, G, lr, beta1, beta2, eps):
    """Run Adam with bias correction for T steps, step t using the gradient G[t].

    theta: (P,) initial parameters; G: (T, P) the gradients to use; lr, beta1,
        beta2, eps: as in torch.optim.Adam.
    Return {"theta": the parameters after T steps}.
    """
    raise NotImplementedError  # your code here


dlref.exercises.check("regularization/optimizers", adam)
