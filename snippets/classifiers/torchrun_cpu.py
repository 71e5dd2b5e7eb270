"""LeNet on Fashion-MNIST trained by two processes (torchrun, gloo on the CPU) and by one: same parameters."""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import torch

import dlref.lab.figures as figures
from dlref import check
from dlref.lab.checkpoint import load_checkpoint

# The training script each process runs: dlref.lab.train.fit with a loader in order (no shuffle), so
# one process and two see the same global batches; under torchrun, fit splits each batch of 64.
SCRIPT = '''
import sys, torch
from torch import nn
from dlref.lab import distributed, train
from dlref.lab.experiments.classifiers import fashion_tensors
from dlref.models import LeNet

out = sys.argv[1]
X, y = fashion_tensors(True, n=512, seed=0)
gen = train.seed_everything(0)
model = LeNet(1, image_size=28)
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
data = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=64, shuffle=False)
m = train.fit(model, data, optimizer=opt, loss_fn=nn.functional.cross_entropy, epochs=2, device="cpu",
              checkpoint_dir=out, log_every=1, progress=False)
distributed.shutdown()
'''

work = Path(tempfile.mkdtemp(prefix="dlref-torchrun-"))
(work / "train_lenet.py").write_text(SCRIPT)
env = {"OMP_NUM_THREADS": "1", "DLREF_DEVICE": "cpu"}
runs = {"1 process": [sys.executable], "2 processes (torchrun, gloo)": [
    sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node=2"]}
metrics, params = {}, {}
for label, launcher in runs.items():
    out = work / label.split()[0]
    subprocess.run([*launcher, str(work / "train_lenet.py"), str(out)], check=True, capture_output=True,
                   env={**__import__("os").environ, **env})
    metrics[label] = json.loads((out / "metrics.json").read_text())
    state = load_checkpoint(out / "checkpoint.pt")["model"]
    params[label] = torch.cat([v.flatten() for v in state.values()])
    print(f"{label:30s} {metrics[label]['steps']} steps, train loss by epoch "
          + ", ".join(f"{v:.4f}" for v in metrics[label]["train_loss"]))

one, two = params.values()
# float32, the gradients of two halves averaged instead of one mean over 64 examples: equal to rounding
check.compare("parameters after 2 epochs: 2 processes vs 1", two, one, tol=1e-4, method="one process")

fig, ax = figures.new(width=6, height=3.2)
for (label, m), style in zip(metrics.items(), ("-", "--")):
    steps, losses = zip(*m["step_loss"])
    ax.plot(steps, losses, style, label=label)
ax.set_xlabel("optimizer step (global batch of 64)")
ax.set_ylabel("training loss")
ax.legend()
figures.show(fig, "torchrun-cpu-loss", "LeNet on 512 Fashion-MNIST images: the loss at every step, one process "
             "and two processes under torchrun (gloo on the CPU), run while this page was built.")
