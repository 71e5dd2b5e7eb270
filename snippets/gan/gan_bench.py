"""dlref's GAN loop against the DCGAN recipe's plain loop, 64×64 (stored runs of dlref/lab/benchmarks/gan.py)."""
from dlref.lab import benchmarks
from dlref.lab.results import ResultMissingError

bench = benchmarks.load("gan")  # dlref/lab/benchmarks/gan.py

res = bench.stored("cpu")
print(res.describe())
m = res.metrics
print(f"G {m['g_parameters']:,} and D {m['d_parameters']:,} weights; {m['cpu_capability']} CPU kernels\n")
print(bench.table(m))
print("\nper round, plain seconds ÷ dlref seconds: " + ", ".join(f"{r:.2f}" for r in m["paired_ratios"]))

try:
    cuda = bench.stored("cuda")
except ResultMissingError:
    print("\nCUDA: not measured yet (no results/gan-bench-cuda/ record). `make gpu-check` on a CUDA\n"
          "machine runs `dlref bench gan --store`, which makes it.")
else:
    print("\n" + cuda.describe())
    print(bench.table(cuda.metrics))
