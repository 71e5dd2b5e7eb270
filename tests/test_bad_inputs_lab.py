"""Bad input to every public callable of dlref's lab modules (the code that runs experiments).

The pattern of PyTorch's ``error_inputs``: a table of ``(callable, arguments, exception type,
message regex)`` rows, each a bad call that must fail at once with a message naming the argument
and what was expected. Three tests:

* :func:`test_error_input` runs every row under a timeout (a hang fails instead of hanging CI);
* :func:`test_every_public_callable_has_a_row` fails when a public function or class of a lab
  module has no row, so a new callable cannot slip in unchecked;
* :func:`test_fuzz` passes generic bad values (``None``, a list, a string, a bool, NaN, −1, 0, an
  empty tensor) to each parameter of each callable in turn, starting from a valid call, and lets
  only ``TypeError``/``ValueError`` or a documented dlref error escape — never ``AttributeError``,
  ``KeyError``, ``IndexError``, a torch-internal ``RuntimeError`` or a hang.

Nothing here trains for real or touches the network: the valid starting calls use tiny inputs,
downloads are replaced by a stand-in that raises, and the data root is an empty folder.
``DLREF_BAD_INPUTS_REPORT=path`` writes the fuzz tally (clear / obscure / accepted) as JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import importlib
import inspect
import json
import math
import os
import re
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import torch
from torch import nn

from dlref.lab import benchmarks, cli, data, figures, provenance, results, train
from dlref.lab import checkpoint, distributed
from dlref.lab.data import DatasetNotFoundError
from dlref.lab.experiments import (classifiers, esl_weight_decay, fashion_fast, gan_fashion, gan_ring, long_range,
                               mlp_fashion, overfitting, torch_inputs, train_cli, vit_fashion)
from dlref.lab.gan import cli as gan_cli
from dlref.gan import toy
from dlref.lab.gan import metrics
from dlref.lab.gan import train as gan_train
from dlref.lab.results import ResultMissingError
from dlref.lab import gpu_check
from dlref.lab.benchmarks import attention_cuda

device = importlib.import_module("dlref.lab.device")  # `dlref.device` the attribute is the function
profile = importlib.import_module("dlref.lab.profile")

LAB_MODULES = [train, checkpoint, distributed, data, results, figures, device, profile, provenance, benchmarks, cli,
               classifiers, esl_weight_decay, fashion_fast, gan_fashion, gan_ring, long_range, mlp_fashion,
               overfitting, torch_inputs, train_cli, vit_fashion, gan_cli, gan_train, metrics, toy]
LAB_MODULES += [gpu_check, attention_cuda]

#: Errors a bad call may raise besides TypeError/ValueError: dlref's documented ones.
DOCUMENTED = (DatasetNotFoundError, ResultMissingError, train.NonFiniteLossError, gan_train.GANDivergedError,
              FileNotFoundError)
TIMEOUT_S = 10.0


class Stopped(Exception):
    """Raised by the stand-ins for downloads and heavy runs: the call got past its checks."""


class Hang(BaseException):
    """Raised by the timer when a call runs longer than :data:`TIMEOUT_S`."""


@contextlib.contextmanager
def time_limit(seconds: float):
    def on_alarm(signum, frame):
        raise Hang(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(autouse=True)
def sandbox(tmp_path, monkeypatch):
    """An empty data root, no downloads, no stored results, files written under tmp_path."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DLREF_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("DLREF_RESULTS", str(tmp_path / "results"))
    monkeypatch.setenv("DLREF_FIG_DIR", str(tmp_path / "figures"))
    monkeypatch.setenv("DLREF_PROFILE", "quick")
    monkeypatch.delenv("DLREF_DEVICE", raising=False)
    monkeypatch.setattr(data, "FASHION_MNIST_DEBIAN_DIR", tmp_path / "no-debian")

    def no_download(*args, **kwargs):
        raise Stopped("download")

    monkeypatch.setattr(data, "_download", no_download)
    yield tmp_path


# --------------------------------------------------------------------------- tiny valid inputs


def net() -> nn.Module:
    torch.manual_seed(0)
    return nn.Linear(2, 3)


def batches() -> list:
    return [(torch.randn(4, 2), torch.tensor([0, 1, 2, 0]))]


def sgd(model: nn.Module) -> torch.optim.Optimizer:
    return torch.optim.SGD(model.parameters(), lr=0.1)


def fit_args() -> tuple[tuple, dict]:
    m = net()
    return (m, batches()), dict(optimizer=sgd(m), loss_fn=nn.functional.cross_entropy, epochs=1, device="cpu",
                                progress=False)


def lenet_like() -> nn.Module:
    from dlref.models import LeNet

    torch.manual_seed(0)
    return LeNet(1, image_size=28)


def gan_cfg(**kw) -> gan_train.GANConfig:
    return gan_train.GANConfig(**{"epochs": 1, "batch_size": 8, "z_dim": 2, "save_images": False, "max_steps": 1, **kw})


def mlp_gan() -> tuple[nn.Module, nn.Module]:
    from dlref.gan.models import MLPDiscriminator, MLPGenerator

    torch.manual_seed(0)
    return MLPGenerator(2, 2, 4), MLPDiscriminator(2, 4)


def parsed(add_arguments: Callable, argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="dlref test")
    add_arguments(parser)
    return parser.parse_args(argv)


ESL = esl_weight_decay.Config(n_train=8, n_test=8, hidden=2, decays=(0.0,), epochs=2, record_every=1,
                              hidden_sweep=(1,), sweep_decays=(0.0,), seeds=2)
OVER = overfitting.Config(n_train=10, n_test=10, width=2, sizes=(10,), decays=(0.0,), widths=(2,), epochs=2,
                          record_every=1, seeds=2)
LONG = long_range.Config(lengths=(3,), hidden=2, batch=4, steps=2, n_test=4, seeds=1, record_every=1)
RING = gan_ring.RingConfig(variants=(gan_ring.Variant("ns"),), seeds=(0,), epochs=1, samples_per_step=16, n_data=32,
                           hidden=4, snapshot_epochs=(1,), snapshot_size=4, eval_size=8)
MLPF = mlp_fashion.Config(widths=(2,), epochs=1, batch_size=4, n_train=8)
VIT = vit_fashion.Config(sizes=(8,), epochs=(1,), batch_size=4, vit_dim=8, vit_depth=1, vit_heads=2)
FAST = fashion_fast.Config(widths=(2, 2, 2), convs_per_stage=1, epochs=1, seeds=(0,), threads=1)
GRID = classifiers.LeNetGridConfig(batch_sizes=(4,), epochs=(1,), n_train=8, seeds=(0,))
BNC = classifiers.BNCNNConfig(epochs=1, batch_size=4, n_train=8, seeds=(0,))
FASHION = gan_fashion.FashionConfig(epochs=1, n_train=16, batch_size=8, width=4, z_dim=2, eval_samples=4)
ATTN = attention_cuda.Config(dtypes=("bfloat16",), lengths=(16,), head_dims=(8,), tokens=16, width=16, repeats=1,
                             min_seconds=0.001)
ATTN_ROWS = [{"dtype": "bfloat16", "head_dim": 8, "L": 16, "B": 1, "H": 2, "impl": "torch sdpa", "status": "ok",
              "ms": 1.0, "tflops": 0.5, "peak_mb": None}]
#: A stand-in part that is skipped (its module is missing), so the runner starts no process.
NO_PART = gpu_check.Part("x", "m:f", 1.0, needs=("no_such_module_for_dlref",))


def gpu_record() -> dict:
    return {"format": gpu_check.FORMAT, "complete": True, "budget_scale": 1.0, "seconds": 1.0, "files": [],
            "provenance": {"commit": "c", "device": "cuda (GPU)", "torch": "2", "cuda": "12", "date": "d"},
            "parts": [{"name": "ddp", "status": "skipped", "budget_s": 1.0, "seconds": 0.0, "summary": "",
                       "metrics": {}, "reason": "1 GPU"}]}


def result_record(tmp: Path) -> results.Result:
    return results.Result("x", {}, {}, {}, "k", tmp)


def evaluator() -> metrics.FrechetEvaluator:
    torch.manual_seed(0)
    return metrics.FrechetEvaluator(lenet_like(), torch.rand(8, 1, 28, 28) * 2 - 1, n_samples=4, z_dim=2)


def garbage(path: str) -> Path:
    """A file of 100 bytes that is not what its name says."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(bytes(range(100)))
    return p


def _step_args() -> tuple[tuple, dict]:
    """An optimizer and a loss with a graph, for optimizer_step."""
    w = torch.nn.Parameter(torch.ones(2))
    return (torch.optim.SGD([w], lr=0.1), (w ** 2).sum()), {}


def A(*args, **kwargs) -> Callable[[], tuple[tuple, dict]]:
    """Arguments known in advance (no tensors to build)."""
    return lambda: (args, kwargs)


#: A valid, cheap call of each callable: the fuzz starts from it.
GOOD: dict[Callable, Callable[[], tuple[tuple, dict]]] = {
    # dlref.lab.train
    train.seed_everything: A(0),
    train.TrainConfig: A(epochs=1, batch_size=2),
    checkpoint.rng_state: lambda: (([torch.Generator()],), {}),
    checkpoint.set_rng_state: lambda: ((checkpoint.rng_state(), []), {}),
    checkpoint.write_json: A("out.json", {"a": 1}),
    checkpoint.save_checkpoint: A("ckpt.pt", {"a": 1}),
    checkpoint.load_checkpoint: A("missing.pt", "cpu"),
    train.check_finite: lambda: ((torch.tensor(0.5),), dict(epoch=1, step=1)),
    train.mixed_precision: A("cpu", True),
    train.cpu_threads: A(1),
    train.optimizer_step: lambda: _step_args(),
    train.progress_bar: A(False, total=3),
    checkpoint.atomic_write: lambda: ((Path("aw.bin"), lambda fh: fh.write(b"x")), {}),
    checkpoint.check_resumable: A("c.pt", {"a": 1}, {"schema": 1}, required=("a",), written_by="a test"),
    checkpoint.parameter_shapes: lambda: ((), {"G": nn.Linear(2, 1)}),
    checkpoint.tensor_identity: lambda: ((torch.ones(3, 2),), {}),
    checkpoint.remove_stale_temporaries: A("no-such-folder"),
    distributed.World: A(size=2, rank=1),
    distributed.world: A(),
    distributed.shutdown: A(),
    distributed.shard_loader: lambda: ((torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.zeros(4, 1)),
                                                                    batch_size=2), distributed.World(size=2, rank=1)), {}),
    train.predict: lambda: ((net(), batches()), dict(device="cpu")),
    train.evaluate: lambda: ((net(), batches(), nn.functional.cross_entropy), dict(device="cpu")),
    train.confusion_matrix: lambda: ((torch.tensor([0, 1]), torch.tensor([1, 1]), 2), {}),
    train.fit: fit_args,
    # dlref.lab.data
    data.data_root: A(),
    data.prepare_fashion_mnist: A("root", download=False),
    data.fashion_mnist: A(True, None, "root", download=False),
    data.prepare_cifar10: A("root", download=False),
    data.cifar10: A(True, None, "root", download=False),
    data.digits: A(False),
    data.available: A("root"),
    data.fashion_mnist_problems: A("root"),
    data.cifar10_problems: A("root"),
    data.channel_stats: lambda: ((torch.rand(2, 1, 3, 3),), dict(batch_size=2)),
    # dlref.lab.results
    results.Result: lambda: (("x", {}, {}, {}, "k", Path("x")), {}),
    results.results_root: A(),
    **({results.bundled_root: A()} if hasattr(results, "bundled_root") else {}),
    results.normalized_source: A("x = 1\n"),
    results.code_hash: A([toy]),
    results.imported_modules: A([toy]),
    results.import_closure_hash: A([toy]),
    results.run_or_load: lambda: (("tiny", lambda cfg, out: {"ok": 1}, {"a": 1}),
                                  dict(profiles=("quick",), devices=("cpu",), root=Path("store"))),
    # dlref.lab.figures
    figures.CapturedFigure: A("fig", "<svg/>", "caption"),
    figures.capturing: A(),
    figures.store_svg: lambda: ((figures.CapturedFigure("f", "<svg/>", ""), Path("svg")), {}),
    figures.figure_html: lambda: ((figures.CapturedFigure("f", "<svg/>", ""), "line"), dict(src=None)),
    figures.new: A(1, 1, 2.0, 2.0),
    figures.show: lambda: ((figures.new(width=1, height=1)[0], "name", "caption"), {}),
    # dlref.device, dlref.profile, dlref.lab.provenance
    device.device: A(),
    device.describe: A("cpu"),
    device.autocast: A("cpu", True, cpu=False),
    profile.profile: A(),
    provenance.git_commit: A("."),
    provenance.collect: A("."),
    provenance.utc_now: A(),
    provenance.one_line: lambda: ((provenance.collect(),), {}),
    # dlref.lab.benchmarks, dlref.lab.cli
    benchmarks.load: A("train"),
    benchmarks.add_arguments: lambda: ((argparse.ArgumentParser(),), {}),
    benchmarks.run: lambda: ((parsed(benchmarks.add_arguments, ["train", "--help"]),), {}),
    cli.Command: A("x", "help", lambda p: None, lambda a: 0),
    cli.main: A(["info"]),
    cli.usage_error: A(argparse.Namespace(), "message"),
    # dlref.lab.gpu_check, dlref.lab.benchmarks.attention_cuda
    gpu_check.Part: A("x", "m:f", 1.0),
    gpu_check.provenance_record: A(),
    gpu_check.run_parts: A([NO_PART], "out", budget_scale=1.0, echo=False),
    gpu_check.check_record: lambda: ((gpu_record(),), {}),
    gpu_check.default_folder: A(),
    gpu_check.read_result: A("nothing"),
    gpu_check.format_result: lambda: ((gpu_record(),), {}),
    gpu_check.prepare_data: A("gpu-data", None),
    gpu_check.main: A(["--list"]),
    attention_cuda.Config: A(lengths=(16,)),
    attention_cuda.attention_flops: A(1, 1, 2, 3),
    attention_cuda.shape_for: A(ATTN, 16, 8),
    attention_cuda.measure: A(ATTN, "bfloat16", 8, 16, "cpu"),
    attention_cuda.run: A(ATTN, None, "cpu"),
    attention_cuda.table: A(ATTN_ROWS),
    attention_cuda.main: A(["--lengths", "16", "--head-dims", "8", "--dtypes", "bfloat16"]),
    # dlref.lab.experiments.classifiers
    classifiers.cpu_threads: A(1),
    classifiers.fashion_tensors: A(False, 8, 0),
    classifiers.loader: lambda: ((torch.zeros(4, 2), torch.zeros(4), 2), dict(shuffle=True, seed=0)),
    classifiers.final_report: lambda: ((lenet_like(), [(torch.zeros(2, 1, 28, 28), torch.tensor([0, 1]))]), {}),
    classifiers.LeNetGridConfig: A(batch_sizes=(4,), epochs=(1,), n_train=8, seeds=(0,)),
    classifiers.run_lenet_grid: A(GRID, "out"),
    classifiers.BNCNNConfig: A(epochs=1, n_train=8),
    classifiers.run_bncnn: A(BNC, "out"),
    # dlref.lab.experiments.esl_weight_decay
    esl_weight_decay.Config: A(n_train=8, seeds=2),
    esl_weight_decay.simulate: lambda: ((4, 2, ESL, torch.Generator().manual_seed(0)), {}),
    esl_weight_decay.train: lambda: ((2, 0.0, (*esl_weight_decay.simulate(4, 2, ESL, torch.Generator()),
                                               *esl_weight_decay.simulate(4, 2, ESL, torch.Generator())),
                                      ESL, torch.Generator()), {}),
    esl_weight_decay.run: A(ESL, "out"),
    # dlref.lab.experiments.fashion_fast
    fashion_fast.Config: A(epochs=1, seeds=(0,)),
    fashion_fast.fast_cnn: A((2, 2, 2), 1),
    fashion_fast.Augment: lambda: ((batches(), torch.Generator()), dict(pad=1, fill=0.0)),
    fashion_fast.run: A(FAST, "out"),
    # dlref.lab.experiments.gan_fashion
    gan_fashion.FashionConfig: A(epochs=1, n_train=16),
    gan_fashion.run: A(FASHION, "out"),
    gan_fashion.cpu_result: A(),
    gan_fashion.cuda_result: A(),
    # dlref.lab.experiments.gan_ring
    gan_ring.Variant: A("label", loss="hinge"),
    gan_ring.RingConfig: A(epochs=1, seeds=(0,)),
    gan_ring.train_variant: lambda: ((RING.variants[0], 0, RING, toy.ring_of_gaussians(32)), {}),
    gan_ring.run_collapse: A(RING, "out"),
    gan_ring.NoiseConfig: A(RING, 1),
    gan_ring.run_noise: A(gan_ring.NoiseConfig(RING, 1), "out"),
    gan_ring.quick: A(RING),
    gan_ring.collapse_result: A(),
    gan_ring.noise_result: A(),
    # dlref.lab.experiments.long_range
    long_range.Config: A(steps=50, seeds=1),
    long_range.make_batch: lambda: ((2, 3, torch.Generator()), dict(distractor_std=0.5)),
    long_range.Classifier: A("lstm", 2, 1.0),
    long_range.train_one: A("rnn", 3, 0, LONG),
    long_range.run: A(LONG, "out"),
    # dlref.lab.experiments.mlp_fashion
    mlp_fashion.Config: A(widths=(2,), n_train=8),
    mlp_fashion.load_flat: A(False, 8),
    mlp_fashion.train_width: lambda: ((2, torch.rand(8, 4), torch.randint(0, 10, (8,)), MLPF), {}),
    mlp_fashion.run: A(MLPF, "out"),
    # dlref.lab.experiments.overfitting
    overfitting.Config: A(n_train=10, seeds=2),
    overfitting.simulate: lambda: ((4, 2, 0.2, torch.Generator()), {}),
    overfitting.train: lambda: (({"train": overfitting.simulate(4, 2, 0.2, torch.Generator()),
                                  "test": overfitting.simulate(4, 2, 0.2, torch.Generator())}, 2, 0.0, OVER,
                                 torch.Generator()), {}),
    overfitting.run: A(OVER, "out"),
    # dlref.lab.experiments.vit_fashion
    vit_fashion.Config: A(sizes=(8,), epochs=(1,)),
    vit_fashion.build: A("vit", VIT),
    vit_fashion.run: A(VIT, "out"),
    # dlref.lab.experiments.torch_inputs
    torch_inputs.Config: A(("tests/x.py",), full=False),
    torch_inputs.repo_root: A(),
    torch_inputs.run: A(torch_inputs.Config(), "out"),
    torch_inputs.format_table: A({"ops": {"add": dict.fromkeys(torch_inputs.FIELDS, 1)},
                                  "totals": dict.fromkeys(torch_inputs.FIELDS, 1)}),
    # dlref.lab.experiments.train_cli
    train_cli.add_arguments: lambda: ((argparse.ArgumentParser(),), {}),
    train_cli.image_tensors: A("fashion-mnist", False, 8, 0),
    train_cli.run: lambda: ((parsed(train_cli.add_arguments, ["classifier", "--dry-run", "--no-progress"]),), {}),
    # dlref.lab.gan.cli
    gan_cli.add_arguments: lambda: ((argparse.ArgumentParser(),), {}),
    gan_cli.build: lambda: ((parsed(gan_cli.add_arguments, ["train", "--dataset", "ring", "--dry-run"]),), {}),
    gan_cli.run: lambda: ((parsed(gan_cli.add_arguments, ["train", "--dataset", "ring", "--dry-run"]),), {}),
    # dlref.lab.gan.train
    gan_train.GANConfig: A(epochs=1, batch_size=8),
    gan_train.one_thread: A(),
    gan_train.sample_noise: lambda: (("normal", 4, 2, torch.Generator()), {}),
    gan_train.sample_figure: lambda: ((torch.zeros(4, 2),), dict(title="t", nrow=2)),
    gan_train.train: lambda: ((*mlp_gan(), torch.randn(16, 2), gan_cfg()), dict(device="cpu", progress=False)),
    # dlref.lab.gan.metrics
    metrics.gaussian_stats: lambda: ((torch.randn(4, 2),), {}),
    metrics.frechet_distance: lambda: ((torch.zeros(2), torch.eye(2), torch.ones(2), torch.eye(2)), {}),
    metrics.penultimate: lambda: ((lenet_like(), torch.zeros(2, 1, 28, 28)), {}),
    metrics.embed: lambda: ((lenet_like(), torch.zeros(2, 1, 28, 28)), dict(batch_size=1)),
    metrics.label_coverage: lambda: ((torch.tensor([0, 1, 1]),), dict(num_classes=3, min_share=0.1)),
    metrics.ClassifierConfig: A(epochs=1),
    metrics.fashion_images: A(False),
    metrics.train_classifier: A(metrics.ClassifierConfig(), "out"),
    metrics.load_classifier: A("cpu"),
    metrics.FrechetEvaluator: lambda: ((lenet_like(), torch.rand(8, 1, 28, 28)), dict(n_samples=4, z_dim=2)),
    # dlref.gan.toy
    toy.ring_centers: A(4, 1.0),
    toy.ring_of_gaussians: lambda: ((16,), dict(k=4, radius=1.0, std=0.1, generator=torch.Generator())),
    toy.mode_coverage: lambda: ((toy.ring_of_gaussians(16), toy.ring_centers()), dict(std=0.02, min_share=0.1)),
}

#: Methods fuzzed as well (bound to a tiny instance).
METHODS: dict[str, Callable[[], tuple[Callable, tuple, dict]]] = {
    "Augment.apply": lambda: (fashion_fast.Augment([], torch.Generator(), pad=1, fill=0.0).apply,
                              (torch.zeros(2, 1, 4, 4),), {}),
    "Classifier.forward": lambda: (long_range.Classifier("rnn", 2).forward, (torch.zeros(2, 3, 2),), {}),
    "FrechetEvaluator.score_images": lambda: (evaluator().score_images, (torch.rand(4, 1, 28, 28),), {}),
    "FrechetEvaluator.__call__": lambda: (evaluator().__call__, (mlp_gan_images(),), {}),
    "Result.path": lambda: (result_record(Path(".")).path, ("file.png",), {}),
    "TrainConfig.fit_kwargs": lambda: (train.TrainConfig().fit_kwargs, (), {}),
}


def mlp_gan_images() -> nn.Module:
    from dlref.gan.models import DCGANGenerator

    torch.manual_seed(0)
    return DCGANGenerator(2, 1, 28, 4)


# --------------------------------------------------------------------------- the table


class ErrorInput(NamedTuple):
    fn: Callable
    args: Callable[[], tuple[tuple, dict]]
    exc: type[BaseException]
    match: str


def good_with(target: Callable, /, **changes: Any) -> Callable[[], tuple[tuple, dict]]:
    """The valid call of ``target`` with some arguments (by name) replaced."""

    def make() -> tuple[tuple, dict]:
        args, kwargs = GOOD[target]()
        bound = inspect.signature(target).bind_partial(*args, **kwargs)
        bound.arguments.update(changes)
        return bound.args, bound.kwargs

    return make


E = ErrorInput
nan, inf = math.nan, math.inf

ERROR_INPUTS: list[ErrorInput] = [
    # ---- dlref.lab.train
    E(train.seed_everything, A(-1), ValueError, "seed must be non-negative"),
    E(train.seed_everything, A(1.5), TypeError, "seed must be an int"),
    E(train.TrainConfig, A(batch_size=0), ValueError, r"TrainConfig\.batch_size must be a positive int"),
    E(train.TrainConfig, A(lr=nan), ValueError, r"TrainConfig\.lr must be a positive finite number"),
    E(train.TrainConfig, A(weight_decay=inf), ValueError, r"TrainConfig\.weight_decay must be a finite number"),
    E(train.TrainConfig, A(amp="yes"), TypeError, r"TrainConfig\.amp must be True or False"),
    E(train.TrainConfig, A(lr=True), TypeError, r"TrainConfig\.lr must be a real number; got bool True"),
    E(train.TrainConfig, A(max_steps=0), ValueError, r"TrainConfig\.max_steps must be a positive int"),
    E(checkpoint.rng_state, A(None), TypeError, "generators must be an iterable"),
    E(train.mixed_precision, A("gpu7", True), ValueError, "device must name a device"),
    E(train.cpu_threads, A(0), ValueError, "n must be an int >= 1"),
    E(train.cpu_threads, A("2"), TypeError, "n must be an int >= 1"),
    E(train.mixed_precision, A("cpu", "yes"), TypeError, "amp must be True or False"),
    E(train.optimizer_step, A(None, torch.tensor(1.0)), TypeError, "optimizer must be a Optimizer|optimizer must be"),
    E(train.optimizer_step, lambda: ((_step_args()[0][0], 1.0), {}), TypeError, "loss must be a torch.Tensor"),
    E(train.progress_bar, A("yes", total=3), TypeError, "enabled must be True or False"),
    E(train.progress_bar, A(False, total=-1), ValueError, "total must be an int >= 0"),
    E(checkpoint.atomic_write, A(None, print), TypeError, "path must be a path"),
    E(checkpoint.check_resumable, A("c.pt", {}, {}, required=("model",), written_by="fit"), checkpoint.CheckpointError,
      r"c\.pt lacks model: it was not written by fit"),
    E(checkpoint.check_resumable, A("c.pt", None, {}, required=(), written_by="fit"), TypeError, "state must be a dict"),
    E(checkpoint.parameter_shapes, lambda: ((), {"G": "not a module"}), TypeError, "G must be a Module"),
    E(checkpoint.tensor_identity, A([1, 2]), TypeError, "data must be a torch.Tensor"),
    E(checkpoint.remove_stale_temporaries, A(None), TypeError, "folder must be a path"),
    E(distributed.World, A(size=0), ValueError, "size must be an int >= 1"),
    E(distributed.World, A(size=2, rank=2), ValueError, "rank must be an int"),
    E(distributed.World, A(backend="mpi"), ValueError, "backend must be one of"),
    E(distributed.world, A("mpi"), ValueError, "backend must be one of"),
    E(distributed.shutdown, A("x"), TypeError, "takes 0 positional arguments"),
    E(distributed.shard_loader, A([(1, 2)], distributed.World()), TypeError, "loader must be a torch DataLoader"),
    E(distributed.shard_loader, lambda: ((torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.zeros(4, 1)),
                                                                      batch_size=2), "world"), {}),
      TypeError, "world must be a World"),
    E(checkpoint.rng_state, A([1]), TypeError, r"generators\[0\] must be a Generator"),
    E(checkpoint.set_rng_state, A(None), TypeError, "state must be a dict"),
    E(checkpoint.set_rng_state, A({"python": 1}), ValueError, "state must hold the key.*lacks 'torch'"),
    E(checkpoint.set_rng_state, lambda: ((checkpoint.rng_state(), [torch.Generator()]), {}), ValueError,
      r"checkpoint holds 0 generator state\(s\); got 1"),
    E(checkpoint.write_json, A(None, {}), TypeError, r"path must be a path \(str or os.PathLike\)"),
    E(checkpoint.write_json, A("x.json", {"a": object()}), TypeError, "obj must be JSON-serialisable"),
    E(checkpoint.save_checkpoint, A(3, {}), TypeError, "path must be a path"),
    E(checkpoint.load_checkpoint, A(None), TypeError, "path must be a path"),
    E(checkpoint.load_checkpoint, A("nothing.pt"), FileNotFoundError, "no checkpoint at nothing.pt"),
    E(checkpoint.load_checkpoint, A("x.pt", map_location="gpu7"), ValueError, "map_location must name a device"),
    E(checkpoint.CheckpointError, lambda: ((garbage("garbage.pt"),), {}), checkpoint.CheckpointError,
      "garbage.pt .*start afresh"),
    E(train.check_finite, A(0.5, epoch=1, step=1), TypeError, "loss must be a torch.Tensor"),
    E(train.check_finite, lambda: ((torch.ones(3),), dict(epoch=1, step=1)), ValueError,
      "loss must hold exactly one element"),
    E(train.NonFiniteLossError, lambda: ((torch.tensor(inf),), dict(epoch=2, step=7)), train.NonFiniteLossError,
      "loss is inf at epoch 2, step 7"),
    E(train.predict, lambda: (("not a model", batches()), {}), TypeError, "model must be a torch.nn.Module"),
    E(train.predict, lambda: ((net(), None), {}), TypeError, "loader must be an iterable"),
    E(train.predict, lambda: ((net(), []), {}), ValueError, "predict got an empty loader"),
    E(train.predict, lambda: ((net(), [(torch.randn(4, 2), torch.zeros(3, dtype=torch.long))]), {}), ValueError,
      "a batch's x and y must hold the same number of samples; got 4 and 3"),
    E(train.predict, lambda: ((net(), [(torch.randn(4, 2), [0, 1, 2, 0])]), {}), TypeError,
      "a batch's y must be a torch.Tensor"),
    E(train.predict, lambda: ((net(), batches()), dict(device="tpu")), ValueError, "device must name a device"),
    E(train.predict, lambda: ((net(), batches()), dict(amp=None)), TypeError, "amp must be True or False"),
    E(train.evaluate, lambda: ((net(), batches(), "ce"), {}), TypeError, "loss_fn must be callable"),
    E(train.confusion_matrix, A([0, 1], [1, 1], 2), TypeError, "pred must be a torch.Tensor"),
    E(train.confusion_matrix, lambda: ((torch.tensor([0, 1]), torch.tensor([1])), dict(num_classes=2)), ValueError,
      "pred and target must be 1-D of equal length"),
    E(train.confusion_matrix, lambda: ((torch.tensor([0, 5]), torch.tensor([1, 1]), 2), {}), ValueError,
      r"pred holds class indices outside 0\.\.1"),
    E(train.confusion_matrix, lambda: ((torch.tensor([0]), torch.tensor([1]), 0), {}), ValueError,
      "num_classes must be an int >= 1"),
    E(train.fit, good_with(train.fit, epochs=0), ValueError, "epochs must be a positive int"),
    E(train.fit, good_with(train.fit, train_loader=None), TypeError, "train_loader must be an iterable"),
    E(train.fit, good_with(train.fit, optimizer=None), TypeError, "optimizer must be a torch.optim.Optimizer"),
    E(train.fit, good_with(train.fit, loss_fn=None), TypeError, "loss_fn must be callable"),
    E(train.fit, good_with(train.fit, device="gpu"), ValueError, "device must name a device"),
    E(train.fit, good_with(train.fit, resume=True), ValueError, "resume=True needs checkpoint_dir"),
    E(train.fit, good_with(train.fit, checkpoint_dir=5), TypeError, "checkpoint_dir must be a path"),
    E(train.fit, good_with(train.fit, cpu_amp="no"), TypeError, "cpu_amp must be True or False"),
    E(train.fit, good_with(train.fit, train_loader=[]), ValueError, "train_loader yielded no batches"),
    E(train.fit, good_with(train.fit, train_loader=[(torch.randn(4, 2), torch.zeros(5, dtype=torch.long))]),
      ValueError, "a batch's x and y must hold the same number of samples; got 4 and 5"),
    # ---- dlref.lab.data
    E(data.data_root, A("x"), TypeError, "takes 0 positional arguments"),
    E(data.prepare_fashion_mnist, A(5), TypeError, r"root must be a path \(str or os.PathLike\) or None"),
    E(data.prepare_fashion_mnist, A("root", download="no"), TypeError, "download must be True or False"),
    E(data.prepare_fashion_mnist, A("root", download=False), DatasetNotFoundError, "Fashion-MNIST not found"),
    E(data.DatasetNotFoundError, A("root", download=False), DatasetNotFoundError, "download=False"),
    E(data.DatasetCorruptError, lambda: ((garbage("root/FashionMNIST/raw/train-images-idx3-ubyte").parents[2],),
                                         dict(download=False)), data.DatasetCorruptError, "train-images-idx3-ubyte"),
    E(data.fashion_mnist_problems, A(5), TypeError, "root must be a path"),
    E(data.cifar10_problems, A(b"root"), TypeError, "root must be a path"),
    E(data.fashion_mnist, A(train="yes", root="root", download=False), TypeError, "train must be True or False"),
    E(data.fashion_mnist, A(transform=5, root="root", download=False), TypeError, "transform must be callable or None"),
    E(data.prepare_cifar10, A([], download=False), TypeError, "root must be a path"),
    E(data.prepare_cifar10, A("root", download=False), DatasetNotFoundError, "CIFAR-10 not found"),
    E(data.cifar10, A(train=None, root="root", download=False), TypeError, "train must be True or False"),
    E(data.cifar10, A(root="root", download=1), TypeError, "download must be True or False"),
    E(data.digits, A(as_images="yes"), TypeError, "as_images must be True or False"),
    E(data.available, A(1.5), TypeError, "root must be a path"),
    E(data.channel_stats, A(None), TypeError, r"data must be an image tensor \(N, C, H_in, W_in\) or a dataset"),
    E(data.channel_stats, lambda: ((torch.zeros(2, 3, 3),), {}), ValueError, r"\(N, C, H_in, W_in\); got \(2, 3, 3\)"),
    E(data.channel_stats, lambda: ((torch.zeros(2, 1, 3, 3, dtype=torch.uint8),), {}), TypeError,
      "floating-point images"),
    E(data.channel_stats, A([]), ValueError, "got an empty dataset"),
    E(data.channel_stats, lambda: ((torch.zeros(2, 1, 3, 3),), dict(batch_size=0)), ValueError,
      "batch_size must be an int >= 1"),
    # ---- dlref.lab.results
    E(results.Result, A(None, {}, {}, {}, "k", "dir"), TypeError, "name must be a str"),
    E(results.Result, A("x", [], {}, {}, "k", "dir"), TypeError, "metrics must be a dict"),
    E(results.results_root, A("x"), TypeError, "takes 0 positional arguments"),
    E(results.normalized_source, A(None), TypeError, "source must be a str"),
    # being added alongside this table; the row appears with it
    *([E(results.bundled_root, A(1), TypeError, "takes 0 positional arguments")] if hasattr(results, "bundled_root") else []),
    E(results.code_hash, A(None), TypeError, "objects must be an iterable"),
    E(results.imported_modules, A(None), TypeError, "objects must be an iterable"),
    E(results.imported_modules, A([1]), TypeError, r"objects\[0\] must be a function, class or module"),
    E(results.import_closure_hash, A(["x"]), TypeError, r"objects\[0\] must be a function, class or module"),
    E(results.code_hash, A([1]), TypeError, r"objects\[0\] must be a function, class or module"),
    E(results.run_or_load, good_with(results.run_or_load, name=5), TypeError, "name must be a str"),
    E(results.run_or_load, good_with(results.run_or_load, name="a/b"), ValueError, "name must be a simple folder name"),
    E(results.run_or_load, good_with(results.run_or_load, fn=None), TypeError, "fn must be a function"),
    E(results.run_or_load, good_with(results.run_or_load, config=[1]), TypeError,
      "config must be a dataclass instance or a dict"),
    E(results.run_or_load, good_with(results.run_or_load, profiles=()), ValueError, "profiles must hold at least 1"),
    E(results.run_or_load, good_with(results.run_or_load, profiles=("fast",)), ValueError,
      r"profiles\[0\] must be one of 'quick', 'full'"),
    E(results.run_or_load, good_with(results.run_or_load, devices="cpu"), TypeError, "devices must be a list or tuple"),
    E(results.run_or_load, good_with(results.run_or_load, root=1), TypeError, "root must be a path"),
    E(results.ResultCorruptError, lambda: (("tiny", lambda cfg, out: {}, {"a": 1}),
                                           dict(root=garbage("store/tiny/result.json").parents[1])),
      results.ResultCorruptError, "result.json"),
    E(results.ResultMissingError, good_with(results.run_or_load, profiles=("full",)), ResultMissingError,
      "no stored result for 'tiny'"),
    # ---- dlref.lab.figures
    E(figures.CapturedFigure, A("f", None, ""), TypeError, "svg must be a str"),
    E(figures.capturing, A(1), TypeError, "takes 0 positional arguments"),
    E(figures.store_svg, A("svg text", "dir"), TypeError, "fig must be a CapturedFigure"),
    E(figures.store_svg, lambda: ((figures.CapturedFigure("f", "<svg/>", ""), None), {}), TypeError,
      "directory must be a path"),
    E(figures.figure_html, lambda: ((figures.CapturedFigure("f", "<svg/>", ""), None), {}), TypeError,
      "provenance_line must be a str"),
    E(figures.new, A(0), ValueError, "ncols must be an int >= 1"),
    E(figures.new, A(width=nan), ValueError, "width must be a finite number"),
    E(figures.show, A(None, "name"), TypeError, "fig must be a matplotlib Figure"),
    E(figures.show, lambda: ((figures.new(width=1, height=1)[0], "a b"), {}), ValueError,
      "figure name must be letters, digits"),
    E(figures.show, lambda: ((figures.new(width=1, height=1)[0], 5), {}), TypeError, "name must be a str"),
    # ---- dlref.device, profile, provenance
    E(device.device, A("cpu"), TypeError, "takes 0 positional arguments"),
    E(device.describe, A("tpu"), ValueError, "dev must name a device"),
    E(device.describe, A(1.5), TypeError, "dev must be None, a torch.device or a string"),
    E(device.autocast, A("cpu", enabled="yes"), TypeError, "enabled must be True or False"),
    E(device.autocast, A("gpu"), ValueError, "dev must name a device"),
    E(profile.profile, A("full"), TypeError, "takes 0 positional arguments"),
    E(provenance.git_commit, A(["."]), TypeError, "path must be a path"),
    E(provenance.collect, A(None), TypeError, "root must be a path"),
    E(provenance.utc_now, A(1), TypeError, "takes 0 positional arguments"),
    E(provenance.one_line, A({"profile": "quick"}), ValueError, "record must hold the key.*lacks 'device'"),
    E(provenance.one_line, A("quick"), TypeError, "record must be a dict"),
    # ---- dlref.lab.benchmarks, dlref.lab.cli
    E(benchmarks.load, A("speed"), ValueError, "unknown benchmark 'speed'"),
    E(benchmarks.load, A(None), TypeError, "name must be a str"),
    E(benchmarks.add_arguments, A(None), TypeError, "parser must be an argparse.ArgumentParser"),
    E(benchmarks.run, A({"name": "train"}), TypeError, "args must be an argparse.Namespace"),
    E(cli.Command, A("x", "help", None, lambda a: 0), TypeError, "add_arguments must be callable"),
    E(cli.Command, A("", "help", print, print), ValueError, "name must be a non-empty str"),
    E(cli.main, A("info"), TypeError, "argv must be a list or tuple"),
    E(cli.usage_error, A(argparse.Namespace(), None), TypeError, "message must be a str"),
    E(cli.usage_error, A(argparse.Namespace(), "--lr must be positive"), SystemExit, "2"),
    E(cli.main, A([1]), TypeError, r"argv\[0\] must be a str"),
    # ---- dlref.lab.gpu_check, dlref.lab.benchmarks.attention_cuda
    E(gpu_check.Part, A("Tests", "m:f", 1.0), ValueError, r"Part\.name must be lower-case letters"),
    E(gpu_check.Part, A("x", "m.f", 1.0), ValueError, r"Part\.target must be 'module:function'"),
    E(gpu_check.Part, A("x", "m:f", 0), ValueError, r"Part\.budget_s must be a finite number in \(0"),
    E(gpu_check.Part, A("x", "m:f", 1.0, needs="torch"), TypeError, r"Part\.needs must be a list or tuple"),
    E(gpu_check.provenance_record, A("x"), TypeError, "takes 0 positional arguments"),
    E(gpu_check.run_parts, A([1], "out"), TypeError, r"parts\[0\] must be a Part"),
    E(gpu_check.run_parts, A([NO_PART, NO_PART], "out"), ValueError, "parts must have distinct names"),
    E(gpu_check.run_parts, A([NO_PART], "out", budget_scale=-1.0), ValueError, r"budget_scale must be a finite number in \(0"),
    E(gpu_check.run_parts, A([NO_PART], None), TypeError, "out must be a path"),
    E(gpu_check.check_record, A({"format": "x"}), ValueError, "record must hold the key"),
    E(gpu_check.check_record, lambda: (({**gpu_record(), "format": "x"},), {}), ValueError,
      r"record\['format'\] must be 'dlref-gpu-check/1'"),
    E(gpu_check.default_folder, A("x"), TypeError, "takes 0 positional arguments"),
    E(gpu_check.read_result, A(3), TypeError, "folder must be a path"),
    E(gpu_check.format_result, A(None), TypeError, "record must be a dict"),
    E(gpu_check.prepare_data, A(None), TypeError, "folder must be a path"),
    E(gpu_check.prepare_data, A("gpu-data", 5), TypeError, "root must be a path"),
    E(gpu_check.main, A(["--parts", "nope"]), SystemExit, "2"),
    E(gpu_check.main, A(["--budget-scale", "-1"]), SystemExit, "2"),
    E(gpu_check.main, A("--list"), TypeError, "argv must be a list or tuple"),
    E(attention_cuda.Config, A(lengths=(0,)), ValueError, r"Config\.lengths\[0\] must be an int >= 1"),
    E(attention_cuda.Config, A(dtypes=("float32",)), ValueError, r"Config\.dtypes\[0\] must be one of"),
    E(attention_cuda.Config, A(implementations=("cuDNN",)), ValueError, r"Config\.implementations\[0\] must be one of"),
    E(attention_cuda.attention_flops, A(0, 1, 1, 1), ValueError, "B must be an int >= 1"),
    E(attention_cuda.shape_for, A(None, 16, 8), TypeError, "cfg must be a Config"),
    E(attention_cuda.measure, A(ATTN, "int8", 8, 16, "cpu"), ValueError, "dtype must be one of"),
    E(attention_cuda.measure, A(ATTN, "bfloat16", 8, 16, "gpu7"), ValueError, "device must name a device"),
    E(attention_cuda.run, A(None), TypeError, "cfg must be a Config"),
    E(attention_cuda.run, A(ATTN, float("nan"), "cpu"), ValueError, "deadline must be a finite number"),
    E(attention_cuda.table, A(None), TypeError, "rows must be a list or tuple"),
    E(attention_cuda.table, A([{"dtype": "bfloat16"}]), ValueError, r"rows\[0\] must hold the key"),
    E(attention_cuda.main, A(["--lengths", "0"]), SystemExit, "2"),
    # ---- dlref.lab.experiments.classifiers
    E(classifiers.cpu_threads, A(0), ValueError, "n must be an int >= 1"),
    E(classifiers.cpu_threads, A("2"), TypeError, "n must be an int >= 1"),
    E(classifiers.fashion_tensors, A("train"), TypeError, "train_split must be True or False"),
    E(classifiers.fashion_tensors, A(True, -5), ValueError, "n must be an int >= 1"),
    E(classifiers.fashion_tensors, A(True, 8, -1), ValueError, "seed must be an int >= 0"),
    E(classifiers.loader, lambda: ((torch.zeros(4, 2), torch.zeros(3), 2), dict(shuffle=True)), ValueError,
      "X and y must hold the same number of samples; got 4 and 3"),
    E(classifiers.loader, lambda: ((torch.zeros(4, 2), torch.zeros(4), 0), dict(shuffle=True)), ValueError,
      "batch_size must be an int >= 1"),
    E(classifiers.loader, lambda: (([[0.0]], torch.zeros(1), 1), dict(shuffle=True)), TypeError,
      "X must be a torch.Tensor"),
    E(classifiers.final_report, lambda: ((None, []), {}), TypeError, "model must be a torch.nn.Module"),
    E(classifiers.LeNetGridConfig, A(batch_sizes=(4, 0)), ValueError, r"LeNetGridConfig\.batch_sizes\[1\] must be"),
    E(classifiers.LeNetGridConfig, A(epochs=()), ValueError, r"LeNetGridConfig\.epochs must hold at least 1"),
    E(classifiers.LeNetGridConfig, A(momentum=1.5), ValueError, r"LeNetGridConfig\.momentum must be a finite number"),
    E(classifiers.LeNetGridConfig, A(n_train=0), ValueError, r"LeNetGridConfig\.n_train must be an int >= 1"),
    E(classifiers.run_lenet_grid, A({"lr": 1}, "out"), TypeError, "cfg must be a LeNetGridConfig"),
    E(classifiers.run_lenet_grid, A(GRID, None), TypeError, "out_dir must be a path"),
    E(classifiers.BNCNNConfig, A(lr=-1.0), ValueError, r"BNCNNConfig\.lr must be a finite number in \(0"),
    E(classifiers.BNCNNConfig, A(cpu_amp="yes"), TypeError, r"BNCNNConfig\.cpu_amp must be True or False"),
    E(classifiers.BNCNNConfig, A(seeds=(-1,)), ValueError, r"BNCNNConfig\.seeds\[0\] must be an int >= 0"),
    E(classifiers.run_bncnn, A(GRID, "out"), TypeError, "cfg must be a BNCNNConfig"),
    # ---- dlref.lab.experiments.esl_weight_decay
    E(esl_weight_decay.Config, A(noise=-0.1), ValueError, r"Config\.noise must be a finite number in \[0"),
    E(esl_weight_decay.Config, A(seeds=1), ValueError, r"Config\.seeds must be an int >= 2"),
    E(esl_weight_decay.Config, A(decays=(0.0, nan)), ValueError, r"Config\.decays\[1\] must be a finite number"),
    E(esl_weight_decay.Config, A(a1=(1.0,)), ValueError, r"Config\.a1 must hold 2 item"),
    E(esl_weight_decay.simulate, lambda: ((0, 2, ESL, torch.Generator()), {}), ValueError, "n must be an int >= 1"),
    E(esl_weight_decay.simulate, lambda: (("5", 2, ESL, torch.Generator()), {}), TypeError, "n must be an int >= 1"),
    E(esl_weight_decay.simulate, lambda: ((5, 2, ESL, 0), {}), TypeError, "generator must be a Generator"),
    E(esl_weight_decay.train, good_with(esl_weight_decay.train, lam=-1.0), ValueError, "lam must be a finite number"),
    E(esl_weight_decay.train, good_with(esl_weight_decay.train, data=(torch.zeros(2),)), ValueError,
      "data must hold 4 item"),
    E(esl_weight_decay.run, A(None, "out"), TypeError, "cfg must be a Config"),
    # ---- dlref.lab.experiments.fashion_fast
    E(fashion_fast.Config, A(widths=(32, 64)), ValueError, r"Config\.widths must hold 3 item"),
    E(fashion_fast.Config, A(label_smoothing=1.5), ValueError, r"Config\.label_smoothing must be a finite number"),
    E(fashion_fast.Config, A(crop_pad=-1), ValueError, r"Config\.crop_pad must be an int >= 0"),
    E(fashion_fast.fast_cnn, A((8, 16)), ValueError, "widths must hold 3 item"),
    E(fashion_fast.fast_cnn, A((8, 16, 32), 0), ValueError, "convs_per_stage must be an int >= 1"),
    E(fashion_fast.Augment, lambda: (([1, 2], torch.Generator()), dict(pad=1, fill=0.0)), TypeError,
      r"base\[0\] must be a tuple or list"),
    E(fashion_fast.Augment, lambda: ((batches(), None), dict(pad=1, fill=0.0)), TypeError,
      "generator must be a Generator"),
    E(fashion_fast.Augment, lambda: ((batches(), torch.Generator()), dict(pad=-1, fill=0.0)), ValueError,
      "pad must be an int >= 0"),
    E(fashion_fast.Augment, lambda: ((batches(), torch.Generator()), dict(pad=1, fill=nan)), ValueError,
      "fill must be a finite number"),
    E(fashion_fast.run, A(FASHION, "out"), TypeError, "cfg must be a Config"),
    # ---- dlref.lab.experiments.gan_fashion
    E(gan_fashion.FashionConfig, A(loss="wasserstein"), ValueError, r"FashionConfig\.loss must be one of"),
    E(gan_fashion.FashionConfig, A(eval_samples=1), ValueError, r"FashionConfig\.eval_samples must be an int >= 2"),
    E(gan_fashion.FashionConfig, A(beta1=1.0), ValueError, r"FashionConfig\.beta1 must be a finite number in \[0.0, 1.0\)"),
    E(gan_fashion.run, A(GRID, "out"), TypeError, "cfg must be a FashionConfig"),
    E(gan_fashion.cpu_result, A(1), TypeError, "takes 0 positional arguments"),
    E(gan_fashion.cuda_result, A(1), TypeError, "takes 0 positional arguments"),
    # ---- dlref.lab.experiments.gan_ring
    E(gan_ring.Variant, A("x", loss="wgan"), ValueError, r"Variant\.loss must be one of"),
    E(gan_ring.Variant, A("x", pack=0), ValueError, r"Variant\.pack must be an int >= 1"),
    E(gan_ring.Variant, A(None), TypeError, r"Variant\.label must be a str"),
    E(gan_ring.Variant, A("x", noise="cauchy"), ValueError, r"Variant\.noise must be one of"),
    E(gan_ring.RingConfig, A(variants=("ns",)), TypeError, r"RingConfig\.variants\[0\] must be a Variant"),
    E(gan_ring.RingConfig, A(std=0.0), ValueError, r"RingConfig\.std must be a finite number in \(0"),
    E(gan_ring.RingConfig, A(samples_per_step=0), ValueError, r"RingConfig\.samples_per_step must be an int >= 1"),
    E(gan_ring.train_variant, lambda: (("ns", 0, RING, toy.ring_of_gaussians(32)), {}), TypeError,
      "v must be a Variant"),
    E(gan_ring.train_variant, lambda: ((RING.variants[0], 0, RING, [[0.0, 1.0]]), {}), TypeError,
      "data must be a torch.Tensor"),
    E(gan_ring.run_collapse, A(None, "out"), TypeError, "cfg must be a RingConfig"),
    E(gan_ring.NoiseConfig, A(test_draws=0), ValueError, r"NoiseConfig\.test_draws must be an int >= 1"),
    E(gan_ring.NoiseConfig, A(ring=None), TypeError, r"NoiseConfig\.ring must be a RingConfig"),
    E(gan_ring.run_noise, A(RING, "out"), TypeError, "cfg must be a NoiseConfig"),
    E(gan_ring.quick, A(None), TypeError, "cfg must be a RingConfig"),
    E(gan_ring.collapse_result, A(1), TypeError, "takes 0 positional arguments"),
    E(gan_ring.noise_result, A(1), TypeError, "takes 0 positional arguments"),
    # ---- dlref.lab.experiments.long_range
    E(long_range.Config, A(lengths=(0,)), ValueError, r"Config\.lengths\[0\] must be an int >= 1"),
    E(long_range.Config, A(clip=0.0), ValueError, r"Config\.clip must be a finite number in \(0"),
    E(long_range.make_batch, lambda: ((0, 3, torch.Generator()), {}), ValueError, "B must be an int >= 1"),
    E(long_range.make_batch, lambda: ((2, 3.5, torch.Generator()), {}), TypeError, "T must be an int >= 1"),
    E(long_range.make_batch, lambda: ((2, 3, torch.Generator()), dict(distractor_std=-1.0)), ValueError,
      "distractor_std must be a finite number"),
    E(long_range.Classifier, A("gru", 2), ValueError, "kind must be one of 'rnn', 'lstm'; got 'gru'"),
    E(long_range.Classifier, A("rnn", 0), ValueError, "hidden must be an int >= 1"),
    E(long_range.train_one, A("gru", 3, 0, LONG), ValueError, "kind must be one of 'rnn', 'lstm'"),
    E(long_range.train_one, A("rnn", 3, 0, None), TypeError, "cfg must be a Config"),
    E(long_range.run, A(LONG, None), TypeError, "out_dir must be a path"),
    # ---- dlref.lab.experiments.mlp_fashion
    E(mlp_fashion.Config, A(widths=(0,)), ValueError, r"Config\.widths\[0\] must be an int >= 1"),
    E(mlp_fashion.Config, A(lr=inf), ValueError, r"Config\.lr must be a finite number"),
    E(mlp_fashion.load_flat, A(True, 0), ValueError, "n must be an int >= 1"),
    E(mlp_fashion.load_flat, A("train"), TypeError, "train must be True or False"),
    E(mlp_fashion.train_width, lambda: ((2, torch.rand(8, 4), torch.zeros(7, dtype=torch.long), MLPF), {}), ValueError,
      "X and y must hold the same number of samples; got 8 and 7"),
    E(mlp_fashion.train_width, lambda: ((0, torch.rand(8, 4), torch.zeros(8, dtype=torch.long), MLPF), {}), ValueError,
      "K must be an int >= 1"),
    E(mlp_fashion.run, A(VIT, "out"), TypeError, "cfg must be a Config"),
    # ---- dlref.lab.experiments.overfitting
    E(overfitting.Config, A(flip=0.7), ValueError, r"Config\.flip must be a finite number in \[0.0, 0.5\)"),
    E(overfitting.Config, A(val_fraction=0.0), ValueError, r"Config\.val_fraction must be a finite number in \(0.0, 1.0\)"),
    E(overfitting.simulate, lambda: ((4, 2, nan, torch.Generator()), {}), ValueError, "flip must be a finite number"),
    E(overfitting.simulate, lambda: ((4, 0, 0.2, torch.Generator()), {}), ValueError, "S must be an int >= 1"),
    E(overfitting.train, good_with(overfitting.train, data={"test": (torch.zeros(1), torch.zeros(1))}), ValueError,
      "data must hold the key.*lacks 'train'"),
    E(overfitting.train, good_with(overfitting.train, K=0), ValueError, "K must be an int >= 1"),
    E(overfitting.run, A(OVER, 3), TypeError, "out_dir must be a path"),
    # ---- dlref.lab.experiments.vit_fashion
    E(vit_fashion.Config, A(epochs=(1, 2)), ValueError, r"Config\.epochs \(one per entry of sizes\) must hold 3 item"),
    E(vit_fashion.Config, A(vit_heads=True), TypeError, r"Config\.vit_heads must be an int >= 1; got bool True"),
    E(vit_fashion.Config, A(patch_size=5), ValueError, r"Config\.patch_size must be one of 1, 2, 4, 7, 14, 28"),
    E(vit_fashion.Config, A(vit_dim=6, vit_heads=4), ValueError, r"Config\.vit_heads must be one of 1, 2, 3, 6"),
    E(vit_fashion.build, A("resnet", VIT), ValueError, "name must be one of 'vit', 'cnn'; got 'resnet'"),
    E(vit_fashion.build, A("vit", None), TypeError, "cfg must be a Config"),
    E(vit_fashion.run, A(None, "out"), TypeError, "cfg must be a Config"),
    # ---- dlref.lab.experiments.torch_inputs
    E(torch_inputs.Config, A(test_files="tests/x.py"), TypeError, "test_files must be a list or tuple"),
    E(torch_inputs.Config, A(full="yes"), TypeError, "full must be True or False"),
    E(torch_inputs.repo_root, A("."), TypeError, "takes 0 positional arguments"),
    E(torch_inputs.run, A({"full": True}, "out"), TypeError, "cfg must be a Config"),
    E(torch_inputs.run, A(torch_inputs.Config(), None), TypeError, "out_dir must be a path"),
    E(torch_inputs.format_table, A({"ops": {}}), ValueError, "metrics must hold the key.*lacks 'totals'"),
    # ---- dlref.lab.experiments.train_cli
    E(train_cli.add_arguments, A(None), TypeError, "parser must be an argparse.ArgumentParser"),
    E(train_cli.image_tensors, A("mnist", True, None, 0), ValueError, "data must be one of 'fashion-mnist', 'cifar10'"),
    E(train_cli.image_tensors, A("fashion-mnist", True, 0, 0), ValueError, "n must be an int >= 1"),
    E(train_cli.run, A(None), TypeError, "args must be an argparse.Namespace"),
    E(train_cli.run, lambda: ((parsed(train_cli.add_arguments, ["classifier", "--n-train", "-5"]),), {}),
      SystemExit, "2"),
    # ---- dlref.lab.gan.cli
    E(gan_cli.add_arguments, A("parser"), TypeError, "parser must be an argparse.ArgumentParser"),
    E(gan_cli.build, lambda: ((argparse.Namespace(**{**vars(parsed(gan_cli.add_arguments, ["train"])),
                                                     "dataset": "mnist"}),), {}),
      ValueError, "dataset must be one of 'fashion-mnist', 'ring'; got 'mnist'"),
    E(gan_cli.build, lambda: ((parsed(gan_cli.add_arguments, ["train", "--width", "0"]),), {}), ValueError,
      "--width must be an int >= 1"),
    E(gan_cli.build, lambda: ((parsed(gan_cli.add_arguments, ["train", "--eval-samples", "1"]),), {}), ValueError,
      "--eval-samples must be an int >= 2"),
    E(gan_cli.run, A(None), TypeError, "args must be an argparse.Namespace"),
    # ---- dlref.lab.gan.train
    E(gan_train.GANConfig, A(loss="wasserstein"), ValueError, r"GANConfig\.loss must be one of 'minimax', 'non-saturating', 'wgan-gp', 'hinge'; got 'wasserstein'"),
    E(gan_train.GANConfig, A(amp="no"), TypeError, r"GANConfig\.amp must be True or False"),
    E(gan_train.GANConfig, A(diverge_threshold=nan), ValueError, r"GANConfig\.diverge_threshold must be a positive"),
    E(gan_train.GANConfig, A(gp_weight=inf), ValueError, r"GANConfig\.gp_weight must be a finite number"),
    E(gan_train.one_thread, A(1), TypeError, "takes 0 positional arguments"),
    E(gan_train.sample_noise, A("cauchy", 4, 2), ValueError, "kind must be one of 'normal', 'uniform', 'random-each-step'"),
    E(gan_train.sample_noise, A("normal", "4", 2), TypeError, "n must be an int >= 1"),
    E(gan_train.sample_noise, A("normal", 4, 2, generator=0), TypeError, "generator must be a Generator or None"),
    E(gan_train.sample_figure, lambda: ((torch.zeros(4, 3),), {}), ValueError,
      r"sample_figure needs images \(B, C, H, W\) or points \(B, 2\)"),
    E(gan_train.sample_figure, A([[0.0, 1.0]]), TypeError, "samples must be a torch.Tensor"),
    E(gan_train.sample_figure, lambda: ((torch.zeros(4, 2),), dict(nrow=0)), ValueError, "nrow must be an int >= 1"),
    E(gan_train.train, good_with(gan_train.train, config={"epochs": 1}), TypeError, "config must be a GANConfig"),
    E(gan_train.train, good_with(gan_train.train, data=torch.zeros(4, 2)), ValueError,
      "data holds 4 samples, fewer than batch_size"),
    E(gan_train.train, good_with(gan_train.train, pack="2"), TypeError, "pack must be an int >= 1"),
    E(gan_train.train, good_with(gan_train.train, evaluate=5), TypeError, "evaluate must be callable or None"),
    E(gan_train.train, good_with(gan_train.train, out_dir=5), TypeError, "out_dir must be a path"),
    E(gan_train.train, good_with(gan_train.train, device="gpu"), ValueError, "device must name a device"),
    E(gan_train.train, good_with(gan_train.train, data=torch.zeros(16, 3)), ValueError,
      r"G's output \(2,\) does not match the data's sample shape \(3,\)"),
    E(gan_train.GANDivergedError, lambda: ((*mlp_gan(), torch.randn(16, 2) * 1e9, gan_cfg(diverge_threshold=1.0)),
                                           dict(device="cpu", progress=False)),
      gan_train.GANDivergedError, "beyond the divergence threshold"),
    # ---- dlref.lab.gan.metrics
    E(metrics.gaussian_stats, lambda: ((torch.zeros(1, 3),), {}), ValueError, "N ≥ 2"),
    E(metrics.gaussian_stats, A([[0.0]]), TypeError, "features must be a floating-point tensor"),
    E(metrics.frechet_distance, lambda: ((None, torch.eye(2), torch.ones(2), torch.eye(2)), {}), TypeError,
      "mu1 must be a torch.Tensor"),
    E(metrics.frechet_distance, lambda: ((torch.zeros(2), torch.eye(3), torch.ones(2), torch.eye(2)), {}), ValueError,
      r"sigma1 must have shape \(2, 2\)"),
    E(metrics.penultimate, lambda: ((nn.Linear(2, 2), torch.zeros(1, 2)), {}), TypeError,
      "penultimate needs a model with .features"),
    E(metrics.penultimate, lambda: ((lenet_like(), None), {}), TypeError, "x must be a torch.Tensor"),
    E(metrics.embed, lambda: ((lenet_like(), torch.zeros(2, 1, 28, 28)), dict(batch_size=0)), ValueError,
      "batch_size must be an int >= 1"),
    E(metrics.embed, lambda: ((lenet_like(), torch.zeros(28, 28)), {}), ValueError, "images must have 4 dimensions"),
    E(metrics.label_coverage, lambda: ((torch.tensor([0, 12]),), dict(num_classes=10)), ValueError,
      r"labels must hold class indices in 0\.\.9"),
    E(metrics.label_coverage, lambda: ((torch.tensor([0, 1]),), dict(min_share=1.5)), ValueError,
      "min_share must be a finite number in"),
    E(metrics.label_coverage, A(None), TypeError, "labels must be a torch.Tensor"),
    E(metrics.ClassifierConfig, A(epochs=0), ValueError, r"ClassifierConfig\.epochs must be an int >= 1"),
    E(metrics.fashion_images, A("train"), TypeError, "train must be True or False"),
    E(metrics.train_classifier, A(None, "out"), TypeError, "cfg must be a ClassifierConfig"),
    E(metrics.load_classifier, A("gpu"), ValueError, "device must name a device"),
    E(metrics.FrechetEvaluator, lambda: ((lenet_like(), torch.rand(8, 1, 28, 28)), dict(n_samples=1)), ValueError,
      "n_samples must be an int >= 2"),
    E(metrics.FrechetEvaluator, lambda: ((None, torch.rand(8, 1, 28, 28)), {}), TypeError,
      "classifier must be a torch.nn.Module"),
    E(metrics.FrechetEvaluator, lambda: ((lenet_like(), torch.rand(8, 1, 28, 28)), dict(z_dim=0)), ValueError,
      "z_dim must be an int >= 1"),
    # ---- dlref.gan.toy
    E(toy.ring_centers, A(0), ValueError, "k must be a positive int"),
    E(toy.ring_centers, A(4, "2"), TypeError, "radius must be a real number"),
    E(toy.ring_centers, A(4, nan), ValueError, "radius must be a finite number"),
    E(toy.ring_of_gaussians, A(10, std=-1.0), ValueError, "std must be a finite number in \\(0"),
    E(toy.ring_of_gaussians, A(10, generator="seed"), TypeError, "generator must be a Generator or None"),
    E(toy.mode_coverage, lambda: ((None, toy.ring_centers()), dict(std=0.02)), TypeError,
      "samples must be a torch.Tensor"),
    E(toy.mode_coverage, lambda: ((torch.zeros(4, 3), toy.ring_centers()), dict(std=0.02)), ValueError,
      r"samples \(n, d\) and centers \(k, d\) must share d"),
    E(toy.mode_coverage, lambda: ((torch.zeros(4, 2), toy.ring_centers()), dict(std=0.02, min_share=-0.5)), ValueError,
      "min_share must be a finite number in"),
]


#: The call each error class's row makes: the error is what the bad call raises.
PRODUCERS = {
    train.NonFiniteLossError: train.check_finite, checkpoint.CheckpointError: checkpoint.load_checkpoint,
    DatasetNotFoundError: data.prepare_fashion_mnist, data.DatasetCorruptError: data.prepare_fashion_mnist,
    ResultMissingError: results.run_or_load, results.ResultCorruptError: results.run_or_load,
    gan_train.GANDivergedError: gan_train.train,
}


def _row_id(row: ErrorInput) -> str:
    return f"{row.fn.__module__.removeprefix('dlref.')}.{row.fn.__qualname__}:{row.match[:40]}"


@pytest.mark.parametrize("row", ERROR_INPUTS, ids=[_row_id(r) for r in ERROR_INPUTS])
def test_error_input(row: ErrorInput):
    args, kwargs = row.args()
    fn = row.fn
    if isinstance(fn, type) and issubclass(fn, BaseException):  # an error class: its row calls what raises it
        fn = PRODUCERS[fn]
    with time_limit(TIMEOUT_S), pytest.raises(row.exc) as info:
        result = fn(*args, **kwargs)
        if inspect.isgenerator(result) or isinstance(result, contextlib.AbstractContextManager):
            with result:  # a context manager checks its arguments on entry
                pass
    message = str(info.value.code) if isinstance(info.value, SystemExit) else str(info.value)
    assert re.search(row.match, message), f"message {message!r} does not match {row.match!r}"


def public_callables(module) -> list[tuple[str, Callable]]:
    """Functions and classes a module defines (not imported), whose names do not start with ``_``."""
    return [(name, obj) for name, obj in vars(module).items()
            if not name.startswith("_") and callable(obj) and not inspect.ismodule(obj)
            and getattr(obj, "__module__", None) == module.__name__]


def test_every_public_callable_has_a_row():
    covered = {row.fn for row in ERROR_INPUTS}
    missing = [f"{m.__name__}.{name}" for m in LAB_MODULES for name, obj in public_callables(m) if obj not in covered]
    assert not missing, f"public callables without a bad-input row: {missing}"
    no_fuzz = [f"{m.__name__}.{name}" for m in LAB_MODULES for name, obj in public_callables(m)
               if obj not in GOOD and not (isinstance(obj, type) and issubclass(obj, BaseException))]
    assert not no_fuzz, f"public callables without a valid call to fuzz from: {no_fuzz}"


# --------------------------------------------------------------------------- the fuzz

FUZZ_VALUES: dict[str, Any] = {
    "None": None, "list": [1, 2], "str": "abc", "bool": True, "nan": math.nan, "-1": -1, "0": 0,
    "empty tensor": torch.empty(0),
}
#: Parameters whose fuzz would only exercise what they are handed over to (documented pass-through).
PASS_THROUGH = {
    (checkpoint.save_checkpoint, "state"),  # anything torch.save accepts
    (checkpoint.write_json, "obj"),  # checked by trying to serialise it: every fuzz value is JSON
    (cli.Command, "help"), (results.Result, "directory"),
    (torch_inputs.run, "out_dir"),  # a valid folder would start the whole sweep in a subprocess
    (gan_train.train, "compile_models"),  # True is valid: torch.compile then takes longer than the deadline
}
#: Clear messages that name the argument by its meaning rather than its parameter name.
CLEAR_WITHOUT_NAME = {
    (benchmarks.load, "name"): "unknown benchmark",
}


def _call(fn: Callable, args: tuple, kwargs: dict) -> None:
    result = fn(*args, **kwargs)
    if isinstance(result, contextlib.AbstractContextManager):
        with result:
            pass


def classify(fn: Callable, param: str, value: Any, args: tuple, kwargs: dict) -> tuple[str, str]:
    """``("clear" | "obscure" | "accepted", detail)`` for one bad call."""
    try:
        with time_limit(TIMEOUT_S):
            _call(fn, args, kwargs)
    except Hang as err:
        return "hang", str(err)
    except Stopped:
        return "accepted", "got past its checks (stopped at a download or a heavy step)"
    except SystemExit as err:
        return ("clear", "usage error") if err.code == 2 else ("obscure", f"SystemExit({err.code})")
    except (TypeError, ValueError, *DOCUMENTED) as err:
        text = str(err)
        if isinstance(err, DOCUMENTED) and not isinstance(err, (TypeError, ValueError)):
            return "accepted", f"{type(err).__name__}: {text[:120]}"
        names_it = CLEAR_WITHOUT_NAME.get((fn, param), "\0") in text or re.search(rf"(?<![A-Za-z0-9_]){re.escape(param.lstrip('-'))}(?![A-Za-z0-9])", text.replace("-", "_"))
        internal = "torch" in (err.__traceback__ and _origin(err) or "")
        if names_it and not internal:
            return "clear", f"{type(err).__name__}: {text[:120]}"
        return "obscure", f"{type(err).__name__} from {_origin(err)}: {text[:120]}"
    except BaseException as err:  # noqa: BLE001 - classified, then reported
        return "obscure", f"{type(err).__name__} from {_origin(err)}: {str(err)[:120]}"
    return "accepted", "returned normally"


def _origin(err: BaseException) -> str:
    tb = err.__traceback__
    last = ""
    while tb is not None:
        last = tb.tb_frame.f_code.co_filename
        tb = tb.tb_next
    return last.split("site-packages/")[-1] if "site-packages" in last else Path(last).name


def fuzz_cases() -> list[tuple[str, Callable, Callable]]:
    cases = [(f"{fn.__module__.removeprefix('dlref.')}.{fn.__qualname__}", fn, make) for fn, make in GOOD.items()]
    cases += [(name, None, make) for name, make in METHODS.items()]
    return cases


FUZZ_TALLY: dict[str, dict[str, list]] = {}


@pytest.mark.parametrize("name, fn, make", fuzz_cases(), ids=[c[0] for c in fuzz_cases()])
def test_fuzz(name, fn, make):
    if fn is None:
        fn, args, kwargs = make()
    else:
        args, kwargs = make()
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        pytest.skip("no signature")
    bound = sig.bind(*args, **kwargs)
    bound.apply_defaults()
    failures, tally = [], FUZZ_TALLY.setdefault(name, {"clear": [], "obscure": [], "accepted": [], "hang": []})
    for param in sig.parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD) or (fn, param.name) in PASS_THROUGH:
            continue
        for label, value in FUZZ_VALUES.items():
            if fn is cli.main and label in ("None", "bool"):
                continue  # None means sys.argv; handled by argparse
            fresh = make()
            fresh_args, fresh_kwargs = fresh[1:] if len(fresh) == 3 else fresh
            target = fresh[0] if len(fresh) == 3 else fn
            b = sig.bind(*fresh_args, **fresh_kwargs)
            b.apply_defaults()
            b.arguments[param.name] = value
            kind, detail = classify(target, param.name, value, b.args, b.kwargs)
            tally[kind].append(f"{param.name}={label}: {detail}")
            if kind in ("obscure", "hang"):
                failures.append(f"{param.name}={label}: {kind}: {detail}")
    _write_report()
    assert not failures, "\n".join(failures)


def _write_report() -> None:
    path = os.environ.get("DLREF_BAD_INPUTS_REPORT")
    if path:
        Path(path).write_text(json.dumps(FUZZ_TALLY, indent=1))


def test_every_config_accepts_its_defaults_and_the_library_choices():
    """The checks refuse bad values only: every config's defaults pass, and the loss and noise
    names written out in the frozen experiment configs are exactly the library's."""
    from dlref.gan.losses import LOSSES

    configs = [obj for m in LAB_MODULES for _, obj in public_callables(m)
               if dataclasses.is_dataclass(obj) and obj.__name__.endswith("Config")]
    assert len(configs) >= 14
    for config in configs:
        config()
    for loss in LOSSES:
        gan_train.GANConfig(loss=loss), gan_fashion.FashionConfig(loss=loss), gan_ring.Variant("v", loss=loss)
    for noise in gan_train.NOISES:
        gan_ring.Variant("v", noise=noise)
    with pytest.raises(ValueError):
        gan_ring.Variant("v", loss=sorted(LOSSES)[0] + "x")
