"""dlref's ops on every test input PyTorch has for them: per op, samples, equal, refused (stored sweep)."""
from collections import Counter

from dlref.lab import results
from dlref.lab.experiments import torch_inputs as ti

res = results.run_or_load(ti.NAME, ti.run, ti.Config(), profiles=("full",), code=ti.CODE)  # a quick build loads it
print(res.describe())
m = res.metrics
print(f"torch {m['torch']}, {m['device']}, {' and '.join(m['dtypes'])}, every sample: {m['full']}; pytest: {m['pytest']}\n")
print(ti.format_table(m))

t = m["totals"]
assert t["differs"] == 0 and t["samples"] == t["equal"] + t["refused"]  # what the page says
assert all(row["samples"] == row["equal"] + row["refused"] for row in m["ops"].values())
print(f"\n{t['samples']} samples: {t['equal']} answered as PyTorch answers them, {t['refused']} refused "
      f"with a clear error, {t['differs']} answered differently.")

# why dlref refused: the distinct reasons the tally kept, most frequent ops first
print("\nWhat dlref refuses, and why (first distinct messages per op):")
refusing = Counter({op: row["refused"] for op, row in m["ops"].items() if row["refused"]})
for op, n in refusing.most_common():
    notes = [note for note in m["ops"][op]["notes"] if not note.startswith("DIFFERS")]
    print(f"  {op} ({n}): " + " | ".join(notes[:3]))
