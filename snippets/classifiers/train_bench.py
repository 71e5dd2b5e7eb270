"""Images/s of dlref.train.fit against a plain PyTorch loop, float32 and bf16 (stored CPU run of benchmarks/train.py)."""
import importlib.util
import sys
from pathlib import Path

import dlref

# benchmarks/ is part of the repository, not of the installed package: load the file directly.
path = Path(dlref.__file__).resolve().parents[1] / "benchmarks" / "train.py"
spec = importlib.util.spec_from_file_location("train_benchmark", path)
bench = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = bench
spec.loader.exec_module(bench)

res = bench.stored()
print(res.describe())
cfg, m = res.config, res.metrics
print(f"batch size {cfg['batch_size']}, {cfg['steps']} steps per timing, median of {cfg['repeats']} interleaved "
      f"repeats, {m['device']}, {m['cpu_capability']} kernels; mixed = bf16 autocast + channels_last\n")
print(bench.table(m["rows"]))
rate = {(r["model"], r["precision"], r["loop"]): r["images_per_s"] for r in m["rows"]}
worst = min(rate[k[0], k[1], "dlref.train.fit"] / rate[k] for k in rate if k[2] == "plain PyTorch")
print(f"\nslowest dlref ÷ plain ratio: {worst:.2f} (dlref's extra work per step: a finite-loss check and accuracy "
      f"bookkeeping)")
