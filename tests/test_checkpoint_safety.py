"""Checkpoints load through torch's restricted unpickler; torn, foreign or crafted files are refused by name."""

from __future__ import annotations

import os

import pytest
import torch

from dlref.lab import train
from dlref.lab import checkpoint


class _RunsCode:
    def __reduce__(self):
        return (os.system, ("echo crafted-checkpoint-ran-code",))


def test_round_trip_keeps_rng_state(tmp_path):
    state = {"model": {"w": torch.arange(3.0)}, "rng": checkpoint.rng_state(), "epoch": 2, "metrics": {"loss": [1.0]}}
    checkpoint.save_checkpoint(tmp_path / "c.pt", state)
    loaded = checkpoint.load_checkpoint(tmp_path / "c.pt")
    torch.testing.assert_close(loaded["model"]["w"], state["model"]["w"])
    assert loaded["epoch"] == 2 and loaded["metrics"] == {"loss": [1.0]}
    checkpoint.set_rng_state(loaded["rng"])
    a = torch.rand(3)
    checkpoint.set_rng_state(loaded["rng"])
    torch.testing.assert_close(torch.rand(3), a)


def test_crafted_checkpoint_is_refused_not_run(tmp_path, capfd):
    path = tmp_path / "checkpoint.pt"
    torch.save({"model": _RunsCode()}, path)
    with pytest.raises(checkpoint.CheckpointError, match=r"checkpoint\.pt holds objects .* not loaded"):
        checkpoint.load_checkpoint(path)
    assert "crafted-checkpoint-ran-code" not in capfd.readouterr().out


@pytest.mark.parametrize("cut", [0.1, 0.5, 0.99])
def test_truncated_checkpoint_names_the_file(tmp_path, cut):
    good = tmp_path / "good.pt"
    checkpoint.save_checkpoint(good, {"model": {"w": torch.ones(100)}, "rng": checkpoint.rng_state()})
    data = good.read_bytes()
    torn = tmp_path / "torn.pt"
    torn.write_bytes(data[: int(len(data) * cut)])
    with pytest.raises(checkpoint.CheckpointError, match=r"torn\.pt is not a readable checkpoint.*delete it"):
        checkpoint.load_checkpoint(torn)


@pytest.mark.parametrize("payload", [b"", b"hello", b"\x80\x02}q\x00.", b"PK\x03\x04junk"])
def test_foreign_bytes_are_refused(tmp_path, payload):
    path = tmp_path / "foreign.pt"
    path.write_bytes(payload)
    with pytest.raises(checkpoint.CheckpointError, match="foreign.pt"):
        checkpoint.load_checkpoint(path)


def test_non_dict_checkpoint_is_refused(tmp_path):
    torch.save([1, 2], tmp_path / "list.pt")
    with pytest.raises(checkpoint.CheckpointError, match="not a dlref checkpoint"):
        checkpoint.load_checkpoint(tmp_path / "list.pt")
