"""Optimizers written out line by line, as ``torch.optim.Optimizer`` subclasses.

See the site page *Regularization and optimization → Optimizers from scratch* (regularization/optimizers.md).

Each class implements one update rule in the notation of the optimizers page, with the equation
above the line that applies it. Where ``torch.optim`` implements the same algorithm, the class
follows it to the last detail (first-step buffers, where ``eps`` sits), so the two agree step by
step in float64; the tests check that over many steps and several parameter groups.

=====================  ===========================================  ============================
class                  update                                       same as
=====================  ===========================================  ============================
[`Momentum`][dlref.optim.Momentum]      v ← βv + (1 − β)g,  θ ← θ − αv                ``SGD(lr=α(1 − β), momentum=β)``
[`SGD`][dlref.optim.SGD]           b ← μb + (1 − τ)g,  θ ← θ − ηb                ``torch.optim.SGD``
[`Adagrad`][dlref.optim.Adagrad]       G ← G + g²,  θ ← θ − ηg / (√G + ε)            ``torch.optim.Adagrad``
[`RMSprop`][dlref.optim.RMSprop]       s ← ρs + (1 − ρ)g²,  θ ← θ − ηg / (√s + ε)    ``torch.optim.RMSprop``
[`Adam`][dlref.optim.Adam]          bias-corrected first and second moments      ``torch.optim.Adam`` / ``AdamW``
[`Newton`][dlref.optim.Newton]        θ ← θ − α(H + λI)⁻¹g                          (no torch counterpart)
=====================  ===========================================  ============================

References: Goodfellow, Bengio and Courville, *Deep Learning*, §8.3–8.5 and §8.6.1; Kingma and
Ba (2015) for Adam; Loshchilov and Hutter (2019) for decoupled weight decay.
"""

from __future__ import annotations

import abc
from typing import Any, Callable, Iterable

import torch
from torch.optim import Optimizer

from dlref import validate

Tensor = torch.Tensor

__all__ = ["Momentum", "SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Newton"]


def _grad(p: Tensor) -> Tensor:
    if p.grad.is_sparse:
        raise TypeError(f"dlref.optim supports dense gradients only; got a sparse gradient for a {tuple(p.shape)} parameter")
    return p.grad


class _Readable(Optimizer, metaclass=abc.ABCMeta):
    """Shared ``step``: evaluate the closure, then apply `_update()` to every parameter with a gradient."""

    @torch.no_grad()
    def step(self, closure: Callable[[], Tensor] | None = None) -> Tensor | None:  # type: ignore[override]
        """Apply one update to every parameter that has a gradient; returns the closure's loss."""
        validate.callable_("closure", closure, optional=True)
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    g = _grad(p)
                    # maximize: ascend L, i.e. descend −L; weight decay still shrinks θ
                    self._update(p, -g if group.get("maximize") else g, self.state[p], group)
        return loss

    @abc.abstractmethod
    def _update(self, p: Tensor, g: Tensor, state: dict, group: dict) -> None:
        """Update one parameter ``p`` in place from its gradient ``g`` and its ``state``."""


class Momentum(_Readable):
    """Momentum in the averaged form: ``v ← βv + (1 − β)g``, ``θ ← θ − αv`` (``v₀ = 0``).

    ``v`` is an exponential moving average of the gradients, so ``α`` is the step length for a
    constant gradient. It is ``torch.optim.SGD(lr=α(1 − β), momentum=β)`` exactly: with
    ``b = v / (1 − β)`` the update becomes ``b ← βb + g``, ``θ ← θ − α(1 − β)b``.

    With ``nesterov=True`` the parameters are the look-ahead points ``φ = θ − αβv`` of Nesterov's
    method, whose update in those variables needs only the gradient at ``φ``:
    ``v ← βv + (1 − β)g``, ``φ ← φ − α(βv + (1 − β)g)``.

    Args:
        params: parameters or parameter groups.
        lr: step size ``α > 0``.
        beta: averaging factor ``β ∈ [0, 1)``.
        nesterov: use Nesterov's look-ahead gradient.
        weight_decay: L2 coefficient ``λ``; adds ``λθ`` to the gradient.
        maximize: ascend the objective (``g ← −g`` before everything else), as ``torch.optim``'s ``maximize``.

    Examples:
        >>> import torch
        >>> w = torch.nn.Parameter(torch.tensor([1.0]))
        >>> opt = Momentum([w], lr=0.1, beta=0.5)
        >>> w.grad = torch.tensor([2.0]); opt.step()
        >>> w.data  # v = 0.5·2 = 1, θ = 1 − 0.1·1
        tensor([0.9000])
    """

    def __init__(self, params: Iterable, lr: float, beta: float = 0.9, *, nesterov: bool = False,
                 weight_decay: float = 0.0, maximize: bool = False) -> None:
        validate.iterable("params", params, "an iterable of parameters or parameter groups")
        validate.boolean("nesterov", nesterov)
        validate.real("lr", lr, low=0.0, low_open=True)
        validate.real("beta", beta, low=0.0, high=1.0, high_open=True)
        validate.real("weight_decay", weight_decay, low=0.0)
        validate.boolean("maximize", maximize)
        super().__init__(params, dict(lr=lr, beta=beta, nesterov=bool(nesterov), weight_decay=weight_decay,
                                      maximize=maximize))

    def _update(self, p, g, state, group):
        alpha, beta, lam = group["lr"], group["beta"], group["weight_decay"]
        if lam:
            g = g + lam * p  # ∇(L + λ/2 ‖θ‖²) = g + λθ
        if "v" not in state:
            state["v"] = torch.zeros_like(p)
        v = state["v"]
        v.mul_(beta).add_(g, alpha=1 - beta)  # v ← βv + (1 − β)g
        if group["nesterov"]:
            p.sub_(alpha * (beta * v + (1 - beta) * g))  # φ ← φ − α(βv + (1 − β)g)
        else:
            p.sub_(alpha * v)  # θ ← θ − αv


class SGD(_Readable):
    """``torch.optim.SGD``'s rule: ``b ← μb + (1 − τ)g`` (``b₁ = g``), ``θ ← θ − ηb``.

    The buffer starts at the first gradient itself, *not* at ``(1 − τ)g``: with a dampening
    ``τ = μ`` this is therefore not the averaged form of [`Momentum`][dlref.optim.Momentum] on the first step.
    Nesterov: ``θ ← θ − η(g + μb)``. Weight decay adds ``λθ`` to ``g`` first.

    Args:
        params: parameters or parameter groups.
        lr: ``η > 0`` (torch's default ``10⁻³``).
        momentum: ``μ ∈ [0, 1)``; 0 gives plain gradient descent.
        dampening: ``τ ∈ [0, 1]``.
        nesterov: Nesterov momentum (needs ``μ > 0`` and ``τ = 0``, as in torch).
        weight_decay: ``λ ≥ 0``.
        maximize: ascend the objective: ``g ← −g`` first (weight decay still shrinks ``θ``).

    Examples:
        >>> import torch
        >>> w = torch.nn.Parameter(torch.tensor([1.0]))
        >>> opt = SGD([w], lr=0.1, momentum=0.9)
        >>> w.grad = torch.tensor([2.0]); opt.step(); opt.step()
        >>> w.data  # b₁ = 2, b₂ = 0.9·2 + 2 = 3.8: θ = 1 − 0.2 − 0.38
        tensor([0.4200])
    """

    def __init__(self, params: Iterable, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0, *,
                 nesterov: bool = False, weight_decay: float = 0.0, maximize: bool = False) -> None:
        validate.iterable("params", params, "an iterable of parameters or parameter groups")
        validate.boolean("nesterov", nesterov)
        validate.real("lr", lr, low=0.0, low_open=True)
        validate.real("momentum", momentum, low=0.0, high=1.0, high_open=True)
        validate.real("dampening", dampening, low=0.0, high=1.0)
        validate.real("weight_decay", weight_decay, low=0.0)
        if nesterov and (momentum == 0 or dampening != 0):
            raise ValueError(f"nesterov needs momentum > 0 and dampening = 0; got momentum={momentum}, dampening={dampening}")
        validate.boolean("maximize", maximize)
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, nesterov=bool(nesterov),
                                      weight_decay=weight_decay, maximize=maximize))

    def _update(self, p, g, state, group):
        mu, tau, lam = group["momentum"], group["dampening"], group["weight_decay"]
        if lam:
            g = g + lam * p  # g ← g + λθ
        if mu:
            if "b" not in state:
                state["b"] = g.clone()  # b₁ = g: no dampening on the first step
            else:
                state["b"].mul_(mu).add_(g, alpha=1 - tau)  # b ← μb + (1 − τ)g
            g = g + mu * state["b"] if group["nesterov"] else state["b"]
        p.sub_(group["lr"] * g)  # θ ← θ − η b


class Adagrad(_Readable):
    """``G ← G + g²``, ``θ ← θ − η_t g / (√G + ε)`` with ``η_t = η / (1 + (t − 1)·decay)``.

    Args:
        params: parameters or parameter groups.
        lr: ``η > 0``.
        lr_decay: ``decay ≥ 0``.
        weight_decay: ``λ ≥ 0`` (added to the gradient).
        initial_accumulator_value: ``G₀ ≥ 0``.
        eps: ``ε ≥ 0``, added *outside* the square root, as torch does.
        maximize: ascend the objective: ``g ← −g`` first.

    Examples:
        >>> import torch
        >>> w = torch.nn.Parameter(torch.tensor([1.0, 1.0]))
        >>> opt = Adagrad([w], lr=0.5)
        >>> w.grad = torch.tensor([4.0, 0.01]); opt.step()
        >>> w.data  # both coordinates move by η, whatever the gradient's size
        tensor([0.5000, 0.5000])
    """

    def __init__(self, params: Iterable, lr: float = 1e-2, lr_decay: float = 0.0, weight_decay: float = 0.0,
                 initial_accumulator_value: float = 0.0, eps: float = 1e-10, *, maximize: bool = False) -> None:
        validate.iterable("params", params, "an iterable of parameters or parameter groups")
        validate.real("lr", lr, low=0.0, low_open=True)
        validate.real("lr_decay", lr_decay, low=0.0)
        validate.real("weight_decay", weight_decay, low=0.0)
        validate.real("initial_accumulator_value", initial_accumulator_value, low=0.0)
        validate.real("eps", eps, low=0.0)
        validate.boolean("maximize", maximize)
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, eps=eps, maximize=maximize))

    def _update(self, p, g, state, group):
        if "G" not in state:
            state["G"] = torch.full_like(p, group["initial_accumulator_value"])
            state["t"] = 0
        state["t"] += 1
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p
        lr_t = group["lr"] / (1 + (state["t"] - 1) * group["lr_decay"])
        state["G"].add_(g * g)  # G ← G + g²
        p.sub_(lr_t * g / (state["G"].sqrt() + group["eps"]))  # θ ← θ − η_t g / (√G + ε)


class RMSprop(_Readable):
    """``s ← ρs + (1 − ρ)g²``, ``θ ← θ − ηg / (√s + ε)``; optional centring and momentum as in torch.

    Centred: ``m ← ρm + (1 − ρ)g`` and ``√s`` becomes ``√(s − m²)``. Momentum ``μ``:
    ``b ← μb + g / (√s + ε)``, ``θ ← θ − ηb``.

    Args:
        params: parameters or parameter groups.
        lr: ``η > 0``.
        alpha: ``ρ ∈ [0, 1)``, the averaging factor of the squared gradients.
        eps: ``ε ≥ 0``.
        weight_decay: ``λ ≥ 0``.
        momentum: ``μ ∈ [0, 1)``.
        centered: divide by an estimate of the gradient's standard deviation instead of its RMS.
        maximize: ascend the objective: ``g ← −g`` first.

    Examples:
        >>> import torch
        >>> w = torch.nn.Parameter(torch.tensor([0.0]))
        >>> opt = RMSprop([w], lr=0.1, alpha=0.75, eps=0.0)
        >>> w.grad = torch.tensor([3.0]); opt.step()
        >>> w.data  # s = 0.25·9: the first step is η / √(1 − ρ) = 0.2 long
        tensor([-0.2000])
    """

    def __init__(self, params: Iterable, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False, *,
                 maximize: bool = False) -> None:
        validate.iterable("params", params, "an iterable of parameters or parameter groups")
        validate.boolean("centered", centered)
        validate.real("lr", lr, low=0.0, low_open=True)
        validate.real("alpha", alpha, low=0.0, high=1.0, high_open=True)
        validate.real("eps", eps, low=0.0)
        validate.real("weight_decay", weight_decay, low=0.0)
        validate.real("momentum", momentum, low=0.0, high=1.0, high_open=True)
        validate.boolean("maximize", maximize)
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                                      centered=bool(centered), maximize=maximize))

    def _update(self, p, g, state, group):
        rho = group["alpha"]
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p
        if "s" not in state:
            state["s"] = torch.zeros_like(p)
            state["m"] = torch.zeros_like(p)
            state["b"] = torch.zeros_like(p)
        state["s"].mul_(rho).add_((1 - rho) * g * g)  # s ← ρs + (1 − ρ)g²
        if group["centered"]:
            state["m"].mul_(rho).add_(g, alpha=1 - rho)  # m ← ρm + (1 − ρ)g
            denom = (state["s"] - state["m"] ** 2).sqrt() + group["eps"]  # √(s − m²) + ε
        else:
            denom = state["s"].sqrt() + group["eps"]  # √s + ε
        if group["momentum"]:
            state["b"].mul_(group["momentum"]).add_(g / denom)  # b ← μb + g / (√s + ε)
            p.sub_(group["lr"] * state["b"])
        else:
            p.sub_(group["lr"] * g / denom)  # θ ← θ − ηg / (√s + ε)


class Adam(_Readable):
    """Adam: ``m ← β₁m + (1 − β₁)g``, ``v ← β₂v + (1 − β₂)g²``, ``θ ← θ − α m̂ / (√v̂ + ε)``.

    ``m̂ = m / (1 − β₁ᵗ)`` and ``v̂ = v / (1 − β₂ᵗ)`` undo the pull toward the zero start
    ``m₀ = v₀ = 0``. Weight decay is L2 (``g ← g + λθ``, then rescaled by ``1/√v̂`` like every
    gradient) unless ``decoupled=True``, which shrinks ``θ ← (1 − αλ)θ`` before the step (AdamW).

    Args:
        params: parameters or parameter groups.
        lr: ``α > 0``.
        betas: ``(β₁, β₂)``, each in ``[0, 1)``.
        eps: ``ε ≥ 0``.
        weight_decay: ``λ ≥ 0``.
        decoupled: decoupled (AdamW) instead of L2 weight decay.
        amsgrad: AMSGrad (Reddi, Kale and Kumar, 2018): divide by the largest second moment so far,
            ``v_max ← max(v_max, v)``, ``θ ← θ − α m̂ / (√(v_max / (1 − β₂ᵗ)) + ε)``, so the
            effective step size never grows.
        maximize: ascend the objective: ``g ← −g`` first.

    Examples:
        >>> import torch
        >>> w = torch.nn.Parameter(torch.tensor([0.0, 0.0]))
        >>> opt = Adam([w], lr=0.1, eps=0.0)
        >>> w.grad = torch.tensor([5.0, -0.001]); opt.step()
        >>> w.data  # m̂ / √v̂ = sign(g) on the first step: both move by α
        tensor([-0.1000,  0.1000])
    """

    def __init__(self, params: Iterable, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, *, decoupled: bool = False, amsgrad: bool = False,
                 maximize: bool = False) -> None:
        validate.iterable("params", params, "an iterable of parameters or parameter groups")
        validate.boolean("decoupled", decoupled)
        validate.real("lr", lr, low=0.0, low_open=True)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas must be a pair (β₁, β₂); got {betas!r}")
        validate.real("betas[0]", betas[0], low=0.0, high=1.0, high_open=True)
        validate.real("betas[1]", betas[1], low=0.0, high=1.0, high_open=True)
        validate.real("eps", eps, low=0.0)
        validate.real("weight_decay", weight_decay, low=0.0)
        validate.boolean("amsgrad", amsgrad)
        validate.boolean("maximize", maximize)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      decoupled=bool(decoupled), amsgrad=amsgrad, maximize=maximize))

    def _update(self, p, g, state, group):
        alpha, (beta1, beta2), lam = group["lr"], group["betas"], group["weight_decay"]
        if "m" not in state:
            state["t"], state["m"], state["v"] = 0, torch.zeros_like(p), torch.zeros_like(p)
            if group.get("amsgrad"):
                state["v_max"] = torch.zeros_like(p)
        state["t"] += 1
        t = state["t"]
        if lam and group["decoupled"]:
            p.mul_(1 - alpha * lam)  # θ ← (1 − αλ)θ, outside the adaptive scaling
        elif lam:
            g = g + lam * p  # g ← g + λθ, then scaled like the loss gradient
        state["m"].mul_(beta1).add_(g, alpha=1 - beta1)  # m ← β₁m + (1 − β₁)g
        state["v"].mul_(beta2).add_((1 - beta2) * g * g)  # v ← β₂v + (1 − β₂)g²
        m_hat = state["m"] / (1 - beta1**t)  # m̂ = m / (1 − β₁ᵗ)
        v = state["v"]
        if group.get("amsgrad"):
            v = torch.maximum(state["v_max"], v, out=state["v_max"])  # v_max ← max(v_max, v)
        v_hat = v / (1 - beta2**t)  # v̂ = v / (1 − β₂ᵗ)  (v_max with amsgrad)
        p.sub_(alpha * m_hat / (v_hat.sqrt() + group["eps"]))  # θ ← θ − α m̂ / (√v̂ + ε)


class AdamW(Adam):
    """Adam with decoupled weight decay, ``θ ← (1 − αλ)θ`` then the Adam step; same as ``torch.optim.AdamW``.

    Args:
        params: parameters or parameter groups.
        lr: ``α > 0``.
        betas: ``(β₁, β₂)``.
        eps: ``ε ≥ 0``.
        weight_decay: ``λ ≥ 0`` (torch's default 0.01).
        amsgrad: AMSGrad's running maximum of ``v``, as in [`Adam`][dlref.optim.Adam].
        maximize: ascend the objective: ``g ← −g`` first.

    Examples:
        >>> import torch
        >>> w = torch.nn.Parameter(torch.tensor([2.0]))
        >>> opt = AdamW([w], lr=0.1, weight_decay=0.5)
        >>> w.grad = torch.tensor([0.0]); opt.step()
        >>> w.data  # zero gradient: only the decay acts, 2·(1 − 0.05)
        tensor([1.9000])
    """

    def __init__(self, params: Iterable, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, *, amsgrad: bool = False, maximize: bool = False) -> None:
        validate.iterable("params", params, "an iterable of parameters or parameter groups")
        validate.boolean("amsgrad", amsgrad)
        validate.boolean("maximize", maximize)
        super().__init__(params, lr, betas, eps, weight_decay, decoupled=True, amsgrad=amsgrad, maximize=maximize)


class Newton(Optimizer):
    """Damped Newton's method, ``θ ← θ − α(H + λI)⁻¹∇L``, for problems small enough to form ``H``.

    All parameters of a group are treated as one vector ``θ ∈ ℝⁿ``; the Hessian (n × n) is built
    row by row with autograd, so ``step`` needs a closure that recomputes the loss.

    Args:
        params: parameters or parameter groups (a few hundred numbers at most).
        lr: ``α > 0``; 1 is the pure Newton step.
        damping: ``λ ≥ 0``, added to the diagonal (Levenberg–Marquardt style).
        maximize: take the Newton step on ``−L`` (the same step when ``λ = 0``: Newton's method
            seeks a stationary point either way; the damping then pulls toward ascent).

    Examples:
        >>> import torch
        >>> w = torch.nn.Parameter(torch.tensor([0.0, 0.0], dtype=torch.float64))
        >>> A = torch.tensor([[3.0, 1.0], [1.0, 2.0]], dtype=torch.float64)
        >>> opt = Newton([w])
        >>> _ = opt.step(lambda: 0.5 * w @ A @ w - w.sum())  # a quadratic: one step lands on A⁻¹1
        >>> w.data
        tensor([0.2000, 0.4000], dtype=torch.float64)
    """

    def __init__(self, params: Iterable, lr: float = 1.0, damping: float = 0.0, *, maximize: bool = False) -> None:
        validate.iterable("params", params, "an iterable of parameters or parameter groups")
        validate.real("lr", lr, low=0.0, low_open=True)
        validate.real("damping", damping, low=0.0)
        validate.boolean("maximize", maximize)
        super().__init__(params, dict(lr=lr, damping=damping, maximize=maximize))

    def step(self, closure: Callable[[], Tensor] | None = None) -> Tensor:  # type: ignore[override]
        """One Newton step per parameter group; returns the loss before the step."""
        if closure is None:
            raise ValueError("Newton.step needs a closure that returns the loss (the Hessian is recomputed each step)")
        validate.callable_("closure", closure)
        with torch.enable_grad():
            loss = closure()
            if not isinstance(loss, Tensor) or loss.numel() != 1:
                raise ValueError(f"the closure must return a scalar tensor; got {getattr(loss, 'shape', type(loss))}")
            for group in self.param_groups:
                params = [p for p in group["params"] if p.requires_grad]
                objective = -loss if group.get("maximize") else loss  # maximize L = minimize −L
                grads = torch.autograd.grad(objective, params, create_graph=True, allow_unused=True)
                g = torch.cat([(torch.zeros_like(p) if gi is None else gi).reshape(-1)
                               for p, gi in zip(params, grads)])  # (n,)
                rows = []
                for i in range(g.numel()):
                    row = torch.autograd.grad(g[i], params, retain_graph=True, allow_unused=True)
                    rows.append(torch.cat([(torch.zeros_like(p) if r is None else r).reshape(-1)
                                           for p, r in zip(params, row)]))
                H = torch.stack(rows)  # (n, n)
                H = H + group["damping"] * torch.eye(len(g), dtype=H.dtype, device=H.device)
                d = torch.linalg.solve(H.detach(), g.detach())  # (H + λI) d = ∇L
                with torch.no_grad():
                    offset = 0
                    for p in params:
                        n = p.numel()
                        p.sub_(group["lr"] * d[offset:offset + n].reshape(p.shape))  # θ ← θ − α d
                        offset += n
        return loss.detach()
