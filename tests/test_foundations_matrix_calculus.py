"""Tests for dlref.matrix_calculus: layouts, gradients of the layouts page's formulas, errors."""

from __future__ import annotations

import pytest
import torch
from torch.testing import assert_close

from dlref import matrix_calculus as mc

f64 = torch.float64


def randn(*shape: int, seed: int = 0) -> torch.Tensor:
    return torch.randn(*shape, dtype=f64, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("m, n", [(1, 1), (2, 3), (4, 2)])
def test_linear_map_layouts_differ_by_a_transpose(m, n):
    A, y = randn(m, n, seed=1), randn(n, seed=2)
    num = mc.jacobian(lambda t: A @ t, y)
    den = mc.jacobian(lambda t: A @ t, y, layout="denominator")
    assert num.shape == (m, n) and den.shape == (n, m)
    assert_close(num, A)
    assert_close(den, A.T)


def test_jacobian_entries_follow_numerator_layout():
    def f(x):
        return torch.stack([x[0] * x[1], x[1] ** 3, torch.sin(x[0])])

    x = torch.tensor([0.3, -1.2], dtype=f64)
    expected = torch.tensor([[x[1], x[0]], [0.0, 3 * x[1] ** 2], [torch.cos(x[0]), 0.0]], dtype=f64)
    assert_close(mc.jacobian(f, x), expected)


def test_scalar_output_row_column_and_gradient():
    x = randn(4, seed=3)
    num = mc.jacobian(lambda t: t @ t, x)
    den = mc.jacobian(lambda t: t @ t, x, layout="denominator")
    assert num.shape == (1, 4) and den.shape == (4, 1)
    assert_close(num, 2 * x[None, :])
    assert_close(den, 2 * x[:, None])
    assert_close(mc.gradient(lambda t: t @ t, x), 2 * x)


@pytest.mark.parametrize("m, n", [(2, 3), (3, 1), (5, 4)])
def test_gradients_of_the_layouts_page(m, n):
    A, x, y = randn(m, n, seed=4), randn(m, seed=5), randn(n, seed=6)
    assert_close(mc.gradient(lambda M: torch.trace(M.T @ M), A), 2 * A)  # ∇ tr(AᵀA) = 2A, shape (m, n)
    assert_close(mc.gradient(lambda t: x @ A @ t, y), A.T @ x)  # ∇_y xᵀAy = Aᵀx ∈ ℝⁿ
    assert_close(mc.gradient(lambda t: t @ A @ y, x), A @ y)  # ∇_x xᵀAy = Ay ∈ ℝᵐ
    assert_close(mc.gradient(lambda M: x @ M @ y, A), torch.outer(x, y))  # ∇_A xᵀAy = x yᵀ


def test_matrix_input_is_flattened_row_major():
    A = randn(2, 3, seed=7)
    J = mc.jacobian(lambda M: M.sum(0), A)  # column sums: (3,) from (2, 3)
    assert J.shape == (3, 6)
    assert_close(J, torch.tensor([[1, 0, 0, 1, 0, 0], [0, 1, 0, 0, 1, 0], [0, 0, 1, 0, 0, 1]], dtype=f64))


def test_bad_inputs():
    x = randn(3)
    with pytest.raises(ValueError, match=r"layout must be one of 'numerator', 'denominator'; got 'row'"):
        mc.jacobian(lambda t: t, x, layout="row")
    with pytest.raises(TypeError, match="x must be a floating-point tensor; got dtype torch.int64"):
        mc.jacobian(lambda t: t, torch.arange(3))
    with pytest.raises(TypeError, match=r"x must be a torch.Tensor; got list \[1.0, 2.0\]"):
        mc.gradient(lambda t: t.sum(), [1.0, 2.0])
    with pytest.raises(TypeError, match="fn must return a tensor; got float"):
        mc.jacobian(lambda t: 1.0, x)
    with pytest.raises(ValueError, match="fn must return a scalar .* got 3 elements"):
        mc.gradient(lambda t: 2 * t, x)
