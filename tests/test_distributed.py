"""torchrun for both training loops: several CPU processes (gloo) give a single process's parameters.

Each test launches ``python -m torch.distributed.run --standalone --nproc-per-node 2`` on a small
script and compares the parameters rank 0 saves with those of a run in one process with the same
global batch. Tolerances: the classifier runs in float64 and must agree to 1e-12; the GAN runs in
float32 (its noise is float32) and must agree to 1e-5 after 20 steps (reduction order differs).
A run killed with SIGKILL on one rank resumes, under torchrun or in one process, to the parameters
of an uninterrupted run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

pytestmark = pytest.mark.xdist_group("torchrun")  # two processes each: keep them off each other's cores

FIT = r'''
import os, signal, sys, torch
from torch import nn
from dlref.lab import train, distributed

out, epochs, resume, shuffle = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4] == "1"
die_at = int(os.environ.get("DIE_AT_ITEM", "0"))

class Data(torch.utils.data.Dataset):
    def __init__(self):
        g = torch.Generator().manual_seed(0)
        self.X = torch.randn(96, 6, generator=g, dtype=torch.float64)
        self.y = (self.X[:, 0] + self.X[:, 1] > 0).long()
        self.seen = 0
    def __len__(self):
        return len(self.X)
    def __getitem__(self, i):
        self.seen += 1
        if die_at and self.seen == die_at and os.environ.get("RANK") == "1":
            os.kill(os.getpid(), signal.SIGKILL)  # rank 1 dies in the middle of an epoch
        return self.X[i], self.y[i]

gen = train.seed_everything(0)
loader = torch.utils.data.DataLoader(Data(), batch_size=16, shuffle=shuffle, generator=gen)
torch.manual_seed(1)
model = nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 2)).double()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
m = train.fit(model, loader, optimizer=opt, loss_fn=nn.functional.cross_entropy, epochs=epochs, device="cpu",
              checkpoint_dir=out, resume=resume, progress=False)
if distributed.world().is_main:
    torch.save(model.state_dict(), os.path.join(out, "final.pt"))
    print("processes", m["processes"], "steps", m["steps"])
distributed.shutdown()
'''

GAN = r'''
import os, sys, torch
from dlref.lab import distributed
from dlref.lab.gan.train import GANConfig, train
from dlref.gan.models import MLPGenerator, MLPDiscriminator

out, steps, resume = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
torch.manual_seed(0)
data = torch.randn(256, 2)
torch.manual_seed(1)
G, D = MLPGenerator(2, 2, 16), MLPDiscriminator(2, 16)
cfg = GANConfig(epochs=3, batch_size=32, z_dim=2, save_images=False, log_every=4, checkpoint_every=5, max_steps=steps)
h = train(G, D, data, cfg, out_dir=out, device="cpu", progress=False, resume=resume)
if distributed.world().is_main:
    torch.save({"G": G.state_dict(), "D": D.state_dict()}, os.path.join(out, "final.pt"))
    print("processes", h["processes"], "steps", h["steps"])
distributed.shutdown()
'''


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT")}
    return {**env, "OMP_NUM_THREADS": "1", "DLREF_DEVICE": "cpu", **extra}


def _run(script: Path, *args: object, procs: int = 1, check: bool = True, **env: str) -> subprocess.CompletedProcess:
    launcher = [sys.executable] if procs == 1 else [sys.executable, "-m", "torch.distributed.run", "--standalone",
                                                   f"--nproc-per-node={procs}"]
    proc = subprocess.run([*launcher, str(script), *map(str, args)], capture_output=True, text=True, timeout=240,
                          env=_env(**env), cwd=script.parent)
    if check:
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    return proc


def _max_diff(a: Path, b: Path) -> float:
    sa, sb = torch.load(a), torch.load(b)
    flat = lambda s: {k: v for k, v in s.items()} if all(isinstance(v, torch.Tensor) for v in s.values()) \
        else {f"{n}.{k}": v for n, d in s.items() for k, v in d.items()}
    fa, fb = flat(sa), flat(sb)
    assert fa.keys() == fb.keys()
    return max((fa[k].double() - fb[k].double()).abs().max().item() for k in fa)


@pytest.fixture
def scripts(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "fit_run.py").write_text(FIT, encoding="utf-8")
    (tmp_path / "gan_run.py").write_text(GAN, encoding="utf-8")
    return tmp_path / "fit_run.py", tmp_path / "gan_run.py"


def test_fit_on_two_processes_equals_one_process(scripts, tmp_path):
    fit, _ = scripts
    one, two = tmp_path / "one", tmp_path / "two"
    assert "processes 1 steps 18" in _run(fit, one, 3, 0, 0).stdout
    out = _run(fit, two, 3, 0, 0, procs=2).stdout
    assert out.count("processes 2 steps 18") == 1  # rank 0 alone reports
    assert _max_diff(one / "final.pt", two / "final.pt") <= 1e-12
    assert sorted(p.name for p in two.iterdir()) == ["checkpoint.pt", "final.pt", "metrics.json"]


def test_fit_killed_under_torchrun_resumes_to_the_same_parameters(scripts, tmp_path):
    fit, _ = scripts
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    _run(fit, whole, 4, 0, 1, procs=2)
    # 48 examples per rank and epoch: item 110 is in epoch 3, after the checkpoint of epoch 2.
    dead = _run(fit, killed, 4, 0, 1, procs=2, check=False, DIE_AT_ITEM="110")
    assert dead.returncode != 0 and not (killed / "final.pt").exists()
    assert (killed / "checkpoint.pt").exists()
    _run(fit, killed, 4, 1, 1, procs=2)
    assert _max_diff(whole / "final.pt", killed / "final.pt") <= 1e-12


def test_fit_checkpoint_resumes_with_another_number_of_processes(scripts, tmp_path):
    fit, _ = scripts
    whole, mixed = tmp_path / "whole", tmp_path / "mixed"
    _run(fit, whole, 4, 0, 0)
    _run(fit, mixed, 2, 0, 0, procs=2)  # two processes for two epochs ...
    assert "processes 1 steps 24" in _run(fit, mixed, 4, 1, 0).stdout  # ... then one process for the rest
    assert _max_diff(whole / "final.pt", mixed / "final.pt") <= 1e-12


def test_gan_on_two_processes_equals_one_and_resumes_across_process_counts(scripts, tmp_path):
    _, gan = scripts
    one, two, mixed = tmp_path / "one", tmp_path / "two", tmp_path / "mixed"
    _run(gan, one, 20, 0)
    assert _run(gan, two, 20, 0, procs=2).stdout.count("processes 2 steps 20") == 1
    assert _max_diff(one / "final.pt", two / "final.pt") <= 1e-5
    _run(gan, mixed, 10, 0, procs=2)  # stops at step 10 with a checkpoint
    _run(gan, mixed, 20, 1)
    assert _max_diff(one / "final.pt", mixed / "final.pt") <= 1e-5


def test_gan_command_line_under_torchrun(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node=2", "-m", "dlref", "gan",
         "train", "--dataset", "ring", "--dry-run", "--out", str(tmp_path / "g")],
        capture_output=True, text=True, timeout=240, env=_env())
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.count("stopped early (dry run)") == 1  # rank 0 alone reports
    assert (tmp_path / "g" / "checkpoint.pt").exists()


def test_world_of_one_and_its_checks(monkeypatch):
    from dlref.lab import distributed

    w = distributed.World()
    assert w.is_main and w.share(torch.arange(4)).tolist() == [0, 1, 2, 3] and w.total([1.5, 2]) == [1.5, 2]
    assert distributed.World(size=3, rank=2).share(torch.arange(6)).tolist() == [4, 5]
    with pytest.raises(ValueError, match="does not divide evenly among 4 processes"):
        distributed.World(size=4, rank=0).share(torch.arange(6))
    with pytest.raises(ValueError, match="rank must be an int"):
        distributed.World(size=2, rank=2)
    distributed.shutdown()
    monkeypatch.setenv("WORLD_SIZE", "two")
    with pytest.raises(ValueError, match="torchrun's environment is malformed"):
        distributed.world()
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("RANK", "5")
    with pytest.raises(ValueError, match="torchrun's environment is malformed"):
        distributed.world()
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.zeros(10, 1)), batch_size=5)
    with pytest.raises(ValueError, match="batch size 5 does not divide evenly among 2 processes"):
        distributed.shard_loader(loader, distributed.World(size=2, rank=0))
    with pytest.raises(TypeError, match="loader must be a torch DataLoader"):
        distributed.shard_loader([(1, 2)], distributed.World(size=2, rank=0))
