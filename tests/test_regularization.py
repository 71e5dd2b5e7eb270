"""Smoke tests of the regularization experiments (tiny configurations) and their helpers."""

import pytest
import torch

from dlref.lab.experiments import esl_weight_decay as esl
from dlref.lab.experiments import overfitting as of


def test_esl_simulate_follows_the_model():
    cfg = esl.Config(noise=0.0)
    X, Y = esl.simulate(50, 2, cfg, torch.Generator().manual_seed(0))
    a1, a2 = torch.tensor(cfg.a1, dtype=torch.float64), torch.tensor(cfg.a2, dtype=torch.float64)
    torch.testing.assert_close(Y[..., 0], torch.sigmoid(X @ a1) + (X @ a2) ** 2)


def test_esl_smoke_run(tmp_path):
    cfg = esl.Config(n_train=20, n_test=30, hidden=3, decays=(0.0, 1.0), epochs=30, record_every=10,
                     hidden_sweep=(1, 2), sweep_decays=(0.0,), seeds=2)
    m = esl.run(cfg, tmp_path)
    assert m["epochs"] == [0, 10, 20, 30]
    assert set(m["curves"]) == {"0.0", "1.0"}
    c = m["curves"]["0.0"]
    assert c["train_mean"][-1] < c["train_mean"][0]  # training reduces the training error
    assert len(m["sweep"]["0.0"]["mean"]) == 2
    assert m["bayes_error"] == pytest.approx(cfg.noise**2)


def test_esl_large_decay_shrinks_weights_more():
    cfg = esl.Config(n_train=30, n_test=30, epochs=200, record_every=200, seeds=2)
    g = torch.Generator().manual_seed(0)
    data = (*esl.simulate(30, 2, cfg, g), *esl.simulate(30, 2, cfg, g))
    free = esl.train(4, 0.0, data, cfg, torch.Generator().manual_seed(1))
    decayed = esl.train(4, 1.0, data, cfg, torch.Generator().manual_seed(1))
    assert decayed["train"][:, -1].mean() > free["train"][:, -1].mean()


def test_esl_bad_input():
    with pytest.raises(ValueError, match="n must be an int >= 1; got 0"):
        esl.simulate(0, 1, esl.Config(), torch.Generator())


def test_overfitting_simulate_flips_labels():
    X, y = of.simulate(20000, 1, 0.2, torch.Generator().manual_seed(0))
    clean = (X[..., 1] > torch.sin(2 * X[..., 0])).double()
    assert abs((y != clean).double().mean().item() - 0.2) < 0.01
    with pytest.raises(ValueError, match="flip"):
        of.simulate(5, 1, 0.5, torch.Generator())


def test_overfitting_smoke_run(tmp_path):
    cfg = of.Config(n_train=20, n_test=50, width=8, sizes=(20, 40), decays=(0.0, 0.1), widths=(2, 8),
                    epochs=40, record_every=20, seeds=2)
    m = of.run(cfg, tmp_path)
    assert [r["n"] for r in m["more_data"]] == [20, 40]
    assert [r["width"] for r in m["wider"]] == [2, 8]
    assert m["validation"]["n_val"] == 4
    for r in m["l2"]:
        assert 0.0 <= r["test"]["mean"] <= 1.0
