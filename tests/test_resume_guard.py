"""fit refuses to resume a checkpoint from a different run, and smoke runs cannot end real runs early."""

from __future__ import annotations

import errno

import pytest
import torch
from torch import nn

from dlref.lab import train
from dlref.lab import checkpoint


def _run(tmp_path, *, hidden=16, n=96, batch_size=16, resume=False, max_steps=None, epochs=1, opt_cls=torch.optim.Adam):
    gen = train.seed_everything(0)
    g = torch.Generator().manual_seed(0)
    X = torch.randn(n, 6, generator=g)
    y = (X[:, 0] > 0).long()
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=batch_size, shuffle=True, generator=gen)
    model = nn.Sequential(nn.Linear(6, hidden), nn.ReLU(), nn.Linear(hidden, 2))
    opt = opt_cls(model.parameters(), lr=1e-2)
    return train.fit(model, loader, optimizer=opt, loss_fn=nn.functional.cross_entropy, epochs=epochs, device="cpu",
                     checkpoint_dir=tmp_path, resume=resume, max_steps=max_steps, progress=False)


@pytest.mark.parametrize("change, named", [
    ({"hidden": 32}, r"parameter 0\.bias: checkpoint \[16\], this model \[32\]"),
    ({"n": 64}, r"number of training examples: checkpoint 96, this run 64"),
    ({"batch_size": 8}, r"batch size: checkpoint 16, this run 8"),
    ({"opt_cls": torch.optim.SGD}, r"optimizer: checkpoint 'Adam', this run 'SGD'"),
])
def test_resume_with_other_settings_is_refused_naming_the_difference(tmp_path, change, named):
    _run(tmp_path, epochs=1)
    with pytest.raises(checkpoint.CheckpointError, match=rf"checkpoint\.pt was written by a different run.*{named}"):
        _run(tmp_path, epochs=2, resume=True, **change)


def test_resume_with_the_same_settings_continues(tmp_path):
    _run(tmp_path, epochs=1)
    metrics = _run(tmp_path, epochs=2, resume=True)
    assert metrics["epoch"] == [1, 2] and metrics["resumed_from_epoch"] == 1


def test_smoke_checkpoint_cannot_end_a_real_run(tmp_path):
    smoke = _run(tmp_path, epochs=1, max_steps=3)
    assert smoke["stopped_early"]
    with pytest.raises(checkpoint.CheckpointError, match=r"max_steps \(smoke mode\): checkpoint 3, this run None"):
        _run(tmp_path, epochs=3, resume=True)


def test_stale_temporaries_are_removed(tmp_path):
    _run(tmp_path, epochs=1)
    torn = tmp_path / ".checkpoint.pt.abc123.tmp"
    torn.write_bytes(b"half a checkpoint")
    _run(tmp_path, epochs=2, resume=True)
    assert not torn.exists()


def test_checkpoint_without_required_parts_is_refused(tmp_path):
    torch.save({"model": {}}, tmp_path / "checkpoint.pt")
    with pytest.raises(checkpoint.CheckpointError, match="lacks optimizer, epoch, rng, metrics"):
        _run(tmp_path, epochs=2, resume=True)


def test_disk_full_keeps_the_previous_checkpoint_and_says_so(tmp_path, monkeypatch):
    checkpoint.save_checkpoint(tmp_path / "checkpoint.pt", {"epoch": 1})

    def full(state, fh, *args, **kwargs):
        fh.write(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(torch, "save", full)
    with pytest.raises(checkpoint.CheckpointError, match=r"No space left on device.*previous checkpoint there is intact"):
        checkpoint.save_checkpoint(tmp_path / "checkpoint.pt", {"epoch": 2})
    monkeypatch.undo()
    assert checkpoint.load_checkpoint(tmp_path / "checkpoint.pt") == {"epoch": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["checkpoint.pt"]


def test_cli_refuses_a_mismatched_resume_in_one_line(tmp_path, capsys):
    pytest.importorskip("torchvision")
    from dlref.lab import cli, data

    if data.available()["fashion-mnist"] is not True:
        pytest.skip("Fashion-MNIST not prepared (make data)")
    common = ["train", "classifier", "--checkpoint-dir", str(tmp_path), "--no-progress", "--epochs", "1"]
    assert cli.main([*common, "--dry-run"]) == 0
    capsys.readouterr()
    assert cli.main([*common[:-1], "2", "--resume", "--batch-size", "8", "--dry-run"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "batch size: checkpoint 16, this run 8" in err and "checkpoint.pt" in err


@pytest.mark.parametrize("argv", [
    ["train", "classifier", "--dry-run", "--checkpoint-dir", "/proc/no-such-folder/run"],
    ["gan", "train", "--dataset", "ring", "--out", "/proc/no-such-folder/run"],
])
def test_cli_refuses_an_unwritable_output_folder_before_any_work(argv, capsys):
    from dlref.lab import cli

    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "is not a writable folder" in err and "/proc/no-such-folder/run" in err and "Traceback" not in err
