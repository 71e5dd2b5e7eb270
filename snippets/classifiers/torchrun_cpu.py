"""LeNet on Fashion-MNIST trained by two processes (torchrun, gloo on the CPU) and by one: same parameters."""
import json
import os
import runpy
import subprocess
import sys
import tempfile
from pathlib import Path

import torch

import dlref.lab.figures as figures
from dlref import check
from dlref.lab.checkpoint import load_checkpoint
from dlref.lab.experiments.classifiers import fashion_tensors

# The training script each process runs: dlref.lab.train.fit with a loader in order (no shuffle), so
# one process and two see the same global batches; under torchrun, fit splits each batch of 64.
SCRIPT = '''
import sys, torch
from torch import nn
from dlref.lab import distributed, train
from dlref.models import LeNet

data_file, out = sys.argv[1], sys.argv[2]
X, y = torch.load(data_file)
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
torch.save(fashion_tensors(True, n=512, seed=0), work / "fashion512.pt")  # loaded once, read by every process
script, data = str(work / "train_lenet.py"), str(work / "fashion512.pt")
torchrun = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node=2"]
outs = {"1 process": work / "one", "2 processes (torchrun, gloo)": work / "two"}
# Start the two processes, then run the same script in this process while they work.
launched = subprocess.Popen([*torchrun, script, data, str(outs["2 processes (torchrun, gloo)"])], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True,
                       env={**os.environ, "OMP_NUM_THREADS": "1", "DLREF_DEVICE": "cpu"})
argv, sys.argv = sys.argv, [script, data, str(outs["1 process"])]
try:
    runpy.run_path(script, run_name="__main__")
finally:
    sys.argv = argv
log, _ = launched.communicate(timeout=600)
if launched.returncode != 0:
    raise RuntimeError(f"torchrun failed:\n{log[-3000:]}")
metrics, params = {}, {}
for label, out in outs.items():
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
