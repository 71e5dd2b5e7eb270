"""dlref.optim against torch.optim, step by step in float64, plus groups, state_dict and bad input."""

import copy

import pytest
import torch

from dlref import optim

STEPS = 60


def _params(seed=0):
    g = torch.Generator().manual_seed(seed)
    return [torch.nn.Parameter(torch.randn(3, 2, generator=g, dtype=torch.float64)),
            torch.nn.Parameter(torch.randn(4, generator=g, dtype=torch.float64))]


def _loss(params):
    W, b = params
    # a smooth, non-quadratic loss, so adaptive rules see changing gradients
    return (torch.tanh(W).pow(2).sum() + (W.sum(0) ** 2).sum() + torch.cos(b).sum() + 0.1 * (b ** 4).sum())


def _run(make, params, steps=STEPS, groups=False, group_lr=0.03):
    if groups:
        opt = make([{"params": [params[0]]}, {"params": [params[1]], "lr": group_lr}])
    else:
        opt = make(params)
    trajectory = []
    for _ in range(steps):
        opt.zero_grad()
        _loss(params).backward()
        opt.step()
        trajectory.append(torch.cat([p.detach().reshape(-1).clone() for p in params]))
    return torch.stack(trajectory), opt


PAIRS = {
    "sgd": (lambda p: optim.SGD(p, lr=0.05), lambda p: torch.optim.SGD(p, lr=0.05)),
    "sgd-momentum": (lambda p: optim.SGD(p, lr=0.05, momentum=0.9), lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9)),
    "sgd-dampening-wd": (lambda p: optim.SGD(p, lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.1),
                         lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.1)),
    "sgd-nesterov": (lambda p: optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
                     lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True)),
    "momentum-averaged": (lambda p: optim.Momentum(p, lr=0.5, beta=0.9),
                          lambda p: torch.optim.SGD(p, lr=0.5 * (1 - 0.9), momentum=0.9)),
    "momentum-averaged-nesterov": (lambda p: optim.Momentum(p, lr=0.5, beta=0.9, nesterov=True),
                                   lambda p: torch.optim.SGD(p, lr=0.5 * (1 - 0.9), momentum=0.9, nesterov=True)),
    "adagrad": (lambda p: optim.Adagrad(p, lr=0.1, lr_decay=0.01, weight_decay=0.05, initial_accumulator_value=0.1),
                lambda p: torch.optim.Adagrad(p, lr=0.1, lr_decay=0.01, weight_decay=0.05, initial_accumulator_value=0.1)),
    "rmsprop": (lambda p: optim.RMSprop(p, lr=0.01), lambda p: torch.optim.RMSprop(p, lr=0.01)),
    "rmsprop-centered-momentum": (
        lambda p: optim.RMSprop(p, lr=0.01, alpha=0.9, weight_decay=0.01, momentum=0.5, centered=True),
        lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, weight_decay=0.01, momentum=0.5, centered=True)),
    "adam": (lambda p: optim.Adam(p, lr=0.05), lambda p: torch.optim.Adam(p, lr=0.05)),
    "adam-l2": (lambda p: optim.Adam(p, lr=0.05, betas=(0.8, 0.99), weight_decay=0.1),
                lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.8, 0.99), weight_decay=0.1)),
    "adamw": (lambda p: optim.AdamW(p, lr=0.05, weight_decay=0.1), lambda p: torch.optim.AdamW(p, lr=0.05, weight_decay=0.1)),
}


@pytest.mark.parametrize("name", sorted(PAIRS))
@pytest.mark.parametrize("groups", [False, True])
def test_matches_torch_step_by_step(name, groups):
    ours, theirs = PAIRS[name]
    # the averaged form's α is torch's lr / (1 − β): the second group's lr maps the same way
    scale = 1 / (1 - 0.9) if name.startswith("momentum") else 1.0
    a, _ = _run(ours, _params(), groups=groups, group_lr=0.03 * scale)
    b, _ = _run(theirs, _params(), groups=groups)
    torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)
    assert (a[-1] - a[0]).abs().max() > 1e-3  # the parameters really moved


def test_adam_l2_and_adamw_differ():
    a, _ = _run(lambda p: optim.Adam(p, lr=0.05, weight_decay=0.1), _params())
    b, _ = _run(lambda p: optim.AdamW(p, lr=0.05, weight_decay=0.1), _params())
    assert (a[-1] - b[-1]).abs().max() > 1e-3


def test_averaged_momentum_is_not_dampened_torch_sgd_on_step_one():
    # torch starts its buffer at g, undampened; the averaged form starts at (1 − β)g
    a, _ = _run(lambda p: optim.Momentum(p, lr=0.1, beta=0.9), _params(), steps=1)
    b, _ = _run(lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.9), _params(), steps=1)
    assert (a - b).abs().max() > 1e-3


def test_parameter_groups_use_their_own_lr():
    params = _params()
    opt = optim.SGD([{"params": [params[0]]}, {"params": [params[1]], "lr": 0.0 + 1e-9}], lr=0.1)
    before = [p.detach().clone() for p in params]
    _loss(params).backward()
    opt.step()
    assert (params[0] - before[0]).abs().max() > 1e-3
    assert (params[1] - before[1]).abs().max() < 1e-8


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_state_dict_round_trip(name):
    make = PAIRS[name][0]
    p1 = _params()
    _, opt1 = _run(make, p1, steps=5)
    saved = copy.deepcopy(opt1.state_dict())
    p2 = [torch.nn.Parameter(p.detach().clone()) for p in p1]
    opt2 = make(p2)
    opt2.load_state_dict(saved)
    a = []
    b = []
    for opt, params, out in ((opt1, p1, a), (opt2, p2, b)):
        for _ in range(5):
            opt.zero_grad()
            _loss(params).backward()
            opt.step()
        out.append(torch.cat([p.detach().reshape(-1) for p in params]))
    torch.testing.assert_close(a[0], b[0], rtol=0, atol=0)


def test_newton_solves_a_quadratic_in_one_step():
    g = torch.Generator().manual_seed(1)
    M = torch.randn(4, 4, generator=g, dtype=torch.float64)
    A = M @ M.T + 4 * torch.eye(4, dtype=torch.float64)
    c = torch.randn(4, generator=g, dtype=torch.float64)
    w = torch.nn.Parameter(torch.zeros(4, dtype=torch.float64))
    opt = optim.Newton([w])
    loss = opt.step(lambda: 0.5 * w @ A @ w - c @ w)
    assert loss.item() == 0.0
    torch.testing.assert_close(w.detach(), torch.linalg.solve(A, c))


def test_newton_damping_and_lr_shrink_the_step():
    A = torch.diag(torch.tensor([1.0, 4.0], dtype=torch.float64))
    w = torch.nn.Parameter(torch.tensor([1.0, 1.0], dtype=torch.float64))
    optim.Newton([w], lr=0.5, damping=1.0).step(lambda: 0.5 * w @ A @ w)
    # d = (A + I)⁻¹ A w = (1/2, 4/5); θ = w − d/2
    torch.testing.assert_close(w.detach(), torch.tensor([0.75, 0.6], dtype=torch.float64))


def test_newton_over_several_tensors_matches_one_vector():
    def f(x, y):
        return (x ** 4).sum() + (x.sum() * y).sum() ** 2 + (y ** 2).sum()

    x = torch.nn.Parameter(torch.tensor([1.0, -0.5], dtype=torch.float64))
    y = torch.nn.Parameter(torch.tensor([0.3], dtype=torch.float64))
    theta = torch.cat([x.detach(), y.detach()])
    H = torch.autograd.functional.hessian(lambda t: f(t[:2], t[2:]), theta)
    grad = torch.autograd.functional.jacobian(lambda t: f(t[:2], t[2:]), theta)
    expected = theta - torch.linalg.solve(H, grad)
    optim.Newton([x, y]).step(lambda: f(x, y))
    torch.testing.assert_close(torch.cat([x.detach(), y.detach()]), expected)


def test_newton_needs_a_closure():
    w = torch.nn.Parameter(torch.zeros(2))
    with pytest.raises(ValueError, match="closure"):
        optim.Newton([w]).step()
    with pytest.raises(ValueError, match="scalar"):
        optim.Newton([w]).step(lambda: w * 2)


def test_closure_loss_is_returned():
    w = torch.nn.Parameter(torch.tensor([3.0], dtype=torch.float64))
    opt = optim.Adam([w], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (w ** 2).sum()
        loss.backward()
        return loss

    assert opt.step(closure).item() == 9.0
    assert w.item() < 3.0


@pytest.mark.parametrize("make, message", [
    (lambda p: optim.SGD(p, lr=-0.1), "lr must be a finite number in"),
    (lambda p: optim.SGD(p, lr=0.0), "lr must be a finite number in"),
    (lambda p: optim.SGD(p, lr="0.1"), "lr must be a real number"),
    (lambda p: optim.SGD(p, lr=0.1, momentum=1.0), "momentum must be a finite number in"),
    (lambda p: optim.SGD(p, lr=0.1, dampening=1.5), "dampening must be a finite number in"),
    (lambda p: optim.SGD(p, lr=0.1, nesterov=True), "nesterov needs momentum"),
    (lambda p: optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "nesterov needs"),
    (lambda p: optim.Momentum(p, lr=0.1, beta=-0.1), "beta must be a finite number in"),
    (lambda p: optim.Momentum(p, lr=0.1, weight_decay=-1), "weight_decay must be a finite number in"),
    (lambda p: optim.Adagrad(p, eps=-1e-3), "eps must be a finite number in"),
    (lambda p: optim.RMSprop(p, alpha=1.2), "alpha must be a finite number in"),
    (lambda p: optim.Adam(p, betas=(0.9, 1.0)), r"betas\[1\] must be a finite number in"),
    (lambda p: optim.Adam(p, betas=0.9), "betas must be a pair"),
    (lambda p: optim.AdamW(p, lr=float("nan")), "lr must be a finite number in"),
    (lambda p: optim.Newton(p, damping=-1), "damping must be a finite number in"),
    (lambda p: optim.SGD(p, lr=True), "lr must be a real number"),
])
def test_bad_hyperparameters_are_rejected(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make(_params())


def test_sparse_gradients_are_rejected():
    w = torch.nn.Parameter(torch.zeros(3))
    w.grad = torch.zeros(3).to_sparse()
    with pytest.raises(TypeError, match="dense"):
        optim.Adam([w]).step()


def test_parameters_without_grad_are_skipped():
    a, b = torch.nn.Parameter(torch.ones(2)), torch.nn.Parameter(torch.ones(2))
    a.grad = torch.ones(2)
    optim.Adam([a, b], lr=0.1).step()
    assert b.detach().eq(1).all() and a.detach().lt(1).all()
