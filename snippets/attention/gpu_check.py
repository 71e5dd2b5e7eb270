"""The CUDA run of `make gpu-check`, when one is stored in results/gpu-check/: each part, and attention in TFLOP/s."""
from dlref.lab import gpu_check
from dlref.lab.benchmarks import attention_cuda

cfg = attention_cuda.Config()
print(f"the CUDA attention sweep: L in {cfg.lengths},\n  E/H in {cfg.head_dims}, {' and '.join(cfg.dtypes)},\n"
      f"  B·L = {cfg.tokens} tokens, H·E/H = {cfg.width} channels, median of {cfg.repeats} interleaved rounds\n")

record = gpu_check.read_result()  # results/gpu-check/result.json, checked; None when there is none
if record is None:
    print("No CUDA run has been made yet: results/gpu-check/ holds no record,\n"
          "so this page has no GPU numbers. `make gpu-check` on a CUDA machine\n"
          "makes one (see Reproducing it below).")
else:
    print(gpu_check.format_result(record))
