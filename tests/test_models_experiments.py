"""Tests for the experiment helpers behind the classifier and ViT pages (data, threads, reports)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from dlref.lab import data
from dlref.lab.experiments import classifiers

needs_fashion = pytest.mark.skipif(not data.available()["fashion-mnist"], reason="Fashion-MNIST not available")


def test_cpu_threads_restores():
    before = torch.get_num_threads()
    with classifiers.cpu_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    with pytest.raises(RuntimeError):
        with classifiers.cpu_threads(1):
            raise RuntimeError("boom")
    assert torch.get_num_threads() == before


@needs_fashion
def test_fashion_tensors_normalised_and_subset_reproducible():
    X, y = classifiers.fashion_tensors(True)
    assert X.shape == (60000, 1, 28, 28) and y.dtype == torch.int64
    assert abs(X.mean().item()) < 1e-4 and abs(X.std().item() - 1) < 1e-3
    a, ya = classifiers.fashion_tensors(True, 100, seed=3)
    b, yb = classifiers.fashion_tensors(True, 100, seed=3)
    c, _ = classifiers.fashion_tensors(True, 100, seed=4)
    assert torch.equal(a, b) and torch.equal(ya, yb) and not torch.equal(a, c)
    Xt, _ = classifiers.fashion_tensors(False)
    assert Xt.shape == (10000, 1, 28, 28)


def test_final_report_is_consistent():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(4, 10))
    X, y = torch.randn(50, 1, 2, 2), torch.randint(0, 10, (50,))
    rep = classifiers.final_report(model, classifiers.loader(X, y, 16, shuffle=False))
    with torch.no_grad():
        acc = (model(X).argmax(1) == y).float().mean().item()
    assert rep["test_accuracy"] == pytest.approx(acc)
    cm = torch.tensor(rep["confusion"])
    assert cm.sum() == 50 and cm.trace() / 50 == pytest.approx(acc)
    assert len(rep["per_class_accuracy"]) == 10


def test_configs_are_frozen():
    cfg = classifiers.LeNetGridConfig()
    with pytest.raises(Exception):
        cfg.n_train = 5  # type: ignore[misc]
