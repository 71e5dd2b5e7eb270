"""Tests for dlref.lab.train: resume equals an uninterrupted run, NaN guard, bad config, metrics file."""

from __future__ import annotations

import json

import pytest
import torch
from torch import nn

from dlref.lab import train
from dlref.lab import checkpoint


def _data(n=96, d=6, classes=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, d, generator=g)
    y = (X[:, 0] > 0).long() + (X[:, 1] > 0.5).long()  # learnable labels in 0..2
    return torch.utils.data.TensorDataset(X, y)


def _setup(seed=0):
    gen = train.seed_everything(seed)
    loader = torch.utils.data.DataLoader(_data(), batch_size=16, shuffle=True, generator=gen)
    # Dropout consumes the global RNG: resuming must restore it too.
    model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 3))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=5, gamma=0.9)
    return model, loader, opt, sched


class _Interrupt(Exception):
    pass


def test_resume_reproduces_uninterrupted_run_exactly(tmp_path):
    model, loader, opt, sched = _setup()
    full = train.fit(model, loader, optimizer=opt, scheduler=sched, loss_fn=nn.functional.cross_entropy,
                     epochs=4, device="cpu", checkpoint_dir=tmp_path / "a", progress=False, log_every=4)
    reference = {k: v.clone() for k, v in model.state_dict().items()}

    # Same run, killed in the middle of epoch 3 (after two checkpoints were written).
    model2, loader2, opt2, sched2 = _setup()
    calls = {"n": 0}

    def dying_loss(logits, y):
        calls["n"] += 1
        if calls["n"] == 2 * len(loader2) + 3:
            raise _Interrupt
        return nn.functional.cross_entropy(logits, y)

    with pytest.raises(_Interrupt):
        train.fit(model2, loader2, optimizer=opt2, scheduler=sched2, loss_fn=dying_loss, epochs=4,
                  device="cpu", checkpoint_dir=tmp_path / "b", progress=False, log_every=4)
    assert checkpoint.load_checkpoint(tmp_path / "b" / checkpoint.CHECKPOINT_FILE)["epoch"] == 2

    # A new process would rebuild everything from scratch with a different RNG state.
    model3, loader3, opt3, sched3 = _setup(seed=123)
    resumed = train.fit(model3, loader3, optimizer=opt3, scheduler=sched3, loss_fn=nn.functional.cross_entropy,
                        epochs=4, device="cpu", checkpoint_dir=tmp_path / "b", resume=True, progress=False,
                        log_every=4)
    for k, v in model3.state_dict().items():
        torch.testing.assert_close(v, reference[k], rtol=0, atol=0)
    assert resumed["resumed_from_epoch"] == 2
    assert resumed["train_loss"] == full["train_loss"]
    assert resumed["step_loss"] == full["step_loss"]
    assert sched3.last_epoch == sched.last_epoch


def test_without_restoring_rng_the_run_differs(tmp_path):
    # The exact-resume test above must be able to fail: loading only the weights is not enough.
    model, loader, opt, _ = _setup()
    train.fit(model, loader, optimizer=opt, loss_fn=nn.functional.cross_entropy, epochs=2, device="cpu",
              progress=False)
    model2, loader2, opt2, _ = _setup()
    train.fit(model2, loader2, optimizer=opt2, loss_fn=nn.functional.cross_entropy, epochs=1, device="cpu",
              progress=False)
    train.seed_everything(99)
    loader2.generator.manual_seed(99)
    train.fit(model2, loader2, optimizer=opt2, loss_fn=nn.functional.cross_entropy, epochs=1, device="cpu",
              progress=False)
    assert not torch.equal(model[0].weight, model2[0].weight)


def test_training_reduces_loss_and_metrics_file(tmp_path):
    model, loader, opt, _ = _setup()
    val = torch.utils.data.DataLoader(_data(seed=1), batch_size=32)
    m = train.fit(model, loader, optimizer=opt, loss_fn=nn.functional.cross_entropy, epochs=5, device="cpu",
                  val_loader=val, checkpoint_dir=tmp_path, progress=False, log_every=3)
    on_disk = json.loads((tmp_path / checkpoint.METRICS_FILE).read_text())
    assert on_disk == json.loads(json.dumps(m))
    assert on_disk["epoch"] == [1, 2, 3, 4, 5]
    for key in ("train_loss", "train_accuracy", "val_loss", "val_accuracy", "images_per_s", "seconds"):
        assert len(on_disk[key]) == 5, key
    assert on_disk["steps"] == 5 * len(loader)
    assert len(on_disk["step_loss"]) == on_disk["steps"] // 3
    assert on_disk["train_loss"][-1] < on_disk["train_loss"][0]
    assert on_disk["val_accuracy"][-1] > 0.6
    assert all(v > 0 for v in on_disk["images_per_s"])
    assert on_disk["device"].startswith("cpu") and on_disk["amp_dtype"] is None
    # evaluate agrees with an independent computation
    with torch.no_grad():
        X, y = val.dataset.tensors
        model.eval()
        acc = (model(X).argmax(1) == y).float().mean().item()
    assert on_disk["val_accuracy"][-1] == pytest.approx(acc)
    assert not list(tmp_path.glob(".*.tmp")), "temporary files left behind"


def test_nan_loss_names_the_step():
    model, loader, opt, _ = _setup()
    calls = {"n": 0}

    def loss_fn(logits, y):
        calls["n"] += 1
        loss = nn.functional.cross_entropy(logits, y)
        return loss * float("nan") if calls["n"] == 9 else loss

    with pytest.raises(train.NonFiniteLossError, match=r"nan at epoch 2, step 9"):
        train.fit(model, loader, optimizer=opt, loss_fn=loss_fn, epochs=3, device="cpu", progress=False)


def test_inf_loss_detected():
    with pytest.raises(train.NonFiniteLossError, match="inf at epoch 1, step 4"):
        train.check_finite(torch.tensor(float("inf")), epoch=1, step=4)


def test_smoke_mode_stops_after_max_steps():
    model, loader, opt, _ = _setup()
    m = train.fit(model, loader, optimizer=opt, loss_fn=nn.functional.cross_entropy, epochs=10, device="cpu",
                  max_steps=3, progress=False)
    assert m["steps"] == 3 and m["stopped_early"] and m["epoch"] == [1]


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"epochs": 0}, ValueError, "epochs must be a positive int; got 0"),
        ({"epochs": 2.5}, ValueError, "epochs must be a positive int"),
        ({"log_every": -1}, ValueError, "log_every must be a positive int"),
        ({"max_steps": 0}, ValueError, "max_steps must be a positive int"),
        ({"resume": True}, ValueError, "resume=True needs checkpoint_dir"),
    ],
)
def test_bad_fit_arguments(kwargs, error, match):
    model, loader, opt, _ = _setup()
    args = dict(optimizer=opt, loss_fn=nn.functional.cross_entropy, epochs=1, device="cpu", progress=False)
    args.update(kwargs)
    with pytest.raises(error, match=match):
        train.fit(model, loader, **args)


def test_bad_model_optimizer_and_loader():
    model, loader, opt, _ = _setup()
    with pytest.raises(TypeError, match="model must be a torch.nn.Module; got function"):
        train.fit(lambda x: x, loader, optimizer=opt, loss_fn=nn.functional.cross_entropy, epochs=1)
    with pytest.raises(TypeError, match="optimizer must be a torch.optim.Optimizer; got dict"):
        train.fit(model, loader, optimizer={}, loss_fn=nn.functional.cross_entropy, epochs=1)
    other = torch.optim.SGD(nn.Linear(2, 2).parameters(), lr=0.1)
    with pytest.raises(ValueError, match="2 parameter.* not the model's"):
        train.fit(model, loader, optimizer=other, loss_fn=nn.functional.cross_entropy, epochs=1)
    with pytest.raises(ValueError, match="yielded no batches"):
        train.fit(model, [], optimizer=opt, loss_fn=nn.functional.cross_entropy, epochs=1, device="cpu",
                  progress=False)


def test_resume_without_checkpoint(tmp_path):
    model, loader, opt, _ = _setup()
    with pytest.raises(FileNotFoundError, match="no checkpoint at"):
        train.fit(model, loader, optimizer=opt, loss_fn=nn.functional.cross_entropy, epochs=1, device="cpu",
                  checkpoint_dir=tmp_path, resume=True, progress=False)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"epochs": 0}, "TrainConfig.epochs must be a positive int; got 0"),
        ({"batch_size": -3}, "TrainConfig.batch_size"),
        ({"lr": 0.0}, "TrainConfig.lr must be a positive finite number"),
        ({"lr": float("nan")}, "TrainConfig.lr"),
        ({"weight_decay": -1e-4}, "TrainConfig.weight_decay must be >= 0"),
        ({"seed": -1}, "TrainConfig.seed"),
        ({"max_steps": 0}, "TrainConfig.max_steps"),
    ],
)
def test_bad_train_config(kwargs, match):
    with pytest.raises(ValueError, match=match):
        train.TrainConfig(**kwargs)


def test_train_config_is_frozen_and_feeds_fit():
    cfg = train.TrainConfig(epochs=3, max_steps=5)
    with pytest.raises(Exception):
        cfg.epochs = 4  # type: ignore[misc]
    assert cfg.fit_kwargs() == {"epochs": 3, "amp": True, "channels_last": True, "cpu_amp": False, "log_every": 50,
                                "max_steps": 5}


def test_seed_everything():
    g = train.seed_everything(5)
    a = (torch.rand(3), torch.rand(3, generator=g))
    g = train.seed_everything(5)
    b = (torch.rand(3), torch.rand(3, generator=g))
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    with pytest.raises(TypeError, match="seed must be an int; got float"):
        train.seed_everything(1.0)
    with pytest.raises(ValueError, match="non-negative; got -2"):
        train.seed_everything(-2)


def test_rng_state_roundtrip_and_mismatch():
    g = torch.Generator().manual_seed(3)
    state = checkpoint.rng_state([g])
    a = (torch.rand(2), torch.rand(2, generator=g))
    checkpoint.set_rng_state(state, [g])
    b = (torch.rand(2), torch.rand(2, generator=g))
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    with pytest.raises(ValueError, match="1 generator state"):
        checkpoint.set_rng_state(state, [])


def test_save_checkpoint_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "c.pt"
    checkpoint.save_checkpoint(path, {"epoch": 1})

    def broken_save(obj, fh):
        fh.write(b"partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(torch, "save", broken_save)
    with pytest.raises(KeyboardInterrupt):
        checkpoint.save_checkpoint(path, {"epoch": 2})
    monkeypatch.undo()
    assert checkpoint.load_checkpoint(path)["epoch"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["c.pt"]


def test_evaluate_and_predict():
    model = nn.Linear(2, 2, bias=False)
    with torch.no_grad():
        model.weight.copy_(torch.eye(2))
    x = torch.tensor([[3.0, 1.0], [0.0, 2.0], [1.0, 0.0]])
    y = torch.tensor([0, 1, 1])
    logits, targets = train.predict(model, [(x[:2], y[:2]), (x[2:], y[2:])])
    torch.testing.assert_close(logits, x)
    assert targets.tolist() == [0, 1, 1]
    out = train.evaluate(model, [(x, y)], nn.functional.cross_entropy)
    assert out["accuracy"] == pytest.approx(2 / 3)
    assert out["loss"] == pytest.approx(nn.functional.cross_entropy(x, y).item())
    with pytest.raises(ValueError, match="empty loader"):
        train.predict(model, [])


def test_confusion_matrix_against_loop():
    g = torch.Generator().manual_seed(0)
    pred, target = torch.randint(0, 4, (200,), generator=g), torch.randint(0, 4, (200,), generator=g)
    cm = train.confusion_matrix(pred, target, 4)
    expected = torch.zeros(4, 4, dtype=torch.long)
    for p, t in zip(pred.tolist(), target.tolist()):
        expected[t, p] += 1
    assert torch.equal(cm, expected) and cm.sum() == 200
    with pytest.raises(ValueError, match=r"equal length; got \(3,\) and \(2,\)"):
        train.confusion_matrix(torch.zeros(3, dtype=torch.long), torch.zeros(2, dtype=torch.long), 2)
    with pytest.raises(ValueError, match=r"target holds class indices outside 0..1: min 0, max 5"):
        train.confusion_matrix(torch.zeros(2, dtype=torch.long), torch.tensor([0, 5]), 2)


def test_cpu_amp_trains_a_conv_net_in_bf16_channels_last():
    """cpu_amp=True: bf16 autocast and channels_last on CPU; the default stays float32."""
    gen = train.seed_everything(0)
    X, y = torch.randn(64, 1, 8, 8, generator=gen), torch.randint(0, 2, (64,), generator=gen)
    X[y == 1] += 1.0  # a learnable shift
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=16, shuffle=True,
                                         generator=gen)
    seen = []

    def net():
        m = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(256, 2))
        m[0].register_forward_hook(lambda mod, inp, out: seen.append((out.dtype, inp[0].is_contiguous(
            memory_format=torch.channels_last))))
        return m

    model = net()
    m = train.fit(model, loader, optimizer=torch.optim.SGD(model.parameters(), lr=0.05),
                  loss_fn=nn.functional.cross_entropy, epochs=3, device="cpu", val_loader=loader, cpu_amp=True,
                  progress=False)
    assert m["amp_dtype"] == "bfloat16" and m["channels_last"] is True
    assert set(seen) == {(torch.bfloat16, True)}  # training and evaluation both ran in bf16, channels_last
    assert m["val_accuracy"][-1] > 0.8
    seen.clear()
    model = net()
    m = train.fit(model, loader, optimizer=torch.optim.SGD(model.parameters(), lr=0.05),
                  loss_fn=nn.functional.cross_entropy, epochs=1, device="cpu", progress=False)
    assert m["amp_dtype"] is None and m["channels_last"] is False
    assert {dt for dt, _ in seen} == {torch.float32}
