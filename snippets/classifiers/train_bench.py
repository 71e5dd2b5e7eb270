"""Images/s of dlref.lab.train.fit against a plain PyTorch loop, float32 and bf16 (stored CPU run of dlref/lab/benchmarks/train.py)."""
from dlref.lab import benchmarks

bench = benchmarks.load("train")  # dlref/lab/benchmarks/train.py

res = bench.stored()
print(res.describe())
cfg, m = res.config, res.metrics
print(f"batch size {cfg['batch_size']}, {cfg['steps']} steps per timing, median of {cfg['repeats']} interleaved "
      f"repeats, {m['device']}, {m['cpu_capability']} kernels; mixed = bf16 autocast + channels_last\n")
print(bench.table(m["rows"]))
rate = {(r["model"], r["precision"], r["loop"]): r["images_per_s"] for r in m["rows"]}
worst = min(rate[k[0], k[1], "dlref.lab.train.fit"] / rate[k] for k in rate if k[2] == "plain PyTorch")
print(f"\nslowest dlref ÷ plain ratio: {worst:.2f} (dlref's extra work per step: a finite-loss check and accuracy "
      f"bookkeeping)")
