"""``make gpu-check``: everything dlref should run on a CUDA GPU, in one command of at most 8 minutes.

A CUDA machine is lent to the project rarely and briefly, with its own ``python3`` and PyTorch,
no network and no installs; only the working tree travels (plus ``gpu-data/``, Fashion-MNIST as
gzip files that ``make gpu-data`` prepares here). This module runs, each in its own process with its
own time budget, so that a hang or an out-of-memory error in one part cannot take the others down:

* ``tests`` — the tests marked ``@pytest.mark.cuda`` (skipped on a machine without CUDA);
* ``attention`` — [`dlref.lab.benchmarks.attention_cuda`][dlref.lab.benchmarks.attention_cuda]: achieved TFLOP/s in bf16 and fp16
  against `torch.nn.functional.scaled_dot_product_attention`;
* ``gan-bench`` — ``dlref bench gan --store``, where that benchmark exists; the record it stores
  (``results/gan-bench-cuda/``) is copied out as ``gan-bench-cuda.json``;
* ``dcgan`` — the full-size DCGAN of [`dlref.lab.experiments.gan_fashion`][dlref.lab.experiments.gan_fashion] for as many epochs as
  its budget allows, scored by the Fréchet distance each epoch;
* ``fashion-fast`` — the recipe of [`dlref.lab.experiments.fashion_fast`][dlref.lab.experiments.fashion_fast] on CUDA with mixed
  precision, and its time to 94 % test accuracy;
* ``ddp`` — ``dlref train classifier`` under ``torchrun`` with NCCL, when there are two GPUs or more
  and the command supports it.

A part over its budget is stopped and recorded as ``"timed out"``; a part whose optional package
(pytest, torchvision, matplotlib) is missing is ``"skipped"`` with the reason. Every part's result,
with provenance (commit, GPU, torch and CUDA versions, date), goes into one folder,
``results/gpu-check/`` (``result.json`` and a few pictures), swapped in whole when the run ends, so
it can be committed and the cost page shows it ([`format_result()`][dlref.lab.gpu_check.format_result]).

Without CUDA the command prints ``no CUDA device: nothing to check``, writes nothing and exits 0.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dlref import validate

#: The version of the record's layout; [`check_record()`][dlref.lab.gpu_check.check_record] accepts this one only.
FORMAT = "dlref-gpu-check/1"
#: What a part can end as.
STATUSES = ("ok", "failed", "timed out", "skipped", "not available")
#: The file beside the gzip files in a ``gpu-data`` folder that says which tree prepared it.
DATA_SOURCE_FILE = "dlref-gpu-data.json"
#: Characters of a part's output kept in the record.
OUTPUT_TAIL = 2000
#: The variable naming the file where a part may leave what it has finished, kept if it times out.
PARTIAL_ENV = "DLREF_GPU_CHECK_PARTIAL"


@dataclass(frozen=True)
class Part:
    """One part of the check: ``target`` is ``"module:function"``, called as ``function(budget_s, out_dir) -> dict``.

    The function runs in a child process; it may write files into ``out_dir`` (the record's folder)
    and returns ``{"status"?, "summary"?, "reason"?, "metrics"?}`` (status ``"ok"`` unless it says
    otherwise). ``needs`` names modules it imports: when one is missing the part is skipped unrun.
    """

    name: str
    target: str
    budget_s: float
    needs: tuple[str, ...] = ()
    what: str = ""

    def __post_init__(self) -> None:
        validate.instance("Part.name", self.name, str)
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", self.name):
            raise ValueError(f"Part.name must be lower-case letters, digits and '-'; got {self.name!r}")
        validate.instance("Part.target", self.target, str)
        if not re.fullmatch(r"[\w.]+:\w+", self.target):
            raise ValueError(f"Part.target must be 'module:function'; got {self.target!r}")
        validate.real("Part.budget_s", self.budget_s, low=0.0, low_open=True)
        validate.each("Part.needs", self.needs, validate.instance, str, min_length=0)
        validate.instance("Part.what", self.what, str)


#: The parts ``make gpu-check`` runs, in order; their budgets add up to 460 s of the 8 minutes.
PARTS: dict[str, Part] = {p.name: p for p in (
    Part("tests", "dlref.lab.gpu_check:_part_tests", 45, ("pytest",), "the tests marked @pytest.mark.cuda"),
    Part("attention", "dlref.lab.gpu_check:_part_attention", 75, (),
         "attention forward + backward, bf16 and fp16, TFLOP/s against torch's sdpa"),
    Part("gan-bench", "dlref.lab.gpu_check:_part_gan_bench", 60, (), "dlref bench gan --store (64×64 DCGAN loop)"),
    Part("dcgan", "dlref.lab.gpu_check:_part_dcgan", 110, ("torchvision", "matplotlib"),
         "the full-size DCGAN on Fashion-MNIST, Fréchet distance per epoch"),
    Part("fashion-fast", "dlref.lab.gpu_check:_part_fashion_fast", 150, ("torchvision",),
         "the fast Fashion-MNIST recipe on CUDA, time to 94 %"),
    Part("ddp", "dlref.lab.gpu_check:_part_ddp", 20, (), "dlref train classifier under torchrun (NCCL)"),
)}


def _checkout() -> Path:
    """The folder holding the ``dlref`` package (the repository root in a checkout)."""
    return Path(__file__).resolve().parents[2]


def _optional_versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for name in ("pytest", "torchvision", "matplotlib", "tqdm"):
        if importlib.util.find_spec(name) is None:
            found[name] = None
            continue
        try:
            found[name] = str(getattr(importlib.import_module(name), "__version__", "unknown"))
        except Exception as err:  # noqa: BLE001 - a package that fails to import counts as missing
            found[name] = None
            found[f"{name} (import error)"] = f"{type(err).__name__}: {err}"[:200]
    return found


def provenance_record() -> dict[str, Any]:
    """[`dlref.lab.provenance.collect()`][dlref.lab.provenance.collect] plus the GPU side: CUDA and cuDNN versions, GPUs, driver, packages.

    Without git (the working tree copied to a machine without its history) the commit is read from
    the ``gpu-data`` folder's ``DATA_SOURCE_FILE`` (``dlref-gpu-data.json``), written
    by ``make gpu-data`` in the checkout, and says so.
    """
    import torch

    from dlref.lab import provenance
    from dlref.lab.data import data_root

    record: dict[str, Any] = provenance.collect(_checkout())
    if record["commit"] == "unknown":
        source = data_root() / DATA_SOURCE_FILE
        try:
            prepared = json.loads(source.read_text(encoding="utf-8"))
            record["commit"] = f"{prepared['commit']} (no git here; from make gpu-data, {prepared['date']})"
        except (OSError, ValueError, KeyError, TypeError):
            pass
    cuda = torch.cuda.is_available()
    record.update({
        "cuda": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version() if cuda else None,
        "gpus": [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())] if cuda else [],
        "capability": ".".join(map(str, torch.cuda.get_device_capability())) if cuda else None,
        "driver": _driver_version(),
        "python_executable": sys.executable,
        "packages": _optional_versions(),
    })
    return record


def _driver_version() -> str | None:
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip().splitlines()[0] if out.returncode == 0 and out.stdout.strip() else None


# --------------------------------------------------------------------------- the runner


def run_parts(parts: Sequence[Part], out: str | os.PathLike, *, budget_scale: float = 1.0,
              echo: bool = True) -> dict[str, Any]:
    """Run each part in a child process under its budget × ``budget_scale``; write the record into ``out``.

    Everything is written into a staging folder beside ``out`` (``result.json`` rewritten after
    each part, so a run killed from outside leaves what it had), which replaces ``out`` by renames
    when the last part is done.

    Args:
        parts: The [`Part`][dlref.lab.gpu_check.Part]s to run, in order.
        out: The record's folder (replaced whole), e.g. ``results/gpu-check``.
        budget_scale: Multiplies every part's budget (``0.1`` for a quick try).
        echo: Print one line per part as it ends (and the tail of its output when it did not succeed).

    Returns:
        The record, as written to ``out/result.json``.
    """
    from dlref.lab import results
    from dlref.lab.train import write_json

    validate.each("parts", parts, validate.instance, Part, min_length=0)
    names = [p.name for p in parts]
    if len(set(names)) != len(names):
        raise ValueError(f"parts must have distinct names; got {names}")
    validate.path("out", out)
    validate.real("budget_scale", budget_scale, low=0.0, low_open=True)
    validate.boolean("echo", echo)
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-staging-", dir=out.parent))
    os.chmod(staging, 0o755)  # mkdtemp makes it private; the record is for everyone to read
    start = time.monotonic()
    try:
        record: dict[str, Any] = {"format": FORMAT, "complete": False, "provenance": provenance_record(),
                                  "budget_scale": budget_scale, "seconds": 0.0, "parts": [], "files": []}
        for part in parts:
            entry = _run_part(part, staging, budget_scale)
            record["parts"].append(entry)
            record["seconds"] = time.monotonic() - start
            if echo:
                _echo(entry)
            write_json(staging / "result.json", record)
        record["complete"] = True
        record["files"] = sorted({p.name for p in staging.iterdir() if p.is_file()} | {"result.json"})
        record = json.loads(json.dumps(record, default=str))  # as it will read back
        check_record(record)
        write_json(staging / "result.json", record)
        for file in staging.iterdir():
            os.chmod(file, 0o644)  # atomic writes leave private temporary files behind their names
        results._swap_in(staging, out)
    except BaseException:
        if not any(staging.iterdir()) or not (staging / "result.json").exists():
            shutil.rmtree(staging, ignore_errors=True)
        raise
    return record


def _echo(entry: dict[str, Any]) -> None:
    line = f"[gpu-check] {entry['name']}: {entry['status']} ({entry['seconds']:.0f} s of {entry['budget_s']:.0f} s)"
    detail = entry.get("summary") or entry.get("reason")
    print(line + (f": {detail}" if detail else ""), flush=True)
    if entry["status"] in ("failed", "timed out") and entry.get("output_tail"):
        print("\n".join("    " + s for s in entry["output_tail"].splitlines()[-15:]), flush=True)


def _run_part(part: Part, out_dir: Path, budget_scale: float) -> dict[str, Any]:
    """One part in a child process (its own process group, killed whole at the budget)."""
    budget = part.budget_s * budget_scale
    entry: dict[str, Any] = {"name": part.name, "what": part.what, "status": "skipped", "budget_s": budget,
                             "seconds": 0.0, "summary": "", "metrics": {}}
    missing = [m for m in part.needs if importlib.util.find_spec(m) is None]
    if missing:
        entry["reason"] = f"needs {', '.join(missing)}, which this python3 ({sys.executable}) lacks"
        return entry
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_checkout()), env.get("PYTHONPATH", "")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    with tempfile.TemporaryDirectory(prefix="dlref-gpu-check-") as tmp:
        result_file, log_file = Path(tmp) / "part.json", Path(tmp) / "part.log"
        env[PARTIAL_ENV] = str(Path(tmp) / "partial.json")
        code = "import sys; from dlref.lab.gpu_check import _child; sys.exit(_child(sys.argv[1:]))"
        argv = [sys.executable, "-c", code, part.target, repr(budget), str(result_file), str(out_dir)]
        began = time.monotonic()
        with open(log_file, "wb") as log:
            proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    env=env, cwd=_checkout(), start_new_session=True)
            try:
                returncode: int | None = proc.wait(timeout=budget)
            except subprocess.TimeoutExpired:
                _kill_group(proc)
                returncode = None
            except BaseException:  # interrupted: the part's own session would outlive us
                _kill_group(proc)
                raise
        entry["seconds"] = time.monotonic() - began
        output = log_file.read_bytes().decode("utf-8", errors="replace")
        entry["output_tail"] = output[-OUTPUT_TAIL:]
        if returncode is None:
            entry.update(status="timed out", reason=f"stopped after its budget of {budget:.0f} s")
            partial = _read_child_result(Path(env[PARTIAL_ENV]))
            if partial is not None:  # what the part had finished when it was stopped
                entry.update(summary="(partial) " + str(partial.get("summary", "")), metrics=partial.get("metrics", {}))
            return entry
        reported = _read_child_result(result_file)
        if returncode != 0 or reported is None:
            last = [s for s in output.strip().splitlines() if s.strip()]
            entry.update(status="failed", reason=(last[-1] if last else f"exit status {returncode}")[:300])
            return entry
    entry["status"] = reported.get("status", "ok")
    entry["summary"] = str(reported.get("summary", ""))
    entry["metrics"] = reported.get("metrics", {})
    if reported.get("reason"):
        entry["reason"] = str(reported["reason"])
    if entry["status"] not in STATUSES:
        entry.update(status="failed", reason=f"the part reported an unknown status {entry['status']!r}")
    elif entry["status"] != "ok" and not entry.get("reason"):
        entry["reason"] = entry["summary"] or "the part gave no reason"
    return entry


def _kill_group(proc: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 10.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _read_child_result(path: Path) -> dict | None:
    try:
        reported = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return reported if isinstance(reported, dict) else None


def _child(argv: list[str]) -> int:
    """In the child process: call the part's function and write what it returns as JSON."""
    from dlref.lab.train import write_json

    target, budget, result_file, out_dir = argv
    module, _, name = target.partition(":")
    fn = getattr(importlib.import_module(module), name)
    reported = fn(float(budget), Path(out_dir))
    if not isinstance(reported, dict):
        raise TypeError(f"{target} must return a dict; got {type(reported).__name__}")
    write_json(result_file, reported)
    return 0


# --------------------------------------------------------------------------- the record


def check_record(record: dict[str, Any]) -> dict[str, Any]:
    """Check a gpu-check record's layout: format, provenance, and each part's fields and status.

    Returns:
        ``record`` unchanged.

    Raises:
        ValueError: A field is missing, of the wrong kind, or a status is unknown (the message names it).

    Examples:
        >>> record = {"format": FORMAT, "complete": True, "budget_scale": 1.0, "seconds": 1.0, "files": ["result.json"],
        ...           "provenance": {"commit": "abc", "device": "cuda (GPU)", "torch": "2.5", "cuda": "12.4",
        ...                          "date": "2026-01-01 00:00 UTC"},
        ...           "parts": [{"name": "ddp", "status": "skipped", "budget_s": 20.0, "seconds": 0.0,
        ...                      "summary": "", "metrics": {}, "reason": "1 GPU"}]}
        >>> check_record(record)["parts"][0]["status"]
        'skipped'
    """
    validate.mapping("record", record, ("format", "complete", "provenance", "budget_scale", "seconds", "parts", "files"))
    if record["format"] != FORMAT:
        raise ValueError(f"record['format'] must be {FORMAT!r}; got {record['format']!r}")
    validate.boolean("record['complete']", record["complete"])
    validate.mapping("record['provenance']", record["provenance"], ("commit", "device", "torch", "cuda", "date"))
    validate.real("record['budget_scale']", record["budget_scale"], low=0.0, low_open=True)
    validate.real("record['seconds']", record["seconds"], low=0.0)
    validate.each("record['files']", record["files"], validate.instance, str, min_length=0)
    validate.each("record['parts']", record["parts"], validate.mapping,
                  ("name", "status", "budget_s", "seconds", "summary", "metrics"), min_length=0)
    for i, part in enumerate(record["parts"]):
        where = f"record['parts'][{i}]"
        validate.instance(f"{where}['name']", part["name"], str)
        validate.choice(f"{where}['status']", part["status"], STATUSES)
        validate.real(f"{where}['budget_s']", part["budget_s"], low=0.0)
        validate.real(f"{where}['seconds']", part["seconds"], low=0.0)
        validate.instance(f"{where}['summary']", part["summary"], str)
        validate.instance(f"{where}['metrics']", part["metrics"], dict)
        if part["status"] in ("skipped", "not available", "failed", "timed out"):
            validate.instance(f"{where}['reason']", part.get("reason"), str)
    return record


def default_folder() -> Path:
    """Where the record lives: ``gpu-check`` in [`dlref.lab.results.results_root()`][dlref.lab.results.results_root]."""
    from dlref.lab.results import results_root

    return results_root() / "gpu-check"


def read_result(folder: str | os.PathLike | None = None) -> dict[str, Any] | None:
    """The stored record (checked), or ``None`` when no CUDA run has been stored.

    Args:
        folder: The record's folder; default [`default_folder()`][dlref.lab.gpu_check.default_folder].

    Raises:
        dlref.lab.results.ResultCorruptError: ``result.json`` is not valid JSON or not a gpu-check record.
    """
    from dlref.lab.results import ResultCorruptError

    validate.path("folder", folder, optional=True)
    path = (default_folder() if folder is None else Path(folder)) / "result.json"
    if not path.exists():
        return None
    try:
        return check_record(json.loads(path.read_text(encoding="utf-8")))
    except (UnicodeDecodeError, json.JSONDecodeError, TypeError, ValueError) as err:
        raise ResultCorruptError(f"{path} is not a gpu-check record ({err}); restore it with "
                                 f"`git checkout -- {path.parent}` or run `make gpu-check` on a CUDA machine again") from None


def format_result(record: dict[str, Any]) -> str:
    """The record as text for a page: provenance, one line per part, then the attention TFLOP/s table."""
    from dlref.lab.benchmarks.attention_cuda import table

    check_record(record)
    p = record["provenance"]
    lines = [f"CUDA check of commit {p['commit']} on {p['device']}, torch {p['torch']}, CUDA {p['cuda']}, "
             f"{p['date']}; {record['seconds']:.0f} s in all"
             + ("" if record["complete"] else " (INCOMPLETE: the run was stopped)")]
    for part in record["parts"]:
        detail = part["summary"] or part.get("reason", "")
        lines.append(f"- {part['name']}: {part['status']} ({part['seconds']:.0f} s of {part['budget_s']:.0f} s)"
                     + (f": {detail}" if detail else ""))
    attention = next((q for q in record["parts"] if q["name"] == "attention" and q["metrics"].get("rows")), None)
    if attention:
        lines += ["", "attention, forward + backward, achieved TFLOP/s:", table(attention["metrics"]["rows"])]
    return "\n".join(lines)


# --------------------------------------------------------------------------- the data that travels


def prepare_data(folder: str | os.PathLike, root: str | os.PathLike | None = None) -> Path:
    """Fashion-MNIST as gzip files in ``folder/FashionMNIST/raw/`` (about 30 MB), and which tree prepared it.

    The files are compressed from the verified data in the data root (prepared first from a local
    copy if needed, never downloaded); [`dlref.lab.data.prepare_fashion_mnist()`][dlref.lab.data.prepare_fashion_mnist] on the GPU
    machine, with ``DLREF_DATA=folder``, decompresses and checks them.

    Args:
        folder: The folder to fill, e.g. ``gpu-data`` (git-ignored; carried to the GPU machine).
        root: Data root to read from; defaults to [`dlref.lab.data.data_root()`][dlref.lab.data.data_root].

    Returns:
        ``folder`` as an absolute path.
    """
    import gzip

    from dlref.lab import data, provenance
    from dlref.lab.train import write_json

    validate.path("folder", folder)
    validate.path("root", root, optional=True)
    raw = data.prepare_fashion_mnist(root, download=False)
    target = Path(folder).resolve() / "FashionMNIST" / "raw"
    target.mkdir(parents=True, exist_ok=True)
    for name in data.FASHION_MNIST_CHECKSUMS:
        part = target / f"{name}.gz.part"
        with open(raw / name, "rb") as src, gzip.open(part, "wb", compresslevel=6) as dst:
            shutil.copyfileobj(src, dst)
        os.replace(part, target / f"{name}.gz")
    write_json(Path(folder).resolve() / DATA_SOURCE_FILE,
               {"commit": provenance.git_commit(_checkout()), "date": provenance.utc_now(),
                "files": sorted(p.name for p in target.glob("*.gz"))})
    return Path(folder).resolve()


# --------------------------------------------------------------------------- the parts (run in child processes)


def _ok(summary: str, metrics: dict[str, Any], status: str = "ok") -> dict[str, Any]:
    return {"status": status, "summary": summary, "metrics": metrics}


def _report_partial(result: dict[str, Any]) -> None:
    """Leave what the part has finished so far, in case it runs out of time before returning."""
    from dlref.lab.train import write_json

    if os.environ.get(PARTIAL_ENV):
        write_json(os.environ[PARTIAL_ENV], result)


def _fashion_mnist_missing() -> dict[str, Any] | None:
    """A "skipped" report when Fashion-MNIST cannot be loaded without a download (there is no network)."""
    from dlref.lab.data import FASHION_MNIST_CHECKSUMS, available, data_root

    raw = data_root() / "FashionMNIST" / "raw"
    if all((raw / f"{name}.gz").is_file() for name in FASHION_MNIST_CHECKSUMS):
        return None  # gpu-data/: decompressed and checked on first use
    state = available()["fashion-mnist"]
    if state is True or (isinstance(state, str) and state.startswith("from")):
        return None
    return _not_run("skipped", f"Fashion-MNIST is not in the data root {data_root()} ({state or 'missing'}): "
                    "run `make gpu-data` in the checkout and carry gpu-data/ along (make gpu-check points DLREF_DATA at it)")


def _not_run(status: str, reason: str) -> dict[str, Any]:
    return {"status": status, "reason": reason, "summary": "", "metrics": {}}


def _command(argv: list[str], timeout: float) -> tuple[int | None, str]:
    """Run a command (printing its output), return ``(exit status or None when timed out, output)``."""
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=_checkout(),
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as err:
        out = (err.stdout or b"").decode(errors="replace") if isinstance(err.stdout, bytes) else (err.stdout or "")
        print(out)
        return None, out
    print(proc.stdout + proc.stderr)
    return proc.returncode, proc.stdout + proc.stderr


def _part_tests(budget_s: float, out_dir: Path) -> dict[str, Any]:
    tests = _checkout() / "tests"
    if not tests.is_dir():
        return _not_run("skipped", f"no tests/ folder beside the package ({tests}): not a checkout")
    files = [str(p.relative_to(_checkout())) for p in sorted(tests.glob("test_*.py"))
             if "mark.cuda" in p.read_text(encoding="utf-8")]
    if not files:
        return _not_run("failed", "no test file marks a test with @pytest.mark.cuda")
    argv = [sys.executable, "-m", "pytest", "-q", "-m", "cuda", "-p", "no:cacheprovider", *files]
    code, out = _command(argv, 0.9 * budget_s)
    if code is None:
        return _not_run("timed out", "pytest ran past 90 % of the part's budget")
    summary_line = next((s.strip("= ") for s in reversed(out.splitlines()) if re.search(r"\d+ (passed|failed|errors?|skipped)", s)),
                        f"pytest exit status {code}")
    counts = {k: int(n) for n, k in re.findall(r"(\d+) (passed|failed|skipped|errors?|deselected)", summary_line)}
    status = "ok" if code == 0 else "failed"
    result = _ok(f"{summary_line} ({', '.join(files)})", {"returncode": code, "counts": counts, "files": files}, status)
    if status == "failed":
        result["reason"] = summary_line
    return result


def _part_attention(budget_s: float, out_dir: Path) -> dict[str, Any]:
    from dlref.lab.benchmarks import attention_cuda

    cfg = attention_cuda.Config()
    metrics = attention_cuda.run(cfg, deadline=time.monotonic() + 0.85 * budget_s)
    print(attention_cuda.table(metrics["rows"]))
    measured = [r for r in metrics["rows"] if r["status"] == "ok"]
    best = {}
    for impl in ("torch sdpa", "fused (dlref)", "step-by-step"):
        rows = [r for r in measured if r["impl"] == impl]
        if rows:
            top = max(rows, key=lambda r: r["tflops"])
            best[impl] = f"{impl} {top['tflops']:.0f} TFLOP/s ({top['dtype']}, E/H {top['head_dim']}, L {top['L']})"
    undone = sorted({r["status"] for r in metrics["rows"]} - {"ok"})
    summary = "best: " + "; ".join(best.values()) + (f"; some points: {', '.join(undone)}" if undone else "")
    return _ok(summary, metrics, "ok" if measured else "failed") | ({} if measured else {"reason": "no point measured"})


def _part_gan_bench(budget_s: float, out_dir: Path) -> dict[str, Any]:
    """``dlref bench gan --store``: on CUDA (profile ``full``) it stores ``results/gan-bench-cuda/``, copied out here."""
    if importlib.util.find_spec("dlref.lab.benchmarks.gan") is None:
        return _not_run("not available", "dlref.lab.benchmarks.gan is not in this tree (no `dlref bench gan` yet)")
    from dlref.lab import benchmarks
    from dlref.lab.results import results_root

    via_cli = "gan" in getattr(benchmarks, "NAMES", ())
    argv = [sys.executable, "-m", *(["dlref", "bench", "gan"] if via_cli else ["dlref.lab.benchmarks.gan"]), "--store"]
    code, out = _command(argv, 0.9 * budget_s)
    if code is None:
        return _not_run("timed out", f"`{' '.join(argv[2:])}` ran past 90 % of the part's budget")
    last = next((s.strip() for s in reversed(out.splitlines()) if s.strip()), "")
    metrics: dict[str, Any] = {"command": " ".join(["python3", *argv[1:]]), "returncode": code}
    stored = results_root() / "gan-bench-cuda" / "result.json"
    if code == 0 and stored.is_file():
        # The store's own record (with its key and digest): `cp` it to results/gan-bench-cuda/result.json to keep it.
        shutil.copy(stored, out_dir / "gan-bench-cuda.json")
        record = json.loads(stored.read_text(encoding="utf-8"))
        metrics.update({k: record.get("metrics", {}).get(k) for k in ("ratio", "target", "target_met", "rows", "device")})
        metrics["stored_as"] = "gan-bench-cuda.json"
    result = _ok(last[:300], metrics, "ok" if code == 0 else "failed")
    if code != 0:
        result["reason"] = f"exit status {code}: {last[:300]}"
    return result


def _part_dcgan(budget_s: float, out_dir: Path) -> dict[str, Any]:
    import dataclasses

    from dlref.lab.experiments import gan_fashion

    if (missing := _fashion_mnist_missing()) is not None:
        return missing
    # Setup (classifier, data, the real-vs-real floor) takes seconds; allow about 24 s an epoch.
    epochs = max(1, min(gan_fashion.CUDA.epochs, int(budget_s // 24)))
    cfg = dataclasses.replace(gan_fashion.CUDA, epochs=epochs)
    with tempfile.TemporaryDirectory() as tmp:
        m = gan_fashion.run(cfg, Path(tmp))
        samples = sorted(Path(tmp).glob("samples_epoch*.png"))
        if samples:
            shutil.copy(samples[-1], out_dir / "dcgan-samples.png")
        if (Path(tmp) / "losses.png").exists():
            shutil.copy(Path(tmp) / "losses.png", out_dir / "dcgan-losses.png")
    m = {k: v for k, v in m.items() if k != "step_losses"}
    m["config"] = dataclasses.asdict(cfg)
    fd, per_epoch = m["fd"], [s for s in m["seconds"]]
    summary = (f"{epochs} epochs of the full-size DCGAN (width {cfg.width}, {cfg.n_train} images, batch {cfg.batch_size}): "
               f"Fréchet distance {m['fd_untrained']:.1f} untrained → {fd[0]:.1f} after epoch 1 → {fd[-1]:.1f} after "
               f"epoch {epochs} (real-vs-real floor {m['floor']['fd']:.1f}); {m['classes_covered'][-1]} of 10 classes "
               f"covered; {sum(per_epoch) / len(per_epoch):.1f} s an epoch")
    return _ok(summary, m)


def _part_fashion_fast(budget_s: float, out_dir: Path) -> dict[str, Any]:
    import torch
    from torch import nn

    from dlref.lab import train
    from dlref.lab.experiments.classifiers import fashion_tensors, loader
    from dlref.lab.experiments.fashion_fast import Augment, Config, fast_cnn

    if (missing := _fashion_mnist_missing()) is not None:
        return missing
    deadline = time.monotonic() + 0.85 * budget_s
    cfg = Config()
    X, y = fashion_tensors(True)
    Xt, yt = fashion_tensors(False)
    fill = float(X.min())  # a black pixel, normalised
    test = loader(Xt, yt, 1000, shuffle=False)
    runs, per_seed = [], None
    for seed in cfg.seeds:
        if per_seed is not None and time.monotonic() + per_seed > deadline:
            break
        t0 = time.monotonic()
        gen = train.seed_everything(seed)
        model = fast_cnn(cfg.widths, cfg.convs_per_stage)
        base = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=cfg.batch_size,
                                           shuffle=True, generator=gen)
        opt = torch.optim.SGD(model.parameters(), lr=cfg.max_lr, momentum=cfg.momentum, nesterov=True,
                              weight_decay=cfg.weight_decay)
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.max_lr, epochs=cfg.epochs, steps_per_epoch=len(base))
        m = train.fit(model, Augment(base, gen, pad=cfg.crop_pad, fill=fill), optimizer=opt, scheduler=sched,
                      loss_fn=nn.CrossEntropyLoss(label_smoothing=cfg.label_smoothing), epochs=cfg.epochs,
                      device="cuda", val_loader=test, log_every=50, progress=False)
        elapsed, total = [], 0.0
        for s in m["seconds"]:
            total += s
            elapsed.append(total)
        hit = next((i for i, a in enumerate(m["val_accuracy"]) if a >= 0.94), None)
        runs.append({"seed": seed, "test_accuracy": m["val_accuracy"], "train_seconds_cumulative": elapsed,
                     "wall_seconds": time.monotonic() - t0, "images_per_s": m["images_per_s"],
                     "amp_dtype": m["amp_dtype"], "epoch_to_94": None if hit is None else hit + 1,
                     "seconds_to_94": None if hit is None else elapsed[hit]})
        per_seed = time.monotonic() - t0
        _report_partial(_fashion_fast_report(cfg, runs))
    return _fashion_fast_report(cfg, runs)


def _fashion_fast_report(cfg: Any, runs: list[dict[str, Any]]) -> dict[str, Any]:
    final = [r["test_accuracy"][-1] for r in runs]
    reached = [r["seconds_to_94"] for r in runs if r["seconds_to_94"] is not None]
    metrics = {"runs": runs, "n_seeds": len(runs), "epochs": cfg.epochs, "batch_size": cfg.batch_size,
               "mean_final_test_accuracy": sum(final) / len(final)}
    to94 = (f"94 % reached by {len(reached)} of {len(runs)} seed(s), after {min(reached):.1f}–{max(reached):.1f} s "
            "of training" if reached else f"94 % not reached by any of {len(runs)} seed(s)")
    summary = (f"{cfg.epochs} epochs, {len(runs)} seed(s), {runs[0]['amp_dtype']} autocast: mean final test accuracy "
               f"{100 * metrics['mean_final_test_accuracy']:.2f} %; {to94}")
    return _ok(summary, metrics)


def _part_ddp(budget_s: float, out_dir: Path) -> dict[str, Any]:
    import torch

    n = torch.cuda.device_count()
    if n < 2:
        return _not_run("skipped", f"{n} GPU: DDP needs two or more")
    code, help_text = _command([sys.executable, "-m", "dlref", "train", "classifier", "--help"], 60)
    if code != 0 or not re.search(r"torchrun|distributed|\bDDP\b|nccl", help_text, re.IGNORECASE):
        return _not_run("not available", "`dlref train classifier --help` mentions no distributed (torchrun) support")
    argv = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc-per-node={n}",
            "-m", "dlref", "train", "classifier", "--model", "bncnn", "--data", "fashion-mnist", "--epochs", "1",
            "--batch-size", "256", "--no-progress"]
    code, out = _command(argv, 0.9 * budget_s)
    if code is None:
        return _not_run("timed out", "torchrun ran past 90 % of the part's budget")
    last = next((s.strip() for s in reversed(out.splitlines()) if s.strip()), "")
    result = _ok(f"{n} GPUs: {last[:300]}", {"gpus": n, "returncode": code, "command": " ".join(argv[1:])},
                 "ok" if code == 0 else "failed")
    if code != 0:
        result["reason"] = f"exit status {code}: {last[:300]}"
    return result


# --------------------------------------------------------------------------- the command line


def main(argv: list[str] | None = None) -> int:
    """``python3 -m dlref.lab.gpu_check [--parts a,b] [--budget-scale S] [--out DIR] [--prepare-data DIR]``.

    Returns:
        0 when every part ran to ``ok``, ``skipped`` or ``not available`` (and without CUDA, where
        nothing runs), 1 when one failed or timed out; bad arguments exit with status 2 and one line.
    """
    import argparse

    validate.optional(validate.each, "argv", argv, validate.instance, str, min_length=0)

    class OneLineParser(argparse.ArgumentParser):
        def error(self, message: str):  # one line, not usage + error
            print(f"{self.prog}: error: {message}", file=sys.stderr)
            raise SystemExit(2)

    parser = OneLineParser(prog="python3 -m dlref.lab.gpu_check", description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default=",".join(PARTS),
                        help=f"comma-separated parts to run, in their order (default all: {','.join(PARTS)})")
    parser.add_argument("--budget-scale", default="1", help="multiply every part's time budget (e.g. 0.5)")
    parser.add_argument("--out", default=None, help="the record's folder (default: results/gpu-check)")
    parser.add_argument("--prepare-data", metavar="DIR", default=None,
                        help="instead of checking: put Fashion-MNIST as gzip files into DIR (make gpu-data)")
    parser.add_argument("--list", action="store_true", help="list the parts and their budgets, run nothing")
    args = parser.parse_args(argv)
    wanted = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = [p for p in wanted if p not in PARTS]
    if unknown or not wanted:
        parser.error(f"--parts: unknown part(s) {', '.join(map(repr, unknown)) or '(none given)'}; "
                     f"expected some of {', '.join(PARTS)}")
    if len(set(wanted)) != len(wanted):
        parser.error(f"--parts: a part is named twice in {args.parts!r}")
    try:
        scale = float(args.budget_scale)
    except ValueError:
        parser.error(f"--budget-scale must be a positive number; got {args.budget_scale!r}")
    if not (math.isfinite(scale) and scale > 0):
        parser.error(f"--budget-scale must be a positive number; got {args.budget_scale!r}")
    for option in ("out", "prepare_data"):
        if getattr(args, option) is not None and not getattr(args, option).strip():
            parser.error(f"--{option.replace('_', '-')} must be a non-empty path")
    if args.list:
        for name in wanted:
            p = PARTS[name]
            print(f"{name:<13} {p.budget_s * scale:>5.0f} s  {p.what}")
        return 0
    if args.prepare_data is not None:
        from dlref.lab.data import DatasetNotFoundError

        try:
            folder = prepare_data(args.prepare_data)
        except DatasetNotFoundError as err:
            print(f"{parser.prog}: error: {err}", file=sys.stderr)
            return 1
        size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        print(f"{folder}: Fashion-MNIST as gzip files, {size / 1e6:.1f} MB; carry it to the GPU machine "
              f"and run `make gpu-check` there")
        return 0

    import torch

    if not torch.cuda.is_available():
        print("no CUDA device: nothing to check")
        return 0
    out = Path(args.out) if args.out else default_folder()
    record = run_parts([PARTS[name] for name in wanted], out, budget_scale=scale)
    print(format_result(record))
    print(f"written: {out}/ ({', '.join(record['files'])})")
    return 1 if any(p["status"] in ("failed", "timed out") for p in record["parts"]) else 0


__all__ = ["DATA_SOURCE_FILE", "FORMAT", "PARTS", "STATUSES", "Part", "check_record", "default_folder",
           "format_result", "main", "prepare_data", "provenance_record", "read_result", "run_parts"]


if __name__ == "__main__":
    raise SystemExit(main())
